"""A citizen's data rights: an admin hands them everything held about them (every table's rows about
them, nothing about anyone else), and once their care has ended their personal data is anonymised
while the month's continuity figures stay exactly as they were and no trace of their name is left in
any table."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Text, cast, func, or_, select, text
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.schemas.core import CitizenEnd, CitizenUpdate, NeedChange
from app.security import SESSION_COOKIE, create_access_token
from app.services import access_log, data_rights
from app.services.team_data import citizens as citizens_svc
from app.services.team_data import needs as needs_svc
from models import core as m
from models.adjustments import Adjustment
from models.base import Base
from models.jobs import PlanJob, PlanJobPart
from models.security import AccessLogEntry
from models.team_data import RosterException
from solver import types as st
from tests.conftest import Make

DAY = dt.date(2026, 11, 2)  # a Monday; the month is November 2026


@dataclass
class Month:
    astrid: m.Citizen
    karl: m.Citizen
    version: m.PlanVersion


def _month(make: Make, team_a: m.Team, users: dict[str, m.User], db_session: Session, *,
           her: dict[str, Any], him: dict[str, Any]) -> Month:
    carers = [make.carer(team_a, external_id=f"TA-c{i}", name=f"Carer {i}") for i in range(3)]
    astrid = make.citizen(team_a, birth_year=1931, **her)
    karl = make.citizen(team_a, birth_year=1940, **him)
    assignments = []
    for who in (astrid, karl):
        need = make.need(who, valid_from=DAY)
        for d in range(14):
            visit = make.visit(who, need_id=need.id, date=DAY + dt.timedelta(days=d))
            assignments.append(st.Assignment(visit=visit.external_id,
                                             carers=(carers[d % 3].external_id,), start=visit.earliest))
    version = store_plan_version(db_session, team_ids=[team_a.id], start=DAY, end=DAY + dt.timedelta(days=13),
                                 plan=st.Plan(assignments=assignments, unplaced=[]))
    accept_plan_version(db_session, version=version, user=None)
    access_log.record_reads(db_session, user_id=users["member"].id, citizen_ids=[astrid.id, karl.id],
                            what="rota", path="/teams/1/rota", address="10.0.0.7")
    db_session.flush()
    return Month(astrid=astrid, karl=karl, version=version)


@pytest.fixture
def month(make: Make, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> Month:
    return _month(make, team_a, users, db_session,
                  her={"name": "Astrid Lundgren", "address": "Storgatan 12, Sundsvall",
                       "notes": "Key in the box by the door"},
                  him={"name": "Karl Berg", "address": "Esplanaden 3, Sundsvall"})


def _citizen_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that names a citizen, read from the schema."""
    out = []
    for table in Base.metadata.tables.values():
        for column in table.c:
            points = any(fk.column.table.name == "citizens" for fk in column.foreign_keys)
            if points or (column.name == "citizen_id" and table.name != "citizens"):
                out.append((table.name, column.name))
    return out


def test_the_export_holds_every_tables_rows_about_the_citizen_and_none_about_another(
        client: TestClient, headers: dict[str, dict[str, str]], month: Month, db_session: Session) -> None:
    answer = client.get(f"/api/citizens/{month.astrid.id}/export", headers=headers["admin"])
    assert answer.status_code == 200
    tables: dict[str, list[dict[str, Any]]] = answer.json()["tables"]
    assert [r["name"] for r in tables["citizens"]] == ["Astrid Lundgren"]
    for table, column in _citizen_columns():
        stored = db_session.execute(select(func.count()).select_from(Base.metadata.tables[table])
                                    .where(Base.metadata.tables[table].c[column] == month.astrid.id)).scalar()
        exported = [r for r in tables.get(table, []) if r[column] == month.astrid.id]
        assert len(exported) == stored, f"{table}.{column}"
        assert all(r[column] != month.karl.id for r in tables.get(table, [])), f"{table} names Karl"
    # Who visited her: the assignments of her visits came along, and only those.
    her_visits = {r["id"] for r in tables["visits"]}
    assert len(her_visits) == 14 and {r["visit_id"] for r in tables["assignments"]} == her_visits
    assert "access_log" in tables  # the reads of her data, too
    refused = client.get(f"/api/citizens/{month.astrid.id}/export", headers=headers["coordinator"])
    assert refused.status_code == 403


