"""Bench section `scaleout`: a municipality's plan on Celery workers, one worker against two.

The whole production path: the instance is imported into a database (PostgreSQL when reachable,
else a SQLite file), a plan job for every team is queued on Redis, `homecare worker` processes
(started here, one solve process each) prepare it, solve one part per team and the last part
gathers the one plan version. Wall time runs from the job's submission to its "succeeded"; the
plan is exported and checked by the verifier. Each team gets a fixed, short solve budget
(`--part-seconds`), so the figure measures how the work spreads, not how long the planner may think.

    python -m bench --sections scaleout                 # municipality-xl, 1 and 2 workers
    python -m bench --sections scaleout --quick         # district-l (4 teams), 2 s a team
    python -m bench.scaleout --part-seconds 3 --workers 1,2 --instance district-l   # standalone

Environment: BENCH_REDIS_URL (default redis://127.0.0.1:6379/14), BENCH_POSTGRES_URL (default
TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test; "none" forces SQLite),
SCALEOUT_PART_SECONDS (default 5; 2 with --quick).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

TITLE = "Scale-out: a municipality's plan on Celery workers"
PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _progress(msg: str) -> None:
    print(f"[scaleout] {msg}", file=sys.stderr, flush=True)


# --- database --------------------------------------------------------------------------------------


@contextmanager
def database(work: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh migrated database: a PostgreSQL schema of its own when reachable, else a SQLite file.
    Yields (url for every process, connect options) and drops it afterwards."""
    from app.db import make_engine
    from app.migrate import upgrade_head

    pg = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL") or DEFAULT_PG
    if pg != "none":
        try:
            probe = make_engine(pg)
            with probe.connect() as conn:
                conn.execute(text("SELECT 1"))
            schema = f"bench_scaleout_{uuid.uuid4().hex[:8]}"
            with probe.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            probe.dispose()
            # libpq reads PGOPTIONS: every process (the workers too) works inside the schema.
            url = pg
            env = {"PGOPTIONS": f"-csearch_path={schema}"}
            os.environ["PGOPTIONS"] = env["PGOPTIONS"]
            try:
                engine = make_engine(url)
                upgrade_head(engine)
                engine.dispose()
                yield url, {"backend": "postgresql", "env": env}
            finally:
                os.environ.pop("PGOPTIONS", None)
                cleanup = make_engine(pg)
                with cleanup.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                cleanup.dispose()
            return
        except Exception as e:  # noqa: BLE001 - fall back to SQLite, and say so
            _progress(f"PostgreSQL not usable ({type(e).__name__}); using SQLite")
    path = work / "scaleout.db"
    path.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade_head(engine)
    engine.dispose()
    try:
        yield url, {"backend": "sqlite", "env": {}}
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _sessions(url: str) -> sessionmaker[Session]:
    from app.jobs.db import worker_sessions

    return worker_sessions(url)


# --- workers -----------------------------------------------------------------------------------------


