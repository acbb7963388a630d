"""Import and export in the exchange format (homecare-instance/1, homecare-plan/1; FORMAT.md).

Parsing and the mapping to solver types are models/exchange.py's; rows <-> solver types are
app/mapping.py's. Here: writing an instance into the tables (bulk inserts, one transaction: any
error raises `ExchangeError` naming the JSON path, and the caller rolls everything back) and
reading it back out.

Import semantics, per id (so importing the same file twice changes nothing):
- teams, carers, citizens: created, or updated when the id exists (in the same team);
- a carer's shifts inside the instance's dates are replaced by the file's;
- visits: created, or updated when the id exists for the same citizen;
- travel: the speed and detour factor become the municipality's; a travel matrix is stored as legs
  between the file's places (models.core.TravelLeg) and replaces any stored for them; each of
  `travel.modes` becomes (or updates) the municipality's travel mode of that name, its matrix legs
  likewise (models.core.TravelModeLeg). Speeds, detour factors and modes are the municipality's:
  only an admin's import (or the command line's) may change them; anyone else's file must repeat the
  stored ones (403 naming each that differs);
- a shift's break window is stored with the shift (a `latest` past `end - duration` as that latest
  start: the break lies inside the shift either way); a visit's priority with the visit;
- dependencies: the spacing rules that name the file's visits are replaced by the file's.
`user=None` is the command line (the server's operator): every team. A coordinator may only
import into teams they belong to; teams new to the database are made and given to them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from app.mapping import build_problem, plan_to_solver, store_plan_version
from app.replan.hand_move import broken_rules
from app.repositories.core import replace_travel_legs, travel_modes
from app.security import has_role, visible_team_ids
from app.services.core import get_municipality
from app.services.errors import Forbidden, ServiceError
from app.services.hand_moves import rules_refused
from exchange import (
    ExchangeError,
    InstanceDoc,
    parse_instance,
    parse_plan,
    plan_from_doc,
    plan_to_doc,
    problem_to_instance,
)
from exchange.instance import ModeDoc, ShiftDoc, TravelDoc
from models.core import (
    ROLE_ADMIN,
    Carer,
    Citizen,
    InstanceImport,
    Municipality,
    PlanVersion,
    Shift,
    Team,
    TravelMode,
    User,
    Visit,
    VisitDependency,
    citizen_avoid_carers,
)
from solver.types import Unplaced

CHUNK = 900
BATCH = 5000


@dataclass(slots=True)
class ImportResult:
    name: str
    start_date: dt.date
    days: int
    team_ids: list[int]
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None


def _existing(session: Session, model: Any, ids: list[str], *cols: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(ids), CHUNK):
        stmt = select(model.external_id, *cols).where(model.external_id.in_(ids[i:i + CHUNK]))
        for row in session.execute(stmt):
            out[row[0]] = row[1:]
    return out


def _bulk_insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        session.execute(insert(model), rows[i:i + BATCH])


def _fail(path: str, msg: str) -> ExchangeError:
    return ExchangeError([{"path": path, "msg": msg}])


def import_instance(session: Session, *, data: Any, user: User | None = None,
                    doc: InstanceDoc | None = None) -> ImportResult:
    """Store a homecare-instance/1 document. Raises ExchangeError (path + message) on any problem;
    the caller's transaction must then be rolled back (the API and CLI do)."""
    doc = doc or parse_instance(data)
    visible = None if user is None else visible_team_ids(user)
    start = doc.start_date
    end = start + dt.timedelta(days=doc.days - 1)
    result = ImportResult(name=doc.name, start_date=start, days=doc.days, team_ids=[])
    created = result.created
    updated = result.updated
    municipality = get_municipality(session)
    modes = {mode.name: mode for mode in travel_modes(session, names=list(doc.travel.modes))}
    _check_may_set_travel(user, municipality=municipality, modes=modes, travel=doc.travel)

    # --- teams
    team_rows = {ext: row for ext, *row in session.execute(
        select(Team.external_id, Team.id).where(Team.external_id.in_([t.id for t in doc.teams])))}
    team_id: dict[str, int] = {}
    new_teams: list[Team] = []
    for i, t in enumerate(doc.teams):
        if t.id in team_rows:
            tid = team_rows[t.id][0]
            if visible is not None and tid not in visible:
                raise _fail(f"teams[{i}].id", f"team id {t.id!r} is taken by a team you do not belong to")
            session.execute(update(Team).where(Team.id == tid).values(lat=t.lat, lon=t.lon))
            team_id[t.id] = tid
        else:
            team = Team(external_id=t.id, name=t.id, lat=t.lat, lon=t.lon)
            session.add(team)
            new_teams.append(team)
    session.flush()
    for team in new_teams:
        team_id[team.external_id] = team.id
    created["teams"] = len(new_teams)
    updated["teams"] = len(doc.teams) - len(new_teams)
    if user is not None and user.role != ROLE_ADMIN and new_teams:
        user.teams = [*user.teams, *new_teams]  # the coordinator who brought them in plans them
    cap = doc.max_carers_per_month
    team_cap = None if cap == municipality.max_carers_per_month else cap
    session.execute(update(Team).where(Team.id.in_(list(team_id.values()))).values(max_carers_per_month=team_cap))
    municipality.travel_speed_kmh = doc.travel.speed_kmh
    municipality.travel_detour_factor = doc.travel.detour_factor
    for mode_name, mode_doc in doc.travel.modes.items():
        mode = modes.get(mode_name)
        if mode is None:
            mode = modes[mode_name] = TravelMode(name=mode_name)
            session.add(mode)
        mode.speed_kmh, mode.detour_factor = mode_doc.speed_kmh, mode_doc.detour_factor
    session.flush()

    # --- carers
    carer_rows = _existing(session, Carer, [c.id for c in doc.carers], Carer.id, Carer.team_id)
    new_carers = []
    for i, c in enumerate(doc.carers):
        tid = team_id[c.team]
        if c.id in carer_rows:
            cid, old_team = carer_rows[c.id]
            if old_team != tid:
                raise _fail(f"carers[{i}].team", f"carer {c.id!r} already exists in another team")
            session.execute(update(Carer).where(Carer.id == cid).values(
                skills=sorted(set(c.skills)), contracted_minutes_per_week=c.contracted_minutes_per_week,
                travel_mode=c.travel_mode))
        else:
            new_carers.append({"external_id": c.id, "team_id": tid, "name": c.id,
                               "skills": sorted(set(c.skills)),
                               "contracted_minutes_per_week": c.contracted_minutes_per_week,
                               "travel_mode": c.travel_mode})
    _bulk_insert(session, Carer, new_carers)
    created["carers"] = len(new_carers)
    updated["carers"] = len(doc.carers) - len(new_carers)
    carer_id = {ext: row[0] for ext, row in
                _existing(session, Carer, [c.id for c in doc.carers], Carer.id).items()}
    known_carers = list(carer_id.values())
    for i in range(0, len(known_carers), CHUNK):
        session.execute(delete(Shift).where(Shift.carer_id.in_(known_carers[i:i + CHUNK]),
                                            Shift.date >= start, Shift.date <= end))
    shifts = [{"carer_id": carer_id[c.id], "date": start + dt.timedelta(days=s.day), "start": s.start,
               "end": s.end, **_break_columns(s)} for c in doc.carers for s in c.shifts]
    _bulk_insert(session, Shift, shifts)
    created["shifts"] = len(shifts)

    # --- citizens (contact and avoid may name carers outside the file: look them up)
    referenced = {p.contact for p in doc.citizens if p.contact} | {a for p in doc.citizens for a in p.avoid}
    missing = sorted(referenced - set(carer_id))
    carer_id.update({ext: row[0] for ext, row in _existing(session, Carer, missing, Carer.id).items()})
    citizen_rows = _existing(session, Citizen, [p.id for p in doc.citizens], Citizen.id, Citizen.team_id)
    new_citizens = []
    for i, p in enumerate(doc.citizens):
        tid = team_id[p.team]
        contact = carer_id[p.contact] if p.contact else None
        if p.id in citizen_rows:
            pid, old_team = citizen_rows[p.id]
            if old_team != tid:
                raise _fail(f"citizens[{i}].team", f"citizen {p.id!r} already exists in another team")
            session.execute(update(Citizen).where(Citizen.id == pid).values(
                lat=p.lat, lon=p.lon, contact_carer_id=contact))
        else:
            new_citizens.append({"external_id": p.id, "team_id": tid, "name": p.id, "lat": p.lat,
                                 "lon": p.lon, "contact_carer_id": contact})
    _bulk_insert(session, Citizen, new_citizens)
    created["citizens"] = len(new_citizens)
    updated["citizens"] = len(doc.citizens) - len(new_citizens)
    citizen_id = {ext: row[0] for ext, row in
                  _existing(session, Citizen, [p.id for p in doc.citizens], Citizen.id).items()}
    ids = list(citizen_id.values())
    for i in range(0, len(ids), CHUNK):
        session.execute(delete(citizen_avoid_carers)
                        .where(citizen_avoid_carers.c.citizen_id.in_(ids[i:i + CHUNK])))
    avoid = [{"citizen_id": citizen_id[p.id], "carer_id": carer_id[a]}
             for p in doc.citizens for a in dict.fromkeys(p.avoid)]
    if avoid:
        session.execute(insert(citizen_avoid_carers), avoid)

    # --- visits
    visit_rows = _existing(session, Visit, [v.id for v in doc.visits], Visit.id, Visit.citizen_id)
    new_visits = []
    changed = 0
    for i, v in enumerate(doc.visits):
        values = {"kind": v.need, "date": start + dt.timedelta(days=v.day), "earliest": v.earliest,
                  "latest": v.latest, "duration": v.duration, "carers": v.carers,
                  "skills": sorted(set(v.skills)), "status": "planned", "priority": v.priority}
        pid = citizen_id[v.citizen]
        if v.id in visit_rows:
            vid, old_citizen = visit_rows[v.id]
            if old_citizen != pid:
                raise _fail(f"visits[{i}].citizen", f"visit {v.id!r} already exists for another citizen")
            session.execute(update(Visit).where(Visit.id == vid).values(**values))
            changed += 1
        else:
            new_visits.append({"external_id": v.id, "citizen_id": pid, "need_id": None, **values})
    _bulk_insert(session, Visit, new_visits)
    created["visits"] = len(new_visits)
    updated["visits"] = changed
    created["dependencies"] = _replace_dependencies(session, doc)

    # --- travel: the file's matrix between its own places replaces what was stored for them (a file
    # without one says they travel at its speed); places of other files keep theirs.
    places = [t.id for t in doc.teams] + [p.id for p in doc.citizens]
    created["travel_legs"] = replace_travel_legs(session, points=places,
                                                 legs=_matrix_legs(doc.travel, places))
    for mode_name, mode_doc in doc.travel.modes.items():
        created["travel_legs"] += replace_travel_legs(session, points=places, mode_id=modes[mode_name].id,
                                                      legs=_matrix_legs(mode_doc, places))

    result.team_ids = sorted(team_id.values())
    record = InstanceImport(name=doc.name, start_date=start, days=doc.days, max_carers_per_month=cap,
                            travel=doc.travel.model_dump(exclude_none=True, exclude={
                                "matrix": True, "modes": {"__all__": {"matrix"}}}),
                            team_ids=result.team_ids,
                            created_by_id=user.id if user is not None else None)
    session.add(record)
    session.flush()
    result.import_id = record.id
    return result


