"""Citizens: register, edit, end from a date; each recorded, the visits from the date regenerated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.mapping import current_assignments
from app.repositories import team_data as repo
from app.schemas import core as s
from app.services import core, data_rights
from app.services.errors import Invalid
from app.services.team_data.records import changed_only, record_change, snapshot
from app.services.team_data.replan_needs import flag_visits
from app.services.visits import generate_visits, performed_visit_ids, pinned_visit_ids
from models.core import VISIT_CANCELLED, VISIT_PLANNED, Citizen, User, Visit
from models.team_data import ENTITY_CITIZEN, ChangeRecord

# Visits are made this far ahead of a change's date when none exist yet (four weeks: a rota period).
HORIZON_DAYS = 28
CITIZEN_FIELDS = ("external_id", "team_id", "name", "address", "lat", "lon", "contact_carer_id", "notes",
                  "birth_year", "how_notes", "in_national_measure", "ended_from", "end_reason")


def citizen_snapshot(session: Session, citizen: Citizen) -> dict[str, Any]:
    return snapshot(citizen, CITIZEN_FIELDS, avoid_carer_ids=sorted(c.id for c in citizen.avoid_carers),
                    avoid_reasons=core.avoid_reasons(session, citizen_id=citizen.id))


def regenerate_from(session: Session, *, citizen: Citizen, start: dt.date, change: ChangeRecord,
                    reason: str) -> int:
    """The citizen's visits from `start` on made to match the needs (earlier ones untouched); the
    accepted assignments of visits that changed are flagged. Answers how many were flagged."""
    # As far as the citizen's visits already reach; a citizen with none from `start` gets four weeks.
    last = repo.last_visit_date(session, citizen.id)
    end = last if last is not None and last >= start else start + dt.timedelta(days=HORIZON_DAYS - 1)
    end = min(end, start + dt.timedelta(days=366))
    result = generate_visits(session, start=start, end=end, team_ids=None, today=start,
                             citizen_ids=[citizen.id])
    return flag_visits(session, change=change, visit_ids=result.changed_ids, reason=reason)


def cancel_visits(session: Session, *, visits: list[Visit], change: ChangeRecord, reason: str) -> None:
    """Cancel the planned visits, except pinned and performed ones; flag their assignments."""
    planned = [v for v in visits if v.status == VISIT_PLANNED]
    ids = [v.id for v in planned]
    held = pinned_visit_ids(session, ids) | performed_visit_ids(session, ids)
    cancelled = [v for v in planned if v.id not in held]
    for v in cancelled:
        v.status = VISIT_CANCELLED
    session.flush()
    flag_visits(session, change=change, visit_ids=[v.id for v in cancelled], reason=reason)


def register_citizen(session: Session, *, data: s.CitizenCreate, user: User) -> Citizen:
    citizen = core.create_citizen(session, data=data, user=user)
    record_change(session, user=user, entity=ENTITY_CITIZEN, entity_id=citizen.id, action="created",
                  team_id=citizen.team_id, citizen_id=citizen.id,
                  after=citizen_snapshot(session, citizen))
    return citizen


def edit_citizen(session: Session, *, citizen: Citizen, data: s.CitizenUpdate, user: User) -> Citizen:
    before = citizen_snapshot(session, citizen)
    core.update_citizen(session, citizen=citizen, data=data, user=user)
    was, now = changed_only(before, citizen_snapshot(session, citizen))
    if now:
        change = record_change(session, user=user, entity=ENTITY_CITIZEN, entity_id=citizen.id,
                               action="changed", team_id=citizen.team_id, citizen_id=citizen.id,
                               before=was, after=now)
        new_avoid = set(now.get("avoid_carer_ids", [])) - set(was.get("avoid_carer_ids", []))
        if new_avoid:
            _flag_avoided(session, citizen=citizen, carer_ids=new_avoid, change=change)
    return citizen


def _flag_avoided(session: Session, *, citizen: Citizen, carer_ids: set[int], change: ChangeRecord) -> None:
    """Planned visits from today that give the citizen a carer now on the avoid list need a re-plan."""
    visits = [v for v in repo.visits_of_citizen_from(session, citizen.id, dt.date.today())
              if v.status == VISIT_PLANNED]
    current = current_assignments(session, visit_ids=[v.id for v in visits])
    hit = [vid for vid, a in current.items() if {c.id for c in a.carers} & carer_ids]
    flag_visits(session, change=change, visit_ids=hit, reason="a carer of the visit is now on the avoid list")


def end_citizen(session: Session, *, citizen: Citizen, data: s.CitizenEnd, user: User) -> Citizen:
    """No visits from `data.from_date` on (moved, deceased, nursing home). Earlier visits, performed
    and pinned ones stay; assignments of the cancelled ones are flagged for a re-plan."""
    core.check_version(citizen, data.version)
    if citizen.ended_from is not None and citizen.ended_from <= data.from_date:
        raise Invalid(f"the citizen's care already ends from {citizen.ended_from}", path="from_date")
    before = citizen_snapshot(session, citizen)
    citizen.ended_from, citizen.end_reason = data.from_date, data.reason
    session.flush()
    was, now = changed_only(before, citizen_snapshot(session, citizen))
    change = record_change(session, user=user, entity=ENTITY_CITIZEN, entity_id=citizen.id, action="ended",
                           team_id=citizen.team_id, citizen_id=citizen.id, effective_from=data.from_date,
                           before=was, after=now)
    reason = f"the citizen's care ends from {data.from_date.isoformat()} ({data.reason})"
    regenerate_from(session, citizen=citizen, start=data.from_date, change=change, reason=reason)
    # Visits added by hand or imported are no need's to cancel; the end cancels them too.
    cancel_visits(session, visits=[v for v in repo.visits_of_citizen_from(session, citizen.id, data.from_date)
                                   if v.need_id is None], change=change, reason=reason)
    return citizen


def delete_citizen(session: Session, *, citizen: Citizen, user: User) -> None:
    """A citizen registered by mistake taken away (one with visits answers 409: end the care instead).
    The citizen's own records go with the row, so this one is the team's and keeps no personal data."""
    record_change(session, user=user, entity=ENTITY_CITIZEN, entity_id=citizen.id, action="deleted",
                  team_id=citizen.team_id, before=snapshot(citizen, ("external_id", "team_id", "birth_year",
                                                                      "in_national_measure")))
    data_rights.delete_citizen(session, citizen=citizen)


@dataclass(frozen=True, slots=True)
class KnownAddress:
    address: str
    lat: float
    lon: float
    citizen_ids: tuple[int, ...]


def address_list(session: Session, *, team_id: int) -> list[KnownAddress]:
    """The addresses with a position the team's sheets and citizens brought in, each once (by its text,
    ignoring case and spaces), for a new or moved citizen's position to be taken from."""
    seen: dict[str, tuple[str, float, float, list[int]]] = {}
    for address, lat, lon, citizen_id in repo.positioned_addresses(session, team_id):
        text = " ".join(address.split())
        if not text or data_rights.ANONYMISED in text:
            continue
        entry = seen.setdefault(text.casefold(), (text, lat, lon, []))
        if citizen_id not in entry[3]:
            entry[3].append(citizen_id)
    return sorted((KnownAddress(a, lat, lon, tuple(ids)) for a, lat, lon, ids in seen.values()),
                  key=lambda k: k.address.casefold())


def position_of(known: list[KnownAddress], address: str | None) -> KnownAddress | None:
    """The known address the typed one names (ignoring case and spaces), if any."""
    key = " ".join((address or "").split()).casefold()
    return next((k for k in known if k.address.casefold() == key), None) if key else None
