"""Where a new citizen fits: a small core team of carers and a start for each of the citizen's visits not
planned yet, placed into the team's plan with as few other visits moved as the room needs.

1. The bound (`faces_bound`): the fewest carers whose shifts, skills and avoid list could make every one
   of the visits, other visits ignored (a set cover, exact by CP-SAT). No plan meets fewer faces.
2. The core team (`choose_core`): at most max(bound, CORE_FACES) carers who together cover the visits:
   carers who have room for a visit in their day as it stands, and who pass close by, cost least; the
   citizen's contact carer and carers the citizen already meets are preferred (a greedy cover, then
   exchanges while the price falls).
3. Placing (solver/room.py `make_room`): the plan as it stands, with the citizen's carers limited to the
   core team. A visit in a core carer's way is handed on to a carer its citizen already meets (or kept
   at another minute inside its window), along a chain of two such carers at most; no more other visits
   move than the citizen's visits, nobody else loses a visit or meets a new carer, and every hard rule
   of the planner holds (skills, avoid lists, shifts, breaks, spacing, the monthly cap of every
   citizen). A placing that would leave another visit unplaced is not offered. Each need aims at one
   time of day where that moves nobody else. A core team that leaves visits out is tried again without
   the carer on whose days most were left (CORE_TRIES teams at most; most placed, then fewest other
   visits moved, wins). Every limit is counted, not timed: the same proposal on any machine.
4. What the core team cannot take goes, visit by visit, to a carer `rank_carers` offers (every rule and
   the cap, nothing else moving): a face the citizen already has first. What nobody can take says who
   came closest and what stopped each.

Pure: solver types in, a `Fit` out. Only the citizen's team is planned; the team's other unplaced visits
stay as they are.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from app.replan.candidates import Candidate, NearMiss, _Day, near_misses, rank_carers
from app.replan.diff import MovedVisit, diff_plans
from solver.check import check_assignments, travel_minutes
from solver.contacts import could_make
from solver.room import make_room
from solver.types import Assignment, Carer, Citizen, Problem, Visit

CORE_FACES = 4  # faces a month a new citizen's core team aims at where the carers' shifts allow it
ROOM_COST = 60  # core choice: a visit the carer has no room for today (someone else's visit must move)
FACE_COST = 3 * ROOM_COST  # core choice: one more carer in the core team
CONTACT_BONUS = 30  # core choice: per visit the contact carer could take
CORE_SECONDS = 5.0  # CP-SAT's wall-clock limit for the bound and for the core choice
CORE_WORK = 1.0  # ... and its deterministic limit (the same core on any machine; about a second)
# Making room after the visits in the way are handed on (solver/room.py): quick steps and exact re-solves
# for what is left, step-counted (the same proposal on any machine). On the bench's teams they placed
# nothing the handing-on had not (docs/experiments.md), so by default none run.
FIT_STEPS = 0
FIT_EXACT_STEPS = 0
CORE_TRIES = 3  # core teams tried at most, when the first leaves visits out
FIT_SECONDS = 8.0  # the exact re-solves stop after this long (a machine under load): seconds, not minutes


@dataclass(frozen=True, slots=True)
class FitVisit:
    visit: str
    carers: tuple[str, ...]  # empty when it does not fit
    start: int | None
    why_not: tuple[NearMiss, ...] = ()  # when it does not fit: the closest carers and what stopped each


@dataclass(frozen=True, slots=True)
class Fit:
    citizen: str
    visits: list[FitVisit]
    core_team: list[tuple[str, int]]  # carers and how many of the visits each takes, most first
    added_travel: int  # the team's travel minutes with the proposal, less the plan's
    # Other citizens' visits that move to make room (another carer they meet, or another start)
    moves: list[MovedVisit] = dataclasses.field(default_factory=list)
    bound: int = 0  # the fewest faces any plan could give the citizen (shifts, skills, avoid list)
    core: tuple[str, ...] = ()  # the core team chosen before placing

    @property
    def placed(self) -> int:
        return sum(1 for v in self.visits if v.carers)

    @property
    def faces(self) -> int:
        """Distinct carers the proposal gives the citizen in the period."""
        return len({c for v in self.visits for c in v.carers})

    def assignments(self) -> list[Assignment]:
        """The proposal as assignments: the citizen's visits and the visits that move."""
        return ([Assignment(v.visit, tuple(sorted(v.carers)), v.start) for v in self.visits
                 if v.carers and v.start is not None]
                + [Assignment(m.visit, m.new_carers, m.new_start) for m in self.moves
                   if m.new_start is not None])


