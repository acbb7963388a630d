"""One interface, two implementations: where a solve job runs is chosen by settings, not by callers.

- InProcessRunner (app/jobs/inprocess.py): no broker; each job is solved in a child process of the
  web server (`make run` needs nothing else).
- CeleryRunner (app/jobs/celery_runner.py): with CELERY_BROKER_URL set; every team of a job is a
  Celery task on any `homecare worker`, gathered into one plan version when all have succeeded.

Callers (app/services/jobs.py) store the job first, commit, then `submit(job_id)`; they `cancel`
after the job's status says "cancelled" in the database (the parts read that and stop).
"""

from __future__ import annotations

import threading
from typing import Protocol

from app.settings import get_settings


class BrokerUnavailable(RuntimeError):
    """The job queue cannot be reached: new jobs are refused (503), nothing else breaks."""


class JobRunner(Protocol):
    name: str

    def check_available(self) -> None:
        """Raise BrokerUnavailable when a job submitted now could not run."""

    def submit(self, job_id: int) -> None:
        """Start the stored job in the background; returns at once."""

    def cancel(self, job_id: int, task_ids: list[str]) -> None:
        """Stop the job's parts as soon as possible (the database already says "cancelled")."""

    def shutdown(self) -> None:
        """Release threads, processes and connections (tests, server shutdown)."""


def part_task_id(job_id: int, part_id: int) -> str:
    """Deterministic task ids: a cancel can revoke every part without asking anyone for the ids."""
    return f"{get_settings().celery_queue_prefix}-job{job_id}-part{part_id}"


def prepare_task_id(job_id: int) -> str:
    return f"{get_settings().celery_queue_prefix}-job{job_id}-prepare"


_lock = threading.Lock()
_runner: JobRunner | None = None


def get_runner() -> JobRunner:
    """The process-wide runner the settings ask for (created on first use)."""
    global _runner
    with _lock:
        if _runner is None:
            settings = get_settings()
            if settings.celery_broker_url:
                from app.jobs.celery_runner import CeleryRunner

                _runner = CeleryRunner()
            else:
                from app.jobs.inprocess import InProcessRunner

                _runner = InProcessRunner()
        return _runner


def set_runner(runner: JobRunner | None) -> JobRunner | None:
    """Replace the process-wide runner (tests); returns the previous one, which the caller shuts down."""
    global _runner
    with _lock:
        old, _runner = _runner, runner
        return old


def shutdown_runner() -> None:
    """Stop the process-wide runner if one was made (the web app's shutdown)."""
    old = set_runner(None)
    if old is not None:
        old.shutdown()
