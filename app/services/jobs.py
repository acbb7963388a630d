"""Solve jobs: start (stored, then handed to the runner), read with aggregated progress, list, cancel.

`submit_plan_job` and `stop_job` are what the API and the pages call: they store, commit and tell the
runner in the one order that works (a worker in another process must find the rows it is told about).

Authorisation rules (the router passes the user):
- starting and cancelling need coordinator (or admin) and every team of the job among the user's;
- reading needs every team of the job among the user's teams (as plans spanning teams);
- a job the user may not see answers 404, exactly as a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from app.db import commit_for_workers
from app.jobs.progress import aggregate
from app.jobs.runner import BrokerUnavailable, JobRunner
from app.repositories import core as core_repo
from app.security import visible_team_ids
from app.services import team_settings
from app.services.errors import Conflict, Invalid, NotFound, ServiceError
from app.services.team_settings import check_continuity
from models.core import ROLE_ADMIN, ROLE_COORDINATOR, Team, User
from models.jobs import (
    JOB_ACTIVE,
    JOB_CANCELLED,
    JOB_FAILED,
    JOB_FINISHED,
    KIND_PLAN,
    PART_ACTIVE,
    PART_CANCELLED,
    RUNNER_INPROCESS,
    PlanJob,
    PlanJobPart,
)
from solver.objective import CONTINUITY_DEFAULT

MAX_DAYS = 93  # a quarter: plans are made a month at a time; longer ranges are a typo
MAX_TIME_LIMIT = 6 * 3600.0
MAX_STEPS = 100_000  # search steps per team (team-m makes about 700 a minute)
# A job over several teams whose own defaults differ: each team is planned with its own setting.
CONTINUITY_PER_TEAM = "per-team"


class JobQueueUnavailable(ServiceError):
    """The job queue cannot be reached: the job was not started (503)."""

    status_code = 503
    kind = "queue_unavailable"


def _job_not_found(job_id: int) -> NotFound:
    return NotFound(f"plan job {job_id} not found")


def start_plan_job(session: Session, *, user: User, team_ids: list[int], start: dt.date, end: dt.date,
                   time_limit: float, seed: int = 0, part_time_limit: float | None = None,
                   kind: str = KIND_PLAN, params: dict[str, Any] | None = None,
                   steps: int | None = None, continuity: str | None = None, runner: str,
                   check_busy: bool = True) -> PlanJob:
    """Store a queued job with one part per team (the caller commits, then submits it). With `steps`,
    each team's search stops after that many steps rather than at its time limit; `continuity` is the
    run's weighing of faces against travel (solver/objective.py), None: each team's own default
    (`continuity_params`); both kept in `params`. `check_busy=False`: the caller has checked that no
    job plans these teams (a sweep stores several jobs for one team at once)."""
    wanted = list(dict.fromkeys(team_ids))
    if not wanted:
        raise Invalid("name at least one team", path="team_ids")
    if end < start:
        raise Invalid(f"end ({end}) is before start ({start})", path="end")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"a plan covers at most {MAX_DAYS} days; {start}..{end} is {(end - start).days + 1}",
                      path="end")
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise Invalid(f"time_limit must be between 0 and {MAX_TIME_LIMIT:.0f} seconds", path="time_limit")
    if steps is not None and not 1 <= steps <= MAX_STEPS:
        raise Invalid(f"steps must be between 1 and {MAX_STEPS}", path="steps")
    if continuity is not None:
        check_continuity(continuity)
    visible = visible_team_ids(user)
    known = set(session.execute(select(Team.id).where(Team.id.in_(wanted))).scalars())
    for i, team_id in enumerate(wanted):
        if team_id not in known or (visible is not None and team_id not in visible):
            # Another team's id answers as a missing one: do not reveal that it exists.
            raise NotFound(f"team {team_id} not found", path=f"team_ids.{i}")
    params = {**(params or {}), **({"steps": steps} if steps is not None else {}),
              **continuity_params(session, team_ids=wanted, continuity=continuity)}
    if check_busy:
        ensure_not_busy(session, team_ids=wanted)
    job = PlanJob(kind=kind, status="queued", runner=runner, team_ids=wanted, start_date=start,
                  end_date=end, time_limit=float(time_limit), part_time_limit=part_time_limit, seed=seed,
                  params=params, created_by_id=user.id, message="queued", phase="queued",
                  elapsed=0.0, fraction=0.0, figures={})
    job.parts = [PlanJobPart(seq=i, team_id=t, status="queued", size=0, attempts=0, phase="queued",
                             elapsed=0.0, fraction=0.0, message="") for i, t in enumerate(wanted)]
    session.add(job)
    session.flush()
    return job


def planner_named(session: Session, *, username: str) -> User:
    """Who a run started outside a request (the command line) is started by: an active user with the role
    the API's start checks, a coordinator or an admin."""
    user = core_repo.user_by_username(session, username)
    if user is None or not user.is_active or user.role not in (ROLE_ADMIN, ROLE_COORDINATOR):
        raise NotFound(f"no active coordinator or admin is called {username!r}")
    return user