def _eligible(carer: Carer, visit: Visit, citizen: Citizen) -> bool:
    """The citizen's team, and the rules that other visits do not change (`could_make`)."""
    return carer.team == citizen.team and could_make(carer, visit, citizen.avoid)


def _cp_solver() -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = CORE_SECONDS
    solver.parameters.max_deterministic_time = CORE_WORK
    solver.parameters.num_workers = 1  # the same answer on any machine
    solver.parameters.random_seed = 0
    return solver


def faces_bound(problem: Problem, citizen: str, visits: Iterable[Visit] | None = None) -> int:
    """The fewest carers who could make every one of the citizen's visits (all of them, or `visits`) by
    their shifts, skills and avoid list alone: no plan placing them all gives fewer faces in the period.
    Visits nobody could make are left out of the count."""
    p = next(x for x in problem.citizens if x.id == citizen)
    mine = list(visits) if visits is not None else [v for v in problem.visits if v.citizen == citizen]
    carers = [c for c in problem.carers if c.team == p.team]
    model = cp_model.CpModel()
    use = {c.id: model.new_bool_var(c.id) for c in carers}
    for v in mine:
        able = [use[c.id] for c in carers if _eligible(c, v, p)]
        if len(able) >= v.carers:
            model.add(sum(able) >= v.carers)
    model.minimize(sum(use.values()))
    solver = _cp_solver()
    solver.solve(model)
    return int(solver.best_objective_bound + 0.999)


def choose_core(problem: Problem, current: Iterable[Assignment], citizen: str, visits: list[Visit], *,
                size: int, met: Iterable[str] = (), exclude: Collection[str] = ()) -> list[str]:
    """At most `size` carers who together could make every visit anyone could, cheapest first: a visit
    for which the carer has room in the day as it stands costs its added travel, one without room
    ROOM_COST, a carer not yet met FACE_COST; the contact carer's visits earn CONTACT_BONUS each.
    A greedy cover, then single exchanges of a core carer for another while the price falls; carers in
    `exclude` are left out."""
    current = list(current)
    p = next(x for x in problem.citizens if x.id == citizen)
    carers = [c for c in problem.carers if c.team == p.team]
    met = set(met)
    lookup = {v.id: v for v in problem.visits}
    price: list[dict[str, int]] = []  # per visit: carer -> what taking it costs
    for v in visits:
        day = _Day(problem, current, v, lookup)
        row: dict[str, int] = {}
        for c in carers:
            if _eligible(c, v, p):
                gaps = day.gaps(c)
                row[c.id] = ((min(g.added_travel for g in gaps) if gaps else ROOM_COST)
                             - (CONTACT_BONUS if c.id == p.contact else 0))
        if len(row) >= v.carers:
            price.append(row)
    need = [v.carers for v in visits if sum(1 for c in carers if _eligible(c, v, p)) >= v.carers]

    def cost(core: Collection[str]) -> tuple[int, int]:
        uncovered, total = 0, sum(0 if c in met else FACE_COST for c in core)
        for row, n in zip(price, need, strict=True):
            offers = sorted(row[c] for c in core if c in row)
            if len(offers) < n:
                uncovered += 1
            else:
                total += sum(offers[:n])
        return uncovered, total

    ids = sorted(c.id for c in carers if c.id not in exclude and any(c.id in row for row in price))
    core: list[str] = []
    while len(core) < size:
        pick = min((x for x in ids if x not in core), key=lambda x: (cost([*core, x]), x), default=None)
        if pick is None or cost([*core, pick]) >= cost(core) and cost(core)[0] == 0:
            break
        core.append(pick)
    improved = True
    while improved:
        improved = False
        now = cost(core)
        for i in range(len(core)):
            for other in ids:
                if other in core:
                    continue
                trial = [*core[:i], other, *core[i + 1:]]
                if cost(trial) < now:
                    core, now, improved = trial, cost(trial), True
    return sorted(core)


