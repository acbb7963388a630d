"""Section `load`: a working day's load on real server processes over PostgreSQL, with the database cut
away in the middle of it.

The demo municipality is seeded (and planned) into a fresh PostgreSQL schema; `homecare serve
--workers 2` serves it, reaching the database through a TCP proxy the bench can cut. Locust
(bench/locustfile.py) then runs 50 team members reading rota weeks, carers' days and citizens' pages
and 5 coordinators recording changes and previewing re-plans, while one plan job runs, for 3 minutes
(30 s with --quick). Halfway, the proxy drops every database connection and refuses new ones for
OUTAGE_SECONDS (a database restart as the server sees it; the shared PostgreSQL itself is not
stopped), then lets them through again.

Reported: requests/s, p50/p95/p99 per page kind, errors; answers of 500 or more outside the outage (target:
none), the outage's answers (target: 503 with Retry-After, never a 500), the seconds from the database's
return to the first good answer (target: 10 s), and whether every change a coordinator was told was saved
is in the database afterwards (counted). Targets: p95 of page reads <= 300 ms.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.common import fmt, md_table
from bench.tcp_proxy import TcpProxy, free_port

TITLE = "Load and a database outage (Locust, PostgreSQL, 2 server processes)"
PAGE_P95_TARGET_MS = 300.0
RECOVERY_TARGET_S = 10.0
OUTAGE_SECONDS = 8.0
PAGE_KINDS = ("rota week", "carer day", "citizen page")
# Users started (and so logged in) per second: a morning's logins come over half a minute, not at one
# instant; each costs an argon2 hash (the library's default parameters, above OWASP's minimum).
SPAWN_RATE = 2
# Seconds a team member spends on a page before opening the next (bench/locustfile.py).
TEAM_MEMBER_THINK_S = (5, 15)
KEY = "bench-load-secret-key-that-is-long-enough-0123456789"


def _wait_ready(base: str, timeout: float = 120) -> None:
    until = time.monotonic() + timeout
    while time.monotonic() < until:
        try:
            if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server at {base} did not become ready in {timeout:.0f} s")


def _homecare(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(Path(sys.executable).parent / "homecare"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _ids(base: str, password: str) -> dict[str, Any]:
    """What the load reads and changes, from the API as the demo's admin sees it."""
    token = httpx.post(f"{base}/api/auth/token", data={"username": "admin", "password": password}).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    teams = httpx.get(f"{base}/api/teams", headers=h, params={"limit": 100}).json()["items"]
    plans = httpx.get(f"{base}/api/plans", headers=h, params={"limit": 100}).json()["items"]
    out: dict[str, Any] = {"teams": {}}
    for team in teams:
        carers = httpx.get(f"{base}/api/carers", headers=h,
                           params={"team_id": team["id"], "limit": 1000}).json()
        citizens = httpx.get(f"{base}/api/citizens", headers=h,
                             params={"team_id": team["id"], "limit": 1000}).json()
        plan = next(p for p in plans if team["id"] in p["team_ids"])
        out["teams"][team["name"]] = {
            "id": team["id"], "plan": plan["id"], "start": plan["start_date"],
            "carers": [c["id"] for c in carers["items"]],
            "carer_external_ids": [c["external_id"] for c in carers["items"]],
            "citizens": [c["id"] for c in citizens["items"]],
        }
    out["admin_headers"] = h
    return out


def _read_stats(prefix: Path) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": float(row["Request Count"]), "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]), "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0), "p99": float(row["99%"] or 0),
            }
    return rows


def _cpu_seconds(supervisor_pid: int) -> dict[str, float]:
    """CPU seconds used so far by uvicorn's server processes (answering requests) and by the planner
    processes they started (the plan job's, the re-plans'); psutil comes with Locust."""
    import psutil

    def used(p: psutil.Process) -> float:
        try:
            t = p.cpu_times()
            return float(t.user + t.system)
        except psutil.Error:
            return 0.0

    servers = psutil.Process(supervisor_pid).children()
    planners = [c for p in servers for c in p.children(recursive=True)]
    return {"server": sum(used(p) for p in servers), "planner": sum(used(p) for p in planners)}


