"""The one mapping between database rows and the solver's types (solver/types.py).

- `build_problem(session, team_ids=..., start=..., end=...)` -> `solver.types.Problem`: the teams'
  carers (active in the range) with their shifts, citizens, planned visits, the cap, travel, the
  assignments of the current plan (`current`), the pinned ones (`pinned`), and `met_before`: carers
  each citizen met earlier in the first month, from the accepted plans' earlier days. The optional
  rules come along: each carer's travel mode (with every mode there is), each shift's break
  window, each visit's priority, and the spaced visits (imported ones, and those of needs spaced from
  another need of the citizen on the same date).
  Ids in the Problem are the external ids (the exchange format's), days count from `start`.
- `store_plan_version(session, team_ids=..., start=..., end=..., plan=..., created_by=...)` ->
  a new draft `PlanVersion` of the plan for exactly those teams and dates (made if missing), with
  its assignments and unplaced visits, written in one flush (bulk inserts).
- `accept_plan_version(session, version=..., user=...)`: the version is accepted; the plan's
  previously accepted version becomes `superseded`.
- `current_assignments(session, visit_ids=...)`: per visit, the assignment of the most recently
  accepted version that holds it.

Nothing here commits: the caller's transaction decides (a request's session, a job's unit of work).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from app.repositories.core import travel_legs, travel_modes
from app.services.core import cap_for_teams, get_municipality
from app.services.errors import Invalid, NotFound
from models.core import (
    PLAN_ACCEPTED,
    PLAN_DRAFT,
    PLAN_SUPERSEDED,
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Need,
    Plan,
    PlanVersion,
    Shift,
    Team,
    UnplacedVisit,
    User,
    Visit,
    VisitDependency,
    assignment_carers,
    citizen_avoid_carers,
    plan_teams,
)
from solver import types as st
from solver.travel import with_legs

CHUNK = 900  # stays under SQLite's bound-parameter limit in IN lists


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _teams(session: Session, team_ids: Collection[int]) -> list[Team]:
    teams = list(session.scalars(select(Team).where(Team.id.in_(sorted(set(team_ids)) or [-1]))
                                 .order_by(Team.id)))
    missing = set(team_ids) - {t.id for t in teams}
    if missing:
        raise NotFound(f"unknown team {sorted(missing)[0]}")
    return teams


def _active(carer: Carer, day: dt.date) -> bool:
    return (carer.active_from is None or carer.active_from <= day) and (
        carer.active_to is None or carer.active_to >= day)


def _most_recent(session: Session, visit_ids: Collection[int], *columns: Any) -> dict[int, tuple[Any, ...]]:
    """visit id -> `columns` of the assignment of the most recently accepted version holding that visit."""
    out: dict[int, tuple[Any, ...]] = {}
    ranked: dict[int, tuple[Any, int]] = {}
    for chunk in _chunks(sorted(visit_ids)):
        rows = session.execute(
            select(Assignment.visit_id, PlanVersion.accepted_at, PlanVersion.id, *columns)
            .join(PlanVersion, PlanVersion.id == Assignment.plan_version_id)
            .where(PlanVersion.status == PLAN_ACCEPTED, Assignment.visit_id.in_(chunk)))
        for visit_id, accepted_at, version_id, *picked in rows:
            rank = (accepted_at or dt.datetime.min.replace(tzinfo=dt.UTC), version_id)
            if visit_id not in ranked or rank > ranked[visit_id]:
                ranked[visit_id] = rank
                out[visit_id] = tuple(picked)
    return out


def current_assignments(session: Session, *, visit_ids: Collection[int]) -> dict[int, Assignment]:
    """visit id -> the assignment of the most recently accepted version holding that visit."""
    return {v: picked[0] for v, picked in _most_recent(session, visit_ids, Assignment).items()}


class CurrentAssignment(NamedTuple):
    """The columns of a current assignment that building a problem reads (its carers: `_carers_of`)."""

    id: int
    visit_id: int
    start: int
    pinned: bool


def current_assignment_rows(session: Session, *, visit_ids: Collection[int]) -> dict[int, CurrentAssignment]:
    """As `current_assignments`, as plain rows: a coordinator's change checks the whole plan, and
    making thousands of ORM objects (with their carers) was most of that work."""
    picked = _most_recent(session, visit_ids, Assignment.id, Assignment.visit_id, Assignment.start,
                          Assignment.pinned)
    return {v: CurrentAssignment(*row) for v, row in picked.items()}


def _carers_of(session: Session, assignment_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(assignment_ids):
        ac = assignment_carers.c
        for aid, cid in session.execute(select(ac.assignment_id, ac.carer_id)
                                        .where(ac.assignment_id.in_(chunk)).order_by(ac.carer_id)):
            out[aid].append(cid)
    return out


def build_problem(session: Session, *, team_ids: Collection[int], start: dt.date, end: dt.date,
                  name: str | None = None) -> st.Problem:
    """The solver's view of the teams' data over [start, end] (inclusive)."""
    if end < start:
        raise Invalid("end is before start", path="end")
    teams = _teams(session, team_ids)
    tids = [t.id for t in teams]
    team_ext = {t.id: t.external_id for t in teams}
    days = (end - start).days + 1

    carers = [c for c in session.scalars(select(Carer).where(Carer.team_id.in_(tids)).order_by(Carer.id))
              if (c.active_from is None or c.active_from <= end)
              and (c.active_to is None or c.active_to >= start)]
    carer_by_id = {c.id: c for c in carers}
    shifts: dict[int, list[st.Shift]] = defaultdict(list)
    for chunk in _chunks(list(carer_by_id)):
        for sh in session.scalars(select(Shift).where(Shift.carer_id.in_(chunk), Shift.date >= start,
                                                      Shift.date <= end).order_by(Shift.date, Shift.start)):
            if _active(carer_by_id[sh.carer_id], sh.date):
                shifts[sh.carer_id].append(st.Shift(day=(sh.date - start).days, start=sh.start, end=sh.end,
                                                    break_window=shift_break(sh)))
    carer_ext = {c.id: c.external_id for c in carers}

    citizens = list(session.scalars(select(Citizen).where(Citizen.team_id.in_(tids)).order_by(Citizen.id)))

    def own_carer(carer_id: int | None, team_id: int) -> str | None:
        # A citizen's carers are stored apart from who works in the period: one who left before it, or
        # one of another team (a run is split by team), is no carer of this run and is not named to it.
        carer = carer_by_id.get(carer_id) if carer_id is not None else None
        return carer.external_id if carer is not None and carer.team_id == team_id else None

    citizen_ext = {p.id: p.external_id for p in citizens}
    citizen_team = {p.id: p.team_id for p in citizens}
    avoid: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(list(citizen_ext)):
        ca = citizen_avoid_carers.c
        for pid, cid in session.execute(select(ca.citizen_id, ca.carer_id).where(ca.citizen_id.in_(chunk))):
            if (ext := own_carer(cid, citizen_team[pid])) is not None:
                avoid[pid].add(ext)

    # Plain rows, not ORM objects: a municipality has tens of thousands of visits a month.
    visits: list[Any] = []
    cols = (Visit.id, Visit.external_id, Visit.citizen_id, Visit.kind, Visit.date, Visit.earliest,
            Visit.latest, Visit.duration, Visit.carers, Visit.skills, Visit.priority, Visit.need_id)
    for chunk in _chunks(list(citizen_ext)):
        visits += session.execute(select(*cols).where(Visit.citizen_id.in_(chunk), Visit.date >= start,
                                                      Visit.date <= end, Visit.status == VISIT_PLANNED)).all()
    visits.sort(key=lambda v: (v.date, v.earliest, v.external_id))
    visit_ext = {v.id: v.external_id for v in visits}

    current_rows = current_assignment_rows(session, visit_ids=list(visit_ext))
    carers_of = _carers_of(session, [a.id for a in current_rows.values()])
    current: list[st.Assignment] = []
    pinned: list[st.Assignment] = []
    for vid, a in current_rows.items():
        cids = carers_of.get(a.id, [])
        if not cids or any(c not in carer_ext for c in cids):
            continue  # a carer who left the teams: the visit is planned afresh
        item = st.Assignment(visit=visit_ext[vid], carers=tuple(carer_ext[c] for c in cids), start=a.start)
        current.append(item)
        if a.pinned:
            pinned.append(item)

    points = {**{t.external_id: (t.lat, t.lon) for t in teams},
              **{p.external_id: (p.lat, p.lon) for p in citizens}}
    return st.Problem(
        name=name or f"{'+'.join(team_ext[t] for t in tids)}-{start.isoformat()}-{days}d",
        start_date=start,
        days=days,
        teams=[st.Team(id=t.external_id, lat=t.lat, lon=t.lon) for t in teams],
        carers=[st.Carer(id=c.external_id, team=team_ext[c.team_id], skills=frozenset(c.skills),
                         shifts=tuple(shifts.get(c.id, ())),
                         contracted_minutes_per_week=c.contracted_minutes_per_week,
                         travel_mode=c.travel_mode) for c in carers],
        citizens=[st.Citizen(id=p.external_id, team=team_ext[p.team_id], lat=p.lat, lon=p.lon,
                             contact=own_carer(p.contact_carer_id, p.team_id),
                             avoid=frozenset(avoid.get(p.id, ()))) for p in citizens],
        visits=[st.Visit(id=v.external_id, citizen=citizen_ext[v.citizen_id], need=v.kind,
                         day=(v.date - start).days, earliest=v.earliest, latest=v.latest,
                         duration=v.duration, carers=v.carers, skills=frozenset(v.skills),
                         priority=v.priority) for v in visits],
        max_carers_per_month=cap_for_teams(session, teams=teams),
        travel=travel_spec(session, points=points),
        travel_modes=mode_specs(session, points=points),
        dependencies=dependencies(session, visits=visits),
        met_before=met_before(session, citizen_ext=citizen_ext, start=start),
        pinned=pinned,
        current=current,
    )


def shift_break(shift: Any) -> st.BreakWindow | None:
    """A shift row's break window (a Shift, a roster pattern's shift or an extra shift), or None."""
    if shift.break_earliest is None or shift.break_latest is None or not shift.break_minutes:
        return None
    return st.BreakWindow(earliest=shift.break_earliest, latest=shift.break_latest,
                          duration=shift.break_minutes)


def mode_specs(session: Session, *, points: Mapping[str, tuple[float, float]]) -> dict[str, st.TravelSpec]:
    """Every travel mode of the municipality (a substitute added in a re-plan may use any): at the
    mode's speed, or as a matrix where an imported one left legs."""
    out: dict[str, st.TravelSpec] = {}
    for mode in travel_modes(session):
        spec = st.TravelSpec(speed_kmh=mode.speed_kmh, detour_factor=mode.detour_factor)
        out[mode.name] = with_legs(spec, points, travel_legs(session, points=points, mode_id=mode.id))
    return out


