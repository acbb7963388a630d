"""The plan-run form: a team can ask for a seed and a number of steps, as the API and the CLI can, so a
draft can be made again exactly (runs on SQLite and PostgreSQL; the job is stored, not run)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import core as m
from models.jobs import PlanJob


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
    assert "steps must be between 1 and" in answer.text
    assert 'value="0"' in answer.text  # the form comes back as it was sent
    assert _jobs(db_session) == []
