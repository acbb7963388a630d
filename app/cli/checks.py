"""What a command checks before it touches the database or serves anyone: the settings read, the
schema current, the secret key not the development one. A failed check is one sentence on stderr
saying what to do, and exit status 2; never a traceback."""

from __future__ import annotations

from typing import NoReturn

import typer
from pydantic import ValidationError

from app.settings import DEV_SECRET_KEY, Settings, get_settings

# Below this a key is guessable by brute force offline from any token it signed.
MIN_SECRET_KEY_LENGTH = 32


def fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def settings_or_fail() -> Settings:
    try:
        return get_settings()
    except ValidationError as e:
        for err in e.errors():
            name = ".".join(str(x) for x in err["loc"]).upper() or "settings"
            typer.echo(f"error: setting {name}: {err['msg']}", err=True)
        raise typer.Exit(2) from None


def database_label(url: str) -> str:
    """The database's URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unreadable URL is reported by whoever connects
        return "(unreadable DATABASE_URL)"


def require_current_schema() -> None:
    """Exit 2, naming `homecare migrate`, unless the database's schema is this version's."""
    from app.migrate import schema_state

    url = settings_or_fail().database_url
    try:
        problem = schema_state(url).problem()
    except Exception as e:  # unreachable database, bad URL: say so plainly
        fail(f"cannot read the database {database_label(url)} ({type(e).__name__}): "
             f"{str(e).splitlines()[0][:300]}")
    if problem:
        fail(f"{database_label(url)}: {problem}")


def secret_key_problem(settings: Settings) -> str | None:
    if settings.secret_key == DEV_SECRET_KEY:
        return "SECRET_KEY is the development default, which anyone can read in the source"
    if len(settings.secret_key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return None


MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
