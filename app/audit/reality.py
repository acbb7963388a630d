"""Plan versus reality: performed visits against the plan they carried out (who came, when, what it cost
in continuity) and performed minutes against the planned (standard) minutes of each need.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.audit.grouping import VisitGroup
from app.audit.inputs import NO_TEAM, Alias, PlannedVisit, plain
from app.audit.stats import MonthKey, binned, month_label, quantile, share, summary

WITHIN_MINUTES = 5  # "standard minutes fit" when performed duration is within ±5 min of the plan


def planned_carers_by_month(planned: Iterable[PlannedVisit]) -> dict[tuple[str, MonthKey], set[str]]:
    """The carers each citizen was planned to meet each month (assigned visits only)."""
    out: dict[tuple[str, MonthKey], set[str]] = defaultdict(set)
    for pv in planned:
        if pv.start is not None:
            out[(pv.citizen, (pv.date.year, pv.date.month))].update(pv.carers)
    return dict(out)


def standard_minutes(groups: list[VisitGroup], team_of: Mapping[str, str],
                     alias: Alias = plain) -> dict[str, Any]:
    """For each need, performed duration against the planned (standard) duration."""
    diffs: dict[str, list[int]] = defaultdict(list)
    planned_min: dict[str, list[int]] = defaultdict(list)
    per_citizen: dict[tuple[str, str], list[int]] = defaultdict(list)
    for g in groups:
        if g.planned is None:
            continue
        d = g.minutes - g.planned.duration
        diffs[g.planned.need].append(d)
        planned_min[g.planned.need].append(g.planned.duration)
        per_citizen[(g.citizen, g.planned.need)].append(d)
    needs = {}
    for need, ds in sorted(diffs.items()):
        s = sorted(ds)
        needs[need] = {
            "visits": len(s),
            "planned_minutes_mean": round(statistics.fmean(planned_min[need]), 1),
            "performed_minutes_mean": round(statistics.fmean(planned_min[need]) + statistics.fmean(s), 1),
            "within_5_min_share": share(sum(1 for x in s if abs(x) <= WITHIN_MINUTES), len(s)),
            "difference_mean": round(statistics.fmean(s), 1),
            "difference_median": statistics.median(s),
            "difference_p10": quantile(s, 0.1),
            "difference_p90": quantile(s, 0.9),
            "difference_distribution": binned(s),
        }
    misfits: list[dict[str, Any]] = []
    for (citizen, need), ds in per_citizen.items():
        if len(ds) < 3:
            continue
        med = statistics.median(ds)
        within = sum(1 for x in ds if abs(x) <= WITHIN_MINUTES) / len(ds)
        if abs(med) > WITHIN_MINUTES and within < 0.5:
            misfits.append(
                {
                    "citizen": alias("citizen", citizen),
                    "team": team_of.get(citizen, NO_TEAM),
                    "need": need,
                    "visits": len(ds),
                    "median_difference": med,
                    "within_5_min_share": round(within, 3),
                }
            )
    misfits.sort(key=lambda x: (-abs(x["median_difference"]), x["citizen"], x["need"]))
    linked = sum(1 for g in groups if g.planned is not None)
    return {
        "needs": needs,
        "misfits": misfits[:50],
        "misfit_count": len(misfits),
        "linked_visits": linked,
        "unlinked_visits": len(groups) - linked,
        "note": "difference = performed minus planned minutes; a misfit is a citizen's need with at "
        "least 3 visits, median difference beyond ±5 min and fewer than half within ±5 min",
    }


def plan_vs_reality(planned: list[PlannedVisit], groups: list[VisitGroup],
                    met: Mapping[tuple[str, MonthKey], Sequence[str]],
                    alias: Alias = plain) -> dict[str, Any]:
    """Where the performed visits (`groups`) differ from the `planned` ones of the same scope, and what
    that cost in continuity; `met`: the carers each citizen met each month, in order of first meeting."""
    performed_of: dict[str, VisitGroup] = {
        g.planned.id: g for g in groups if g.planned is not None
    }
    as_planned = other_carers = shifted = missed = unplanned_done = 0
    new_face_substitutions = 0
    start_diffs: list[int] = []
    planned_met = planned_carers_by_month(planned)
    substitutions: list[dict[str, Any]] = []
    for pv in planned:
        g = performed_of.get(pv.id)
        if pv.start is None:
            unplanned_done += g is not None
            continue
        if g is None:
            missed += 1
            continue
        diff = g.start_minute - pv.start
        start_diffs.append(diff)
        if abs(diff) > 15:
            shifted += 1
        if set(g.carers) == set(pv.carers):
            as_planned += 1
            continue
        other_carers += 1
        month_set = planned_met[(pv.citizen, (pv.date.year, pv.date.month))]
        strangers = [c for c in g.carers if c not in month_set]
        if strangers:
            new_face_substitutions += 1
        if len(substitutions) < 200:
            substitutions.append(
                {
                    "citizen": alias("citizen", pv.citizen),
                    "visit": alias("visit", pv.id),
                    "at": g.start.isoformat(timespec="minutes"),
                    "planned": [alias("carer", c) for c in pv.carers],
                    "performed": [alias("carer", c) for c in g.carers],
                    "new_to_citizen_this_month": [alias("carer", c) for c in strangers],
                }
            )
    extra = sum(1 for g in groups if g.planned is None)
    cost: list[dict[str, Any]] = []
    planned_counts = []
    performed_counts = []
    for key, carers in met.items():
        p_set = planned_met.get(key, set())
        planned_counts.append(len(p_set))
        performed_counts.append(len(carers))
        if len(carers) > len(p_set):
            cost.append(
                {
                    "citizen": alias("citizen", key[0]),
                    "month": month_label(key[1]),
                    "planned": len(p_set),
                    "performed": len(carers),
                    "added_carers": [alias("carer", c) for c in carers if c not in p_set],
                }
            )
    cost.sort(key=lambda x: (-(x["performed"] - x["planned"]), x["citizen"]))
    sd = sorted(start_diffs)
    return {
        "planned_visits": sum(1 for pv in planned if pv.start is not None),
        "performed_as_planned": as_planned,
        "performed_by_other_carers": other_carers,
        "substitutions_bringing_new_faces": new_face_substitutions,
        "started_more_than_15_min_off": shifted,
        "planned_not_performed": missed,
        "performed_without_plan": extra + unplanned_done,
        "start_difference_median": statistics.median(sd) if sd else None,
        "start_difference_distribution": binned(sd, width=15, limit=120) if sd else {},
        "distinct_carers_month_planned": summary(planned_counts),
        "distinct_carers_month_performed": summary(performed_counts),
        "continuity_cost": {
            "citizen_months_with_more_carers": len(cost),
            "extra_carers_total": sum(x["performed"] - x["planned"] for x in cost),
            "worst": cost[:20],
        },
        "substitutions": substitutions[:50],
    }
