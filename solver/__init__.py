"""The planner: a pure library. `solve(problem, params)` takes a `Problem` and returns a `Plan`."""

from solver.solve import solve
from solver.types import (
    Assignment,
    Carer,
    Citizen,
    Plan,
    Problem,
    Progress,
    Shift,
    SolveParams,
    Team,
    TravelSpec,
    Unplaced,
    Visit,
)

__all__ = [
    "Assignment", "Carer", "Citizen", "Plan", "Problem", "Progress", "Shift", "SolveParams",
    "Team", "TravelSpec", "Unplaced", "Visit", "solve",
]
