"""A coordinator moves one assignment by hand (another carer, another start): check it against every hard
rule before it is accepted, and name the rule it would break.

The rules are the solver's own (`solver.check.check_assignments`, the same five rules as the verifier), so
there is one feasibility checker in the project; here we only decide which assignments to check together
and translate its messages into rule names an API can return. A move that breaks the monthly cap is
refused like any other broken rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from solver.check import check_assignments
from solver.travel import CarerTravel, Travel
from solver.types import Assignment, Problem, Visit

# Rule names, in the order FORMAT.md lists the verifier's checks.
RULES = {
    "unknown_carer": "every carer must exist",
    "carers": "the visit needs its number of distinct carers",
    "avoid": "no carer on the citizen's avoid list",
    "skills": "every carer holds the visit's skills",
    "window": "the start lies inside the visit's time window",
    "shift": "the visit lies inside one of the carer's shifts that day",
    "travel": "the carer's route leaves room for travel (base, visits, base) without overlap",
    "monthly_cap": "the citizen meets at most max_carers_per_month distinct carers in a calendar month",
    "break": "a shift with a break window and a visit holds an unbroken break starting inside the window",
    "spacing": "spaced visits start within their gap of each other",
    "pinned": "a pinned assignment never moves (unpin it first)",
    "unknown_visit": "the visit must exist in the plan",
}

# The solver's messages, mapped to rule names (solver/check.py words them).
_MESSAGE_RULES = (
    ("unknown carer", "unknown_carer"),
    ("distinct carers", "carers"),
    ("avoid list", "avoid"),
    ("lacks skills", "skills"),
    ("outside its window", "window"),
    ("no shift covering", "shift"),
    ("cannot arrive by", "travel"),
    ("back at base", "travel"),
    ("cap for", "monthly_cap"),
    ("unbroken", "break"),
    ("outside the spacing", "spacing"),
    ("unknown visit", "unknown_visit"),
)


def rule_of(message: str) -> str:
    for needle, rule in _MESSAGE_RULES:
        if needle in message:
            return rule
    return "other"


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    visit: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.rule}: {self.visit}: {self.message}"


@dataclass(slots=True)
class MoveCheck:
    move: Assignment
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> list[str]:
        return sorted({v.rule for v in self.violations})


class MoveChecker:
    """Checks moves against one plan: the plan is indexed once (each carer's day, each citizen's month,
    spaced visits) and the travel minutes are remembered between moves, so a ranked list checking many
    suggestions reads the plan once, not once per suggestion. Checking moves of one visit only, `current`
    may hold just what `relevant` reads (that day's routes, the citizen's month, the spaced visits and the
    visit's own assignment); `visits`: the problem's visits by id, when the caller has them."""

    def __init__(self, problem: Problem, current: Iterable[Assignment], *, pinned: Iterable[str] = (),
                 travel: Travel | CarerTravel | None = None, visits: dict[str, Visit] | None = None) -> None:
        self.problem = problem
        self.plan = {a.visit: a for a in current}
        self.visits = visits if visits is not None else {v.id: v for v in problem.visits}
        self.pinned = set(pinned)
        self.known_carers = {c.id for c in problem.carers}
        self.legs = travel if isinstance(travel, CarerTravel) else CarerTravel(problem, travel)
        self.by_carer_day: dict[tuple[str, int], list[Assignment]] = {}
        self.by_citizen_month: dict[tuple[str, tuple[int, int]], list[Assignment]] = {}
        month_of = {d: problem.month_of(d) for d in range(problem.days)}
        for a in self.plan.values():
            w = self.visits.get(a.visit)
            if w is None:
                continue
            for c in a.carers:
                self.by_carer_day.setdefault((c, w.day), []).append(a)
            month = month_of[w.day] if w.day in month_of else problem.month_of(w.day)
            self.by_citizen_month.setdefault((w.citizen, month), []).append(a)
        self.spaced: dict[str, set[str]] = {}
        for d in problem.dependencies:
            self.spaced.setdefault(d.first, set()).add(d.then)
            self.spaced.setdefault(d.then, set()).add(d.first)

    def relevant(self, move: Assignment) -> list[Assignment]:
        """The assignments whose feasibility the move can change: the routes of every carer involved (old
        and new) that day, the citizen's visits in that calendar month (for the cap), and the visits spaced
        from the moved one."""
        v = self.visits[move.visit]
        old = self.plan.get(move.visit)
        carers = set(move.carers) | (set(old.carers) if old else set())
        out = {move.visit: move}
        for c in sorted(carers):
            for a in self.by_carer_day.get((c, v.day), ()):
                out.setdefault(a.visit, a)
        for a in self.by_citizen_month.get((v.citizen, self.problem.month_of(v.day)), ()):
            out.setdefault(a.visit, a)
        for vid in sorted(self.spaced.get(move.visit, ())):
            if vid in self.plan:
                out.setdefault(vid, self.plan[vid])
        return list(out.values())

    def check(self, move: Assignment) -> MoveCheck:
        """Would the plan with `move` in place of its visit's assignment keep every hard rule? Only
        violations the move introduces are reported (one already present elsewhere is not the move's)."""
        result = MoveCheck(move=move)
        if move.visit not in self.visits:
            result.violations.append(Violation("unknown_visit", move.visit, f"unknown visit {move.visit!r}"))
            return result
        if move.visit in self.pinned:
            result.violations.append(
                Violation("pinned", move.visit, "the assignment is pinned; unpin it first"))
            return result
        unknown = [c for c in move.carers if c not in self.known_carers]
        if unknown:
            result.violations.append(Violation("unknown_carer", move.visit, f"unknown carer {unknown[0]!r}"))
            return result
        plan = self.plan
        after = self.relevant(move)
        before_bad = check_assignments(self.problem, [a for a in after if a.visit != move.visit]
                                       + ([plan[move.visit]] if move.visit in plan else []), self.legs,
                                       visits=self.visits)
        after_bad = check_assignments(self.problem, after, self.legs, visits=self.visits)
        for vid, msg in sorted(after_bad.items(), key=lambda kv: (kv[0] != move.visit, kv[0])):
            if vid != move.visit and before_bad.get(vid) == msg:
                continue
            result.violations.append(Violation(rule_of(msg), vid, msg))
        return result


def broken_rules(problem: Problem, assignments: list[Assignment],
                 travel: Travel | CarerTravel | None = None) -> list[Violation]:
    """Every hard rule the assignments break together, a violation per visit named: the planner's final
    check (`check_assignments`) on a whole plan, in rule names (empty: feasible)."""
    return [Violation(rule_of(msg), vid, msg)
            for vid, msg in sorted(check_assignments(problem, assignments, travel).items())]


def check_move(problem: Problem, current: Iterable[Assignment], move: Assignment, *,
               pinned: Iterable[str] = (), travel: Travel | CarerTravel | None = None) -> MoveCheck:
    """Would the plan `current` with `move` in place of its visit's assignment keep every hard rule?

    Only violations the move introduces are reported (one already present elsewhere is not the move's).
    Checking many moves against one plan: `MoveChecker`.
    """
    return MoveChecker(problem, current, pinned=pinned, travel=travel).check(move)


def met_carer_move(problem: Problem, assignments: list[Assignment], visit: str, new_face: str, *,
                   met: Iterable[str], step: int = 5, travel: Travel | None = None) -> Assignment | None:
    """A move giving `new_face`'s place at `visit` to an already-met carer with every rule kept (any start
    in the window, in `step` minutes), or None."""
    travel = travel or Travel.for_problem(problem)
    v = next(x for x in problem.visits if x.id == visit)
    current = {a.visit: a for a in assignments}
    a = current[visit]
    for carer in sorted(set(met) - set(a.carers)):
        carers = tuple(sorted(carer if c == new_face else c for c in a.carers))
        starts = [a.start] + [s for s in range(v.earliest, v.latest + 1, step) if s != a.start]
        for start in starts:
            move = Assignment(visit, carers, start)
            if check_move(problem, assignments, move, travel=travel).ok:
                return move
    return None


def avoidable_face(problem: Problem, assignments: list[Assignment], citizen: str, month: tuple[int, int],
                   new_face: str, *, met: Iterable[str]) -> list[Assignment] | None:
    """The hand-overs that would spare `citizen` the new face `new_face` in `month`: already-met carers
    take every visit it attends, each checked against the plan as the earlier hand-overs left it. None when
    some visit has no met carer free: then the face was unavoidable (short of moving other visits)."""
    travel = Travel.for_problem(problem)
    visit = {v.id: v for v in problem.visits}
    met = set(met)
    plan = list(assignments)
    moves: list[Assignment] = []
    for a in assignments:
        v = visit[a.visit]
        if new_face not in a.carers or v.citizen != citizen or problem.month_of(v.day) != month:
            continue
        move = met_carer_move(problem, plan, a.visit, new_face, met=met, travel=travel)
        if move is None:
            return None
        moves.append(move)
        plan = [move if b.visit == a.visit else b for b in plan]
    return moves
