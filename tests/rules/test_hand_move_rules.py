"""A coordinator moves a visit by hand: a move that puts the lunch too close to the morning visit, or that
leaves the carer no room for her break, is refused with the rule named; one that keeps both is made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from models import core as m
from solver import types as st

DAY = dt.date(2026, 12, 7)


def _day_with_rules(make: Any, session: Session, team: m.Team) -> dict[str, Any]:
    """One carer 07:00-15:30 with a break starting 13:00-13:40; two citizens next door to the base (no
    travel); the lunch spaced 3-5 hours after the morning visit ends; a shower left unplaced."""
    carer = make.carer(team)
    shift = make.shift(carer, DAY, 420, 930)
    shift.break_earliest, shift.break_latest, shift.break_minutes = 780, 820, 30
    anna = make.citizen(team, lat=team.lat, lon=team.lon)
    bo = make.citizen(team, lat=team.lat, lon=team.lon)
    morning_need = make.need(anna, kind="morning", valid_from=DAY, earliest=450, latest=540, duration=30)
    lunch_need = make.need(anna, kind="lunch", valid_from=DAY, earliest=630, latest=760, duration=45,
                           spaced_from_id=morning_need.id, min_gap=180, max_gap=300)
    morning = make.visit(anna, kind="morning", date=DAY, earliest=450, latest=540, duration=30,
                         need_id=morning_need.id)
    lunch = make.visit(anna, kind="lunch", date=DAY, earliest=630, latest=760, duration=45,
                       need_id=lunch_need.id)
    shower = make.visit(bo, kind="shower", date=DAY, earliest=780, latest=800, duration=45)
    plan = st.Plan(assignments=[st.Assignment(morning.external_id, (carer.external_id,), 480),
                                st.Assignment(lunch.external_id, (carer.external_id,), 720)],
                   unplaced=[st.Unplaced(shower.external_id, "no carer free")])
    version = store_plan_version(session, team_ids=[team.id], start=DAY, end=DAY, plan=plan)
    accept_plan_version(session, version=version, user=None)
    session.commit()
    return {"plan": version.plan, "carer": carer.external_id, "lunch": lunch.external_id,
            "shower": shower.external_id}


def test_a_lunch_moved_too_close_to_the_morning_visit_is_refused_as_spacing(
        client: TestClient, headers: dict[str, dict[str, str]], make: Any, team_a: m.Team,
        db_session: Session) -> None:
    day = _day_with_rules(make, db_session, team_a)
    url = f"/api/plans/{day['plan'].id}/moves"
    too_soon = {"visit": day["lunch"], "carers": [day["carer"]], "start": 660}
    refused = client.post(url, json=too_soon, headers=headers["coordinator"])
    assert refused.status_code == 422, refused.text
    assert {e["rule"] for e in refused.json()["detail"]} == {"spacing"}
    assert {e["loc"][-1] for e in refused.json()["detail"]} == {"start"}
    later = client.post(url, json={**too_soon, "start": 700}, headers=headers["coordinator"])
    assert later.status_code == 200, later.text


def test_a_shower_that_takes_the_carers_break_is_refused_as_break(
        client: TestClient, headers: dict[str, dict[str, str]], make: Any, team_a: m.Team,
        db_session: Session) -> None:
    day = _day_with_rules(make, db_session, team_a)
    body = {"visit": day["shower"], "carers": [day["carer"]], "start": 790}
    check = client.post(f"/api/plans/{day['plan'].id}/moves/check", json=body, headers=headers["coordinator"])
    assert check.status_code == 200 and check.json()["rules"] == ["break"]
    refused = client.post(f"/api/plans/{day['plan'].id}/moves", json=body, headers=headers["coordinator"])
    assert refused.status_code == 422 and "break" in refused.text
