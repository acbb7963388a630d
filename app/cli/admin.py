"""`homecare create-admin USERNAME`, `homecare set-password USERNAME` and `homecare prune-access-log`: the
first admin of a new installation, a way back in for a locked-out one, and the access log's retention.

The password comes from a prompt (asked twice) or a file (`--password-file`, `-` for standard input),
never from the command line, where the shell's history and the process list would keep it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from app.cli.checks import fail, require_current_schema

app = typer.Typer()  # its commands are registered in app/cli/__init__.py

PasswordFile = Annotated[Path | None, typer.Option(
    "--password-file", help="read the password from this file's first line ('-': standard input); "
                            "without it, it is asked for at a prompt")]


def _read_password(source: Path | None) -> str:
    if source is None:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{source}: no such file")
    except (OSError, UnicodeDecodeError) as e:
        fail(f"{source}: cannot read ({e})")
    lines = text.splitlines()
    if not lines or not lines[0]:
        fail(f"{source}: the first line is empty; it should hold the password")
    return lines[0]


def _refused(e: ValidationError) -> None:
    for err in e.errors():
        where = ".".join(str(x) for x in err["loc"]) or "input"
        typer.echo(f"error: {where}: {err['msg']}", err=True)
    raise typer.Exit(2)


@app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Argument(help="the admin's username (letters, digits, _ . @ -)")],
    password_file: PasswordFile = None,
    full_name: Annotated[str | None, typer.Option("--full-name", help="shown in the pages' header")] = None,
) -> None:
    """Create an admin who signs in with a password (the installation's first, or another)."""
    from app.db import get_writing_sessionmaker
    from app.schemas.core import UserCreate
    from app.services.errors import ServiceError
    from app.services.team_data import users as users_svc

    require_current_schema()
    password = _read_password(password_file)
    try:
        data = UserCreate(username=username, password=password, full_name=full_name, role="admin")
    except ValidationError as e:
        _refused(e)
    with get_writing_sessionmaker()() as session:
        try:
            users_svc.add_user(session, data=data, user=None, set_by_admin=False)
            session.commit()
        except ServiceError as e:
            fail(f"{e.message}; to give {username!r} a new password: homecare set-password {username}")
    typer.echo(f"admin {username!r} created; sign in at /login or POST /api/auth/token", err=True)


@app.command("set-password")
def set_password(
    username: Annotated[str, typer.Argument(help="whose password")],
    password_file: PasswordFile = None,
) -> None:
    """Give a user a new password (a locked-out admin, say); every session they had ends."""
    from app.db import get_writing_sessionmaker
    from app.repositories.core import user_by_username
    from app.schemas.core import UserUpdate
    from app.services.team_data import users as users_svc

    require_current_schema()
    password = _read_password(password_file)
    try:
        data = UserUpdate(password=password)
    except ValidationError as e:
        _refused(e)
    with get_writing_sessionmaker()() as session:
        user = user_by_username(session, username)
        if user is None:
            fail(f"no user {username!r}")
        if user.oidc_subject is not None:
            fail(f"{username!r} signs in through the identity provider; its password is set there")
        users_svc.edit_user(session, account=user, data=data, user=None)
        session.commit()
    typer.echo(f"{username!r} has a new password; their other sessions have ended", err=True)


@app.command("prune-access-log")
def prune_access_log() -> None:
    """Delete access-log entries older than the retention setting (ACCESS_LOG_RETENTION_DAYS, default
    two years); run it daily (a systemd timer or cron)."""
    from app.db import get_writing_sessionmaker
    from app.services import access_log

    require_current_schema()
    with get_writing_sessionmaker()() as session:
        removed = access_log.prune(session)
        session.commit()
    typer.echo(f"{removed} access-log entries older than the retention period deleted", err=True)


@app.command("anonymise-ended")
def anonymise_ended() -> None:
    """Anonymise citizens whose care ended, and carers who left, longer ago than the retention setting
    (RETENTION_AFTER_END_DAYS, default five years); run it daily (a systemd timer or cron)."""
    from app.db import get_writing_sessionmaker
    from app.services import data_rights
    from app.services.access_log import today

    require_current_schema()
    with get_writing_sessionmaker()() as session:
        citizens, carers = data_rights.anonymise_due(session, today=today())
        session.commit()
    typer.echo(f"anonymised {citizens} citizens and {carers} carers past the retention period", err=True)
