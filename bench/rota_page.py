"""Section `rota_page`: how long the server takes to render the team rota week page for a team the size of
team-m (32 carers, 45 citizens, about 700 visits a week). Target: 300 ms.

A fresh SQLite database is made with the migrations; team-m is imported through the exchange service, a
plan is imported and accepted (the planner's plan when --quick is off, else a one-pass greedy plan: the
page's work depends on the number of visits, not on the plan's quality), and a coordinator user is made.
Then the week page is requested through the whole app (routing, cookie check, queries, template) in
process with Starlette's TestClient, after a warm-up, and the median of several renders is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import fmt, load_instance, md_table

TITLE = "Rota page render time"
TARGET_MS = 300.0
RENDERS = 15
QUICK_RENDERS = 7
SOLVE_SECONDS = 20.0


def _plan_doc(instance: dict[str, Any], quick: bool) -> tuple[dict[str, Any], str]:
    if quick:
        from bench.audit import greedy_plan

        return greedy_plan(instance), "greedy"
    from exchange import parse_instance, plan_to_doc, to_problem
    from solver import types as st
    from solver.solve import solve

    problem = to_problem(parse_instance(instance))
    plan = solve(problem, st.SolveParams(time_limit=SOLVE_SECONDS, seed=0))
    return plan_to_doc(plan, problem.name), f"planner {SOLVE_SECONDS:.0f} s"


def _prepare(db_url: str, instance: dict[str, Any], plan_doc: dict[str, Any]) -> tuple[int, dt.date]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.mapping import accept_plan_version
    from app.migrate import upgrade_head
    from app.security import hash_password
    from app.services.exchange import import_instance, import_plan
    from models.core import ROLE_COORDINATOR, Team, User

    engine = make_engine(db_url)
    upgrade_head(engine)
    with Session(engine) as session:
        import_instance(session, data=instance)
        session.flush()
        version = import_plan(session, data=plan_doc, user=None)
        accept_plan_version(session, version=version, user=None)
        teams = list(session.scalars(select(Team)))
        session.add(
            User(
                username="bench",
                full_name="Bench",
                password_hash=hash_password("bench"),
                role=ROLE_COORDINATOR,
                teams=teams,
            )
        )
        team_id = teams[0].id
        session.commit()
    engine.dispose()
    return team_id, dt.date.fromisoformat(instance["start_date"])


def measure(instance_name: str = "team-m", *, quick: bool = False, renders: int = RENDERS) -> dict[str, Any]:
    instance = load_instance(instance_name)
    plan_doc, plan_kind = _plan_doc(instance, quick)
    with tempfile.TemporaryDirectory(prefix="bench-rota-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'rota.db'}"
        team_id, start = _prepare(db_url, instance, plan_doc)
        old = os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = db_url
        from app.db import get_engine, get_sessionmaker
        from app.settings import get_settings

        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()
        try:
            from fastapi.testclient import TestClient

            from app.main import create_app

            with TestClient(create_app()) as client:
                r = client.post(
                    "/login", data={"username": "bench", "password": "bench"}, follow_redirects=False
                )
                assert r.status_code == 303, f"login failed: {r.status_code}"
                day = start + dt.timedelta(days=7)  # a whole week inside the plan, with a week before it
                path = f"/teams/{team_id}/rota?view=week&date={day.isoformat()}"
                month_path = f"/teams/{team_id}/rota?view=month&date={day.isoformat()}"
                warm = client.get(path)
                assert warm.status_code == 200, warm.text[:500]
                blocks = warm.text.count('class="v')
                times = []
                for _ in range(renders):
                    t0 = time.perf_counter()
                    r = client.get(path)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                month_times = []
                for _ in range(max(3, renders // 3)):
                    t0 = time.perf_counter()
                    r = client.get(month_path)
                    month_times.append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
                size = len(warm.content)
        finally:
            if old is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = old
            for cached in (get_settings, get_engine, get_sessionmaker):
                cached.cache_clear()
    median = statistics.median(times)
    return {
        "instance": instance_name,
        "plan": plan_kind,
        "assigned": len(plan_doc.get("visits", [])),
        "unplaced": len(plan_doc.get("unassigned", [])),
        "renders": renders,
        "blocks_on_page": blocks,
        "html_bytes": size,
        "median_ms": round(median, 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "month_median_ms": round(statistics.median(month_times), 1),
        "target_ms": TARGET_MS,
        "pass": median <= TARGET_MS,
    }


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    quick = bool(getattr(args, "quick", False))
    try:
        result = measure("team-m", quick=quick, renders=QUICK_RENDERS if quick else RENDERS)
    except Exception as e:  # reported, not raised: the harness goes on with the next section
        return {"error": f"{type(e).__name__}: {e}"}, f"FAIL: could not measure the rota page: {e}\n"
    table = md_table(
        ["instance", "plan", "visits on the week page", "HTML", "median", "min", "max", "month view median"],
        [
            [
                result["instance"],
                result["plan"],
                result["blocks_on_page"],
                f"{result['html_bytes'] // 1024} KiB",
                f"{fmt(result['median_ms'])} ms",
                f"{fmt(result['min_ms'])} ms",
                f"{fmt(result['max_ms'])} ms",
                f"{fmt(result['month_median_ms'])} ms",
            ]
        ],
    )
    verdict = "PASS" if result["pass"] else "FAIL"
    md = (
        f"{table}\n\n{verdict}: team rota week page renders in {fmt(result['median_ms'])} ms on the server "
        f"(median of {result['renders']}; target {TARGET_MS:.0f} ms)\n"
    )
    return result, md


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(measure("team-m", quick="--quick" in sys.argv), indent=2))
