"""The process-wide job runner: the one the settings ask for, made on first use.

Routers and pages take it as a dependency (`RunnerDep`); tests override `get_job_runner`.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends

from app.jobs.runner import JobRunner
from app.settings import get_settings

_lock = threading.Lock()
_runner: JobRunner | None = None


def get_job_runner() -> JobRunner:
    """With CELERY_BROKER_URL set, the Celery runner; else the in-process one."""
    global _runner
    with _lock:
        if _runner is None:
            # Imported here, not at the top: a server without a broker never loads Celery.
            if get_settings().celery_broker_url:
                from app.jobs.celery_runner import CeleryRunner

                _runner = CeleryRunner()
            else:
                from app.jobs.inprocess import InProcessRunner

                _runner = InProcessRunner()
        return _runner


def shutdown_runner() -> None:
    """Stop the process-wide runner if one was made (the web app's shutdown)."""
    global _runner
    with _lock:
        old, _runner = _runner, None
    if old is not None:
        old.shutdown()


RunnerDep = Annotated[JobRunner, Depends(get_job_runner)]
