"""Upgrading a database of the previous version to the team settings keeps the team's records: the
change records (rebuilt on SQLite to accept the team's own changes) and the re-plan needs that point at
them are all still there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.migrate import migrate
from models import core as m
from models.team_data import ChangeRecord, ReplanNeed
from tests.conftest import Make
from tests.ops.conftest import migrate_to, revision_of, sqlite_engine


def test_upgrading_keeps_every_change_record_and_the_replan_needs_pointing_at_them(db_path: Path) -> None:
    migrate_to(db_path, "0011_rules")
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as s:
            make = Make(s)
            team = make.team("Centrum")
            visit = make.visit(make.citizen(team))
            plan = m.Plan(external_id="p", name="p", start_date=dt.date(2026, 12, 1),
                          end_date=dt.date(2026, 12, 28), teams=[team])
            change = ChangeRecord(entity="citizen", entity_id=visit.citizen_id, action="changed",
                                  team_id=team.id, citizen_id=visit.citizen_id, before={"name": "a"},
                                  after={"name": "b"})
            s.add_all([plan, change])
            s.flush()
            s.add(ReplanNeed(plan_id=plan.id, visit_id=visit.id, change_id=change.id, reason="moved"))
            s.commit()
            team_id = team.id

        migrate(engine)

        assert revision_of(db_path) == ("0012_team_settings",)
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(ChangeRecord)) == 1
            assert s.scalar(select(func.count()).select_from(ReplanNeed)) == 1
            s.add(ChangeRecord(entity="team", entity_id=team_id, action="changed", team_id=team_id,
                               before={"continuity": "fewest"}, after={"continuity": "travel"}))
            s.commit()  # the team's own changes are now accepted
    finally:
        engine.dispose()
