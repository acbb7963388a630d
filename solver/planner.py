"""The planner in one process: every team planned in turn, then checked and explained.

1. Teams share no carers, so each team is its own sub-problem (solver/index.py).
2. Fixed assignments go in first: pinned ones, and in a re-plan the current plan's assignments
   outside `replan_days`. The current plan's assignments inside the range are tried in their old
   place next; moving them later costs the heavy disturbance term (solver/objective.py).
3. Where the monthly cap binds (BINDING_CAP carers or fewer), a fresh plan first gives each
   citizen's month one core carer (solver/monthsearch.py), which the first routes keep to.
4. A first plan for every team, day by day (solver/construct.py): OR-Tools routing with
   continuity priced per carer routes each day (solver/dayrouting.py, ROUTE_SHARE of the time
   limit), cheapest insertion places what it leaves; then each need's usual time is set where
   the routes can best keep it.
5. The neighbourhood search (solver/search.py) spends the rest of the time limit, split over teams
   by size, and ends with the steadying descents.
6. Every plan passes `check_assignments` (the hard rules, solver/rules.py) before it is returned;
   a visit that would break a rule is unplaced with the reason instead.

`solve` (solver/solve.py) calls it directly with one worker; each worker process of
solver/parallel.py calls it for its share of the teams.
"""

from __future__ import annotations

import dataclasses
import time

from solver import rules
from solver.bound import team_bound
from solver.check import drop_violations
from solver.construct import MIN_ROUTE_SECONDS, construct, retarget_usual_times, set_usual_times
from solver.index import BASE, TeamIndex, build_team_index
from solver.monthsearch import BINDING_CAP, core_carers, place_months_whole
from solver.objective import WEIGHTS, Weights
from solver.reasons import hhmm, unplaced_reason
from solver.routes import Option
from solver.search import improve_team
from solver.spacing import pressure, spaced_windows
from solver.state import TeamState
from solver.travel import Travel
from solver.types import Assignment, Plan, Problem, Progress, SolveParams, Unplaced, failed_plan

FOREIGN = 1_000_000  # carer numbers for carers of other teams met earlier (they count for the cap)
ROUTE_SHARE = 0.25  # of the time limit for the constructive routing (the search needs the rest)
REPLAN_ROUTE_SHARE = 0.4  # a re-plan routes only the visits it must move: its search is short anyway
ROUTE_SECONDS_MAX = 1.0
REPLAN_SECONDS_PER_DAY = 2.0  # a re-plan answers fast: a few seconds per re-planned day and team are plenty


class Clock:
    def __init__(self, params: SolveParams) -> None:
        self.t0 = time.monotonic()
        self.params = params
        self.stopped = False
        self.bound: float | None = None  # a lower bound on the objective, once every team has one

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def left(self) -> float:
        return self.params.time_limit - self.elapsed()

    def stop(self) -> bool:
        if self.stopped:
            return True
        if self.params.should_stop is not None and self.params.should_stop():
            self.stopped = True
        return self.stopped

    def report(self, phase: str, objective: float | None, fraction: float, message: str = "",
               bound: float | None = None) -> None:
        if bound is not None:
            self.bound = bound
        if self.params.on_progress is not None:
            self.params.on_progress(Progress(phase=phase, elapsed=self.elapsed(), objective=objective,
                                             bound=self.bound, fraction=max(0.0, min(1.0, fraction)),
                                             message=message))


def _replan_range(problem: Problem) -> tuple[int, int]:
    return problem.replan_days if problem.replan_days is not None else (0, problem.days - 1)


