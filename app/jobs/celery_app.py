"""The Celery application: solve parts on workers over Redis, JSON messages only.

Messages carry ids only (job id, part id); inputs and results travel through the database in the
exchange format (app/jobs/codec.py). Reliability settings, and why:

- acks_late + reject_on_worker_lost: a part whose worker process dies is handed to another worker
  instead of being lost (each try is counted on the part row; after JOBS_MAX_ATTEMPTS the job fails).
- worker_prefetch_multiplier=1: a worker holds only the part it is solving, so a long solve does not
  sit on parts that an idle worker could run.
- visibility_timeout: when a whole worker machine vanishes, Redis hands its unacknowledged part to
  another worker after this many seconds.
- Two queues: "<prefix>.control" (prepare: light, database-bound) and "<prefix>.solve" (the parts:
  CPU-bound), prefix CELERY_QUEUE_PREFIX (default "homecare"). A worker consumes both unless told
  otherwise; large sites run a small control worker.
"""

from __future__ import annotations

from celery import Celery

from app.settings import get_settings

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
PREPARE_TASK = "homecare.jobs.prepare"
SOLVE_TASK = "homecare.jobs.solve_part"


def control_queue(prefix: str | None = None) -> str:
    return f"{prefix or get_settings().celery_queue_prefix}.control"


def solve_queue(prefix: str | None = None) -> str:
    return f"{prefix or get_settings().celery_queue_prefix}.solve"


def prepare_task_id(job_id: int) -> str:
    """Task ids are made from the job's ids, so a cancel can revoke every task without asking anyone."""
    return f"{get_settings().celery_queue_prefix}-job{job_id}-prepare"


def part_task_id(job_id: int, part_id: int) -> str:
    return f"{get_settings().celery_queue_prefix}-job{job_id}-part{part_id}"


def make_celery(broker_url: str | None = None) -> Celery:
    settings = get_settings()
    broker = broker_url or settings.celery_broker_url or DEFAULT_BROKER
    # The backend only records revocations: results go to the database (task_ignore_result).
    app = Celery("homecare", broker=broker, backend=settings.celery_result_backend or broker,
                 include=["app.jobs.tasks"])
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # job state lives in the database, not in the result backend
        result_expires=3600,
        task_default_queue=control_queue(),
        task_routes={SOLVE_TASK: {"queue": solve_queue()}, PREPARE_TASK: {"queue": control_queue()}},
        broker_transport_options={
            "visibility_timeout": settings.celery_visibility_timeout,
            "socket_connect_timeout": 3,
            # Sweep for parts of dead workers every few seconds rather than every 100.
            "unacked_restore_interval": 2, "unacked_restore_throttle": 1,
        },
        broker_connection_timeout=3,
        broker_connection_retry_on_startup=True,
        # A web request must answer 503 quickly when the broker is down, not retry for minutes.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5,
                                   "interval_max": 0.5},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


celery_app = make_celery()
