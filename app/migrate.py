"""The Alembic migrations, run from code: the only way the schema is made or changed.

- `migrate(engine)`: what `homecare migrate` does. One migrator at a time (PostgreSQL: an advisory lock;
  SQLite: the write lock), and on SQLite a copy of the file is made before anything changes.
- `schema_state(url)`: where a database stands against this version's migrations, without touching it;
  `serve`, `worker` and `/health/ready` refuse a schema that is not current.
- `upgrade_head(engine_or_url)`: plain `alembic upgrade head` (the tests and the benchmarks).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from app.db import for_writing, make_engine
from app.settings import PROJECT_DIR

MIGRATIONS_DIR = Path(PROJECT_DIR) / "migrations"
# pg_advisory_xact_lock key: "homecare" in ASCII. Two `homecare migrate` on PostgreSQL take turns.
_PG_LOCK = 0x686F6D6563617265


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    # No alembic.ini: an installed wheel has none, and nothing in it is needed to upgrade.
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite alters a table by rebuilding it (copy, drop the old, rename the new). With its foreign
    keys enforced, dropping the old `citizens` would cascade into visits, needs and assignments and
    delete them: so they are off while migrating, which SQLite only allows outside a transaction
    (the connection has not begun one yet), and on again afterwards. `check_foreign_keys` then proves,
    before the commit, that the migration left no reference dangling. Nothing to do elsewhere."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def check_foreign_keys(conn: Connection) -> None:
    """Refuse (roll back) a migration that left rows pointing at rows that are gone (SQLite)."""
    if conn.dialect.name == "sqlite":
        dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"the migration left {len(dangling)} dangling references, first: "
                               f"{tuple(dangling[0])}; nothing was changed")


def upgrade_head(target: Engine | Connection | str | None = None) -> None:
    """`alembic upgrade head` on an engine, an open connection, a URL, or the configured database.
    (An open connection on SQLite must come with its foreign keys off: see `foreign_keys_off`.)"""
    if isinstance(target, Engine):
        with target.connect() as conn, foreign_keys_off(conn), conn.begin():
            command.upgrade(alembic_config(connection=conn), "head")
            check_foreign_keys(conn)
    elif isinstance(target, Connection):
        command.upgrade(alembic_config(connection=target), "head")
    else:
        command.upgrade(alembic_config(url=target), "head")


@lru_cache(maxsize=1)
def code_heads() -> tuple[str, ...]:
    """The newest revision(s) this version's migrations reach (read once: the files do not change)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


@lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    return frozenset(s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions())


@dataclass(frozen=True, slots=True)
class SchemaState:
    """A database's revision(s) against the code's. `current` is empty for a database with no schema."""

    current: tuple[str, ...]
    heads: tuple[str, ...]
    unknown: tuple[str, ...] = ()  # revisions this version does not know (a newer version migrated it)

    @property
    def is_current(self) -> bool:
        return self.current == self.heads

    def problem(self) -> str | None:
        """What is wrong, with the command that mends it; None when the schema is current."""
        if self.is_current:
            return None
        if self.unknown:
            return (f"the database's schema is at {', '.join(self.unknown)}, which this version "
                    f"({', '.join(self.heads)}) does not know: a newer version of the planner migrated it. "
                    "Install that version (or restore the backup taken before its migration)")
        if not self.current:
            return "the database has no schema yet: run `homecare migrate` first"
        return (f"the database's schema is behind (at {', '.join(self.current)}; this version needs "
                f"{', '.join(self.heads)}): run `homecare migrate` first (on SQLite it copies the file "
                "before changing it; on PostgreSQL take a pg_dump first)")


def _current(conn: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def _state(current: tuple[str, ...]) -> SchemaState:
    known = _known_revisions()
    unknown = tuple(r for r in current if r not in known)
    return SchemaState(current=current, heads=code_heads(), unknown=unknown)


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL (None for another database or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def schema_state(target: Engine | Connection | str) -> SchemaState:
    """Where the database stands, read only: a missing SQLite file is reported, never created."""
    if isinstance(target, Connection):
        return _state(_current(target))
    if isinstance(target, str):
        path = sqlite_path(target)
        if path is not None and not path.exists():
            return _state(())
        engine = make_engine(target)
        try:
            return schema_state(engine)
        finally:
            engine.dispose()
    with target.connect() as conn:
        return _state(_current(conn))


@dataclass(frozen=True, slots=True)
class Migrated:
    before: tuple[str, ...]
    after: tuple[str, ...]
    backup: Path | None  # the copy of the SQLite file made before the upgrade


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of the SQLite file (the backup API: safe while others read or write it),
    beside it in `backups/`, named by the moment and the revision it holds."""
    folder = path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{path.stem}-{stamp}-{revision}{path.suffix or '.db'}"
    copy_sqlite(path, target)
    return target


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of the SQLite file `source` into `target` (created or wholly replaced), by
    SQLite's online backup API: safe while other processes read and write the source."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target), timeout=30)  # waits for the target's writers to finish
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()



def migrate(engine: Engine) -> Migrated:
    """Bring the database to the newest schema: `homecare migrate`.

    Processes that migrate at the same moment take turns, and the later one finds nothing to do. On
    SQLite the file is copied first whenever there is something to upgrade. A database a newer version
    migrated is refused (ValueError), never downgraded.
    """
    # SQLite: BEGIN IMMEDIATE, the write lock, is taken at once and held to the commit.
    with for_writing(engine).connect() as conn, foreign_keys_off(conn), conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        state = _state(_current(conn))
        if state.unknown:
            raise ValueError(state.problem())
        backup = None
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is not None and state.current and not state.is_current:
            backup = backup_sqlite(path, "-".join(state.current))
        command.upgrade(alembic_config(connection=conn), "head")
        check_foreign_keys(conn)
        after = _current(conn)
    return Migrated(before=state.current, after=after, backup=backup)
