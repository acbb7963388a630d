"""A server process killed while it accepts a plan (or applies a re-plan, which stores a new version and
accepts it in the same way) leaves the team with the old plan or the new one, never a mix: exactly one
version in force, with every one of its assignments.

A worker process accepts new versions of the plan over and over, as the server's accept does, and is
killed with SIGKILL at moments spread over its work; after each kill the database is checked."""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.migrate import upgrade_head
from models.core import PLAN_ACCEPTED, Assignment, PlanVersion
from solver import types as st
from tests.conftest import Make
from tests.ops.conftest import postgres_schema

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 12, 7)
VISITS = 300
KILLS = 6

# The accept the server runs, in a loop: a new version of the plan in force, stored and accepted in one
# transaction, committed; one line printed per accepted version.
WORKER = """
import sys
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from app.mapping import accept_plan_version, plan_to_solver, plan_team_ids, store_plan_version
from models.core import PLAN_ACCEPTED, PlanVersion
engine = create_engine(sys.argv[1], connect_args=eval(sys.argv[2]))
while True:
    with Session(engine) as session:
        current = session.scalar(select(PlanVersion).where(PlanVersion.status == PLAN_ACCEPTED))
        plan = plan_to_solver(session, version=current)
        new = store_plan_version(session, team_ids=plan_team_ids(session, current.plan_id),
                                 start=current.plan.start_date, end=current.plan.end_date, plan=plan)
        accept_plan_version(session, version=new, user=None)
        session.commit()
    print("accepted", flush=True)
"""


def _sqlite(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    yield f"sqlite:///{tmp_path / 'kill.db'}", {}


def _postgres() -> Iterator[tuple[str, dict[str, str]]]:
    with postgres_schema("kill") as (url, schema):
        yield url.render_as_string(hide_password=False), {"options": f"-csearch_path={schema}"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    yield from (_sqlite(tmp_path) if request.param == "sqlite" else _postgres())


def _seed(engine: Engine) -> None:
    upgrade_head(engine)
    with Session(engine) as session:
        make = Make(session)
        team = make.team("Centrum", external_id="TK")
        carers = [make.carer(team, external_id=f"TK-c{i}") for i in range(10)]
        citizens = [make.citizen(team, external_id=f"TK-p{i}") for i in range(30)]
        visits = [make.visit(citizens[i % 30], external_id=f"TK-v{i}", date=DAY + dt.timedelta(days=i % 7))
                  for i in range(VISITS)]
        plan = st.Plan(assignments=[st.Assignment(visit=v.external_id, carers=(carers[i % 10].external_id,),
                                                  start=v.earliest) for i, v in enumerate(visits)],
                       unplaced=[])
        first = store_plan_version(session, team_ids=[team.id], start=DAY, end=DAY + dt.timedelta(days=6),
                                   plan=plan)
        accept_plan_version(session, version=first, user=None)
        session.commit()


def _in_force(engine: Engine) -> list[tuple[int, int]]:
    """(version id, its assignments) of every version in force."""
    with Session(engine) as session:
        accepted = session.scalars(select(PlanVersion.id).where(PlanVersion.status == PLAN_ACCEPTED)).all()
        return [(v, session.scalar(select(func.count()).select_from(Assignment)
                                   .where(Assignment.plan_version_id == v)) or 0) for v in accepted]


def test_a_kill_during_accept_leaves_the_old_plan_or_the_new_never_a_mix(
        database: tuple[str, dict[str, str]]) -> None:
    url, connect_args = database
    engine = create_engine(url, connect_args=connect_args)
    _seed(engine)
    rng = random.Random(7)
    versions_seen = set()
    for _ in range(KILLS):
        worker = subprocess.Popen([sys.executable, "-c", WORKER, url, repr(connect_args)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "accepted"
            time.sleep(rng.uniform(0.0, 0.4))  # somewhere inside a later accept
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        in_force = _in_force(engine)
        assert len(in_force) == 1, f"{len(in_force)} versions in force after a kill"
        assert in_force[0][1] == VISITS, "the version in force lacks assignments"
        versions_seen.add(in_force[0][0])
    assert len(versions_seen) > 1  # the kills did land between accepts that had committed
    engine.dispose()
