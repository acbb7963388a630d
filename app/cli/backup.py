"""`homecare backup FILE` and `homecare restore FILE`: an SQLite database copied while the server runs,
and put back (PostgreSQL: its own pg_dump and pg_restore)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.checks import database_label, fail, settings_or_fail

app = typer.Typer()  # its commands are registered in app/cli/__init__.py


@app.command("backup")
def backup_command(file: Annotated[Path, typer.Argument(help="the new backup file")]) -> None:
    """Copy the SQLite database to FILE, consistently, while the server keeps running."""
    from app.backup import BackupError, backup

    url = settings_or_fail().database_url
    try:
        done = backup(url, file)
    except BackupError as e:
        fail(str(e))
    typer.echo(f"{database_label(url)}: backed up to {done}", err=True)


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="a backup made by `homecare backup`")],
    yes: Annotated[bool, typer.Option("--yes", help="do not ask before replacing the database")] = False,
) -> None:
    """Replace the SQLite database with the backup FILE (what it replaces is kept in backups/). Stop
    the server and workers first; run `homecare migrate` after restoring an older version's backup."""
    from app.backup import BackupError, restore

    url = settings_or_fail().database_url
    if not yes and not typer.confirm(f"Replace everything in {database_label(url)} with {file}?"):
        fail("nothing restored")
    try:
        done = restore(url, file)
    except BackupError as e:
        fail(str(e))
    kept = f"; what it replaced is kept in {done.previous}" if done.previous else ""
    typer.echo(f"{database_label(url)}: restored from {file} (schema {', '.join(done.revision)}){kept}",
               err=True)
