"""The plan runs a team's curve of faces against driving time is drawn from."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.core import PLAN_ACCEPTED, PlanVersion
from models.jobs import JOB_SUCCEEDED, KIND_PLAN, PlanJob, PlanJobPart


def finished_team_runs(session: Session, team_id: int, *, limit: int = 200) -> Sequence[PlanJob]:
    """The team's succeeded plan runs that planned this team alone (a run over several teams counts
    them together), newest first."""
    alone = (select(PlanJobPart.job_id).group_by(PlanJobPart.job_id)
             .having(func.count() == 1, func.max(PlanJobPart.team_id) == team_id))
    return session.scalars(select(PlanJob).where(PlanJob.status == JOB_SUCCEEDED, PlanJob.kind == KIND_PLAN,
                                                 PlanJob.id.in_(alone))
                           .order_by(PlanJob.id.desc()).limit(limit)).all()


def versions_in_force(session: Session, plan_ids: Collection[int]) -> Sequence[PlanVersion]:
    """The accepted version of each of these plans that has one."""
    if not plan_ids:
        return []
    return session.scalars(select(PlanVersion).where(PlanVersion.plan_id.in_(sorted(plan_ids)),
                                                     PlanVersion.status == PLAN_ACCEPTED)).all()
