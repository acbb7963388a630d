"""A coordinator's re-plan is solved beside the web server, not in the request's thread: the pages the
same server process answers meanwhile do not wait for the planner, and it takes the CPU they leave."""

from __future__ import annotations

import os

import pytest

from app.jobs.replanning import replan_pool
from app.settings import get_settings
from tests.jobs.standins import process_and_priority


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities on this system")
def test_a_replan_solves_in_a_process_of_its_own_below_the_servers_priority() -> None:
    pid, nice = replan_pool().submit(process_and_priority).result(timeout=60)
    assert pid != os.getpid()
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + get_settings().jobs_solve_nice)
    assert get_settings().jobs_solve_nice > 0
