"""Travel minutes between team bases and citizens, as FORMAT.md defines them.

minutes = ceil(haversine_km * detour_factor / speed_kmh * 60); the same point is 0.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

from solver.types import Problem, TravelSpec

EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def minutes_between(a: tuple[float, float], b: tuple[float, float], speed_kmh: float,
                    detour_factor: float) -> int:
    """FORMAT.md's travel minutes between two points at a speed and detour factor."""
    return math.ceil(haversine_km(a, b) * detour_factor / speed_kmh * 60 - 1e-9)


class Travel:
    """Memoised travel times keyed by place id (a team id for a base, a citizen id for a home)."""

    def __init__(self, spec: TravelSpec, points: dict[str, tuple[float, float]]) -> None:
        self.spec = spec
        self.points = points
        self._cache: dict[tuple[str, str], int] = {}
        self._index: dict[str, int] | None = None
        if spec.matrix_points is not None:
            self._index = {p: i for i, p in enumerate(spec.matrix_points)}
        elif spec.speed_kmh <= 0:
            raise ValueError("travel speed_kmh must be positive")

    @classmethod
    def for_problem(cls, problem: Problem, mode: str | None = None) -> Travel:
        """The problem's own travel (by car), or that of one of its `travel_modes`."""
        spec = problem.travel if mode is None else problem.travel_modes[mode]
        return cls(spec, problem_points(problem))

    def minutes(self, a: str, b: str) -> int:
        if a == b:
            return 0
        key = (a, b)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if self._index is not None:
            assert self.spec.matrix_minutes is not None
            value = int(self.spec.matrix_minutes[self._index[a]][self._index[b]])
        else:
            value = minutes_between(self.points[a], self.points[b], self.spec.speed_kmh,
                                    self.spec.detour_factor)
        self._cache[key] = value
        return value


def problem_points(problem: Problem) -> dict[str, tuple[float, float]]:
    """Place id -> (lat, lon): every team base and every citizen's home."""
    points = {t.id: (t.lat, t.lon) for t in problem.teams}
    points.update({c.id: (c.lat, c.lon) for c in problem.citizens})
    return points


class CarerTravel:
    """Each carer's own travel minutes: walking and cycling carers by their mode, the rest by the
    problem's own travel. `default` is the problem's own (a Travel already built may be passed)."""

    def __init__(self, problem: Problem, default: Travel | None = None) -> None:
        self.default = default or Travel.for_problem(problem)
        self.modes = {m: Travel(spec, self.default.points) for m, spec in problem.travel_modes.items()}
        self._mode_of = {c.id: c.travel_mode for c in problem.carers}

    def of(self, carer: str) -> Travel:
        """The travel of carer id `carer` (the problem's own for an unknown carer or one with no mode)."""
        mode = self._mode_of.get(carer)
        return self.default if mode is None else self.modes[mode]

    def minutes(self, carer: str, a: str, b: str) -> int:
        return self.of(carer).minutes(a, b)


def with_legs(spec: TravelSpec, points: Mapping[str, tuple[float, float]],
              legs: Mapping[tuple[str, str], int]) -> TravelSpec:
    """`spec` as a full matrix over `points` (place id -> lat, lon): the known `legs` where there are
    some, every other pair at `spec`'s speed. Without legs, `spec` as it is."""
    if not legs:
        return spec
    order = tuple(points)
    by_speed = Travel(dataclasses.replace(spec, matrix_points=None, matrix_minutes=None), dict(points))
    minutes = tuple(tuple(0 if a == b else legs[(a, b)] if (a, b) in legs else by_speed.minutes(a, b)
                          for b in order) for a in order)
    return dataclasses.replace(spec, matrix_points=order, matrix_minutes=minutes)
