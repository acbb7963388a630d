"""Re-plans solved in processes beside the web server's, below its priority.

A coordinator's re-plan preview solves inside the request for up to a minute. The planner is mostly pure
Python and holds the GIL, so solved in the request's thread it would slow every page the same server
process answers meanwhile. Here it runs in a spawned process (started at the first re-plan, then kept
for the next ones; at most `MAX_PROCESSES` per server process) at `jobs_solve_nice` below the server's
priority: the pages come first, the re-plan takes the CPU they leave. The process gets the problem and
the changes, not a database connection; the request stores the result as before.
"""

from __future__ import annotations

import atexit
import multiprocessing as mp
import threading
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from app.jobs.solving import lower_priority
from app.replan import ReplanFailed, ReplanResult, replan
from app.replan.changes import ChangeSet
from app.settings import get_settings
from solver import types as st

MAX_PROCESSES = 2  # re-plans of one server process solved at once; more wait their turn

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def replan_pool() -> ProcessPoolExecutor:
    """This server process's re-plan processes (started as re-plans come)."""
    global _pool
    with _lock:
        if _pool is None:
            nice = get_settings().jobs_solve_nice
            _pool = ProcessPoolExecutor(max_workers=MAX_PROCESSES, mp_context=mp.get_context("spawn"),
                                        initializer=lower_priority, initargs=(nice,))
            atexit.register(_pool.shutdown, wait=False, cancel_futures=True)
        return _pool


def _forget(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def replan_beside(problem: st.Problem, current: Iterable[st.Assignment], changes: ChangeSet, *,
                  params: st.SolveParams, pinned: Iterable[st.Assignment] = (),
                  stale: Iterable[str] = ()) -> ReplanResult:
    """`app.replan.replan`, solved in a re-plan process; raises ReplanFailed as it does, and when the
    process dies (the next re-plan starts a new one)."""
    pool = replan_pool()
    try:
        return pool.submit(replan, problem, list(current), changes, params=params, pinned=list(pinned),
                           stale=set(stale)).result()
    except BrokenProcessPool:
        _forget(pool)
        raise ReplanFailed("the planner's process stopped before it finished") from None
