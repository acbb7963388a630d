"""Two coordinators apply re-plans against the same plan version at the same moment, with two real sessions
as two requests would have: one wins, the other waits for it, gets 409 (Conflict), and nothing is lost.
(PostgreSQL: the plan's head row is locked; SQLite: a writing request holds the write lock from BEGIN.)"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.db import for_writing
from app.services import plan_head, replans
from app.services.errors import Conflict
from models import core as m
from models.adjustments import PREVIEW_READY, ReplanPreview
from tests.concurrency import start_second_request
from tests.replan.db_helpers import planned_team


@pytest.fixture
def committed(db_engine: Engine) -> Iterator[dict[str, Any]]:
    """A planned team, two coordinators and two previews on the same version, committed for real."""
    tag = uuid.uuid4().hex[:6]
    with Session(db_engine, expire_on_commit=False) as s:
        team = m.Team(external_id=f"TC-{tag}", name=f"concurrency {tag}", lat=62.39, lon=17.30)
        s.add(team)
        s.flush()
        users = [m.User(username=f"coord{i}-{tag}", password_hash="-", role=m.ROLE_COORDINATOR, teams=[team])
                 for i in (1, 2)]
        s.add_all(users)
        s.flush()
        planned = planned_team(s, users[0], team=team, days=2, time_limit=0.5)
        previews = [replans.create_preview(s, plan=planned.plan, user=u, from_day=i, to_day=i, time_limit=0.5)
                    for i, u in enumerate(users)]
        s.commit()
        ids: dict[str, Any] = {"team": team.id, "users": [u.id for u in users], "plan": planned.plan.id,
               "version": planned.version.id, "previews": [p.id for p in previews]}
    yield ids
    with Session(db_engine) as s:  # the schema is dropped at the end; this keeps row counts honest
        s.execute(delete(m.Plan).where(m.Plan.id == ids["plan"]))
        citizens = select(m.Citizen.id).where(m.Citizen.team_id == ids["team"])
        s.execute(delete(m.Visit).where(m.Visit.citizen_id.in_(citizens)))
        s.execute(delete(m.Citizen).where(m.Citizen.team_id == ids["team"]))
        s.execute(delete(m.Carer).where(m.Carer.team_id == ids["team"]))
        s.execute(delete(m.User).where(m.User.id.in_(ids["users"])))
        s.execute(delete(m.Team).where(m.Team.id == ids["team"]))
        s.commit()


def test_two_coordinators_apply_at_once_the_second_waits_then_gets_409_and_nothing_is_lost(
        db_engine: Engine, committed: dict[str, Any]) -> None:
    requests = for_writing(db_engine)  # as `app.db.get_session` gives a POST
    def coordinator_b(s: Session) -> None:
        replans.apply_preview(s, plan=s.get_one(m.Plan, committed["plan"]),
                          preview=s.get_one(ReplanPreview, committed["previews"][1]),
                          user=s.get_one(m.User, committed["users"][1]), base_version_id=committed["version"])

    b = start_second_request(requests, coordinator_b)
    with Session(requests) as s:  # coordinator A holds the head row (the write lock) while B tries
        plan = s.get_one(m.Plan, committed["plan"])
        preview = s.get_one(ReplanPreview, committed["previews"][0])
        version = replans.apply_preview(s, plan=plan, preview=preview,
                                        user=s.get_one(m.User, committed["users"][0]),
                                        base_version_id=committed["version"])
        b.first_holds_its_locks.set()
        time.sleep(1.0)  # B waits meanwhile
        s.commit()
        a_version = version.id
    b.join()

    assert b.outcome.startswith("409"), b
    assert b.waited >= 0.8  # it waited for A's transaction, then saw the plan had moved on
    with Session(db_engine) as s:
        versions = s.scalars(select(m.PlanVersion).where(m.PlanVersion.plan_id == committed["plan"])
                             .order_by(m.PlanVersion.number)).all()
        assert [(v.id, v.status) for v in versions][-1] == (a_version, m.PLAN_ACCEPTED)
        assert [v.status for v in versions] == [m.PLAN_SUPERSEDED, m.PLAN_ACCEPTED]
        assert len(versions[-1].assignments) > 0
        # B's preview is not lost: still there, still undecided, to be re-run against the new version
        assert s.get_one(ReplanPreview, committed["previews"][1]).status == PREVIEW_READY


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_stale_head_read_cannot_overwrite_a_newer_one(backend: str, db_engine: Engine,
                                                        committed: dict[str, Any]) -> None:
    """Without the lock, the conditional UPDATE (version counter) still refuses the second writer."""
    with Session(db_engine) as a, Session(db_engine) as b:
        plan_a, plan_b = a.get_one(m.Plan, committed["plan"]), b.get_one(m.Plan, committed["plan"])
        head_a = plan_head.plan_head(a, plan=plan_a)
        head_b = plan_head.plan_head(b, plan=plan_b)
        assert head_a.revision == head_b.revision
        plan_head.bump(a, head_a, a.get_one(m.User, committed["users"][0]))
        a.commit()
        with pytest.raises(Conflict):
            plan_head.bump(b, head_b, b.get_one(m.User, committed["users"][1]))
        b.rollback()


def test_a_replan_does_not_hold_up_a_solve_jobs_progress_while_it_solves(
        db_engine: Engine, committed: dict[str, Any]) -> None:
    """On SQLite a writing request holds the write lock; the re-plan's solve must not keep it that long."""
    requests = for_writing(db_engine)
    replan = start_second_request(requests, lambda s: replans.create_preview(
        s, plan=s.get_one(m.Plan, committed["plan"]), user=s.get_one(m.User, committed["users"][0]),
        from_day=0, to_day=0, time_limit=3.0))
    replan_started = time.monotonic()
    replan.first_holds_its_locks.set()
    time.sleep(1.0)  # the re-plan is solving now
    t0 = time.monotonic()
    with Session(requests) as job:  # a job's progress write, as app.jobs.db's sessions make it
        job.get_one(m.Team, committed["team"]).name += " (progress)"
        job.commit()
    job_wrote = time.monotonic()
    job_waited = job_wrote - t0
    replan.join()

    assert replan.outcome == "done", replan
    assert replan_started + replan.waited > job_wrote  # it was still solving when the job wrote
    assert job_waited < 0.5, f"the job's write waited {job_waited:.1f} s for the re-plan"
