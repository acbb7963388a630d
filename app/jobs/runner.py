"""The job runner interface: where a solve job runs is chosen by settings, not by callers.

Two implementations, chosen by `app.jobs.factory`:
- InProcessRunner (app/jobs/inprocess.py): no broker; each job is solved in a child process of the
  web server (`make run` needs nothing else).
- CeleryRunner (app/jobs/celery_runner.py): with CELERY_BROKER_URL set; every team of a job is a
  Celery task on any `homecare worker`, gathered into one plan version when all have succeeded.

The one caller, `app.services.jobs`, stores the job and commits before `submit(job_id)`, and marks it
"cancelled" in the database before `cancel` (the parts read that and stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class BrokerUnavailable(RuntimeError):
    """The job queue cannot be reached: new jobs are refused (503), nothing else breaks."""


class JobRunner(Protocol):
    name: str

    def check_available(self) -> None:
        """Raise BrokerUnavailable when a job submitted now could not run."""

    def submit(self, job_id: int) -> None:
        """Start the stored job in the background; returns at once."""

    def cancel(self, job_id: int, part_ids: Sequence[int]) -> None:
        """Stop the job's parts as soon as possible (the database already says "cancelled")."""

    def shutdown(self) -> None:
        """Release threads, processes and connections (tests, server shutdown)."""
