"""A team member keeps the rota week open and reloads it: whatever anyone changed shows at the next
read, whichever way it was written (a hand move, a pin, the team's data, a plan accepted, a longer
visit, anonymisation, a write the app does not know of such as psql or the command line). On PostgreSQL
the rota read comes from the server process's cache while nothing it shows was written; every read is
still written to the access log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, create_access_token
from app.services.core import get_municipality
from app.web.i18n import LANG_COOKIE
from app.web.read import rota as rota_read
from app.web.read.plans import shown_plan
from app.web.read.rota import ROTAS
from models import core as m
from models.security import AccessLogEntry
from tests.conftest import Make
from tests.web.world import DAY, planned_team


@pytest.fixture
def world(make: Make, db_session: Session, team_a: m.Team) -> tuple[m.Plan, m.Carer, m.Citizen]:
    get_municipality(db_session)  # as on a running site (the first page to need it makes it)
    return planned_team(make, db_session, team_a)


@pytest.fixture
def member(client: TestClient, users: dict[str, m.User]) -> Iterator[TestClient]:
    ROTAS.clear()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    client.cookies.set(LANG_COOKIE, "en")
    yield client
    client.cookies.clear()


def week(client: TestClient, team: m.Team) -> str:
    answer = client.get(f"/teams/{team.id}/rota?date={DAY.isoformat()}")
    assert answer.status_code == 200
    return answer.text


def read_twice(client: TestClient, team: m.Team) -> str:
    """The week as a member has it open: read, and read again (from the cache where there is one)."""
    first = week(client, team)
    assert week(client, team) == first
    return first


def test_the_second_read_of_an_unchanged_week_is_the_cached_one_and_both_reads_are_logged(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        db_session: Session, backend: str) -> None:
    _plan, _carer, citizen = world
    hits = ROTAS.hits
    read_twice(member, team_a)
    assert ROTAS.hits == hits + (1 if backend == "postgres" else 0)  # SQLite reads afresh every time
    logged = db_session.scalar(select(func.count()).select_from(AccessLogEntry)
                               .where(AccessLogEntry.citizen_id == citizen.id, AccessLogEntry.what == "rota"))
    assert logged == 2


def test_a_hand_move_to_another_time_shows_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    plan, _carer, _citizen = world
    assert "07:30–08:15 Greta Holm" in read_twice(member, team_a)
    assignment = db_session.scalars(select(m.Assignment).order_by(m.Assignment.id)).first()
    assert assignment is not None
    moved = member.patch(f"/api/assignments/{assignment.id}", json={"start": 460}, headers=headers["member"])
    assert moved.status_code == 200, moved.text
    assert "07:40–08:25 Greta Holm" in week(member, team_a)
    assert len(ROTAS) <= 1  # the week as it was is not kept beside the week as it is


def test_a_pin_shows_at_once(member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
                             headers: dict[str, dict[str, str]], db_session: Session) -> None:
    assert "pinned" not in read_twice(member, team_a).split('id="rota"')[1].split("</table>")[0]
    assignment = db_session.scalars(select(m.Assignment).order_by(m.Assignment.id)).first()
    assert assignment is not None
    pinned = member.patch(f"/api/assignments/{assignment.id}", json={"pinned": True},
                          headers=headers["member"])
    assert pinned.status_code == 200, pinned.text
    assert f'class="v contact pinned" href="/assignments/{assignment.id}"' in week(member, team_a)


def test_a_citizen_renamed_in_the_teams_data_shows_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]]) -> None:
    _plan, _carer, citizen = world
    read_twice(member, team_a)
    renamed = member.patch(f"/api/citizens/{citizen.id}", json={"name": "Greta Lind"},
                           headers=headers["coordinator"])
    assert renamed.status_code == 200, renamed.text
    page = week(member, team_a)
    assert "Greta Lind" in page and "Greta Holm" not in page


def test_a_carer_renamed_and_a_shift_added_show_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]]) -> None:
    _plan, carer, _citizen = world
    shifts = read_twice(member, team_a).count('class="shift"')
    renamed = member.patch(f"/api/carers/{carer.id}", json={"name": "Anna Lund"},
                           headers=headers["coordinator"])
    assert renamed.status_code == 200, renamed.text
    assert "Anna Lund" in week(member, team_a)
    added = member.post(f"/api/carers/{carer.id}/shifts",
                        json={"date": (DAY + dt.timedelta(days=3)).isoformat(), "start": 600, "end": 900},
                        headers=headers["coordinator"])
    assert added.status_code == 201, added.text
    assert week(member, team_a).count('class="shift"') == shifts + 1


def test_a_visit_made_longer_shows_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    assert "07:30–08:30" not in read_twice(member, team_a)
    visit = db_session.scalars(select(m.Visit).order_by(m.Visit.date)).first()
    assert visit is not None
    longer = member.patch(f"/api/visits/{visit.id}", json={"duration": 60}, headers=headers["coordinator"])
    assert longer.status_code == 200, longer.text
    assert week(member, team_a).count("07:30–08:30 Greta Holm") == 2  # the block's title and its label


def test_a_new_plan_version_accepted_shows_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    """What a plan job's draft or an applied re-plan becomes: a version accepted over the one shown."""
    plan, carer, _citizen = world
    assert "08:00–" not in read_twice(member, team_a)
    draft = m.PlanVersion(plan_id=plan.id, number=2, status=m.PLAN_DRAFT)
    db_session.add(draft)
    db_session.flush()
    for visit in db_session.scalars(select(m.Visit)):
        db_session.add(m.Assignment(plan_version_id=draft.id, visit_id=visit.id, start=480, carers=[carer]))
    db_session.commit()
    assert "08:00–" not in week(member, team_a)  # a draft beside an accepted version is not shown
    accepted = member.post(f"/api/plan-versions/{draft.id}/accept", headers=headers["coordinator"])
    assert accepted.status_code == 200, accepted.text
    page = week(member, team_a)
    assert "08:00–08:45 Greta Holm" in page and "07:30–08:15" not in page


