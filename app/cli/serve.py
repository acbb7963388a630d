"""`homecare serve`, `homecare import`, `homecare export instance|plan`, `homecare seed-demo`,
`homecare migrate`.

Only `homecare migrate` changes the schema; every other command that uses the database first checks
that its schema is this version's and otherwise says to run it. Bad input: a message on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from app.cli.checks import (
    MAKE_A_KEY,
    database_label,
    require_current_schema,
    secret_key_problem,
    settings_or_fail,
)
from app.cli.checks import fail as _fail

app = typer.Typer()  # its commands are registered in app/cli/__init__.py
KEEP_ALIVE_SECONDS = 75
export_app = typer.Typer(help="Write an instance or a plan in the exchange format (FORMAT.md).",
                         no_args_is_help=True)


def _print_logins(stream: Any = None) -> None:
    from app.demo import demo_logins

    out = stream or sys.stderr
    print("Demo logins (username, password, role, teams):", file=out)
    for login in demo_logins():
        print(f"  {login.username:<22} {login.password:<16} {login.role:<12} teams: {', '.join(login.teams)}",
              file=out)


def _seed_if_empty(*, start: dt.date | None = None) -> bool:
    from app.db import get_sessionmaker
    from app.demo import is_empty, seed_demo

    with get_sessionmaker()() as session:
        if not is_empty(session):
            return False
        info = seed_demo(session, start=start)
        session.commit()
    typer.echo(f"Demo municipality made: {info.teams} teams, {info.carers} carers, {info.citizens} citizens, "
               f"{info.needs} needs, {info.visits} visits from {info.start} ({info.days} days).", err=True)
    from tqdm import tqdm

    from app.demo import plan_demo

    with get_sessionmaker()() as session, tqdm(total=info.teams, desc="Planning the demo teams",
                                               unit="team", file=sys.stderr) as bar:
        placed = plan_demo(session, start=info.start, days=info.days,
                           on_team=lambda _name: bar.update(1))
        session.commit()
    typer.echo(f"Demo plans accepted: {placed} of {info.visits} visits placed.", err=True)
    return True


def _demo_users_present() -> bool:
    from sqlalchemy import select

    from app.db import get_sessionmaker
    from app.demo import demo_logins
    from models.core import User

    names = [login.username for login in demo_logins()]
    with get_sessionmaker()() as session:
        found = set(session.scalars(select(User.username).where(User.username.in_(names))))
    return found == set(names)


@app.command()
def serve(
    demo: Annotated[bool, typer.Option(
        "--demo", help="seed the demo municipality when the database is empty; allows the development "
                       "SECRET_KEY (trying it out only)")] = False,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64, help="server processes answering requests (about one per core)")] = 1,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", help="addresses of the reverse proxies whose X-Forwarded-For/-Proto "
                                      "headers are believed, comma-separated (default: the "
                                      "FORWARDED_ALLOW_IPS setting, 127.0.0.1)")] = None,
    reload: Annotated[bool, typer.Option("--reload", help="restart on code changes (development)")] = False,
    process_timeout: Annotated[int, typer.Option(
        "--process-timeout", min=1, help="seconds a server process may leave its supervisor's check "
                                         "unanswered before it is replaced (with --workers)")] = 30,
) -> None:
    """Serve the API and the web pages (the schema must be current: `homecare migrate`)."""
    import uvicorn

    from app.ops.logs import log_line, logging_config
    from app.ops.multiprocess import prepare_metrics

    settings = settings_or_fail()
    weak_key = secret_key_problem(settings)
    if weak_key and not demo:
        _fail(f"{weak_key}. Set SECRET_KEY in the environment (or the service's environment file) to a "
              f"long random text, e.g. from: {MAKE_A_KEY}. Only `homecare serve --demo` runs without one.")
    if reload and workers > 1:
        _fail("--reload runs one process; leave out --workers")
    require_current_schema()
    if demo:
        _seed_if_empty()
        if _demo_users_present():
            _print_logins()
        else:
            typer.echo("The database holds other data; the demo was not seeded (no demo logins).", err=True)
        if weak_key and host not in {"127.0.0.1", "localhost", "::1"}:
            typer.echo(f"warning: {weak_key}; anyone who reads it can sign in as anybody here", err=True)
    prepare_metrics(workers)
    typer.echo(log_line(settings, f"Database: {database_label(settings.database_url)}"), err=True)
    typer.echo(log_line(settings, f"Serving on http://{host}:{port}/ with {workers} process(es) "
                                  "(API docs: /docs)"), err=True)
    uvicorn.run("app.main:app", host=host, port=port, reload=reload, workers=workers,
                proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips or settings.forwarded_allow_ips,
                log_config=logging_config(settings), access_log=False, server_header=False,
                # uvicorn's 5 s would replace a process that is only busy (a burst of logins, a CPU
                # shared with a solve), dropping every request it holds; a hung one still goes.
                timeout_worker_healthcheck=process_timeout,
                # A browser keeps a connection for the next page; closed after uvicorn's 5 s, a page
                # opened at that moment meets a reset instead of an answer. 75 s, as nginx keeps them.
                timeout_keep_alive=KEEP_ALIVE_SECONDS)


@app.command("seed-demo")
def seed_demo_command(
    start: Annotated[str | None, typer.Option("--start", help="first day (YYYY-MM-DD); default: this Monday")]
    = None,
) -> None:
    """Fill an empty database with the demo municipality and print the demo logins."""
    first = _date(start, "--start") if start else None
    require_current_schema()
    if not _seed_if_empty(start=first):
        _fail("the database is not empty; the demo is only seeded into an empty database")
    _print_logins(sys.stdout)


@app.command()
def migrate() -> None:
    """Bring the database to this version's schema (on SQLite, a copy of the file is kept first)."""
    from app.db import make_engine
    from app.migrate import migrate as run_migrations

    url = settings_or_fail().database_url
    try:
        engine = make_engine(url)
        try:
            result = run_migrations(engine)
        finally:
            engine.dispose()
    except ValueError as e:  # a newer version's schema
        _fail(f"{database_label(url)}: {e}")
    except Exception as e:  # unreachable database, bad URL: say so plainly
        _fail(f"cannot migrate {database_label(url)} ({type(e).__name__}): {str(e).splitlines()[0][:300]}")
    if result.backup is not None:
        typer.echo(f"copied the database to {result.backup} before migrating", err=True)
    if result.before == result.after:
        typer.echo(f"{database_label(url)}: the schema is current ({', '.join(result.after)})", err=True)
    else:
        typer.echo(f"{database_label(url)}: migrated from {', '.join(result.before) or 'an empty database'} "
                   f"to {', '.join(result.after)}", err=True)


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _fail(f"{option}: {text!r} is not a date (YYYY-MM-DD)")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        _fail(f"{path}: no such file")
    except (OSError, UnicodeDecodeError) as e:
        _fail(f"{path}: cannot read ({e})")
    except json.JSONDecodeError as e:
        _fail(f"{path}: not JSON (line {e.lineno}, column {e.colno}: {e.msg})")


