"""A coordinator opens an unplaced visit from the rota, sees who could take it (a carer the citizen already
knows first), and gives it to her in one click; the move is checked like every hand move."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from solver import types as st
from tests.conftest import Make

DAY = dt.date(2026, 12, 8)


def _astrids_lunch_unplaced(make: Make, team: m.Team, session: Session) -> tuple[m.Visit, m.Carer, m.Carer]:
    """Fatima comes to Astrid in the morning; Johan has never been there; the lunch is unplaced."""
    fatima = make.carer(team, external_id="TA-c1", name="Fatima Ali")
    johan = make.carer(team, external_id="TA-c2", name="Johan Berg")
    for c in (fatima, johan):
        make.shift(c, DAY)
    astrid = make.citizen(team, name="Astrid Lundgren")
    morning = make.visit(astrid, kind="morning", date=DAY, earliest=480, latest=540, duration=45)
    lunch = make.visit(astrid, kind="lunch", date=DAY, earliest=690, latest=750, duration=30)
    plan = st.Plan(assignments=[st.Assignment(morning.external_id, (fatima.external_id,), 480)],
                   unplaced=[st.Unplaced(lunch.external_id, "no carer free 11:30-12:30")])
    version = store_plan_version(session, team_ids=[team.id], start=DAY, end=DAY, plan=plan)
    accept_plan_version(session, version=version, user=None)
    session.flush()
    return lunch, fatima, johan


def test_an_unplaced_visit_goes_to_a_carer_the_citizen_knows_in_two_clicks(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    lunch, fatima, johan = _astrids_lunch_unplaced(make, team_a, db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    rota = client.get(f"/teams/{team_a.id}/rota", params={"date": DAY.isoformat()})
    assert f'href="/visits/{lunch.id}/candidates"' in rota.text  # first click

    page = client.get(f"/visits/{lunch.id}/candidates")
    assert page.status_code == 200
    text = page.text
    assert "Vem kan ta besöket?" in text and "oplacerad" in text
    assert text.index("Fatima Ali") < text.index("Johan Berg")  # no new face first
    assert "Varför inte de andra" not in text  # both can come: nobody to explain

    taken = client.post(f"/visits/{lunch.id}/candidates/take", follow_redirects=False,  # second click
                        data={"plan_id": str(_plan_id(db_session, lunch)), "carers": fatima.external_id,
                              "start": "690"})
    assert taken.status_code == 303 and "/assignments/" in taken.headers["location"]
    db_session.expire_all()
    version = _version(db_session, lunch)
    given = next(a for a in version.assignments if a.visit_id == lunch.id)
    assert [c.name for c in given.carers] == ["Fatima Ali"] and given.start == 690 and given.pinned
    assert not [u for u in version.unplaced if u.visit_id == lunch.id]


def test_a_suggestion_that_no_longer_holds_is_refused_and_nothing_changes(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    """Johan's shift was cut to the morning after the page was drawn: choosing him is refused, named."""
    lunch, _fatima, johan = _astrids_lunch_unplaced(make, team_a, db_session)
    for s in johan.shifts:
        s.end = 600
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    r = client.post(f"/visits/{lunch.id}/candidates/take",
                    data={"plan_id": str(_plan_id(db_session, lunch)), "carers": johan.external_id,
                          "start": "690"})
    assert r.status_code == 422 and 'id="take-refused"' in r.text
    db_session.expire_all()
    assert not [a for a in _version(db_session, lunch).assignments if a.visit_id == lunch.id]


def test_an_auditor_and_another_team_cannot_open_the_suggestions(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    lunch, _f, _j = _astrids_lunch_unplaced(make, team_a, db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["auditor"]))
    assert client.get(f"/visits/{lunch.id}/candidates").status_code == 403
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member_b"]))
    assert client.get(f"/visits/{lunch.id}/candidates").status_code == 404


def _version(session: Session, visit: m.Visit) -> m.PlanVersion:
    from app.repositories.adjustments import accepted_version

    version = accepted_version(session, _plan_id(session, visit))
    assert version is not None
    return version


def _plan_id(session: Session, visit: m.Visit) -> int:
    from app.repositories.adjustments import plans_in_force_covering

    return plans_in_force_covering(session, team_id=visit.citizen.team_id, date=visit.date)[0].id


def test_a_carer_off_at_lunch_is_named_with_what_stopped_her(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    lunch, fatima, _johan = _astrids_lunch_unplaced(make, team_a, db_session)
    for s in fatima.shifts:
        s.end = 600
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    text = client.get(f"/visits/{lunch.id}/candidates").text
    missed = text[text.index('id="not-offered"'):]
    assert "Fatima Ali" in missed and "arbetar inte den tiden" in missed and "träffad denna månad" in missed


def test_a_new_citizen_fits_with_a_carer_already_working_nearby_and_an_evening_need_says_why_not(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    """Greta starts tomorrow with a morning and a late evening visit; the team works days only."""
    _lunch, _fatima, _johan = _astrids_lunch_unplaced(make, team_a, db_session)
    greta = make.citizen(team_a, name="Greta Berg")
    make.visit(greta, kind="morning", date=DAY, earliest=600, latest=660, duration=30)
    make.visit(greta, kind="evening", date=DAY, earliest=1200, latest=1260, duration=30)
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    text = client.get(f"/citizens/{greta.id}/fit", params={"start": DAY.isoformat(), "weeks": 1}).text
    assert "Passar inte: 1 av 2 besök har ingen ledig medarbetare." in text
    missing = text[text.index('id="fit-missing"'):]
    assert "Kväll" in missing or "kväll" in missing.lower()
    assert "arbetar inte den tiden" in missing
    api = client.get(f"/api/citizens/{greta.id}/fit", params={"start": DAY.isoformat(), "weeks": 1},
                     headers={"Authorization": f"Bearer {create_access_token(users['coordinator'])}"})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["visits"] == 2 and body["placed"] == 1 and not body["fits"]
    assert len(body["core_team"]) == 1
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    assert client.get(f"/citizens/{greta.id}/fit").status_code == 403


def test_a_relative_asks_for_an_extra_visit_and_the_coordinator_sees_who_could_come_before_saving(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    lunch, _fatima, _johan = _astrids_lunch_unplaced(make, team_a, db_session)
    visits_before = len(db_session.scalars(select(m.Visit)).all())
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    page = client.post(f"/teams/{team_a.id}/adjust/extra/candidates", data={
        "plan_id": str(_plan_id(db_session, lunch)), "citizen": str(lunch.citizen_id),
        "date": DAY.isoformat(), "earliest": "14:00", "latest": "15:00", "duration": "30",
        "carers_needed": "1", "need": "extra"})
    assert page.status_code == 200, page.text[:500]
    text = page.text
    assert "Vem kan komma?" in text and "Inget är sparat än" in text
    assert text.index("Fatima Ali") < text.index("Johan Berg")  # she already comes in the morning
    db_session.expire_all()
    assert len(db_session.scalars(select(m.Visit)).all()) == visits_before
