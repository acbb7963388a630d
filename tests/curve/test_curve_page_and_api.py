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
    # Beside the settings not run, a face budget of one carer more than the fewest faces gave (3.0).
    assert "med varje inställning som inte prövats (Balanserat, Högst 4 ansikten), 30 sekunder var" in sweep

    answer = client.post(f"/teams/{team_a.id}/runs/sweep", follow_redirects=False)
    assert answer.status_code == 303, answer.text
    started = _jobs(db_session)[2:]
    assert [(j.params["continuity"], j.params["sweep"], j.time_limit, j.start_date, j.end_date)
            for j in started] == [("balanced", True, 30.0, START, END), ("faces:4", True, 30.0, START, END)]
    runs = client.get(answer.headers["location"]).text
    assert "Den snabba jämförelsen har startat" in runs
    assert "Balanserat <span class=\"muted\">(snabb jämförelse)</span>" in runs

    again = client.post(f"/teams/{team_a.id}/runs/sweep")
    assert again.status_code == 409  # the team is being planned by the sweep: nothing more is started
    sweep_job = started[0].id
    assert (f"arbetslaget planeras redan (planering {sweep_job}); vänta tills den är klar eller avbryt den"
            in again.text)
    assert len(_jobs(db_session)) == 4


def test_a_team_with_one_kind_of_run_is_told_plainly_there_is_not_enough_to_say(
        client: TestClient, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> None:
    _finished_run(db_session, team_a, "fewest", 3.0, 42.0)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "en")
    page = client.get(f"/teams/{team_a.id}/runs").text
    assert "Not enough runs to say yet: the curve needs runs of at least two settings" in page
    assert "each setting not yet run (Balanced, Shorter driving time, Face budget: 4)" in page
    assert 'id="curve-chart"' not in page  # one point is no curve: the table and the sentence say it


def test_the_curve_and_the_sweep_through_the_api(
        client: TestClient, team_a: m.Team, team_b: m.Team, headers: dict[str, dict[str, str]],
        db_session: Session, queued_jobs: None) -> None:
    url = f"/api/teams/{team_a.id}/continuity-curve"
    empty = client.get(url, headers=headers["coordinator"]).json()
    assert (empty["verdict"], empty["points"]) == ("too-few", [])
    # Before any run, the sweep's face budget is half the monthly cap (12 unless set).
    assert empty["missing"] == ["fewest", "balanced", "travel", "faces:6"]
    assert empty["face_budget"] == "faces:6"
    r = client.post(f"{url}/sweep", json={}, headers=headers["coordinator"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "start"
    assert _jobs(db_session) == []

    r = client.post(f"{url}/sweep", json={"start": "2026-12-07", "end": "2027-01-03"},
                    headers=headers["coordinator"])
    assert r.status_code == 202, r.text
    assert [(j["continuity"], j["sweep"], j["status"]) for j in r.json()] == [
        ("fewest", True, "queued"), ("balanced", True, "queued"), ("travel", True, "queued"),
        ("faces:6", True, "queued")]
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
    assert (c["verdict"], c["hours_per_face"], c["missing"]) == ("saves", 4.0, ["faces:4"])
    assert [p["job_ids"] for p in c["points"]] == [[j.id] for j in made]
    assert c["accepted"] is None  # no run's draft was accepted


def _with_draft(session: Session, job: PlanJob, team: m.Team, status: str,
                inputs: dict[str, Any] | None = None) -> m.PlanVersion:
    plan = m.Plan(external_id=f"plan-{job.id}", name="December", start_date=START, end_date=END, teams=[team])
    version = m.PlanVersion(plan=plan, number=1, status=status, inputs=inputs or {"job_id": job.id})
    session.add(version)
    session.flush()
    job.plan_id, job.plan_version_id = plan.id, version.id
    session.commit()
    return version


def test_the_chart_shows_each_setting_and_rings_the_plan_the_team_accepted(
        client: TestClient, team_a: m.Team, users: dict[str, m.User], db_session: Session) -> None:
    _finished_run(db_session, team_a, "fewest", 3.0, 42.0)
    budget = _finished_run(db_session, team_a, "faces:4", 4.0, 38.0)
    _finished_run(db_session, team_a, "travel", 5.0, 35.0)
    _with_draft(db_session, budget, team_a, m.PLAN_ACCEPTED)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "en")
    page = client.get(f"/teams/{team_a.id}/runs").text
    chart = page[page.index('id="curve-chart"'):page.index("</figure>", page.index('id="curve-chart"'))]
    svg = chart[chart.index("<svg"):chart.index("</svg>")]
    assert 'role="img"' in svg and "<script" not in svg
    assert '<title id="curve-chart-title">Continuity against driving time</title>' in svg
    desc = svg[svg.index("<desc"):svg.index("</desc>")]
    assert ("Fewer faces: 3.00 different carers per citizen and month, 42.0 driving hours a week; "
            "Face budget: 4: 4.00 different carers per citizen and month, 38.0 driving hours a week; "
            "Shorter driving time: 5.00" in desc)
    assert "The accepted plan (Face budget: 4): 4.00 carers, 38.0 hours a week." in desc
    for label in ("Fewer faces", "Face budget: 4", "Shorter driving time", "Accepted plan",
                  "Different carers per citizen and month (mean)", "Driving hours a week"):
        assert f">{label}<" in svg.replace("\n", ""), label
    assert "The ring marks the plan the team accepted (Face budget: 4)." in chart
    assert 'id="curve"' in page  # the table stays, with the same figures
    # The team's face budget has a run: the sweep offers only the setting left.
    assert "each setting not yet run (Balanced)" in page


def test_a_re_plan_in_force_still_marks_the_run_its_plan_came_from(
        client: TestClient, team_a: m.Team, headers: dict[str, dict[str, str]], db_session: Session) -> None:
    fewest = _finished_run(db_session, team_a, "fewest", 3.0, 42.0)
    _finished_run(db_session, team_a, "travel", 5.0, 35.0)
    draft = _with_draft(db_session, fewest, team_a, m.PLAN_SUPERSEDED)
    db_session.add(m.PlanVersion(plan_id=draft.plan_id, number=2, status=m.PLAN_ACCEPTED,
                                 inputs={"base_version_id": draft.id}))
    db_session.commit()
    c = client.get(f"/api/teams/{team_a.id}/continuity-curve", headers=headers["coordinator"]).json()
    assert c["accepted"] == {"job_id": fewest.id, "setting": "fewest", "faces_mean": 3.0,
                             "driving_hours_week": 42.0}
