"""Who should take this visit: every carer (or pair, for a double visit) who could, best first, with what
taking it costs the citizen and the route.

A suggestion places the visit in a gap of the carer's day as it stands: no other visit moves, so what a
coordinator applies is exactly what was shown. Each one passes `check_move` (every hard rule and the
monthly cap, on the plan as it is) before it is offered: a suggestion that breaks a rule never is.

Best first means, in this order: no new face for the citizen, the contact carer, fewest distinct carers
this month afterwards, then the least added travel and the start nearest the need's usual time.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from app.replan.hand_move import MoveChecker
from solver import rules
from solver.travel import Travel
from solver.types import Assignment, Carer, Problem, Visit

PERIOD_DAYS = 14  # the national measure's period, counted from the plan's first day as the verifier does
PAIR_POOL = 8  # a double visit pairs the best single carers only: the pairs grow as the square


@dataclass(frozen=True, slots=True)
class Candidate:
    carers: tuple[str, ...]
    start: int
    new_faces: tuple[str, ...]  # carers the citizen has not met this month
    faces_month: int  # distinct carers the citizen meets this calendar month with the suggestion
    faces_period: int  # ... and in the 14-day period of the visit
    cap: int
    contact: bool  # the citizen's contact carer is among them
    added_travel: int  # minutes, each carer by their own way of getting about
    from_usual: int  # minutes between the start and the need's usual start
    usual: int
    moves: tuple[Assignment, ...] = field(default=())  # other visits that move: none, by construction

    def key(self) -> tuple[int, int, int, int]:
        return (len(self.new_faces), 0 if self.contact else 1, self.faces_month,
                self.added_travel + self.from_usual // 2)


# What stopped a carer who was not offered, as the page words it.
WHY_SKILL, WHY_AVOID, WHY_OFF, WHY_FULL, WHY_PARTNER = "skill", "avoid", "off", "full", "partner"


@dataclass(frozen=True, slots=True)
class NearMiss:
    carer: str
    why: str  # WHY_* or the name of the rule a placement would break (app.replan.hand_move.RULES)
    known: bool  # the citizen meets the carer this month
    contact: bool


@dataclass(frozen=True, slots=True)
class _Gap:
    lo: int  # earliest start in the gap
    hi: int  # latest start in the gap
    added_travel: int


class _Day:
    """The citizen's plan and every carer's route on the visit's day, as they stand without the visit
    (one pass over the plan: a ranked list stays quick on a team of thousands of visits)."""

    def __init__(self, problem: Problem, current: Iterable[Assignment], visit: Visit,
                 visits: dict[str, Visit] | None = None) -> None:
        self.problem = problem
        self.visit = visit
        self.visits = visits if visits is not None else {v.id: v for v in problem.visits}
        self.citizen = next(p for p in problem.citizens if p.id == visit.citizen)
        self.on_day: dict[str, list[tuple[int, int, str]]] = {}  # carer -> (start, end, citizen)
        self.citizens_own: list[tuple[Visit, Assignment]] = []  # the citizen's other planned visits
        # What a move of the visit can touch (hand_move.MoveChecker.relevant reads no further): that day's
        # routes, the citizen's plan, the visits spaced from it, and the visit's own assignment.
        spaced = {d.then for d in problem.dependencies if d.first == visit.id} | {
            d.first for d in problem.dependencies if d.then == visit.id}
        self.near: list[Assignment] = []
        for a in current:
            w = self.visits.get(a.visit)
            if w is None:
                continue
            if w.day == visit.day or w.citizen == visit.citizen or a.visit in spaced or a.visit == visit.id:
                self.near.append(a)
            if a.visit == visit.id:
                continue
            if w.day == visit.day:
                for c in a.carers:
                    self.on_day.setdefault(c, []).append((a.start, a.start + w.duration, w.citizen))
            if w.citizen == visit.citizen:
                self.citizens_own.append((w, a))
        points = {t.id: (t.lat, t.lon) for t in problem.teams}
        points.update({c.id: (c.lat, c.lon) for c in problem.citizens})
        self.points = points
        self._travel: dict[str | None, Travel] = {}

    def travel(self, carer: Carer) -> Travel:
        t = self._travel.get(carer.travel_mode)
        if t is None:
            t = self._travel[carer.travel_mode] = Travel(self.problem.travel_of(carer), self.points)
        return t

    def usual_start(self) -> int:
        """The need's usual start: the median of the citizen's same need on other days in the plan."""
        v = self.visit
        starts = [a.start for w, a in self.citizens_own if w.need == v.need]
        usual = round(statistics.median(starts)) if starts else v.earliest
        return min(max(usual, v.earliest), v.latest)

    def met(self, *, period: bool) -> set[str]:
        v, problem = self.visit, self.problem
        same = ((lambda d: d // PERIOD_DAYS == v.day // PERIOD_DAYS) if period
                else (lambda d: problem.month_of(d) == problem.month_of(v.day)))
        out: set[str] = set()
        for w, a in self.citizens_own:
            if same(w.day):
                out.update(a.carers)
        if not period:
            out |= problem.met_before.get((v.citizen, problem.month_of(v.day)), frozenset())
        return out

    def may_take(self, carer: Carer) -> bool:
        """The rules that do not depend on time: the citizen's team, the avoid list, the skills."""
        return (carer.team == self.citizen.team and rules.avoid_allows(self.citizen.avoid, carer.id)
                and rules.skills_allow(carer.skills, self.visit.skills))

    def gaps(self, carer: Carer) -> list[_Gap]:
        """Where the visit fits in the carer's shifts that day, its route otherwise unchanged."""
        v, team = self.visit, carer.team
        travel = self.travel(carer)
        out: list[_Gap] = []
        mine = self.on_day.get(carer.id, [])
        for shift in carer.shifts:
            if shift.day != v.day:
                continue
            stops = sorted(x for x in mine if shift.start <= x[0] < shift.end)
            bounds = [(shift.start, team)] + [(end, place) for _s, end, place in stops]
            nexts = [(s, place) for s, _e, place in stops] + [(shift.end, team)]
            for (free, here), (leave, there) in zip(bounds, nexts, strict=True):
                to_v, from_v = travel.minutes(here, v.citizen), travel.minutes(v.citizen, there)
                lo = max(v.earliest, free + to_v)
                hi = min(v.latest, leave - from_v - v.duration)
                if lo <= hi:
                    out.append(_Gap(lo, hi, to_v + from_v - travel.minutes(here, there)))
        return out


