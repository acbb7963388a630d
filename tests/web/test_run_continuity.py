"""The plan-run page: a team chooses how continuity weighs against driving time, in its own words, and
sees on the list of runs which choice each plan was made with (the job is stored, not run)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import core as m
from models.jobs import PlanJob

FORM = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": "30"}


def _jobs(session: Session) -> list[PlanJob]:
    return list(session.scalars(select(PlanJob).order_by(PlanJob.id)))


def test_a_coordinator_chooses_shorter_driving_time_and_the_run_keeps_the_choice(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    page = coordinator_browser.get(f"/teams/{team_a.id}/runs").text
    choice = page[page.index('<select id="run-continuity"'):page.index("</select>")]
    assert "Färre ansikten" in choice and "Balanserat" in choice and "Kortare körtid" in choice
    assert '<option value="fewest" selected>' in choice  # the fewest faces unless the team chooses

    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data={**FORM, "continuity": "travel"},
                                      follow_redirects=False)
    assert answer.status_code == 303
    job = _jobs(db_session)[-1]
    assert job.params["continuity"] == "travel"
    runs = coordinator_browser.get(f"/teams/{team_a.id}/runs").text
    table = runs[runs.index('id="runs"'):]
    assert "Kontinuitet mot körtid" in table and "Kortare körtid" in table


def test_a_run_started_without_a_choice_plans_for_the_fewest_faces(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=FORM, follow_redirects=False)
    assert answer.status_code == 303
    assert _jobs(db_session)[-1].params["continuity"] == "fewest"


def test_a_forged_continuity_setting_gets_the_form_back_naming_it_and_no_job(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data={**FORM, "continuity": "fastest"})
    assert answer.status_code == 422
    assert ("Kontinuitet mot körtid: &#39;fastest&#39; är ingen kontinuitetsinställning: "
            "välj färre ansikten, balanserat eller kortare körtid") in answer.text
    assert _jobs(db_session) == []
