"""The figures a job stores with its plan version: counted by the audit's code, not a copy of it.

Distinct carers per citizen-month, contact share and start-time spread come from
app.audit.figures (which counts exactly as shared/tools/verify_plan.py); travel minutes come from
the planner's own count of its routes (solver stats, summed over the teams' parts).
"""

from __future__ import annotations

from typing import Any

from app.audit.figures import Audit
from app.audit.inputs import audit_plan


def plan_figures(instance: dict[str, Any], plan_doc: dict[str, Any],
                 stats: dict[str, float] | None = None) -> dict[str, Any]:
    audit = Audit(audit_plan(instance, plan_doc))
    f = audit.figures(worst=0)
    month = f["distinct_carers_per_citizen_month"]
    placed = len(plan_doc.get("visits", []))
    travel = (stats or {}).get("travel_minutes")
    return {
        "placed": placed,
        "unplaced": len(plan_doc.get("unassigned", [])),
        "distinct_carers_month_mean": month["mean"],
        "distinct_carers_month_max": month["max"],
        "distinct_carers_14d_mean": f["distinct_carers_per_citizen_14d"]["mean"],
        "travel_minutes": travel,
        "travel_minutes_per_visit": round(travel / placed, 2) if travel is not None and placed else None,
        "contact_share": f["contact_carer_share"],
        "start_spread_minutes": f["start_time_sd_minutes"],
        "cap_breaches": len(f["cap_breaches"]),
    }
