"""Peer (c): a careful human's rule. Visits in start order; for each attending carer prefer the citizen's
contact carer, then a carer the citizen already met this month, then anyone free; within each of those
tiers, whoever can be at the door first (then the shorter drive). Never breaks the monthly cap."""

from __future__ import annotations

from bench.peers.base import GreedyState, Option, greedy_plan
from solver.types import Plan, Problem, Visit


def _rank(state: GreedyState, visit: Visit, o: Option) -> tuple[int, int, int, str]:
    contact = state.citizens[visit.citizen].contact
    if o.carer == contact:
        tier = 0
    elif state.has_met(visit, o.carer):
        tier = 1
    else:
        tier = 2
    # Within a tier a coordinator asks "who can be there first?"; this landed nearer the issue's
    # measured figures than "who met them most" or "who is nearest" (see the bench report).
    return (tier, o.arrival, o.leg, o.carer)


def _choose(state: GreedyState, visit: Visit, options: list[Option]) -> tuple[list[Option], int] | None:
    ranked = sorted(options, key=lambda o: _rank(state, visit, o))
    chosen: list[Option] = []
    # Slot by slot, the most preferred carer who still lets everyone chosen so far start together.
    for _ in range(visit.carers):
        for o in ranked:
            if o in chosen:
                continue
            trial = chosen + [o]
            if state.fits_together(visit, trial) is not None and state.cap_allows(
                    visit, [x.carer for x in trial]):
                chosen = trial
                break
        else:
            return None
    start = state.fits_together(visit, chosen)
    assert start is not None
    return chosen, start


def plan(problem: Problem) -> Plan:
    return greedy_plan(problem, _choose)
