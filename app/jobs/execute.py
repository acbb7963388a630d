"""A job's life in the database, shared by both runners (in-process and Celery).

    prepare  -> every part gets its team's sub-problem (exchange format), built at once, or (Celery)
                by the worker that claims the part; the job is "running"
    claim    -> a process takes a part (attempt n, committed first); a part tried too often fails the job
    progress -> the part's row carries its phase, elapsed, objective, bound, fraction
    complete -> the part's result is stored; the part that completes last wins the job for "gathering"
    gather   -> the parts' plans become one plan version, written in ONE transaction together with
                the job's "succeeded" status, and only if the job is still "gathering" (a job
                cancelled meanwhile is rolled back: its late result is discarded)

Every step is a short transaction with a conditional UPDATE, so two processes that happen to run the
same part (a message redelivered after its worker died) or a cancel racing a gather cannot both win.
Nothing here knows about threads, processes or brokers.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

import models.orm  # noqa: F401  (every table, so foreign keys resolve in a worker that imports only this)
from app.jobs import codec
from app.jobs.figures import plan_figures
from app.jobs.solving import SolveFailed
from app.mapping import build_problem, store_plan_version
from app.replan.fit import with_preferences
from models.core import VISIT_PLANNED, Citizen, Team, Visit
from models.jobs import (
    JOB_ACTIVE,
    JOB_CANCELLED,
    JOB_FAILED,
    JOB_GATHERING,
    JOB_QUEUED,
    JOB_RUNNING,
    JOB_SUCCEEDED,
    PART_ACTIVE,
    PART_CANCELLED,
    PART_FAILED,
    PART_RUNNING,
    PART_SUCCEEDED,
    PlanJob,
    PlanJobPart,
)
from solver.objective import CONTINUITY_DEFAULT
from solver.types import Assignment, Problem, Progress

log = logging.getLogger(__name__)

Sessions = sessionmaker[Session]
BuildProblem = Callable[..., Problem]
MIN_PART_SECONDS = 1.0


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def here() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- prepare ------------------------------------------------------------------------------------


def default_build_problem(session: Session, *, team_ids: list[int], start: dt.date, end: dt.date,
                          job: PlanJob) -> Problem:
    """The teams' problem; a job started from a new citizen's fit starts from that proposal (its
    `prefer` assignments stand in for the plan's own where they differ), as preferences the planner keeps
    unless it finds better: they are priced as the plan's current assignments, never pinned."""
    problem = build_problem(session, team_ids=team_ids, start=start, end=end)
    prefer = (job.params or {}).get("prefer")
    if prefer:
        problem = with_preferences(problem, [Assignment(str(a["visit"]), tuple(a["carers"]), int(a["start"]))
                                             for a in prefer])
    return problem


def part_time_limits(sizes: list[int], *, time_limit: float, part_time_limit: float | None) -> list[float]:
    """Seconds per part: a fixed figure when asked, else the job's time shared by size (as the planner
    shares its time between teams), never below a second (a first plan needs that much)."""
    if part_time_limit is not None:
        return [float(part_time_limit)] * len(sizes)
    total = max(1, sum(sizes))
    return [max(MIN_PART_SECONDS, time_limit * max(1, s) / total) for s in sizes]


# --- job kinds ----------------------------------------------------------------------------------
# A kind says how a job's problem is built and how its plan is stored. Only "plan" runs as a job;
# re-plans are solved in the request that previews them (a few seconds a day).


def _kind(kind: str) -> tuple[BuildProblem, Callable[..., Any]]:
    if kind == "plan":
        return default_build_problem, default_store
    raise ValueError(f"no job kind {kind!r}")


def _team_sizes(session: Session, job: PlanJob) -> dict[int, int]:
    """Visits per team in the job's range: one cheap COUNT, so time shares are known before any
    part's problem is built."""
    rows = session.execute(
        select(Citizen.team_id, func.count(Visit.id)).join(Citizen, Visit.citizen_id == Citizen.id)
        .where(Citizen.team_id.in_(job.team_ids), Visit.date >= job.start_date, Visit.date <= job.end_date,
               Visit.status == VISIT_PLANNED).group_by(Citizen.team_id))
    return {int(t): int(n) for t, n in rows}


def _start_running(session: Session, job: PlanJob) -> bool:
    # Conditional, never a plain assignment: a cancel that landed while we worked must win.
    res = session.execute(update(PlanJob).where(PlanJob.id == job.id,
                                                PlanJob.status.in_((JOB_QUEUED, JOB_RUNNING)))
                          .values(status=JOB_RUNNING, started_at=job.started_at or now(), phase="construct")
                          .execution_options(synchronize_session=False))
    if res.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    session.commit()
    return True


def prepare(sessions: Sessions, job_id: int, *, build: BuildProblem | None = None,
            defer_build: bool = False) -> list[int]:
    """Make the job's parts ready; returns the ids of the parts still to solve.

    `defer_build=False`: build the teams' problem once, split it by team, store every part's input.
    `defer_build=True` (Celery): only size the parts; each part builds its own team's input when a
    worker claims it, so the database reads of a 300-team job run on all workers at once instead of
    one. Idempotent: a job already prepared returns its unfinished parts; a finished job none."""
    with sessions() as session:
        job = session.get(PlanJob, job_id)
        if job is None or job.status not in (JOB_QUEUED, JOB_RUNNING):
            return []
        parts = sorted(job.parts, key=lambda p: p.seq)
        if job.status == JOB_RUNNING and (defer_build or all(p.problem is not None for p in parts)):
            return [p.id for p in parts if p.status in PART_ACTIVE]
        if defer_build:
            counts = _team_sizes(session, job)
            sizes = [counts.get(p.team_id or -1, 0) for p in parts]
            limits = part_time_limits(sizes, time_limit=job.time_limit, part_time_limit=job.part_time_limit)
            for part, size, limit in zip(parts, sizes, limits, strict=True):
                part.size, part.time_limit = size, limit
            return [p.id for p in parts if p.status in PART_ACTIVE] if _start_running(session, job) else []
        build = build or _kind(job.kind)[0]
        problem = build(session, team_ids=list(job.team_ids), start=job.start_date, end=job.end_date, job=job)
        subs = dict(codec.split_by_team(problem))
        ext_of = {tid: ext for tid, ext in session.execute(
            select(Team.id, Team.external_id).where(Team.id.in_(job.team_ids)))}
        sizes = [len(subs[ext_of[p.team_id]].visits) if p.team_id in ext_of and ext_of[p.team_id] in subs
                 else 0 for p in parts]
        limits = part_time_limits(sizes, time_limit=job.time_limit, part_time_limit=job.part_time_limit)
        for part, size, limit in zip(parts, sizes, limits, strict=True):
            ext = ext_of.get(part.team_id) if part.team_id is not None else None
            sub = subs.get(ext) if ext is not None else None
            if sub is None:  # a team with nothing to plan still gets an (empty) part
                sub = Problem(name=f"{problem.name}/{ext}", start_date=problem.start_date, days=problem.days,
                              teams=[t for t in problem.teams if t.id == ext], carers=[], citizens=[],
                              visits=[], max_carers_per_month=problem.max_carers_per_month,
                              travel=problem.travel)
            part.problem = codec.dumps(codec.problem_to_payload(sub))
            part.size = size
            part.time_limit = limit
        job.params = {**(job.params or {}), "instance_name": problem.name}
        return [p.id for p in parts if p.status in PART_ACTIVE] if _start_running(session, job) else []


# --- claim, progress, complete -------------------------------------------------------------------


@dataclass(slots=True)
class Claim:
    part_id: int
    job_id: int
    attempt: int
    payload: dict[str, Any]
    time_limit: float
    seed: int
    team: str
    steps: int | None = None  # search steps instead of the clock (the job's `steps`)
    continuity: str = CONTINUITY_DEFAULT  # the job's weighing of faces against travel


def claim(sessions: Sessions, part_id: int, *, max_attempts: int, worker: str | None = None,
          pid: int | None = None, task_id: str | None = None) -> Claim | None:
    """Take a part for solving, or None when there is nothing to do (job over, part done)."""
    with sessions() as session:
        part = session.get(PlanJobPart, part_id)
        if part is None:
            return None
        job = part.job
        if job.status != JOB_RUNNING or part.status not in PART_ACTIVE:
            if job.status in (JOB_CANCELLED, JOB_FAILED) and part.status in PART_ACTIVE:
                part.status = PART_CANCELLED
                part.finished_at = now()
                session.commit()
            return None
        if part.attempts >= max_attempts:
            msg = (f"team part {part.seq + 1} was started {part.attempts} times and never finished "
                   f"(its worker died each time); the last plan is unchanged")
            part.status = PART_FAILED
            part.error = msg
            part.finished_at = now()
            session.commit()
            fail_job(sessions, job.id, msg)
            return None
        part.attempts += 1
        part.status = PART_RUNNING
        part.worker = worker or socket.gethostname()
        part.pid = pid if pid is not None else os.getpid()
        part.task_id = task_id or part.task_id
        part.started_at = now()
        part.updated_at = part.started_at
        part.phase = "construct"
        part.fraction = 0.0
        attempt = part.attempts
        # Committed before any heavy work: a process that dies from here on has used up its try.
        session.commit()
        if part.problem is None:  # deferred: this worker builds its own team's input now
            try:
                problem = _kind(job.kind)[0](session, team_ids=[part.team_id], start=job.start_date,
                                             end=job.end_date, job=job)
            except Exception as e:  # noqa: BLE001 - bad data fails the job with its reason
                session.rollback()
                log.exception("part %s: building the problem failed", part_id)
                fail_job(sessions, job.id, f"could not build the problem of team part {part.seq + 1}: "
                                           f"{type(e).__name__}: {e}")
                return None
            session.commit()  # end the read: the write below starts a transaction of its own
            res = session.execute(update(PlanJobPart).where(
                PlanJobPart.id == part_id, PlanJobPart.attempts == attempt,
                PlanJobPart.status == PART_RUNNING,
            ).values(problem=codec.dumps(codec.problem_to_payload(problem)), size=len(problem.visits))
                .execution_options(synchronize_session=False))
            session.commit()
            if res.rowcount != 1:  # type: ignore[attr-defined]
                return None  # taken over meanwhile
            session.refresh(part)
        payload = json.loads(part.problem or "{}")
        teams = payload["instance"].get("teams") or [{"id": "?"}]
        return Claim(part_id=part.id, job_id=job.id, attempt=attempt, payload=payload,
                     time_limit=float(part.time_limit or job.time_limit), seed=job.seed + part.seq,
                     team=str(teams[0]["id"]), steps=(job.params or {}).get("steps"),
                     continuity=part_continuity(job.params or {}, part.team_id))


def part_continuity(params: dict[str, Any], team_id: int | None) -> str:
    """The setting a team's part is planned with: the team's own default when the run chose none
    (`continuity_by_team`), else the job's."""
    own = (params.get("continuity_by_team") or {}).get(str(team_id))
    return str(own or params.get("continuity") or CONTINUITY_DEFAULT)


def _mine(c: Claim) -> Any:
    return and_(PlanJobPart.id == c.part_id, PlanJobPart.attempts == c.attempt,
                PlanJobPart.status == PART_RUNNING)


def job_status(sessions: Sessions, job_id: int) -> str | None:
    with sessions() as session:
        return session.execute(select(PlanJob.status).where(PlanJob.id == job_id)).scalar_one_or_none()


def record_progress(sessions: Sessions, c: Claim, p: Progress) -> bool:
    """Store the part's progress; True while the part should go on (job running, part still ours)."""
    with sessions() as session:
        res = session.execute(update(PlanJobPart).where(_mine(c)).values(
            phase=p.phase if p.phase != "done" else "improve", elapsed=p.elapsed, objective=p.objective,
            bound=p.bound, fraction=min(0.999, max(0.0, p.fraction)), message=p.message[:500],
            updated_at=now()))
        status = session.execute(select(PlanJob.status).where(PlanJob.id == c.job_id)).scalar_one_or_none()
        session.commit()
        return res.rowcount == 1 and status == JOB_RUNNING  # type: ignore[attr-defined]


class Relay:
    """Throttles a running part's progress writes and stop checks to about one DB round trip a second."""

    def __init__(self, sessions: Sessions, c: Claim, interval: float = 1.0) -> None:
        self.sessions, self.claim, self.interval = sessions, c, interval
        self.last = 0.0
        self.pending: Progress | None = None
        self.go_on = True

    def on_progress(self, p: Progress) -> None:
        self.pending = p
        self._tick()

    def should_stop(self) -> bool:
        self._tick()
        return not self.go_on

    def _tick(self, force: bool = False) -> None:
        t = time.monotonic()
        if not force and t - self.last < self.interval:
            return
        self.last = t
        try:
            if self.pending is not None:
                self.go_on = record_progress(self.sessions, self.claim, self.pending)
                self.pending = None
            else:
                self.go_on = job_status(self.sessions, self.claim.job_id) == JOB_RUNNING
        except Exception:  # a busy database must not kill a solve; the next tick tries again
            log.warning("progress of part %s not stored", self.claim.part_id, exc_info=True)

    def flush(self) -> None:
        self._tick(force=True)


def complete(sessions: Sessions, c: Claim, result: dict[str, Any]) -> bool:
    """Store the part's result; True when this was the last part and the caller must gather."""
    with sessions() as session:
        res = session.execute(update(PlanJobPart).where(_mine(c)).values(
            status=PART_SUCCEEDED, result=codec.dumps(result), phase="done", fraction=1.0,
            objective=result.get("objective"), bound=result.get("bound"),
            finished_at=now(), updated_at=now()))
        session.commit()
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return False  # not ours any more (cancelled, failed, or taken over after a presumed death)
    # A separate transaction, after our part's commit: of two parts finishing together at least the
    # later one sees both, and the conditional UPDATE lets exactly one of them win.
    with sessions() as session:
        unfinished = exists().where(PlanJobPart.job_id == c.job_id, PlanJobPart.status != PART_SUCCEEDED)
        res = session.execute(update(PlanJob).where(PlanJob.id == c.job_id, PlanJob.status == JOB_RUNNING,
                                                    ~unfinished).values(status=JOB_GATHERING, phase="done",
                                                                        fraction=1.0))
        session.commit()
        return res.rowcount == 1  # type: ignore[attr-defined]


def give_up(sessions: Sessions, c: Claim, error: str) -> None:
    """The part failed (the planner raised or gave no plan): the job fails, the last plan stays."""
    with sessions() as session:
        res = session.execute(update(PlanJobPart).where(_mine(c)).values(
            status=PART_FAILED, error=error[:4000], finished_at=now(), updated_at=now()))
        session.commit()
        if res.rowcount != 1:  # type: ignore[attr-defined]
            return
    fail_job(sessions, c.job_id, f"team {c.team}: {error}")


def stopped(sessions: Sessions, c: Claim) -> None:
    """The part stopped because its job was cancelled or failed elsewhere."""
    with sessions() as session:
        session.execute(update(PlanJobPart).where(_mine(c)).values(
            status=PART_CANCELLED, finished_at=now(), updated_at=now()))
        session.commit()


def fail_job(sessions: Sessions, job_id: int, error: str) -> bool:
    """Mark an active job failed (its running parts see it within a second and stop)."""
    with sessions() as session:
        res = session.execute(update(PlanJob).where(PlanJob.id == job_id, PlanJob.status.in_(JOB_ACTIVE))
                              .values(status=JOB_FAILED, error=error[:4000], finished_at=now(),
                                      message="failed; the last plan is unchanged"))
        if res.rowcount == 1:  # type: ignore[attr-defined]
            # The other parts stop: running ones see their row is no longer theirs within a second.
            session.execute(update(PlanJobPart).where(PlanJobPart.job_id == job_id,
                                                      PlanJobPart.status.in_(PART_ACTIVE))
                            .values(status=PART_CANCELLED, finished_at=now()))
        session.commit()
        return res.rowcount == 1  # type: ignore[attr-defined]


# --- gather --------------------------------------------------------------------------------------


def default_store(session: Session, *, job: PlanJob, plan: Any, figures: dict[str, Any]) -> Any:
    """Write the plan version (draft) through the foundation's mapping (flush only); the PlanVersion."""
    return store_plan_version(
        session, team_ids=list(job.team_ids), start=job.start_date, end=job.end_date, plan=plan,
        created_by_id=job.created_by_id,
        inputs={"job_id": job.id, "kind": job.kind, "time_limit": job.time_limit, "seed": job.seed,
                "part_time_limit": job.part_time_limit, "runner": job.runner,
                **{k: v for k, v in (job.params or {}).items() if k != "instance_name"}},
        stats=figures,
    )


StorePlan = Callable[..., Any]


def gather(sessions: Sessions, job_id: int, *, store: StorePlan | None = None) -> bool:
    """Join the parts' plans into one draft plan version, atomically with the job's success.
    Returns True when the version was written; False when the job was cancelled meanwhile (nothing
    written) or is not gathering (already done by a redelivered message)."""
    t0 = time.monotonic()
    with sessions() as session:
        job = session.get(PlanJob, job_id)
        if job is None or job.status != JOB_GATHERING:
            return False
        parts = sorted(job.parts, key=lambda p: p.seq)
        results = [json.loads(p.result or "{}") for p in parts]
        instances = [json.loads(p.problem or "{}")["instance"] for p in parts]
        plan = codec.merge_plans([codec.result_to_plan(r) for r in results])
        name = str((job.params or {}).get("instance_name") or f"job-{job.id}")
        plan_doc = {"format": "homecare-plan/1", "instance": name,
                    "visits": [v for r in results for v in r["plan"]["visits"]],
                    "unassigned": [u for r in results for u in r["plan"]["unassigned"]]}
        figures = plan_figures(codec.merge_instances(instances, name), plan_doc, plan.stats)
        version = (store or _kind(job.kind)[1])(session, job=job, plan=plan, figures=figures)
        session.flush()
        elapsed = (now() - job.started_at).total_seconds() if job.started_at else 0.0
        res = session.execute(update(PlanJob).where(PlanJob.id == job_id, PlanJob.status == JOB_GATHERING)
                              .values(status=JOB_SUCCEEDED, finished_at=now(), phase="done", fraction=1.0,
                                      plan_version_id=getattr(version, "id", None),
                                      plan_id=getattr(version, "plan_id", None),
                                      objective=plan.objective, bound=plan.bound, elapsed=elapsed,
                                      figures=figures,
                                      message=f"draft plan version stored: {figures['placed']} visits "
                                              f"placed, {figures['unplaced']} not"))
        if res.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()  # cancelled while we gathered: its result is discarded, nothing written
            return False
        # The inputs and results now live in the plan version; keep the job rows small.
        session.execute(update(PlanJobPart).where(PlanJobPart.job_id == job_id)
                        .values(problem=None, result=None))
        session.commit()
    log.info("job %s gathered in %.1f s", job_id, time.monotonic() - t0)
    return True


# --- the whole job in one process ----------------------------------------------------------------


SolvePart = Callable[[Claim, Relay], dict[str, Any]]


def run_part(sessions: Sessions, part_id: int, solve_part: SolvePart, *, max_attempts: int,
             task_id: str | None = None, pid: int | None = None) -> str:
    """Claim, solve, and record one part; returns what happened ("gather", "done", "skipped", ...)."""
    c = claim(sessions, part_id, max_attempts=max_attempts, task_id=task_id, pid=pid)
    if c is None:
        return "skipped"
    relay = Relay(sessions, c)
    try:
        result = solve_part(c, relay)
    except SolveFailed as e:
        give_up(sessions, c, str(e))
        return "failed"
    except Exception as e:  # noqa: BLE001 - any planner crash fails the job with its reason, never half-writes
        log.exception("part %s failed", part_id)
        give_up(sessions, c, f"{type(e).__name__}: {e}")
        return "failed"
    relay.flush()
    if job_status(sessions, c.job_id) != JOB_RUNNING:
        stopped(sessions, c)  # cancelled or failed meanwhile: this result is discarded
        return "discarded"
    return "gather" if complete(sessions, c, result) else "done"
