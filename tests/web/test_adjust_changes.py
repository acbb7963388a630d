"""The adjust page offers every change the API has: an absence of any kind, a changed shift, a substitute,
a cancelled visit (avbokning), a visit at another time; each is recorded as a pending change of the plan,
named in the coordinator's words, waiting for the same re-plan preview (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import core as m
from models.adjustments import Adjustment
from tests.conftest import Make
from tests.web.world import DAY, planned_team


def _post(client: TestClient, team: m.Team, kind: str, form: dict[str, Any]) -> Any:
    return client.post(f"/teams/{team.id}/adjust/{kind}", data=form, follow_redirects=True)


def test_every_change_of_the_api_is_recorded_from_the_page_in_the_trades_words(
    coordinator_browser: TestClient, make: Make, db_session: Session, team_a: m.Team
) -> None:
    plan, carer, citizen = planned_team(make, db_session, team_a)
    coordinator_browser.cookies.set("lang", "sv")
    base = {"plan_id": str(plan.id)}
    day = (DAY + dt.timedelta(days=1)).isoformat()

    forms = [
        ("sick", {"carer": carer.id, "absence": "vacation", "date_from": day, "date_to": day,
                  "reason": "Kanarieöarna"}),
        ("shift", {"carer": carer.id, "date": day, "earliest": "09:00", "latest": "13:00"}),
        ("substitute", {"name": "Lisa Vik", "instead_of": carer.id, "date_from": day, "date_to": day,
                        "earliest": "07:00", "latest": "15:30", "skills": ["lift"]}),
        ("cancel", {"citizen": citizen.id, "date": day, "need": "morning"}),
        ("window", {"citizen": citizen.id, "date": DAY.isoformat(), "need": "morning", "earliest": "10:00",
                    "latest": "11:00"}),
    ]
    answers = [_post(coordinator_browser, team_a, kind, {**base, **form}) for kind, form in forms]

    assert [a.status_code for a in answers] == [200] * 5
    stored = list(db_session.scalars(select(Adjustment).where(Adjustment.plan_id == plan.id)
                                     .order_by(Adjustment.id)))
    kinds = ["carer_absent", "shift_set", "carer_add", "visit_cancel", "visit_window"]
    assert [a.kind for a in stored] == kinds
    assert stored[0].reason == "Semester: Kanarieöarna"
    assert stored[1].change["shifts"] == [{"start": 540, "end": 780}]
    assert stored[2].change["carer"]["id"] == "Lisa Vik" and stored[2].reason == "Vikarie för Anna Berg"
    assert stored[2].change["carer"]["skills"] == ["lift"]
    assert (stored[4].change["earliest"], stored[4].change["latest"]) == (600, 660)
    page = answers[-1].text
    for label in ("Frånvaro", "Ändrat pass", "Vikarie", "Avbokning", "Flytta besökets tid"):
        assert f"<td>{label}</td>" in page
    assert "Lisa Vik" in page and "Greta Holm · Morgonhjälp" in page


def test_a_change_the_plan_cannot_take_comes_back_in_swedish_naming_the_field(
    coordinator_browser: TestClient, make: Make, db_session: Session, team_a: m.Team
) -> None:
    plan, carer, citizen = planned_team(make, db_session, team_a)
    coordinator_browser.cookies.set("lang", "sv")

    no_visit = _post(coordinator_browser, team_a, "cancel", {"plan_id": plan.id, "citizen": citizen.id,
                                                             "date": DAY.isoformat(), "need": "shower"})
    no_name = _post(coordinator_browser, team_a, "substitute", {"plan_id": plan.id, "name": " ",
                                                                "date_from": DAY.isoformat(),
                                                                "earliest": "07:00", "latest": "15:00"})

    assert no_visit.status_code == 422 and "Insats: det finns inget sådant besök den dagen" in no_visit.text
    assert no_name.status_code == 422 and "Namn: skriv vikariens namn" in no_name.text
    assert db_session.scalars(select(Adjustment)).first() is None
