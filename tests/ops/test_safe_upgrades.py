"""Upgrading is a step IT takes on purpose: only `homecare migrate` changes the schema, it copies an
SQLite file first, two at once take turns, and the server and the worker refuse a schema that is behind
(or ahead) with the command to run. The database lives in a data folder outside the code."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from app.migrate import code_heads, migrate, schema_state
from app.settings import PROJECT_DIR, Settings
from tests.ops.conftest import CLI, PREVIOUS_REVISION, migrate_to, revision_of, sqlite_engine

HEAD = code_heads()


def _add_team(path: Path, name: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO teams (external_id, name, lat, lon) VALUES (?, ?, 62.4, 17.3)",
                     (name, name))


def test_migrate_copies_the_sqlite_file_before_it_upgrades_the_schema(cli: CLI, db_path: Path) -> None:
    migrate_to(db_path, PREVIOUS_REVISION)
    _add_team(db_path, "T-before")

    result = cli("migrate")

    assert result.exit_code == 0, result.output
    assert revision_of(db_path) == HEAD
    backups = list((db_path.parent / "backups").glob("homecare-*.db"))
    assert len(backups) == 1 and PREVIOUS_REVISION in backups[0].name
    assert str(backups[0]) in result.output
    # The copy is the database as it was: the old revision, with its data.
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [(PREVIOUS_REVISION,)]
        assert copy.execute("SELECT name FROM teams").fetchall() == [("T-before",)]
    # Nothing to upgrade, nothing copied.
    again = cli("migrate")
    assert again.exit_code == 0 and "current" in again.output
    assert len(list((db_path.parent / "backups").glob("*.db"))) == 1


@pytest.mark.parametrize("command", [["serve"], ["seed-demo"], ["create-admin", "anna"],
                                     ["export", "plan"]])
def test_commands_refuse_a_schema_that_is_behind_and_name_homecare_migrate(
        cli: CLI, db_path: Path, command: list[str]) -> None:
    migrate_to(db_path, PREVIOUS_REVISION)

    result = cli(*command)

    assert result.exit_code == 2
    assert "schema is behind" in result.output and "homecare migrate" in result.output
    assert revision_of(db_path) == (PREVIOUS_REVISION,)  # untouched


@pytest.mark.parametrize("broker", ["answers", "away"])
def test_the_worker_refuses_a_schema_that_is_behind_and_names_homecare_migrate(
        cli: CLI, db_path: Path, monkeypatch: pytest.MonkeyPatch, broker: str) -> None:
    migrate_to(db_path, PREVIOUS_REVISION)
    url = "redis://127.0.0.1:1/0"
    if broker == "answers":
        import redis

        url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except Exception as e:  # noqa: BLE001
            pytest.skip(f"Redis unreachable at {url} ({type(e).__name__})")
    monkeypatch.setenv("CELERY_BROKER_URL", url)

    result = cli("worker", "--pool", "solo")

    assert result.exit_code == 2
    assert "schema is behind" in result.output and "homecare migrate" in result.output
    assert revision_of(db_path) == (PREVIOUS_REVISION,)


def test_serve_on_a_missing_database_says_to_migrate_and_creates_no_file(cli: CLI, db_path: Path) -> None:
    result = cli("serve")
    assert result.exit_code == 2 and "no schema yet" in result.output and "homecare migrate" in result.output
    assert not db_path.exists()


def test_a_database_a_newer_version_migrated_is_refused_never_downgraded(cli: CLI, db_path: Path) -> None:
    migrate_to(db_path, "head")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")

    for command in ("migrate", "serve"):
        result = cli(command)
        assert result.exit_code == 2, command
        assert "newer version" in result.output and "0099_from_the_future" in result.output
    assert revision_of(db_path) == ("0099_from_the_future",)


def _two_at_once(engine_for: Callable[[], Engine]) -> list[object]:
    """What two `homecare migrate` started at the same moment end with (each its own connection)."""
    outcomes: list[object] = []

    def run() -> None:
        engine = engine_for()
        try:
            outcomes.append(migrate(engine).after)
        except Exception as e:  # noqa: BLE001 - the test reports it
            outcomes.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


def test_two_migrations_started_together_take_turns_on_sqlite(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    assert _two_at_once(lambda: sqlite_engine(db_path)) == [HEAD, HEAD]


@pytest.mark.postgres
def test_two_migrations_started_together_take_turns_on_postgresql() -> None:
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"t_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"PostgreSQL unreachable at {url}: {type(e).__name__}")
    try:
        in_schema = {"options": f"-csearch_path={schema}"}
        assert _two_at_once(lambda: create_engine(url, connect_args=in_schema)) == [HEAD, HEAD]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_the_schema_state_reads_and_never_writes(db_path: Path) -> None:
    migrate_to(db_path, PREVIOUS_REVISION)
    state = schema_state(f"sqlite:///{db_path}")
    assert state.current == (PREVIOUS_REVISION,) and not state.is_current
    assert revision_of(db_path) == (PREVIOUS_REVISION,)


def test_the_database_lives_in_a_data_folder_outside_the_code(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "HOMECARE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    default = Settings()
    assert default.database_url == f"sqlite:///{default.data_dir / 'homecare.db'}"
    assert not default.data_dir.resolve().is_relative_to(PROJECT_DIR)

    monkeypatch.setenv("HOMECARE_DATA_DIR", str(tmp_path / "srv"))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'srv' / 'homecare.db'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://planner@db.example/homecare")
    assert Settings().database_url == "postgresql+psycopg://planner@db.example/homecare"


def test_the_data_folder_its_database_and_their_copies_are_for_the_service_s_user_alone(
        cli: CLI, db_path: Path, tmp_path: Path) -> None:
    """Citizens' personal data: with the usual umask (022) nothing the planner makes in the data folder is
    readable by the machine's other users."""
    old_umask = os.umask(0o022)
    try:
        migrate_to(db_path, PREVIOUS_REVISION)
        assert cli("migrate").exit_code == 0
        assert cli("backup", str(tmp_path / "nightly" / "homecare.db")).exit_code == 0
    finally:
        os.umask(old_umask)
    (copy,) = (db_path.parent / "backups").glob("*.db")
    made = [db_path.parent, db_path, *db_path.parent.glob("homecare.db-*"), db_path.parent / "backups", copy,
            tmp_path / "nightly" / "homecare.db"]
    modes = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o777) for p in made}
    assert {p: m for p, m in modes.items() if int(m, 8) & 0o077} == {}
    assert modes["data"] == oct(0o700) and modes["data/homecare.db"] == oct(0o600)