def _check_may_set_travel(user: User | None, *, municipality: Municipality, modes: dict[str, TravelMode],
                          travel: TravelDoc) -> None:
    """Speeds and detour factors are the municipality's, the same for every team: a user who may not
    change them in its settings (PATCH /api/municipality: admins) may not through a file either. A file
    repeating the stored ones, as an exported one does, passes."""
    if user is None or has_role(user, ROLE_ADMIN):
        return
    only = "only an admin changes the municipality's travel settings"
    errors: list[dict[str, Any]] = []

    def compare(path: str, what: str, stored: tuple[float, float], given: ModeDoc) -> None:
        for name, was, unit in (("speed_kmh", stored[0], " km/h"), ("detour_factor", stored[1], "")):
            now = getattr(given, name)
            if not math.isclose(was, now, rel_tol=1e-9):
                errors.append({"path": f"{path}.{name}",
                               "msg": f"{what} {name} is {was:g}{unit}, the file says {now:g}{unit}: {only}"})

    compare("travel", "the municipality's",
            (municipality.travel_speed_kmh, municipality.travel_detour_factor), travel)
    for name, given in travel.modes.items():
        mode = modes.get(name)
        if mode is None:
            errors.append({"path": f"travel.modes.{name}",
                           "msg": f"the municipality has no travel mode {name!r}: {only}"})
        else:
            compare(f"travel.modes.{name}", f"travel mode {name!r}'s", (mode.speed_kmh, mode.detour_factor),
                    given)
    if errors:
        raise Forbidden("the travel settings are the municipality's: the file's differ from them, and "
                        f"{only}", errors=errors)