def _show_errors(path: Path, errors: list[dict[str, Any]]) -> NoReturn:
    for err in errors[:20]:
        typer.echo(f"{path}: {err.get('path', '$')}: {err.get('msg')}", err=True)
    if len(errors) > 20:
        typer.echo(f"... and {len(errors) - 20} more", err=True)
    typer.echo("nothing was stored", err=True)
    raise typer.Exit(2)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="a homecare-instance/1 or homecare-plan/1 file")],
) -> None:
    """Import an instance (teams, carers, shifts, citizens, visits) or a plan (a new draft version).
    One transaction: a file with any error stores nothing."""
    from sqlalchemy.exc import IntegrityError

    from app.db import get_sessionmaker
    from app.services import exchange as svc
    from app.services.errors import ServiceError
    from exchange import ExchangeError

    data = _read_json(file)
    kind = data.get("format") if isinstance(data, dict) else None
    require_current_schema()
    with get_sessionmaker()() as session:
        try:
            if kind == "homecare-plan/1":
                version = svc.import_plan(session, data=data, user=None)
                session.commit()
                typer.echo(f"plan version {version.id} (number {version.number} of plan {version.plan_id}) "
                           f"stored as a draft", err=True)
                return
            result = svc.import_instance(session, data=data, user=None)
            session.commit()
        except ExchangeError as e:
            session.rollback()
            _show_errors(file, e.errors)
        except ServiceError as e:
            session.rollback()
            _show_errors(file, e.errors or [{"path": e.path or "$", "msg": e.message}])
        except IntegrityError as e:
            session.rollback()
            _show_errors(file, [{"path": "$", "msg": f"conflict with stored data: {str(e.orig)[:300]}"}])
    typer.echo(f"{result.name}: created {result.created}, updated {result.updated}", err=True)


def _write(doc: dict[str, Any], output: Path | None) -> None:
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":"))
    if output is None:
        sys.stdout.write(text + "\n")
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror or e}")
    typer.echo(f"written to {output}", err=True)


@export_app.command("instance")
def export_instance(
    team: Annotated[list[str] | None, typer.Option(
        "--team", "-t", help="team id (repeat); default: all")] = None,
    start: Annotated[str | None, typer.Option(
        "--start", help="first day; default: the last import's")] = None,
    end: Annotated[str | None, typer.Option("--end", help="last day (inclusive)")] = None,
    name: Annotated[str | None, typer.Option("--name", help="the instance's name")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Export teams' data over a date range as homecare-instance/1."""
    from app.db import get_sessionmaker
    from app.services import exchange as svc
    from exchange import ExchangeError

    first = _date(start, "--start") if start else None
    last = _date(end, "--end") if end else None
    require_current_schema()
    with get_sessionmaker()() as session:
        try:
            team_ids = svc.resolve_team_ids(session, external_ids=team, user=None)
            doc = svc.export_instance(session, team_ids=team_ids, start=first, end=last, name=name)
        except ExchangeError as e:
            _fail("; ".join(f"{x['path']}: {x['msg']}" for x in e.errors))
    _write(doc, output)


@export_app.command("plan")
def export_plan(
    version: Annotated[int | None, typer.Argument(
        help="plan version id; default: the newest version")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file (default: stdout)")] = None,
) -> None:
    """Export a plan version as homecare-plan/1."""
    from sqlalchemy import select

    from app.db import get_sessionmaker
    from app.services import exchange as svc
    from models.core import PlanVersion

    require_current_schema()
    with get_sessionmaker()() as session:
        row = session.get(PlanVersion, version) if version is not None else session.scalar(
            select(PlanVersion).order_by(PlanVersion.id.desc()).limit(1))
        if row is None:
            _fail(f"no plan version {version}" if version is not None else "no plan version stored yet")
        doc = svc.export_plan(session, version=row)
    _write(doc, output)
