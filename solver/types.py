"""Plain data in and out of the planner: a `Problem` goes in, a `Plan` comes out.

Times are whole minutes after midnight of the visit's day; `day` counts from
`Problem.start_date` (day 0), exactly as in the exchange format (FORMAT.md).
Nothing here knows about HTTP, SQL or files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from solver.objective import WEIGHTS, Weights

CarerId = str
CitizenId = str
VisitId = str
MonthKey = tuple[int, int]  # (year, month) of a calendar month


@dataclass(frozen=True, slots=True)
class BreakWindow:
    """An unbroken pause of `duration` minutes, starting between `earliest` and `latest`, with no visit
    and no travel in it (the working-time rules); owed only on a shift that holds a visit."""

    earliest: int
    latest: int
    duration: int


@dataclass(frozen=True, slots=True)
class Shift:
    day: int
    start: int
    end: int
    break_window: BreakWindow | None = None


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Carer:
    id: CarerId
    team: str
    skills: frozenset[str] = frozenset()
    shifts: tuple[Shift, ...] = ()
    # Contracted working time, for the fairness goal; None means "no contract figure known".
    contracted_minutes_per_week: int | None = None
    # A key of Problem.travel_modes (walk, bike...); None: the problem's own travel (by car).
    travel_mode: str | None = None


@dataclass(frozen=True, slots=True)
class Citizen:
    id: CitizenId
    team: str
    lat: float
    lon: float
    contact: CarerId | None = None
    avoid: frozenset[CarerId] = frozenset()


@dataclass(frozen=True, slots=True)
class Visit:
    id: VisitId
    citizen: CitizenId
    need: str
    day: int
    earliest: int  # bounds the start time
    latest: int
    duration: int
    carers: int = 1  # how many carers attend together (1 or 2); they start together
    skills: frozenset[str] = frozenset()
    # 1 must be placed, 2 should, 3 may wait: when not everything fits, 3 is left out before 2, 2 before 1.
    priority: int = 1


@dataclass(frozen=True, slots=True)
class Dependency:
    """Spaced visits: when both are placed, `then` starts between `min_gap` and `max_gap` minutes after
    `first` ends (days count: day * 1440 + start). Medication after a meal, insulin after breakfast."""

    first: VisitId
    then: VisitId
    min_gap: int = 0
    max_gap: int | None = None  # None: no upper limit


@dataclass(frozen=True, slots=True)
class Assignment:
    visit: VisitId
    carers: tuple[CarerId, ...]
    start: int


@dataclass(frozen=True, slots=True)
class TravelSpec:
    """How travel minutes are computed: haversine at a speed, or an explicit matrix."""

    speed_kmh: float = 18.0
    detour_factor: float = 1.3
    # Explicit matrix keyed by team and citizen ids, when the instance gives one.
    matrix_points: tuple[str, ...] | None = None
    matrix_minutes: tuple[tuple[int, ...], ...] | None = None


@dataclass(slots=True)
class Problem:
    name: str
    start_date: dt.date
    days: int
    teams: list[Team]
    carers: list[Carer]
    citizens: list[Citizen]
    visits: list[Visit]
    max_carers_per_month: int = 12
    travel: TravelSpec = field(default_factory=TravelSpec)
    # Other ways of getting about, by name (Carer.travel_mode): walking and cycling carers.
    travel_modes: dict[str, TravelSpec] = field(default_factory=dict)
    dependencies: list[Dependency] = field(default_factory=list)
    # Carers each citizen already met earlier in a month, before this problem's first day
    # (history from performed visits or earlier plans); they count against the monthly cap.
    met_before: dict[tuple[CitizenId, MonthKey], frozenset[CarerId]] = field(default_factory=dict)
    # Assignments the team fixed by hand: they never move.
    pinned: list[Assignment] = field(default_factory=list)
    # The current plan, if any: a starting point, and what a re-plan should disturb least.
    current: list[Assignment] = field(default_factory=list)
    # Days the planner may change (inclusive); None means every day. Assignments in `current`
    # outside this range are kept as they are.
    replan_days: tuple[int, int] | None = None

    def date_of(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def travel_of(self, carer: Carer) -> TravelSpec:
        """How `carer` gets about: their mode's minutes, else the problem's own."""
        if carer.travel_mode is None:
            return self.travel
        return self.travel_modes[carer.travel_mode]

    def month_of(self, day: int) -> MonthKey:
        d = self.date_of(day)
        return (d.year, d.month)


@dataclass(frozen=True, slots=True)
class Unplaced:
    visit: VisitId
    reason: str  # for a coordinator to act on: which skill, which window, which cap


@dataclass(frozen=True, slots=True)
class Progress:
    phase: str  # "construct", "improve", "done"
    elapsed: float  # seconds
    objective: float | None = None  # best so far (lower is better)
    bound: float | None = None
    fraction: float = 0.0  # of the time budget or of the work, 0..1
    message: str = ""


ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class SolveParams:
    time_limit: float = 30.0  # seconds, wall clock, for the whole solve
    seed: int = 0
    # Cores to use: with more, teams are split over processes and spare ones race other seeds
    # (solver/parallel.py). With 1 worker and a seed the plan is reproducible.
    workers: int = 1
    on_progress: ProgressCallback | None = None
    # Polled between steps; returning True stops the solve early with the best plan so far.
    should_stop: Callable[[], bool] | None = None
    # Improvement steps per team; None: until the time limit. With 1 worker and a seed, a set
    # number of steps gives the same plan on any machine (the wall clock then only caps it).
    max_iterations: int | None = None
    # What each goal costs (solver/objective.py); the default is the planner's own balance.
    weights: Weights = WEIGHTS


@dataclass(slots=True)
class Plan:
    assignments: list[Assignment]
    unplaced: list[Unplaced]
    objective: float | None = None
    bound: float | None = None
    # Named figures the planner knows (e.g. objective terms); for reports, not for checking.
    stats: dict[str, float] = field(default_factory=dict)


def failed_plan(problem: Problem, why: str) -> Plan:
    """What the planner answers when it fails: nothing placed, each visit with the reason, flagged."""
    plan = Plan(assignments=[],
                unplaced=[Unplaced(v.id, f"the planner failed: {why}") for v in problem.visits])
    plan.stats["error"] = 1.0
    return plan
