"""A coordinator asks for contact-carer proposals: the team's citizens are shown with today's contact and
the proposed one; saving the chosen ones changes those citizens only, recorded as citizen edits."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from models.team_data import ChangeRecord
from tests.conftest import Make


def _week(make: Make, team: m.Team) -> tuple[m.Citizen, m.Citizen, m.Carer, m.Carer]:
    """Fatima works mornings this week, Johan evenings. Astrid has mornings but Johan as her contact;
    Karl has evenings and Johan already."""
    today = dt.date.today()
    fatima = make.carer(team, name="Fatima Ali")
    johan = make.carer(team, name="Johan Berg")
    astrid = make.citizen(team, name="Astrid Lundgren", contact_carer_id=johan.id)
    karl = make.citizen(team, name="Karl Nordin", contact_carer_id=johan.id)
    for d in range(7):
        day = today + dt.timedelta(days=d)
        make.shift(fatima, day, 420, 720)
        make.shift(johan, day, 900, 1260)
        make.visit(astrid, kind="morning", date=day, earliest=480, latest=540, duration=30)
        make.visit(karl, kind="evening", date=day, earliest=1080, latest=1140, duration=30)
    return astrid, karl, fatima, johan


def test_the_proposal_gives_astrid_the_carer_who_works_her_mornings_and_saving_changes_her_only(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    astrid, karl, fatima, johan = _week(make, team_a)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    page = client.get(f"/teams/{team_a.id}/contacts")
    assert page.status_code == 200
    assert f'value="{astrid.id}:{fatima.id}"' in page.text  # proposed, ticked
    assert f'value="{karl.id}:' not in page.text  # Karl keeps Johan: nothing to choose
    assert "Föreslagen" in page.text

    saved = client.post(f"/teams/{team_a.id}/contacts/accept", data={"choice": f"{astrid.id}:{fatima.id}"},
                        follow_redirects=False)
    assert saved.status_code == 303
    db_session.expire_all()
    assert db_session.get(m.Citizen, astrid.id).contact_carer_id == fatima.id  # type: ignore[union-attr]
    assert db_session.get(m.Citizen, karl.id).contact_carer_id == johan.id  # type: ignore[union-attr]
    record = db_session.scalars(select(ChangeRecord).where(ChangeRecord.citizen_id == astrid.id)).one()
    assert record.before == {"contact_carer_id": johan.id} and record.after == {"contact_carer_id": fatima.id}


def test_the_api_gives_the_same_proposal_and_a_member_or_another_team_cannot(
        client: TestClient, users: dict[str, m.User], headers: dict[str, dict[str, str]], make: Make,
        team_a: m.Team, db_session: Session) -> None:
    astrid, _karl, fatima, _johan = _week(make, team_a)
    r = client.get(f"/api/teams/{team_a.id}/contact-proposals", headers=headers["coordinator"])
    assert r.status_code == 200, r.text
    body = r.json()
    mine = next(p for p in body["proposals"] if p["citizen_id"] == astrid.id)
    assert mine["proposed_carer_id"] == fatima.id and mine["reach_now"] == 0 and mine["reach_proposed"] == 7
    assert body["share_now"] == 0.5 and body["share_proposed"] == 1.0
    member = client.get(f"/api/teams/{team_a.id}/contact-proposals", headers=headers["member"])
    assert member.status_code == 403
    r = client.post(f"/api/teams/{team_a.id}/contact-proposals/accept", headers=headers["coordinator"],
                    json={"choices": [{"citizen_id": astrid.id, "carer_id": 999999}]})
    assert r.status_code == 422 and "choices[0].carer_id" in r.text
    db_session.expire_all()
    assert db_session.get(m.Citizen, astrid.id).contact_carer_id != fatima.id  # type: ignore[union-attr]
    records = db_session.scalars(select(m.Citizen.id).where(m.Citizen.contact_carer_id == fatima.id)).all()
    assert records == []


def test_a_citizen_chosen_twice_in_one_acceptance_is_refused_and_nothing_changes(
        client: TestClient, headers: dict[str, dict[str, str]], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    astrid, _karl, fatima, johan = _week(make, team_a)
    r = client.post(f"/api/teams/{team_a.id}/contact-proposals/accept", headers=headers["coordinator"],
                    json={"choices": [{"citizen_id": astrid.id, "carer_id": fatima.id},
                                      {"citizen_id": astrid.id, "carer_id": johan.id}]})
    assert r.status_code == 422 and "chosen more than once" in r.text
    db_session.expire_all()
    assert db_session.get(m.Citizen, astrid.id).contact_carer_id == johan.id  # type: ignore[union-attr]
