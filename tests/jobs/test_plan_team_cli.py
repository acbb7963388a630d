"""`homecare plan-team`: the command line's door to a team held in the database. It starts the same plan
run the API and the plan-run page start, planned by the installation's runner (here the in-process one,
no broker), with the team's own continuity setting when none is given, and the draft is stored with the
setting it was planned with."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.demo import seed_demo
from app.migrate import upgrade_head
from app.services import team_settings
from app.services.jobs import MAX_TIME_LIMIT
from models.core import PLAN_DRAFT, PlanVersion, Team, User
from models.jobs import JOB_CANCELLED, PlanJob

START = dt.date(2026, 11, 30)
WEEK = ("--from", START.isoformat(), "--to", (START + dt.timedelta(days=6)).isoformat())


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A migrated database with the demo municipality, its team Centrum set to drive least."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade_head(url)
    engine = create_engine(url)
    with Session(engine) as session:
        seed_demo(session, start=START, days=7)
        centrum = session.scalars(select(Team).where(Team.name == "Centrum")).one()
        team_settings.set_continuity(session, team=centrum, continuity="travel", user=None)
        session.commit()
    engine.dispose()
    return url


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("CELERY_BROKER_URL", None)  # the in-process runner: the command plans in its own process
    return env


COMMAND = [sys.executable, "-c", "from app.cli import main; main()"]


def _homecare(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=_env(url), timeout=600)


def _jobs(url: str) -> list[tuple[str, dict[str, Any], str, dict[str, Any], str]]:
    """Each plan job: who started it, its parameters and status, its draft's inputs and status."""
    engine = create_engine(url)
    with Session(engine) as session:
        rows = []
        for j in session.scalars(select(PlanJob).order_by(PlanJob.id)):
            version = session.get_one(PlanVersion, j.plan_version_id)
            rows.append((session.get_one(User, j.created_by_id).username, j.params, j.status, version.inputs,
                         version.status))
    engine.dispose()
    return rows


@pytest.mark.slow
def test_a_coordinator_plans_the_team_from_the_command_line_with_its_own_setting_or_the_one_given(
        db: str) -> None:
    own = _homecare(db, "plan-team", "Centrum", *WEEK, "--user", "coordinator", "--steps", "3")
    assert own.returncode == 0, own.stderr
    assert "continuity travel (the team's setting)" in own.stderr
    assert "draft plan version" in own.stdout and "/runs/" in own.stdout

    chosen = _homecare(db, "plan-team", "Centrum", *WEEK, "--user", "coordinator", "--steps", "3",
                       "--continuity", "faces:4")
    assert chosen.returncode == 0, chosen.stderr
    assert "continuity faces:4 (chosen for this run)" in chosen.stderr

    (u1, p1, s1, in1, v1), (u2, p2, s2, in2, v2) = _jobs(db)
    assert (u1, u2, s1, s2, v1, v2) == ("coordinator", "coordinator", "succeeded", "succeeded", PLAN_DRAFT,
                                        PLAN_DRAFT)
    assert (p1["continuity"], p1["continuity_from"]) == ("travel", "team")
    assert (p2["continuity"], p2["continuity_from"]) == ("faces:4", "run")
    # The plan version keeps the setting it was planned with.
    assert (in1["continuity"], in2["continuity"]) == ("travel", "faces:4")
    # Counted in steps, a run is not cut by a default clock: its plan is the same on any machine.
    engine = create_engine(db)
    with Session(engine) as session:
        assert list(session.scalars(select(PlanJob.time_limit))) == [MAX_TIME_LIMIT, MAX_TIME_LIMIT]
    engine.dispose()


def test_the_command_refuses_a_member_an_unknown_team_and_a_bad_setting_and_starts_nothing(db: str) -> None:
    member = _homecare(db, "plan-team", "Centrum", *WEEK, "--user", "member")
    assert member.returncode == 2 and "no active coordinator or admin" in member.stderr
    unknown = _homecare(db, "plan-team", "Atlantis", *WEEK, "--user", "coordinator")
    assert unknown.returncode == 2 and "team: no team of 'coordinator' goes by 'Atlantis'" in unknown.stderr
    bad = _homecare(db, "plan-team", "Centrum", *WEEK, "--user", "coordinator", "--continuity", "cheap")
    assert bad.returncode == 2 and "cheap" in bad.stderr
    other = _homecare(db, "plan-team", "Nacksta", *WEEK, "--user", "coordinator")
    # Not one of the coordinator's teams: answered as a missing one.
    assert other.returncode == 2 and "team: no team of 'coordinator' goes by 'Nacksta'" in other.stderr
    assert _jobs(db) == []


def _versions(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    with Session(engine) as session:
        rows = [(v.id, v.status) for v in session.scalars(select(PlanVersion).order_by(PlanVersion.id))]
    engine.dispose()
    return rows


@pytest.mark.slow
def test_a_coordinator_who_stops_a_run_with_ctrl_c_keeps_the_plans_the_team_had(db: str) -> None:
    done = _homecare(db, "plan-team", "Centrum", *WEEK, "--user", "coordinator", "--steps", "3")
    assert done.returncode == 0, done.stderr
    before = _versions(db)
    assert [status for _, status in before] == [PLAN_DRAFT]

    # Far more steps than the week needs before the interrupt: the run is still planning when it comes.
    run = subprocess.Popen([*COMMAND, "plan-team", "Centrum", *WEEK, "--user", "coordinator",
                            "--steps", "100000", "--time-limit", "3600"],
                           stderr=subprocess.PIPE, text=True, env=_env(db))
    try:
        assert run.stderr is not None
        started = run.stderr.readline() + run.stderr.readline()  # the job, then its first phase
        assert started.startswith("plan job ") and started.count("plan job ") == 2, started
        run.send_signal(signal.SIGINT)
        _, rest = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1, started + rest
    assert "cancelled; the last plan is unchanged" in rest

    engine = create_engine(db)
    with Session(engine) as session:
        stopped = session.scalars(select(PlanJob).order_by(PlanJob.id.desc())).first()
        assert stopped is not None
        assert (stopped.status, stopped.plan_version_id) == (JOB_CANCELLED, None)
    engine.dispose()
    assert _versions(db) == before  # no draft written, the earlier one as it was