def dependencies(session: Session, *, visits: list[Any]) -> list[st.Dependency]:
    """The spacing rules among `visits` (rows with id, external_id, citizen_id, kind, date, need_id):
    imported ones as stored, then each need spaced from another need of the citizen, between their
    visits of the same date (the other need matched by kind, so its later versions keep the rule)."""
    ext = {v.id: v.external_id for v in visits}
    out: dict[tuple[str, str], st.Dependency] = {}
    for chunk in _chunks(list(ext)):
        for d in session.scalars(select(VisitDependency).where(VisitDependency.then_visit_id.in_(chunk))):
            if d.first_visit_id in ext:
                first, then = ext[d.first_visit_id], ext[d.then_visit_id]
                out[(first, then)] = st.Dependency(first=first, then=then, min_gap=d.min_gap,
                                                   max_gap=d.max_gap)
    need_ids = sorted({v.need_id for v in visits if v.need_id is not None})
    spaced: dict[int, tuple[str, int, int | None]] = {}
    for chunk in _chunks(need_ids):
        other = aliased(Need)
        rows = session.execute(select(Need.id, other.kind, Need.min_gap, Need.max_gap)
                               .join(other, other.id == Need.spaced_from_id).where(Need.id.in_(chunk)))
        spaced.update({nid: (kind, lo or 0, hi) for nid, kind, lo, hi in rows})
    if spaced:
        by_key: dict[tuple[int, str, dt.date], str] = {}
        for v in visits:
            by_key.setdefault((v.citizen_id, v.kind, v.date), v.external_id)
        for v in visits:
            rule = spaced.get(v.need_id) if v.need_id is not None else None
            if rule is None:
                continue
            first = by_key.get((v.citizen_id, rule[0], v.date))
            if first is not None and first != v.external_id:
                out.setdefault((first, v.external_id), st.Dependency(
                    first=first, then=v.external_id, min_gap=rule[1], max_gap=rule[2]))
    return list(out.values())


