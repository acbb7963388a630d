"""A citizen's contact carer: always one of the citizen's own team who has not left; and a contact or an
avoided carer stored before the carer left, or of another team, never stops the team from planning."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.jobs import codec
from app.mapping import build_problem
from models import core as m
from solver import types as st
from tests.conftest import Make
from tests.team_data.conftest import MON, Week, day

Headers = dict[str, dict[str, str]]


def _where(r: Any) -> list[str]:  # the test client's response
    return [str(e["path"]) for e in r.json()["detail"]]


def _changes(client: TestClient, headers: Headers, citizen_id: int) -> list[dict[str, object]]:
    r = client.get(f"/api/citizens/{citizen_id}/changes", headers=headers["admin"])
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _leave_today(client: TestClient, headers: Headers, carer: m.Carer) -> None:
    r = client.post(f"/api/carers/{carer.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(dt.date.today()), "reason": "quit"})
    assert r.status_code == 200, r.text


def test_a_carer_of_another_team_cannot_become_a_citizens_contact_carer(
        client: TestClient, headers: Headers, week: Week, make: Make, team_b: m.Team) -> None:
    stranger = make.carer(team_b, name="Sara")
    new = client.post("/api/citizens", headers=headers["admin"], json={
        "team_id": week.team.id, "name": "Elsa", "lat": 62.39, "lon": 17.30, "contact_carer_id": stranger.id})
    assert new.status_code == 422 and _where(new) == ["contact_carer_id"], new.text
    assert "not a carer of the citizen's team" in new.text
    before = _changes(client, headers, week.citizen.id)
    edit = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                        json={"contact_carer_id": stranger.id})
    assert edit.status_code == 422 and _where(edit) == ["contact_carer_id"], edit.text
    assert _changes(client, headers, week.citizen.id) == before
    listed = client.get("/api/citizens", headers=headers["admin"], params={"team_id": week.team.id}).json()
    assert [c["name"] for c in listed["items"]] == ["Greta"]


def test_a_carer_who_has_left_cannot_become_a_contact_carer_by_hand_or_by_accepting_a_proposal(
        client: TestClient, headers: Headers, week: Week) -> None:
    _leave_today(client, headers, week.bo)
    edit = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                        json={"contact_carer_id": week.bo.id})
    assert edit.status_code == 422 and _where(edit) == ["contact_carer_id"], edit.text
    assert "has left" in edit.text
    new = client.post("/api/citizens", headers=headers["coordinator"], json={
        "team_id": week.team.id, "name": "Elsa", "lat": 62.39, "lon": 17.30, "contact_carer_id": week.bo.id})
    assert new.status_code == 422 and _where(new) == ["contact_carer_id"], new.text
    accepted = client.post(f"/api/teams/{week.team.id}/contact-proposals/accept",
                           headers=headers["coordinator"],
                           json={"choices": [{"citizen_id": week.citizen.id, "carer_id": week.bo.id}]})
    assert accepted.status_code == 422 and _where(accepted) == ["choices[0].carer_id"], accepted.text
    kept = client.get(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"]).json()
    assert kept["contact_carer_id"] is None
    # Anna still works here: she may be the contact.
    ok = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                      json={"contact_carer_id": week.anna.id})
    assert ok.status_code == 200 and ok.json()["contact_carer_id"] == week.anna.id, ok.text


def test_a_citizen_moving_to_another_team_leaves_the_old_teams_contact_carer_behind(
        client: TestClient, headers: Headers, week: Week, make: Make, team_b: m.Team) -> None:
    client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                 json={"contact_carer_id": week.anna.id})
    moved = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                         json={"team_id": team_b.id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["team_id"] == team_b.id and moved.json()["contact_carer_id"] is None
    change = _changes(client, headers, week.citizen.id)[0]
    assert change["before"] == {"team_id": week.team.id, "contact_carer_id": week.anna.id}
    assert change["after"] == {"team_id": team_b.id, "contact_carer_id": None}

    # Moving back naming a contact of the new team keeps that contact; one of the team left is refused.
    sara = make.carer(team_b, name="Sara")
    wrong = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                         json={"team_id": week.team.id, "contact_carer_id": sara.id})
    assert wrong.status_code == 422 and _where(wrong) == ["contact_carer_id"], wrong.text
    back = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                        json={"team_id": week.team.id, "contact_carer_id": week.bo.id})
    assert back.status_code == 200 and back.json()["contact_carer_id"] == week.bo.id, back.text


def _read_back(session: Session, *, team_ids: list[int], start: dt.date, end: dt.date) -> list[st.Problem]:
    """Each team's part of a plan job as its worker reads it back."""
    problem = build_problem(session, team_ids=team_ids, start=start, end=end)
    return [codec.payload_to_problem(json.loads(codec.dumps(codec.problem_to_payload(part))))
            for _team, part in codec.split_by_team(problem)]


