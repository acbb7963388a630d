"""The undo journal of the neighbourhood search: a step's change is priced, then kept or undone.

Before a change first touches a route, a visit or a citizen's month, the journal keeps a copy of it
with its cost at that moment. `delta` then prices only what was touched, and `rollback` puts the
copies back, so a rejected step costs no more than the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from solver.index import TeamIndex


@dataclass(slots=True)
class Journal:
    routes: dict[int, tuple[list[int], float]] = field(default_factory=dict)
    visits: dict[int, tuple[int, int, list[int], float]] = field(default_factory=dict)
    met: dict[tuple[int, int], tuple[dict[int, int], float]] = field(default_factory=dict)
    starts: dict[int, dict[int, int]] = field(default_factory=dict)  # re-plans: a route's starts before
    ticks: dict[int, int] = field(default_factory=dict)  # a route's last change before (Routes.changed_at)


class Undo:
    """TeamState's journal: begin a change, price it, commit or roll it back."""

    ix: TeamIndex
    journal: Journal | None
    routes: list[list[int]]
    lo: list[int]
    hi: list[int]
    slots_of: list[list[int]]
    met: list[list[dict[int, int]]]
    move_budget: int | None
    changed_at: list[int]

    if TYPE_CHECKING:  # provided by TeamState and its move budget
        def route_cost(self, k: int) -> float: ...
        def visit_cost(self, v: int) -> float: ...
        def met_cost(self, ci: int, mi: int) -> float: ...
        def schedule_route(self, k: int) -> list[int]: ...
        def forget_times(self, k: int | None = None) -> None: ...
        def budget_delta(self, j: Journal) -> float: ...
        def settle_moved(self, j: Journal | None) -> None: ...
        def load_delta(self, j: Journal) -> float: ...

    def _note_slot(self, k: int) -> None:
        assert self.journal is not None
        if k not in self.journal.routes:
            self.journal.routes[k] = (list(self.routes[k]), self.route_cost(k))
            self.journal.ticks[k] = self.changed_at[k]
            if self.move_budget is not None and self.routes[k]:
                self.journal.starts[k] = dict(zip(self.routes[k], self.schedule_route(k), strict=True))

    def _note_visit(self, v: int) -> None:
        assert self.journal is not None
        if v not in self.journal.visits:
            self.journal.visits[v] = (self.lo[v], self.hi[v], list(self.slots_of[v]), self.visit_cost(v))

    def _note_met(self, v: int) -> None:
        assert self.journal is not None
        key = (self.ix.v_cit[v], self.ix.v_month[v])
        if key not in self.journal.met:
            self.journal.met[key] = (dict(self.met[key[0]][key[1]]), self.met_cost(*key))

    def begin(self) -> None:
        self.journal = Journal()

    def delta(self) -> float:
        """Cost now minus cost when `begin` was called (only what was touched is recomputed)."""
        j = self.journal
        assert j is not None
        d = 0.0
        for k, (_, old) in j.routes.items():
            d += self.route_cost(k) - old
        for v, (_, _, _, old) in j.visits.items():
            d += self.visit_cost(v) - old
        for (ci, mi), (_, old) in j.met.items():
            d += self.met_cost(ci, mi) - old
        d += self.load_delta(j)
        if self.move_budget is not None:
            d += self.budget_delta(j)
        return d

    def commit(self) -> None:
        self.settle_moved(self.journal)
        self.journal = None

    def rollback(self) -> None:
        j = self.journal
        assert j is not None
        self.journal = None
        self.settle_moved(None)
        for k, (seq, _) in j.routes.items():
            self.routes[k] = seq
            self.forget_times(k)
            self.changed_at[k] = j.ticks[k]  # the route is as it was then: an undone change is none
        for v, (lo, hi, ks, _) in j.visits.items():
            self.lo[v], self.hi[v], self.slots_of[v] = lo, hi, ks
        for (ci, mi), (m, _) in j.met.items():
            self.met[ci][mi] = m
