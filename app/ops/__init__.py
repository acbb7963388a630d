"""Running the planner as a service: logs with a request id on every line (`logs`), Prometheus metrics
(`metrics`), and what the web app adds for them (`instrument`). Health checks are app/api/health.py."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi import FastAPI

# prometheus-client's own switch, read by the library itself in every process it runs in (it must be in
# the environment before the server's processes start), so it is not one of our settings.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def instrument(app: FastAPI) -> None:
    """Request ids and request metrics around every request (the id is outermost, so the access line
    and every line logged while answering carry it), and /metrics (not part of the API's description)."""
    from asgi_correlation_id import CorrelationIdMiddleware

    from app.ops.logs import start_celery_request_ids
    from app.ops.metrics import RequestMetrics, router

    app.include_router(router)
    app.add_middleware(RequestMetrics)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    start_celery_request_ids()


def prepare_metrics(workers: int) -> None:
    """Several server processes share their metrics through files (prometheus-client's multiprocess
    mode); the folder must be set before they start and emptied of a previous run's files."""
    folder = os.environ.get(MULTIPROC_ENV)
    if workers <= 1 and not folder:
        return
    path = Path(folder or tempfile.mkdtemp(prefix="homecare-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