def team_known_as(session: Session, *, user: User, reference: str) -> Team:
    """The one team among the user's that goes by `reference` (its id, external id or name); another
    team's answers as a missing one."""
    found = core_repo.teams_known_as(session, user, reference)
    if not found:
        raise NotFound(f"no team of {user.username!r} goes by {reference!r}")
    if len(found) > 1:
        raise Conflict(f"{len(found)} teams of {user.username!r} go by {reference!r}: name it by its id, "
                       f"{', '.join(str(t.id) for t in found)}")
    return found[0]


def continuity_params(session: Session, *, team_ids: list[int], continuity: str | None) -> dict[str, Any]:
    """How a job records its continuity setting: the run's choice, or each team's own default. A job
    over teams whose defaults differ plans each team with its own (`continuity_by_team`, which the
    part's claim reads) and names itself `CONTINUITY_PER_TEAM`."""
    if continuity is not None:
        return {"continuity": continuity, "continuity_from": "run"}
    by_team = team_settings.continuity_by_team(session, team_ids=team_ids)
    settings = set(by_team.values())
    return {"continuity": settings.pop() if len(settings) == 1 else CONTINUITY_PER_TEAM,
            "continuity_from": "team", "continuity_by_team": {str(t): c for t, c in by_team.items()}}


def ensure_not_busy(session: Session, *, team_ids: list[int]) -> None:
    """409 when a job still plans any of these teams (one plan at a time per team)."""
    busy = session.execute(
        select(PlanJob, PlanJobPart.team_id).join(PlanJobPart, PlanJobPart.job_id == PlanJob.id)
        .where(PlanJob.status.in_(JOB_ACTIVE), PlanJobPart.team_id.in_(team_ids)).order_by(PlanJob.id)
    ).all()
    # A job whose server is gone holds no team: the team's next run need not wait for someone to look.
    settle_orphans(session, list({running.id: running for running, _ in busy}.values()))
    for running, held in busy:
        if running.status in JOB_ACTIVE:
            raise Conflict(f"team {held} is being planned by job {running.id}; wait for it or cancel it",
                           path="team_ids")


def ensure_queue_reachable(runner: JobRunner) -> None:
    """503 before anything is stored when the runner's queue is out of reach."""
    try:
        runner.check_available()
    except BrokerUnavailable as e:
        raise JobQueueUnavailable(f"{e}; no job was started, try again later") from e


def submit_plan_job(session: Session, *, user: User, runner: JobRunner, team_ids: list[int], start: dt.date,
                    end: dt.date, time_limit: float, seed: int = 0, part_time_limit: float | None = None,
                    steps: int | None = None, continuity: str | None = None,
                    params: dict[str, Any] | None = None) -> PlanJob:
    """Store a plan job (`start_plan_job`), commit it and hand it to the runner. A queue out of reach
    answers 503: before storing, nothing is stored; at the hand-over, the job is stored as failed.
    `params` may hold `prefer`: assignments the plan starts from (a new citizen's fit, see execute.py)."""
    ensure_queue_reachable(runner)
    job = start_plan_job(session, user=user, team_ids=team_ids, start=start, end=end, time_limit=time_limit,
                         seed=seed, part_time_limit=part_time_limit, steps=steps, continuity=continuity,
                         params=params, runner=runner.name)
    commit_for_workers(session)
    try:
        runner.submit(job.id)
    except BrokerUnavailable as e:
        mark_not_started(session, job=job, reason=str(e))
        commit_for_workers(session)  # the refusal stays recorded although the request fails
        raise JobQueueUnavailable(str(e)) from e
    session.refresh(job)
    return job


