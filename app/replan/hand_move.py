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
from solver.travel import Travel
from solver.types import Assignment, Problem

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


def _relevant(problem: Problem, plan: dict[str, Assignment], move: Assignment) -> list[Assignment]:
    """The assignments whose feasibility the move can change: the routes of every carer involved (old and
    new) that day, the citizen's visits in that calendar month (for the cap), and the visits spaced from
    the moved one."""
    visits = {v.id: v for v in problem.visits}
    v = visits[move.visit]
    month = problem.month_of(v.day)
    old = plan.get(move.visit)
    carers = set(move.carers) | (set(old.carers) if old else set())
    spaced = {d.then for d in problem.dependencies if d.first == move.visit} | {
        d.first for d in problem.dependencies if d.then == move.visit}
    out = [move]
    for a in plan.values():
        if a.visit == move.visit:
            continue
        w = visits.get(a.visit)
        if w is None:
            continue
        if (w.day == v.day and carers & set(a.carers)) or a.visit in spaced or (
                w.citizen == v.citizen and problem.month_of(w.day) == month):
            out.append(a)
    return out


def check_move(problem: Problem, current: Iterable[Assignment], move: Assignment, *,
               pinned: Iterable[str] = (), travel: Travel | None = None) -> MoveCheck:
    """Would the plan `current` with `move` in place of its visit's assignment keep every hard rule?

    Only violations the move introduces are reported (one already present elsewhere is not the move's).
    """
    result = MoveCheck(move=move)
    plan = {a.visit: a for a in current}
    if move.visit not in {v.id for v in problem.visits}:
        result.violations.append(Violation("unknown_visit", move.visit, f"unknown visit {move.visit!r}"))
        return result
    if move.visit in set(pinned):
        result.violations.append(Violation("pinned", move.visit, "the assignment is pinned; unpin it first"))
        return result
    known = {c.id for c in problem.carers}
    unknown = [c for c in move.carers if c not in known]
    if unknown:
        result.violations.append(Violation("unknown_carer", move.visit, f"unknown carer {unknown[0]!r}"))
        return result
    travel = travel or Travel.for_problem(problem)
    after = _relevant(problem, plan, move)
    before_bad = check_assignments(problem, [a for a in after if a.visit != move.visit]
                                   + ([plan[move.visit]] if move.visit in plan else []), travel)
    after_bad = check_assignments(problem, after, travel)
    for vid, msg in sorted(after_bad.items(), key=lambda kv: (kv[0] != move.visit, kv[0])):
        if vid != move.visit and before_bad.get(vid) == msg:
            continue
        result.violations.append(Violation(rule_of(msg), vid, msg))
    return result


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