def travel_spec(session: Session, *, points: Mapping[str, tuple[float, float]]) -> st.TravelSpec:
    """How travel between `points` (place id -> lat, lon) is timed: at the municipality's speed and
    detour factor, or, where an imported travel matrix left legs between them, as a full matrix
    of those legs (a pair without one, e.g. a citizen added since, at that speed)."""
    municipality = get_municipality(session)
    spec = st.TravelSpec(speed_kmh=municipality.travel_speed_kmh,
                         detour_factor=municipality.travel_detour_factor)
    return with_legs(spec, points, travel_legs(session, points=points))


def met_before(session: Session, *, citizen_ext: Mapping[int, str],
               start: dt.date) -> dict[tuple[str, st.MonthKey], frozenset[str]]:
    """Carers each citizen met in `start`'s month before `start`, per the accepted plans."""
    first = start.replace(day=1)
    if first >= start or not citizen_ext:
        return {}
    visit_rows: dict[int, int] = {}
    for chunk in _chunks(list(citizen_ext)):
        visit_rows.update(session.execute(select(Visit.id, Visit.citizen_id).where(
            Visit.citizen_id.in_(chunk), Visit.date >= first, Visit.date < start,
            Visit.status == VISIT_PLANNED)).all())
    rows = current_assignment_rows(session, visit_ids=list(visit_rows))
    carers_of = _carers_of(session, [a.id for a in rows.values()])
    ext = dict(session.execute(select(Carer.id, Carer.external_id)).all())
    met: dict[tuple[str, st.MonthKey], set[str]] = defaultdict(set)
    for vid, a in rows.items():
        key = (citizen_ext[visit_rows[vid]], (start.year, start.month))
        met[key].update(ext[c] for c in carers_of.get(a.id, []))
    return {k: frozenset(v) for k, v in met.items()}


