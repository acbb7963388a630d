"""Every write to the team's data, through the API as through the pages, leaves a record: who, when,
before and after; one story per kind of write. A refused write leaves none."""

from __future__ import annotations

from sqlalchemy import select

from models import core as m
from models.team_data import ChangeRecord
from tests.conftest import PASSWORD
from tests.team_data.conftest import MON, day


def _changes(client, url, headers):
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_need_corrected_in_place_is_recorded_with_what_it_was(client, headers, week):
    r = client.patch(f"/api/needs/{week.need.id}", headers=headers["coordinator"],
                     json={"duration": 50, "care_instructions": "support stockings",
                           "version": week.need.version})
    assert r.status_code == 200, r.text
    latest = _changes(client, f"/api/citizens/{week.citizen.id}/changes", headers["member"])[0]
    assert (latest["entity"], latest["entity_id"], latest["action"]) == ("need", week.need.id, "corrected")
    assert latest["created_by"] == "coord-a" and latest["created_at"]
    assert latest["before"] == {"duration": 45, "care_instructions": None}
    assert latest["after"] == {"duration": 50, "care_instructions": "support stockings"}


def test_a_correction_that_changes_nothing_adds_no_record(client, headers, week):
    before = _changes(client, f"/api/citizens/{week.citizen.id}/changes", headers["coordinator"])
    r = client.patch(f"/api/needs/{week.need.id}", headers=headers["coordinator"], json={"duration": 45})
    assert r.status_code == 200, r.text
    assert _changes(client, f"/api/citizens/{week.citizen.id}/changes", headers["coordinator"]) == before


def test_a_need_deleted_is_kept_whole_in_the_citizens_record(client, headers, week, make):
    mistake = make.need(week.citizen, kind="shower", weekdays=[2], earliest=600, latest=720, duration=30,
                        valid_from=MON)
    r = client.delete(f"/api/needs/{mistake.id}", headers=headers["coordinator"])
    assert r.status_code == 204, r.text
    latest = _changes(client, f"/api/citizens/{week.citizen.id}/changes", headers["coordinator"])[0]
    assert (latest["entity_id"], latest["action"], latest["after"]) == (mistake.id, "deleted", None)
    assert latest["before"]["kind"] == "shower" and latest["before"]["weekdays"] == [2]
    assert latest["before"]["earliest"] == 600 and latest["before"]["valid_from"] == str(MON)


def test_a_citizen_registered_by_mistake_and_deleted_leaves_a_team_record_without_personal_data(
        client, headers, week, make, team_a):
    mistake = make.citizen(team_a, name="Wrong Person", external_id="TA-wrong", address="Fel väg 1")
    r = client.delete(f"/api/citizens/{mistake.id}", headers=headers["coordinator"])
    assert r.status_code == 204, r.text
    rows = _changes(client, f"/api/teams/{team_a.id}/changes?entity=citizen", headers["member"])
    gone = [c for c in rows if c["entity_id"] == mistake.id]
    assert [(c["action"], c["citizen_id"], c["created_by"]) for c in gone] == [("deleted", None, "coord-a")]
    assert gone[0]["before"]["external_id"] == "TA-wrong"
    assert "Wrong Person" not in str(gone[0]) and "Fel väg" not in str(gone[0])


