"""Create, change and delete the core data, checking what the schemas cannot see alone
(references to other rows, the teams the user may touch, a patch that crosses times).

Every function takes keyword-only arguments, flushes and never commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.schemas import core as s
from app.security import can_see_team, end_sessions, hash_password
from app.services.errors import Conflict, Invalid
from app.services.visits import visit_external_id
from app.settings import get_settings
from models.core import (
    ROLE_ADMIN,
    Carer,
    Citizen,
    Municipality,
    Need,
    Shift,
    Team,
    TravelMode,
    User,
    Visit,
    citizen_avoid_carers,
)

S = TypeVar("S", bound=BaseModel)


def new_external_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def validated(schema: type[S], data: dict[str, Any]) -> S:
    """`data` checked against `schema`; a failure is a 422 naming each field."""
    try:
        return schema.model_validate(data)
    except ValidationError as e:
        # A rule of our own (a too easy password) reads as the rule, without pydantic's "Value error, ".
        errors: list[dict[str, Any]] = [
            {"loc": ["body", *e_["loc"]], "path": ".".join(str(p) for p in e_["loc"]) or "$",
             "msg": str(e_["ctx"]["error"]) if e_["type"] == "value_error" else e_["msg"]}
            for e_ in e.errors()]
        raise Invalid(str(errors[0]["msg"]), errors=errors) from None


def _merged(obj: Any, patch: BaseModel, schema: type[S], **extra: Any) -> tuple[S, set[str]]:
    """The row after the patch, re-validated as a whole (a patch must not cross start and end). Patch
    fields the whole-record schema does not hold (a visit's status) are left to the caller, named in
    the changed set: the schema forbids extra fields, so merging them would refuse every such patch."""
    changes = patch.model_dump(exclude_unset=True, exclude={"version"})
    current = {k: getattr(obj, k) for k in schema.model_fields if hasattr(obj, k)}
    current.update(extra)
    current.update({k: v for k, v in changes.items() if k in schema.model_fields})
    return validated(schema, current), set(changes)


def check_version(row: Any, expected: int | None) -> None:
    """A save from an older read of the row is refused: the second of two editors gets 409."""
    if expected is not None and expected != row.version:
        raise Conflict(f"someone else changed this meanwhile (it is at version {row.version}, the form was "
                       f"read at {expected}); reload and try again", path="version")


def get_municipality(session: Session) -> Municipality:
    """The municipality row (made with defaults on first use)."""
    row = session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
    if row is None:
        cap = get_settings().default_max_carers_per_month
        row = Municipality(name="Municipality", max_carers_per_month=cap,
                           travel_speed_kmh=18.0, travel_detour_factor=1.3)
        session.add(row)
        session.flush()
    return row


def cap_for_teams(session: Session, *, teams: list[Team]) -> int:
    """The cap on distinct carers per citizen per month: the strictest team override, else the
    municipality's (12 unless set)."""
    overrides = [t.max_carers_per_month for t in teams if t.max_carers_per_month is not None]
    return min(overrides) if overrides else get_municipality(session).max_carers_per_month


# --- references ------------------------------------------------------------------------------


def _team(session: Session, user: User, team_id: int, path: str) -> Team:
    team = session.get(Team, team_id)
    if team is None or not can_see_team(user, team.id):
        raise Invalid(f"unknown team {team_id}", path=path)
    return team


def _carer(session: Session, user: User, carer_id: int, path: str) -> Carer:
    carer = session.get(Carer, carer_id)
    if carer is None or not can_see_team(user, carer.team_id):
        raise Invalid(f"unknown carer {carer_id}", path=path)
    return carer


def contact_carer_fault(carer: Carer, *, team_id: int, today: dt.date) -> str | None:
    """Why `carer` cannot be the contact carer of a citizen of team `team_id`, worded to follow the
    carer as the caller names them ("has left ..."), or None when they can. The planner knows only the
    carers of the citizen's own team who still work there, so a contact outside them would be a promise
    no plan can keep."""
    if carer.team_id != team_id:
        return "is not a carer of the citizen's team"
    if carer.active_to is not None and carer.active_to < today:
        return f"has left (their last day was {carer.active_to.isoformat()})"
    return None


def _contact(session: Session, user: User, carer_id: int, team_id: int, path: str) -> Carer:
    carer = _carer(session, user, carer_id, path)
    fault = contact_carer_fault(carer, team_id=team_id, today=dt.date.today())
    if fault is not None:
        raise Invalid(f"carer {carer_id} {fault}", path=path)
    return carer


def _citizen(session: Session, user: User, citizen_id: int, path: str) -> Citizen:
    citizen = session.get(Citizen, citizen_id)
    if citizen is None or not can_see_team(user, citizen.team_id):
        raise Invalid(f"unknown citizen {citizen_id}", path=path)
    return citizen


# --- municipality, teams, users --------------------------------------------------------------


def update_municipality(session: Session, *, data: s.MunicipalityUpdate) -> Municipality:
    row = get_municipality(session)
    for k, v in data.model_dump(exclude_unset=True).items():
        if v is None:
            raise Invalid(f"{k} cannot be empty", path=k)
        setattr(row, k, v)
    session.flush()
    return row


def list_travel_modes(session: Session) -> list[TravelMode]:
    return list(session.scalars(select(TravelMode).order_by(TravelMode.name)))


def set_travel_mode(session: Session, *, name: str, data: s.TravelModeSet) -> TravelMode:
    """The municipality's travel mode `name` at this speed (made when new)."""
    mode = session.scalar(select(TravelMode).where(TravelMode.name == name))
    if mode is None:
        mode = TravelMode(name=name)
        session.add(mode)
    mode.speed_kmh, mode.detour_factor = data.speed_kmh, data.detour_factor
    session.flush()
    return mode


def create_team(session: Session, *, data: s.TeamCreate) -> Team:
    team = Team(**data.model_dump())
    session.add(team)
    session.flush()
    return team


def update_team(session: Session, *, team: Team, data: s.TeamUpdate) -> Team:
    merged, changed = _merged(team, data, s.TeamCreate)
    for k in changed:
        setattr(team, k, getattr(merged, k))
    session.flush()
    return team


def delete_row(session: Session, *, row: Any) -> None:
    """Delete; rows still referenced (a team with carers, a carer in a plan) answer 409."""
    session.delete(row)
    session.flush()


def _teams_by_ids(session: Session, team_ids: list[int], path: str) -> list[Team]:
    teams = []
    for i, tid in enumerate(team_ids):
        team = session.get(Team, tid)
        if team is None:
            raise Invalid(f"unknown team {tid}", path=f"{path}.{i}")
        teams.append(team)
    return teams


def create_user(session: Session, *, data: s.UserCreate, set_by_admin: bool = True) -> User:
    """A new login. A password an admin chose for someone must be changed at their first sign-in; the
    first admin (`homecare create-admin`) chooses their own."""
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(f"username {data.username!r} is taken", path="username")
    user = User(username=data.username, full_name=data.full_name, role=data.role,
                password_hash=hash_password(data.password), is_active=True,
                teams=_teams_by_ids(session, data.team_ids, "team_ids"), must_change_password=set_by_admin)
    session.add(user)
    session.flush()
    return user


def _keep_an_admin(session: Session, *, user: User, path: str) -> None:
    """Only an admin can make users, so the last active one may not go: nobody could log in to fix it."""
    if user.role != ROLE_ADMIN or not user.is_active:
        return
    # Every active admin's row is locked until this request commits, so two admins stepping down at
    # the same moment cannot both see the other still there: the second waits, then reads again.
    # (SQLite has no row locks; it lets one writer at a time through.)
    admins = session.scalars(select(User.id).where(User.role == ROLE_ADMIN, User.is_active.is_(True))
                             .order_by(User.id).with_for_update()).all()
    if not set(admins) - {user.id}:
        raise Conflict(f"{user.username!r} is the last active admin; make another admin first", path=path)


def update_user(session: Session, *, user: User, data: s.UserUpdate) -> User:
    changes = data.model_dump(exclude_unset=True)
    for key in ("role", "is_active"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} cannot be empty", path=key)
    if changes.get("role") not in (None, ROLE_ADMIN):
        _keep_an_admin(session, user=user, path="role")
    if changes.get("is_active") is False:
        _keep_an_admin(session, user=user, path="is_active")
    if changes.get("password"):
        user.password_hash = hash_password(changes["password"])
        end_sessions(user)  # a password reset because it leaked must also end the sessions it opened
        user.must_change_password = True  # the one who set it knows it too
    if "full_name" in changes:
        user.full_name = changes["full_name"]
    if changes.get("role") is not None:
        user.role = changes["role"]
    if changes.get("is_active") is not None:
        user.is_active = changes["is_active"]
    if changes.get("team_ids") is not None:
        user.teams = _teams_by_ids(session, changes["team_ids"], "team_ids")
    session.flush()
    return user


def delete_user(session: Session, *, user: User) -> None:
    _keep_an_admin(session, user=user, path="user_id")
    delete_row(session, row=user)


# --- carers and shifts -----------------------------------------------------------------------


def _check_travel_mode(session: Session, name: str | None) -> None:
    if name is None:
        return
    known = list(session.scalars(select(TravelMode.name).order_by(TravelMode.name)))
    if name not in known:
        raise Invalid(f"unknown travel mode {name!r} (known: {', '.join(known) or 'none'}; none: by car)",
                      path="travel_mode")


def create_carer(session: Session, *, data: s.CarerCreate, user: User) -> Carer:
    team = _team(session, user, data.team_id, "team_id")
    _check_travel_mode(session, data.travel_mode)
    carer = Carer(external_id=data.external_id or new_external_id(f"{team.external_id}-c"),
                  team_id=team.id, name=data.name, skills=sorted(set(data.skills)),
                  contracted_minutes_per_week=data.contracted_minutes_per_week,
                  active_from=data.active_from, active_to=data.active_to, travel_mode=data.travel_mode)
    session.add(carer)
    session.flush()
    return carer


def update_carer(session: Session, *, carer: Carer, data: s.CarerUpdate, user: User) -> Carer:
    check_version(carer, data.version)
    merged, changed = _merged(carer, data, s.CarerCreate)
    if "team_id" in changed:
        _team(session, user, merged.team_id, "team_id")
    if "travel_mode" in changed:
        _check_travel_mode(session, merged.travel_mode)
    for k in changed:
        value = getattr(merged, k)
        setattr(carer, k, sorted(set(value)) if k == "skills" else value)
    session.flush()
    return carer


def _check_shift_overlap(session: Session, *, carer_id: int, date: dt.date, start: int, end: int,
                         shift_id: int | None = None) -> None:
    # Split shifts are fine; two shifts of one carer covering the same minutes are a mistake.
    others = session.scalars(select(Shift).where(Shift.carer_id == carer_id, Shift.date == date))
    for other in others:
        if other.id != shift_id and other.start < end and start < other.end:
            raise Invalid(f"overlaps the carer's shift {other.start}-{other.end} on {date}", path="start")


def create_shift(session: Session, *, carer: Carer, data: s.ShiftCreate) -> Shift:
    _check_shift_overlap(session, carer_id=carer.id, date=data.date, start=data.start, end=data.end)
    shift = Shift(carer_id=carer.id, date=data.date, start=data.start, end=data.end,
                  break_earliest=data.break_earliest, break_latest=data.break_latest,
                  break_minutes=data.break_minutes)
    session.add(shift)
    session.flush()
    return shift


def update_shift(session: Session, *, shift: Shift, data: s.ShiftUpdate) -> Shift:
    merged, changed = _merged(shift, data, s.ShiftCreate)
    _check_shift_overlap(session, carer_id=shift.carer_id, date=merged.date, start=merged.start,
                         end=merged.end, shift_id=shift.id)
    for k in changed:
        setattr(shift, k, getattr(merged, k))
    session.flush()
    return shift


# --- citizens --------------------------------------------------------------------------------


def _avoid(session: Session, user: User, ids: list[int]) -> list[Carer]:
    return [_carer(session, user, cid, f"avoid_carer_ids.{i}") for i, cid in enumerate(dict.fromkeys(ids))]


def _check_avoid_reasons(reasons: dict[int, str], avoid_ids: list[int]) -> None:
    for cid in reasons:
        if cid not in avoid_ids:
            raise Invalid(f"carer {cid} has a reason but is not on the avoid list",
                          path=f"avoid_reasons.{cid}")


def _store_avoid_reasons(session: Session, citizen: Citizen, reasons: dict[int, str]) -> None:
    session.flush()  # the avoid rows exist before their reasons are written
    ca = citizen_avoid_carers.c
    for cid in (c.id for c in citizen.avoid_carers):
        session.execute(update(citizen_avoid_carers).where(ca.citizen_id == citizen.id, ca.carer_id == cid)
                        .values(reason=reasons.get(cid) or None))


def avoid_reasons(session: Session, *, citizen_id: int) -> dict[int, str]:
    """carer id -> why the citizen should not get that carer (only those with a reason)."""
    ca = citizen_avoid_carers.c
    return {cid: reason for cid, reason in session.execute(
        select(ca.carer_id, ca.reason).where(ca.citizen_id == citizen_id)) if reason}


def create_citizen(session: Session, *, data: s.CitizenCreate, user: User) -> Citizen:
    team = _team(session, user, data.team_id, "team_id")
    if data.contact_carer_id is not None:
        _contact(session, user, data.contact_carer_id, team.id, "contact_carer_id")
    if data.contact_carer_id is not None and data.contact_carer_id in data.avoid_carer_ids:
        raise Invalid("the contact carer cannot be on the avoid list", path="contact_carer_id")
    _check_avoid_reasons(data.avoid_reasons, data.avoid_carer_ids)
    citizen = Citizen(external_id=data.external_id or new_external_id(f"{team.external_id}-p"),
                      team_id=team.id, name=data.name, address=data.address, lat=data.lat, lon=data.lon,
                      contact_carer_id=data.contact_carer_id, notes=data.notes, birth_year=data.birth_year,
                      how_notes=data.how_notes, in_national_measure=data.in_national_measure,
                      avoid_carers=_avoid(session, user, data.avoid_carer_ids))
    session.add(citizen)
    if data.avoid_reasons:
        _store_avoid_reasons(session, citizen, data.avoid_reasons)
    session.flush()
    return citizen


def update_citizen(session: Session, *, citizen: Citizen, data: s.CitizenUpdate, user: User) -> Citizen:
    check_version(citizen, data.version)
    merged, changed = _merged(citizen, data, s.CitizenCreate,
                              avoid_carer_ids=[c.id for c in citizen.avoid_carers],
                              avoid_reasons=avoid_reasons(session, citizen_id=citizen.id))
    if "team_id" in changed:
        _team(session, user, merged.team_id, "team_id")
    if "contact_carer_id" in changed and merged.contact_carer_id is not None:
        _contact(session, user, merged.contact_carer_id, merged.team_id, "contact_carer_id")
    elif "team_id" in changed and merged.contact_carer_id is not None:
        # A citizen moving team leaves the old team's carers behind: the contact goes with them (the
        # coordinator picks one of the new team's, here or later) rather than the move being refused
        # for a carer the coordinator never meant to keep.
        kept = session.get(Carer, merged.contact_carer_id)
        if kept is None or contact_carer_fault(kept, team_id=merged.team_id, today=dt.date.today()):
            merged = merged.model_copy(update={"contact_carer_id": None})
            changed.add("contact_carer_id")
    if merged.contact_carer_id is not None and merged.contact_carer_id in merged.avoid_carer_ids:
        raise Invalid("the contact carer cannot be on the avoid list", path="contact_carer_id")
    _check_avoid_reasons(merged.avoid_reasons, merged.avoid_carer_ids)
    for k in changed:
        if k == "avoid_carer_ids":
            citizen.avoid_carers = _avoid(session, user, merged.avoid_carer_ids)
        elif k != "avoid_reasons":
            setattr(citizen, k, getattr(merged, k))
    if changed & {"avoid_carer_ids", "avoid_reasons"}:
        _store_avoid_reasons(session, citizen, merged.avoid_reasons)
    session.flush()
    return citizen


# --- needs -----------------------------------------------------------------------------------


def _check_spacing(session: Session, *, citizen_id: int, kind: str, need_id: int | None,
                   spaced_from_id: int | None) -> None:
    """A need is spaced from another need of the same citizen (matched by its kind), never from itself."""
    if spaced_from_id is None:
        return
    other = session.get(Need, spaced_from_id)
    if other is None or other.citizen_id != citizen_id:
        raise Invalid(f"unknown need {spaced_from_id} (it must be another need of the same citizen)",
                      path="spaced_from_id")
    if other.id == need_id or other.kind == kind:
        raise Invalid(f"a need cannot be spaced from itself ({kind})", path="spaced_from_id")


def create_need(session: Session, *, data: s.NeedCreate, user: User) -> Need:
    citizen = _citizen(session, user, data.citizen_id, "citizen_id")
    _check_spacing(session, citizen_id=citizen.id, kind=data.kind, need_id=None,
                   spaced_from_id=data.spaced_from_id)
    need = Need(external_id=data.external_id or new_external_id(f"{citizen.external_id}-{data.kind}"),
                citizen_id=citizen.id, kind=data.kind, weekdays=data.weekdays, earliest=data.earliest,
                latest=data.latest, duration=data.duration, carers=data.carers,
                skills=sorted(set(data.skills)), valid_from=data.valid_from, valid_to=data.valid_to,
                every_weeks=data.every_weeks, care_instructions=data.care_instructions,
                priority=data.priority, spaced_from_id=data.spaced_from_id, min_gap=data.min_gap,
                max_gap=data.max_gap)
    session.add(need)
    session.flush()
    return need


def update_need(session: Session, *, need: Need, data: s.NeedUpdate) -> Need:
    check_version(need, data.version)
    merged, changed = _merged(need, data, s.NeedCreate)
    _check_spacing(session, citizen_id=need.citizen_id, kind=merged.kind, need_id=need.id,
                   spaced_from_id=merged.spaced_from_id)
    for k in changed:
        value = getattr(merged, k)
        setattr(need, k, sorted(set(value)) if k == "skills" else value)
    session.flush()
    return need


def change_need_from(session: Session, *, need: Need, data: s.NeedChange) -> Need:
    """The need changes from `data.from_date` on; before that date it stays as it was.

    The current row ends the day before; a new row (replaces_id -> the old one) starts on the
    date. Changing from the need's own first day simply rewrites it (there is no history yet)."""
    check_version(need, data.version)
    if data.from_date < need.valid_from:
        raise Invalid(f"from_date is before the need starts ({need.valid_from})", path="from_date")
    if need.valid_to is not None and data.from_date > need.valid_to:
        raise Invalid(f"from_date is after the need ends ({need.valid_to})", path="from_date")
    changes = data.model_dump(exclude_unset=True, exclude={"from_date", "version"})
    current = {k: getattr(need, k) for k in s.NeedCreate.model_fields if hasattr(need, k)}
    current.pop("external_id", None)
    merged = validated(s.NeedCreate, {**current, **changes, "valid_from": data.from_date})
    _check_spacing(session, citizen_id=need.citizen_id, kind=need.kind, need_id=need.id,
                   spaced_from_id=merged.spaced_from_id)
    if data.from_date == need.valid_from:
        for k in changes:
            setattr(need, k, getattr(merged, k))
        session.flush()
        return need
    need.valid_to = data.from_date - dt.timedelta(days=1)
    new = Need(external_id=new_external_id(f"{need.external_id.split('@')[0]}@{data.from_date.isoformat()}"),
               citizen_id=need.citizen_id, kind=need.kind, weekdays=merged.weekdays,
               earliest=merged.earliest, latest=merged.latest, duration=merged.duration,
               carers=merged.carers, skills=sorted(set(merged.skills)), valid_from=data.from_date,
               valid_to=merged.valid_to, replaces_id=need.id, every_weeks=merged.every_weeks,
               care_instructions=merged.care_instructions, priority=merged.priority,
               spaced_from_id=merged.spaced_from_id, min_gap=merged.min_gap, max_gap=merged.max_gap)
    session.add(new)
    session.flush()
    return new


# --- visits ----------------------------------------------------------------------------------


def create_visit(session: Session, *, data: s.VisitCreate, user: User) -> Visit:
    citizen = _citizen(session, user, data.citizen_id, "citizen_id")
    ext = data.external_id or visit_external_id(citizen.external_id, data.kind, data.date)
    visit = Visit(external_id=ext,
                  citizen_id=citizen.id, kind=data.kind, date=data.date, earliest=data.earliest,
                  latest=data.latest, duration=data.duration, carers=data.carers,
                  skills=sorted(set(data.skills)), priority=data.priority)
    session.add(visit)
    session.flush()
    return visit


def update_visit(session: Session, *, visit: Visit, data: s.VisitUpdate) -> Visit:
    merged, changed = _merged(visit, data, s.VisitCreate)
    changes = data.model_dump(exclude_unset=True)
    if "status" in changes:
        if changes["status"] is None:
            raise Invalid("status cannot be empty", path="status")
        visit.status = changes["status"]
    for k in changed - {"status"}:
        value = getattr(merged, k)
        setattr(visit, k, sorted(set(value)) if k == "skills" else value)
    session.flush()
    return visit
