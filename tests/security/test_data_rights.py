"""A citizen's data rights: an admin hands them everything held about them (every table's rows about
them, nothing about anyone else), and once their care has ended their personal data is anonymised
while the month's continuity figures stay exactly as they were and no trace of their name is left in
any table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.schemas.core import CitizenEnd, CitizenUpdate
from app.security import SESSION_COOKIE, create_access_token
from app.services import access_log, data_rights
from app.services.team_data import citizens as citizens_svc
from models import core as m
from models.base import Base
from models.security import AccessLogEntry
from solver import types as st
from tests.conftest import Make

DAY = dt.date(2026, 11, 2)  # a Monday; the month is November 2026


@dataclass
class Month:
    astrid: m.Citizen
    karl: m.Citizen
    version: m.PlanVersion


@pytest.fixture
def month(make: Make, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> Month:
    carers = [make.carer(team_a, external_id=f"TA-c{i}", name=f"Carer {i}") for i in range(3)]
    astrid = make.citizen(team_a, name="Astrid Lundgren", address="Storgatan 12, Sundsvall",
                          notes="Key in the box by the door", birth_year=1931)
    karl = make.citizen(team_a, name="Karl Berg", address="Esplanaden 3, Sundsvall", birth_year=1940)
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
