"""Alembic environment: URL from app.settings, metadata from models.orm.

Callers may hand over an open connection (`config.attributes["connection"]`), which is how the
test suite and `app.migrate.upgrade_head` migrate inside their own connection.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from models.orm import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    from app.settings import get_settings

    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from app.db import make_engine
    from app.migrate import check_foreign_keys, foreign_keys_off
    from app.settings import get_settings

    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    try:
        with engine.connect() as conn, foreign_keys_off(conn):
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
                check_foreign_keys(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
