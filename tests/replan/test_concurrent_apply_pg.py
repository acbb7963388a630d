"""Two coordinators apply re-plans against the same plan version at the same moment, on PostgreSQL with
two real sessions: one wins, the other gets 409 (Conflict), and nothing is lost."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.services import adjustments as svc
from app.services.errors import Conflict
from models import core as m
from models.adjustments import PREVIEW_READY, ReplanPreview
from tests.concurrency import start_second_request
from tests.replan.db_helpers import planned_team

pytestmark = pytest.mark.postgres


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
        previews = [svc.create_preview(s, plan=planned.plan, user=u, from_day=i, to_day=i, time_limit=0.5)
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


@pytest.mark.parametrize("backend", ["postgres"])
def test_two_coordinators_apply_at_once_the_second_waits_then_gets_409_and_nothing_is_lost(
        backend: str, db_engine: Engine, committed: dict[str, Any]) -> None:
    def coordinator_b(s: Session) -> None:
        svc.apply_preview(s, plan=s.get_one(m.Plan, committed["plan"]),
                          preview=s.get_one(ReplanPreview, committed["previews"][1]),
                          user=s.get_one(m.User, committed["users"][1]), base_version_id=committed["version"])

    b = start_second_request(db_engine, coordinator_b)
    with Session(db_engine) as s:  # coordinator A holds the head row while B tries
        plan = s.get_one(m.Plan, committed["plan"])
        version = svc.apply_preview(s, plan=plan, preview=s.get_one(ReplanPreview, committed["previews"][0]),
                                    user=s.get_one(m.User, committed["users"][0]),
                                    base_version_id=committed["version"])
        b.first_holds_its_locks.set()
        time.sleep(1.0)  # B is blocked on SELECT ... FOR UPDATE meanwhile
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
        head_a = svc.plan_head(a, plan=plan_a)
        head_b = svc.plan_head(b, plan=plan_b)
        assert head_a.revision == head_b.revision
        svc._bump(a, head_a, a.get_one(m.User, committed["users"][0]))
        a.commit()
        with pytest.raises(Conflict):
            svc._bump(b, head_b, b.get_one(m.User, committed["users"][1]))
        b.rollback()
