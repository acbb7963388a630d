"""A re-plan's move budget: it moves visits the changes did not touch only to place others, and no
more of them than the visits needing a place (app/replan's promise, "unforced <= forced").

`moved` counts the visits with a current assignment that are now elsewhere or unplaced; a step's
change to that count is worked out from the journal, and what goes beyond the budget is priced by
objective.over_budget.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from solver import objective
from solver.index import TeamIndex
from solver.journal import Journal


class MoveBudget:
    """TeamState's count of moved visits against the re-plan's budget (None outside re-plans)."""

    ix: TeamIndex
    weights: objective.Weights
    journal: Journal | None
    routes: list[list[int]]
    slots_of: list[list[int]]
    current: list[frozenset[int] | None]
    current_start: list[int | None]
    move_budget: int | None
    moved: int
    _moved_pending: tuple[Journal, int] | None  # delta's count, reused by commit

    if TYPE_CHECKING:  # provided by TeamState's routes
        def schedule_route(self, k: int) -> list[int]: ...

    def over_budget_cost(self, moved: int) -> float:
        return float(objective.over_budget(moved, self.move_budget, self.weights))

    def _is_moved(self, v: int, slots: list[int], start: int | None) -> bool:
        """Whether v, with a current assignment, is elsewhere or unplaced (as apply_changes.py counts)."""
        if not slots:
            return True
        return start != self.current_start[v] or {self.ix.slots[k].carer for k in slots} != self.current[v]

    def _starts(self, ks: Iterable[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for k in ks:
            if self.routes[k]:
                for v, s in zip(self.routes[k], self.schedule_route(k), strict=True):
                    out.setdefault(v, s)
        return out

    def count_moved(self) -> int:
        """The moved visits, counted from scratch."""
        if self.move_budget is None:
            return 0
        starts = self._starts(range(len(self.ix.slots)))
        return sum(self._is_moved(v, self.slots_of[v], starts.get(v))
                   for v in range(len(self.ix.visits)) if self.current[v] is not None)

    def recount_moved(self) -> None:
        """Bring `moved` up to date after the plan was built or restored outside the journal."""
        self.moved = self.count_moved()

    def budget_delta(self, j: Journal) -> float:
        """What the open change `j` adds to the over-budget cost (the count is kept for commit)."""
        dm = self._moved_change(j)
        self._moved_pending = (j, dm)
        return self.over_budget_cost(self.moved + dm) - self.over_budget_cost(self.moved)

    def moved_after_delta(self) -> int:
        """How many visits are moved with the open change, as `delta` just counted them."""
        pending = self._moved_pending
        if pending is None or pending[0] is not self.journal:
            assert self.journal is not None
            return self.moved + self._moved_change(self.journal)
        return self.moved + pending[1]

    def settle_moved(self, j: Journal | None) -> None:
        """The change `j` is kept (None: undone): its moved visits count from now on."""
        if self.move_budget is not None and j is not None:
            pending = self._moved_pending
            self.moved += pending[1] if pending is not None and pending[0] is j else self._moved_change(j)
        self._moved_pending = None

    def _moved_change(self, j: Journal) -> int:
        """How many more visits are moved now than when the change `j` began."""
        affected = set(j.visits)
        for k, (seq, _) in j.routes.items():
            affected.update(seq)
            affected.update(self.routes[k])
        new_starts = self._starts({k for v in affected for k in self.slots_of[v][:1]})
        d = 0
        for v in affected:
            if self.current[v] is None:
                continue
            old_slots = j.visits[v][2] if v in j.visits else self.slots_of[v]
            old_start = None
            if old_slots:
                k0 = old_slots[0]
                old_start = j.starts[k0][v] if k0 in j.starts else self._starts([k0])[v]
            now = self._is_moved(v, self.slots_of[v], new_starts.get(v))
            d += now - self._is_moved(v, old_slots, old_start)
        return d