def team_state(problem: Problem, ix: TeamIndex, fixed: dict[str, Assignment],
                movable: dict[str, Assignment], foreign: dict[str, int],
                weights: Weights = WEIGHTS) -> tuple[TeamState, list[int],
                                                                                 dict[int, str]]:
    """A team's state with its fixed assignments in place; returns (state, free visits, refused)."""
    month_pos = {m: i for i, m in enumerate(ix.months)}
    met_before: list[list[set[int]]] = [[set() for _ in ix.months] for _ in ix.citizens]
    for (pid, month), carers in sorted(problem.met_before.items()):
        ci = ix.citizen_pos.get(pid)
        mi = month_pos.get(month)
        if ci is None or mi is None:
            continue
        for c in sorted(carers):
            met_before[ci][mi].add(ix.carer_pos[c] if c in ix.carer_pos else foreign.setdefault(
                c, FOREIGN + len(foreign)))
    st = TeamState(ix, problem.max_carers_per_month, met_before, weights)
    refused: dict[int, str] = {}

    def kept_in_place(v: int, k: int, start: int) -> Option | None:
        """Visit v at `start` in route k, in start order, when the whole route then still fits its
        shift: the insertion test keeps the route's break in its gap, but kept visits come in one by
        one and the break may have to move to another gap for the next one."""
        seq = st.routes[k]
        p = sum(st.lo[u] <= start for u in seq)
        lo, hi = st.lo[v], st.hi[v]
        st.lo[v] = st.hi[v] = start
        fits = st.fits_in(seq[:p] + [v] + seq[p:], k)
        st.lo[v], st.hi[v] = lo, hi
        if not fits:
            return None
        tt, loc = ix.slots[k].tt, ix.v_loc
        prev_loc = BASE if p == 0 else loc[seq[p - 1]]
        next_loc = BASE if p == len(seq) else loc[seq[p]]
        detour = tt[prev_loc][loc[v]] + tt[loc[v]][next_loc] - tt[prev_loc][next_loc]
        return Option(k, p, start, start, detour)

    def put(v: int, a: Assignment) -> str | None:
        vis = ix.visits[v]
        if not rules.attendance_ok(vis.carers, a.carers):
            return f"needs {vis.carers} distinct carers"
        if not rules.window_allows(vis.earliest, vis.latest, a.start):
            return f"start {a.start} is outside the window {vis.earliest}-{vis.latest}"
        opts = []
        for cid in a.carers:
            c = ix.carer_pos.get(cid)
            if c is None:
                return f"{cid} is not a carer of team {ix.team}"
            if c not in ix.eligible[v]:
                return f"{cid} lacks the skills, is on the avoid list or has no shift for it"
            found = None
            for k in ix.slots_of_carer_day.get((c, vis.day), ()):
                sl = ix.slots[k]
                if sl.start <= a.start and a.start + vis.duration <= sl.end:
                    o = st.options(v, k, a.start, a.start)
                    found = o[0] if o else kept_in_place(v, k, a.start)
                    break  # the verifier files a visit under the first shift covering it
            if found is None:
                return f"{cid} cannot fit it at {a.start} between other visits"
            opts.append(found)
        if any(not st.is_met(v, ix.carer_pos[c]) for c in a.carers):
            new = sum(not st.is_met(v, ix.carer_pos[c]) for c in a.carers)
            if not rules.cap_allows(st.distinct(ix.v_cit[v], ix.v_month[v]) + new, st.cap):
                return "it would break the monthly cap"
        st.insert(v, opts, a.start, a.start, a.start)
        return None

    for vid in sorted(fixed, key=lambda x: (fixed[x].start, x)):
        v = ix.visit_pos.get(vid)
        if v is None:
            continue
        why = put(v, fixed[vid])
        if why is not None:
            refused[v] = f"kept assignment cannot stand: {why}"
        # An impossible pin is not planned elsewhere either: the team decided it by hand.
        st.fixed[v] = True
    # Spaced visits: windows in which any two starts keep the gap (solver/spacing.py).
    fixed_starts = {v: (st.lo[v] if st.slots_of[v] else None) for v in range(len(ix.visits)) if st.fixed[v]}
    keep = {ix.visit_pos[vid]: a.start for vid, a in movable.items() if vid in ix.visit_pos}
    busy = (pressure(ix.visits, [(sl.day, sl.start, sl.end) for sl in ix.slots])
            if problem.dependencies else None)
    windows, blocked = spaced_windows(ix.visits, ix.visit_pos, problem.dependencies, fixed_starts, keep, busy)
    for v, (lo, hi) in sorted(windows.items()):
        if not st.fixed[v]:
            vis = ix.visits[v]
            if (lo, hi) != (vis.earliest, vis.latest):
                ix.asked[v] = (vis.earliest, vis.latest)
                ix.spaced[v] = (f"start {hhmm(lo)}-{hhmm(hi)} instead of {hhmm(vis.earliest)}-"
                                f"{hhmm(vis.latest)} to keep its spacing from another visit")
            ix.visits[v] = dataclasses.replace(vis, earliest=lo, latest=hi)
            st.lo[v], st.hi[v] = lo, hi
    for v, why in sorted(blocked.items()):
        if not st.fixed[v]:
            refused[v] = why
            st.fixed[v] = True
    # Usual times come from what is already fixed, so a re-plan keeps to the times people know.
    for k in range(len(ix.slots)):
        if st.routes[k]:
            set_usual_times(st, [k])
    for vid in sorted(movable, key=lambda x: (movable[x].start, x)):
        v = ix.visit_pos.get(vid)
        if v is None or st.fixed[v] or v in refused:
            continue
        a = movable[vid]
        st.current[v] = frozenset(ix.carer_pos[c] for c in a.carers if c in ix.carer_pos)
        st.current_start[v] = a.start
        put(v, a)  # stays at its minute with its carers if it still fits; else it is free
    if problem.replan_days is not None:
        # A re-plan changes nothing outside its days: a visit left unplaced there stays unplaced.
        lo, hi = problem.replan_days
        for v, vis in enumerate(ix.visits):
            if not lo <= vis.day <= hi and not st.slots_of[v] and not st.fixed[v] and v not in refused:
                refused[v] = f"outside the re-plan days {lo}-{hi}: left unplaced, as in the current plan"
                st.fixed[v] = True
    free = [v for v in range(len(ix.visits)) if not st.slots_of[v] and not st.fixed[v] and v not in refused]
    if problem.replan_days is not None:
        # A re-plan may move visits nothing touched to place the ones that need a place, but no more of
        # them than those (the re-plan's promise; apply_changes.py's "unforced <= forced").
        st.move_budget = sum(1 for v in free if st.current[v] is None)
    return st, free, refused


