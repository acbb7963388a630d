"""Guessing passwords gets slow, then stops: after a few failed sign-ins each try waits longer, then the
user name (or the address trying many names) is locked for a while with a clear message, logged with
its end. A password an admin set must be changed by its owner before anything else."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, create_access_token
from app.services import logins
from app.settings import get_settings
from models import core as m
from tests.conftest import PASSWORD

NEW_PASSWORD = "tallbarr-kaffe-indalsälven"
T0 = dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC)


def _token(client: TestClient, username: str, password: str) -> int:
    return client.post("/api/auth/token", data={"username": username, "password": password}).status_code


def test_a_few_failures_slow_the_next_try_doubling_each_time(db_session: Session) -> None:
    free = get_settings().login_free_failures
    for i in range(free):
        assert logins.throttled(db_session, username="anna", address="10.0.0.1", now=T0) is None
        logins.record_failure(db_session, username="anna", address="10.0.0.1",
                              now=T0 + dt.timedelta(seconds=i))
    last = T0 + dt.timedelta(seconds=free - 1)
    wait = logins.throttled(db_session, username="Anna ", address="10.0.0.9", now=last)
    assert wait is not None and not wait.locked and wait.until == last + dt.timedelta(seconds=1)
    assert logins.throttled(db_session, username="anna", address="10.0.0.1", now=wait.until) is None
    logins.record_failure(db_session, username="anna", address="10.0.0.1", now=wait.until)
    again = logins.throttled(db_session, username="anna", address="10.0.0.1", now=wait.until)
    assert again is not None and again.until == wait.until + dt.timedelta(seconds=2)


def test_the_lock_ends_by_itself_and_its_start_and_end_are_logged(
        db_session: Session, users: dict[str, m.User], caplog: pytest.LogCaptureFixture) -> None:
    settings = get_settings()
    member = users["member"]
    caplog.set_level(logging.WARNING, logger="app.security")
    for i in range(settings.login_lock_after):
        logins.record_failure(db_session, username=member.username, address="10.0.0.1",
                              now=T0 + dt.timedelta(seconds=10 * i))
    last = T0 + dt.timedelta(seconds=10 * (settings.login_lock_after - 1))
    lock = logins.throttled(db_session, username=member.username, address="10.0.0.2", now=last)
    assert lock is not None and lock.locked
    assert lock.until == last + dt.timedelta(minutes=settings.login_lock_minutes)
    assert f"sign-in locked for user {member.id}" in caplog.text and lock.until.isoformat() in caplog.text
    assert PASSWORD not in caplog.text
    assert logins.throttled(db_session, username=member.username, address="10.0.0.2", now=lock.until) is None
    logins.record_success(db_session, user=member)
    assert f"sign-in lock for user {member.id} ended" in caplog.text


def _guessed(session: Session, username: str, address: str = "10.0.0.1") -> None:
    """Failed sign-ins enough for a lock, made over the last minutes (patiently, past the back-off)."""
    now = dt.datetime.now(dt.UTC)
    tries = get_settings().login_lock_after
    for i in range(tries):
        logins.record_failure(session, username=username, address=address,
                              now=now - dt.timedelta(seconds=20 * (tries - i)))


def test_quick_guesses_are_slowed_after_a_few(client: TestClient, users: dict[str, m.User]) -> None:
    free = get_settings().login_free_failures
    name = users["member"].username
    answers = [client.post("/api/auth/token", data={"username": name, "password": "wrong-guess"})
               for _ in range(free + 1)]
    assert [a.status_code for a in answers] == [401] * free + [429]
    assert "wait 1 seconds" in answers[-1].json()["detail"] and answers[-1].headers["Retry-After"] == "1"


def test_a_locked_name_refuses_even_the_right_password_and_says_for_how_long(
        client: TestClient, users: dict[str, m.User], db_session: Session) -> None:
    name = users["member"].username
    _guessed(db_session, name)
    refused = client.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert refused.status_code == 429
    assert "locked for 15 minutes" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    # Another user is not affected.
    assert _token(client, users["coordinator"].username, PASSWORD) == 200


def test_an_unknown_name_is_throttled_exactly_like_a_real_one(client: TestClient,
                                                              users: dict[str, m.User]) -> None:
    tries = get_settings().login_free_failures + 2
    real = [_token(client, users["member"].username, "wrong-guess") for _ in range(tries)]
    unknown = [_token(client, "no-such-user", "wrong-guess") for _ in range(tries)]
    assert real == unknown


def test_one_address_trying_many_names_is_locked(client: TestClient, users: dict[str, m.User],
                                                 setting_login_address_lock: None) -> None:
    answers = [_token(client, f"guess-{i}", "wrong-guess") for i in range(5)]
    assert answers == [401, 401, 401, 429, 429]  # every name new: only the address counts
    assert _token(client, users["member"].username, PASSWORD) == 429  # the address, not the name


@pytest.fixture
def setting_login_address_lock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("LOGIN_ADDRESS_LOCK_AFTER", "3")
    get_settings.cache_clear()
    yield None
    monkeypatch.delenv("LOGIN_ADDRESS_LOCK_AFTER")
    get_settings.cache_clear()


def test_a_sign_in_clears_the_names_failures(client: TestClient, users: dict[str, m.User]) -> None:
    name = users["member"].username
    free = get_settings().login_free_failures
    assert [_token(client, name, "wrong-guess") for _ in range(free - 1)] == [401] * (free - 1)
    assert _token(client, name, PASSWORD) == 200
    assert [_token(client, name, "wrong-guess") for _ in range(free)] == [401] * free


def test_the_login_page_says_in_swedish_that_signing_in_is_locked(
        client: TestClient, users: dict[str, m.User], db_session: Session) -> None:
    client.cookies.set("lang", "sv")
    name = users["member"].username
    _guessed(db_session, name)
    page = client.post("/login", data={"username": name, "password": PASSWORD})
    assert page.status_code == 429 and "spärrad i 15 minuter" in page.text


def test_a_login_an_admin_made_must_choose_its_own_password_first(client: TestClient,
                                                                  headers: dict[str, dict[str, str]],
                                                                  team_a: m.Team) -> None:
    made = client.post("/api/users", headers=headers["admin"], json={
        "username": "karin", "password": "admin-chose-this-one-9", "role": "member", "team_ids": [team_a.id]})
    assert made.status_code == 201, made.text
    token = client.post("/api/auth/token", data={"username": "karin", "password": "admin-chose-this-one-9"})
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert client.get("/api/me", headers=bearer).json()["must_change_password"] is True
    refused = client.get(f"/api/teams/{team_a.id}", headers=bearer)
    assert refused.status_code == 403 and "POST /api/me/password" in refused.json()["detail"]
    changed = client.post("/api/me/password", headers=bearer,
                          json={"current_password": "admin-chose-this-one-9", "new_password": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
    assert client.get(f"/api/teams/{team_a.id}", headers=fresh).status_code == 200


def test_after_an_admins_reset_every_page_leads_to_the_password_form(
        client: TestClient, users: dict[str, m.User], headers: dict[str, dict[str, str]]) -> None:
    member = users["member"]
    reset = client.patch(f"/api/users/{member.id}", headers=headers["admin"], json={"password": NEW_PASSWORD})
    assert reset.status_code == 200
    signed_in = client.post("/login", data={"username": member.username, "password": NEW_PASSWORD},
                            follow_redirects=False)
    assert signed_in.headers["location"] == "/account/password"
    client.cookies.set(SESSION_COOKIE, create_access_token(member))
    assert client.get("/teams", follow_redirects=False).headers["location"] == "/account/password"
    form = client.get("/account/password")
    assert form.status_code == 200 and 'id="must-change"' in form.text
    done = client.post("/account/password", data={"current_password": NEW_PASSWORD,
                                                   "new_password": "granris-och-lingon-2026",
                                                   "new_password_again": "granris-och-lingon-2026"})
    assert done.status_code == 200
    assert client.get("/teams", follow_redirects=False).status_code == 200