def _break_columns(shift: ShiftDoc) -> dict[str, int | None]:
    b = shift.break_
    if b is None:
        return {"break_earliest": None, "break_latest": None, "break_minutes": None}
    return {"break_earliest": b.earliest, "break_latest": min(b.latest, shift.end - b.duration),
            "break_minutes": b.duration}


def _replace_dependencies(session: Session, doc: InstanceDoc) -> int:
    """The file's spacing rules replace those stored for its visits; returns how many were stored."""
    found = _existing(session, Visit, [v.id for v in doc.visits], Visit.id)
    ids = {ext: row[0] for ext, row in found.items()}
    known = list(ids.values())
    for i in range(0, len(known), CHUNK):
        chunk = known[i:i + CHUNK]
        session.execute(delete(VisitDependency).where(VisitDependency.first_visit_id.in_(chunk)))
        session.execute(delete(VisitDependency).where(VisitDependency.then_visit_id.in_(chunk)))
    rows = list({(d.first, d.then): {"first_visit_id": ids[d.first], "then_visit_id": ids[d.then],
                                     "min_gap": d.min_gap, "max_gap": d.max_gap}
                 for d in doc.dependencies}.values())
    _bulk_insert(session, VisitDependency, rows)
    return len(rows)


def _matrix_legs(travel: ModeDoc, places: list[str]) -> list[tuple[str, str, int]]:
    """The travel matrix's legs between two different places of the file (none without a matrix)."""
    m = travel.matrix
    if m is None:
        return []
    at = {p: i for i, p in enumerate(m.points)}
    return [(a, b, m.minutes[at[a]][at[b]]) for a in places for b in places if a != b]


