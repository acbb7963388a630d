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


class ShiftDoc(Strict):
    day: Annotated[int, Field(ge=0)]
    start: Minute
    end: Minute

    @model_validator(mode="after")
    def _ends_after_start(self) -> ShiftDoc:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before or when it starts ({self.start})")
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


class TravelDoc(Strict):
    speed_kmh: Annotated[float, Field(gt=0)] = 18.0
    detour_factor: Annotated[float, Field(gt=0)] = 1.3
    matrix: MatrixDoc | None = None


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
    if doc.travel.matrix is not None:
        m = doc.travel.matrix
        n = len(m.points)
        if len(m.minutes) != n or any(len(row) != n for row in m.minutes):
            errors.append({"path": "travel.matrix.minutes", "msg": f"must be a {n}x{n} matrix"})
        missing = (teams | citizens) - set(m.points)
        if missing:
            errors.append({"path": "travel.matrix.points",
                           "msg": f"missing places {sorted(missing)[:5]}"})
    if errors:
        raise ExchangeError(errors)
    return doc


def to_problem(doc: InstanceDoc) -> st.Problem:
    """The one mapping from the exchange format to the solver's types."""
    travel = doc.travel
    spec = st.TravelSpec(
        speed_kmh=travel.speed_kmh,
        detour_factor=travel.detour_factor,
        matrix_points=tuple(travel.matrix.points) if travel.matrix else None,
        matrix_minutes=tuple(tuple(r) for r in travel.matrix.minutes) if travel.matrix else None,
    )
    return st.Problem(
        name=doc.name,
        start_date=doc.start_date,
        days=doc.days,
        max_carers_per_month=doc.max_carers_per_month,
        travel=spec,
        teams=[st.Team(id=t.id, lat=t.lat, lon=t.lon) for t in doc.teams],
        carers=[
            st.Carer(
                id=c.id, team=c.team, skills=frozenset(c.skills),
                shifts=tuple(st.Shift(day=s.day, start=s.start, end=s.end) for s in c.shifts),
                contracted_minutes_per_week=c.contracted_minutes_per_week,
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
                     latest=v.latest, duration=v.duration, carers=v.carers, skills=frozenset(v.skills))
            for v in doc.visits
        ],
    )


def problem_to_instance(problem: st.Problem) -> dict[str, Any]:
    """A Problem back in homecare-instance/1 (plain JSON-ready dict)."""
    travel: dict[str, Any] = {"speed_kmh": problem.travel.speed_kmh,
                              "detour_factor": problem.travel.detour_factor}
    if problem.travel.matrix_points is not None and problem.travel.matrix_minutes is not None:
        travel["matrix"] = {"points": list(problem.travel.matrix_points),
                            "minutes": [list(r) for r in problem.travel.matrix_minutes]}
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
             "shifts": [{"day": s.day, "start": s.start, "end": s.end} for s in c.shifts],
             **({"contracted_minutes_per_week": c.contracted_minutes_per_week}
                if c.contracted_minutes_per_week is not None else {})}
            for c in problem.carers
        ],
        "citizens": [
            {"id": p.id, "team": p.team, "lat": p.lat, "lon": p.lon,
             **({"contact": p.contact} if p.contact else {}), "avoid": sorted(p.avoid)}
            for p in problem.citizens
        ],
        "visits": [
            {"id": v.id, "citizen": v.citizen, "need": v.need, "day": v.day, "earliest": v.earliest,
             "latest": v.latest, "duration": v.duration, "carers": v.carers, "skills": sorted(v.skills)}
            for v in problem.visits
        ],
    }