def _visible_clause(user: User) -> Any:
    visible = visible_team_ids(user)
    if visible is None:
        return None
    other_team = or_(PlanJobPart.team_id.is_(None), PlanJobPart.team_id.notin_(sorted(visible) or [-1]))
    foreign = exists().where(PlanJobPart.job_id == PlanJob.id, other_team)
    return ~foreign


def settle_orphans(session: Session, jobs: list[PlanJob]) -> None:
    """In-process jobs whose web-server process is gone (it stopped or crashed) can never finish:
    they are shown, and stored, as failed. (Celery jobs survive their web server: not touched.)"""
    import os
    import socket

    host = socket.gethostname()
    for job in jobs:
        if job.runner != RUNNER_INPROCESS or job.status not in JOB_ACTIVE or not job.owner:
            continue
        owner_host, _, pid = job.owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # still alive (another server process on this machine runs it)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        job.status = JOB_FAILED
        job.error = "the server stopped before the job finished; the last plan is unchanged"
        job.finished_at = dt.datetime.now(dt.UTC)
        for p in job.parts:
            if p.status in PART_ACTIVE:
                p.status = PART_CANCELLED
    session.flush()


def get_job(session: Session, *, user: User, job_id: int) -> PlanJob:
    job = session.get(PlanJob, job_id)
    if job is None:
        raise _job_not_found(job_id)
    visible = visible_team_ids(user)
    if visible is not None and not set(job.team_ids) <= visible:
        raise _job_not_found(job_id)
    settle_orphans(session, [job])
    return job


def list_jobs(session: Session, *, user: User, team_id: int | None = None, status: str | None = None,
              limit: int = 50) -> list[PlanJob]:
    stmt = select(PlanJob).order_by(PlanJob.id.desc()).limit(limit)
    clause = _visible_clause(user)
    if clause is not None:
        stmt = stmt.where(clause)
    if team_id is not None:
        stmt = stmt.where(exists().where(PlanJobPart.job_id == PlanJob.id, PlanJobPart.team_id == team_id))
    if status is not None:
        stmt = stmt.where(PlanJob.status == status)
    jobs = list(session.execute(stmt).scalars())
    settle_orphans(session, jobs)
    return jobs


