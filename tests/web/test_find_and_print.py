"""Find and print: a brukare or medarbetare found by name from any page (only in one's own teams), the
brukare's practical notes where the carer needs them, the körlista of a carer or a whole team for a day,
and the week's hours on shift against each carer's contract on the rota (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from tests.conftest import Make
from tests.web.world import DAY, planned_team


def _as(client: TestClient, user: m.User) -> TestClient:
    client.cookies.set(SESSION_COOKIE, create_access_token(user))
    client.cookies.set("lang", "sv")
    return client


def test_a_member_finds_people_of_the_own_team_by_name_and_nobody_elses(
    client: TestClient, make: Make, db_session: Session, team_a: m.Team, team_b: m.Team
) -> None:
    planned_team(make, db_session, team_a)
    make.citizen(team_a, name="Åke Öberg")
    make.citizen(team_b, name="Greta Holmberg")  # another team's: never found
    member = make.user(m.ROLE_MEMBER, [team_a])
    auditor = make.user(m.ROLE_AUDITOR, [team_a])
    db_session.commit()

    page = _as(client, member).get("/search", params={"q": "holm"}).text
    citizens = re.findall(r'<a href="/citizens/\d+">([^<]+)</a>', page)
    assert citizens == ["Greta Holm"]
    assert "Ingen hittades." in page  # no carer is called so
    found = _as(client, member).get("/search", params={"q": "öberg åke"}).text
    assert re.findall(r'<a href="/citizens/\d+">([^<]+)</a>', found) == ["Åke Öberg"]
    assert 'action="/search"' in _as(client, member).get(f"/teams/{team_a.id}/rota").text  # from every page
    assert _as(client, auditor).get("/search", params={"q": "holm"}).status_code == 403


def test_the_carers_day_the_visit_and_the_korlista_show_the_practical_notes(
    client: TestClient, make: Make, db_session: Session, team_a: m.Team
) -> None:
    plan, carer, citizen = planned_team(make, db_session, team_a)
    citizen.notes = "Nyckel i nyckelgömman, kod 1234"
    member = make.user(m.ROLE_MEMBER, [team_a])
    db_session.commit()
    _as(client, member)

    day = client.get(f"/carers/{carer.id}/day", params={"date": DAY.isoformat()}).text
    route = client.get(f"/carers/{carer.id}/korlista", params={"date": DAY.isoformat()}).text
    team_routes = client.get(f"/teams/{team_a.id}/korlista", params={"date": DAY.isoformat()}).text
    visit = re.search(r'href="/assignments/(\d+)"', day)
    assert visit is not None
    visit_page = client.get(f"/assignments/{visit.group(1)}").text

    for text in (day, route, team_routes, visit_page):
        assert "Nyckel i nyckelgömman, kod 1234" in text
    assert route.count('class="korlista-page"') == 1 and team_routes.count('class="korlista-page"') == 1
    assert "Körlista: Anna Berg" in team_routes and "Morgonhjälp" in team_routes


def test_the_rota_shows_the_weeks_hours_on_shift_against_the_contract(
    client: TestClient, make: Make, db_session: Session, team_a: m.Team
) -> None:
    plan, carer, citizen = planned_team(make, db_session, team_a)
    carer.contracted_minutes_per_week = 20 * 60  # three shifts of 8.5 h are more than the contract
    coordinator = make.user(m.ROLE_COORDINATOR, [team_a])
    db_session.commit()

    page = _as(client, coordinator).get(f"/teams/{team_a.id}/rota", params={"date": DAY.isoformat()}).text

    hours = r'<td class="num hours( over)?" data-planned="(\d+)" data-contracted="(\d+)">([^<]+)<'
    cell = re.search(hours, page)
    assert cell is not None
    assert cell.group(1) == " over" and cell.group(2) == str(3 * 510) and cell.group(3) == "1200"
    assert cell.group(4).strip() == "25,5 / 20,0 tim"