def test_an_anonymised_citizen_leaves_the_week_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    _plan, _carer, citizen = world
    citizen.ended_from, citizen.end_reason = dt.date.today(), "moved"
    db_session.commit()
    assert "Greta Holm" in read_twice(member, team_a)
    anonymised = member.post(f"/api/citizens/{citizen.id}/anonymise", headers=headers["admin"])
    assert anonymised.status_code == 200, anonymised.text
    assert "Greta Holm" not in week(member, team_a)


def test_a_write_the_app_does_not_know_of_shows_at_once(
        member: TestClient, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team,
        db_session: Session) -> None:
    """psql, the command line, another program: the cache is keyed by what the database holds, not by a
    stamp a writer has to move."""
    _plan, carer, citizen = world
    read_twice(member, team_a)
    db_session.execute(text("UPDATE carers SET name = 'Karin Ek' WHERE id = :id"), {"id": carer.id})
    db_session.commit()
    assert "Karin Ek" in week(member, team_a)
    db_session.execute(text("UPDATE assignments SET start = 500"))
    db_session.commit()
    assert "08:20–09:05 Greta Holm" in week(member, team_a)
    db_session.execute(text("UPDATE citizens SET contact_carer_id = NULL WHERE id = :id"), {"id": citizen.id})
    db_session.commit()
    page = week(member, team_a)
    assert '<a class="v" href' in page and '<a class="v contact' not in page
    db_session.execute(text("UPDATE municipality SET max_carers_per_month = 3"))
    db_session.commit()
    assert "(Cap 3)" in week(member, team_a)
    db_session.execute(text("DELETE FROM assignment_carers"))
    db_session.commit()
    page = week(member, team_a)
    assert "Greta Holm</a>" in page and '<a class="v' not in page  # still counted, no block left


def test_every_table_the_rota_reads_is_in_its_stamps(
        db_session: Session, world: tuple[m.Plan, m.Carer, m.Citizen], team_a: m.Team) -> None:
    """A read added to the rota without its stamp would serve that table's old rows: guarded here."""
    tables = set(m.Base.metadata.tables)
    read: set[str] = set()

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        read.update(t for t in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)', statement) if t in tables)

    plan = shown_plan(db_session, team_id=team_a.id, start=DAY, end=DAY + dt.timedelta(days=30))
    bind = db_session.connection()
    event.listen(bind, "before_cursor_execute", seen)
    try:
        rota_read._read_rota(db_session, team=team_a, start=DAY, end=DAY + dt.timedelta(days=6),
                             month=(DAY.year, DAY.month), plan=plan, lo=DAY - dt.timedelta(days=60),
                             hi=DAY + dt.timedelta(days=30))
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    stamped = {t for _stmt, names in rota_read._stamp_parts() for t in names}
    assert read and read <= stamped, f"read without a stamp: {sorted(read - stamped)}"


def test_a_team_without_a_plan_shows_its_week_and_a_plan_accepted_later_at_once(
        member: TestClient, make: Make, db_session: Session, team_a: m.Team) -> None:
    get_municipality(db_session)
    carer = make.carer(team_a, name="Anna Berg")
    make.shift(carer, DAY)
    db_session.commit()
    assert "Anna Berg" in read_twice(member, team_a)
    planned_team(make, db_session, team_a)
    assert "07:30–08:15 Greta Holm" in week(member, team_a)