def _nearest(lo: int, hi: int, usual: int) -> int:
    return min(max(usual, lo), hi)


def rank_carers(problem: Problem, current: Iterable[Assignment], visit_id: str, *,
                pinned: Iterable[str] = (), limit: int = 10,
                order: Callable[[Candidate], tuple[int, ...]] | None = None) -> list[Candidate]:
    """The carers who could take `visit_id` as the plan `current` stands, best first (at most `limit`);
    `order` replaces the ranking's key (the rules are checked in that order, up to `limit` kept)."""
    current = list(current)
    visit = next((v for v in problem.visits if v.id == visit_id), None)
    if visit is None:
        raise KeyError(visit_id)
    day = _Day(problem, current, visit)
    usual = day.usual_start()
    met_month, met_period = day.met(period=False), day.met(period=True)
    was = next((a.carers for a in current if a.visit == visit_id), ())
    cap = problem.max_carers_per_month
    contact = day.citizen.contact
    pinned = set(pinned)

    def candidate(carers: tuple[str, ...], start: int, travel: int) -> Candidate:
        return Candidate(
            carers=carers, start=start, new_faces=tuple(c for c in carers if c not in met_month),
            faces_month=len(met_month | set(carers)), faces_period=len(met_period | set(carers)), cap=cap,
            contact=contact in carers, added_travel=travel, from_usual=abs(start - usual), usual=usual)

    checker: MoveChecker | None = None

    def allowed(c: Candidate) -> bool:
        nonlocal checker
        if checker is None:
            checker = MoveChecker(problem, day.near, pinned=pinned, visits=day.visits)
        return checker.check(Assignment(visit.id, tuple(sorted(c.carers)), c.start)).ok

    fits: dict[str, list[_Gap]] = {}
    for carer in problem.carers:
        if not day.may_take(carer):
            continue
        gaps = day.gaps(carer)
        if gaps:
            fits[carer.id] = gaps

    singles: list[Candidate] = []
    for cid, gaps in fits.items():
        best = min(gaps, key=lambda g: (abs(_nearest(g.lo, g.hi, usual) - usual), g.added_travel))
        singles.append(candidate((cid,), _nearest(best.lo, best.hi, usual), best.added_travel))
    rank = order or Candidate.key
    singles.sort(key=lambda c: (rank(c), c.carers))

    if visit.carers == 1:
        pool = singles
    else:
        pool = []
        top = [c.carers[0] for c in singles[:PAIR_POOL]]
        for a, b in combinations(top, 2):
            common = [(max(ga.lo, gb.lo), min(ga.hi, gb.hi), ga.added_travel + gb.added_travel)
                      for ga in fits[a] for gb in fits[b] if max(ga.lo, gb.lo) <= min(ga.hi, gb.hi)]
            if common:
                lo, hi, travel = min(common, key=lambda g: (abs(_nearest(g[0], g[1], usual) - usual), g[2]))
                pool.append(candidate(tuple(sorted((a, b))), _nearest(lo, hi, usual), travel))
        pool.sort(key=lambda c: (rank(c), c.carers))

    out: list[Candidate] = []
    for c in pool:
        if tuple(sorted(c.carers)) == tuple(sorted(was)):
            continue
        if allowed(c):
            out.append(c)
            if len(out) == limit:
                break
    return out


