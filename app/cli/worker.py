"""`homecare worker`: a Celery worker that solves plan jobs. Needs CELERY_BROKER_URL.

    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 DATABASE_URL=postgresql+psycopg://... homecare worker
    homecare worker --concurrency 4 --queues homecare.solve      # a solve-only machine

Every worker needs the same DATABASE_URL as the web server (inputs and results travel through it).
"""

from __future__ import annotations

import os
import socket
import sys
from typing import Annotated

import typer

app = typer.Typer()  # its commands are registered in app/cli/__init__.py


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(
        "--concurrency", "-c", min=0, help="parts solved at once (processes); 0: one per CPU core")] = 0,
    queues: Annotated[str, typer.Option(
        "--queues", "-Q", help="comma-separated queues: <prefix>.control (prepare), <prefix>.solve (parts)")]
        = "",
    name: Annotated[str, typer.Option("--name", "-n", help="worker name (default: worker@host-pid)")] = "",
    loglevel: Annotated[str, typer.Option("--loglevel", "-l", help="debug, info, warning, error")] = "info",
    pool: Annotated[str, typer.Option("--pool", help="prefork (default) or solo (one process)")] = "prefork",
) -> None:
    """Run a worker that solves plan jobs from the queue (Ctrl-C to stop after the current part)."""
    from app.cli.checks import require_current_schema, settings_or_fail
    from app.ops.logs import configure_worker_logging

    settings = settings_or_fail()
    if not settings.celery_broker_url:
        print("homecare worker: CELERY_BROKER_URL is not set (e.g. redis://127.0.0.1:6379/0); without a "
              "broker, plan jobs run inside `homecare serve` and no worker is needed", file=sys.stderr)
        raise typer.Exit(2)
    if pool not in ("prefork", "solo"):
        print(f"homecare worker: --pool must be prefork or solo, not {pool!r}", file=sys.stderr)
        raise typer.Exit(2)
    # The schema first: a worker on a schema that is behind would take jobs it cannot store.
    require_current_schema()
    from app.jobs.celery_app import celery_app, control_queue, solve_queue
    from app.jobs.celery_runner import CeleryRunner
    from app.jobs.runner import BrokerUnavailable
    from app.jobs.solving import lower_priority

    try:
        CeleryRunner().check_available()
    except BrokerUnavailable as e:
        print(f"homecare worker: {e}", file=sys.stderr)
        raise typer.Exit(2) from None
    configure_worker_logging(settings)
    # Below the web server's priority where they share a machine (`jobs_solve_nice`, `jobs_solve_idle`);
    # the pool's processes inherit it.
    lower_priority(settings.jobs_solve_nice, idle=settings.jobs_solve_idle)
    queues = queues or f"{control_queue()},{solve_queue()}"
    argv = ["worker", f"--loglevel={loglevel}", f"--queues={queues}", f"--pool={pool}",
            f"--hostname={name or f'worker-{os.getpid()}@{socket.gethostname()}'}",
            "--without-gossip", "--without-mingle"]
    if pool == "prefork":
        argv.append(f"--concurrency={concurrency or os.cpu_count() or 1}")
    celery_app.worker_main(argv=argv)
