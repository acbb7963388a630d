"""What the neighbourhood search works on: one team's plan, its random source, and the plan's
visits grouped as the steps pick them (by day, by citizen and month).

Randomness comes only from `rng` (`random.Random(seed)`), and no choice depends on wall time, so
with the same seed the same sequence of steps is made.
"""

from __future__ import annotations

import math
import random
import time

from solver.state import TeamState

# Seconds of guided local search per day re-route: short, so that the search makes many steps in
# its time (docs/experiments.md, "Less time per day re-route").
REROUTE_SECONDS = 0.3


class Scope:
    def __init__(self, st: TeamState, seed: int) -> None:
        self.st = st
        self.rng = random.Random(seed)
        ix = st.ix
        self.visits_of_day: dict[int, list[int]] = {}
        self.visits_of_cm: dict[tuple[int, int], list[int]] = {}
        for v, vis in enumerate(ix.visits):
            self.visits_of_day.setdefault(vis.day, []).append(v)
            self.visits_of_cm.setdefault((ix.v_cit[v], ix.v_month[v]), []).append(v)
        # Only days with something that may move are worth a step (a re-plan fixes the rest).
        self.days = sorted(d for d, vs in self.visits_of_day.items() if any(not st.fixed[v] for v in vs))
        self.cp_size = 5  # most shifts one CP-SAT step re-plans together
        self.cp_time = 0.4  # CP-SAT's deterministic time per step
        self.workers = 1
        # Step-counted runs must repeat exactly on any machine: routing and CP-SAT then stop by
        # their own measure, not the clock.
        self.exact_repeat = False
        self.route_time = REROUTE_SECONDS
        # time.monotonic() by which the final descents stop (solver/search.py sets it): each stops
        # between two of its changes, so the plan stays whole.
        self.deadline = math.inf
        # Hand-backs of a rare carer that failed, (citizen, month, carer) -> (the routes' tick after
        # the try, the citizen's carers and visits then): not tried again while those stand.
        self.failed_hand_backs: dict[tuple[int, int, int], tuple[int, tuple[tuple[int, int], ...]]] = {}
        self.cms = sorted(key for key, vs in self.visits_of_cm.items() if any(not st.fixed[v] for v in vs))
        self.replanning = any(c is not None for c in st.current)
        # A re-plan's promise: no citizen meets a new face where a carer it already met could come.
        # The faces each citizen-month had before the re-plan: history, what stays, what was planned.
        self.faces_before: dict[tuple[int, int], set[int]] = {}
        if self.replanning:
            for (ci, mi), vs in self.visits_of_cm.items():
                seen = set(st.met_before[ci][mi])
                for v in vs:
                    cur = st.current[v]
                    seen |= cur if cur is not None else set()
                    if st.fixed[v]:
                        seen |= {ix.slots[k].carer for k in st.slots_of[v]}
                self.faces_before[(ci, mi)] = seen

    def out_of_time(self) -> bool:
        return time.monotonic() >= self.deadline

    def movable(self, v: int) -> bool:
        return not self.st.fixed[v]

    def unplaced(self) -> list[int]:
        """The movable visits with no place that enough carers could attend."""
        st = self.st
        return [v for v in range(len(st.ix.visits)) if not st.slots_of[v] and self.movable(v)
                and len(st.ix.eligible[v]) >= st.ix.visits[v].carers]

    def new_faces(self) -> list[tuple[int, int, int]]:
        """(citizen, month, carer) for each carer the re-plan made new to a citizen."""
        st = self.st
        return [(ci, mi, c) for ci, mi in self.cms for c in sorted(st.met[ci][mi])
                if c not in self.faces_before.get((ci, mi), {c})]