def near_misses(problem: Problem, current: Iterable[Assignment], visit_id: str, *,
                offered: Iterable[Candidate] = (), pinned: Iterable[str] = (),
                limit: int = 5) -> list[NearMiss]:
    """The team's carers who were not offered, closest first (the contact carer, then carers the citizen
    already meets, then those only a full day stopped), each with what stopped them."""
    current = list(current)
    visit = next(v for v in problem.visits if v.id == visit_id)
    day = _Day(problem, current, visit)
    met = day.met(period=False)
    usual = day.usual_start()
    taken = {c for cand in offered for c in cand.carers}
    was = set(next((a.carers for a in current if a.visit == visit_id), ()))
    out: list[NearMiss] = []
    checker: MoveChecker | None = None
    for carer in problem.carers:
        if carer.team != day.citizen.team or carer.id in taken or carer.id in was:
            continue
        if not visit.skills <= carer.skills:
            why = WHY_SKILL
        elif carer.id in day.citizen.avoid:
            why = WHY_AVOID
        elif not any(s.day == visit.day and s.start <= visit.latest
                     and s.end >= visit.earliest + visit.duration for s in carer.shifts):
            why = WHY_OFF
        elif not (gaps := day.gaps(carer)):
            why = WHY_FULL
        elif visit.carers > 1:
            why = WHY_PARTNER  # free on their own, but with no second carer free at the same time
        else:
            g = min(gaps, key=lambda g: abs(_nearest(g.lo, g.hi, usual) - usual))
            move = Assignment(visit.id, (carer.id,), _nearest(g.lo, g.hi, usual))
            checker = checker or MoveChecker(problem, day.near, pinned=pinned, visits=day.visits)
            result = checker.check(move)
            why = result.rules[0] if result.rules else WHY_FULL
        out.append(NearMiss(carer.id, why, carer.id in met, carer.id == day.citizen.contact))
    order = {WHY_FULL: 0, WHY_PARTNER: 0, WHY_OFF: 2, WHY_SKILL: 3, WHY_AVOID: 4}
    out.sort(key=lambda n: (not n.contact, not n.known, order.get(n.why, 1), n.carer))
    return out[:limit]
