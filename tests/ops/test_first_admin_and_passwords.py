"""A new installation gets its first admin from the command line, never from the demo; the server will
not start on the development secret key; users change their own password, which ends their other
sessions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.security import SESSION_COOKIE, authenticate, create_access_token
from app.settings import DEV_SECRET_KEY
from models.core import ROLE_ADMIN, Citizen, User
from tests.conftest import PASSWORD
from tests.ops.conftest import CLI, sqlite_engine

NEW_PASSWORD = "a-much-better-passphrase"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run replaced by a recorder: these tests are about what happens before serving."""
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def _users(db_path: Path) -> list[User]:
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(User)))
    finally:
        engine.dispose()


def test_the_first_admin_is_made_with_a_password_from_a_file_and_signs_in(cli: CLI, db_path: Path,
                                                                          tmp_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    secret = tmp_path / "admin-password"
    secret.write_text(f"{NEW_PASSWORD}\n")

    result = cli("create-admin", "it-admin", "--password-file", str(secret), "--full-name", "IT")

    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            admin = authenticate(session, username="it-admin", password=NEW_PASSWORD)
            assert admin is not None and admin.role == ROLE_ADMIN and admin.full_name == "IT"
    finally:
        engine.dispose()
    # The same name twice: refused, with the way to a new password.
    again = cli("create-admin", "it-admin", "--password-file", str(secret))
    assert again.exit_code == 2 and "homecare set-password it-admin" in again.output


def test_create_admin_asks_twice_at_a_prompt_and_takes_no_password_argument(cli: CLI, db_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    assert cli("create-admin", "anna", NEW_PASSWORD).exit_code == 2  # no such argument
    assert cli("create-admin", "anna", "--password", NEW_PASSWORD).exit_code == 2  # no such option
    answers = f"{NEW_PASSWORD}\n{NEW_PASSWORD}x\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"  # a typo, then right
    typo = cli("create-admin", "anna", input=answers)
    assert typo.exit_code == 0, typo.output
    assert [u.username for u in _users(db_path)] == ["anna"]


def test_a_too_short_password_or_a_bad_username_is_refused_naming_the_field(cli: CLI, db_path: Path,
                                                                           tmp_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    short = tmp_path / "short"
    short.write_text("abc\n")
    result = cli("create-admin", "anna", "--password-file", str(short))
    assert result.exit_code == 2 and "password" in result.output and "12 characters" in result.output
    bad = cli("create-admin", "anna svensson", "--password-file", str(short))
    assert bad.exit_code == 2 and "username" in bad.output
    assert cli("create-admin", "anna", "--password-file", str(tmp_path / "missing")).exit_code == 2
    assert _users(db_path) == []


def test_set_password_lets_a_locked_out_admin_back_in(cli: CLI, db_path: Path, tmp_path: Path) -> None:
    assert cli("migrate").exit_code == 0
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text(f"{NEW_PASSWORD}\n")
    second.write_text("another-long-password\n")
    assert cli("create-admin", "anna", "--password-file", str(first)).exit_code == 0

    assert cli("set-password", "anna", "--password-file", str(second)).exit_code == 0
    assert cli("set-password", "nobody", "--password-file", str(second)).exit_code == 2
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            assert authenticate(session, username="anna", password=NEW_PASSWORD) is None
            assert authenticate(session, username="anna", password="another-long-password") is not None
    finally:
        engine.dispose()


def test_the_server_refuses_the_development_secret_key_unless_it_serves_the_demo(
        cli: CLI, monkeypatch: pytest.MonkeyPatch, served: list[dict[str, Any]]) -> None:
    assert cli("migrate").exit_code == 0
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET_KEY)
    refused = cli("serve", "--host", "127.0.0.1")
    assert refused.exit_code == 2 and "SECRET_KEY is the development default" in refused.output
    monkeypatch.setenv("SECRET_KEY", "short-key")
    assert cli("serve").exit_code == 2
    assert served == []

    monkeypatch.setattr("app.cli.serve._seed_if_empty", lambda **_: False)  # the demo's planning is slow
    demo = cli("serve", "--demo")
    assert demo.exit_code == 0, demo.output
    assert len(served) == 1


def test_serve_runs_several_processes_trusts_only_the_named_proxies_and_seeds_nothing(
        cli: CLI, db_path: Path, served: list[dict[str, Any]]) -> None:
    assert cli("migrate").exit_code == 0

    result = cli("serve", "--workers", "3", "--forwarded-allow-ips", "10.0.0.5,10.0.0.6", "--port", "8100")

    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["app"] == "app.main:app" and call["workers"] == 3 and call["port"] == 8100
    assert call["proxy_headers"] is True and call["forwarded_allow_ips"] == "10.0.0.5,10.0.0.6"
    assert call["server_header"] is False and call["access_log"] is False
    assert call["log_config"]["handlers"]["stderr"]["filters"] == ["request_id"]
    # A process busy for a few seconds under load keeps its requests; only a hung one is replaced.
    assert call["timeout_worker_healthcheck"] == 30
    # A tablet that opens the next page after a minute's reading still finds its connection open.
    assert call["timeout_keep_alive"] >= 60
    # Without --demo the database stays empty: no demo users, no citizens.
    engine = sqlite_engine(db_path)
    try:
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(User)) == 0
            assert session.scalar(select(func.count()).select_from(Citizen)) == 0
    finally:
        engine.dispose()
    # What it says before serving reads as the server's log lines do (JSON, with a request id), so the
    # municipality's log collector parses every line the service writes.
    said = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["request_id"] for line in said] == ["-", "-"]
    assert "Database: sqlite:///" in said[0]["message"] and said[1]["logger"] == "homecare.serve"
    # The proxies' addresses come from the setting when not given.
    served.clear()
    assert cli("serve").exit_code == 0 and served[0]["forwarded_allow_ips"] == "127.0.0.1"


