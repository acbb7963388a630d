"""Logging as a service needs it: one line a record (JSON by default, for the municipality's log
collector), each with the request id of the request it belongs to ("-" outside one).

The request id is the X-Request-ID header the proxy sent (nginx's $request_id) or a new one; it is sent
back in the answer, so a user's report, the proxy's log and ours meet. Nothing personal is logged: the
access line names the route's pattern (`/api/citizens/{citizen_id}`), never the path's values, query or
body, nor the caller's address; SQL parameters are hidden from errors (app.db).
"""

from __future__ import annotations

import logging
from typing import Any

from asgi_correlation_id import correlation_id

from app.settings import Settings

access_log = logging.getLogger("homecare.access")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation_id.get() or "-"
        record.__dict__.pop("color_message", None)  # uvicorn's terminal colours
        return True


def logging_config(settings: Settings, level: str | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server (uvicorn applies it in every worker process)."""
    level = (level or settings.log_level).upper()
    if settings.log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        }
    else:
        formatter = {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.ops.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "default", "filters": ["request_id"]}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's own lines go through the root handler; its access log is replaced by ours.
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "alembic": {"level": "WARNING"},
        },
    }


def log_line(settings: Settings, message: str, *, logger: str = "homecare.serve") -> str:
    """`message` as the server's log lines read (JSON by default), for what a command says before the
    server's logging starts: a log collector parses every line the service writes."""
    record = logging.LogRecord(logger, logging.INFO, __file__, 0, message, None, None)
    RequestIdFilter().filter(record)
    conf = logging_config(settings)["formatters"]["default"]
    formatter: logging.Formatter
    if "()" in conf:
        from pythonjsonlogger.json import JsonFormatter

        formatter = JsonFormatter(conf["fmt"], rename_fields=conf["rename_fields"],
                                  timestamp=conf["timestamp"])
    else:
        formatter = logging.Formatter(conf["format"])
    return formatter.format(record)


def configure_worker_logging(settings: Settings) -> None:
    """The Celery worker logs as the server does (and its task lines carry the id of the request that
    started the job): Celery leaves logging alone when someone answers its setup_logging signal."""
    import logging.config

    from celery import signals

    def setup(loglevel: Any = None, **_: Any) -> None:
        named = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
        logging.config.dictConfig(logging_config(settings, named if isinstance(named, str) else None))

    signals.setup_logging.connect(setup, weak=False, dispatch_uid="homecare-logging")
    start_celery_request_ids()


_HEADER = "homecare_request_id"


def start_celery_request_ids() -> None:
    """A plan job's tasks carry the id of the request that started it, so the worker's lines about the
    job carry it too. Connected once per process (the web server publishes, the worker runs)."""
    from celery import signals

    def publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
        if headers is not None and correlation_id.get():
            headers[_HEADER] = correlation_id.get()

    def prerun(task: Any = None, **_: Any) -> None:
        request = getattr(task, "request", None)
        request_id = request.get(_HEADER) if request is not None else None
        correlation_id.set(request_id if isinstance(request_id, str) else None)

    def postrun(**_: Any) -> None:
        correlation_id.set(None)

    signals.before_task_publish.connect(publish, weak=False, dispatch_uid="homecare-request-id-publish")
    signals.task_prerun.connect(prerun, weak=False, dispatch_uid="homecare-request-id-prerun")
    signals.task_postrun.connect(postrun, weak=False, dispatch_uid="homecare-request-id-postrun")
