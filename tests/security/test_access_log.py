"""Who looked at whom: every read of a citizen's personal data is logged (who, when, which citizen,
which page or endpoint, from which address), auditors' figures are not, and an admin follows the log
up per citizen and per user, as a page, an API and CSV. Nothing edits or deletes an entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from app.security import SESSION_COOKIE, create_access_token
from app.services import access_log
from models import core as m
from models.security import AccessLogEntry
from solver import types as st
from tests.conftest import Make


@dataclass
class Home:
    astrid: m.Citizen
    karl: m.Citizen
    other_team: m.Citizen
    carer: m.Carer
    visit: m.Visit
    need: m.Need


@pytest.fixture
def home(make: Make, team_a: m.Team, team_b: m.Team) -> Home:
    astrid = make.citizen(team_a, name="Astrid Lundgren")
    karl = make.citizen(team_a, name="Karl Berg")
    carer = make.carer(team_a, name="Fatima Ali")
    make.shift(carer, dt.date(2026, 12, 1))
    return Home(astrid=astrid, karl=karl, other_team=make.citizen(team_b, name="Greta Holm"), carer=carer,
                visit=make.visit(astrid), need=make.need(astrid))


def _log(session: Session) -> list[AccessLogEntry]:
    session.expire_all()
    return list(session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)))


def test_a_member_opening_a_citizens_page_is_logged_with_who_what_and_from_where(
        client: TestClient, users: dict[str, m.User], home: Home, db_session: Session) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    assert client.get(f"/citizens/{home.astrid.id}").status_code == 200
    [entry] = _log(db_session)
    assert (entry.user_id, entry.citizen_id) == (users["member"].id, home.astrid.id)
    assert entry.what == "citizen page"
    assert entry.path == f"/citizens/{home.astrid.id}" and entry.address == "testclient"
    assert abs((dt.datetime.now(dt.UTC) - entry.at).total_seconds()) < 60


@pytest.mark.parametrize(("what", "path"), [
    ("api citizen", "/api/citizens/{astrid}"),
    ("api citizens", "/api/citizens"),
    ("api visit", "/api/visits/{visit}"),
    ("api visits", "/api/visits"),
    ("api need", "/api/needs/{need}"),
    ("api needs", "/api/needs"),
    ("export instance", "/api/export/instance?start=2026-12-01&end=2026-12-07"),
])
def test_every_api_read_of_a_citizen_is_logged_once_per_citizen_read(
        client: TestClient, headers: dict[str, dict[str, str]], users: dict[str, m.User], home: Home,
        db_session: Session, what: str, path: str) -> None:
    url = path.format(astrid=home.astrid.id, visit=home.visit.id, need=home.need.id)
    assert client.get(url, headers=headers["coordinator"]).status_code == 200
    entries = _log(db_session)
    assert entries and {e.what for e in entries} == {what}
    read = {e.citizen_id for e in entries}
    assert home.astrid.id in read and home.other_team.id not in read  # another team's citizen was not read
    assert len(read) == len(entries)


def test_the_rota_and_a_carers_day_log_the_citizens_they_show(client: TestClient, users: dict[str, m.User],
                                                             home: Home, team_a: m.Team,
                                                             db_session: Session) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    assert client.get(f"/teams/{team_a.id}/rota?date=2026-12-01").status_code == 200
    rota = _log(db_session)
    assert {e.citizen_id for e in rota} == {home.astrid.id, home.karl.id}
    assert {e.what for e in rota} == {"rota"}
    assert client.get(f"/carers/{home.carer.id}/day?date=2026-12-01").status_code == 200
    assert {e.what for e in _log(db_session)} == {"rota"}  # nothing planned that day: no citizen on it


@pytest.mark.parametrize(("what", "path"), [
    ({"citizen list"}, "/teams/{team}/citizens"),
    ({"citizen record"}, "/teams/{team}/citizens/{astrid}/record"),
    # the form offers the team's addresses with their positions: the citizens behind them are read too
    ({"citizen form", "address list"}, "/teams/{team}/citizens/{astrid}/edit"),
    ({"address list"}, "/teams/{team}/citizens/new"),
    ({"citizen sheet"}, "/teams/{team}/sheets/download/citizens?format=csv"),
    ({"week letter"}, "/citizens/{astrid}/letter"),
])
def test_the_team_pages_that_show_a_citizen_log_the_read(
        client: TestClient, users: dict[str, m.User], home: Home, team_a: m.Team, db_session: Session,
        what: set[str], path: str) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    assert client.get(path.format(team=team_a.id, astrid=home.astrid.id)).status_code == 200
    entries = _log(db_session)
    assert {e.what for e in entries} == what and home.astrid.id in {e.citizen_id for e in entries}


def test_the_printed_route_logs_the_citizens_on_it(client: TestClient, users: dict[str, m.User], home: Home,
                                                   team_a: m.Team, db_session: Session) -> None:
    plan = st.Plan(assignments=[st.Assignment(visit=home.visit.external_id, carers=(home.carer.external_id,),
                                              start=home.visit.earliest)], unplaced=[])
    version = store_plan_version(db_session, team_ids=[team_a.id], start=dt.date(2026, 12, 1),
                                 end=dt.date(2026, 12, 1), plan=plan)
    accept_plan_version(db_session, version=version, user=None)
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    assert client.get(f"/carers/{home.carer.id}/korlista?date=2026-12-01").status_code == 200
    assert [(e.what, e.citizen_id) for e in _log(db_session)] == [("route sheet", home.astrid.id)]


def test_auditors_pseudonymised_reads_are_not_reads_of_a_person(client: TestClient, home: Home,
                                                               headers: dict[str, dict[str, str]],
                                                               db_session: Session) -> None:
    assert client.get("/api/citizens", headers=headers["auditor"]).status_code == 200
    assert client.get(f"/api/visits/{home.visit.id}", headers=headers["auditor"]).status_code in (200, 403)
    assert _log(db_session) == []


def test_an_admin_sees_who_looked_at_astrid_this_month_and_gets_it_as_csv(
        client: TestClient, headers: dict[str, dict[str, str]], users: dict[str, m.User], home: Home) -> None:
    client.get(f"/api/citizens/{home.astrid.id}", headers=headers["member"])
    client.get(f"/api/citizens/{home.karl.id}", headers=headers["coordinator"])
    today = access_log.today()  # the municipality's: near midnight UTC and Stockholm differ
    month = {"start": today.replace(day=1).isoformat(), "end": today.isoformat()}
    answer = client.get("/api/access-log", headers=headers["admin"], params={"citizen": "Astrid", **month})
    assert answer.status_code == 200
    found = [(e["username"], e["citizen_name"]) for e in answer.json()["items"]]
    assert found == [("member-a", "Astrid Lundgren")]
    by_user = client.get("/api/access-log", headers=headers["admin"],
                         params={"user_id": users["coordinator"].id}).json()["items"]
    assert [e["citizen_id"] for e in by_user] == [home.karl.id]
    last_year = client.get("/api/access-log", headers=headers["admin"],
                           params={"start": "2020-01-01", "end": "2020-12-31"}).json()
    assert last_year["total"] == 0
    exported = client.get("/api/access-log.csv", headers=headers["admin"], params={"citizen": "Astrid"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0][:3] == ["at", "user_id", "username"] and [r[4] for r in rows[1:]] == ["Astrid Lundgren"]


def test_only_admins_read_the_log_and_nobody_changes_it(
        client: TestClient, headers: dict[str, dict[str, str]], users: dict[str, m.User]) -> None:
    for role in ("coordinator", "member", "auditor"):
        assert client.get("/api/access-log", headers=headers[role]).status_code == 403
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)("/api/access-log", headers=headers["admin"]).status_code == 405
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    assert client.get("/admin/access-log").status_code == 403


def test_the_admin_page_lists_the_months_reads_in_swedish(
        client: TestClient, users: dict[str, m.User], headers: dict[str, dict[str, str]], home: Home) -> None:
    client.get(f"/api/citizens/{home.astrid.id}", headers=headers["member"])
    client.cookies.set(SESSION_COOKIE, create_access_token(users["admin"]))
    client.cookies.set("lang", "sv")
    page = client.get("/admin/access-log", params={"citizen": "Lundgren"})
    assert page.status_code == 200 and "Vem har läst om vem" in page.text
    assert "Astrid Lundgren" in page.text and "member-a" in page.text and "API: brukare" in page.text
    assert client.get("/admin/access-log", params={"month": "december"}).status_code == 422
    csv_page = client.get("/admin/access-log.csv", params={"citizen": "Lundgren"})
    assert "Astrid Lundgren" in csv_page.text


def test_entries_older_than_the_retention_go_and_newer_stay(db_session: Session, users: dict[str, m.User],
                                                            home: Home) -> None:
    now = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
    for age in (800, 729, 1):
        access_log.record_reads(db_session, user_id=users["member"].id, citizen_ids=[home.astrid.id],
                                what="citizen page", path="/", address="10.0.0.1",
                                at=now - dt.timedelta(days=age))
    assert access_log.prune(db_session, now=now) == 1
    assert sorted((now - e.at).days for e in _log(db_session)) == [1, 729]


def test_the_routes_that_log_reads_say_so_in_the_api_description(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    logged = {p for p, ops in spec["paths"].items() for op in ops.values() if op.get("x-access-logged")}
    assert {"/api/citizens", "/api/citizens/{citizen_id}", "/api/visits", "/api/export/instance"} <= logged
    assert "/api/teams" not in logged and "/api/access-log" not in logged
