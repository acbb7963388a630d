"""Continuity against driving time, as a team and its municipality weigh them: the national 14-day
measure a draft would give beside the accepted plan's (before anyone accepts it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from app.db import SessionDep
from app.schemas.core import RowId
from app.security import get_team_scoped, require_role
from app.services import forecast as svc
from models.core import ROLE_AUDITOR, ROLE_COORDINATOR, PlanVersion, User

router = APIRouter(prefix="/api", tags=["plans"])

# Who reads continuity figures: coordinators and auditors (admins pass), as for the audit.
FigureReader = Annotated[User, Depends(require_role(ROLE_COORDINATOR, ROLE_AUDITOR))]


class NationalFigureOut(BaseModel):
    plan_version_id: int
    start: dt.date
    end: dt.date
    mean: float | None = Field(description="different staff a measured citizen meets in 14 days, on average")
    share_over_20: float | None
    recipients: int = Field(description="measured (citizen, 14-day period) pairs")
    periods: int = Field(description="complete 14-day periods in the plan")
    note: str | None = Field(description="why nobody could be measured, when nobody could")


class NationalForecastOut(BaseModel):
    draft: NationalFigureOut
    accepted: NationalFigureOut | None = Field(
        description="the plan in force: the accepted version of the same plan, else the team's plan "
                    "covering today, else its latest; none when the team has no accepted plan")
    change: float | None = Field(description="draft minus accepted (negative: fewer staff per citizen)")


@router.get("/plan-versions/{version_id}/national-forecast")
def national_forecast(version_id: RowId, session: SessionDep, user: FigureReader) -> NationalForecastOut:
    """The national 14-day measure of this plan version beside the accepted plan's, counted as the audit
    counts it: what the municipality will report if it accepts the version."""
    version = get_team_scoped(session, PlanVersion, version_id, user, what="plan version not found")
    f = svc.national_forecast(session, draft=version)
    return NationalForecastOut(
        draft=NationalFigureOut(**f.draft.as_dict()),
        accepted=NationalFigureOut(**f.accepted.as_dict()) if f.accepted is not None else None,
        change=f.change)
