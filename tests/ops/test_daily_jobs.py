"""The daily jobs the units in docs/deploy start (`homecare anonymise-ended`, `homecare prune-access-log`)
do their work on the service's database, past the retention settings only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core import Carer, Citizen, Team
from tests.ops.conftest import CLI, Setting, sqlite_engine


def test_anonymise_ended_takes_those_past_the_retention_and_leaves_the_rest(cli: CLI, db_path: Path,
                                                                           setting: Setting) -> None:
    assert cli("migrate").exit_code == 0
    today = dt.date.today()
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            team = Team(external_id="T1", name="Centrum", lat=62.39, lon=17.30)
            session.add(team)
            session.flush()
            session.add_all([
                Citizen(external_id="P1", team_id=team.id, name="Märta Ek", address="Byvägen 1", lat=62.4,
                        lon=17.3, ended_from=today - dt.timedelta(days=40), end_reason="deceased"),
                Citizen(external_id="P2", team_id=team.id, name="Olle Ek", lat=62.4, lon=17.3,
                        ended_from=today - dt.timedelta(days=10), end_reason="moved"),
                Carer(external_id="C1", team_id=team.id, name="Sara Nilsson", skills=[],
                      active_to=today - dt.timedelta(days=31)),
                Carer(external_id="C2", team_id=team.id, name="Lina Berg", skills=[])])
            session.commit()
    finally:
        engine.dispose()
    setting(retention_after_end_days="30")

    done = cli("anonymise-ended")

    assert done.exit_code == 0 and "anonymised 1 citizens and 1 carers" in done.output
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            names = set(session.scalars(select(Citizen.name))) | set(session.scalars(select(Carer.name)))
    finally:
        engine.dispose()
    assert {"Olle Ek", "Lina Berg"} <= names and not {"Märta Ek", "Sara Nilsson"} & names
    assert "anonymised 0 citizens and 0 carers" in cli("anonymise-ended").output  # once is enough