# --- a user changes their own password -----------------------------------------------------------


def test_a_user_changes_their_password_and_their_other_sessions_end(client, users, headers) -> None:
    member = users["member"]
    old = headers["member"]

    answer = client.post("/api/me/password", headers=old,
                         json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert answer.status_code == 200, answer.text
    fresh = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    assert client.get("/api/me", headers=fresh).json()["username"] == member.username
    assert client.get("/api/me", headers=old).status_code == 401  # the session opened before ended
    logins = [client.post("/api/auth/token", data={"username": member.username, "password": p}).status_code
              for p in (PASSWORD, NEW_PASSWORD)]
    assert logins == [401, 200]


def test_a_wrong_current_password_or_an_unchanged_one_is_refused_at_its_field(client, headers) -> None:
    wrong = client.post("/api/me/password", headers=headers["member"],
                        json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["current_password"]
    same = client.post("/api/me/password", headers=headers["member"],
                       json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert same.status_code == 422 and same.json()["detail"][0]["loc"] == ["new_password"]
    short = client.post("/api/me/password", headers=headers["member"],
                        json={"current_password": PASSWORD, "new_password": "short"})
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "new_password"]


def test_an_admin_resetting_a_password_ends_the_users_sessions(client, users, headers) -> None:
    member = users["member"]
    answer = client.patch(f"/api/users/{member.id}", headers=headers["admin"],
                          json={"password": NEW_PASSWORD})
    assert answer.status_code == 200
    assert client.get("/api/me", headers=headers["member"]).status_code == 401


def test_the_password_page_changes_it_and_keeps_this_browser_signed_in(client, users) -> None:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    form = client.get("/account/password")
    assert form.status_code == 200 and 'name="current_password"' in form.text

    def send(current: str, again: str = NEW_PASSWORD) -> Any:
        return client.post("/account/password", data={
            "current_password": current, "new_password": NEW_PASSWORD, "new_password_again": again})

    differ = send(PASSWORD, again=NEW_PASSWORD + "!")
    assert differ.status_code == 422 and "new_password_again" in differ.text
    wrong = send("nope-nope")
    assert wrong.status_code == 422 and "current_password" in wrong.text

    done = send(PASSWORD)
    assert done.status_code == 200 and 'role="status"' in done.text
    assert client.get("/teams").status_code == 200  # the new cookie holds a new session


def test_the_first_admin_s_empty_teams_page_says_how_teams_come_in(client, make) -> None:
    admin = make.user("admin", username="it-admin")
    member = make.user("member", username="new-member")
    client.cookies.set("lang", "en")
    client.cookies.set(SESSION_COOKIE, create_access_token(admin))
    page = client.get("/teams")
    assert page.status_code == 200 and 'id="no-teams"' in page.text
    assert "homecare import FILE.json" in page.text and "POST /api/teams" in page.text
    client.cookies.set(SESSION_COOKIE, create_access_token(member))
    assert "Ask an admin" in client.get("/teams").text
