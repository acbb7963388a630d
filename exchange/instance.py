"""homecare-instance/1: a team's carers, citizens and visits; strict parsing, and the one mapping to
and from the solver's `Problem`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from exchange.common import (
    INSTANCE_FORMAT,
    MAX_INT,
    MINUTES_PER_DAY,
    Day,
    ExchangeError,
    Id,
    Minute,
    Strict,
    duplicate_ids,
    pydantic_errors,
)
from solver import types as st


class BreakDoc(Strict):
    earliest: Minute
    latest: Minute
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)]

    @model_validator(mode="after")
    def _window_in_order(self) -> BreakDoc:
        if self.latest < self.earliest:
            raise ValueError(f"break window ends ({self.latest}) before it starts ({self.earliest})")
        return self


class ShiftDoc(Strict):
    day: Annotated[int, Field(ge=0)]
    start: Minute
    end: Minute
    break_: BreakDoc | None = Field(default=None, alias="break")

    @model_validator(mode="after")
    def _ends_after_start(self) -> ShiftDoc:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before or when it starts ({self.start})")
        b = self.break_
        if b is not None and (b.earliest < self.start or b.earliest + b.duration > self.end):
            raise ValueError(f"the break ({b.duration} min from {b.earliest}) does not fit in the shift "
                             f"{self.start}-{self.end}")
        return self


class DayShiftDoc(Strict):
    start: Minute
    end: Minute

    @model_validator(mode="after")
    def _ends_after_start(self) -> DayShiftDoc:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before or when it starts ({self.start})")
        return self


class TeamDoc(Strict):
    id: Id
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]


class CarerDoc(Strict):
    id: Id
    team: Id
    skills: list[str] = []
    shifts: list[ShiftDoc] = []
    contracted_minutes_per_week: Annotated[int, Field(ge=0, le=7 * MINUTES_PER_DAY)] | None = None
    travel_mode: Id | None = None


class CitizenDoc(Strict):
    id: Id
    team: Id
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    contact: Id | None = None
    avoid: list[Id] = []


class VisitDoc(Strict):
    id: Id
    citizen: Id
    need: Id
    day: Annotated[int, Field(ge=0)]
    earliest: Minute
    latest: Minute
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)]
    carers: Literal[1, 2] = 1
    skills: list[str] = []
    priority: Literal[1, 2, 3] = 1

    @model_validator(mode="after")
    def _window_fits_the_day(self) -> VisitDoc:
        if self.latest < self.earliest:
            raise ValueError(f"window ends ({self.latest}) before it starts ({self.earliest})")
        if self.earliest + self.duration > MINUTES_PER_DAY:
            raise ValueError("the visit cannot end within its day")
        return self


class MatrixDoc(Strict):
    points: list[Id]
    minutes: list[list[Annotated[int, Field(ge=0, le=MAX_INT)]]]


class ModeDoc(Strict):
    speed_kmh: Annotated[float, Field(gt=0)] = 18.0
    detour_factor: Annotated[float, Field(gt=0)] = 1.3
    matrix: MatrixDoc | None = None


class TravelDoc(ModeDoc):
    modes: dict[Id, ModeDoc] = {}


class DependencyDoc(Strict):
    first: Id
    then: Id
    min_gap: Annotated[int, Field(ge=0, le=MAX_INT)] = 0
    max_gap: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None

    @model_validator(mode="after")
    def _gaps_in_order(self) -> DependencyDoc:
        if self.max_gap is not None and self.max_gap < self.min_gap:
            raise ValueError(f"max_gap ({self.max_gap}) is below min_gap ({self.min_gap})")
        if self.first == self.then:
            raise ValueError("a visit cannot be spaced from itself")
        return self


class InstanceDoc(Strict):
    format: Literal["homecare-instance/1"]
    name: Id
    start_date: Day
    days: Annotated[int, Field(ge=1, le=366)]
    max_carers_per_month: Annotated[int, Field(ge=1, le=MAX_INT)] = 12
    travel: TravelDoc = TravelDoc()
    teams: list[TeamDoc]
    carers: list[CarerDoc]
    citizens: list[CitizenDoc]
    visits: list[VisitDoc]
    dependencies: list[DependencyDoc] = []


def parse_instance(data: Any) -> InstanceDoc:
    """Validate an instance document: structure, then ids and references. Raises ExchangeError."""
    try:
        doc = InstanceDoc.model_validate(data)
    except ValidationError as e:
        raise ExchangeError(pydantic_errors(e)) from None
    errors: list[dict[str, Any]] = []
    for prefix, items in (("teams", doc.teams), ("carers", doc.carers),
                          ("citizens", doc.citizens), ("visits", doc.visits)):
        errors += duplicate_ids(items, prefix)
    teams = {t.id for t in doc.teams}
    carers = {c.id for c in doc.carers}
    citizens = {p.id for p in doc.citizens}
    for i, c in enumerate(doc.carers):
        if c.team not in teams:
            errors.append({"path": f"carers[{i}].team", "msg": f"unknown team {c.team!r}"})
        if c.travel_mode is not None and c.travel_mode not in doc.travel.modes:
            known = ", ".join(sorted(doc.travel.modes)) or "none"
            errors.append({"path": f"carers[{i}].travel_mode",
                           "msg": f"unknown travel mode {c.travel_mode!r} (travel.modes has {known})"})
        for j, s in enumerate(c.shifts):
            if s.day >= doc.days:
                errors.append({"path": f"carers[{i}].shifts[{j}].day",
                               "msg": f"day {s.day} is outside the instance's {doc.days} days"})
    for i, p in enumerate(doc.citizens):
        if p.team not in teams:
            errors.append({"path": f"citizens[{i}].team", "msg": f"unknown team {p.team!r}"})
        if p.contact is not None and p.contact not in carers:
            errors.append({"path": f"citizens[{i}].contact", "msg": f"unknown carer {p.contact!r}"})
        for j, a in enumerate(p.avoid):
            if a not in carers:
                errors.append({"path": f"citizens[{i}].avoid[{j}]", "msg": f"unknown carer {a!r}"})
    for i, v in enumerate(doc.visits):
        if v.citizen not in citizens:
            errors.append({"path": f"visits[{i}].citizen", "msg": f"unknown citizen {v.citizen!r}"})
        if v.day >= doc.days:
            errors.append({"path": f"visits[{i}].day",
                           "msg": f"day {v.day} is outside the instance's {doc.days} days"})
    visits = {v.id for v in doc.visits}
    for i, d in enumerate(doc.dependencies):
        for end in ("first", "then"):
            if getattr(d, end) not in visits:
                errors.append({"path": f"dependencies[{i}].{end}",
                               "msg": f"unknown visit {getattr(d, end)!r}"})
    modes = [("travel", doc.travel)] + [(f"travel.modes.{k}", m) for k, m in doc.travel.modes.items()]
    for where, mode in modes:
        if mode.matrix is None:
            continue
        m = mode.matrix
        n = len(m.points)
        if len(m.minutes) != n or any(len(row) != n for row in m.minutes):
            errors.append({"path": f"{where}.matrix.minutes", "msg": f"must be a {n}x{n} matrix"})
        missing = (teams | citizens) - set(m.points)
        if missing:
            errors.append({"path": f"{where}.matrix.points",
                           "msg": f"missing places {sorted(missing)[:5]}"})
    if errors:
        raise ExchangeError(errors)
    return doc


def _travel_spec(travel: ModeDoc) -> st.TravelSpec:
    return st.TravelSpec(
        speed_kmh=travel.speed_kmh,
        detour_factor=travel.detour_factor,
        matrix_points=tuple(travel.matrix.points) if travel.matrix else None,
        matrix_minutes=tuple(tuple(r) for r in travel.matrix.minutes) if travel.matrix else None,
    )


def _break(b: BreakDoc | None) -> st.BreakWindow | None:
    return None if b is None else st.BreakWindow(earliest=b.earliest, latest=b.latest, duration=b.duration)


def to_problem(doc: InstanceDoc) -> st.Problem:
    """The one mapping from the exchange format to the solver's types."""
    spec = _travel_spec(doc.travel)
    return st.Problem(
        name=doc.name,
        start_date=doc.start_date,
        days=doc.days,
        max_carers_per_month=doc.max_carers_per_month,
        travel=spec,
        travel_modes={name: _travel_spec(m) for name, m in doc.travel.modes.items()},
        dependencies=[st.Dependency(first=d.first, then=d.then, min_gap=d.min_gap, max_gap=d.max_gap)
                      for d in doc.dependencies],
        teams=[st.Team(id=t.id, lat=t.lat, lon=t.lon) for t in doc.teams],
        carers=[
            st.Carer(
                id=c.id, team=c.team, skills=frozenset(c.skills),
                shifts=tuple(st.Shift(day=s.day, start=s.start, end=s.end, break_window=_break(s.break_))
                             for s in c.shifts),
                contracted_minutes_per_week=c.contracted_minutes_per_week, travel_mode=c.travel_mode,
            )
            for c in doc.carers
        ],
        citizens=[
            st.Citizen(id=p.id, team=p.team, lat=p.lat, lon=p.lon, contact=p.contact,
                       avoid=frozenset(p.avoid))
            for p in doc.citizens
        ],
        visits=[
            st.Visit(id=v.id, citizen=v.citizen, need=v.need, day=v.day, earliest=v.earliest,
                     latest=v.latest, duration=v.duration, carers=v.carers, skills=frozenset(v.skills),
                     priority=v.priority)
            for v in doc.visits
        ],
    )


