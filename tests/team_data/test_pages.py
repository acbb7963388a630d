"""The team-data pages as a coordinator, a member, an auditor and an admin use them (forms through the
test client with the session cookie; the browser story is in test_browser_story.py)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from tests.team_data.conftest import MON, day


def as_user(client, user):
    client.cookies.set(SESSION_COOKIE, create_access_token(user))
    return client


@pytest.fixture
def coordinator(client, users):
    return as_user(client, users["coordinator"])


def test_a_coordinator_registers_a_citizen_and_gives_three_daily_visits_from_monday(coordinator, week,
                                                                                    db_session):
    team = week.team
    r = coordinator.post(f"/teams/{team.id}/citizens/new", data={
        "name": "Sven Berg", "address": "Storgatan 9", "lat": "62.391", "lon": "17.306", "birth_year": "1938",
        "contact_carer_id": str(week.bo.id), f"avoid_{week.anna.id}": "1",
        f"avoid_reason_{week.anna.id}": "family", "how_notes": "Key in the blue box; likes coffee first",
        "in_national_measure": "1"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    edit_url = r.headers["location"].split("?")[0]
    citizen = db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Sven Berg"))
    assert citizen.avoid_carers == [week.anna] and citizen.contact_carer_id == week.bo.id
    for kind, earliest, latest in (("morning", "07:30", "08:30"), ("lunch", "11:30", "12:30"),
                                   ("evening", "19:00", "20:00")):
        r = coordinator.post(f"/teams/{team.id}/citizens/{citizen.id}/needs", data={
            "kind": kind, "valid_from": str(MON), "weekdays": [str(d) for d in range(7)], "every_weeks": "1",
            "earliest": earliest, "latest": latest, "duration": "30", "carers": "1", "priority": "2"},
            follow_redirects=False)
        assert r.status_code == 303, r.text
    visits = db_session.scalars(select(m.Visit).where(m.Visit.citizen_id == citizen.id)).all()
    assert len(visits) == 3 * 28 and min(v.date for v in visits) == MON
    page = coordinator.get(edit_url).text
    assert "Sven Berg" in page and "family" in page and "lunch" in page
    assert "Beviljade insatser" in page or "Standing needs" in page


def test_the_form_shows_each_error_by_its_field_and_keeps_what_was_typed(coordinator, week, db_session):
    r = coordinator.post(f"/teams/{week.team.id}/citizens/new", data={
        "name": "Märta", "lat": "north", "lon": "17.3", "contact_carer_id": str(week.anna.id),
        f"avoid_{week.anna.id}": "1"})
    assert r.status_code == 422
    assert "lat" in r.text and "Märta" in r.text
    assert db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Märta")) is None
    r = coordinator.post(f"/teams/{week.team.id}/citizens/{week.citizen.id}/needs", data={
        "kind": "lunch", "valid_from": str(MON), "weekdays": ["0"], "earliest": "25:00", "latest": "12:00",
        "duration": "30"})
    assert r.status_code == 422 and "earliest" in r.text and "25:00" in r.text


def test_the_second_save_of_the_same_citizen_page_is_told_someone_else_changed_it(coordinator, week):
    url = f"/teams/{week.team.id}/citizens/{week.citizen.id}/edit"
    found = re.search(r'name="version" value="(\d+)"', coordinator.get(url).text)
    assert found is not None
    version = found.group(1)
    form = {"name": "Greta", "lat": "62.4", "lon": "17.31", "version": version, "in_national_measure": "1"}
    assert coordinator.post(url, data={**form, "notes": "first"}, follow_redirects=False).status_code == 303
    second = coordinator.post(url, data={**form, "notes": "second"})
    assert second.status_code == 409 and "version" in second.text


def test_a_member_reads_the_records_but_cannot_reach_the_edit_pages(client, users, week):
    member = as_user(client, users["member"])
    team = week.team.id
    assert member.get(f"/teams/{team}/citizens").status_code == 200
    assert member.get(f"/teams/{team}/citizens/{week.citizen.id}/record").status_code == 200
    assert member.get(f"/teams/{team}/carers/{week.anna.id}/record").status_code == 200
    for url in (f"/teams/{team}/citizens/new", f"/teams/{team}/citizens/{week.citizen.id}/edit",
                f"/teams/{team}/carers/new", f"/teams/{team}/carers/{week.anna.id}/edit"):
        assert member.get(url).status_code == 403, url
    assert member.post(f"/teams/{team}/citizens/{week.citizen.id}/end",
                       data={"from_date": str(day(2)), "reason": "moved"}).status_code == 403


def test_auditors_never_see_the_pages_and_another_team_gets_404(client, users, week):
    auditor = as_user(client, users["auditor"])
    assert auditor.get(f"/teams/{week.team.id}/citizens").status_code == 403
    other = as_user(client, users["member_b"])
    assert other.get(f"/teams/{week.team.id}/citizens/{week.citizen.id}/record").status_code == 404


def test_a_roster_saved_on_the_page_warns_of_short_rest_and_shows_in_the_grid(coordinator, week):
    url = f"/teams/{week.team.id}/carers/{week.bo.id}/roster"
    r = coordinator.post(url, data={"from_date": str(MON), "weeks": "1", "cell_0_0": "14:00-22:00",
                                    "cell_0_1": "07:00-12:00, 16:00-19:00 (17:00-18:00 20)"})
    assert r.status_code == 200, r.text
    assert "11" in r.text and "14:00–22:00" in r.text
    bad = coordinator.post(url, data={"from_date": str(MON), "weeks": "1", "cell_0_2": "7 till 3"})
    assert bad.status_code == 422 and "cell_0_2" in bad.text


def test_the_adjust_page_lists_what_a_carer_ending_left_needing_a_re_plan(coordinator, week):
    r = coordinator.post(f"/teams/{week.team.id}/carers/{week.anna.id}/end",
                         data={"from_date": str(day(5)), "reason": "new job"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = coordinator.get(f"/teams/{week.team.id}/adjust?plan={week.plan.id}").text
    table = page.split('id="replan-needs"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # the head and the two weekend mornings
    assert "the carer ends from" in table


def test_an_admin_creates_a_login_and_cannot_deactivate_the_last_admin(client, users, team_a, db_session):
    admin = as_user(client, users["admin"])
    r = admin.post("/admin/users/new", data={"username": "karin", "password": "long-enough-1",
                                             "role": "coordinator", "team_ids": [str(team_a.id)]},
                   follow_redirects=False)
    assert r.status_code == 303, r.text
    karin = db_session.scalar(select(m.User).where(m.User.username == "karin"))
    assert karin.teams == [team_a] and karin.role == "coordinator"
    others = select(m.User).where(m.User.role == "admin", m.User.id != users["admin"].id)
    for other in db_session.scalars(others):
        other.is_active = False
    db_session.flush()
    r = admin.post(f"/admin/users/{users['admin'].id}", data={"role": "admin"})  # is_active unticked
    assert r.status_code == 409 and "last active admin" in r.text
    assert users["member"].role == "member"
    assert as_user(client, users["coordinator"]).get("/admin/users").status_code == 403


def test_a_sheet_uploaded_on_the_page_is_checked_first_and_stored_only_when_confirmed(coordinator, week,
                                                                                       db_session):
    team = week.team.id
    bad = ("namn,lat,lon,insats,veckodagar,tidigast_start,senast_start,minuter\n"
           "Ola,62.4,17.3,lunch,mon,11:00,25:00,30\n")
    r = coordinator.post(f"/teams/{team}/sheets/check", data={"kind": "citizens", "effective": str(MON)},
                         files={"file": ("brukare.csv", bad.encode())})
    assert r.status_code == 422 and "senast_start" in r.text and "Store it" not in r.text
    good = bad.replace("25:00", "12:00")
    r = coordinator.post(f"/teams/{team}/sheets/check", data={"kind": "citizens", "effective": str(MON)},
                         files={"file": ("brukare.csv", good.encode())})
    assert r.status_code == 200 and "1 nya, 0 ändrade, 0 avslutade" in r.text
    assert db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Ola")) is None
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', r.text))
    done = coordinator.post(f"/teams/{team}/sheets/confirm", data=hidden, follow_redirects=False)
    assert done.status_code == 303
    assert db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Ola")) is not None
    xlsx = coordinator.get(f"/teams/{team}/sheets/download/citizens", params={"template": "true"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_new_citizens_position_is_taken_from_the_address_list_of_an_imported_sheet(coordinator, week,
                                                                                      db_session, client,
                                                                                      headers):
    sheet = ("citizen_id,name,address,lat,lon\n"
             "TA-moved,Elsa Ek,Björkvägen 4B,62.3871,17.2954\n"
             "TA-other,Olle Ek,Sjögatan 1,62.4011,17.3302\n")
    r = client.post(f"/api/teams/{week.team.id}/sheets/citizens", headers=headers["coordinator"],
                    params={"dry_run": "false", "effective": str(MON)},
                    files={"file": ("in.csv", sheet.encode())})
    assert r.status_code == 200 and r.json()["new"] == 2, r.text
    # Elsa moves on; the address her row brought in stays on the team's list with its position
    elsa = db_session.scalar(select(m.Citizen).where(m.Citizen.external_id == "TA-moved"))
    client.patch(f"/api/citizens/{elsa.id}", headers=headers["coordinator"],
                 json={"address": "Nya gatan 2", "lat": 62.5, "lon": 17.4})

    page = coordinator.get(f"/teams/{week.team.id}/citizens/new").text
    offered = re.findall(r'<option value="([^"]+)" data-lat="([^"]+)" data-lon="([^"]+)"', page)
    assert ("Björkvägen 4B", "62.3871", "17.2954") in offered and ("Nya gatan 2", "62.5", "17.4") in offered
    assert 'list="address-list"' in page

    r = coordinator.post(f"/teams/{week.team.id}/citizens/new", data={
        "name": "Karin Lind", "address": "björkvägen  4b", "lat": "", "lon": "", "in_national_measure": "1"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    karin = db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Karin Lind"))
    assert (karin.lat, karin.lon) == (62.3871, 17.2954)
    # a typed position wins; an address not on the list still needs one, named by its field
    r = coordinator.post(f"/teams/{week.team.id}/citizens/new", data={
        "name": "Bo Ny", "address": "Okänd väg 1", "lat": "", "lon": ""})
    assert r.status_code == 422 and 'id="c-lat"' in r.text
    assert db_session.scalar(select(m.Citizen).where(m.Citizen.name == "Bo Ny")) is None
    api = client.get(f"/api/teams/{week.team.id}/addresses", headers=headers["member"]).json()
    assert {"address": "Sjögatan 1", "lat": 62.4011, "lon": 17.3302} in api
    assert client.get(f"/api/teams/{week.team.id}/addresses", headers=headers["member_b"]).status_code == 404


def test_a_sheets_errors_read_in_swedish_on_the_swedish_page(coordinator, week):
    from app.web.i18n import ENGLISH_WORDS

    english = re.compile(r"(?<![\wåäöÅÄÖ-])(" + "|".join(re.escape(w) for w in ENGLISH_WORDS)
                         + r")(?![\wåäöÅÄÖ-])", re.I)
    team = week.team.id
    sheets = {
        "citizens": ("brukar_id,namn,lat,lon,kontaktperson,insats,veckodagar,tidigast_start,senast_start,"
                     "minuter,kompetens,födelseår,okänd\n"
                     "TA-x,Ola,norr,17.3,TA-nobody,lunch,helg,11:00,25:00,30,flyg,1930,\n"
                     "TA-x,Olle,,,,,,,,,,,\n"),
        "carers": ("medarbetar_id,namn,schema_från,schema_veckor,vecka,mån,avvikelse_datum,avvikelse,"
                   "avvikelse_tid\n"
                   f"TA-y,Ylva,{MON},1,3,07:00-15:00 (16:00-17:00 30),2020-01-01,semester,\n"
                   f"TA-y,,,,,,{day(2)},extrapass,\n"
                   f"TA-y,,,,,,{day(3)},sjuk,\n"),
    }
    for kind, body in sheets.items():
        r = coordinator.post(f"/teams/{team}/sheets/check", data={"kind": kind, "effective": str(MON)},
                             files={"file": (f"{kind}.csv", body.encode())})
        assert r.status_code == 422, r.text
        listed = re.search(r'<ul id="sheet-errors">(.*?)</ul>', r.text, re.S)
        assert listed is not None, r.text
        items = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S)
        assert len(items) >= 3 and all(i.startswith("rad ") for i in items), items
        assert not english.findall(" ".join(items)), items
    check = f"/teams/{team}/sheets/check"
    citizens = coordinator.post(check, data={"kind": "citizens", "effective": str(MON)},
                                files={"file": ("c.csv", sheets["citizens"].encode())}).text
    assert "&#39;25:00&#39; är inte en tid" in citizens and "&#39;helg&#39; är inte en veckodag" in citizens
