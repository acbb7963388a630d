"""A coordinator keeps the team's data: create, read, change, delete, with paging and filters;
bad input answers 4xx saying what and where, never 500, and nothing is half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from app.db import SessionDep, get_session
from app.main import create_app
from models.core import Team

DAY = dt.date(2026, 12, 1)


def test_a_coordinator_builds_a_team_roster_and_pages_through_it(client, headers, team_a):
    h = headers["coordinator"]
    ids = []
    for i in range(5):
        r = client.post(
            "/api/carers",
            json={"team_id": team_a.id, "name": f"Carer {i}", "skills": ["medication"] if i % 2 else []},
            headers=h,
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    page = client.get("/api/carers", params={"limit": 2, "offset": 2}, headers=h).json()
    assert page["total"] == 5 and [c["id"] for c in page["items"]] == ids[2:4]
    skilled = client.get("/api/carers", params={"skill": "medication"}, headers=h).json()
    assert skilled["total"] == 2
    changed = client.patch(f"/api/carers/{ids[0]}", json={"contracted_minutes_per_week": 2400}, headers=h)
    assert changed.json()["contracted_minutes_per_week"] == 2400
    assert client.delete(f"/api/carers/{ids[0]}", headers=h).status_code == 204
    assert client.get(f"/api/carers/{ids[0]}", headers=h).status_code == 404


def test_split_shifts_are_two_shifts_on_one_day_and_filter_by_date(client, headers, make, team_a):
    h = headers["coordinator"]
    carer = make.carer(team_a)
    for start, end in ((420, 660), (960, 1260)):
        r = client.post(
            f"/api/carers/{carer.id}/shifts", json={"date": str(DAY), "start": start, "end": end}, headers=h
        )
        assert r.status_code == 201, r.text
    client.post(
        f"/api/carers/{carer.id}/shifts", json={"date": "2026-12-05", "start": 420, "end": 900}, headers=h
    )
    day = client.get(
        "/api/shifts", params={"carer_id": carer.id, "start": str(DAY), "end": str(DAY)}, headers=h
    ).json()
    assert [(s["start"], s["end"]) for s in day["items"]] == [(420, 660), (960, 1260)]
    overlapping = client.post(
        f"/api/carers/{carer.id}/shifts", json={"date": str(DAY), "start": 600, "end": 700}, headers=h
    )
    assert overlapping.status_code == 422


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"date": "2026-12-01", "start": 900, "end": 420}, []),  # ends before it starts
        ({"date": "2026-12-01", "start": 420, "end": 1500}, ["end"]),  # past midnight
        ({"date": "not a date", "start": 420, "end": 900}, ["date"]),
        ({"date": "2026-12-01", "start": "seven", "end": 900}, ["start"]),
    ],
)
def test_a_shift_that_makes_no_sense_is_refused_with_the_field(client, headers, make, team_a, body, where):
    carer = make.carer(team_a)
    r = client.post(f"/api/carers/{carer.id}/shifts", json=body, headers=headers["coordinator"])
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["detail"]]
    assert any(loc[:1] == ["body"] and loc[1 : 1 + len(where)] == where for loc in locs), locs


def test_a_patch_cannot_make_a_shift_end_before_it_starts(client, headers, make, team_a):
    carer = make.carer(team_a)
    shift = make.shift(carer, DAY, 420, 900)
    r = client.patch(f"/api/shifts/{shift.id}", json={"end": 400}, headers=headers["coordinator"])
    assert r.status_code == 422
    assert client.get(f"/api/shifts/{shift.id}", headers=headers["coordinator"]).json()["end"] == 900


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"carers": 3}, "carers"),
        ({"earliest": 1400, "latest": 1430, "duration": 60}, None),  # cannot end within the day
        ({"latest": 2000}, "latest"),  # window longer than the day
        ({"weekdays": [7]}, "weekdays"),
        ({"citizen_id": 999999}, "citizen_id"),
    ],
)
def test_a_need_that_cannot_be_is_refused(client, headers, make, team_a, change, field):
    citizen = make.citizen(team_a)
    body = {
        "citizen_id": citizen.id,
        "kind": "morning",
        "weekdays": [0, 1, 2, 3, 4],
        "earliest": 420,
        "latest": 540,
        "duration": 45,
        "carers": 1,
        "valid_from": str(DAY),
        **change,
    }
    r = client.post("/api/needs", json=body, headers=headers["coordinator"])
    assert r.status_code == 422, r.text
    if field:
        assert any(field in [str(p) for p in e["loc"]] for e in r.json()["detail"]), r.json()


def test_a_duplicate_external_id_is_a_conflict_not_a_crash(client, headers, team_a):
    h = headers["coordinator"]
    body = {"team_id": team_a.id, "name": "Anna", "external_id": "TA-c01"}
    assert client.post("/api/carers", json=body, headers=h).status_code == 201
    again = client.post("/api/carers", json=body, headers=h)
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["external_id"]
    assert again.json()["detail"][0]["type"] == "conflict"
    assert client.get("/api/carers", headers=h).json()["total"] == 1


def test_an_external_id_another_team_holds_is_refused_in_plain_words_that_do_not_say_whose_it_is(
        client, headers, make, team_a, team_b):
    make.citizen(team_b, name="Sven", external_id="TB-p07")
    taken = client.post("/api/citizens", headers=headers["coordinator"], json={
        "team_id": team_a.id, "name": "Greta", "lat": 62.39, "lon": 17.31, "external_id": "TB-p07"})
    assert taken.status_code == 409
    [error] = taken.json()["detail"]
    assert error["loc"] == ["external_id"] and "external_id is in use already" in error["msg"]
    for database_words in ("UNIQUE", "constraint", "citizens.", "Key (", "TB-p07", "Team B", str(team_b.id)):
        assert database_words not in taken.text


@pytest.mark.parametrize("path", ["/api/citizens", "/api/carers"])
@pytest.mark.parametrize("name", ["   ", "\t \u00a0", "\u200b"])
def test_a_name_of_only_spaces_is_refused_naming_the_field(client, headers, team_a, path, name):
    body = {"team_id": team_a.id, "name": name, "lat": 62.39, "lon": 17.31}
    if path == "/api/carers":
        body = {"team_id": team_a.id, "name": name}
    r = client.post(path, json=body, headers=headers["coordinator"])
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["detail"]] == [["body", "name"]]
    assert client.get(path, headers=headers["coordinator"]).json()["total"] == 0


def test_a_name_is_kept_without_the_spaces_around_it_and_cannot_be_blanked_later(client, headers, team_a):
    h = headers["coordinator"]
    made = client.post("/api/carers", json={"team_id": team_a.id, "name": "  Anna Berg "}, headers=h)
    assert made.status_code == 201 and made.json()["name"] == "Anna Berg"
    blanked = client.patch(f"/api/carers/{made.json()['id']}", json={"name": "  "}, headers=h)
    assert blanked.status_code == 422 and blanked.json()["detail"][0]["loc"] == ["body", "name"]
    assert client.get(f"/api/carers/{made.json()['id']}", headers=h).json()["name"] == "Anna Berg"


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Greta\u0000"), ("name", "Greta\nSvensson"), ("address", "Storgatan\u001b1"),
    ("external_id", "TA-\u0007p1"), ("notes", "ring\u0000"), ("how_notes", "\u0085knock")])
def test_control_characters_in_a_citizens_texts_are_refused_naming_the_field(client, headers, team_a, field,
                                                                             value):
    body = {"team_id": team_a.id, "name": "Greta", "lat": 62.39, "lon": 17.31, field: value}
    r = client.post("/api/citizens", json=body, headers=headers["coordinator"])
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["detail"]] == [["body", field]]
    assert "control character" in r.json()["detail"][0]["msg"]
    assert client.get("/api/citizens", headers=headers["coordinator"]).json()["total"] == 0


def test_notes_may_run_over_several_lines_with_tabs(client, headers, team_a):
    body = {"team_id": team_a.id, "name": "Greta", "lat": 62.39, "lon": 17.31,
            "notes": "Key in the box.\r\nCall first:\t070-123 45 67", "how_notes": "Knock\nwait"}
    r = client.post("/api/citizens", json=body, headers=headers["coordinator"])
    assert r.status_code == 201, r.text
    assert r.json()["notes"] == body["notes"]


def test_deleting_a_team_that_still_has_carers_is_a_conflict(client, headers, make, team_a):
    make.carer(team_a)
    r = client.delete(f"/api/teams/{team_a.id}", headers=headers["admin"])
    assert r.status_code == 409
    assert client.get(f"/api/teams/{team_a.id}", headers=headers["admin"]).status_code == 200


def test_a_citizen_with_contact_and_avoid_lists_round_trips(client, headers, make, team_a):
    h = headers["coordinator"]
    c1, c2 = make.carer(team_a), make.carer(team_a)
    body = {
        "team_id": team_a.id,
        "name": "Greta",
        "address": "Köpmangatan 3",
        "lat": 62.39,
        "lon": 17.31,
        "contact_carer_id": c1.id,
        "avoid_carer_ids": [c2.id],
        "notes": "hard of hearing",
        "birth_year": 1937,
    }
    r = client.post("/api/citizens", json=body, headers=h)
    assert r.status_code == 201, r.text
    got = client.get(f"/api/citizens/{r.json()['id']}", headers=h).json()
    assert (
        got["avoid_carer_ids"] == [c2.id] and got["contact_carer_id"] == c1.id and got["birth_year"] == 1937
    )
    bad = client.patch(f"/api/citizens/{got['id']}", json={"avoid_carer_ids": [c1.id]}, headers=h)
    assert bad.status_code == 422
    unknown = client.patch(f"/api/citizens/{got['id']}", json={"avoid_carer_ids": [987654]}, headers=h)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["path"] == "avoid_carer_ids.0"


def test_visits_filter_by_citizen_and_date_range(client, headers, make, team_a):
    p1, p2 = make.citizen(team_a), make.citizen(team_a)
    for d in range(5):
        make.visit(p1, date=DAY + dt.timedelta(days=d))
        make.visit(p2, date=DAY + dt.timedelta(days=d))
    r = client.get(
        "/api/visits",
        params={"citizen_id": p1.id, "start": "2026-12-02", "end": "2026-12-03"},
        headers=headers["member"],
    ).json()
    assert r["total"] == 2 and {v["date"] for v in r["items"]} == {"2026-12-02", "2026-12-03"}


def test_a_coordinator_cancels_a_visit_and_plans_it_again_by_patch(client, headers, make, team_a):
    h = headers["coordinator"]
    visit = make.visit(make.citizen(team_a), earliest=420, latest=510)
    cancelled = client.patch(f"/api/visits/{visit.id}", json={"status": "cancelled"}, headers=h)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["earliest"] == 420
    listed = client.get("/api/visits", params={"status": "cancelled"}, headers=h).json()
    assert [v["id"] for v in listed["items"]] == [visit.id]
    # with other fields in the same patch the whole visit is still checked, and a refusal writes nothing
    again = client.patch(f"/api/visits/{visit.id}", json={"status": "planned", "latest": 540}, headers=h)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["latest"]) == ("planned", 540)
    crossed = client.patch(f"/api/visits/{visit.id}", json={"status": "cancelled", "latest": 400}, headers=h)
    assert crossed.status_code == 422 and "window ends (400)" in crossed.json()["detail"][0]["msg"]
    unknown = client.patch(f"/api/visits/{visit.id}", json={"status": "done"}, headers=h)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "status"]
    kept = client.get(f"/api/visits/{visit.id}", headers=h).json()
    assert (kept["status"], kept["latest"]) == ("planned", 540)


def test_wrong_types_in_the_query_are_422_not_500(client, headers):
    r = client.get("/api/visits", params={"start": "yesterday"}, headers=headers["member"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "start"]
    assert client.get("/api/carers", params={"limit": 0}, headers=headers["member"]).status_code == 422


def test_a_conflict_found_only_at_commit_answers_409_not_a_false_success(db_session, team_a):
    # The session dependency commits before the answer is sent, so work lost at commit is never a 200.
    app = create_app()

    @app.post("/test-only/late-conflict")
    def late_conflict(session: SessionDep) -> dict[str, str]:
        session.add(Team(external_id=team_a.external_id, name="again", lat=62.0, lon=17.0))  # no flush
        return {"status": "stored"}

    def _session():
        db_session.commit()
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise

    app.dependency_overrides[get_session] = _session
    with TestClient(app) as c:
        answer = c.post("/test-only/late-conflict")
    assert answer.status_code == 409
    assert answer.json()["detail"][0]["loc"] == ["external_id"]
