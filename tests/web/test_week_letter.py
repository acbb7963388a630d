"""The citizen's week letter says who comes, when and for what, contact carer first, and shows that
citizen's visits only; a team prints every citizen's letter at once; opening one is a logged read."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from models.security import AccessLogEntry
from solver import types as st
from tests.conftest import Make

MONDAY = dt.date(2026, 12, 7)


def _planned(make: Make, team: m.Team, session: Session) -> tuple[m.Citizen, m.Citizen]:
    fatima = make.carer(team, external_id="TA-c1", name="Fatima Ali")
    johan = make.carer(team, external_id="TA-c2", name="Johan Berg")
    astrid = make.citizen(team, name="Astrid Lundgren", contact_carer_id=fatima.id)
    karl = make.citizen(team, name="Karl Nordin")
    plan = []
    for who, carer, kind in ((astrid, fatima, "morning"), (astrid, johan, "evening"), (karl, johan, "lunch")):
        visit = make.visit(who, kind=kind, date=MONDAY + dt.timedelta(days=1), earliest=480, latest=600)
        plan.append(st.Assignment(visit=visit.external_id, carers=(carer.external_id,), start=480))
    version = store_plan_version(session, team_ids=[team.id], start=MONDAY, end=MONDAY + dt.timedelta(days=6),
                                 plan=st.Plan(assignments=plan, unplaced=[]))
    accept_plan_version(session, version=version, user=None)
    session.flush()
    return astrid, karl


def test_a_citizens_week_letter_names_the_contact_first_and_shows_only_her_visits(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    astrid, _karl = _planned(make, team_a, db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    client.cookies.set("lang", "sv")
    letter = client.get(f"/citizens/{astrid.id}/letter", params={"week": "2026-12-09"})
    assert letter.status_code == 200
    text = letter.text
    assert "Dina besök vecka 50" in text and "Din kontaktperson är Fatima Ali." in text
    assert text.index("Fatima Ali") < text.index("Johan Berg")
    assert "08:00" in text and "Karl Nordin" not in text
    logged = db_session.scalars(select(AccessLogEntry.citizen_id).where(AccessLogEntry.what == "week letter"))
    assert list(logged) == [astrid.id]


def test_a_team_prints_every_citizens_letter_at_once_and_another_team_cannot(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team, team_b: m.Team,
        db_session: Session) -> None:
    _planned(make, team_a, db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    letters = client.get(f"/teams/{team_a.id}/letters", params={"week": MONDAY.isoformat()})
    assert letters.status_code == 200
    assert letters.text.count('class="korlista-page letter"') == 2
    assert client.get(f"/teams/{team_b.id}/letters").status_code == 404
    client.cookies.set(SESSION_COOKIE, create_access_token(users["auditor"]))
    assert client.get(f"/teams/{team_a.id}/letters").status_code == 403
