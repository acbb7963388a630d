"""The planner's own feasibility check: the same rules as shared/tools/verify_plan.py.

Every plan goes through `check_assignments` before it leaves `solve`; a visit named in a
violation is unplaced (with the violation as its reason) rather than shipped in a plan the
verifier would reject. `drop_violations` repeats that until nothing is left to drop.

The optional rules: each carer travels by their own travel mode; a shift's break window needs an
unbroken pause (no visit, no travel) starting inside it; spaced visits keep their gap. When a break
or a spacing fails, the visit blamed is the one whose drop mends it, the least important first
(priority 3 before 2 before 1), so the check drops cleaning before the morning visit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping

from solver import rules
from solver.travel import CarerTravel, Travel
from solver.types import Assignment, BreakWindow, Plan, Problem, Visit

CAP_WORDS = "-carer cap for"  # how a monthly-cap breach reads

Stop = tuple[int, int, str, str]  # start, end, place (citizen id), visit id


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def idle_gaps(seq: list[Stop], base: str, travel: Travel, s_start: int, s_end: int) -> list[tuple[int, int]]:
    """A shift's idle spans (free from, must leave by), exactly as the verifier takes them: the shift's
    start to the first departure, each visit's end to the next departure, the last end to the departure
    for base. `seq` in start order."""
    gaps = []
    t, here = s_start, base
    for st, en, loc, _vid in seq:
        leg = travel.minutes(here, loc)
        gaps.append((t, st - leg))
        t, here = max(t + leg, st) + (en - st), loc
    gaps.append((t, s_end - travel.minutes(here, base)))
    return gaps


def _fits(pause: BreakWindow, gaps: list[tuple[int, int]]) -> bool:
    return rules.break_start(gaps, pause.earliest, pause.latest, pause.duration) is not None


def _break_culprit(seq: list[Stop], base: str, travel: Travel, shift: tuple[int, int], pause: BreakWindow,
                   visits: Mapping[str, Visit], fixed: Collection[str]) -> str:
    """The visit to drop so that the shift holds its break: one whose drop alone makes room, the least
    important first (and one the planner may move before a pinned one or one outside the re-plan days);
    else the first such in the window's way (the next round looks again)."""
    order = sorted(range(len(seq)), key=lambda i: (seq[i][3] in fixed, -visits[seq[i][3]].priority, i))
    for i in order:
        rest = seq[:i] + seq[i + 1:]
        if _fits(pause, idle_gaps(rest, base, travel, *shift)):
            return seq[i][3]
    in_way = [i for i in order if seq[i][1] > pause.earliest and seq[i][0] < pause.latest + pause.duration]
    return seq[(in_way or order)[0]][3]


