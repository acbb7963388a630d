"""Standing needs: add, change from a date, end from a date; the citizen's visits from that date on
regenerated (earlier, performed and pinned visits untouched) and the assignments that no longer fit
flagged for a re-plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.repositories import team_data as repo
from app.schemas import core as s
from app.services import core
from app.services.errors import Invalid
from app.services.team_data.citizens import cancel_visits, regenerate_from
from app.services.team_data.records import changed_only, record_change, snapshot
from models.core import Need, User
from models.team_data import ENTITY_NEED

NEED_FIELDS = ("kind", "weekdays", "every_weeks", "earliest", "latest", "duration", "carers", "skills",
               "care_instructions", "priority", "spaced_from_id", "min_gap", "max_gap", "valid_from",
               "valid_to")


def _reason(need: Need, start: dt.date, what: str) -> str:
    return f"{need.kind} {what} from {start.isoformat()}"


def _check_ended(need: Need, start: dt.date, path: str) -> None:
    ended = need.citizen.ended_from
    if ended is not None and start >= ended:
        raise Invalid(f"the citizen's care ends from {ended}", path=path)


def add_need(session: Session, *, data: s.NeedCreate, user: User, regenerate: bool = True) -> Need:
    """A new standing need; the citizen's visits from its first day on are made (`regenerate` False:
    the caller makes them, for many citizens at once)."""
    need = core.create_need(session, data=data, user=user)
    _check_ended(need, need.valid_from, "valid_from")
    change = record_change(session, user=user, entity=ENTITY_NEED, entity_id=need.id, action="created",
                           team_id=need.citizen.team_id, citizen_id=need.citizen_id,
                           effective_from=need.valid_from, after=snapshot(need, NEED_FIELDS))
    if regenerate:
        regenerate_from(session, citizen=need.citizen, start=need.valid_from, change=change,
                        reason=_reason(need, need.valid_from, "added"))
    return need


def change_need(session: Session, *, need: Need, data: s.NeedChange, user: User) -> Need:
    """The need as changed from `data.from_date` on (a new version; the old one ends the day before)."""
    _check_ended(need, data.from_date, "from_date")
    before = snapshot(need, NEED_FIELDS)
    new = core.change_need_from(session, need=need, data=data)
    was, now = changed_only(before, snapshot(new, NEED_FIELDS))
    now.pop("valid_from", None)
    was.pop("valid_from", None)
    change = record_change(session, user=user, entity=ENTITY_NEED, entity_id=new.id, action="changed",
                           team_id=new.citizen.team_id, citizen_id=new.citizen_id,
                           effective_from=data.from_date, before=was, after=now)
    regenerate_from(session, citizen=new.citizen, start=data.from_date, change=change,
                    reason=_reason(new, data.from_date, "changed"))
    return new


def end_need(session: Session, *, need: Need, from_date: dt.date, user: User,
             version: int | None = None) -> Need | None:
    """No more visits of the need from `from_date` on. Ended on its first day, the need is removed
    (there is no history to keep); answers the need left, or None."""
    core.check_version(need, version)
    if from_date < need.valid_from:
        raise Invalid(f"from_date is before the need starts ({need.valid_from})", path="from_date")
    if need.valid_to is not None and from_date > need.valid_to:
        raise Invalid(f"the need already ends on {need.valid_to}", path="from_date")
    citizen = need.citizen
    change = record_change(session, user=user, entity=ENTITY_NEED, entity_id=need.id, action="ended",
                           team_id=citizen.team_id, citizen_id=citizen.id, effective_from=from_date,
                           before={"valid_to": snapshot(need, ["valid_to"])["valid_to"]},
                           after={"valid_to": (from_date - dt.timedelta(days=1)).isoformat()})
    reason = _reason(need, from_date, "ended")
    if from_date > need.valid_from:
        need.valid_to = from_date - dt.timedelta(days=1)
        session.flush()
        regenerate_from(session, citizen=citizen, start=from_date, change=change, reason=reason)
        return need
    # Ended on its first day: its visits are cancelled (held ones stay), then the need goes.
    cancel_visits(session, visits=[v for v in repo.visits_of_citizen_from(session, citizen.id, from_date)
                                   if v.need_id == need.id], change=change, reason=reason)
    core.delete_row(session, row=need)
    return None


def correct_need(session: Session, *, need: Need, data: s.NeedUpdate, user: User) -> Need:
    """The need rewritten as a whole, on every day it covers (a correction: no earlier version is
    kept, unlike `change_need`); recorded with what it was."""
    before = snapshot(need, NEED_FIELDS)
    core.update_need(session, need=need, data=data)
    was, now = changed_only(before, snapshot(need, NEED_FIELDS))
    if now:
        record_change(session, user=user, entity=ENTITY_NEED, entity_id=need.id, action="corrected",
                      team_id=need.citizen.team_id, citizen_id=need.citizen_id, before=was, after=now)
    return need


def delete_need(session: Session, *, need: Need, user: User) -> None:
    """A need entered by mistake taken away; the record keeps all of it, on the citizen's page."""
    record_change(session, user=user, entity=ENTITY_NEED, entity_id=need.id, action="deleted",
                  team_id=need.citizen.team_id, citizen_id=need.citizen_id,
                  before=snapshot(need, NEED_FIELDS))
    core.delete_row(session, row=need)