def find_or_create_plan(session: Session, *, team_ids: Collection[int], start: dt.date, end: dt.date,
                        name: str | None = None) -> Plan:
    """The plan for exactly these teams and dates (made when missing)."""
    teams = _teams(session, team_ids)
    wanted = {t.id for t in teams}
    candidates = session.scalars(select(Plan).where(Plan.start_date == start, Plan.end_date == end)
                                 .order_by(Plan.id))
    for plan in candidates:
        if {t.id for t in plan.teams} == wanted:
            return plan
    label = "+".join(t.external_id for t in teams)
    base = f"{label}-{start.isoformat()}-{end.isoformat()}"
    external_id = base
    n = 1
    while session.scalar(select(Plan.id).where(Plan.external_id == external_id)) is not None:
        n += 1
        external_id = f"{base}-{n}"
    plan = Plan(external_id=external_id, name=name or f"{label} {start.isoformat()}..{end.isoformat()}",
                start_date=start, end_date=end, teams=teams)
    session.add(plan)
    session.flush()
    return plan


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def dated_reason(reason: str, start: dt.date) -> str:
    """The planner counts days from the plan's first day; a coordinator reads dates: "on day 9" becomes
    "on Thu 10 Dec" (the pages say it in Swedish too)."""
    def date_words(m: re.Match[str]) -> str:
        d = start + dt.timedelta(days=int(m.group(1)))
        return f"on {_WEEKDAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]}"

    return re.sub(r"\bon day (\d+)\b", date_words, reason)


def store_plan_version(session: Session, *, team_ids: Collection[int], start: dt.date, end: dt.date,
                       plan: st.Plan, created_by: User | int | None = None,
                       created_by_id: int | None = None, inputs: Mapping[str, Any] | None = None,
                       stats: Mapping[str, Any] | None = None, pinned: Collection[str] | None = None,
                       name: str | None = None) -> PlanVersion:
    """A new draft version of the teams' plan for [start, end], holding `plan` (external ids).

    `created_by` (a User or id; `created_by_id` is the same by id), `inputs`: what it was made from,
    `stats`: figures stored with it (added to `plan.stats`).
    `pinned`: visit ids whose assignment is pinned; None keeps the pins of the current plan where the
    new assignment is the same. Unknown or out-of-range visits and unknown carers raise `Invalid`
    (nothing is written: the caller rolls back)."""
    teams = _teams(session, team_ids)
    tids = [t.id for t in teams]
    visit_ids: dict[str, int] = {}
    citizen_ids = list(session.scalars(select(Citizen.id).where(Citizen.team_id.in_(tids))))
    for chunk in _chunks(citizen_ids):
        visit_ids.update(session.execute(select(Visit.external_id, Visit.id).where(
            Visit.citizen_id.in_(chunk), Visit.date >= start, Visit.date <= end)).all())
    carer_ids = dict(session.execute(select(Carer.external_id, Carer.id).where(Carer.team_id.in_(tids)))
                     .all())
    for i, a in enumerate(plan.assignments):
        if a.visit not in visit_ids:
            raise Invalid(f"unknown visit {a.visit!r} (not of these teams in {start}..{end})",
                          path=f"visits[{i}].id")
        if not a.carers:
            raise Invalid("an assignment needs at least one carer", path=f"visits[{i}].carers")
        for j, c in enumerate(a.carers):
            if c not in carer_ids:
                raise Invalid(f"unknown carer {c!r}", path=f"visits[{i}].carers[{j}]")
    for i, u in enumerate(plan.unplaced):
        if u.visit not in visit_ids:
            raise Invalid(f"unknown visit {u.visit!r}", path=f"unassigned[{i}].id")

    if pinned is None:
        current = current_assignment_rows(session,
                                          visit_ids=[visit_ids[a.visit] for a in plan.assignments])
        carers_of = _carers_of(session, [a.id for a in current.values() if a.pinned])
        pinned_set = set()
        for a in plan.assignments:
            old = current.get(visit_ids[a.visit])
            if old is not None and old.pinned and old.start == a.start and \
                    sorted(carers_of.get(old.id, [])) == sorted(carer_ids[c] for c in a.carers):
                pinned_set.add(a.visit)
    else:
        pinned_set = set(pinned)

    target = find_or_create_plan(session, team_ids=tids, start=start, end=end, name=name)
    number = (session.scalar(select(func.max(PlanVersion.number)).where(PlanVersion.plan_id == target.id))
              or 0) + 1
    creator_id = created_by.id if isinstance(created_by, User) else (created_by or created_by_id)
    version = PlanVersion(plan_id=target.id, number=number, status=PLAN_DRAFT, created_by_id=creator_id,
                          inputs=_json_ready(dict(inputs or {})), objective=plan.objective,
                          stats=_json_ready({**plan.stats, **(stats or {})}))
    session.add(version)
    session.flush()
    write_assignments(session, version_id=version.id, items=[
        (visit_ids[a.visit], a.start, a.visit in pinned_set, [carer_ids[c] for c in a.carers])
        for a in plan.assignments])
    if plan.unplaced:
        session.execute(insert(UnplacedVisit), [
            {"plan_version_id": version.id, "visit_id": visit_ids[u.visit],
             "reason": dated_reason(u.reason, start)}
            for u in plan.unplaced])
    session.flush()
    return version


