"""Engine and sessions. One request, one session; the `get_session` dependency owns the commit.

Routers take `session: SessionDep`; services receive the session as a keyword argument and only
`flush()` (so a unique violation surfaces inside the request and becomes a 409), never commit. Two
named exceptions: `end_reading` ends a transaction that has only read, before a re-plan's solve;
`commit_for_workers` commits a solve job's rows before another process is told to run it.

On SQLite a request that may write takes the write lock at its first statement (`for_writing`); one that
only reads never waits.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Generator, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from app.files import private_file
from app.settings import get_settings

# An execution option: transactions on an engine carrying it will write, so on SQLite they take the
# write lock at BEGIN (waiting up to the busy timeout). A deferred transaction that reads and then
# writes after someone else committed (a solve job's progress, another request) fails at once with
# "database is locked": SQLite cannot bring a stale snapshot up to date, nor wait for it.
WRITES = "homecare_writes"
# The database cannot be reached (restarting, its connections used up, an SQLite file locked past the
# busy timeout): the request did nothing, and the same request a little later will work, so it answers
# 503 with Retry-After (app.api.errors, app.web.render). The pool's pre-ping replaces dead connections,
# so the service recovers by itself once the database is back.
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)
DATABASE_DOWN_DETAIL = "the database is not reachable just now; nothing was changed, try again shortly"
RETRY_AFTER_SECONDS = 5

# Marks a route (in its OpenAPI description) whose reads of citizens' data are written to the access
# log: its session writes, although the request only reads (see app.api.deps.ReadLog).
ACCESS_LOGGED = "x-access-logged"


def for_writing(engine: Engine) -> Engine:
    """`engine` for transactions that will write; the same pool. PostgreSQL ignores the option."""
    return engine.execution_options(**{WRITES: True})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite ignores foreign keys unless told, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # A solve job writes its progress and plan while web requests read and write: readers must not
    # block the writer (WAL) and a writer waits for the lock instead of failing at once.
    cursor.execute("PRAGMA busy_timeout=30000")
    _into_wal(cursor)
    cursor.close()
    # pysqlite's own transaction handling breaks SAVEPOINT (and so nested transactions and the
    # tests' rollback); let SQLAlchemy emit BEGIN itself (the documented pysqlite recipe).
    dbapi_connection.isolation_level = None


def _into_wal(cursor: Any) -> None:
    # Switching a new file into WAL needs it alone, and SQLite answers "database is locked" at once,
    # without the busy timeout, when another connection opens it at that moment (two `homecare
    # migrate` started together): wait a little and look again; by then the other one has switched it.
    deadline = time.monotonic() + 30
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn: Any) -> None:
    # Set again at each BEGIN: SQLAlchemy may reset the driver's isolation level when a connection
    # goes back to the pool, and pysqlite's own implicit BEGIN would then come too late.
    conn.connection.driver_connection.isolation_level = None
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITES) else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; for SQLite: the file and its folder are made for the service's user only
    (app.files) and foreign keys are enforced."""
    parsed = make_url(url)
    # hide_parameters: an error's message (logged, or shown in a 409) never carries the statement's
    # values, which are names, addresses and notes of citizens.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not parsed.database.startswith("file:"):
            private_file(Path(parsed.database))
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
        # A database that does not answer (a restart, a network fault) is an error in seconds, not a hang.
        kwargs["connect_args"] = {"connect_timeout": 5}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return make_engine(settings.database_url, echo=settings.sql_echo)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@lru_cache
def get_writing_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=for_writing(get_engine()), expire_on_commit=False)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Generator[Session, None, None]:
    """FastAPI dependency: a session committed when the endpoint succeeds, rolled back otherwise.

    A request that may write (POST, PUT, PATCH, DELETE), or that logs its reads of citizens' data
    (`ACCESS_LOGGED`), writes from its first statement on (see `WRITES`); other reading requests never
    wait for a writer.
    """
    route = request.scope.get("route")
    logged = bool((getattr(route, "openapi_extra", None) or {}).get(ACCESS_LOGGED))
    writes = request.method not in SAFE_METHODS or logged
    yield from transactional_session(get_writing_sessionmaker() if writes else get_sessionmaker())


def transactional_session(maker: sessionmaker[Session]) -> Iterator[Session]:
    """A session from `maker`, committed if the caller's work succeeds, rolled back otherwise."""
    session = maker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def end_reading(session: Session) -> None:
    """End a request's transaction that has only read, before long work that needs no database.

    A re-plan solves for up to a minute inside its request. Its transaction must not stay open
    meanwhile: on SQLite a writing request's transaction holds the database's write lock, so every
    other writer (a solve job's progress, a colleague's edit) would wait for the solve. The session
    begins a new transaction at its next statement; the dependency still commits or rolls back that one.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reading: this request has unsaved changes; they would be committed early")
    session.commit()


def commit_for_workers(session: Session) -> None:
    """Commit what the request has written so far, because another process must read it now.

    A solve job runs in a child process or on a Celery worker: it must find the job's rows (or the
    cancellation) the moment it is told, not when the request ends. Only `app.services.jobs` calls this.
    """
    session.commit()


# scope="function": the commit runs when the endpoint returns, *before* the answer is sent, so a
# failing commit (a unique violation found late) becomes a 409 instead of a 200 for lost work.
# Consequence: build the answer (Pydantic models) inside the endpoint, not from lazy ORM attributes.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