def _figures(client: TestClient, headers: dict[str, str], version: m.PlanVersion) -> dict[str, Any]:
    answer = client.get("/api/audit/figures", headers=headers,
                        params={"source": "plan", "plan_version": version.id, "month": "2026-11"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _traces(session: Session, needles: list[str]) -> list[str]:
    """Every column of every table, whatever its type, read as text, searched for the needles."""
    hits = []
    for table in Base.metadata.tables.values():
        for column in table.c:
            found = session.execute(select(func.count()).select_from(table).where(
                or_(*(cast(column, Text).contains(n) for n in needles)))).scalar()
            if found:
                hits.append(f"{table.name}.{column.name}")
    return hits


def test_after_the_care_ended_anonymising_keeps_the_figures_and_leaves_no_name(
        client: TestClient, headers: dict[str, dict[str, str]], users: dict[str, m.User], month: Month,
        db_session: Session) -> None:
    refused = client.post(f"/api/citizens/{month.astrid.id}/anonymise", headers=headers["admin"])
    assert refused.status_code == 409  # her care has not ended
    citizens_svc.edit_citizen(db_session, citizen=month.astrid, user=users["coordinator"],
                              data=CitizenUpdate(address="Storgatan 14, Sundsvall",
                                                 notes="Key with the neighbour, Greta"))
    citizens_svc.end_citizen(db_session, citizen=month.astrid, user=users["coordinator"],
                             data=CitizenEnd(from_date=DAY + dt.timedelta(days=14),
                                                            reason="nursing_home"))
    db_session.flush()
    needles = ["Astrid Lundgren", "Storgatan 12", "Storgatan 14", "Key in the box", "neighbour, Greta"]
    assert "change_records.before" in _traces(db_session, needles)  # her old address and notes
    before = _figures(client, headers["auditor"], month.version)

    done = client.post(f"/api/citizens/{month.astrid.id}/anonymise", headers=headers["admin"])

    assert done.status_code == 200, done.text
    assert done.json()["name"].startswith("Brukare P-")
    assert _figures(client, headers["auditor"], month.version) == before
    db_session.expire_all()
    assert _traces(db_session, needles) == []
    assert _traces(db_session, ["Karl Berg", "Esplanaden 3"])  # nobody else's data was touched
    if db_session.get_bind().dialect.name == "sqlite":  # and in a real dump of the file
        raw = db_session.connection().connection.driver_connection
        assert raw is not None
        dump = "\n".join(raw.iterdump())
        assert not any(n in dump for n in needles) and "Karl Berg" in dump


def test_the_daily_run_anonymises_only_those_past_the_retention(db_session: Session, month: Month,
                                                                users: dict[str, m.User]) -> None:
    today = dt.date(2032, 1, 10)
    month.astrid.ended_from = today - dt.timedelta(days=5 * 365 + 1)
    month.karl.ended_from = today - dt.timedelta(days=30)
    db_session.flush()
    assert data_rights.anonymise_due(db_session, today=today) == (1, 0)
    assert month.astrid.anonymised_at is not None and month.karl.anonymised_at is None
    assert month.karl.name == "Karl Berg"
    assert data_rights.anonymise_due(db_session, today=today) == (0, 0)  # once is enough
    kept = db_session.scalars(select(AccessLogEntry.citizen_id)).all()
    assert month.astrid.id in kept  # who looked at her stays on the log, under her pseudonym's id


def test_the_readable_export_page_lists_her_data_and_the_read_is_logged(
        client: TestClient, users: dict[str, m.User], month: Month, db_session: Session) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["admin"]))
    page = client.get(f"/admin/citizens/{month.astrid.id}/export")
    assert page.status_code == 200
    assert "Astrid Lundgren" in page.text and "Storgatan 12" in page.text and "Karl Berg" not in page.text
    logged = db_session.scalars(select(AccessLogEntry.what)
                                .where(AccessLogEntry.citizen_id == month.astrid.id))
    assert "data export" in list(logged)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    assert client.get(f"/admin/citizens/{month.astrid.id}/export").status_code == 403


