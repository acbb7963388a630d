"""Peer planners the benchmark compares ours with; each is a function `plan(problem) -> solver Plan`.

- routing: OR-Tools routing day by day per team, travel only (what a central planner does).
- nearest: greedy, visits in start order, the free carer with the least travel to get there.
- careful: greedy with a careful human's rule: contact carer, then a carer already met, then anyone.
- bound (not a planner): a lower bound on the mean distinct carers per citizen-month.
- contact_bound (not a planner): an upper bound on the contact-carer share (can a target be met?).
"""

from __future__ import annotations

# name -> "module:function"; every function takes a solver Problem and returns a solver Plan.
PEERS: dict[str, str] = {
    "routing": "bench.peers.routing:plan",
    "nearest": "bench.peers.nearest:plan",
    "careful": "bench.peers.careful:plan",
}
