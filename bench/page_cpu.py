"""CPU a page read costs the server, per page kind, on the load section's data (bench/load.py).

Not a bench section: a tool for changing the pages. The demo municipality is seeded and planned into a
PostgreSQL schema (kept, so runs compare on the same rows: `--schema NAME` reuses one), the app is called
in this process through Starlette's TestClient as the load's team member, and each read's process CPU
time (`time.process_time`, every thread: the client's share is the same for every kind and is shown
by `/health` alone) and SQL statements are counted. The machine is shared, so CPU time, not wall time,
and the least and median of many reads.

    PYTHONPATH=. python -m bench.page_cpu [--schema S] [--reads 40] [--profile rota|citizen|carer]
    PYTHONPATH=. python -m bench.page_cpu --schema S --dump DIR   # every page's HTML, to compare builds
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

KEY = "bench-page-cpu-secret-key-that-is-long-enough-0123456789"


def _url() -> Any:
    from sqlalchemy.engine import make_url

    return make_url(os.environ.get("BENCH_POSTGRES_URL")
                    or os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))


def _schema_url(schema: str) -> str:
    url = _url().render_as_string(hide_password=False)
    return f"{url}?options={quote(f'-csearch_path={schema}')}"


def seed(schema: str) -> None:
    from sqlalchemy import create_engine, text

    with create_engine(_url()).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    env = {**os.environ, "DATABASE_URL": _schema_url(schema), "SECRET_KEY": KEY}
    for args in (("migrate",), ("seed-demo",)):
        subprocess.run([sys.executable, "-c", "from app.cli import main; main()", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)


def _paths(client: Any) -> dict[str, list[str]]:
    """The load's reads: the member's team (Centrum) on the load's day, every carer and citizen."""
    from sqlalchemy import select

    from app.db import get_sessionmaker
    from models.core import Carer, Citizen, Plan, Team, plan_teams

    with get_sessionmaker()() as s:
        team = s.scalars(select(Team).where(Team.name == "Centrum")).one()
        first = min(s.scalars(select(Plan.start_date).join(plan_teams)
                              .where(plan_teams.c.team_id == team.id)))
        day = (first + dt.timedelta(days=2)).isoformat()
        carers = list(s.scalars(select(Carer.id).where(Carer.team_id == team.id).order_by(Carer.id)))
        citizens = list(s.scalars(select(Citizen.id).where(Citizen.team_id == team.id).order_by(Citizen.id)))
    return {
        "health": ["/health"],
        "rota": [f"/teams/{team.id}/rota?date={day}"],
        "month": [f"/teams/{team.id}/rota?view=month&date={day}"],
        "carer": [f"/carers/{c}/day?date={day}" for c in carers],
        "citizen": [f"/citizens/{c}?date={day}" for c in citizens],
    }


class Statements:
    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event

        self.n = 0
        self.shown = False
        self.t0 = 0.0
        event.listen(engine, "before_cursor_execute", self._count)
        event.listen(engine, "after_cursor_execute", self._after)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_a: Any, **_k: Any) -> None:
        self.n += 1
        self.t0 = time.perf_counter()
        if self.shown:
            print("   ", " ".join(statement.split())[:160])

    def _after(self, *_a: Any, **_k: Any) -> None:
        if self.shown:
            print(f"      {(time.perf_counter() - self.t0) * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema")
    ap.add_argument("--reads", type=int, default=40)
    ap.add_argument("--profile", choices=("rota", "carer", "citizen"))
    ap.add_argument("--calls", action="store_true",
                    help="Python function calls a read makes (steady where CPU time is not)")
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--profile-out", type=Path, help="write the profile's stats here")
    ap.add_argument("--user", default="member")
    ap.add_argument("--lang", default="sv")
    ap.add_argument("--sql", action="store_true", help="print the statements of one read of each kind")
    args = ap.parse_args()
    schema = args.schema
    if not schema:
        schema = f"bench_pages_{uuid.uuid4().hex[:8]}"
        seed(schema)
        print(f"seeded schema {schema}", flush=True)
    os.environ["DATABASE_URL"] = _schema_url(schema)
    os.environ["SECRET_KEY"] = KEY
    os.environ.setdefault("LOG_LEVEL", "warning")
    from fastapi.testclient import TestClient

    from app.db import get_engine
    from app.demo import DEMO_PASSWORD
    from app.main import create_app

    statements = Statements(get_engine())
    app: Any = create_app()
    prof = cProfile.Profile() if args.profile or args.calls else None
    if prof:
        # The endpoint's thread is not the caller's: run the thread pool's work inline in the event loop's
        # thread and profile each request there.
        import anyio.to_thread

        async def inline(func: Any, *a: Any, **_k: Any) -> Any:
            return func(*a)

        anyio.to_thread.run_sync = inline  # type: ignore[assignment]
        inner = app

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and profiling[0] and prof is not None:
                now = prof  # the kind's profile of the moment
                now.enable()
                try:
                    await inner(scope, receive, send)
                finally:
                    now.disable()
            else:
                await inner(scope, receive, send)

    profiling = [False]
    with TestClient(app) as client:
        client.cookies.set("lang", args.lang)
        r = client.post("/login", data={"username": args.user, "password": DEMO_PASSWORD},
                        follow_redirects=False)
        assert r.status_code == 303, r.status_code
        paths = _paths(client)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            for kind, ps in paths.items():
                for i, p in enumerate(ps):
                    r = client.get(p)
                    assert r.status_code == 200, (p, r.status_code)
                    again = client.get(p)  # a second read: from a cache where the page has one
                    assert again.content == r.content, f"{p}: a second read differs from the first"
                    (args.dump / f"{kind}-{i:02d}.html").write_bytes(r.content)
            print(f"dumped to {args.dump}")
            return
        kinds = [args.profile] if args.profile else list(paths)[1:] if args.calls else list(paths)
        if args.sql:
            for kind in kinds:
                print(kind)
                for _ in range(6):  # psycopg prepares a statement at its fifth run
                    client.get(paths[kind][0])
                statements.shown = True
                client.get(paths[kind][0])
                statements.shown = False
            return
        for kind in kinds:
            ps = paths[kind]
            for p in ps[:3]:
                assert client.get(p).status_code == 200
            cpu, wall, stmts = [], [], []
            profiling[0] = True
            if prof and args.calls:
                prof = cProfile.Profile()
            for i in range(args.reads):
                p = ps[i % len(ps)]
                n0, c0, w0 = statements.n, time.process_time(), time.perf_counter()
                r = client.get(p)
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
                stmts.append(statements.n - n0)
                assert r.status_code == 200, (p, r.status_code)
            print(f"{kind:8s} cpu ms least {min(cpu):6.1f} median {statistics.median(cpu):6.1f}  "
                  f"wall ms median {statistics.median(wall):6.1f}  "
                  f"statements {statistics.median(stmts):.0f}  bytes {len(r.content)}", flush=True)
            if prof and args.calls:
                calls = pstats.Stats(prof).total_calls  # type: ignore[attr-defined]
                print(f"{kind:8s} Python calls a read {calls / args.reads:,.0f}", flush=True)
            elif prof and args.profile_out:
                prof.dump_stats(str(args.profile_out))
            elif prof:
                pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
                pstats.Stats(prof).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