def test_a_citizen_who_had_care_is_ended_not_deleted(client: TestClient, headers: dict[str, dict[str, str]],
                                                     month: Month, make: Make, team_a: m.Team) -> None:
    refused = client.delete(f"/api/citizens/{month.astrid.id}", headers=headers["coordinator"])
    assert refused.status_code == 409 and "end the care instead" in str(refused.json()["detail"])
    mistake = make.citizen(team_a, name="Registered By Mistake")
    assert client.delete(f"/api/citizens/{mistake.id}", headers=headers["coordinator"]).status_code == 204


def test_a_carer_who_left_is_exported_and_anonymised_keeping_the_plans(
        client: TestClient, headers: dict[str, dict[str, str]], month: Month, db_session: Session) -> None:
    carer = db_session.scalars(select(m.Carer).where(m.Carer.external_id == "TA-c0")).one()
    exported = client.get(f"/api/carers/{carer.id}/export", headers=headers["admin"]).json()["tables"]
    assert [r["name"] for r in exported["carers"]] == ["Carer 0"] and len(exported["assignment_carers"]) > 0
    assert client.post(f"/api/carers/{carer.id}/anonymise", headers=headers["admin"]).status_code == 409
    carer.active_to = dt.date(2026, 11, 30)
    db_session.flush()
    done = client.post(f"/api/carers/{carer.id}/anonymise", headers=headers["admin"])
    assert done.status_code == 200 and done.json()["name"].startswith("Medarbetare C-")
    db_session.expire_all()
    assert _traces(db_session, ["Carer 0"]) == []
    assigned = db_session.scalar(select(func.count()).select_from(m.assignment_carers)
                                 .where(m.assignment_carers.c.carer_id == carer.id))
    assert assigned == len(exported["assignment_carers"])  # the plans keep every assignment


def test_the_citizen_form_asks_for_no_health_details_in_free_text(
        client: TestClient, users: dict[str, m.User], team_a: m.Team) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    form = client.get(f"/teams/{team_a.id}/citizens/new")
    assert form.status_code == 200 and "inga diagnoser" in form.text
    assert 'aria-describedby="free-text-warning"' in form.text


# --- a person's every trace, in Swedish, and nobody else's ---------------------------------------------


ASA = {"name": "Åsa Öberg", "address": "Södra Järnvägsgatan 4, Sundsvall", "notes": "Nyckel i boxen"}
HEALTH = ("insulin före frukost", "lunginflammation", "rädd för hundar")


def _adjust(session: Session, month: Month, *, change: dict[str, Any], reason: str) -> Adjustment:
    row = Adjustment(plan_id=month.version.plan_id, team_id=month.astrid.team_id, kind=change["type"],
                       change=change, reason=reason)
    session.add(row)
    session.flush()
    return row


