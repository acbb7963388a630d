"""Contact-carer proposals: who should be each citizen's contact carer, so that as many visits as possible
can be made by the citizen's own contact carer, with each carer's number of contact citizens fair.

A contact carer can only make a visit they are eligible for: the visit's skills, not on the citizen's
avoid list, and a shift that day that can hold it. So a citizen's `reach` with carer c is the number of
their visits c is eligible for, and the proposal maximises the reach summed over citizens, in one CP-SAT
model per team:

- each citizen with a visit some carer of the team is eligible for gets exactly one contact;
- a carer's contact visits of one day should fit in their shifts of that day: the minutes beyond
  (visits plus a travel allowance per visit) cost what that many visits would, so the model does not
  pile citizens on the one carer who works every day;
- each carer holds within one of an even share of the team's contact citizens, weighted by contracted
  minutes (by the minutes of their shifts in the period where no contract is known);
- keeping today's contact is worth a little: a change the reach does not pay for is not proposed.

Nothing changes by itself: the coordinator accepts proposals one by one or all at once.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from ortools.sat.python import cp_model

from solver import rules
from solver.types import Carer, CarerId, CitizenId, Problem, Visit

TRAVEL_ALLOWANCE = 10  # minutes per visit a carer spends getting there, for the day's capacity
KEEP_BONUS = 1  # reach units: what keeping today's contact is worth


@dataclass(frozen=True, slots=True)
class ContactProposal:
    citizen: CitizenId
    current: CarerId | None
    proposed: CarerId
    visits: int  # the citizen's visits in the period
    reach_now: int  # of those, visits today's contact carer is eligible for
    reach_proposed: int

    @property
    def changes(self) -> bool:
        return self.proposed != self.current


@dataclass(slots=True)
class ContactPlan:
    proposals: list[ContactProposal]
    visits: int  # visits of the citizens proposed for
    reach_now: int
    reach_proposed: int
    optimal: bool  # every team's model proved optimal in its time limit

    @property
    def share_now(self) -> float:
        return round(self.reach_now / self.visits, 3) if self.visits else 0.0

    @property
    def share_proposed(self) -> float:
        return round(self.reach_proposed / self.visits, 3) if self.visits else 0.0

    def contacts(self) -> dict[CitizenId, CarerId]:
        return {p.citizen: p.proposed for p in self.proposals}


def could_make(carer: Carer, visit: Visit, avoid: Collection[str]) -> bool:
    """Skills, the avoid list and a shift that day the visit's window fits in (other visits ignored)."""
    return rules.skills_allow(carer.skills, visit.skills) and rules.avoid_allows(avoid, carer.id) and any(
        s.day == visit.day and max(visit.earliest, s.start) <= min(visit.latest, s.end - visit.duration)
        for s in carer.shifts)


def _weights(carers: list[Carer], days: int) -> dict[CarerId, float]:
    """Contracted minutes per week, or the minutes of the carer's shifts in the period per week."""
    if all(c.contracted_minutes_per_week for c in carers):
        return {c.id: float(c.contracted_minutes_per_week or 0) for c in carers}
    weeks = max(1.0, days / 7)
    return {c.id: sum(s.end - s.start for s in c.shifts) / weeks for c in carers}