class Workers:
    """`homecare worker` processes of our own (stopped by their own pids at the end)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: list[subprocess.Popen[bytes]] = []
        self.names: list[str] = []

    def start(self, n: int) -> None:
        for i in range(n):
            name = f"bench{i + 1}@{self.env['CELERY_QUEUE_PREFIX']}"
            log = open(self.logs / f"worker{i + 1}.log", "wb")  # noqa: SIM115 - lives with the process
            self.procs.append(subprocess.Popen(
                [sys.executable, "-c", "from app.cli import main; main()", "worker", "--concurrency", "1",
                 "--name", name, "--loglevel", "warning"],
                cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            self.names.append(name)

    def wait_ready(self, app: Any, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answered = {k for r in app.control.ping(destination=self.names, timeout=1.0) for k in r}
            if set(self.names) <= answered:
                return
            if any(p.poll() is not None for p in self.procs):
                break
        raise RuntimeError(f"workers did not start; see {self.logs}")

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
        self.procs, self.names = [], []


# --- one measured run ----------------------------------------------------------------------------------


def _import(url: str, instance: Path) -> tuple[list[int], dt.date, dt.date, float]:
    from app.services.exchange import import_instance
    from exchange import parse_instance

    t0 = time.perf_counter()
    with open(instance, encoding="utf-8") as f:
        doc = parse_instance(json.load(f))
    with _sessions(url)() as s:
        result = import_instance(s, data=None, doc=doc, user=None)
        s.commit()
    start = doc.start_date
    return list(result.team_ids), start, start + dt.timedelta(days=doc.days - 1), time.perf_counter() - t0


def _admin(url: str) -> int:
    from models import core as m

    with _sessions(url)() as s:
        user = m.User(username=f"bench-{uuid.uuid4().hex[:6]}", password_hash="x", role=m.ROLE_ADMIN)
        s.add(user)
        s.commit()
        return user.id


def run_job(url: str, runner: Any, *, team_ids: list[int], start: dt.date, end: dt.date, part_seconds: float,
            user_id: int, timeout: float = 3600) -> dict[str, Any]:
    """Submit one plan job for every team and wait for it; the timings of its stages."""
    from app.services import jobs as service
    from models import core as m
    from models.jobs import PlanJob

    sessions = _sessions(url)
    with sessions() as s:
        user = s.get_one(m.User, user_id)
        job = service.start_plan_job(s, user=user, team_ids=team_ids, start=start, end=end,
                                     time_limit=part_seconds * len(team_ids), part_time_limit=part_seconds,
                                     seed=0, runner=runner.name)
        s.commit()
        job_id = job.id
    t0 = time.perf_counter()
    runner.submit(job_id)
    last = ""
    while True:
        with sessions() as s:
            job = s.get_one(PlanJob, job_id)
            status = job.status
            line = f"job {job_id}: {status}, parts {sorted({p.status for p in job.parts})}"
        if line != last:
            _progress(f"{line} ({time.perf_counter() - t0:.0f} s)")
            last = line
        if status in ("succeeded", "failed", "cancelled"):
            break
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError(f"job {job_id} not finished after {timeout} s")
        time.sleep(0.5)
    wall = time.perf_counter() - t0
    with sessions() as s:
        job = s.get_one(PlanJob, job_id)
        parts = sorted(job.parts, key=lambda p: p.seq)

        def ts(t: dt.datetime | None) -> float:
            assert t is not None
            return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).timestamp()

        created = ts(job.created_at)
        first_start = min(ts(p.started_at) for p in parts if p.started_at)
        last_end = max(ts(p.finished_at) for p in parts if p.finished_at)
        solve_sum = sum(ts(p.finished_at) - ts(p.started_at) for p in parts if p.started_at and p.finished_at)
        out = {
            "job_id": job_id, "status": job.status, "error": job.error, "wall_s": round(wall, 1),
            "prepare_s": round(first_start - created, 1), "solve_span_s": round(last_end - first_start, 1),
            "gather_s": round(ts(job.finished_at) - last_end, 1) if job.finished_at else None,
            "part_seconds_sum": round(solve_sum, 1), "parts": len(parts),
            "processes": len({(p.worker, p.pid) for p in parts}),
            "plan_version_id": job.plan_version_id, "figures": job.figures,
        }
    return out


def _verify(url: str, version_id: int, instance: Path, work: Path) -> dict[str, Any]:
    from app.services.exchange import export_plan
    from bench.common import verify
    from models import core as m

    with _sessions(url)() as s:
        plan = export_plan(s, version=s.get_one(m.PlanVersion, version_id))
    path = work / f"plan-{version_id}.json"
    path.write_text(json.dumps(plan), encoding="utf-8")
    verdict = verify(instance, path)
    return {"status": verdict.status(), "valid": verdict.valid,
            "assigned": verdict.figures.get("assigned"), "unassigned": verdict.figures.get("unassigned"),
            "distinct_month_mean": (verdict.figures.get("distinct_carers_per_citizen_month")
                                    or {}).get("mean"),
            "travel_minutes": verdict.figures.get("travel_minutes")}


def measure(*, instance: Path, workers: list[int], part_seconds: float, work: Path,
            redis_url: str) -> dict[str, Any]:
    import redis

    from app.jobs.celery_app import make_celery
    from app.jobs.celery_runner import CeleryRunner
    from app.settings import get_settings

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": f"Redis unreachable at {redis_url}: {e}"}
    work.mkdir(parents=True, exist_ok=True)
    prefix = f"hc-bench-{uuid.uuid4().hex[:8]}"
    out: dict[str, Any] = {"ok": True, "instance": instance.stem, "part_seconds": part_seconds, "runs": []}
    with database(work) as (url, db):
        out["database"] = db["backend"]
        _progress(f"importing {instance.name} into {db['backend']}")
        team_ids, start, end, import_s = _import(url, instance)
        out.update(teams=len(team_ids), import_s=round(import_s, 1), start=str(start), end=str(end))
        user_id = _admin(url)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "JOBS_"))}
        env.update(DATABASE_URL=url, CELERY_BROKER_URL=redis_url, CELERY_QUEUE_PREFIX=prefix,
                   CELERY_VISIBILITY_TIMEOUT="3600", PYTHONPATH=str(PROJECT), **db["env"])
        saved = {k: os.environ.get(k) for k in ("CELERY_BROKER_URL", "CELERY_QUEUE_PREFIX")}
        os.environ.update(CELERY_BROKER_URL=redis_url, CELERY_QUEUE_PREFIX=prefix)
        get_settings.cache_clear()
        celery = make_celery(redis_url)
        runner = CeleryRunner(celery)
        try:
            for n in workers:
                pool = Workers(env, work)
                try:
                    _progress(f"{n} worker(s): starting")
                    pool.start(n)
                    pool.wait_ready(celery)
                    run = run_job(url, runner, team_ids=team_ids, start=start, end=end,
                                  part_seconds=part_seconds, user_id=user_id)
                finally:
                    pool.stop()
                run["workers"] = n
                if run["status"] == "succeeded" and run["plan_version_id"]:
                    _progress(f"{n} worker(s): verifying the plan")
                    run["verdict"] = _verify(url, run["plan_version_id"], instance, work)
                out["runs"].append(run)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            get_settings.cache_clear()
    base = next((r for r in out["runs"] if r["workers"] == 1 and r["status"] == "succeeded"), None)
    for r in out["runs"]:
        if base is not None and r["status"] == "succeeded":
            r["speedup"] = round(base["wall_s"] / r["wall_s"], 2)
            span = r["solve_span_s"]
            r["solve_speedup"] = round(base["solve_span_s"] / span, 2) if span else None
    return out


def markdown(r: dict[str, Any]) -> str:
    from bench.common import md_table

    if not r.get("ok"):
        return f"**skipped**: {r.get('error')}"
    rows = []
    for run in r["runs"]:
        v = run.get("verdict", {})
        rows.append([run["workers"], run["status"], run["wall_s"], run["prepare_s"], run["solve_span_s"],
                     run["gather_s"], run["part_seconds_sum"], run.get("speedup"), run.get("solve_speedup"),
                     v.get("status", "—"), v.get("assigned"), v.get("distinct_month_mean")])
    md = (f"{r['instance']}: {r['teams']} teams, {r['start']}..{r['end']}, {r['part_seconds']} s of solving "
          f"per team, database {r['database']} (import {r['import_s']} s, not counted).\n\n")
    md += md_table(["workers", "status", "wall s", "prepare s", "solve span s", "gather s", "Σ part s",
                    "speed-up", "solve speed-up", "verifier", "assigned", "distinct/month mean"], rows)
    md += ("\n\nWall = submit → succeeded. Prepare = submit → first part started (size the parts, fan "
           "out); solve span = first part started → last part finished (each part builds its own team's "
           "input from the database, then solves); gather = last part → plan version stored (figures + "
           "one transaction). The machine has 2 cores, shared with the web/test "
           "process and the database: a second worker can at best halve the solve span, and prepare and "
           "gather run on one core whatever the number of workers (Amdahl).")
    return md


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from bench.common import instance_path

    quick = bool(getattr(args, "quick", False))
    name = "district-l" if quick else "municipality-xl"
    part_seconds = float(os.environ.get("SCALEOUT_PART_SECONDS", "2" if quick else "5"))
    work = Path(getattr(args, "results_dir", PROJECT / "bench" / "results")) / "scaleout"
    result = measure(instance=instance_path(name), workers=[1, 2], part_seconds=part_seconds, work=work,
                     redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    return result, markdown(result)


def main(argv: list[str] | None = None) -> int:
    from bench.common import instance_path

    ap = argparse.ArgumentParser(prog="python -m bench.scaleout", description=__doc__.split("\n")[0])
    ap.add_argument("--instance", default="municipality-xl")
    ap.add_argument("--part-seconds", type=float, default=5.0, help="solve seconds per team")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    ap.add_argument("--results-dir", type=Path, default=PROJECT / "bench" / "results")
    a = ap.parse_args(argv)
    result = measure(instance=instance_path(a.instance), workers=[int(x) for x in a.workers.split(",")],
                     part_seconds=a.part_seconds, work=a.results_dir / "scaleout",
                     redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    print(markdown(result))
    print(json.dumps(result, indent=1, default=str))
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
