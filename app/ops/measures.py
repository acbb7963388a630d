"""The metrics this process counts itself (prometheus-client); /metrics (app.ops.metrics) serves them.
Kept apart from the endpoint so the services can count without importing the web layer."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("homecare_http_requests_total", "Requests answered, by route pattern and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("homecare_http_request_duration_seconds", "Time to answer a request, by route pattern.",
                    ["method", "route"],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
REPLAN_SECONDS = Histogram("homecare_replan_duration_seconds", "Time a re-plan took (planner and checks).",
                           ["outcome"], buckets=(0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120))
JOB_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)


def observe_replan(seconds: float, *, ok: bool) -> None:
    REPLAN_SECONDS.labels("ok" if ok else "failed").observe(seconds)
