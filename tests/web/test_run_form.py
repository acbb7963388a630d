"""The plan-run form: a team can ask for a seed and a number of steps, as the API and the CLI can, so a
draft can be made again exactly (runs on SQLite and PostgreSQL; the job is stored, not run)."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import find_or_create_plan
from models import core as m
from models.jobs import JOB_SUCCEEDED, PlanJob, PlanJobPart


def _jobs(session: Session) -> list[PlanJob]:
    return list(session.scalars(select(PlanJob).order_by(PlanJob.id)))


def test_a_team_starts_a_run_with_a_seed_and_steps_and_the_job_keeps_both(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    form = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": "30", "seed": "3", "steps": "40"}
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=form, follow_redirects=False)
    assert answer.status_code == 303
    job = _jobs(db_session)[-1]
    assert answer.headers["location"] == f"/runs/{job.id}"
    assert (job.seed, job.params.get("steps")) == (3, 40)

    # One run at a time per team: this one is cancelled first. Left blank, the steps are the clock's
    # business, and the seed is 0.
    assert coordinator_browser.post(f"/runs/{job.id}/cancel", follow_redirects=False).status_code == 303
    blank = {**form, "seed": "", "steps": ""}
    assert coordinator_browser.post(f"/teams/{team_a.id}/runs", data=blank,
                                    follow_redirects=False).status_code == 303
    job = _jobs(db_session)[-1]
    assert (job.seed, job.params.get("steps")) == (0, None)


def test_steps_out_of_range_get_the_form_back_naming_them_and_no_job(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    form = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": "30", "seed": "0", "steps": "0"}
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=form)
    assert answer.status_code == 422
    assert "Steg per arbetslag (tomt: tidsgränsen avgör): antalet steg ska vara mellan 1 och" in answer.text
    assert 'value="0"' in answer.text  # the form comes back as it was sent
    assert _jobs(db_session) == []


def test_a_run_for_year_9999_gets_the_form_back_in_swedish_naming_the_end_and_no_job(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    form = {"start": "2026-12-01", "end": "9999-12-31", "time_limit": "30", "seed": "0", "steps": ""}
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=form)
    assert answer.status_code == 422
    assert "ange ett datum mellan 2000-01-01 och 2099-12-31" in answer.text
    assert _jobs(db_session) == []


def test_a_coordinator_plans_the_next_period_without_opening_advanced(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    coordinator_browser.cookies.set("lang", "sv")
    page = coordinator_browser.get(f"/teams/{team_a.id}/runs").text
    assert "Planera perioden" in page and "Målvärde" not in page
    advanced = page[page.index('<details id="advanced">'):page.index("</details>")]
    assert "Slumpfrö" in advanced and "Tidsgräns" in advanced  # the planner's knobs only under Avancerat
    first = re.search(r'id="run-start" name="start" value="([\d-]+)"', page)
    last = re.search(r'id="run-end" name="end" value="([\d-]+)"', page)
    assert first and last
    start, end = dt.date.fromisoformat(first.group(1)), dt.date.fromisoformat(last.group(1))
    assert start.weekday() == 0 and (end - start).days == 27 and start > dt.date.today()

    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data={"start": first.group(1),
                                                                         "end": last.group(1)})

    assert answer.status_code == 200  # followed to the run's page
    job = _jobs(db_session)[-1]
    assert (job.start_date, job.end_date, job.seed, job.params.get("steps")) == (start, end, 0, None)
    assert f"v. {start.isocalendar().week}–{end.isocalendar().week}" in answer.text


def test_a_finished_plan_is_described_in_care_terms_never_the_raw_objective(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    figures = {"placed": 412, "unplaced": 3, "distinct_carers_month_mean": 4.26,
               "distinct_carers_month_max": 7, "distinct_carers_14d_mean": 3.5, "travel_minutes": 1830.0,
               "contact_share": 0.418}
    job = PlanJob(team_ids=[team_a.id], start_date=dt.date(2026, 11, 30), end_date=dt.date(2026, 12, 27),
                  time_limit=30, status="succeeded", objective=123456.789, figures=figures)
    db_session.add(job)
    db_session.flush()
    db_session.add(PlanJobPart(job_id=job.id, seq=0, team_id=team_a.id, status="succeeded"))
    db_session.commit()
    coordinator_browser.cookies.set("lang", "sv")

    page = coordinator_browser.get(f"/teams/{team_a.id}/runs").text

    row = re.sub(r"<[^>]+>", " ", page[page.index('<table class="data" id="runs">'):])
    assert "v. 49–52" in row and "412 av 415" in row and "4,3 / 7" in row and "42 %" in row
    assert "30,5" in row and "3,5" in row  # driving hours and the 14-day measure, with a decimal comma
    assert "123456" not in page and "Målvärde" not in page


def test_a_runs_draft_is_accepted_once_and_a_second_click_is_refused_naming_why(
        coordinator_browser: TestClient, team_a: m.Team, users: dict[str, m.User],
        db_session: Session) -> None:
    start, end = dt.date(2026, 12, 1), dt.date(2026, 12, 7)
    plan = find_or_create_plan(db_session, team_ids=[team_a.id], start=start, end=end)
    draft = m.PlanVersion(plan_id=plan.id, number=1)
    db_session.add(draft)
    db_session.flush()
    job = PlanJob(team_ids=[team_a.id], start_date=start, end_date=end, time_limit=30, status=JOB_SUCCEEDED,
                  plan_id=plan.id, plan_version_id=draft.id, created_by_id=users["coordinator"].id)
    db_session.add(job)
    db_session.flush()

    accepted = coordinator_browser.post(f"/runs/{job.id}/accept", follow_redirects=False)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/teams/{team_a.id}/rota?date=2026-12-01&done=accepted"
    db_session.refresh(draft)
    assert draft.status == m.PLAN_ACCEPTED and draft.accepted_by_id == users["coordinator"].id

    again = coordinator_browser.post(f"/runs/{job.id}/accept", follow_redirects=False)
    assert again.status_code == 409
    assert "version 1 is accepted, not a draft" in again.text