def _parts_as_a_plan_job_reads_them(session: Session, *, team_ids: list[int], start: dt.date,
                                    end: dt.date) -> dict[str, dict[str, str | None]]:
    """Each team's part of a plan job as its worker reads it back: citizen -> contact."""
    return {part.teams[0].id: {p.id: p.contact for p in part.citizens}
            for part in _read_back(session, team_ids=team_ids, start=start, end=end)}


def test_a_contact_carer_who_has_left_does_not_stop_the_team_from_planning(
        client: TestClient, headers: Headers, week: Week, make: Make, db_session: Session) -> None:
    client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                 json={"contact_carer_id": week.anna.id})
    r = client.post(f"/api/carers/{week.anna.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(day(7)), "reason": "quit"})
    assert r.status_code == 200, r.text
    elsa = make.citizen(week.team, name="Elsa", contact_carer_id=week.bo.id)

    this_week = _parts_as_a_plan_job_reads_them(db_session, team_ids=[week.team.id], start=MON, end=day(6))
    assert this_week == {"TA": {"TA-greta": "TA-anna", elsa.external_id: "TA-bo"}}
    next_week = _parts_as_a_plan_job_reads_them(db_session, team_ids=[week.team.id], start=day(7),
                                                end=day(13))
    assert next_week == {"TA": {"TA-greta": None, elsa.external_id: "TA-bo"}}


def test_a_contact_carer_stored_from_another_team_does_not_stop_either_team_from_planning(
        week: Week, make: Make, team_b: m.Team, db_session: Session) -> None:
    sara = make.carer(team_b, name="Sara", external_id="TB-sara")
    week.citizen.contact_carer_id = sara.id
    olle = make.citizen(team_b, name="Olle", external_id="TB-olle", contact_carer_id=sara.id)
    db_session.flush()

    alone = _parts_as_a_plan_job_reads_them(db_session, team_ids=[week.team.id], start=MON, end=day(6))
    assert alone == {"TA": {"TA-greta": None}}
    together = _parts_as_a_plan_job_reads_them(db_session, team_ids=[week.team.id, team_b.id], start=MON,
                                               end=day(6))
    assert together == {"TA": {"TA-greta": None}, "TB": {olle.external_id: "TB-sara"}}


def test_a_carer_the_citizen_avoids_who_has_left_does_not_stop_the_team_from_planning(
        client: TestClient, headers: Headers, week: Week, make: Make, team_b: m.Team,
        db_session: Session) -> None:
    sara = make.carer(team_b, name="Sara", external_id="TB-sara")
    r = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                     json={"avoid_carer_ids": [week.anna.id, sara.id]})
    assert r.status_code == 200, r.text
    r = client.post(f"/api/carers/{week.anna.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(day(7)), "reason": "quit"})
    assert r.status_code == 200, r.text

    def avoided(start: dt.date, end: dt.date) -> dict[str, frozenset[str]]:
        parts = _read_back(db_session, team_ids=[week.team.id, team_b.id], start=start, end=end)
        return {p.id: p.avoid for part in parts for p in part.citizens}

    assert avoided(MON, day(6)) == {"TA-greta": frozenset({"TA-anna"})}
    assert avoided(day(7), day(13)) == {"TA-greta": frozenset()}
