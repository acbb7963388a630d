"""A coordinator's edit that arrives while a solve job commits its progress is saved, not a 500.

On SQLite (the embedded default) a request that may write takes the write lock at its first statement
and waits for the job's commit; before, it read first and then failed at its write with "database is
locked" (SQLite cannot bring a read snapshot up to date once someone else holds the lock). A request that
only reads never waits. The same stories hold on PostgreSQL, where nothing here needs a wait.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Generator, Iterator

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from starlette.requests import Request

import app.db
from app.db import for_writing, get_session, get_sessionmaker, get_writing_sessionmaker
from models import core as m


@pytest.fixture
def app_sessions(db_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """`app.db.get_session` as the server runs it, on the test's database."""
    monkeypatch.setattr(app.db, "get_engine", lambda: db_engine)
    for maker in (get_sessionmaker, get_writing_sessionmaker):
        maker.cache_clear()
    yield db_engine
    for maker in (get_sessionmaker, get_writing_sessionmaker):
        maker.cache_clear()
    with Session(db_engine) as s:
        s.execute(delete(m.User).where(m.User.username.like("job-%") | m.User.username.like("edit-%")))
        s.commit()


def _request_session(method: str) -> Generator[Session, None, None]:
    return get_session(Request({"type": "http", "method": method, "headers": []}))


def _in_a_request(method: str, outcome: dict[str, object]) -> threading.Thread:
    """A request with `method` that reads the users, then adds one; `outcome` gets what happened."""

    def run() -> None:
        sessions = _request_session(method)
        try:
            session = next(sessions)
            session.scalars(select(m.User.id)).all()
            session.add(m.User(username=f"edit-{uuid.uuid4().hex[:6]}", password_hash="-",
                               role=m.ROLE_COORDINATOR))
            session.flush()
            next(sessions, None)  # the dependency commits
            outcome["result"] = "saved"
        except Exception as exc:  # noqa: BLE001 - the story is which error, if any
            sessions.close()
            outcome["result"] = f"{type(exc).__name__}: {exc}"

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _job_holding_the_write_lock(engine: Engine) -> Session:
    """A solve job in the middle of writing its progress (its transaction not yet committed)."""
    job = Session(for_writing(engine))
    job.add(m.User(username=f"job-{uuid.uuid4().hex[:6]}", password_hash="-", role=m.ROLE_COORDINATOR))
    job.flush()
    return job


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_an_edit_during_a_jobs_progress_write_waits_and_is_saved(app_sessions: Engine, method: str) -> None:
    job = _job_holding_the_write_lock(app_sessions)
    outcome: dict[str, object] = {}
    edit = _in_a_request(method, outcome)
    time.sleep(0.3)  # the edit arrives while the job's write is open
    job.commit()
    job.close()
    edit.join(30)
    assert outcome["result"] == "saved", outcome
    with Session(app_sessions) as s:
        assert s.scalar(select(m.User.id).where(m.User.username.like("edit-%"))) is not None


def test_a_page_that_only_reads_does_not_wait_for_the_job(app_sessions: Engine, backend: str) -> None:
    job = _job_holding_the_write_lock(app_sessions)
    try:
        sessions = _request_session("GET")
        t0 = time.monotonic()
        session = next(sessions)
        users = session.scalars(select(m.User.username)).all()
        waited = time.monotonic() - t0
        next(sessions, None)
    finally:
        job.rollback()
        job.close()
    assert waited < 0.2, f"a read waited {waited:.2f} s on {backend}"
    assert not any(u.startswith("job-") for u in users)  # the job's uncommitted write is not seen