def test_a_refused_delete_leaves_no_record(client, headers, week, team_a, db_session):
    # Anna has assignments in the accepted plan: she can only be ended, never deleted.
    r = client.delete(f"/api/carers/{week.anna.id}", headers=headers["coordinator"])
    assert r.status_code == 409, r.text
    assert db_session.scalars(select(ChangeRecord).where(ChangeRecord.action == "deleted")).all() == []
    # Greta has visits: her care is ended instead.
    r = client.delete(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"])
    assert r.status_code == 409, r.text
    assert db_session.scalars(select(ChangeRecord).where(ChangeRecord.action == "deleted")).all() == []


def test_a_carer_entered_by_mistake_and_deleted_is_recorded_for_the_team(client, headers, week, make,
                                                                          team_a):
    mistake = make.carer(team_a, name="Nobody", external_id="TA-nobody", skills=["insulin"])
    r = client.delete(f"/api/carers/{mistake.id}", headers=headers["coordinator"])
    assert r.status_code == 204, r.text
    rows = _changes(client, f"/api/teams/{team_a.id}/changes?entity=carer", headers["coordinator"])
    assert [(c["entity_id"], c["action"]) for c in rows][:1] == [(mistake.id, "deleted")]
    assert rows[0]["before"]["skills"] == ["insulin"] and "Nobody" not in str(rows[0])
    # another team's coordinator sees none of it
    assert client.get(f"/api/teams/{team_a.id}/changes", headers=headers["member_b"]).status_code == 404


def test_shifts_added_moved_and_removed_by_hand_are_on_the_carers_record_and_flag_what_they_held(
        client, headers, week):
    coordinator = headers["coordinator"]
    added = client.post(f"/api/carers/{week.bo.id}/shifts", headers=coordinator,
                        json={"date": str(day(7)), "start": 420, "end": 720})
    assert added.status_code == 201, added.text
    thursday = client.get(f"/api/carers/{week.anna.id}/shifts?start={day(3)}&end={day(3)}",
                          headers=coordinator).json()["items"][0]
    moved = client.patch(f"/api/shifts/{thursday['id']}", headers=coordinator, json={"start": 600})
    assert moved.status_code == 200, moved.text
    friday = client.get(f"/api/carers/{week.anna.id}/shifts?start={day(4)}&end={day(4)}",
                        headers=coordinator).json()["items"][0]
    assert client.delete(f"/api/shifts/{friday['id']}", headers=coordinator).status_code == 204

    bo = _changes(client, f"/api/carers/{week.bo.id}/changes", coordinator)[0]
    assert (bo["action"], bo["effective_from"], bo["after"]) == (
        "shift_added", str(day(7)), {"date": str(day(7)), "start": 420, "end": 720})
    anna = _changes(client, f"/api/carers/{week.anna.id}/changes", headers["member"])
    assert [(c["action"], c["effective_from"]) for c in anna[:2]] == [
        ("shift_removed", str(day(4))), ("shift_changed", str(day(3)))]
    assert anna[1]["before"] == {"start": 360} and anna[1]["after"] == {"start": 600}
    assert anna[0]["before"] == {"date": str(day(4)), "start": 360, "end": 930}
    # Anna's 07:00 visits on Thursday and Friday no longer lie in a shift of hers: listed for a re-plan.
    listed = client.get(f"/api/plans/{week.plan.id}/replan-needs", headers=coordinator).json()
    assert sorted((n["date"], n["change_action"]) for n in listed) == [
        (str(day(3)), "shift_changed"), (str(day(4)), "shift_removed")]


def test_logins_made_changed_and_deleted_through_the_api_are_recorded_without_the_password(
        client, headers, team_a, team_b, db_session):
    admin = headers["admin"]
    made = client.post("/api/users", headers=admin, json={
        "username": "new-planner", "password": PASSWORD, "full_name": "Nora Planer", "role": "coordinator",
        "team_ids": [team_a.id]})
    assert made.status_code == 201, made.text
    uid = made.json()["id"]
    changed = client.patch(f"/api/users/{uid}", headers=admin,
                           json={"team_ids": [team_a.id, team_b.id], "password": "another-long-secret-9"})
    assert changed.status_code == 200, changed.text
    assert client.delete(f"/api/users/{uid}", headers=admin).status_code == 204

    rows = _changes(client, f"/api/users/{uid}/changes", admin)
    assert [(c["action"], c["created_by"]) for c in rows] == [
        ("deleted", "admin-test"), ("changed", "admin-test"), ("created", "admin-test")]
    assert rows[2]["after"] == {"username": "new-planner", "full_name": "Nora Planer", "role": "coordinator",
                                "is_active": True, "team_ids": [team_a.id]}
    assert rows[1]["before"] == {"team_ids": [team_a.id]}
    assert rows[1]["after"] == {"team_ids": sorted([team_a.id, team_b.id]), "password": "reset"}
    stored = db_session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "user")).all()
    assert stored and not any("another-long-secret-9" in str((c.before, c.after)) for c in stored)
    # only admins read a login's record
    assert client.get(f"/api/users/{uid}/changes", headers=headers["coordinator"]).status_code == 403


def test_the_last_admin_refused_leaves_no_record(client, headers, users, db_session):
    r = client.patch(f"/api/users/{users['admin'].id}", headers=headers["admin"], json={"role": "member"})
    assert r.status_code == 409, r.text
    assert db_session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "user")).all() == []
    assert db_session.get(m.User, users["admin"].id).role == "admin"