def _plan_job_end(base: str, headers: dict[str, str], started: httpx.Response,
                  wait_s: float = 120.0) -> dict[str, Any]:
    """How the plan job that ran beside the load ended (its planner runs below the pages' priority, so
    it must still finish with a plan): status, seconds, the plan version it stored, its visits unplaced."""
    if started.status_code != 202:
        return {"status": f"not started ({started.status_code})"}
    job_id = started.json()["id"]
    until = time.monotonic() + wait_s
    job: dict[str, Any] = {}
    while time.monotonic() < until:
        try:
            job = httpx.get(f"{base}/api/plan-jobs/{job_id}", headers=headers, timeout=10).json()
        except httpx.HTTPError:
            job = {}
        if job.get("status") in ("succeeded", "failed", "cancelled"):
            break
        time.sleep(1)
    took = None
    if job.get("started_at") and job.get("finished_at"):
        took = (dt.datetime.fromisoformat(job["finished_at"]) - dt.datetime.fromisoformat(job["started_at"])
                ).total_seconds()
    return {"status": job.get("status", "unknown"), "seconds": took, "error": job.get("error"),
            "plan_version_id": job.get("plan_version_id"),
            "unplaced": (job.get("figures") or {}).get("unplaced")}


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(*, quick: bool) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, select, text
    from sqlalchemy.engine import make_url

    from app.demo import DEMO_PASSWORD
    from models.adjustments import Adjustment

    duration = 30 if quick else 180
    members, coordinators = (10, 2) if quick else (50, 5)
    url = make_url(os.environ.get("BENCH_POSTGRES_URL")
                   or os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    schema = f"bench_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.up()
    options = quote(f"-csearch_path={schema}")
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "DATABASE_URL": f"{proxied}?options={options}", "SECRET_KEY": KEY,
               "HOMECARE_DATA_DIR": str(work / "data"), "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
               "LOG_LEVEL": "info"}
        env.pop("CELERY_BROKER_URL", None)
        (work / "metrics").mkdir()
        _homecare("migrate", env=env)
        _homecare("seed-demo", env=env)
        server_log = work / "server.log"
        server = subprocess.Popen([str(Path(sys.executable).parent / "homecare"), "serve", "--workers", "2",
                                   "--host", "127.0.0.1", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=server_log.open("w"))
        try:
            _wait_ready(base)
            ids = _ids(base, DEMO_PASSWORD)
            teams = ids["teams"]
            first = min(dt.date.fromisoformat(t["start"]) for t in teams.values())
            day = (first + dt.timedelta(days=2)).isoformat()
            job = httpx.post(f"{base}/api/plan-jobs", headers=ids["admin_headers"],
                             json={"team_ids": [teams["Nacksta"]["id"]], "start": first.isoformat(),
                                   "end": (first + dt.timedelta(days=27)).isoformat(),
                                   "time_limit": float(duration)})
            conf = {
                "password": DEMO_PASSWORD, "day": day, "members": members, "coordinators": coordinators,
                "member_teams": [{**teams["Centrum"], "member": "member"},
                                 {**teams["Skönsberg"], "member": "member-skonsberg"}],
                "coordinator_teams": [{**teams["Centrum"], "coordinator": "coordinator"},
                                      {**teams["Skönsberg"], "coordinator": "coordinator"}],
                "member_think_s": list(TEAM_MEMBER_THINK_S),
                "acknowledged_file": str(work / "acknowledged.jsonl"),
                "errors_file": str(work / "errors.jsonl"),
            }
            outage: dict[str, float] = {}

            def cut() -> None:
                time.sleep(duration / 2)
                outage["down"] = time.time()
                proxy.down()
                time.sleep(OUTAGE_SECONDS)
                proxy.up()
                outage["up"] = time.time()
                while True:  # the first good answer after the database is back
                    try:
                        if httpx.get(f"{base}/api/teams", headers=ids["admin_headers"],
                                     timeout=10).status_code == 200:
                            outage["recovered"] = time.time()
                            return
                    except httpx.HTTPError:
                        pass
                    time.sleep(0.2)

            cutter = threading.Thread(target=cut, daemon=True)
            load_before = os.getloadavg()[0]
            cpu_before = _cpu_seconds(server.pid)
            cutter.start()
            prefix = work / "load"
            subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(Path(__file__).parent /
                                                                                  "locustfile.py"),
                            "--headless", "--host", base, "-u", str(members + coordinators),
                            "-r", str(SPAWN_RATE),
                            "-t", f"{duration}s", "--csv", str(prefix), "--only-summary"],
                           env={**os.environ, "HOMECARE_LOAD": json.dumps(conf)}, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            load_after = os.getloadavg()[0]
            cpu_after = _cpu_seconds(server.pid)
            cutter.join(timeout=60)
            plan_job = _plan_job_end(base, ids["admin_headers"], job)
            stats = _read_stats(prefix)
            errors = _jsonl(work / "errors.jsonl")
            acknowledged = {r["id"] for r in _jsonl(work / "acknowledged.jsonl")}
        finally:
            server.terminate()
            server.wait(timeout=30)
            proxy.down()
            logged = server_log.read_text(encoding="utf-8", errors="replace")
    check = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    with check.connect() as conn:
        stored = set(conn.execute(select(Adjustment.id).where(Adjustment.id.in_(acknowledged or [-1])))
                     .scalars()) if acknowledged else set()
        _ = conn.execute(select(func.count()).select_from(Adjustment)).scalar()
    check.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
    window = (outage.get("down", 0.0), outage.get("recovered", outage.get("up", 0.0)))
    during = [e for e in errors if window[0] <= e["at"] <= window[1] + 1]
    outside = [e for e in errors if e not in during]
    return {
        "duration_s": duration, "members": members, "coordinators": coordinators,
        "plan_job_started": job.status_code == 202, "plan_job": plan_job, "stats": stats,
        "server_errors_outside_outage": len(outside),
        "server_errors_outside_by_status": _count(outside),
        "server_errors_outside_kinds": sorted({f"{e['name']}: {e.get('error') or e['status']}"
                                               for e in outside})[:5],
        "outage_answers_by_status": _count(during),
        "outage_s": OUTAGE_SECONDS,
        "recovery_s": (outage["recovered"] - outage["up"]) if "recovered" in outage else None,
        "acknowledged_changes": len(acknowledged), "acknowledged_changes_stored": len(stored),
        "member_think_s": list(TEAM_MEMBER_THINK_S), "spawn_rate": SPAWN_RATE,
        # Server processes uvicorn's supervisor found unresponsive and replaced (their open requests
        # are lost: the "0" answers), and tracebacks of requests that failed inside the server.
        "server_processes_replaced": len(re.findall(r"Child process \[\d+\] died", logged)),
        "server_tracebacks": logged.count("Exception in ASGI application"),
        # The machine's run queue (1-minute load average) as the load started and ended, and its cores:
        # the server shares them with Locust, PostgreSQL, the plan job and whatever else runs there.
        "load_average": [round(load_before, 2), round(load_after, 2)], "cores": os.cpu_count(),
        # What the load cost the server itself, whatever else the machine ran.
        "server_cpu_s": round(cpu_after["server"] - cpu_before["server"], 1),
        "planner_cpu_s": round(cpu_after["planner"] - cpu_before["planner"], 1),
    }


