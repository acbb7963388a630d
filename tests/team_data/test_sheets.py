"""The team brings its spreadsheets in: a dry run lists what would happen and every error by row and
column, nothing is stored until confirmed, and the team's own export comes back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import core as m
from models.team_data import ChangeRecord, RosterException
from tests.team_data.conftest import MON, day


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
                                                      {"week": 1, "weekday": 3, "start": 600, "end": 1000,
                                                       "break_earliest": 720, "break_latest": 780,
                                                       "break_minutes": 30}]})
    client.patch(f"/api/citizens/{week.citizen.id}", headers=coordinator, json={
        "avoid_carer_ids": [week.bo.id], "contact_carer_id": week.anna.id, "how_notes": "Knock; wait",
        "birth_year": 1931})
    for body in ({"date": str(day(1)), "kind": "leave", "note": "dentist, back at 12"},
                 {"date": str(day(9)), "kind": "course"},
                 {"date": str(day(2)), "kind": "extra", "start": 480, "end": 600, "note": "covers Anna",
                  "break_earliest": 510, "break_latest": 540, "break_minutes": 20}):
        added = client.post(f"/api/carers/{week.bo.id}/roster/exceptions", headers=coordinator, json=body)
        assert added.status_code == 201, added.text
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


def test_a_sheet_naming_a_carer_who_has_left_as_a_new_contact_is_refused_but_a_kept_one_is_not(
        client, headers, week, db_session):
    coordinator = headers["coordinator"]
    week.citizen.contact_carer_id = week.bo.id
    db_session.flush()
    ended = client.post(f"/api/carers/{week.bo.id}/end", headers=coordinator,
                        json={"from_date": str(dt.date.today()), "reason": "quit"})
    assert ended.status_code == 200, ended.text
    header = ("citizen_id,name,lat,lon,contact_carer,need,weekdays,earliest_start,latest_start,minutes,"
              "valid_from\n")
    bo = week.bo.external_id
    greta = f"{week.citizen.external_id},Greta,62.40,17.31,{bo},morning,{EVERY_DAY},07:00,08:30,45,{MON}\n"
    nils = f"TA-n1,Nils,62.41,17.29,{bo},morning,{EVERY_DAY},07:00,08:00,30,{MON}\n"
    r = _upload(client, coordinator, week.team, "citizens", "in.csv", (header + greta + nils).encode())
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(3, "contact_carer")], r.text
    assert "has left" in r.json()["errors"][0]["msg"]
    kept = _upload(client, coordinator, week.team, "citizens", "in.csv", (header + greta).encode())
    assert kept.json()["errors"] == [], kept.text


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
    carer = db_session.scalars(select(m.Carer).where(m.Carer.team_id == team.id).order_by(m.Carer.id)).first()
    for body in ({"date": str(day(2)), "kind": "leave", "note": "semester"},
                 {"date": str(day(8)), "kind": "course", "note": "lyftteknik"}):
        added = client.post(f"/api/carers/{carer.id}/roster/exceptions", headers=auth(admin), json=body)
        assert added.status_code == 201, added.text
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


def _exceptions(db_session, carer):
    rows = db_session.scalars(select(RosterException).where(RosterException.carer_id == carer.id)
                              .order_by(RosterException.date)).all()
    return [(e.date, e.kind, e.start, e.end, e.note) for e in rows]


def _shifts(db_session, carer, d):
    return db_session.execute(select(m.Shift.start, m.Shift.end).where(
        m.Shift.carer_id == carer.id, m.Shift.date == d).order_by(m.Shift.start)).all()


def test_leave_courses_and_extra_shifts_come_in_by_sheet_for_new_and_known_carers(client, headers, week,
                                                                                   db_session):
    sheet = (
        "medarbetar_id,namn,kompetens,schema_från,schema_veckor,vecka,mån,tis,ons,tor,fre,lör,sön,"
        "avvikelse_datum,avvikelse,avvikelse_tid,avvikelse_anteckning\n"
        f"{week.anna.external_id},Anna,,,,,,,,,,,,{day(2)},ledighet,,tandläkare\n"
        f"{week.bo.external_id},Bo,,,,,,,,,,,,{day(5)},extrapass,16:00-20:00,\n"
        f"{week.bo.external_id},,,,,,,,,,,,,{day(3)},utbildning,,\n"
        f"TA-new,Nya Nora,,{MON},1,1,07:00-15:00,07:00-15:00,,,,,,,,,\n"
        f"TA-new,,,,,,,,,,,,,{day(1)},leave,,\n"
        f"TA-new,,,,,,,,,,,,,{day(2)},extra,09:00-14:00,inskolning\n"
    )
    coordinator = headers["coordinator"]
    dry = _upload(client, coordinator, week.team, "carers", "personal.csv", sheet.encode())
    assert dry.json() == {"kind": "carers", "new": 1, "changed": 2, "ended": 0, "errors": []}
    assert _exceptions(db_session, week.anna) == []
    done = _upload(client, coordinator, week.team, "carers", "personal.csv", sheet.encode(), dry_run=False)
    assert done.status_code == 200, done.text

    assert _exceptions(db_session, week.anna) == [(day(2), "leave", None, None, "tandläkare")]
    assert _shifts(db_session, week.anna, day(2)) == []
    assert _exceptions(db_session, week.bo) == [(day(3), "course", None, None, None),
                                                (day(5), "extra", 960, 1200, None)]
    assert _shifts(db_session, week.bo, day(5)) == [(360, 930), (960, 1200)]
    assert _shifts(db_session, week.bo, day(3)) == []
    nora = db_session.scalar(select(m.Carer).where(m.Carer.external_id == "TA-new"))
    assert _exceptions(db_session, nora) == [(day(1), "leave", None, None, None),
                                             (day(2), "extra", 540, 840, "inskolning")]
    assert _shifts(db_session, nora, day(0)) == [(420, 900)]
    assert _shifts(db_session, nora, day(1)) == []
    assert _shifts(db_session, nora, day(2)) == [(540, 840)]
    # Anna's Wednesday visit in the plan in force is listed for a re-plan; each exception is recorded
    listed = client.get(f"/api/plans/{week.plan.id}/replan-needs", headers=coordinator).json()
    assert [(n["date"], n["change_action"]) for n in listed] == [(str(day(2)), "exception_leave")]
    anna = client.get(f"/api/carers/{week.anna.id}/changes", headers=coordinator).json()
    assert anna[0]["action"] == "exception_leave" and anna[0]["created_by"] == "coord-a"
    again = _upload(client, coordinator, week.team, "carers", "personal.csv", sheet.encode())
    assert again.json() == {"kind": "carers", "new": 0, "changed": 0, "ended": 0, "errors": []}


def test_an_exception_left_out_of_a_sheet_that_has_the_columns_is_taken_away_and_one_without_keeps_them(
        client, headers, week, db_session):
    coordinator = headers["coordinator"]
    client.put(f"/api/carers/{week.bo.id}/roster", headers=coordinator, json={
        "from_date": str(MON), "weeks": 1,
        "shifts": [{"week": 0, "weekday": d, "start": 360, "end": 930} for d in range(7)]})
    for body in ({"date": str(day(2)), "kind": "leave"}, {"date": str(day(4)), "kind": "course"}):
        client.post(f"/api/carers/{week.bo.id}/roster/exceptions", headers=coordinator, json=body)
    without = f"carer_id,name\n{week.bo.external_id},Bo\n"
    dry = _upload(client, coordinator, week.team, "carers", "a.csv", without.encode())
    assert dry.json()["changed"] == 0
    kept_one = (f"carer_id,name,exception_date,exception\n{week.bo.external_id},Bo,{day(4)},course\n"
                f"{week.anna.external_id},Anna,,\n")
    done = _upload(client, coordinator, week.team, "carers", "a.csv", kept_one.encode(), dry_run=False)
    assert done.json() == {"kind": "carers", "new": 0, "changed": 1, "ended": 0, "errors": []}
    assert _exceptions(db_session, week.bo) == [(day(4), "course", None, None, None)]
    assert _shifts(db_session, week.bo, day(2)) == [(360, 930)]  # the roster gives the day back its shift
    assert _shifts(db_session, week.bo, day(4)) == []
    removed = client.get(f"/api/carers/{week.bo.id}/changes", headers=coordinator).json()[0]
    assert removed["action"] == "exception_removed" and removed["before"]["kind"] == "leave"


BAD_EXCEPTIONS = """\
carer_id,name,pattern_from,pattern_weeks,week,mon,tue,exception_date,exception,exception_hours,exception_note
TA-anna,Anna,,,,,,{d2},holiday,,
TA-anna,,,,,,,{d3},extra,,
TA-anna,,,,,,,{d4},leave,08:00-10:00,
TA-anna,,,,,,,2020-01-01,leave,,
TA-anna,,,,,,,next week,course,,
TA-new,Ny,{mon},1,1,07:00-15:00,,{mon},extra,14:00-18:00,
TA-new,,,,,,,{d1},leave,,
TA-new,,,,,,,{d1},extra,18:00-20:00,
TA-new,,,,,,,,course,,
"""


def test_every_bad_exception_is_named_by_row_and_column_and_nothing_is_stored(client, headers, week,
                                                                              db_session):
    sheet = BAD_EXCEPTIONS.format(mon=MON, d1=day(1), d2=day(2), d3=day(3), d4=day(4)).encode()
    coordinator = headers["coordinator"]
    r = _upload(client, coordinator, week.team, "carers", "bad.csv", sheet)
    errors = {(e["row"], e["column"]): e["msg"] for e in r.json()["errors"]}
    assert set(errors) == {(2, "exception"), (3, "exception_hours"), (4, "exception_hours"),
                           (5, "exception_date"), (6, "exception_date"), (7, "exception_hours"),
                           (9, "exception"), (10, "exception_date")}, errors
    assert "'holiday' is not leave, course or extra" in errors[(2, "exception")]
    assert "needs start and end" in errors[(3, "exception_hours")]
    assert "before today" in errors[(5, "exception_date")]
    assert "overlaps the shift 07:00-15:00 of the roster" in errors[(7, "exception_hours")]
    assert "off on" in errors[(9, "exception")] and "(row 8)" in errors[(9, "exception")]
    records = _records(db_session)
    stored = _upload(client, coordinator, week.team, "carers", "bad.csv", sheet, dry_run=False)
    assert stored.status_code == 422 and len(stored.json()["detail"]) == len(errors)
    assert _records(db_session) == records and _exceptions(db_session, week.anna) == []
    assert db_session.scalar(select(m.Carer).where(m.Carer.external_id == "TA-new")) is None


def test_an_extra_shift_that_clashes_with_a_shift_entered_by_hand_is_named_by_its_cell_and_nothing_is_stored(
        client, headers, week, db_session):
    sheet = (f"carer_id,name,exception_date,exception,exception_hours\n"
             f"{week.bo.external_id},Bo,{day(6)},course,\n"
             f"{week.anna.external_id},Anna,{day(2)},extra,15:00-18:00\n")
    coordinator = headers["coordinator"]
    records = _records(db_session)
    r = _upload(client, coordinator, week.team, "carers", "a.csv", sheet.encode(), dry_run=False)
    assert r.status_code == 422, r.text
    assert [(d["loc"], d["path"]) for d in r.json()["detail"]] == [(["sheet", 3, "exception_hours"],
                                                                     "row 3.exception_hours")]
    assert _records(db_session) == records and _exceptions(db_session, week.bo) == []


def test_break_windows_come_in_and_go_out_with_the_shifts_and_a_bad_one_is_named_by_its_cell(
        client, headers, week, db_session):
    coordinator = headers["coordinator"]
    sheet = (
        "carer_id,name,pattern_from,pattern_weeks,week,mon,tue,exception_date,exception,exception_hours\n"
        f"TA-brk,Britt,{MON},1,1,07:00-15:30 (11:00-12:30 30),07:00-12:00,{day(3)},extra,"
        "16:00-21:00 (18:00-19:00 min 20)\n"
    )
    bad = _upload(client, coordinator, week.team, "carers", "b.csv", sheet.encode())
    assert [(e["row"], e["column"]) for e in bad.json()["errors"]] == [(2, "exception_hours")]
    fixed = sheet.replace("(18:00-19:00 min 20)", "(18:00-19:00 20 min)")
    done = _upload(client, coordinator, week.team, "carers", "b.csv", fixed.encode(), dry_run=False)
    assert done.status_code == 200 and done.json()["new"] == 1, done.text
    britt = db_session.scalar(select(m.Carer).where(m.Carer.external_id == "TA-brk"))
    s = m.Shift
    shifts = db_session.execute(
        select(s.date, s.start, s.break_earliest, s.break_latest, s.break_minutes)
        .where(s.carer_id == britt.id, s.date.in_([MON, day(3)])).order_by(s.date)).all()
    assert shifts == [(MON, 420, 660, 750, 30), (day(3), 960, 1080, 1140, 20)]
    out = client.get(f"/api/teams/{week.team.id}/sheets/carers", headers=coordinator).text
    assert "07:00-15:30 (11:00-12:30 30)" in out and "16:00-21:00 (18:00-19:00 20)" in out

    too_long = sheet.replace("(11:00-12:30 30)", "(15:00-16:00 45)").replace(" (18:00-19:00 min 20)", "")
    too_long = too_long.replace("TA-brk", "TA-b2")
    r = _upload(client, coordinator, week.team, "carers", "b.csv", too_long.encode())
    errors = {(e["row"], e["column"]): e["msg"] for e in r.json()["errors"]}
    assert list(errors) == [(2, "mon")] and "break" in errors[(2, "mon")]


FORMULAS = {"name": '=HYPERLINK("http://evil","x")', "address": "+46 Storgatan 1", "how_notes": "@knock",
            "notes": "-2 steps; '=kept as typed"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_text_that_looks_like_a_formula_is_exported_as_text_and_imports_back_as_it_was(
        client, headers, week, fmt):
    coordinator = headers["coordinator"]
    changed = client.patch(f"/api/citizens/{week.citizen.id}", headers=coordinator, json=FORMULAS)
    assert changed.status_code == 200, changed.text
    carer = client.patch(f"/api/carers/{week.bo.id}", headers=coordinator, json={"name": "'-Bo'"})
    assert carer.status_code == 200, carer.text
    for kind, written in (("citizens", "'" + FORMULAS["name"]), ("carers", "''-Bo'")):
        exported = client.get(f"/api/teams/{week.team.id}/sheets/{kind}", headers=coordinator,
                              params={"format": fmt})
        if fmt == "xlsx":
            cells = [c for row in load_workbook(io.BytesIO(exported.content)).worksheets[0].iter_rows()
                     for c in row]
            assert not [c.value for c in cells if c.data_type == "f"]
        else:
            texts = [c for row in csv.reader(io.StringIO(exported.text)) for c in row]
            assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
            assert written in texts
        dry = _upload(client, coordinator, week.team, kind, f"x.{fmt}", exported.content)
        assert dry.json() == {"kind": kind, "new": 0, "changed": 0, "ended": 0, "errors": []}, kind


def test_a_neutralised_formula_character_written_in_a_csv_reads_as_the_text_after_it(
        client, headers, week, db_session):
    sheet = "citizen_id,name,lat,lon,notes\nTA-n9,'=Nils,62.41,17.29,'+4670 123\n"
    done = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", sheet.encode(),
                   dry_run=False)
    assert done.status_code == 200 and done.json()["new"] == 1, done.text
    nils = db_session.scalar(select(m.Citizen).where(m.Citizen.external_id == "TA-n9"))
    assert (nils.name, nils.notes) == ("=Nils", "+4670 123")


def test_a_sheet_with_a_control_character_in_a_name_is_refused_at_its_cell(client, headers, week):
    body = "citizen_id,name,lat,lon\nTA-n1,Nils\u0001,62.41,17.29\n".encode()
    r = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", body)
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(2, "name")]
    assert "control character" in r.json()["errors"][0]["msg"]
    stored = _upload(client, headers["coordinator"], week.team, "citizens", "in.csv", body, dry_run=False)
    assert stored.status_code == 422 and stored.json()["detail"][0]["loc"] == ["sheet", 2, "name"]


def test_a_name_given_with_a_control_character_never_reaches_the_sheet(client, headers, week):
    r = client.post("/api/citizens", headers=headers["coordinator"], json={
        "team_id": week.team.id, "name": "Nils\u0000", "lat": 62.41, "lon": 17.29})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "name"]
    exported = client.get(f"/api/teams/{week.team.id}/sheets/citizens", headers=headers["coordinator"],
                          params={"format": "xlsx"})
    assert exported.status_code == 200


def _zip_of_a_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("notes.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("body", [b"name,lat,lon\nNils,62.4,17.3\n", b"PK\x03\x04 not really a zip",
                                  b"\x00\x01\x02", _zip_of_a_text()])
def test_a_file_named_xlsx_that_is_no_workbook_is_refused_as_not_a_readable_xlsx_file(
        client, headers, week, db_session, body, dry_run):
    before = _records(db_session)
    r = _upload(client, headers["coordinator"], week.team, "citizens", "brukare.xlsx", body, dry_run=dry_run)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["loc"] == ["file"] and error["msg"].startswith("not a readable .xlsx file")
    assert _records(db_session) == before

