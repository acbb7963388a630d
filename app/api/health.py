"""Health checks, open without login (load balancers and monitoring call them).

- `/health`: the process answers (liveness); touches nothing else.
- `/health/ready`: it can do its work (readiness): the database answers, its schema is this version's,
  and, with Celery configured, the broker answers and workers consume both job queues. 503 otherwise,
  naming the failed check (never a host, address or password: the answer is public).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import SessionDep
from app.migrate import schema_state
from app.schemas.core import ErrorOut
from app.settings import get_settings
from app.version import __version__

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)

OK = "ok"


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    version: str
    # check -> "ok" or what is wrong: database, schema, and with Celery broker and workers.
    checks: dict[str, str]


@router.get("/health")
def health() -> Health:
    return Health(status="ok", version=__version__)


def _database(session: Session) -> str:
    try:
        session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not ready"; the reason goes to the log only
        log.warning("readiness: the database does not answer", exc_info=True)
        session.rollback()
        return "does not answer"
    return OK


def _schema(session: Session) -> str:
    state = schema_state(session.connection())
    if state.is_current:
        return OK
    if state.unknown:
        return "migrated by a newer version"
    return "behind: run `homecare migrate`" if state.current else "none: run `homecare migrate`"


@lru_cache(maxsize=4)
def _celery(broker_url: str) -> Any:
    # Imported here, not at the top: a server without a broker never loads Celery.
    from app.jobs.celery_app import make_celery

    return make_celery(broker_url)


def _queues(broker_url: str) -> dict[str, str]:
    from app.jobs.celery_app import control_queue, solve_queue

    app = _celery(broker_url)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)
    except Exception:  # noqa: BLE001 - kombu raises many kinds; all mean "no broker"
        log.warning("readiness: the job queue's broker does not answer", exc_info=True)
        return {"broker": "does not answer", "workers": "unknown"}
    replies = app.control.inspect(timeout=1.0).active_queues() or {}
    consumed = {q.get("name") for queues in replies.values() for q in queues or ()}
    missing = [q for q in (control_queue(), solve_queue()) if q not in consumed]
    if missing:
        return {"broker": OK, "workers": f"no worker consumes {', '.join(missing)}"}
    return {"broker": OK, "workers": OK}


NOT_READY: dict[int | str, dict[str, Any]] = {503: {
    "model": ErrorOut,
    "description": "A check failed: `detail` lists each (`loc` [\"checks\", name]); the body also carries "
                   "`status`, `version` and `checks` as when ready."}}


@router.get("/health/ready", response_model=Readiness, responses=NOT_READY)
def ready(session: SessionDep) -> JSONResponse:
    checks = {"database": _database(session)}
    checks["schema"] = _schema(session) if checks["database"] == OK else "unknown"
    broker = get_settings().celery_broker_url
    if broker:
        checks.update(_queues(broker))
    good = all(v == OK for v in checks.values())
    body: dict[str, Any] = Readiness(status="ready" if good else "not ready", version=__version__,
                                     checks=checks).model_dump()
    if not good:
        body["detail"] = [{"loc": ["checks", name], "msg": why, "type": "not_ready"}
                          for name, why in checks.items() if why != OK]
    return JSONResponse(body, status_code=200 if good else 503)
