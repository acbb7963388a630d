"""An SQLite installation is backed up while it runs and restored from that file: the data comes back as
it was, what the restore replaced is kept, and a file that is not this planner's database is refused.
PostgreSQL is pointed to its own tools."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core import User
from tests.ops.conftest import CLI, sqlite_engine

PASSWORD = "tallbarr-kaffe-indalsälven"


def _usernames(db_path: Path) -> list[str]:
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            return sorted(session.scalars(select(User.username)))
    finally:
        engine.dispose()


def _admin(cli: CLI, tmp_path: Path, name: str) -> None:
    secret = tmp_path / "password"
    secret.write_text(f"{PASSWORD}\n")
    assert cli("create-admin", name, "--password-file", str(secret)).exit_code == 0


def test_a_backup_restored_brings_the_data_back_and_keeps_what_it_replaced(cli: CLI, db_path: Path,
                                                                           tmp_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    _admin(cli, tmp_path, "anna")
    backup = tmp_path / "saved" / "homecare-2026-12-07.db"

    made = cli("backup", str(backup))

    assert made.exit_code == 0, made.output
    _admin(cli, tmp_path, "bertil")  # work done after the backup
    assert _usernames(db_path) == ["anna", "bertil"]
    assert cli("restore", str(backup)).exit_code != 0  # asks first; no answer, nothing restored
    assert _usernames(db_path) == ["anna", "bertil"]

    restored = cli("restore", str(backup), "--yes")

    assert restored.exit_code == 0, restored.output
    assert _usernames(db_path) == ["anna"]
    kept = sorted((db_path.parent / "backups").glob("*before-restore*"))
    assert len(kept) == 1 and _usernames(kept[0]) == ["anna", "bertil"]
    assert cli("backup", str(backup)).exit_code == 2  # never overwrites a backup


def test_a_file_that_is_not_the_planners_database_is_refused(cli: CLI, db_path: Path, tmp_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    _admin(cli, tmp_path, "anna")
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    refused = cli("restore", str(junk), "--yes")
    assert refused.exit_code == 2 and "not a database of this planner" in refused.output
    assert cli("restore", str(tmp_path / "missing.db"), "--yes").exit_code == 2
    assert _usernames(db_path) == ["anna"]


def test_postgresql_is_pointed_to_pg_dump(cli: CLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://planner@db.example/homecare")
    answer = cli("backup", str(tmp_path / "x.db"))
    assert answer.exit_code == 2 and "pg_dump" in answer.output
