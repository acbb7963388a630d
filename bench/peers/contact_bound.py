"""An upper bound on the contact-carer share (a figure beside the peers, not a planner).

The verifier's contact share is the number of placed visits the citizen's contact carer attends,
divided by the number of placed visits of citizens who have a contact carer (a double visit counts
once, and counts as a hit when the contact carer is one of its two carers). This module bounds the
numerator, the visits a contact carer can attend at all, so that no valid plan can exceed it:

- A carer attends a visit only as the contact carer of that visit's citizen, so the visits that can
  count are split by (contact carer, day), and no visit belongs to two such groups. The sum of each
  group's own maximum is therefore the maximum of the sum; the groups never compete.
- Within a group, a *candidate* visit is one the carer is eligible for: all the visit's skills, not on
  the citizen's avoid list, and some shift of that day holds [start, start + duration] for a start in
  [earliest, latest]. The candidate count is the simpler `eligible` figure.
- The most candidates the carer can attend that day comes from a small CP-SAT model: an optional
  interval per (visit, shift that can hold it), at most one shift per visit, no overlap within a shift.
  Every route starts and ends at the team base, so a visit in a shift starts no earlier than
  shift.start + travel(base, citizen) and ends no later than shift.end - travel(citizen, base). Each
  interval is the visit's duration plus the least travel from that citizen to anywhere the carer may
  go next among the places the model knows: another candidate visit of that shift (0 minutes at the
  same citizen) or the base. In a real route the next candidate visit, or the base, is reached
  directly or through other visits, which never takes less than the direct travel (the triangle
  inequality: great-circle distances obey it and rounding each leg up keeps it; an instance with a
  travel matrix is first closed under shortest paths for that reason). Everything else is relaxed:
  the carer's other (non-contact) work, the second carer of a double visit, the monthly cap.
- A model that does not finish in its time limit contributes CP-SAT's proven bound, rounded down,
  which is still never below the optimum.

The bound holds for plans the verifier accepts. `share` assumes every visit placed (the usual case);
a plan that leaves visits unplaced has a smaller denominator, so compare it with `share_at(placed)`.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from bench.peers.base import may_serve, shifts_by_day, solve_bound_model
from solver.travel import Travel
from solver.types import Carer, CarerId, Problem, Shift, Visit

Minutes = Callable[[str, str], int]  # travel minutes between two place ids (team base or citizen)


@dataclass
class ContactBound:
    """The most visits contact carers can attend, and that as a share of the visits."""

    share: float = 0.0  # attendable / contact_visits: no valid plan placing every visit goes above it
    eligible_share: float = 0.0  # eligible / contact_visits: visits the contact carer is eligible for
    attendable: int = 0  # upper bound on visits attended by their citizen's contact carer
    eligible: int = 0  # visits whose contact carer has the skills, is not avoided and has a shift
    contact_visits: int = 0  # visits of citizens with a contact carer (the verifier's denominator)
    other_visits: int = 0  # visits of citizens without a contact carer (not in the verifier's share)
    carer_days: int = 0  # (contact carer, day) models, one per pair with at least one candidate visit
    proven_optimal: int = 0  # of those, solved to optimality (the rest contribute CP-SAT's bound)
    seconds: float = 0.0

    def share_at(self, placed: int) -> float | None:
        """The bound on the share of a plan that places `placed` visits (None when it places none)."""
        return share_bound_at(self.to_dict(), placed)

    def to_dict(self) -> dict[str, object]:
        return {"share": self.share, "eligible_share": self.eligible_share, "attendable": self.attendable,
                "eligible": self.eligible, "contact_visits": self.contact_visits,
                "other_visits": self.other_visits, "carer_days": self.carer_days,
                "proven_optimal": self.proven_optimal, "seconds": self.seconds}


def share_bound_at(bound: Mapping[str, object], placed: int | None) -> float | None:
    """Upper bound on the verifier's contact share of any valid plan placing `placed` visits.

    Works on `ContactBound.to_dict()` (as stored in results.json). At least `placed - other_visits` of
    the placed visits belong to citizens with a contact, and at most `attendable` of them are hits.
    """
    attendable, other = bound.get("attendable"), bound.get("other_visits", 0)
    if not isinstance(attendable, int) or not isinstance(other, int) or not placed:
        return None
    denominator = placed - other
    if denominator <= 0:
        return None
    return round(min(1.0, attendable / denominator), 3)


def travel_metric(problem: Problem, mode: str | None = None) -> Minutes:
    """Travel minutes that obey the triangle inequality, never above the instance's own (by car, or
    of one of its `travel_modes`).

    Great-circle minutes already do (ceil(a) + ceil(b) >= ceil(a + b)); an explicit matrix need not,
    so it is replaced by its shortest paths (a detour through other places is then never shorter).
    """
    travel = Travel.for_problem(problem, mode)
    spec = travel.spec
    if spec.matrix_points is None or spec.matrix_minutes is None:
        return travel.minutes
    import numpy as np

    index = {p: i for i, p in enumerate(spec.matrix_points)}
    m = np.array(spec.matrix_minutes, dtype=np.int64)
    np.fill_diagonal(m, 0)  # the verifier counts the same place as 0 minutes
    for k in range(len(index)):
        m = np.minimum(m, m[:, k:k + 1] + m[k:k + 1, :])

    def minutes(a: str, b: str) -> int:
        return 0 if a == b else int(m[index[a], index[b]])

    return minutes


def _fits(visit: Visit, shift: Shift) -> bool:
    """Some start in [earliest, latest] keeps [start, start + duration] inside the shift."""
    return max(visit.earliest, shift.start) <= min(visit.latest, shift.end - visit.duration)


def carer_day_max(carer: Carer, visits: list[Visit], shifts: list[Shift], minutes: Minutes,
                  time_limit: float = 5.0) -> tuple[int, bool]:
    """The most of these visits (one carer, one day) the carer can attend; (value, proven optimal).

    `minutes` must obey the triangle inequality (see `travel_metric`); `visits` are the carer's
    candidates of that day. Returns CP-SAT's proven bound (rounded down) when the model does not finish.
    """
    base = carer.team
    # (visit index, shift index) -> start range [lo, hi], with room for travel from and to the base.
    ranges: dict[tuple[int, int], tuple[int, int]] = {}
    for vi, v in enumerate(visits):
        for si, s in enumerate(shifts):
            lo = max(v.earliest, s.start + minutes(base, v.citizen))
            hi = min(v.latest, s.end - v.duration - minutes(v.citizen, base))
            if lo <= hi:
                ranges[(vi, si)] = (lo, hi)
    usable = {vi for vi, _ in ranges}
    if len(usable) <= 1:
        return len(usable), True
    model = cp_model.CpModel()
    take: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_shift: dict[int, list[cp_model.IntervalVar]] = defaultdict(list)
    for (vi, si), (lo, hi) in ranges.items():
        v = visits[vi]
        # The least travel to wherever the carer goes next: another candidate of this shift, or the base.
        onward = min([minutes(v.citizen, base)] + [minutes(v.citizen, visits[wi].citizen)
                                                   for (wi, wsi) in ranges if wsi == si and wi != vi])
        x = model.new_bool_var(f"x_{vi}_{si}")
        start = model.new_int_var(lo, hi, f"s_{vi}_{si}")
        per_shift[si].append(model.new_optional_fixed_size_interval_var(
            start, v.duration + onward, x, f"i_{vi}_{si}"))
        take[vi].append(x)
    for xs in take.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    for intervals in per_shift.values():
        if len(intervals) > 1:
            model.add_no_overlap(intervals)
    model.maximize(sum(x for xs in take.values() for x in xs))
    solver, status = solve_bound_model(model, time_limit)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), True
    if status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
        # Unfinished: the proven bound, rounded down, is never below the optimum.
        return min(len(usable), math.floor(solver.best_objective_bound + 1e-6)), False
    raise RuntimeError(f"contact bound model for {carer.id}: {solver.status_name(status)}")


def contact_share_bound(problem: Problem, time_limit_per_model: float = 5.0,
                        budget: float = 600.0) -> ContactBound:
    """The bound for the whole instance (see the module docstring for why it is valid).

    `budget` (seconds) caps the run: when time runs short each remaining model gets its share (at
    least a tenth of a second) and, if unfinished, contributes its proven bound, which keeps it valid.
    """
    t0 = time.perf_counter()
    minutes = travel_metric(problem)
    carers = {c.id: c for c in problem.carers}
    citizens = {p.id: p for p in problem.citizens}
    shifts = shifts_by_day(problem.carers)
    out = ContactBound()
    groups: dict[tuple[CarerId, int], list[Visit]] = defaultdict(list)
    for v in problem.visits:
        p = citizens[v.citizen]
        if p.contact is None:
            out.other_visits += 1
            continue
        out.contact_visits += 1
        c = carers.get(p.contact)
        if c is None or not may_serve(c, v, p):
            continue
        if any(_fits(v, s) for s in shifts.get((c.id, v.day), [])):
            out.eligible += 1
            groups[(c.id, v.day)].append(v)
    for n, ((cid, day), visits) in enumerate(sorted(groups.items())):
        left = (budget - (time.perf_counter() - t0)) / (len(groups) - n)
        limit = max(0.1, min(time_limit_per_model, left))
        value, optimal = carer_day_max(carers[cid], visits, shifts[(cid, day)], minutes, limit)
        out.attendable += value
        out.proven_optimal += optimal
    out.carer_days = len(groups)
    if out.contact_visits:
        out.share = round(out.attendable / out.contact_visits, 3)
        out.eligible_share = round(out.eligible / out.contact_visits, 3)
    out.seconds = round(time.perf_counter() - t0, 1)
    return out
