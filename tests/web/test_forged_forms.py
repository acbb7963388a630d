"""A page on another site cannot make a logged-in coordinator's browser change the plan: its form posts
are refused by their Origin (or Referer) header, the team's own pages still work (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.main import app
from app.security import SESSION_COOKIE
from app.web.origin import SameOriginWrites
from models import core as m
from models.jobs import PlanJob
from tests.conftest import auth_headers

RUN = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": "30", "seed": "0", "steps": ""}


def _jobs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PlanJob)) or 0


@pytest.mark.parametrize("sender", [{"origin": "https://evil.example"},
                                    {"referer": "https://evil.example/page.html"},
                                    {"origin": "null"}])
def test_a_form_posted_from_another_site_is_refused_and_starts_no_run(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session, sender: dict[str, str]) -> None:
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=RUN, headers=sender,
                                      follow_redirects=False)
    assert answer.status_code == 403
    assert "another site" in answer.text
    assert _jobs(db_session) == 0


def test_the_teams_own_page_sends_the_same_form_and_the_run_starts(
        coordinator_browser: TestClient, team_a: m.Team, db_session: Session) -> None:
    answer = coordinator_browser.post(f"/teams/{team_a.id}/runs", data=RUN, follow_redirects=False,
                                      headers={"origin": "http://testserver",
                                               "referer": f"http://testserver/teams/{team_a.id}/runs"})
    assert answer.status_code == 303
    assert _jobs(db_session) == 1


def test_logging_in_from_another_sites_form_is_refused(client: TestClient, users: dict[str, m.User]) -> None:
    answer = client.post("/login", data={"username": "coord-a", "password": "x"},
                         headers={"origin": "https://evil.example"}, follow_redirects=False)
    assert answer.status_code == 403
    assert SESSION_COOKIE not in answer.cookies


def test_api_calls_with_a_bearer_token_and_reads_are_not_a_forgery(
        client: TestClient, users: dict[str, m.User], team_a: m.Team) -> None:
    # No browser sends a bearer token on its own; a script may well send an Origin.
    token = auth_headers(users["coordinator"])
    answer = client.post("/api/plans", headers={**token, "origin": "https://tool.example"},
                         json={"team_ids": [team_a.id], "start_date": "2026-12-01", "end_date": "2026-12-07"})
    assert answer.status_code == 201, answer.text
    assert client.get("/login", headers={"origin": "https://evil.example"}).status_code == 200


def test_a_host_named_in_the_settings_may_send_the_forms() -> None:
    guard = SameOriginWrites(app, allowed_origins=["https://plan.example.se"])
    post = {"type": "http", "method": "POST"}

    def headers(**h: str) -> list[tuple[bytes, bytes]]:
        return [(k.encode(), v.encode()) for k, v in h.items()]

    assert guard._same_site({**post, "headers": headers(host="10.0.0.5:8000", origin="https://plan.example.se")})
    assert not guard._same_site({**post, "headers": headers(host="10.0.0.5:8000", origin="https://x.example")})
    assert guard._same_site({**post, "headers": headers(host="10.0.0.5:8000")})  # a script, no browser