def _count(errors: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for e in errors:
        counts[str(e["status"])] = counts.get(str(e["status"]), 0) + 1
    return counts


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    try:
        r = measure(quick=args.quick)
    except Exception as e:  # noqa: BLE001 - no PostgreSQL or no locust: say so in the results
        return {"skipped": f"{type(e).__name__}: {e}"}, f"Not run: {type(e).__name__}: {e}\n"
    rows = [[name, fmt(s["requests"], 0), fmt(s["rps"], 1), fmt(s["p50"], 0), fmt(s["p95"], 0),
             fmt(s["p99"], 0), fmt(s["failures"], 0)] for name, s in sorted(r["stats"].items())]
    pages_p95 = max((r["stats"][k]["p95"] for k in PAGE_KINDS if k in r["stats"]), default=float("nan"))
    outage_500 = sum(n for status, n in r["outage_answers_by_status"].items() if status != "503")
    requests = r["stats"].get("Aggregated", {}).get("requests", 0.0)
    lines = [
        f"{r['members']} team members and {r['coordinators']} coordinators for {r['duration_s']} s, one plan "
        f"job running ({'started' if r['plan_job_started'] else 'NOT started'}); the database cut away for "
        f"{r['outage_s']:.0f} s halfway. Team members read a page for {r['member_think_s'][0]}-"
        f"{r['member_think_s'][1]} s before the next; users start (log in) {r['spawn_rate']} a second. "
        f"Load average {r['load_average'][0]} at the start, {r['load_average'][1]} at the end, on "
        f"{r['cores']} cores shared with Locust and PostgreSQL.", "",
        md_table(["kind", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "failures"], rows), "",
        f"- Page reads p95 (worst kind): {fmt(pages_p95, 0)} ms, target {PAGE_P95_TARGET_MS:.0f} ms: "
        f"{'PASS' if pages_p95 <= PAGE_P95_TARGET_MS else 'FAIL'}",
        f"- Answers >= 500 outside the outage: {r['server_errors_outside_outage']} "
        f"{r['server_errors_outside_by_status']}, target 0: "
        f"{'PASS' if r['server_errors_outside_outage'] == 0 else 'FAIL'}"
        + "".join(f"\n  - {kind}" for kind in r.get("server_errors_outside_kinds", [])),
        f"- During the outage: {r['outage_answers_by_status']} (target: 503 only): "
        f"{'PASS' if outage_500 == 0 else 'FAIL'}",
        f"- CPU used by the server processes: {fmt(r['server_cpu_s'], 1)} s over {r['duration_s']} s "
        f"({fmt(1000 * r['server_cpu_s'] / max(1.0, requests), 0)} ms a request, all kinds, the logins' "
        f"argon2 hashes included); by planner "
        f"processes (plan job, re-plans; below the server's priority): {fmt(r['planner_cpu_s'], 1)} s",
        f"- Server processes replaced by uvicorn as unresponsive: {r['server_processes_replaced']}; "
        f"requests failed with a traceback in the server: {r['server_tracebacks']}",
        f"- The plan job beside the load: {r.get('plan_job', {}).get('status')} after "
        f"{fmt(r.get('plan_job', {}).get('seconds'), 0)} s, plan version "
        f"{r.get('plan_job', {}).get('plan_version_id')}, unplaced visits "
        f"{r.get('plan_job', {}).get('unplaced')}"
        + (f", error: {r['plan_job']['error']}" if r.get("plan_job", {}).get("error") else ""),
        f"- Recovered {fmt(r['recovery_s'], 1)} s after the database came back, target "
        f"{RECOVERY_TARGET_S:.0f} s: "
        f"{'PASS' if r['recovery_s'] is not None and r['recovery_s'] <= RECOVERY_TARGET_S else 'FAIL'}",
        f"- Changes acknowledged (201) and found stored afterwards: {r['acknowledged_changes_stored']} of "
        f"{r['acknowledged_changes']}: "
        f"{'PASS' if r['acknowledged_changes_stored'] == r['acknowledged_changes'] else 'FAIL'}",
    ]
    return r, "\n".join(lines) + "\n"
