"""Run the Alembic migrations from code (CLI `serve`, tests, bench): the only way the schema is made."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from app.settings import PROJECT_DIR


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    cfg = Config(str(Path(PROJECT_DIR) / "alembic.ini"))
    cfg.set_main_option("script_location", str(Path(PROJECT_DIR) / "migrations"))
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_head(target: Engine | Connection | str | None = None) -> None:
    """`alembic upgrade head` on an engine, an open connection, a URL, or the configured database."""
    if isinstance(target, Engine):
        with target.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
    elif isinstance(target, Connection):
        command.upgrade(alembic_config(connection=target), "head")
    else:
        command.upgrade(alembic_config(url=target), "head")
