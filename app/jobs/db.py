"""Database sessions for processes that are not the web server (Celery workers, their pool children).

An engine per process id: a pool child forked from the worker must not reuse the parent's
connections. On SQLite (a laptop or the test suite) every transaction takes the write lock up front
(`app.db.for_writing`), because several worker processes write progress to the same file.
"""

from __future__ import annotations

import os
import threading

from sqlalchemy.orm import Session, sessionmaker

from app.db import for_writing, make_engine
from app.settings import get_settings

_lock = threading.Lock()
_by_pid: dict[tuple[int, str], sessionmaker[Session]] = {}


def worker_sessions(url: str | None = None) -> sessionmaker[Session]:
    url = url or get_settings().database_url
    key = (os.getpid(), url)
    with _lock:
        maker = _by_pid.get(key)
        if maker is None:
            engine = for_writing(make_engine(url))
            maker = _by_pid[key] = sessionmaker(bind=engine, expire_on_commit=False)
        return maker
