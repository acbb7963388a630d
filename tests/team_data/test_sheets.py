"""The team brings its spreadsheets in: a dry run lists what would happen and every error by row and
column, nothing is stored until confirmed, and the team's own export comes back unchanged."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import core as m
from models.team_data import ChangeRecord
from tests.team_data.conftest import MON


def _upload(client, headers, team, kind, name, body, *, dry_run=True, effective=MON):
    return client.post(f"/api/teams/{team.id}/sheets/{kind}", headers=headers,
                       params={"dry_run": str(dry_run).lower(), "effective": str(effective)},
                       files={"file": (name, body)})


def _records(db_session):
    return db_session.scalar(select(func.count()).select_from(ChangeRecord))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["citizens", "carers"])
def test_the_teams_own_export_imports_back_unchanged(client, headers, week, db_session, fmt, kind):
    coordinator = headers["coordinator"]
    client.put(f"/api/carers/{week.bo.id}/roster", headers=coordinator, json={
        "from_date": str(MON), "weeks": 2, "shifts": [{"week": 0, "weekday": 0, "start": 420, "end": 720},
                                                      {"week": 0, "weekday": 0, "start": 960, "end": 1200},
                                                      {"week": 1, "weekday": 3, "start": 600, "end": 1000}]})
    client.patch(f"/api/citizens/{week.citizen.id}", headers=coordinator, json={
        "avoid_carer_ids": [week.bo.id], "contact_carer_id": week.anna.id, "how_notes": "Knock; wait",
        "birth_year": 1931})
    exported = client.get(f"/api/teams/{week.team.id}/sheets/{kind}", headers=coordinator,
                          params={"format": fmt})
    assert exported.status_code == 200
    before = _records(db_session)
    dry = _upload(client, coordinator, week.team, kind, f"x.{fmt}", exported.content)
    assert dry.json() == {"kind": kind, "new": 0, "changed": 0, "ended": 0, "errors": []}
    stored = _upload(client, coordinator, week.team, kind, f"x.{fmt}", exported.content, dry_run=False)
    assert stored.status_code == 200 and stored.json()["errors"] == []
    assert _records(db_session) == before


def test_templates_come_with_swedish_or_english_headers(client, headers, week):
    sv = client.get(f"/api/teams/{week.team.id}/sheets/citizens", headers=headers["coordinator"],
                    params={"template": "true", "lang": "sv", "format": "xlsx"})
    first = next(load_workbook(io.BytesIO(sv.content)).worksheets[0].iter_rows(values_only=True))
    assert first[:3] == ("brukar_id", "namn", "adress") and "senast_start" in first
    en = client.get(f"/api/teams/{week.team.id}/sheets/carers", headers=headers["coordinator"],
                    params={"template": "true"}).text
    assert en.splitlines() == [en.splitlines()[0]] and en.startswith("carer_id,name,skills")


BAD_SHEET = """\
brukar_id,namn,lat,lon,kontaktperson,insats,veckodagar,tidigast_start,senast_start,minuter,kompetens
TA-new1,Ny Person,62.4,17.3,,morning,mon;tue,07:00,25:00,30,
TA-new1,Ny Person,62.4,17.3,,lunch,helg,11:00,12:00,30,
TA-new2,Annan,north,17.3,TA-nobody,evening,mon,19:00,18:00,30,insulin
"""


def test_a_sheet_with_errors_in_several_rows_lists_each_and_stores_nothing(client, headers, week, db_session):
    citizens_before = db_session.scalar(select(func.count()).select_from(m.Citizen))
    r = _upload(client, headers["coordinator"], week.team, "citizens", "brukare.csv", BAD_SHEET.encode())
    errors = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert {(2, "senast_start"), (3, "veckodagar"), (4, "lat"), (4, "kontaktperson"),
            (4, "kompetens")} <= errors
    assert any("'25:00' is not a time" in e["msg"] for e in r.json()["errors"])
    stored = _upload(client, headers["coordinator"], week.team, "citizens", "brukare.csv", BAD_SHEET.encode(),
                     dry_run=False)
    assert stored.status_code == 422 and len(stored.json()["detail"]) == len(r.json()["errors"])
    assert db_session.scalar(select(func.count()).select_from(m.Citizen)) == citizens_before


EVERY_DAY = "mon;tue;wed;thu;fri;sat;sun"


def test_a_clean_sheet_says_what_it_will_do_then_stores_it_all(client, headers, week, db_session):
    sheet = (
        "citizen_id,name,lat,lon,contact_carer,need,weekdays,earliest_start,latest_start,minutes,valid_from\n"
        f"TA-n1,Nils,62.41,17.29,{week.anna.external_id},morning,{EVERY_DAY},07:00,08:00,30,{MON}\n"
        f"TA-n1,,,,,lunch,mon;wed;fri,11:30,12:30,20,{MON}\n"
        f"TA-n2,Rut,62.42,17.28,,shower,thu,10:00,13:00,45,{MON}\n"
        f"{week.citizen.external_id},Greta,62.40,17.31,,morning,{EVERY_DAY},07:00,08:30,45,{MON}\n"
    )
    dry = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", sheet.encode())
    assert dry.json() == {"kind": "citizens", "new": 2, "changed": 1, "ended": 0, "errors": []}
    assert db_session.scalar(select(m.Citizen).where(m.Citizen.external_id == "TA-n1")) is None
    done = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", sheet.encode(),
                   dry_run=False)
    assert done.status_code == 200, done.text
    nils = db_session.scalar(select(m.Citizen).where(m.Citizen.external_id == "TA-n1"))
    assert nils.contact_carer_id == week.anna.id
    kinds = db_session.scalars(select(m.Visit.kind).where(m.Visit.citizen_id == nils.id)).all()
    assert kinds.count("morning") == 28 and kinds.count("lunch") == 12
    # Greta's morning now starts from 07:00 (changed from the effective date), not a second morning need
    greta = db_session.scalars(select(m.Need).where(m.Need.citizen_id == week.citizen.id)).all()
    assert sorted((n.valid_from, n.earliest) for n in greta) == [(MON, 420)]
    again = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", sheet.encode())
    assert again.json()["new"] == again.json()["changed"] == 0


def test_members_cannot_import_and_another_team_is_not_found(client, headers, week, team_b):
    assert _upload(client, headers["member"], week.team, "citizens", "a.csv", b"name\n").status_code == 403
    assert client.get(f"/api/teams/{team_b.id}/sheets/citizens", headers=headers["member"]).status_code == 404
    auditor = client.get(f"/api/teams/{week.team.id}/sheets/citizens", headers=headers["auditor"])
    assert auditor.status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_municipalitys_own_export_round_trips_unchanged(client, db_session, auth, fmt):
    from app.demo import seed_demo

    seed_demo(db_session, start=MON, days=14)
    admin = db_session.scalar(select(m.User).where(m.User.role == "admin"))
    team = db_session.scalar(select(m.Team).where(m.Team.name == "Centrum"))
    for kind in ("citizens", "carers"):
        exported = client.get(f"/api/teams/{team.id}/sheets/{kind}", headers=auth(admin),
                              params={"format": fmt})
        dry = _upload(client, auth(admin), team, kind, f"demo.{fmt}", exported.content)
        assert dry.json() == {"kind": kind, "new": 0, "changed": 0, "ended": 0, "errors": []}, kind


def test_each_bad_cell_is_named_once_and_a_rule_about_two_cells_names_one_of_them(client, headers, week):
    sheet = ("name,lat,lon,need,weekdays,earliest_start,latest_start,minutes\n"
             "Ola,62.4,north,lunch,mon,11:00,25:00,30\nPer,62.4,17.3,lunch,mon,13:00,12:00,30\n")
    r = _upload(client, headers["coordinator"], week.team, "citizens", "a.csv", sheet.encode())
    cells = [(e["row"], e["column"]) for e in r.json()["errors"]]
    assert sorted(cells) == [(2, "latest_start"), (2, "lon"), (3, "latest_start")]