def test_no_make_target_deletes_anything_but_what_the_checkout_builds() -> None:
    dry = subprocess.run(["make", "-n", "clean"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    removed = [word for line in dry.stdout.splitlines() if line.startswith("rm ")
               for word in line.split()[1:] if not word.startswith("-")]
    assert removed and set(removed) <= {".venv", ".venv-audit", ".pytest_cache", "build"}
    makefile = (PROJECT_DIR / "Makefile").read_text()
    assert "rm -rf" not in makefile.replace("rm -rf $(VENV) .venv-audit .pytest_cache build", "")


ROWS_AT_0006 = [
    "INSERT INTO teams (id, external_id, name, lat, lon) VALUES (1, 'T1', 'Centrum', 62.39, 17.30)",
    "INSERT INTO carers (id, external_id, team_id, name, skills) VALUES (1, 'T1-c1', 1, 'Fatima', '[]')",
    "INSERT INTO shifts (carer_id, date, start, \"end\") VALUES (1, '2026-12-07', 420, 930)",
    "INSERT INTO citizens (id, external_id, team_id, name, lat, lon, contact_carer_id) "
    "VALUES (1, 'T1-p1', 1, 'Astrid', 62.4, 17.3, 1)",
    "INSERT INTO needs (id, external_id, citizen_id, kind, weekdays, earliest, latest, duration, carers, "
    "skills, valid_from) "
    "VALUES (1, 'T1-p1-n1', 1, 'morning', '[0,1,2,3,4]', 420, 540, 45, 1, '[]', '2026-12-07')",
    "INSERT INTO visits (external_id, citizen_id, need_id, kind, date, earliest, latest, duration, carers, "
    "skills, status) VALUES ('T1-p1-v1', 1, 1, 'morning', '2026-12-07', 420, 540, 45, 1, '[]', 'planned')",
    "INSERT INTO users (id, username, password_hash, role, is_active, created_at) "
    "VALUES (1, 'anna', 'x', 'member', 1, '2026-12-01 08:00:00')",
    "INSERT INTO user_teams (user_id, team_id) VALUES (1, 1)",
]


def test_an_upgrade_keeps_every_row_of_a_database_in_use(tmp_path: Path) -> None:
    # SQLite rebuilds a table to alter it; with foreign keys enforced the old table's drop would
    # cascade into the rows that point at it (visits, needs, shifts, team memberships).
    path = tmp_path / "homecare.db"
    migrate_to(path, "0006_user_identity")
    with sqlite3.connect(path) as conn:
        for statement in ROWS_AT_0006:
            conn.execute(statement)
    tables = ("teams", "carers", "shifts", "citizens", "needs", "visits", "users", "user_teams")
    with sqlite3.connect(path) as conn:
        before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}

    engine = sqlite_engine(path)
    try:
        migrate(engine)
    finally:
        engine.dispose()

    with sqlite3.connect(path) as conn:
        after = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert after == before and all(n == 1 for n in after.values())
    assert revision_of(path) == code_heads()
