"""What the web app adds for running as a service: request ids and request metrics around every
request, and /metrics."""

from __future__ import annotations

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI

from app.ops.logs import start_celery_request_ids
from app.ops.metrics import RequestMetrics, router


def instrument(app: FastAPI) -> None:
    """Request ids and request metrics around every request (the id is outermost, so the access line
    and every line logged while answering carry it), and /metrics (not part of the API's description)."""
    app.include_router(router)
    app.add_middleware(RequestMetrics)
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")
    start_celery_request_ids()
