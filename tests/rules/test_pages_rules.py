"""The rules in the team's pages, in Swedish by default: the coordinator says a carer walks, gives an extra
shift its rast, spaces the insulin from breakfast; the carer's day shows the rast where the route leaves
room for it; the unplaced list and the audit show the prioritet."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import core as m

DAY = dt.date(2026, 12, 7)  # a Monday


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_coordinator_says_a_carer_walks_and_the_record_says_gang(
        coordinator_pages: TestClient, team_a: m.Team, db_session: Session) -> None:
    form = {"name": "Karin Ek", "skills": "", "travel_mode": "walk"}
    answer = coordinator_pages.post(f"/teams/{team_a.id}/carers/new", data=form, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    carer = db_session.scalar(select(m.Carer).where(m.Carer.name == "Karin Ek"))
    assert carer is not None and carer.travel_mode == "walk"
    record = coordinator_pages.get(f"/teams/{team_a.id}/carers/{carer.id}/record")
    assert re.search(r'id="travel-mode">\s*gång', record.text)
    edit = coordinator_pages.get(f"/teams/{team_a.id}/carers/{carer.id}/edit")
    assert "Färdsätt" in edit.text and '<option value="bike">cykel</option>' in edit.text
    wrong = coordinator_pages.post(f"/teams/{team_a.id}/carers/new",
                                   data={"name": "Per Ek", "travel_mode": "skates"})
    assert wrong.status_code == 422 and "skates" in wrong.text


def test_an_extra_shift_gets_its_rast_in_the_roster(coordinator_pages: TestClient, make: Any,
                                                    team_a: m.Team) -> None:
    carer = make.carer(team_a)
    make.session.commit()
    form = {"date": DAY.isoformat(), "kind": "extra", "start": "07:00", "end": "15:00",
            "break_earliest": "11:00", "break_latest": "12:00", "break_minutes": "30"}
    answer = coordinator_pages.post(f"/teams/{team_a.id}/carers/{carer.id}/exceptions", data=form,
                                    follow_redirects=False)
    assert answer.status_code == 303, answer.text
    page = _text(coordinator_pages.get(f"/teams/{team_a.id}/carers/{carer.id}/edit").text)
    assert "rast 11:00–12:00, 30" in page
    too_long = {**form, "date": (DAY + dt.timedelta(days=1)).isoformat(), "end": "07:20"}
    refused = coordinator_pages.post(f"/teams/{team_a.id}/carers/{carer.id}/exceptions", data=too_long)
    assert refused.status_code == 422


def test_the_insulin_is_spaced_from_breakfast_on_the_citizens_page(
        coordinator_pages: TestClient, make: Any, team_a: m.Team, db_session: Session) -> None:
    citizen = make.citizen(team_a)
    breakfast = make.need(citizen, kind="morning", valid_from=DAY)
    make.session.commit()
    form = {"kind": "insulin", "valid_from": DAY.isoformat(), "weekdays": ["0", "1"], "earliest": "11:00",
            "latest": "13:00", "duration": "15", "carers": "1", "priority": "1",
            "spaced_from_id": str(breakfast.id), "min_gap": "240", "max_gap": "360"}
    answer = coordinator_pages.post(f"/teams/{team_a.id}/citizens/{citizen.id}/needs", data=form,
                                    follow_redirects=False)
    assert answer.status_code == 303, answer.text
    insulin = db_session.scalar(select(m.Need).where(m.Need.citizen_id == citizen.id,
                                                     m.Need.kind == "insulin"))
    assert insulin is not None and (insulin.spaced_from_id, insulin.min_gap, insulin.max_gap) == (
        breakfast.id, 240, 360)
    page = _text(coordinator_pages.get(f"/teams/{team_a.id}/citizens/{citizen.id}/edit").text)
    assert "Prioritet 1" in page and "240 min efter" in page and "Tidsavstånd till en annan insats" in page
    crossed = {**form, "kind": "lunch", "min_gap": "300", "max_gap": "60"}
    refused = coordinator_pages.post(f"/teams/{team_a.id}/citizens/{citizen.id}/needs", data=crossed)
    assert refused.status_code == 422 and "max_gap" in refused.text


def _accepted(session: Session, team: m.Team, assignments: list[tuple[m.Visit, m.Carer, int]],
              unplaced: list[m.Visit]) -> m.PlanVersion:
    plan = m.Plan(external_id=f"plan-{team.id}-rules", name="Rules", start_date=DAY, end_date=DAY,
                  teams=[team])
    version = m.PlanVersion(plan=plan, number=1, status=m.PLAN_ACCEPTED,
                            accepted_at=dt.datetime.now(dt.UTC))
    session.add_all([plan, version])
    session.flush()
    for visit, carer, start in assignments:
        session.add(m.Assignment(plan_version_id=version.id, visit_id=visit.id, start=start, carers=[carer]))
    for visit in unplaced:
        session.add(m.UnplacedVisit(plan_version_id=version.id, visit_id=visit.id,
                                    reason="no carer free 09:00-11:00"))
    session.commit()
    return version


def test_the_carers_day_shows_the_rast_where_the_route_leaves_room(
        coordinator_pages: TestClient, make: Any, team_a: m.Team, db_session: Session) -> None:
    carer = make.carer(team_a, travel_mode="walk")
    shift = make.shift(carer, DAY, 420, 930)
    shift.break_earliest, shift.break_latest, shift.break_minutes = 660, 780, 30
    citizen = make.citizen(team_a, lat=team_a.lat, lon=team_a.lon)  # next door to the base: no travel
    morning = make.visit(citizen, kind="morning", date=DAY, earliest=450, latest=540, duration=45)
    lunch = make.visit(citizen, kind="lunch", date=DAY, earliest=660, latest=720, duration=30)
    _accepted(db_session, team_a, [(morning, carer, 480), (lunch, carer, 660)], [])
    page = _text(coordinator_pages.get(f"/carers/{carer.id}/day", params={"date": DAY.isoformat()}).text)
    # Lunch until 11:30, then the rast from 11:30: the earliest start the route leaves room for.
    assert "11:30–12:00 Rast 30 min" in page
    assert "Rastfönster: 11:00–13:00, 30 min" in page
    printed = coordinator_pages.get(f"/carers/{carer.id}/korlista", params={"date": DAY.isoformat()})
    assert printed.status_code == 200
    assert "11:30–12:00 Rast 30 min" in _text(printed.text)


def test_the_carers_day_says_when_the_route_leaves_no_room_for_the_rast(
        coordinator_pages: TestClient, make: Any, team_a: m.Team, db_session: Session) -> None:
    carer = make.carer(team_a)
    shift = make.shift(carer, DAY, 420, 800)
    shift.break_earliest, shift.break_latest, shift.break_minutes = 660, 700, 30
    citizen = make.citizen(team_a, lat=team_a.lat, lon=team_a.lon)
    long_visit = make.visit(citizen, kind="shower", date=DAY, earliest=640, latest=660, duration=90)
    _accepted(db_session, team_a, [(long_visit, carer, 650)], [])
    page = _text(coordinator_pages.get(f"/carers/{carer.id}/day", params={"date": DAY.isoformat()}).text)
    assert "Körlistan lämnar ingen tid för rasten." in page


def test_the_unplaced_list_and_the_audit_show_the_prioritet(
        coordinator_pages: TestClient, make: Any, team_a: m.Team, db_session: Session,
        headers: dict[str, dict[str, str]]) -> None:
    carer = make.carer(team_a)
    make.shift(carer, DAY, 420, 930)
    citizen = make.citizen(team_a)
    morning = make.visit(citizen, kind="morning", date=DAY, earliest=450, latest=540, duration=45)
    cleaning = make.visit(citizen, kind="cleaning", date=DAY, earliest=540, latest=660, duration=60,
                          priority=3)
    shower = make.visit(citizen, kind="shower", date=DAY, earliest=540, latest=660, duration=45,
                        priority=2)
    version = _accepted(db_session, team_a, [(morning, carer, 480)], [cleaning, shower])
    rota = coordinator_pages.get(f"/teams/{team_a.id}/rota", params={"date": DAY.isoformat()})
    assert rota.status_code == 200
    unplaced = _text(rota.text.split('id="unplaced"')[1].split("</table>")[0])
    assert "Prioritet" in unplaced and "2 bör" in unplaced and "3 kan vänta" in unplaced
    assert unplaced.index("2 bör") < unplaced.index("3 kan vänta")
    figures = coordinator_pages.get("/api/audit/figures", headers=headers["coordinator"],
                                    params={"source": "plan", "plan_version": version.id})
    assert figures.status_code == 200, figures.text
    assert figures.json()["unplaced_by_priority"] == {"1": 0, "2": 1, "3": 1}
    audit = coordinator_pages.get("/audit", params={"month": "2026-12", "source": "plan",
                                                    "team": team_a.external_id})
    assert audit.status_code == 200, audit.text
    table = _text(audit.text.split('id="unplaced-by-priority"')[1].split("</table>")[0])
    assert "Oplacerade besök" in table and "1 måste 0" in table and "3 kan vänta 1" in table
