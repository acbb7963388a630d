"""The national 14-day measure a draft would give, beside the one of the plan in force: what the
municipality will report if it accepts the draft, known before it does.

The measure is counted by the continuity audit (`app.services.audit.run` over `app.audit`), the very
count the audit page and its reports show, on the draft's planned visits and on the accepted plan's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.mapping import plan_team_ids
from app.repositories import adjustments as adj_repo
from app.repositories import team_settings as repo
from app.services import audit as audit_service
from models.core import Plan, PlanVersion


@dataclass(frozen=True, slots=True)
class NationalFigure:
    """The national measure of one plan version over its complete 14-day periods."""

    version_id: int
    start: dt.date
    end: dt.date
    mean: float | None  # different staff a measured citizen meets in 14 days, on average
    share_over_20: float | None
    recipients: int  # measured (citizen, period) pairs
    periods: int  # complete 14-day periods in the plan
    note: str | None  # why nobody could be measured, in the audit's words

    def as_dict(self) -> dict[str, Any]:
        return {"plan_version_id": self.version_id, "start": self.start, "end": self.end, "mean": self.mean,
                "share_over_20": self.share_over_20, "recipients": self.recipients, "periods": self.periods,
                "note": self.note}


@dataclass(frozen=True, slots=True)
class NationalForecast:
    draft: NationalFigure
    accepted: NationalFigure | None  # the plan in force; None when the team has none accepted

    @property
    def change(self) -> float | None:
        """Draft minus accepted (negative: fewer staff per citizen, the better way)."""
        if self.accepted is None or self.draft.mean is None or self.accepted.mean is None:
            return None
        return round(self.draft.mean - self.accepted.mean, 2)


def national_figure(session: Session, *, version: PlanVersion) -> NationalFigure:
    plan = session.get_one(Plan, version.plan_id)
    result = audit_service.run(session, source="plan", plan_version_id=version.id, pseudonymise=True)
    n = result.figures.get("national_14d") or {}
    return NationalFigure(version_id=version.id, start=plan.start_date, end=plan.end_date, mean=n.get("mean"),
                          share_over_20=n.get("share_over_20"), recipients=int(n.get("recipients") or 0),
                          periods=len(n.get("periods") or []), note=n.get("note"))


def accepted_now(session: Session, *, draft: PlanVersion, today: dt.date | None = None) -> PlanVersion | None:
    """The accepted plan the draft is weighed against: the accepted version of the draft's own plan (the
    draft would replace it); else the team's plan in force today; else its latest plan begun by today;
    else its latest accepted plan."""
    today = today or dt.date.today()
    own = adj_repo.accepted_version(session, draft.plan_id)
    if own is not None and own.id != draft.id:
        return own
    candidates = [(v, p) for v, p in repo.accepted_versions_of_teams(
        session, plan_team_ids(session, draft.plan_id)) if v.id != draft.id]
    for version, plan in candidates:
        if plan.start_date <= today <= plan.end_date:
            return version
    for version, plan in candidates:
        if plan.start_date <= today:
            return version
    return candidates[0][0] if candidates else None


def national_forecast(session: Session, *, draft: PlanVersion, today: dt.date | None = None,
                      known: dict[int, NationalFigure] | None = None) -> NationalForecast:
    """The draft's national measure beside the accepted plan's. `known`: figures already counted on this
    request (a page with several drafts weighs them all against one accepted plan)."""
    known = known if known is not None else {}
    if draft.id not in known:
        known[draft.id] = national_figure(session, version=draft)
    accepted = accepted_now(session, draft=draft, today=today)
    if accepted is not None and accepted.id not in known:
        known[accepted.id] = national_figure(session, version=accepted)
    return NationalForecast(draft=known[draft.id],
                            accepted=known[accepted.id] if accepted is not None else None)
