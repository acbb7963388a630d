"""Plan jobs: plan teams over a date range in the background.

    POST /api/plan-jobs               {team_ids, start, end, time_limit, seed, steps}  -> 202 the job
    GET  /api/plan-jobs               ?team_id=&status=&limit=                  -> jobs the user sees
    GET  /api/plan-jobs/{id}                                                    -> job with progress
    POST /api/plan-jobs/{id}/cancel                                             -> the cancelled job

Coordinators (and admins) start and cancel jobs for their teams; team members read their teams'
jobs; another team's job answers 404. With a broker configured and unreachable, a new job answers
503 with the reason (nothing is started, the rest of the app works on).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Coordinator
from app.api.errors import NAMES_ROWS, PLANNER_BUSY
from app.db import SessionDep
from app.jobs.factory import RunnerDep, shutdown_runner
from app.schemas.core import Day, RowId
from app.security import CurrentUser
from app.services import jobs as service
from exchange import MAX_INT
from models.jobs import JOB_STATUSES

# On shutdown the in-process runner fails its unfinished jobs and stops their planners at once,
# rather than keeping the server alive until every time limit has run out.
router = APIRouter(prefix="/api/plan-jobs", tags=["plan jobs"], on_shutdown=[shutdown_runner])

JobStatus = Literal["queued", "running", "gathering", "succeeded", "failed", "cancelled"]
assert set(JobStatus.__args__) == set(JOB_STATUSES)  # type: ignore[attr-defined]


class PlanJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    team_ids: list[RowId] = Field(min_length=1, max_length=1000, description="teams (teams.id) to plan")
    start: Day
    end: Day = Field(description="last day planned (inclusive)")
    time_limit: float = Field(default=30.0, gt=0, le=service.MAX_TIME_LIMIT,
                              description="seconds of solving for the whole job")
    seed: int = Field(default=0, ge=0, le=MAX_INT)
    part_time_limit: float | None = Field(
        default=None, gt=0, le=service.MAX_TIME_LIMIT,
        description="seconds per team instead of a share of time_limit (scale-out)")
    steps: int | None = Field(
        default=None, ge=1, le=service.MAX_STEPS,
        description="search steps per team instead of the clock: the same seed then gives the same plan "
                    "on any machine (the time limits still cap it)")
    continuity: str | None = Field(
        default=None, max_length=20,
        description="how faces weigh against travel: fewest (fewest carers per citizen), balanced, travel "
                    "(least travel that keeps the monthly cap), or a face budget faces:N; omitted: each "
                    "team's own default (GET /api/teams/{id}/settings)")


class ProgressOut(BaseModel):
    phase: str
    elapsed: float
    objective: float | None
    bound: float | None
    fraction: float
    parts: dict[str, int]


class PartOut(BaseModel):
    seq: int
    team_id: int | None
    status: str
    attempts: int
    phase: str
    elapsed: float
    objective: float | None
    fraction: float
    size: int
    worker: str | None
    error: str | None


class PlanJobOut(BaseModel):
    id: int
    kind: str
    status: str
    runner: str
    team_ids: list[int]
    start: Day
    end: Day
    time_limit: float
    part_time_limit: float | None
    seed: int
    steps: int | None
    continuity: str = Field(description="the setting the run planned with (per-team: each team its own)")
    continuity_from: str = Field(description="run: the run chose it; team: the team's own default")
    created_by_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    message: str
    error: str | None
    progress: ProgressOut
    plan_id: int | None
    plan_version_id: int | None
    figures: dict[str, Any]
    parts: list[PartOut]


def _out(job: Any) -> PlanJobOut:
    return PlanJobOut.model_validate(service.job_view(job))


@router.post("", status_code=status.HTTP_202_ACCEPTED, responses={**NAMES_ROWS, **PLANNER_BUSY})
def start_job(body: PlanJobIn, session: SessionDep, user: Coordinator, runner: RunnerDep) -> PlanJobOut:
    job = service.submit_plan_job(session, user=user, runner=runner, team_ids=body.team_ids, start=body.start,
                                  end=body.end, time_limit=body.time_limit, seed=body.seed,
                                  part_time_limit=body.part_time_limit, steps=body.steps,
                                  continuity=body.continuity)
    return _out(job)


@router.get("")
def list_jobs(session: SessionDep, user: CurrentUser,
              team_id: RowId | None = None,
              status_: Annotated[JobStatus | None, Query(alias="status")] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[PlanJobOut]:
    jobs = service.list_jobs(session, user=user, team_id=team_id, status=status_, limit=limit)
    return [_out(j) for j in jobs]


@router.get("/{job_id}")
def read_job(job_id: RowId, session: SessionDep, user: CurrentUser) -> PlanJobOut:
    return _out(service.get_job(session, user=user, job_id=job_id))


@router.post("/{job_id}/cancel")
def cancel_job(job_id: RowId, session: SessionDep, user: Coordinator, runner: RunnerDep) -> PlanJobOut:
    return _out(service.stop_job(session, user=user, runner=runner, job_id=job_id))
