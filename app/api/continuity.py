"""Continuity against driving time, as a team and its municipality weigh them: the team's own curve
from the runs it has made (and a quick sweep of the settings it has not run), and the national 14-day
measure a draft would give beside the accepted plan's (before anyone accepts it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Coordinator
from app.api.errors import PLANNER_BUSY
from app.api.jobs import PlanJobOut
from app.api.jobs import _out as job_out
from app.db import SessionDep
from app.jobs.factory import RunnerDep
from app.schemas.core import Day, RowId
from app.security import get_team_scoped, require_role
from app.services import curve as curve_svc
from app.services import forecast as svc
from app.services import jobs as jobs_svc
from app.services.errors import Invalid
from models.core import ROLE_AUDITOR, ROLE_COORDINATOR, PlanVersion, Team, User

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


class CurvePointOut(BaseModel):
    setting: str
    runs: int
    faces_mean: float = Field(description="distinct carers per citizen and month, mean")
    faces_max: float = Field(description="distinct carers per citizen and month, most")
    contact_share: float | None
    start_spread: float | None = Field(description="start-time spread, minutes")
    driving_hours_week: float
    job_ids: list[int]


class AcceptedRunOut(BaseModel):
    job_id: int
    setting: str
    faces_mean: float
    driving_hours_week: float


class CurveOut(BaseModel):
    start: dt.date | None = Field(description="the period the compared runs planned (none: no run yet)")
    end: dt.date | None
    points: list[CurvePointOut] = Field(description="one per setting run over the period, fewest faces first")
    verdict: str = Field(description="saves (see hours_per_face), no-saving, too-few (fewer than two "
                                     "settings run over one period) or too-close (the settings gave almost "
                                     "the same faces)")
    hours_per_face: float | None = Field(
        description="hours of driving a week that one more carer per citizen a month saves")
    missing: list[str] = Field(description="settings a quick sweep would run for the period")
    accepted: AcceptedRunOut | None = Field(
        description="the run of the period whose draft the team accepted (the plan in force, or the draft "
                    "a re-plan in force was made from), at its own figures")
    face_budget: str | None = Field(description="the face budget (faces:N) a quick sweep tries beside "
                                                "fewest, balanced and travel")


@router.get("/teams/{team_id}/continuity-curve")
def team_curve(team_id: RowId, session: SessionDep, user: FigureReader) -> CurveOut:
    """The team's own curve of faces against driving time, from the runs it has made."""
    team = get_team_scoped(session, Team, team_id, user)
    return CurveOut.model_validate(curve_svc.team_curve(session, team=team), from_attributes=True)


class SweepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Day | None = Field(default=None, description="first day; omitted: the period of the team's curve")
    end: Day | None = None


@router.post("/teams/{team_id}/continuity-curve/sweep", status_code=status.HTTP_202_ACCEPTED,
             responses={**PLANNER_BUSY})
def sweep(team_id: RowId, body: SweepIn, session: SessionDep, user: Coordinator,
          runner: RunnerDep) -> list[PlanJobOut]:
    """A quick sweep: a short plan job for each setting the period has no run of (progress as any job's,
    GET /api/plan-jobs/{id}); their drafts fill in the team's curve."""
    team = get_team_scoped(session, Team, team_id, user)
    curve = curve_svc.team_curve(session, team=team)
    start, end = body.start or curve.start, body.end or curve.end
    if start is None or end is None:
        raise Invalid("give start and end: the team has no run to take the period from", path="start")
    jobs = jobs_svc.submit_sweep(session, user=user, runner=runner, team_id=team.id, start=start, end=end,
                                 settings=curve_svc.sweep_settings(curve, start=start, end=end))
    return [job_out(j) for j in jobs]
