"""Sign-in through the municipality's identity provider: a real OpenID Connect provider process
(oidc-provider-mock) started here, the planner as its client. The provider's groups decide the role and
the teams at every sign-in; a person in no mapped group is refused and loses what they had."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.security import SESSION_COOKIE, authenticate
from models.core import ROLE_COORDINATOR, ROLE_MEMBER, Team, User
from tests.ops.conftest import Setting, free_port

COORDINATORS = "hemtjanst-centrum-samordnare"
STAFF = "hemtjanst-skonsberg-personal"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = (tmp_path_factory.mktemp("oidc") / "provider.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce"],
        stdout=log, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"the provider exited: see {log.name}"
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the provider did not start within 30 s"
            time.sleep(0.1)
        yield issuer
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def oidc(provider: str, team_a: Team, team_b: Team, setting: Setting) -> str:
    """The planner configured for the provider: the coordinators' group gives team A, the staff group
    team B as members."""
    groups = {COORDINATORS: {"role": "coordinator", "teams": [team_a.external_id]},
              STAFF: {"role": "member", "teams": [team_b.external_id]}}
    setting(oidc_issuer=provider, oidc_client_id="homecare-planner", oidc_client_secret="a-client-secret",
            oidc_groups=json.dumps(groups), oidc_display_name="Sundsvalls kommun")
    return provider


def _person(provider: str, subject: str, groups: list[str], username: str = "anna.s") -> None:
    claims = {"preferred_username": username, "name": "Anna Svensson", "groups": groups}
    assert httpx.put(f"{provider}/users/{quote(subject)}", json=claims).status_code == 204


def _sign_in(client: TestClient, subject: str, next: str = "/teams") -> Any:
    """The browser's round trip: to the provider, the person says who they are, back to the planner."""
    client.cookies.delete(SESSION_COOKIE)
    client.cookies.set("lang", "en")
    start = client.get(f"/login/oidc?next={quote(next)}", follow_redirects=False)
    assert start.status_code == 302, start.text
    consent = httpx.post(start.headers["location"], data={"sub": subject})
    assert consent.status_code == 302, consent.text
    back = consent.headers["location"]
    assert back.startswith("http://testserver/login/oidc/callback?")
    return client.get(back.removeprefix("http://testserver"), follow_redirects=False)


def _user(db_session, subject: str) -> User | None:
    db_session.expire_all()
    return db_session.scalar(select(User).where(User.oidc_subject == subject))


def test_the_login_page_offers_the_municipality_s_login(client, oidc) -> None:
    page = client.get("/login")
    assert 'id="oidc-login"' in page.text and "Sundsvalls kommun" in page.text


def test_a_coordinator_signs_in_through_the_provider_and_lands_in_their_team(client, oidc, db_session,
                                                                            team_a) -> None:
    _person(oidc, "anna-1", [COORDINATORS, "some-unrelated-group"])

    back = _sign_in(client, "anna-1", next="/teams")

    assert back.status_code == 303 and back.headers["location"] == "/teams"
    assert SESSION_COOKIE in back.cookies
    user = _user(db_session, "anna-1")
    assert user is not None and user.username == "anna.s" and user.full_name == "Anna Svensson"
    assert user.role == ROLE_COORDINATOR and [t.id for t in user.teams] == [team_a.id]
    rota = client.get("/", follow_redirects=False)
    assert rota.status_code == 303 and rota.headers["location"] == f"/teams/{team_a.id}/rota"
    # No password of theirs works here: they sign in through the provider only.
    assert authenticate(db_session, username="anna.s", password="") is None


def test_a_person_in_no_mapped_group_is_refused_with_a_clear_page(client, oidc, db_session) -> None:
    _person(oidc, "bo-2", ["bibliotek-personal"], username="bo")

    back = _sign_in(client, "bo-2")

    assert back.status_code == 403
    assert "no group that gives access" in back.text
    assert SESSION_COOKIE not in back.cookies
    assert _user(db_session, "bo-2") is None
    assert client.get("/teams", follow_redirects=False).status_code == 303  # to the login page


def test_losing_the_group_loses_access_at_the_next_sign_in_and_ends_the_old_session(
        client, oidc, db_session) -> None:
    _person(oidc, "cecilia-3", [COORDINATORS], username="cecilia")
    assert _sign_in(client, "cecilia-3").status_code == 303
    old_session = client.cookies[SESSION_COOKIE]

    _person(oidc, "cecilia-3", [], username="cecilia")
    again = _sign_in(client, "cecilia-3")

    assert again.status_code == 403
    user = _user(db_session, "cecilia-3")
    assert user is not None and user.teams == [] and user.role == ROLE_MEMBER
    client.cookies.set(SESSION_COOKIE, old_session)
    assert client.get("/teams", follow_redirects=False).status_code == 303  # the old cookie is void


def test_a_changed_group_moves_the_user_at_the_next_sign_in(client, oidc, db_session, team_b) -> None:
    _person(oidc, "dan-4", [COORDINATORS], username="dan")
    assert _sign_in(client, "dan-4").status_code == 303
    _person(oidc, "dan-4", [STAFF], username="dan")

    assert _sign_in(client, "dan-4").status_code == 303

    user = _user(db_session, "dan-4")
    assert user is not None and user.role == ROLE_MEMBER and [t.id for t in user.teams] == [team_b.id]


def test_a_user_an_admin_deactivated_stays_out_whatever_the_provider_says(client, oidc, db_session,
                                                                         headers) -> None:
    _person(oidc, "eva-5", [COORDINATORS], username="eva")
    assert _sign_in(client, "eva-5").status_code == 303
    user = _user(db_session, "eva-5")
    assert user is not None
    assert client.patch(f"/api/users/{user.id}", headers=headers["admin"],
                        json={"is_active": False}).status_code == 200

    again = _sign_in(client, "eva-5")
    assert again.status_code == 403 and "deactivated" in again.text


def test_a_local_account_of_the_same_name_is_not_taken_over(client, oidc, db_session, users) -> None:
    local = users["member"]
    _person(oidc, "mallory-6", [COORDINATORS], username=local.username)

    back = _sign_in(client, "mallory-6")

    assert back.status_code == 403 and "another account with your username" in back.text
    db_session.refresh(local)
    assert local.oidc_subject is None and local.role == ROLE_MEMBER


def test_a_forged_or_replayed_callback_is_refused_without_a_session(client, oidc) -> None:
    answer = client.get("/login/oidc/callback?code=made-up&state=made-up", follow_redirects=False)
    assert answer.status_code == 401 and SESSION_COOKIE not in answer.cookies


def test_without_settings_the_provider_s_pages_do_not_exist(client, setting: Setting) -> None:
    setting(oidc_issuer=None, oidc_client_id=None, oidc_client_secret=None)
    assert client.get("/login/oidc", follow_redirects=False).status_code == 404
    assert 'id="oidc-login"' not in client.get("/login").text

