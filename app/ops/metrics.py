"""Prometheus metrics at /metrics (prometheus-client), for an admin's token or the monitoring server's
address (METRICS_ALLOWED_IPS): the figures of a care system are not public.

- `homecare_http_requests_total{method,route,status}` and `homecare_http_request_duration_seconds
  {method,route}`: every request, by the route's pattern (`/api/citizens/{citizen_id}`), never its ids.
- `homecare_replan_duration_seconds{outcome}`: re-plans solved inside a request (outcome ok|failed).
- `homecare_plan_jobs{kind,state}` and `homecare_plan_job_duration_seconds{kind,state}`: read from the
  database at each scrape, because jobs run in other processes (a server's child, a Celery worker on
  another machine) that no scrape reaches; the database sees them all.
- `homecare_build_info{version}`: 1.

With several server processes (`serve --workers N`) each writes its counts to files in
PROMETHEUS_MULTIPROC_DIR (set by `serve`) and a scrape adds them up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from ipaddress import ip_address, ip_network
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import SessionDep
from app.ops.logs import access_log
from app.ops.measures import JOB_BUCKETS, LATENCY, REQUESTS
from app.ops.multiprocess import shared_metrics
from app.security import user_from_token
from app.settings import get_settings
from app.version import __version__
from models.core import ROLE_ADMIN
from models.jobs import JOB_FINISHED, JOB_KINDS, JOB_STATUSES, PlanJob

UNMATCHED = "<unmatched>"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

log = logging.getLogger(__name__)


class RequestMetrics:
    """Counts and times each request by its route's pattern, and writes the access line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answered = 500

        async def watch(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                answered = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = str(scope.get("method", ""))
            if method not in METHODS:  # any word is a method to HTTP; a label takes only the known ones
                method = "other"
            REQUESTS.labels(method, route, str(answered)).inc()
            LATENCY.labels(method, route).observe(seconds)
            access_log.info("%s %s %s %.1f ms", method, route, answered, seconds * 1000,
                            extra={"method": method, "route": route, "status": answered,
                                   "duration_ms": round(seconds * 1000, 1)})


def _seconds_between(dialect: str, start: Any, end: Any) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


class JobsCollector(Collector):
    """Plan jobs by kind and state, and how long finished ones ran, read from the database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily("homecare_build_info", "The running version.", labels=["version"])
        info.add_metric([__version__], 1)
        yield info

        counts = {(k, s): 0 for k in JOB_KINDS for s in JOB_STATUSES}
        for kind, state, n in self.session.execute(
                select(PlanJob.kind, PlanJob.status, func.count()).group_by(PlanJob.kind, PlanJob.status)):
            counts[(kind, state)] = int(n)
        jobs = GaugeMetricFamily("homecare_plan_jobs", "Plan jobs stored, by kind and state.",
                                 labels=["kind", "state"])
        for (kind, state), n in sorted(counts.items()):
            jobs.add_metric([kind, state], n)
        yield jobs

        dialect = self.session.get_bind().dialect.name
        seconds = _seconds_between(dialect, PlanJob.started_at, PlanJob.finished_at)
        rows = self.session.execute(
            select(PlanJob.kind, PlanJob.status, func.count(), func.coalesce(func.sum(seconds), 0.0),
                   *[func.sum(case((seconds <= bound, 1), else_=0)) for bound in JOB_BUCKETS])
            .where(PlanJob.status.in_(JOB_FINISHED), PlanJob.started_at.is_not(None),
                   PlanJob.finished_at.is_not(None))
            .group_by(PlanJob.kind, PlanJob.status))
        durations = HistogramMetricFamily(
            "homecare_plan_job_duration_seconds", "Finished plan jobs: seconds from start to end.",
            labels=["kind", "state"])
        for kind, state, n, total, *within in rows:
            buckets = [(str(b), int(c or 0)) for b, c in zip(JOB_BUCKETS, within, strict=True)]
            durations.add_metric([kind, state], buckets=[*buckets, ("+Inf", int(n))], sum_value=float(total))
        yield durations


def _process_metrics() -> bytes:
    if shared_metrics():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def _from_allowed_address(request: Request) -> bool:
    host = request.client.host if request.client else None
    if not host:
        return False
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in ip_network(net, strict=False) for net in get_settings().metrics_allowed_ips)


def _is_admin(request: Request, session: Session) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    user = user_from_token(session, token.strip())
    return user is not None and user.role == ROLE_ADMIN


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request, session: SessionDep) -> Response:
    if not (_from_allowed_address(request) or _is_admin(request, session)):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="metrics are for an admin's token or an address in METRICS_ALLOWED_IPS")
    jobs = CollectorRegistry()
    jobs.register(JobsCollector(session))
    return Response(_process_metrics() + generate_latest(jobs), media_type=CONTENT_TYPE_LATEST)