def _json_ready(value: Any) -> Any:
    """Dates and other objects in `inputs`/`stats` as JSON the database can store."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_ready(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_assignments(session: Session, *, version_id: int,
                      items: list[tuple[int, int, bool, list[int]]]) -> None:
    """Bulk-insert (visit id, start, pinned, carer ids) rows into a version."""
    if not items:
        return
    ids = list(session.scalars(
        insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True),
        [{"plan_version_id": version_id, "visit_id": v, "start": s, "pinned": p} for v, s, p, _ in items]))
    links = [{"assignment_id": aid, "carer_id": c} for aid, (_, _, _, cs) in zip(ids, items, strict=True)
             for c in dict.fromkeys(cs)]
    session.execute(insert(assignment_carers), links)


def accept_plan_version(session: Session, *, version: PlanVersion, user: User | int | None) -> PlanVersion:
    """The version becomes the plan's accepted one; the one accepted before becomes superseded."""
    for other in session.scalars(select(PlanVersion).where(PlanVersion.plan_id == version.plan_id,
                                                           PlanVersion.status == PLAN_ACCEPTED,
                                                           PlanVersion.id != version.id)):
        other.status = PLAN_SUPERSEDED
    version.status = PLAN_ACCEPTED
    version.accepted_at = dt.datetime.now(dt.UTC)
    version.accepted_by_id = user.id if isinstance(user, User) else user
    session.flush()
    return version


def plan_to_solver(session: Session, *, version: PlanVersion) -> st.Plan:
    """A stored version back as a solver Plan (external ids)."""
    rows = session.execute(select(Assignment.id, Visit.external_id, Assignment.start)
                           .join(Visit, Visit.id == Assignment.visit_id)
                           .where(Assignment.plan_version_id == version.id)).all()
    carers_of = _carers_of(session, [r[0] for r in rows])
    ext = dict(session.execute(select(Carer.id, Carer.external_id)).all())
    unplaced = session.execute(select(Visit.external_id, UnplacedVisit.reason)
                               .join(Visit, Visit.id == UnplacedVisit.visit_id)
                               .where(UnplacedVisit.plan_version_id == version.id)).all()
    return st.Plan(
        assignments=[st.Assignment(visit=v, carers=tuple(ext[c] for c in carers_of.get(aid, [])), start=s)
                     for aid, v, s in rows],
        unplaced=[st.Unplaced(visit=v, reason=r) for v, r in unplaced],
        objective=version.objective,
        stats=dict(version.stats or {}),
    )


def plan_team_ids(session: Session, plan_id: int) -> list[int]:
    return list(session.scalars(select(plan_teams.c.team_id).where(plan_teams.c.plan_id == plan_id)))
