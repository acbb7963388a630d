"""A coordinator asks where a new citizen fits, then plans the weeks with that proposal in one click (a
draft to review and accept as usual); or asks before saving the citizen at all, from the new-citizen form
or the API with the needs in the body. Nothing is stored by asking."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.jobs.execute import default_build_problem
from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from models.jobs import PlanJob
from solver import SolveParams, solve
from tests.conftest import Make
from tests.web.test_candidates_page import DAY, _astrids_lunch_unplaced


def _greta(make: Make, team: m.Team, session: Session) -> m.Citizen:
    """Greta starts on DAY with a morning visit at 10:00-11:00; the team works days only."""
    _astrids_lunch_unplaced(make, team, session)
    greta = make.citizen(team, name="Greta Berg")
    make.visit(greta, kind="morning", date=DAY, earliest=600, latest=660, duration=30)
    session.flush()
    return greta


def _bearer(user: m.User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(user)}"}


def test_one_click_plans_the_weeks_from_the_start_with_the_fit_as_the_starting_point(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team, db_session: Session,
        queued_jobs: None) -> None:
    greta = _greta(make, team_a, db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    page = client.get(f"/citizens/{greta.id}/fit", params={"start": DAY.isoformat(), "weeks": 1}).text
    assert 'id="fit-replan"' in page and "Planera veckorna från" in page
    api = client.get(f"/api/citizens/{greta.id}/fit", params={"start": DAY.isoformat(), "weeks": 1},
                     headers=_bearer(users["coordinator"])).json()
    proposed = api["visits_detail"][0]
    assert proposed["carers"] and api["distinct_carers"] == 1 and api["faces_bound"] == 1

    clicked = client.post(f"/citizens/{greta.id}/fit/plan", data={"start": DAY.isoformat(), "weeks": "1"},
                          follow_redirects=False)
    assert clicked.status_code == 303 and clicked.headers["location"].startswith("/runs/")
    job = db_session.get(PlanJob, int(clicked.headers["location"].rsplit("/", 1)[1]))
    assert job is not None and job.status == "queued" and job.team_ids == [team_a.id]
    assert (job.start_date, job.end_date) == (DAY, DAY + dt.timedelta(days=6))
    assert {"visit": proposed["visit"], "carers": proposed["carers"], "start": proposed["start"]} in \
        job.params["prefer"]

    # What the job plans: the team's weeks, starting from the proposal; its draft keeps Greta's morning.
    problem = default_build_problem(db_session, team_ids=job.team_ids, start=job.start_date,
                                    end=job.end_date, job=job)
    assert any(a.visit == proposed["visit"] and list(a.carers) == proposed["carers"] for a in problem.current)
    draft = solve(problem, SolveParams(time_limit=30, seed=0, max_iterations=5))
    assert {a.visit: list(a.carers) for a in draft.assignments}[proposed["visit"]] == proposed["carers"]

    client.cookies.set(SESSION_COOKIE, create_access_token(users["member"]))
    assert client.post(f"/citizens/{greta.id}/fit/plan", data={"start": DAY.isoformat()}).status_code == 403


def test_the_api_starts_the_same_plan_job_and_answers_202(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team, db_session: Session,
        queued_jobs: None) -> None:
    greta = _greta(make, team_a, db_session)
    r = client.post(f"/api/citizens/{greta.id}/fit/plan", params={"start": DAY.isoformat(), "weeks": 1},
                    headers=_bearer(users["coordinator"]))
    assert r.status_code == 202, r.text
    assert r.json()["kind"] == "plan" and r.json()["team_ids"] == [team_a.id]
    assert client.post(f"/api/citizens/{greta.id}/fit/plan", headers=_bearer(users["member_b"])).status_code \
        in (403, 404)


def _counts(session: Session) -> tuple[int, int, int]:
    return (session.scalar(select(func.count()).select_from(m.Citizen)) or 0,
            session.scalar(select(func.count()).select_from(m.Visit)) or 0,
            session.scalar(select(func.count()).select_from(m.Need)) or 0)


def test_a_citizen_not_saved_yet_is_fitted_from_the_needs_in_the_body_and_nothing_is_stored(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team, team_b: m.Team,
        db_session: Session) -> None:
    _astrids_lunch_unplaced(make, team_a, db_session)
    outsider = make.carer(team_b, external_id="TB-c9", name="Other Team")
    db_session.flush()
    before = _counts(db_session)
    morning: dict[str, Any] = {"kind": "morning", "weekdays": [DAY.weekday()], "earliest": 600,
                               "latest": 660, "duration": 30}
    body: dict[str, Any] = {"lat": 62.3915, "lon": 17.3015, "start": DAY.isoformat(), "weeks": 1,
            "needs": [morning,
                      {"kind": "evening", "weekdays": [DAY.weekday()], "earliest": 1200, "latest": 1260,
                       "duration": 30}]}
    r = client.post(f"/api/teams/{team_a.id}/fit", json=body, headers=_bearer(users["coordinator"]))
    assert r.status_code == 200, r.text
    fit = r.json()
    assert fit["citizen_id"] is None and fit["visits"] == 2 and fit["placed"] == 1 and not fit["fits"]
    evening = next(v for v in fit["visits_detail"] if v["need"] == "evening")
    assert evening["carers"] == [] and {n["why"] for n in evening["not_offered"]} == {"off"}
    assert _counts(db_session) == before

    bad_day = {**body, "needs": [{**morning, "weekdays": [9]}]}
    r = client.post(f"/api/teams/{team_a.id}/fit", json=bad_day, headers=_bearer(users["coordinator"]))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:4] == ["body", "needs", 0, "weekdays"]
    backwards = {**body, "needs": [{**morning, "earliest": 700, "latest": 600}]}
    r = client.post(f"/api/teams/{team_a.id}/fit", json=backwards, headers=_bearer(users["coordinator"]))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == ["body", "needs", 0]
    foreign = {**body, "avoid_carer_ids": [outsider.id]}
    r = client.post(f"/api/teams/{team_a.id}/fit", json=foreign, headers=_bearer(users["coordinator"]))
    assert r.status_code == 422 and "avoid_carer_ids" in r.json()["detail"][0]["loc"]
    assert client.post(f"/api/teams/{team_a.id}/fit", json=body, headers=_bearer(users["member"])
                       ).status_code == 403
    assert client.post(f"/api/teams/{team_b.id}/fit", json=body, headers=_bearer(users["coordinator"])
                       ).status_code == 404
    assert _counts(db_session) == before


def test_the_new_citizen_form_asks_where_the_needs_fit_before_registering(
        client: TestClient, users: dict[str, m.User], make: Make, team_a: m.Team,
        db_session: Session) -> None:
    _astrids_lunch_unplaced(make, team_a, db_session)
    before = _counts(db_session)
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    form = client.get(f"/teams/{team_a.id}/citizens/new").text
    assert 'id="fit-ask-button"' in form and f'formaction="/teams/{team_a.id}/citizens/new/fit"' in form
    asked = {"name": "", "lat": "62.3915", "lon": "17.3015", "fit_start": DAY.isoformat(), "fit_weeks": "1",
             "need0_kind": "evening", "need0_weekdays": [str(DAY.weekday())], "need0_earliest": "20:00",
             "need0_latest": "21:00", "need0_duration": "30"}
    r = client.post(f"/teams/{team_a.id}/citizens/new/fit", data=asked)
    assert r.status_code == 200
    assert "Var passar den nya brukaren in?" in r.text and "Inget sparas" in r.text
    assert "Passar inte: 1 av 1 besök har ingen ledig medarbetare." in r.text
    assert "arbetar inte den tiden" in r.text[r.text.index('id="fit-missing"'):]
    no_need = {**asked, "need0_kind": ""}
    r = client.post(f"/teams/{team_a.id}/citizens/new/fit", data=no_need)
    assert r.status_code == 422 and "need0_kind" in r.text
    too_long = {**asked, "need0_kind": "e" * 101}  # longer than any saved need's kind may be
    r = client.post(f"/teams/{team_a.id}/citizens/new/fit", data=too_long)
    assert r.status_code == 422 and "need0_kind" in r.text
    assert _counts(db_session) == before