def _travel_doc(spec: st.TravelSpec) -> dict[str, Any]:
    travel: dict[str, Any] = {"speed_kmh": spec.speed_kmh, "detour_factor": spec.detour_factor}
    if spec.matrix_points is not None and spec.matrix_minutes is not None:
        travel["matrix"] = {"points": list(spec.matrix_points),
                            "minutes": [list(r) for r in spec.matrix_minutes]}
    return travel


def _shift_doc(s: st.Shift) -> dict[str, Any]:
    doc: dict[str, Any] = {"day": s.day, "start": s.start, "end": s.end}
    if s.break_window is not None:
        b = s.break_window
        doc["break"] = {"earliest": b.earliest, "latest": b.latest, "duration": b.duration}
    return doc


def problem_to_instance(problem: st.Problem) -> dict[str, Any]:
    """A Problem back in homecare-instance/1 (plain JSON-ready dict); the optional rules only when used."""
    travel = _travel_doc(problem.travel)
    if problem.travel_modes:
        travel["modes"] = {name: _travel_doc(m) for name, m in problem.travel_modes.items()}
    rules: dict[str, Any] = {}
    if problem.dependencies:
        rules["dependencies"] = [
            {"first": d.first, "then": d.then, "min_gap": d.min_gap,
             **({"max_gap": d.max_gap} if d.max_gap is not None else {})}
            for d in problem.dependencies
        ]
    return {
        "format": INSTANCE_FORMAT,
        "name": problem.name,
        "start_date": problem.start_date.isoformat(),
        "days": problem.days,
        "max_carers_per_month": problem.max_carers_per_month,
        "travel": travel,
        "teams": [{"id": t.id, "lat": t.lat, "lon": t.lon} for t in problem.teams],
        "carers": [
            {"id": c.id, "team": c.team, "skills": sorted(c.skills),
             "shifts": [_shift_doc(s) for s in c.shifts],
             **({"contracted_minutes_per_week": c.contracted_minutes_per_week}
                if c.contracted_minutes_per_week is not None else {}),
             **({"travel_mode": c.travel_mode} if c.travel_mode is not None else {})}
            for c in problem.carers
        ],
        "citizens": [
            {"id": p.id, "team": p.team, "lat": p.lat, "lon": p.lon,
             **({"contact": p.contact} if p.contact else {}), "avoid": sorted(p.avoid)}
            for p in problem.citizens
        ],
        "visits": [
            {"id": v.id, "citizen": v.citizen, "need": v.need, "day": v.day, "earliest": v.earliest,
             "latest": v.latest, "duration": v.duration, "carers": v.carers, "skills": sorted(v.skills),
             **({"priority": v.priority} if v.priority != 1 else {})}
            for v in problem.visits
        ],
        **rules,
    }
