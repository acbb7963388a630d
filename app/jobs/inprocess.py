"""The embedded runner: no broker; solve jobs run in the web server's machine, one child process each.

Why a child process and not a thread: the planner's construction and search are mostly pure Python
and hold the GIL (CP-SAT releases it only inside its own calls), so a solve in a thread would make
every web request wait. A child process keeps the server responsive and can be killed when a cancel
is not obeyed in time. The child only solves (exchange-format payload in, result out, progress
messages over a pipe); every database write stays in the coordinating thread here, so the child
needs no database connection (an in-memory SQLite test database works too).

The child runs at a lower priority than the server (`jobs_solve_nice`, and on Linux the idle
scheduling class, `jobs_solve_idle`): the pages come first, the plan takes the CPU they leave. It may
start the planner's own worker processes (`jobs_inprocess_workers`): one team's plan then races other
seeds on the spare cores. That is why the child is not a daemon process (a daemon may have no
children); it is closed when its job ends, before the interpreter exits, and it stops planning when the
web server dies under it.

A job dies with the web server in this mode: at start the runner marks jobs it owned whose process
is gone as failed (the last plan is untouched, since nothing is written before the end).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing as mp
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import select, update

from app.jobs import execute
from app.jobs.db import worker_sessions
from app.jobs.execute import BuildProblem, Claim, Relay, Sessions, StorePlan
from app.jobs.solving import SolveFailed, lower_priority, resolve, solve_function_path, solve_payload
from app.settings import get_settings
from models.jobs import JOB_ACTIVE, PART_ACTIVE, PART_CANCELLED, RUNNER_INPROCESS, PlanJob, PlanJobPart
from solver.types import Progress

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 5.0  # a stopped planner returns its best plan within this, or is killed


def _child_main(conn: Connection, stop: Any, solve_path: str, workers: int, nice: int = 0,
                idle: bool = False) -> None:
    """The child: solve requests one after another until told to quit."""
    lower_priority(nice, idle=idle)
    solve_fn = resolve(solve_path)
    server = mp.parent_process()

    def should_stop() -> bool:
        # A web server killed outright sends no stop: nobody would read this plan.
        return stop.is_set() or (server is not None and not server.is_alive())

    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg[0] == "quit":
            return
        _, payload, time_limit, seed, steps, continuity = msg

        def progress(p: Progress) -> None:
            conn.send(("progress", p.phase, p.elapsed, p.objective, p.bound, p.fraction, p.message))

        try:
            result = solve_payload(payload, time_limit=time_limit, seed=seed, solve_fn=solve_fn,
                                   on_progress=progress, should_stop=should_stop, workers=workers,
                                   steps=steps, continuity=continuity)
            conn.send(("result", result))
        except SolveFailed as e:
            conn.send(("failed", str(e)))
        except Exception as e:  # noqa: BLE001 - reported to the parent, which fails the job
            conn.send(("error", f"{type(e).__name__}: {e}"))


class _Child:
    """One spawned solver process, reused for the parts of a job."""

    def __init__(self, solve_path: str, workers: int = 1, nice: int = 0, idle: bool = False) -> None:
        ctx = mp.get_context("spawn")
        self.stop = ctx.Event()
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_child_main,
                                args=(child_conn, self.stop, solve_path, workers, nice, idle),
                                daemon=False, name="homecare-solve")
        self.proc.start()
        child_conn.close()
        # Not a daemon, so multiprocessing would wait for it at exit while it waits for a message:
        # close it first (atexit runs this before multiprocessing's own exit handler, registered earlier).
        atexit.register(self.close)

    def solve(self, c: Claim, relay: Relay) -> dict[str, Any]:
        self.stop.clear()
        self.conn.send(("solve", c.payload, c.time_limit, c.seed, c.steps, c.continuity))
        stop_at: float | None = None
        while True:
            if self.conn.poll(0.2):
                try:
                    msg = self.conn.recv()
                except EOFError:
                    raise SolveFailed(f"the planner process died (exit code {self.proc.exitcode})") from None
                if msg[0] == "progress":
                    relay.on_progress(Progress(phase=msg[1], elapsed=msg[2], objective=msg[3], bound=msg[4],
                                               fraction=msg[5], message=msg[6]))
                elif msg[0] == "result":
                    return dict(msg[1])
                elif msg[0] == "failed":
                    raise SolveFailed(msg[1])
                else:
                    raise RuntimeError(msg[1])
            elif not self.proc.is_alive():
                raise SolveFailed(f"the planner process died (exit code {self.proc.exitcode})")
            if stop_at is None and relay.should_stop():
                self.stop.set()  # the planner returns its best plan so far (discarded by the caller)
                stop_at = time.monotonic()
            if stop_at is not None and time.monotonic() - stop_at > STOP_GRACE_SECONDS:
                self.kill()
                raise _Stopped()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)

    def close(self) -> None:
        atexit.unregister(self.close)
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(("quit",))
        self.stop.set()  # a child still planning (its job was abandoned) stops too
        self.proc.join(2)
        self.kill()
        self.conn.close()


class _Stopped(Exception):
    """The job was cancelled and the planner did not stop in time: it was killed."""


class InProcessRunner:
    name = RUNNER_INPROCESS

    def __init__(self, *, sessions: Sessions | None = None, parallel: int | None = None,
                 isolation: str = "process", solve_path: str | None = None,
                 build: BuildProblem | None = None, store: StorePlan | None = None,
                 max_attempts: int = 1, workers: int | None = None) -> None:
        settings = get_settings()
        if sessions is None:
            # Our own engine: on SQLite its transactions wait for the lock instead of failing.
            sessions = worker_sessions(settings.database_url)
        self.sessions = sessions
        self.isolation = isolation  # "process" (the product) or "thread" (a solve_fn in this process)
        self.solve_path = solve_path or solve_function_path()
        self.build, self.store, self.max_attempts = build, store, max_attempts
        self.pool = ThreadPoolExecutor(max_workers=parallel or settings.jobs_inprocess_parallel,
                                       thread_name_prefix="homecare-job")
        self.workers = max(1, workers if workers is not None else settings.jobs_inprocess_workers)
        self.nice = settings.jobs_solve_nice
        self.idle = settings.jobs_solve_idle
        self.futures: dict[int, Future[None]] = {}
        self.children: dict[int, _Child] = {}
        self.lock = threading.Lock()
        self.recovered = False

    # -- JobRunner --

    def check_available(self) -> None:
        return None

    def submit(self, job_id: int) -> None:
        if not self.recovered:
            self.recover_orphans()
        with self.sessions() as session:
            session.execute(update(PlanJob).where(PlanJob.id == job_id).values(owner=execute.here()))
            session.commit()
        self.futures[job_id] = self.pool.submit(self._run_job, job_id)

    def cancel(self, job_id: int, part_ids: Sequence[int]) -> None:
        with self.lock:
            child = self.children.get(job_id)
        if child is not None:
            child.stop.set()  # at once, rather than at the relay's next database check

    def shutdown(self) -> None:
        """Server stopping: its running jobs fail now ("the server stopped", nothing written), their
        planners stop within a second, and the threads end."""
        with self.lock:
            children = dict(self.children)
        for job_id, fut in list(self.futures.items()):
            if not fut.done():
                execute.fail_job(self.sessions, job_id,
                                 "the server stopped before the job finished; the last plan is unchanged")
        for child in children.values():
            child.stop.set()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def wait(self, job_id: int, timeout: float | None = None) -> None:
        """Block until the job's thread is done (tests, CLI)."""
        fut = self.futures.get(job_id)
        if fut is not None:
            fut.result(timeout)

    # -- the work --

    def recover_orphans(self) -> None:
        """Jobs this host's runners owned whose process is gone can never finish: fail them."""
        self.recovered = True
        host = socket.gethostname()
        with self.sessions() as session:
            rows = session.execute(select(PlanJob.id, PlanJob.owner).where(
                PlanJob.runner == RUNNER_INPROCESS, PlanJob.status.in_(JOB_ACTIVE))).all()
        for job_id, owner in rows:
            if not owner:
                continue
            h, _, p = owner.rpartition(":")
            if h == host and p.isdigit() and int(p) != os.getpid() and not _alive(int(p)):
                execute.fail_job(self.sessions, job_id,
                                 "the server stopped before the job finished; the last plan is unchanged")

    def _run_job(self, job_id: int) -> None:
        child: _Child | None = None
        try:
            try:
                part_ids = execute.prepare(self.sessions, job_id, build=self.build)
            except Exception as e:  # noqa: BLE001 - bad data in the database must fail the job, not the thread
                log.exception("job %s: preparation failed", job_id)
                execute.fail_job(self.sessions, job_id,
                                 f"could not build the problem: {type(e).__name__}: {e}")
                return
            solve_part: Callable[[Claim, Relay], dict[str, Any]]
            if self.isolation == "thread":
                fn = resolve(self.solve_path)

                def solve_part(c: Claim, relay: Relay) -> dict[str, Any]:
                    return solve_payload(c.payload, time_limit=c.time_limit, seed=c.seed, solve_fn=fn,
                                         on_progress=relay.on_progress, should_stop=relay.should_stop,
                                         steps=c.steps, continuity=c.continuity)
            else:
                def solve_part(c: Claim, relay: Relay) -> dict[str, Any]:
                    nonlocal child
                    if child is None or not child.proc.is_alive():
                        child = _Child(self.solve_path, self.workers, self.nice, self.idle)
                        with self.lock:
                            self.children[job_id] = child
                    try:
                        return child.solve(c, relay)
                    except _Stopped:
                        child = None
                        raise

            for part_id in part_ids:
                try:
                    outcome = execute.run_part(self.sessions, part_id, solve_part,
                                               max_attempts=self.max_attempts)
                except _Stopped:
                    outcome = "stopped"
                if outcome == "gather":
                    execute.gather(self.sessions, job_id, store=self.store)
                if execute.job_status(self.sessions, job_id) not in JOB_ACTIVE:
                    break
            self._settle_stopped(job_id)
        except Exception as e:  # noqa: BLE001 - whatever happened, the job ends failed, never "running"
            log.exception("job %s failed", job_id)
            execute.fail_job(self.sessions, job_id, f"{type(e).__name__}: {e}")
        finally:
            with self.lock:
                self.children.pop(job_id, None)
            if child is not None:
                child.close()

    def _settle_stopped(self, job_id: int) -> None:
        # Parts of a cancelled or failed job that never ran are marked so (for the job's page).
        with self.sessions() as session:
            status = session.execute(select(PlanJob.status).where(PlanJob.id == job_id)).scalar_one_or_none()
            if status is not None and status not in JOB_ACTIVE:
                session.execute(update(PlanJobPart).where(PlanJobPart.job_id == job_id,
                                                          PlanJobPart.status.in_(PART_ACTIVE))
                                .values(status=PART_CANCELLED, finished_at=execute.now()))
                session.commit()
            elif status in JOB_ACTIVE:
                # Should not happen (every part ended but no one gathered): never leave it hanging.
                execute.fail_job(self.sessions, job_id, "the job ended without a result")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
