"""Backup and restore of an SQLite database (`homecare backup FILE`, `homecare restore FILE`).

SQLite's online backup API copies a consistent image page by page while the server keeps reading and
writing, so a backup needs no downtime. A restore replaces the database's whole content in one
locked step, after a copy of what is being replaced is kept in `backups/` beside it (a restore of the
wrong file can be undone). A file is restored only if it is an SQLite database holding this
application's schema at a revision this version knows. PostgreSQL is backed up with its own tools
(pg_dump / pg_restore, or continuous archiving), which do it better than anything written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.migrate import backup_sqlite, copy_sqlite, schema_state, sqlite_path

POSTGRES_ADVICE = ("this database is not SQLite: back PostgreSQL up with its own tools, e.g. "
                   "`pg_dump --format=custom --file=FILE DBNAME` and "
                   "`pg_restore --clean --dbname=DBNAME FILE` (README, Backups)")


class BackupError(ValueError):
    """A backup or restore that cannot be done as asked; the message says why."""


def _database_file(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupError(POSTGRES_ADVICE)
    return path


def backup(url: str, target: Path) -> Path:
    """Copy the database at `url` to `target` (a new file)."""
    path = _database_file(url)
    if not path.exists():
        raise BackupError(f"{path}: no database here yet (run `homecare migrate`)")
    if target.exists():
        raise BackupError(f"{target}: the file exists; choose a new name (a backup never overwrites)")
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_sqlite(path, target)
    return target


@dataclass(frozen=True, slots=True)
class Restored:
    revision: tuple[str, ...]  # the schema revision the restored file holds
    previous: Path | None  # the copy of what was replaced


def restore(url: str, source: Path) -> Restored:
    """Replace the database at `url` with the backup `source`."""
    path = _database_file(url)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    try:
        state = schema_state(f"sqlite:///{source}")
    except Exception as e:  # noqa: BLE001 - not a database at all: say so
        raise BackupError(f"{source}: not a database of this planner ({type(e).__name__})") from None
    if not state.current:
        raise BackupError(f"{source}: not a database of this planner (no schema revision in it)")
    if state.unknown:
        raise BackupError(f"{source}: {state.problem()}")
    previous = None
    if path.exists():
        previous = backup_sqlite(path, "before-restore")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    copy_sqlite(source, path)
    return Restored(revision=state.current, previous=previous)