def _assignments(st: TeamState) -> list[Assignment]:
    ix = st.ix
    starts: dict[int, int] = {}
    carers: dict[int, list[str]] = {}
    for k in range(len(ix.slots)):
        if not st.routes[k]:
            continue
        for v, s in zip(st.routes[k], st.schedule_route(k), strict=True):
            starts.setdefault(v, s)
            carers.setdefault(v, []).append(ix.carers[ix.slots[k].carer].id)
    return [Assignment(ix.visits[v].id, tuple(sorted(carers[v])), starts[v]) for v in sorted(starts)]


def plan_teams(problem: Problem, params: SolveParams, clock: Clock | None = None) -> Plan:
    """Plan every team of `problem` in this process; never raises for a bad problem (it explains instead)."""
    clock = clock or Clock(params)
    try:
        return _plan(problem, params, clock)
    except Exception as e:  # noqa: BLE001 - a plan with reasons beats a traceback in a web request
        return failed_plan(problem, f"{type(e).__name__}: {e}")


def _plan(problem: Problem, params: SolveParams, clock: Clock) -> Plan:
    travel = Travel.for_problem(problem)
    known_visits = {v.id for v in problem.visits}
    lo_day, hi_day = _replan_range(problem)
    day_of = {v.id: v.day for v in problem.visits}
    fixed: dict[str, Assignment] = {}
    movable: dict[str, Assignment] = {}
    for a in problem.current:
        if a.visit not in known_visits:
            continue
        if lo_day <= day_of[a.visit] <= hi_day:
            movable[a.visit] = a
        else:
            fixed[a.visit] = a
    for a in problem.pinned:
        if a.visit in known_visits:
            fixed[a.visit] = a
            movable.pop(a.visit, None)

    citizen_team = {p.id: p.team for p in problem.citizens}
    teams = sorted({citizen_team[v.citizen] for v in problem.visits if v.citizen in citizen_team})
    unplaced: list[Unplaced] = [Unplaced(v.id, f"unknown citizen {v.citizen}")
                                for v in problem.visits if v.citizen not in citizen_team]
    foreign: dict[str, int] = {}
    states: list[TeamState] = []
    refused_all: list[tuple[TeamState, dict[int, str]]] = []
    bounds: list[float] = []
    # The constructive start routes each day with OR-Tools routing: a share of the time limit,
    # split over every team's days, at most ROUTE_SECONDS_MAX a day.
    team_day_set: dict[str, set[int]] = {t: set() for t in teams}
    for v in problem.visits:
        if v.citizen in citizen_team:
            team_day_set[citizen_team[v.citizen]].add(v.day)
    days_of_team = {t: len(team_day_set[t]) for t in teams}
    for i, team in enumerate(teams):
        if clock.stop():
            break
        ix = build_team_index(problem, team, travel)
        st, free, refused = team_state(problem, ix, fixed, movable, foreign, params.weights)
        bounds.append(team_bound(st))  # before construction: only history and fixed visits are met
        days_left = max(1, sum(days_of_team[t] for t in teams[i:]))
        share = REPLAN_ROUTE_SHARE if problem.replan_days is not None else ROUTE_SHARE
        # The team's part of the routing share, its days against those of the teams still to build;
        # construct keeps to it, the time its days take beside routing's search included.
        team_seconds = max(0.0, share * clock.left()) * days_of_team[team] / days_left
        per_day = min(ROUTE_SECONDS_MAX, max(0.0, share * clock.left()) / days_left)
        try:
            exact = params.max_iterations is not None
            core = None
            if st.cap <= BINDING_CAP and not problem.current and not any(st.fixed):
                # Half the team's share of the first routes, in a timed run; all its moves when counted.
                t0 = time.monotonic()
                core = core_carers(st, free, params.seed, None if exact else t0 + team_seconds / 2,
                                   should_stop=lambda: clock.stop() or clock.left() <= 0)
                if not exact:  # a counted run's routes are counted too: the clock only caps them
                    team_seconds -= time.monotonic() - t0
            construct(st, free, per_day if per_day >= MIN_ROUTE_SECONDS else 0.0, clock.stop,
                      exact_repeat=exact, deadline=time.monotonic() + team_seconds, core=core)
            if core is not None:
                # A month the routes could not hold whole: its carer's day re-routed, or the month
                # moved to a carer with room every day, or exchanged with one of that carer's.
                while place_months_whole(st):  # each change kept costs less, so this ends
                    pass
        except Exception as e:  # noqa: BLE001 - keep what was placed; the other teams still get planned
            st.search_log["error"] = f"construct: {type(e).__name__}: {e}"
        if not problem.current and not any(st.fixed):
            retarget_usual_times(st)  # a fresh plan: usual times follow the routes found
        states.append(st)
        refused_all.append((st, refused))
        clock.report("construct", None, (i + 1) / max(1, len(teams)) * 0.05,
                     f"team {team}: first plan built")
    objs = [st.total_cost() for st in states]
    clock.report("construct", sum(objs), 0.05, "first plan for every team", bound=sum(bounds))

    # Improvement: the time left, shared by team size (visits).
    sizes = [len(st.ix.visits) for st in states]
    total_size = max(1, sum(sizes))
    # A team with little time left still runs its search's end: the must-visit sweep comes first there.
    for i, st in enumerate(states):
        if clock.stop():
            break
        remaining_size = sum(sizes[i:])
        budget = max(0.0, (clock.left() - 0.5 - 0.02 * total_size / 1000) * sizes[i] / max(1, remaining_size))
        if problem.replan_days is not None:
            # A re-plan answers fast: a few seconds per re-planned day and team are plenty.
            budget = min(budget, REPLAN_SECONDS_PER_DAY * (hi_day - lo_day + 1))

        def progress(obj: float, frac: float, i: int = i) -> None:
            objs[i] = obj
            done = (sum(sizes[:i]) + frac * sizes[i]) / total_size
            clock.report("improve", sum(objs), 0.05 + 0.95 * done, f"team {states[i].ix.team}")

        retarget = not problem.current and not any(st.fixed)
        objs[i] = improve_team(st, budget, params.seed + i, clock.stop, progress,
                               params.max_iterations, params.workers, retarget=retarget)

    assignments: list[Assignment] = []
    planned_teams = {st.ix.team for st in states}
    reasons: dict[str, str] = {}
    for st, refused in refused_all:
        assignments += _assignments(st)
        for vi, why in refused.items():
            reasons[st.ix.visits[vi].id] = why
        for vi in range(len(st.ix.visits)):
            if not st.slots_of[vi] and st.ix.visits[vi].id not in reasons:
                why = unplaced_reason(st, vi)
                if "error" in st.search_log and "routes are full" in why:
                    why = f"the planner failed on team {st.ix.team} ({st.search_log['error']})"
                reasons[st.ix.visits[vi].id] = why
    # Fixed assignments the team routes could not hold (e.g. a carer of another team) stay as given.
    placed = {a.visit for a in assignments}
    for v in problem.visits:
        if v.id not in placed and v.id not in reasons and citizen_team.get(v.citizen) not in planned_teams:
            reasons[v.id] = "planning stopped before this team was planned"

    # The final word: the verifier's rules. Offending visits are unplaced with the violation.
    assignments, dropped = drop_violations(problem, assignments, travel)
    for vid, why in dropped.items():
        reasons[vid] = f"dropped by the final check: {why}"
    placed = {a.visit for a in assignments}
    unplaced += [Unplaced(v.id, reasons.get(v.id, "not placed"))
                 for v in problem.visits if v.id not in placed and v.citizen in citizen_team]
    objective = sum(objs)
    clock.report("done", objective, 1.0, f"{len(assignments)} visits placed, {len(unplaced)} not")
    plan = Plan(assignments=assignments, unplaced=unplaced, objective=objective, bound=clock.bound)
    plan.stats.update(_stats(states))
    plan.stats["elapsed_seconds"] = round(clock.elapsed(), 2)
    for st in states:
        if st.search_log:
            plan.stats[f"iterations_{st.ix.team}"] = float(st.search_log.get("iterations", 0))  # type: ignore[arg-type]
    return plan


def _stats(states: list[TeamState]) -> dict[str, float]:
    travel = sum(st.route_travel(k) for st in states for k in range(len(st.ix.slots)))
    distinct = [st.distinct(ci, mi) for st in states for ci in range(len(st.ix.citizens))
                for mi in range(len(st.ix.months))]
    return {
        "travel_minutes": float(travel),
        "distinct_carers_sum": float(sum(distinct)),
        "distinct_carers_max": float(max(distinct, default=0)),
    }

