"""The plan-run page: a team chooses how continuity weighs against driving time, in its own words, and
sees on the list of runs which choice each plan was made with (the job is stored, not run)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import core as m
from models.jobs import PlanJob
from models.team_settings import TeamSettings

FORM = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": "30"}


def _jobs(session: Session) -> list[PlanJob]:
    return list(session.scalars(select(PlanJob).order_by(PlanJob.id)))


def test_a_coordinator_chooses_shorter_driving_time_and_the_run_keeps_the_choice(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    page = coordinator_browser.get(f"/teams/{team_a.id}/runs").text
    choice = page[page.index('<select id="run-continuity"'):page.index("</select>")]
    assert "Färre ansikten" in choice and "Balanserat" in choice and "Kortare körtid" in choice
    # Unless the run chooses, the team's own setting: the fewest faces for a team that never chose.
    assert '<option value="" selected>Arbetslagets inställning: Färre ansikten</option>' in choice

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


def test_a_coordinator_makes_shorter_driving_time_the_teams_setting_and_the_next_run_uses_it(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    answer = coordinator_browser.post(f"/teams/{team_a.id}/settings/continuity",
                                      data={"continuity": "travel", "version": "0"}, follow_redirects=False)
    assert answer.status_code == 303
    page = coordinator_browser.get(answer.headers["location"]).text
    assert "Arbetslagets kontinuitetsinställning är sparad" in page
    assert '<option value="" selected>Arbetslagets inställning: Kortare körtid</option>' in page
    assert coordinator_browser.post(f"/teams/{team_a.id}/runs", data=FORM,
                                    follow_redirects=False).status_code == 303
    job = _jobs(db_session)[-1]
    assert (job.params["continuity"], job.params["continuity_from"]) == ("travel", "team")
    runs = coordinator_browser.get(f"/teams/{team_a.id}/runs").text
    table = runs[runs.index('id="runs"'):]
    assert "Kortare körtid <span class=\"muted\">(arbetslagets inställning)</span>" in table


def test_a_forged_team_setting_gets_the_form_back_naming_it_and_nothing_changes(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    answer = coordinator_browser.post(f"/teams/{team_a.id}/settings/continuity",
                                      data={"continuity": "fastest"})
    assert answer.status_code == 422
    assert "&#39;fastest&#39; är ingen kontinuitetsinställning" in answer.text
    assert db_session.get(TeamSettings, team_a.id) is None


def test_a_team_setting_saved_from_an_old_page_is_refused_with_a_conflict(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    url = f"/teams/{team_a.id}/settings/continuity"
    assert coordinator_browser.post(url, data={"continuity": "travel", "version": "0"},
                                    follow_redirects=False).status_code == 303
    again = coordinator_browser.post(url, data={"continuity": "balanced", "version": "0"})
    assert again.status_code == 409
    assert "någon annan har ändrat detta under tiden" in again.text
    assert db_session.get_one(TeamSettings, team_a.id).continuity == "travel"
