"""The schema is made by the migrations only, and they agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from app.migrate import alembic_config
from models.orm import metadata


def test_the_migrated_database_matches_the_models_exactly(db_engine):
    with db_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_the_database_is_at_the_newest_migration(db_engine):
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with db_engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_the_revisions_form_one_line_starting_at_the_foundation():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == "0001_foundation"


def test_sqlite_enforces_foreign_keys(db_engine, backend):
    with db_engine.connect() as conn:
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert "teams" in inspect(conn).get_table_names()


def test_every_router_module_is_served_by_the_app():
    from app.main import ROUTER_MODULES, app

    served = set(app.openapi()["paths"])
    for module in ROUTER_MODULES:
        name = module.__name__
        api_paths = {r.path for r in module.router.routes
                     if getattr(r, "include_in_schema", False) and hasattr(r, "path")}
        assert api_paths <= served, name
        assert api_paths or name == "app.web.routes", f"{name} serves no API path"
    assert "/api/teams" in served and "/api/auth/token" in served
