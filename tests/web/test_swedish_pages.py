"""In Swedish, in the browser: every page of every role speaks Swedish (no known English word, no internal
id on screen), and the auditor's first look at Kontinuitet shows this month for all teams at once."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from app.web.i18n import ENGLISH_WORDS
from tests.web.conftest import login, screenshot
from tests.web.site import DemoSite

pytestmark = pytest.mark.browser

WORDS = "|".join(re.escape(w) for w in ENGLISH_WORDS)
ENGLISH = re.compile(rf"(?<![\wåäöÅÄÖ-])({WORDS})(?![\wåäöÅÄÖ-])", re.I)
INTERNAL_ID = re.compile(r"\bdemo-[a-z]+(-[cp]\d+)?\b|\b[a-z]+-p\d{3}-\d{4}-\d{2}-\d{2}")
PER_PATTERN = 2
MAX_PAGES = 60


@pytest.fixture
def swedish(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE",
                                  extra_http_headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    context.set_default_timeout(20_000)
    pg = context.new_page()
    pg.base = server  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()


def _pattern(path: str) -> str:
    parts = urlsplit(path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def _crawl(pg: Any) -> dict[str, list[str]]:
    """Every page reachable by links (a few of each kind): what shows in English or as an internal id."""
    found: dict[str, list[str]] = {}
    queue, per = [urlsplit(pg.url).path], Counter[str]()
    seen: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or per[_pattern(path)] >= PER_PATTERN:
            continue
        seen.add(path)
        per[_pattern(path)] += 1
        response = pg.goto(pg.base + path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        text = pg.inner_text("body")
        bad = [m.group(0) for m in ENGLISH.finditer(text)] + [m.group(0) for m in INTERNAL_ID.finditer(text)]
        if bad:
            found[path] = sorted(set(bad))
        for href in pg.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href.startswith("/") and not href.startswith(("/static/", "/lang/", "/logout")) \
                    and not href.split("?")[0].endswith((".csv", ".html", ".json")):
                queue.append(href.split("#")[0])
    assert len(seen) >= 3
    return found


@pytest.mark.parametrize("username", ["coordinator", "member", "auditor", "admin"])
def test_every_page_speaks_swedish_with_names_never_codes(
    swedish: Any, site: DemoSite, username: str
) -> None:
    login(swedish, username, site.password, lang="sv")
    assert _crawl(swedish) == {}


def test_the_auditor_opens_kontinuitet_on_this_month_for_all_teams(swedish: Any, site: DemoSite) -> None:
    login(swedish, "auditor", site.password, lang="sv")
    swedish.get_by_role("link", name="Kontinuitet").click()
    scope = swedish.locator("#audit-scope").inner_text()
    assert scope.startswith("Alla arbetslag")
    months = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
              "oktober", "november", "december"]
    today = dt.date.today()
    assert f"{months[today.month - 1]} {today.year}" in scope
    teams = swedish.locator("#team-figures tbody th").all_inner_texts()
    assert {"Centrum", "Skönsberg"} <= set(teams)
    assert swedish.locator("#national").is_visible()
    screenshot(swedish, "kontinuitet", full_page=True)
