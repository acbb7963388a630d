"""Core teams: which few carers should look after which citizens this month.

Citizens are grouped by where they live (k-medoids on travel minutes) and each group gets the
carers whose shifts cover its workload, so that a carer's day stays in one part of the area
(low travel) and each citizen is seen by the same few people (continuity): the "template"
pattern of the consistent vehicle routing literature (PLANNER-NOTES). Carers outside a
citizen's core team may still visit; it only costs more (state.W_OUTSIDE_CORE).
"""

from __future__ import annotations

from solver.index import TeamIndex


def _clusters(ix: TeamIndex, k: int) -> list[int]:
    """Citizen -> group, by k-medoids on travel minutes (deterministic: farthest-point start)."""
    n = len(ix.citizens)
    loc = [1 + i for i in range(n)]
    tt = ix.tt
    medoids = [min(range(n), key=lambda i: (tt[0][loc[i]], i))]
    while len(medoids) < min(k, n):
        far = max(range(n), key=lambda i: (min(tt[loc[m]][loc[i]] + tt[loc[i]][loc[m]] for m in medoids), -i))
        medoids.append(far)
    group = [0] * n
    cap = -(-n // len(medoids)) + 1  # balanced groups: a carer group should not get a whole town
    for _ in range(10):
        # Closest medoid with room, citizens with the clearest preference first.
        size = [0] * len(medoids)
        order = sorted(range(n), key=lambda i: (sorted(tt[loc[m]][loc[i]] for m in medoids)[0]
                                                - sorted(tt[loc[m]][loc[i]] for m in medoids)[-1], i))
        for i in order:
            g = min((g for g in range(len(medoids)) if size[g] < cap),
                    key=lambda g: (tt[loc[medoids[g]]][loc[i]], g))
            group[i] = g
            size[g] += 1
        new = []
        for g in range(len(medoids)):
            members = [i for i in range(n) if group[i] == g] or [medoids[g]]
            new.append(min(members, key=lambda m: (sum(tt[loc[m]][loc[i]] for i in members), m)))
        if new == medoids:
            break
        medoids = new
    return group


def core_teams(ix: TeamIndex) -> list[frozenset[int]]:
    """Citizen -> the carers of its group."""
    n = len(ix.citizens)
    if n == 0 or not ix.carers:
        return [frozenset() for _ in range(n)]
    # About three carers per group works out (each citizen meets its group, plus a few others).
    k = max(1, min(n, round(len(ix.carers) / 3)))
    group = _clusters(ix, k)
    k = max(group) + 1
    # Carers are shared out per kind of shift (by the hour their shifts mostly start), each group
    # getting carers in proportion to the visit minutes it needs in those hours (D'Hondt).
    def kind(c: int) -> int:
        starts = sorted(sl.start for sl in ix.slots if sl.carer == c)
        return starts[len(starts) // 2] // 360 if starts else 0  # 6-hour bands

    kinds = sorted({kind(c) for c in range(len(ix.carers))})
    members: list[list[int]] = [[] for _ in range(k)]
    for kd in kinds:
        carers = [c for c in range(len(ix.carers)) if kind(c) == kd]
        lo_t, hi_t = kd * 360, kd * 360 + 720
        demand = [0.0] * k
        for v, vis in enumerate(ix.visits):
            if lo_t <= vis.earliest < hi_t - 240:
                demand[group[ix.v_cit[v]]] += vis.duration * vis.carers + 10
        # Scarce skills first, so each group gets some of them.
        carers.sort(key=lambda c: (len(ix.carers[c].skills) == 0, -len(ix.carers[c].skills),
                                   ix.carers[c].id))
        for c in carers:
            g = max(range(k), key=lambda g: (demand[g] / (len(members[g]) + 1), -g))
            members[g].append(c)
    return [frozenset(members[group[i]]) for i in range(n)]
