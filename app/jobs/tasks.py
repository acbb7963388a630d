"""Celery tasks: prepare a job (fan out one task per team), solve a part (fan in by the last one).

The fan-in is decided in the database, not by a Celery chord: the part that completes last wins
the job's "gathering" status with a conditional UPDATE (app/jobs/execute.py) and writes the plan
version, in one transaction, right there. A chord's counter lives in Redis and a worker death
between "part done" and "counter incremented" loses or double-fires it; the database row cannot.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from app.jobs import execute
from app.jobs.celery_app import PREPARE_TASK, SOLVE_TASK, celery_app, part_task_id, solve_queue
from app.jobs.db import worker_sessions
from app.jobs.execute import Claim, Relay
from app.jobs.solving import resolve, solve_payload
from app.settings import get_settings
from models.jobs import JOB_GATHERING

log = logging.getLogger(__name__)


@celery_app.task(name=PREPARE_TASK, acks_late=True, reject_on_worker_lost=True)
def prepare(job_id: int) -> dict[str, Any]:
    sessions = worker_sessions()
    try:
        part_ids = execute.prepare(sessions, job_id, defer_build=True)
    except Exception as e:  # noqa: BLE001 - bad data fails the job with its reason
        log.exception("job %s: preparation failed", job_id)
        execute.fail_job(sessions, job_id, f"could not build the problem: {type(e).__name__}: {e}")
        return {"job": job_id, "parts": 0}
    try:
        for part_id in part_ids:
            solve_part.apply_async((job_id, part_id), task_id=part_task_id(job_id, part_id),
                                   queue=solve_queue())
    except Exception as e:  # noqa: BLE001 - the broker went away mid-fan-out: fail clearly, not hang
        log.exception("job %s: fan-out failed", job_id)
        execute.fail_job(sessions, job_id, f"the job queue failed while starting the teams: {e}")
    return {"job": job_id, "parts": len(part_ids)}


def _solve(c: Claim, relay: Relay) -> dict[str, Any]:
    return solve_payload(c.payload, time_limit=c.time_limit, seed=c.seed, solve_fn=resolve(),
                         on_progress=relay.on_progress, should_stop=relay.should_stop, steps=c.steps,
                         continuity=c.continuity)


@celery_app.task(name=SOLVE_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def solve_part(self: Any, job_id: int, part_id: int) -> str:
    sessions = worker_sessions()
    try:
        outcome = execute.run_part(sessions, part_id, _solve, max_attempts=get_settings().jobs_max_attempts,
                                   task_id=self.request.id, pid=os.getpid())
        if outcome == "skipped" and execute.job_status(sessions, job_id) == JOB_GATHERING:
            # Redelivered after the worker that was gathering died: gather again (it is idempotent).
            outcome = "gather"
        if outcome == "gather":
            execute.gather(sessions, job_id)
        return outcome
    except Exception as e:  # noqa: BLE001 - the planner's own failures are handled in run_part
        # The database or the mapping failed around the solve (nothing half-written: every write is
        # one transaction). Try again a little later; after that the job fails with the reason.
        log.exception("job %s part %s: %s", job_id, part_id, e)
        if self.request.retries < self.max_retries:
            raise self.retry(exc=e, countdown=2 * (self.request.retries + 1)) from e
        execute.fail_job(sessions, job_id, f"team part {part_id} could not be run or stored: "
                                           f"{type(e).__name__}: {e}")
        return "failed"
