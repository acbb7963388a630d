"""The scale-out runner: a job's teams are solved as Celery tasks on any `homecare worker`.

The web process only publishes messages (by task name: it never imports the tasks' code path);
a worker prepares the job, fans its teams out, and the last part gathers (app/jobs/tasks.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from celery import Celery

from app.jobs.celery_app import PREPARE_TASK, celery_app, control_queue, part_task_id, prepare_task_id
from app.jobs.runner import BrokerUnavailable
from models.jobs import RUNNER_CELERY

log = logging.getLogger(__name__)


class CeleryRunner:
    name = RUNNER_CELERY

    def __init__(self, app: Celery | None = None) -> None:
        self.app: Celery = celery_app if app is None else app

    def check_available(self) -> None:
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=3)
        except Exception as e:  # noqa: BLE001 - any connection failure means "no broker"
            raise BrokerUnavailable(f"the job queue ({_safe(self.app.conf.broker_url)}) cannot be reached: "
                                    f"{type(e).__name__}: {str(e)[:200]}") from e

    def submit(self, job_id: int) -> None:
        try:
            self.app.send_task(PREPARE_TASK, args=(job_id,), task_id=prepare_task_id(job_id),
                               queue=control_queue())
        except Exception as e:  # noqa: BLE001 - kombu raises several kinds; all mean "not queued"
            raise BrokerUnavailable(f"the job queue cannot be reached: {type(e).__name__}: {e}") from e

    def cancel(self, job_id: int, part_ids: Sequence[int]) -> None:
        # Queued parts are dropped by the workers; running ones read "cancelled" within a second
        # and stop (a part that starts later sees it in the database anyway, revoke or not).
        task_ids = [prepare_task_id(job_id), *(part_task_id(job_id, p) for p in part_ids)]
        try:
            self.app.control.revoke(task_ids)
        except Exception:  # noqa: BLE001 - the database status already stops every part
            log.warning("revoke for job %s not sent", job_id, exc_info=True)

    def shutdown(self) -> None:
        return None


def _safe(url: str) -> str:
    """The broker URL without its password, for messages."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
