"""Tokens end: at their expiry (also a token known from earlier requests), at once when an admin
deactivates the user who holds them, and when the key that signed them is changed."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from fastapi.testclient import TestClient

from app import security
from app.security import SESSION_COOKIE, create_access_token
from app.settings import get_settings
from models import core as m


def test_a_deactivated_members_open_session_and_token_stop_working_at_once(
        client: TestClient, users: dict[str, m.User], headers: dict[str, dict[str, str]]) -> None:
    member = users["member"]
    token = create_access_token(member)
    bearer = {"Authorization": f"Bearer {token}"}
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert client.get("/teams", follow_redirects=False).status_code == 200

    answer = client.patch(f"/api/users/{member.id}", json={"is_active": False}, headers=headers["admin"])
    assert answer.status_code == 200

    # The same token, a moment later, before its expiry: the API refuses it, the pages send to the login.
    assert client.get("/api/me", headers=bearer).status_code == 401
    page = client.get("/teams", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


def test_a_token_past_its_expiry_is_refused(client: TestClient, users: dict[str, m.User]) -> None:
    settings = get_settings()
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.access_token_minutes + 1)
    expired = jwt.encode({"sub": str(users["member"].id), "iat": issued.timestamp(),
                          "exp": issued + dt.timedelta(minutes=settings.access_token_minutes)},
                         settings.secret_key, algorithm=settings.jwt_algorithm)
    fresh = create_access_token(users["member"])

    assert client.get("/api/me", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    assert client.get("/api/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    client.cookies.set(SESSION_COOKIE, expired)
    page = client.get("/teams", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")


def test_a_session_used_page_after_page_still_ends_at_its_expiry(
        client: TestClient, users: dict[str, m.User], monkeypatch: pytest.MonkeyPatch) -> None:
    token = create_access_token(users["member"], minutes=5)
    client.cookies.set(SESSION_COOKIE, token)
    for _ in range(3):  # the token is verified once, then known
        assert client.get("/teams", follow_redirects=False).status_code == 200
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    monkeypatch.setattr(security, "_now", lambda: expires + 1)
    page = client.get("/teams", follow_redirects=False)
    assert page.status_code in (302, 303) and page.headers["location"].startswith("/login")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_token_signed_with_another_key_is_refused_although_one_like_it_was_good(
        client: TestClient, users: dict[str, m.User]) -> None:
    settings = get_settings()
    good = create_access_token(users["member"])
    assert client.get("/api/me", headers={"Authorization": f"Bearer {good}"}).status_code == 200
    claims = jwt.decode(good, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-key-that-is-long-enough-for-hs256-0123456789",
                        algorithm=settings.jwt_algorithm)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_token_good_until_the_key_is_changed_is_refused_after(
        client: TestClient, users: dict[str, m.User], monkeypatch: pytest.MonkeyPatch) -> None:
    token = create_access_token(users["member"])
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=bearer).status_code == 200  # verified once, and known since
    monkeypatch.setenv("SECRET_KEY", "a-new-key-after-the-old-one-leaked-0123456789abcdef")
    get_settings.cache_clear()
    try:
        assert client.get("/api/me", headers=bearer).status_code == 401
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
