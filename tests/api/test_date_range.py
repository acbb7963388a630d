"""A date outside the days the product plans (2000-2099) is a typing slip: every door refuses it with
a 4xx naming the field, instead of overflowing the calendar or filling a roster back to year 1."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from app.security import SESSION_COOKIE, create_access_token
from exchange import INSTANCE_FORMAT
from models import core as m

DAY = dt.date(2026, 12, 1)
FAR = ("9999-12-31", "0001-01-01", "1900-01-01")


def _need(citizen_id: int, valid_from: str) -> dict[str, object]:
    return {"citizen_id": citizen_id, "kind": "morning", "weekdays": [0, 1, 2, 3, 4], "earliest": 420,
            "latest": 540, "duration": 45, "carers": 1, "valid_from": valid_from}


def _named(r, field: str) -> bool:  # type: ignore[no-untyped-def]
    return any(field in [str(p) for p in e.get("loc", e.get("path", "").split("."))]
               or field in str(e.get("path", "")) for e in r.json()["detail"])


@pytest.mark.parametrize("day", FAR)
def test_a_need_starting_in_year_9999_or_year_1_is_refused_and_makes_no_visits(
        client: TestClient, headers, make, team_a: m.Team, db_session, day: str) -> None:
    citizen = make.citizen(team_a)
    r = client.post("/api/needs", json=_need(citizen.id, day), headers=headers["coordinator"])
    assert r.status_code == 422, r.text
    assert _named(r, "valid_from"), r.json()
    assert "between 2000-01-01 and 2099-12-31" in r.text
    assert db_session.query(m.Need).filter_by(citizen_id=citizen.id).count() == 0
    assert db_session.query(m.Visit).filter_by(citizen_id=citizen.id).count() == 0


@pytest.mark.parametrize("day", FAR)
def test_a_roster_from_a_far_date_is_refused_and_adds_no_shifts(
        client: TestClient, headers, make, team_a: m.Team, db_session, day: str) -> None:
    carer = make.carer(team_a)
    before = db_session.query(m.Shift).filter_by(carer_id=carer.id).count()
    r = client.put(f"/api/carers/{carer.id}/roster", headers=headers["coordinator"],
                   json={"from_date": day, "weeks": [[{"weekday": 0, "start": 420, "end": 900}]]})
    assert r.status_code == 422, r.text
    assert _named(r, "from_date"), r.json()
    assert db_session.query(m.Shift).filter_by(carer_id=carer.id).count() == before


def test_a_plan_for_year_9999_is_refused(client: TestClient, headers, team_a: m.Team, db_session) -> None:
    plans = db_session.query(m.Plan).count()
    r = client.post("/api/plans", headers=headers["coordinator"],
                    json={"team_ids": [team_a.id], "start_date": "9999-12-30", "end_date": "9999-12-31"})
    assert r.status_code == 422, r.text
    assert _named(r, "start_date"), r.json()
    assert db_session.query(m.Plan).count() == plans


def test_a_query_for_where_a_citizen_fits_in_year_9999_is_refused(
        client: TestClient, headers, make, team_a: m.Team) -> None:
    citizen = make.citizen(team_a)
    r = client.get(f"/api/citizens/{citizen.id}/fit", params={"start": "9999-12-31"},
                   headers=headers["coordinator"])
    assert r.status_code == 422, r.text
    assert _named(r, "start"), r.json()


def test_an_instance_file_starting_in_year_9999_is_refused_before_anything_is_stored(
        client: TestClient, headers, team_a: m.Team, db_session) -> None:
    doc = {"format": INSTANCE_FORMAT, "name": "far", "start_date": "9999-12-31", "days": 5,
           "max_carers_per_month": 12, "teams": [], "carers": [], "citizens": [], "visits": []}
    r = client.post("/api/import/instance", json=doc, headers=headers["admin"])
    assert r.status_code == 422, r.text
    assert "start_date" in r.text and "between 2000-01-01 and 2099-12-31" in r.text


@pytest.mark.parametrize("path", ["/teams/{team}/rota?date={day}", "/teams/{team}/letters?week={day}"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "9999-W52"])
def test_a_page_asked_for_a_far_date_answers_422_not_a_crash(
        client: TestClient, users, team_a: m.Team, path: str, day: str) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    r = client.get(path.format(team=team_a.id, day=day))
    assert r.status_code == 422, r.text
    assert "2000-01-01" in r.text