def propose_contacts(problem: Problem, *, time_limit: float = 10.0, seed: int = 0) -> ContactPlan:
    """Contact carers for every citizen who has a visit in the problem (see the module docstring)."""
    visits_of: dict[CitizenId, list[Visit]] = defaultdict(list)
    for v in problem.visits:
        visits_of[v.citizen].append(v)
    out = ContactPlan(proposals=[], visits=0, reach_now=0, reach_proposed=0, optimal=True)
    teams = sorted({p.team for p in problem.citizens})
    budget = time_limit / max(1, len(teams))
    for team in teams:
        citizens = [p for p in problem.citizens if p.team == team and visits_of.get(p.id)]
        carers = [c for c in problem.carers if c.team == team and c.shifts]
        if not citizens or not carers:
            continue
        reach: dict[tuple[CitizenId, CarerId], int] = {}
        load: dict[tuple[CitizenId, CarerId], dict[int, int]] = {}
        for p in citizens:
            for c in carers:
                days: dict[int, int] = defaultdict(int)
                for v in visits_of[p.id]:
                    if could_make(c, v, p.avoid):
                        days[v.day] += v.duration + TRAVEL_ALLOWANCE
                if days:
                    reach[(p.id, c.id)] = sum(1 for v in visits_of[p.id] if could_make(c, v, p.avoid))
                    load[(p.id, c.id)] = days
        today = {p.id: p.contact for p in citizens if p.contact}
        model = cp_model.CpModel()
        x = {key: model.new_bool_var(f"x_{key[0]}_{key[1]}") for key in reach}
        for p in citizens:
            options = [x[(p.id, c.id)] for c in carers if (p.id, c.id) in x]
            if options:
                model.add_exactly_one(options)
        placed = [p for p in citizens if any((p.id, c.id) in x for c in carers)]
        weights = _weights(carers, problem.days)
        total_w = sum(weights.values()) or 1.0
        minutes_per_visit = max(1, round(sum(v.duration for p in placed for v in visits_of[p.id])
                                         / max(1, sum(len(visits_of[p.id]) for p in placed)))
                                + TRAVEL_ALLOWANCE)
        # The objective counts minutes: a visit of reach is worth minutes_per_visit, so that minutes beyond
        # a day's shifts cost the visits they would hold and every coefficient stays integral.
        gain_vars: list[cp_model.IntVar] = []
        gain: list[int] = []
        for c in carers:
            mine = [x[(p.id, c.id)] for p in placed if (p.id, c.id) in x]
            share = len(placed) * weights[c.id] / total_w
            lo, hi = max(0, math.floor(share) - 1), math.ceil(share) + 1
            model.add(cp_model.LinearExpr.sum(mine) <= hi)
            if len(mine) >= lo:
                model.add(cp_model.LinearExpr.sum(mine) >= lo)
            by_day: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
            for p in placed:
                if (p.id, c.id) in x:
                    for d, minutes in load[(p.id, c.id)].items():
                        by_day[d].append((minutes, x[(p.id, c.id)]))
            for d, items in by_day.items():
                capacity = sum(s.end - s.start for s in c.shifts if s.day == d)
                most = sum(mn for mn, _ in items)
                if most <= capacity:
                    continue
                over = model.new_int_var(0, most - capacity, f"over_{c.id}_{d}")
                model.add(over >= cp_model.LinearExpr.weighted_sum([v for _, v in items],
                                                                   [mn for mn, _ in items]) - capacity)
                gain_vars.append(over)
                gain.append(-1)
        for key, r in reach.items():
            gain_vars.append(x[key])
            gain.append(minutes_per_visit * r + (KEEP_BONUS * minutes_per_visit
                                                 if today.get(key[0]) == key[1] else 0))
        model.maximize(cp_model.LinearExpr.weighted_sum(gain_vars, gain))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.5, budget)
        solver.parameters.num_workers = 2
        solver.parameters.random_seed = seed
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise RuntimeError(f"the contact model for team {team} found no proposal: "
                               f"{solver.status_name(status)}")
        out.optimal = out.optimal and status == cp_model.OPTIMAL
        for p in placed:
            chosen = next(c.id for c in carers if (p.id, c.id) in x and solver.value(x[(p.id, c.id)]))
            now = reach.get((p.id, p.contact), 0) if p.contact else 0
            proposal = ContactProposal(citizen=p.id, current=p.contact, proposed=chosen,
                                       visits=len(visits_of[p.id]), reach_now=now,
                                       reach_proposed=reach[(p.id, chosen)])
            out.proposals.append(proposal)
            out.visits += proposal.visits
            out.reach_now += now
            out.reach_proposed += proposal.reach_proposed
    return out


def reach_bound(problem: Problem) -> float:
    """The most of the visits any choice of one contact carer per citizen could let contact carers make:
    per citizen, the carer eligible for most of their visits, summed, over all visits. A contact carer
    makes only visits they are eligible for, so no plan, with any contacts, has a higher contact share
    while it places every visit."""
    visits_of: dict[CitizenId, list[Visit]] = defaultdict(list)
    for v in problem.visits:
        visits_of[v.citizen].append(v)
    best = 0
    for p in problem.citizens:
        best += max((sum(could_make(c, v, p.avoid) for v in visits_of.get(p.id, []))
                     for c in problem.carers if c.team == p.team), default=0)
    return round(best / len(problem.visits), 3) if problem.visits else 0.0
