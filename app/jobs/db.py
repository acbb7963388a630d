"""Database sessions for processes that are not the web server (Celery workers, their pool children).

An engine per process id: a pool child forked from the worker must not reuse the parent's
connections. On SQLite (a laptop or the test suite) every transaction takes the write lock up front,
because several worker processes write progress to the same file (WAL and the busy timeout come
from app.db.make_engine).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_lock = threading.Lock()
_by_pid: dict[tuple[int, str], sessionmaker[Session]] = {}


def _begin_immediate(conn: Any) -> None:
    # Every transaction takes the write lock up front (waiting up to the busy timeout). A deferred
    # transaction that reads, then writes after another process committed, fails at once with
    # "database is locked" (SQLite cannot upgrade a stale snapshot); an immediate one just waits.
    # We issue BEGIN ourselves; pysqlite's own implicit BEGIN would come too late (and SQLAlchemy
    # resets the connection's isolation level when it returns to the pool, so set it each time).
    conn.connection.driver_connection.isolation_level = None
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def worker_sessions(url: str | None = None) -> sessionmaker[Session]:
    from app.db import make_engine
    from app.settings import get_settings

    url = url or get_settings().database_url
    key = (os.getpid(), url)
    with _lock:
        maker = _by_pid.get(key)
        if maker is None:
            engine = make_engine(url)
            if make_url(url).get_backend_name() == "sqlite":
                event.listen(engine, "begin", _begin_immediate)
            maker = _by_pid[key] = sessionmaker(bind=engine, expire_on_commit=False)
        return maker
