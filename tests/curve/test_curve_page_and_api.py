"""The plan-run page shows a team its own curve from the runs it has made, in plain words, and starts a
quick sweep of the settings it has not run: a short plan job each, listed as any other run (the jobs
are stored, not run). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import create_access_token
from app.web.session_cookie import SESSION_COOKIE
from models import core as m
from models.jobs import PlanJob, PlanJobPart

START, END = dt.date(2026, 12, 7), dt.date(2027, 1, 3)  # four weeks


def _finished_run(session: Session, team: m.Team, setting: str, faces: float, hours_a_week: float) -> PlanJob:
    job = PlanJob(status="succeeded", team_ids=[team.id], start_date=START, end_date=END, time_limit=30,
                  params={"continuity": setting, "continuity_from": "run"},
                  figures={"placed": 900, "unplaced": 0, "distinct_carers_month_mean": faces,
                           "distinct_carers_month_max": faces + 2, "travel_minutes": hours_a_week * 60 * 4,
                           "contact_share": 0.4, "start_spread_minutes": 11.0,
                           "distinct_carers_14d_mean": 3.0})
    job.parts = [PlanJobPart(seq=0, team_id=team.id, status="succeeded")]
    session.add(job)
    session.commit()
    return job


def _jobs(session: Session) -> list[PlanJob]:
    return list(session.scalars(select(PlanJob).order_by(PlanJob.id)))


def test_a_team_sees_what_one_more_carer_saves_in_driving_and_sweeps_the_setting_it_has_not_run(
        client: TestClient, team_a: m.Team, users: dict[str, m.User], db_session: Session,
        queued_jobs: None) -> None:
    _finished_run(db_session, team_a, "fewest", 3.0, 42.0)
    _finished_run(db_session, team_a, "travel", 5.0, 35.0)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    page = client.get(f"/teams/{team_a.id}/runs").text
    curve = page[page.index('id="curve"'):page.index("</table>", page.index('id="curve"'))]
    assert curve.index('data-setting="fewest"') < curve.index('data-setting="travel"')
    assert "<td>Färre ansikten</td><td class=\"num\">3,0 / 5</td>" in curve
    assert "42,0" in curve and "35,0" in curve
    assert ("En medarbetare till per brukare och månad sparar ungefär 3,5 timmar körtid i veckan."
            in page)
    sweep = page[page.index('id="sweep"'):]
    assert "med varje inställning som inte prövats (Balanserat), 30 sekunder var" in sweep

    answer = client.post(f"/teams/{team_a.id}/runs/sweep", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    started = _jobs(db_session)[2:]
    assert [(j.params["continuity"], j.params["sweep"], j.time_limit, j.start_date, j.end_date)
            for j in started] == [("balanced", True, 30.0, START, END)]
    runs = client.get(answer.headers["location"]).text
    assert "Den snabba jämförelsen har startat" in runs
    assert "Balanserat <span class=\"muted\">(snabb jämförelse)</span>" in runs

    again = client.post(f"/teams/{team_a.id}/runs/sweep")
    assert again.status_code == 409  # the team is being planned by the sweep: nothing more is started
    sweep_job = started[0].id
    assert (f"arbetslaget planeras redan (planering {sweep_job}); vänta tills den är klar eller avbryt den"
            in again.text)
    assert len(_jobs(db_session)) == 3


def test_a_team_with_one_kind_of_run_is_told_plainly_there_is_not_enough_to_say(
        client: TestClient, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> None:
    _finished_run(db_session, team_a, "fewest", 3.0, 42.0)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "en")
    page = client.get(f"/teams/{team_a.id}/runs").text
    assert "Not enough runs to say yet: the curve needs runs of at least two settings" in page
    assert "each setting not yet run (Balanced, Shorter driving time)" in page


def test_the_curve_and_the_sweep_through_the_api(
        client: TestClient, team_a: m.Team, team_b: m.Team, headers: dict[str, dict[str, str]],
        db_session: Session, queued_jobs: None) -> None:
    url = f"/api/teams/{team_a.id}/continuity-curve"
    empty = client.get(url, headers=headers["coordinator"]).json()
    assert (empty["verdict"], empty["points"]) == ("too-few", [])
    assert empty["missing"] == ["fewest", "balanced", "travel"]
    r = client.post(f"{url}/sweep", json={}, headers=headers["coordinator"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "start"
    assert _jobs(db_session) == []

    r = client.post(f"{url}/sweep", json={"start": "2026-12-07", "end": "2027-01-03"},
                    headers=headers["coordinator"])
    assert r.status_code == 202, r.text
    assert [(j["continuity"], j["sweep"], j["status"]) for j in r.json()] == [
        ("fewest", True, "queued"), ("balanced", True, "queued"), ("travel", True, "queued")]
    for j in r.json():  # each followed as any job
        assert client.get(f"/api/plan-jobs/{j['id']}", headers=headers["coordinator"]).status_code == 200

    assert client.get(url, headers=headers["member"]).status_code == 403
    assert client.post(f"{url}/sweep", json={}, headers=headers["member"]).status_code == 403
    assert client.get(f"/api/teams/{team_b.id}/continuity-curve",
                      headers=headers["coordinator"]).status_code == 404


def test_the_api_curve_reads_the_runs_made(
        client: TestClient, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session) -> None:
    made: list[Any] = [_finished_run(db_session, team_a, s, f, h)
                       for s, f, h in (("fewest", 3.0, 42.0), ("balanced", 4.0, 40.0), ("travel", 5.0, 34.0))]
    c = client.get(f"/api/teams/{team_a.id}/continuity-curve", headers=headers["auditor"]).json()
    assert (c["verdict"], c["hours_per_face"], c["missing"]) == ("saves", 4.0, [])
    assert [p["job_ids"] for p in c["points"]] == [[j.id] for j in made]