def check_assignments(problem: Problem, assignments: list[Assignment],
                      travel: Travel | CarerTravel | None = None, *,
                      visits: Mapping[str, Visit] | None = None) -> dict[str, str]:
    """Visit id -> first violation found for it (empty when the assignments are feasible).

    A break or a spacing is judged only once the visits around it break no other rule (dropping those
    may mend it): the answer is empty exactly when the assignments are feasible, and dropping every
    visit it names and asking again ends in a feasible plan (`drop_violations`). `visits`: the problem's
    visits by id, when the caller has them (one checking many moves indexes them once)."""
    legs = travel if isinstance(travel, CarerTravel) else CarerTravel(problem, travel)
    carers = {c.id: c for c in problem.carers}
    citizens = {p.id: p for p in problem.citizens}
    if visits is None:
        visits = {v.id: v for v in problem.visits}
    bad: dict[str, str] = {}

    def flag(vid: str, msg: str) -> None:
        bad.setdefault(vid, msg)

    work: dict[str, dict[int, list[Stop]]] = defaultdict(lambda: defaultdict(list))
    met: dict[tuple[str, tuple[int, int]], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    seen: dict[str, Assignment] = {}
    for a in sorted(assignments, key=lambda a: a.visit):
        v = visits.get(a.visit)
        if v is None:
            flag(a.visit, "unknown visit")
            continue
        if a.visit in seen:
            flag(a.visit, "assigned twice")
            continue
        seen[a.visit] = a
        p = citizens[v.citizen]
        if not rules.attendance_ok(v.carers, a.carers):
            flag(v.id, f"needs {v.carers} distinct carers")
        if not rules.window_allows(v.earliest, v.latest, a.start):
            flag(v.id, f"start {a.start} outside its window")
        for c in a.carers:
            carer = carers.get(c)
            if carer is None:
                flag(v.id, f"unknown carer {c}")
                continue
            if not rules.avoid_allows(p.avoid, c):
                flag(v.id, f"{c} is on {p.id}'s avoid list")
            if not rules.skills_allow(carer.skills, v.skills):
                flag(v.id, f"{c} lacks skills {sorted(v.skills - carer.skills)}")
            work[c][v.day].append((a.start, a.start + v.duration, p.id, v.id))
            met[(p.id, problem.month_of(v.day))][c].append(v.id)

    # Shifts that owe a break, with their visits: judged once the routes and the cap are.
    owed: list[tuple[str, tuple[int, int], BreakWindow, list[Stop]]] = []
    for c in sorted(work):
        carer = carers[c]
        travel_c = legs.of(c)
        shifts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        pauses: dict[tuple[int, int, int], BreakWindow] = {}
        for s in carer.shifts:
            shifts[s.day].append((s.start, s.end))
            if s.break_window is not None:
                pauses[(s.day, s.start, s.end)] = s.break_window
        for day in sorted(work[c]):
            by_shift: dict[tuple[int, int], list[Stop]] = defaultdict(list)
            for it in work[c][day]:
                home = [s for s in shifts.get(day, []) if s[0] <= it[0] and it[1] <= s[1]]
                if not home:
                    flag(it[3], f"{c} has no shift covering {it[0]}-{it[1]}")
                    continue
                by_shift[home[0]].append(it)
            for (s_start, s_end), seq in by_shift.items():
                seq.sort()
                t, here = s_start, carer.team
                last = None
                for st, en, loc, vid in seq:
                    leg = travel_c.minutes(here, loc)
                    if not rules.arrives_in_time(t, leg, st):
                        flag(vid, f"{c} cannot arrive by {st}")
                    t, here, last = max(t + leg, st) + (en - st), loc, vid
                if last is not None and not rules.back_in_time(t, travel_c.minutes(here, carer.team), s_end):
                    flag(last, f"{c} cannot be back at base by {s_end}")
                pause = pauses.get((day, s_start, s_end))
                if pause is not None and seq:
                    owed.append((c, (s_start, s_end), pause, seq))

    for key in sorted(met):
        pid, month = key
        before = problem.met_before.get(key, frozenset())
        by_carer = met[key]
        total = set(by_carer) | set(before)
        if not rules.cap_allows(len(by_carer), problem.max_carers_per_month):
            # The plan alone must keep the cap too (the verifier knows no history).
            excess = len(by_carer) - problem.max_carers_per_month
            for c in sorted(by_carer, key=lambda c: (len(by_carer[c]), c))[:excess]:
                for vid in by_carer[c]:
                    flag(vid, f"the {problem.max_carers_per_month}-carer cap for {pid} in "
                              f"{month[0]}-{month[1]:02d} would be exceeded")
        elif not rules.cap_allows(len(total), problem.max_carers_per_month):
            # Blame the visits of the carers met least, so that dropping them restores the cap.
            new = sorted((c for c in by_carer if c not in before), key=lambda c: (len(by_carer[c]), c))
            excess = len(total) - problem.max_carers_per_month
            for c in new[:excess]:
                for vid in by_carer[c]:
                    flag(vid, f"the {problem.max_carers_per_month}-carer cap for {pid} in "
                              f"{month[0]}-{month[1]:02d} would be exceeded")

    # Visits the planner may not move (pinned, or outside the re-plan days): blamed last.
    first_day, last_day = problem.replan_days or (0, problem.days)
    fixed = {a.visit for a in problem.pinned} | {
        vid for vid in seen if not first_day <= visits[vid].day <= last_day}

    # Rule 7: a shift with a visit holds its break.
    for c, (s_start, s_end), pause, seq in owed:
        if any(it[3] in bad for it in seq):
            continue  # the visits flagged above go first; what they free may hold the break
        travel_c = legs.of(c)
        if _fits(pause, idle_gaps(seq, carers[c].team, travel_c, s_start, s_end)):
            continue
        vid = _break_culprit(seq, carers[c].team, travel_c, (s_start, s_end), pause, visits, fixed)
        flag(vid, f"{c} gets no unbroken {pause.duration}-minute break starting "
                  f"{_hhmm(pause.earliest)}-{_hhmm(pause.latest)} in the shift "
                  f"{_hhmm(s_start)}-{_hhmm(s_end)} on day {visits[vid].day}")

    # Rule 8: spaced visits keep their gap. Blame one the planner may move, then the visit in most
    # broken spacings, the least important, else the later one: dropping it unbinds them.
    broken: list[tuple[str, str, int, int, int | None]] = []
    for dep in problem.dependencies:
        a1, a2 = seen.get(dep.first), seen.get(dep.then)
        if a1 is None or a2 is None or dep.first in bad or dep.then in bad:
            continue
        v1, v2 = visits[dep.first], visits[dep.then]
        first_end = v1.day * 1440 + a1.start + v1.duration
        then_start = v2.day * 1440 + a2.start
        if not rules.spacing_allows(first_end, then_start, dep.min_gap, dep.max_gap):
            broken.append((dep.first, dep.then, then_start - first_end, dep.min_gap, dep.max_gap))
    times = Counter(vid for first, then, *_ in broken for vid in (first, then))
    for first, then, gap, lo, hi in broken:
        if first in bad or then in bad:
            continue
        within = f"{lo}-{hi}" if hi is not None else f"at least {lo}"
        if (then in fixed, times[first], visits[first].priority) > (first in fixed, times[then],
                                                                    visits[then].priority):
            flag(first, f"ends {gap} min before {then} starts, outside the spacing of {within} min")
        else:
            flag(then, f"starts {gap} min after {first} ends, outside the spacing of {within} min")
    return bad


def drop_violations(problem: Problem, assignments: list[Assignment],
                    travel: Travel | CarerTravel | None = None) -> tuple[list[Assignment], dict[str, str]]:
    """The assignments with every visit `check_assignments` names dropped, asked again until none is
    named (each round drops at least one, so it ends), and visit id -> why it was dropped."""
    legs = travel if isinstance(travel, CarerTravel) else CarerTravel(problem, travel)
    dropped: dict[str, str] = {}
    while True:
        bad = check_assignments(problem, assignments, legs)
        if not bad:
            return assignments, dropped
        assignments = [a for a in assignments if a.visit not in bad]
        dropped.update(bad)


def check_plan(problem: Problem, plan: Plan, travel: Travel | CarerTravel | None = None) -> list[str]:
    """Everything wrong with a whole plan, one line each (empty: feasible): every visit exactly once,
    assigned or unplaced, and `check_assignments`' rules."""
    bad = check_assignments(problem, plan.assignments, travel)
    out = [f"{vid}: {msg}" for vid, msg in sorted(bad.items())]
    ids = [a.visit for a in plan.assignments] + [u.visit for u in plan.unplaced]
    counts = Counter(ids)
    missing = {v.id for v in problem.visits} - set(ids)
    out += [f"{vid}: neither assigned nor unplaced" for vid in sorted(missing)]
    out += [f"{vid}: listed {n} times" for vid, n in sorted(counts.items()) if n > 1]
    return out


def unplaced_by_priority(problem: Problem, plan: Plan) -> dict[int, int]:
    """How many visits of each priority the plan leaves out (as the verifier reports them)."""
    priority = {v.id: v.priority for v in problem.visits}
    counts = Counter(priority[u.visit] for u in plan.unplaced if u.visit in priority)
    return dict(sorted(counts.items()))


def placed_by_priority(problem: Problem, assignments: list[Assignment]) -> dict[int, int]:
    """How many visits of each priority are placed."""
    priority = {v.id: v.priority for v in problem.visits}
    counts = Counter(priority[a.visit] for a in assignments if a.visit in priority)
    return dict(sorted(counts.items()))


def breaks_owed(problem: Problem, assignments: list[Assignment]) -> int:
    """Shifts with a break window and at least one visit: the breaks the verifier checks."""
    visits = {v.id: v for v in problem.visits}
    carers = {c.id: c for c in problem.carers}
    busy: set[tuple[str, int, int, int]] = set()
    for a in assignments:
        v = visits.get(a.visit)
        if v is None:
            continue
        for c in a.carers:
            for s in carers[c].shifts if c in carers else ():
                if s.day == v.day and s.start <= a.start and a.start + v.duration <= s.end:
                    if s.break_window is not None:
                        busy.add((c, s.day, s.start, s.end))
                    break
    return len(busy)


def travel_minutes(problem: Problem, assignments: list[Assignment],
                   travel: Travel | CarerTravel | None = None) -> int:
    """Minutes travelled in all: each carer's shift from the base, through its visits in start order, back,
    by the carer's own travel mode."""
    legs = travel if isinstance(travel, CarerTravel) else CarerTravel(problem, travel)
    visits = {v.id: v for v in problem.visits}
    carers = {c.id: c for c in problem.carers}
    routes: dict[tuple[str, int, int], list[tuple[int, str]]] = defaultdict(list)
    for a in assignments:
        v = visits[a.visit]
        for c in a.carers:
            # A visit outside every shift is a violation (check_assignments); it joins no route.
            for s in carers[c].shifts if c in carers else ():
                if s.day == v.day and s.start <= a.start <= s.end:
                    routes[(c, v.day, s.start)].append((a.start, v.citizen))
                    break
    minutes = 0
    for (c, _day, _start), stops in routes.items():
        travel_c = legs.of(c)
        here = carers[c].team
        for _t, place in sorted(stops):
            minutes += travel_c.minutes(here, place)
            here = place
        minutes += travel_c.minutes(here, carers[c].team)
    return minutes
