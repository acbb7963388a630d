"""Peer (b): nearest free carer. Visits in start order; each goes to the free carer(s) with the least
travel to get there, keeping the monthly cap. No look-ahead and no care for who the citizen knows."""

from __future__ import annotations

from itertools import combinations

from bench.peers.base import GreedyState, Option, greedy_plan
from solver.types import Plan, Problem, Visit


def _choose(state: GreedyState, visit: Visit, options: list[Option]) -> tuple[list[Option], int] | None:
    ranked = sorted(options, key=lambda o: (o.leg, o.arrival, o.carer))
    if visit.carers == 1:
        for o in ranked:
            start = state.fits_together(visit, [o])
            if start is not None and state.cap_allows(visit, [o.carer]):
                return [o], start
        return None
    best: tuple[int, list[Option], int] | None = None
    for pair in combinations(ranked, visit.carers):
        cost = sum(o.leg for o in pair)
        if best is not None and cost >= best[0]:
            continue
        start = state.fits_together(visit, list(pair))
        if start is not None and state.cap_allows(visit, [o.carer for o in pair]):
            best = (cost, list(pair), start)
    return (best[1], best[2]) if best else None


def plan(problem: Problem) -> Plan:
    return greedy_plan(problem, _choose)
