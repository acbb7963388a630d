"""Solve jobs: a request to plan some teams over a date range, run in the background.

A job is split into parts, one per team (teams share no carers, so each is an independent
sub-problem). Parts carry their input and result in the exchange format (compact JSON text), so
any worker process, on any machine, can run a part with nothing but the database: no pickled ORM
objects travel through the broker. The job's plan version is written once, in one transaction,
when every part has succeeded (app/jobs/execute.py); a failed or cancelled job writes none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UtcDateTime

JOB_QUEUED = "queued"  # stored, waiting for a runner
JOB_RUNNING = "running"  # parts are being prepared or solved
JOB_GATHERING = "gathering"  # every part succeeded; the plan version is being written
JOB_SUCCEEDED = "succeeded"
JOB_FAILED = "failed"
JOB_CANCELLED = "cancelled"
JOB_STATUSES = (JOB_QUEUED, JOB_RUNNING, JOB_GATHERING, JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED)
JOB_ACTIVE = (JOB_QUEUED, JOB_RUNNING, JOB_GATHERING)
JOB_FINISHED = (JOB_SUCCEEDED, JOB_FAILED, JOB_CANCELLED)

PART_QUEUED = "queued"
PART_RUNNING = "running"
PART_SUCCEEDED = "succeeded"
PART_FAILED = "failed"
PART_CANCELLED = "cancelled"
PART_STATUSES = (PART_QUEUED, PART_RUNNING, PART_SUCCEEDED, PART_FAILED, PART_CANCELLED)
PART_ACTIVE = (PART_QUEUED, PART_RUNNING)

KIND_PLAN = "plan"
KIND_REPLAN = "replan"
JOB_KINDS = (KIND_PLAN, KIND_REPLAN)

RUNNER_INPROCESS = "inprocess"
RUNNER_CELERY = "celery"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PlanJob(Base):
    __tablename__ = "plan_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN {JOB_STATUSES!r}", name="status_known"),
        CheckConstraint(f"kind IN {JOB_KINDS!r}", name="kind_known"),
        CheckConstraint("end_date >= start_date", name="date_range"),
        CheckConstraint("time_limit > 0", name="time_limit_positive"),
        Index("ix_plan_jobs_status", "status"),
        Index("ix_plan_jobs_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=KIND_PLAN)
    status: Mapped[str] = mapped_column(String(20), default=JOB_QUEUED)
    runner: Mapped[str] = mapped_column(String(20), default=RUNNER_INPROCESS)
    # Team ids (teams.id) as asked; the parts hold the same teams, one each.
    team_ids: Mapped[list[int]] = mapped_column(JSON)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # inclusive
    time_limit: Mapped[float] = mapped_column(Float)  # seconds of solving for the whole job
    # Seconds per part when set (scale-out: every team gets the same budget whatever the count).
    part_time_limit: Mapped[float | None] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    # Free-form inputs a kind needs beyond the above (a re-plan's days, changes ...).
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Who runs it: "host:pid" of the in-process runner, or the celery task id of the preparation.
    owner: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    # The final progress figures (while running they are aggregated from the parts on read).
    phase: Mapped[str] = mapped_column(String(20), default="queued")
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL"))
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    parts: Mapped[list[PlanJobPart]] = relationship(
        back_populates="job", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PlanJobPart.seq",
    )


class PlanJobPart(Base):
    """One team's sub-problem of a job: its input, its progress while solving, its result."""

    __tablename__ = "plan_job_parts"
    __table_args__ = (
        UniqueConstraint("job_id", "seq"),
        CheckConstraint(f"status IN {PART_STATUSES!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("plan_jobs.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PART_QUEUED)
    size: Mapped[int] = mapped_column(Integer, default=0)  # visits: weights progress and time shares
    time_limit: Mapped[float | None] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[str | None] = mapped_column(String(200))
    worker: Mapped[str | None] = mapped_column(String(200))  # host of the process solving it
    pid: Mapped[int | None] = mapped_column(Integer)  # that process (a dead one is retried elsewhere)
    phase: Mapped[str] = mapped_column(String(20), default="queued")
    elapsed: Mapped[float] = mapped_column(Float, default=0.0)
    objective: Mapped[float | None] = mapped_column(Float)
    bound: Mapped[float | None] = mapped_column(Float)
    fraction: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    # Input and output in the exchange format (compact JSON text; see app/jobs/codec.py).
    problem: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    job: Mapped[PlanJob] = relationship(back_populates="parts")


__all__ = [
    "JOB_ACTIVE", "JOB_CANCELLED", "JOB_FAILED", "JOB_FINISHED", "JOB_GATHERING", "JOB_QUEUED",
    "JOB_RUNNING", "JOB_STATUSES", "JOB_SUCCEEDED", "KIND_PLAN", "KIND_REPLAN", "PART_ACTIVE",
    "PART_CANCELLED", "PART_FAILED", "PART_QUEUED", "PART_RUNNING", "PART_STATUSES", "PART_SUCCEEDED",
    "PlanJob", "PlanJobPart", "RUNNER_CELERY", "RUNNER_INPROCESS",
]