def _team_only(problem: Problem, team: str, current: dict[str, Assignment], keep: set[str]) -> Problem:
    """The citizen's team alone, with the plan's visits and the visits `keep` (teams share no carers)."""
    citizens = [p for p in problem.citizens if p.team == team]
    ids = {p.id for p in citizens}
    visits = [v for v in problem.visits if v.citizen in ids and (v.id in current or v.id in keep)]
    vids = {v.id for v in visits}
    return dataclasses.replace(
        problem, teams=[t for t in problem.teams if t.id == team],
        carers=[c for c in problem.carers if c.team == team], citizens=citizens, visits=visits,
        dependencies=[d for d in problem.dependencies if d.first in vids and d.then in vids],
        met_before={k: v for k, v in problem.met_before.items() if k[0] in ids},
        pinned=[a for a in problem.pinned if a.visit in vids],
        current=[a for a in current.values() if a.visit in vids], replan_days=None)


def _fewest_faces(faces: frozenset[str], core: set[str]) -> Callable[[Candidate], tuple[int, ...]]:
    """A visit the core team could not take: a carer the citizen already has first, then the core."""
    return lambda c: (len(set(c.carers) - faces), 0 if set(c.carers) <= core else 1, *c.key())


def fit_citizen(problem: Problem, current: Iterable[Assignment], citizen: str, *,
                pinned: Iterable[str] = (), steps: int = FIT_STEPS, exact_steps: int = FIT_EXACT_STEPS,
                seconds: float = FIT_SECONDS,
                seed: int = 0) -> Fit:
    """Where the citizen's visits not planned yet fit into the plan `current` (see the module docstring):
    a core team of few carers, the start of each visit, and the other visits that move to make room."""
    plan = {a.visit: a for a in current}
    pinned = set(pinned)
    person = next(p for p in problem.citizens if p.id == citizen)
    mine = sorted((v for v in problem.visits if v.citizen == citizen and v.id not in plan),
                  key=lambda v: (v.day, v.earliest, v.id))
    if not mine:
        return Fit(citizen=citizen, visits=[], core_team=[], added_travel=0)
    sub = _team_only(problem, person.team, plan, {v.id for v in mine})
    broken = check_assignments(sub, sub.current)
    if broken:
        # Assignments the plan holds against a rule today (a need changed since) stay out of the fit:
        # they wait for the team's next re-plan, as they would without it.
        sub = _team_only(problem, person.team, {k: a for k, a in plan.items() if k not in broken},
                         {v.id for v in mine})
    sub.pinned = [a for a in sub.current if a.visit in pinned] + [
        a for a in sub.pinned if a.visit not in pinned]
    met = {c for v in sub.visits if v.citizen == citizen and v.id in plan for c in plan[v.id].carers}
    met |= {c for (who, _m), cs in sub.met_before.items() if who == citizen for c in cs}
    bound = faces_bound(sub, citizen, mine)
    room = max(0, sub.max_carers_per_month - len(met))
    mine_ids = {v.id for v in mine}
    eligible = {v.id: {c.id for c in sub.carers if _eligible(c, v, person)} for v in mine}

    def place_with(core: list[str]) -> tuple[dict[str, Assignment], list[MovedVisit], dict[str, Assignment]]:
        """The citizen's visits the core team takes, the other visits that move, and the plan after."""
        after = {a.visit: a for a in sub.current}
        if not core:
            return {}, [], after
        outside = frozenset(c.id for c in sub.carers if c.id not in core)
        limited = dataclasses.replace(
            sub, citizens=[dataclasses.replace(p, avoid=p.avoid | outside) if p.id == citizen else p
                           for p in sub.citizens],
            visits=[dataclasses.replace(v, priority=1) for v in sub.visits],
            replan_days=(mine[0].day, mine[-1].day))
        proposal = make_room(limited, mine_ids, steps=steps, exact_steps=exact_steps,
                             seconds=seconds, seed=seed)
        diff = diff_plans(limited, sub.current, proposal, forced=mine_ids)
        if any(u.was_planned for u in diff.unplaced):
            return {}, [], after
        placed = {a.visit: a for a in proposal.assignments if a.visit in mine_ids}
        moves = [dataclasses.replace(mv, old_carers=tuple(sorted(mv.old_carers)),
                                     new_carers=tuple(sorted(mv.new_carers))) for mv in diff.moved
                 if mv.visit not in mine_ids and mv.old_start is not None and mv.new_start is not None]
        after.update({a.visit: a for a in proposal.assignments})
        return placed, moves, after

    size = min(room + len(met), max(bound, CORE_FACES))
    core = choose_core(sub, sub.current, citizen, mine, size=size, met=met)
    placed, moves, after = place_with(core)
    # A core team that leaves visits out tries again without the carer on whose days most are left:
    # the best of at most CORE_TRIES teams (most placed, then fewest others' visits moved) is proposed.
    left_out: set[str] = set()
    for _ in range(CORE_TRIES - 1):
        left = [v.id for v in mine if v.id not in placed and eligible[v.id] & set(core)]
        if not left:
            break
        blame = {c: sum(1 for x in left if c in eligible[x]) for c in core
                 if c not in met and c not in left_out}
        if not blame:
            break
        left_out.add(min(blame, key=lambda c: (-blame[c], c)))
        other = choose_core(sub, sub.current, citizen, mine, size=size, met=met, exclude=left_out)
        if not other or other == core:
            break
        trial = place_with(other)
        if (-len(trial[0]), len(trial[1])) < (-len(placed), len(moves)):
            core, (placed, moves, after) = other, trial
    out: list[FitVisit] = []
    chosen = set(core)
    for v in mine:
        if v.id in placed:
            a = placed[v.id]
            out.append(FitVisit(v.id, a.carers, a.start))
            continue
        ranked = rank_carers(sub, after.values(), v.id, pinned=pinned, limit=1,
                             order=_fewest_faces(frozenset(c for x in out for c in x.carers), chosen))
        if not ranked:
            missed = near_misses(sub, after.values(), v.id, pinned=pinned, limit=3)
            out.append(FitVisit(v.id, (), None, tuple(missed)))
            continue
        best = ranked[0]
        after[v.id] = Assignment(v.id, tuple(sorted(best.carers)), best.start)
        out.append(FitVisit(v.id, best.carers, best.start))
    taken: dict[str, int] = {}
    for x in out:
        for cid in x.carers:
            taken[cid] = taken.get(cid, 0) + 1
    order = sorted(taken.items(), key=lambda kv: (-kv[1], kv[0]))
    added = travel_minutes(sub, list(after.values())) - travel_minutes(sub, sub.current)
    return Fit(citizen=citizen, visits=out, core_team=order, added_travel=added, moves=moves, bound=bound,
               core=tuple(core))


def with_preferences(problem: Problem, prefer: Iterable[Assignment]) -> Problem:
    """`problem` starting from `prefer` (a fit's proposal): those assignments stand in for its current
    ones of the same visits, so a plan keeps them unless it finds better. Visits the problem does not
    hold, and pinned ones (the team decided those by hand), keep what they have."""
    pinned = {a.visit for a in problem.pinned}
    known = {v.id for v in problem.visits}
    mine = {a.visit: a for a in prefer if a.visit in known and a.visit not in pinned}
    return dataclasses.replace(problem, current=[a for a in problem.current if a.visit not in mine]
                               + list(mine.values()))