def _dump(session: Session) -> str:
    """The whole database as text, every table (alembic's too), every row: SQLite's own dump, or on
    PostgreSQL every column of every row as text (what pg_dump writes, read inside this test's
    transaction)."""
    if session.get_bind().dialect.name == "sqlite":
        raw = session.connection().connection.driver_connection
        assert raw is not None
        return "\n".join(raw.iterdump())
    columns: dict[str, list[str]] = {}
    for table, column in session.execute(text(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")):
        columns.setdefault(table, []).append(f'CAST("{column}" AS text)')
    return "\n".join(str(row) for table, cast_all in columns.items() for row in session.execute(
        text(f"SELECT concat_ws(E'\\t', {', '.join(cast_all)}) FROM \"{table}\"")).scalars())


def _found(dump: str, needles: list[str]) -> list[str]:
    """The needles the dump holds as whole words ("Åsa Öberg" is not in "Åsa Öbergsson")."""
    return [n for n in needles if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", dump)]


def _every_form(needles: list[str]) -> list[str]:
    """The needles as typed and as JSON keeps them (`\\u00c5sa`)."""
    return sorted({form for n in needles for form in (n, json.dumps(n)[1:-1])})


@pytest.fixture
def asa(make: Make, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> Month:
    """Åsa's month with every kind of trace a team leaves about a person: her data edited (the change
    records keep what it was), a need with care instructions changed once, a carer she avoids and why,
    the coordinator's adjustments about her with their reasons, and a stored plan job whose inputs and
    message name her."""
    month = _month(make, team_a, users, db_session, her=ASA,
                   him={"name": "Åsa Öbergsson", "address": "Södra Järnvägsgatan 40, Sundsvall",
                        "notes": "Nyckel i boxen"})
    who, coordinator = month.astrid, users["coordinator"]
    citizens_svc.edit_citizen(db_session, citizen=who, user=coordinator,
                              data=CitizenUpdate(name="Åsa Öberg-Lind", notes=f"{HEALTH[2]}; Nyckel i boxen"))
    citizens_svc.edit_citizen(db_session, citizen=who, user=coordinator, data=CitizenUpdate(name=ASA["name"]))
    need = db_session.scalars(select(m.Need).where(m.Need.citizen_id == who.id)).one()
    needs_svc.change_need(db_session, need=need, user=coordinator,
                          data=NeedChange(from_date=DAY + dt.timedelta(days=7), care_instructions=HEALTH[0]))
    carer = db_session.scalars(select(m.Carer).where(m.Carer.external_id == "TA-c2")).one()
    db_session.execute(m.citizen_avoid_carers.insert().values(citizen_id=who.id, carer_id=carer.id,
                                                             reason=f"{ASA['name']} vill inte"))
    visit = db_session.scalars(select(m.Visit).where(m.Visit.citizen_id == who.id)).first()
    assert visit is not None
    _adjust(db_session, month, change={"type": "citizen_away", "citizen": who.external_id, "from_day": 3,
                                       "to_day": 5}, reason=f"{ASA['name']} på sjukhus, {HEALTH[1]}")
    _adjust(db_session, month, change={"type": "visit_cancel", "visit": visit.external_id, "day": 0},
            reason=f"avbokad av {ASA['name']}s dotter")
    _adjust(db_session, month, change={"type": "citizen_away", "citizen": month.karl.external_id,
                                       "from_day": 1, "to_day": 1}, reason="hos sin son")
    job = PlanJob(team_ids=[team_a.id], start_date=DAY, end_date=DAY + dt.timedelta(days=13), time_limit=60,
                  params={"asked_for": f"ny plan för {ASA['name']}"},
                  message=f"planerar {ASA['name']}s besök")
    db_session.add(job)
    db_session.flush()
    db_session.add(PlanJobPart(job_id=job.id, seq=0, team_id=team_a.id,
                               problem=json.dumps({"about": ASA["name"]}, ensure_ascii=False)))
    month.version.inputs = {**month.version.inputs, "note": f"för {ASA['name']}"}
    db_session.flush()
    return month


def test_anonymising_a_swedish_name_leaves_no_trace_in_the_dump_and_nobody_else_is_touched(
        client: TestClient, headers: dict[str, dict[str, str]], users: dict[str, m.User], asa: Month,
        db_session: Session) -> None:
    citizens_svc.end_citizen(db_session, citizen=asa.astrid, user=users["coordinator"],
                             data=CitizenEnd(from_date=DAY + dt.timedelta(days=14), reason="deceased"))
    db_session.flush()
    typed = [ASA["name"], f"{ASA['name']}s", "Åsa Öberg-Lind", ASA["address"], *HEALTH]
    dump = _dump(db_session)
    assert [n for n in typed if not _found(dump, _every_form([n]))] == []  # every one is there to find
    before = _figures(client, headers["auditor"], asa.version)

    done = client.post(f"/api/citizens/{asa.astrid.id}/anonymise", headers=headers["admin"])
    assert done.status_code == 200

    assert _figures(client, headers["auditor"], asa.version) == before
    db_session.expire_all()
    dump = _dump(db_session)
    assert _found(dump, _every_form(typed)) == []
    # Her namesake, her neighbour at number 40 and the note they happen to share stay as they were.
    karl = db_session.get(m.Citizen, asa.karl.id)
    assert karl is not None and karl.name == "Åsa Öbergsson" and karl.notes == "Nyckel i boxen"
    assert karl.address == "Södra Järnvägsgatan 40, Sundsvall"
    reasons = db_session.scalars(select(Adjustment.reason).order_by(Adjustment.id)).all()
    assert reasons == [None, None, "hos sin son"]
    # The plans keep every visit and assignment of hers.
    visits = db_session.scalar(select(func.count()).select_from(m.Visit)
                               .where(m.Visit.citizen_id == asa.astrid.id))
    assert visits == 14


def test_the_export_holds_her_adjustments_and_nothing_of_another_person(
        client: TestClient, headers: dict[str, dict[str, str]], asa: Month) -> None:
    answer = client.get(f"/api/citizens/{asa.astrid.id}/export", headers=headers["admin"])
    assert answer.status_code == 200
    tables = answer.json()["tables"]
    assert sorted(r["reason"] for r in tables["adjustments"]) == sorted(
        [f"{ASA['name']} på sjukhus, {HEALTH[1]}", f"avbokad av {ASA['name']}s dotter"])
    written = json.dumps(answer.json(), ensure_ascii=False)
    assert HEALTH[0] in written and ASA["address"] in written
    for theirs in ("Åsa Öbergsson", "Södra Järnvägsgatan 40", "hos sin son", "Carer 2"):
        assert theirs not in written, theirs


def test_a_carer_s_export_names_no_citizen_and_anonymising_them_removes_what_was_said_about_them(
        client: TestClient, headers: dict[str, dict[str, str]], asa: Month, db_session: Session) -> None:
    carer = db_session.scalars(select(m.Carer).where(m.Carer.external_id == "TA-c2")).one()
    asa.astrid.contact_carer_id = carer.id
    db_session.add(RosterException(carer_id=carer.id, date=DAY, kind="leave", note="sjukskriven, rygg"))
    _adjust(db_session, asa, change={"type": "carer_absent", "carer": carer.external_id, "from_day": 2,
                                     "to_day": 2}, reason="Carer 2 har feber")
    db_session.flush()

    exported = client.get(f"/api/carers/{carer.id}/export", headers=headers["admin"]).json()
    written = json.dumps(exported, ensure_ascii=False)
    assert [r["reason"] for r in exported["tables"]["adjustments"]] == ["Carer 2 har feber"]
    assert "sjukskriven, rygg" in written
    # Åsa's row says who her contact carer is: the export names the reference, nothing of hers.
    assert exported["tables"]["citizens"] == [{"id": asa.astrid.id, "team_id": asa.astrid.team_id,
                                                "contact_carer_id": carer.id}]
    assert exported["tables"]["citizen_avoid_carers"] == [{"citizen_id": asa.astrid.id, "carer_id": carer.id}]
    for hers in (*_every_form([ASA["name"], ASA["address"]]), "Nyckel i boxen", HEALTH[0], "Åsa Öbergsson"):
        assert hers not in written, hers

    carer.active_to = DAY
    carer.end_reason = "sjukpension"
    db_session.flush()
    assert client.post(f"/api/carers/{carer.id}/anonymise", headers=headers["admin"]).status_code == 200
    db_session.expire_all()
    gone = ["Carer 2", "sjukskriven", "har feber", "sjukpension", "vill inte"]
    assert _found(_dump(db_session), gone) == []


def test_an_admin_finds_the_readable_export_of_a_citizen_and_of_a_carer_from_their_pages(
        client: TestClient, users: dict[str, m.User], asa: Month, db_session: Session,
        team_a: m.Team) -> None:
    carer = db_session.scalars(select(m.Carer).where(m.Carer.external_id == "TA-c2")).one()
    asa.astrid.contact_carer_id = carer.id
    db_session.flush()
    client.cookies.set("lang", "en")
    client.cookies.set(SESSION_COOKIE, create_access_token(users["admin"]))
    record = client.get(f"/teams/{team_a.id}/citizens/{asa.astrid.id}/record").text
    assert f'href="/admin/citizens/{asa.astrid.id}/export"' in record
    carer_page = client.get(f"/teams/{team_a.id}/carers/{carer.id}/record").text
    assert f'href="/admin/carers/{carer.id}/export"' in carer_page

    page = client.get(f"/admin/carers/{carer.id}/export")

    assert page.status_code == 200
    assert "Everything held about Carer 2" in page.text and f"/api/carers/{carer.id}/export" in page.text
    for hers in (ASA["name"], ASA["address"], "Nyckel i boxen", f"{ASA['name']} vill inte"):
        assert hers not in page.text, hers
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    assert client.get(f"/admin/carers/{carer.id}/export").status_code == 403
    assert "/admin/carers/" not in client.get(f"/teams/{team_a.id}/carers/{carer.id}/record").text
