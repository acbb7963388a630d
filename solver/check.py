"""The planner's own feasibility check: the same five rules as shared/tools/verify_plan.py.

Every plan goes through `check_assignments` before it leaves `solve`; a visit named in a
violation is unplaced (with the violation as its reason) rather than shipped in a plan the
verifier would reject.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from solver import rules
from solver.travel import Travel
from solver.types import Assignment, Plan, Problem

CAP_WORDS = "-carer cap for"  # how a monthly-cap breach reads


def check_assignments(problem: Problem, assignments: list[Assignment],
                      travel: Travel | None = None) -> dict[str, str]:
    """Visit id -> first violation found for it (empty when the assignments are feasible)."""
    travel = travel or Travel.for_problem(problem)
    carers = {c.id: c for c in problem.carers}
    citizens = {p.id: p for p in problem.citizens}
    visits = {v.id: v for v in problem.visits}
    bad: dict[str, str] = {}

    def flag(vid: str, msg: str) -> None:
        bad.setdefault(vid, msg)

    work: dict[str, dict[int, list[tuple[int, int, str, str]]]] = defaultdict(lambda: defaultdict(list))
    met: dict[tuple[str, tuple[int, int]], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    for a in sorted(assignments, key=lambda a: a.visit):
        v = visits.get(a.visit)
        if v is None:
            flag(a.visit, "unknown visit")
            continue
        if a.visit in seen:
            flag(a.visit, "assigned twice")
            continue
        seen.add(a.visit)
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

    for c in sorted(work):
        carer = carers[c]
        shifts: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for s in carer.shifts:
            shifts[s.day].append((s.start, s.end))
        for day in sorted(work[c]):
            by_shift: dict[tuple[int, int], list[tuple[int, int, str, str]]] = defaultdict(list)
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
                    leg = travel.minutes(here, loc)
                    if not rules.arrives_in_time(t, leg, st):
                        flag(vid, f"{c} cannot arrive by {st}")
                    t, here, last = max(t + leg, st) + (en - st), loc, vid
                if last is not None and not rules.back_in_time(t, travel.minutes(here, carer.team), s_end):
                    flag(last, f"{c} cannot be back at base by {s_end}")

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
    return bad


def check_plan(problem: Problem, plan: Plan, travel: Travel | None = None) -> list[str]:
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


def travel_minutes(problem: Problem, assignments: list[Assignment], travel: Travel | None = None) -> int:
    """Minutes travelled in all: each carer's shift from the base, through its visits in start order, back."""
    travel = travel or Travel.for_problem(problem)
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
        here = carers[c].team
        for _t, place in sorted(stops):
            minutes += travel.minutes(here, place)
            here = place
        minutes += travel.minutes(here, carers[c].team)
    return minutes
