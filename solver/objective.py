"""The goals of a plan, each one named function: what the search, routing, the hand-over, the bound
and the CP-SAT model all price a plan by.

Costs are in "travel minute" units, and the goals come in their order of importance:

1. `unplaced`: place every visit that can be placed, the more important first (a visit's priority:
   1 must, 2 should, 3 may wait, each left out at a lower price than the one before);
2. `faces`: few distinct carers per citizen and month, the maximum kept low, not only the mean;
3. `contact`: visits by the citizen's contact carer;
4. `steady_time`: the same need starts at the same time across days;
5. `travel`: little driving;
6. `fair_load`: no carer works far beyond its share of the team's work (`day_share`);

and, in a re-plan only, `disturbance` (a visit given to another carer or moved from its minute) and
`over_budget` (untouched visits moved beyond the re-plan's move budget).

The functions take plain numbers, so each can be read, tested and reused without a plan at hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Weights:
    """What each goal costs, in travel minutes. Each weight is far enough above the next goal's
    typical size that a lower goal only decides between plans equal on the higher ones."""

    unplaced: int = 100_000  # per visit of priority 1 (must) left out
    # Priority 2 (should) and 3 (may wait): far below a must-visit, so that one is never left out to
    # keep them, and far above every lower goal, so that they are still placed wherever they fit.
    unplaced_should: int = 20_000
    unplaced_may: int = 5_000
    new_carer: int = 40  # per distinct carer a citizen meets in a month
    crowd: int = 60  # per distinct carer beyond crowd_from
    crowd_from: int = 4
    many: int = 300  # per distinct carer beyond many_from: the maximum, not only the mean, stays low
    many_from: int = 7  # one below the target maximum of 8: the search keeps a margin
    beyond: int = 2_000  # per distinct carer beyond beyond_from: past the target maximum only to place visits
    beyond_from: int = 8
    not_contact: int = 24  # per visit not attended by the citizen's contact carer
    time: float = 0.25  # per minute a start strays from the need's usual time (a daily need)
    rare_time_max: int = 3  # a need with few visits weighs up to this many times `time` per minute
    travel: int = 1  # per travel minute
    fair: float = 0.5  # per minute of visits beyond a carer's share of the work (day_share)
    disturb: int = 2_000  # re-plans: per visit given to a carer the current plan did not give it to
    disturb_start: int = 1_000  # re-plans: per visit whose start moves from the current plan's minute
    # Re-plans: per untouched visit moved beyond the move budget. Above `unplaced`: a re-plan would
    # rather leave a visit unplaced than break its promise.
    over_budget: int = 200_000
    # After the search, every day routed once more by OR-Tools routing (faces priced as above), on the
    # time the search leaves: where faces weigh little, routing's own search finds drive the search's
    # steps leave in the routes.
    reroute_at_end: bool = False


WEIGHTS = Weights()

# The continuity setting a team chooses: how much driving a face saved is worth. Travel costs the same
# in each; continuity weighs less the further down the list. The monthly cap stays a hard rule in every
# setting (solver/rules.py), so "travel" is the least travel that keeps the cap.
CONTINUITY_DEFAULT = "fewest"
CONTINUITY_SETTINGS = ("fewest", "balanced", "travel")
# "faces:N": drive little, but keep each citizen to N carers a month where the visits allow it.
FACE_BUDGET_PREFIX = "faces:"
FACE_BUDGET_MAX = 31
_SETTINGS = {
    "fewest": WEIGHTS,
    "balanced": replace(WEIGHTS, new_carer=12, crowd=18, many=90, not_contact=8),
    # The least travel that keeps the cap: starts may stray (time 0: a whole multiple of the grain
    # routing scales by), a face costs about two minutes of driving (faces only decide between routes
    # of the same length), and a carer's share of the work is not priced (fair 0): even loads are a
    # goal of their own, which a team that asks for the least driving has put after it.
    "travel": replace(WEIGHTS, new_carer=2, crowd=3, many=15, beyond=100, not_contact=1, time=0.0,
                      fair=0.0, reroute_at_end=True),
}


class UnknownContinuity(ValueError):
    """A continuity setting the planner does not know; the message lists those it knows."""


def weights_for(setting: str) -> Weights:
    """The goals' weights for a continuity setting: "fewest" (the planner's own order of goals),
    "balanced", "travel", or a face budget "faces:N" (travel's weights, but each face beyond N in a
    citizen's month costs as much as "fewest" charges beyond its target maximum)."""
    if setting in _SETTINGS:
        return _SETTINGS[setting]
    if setting.startswith(FACE_BUDGET_PREFIX):
        n = setting.removeprefix(FACE_BUDGET_PREFIX)
        if n.isdigit() and 1 <= int(n) <= FACE_BUDGET_MAX:
            budget = int(n)
            return replace(_SETTINGS["travel"], many=WEIGHTS.many, many_from=budget,
                           beyond=WEIGHTS.beyond, beyond_from=budget + 1, reroute_at_end=False)
    raise UnknownContinuity(f"unknown continuity setting {setting!r}: choose "
                            f"{', '.join(CONTINUITY_SETTINGS)} or a face budget "
                            f"{FACE_BUDGET_PREFIX}N (N from 1 to {FACE_BUDGET_MAX})")


def unplaced(visits: int = 1, w: Weights = WEIGHTS, priority: int = 1) -> int:
    """(1) What leaving `visits` visits of `priority` out costs (1 must, 2 should, 3 may wait)."""
    each = w.unplaced if priority <= 1 else w.unplaced_should if priority == 2 else w.unplaced_may
    return each * visits


def faces(distinct: int, w: Weights = WEIGHTS) -> int:
    """(2) What meeting `distinct` carers in a month costs a citizen; each face beyond crowd_from,
    many_from and beyond_from costs more, so the maximum stays low, not only the mean."""
    return (w.new_carer * distinct + w.crowd * max(0, distinct - w.crowd_from)
            + w.many * max(0, distinct - w.many_from) + w.beyond * max(0, distinct - w.beyond_from))


def new_face(met: int, w: Weights = WEIGHTS) -> int:
    """(2) What one more face costs a citizen who already meets `met` carers this month."""
    return faces(met + 1, w) - faces(met, w)


def contact(by_contact: bool, w: Weights = WEIGHTS) -> int:
    """(3) What one visit costs by whether the citizen's contact carer attends it (a citizen without
    a contact carer in the team costs nothing: call with True)."""
    return 0 if by_contact else w.not_contact


def steady_time(minutes_off: int, weight: float) -> float:
    """(4) What a start `minutes_off` from its need's usual time costs, at the need's weight per
    minute (`time_weights`)."""
    return weight * minutes_off


def time_weights(v_need: list[int], n_needs: int, w: Weights = WEIGHTS) -> list[float]:
    """(4) What a minute off the usual time costs, per need.

    Steadiness is judged per need (the spread of its starts, averaged over needs), so one stray
    start of a weekly need unsettles it as much as about sqrt(28 / 4) stray starts of a daily
    need unsettle that one. A need with few visits weighs up to rare_time_max times more, whole
    multiples of `time` so that CP-SAT's and routing's integer weights stay exact.
    """
    count = [0] * n_needs
    for n in v_need:
        count[n] += 1
    most = max(count, default=1)
    return [w.time * min(w.rare_time_max, max(1, round(math.sqrt(most / c)))) if c else w.time
            for c in count]


def travel(minutes: int, w: Weights = WEIGHTS) -> int:
    """(5) What `minutes` of driving cost."""
    return w.travel * minutes


def fair_load(minutes: int, share: int, w: Weights = WEIGHTS) -> float:
    """(6) What `minutes` of visits in one shift cost beyond the carer's share of the work there."""
    return w.fair * max(0, minutes - share)


def contracted_share(weekly: int) -> int:
    """(6) A carer's contracted minutes in one working day (five a week)."""
    return weekly // 5


def day_share(weekly: int | None, even: float) -> int:
    """(6) A carer's share of the work in one shift: its contracted day where it has a contract
    figure; else `even`, the shift filled as the team's shifts are on average (`team_load`)."""
    if weekly is not None:
        return contracted_share(weekly)
    return round(even)


def team_load(visit_minutes: int, shift_minutes: int) -> float:
    """(6) The share of the team's shift time its visits fill, were every visit placed."""
    return visit_minutes / shift_minutes if shift_minutes else 0.0


def disturbance(other_carer: bool, start_moved: bool, w: Weights = WEIGHTS) -> int:
    """Re-plans: what a visit costs that goes to a carer the current plan did not give it to, or
    whose start moves from the minute people were told."""
    return w.disturb * other_carer + w.disturb_start * start_moved


def over_budget(moved: int, budget: int | None, w: Weights = WEIGHTS) -> int:
    """Re-plans: what moving `moved` untouched visits costs against the move budget (None: no
    budget, not a re-plan)."""
    return 0 if budget is None else w.over_budget * max(0, moved - budget)