def _latest_import(session: Session, *, team_ids: Collection[int] | None = None,
                   start: dt.date | None = None, days: int | None = None) -> InstanceImport | None:
    stmt = select(InstanceImport).order_by(InstanceImport.id.desc())
    for row in session.scalars(stmt):
        if team_ids is not None and set(row.team_ids) != set(team_ids):
            continue
        if start is not None and row.start_date != start:
            continue
        if days is not None and row.days != days:
            continue
        return row
    return None


def resolve_team_ids(session: Session, *, external_ids: Collection[str] | None,
                     user: User | None) -> list[int]:
    """Team ids for export: the named teams (404-like error if unknown or not visible), else all the
    user sees."""
    visible = None if user is None else visible_team_ids(user)
    if external_ids:
        rows = dict(session.execute(select(Team.external_id, Team.id).where(
            Team.external_id.in_(list(external_ids)))).all())
        out = []
        for ext in external_ids:
            tid = rows.get(ext)
            if tid is None or (visible is not None and tid not in visible):
                raise _fail("team", f"unknown team {ext!r}")
            out.append(tid)
        return sorted(set(out))
    stmt = select(Team.id).order_by(Team.id)
    if visible is not None:
        stmt = stmt.where(Team.id.in_(sorted(visible) or [-1]))
    return list(session.scalars(stmt))


def export_instance(session: Session, *, team_ids: Collection[int], start: dt.date | None = None,
                    end: dt.date | None = None, name: str | None = None) -> dict[str, Any]:
    """The teams' data over [start, end] in homecare-instance/1. Without dates: the range of the
    latest import of exactly these teams."""
    if not team_ids:
        raise _fail("team", "no team to export")
    if start is None or end is None:
        last = _latest_import(session, team_ids=team_ids) or _latest_import(session)
        if last is None:
            raise _fail("start", "give start and end (nothing was imported to take them from)")
        start = start or last.start_date
        end = end or (start + dt.timedelta(days=last.days - 1))
    if end < start:
        raise _fail("end", "end is before start")
    days = (end - start).days + 1
    if name is None:
        last = _latest_import(session, team_ids=team_ids, start=start, days=days)
        name = last.name if last is not None else None
    problem = build_problem(session, team_ids=team_ids, start=start, end=end, name=name)
    # The file names the modes its carers use, not every mode the municipality knows.
    used = {c.travel_mode for c in problem.carers if c.travel_mode is not None}
    problem.travel_modes = {k: v for k, v in problem.travel_modes.items() if k in used}
    return problem_to_instance(problem)


def export_plan(session: Session, *, version: PlanVersion) -> dict[str, Any]:
    """A plan version in homecare-plan/1. Every visit of the plan's teams and dates appears once:
    visits the version does not hold are listed as unassigned with the reason."""
    plan = version.plan
    team_ids = [t.id for t in plan.teams]
    problem = build_problem(session, team_ids=team_ids, start=plan.start_date, end=plan.end_date)
    last = _latest_import(session, team_ids=team_ids, start=plan.start_date,
                          days=(plan.end_date - plan.start_date).days + 1)
    solved = plan_to_solver(session, version=version)
    live = {v.id for v in problem.visits}
    solved.assignments = [a for a in solved.assignments if a.visit in live]
    placed = {a.visit for a in solved.assignments}
    unplaced = {u.visit: u for u in solved.unplaced if u.visit in live and u.visit not in placed}
    for v in problem.visits:
        if v.id not in placed and v.id not in unplaced:
            unplaced[v.id] = Unplaced(visit=v.id, reason="not in this plan version (added after it was made)")
    solved.unplaced = list(unplaced.values())
    return plan_to_doc(solved, last.name if last is not None else problem.name)


