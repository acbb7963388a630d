"""Fixtures for the web tests: one demo site per session (SQLite file, demo data, accepted plans), served by
uvicorn on a free loopback port, and headless Chromium (Debian's, by path) driven by Playwright; and, for
the form tests on both databases, `coordinator_browser`: the test client holding team A's coordinator's
session cookie, with plan jobs stored and never run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.security import SESSION_COOKIE, create_access_token
from models import core as m
from tests.web.site import CHROMIUM, CHROMIUM_ARGS, DemoSite, Server, build_site

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
def coordinator_browser(client: TestClient, users: dict[str, m.User], queued_jobs: None) -> TestClient:
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    return client


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    return build_site(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def server(site: DemoSite) -> Iterator[str]:
    srv = Server(site)
    try:
        yield srv.base
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.failed_call = report.failed  # type: ignore[attr-defined]


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, server: str) -> Iterator[Any]:
    """A fresh browser context (no cookies) on a tablet-sized landscape screen, in English."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="en-GB",
        extra_http_headers={"Accept-Language": "en-GB,en;q=0.8"},
        # Playwright's waits evaluate the tests' script strings, which the pages' policy forbids;
        # test_content_policy.py opens pages under the policy in a context of its own.
        bypass_csp=True,
    )
    context.set_default_timeout(20_000)
    pg = context.new_page()
    pg.base = server  # type: ignore[attr-defined]
    try:
        yield pg
        if getattr(request.node, "failed_call", False):  # what the browser showed when the story failed
            screenshot(pg, f"FAILED-{request.node.name}", full_page=True)
    finally:
        context.close()


def screenshot(pg: Any, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


LOGIN_LABELS = {"en": ("Username", "Password", "Log in"), "sv": ("Användarnamn", "Lösenord", "Logga in")}


def login(pg: Any, username: str, password: str, *, lang: str = "en") -> None:
    user_label, password_label, button = LOGIN_LABELS[lang]
    pg.goto(pg.base + "/login")
    pg.get_by_label(user_label).fill(username)
    pg.get_by_label(password_label).fill(password)
    pg.get_by_role("button", name=button).click()
    pg.wait_for_load_state("domcontentloaded")