def cancel_job(session: Session, *, user: User, job_id: int) -> PlanJob:
    """Mark the job cancelled (its parts stop within a second; nothing is written). The caller commits,
    then tells the runner. A job that already finished answers 409."""
    job = get_job(session, user=user, job_id=job_id)
    res = session.execute(update(PlanJob).where(PlanJob.id == job.id, PlanJob.status.in_(JOB_ACTIVE))
                          .values(status=JOB_CANCELLED, finished_at=dt.datetime.now(dt.UTC),
                                  message="cancelled; the last plan is unchanged")
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(job)
        raise Conflict(f"plan job {job.id} has already {job.status}; nothing to cancel")
    # Running parts too: their process sees the row is no longer theirs within a second and stops;
    # anything it reports or returns afterwards no longer matches and is dropped.
    session.execute(update(PlanJobPart)
                    .where(PlanJobPart.job_id == job.id, PlanJobPart.status.in_(PART_ACTIVE))
                    .values(status=PART_CANCELLED, finished_at=dt.datetime.now(dt.UTC))
                    .execution_options(synchronize_session=False))
    session.flush()
    session.refresh(job)
    for p in job.parts:
        session.refresh(p)
    return job


def mark_not_started(session: Session, *, job: PlanJob, reason: str) -> None:
    """The runner refused the job (broker gone): it ends failed at once, with the reason."""
    session.execute(update(PlanJob).where(PlanJob.id == job.id, PlanJob.status.in_(JOB_ACTIVE))
                    .values(status=JOB_FAILED, error=reason, finished_at=dt.datetime.now(dt.UTC),
                            message="not started")
                    .execution_options(synchronize_session=False))
    session.execute(update(PlanJobPart).where(PlanJobPart.job_id == job.id,
                                              PlanJobPart.status.in_(PART_ACTIVE))
                    .values(status=PART_CANCELLED).execution_options(synchronize_session=False))
    session.flush()


def stop_job(session: Session, *, user: User, runner: JobRunner, job_id: int) -> PlanJob:
    """Cancel the job (`cancel_job`), commit, then tell the runner to stop its parts at once."""
    job = cancel_job(session, user=user, job_id=job_id)
    commit_for_workers(session)
    runner.cancel(job.id, [p.id for p in job.parts])
    return job


def job_view(job: PlanJob) -> dict[str, Any]:
    """The job as the API and pages show it: stored figures when finished, else the parts' aggregate."""
    if job.status in JOB_FINISHED:
        # Finished: the parts' last figures, the job's own where the gather stored them.
        agg = aggregate(job.parts, started_at=job.started_at, now=job.finished_at) if job.started_at \
            else aggregate(job.parts)
        progress = agg.as_dict()
        progress["phase"] = "done" if job.status == "succeeded" else job.status
        if job.status == "succeeded":
            progress.update(fraction=1.0, objective=job.objective, bound=job.bound)
    elif job.status == "queued":
        progress = {"phase": "queued", "elapsed": 0.0, "objective": None, "bound": None, "fraction": 0.0,
                    "parts": {"queued": len(job.parts)}}
    else:
        progress = aggregate(job.parts, started_at=job.started_at).as_dict()
        if job.status == "gathering":
            progress["phase"] = "gather"
    return {
        "id": job.id, "kind": job.kind, "status": job.status, "runner": job.runner,
        "team_ids": list(job.team_ids), "start": job.start_date, "end": job.end_date,
        "time_limit": job.time_limit, "part_time_limit": job.part_time_limit, "seed": job.seed,
        "steps": (job.params or {}).get("steps"),
        "continuity": (job.params or {}).get("continuity", CONTINUITY_DEFAULT),
        "continuity_from": (job.params or {}).get("continuity_from", "run"),
        "sweep": bool((job.params or {}).get("sweep")),
        "created_by_id": job.created_by_id, "created_at": job.created_at, "started_at": job.started_at,
        "finished_at": job.finished_at, "message": job.message, "error": job.error,
        "progress": progress, "plan_id": job.plan_id, "plan_version_id": job.plan_version_id,
        "figures": job.figures or {},
        "parts": [{"seq": p.seq, "team_id": p.team_id, "status": p.status, "attempts": p.attempts,
                   "phase": p.phase, "elapsed": round(p.elapsed or 0.0, 2), "objective": p.objective,
                   "fraction": round(p.fraction or 0.0, 4), "size": p.size, "worker": p.worker,
                   "error": p.error} for p in sorted(job.parts, key=lambda p: p.seq)],
    }


SWEEP_SECONDS = 30.0  # as long as a run started with the plan-run page's defaults: their figures compare


def submit_sweep(session: Session, *, user: User, runner: JobRunner, team_id: int, start: dt.date,
                 end: dt.date, settings: list[str], time_limit: float = SWEEP_SECONDS) -> list[PlanJob]:
    """A quick sweep: one short plan job per continuity setting in `settings`, all for one team and
    period, stored together (so the team is not "busy" with its own sweep) and then handed to the
    runner, which runs them as it runs any job. Refused (409) while another job plans the team, and
    (422) when there is no setting to run."""
    if not settings:
        raise Invalid("every setting already has a run for this period: nothing to sweep", path="continuity")
    for setting in settings:
        check_continuity(setting)
    ensure_queue_reachable(runner)
    ensure_not_busy(session, team_ids=[team_id])
    jobs = [start_plan_job(session, user=user, team_ids=[team_id], start=start, end=end,
                           time_limit=time_limit, continuity=setting, params={"sweep": True},
                           runner=runner.name, check_busy=False)
            for setting in settings]
    commit_for_workers(session)
    for i, job in enumerate(jobs):
        try:
            runner.submit(job.id)
        except BrokerUnavailable as e:
            for left in jobs[i:]:
                mark_not_started(session, job=left, reason=str(e))
            commit_for_workers(session)
            raise JobQueueUnavailable(str(e)) from e
    for job in jobs:
        session.refresh(job)
    return jobs