def import_plan(session: Session, *, data: Any, user: User | None, team_ids: Collection[int] | None = None,
                start: dt.date | None = None, end: dt.date | None = None) -> PlanVersion:
    """Store a homecare-plan/1 document as a new draft version, if its assignments keep every hard rule
    of the planner's final check (else 422 naming each rule broken with its visit). The teams and dates
    come from the arguments, else from the import its `instance` names, else from the visits it names."""
    doc = parse_plan(data)
    errors: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    named = [("visits", i, a.id) for i, a in enumerate(doc.visits)] + [
        ("unassigned", i, u.id) for i, u in enumerate(doc.unassigned)]
    for key, i, visit_id in named:
        if visit_id in seen:
            errors.append({"path": f"{key}[{i}].id", "msg": f"visit {visit_id!r} appears twice"})
        seen[visit_id] = f"{key}[{i}]"
    if errors:
        raise ExchangeError(errors)
    visits = _visit_facts(session, list(seen))
    visible = None if user is None else visible_team_ids(user)
    for ext, where in seen.items():
        facts = visits.get(ext)
        if facts is None or (visible is not None and facts[2] not in visible):
            errors.append({"path": f"{where}.id", "msg": f"unknown visit {ext!r}"})
    for i, a in enumerate(doc.visits):
        facts = visits.get(a.id)
        if facts is not None and len(set(a.carers)) != facts[1]:
            errors.append({"path": f"visits[{i}].carers",
                           "msg": f"the visit needs {facts[1]} distinct carer(s)"})
    if errors:
        raise ExchangeError(errors[:50])
    if team_ids is None or start is None or end is None:
        last = _named_import(session, name=doc.instance, visible=visible) if doc.instance else None
        if last is not None:
            team_ids = team_ids or last.team_ids
            start = start or last.start_date
            end = end or last.start_date + dt.timedelta(days=last.days - 1)
        else:
            facts_all = list(visits.values())
            if not facts_all:
                if doc.instance:
                    raise _fail("instance", f"unknown instance {doc.instance!r}, and an empty plan names "
                                            "no teams or dates")
                raise _fail("visits", "an empty plan names no teams or dates; give them")
            team_ids = team_ids or sorted({f[2] for f in facts_all})
            start = start or min(f[0] for f in facts_all)
            end = end or max(f[0] for f in facts_all)
    plan = plan_from_doc(doc)
    # A file is held to the planner's own final check: nothing that breaks a hard rule gets stored
    # (as a draft it could be accepted).
    problem = build_problem(session, team_ids=team_ids, start=start, end=end)
    broken = broken_rules(problem, plan.assignments)
    if broken:
        raise rules_refused(broken, what="the plan",
                            where={a.id: f"visits[{i}]" for i, a in enumerate(doc.visits)})
    try:
        return store_plan_version(session, team_ids=team_ids, start=start, end=end, plan=plan,
                                  created_by=user, inputs={"source": "import", "instance": doc.instance})
    except Exception as e:
        if isinstance(e, ServiceError) and e.path:
            raise _fail(e.path, e.message) from None
        raise


def _named_import(session: Session, *, name: str, visible: set[int] | None) -> InstanceImport | None:
    """The latest import of that name whose teams the user all sees: one of teams they do not see is
    as unknown as a name never imported (names are free text, so two teams may use the same)."""
    for row in session.scalars(select(InstanceImport).where(InstanceImport.name == name)
                               .order_by(InstanceImport.id.desc())):
        if visible is None or set(row.team_ids) <= visible:
            return row
    return None


def _visit_facts(session: Session, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    out: dict[str, tuple[Any, ...]] = {}
    for i in range(0, len(ids), CHUNK):
        for row in session.execute(select(Visit.external_id, Visit.date, Visit.carers, Citizen.team_id)
                                   .join(Citizen, Citizen.id == Visit.citizen_id)
                                   .where(Visit.external_id.in_(ids[i:i + CHUNK]))):
            out[row[0]] = tuple(row[1:])
    return out
