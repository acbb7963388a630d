"""Every answer carries the security headers a municipality's information-security officer checks:
no inline script may run, no page may be framed, no page address leaks to another site."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.security import SESSION_COOKIE, create_access_token
from app.web.headers import API_DOCS_POLICY, PAGE_POLICY
from models import core as m


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in policy.split(";")) if d}


def _assert_locked(headers: object) -> None:
    h = dict(headers)  # type: ignore[call-overload]
    policy = _directives(h["content-security-policy"])
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert h["x-frame-options"] == "DENY"


def test_pages_api_answers_and_refusals_all_carry_the_headers(client: TestClient, users: dict[str, m.User],
                                                              headers: dict[str, dict[str, str]]) -> None:
    _assert_locked(client.get("/login").headers)
    _assert_locked(client.get("/api/me", headers=headers["member"]).headers)
    _assert_locked(client.get("/api/citizens/999999", headers=headers["member"]).headers)  # a 404
    _assert_locked(client.get("/api/me").headers)  # a 401
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    _assert_locked(client.get("/teams").headers)
    # A forged cross-site form post is refused, and the refusal is locked down too.
    forged = client.post("/logout", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    _assert_locked(forged.headers)


def test_hsts_only_on_answers_that_came_over_https(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/login").headers
    over_tls = TestClient(client.app, base_url="https://planner.example")
    assert over_tls.get("/login").headers["strict-transport-security"].startswith("max-age=31536000")


def test_only_the_api_documentation_admits_its_cdn_script(client: TestClient) -> None:
    assert client.get("/docs").headers["content-security-policy"] == API_DOCS_POLICY
    assert client.get("/openapi.json").headers["content-security-policy"] == PAGE_POLICY
    assert "unsafe-inline" not in _directives(PAGE_POLICY)["script-src"]
