"""In Swedish, in the browser: every page of every role speaks Swedish (no known English word, no internal
id on screen), and the auditor's first look at Kontinuitet shows this month for all teams at once."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
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
URL_PATH = re.compile(r"(?<!\w)/[\w/?=&.-]+")
PER_PATTERN = 2
MAX_PAGES = 60


@pytest.fixture
def swedish(browser: Any, server: str) -> Iterator[Any]:
    # bypass_csp as the English `page` fixture: Playwright's waits evaluate script strings.
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE",
                                  extra_http_headers={"Accept-Language": "sv-SE,sv;q=0.9"}, bypass_csp=True)
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
    queue, per = [urlsplit(pg.url).path, "/glossary", "/search?q=an"], Counter[str]()
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
        if response.status == 403:  # a page the role may not open (the search for an auditor) says so
            assert "Inte tillåtet" in pg.inner_text("main")
        text = URL_PATH.sub(" ", pg.inner_text("body"))  # an address shown (the access log) is not a word
        bad = [m.group(0) for m in ENGLISH.finditer(text)] + [m.group(0) for m in INTERNAL_ID.finditer(text)]
        if bad:
            found[path] = sorted(set(bad))
        for href in pg.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href.startswith("/") and not href.startswith(("/static/", "/lang/", "/logout")) \
                    and not href.split("?")[0].endswith((".csv", ".html", ".json")) \
                    and "/download/" not in href:  # a spreadsheet is a download, not a page
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


def _planned_visit(site: DemoSite, team: str, day: dt.date) -> tuple[int, str, str]:
    """(citizen id, citizen name, need) of a visit the accepted plan places on that day for the team."""
    with sqlite3.connect(site.db_path) as db:
        row = db.execute(
            "SELECT c.id, c.name, v.kind FROM assignments a JOIN visits v ON v.id = a.visit_id "
            "JOIN citizens c ON c.id = v.citizen_id JOIN plan_versions pv ON pv.id = a.plan_version_id "
            "WHERE pv.status = 'accepted' AND v.date = ? AND c.team_id = ? AND v.status = 'planned' "
            "ORDER BY v.id LIMIT 1",
            (day.isoformat(), site.teams[team]),
        ).fetchone()
    return int(row[0]), str(row[1]), str(row[2])


def test_a_coordinator_cancels_a_visit_and_the_preview_shows_the_avbokning(
    swedish: Any, site: DemoSite
) -> None:
    day = site.start + dt.timedelta(days=5)
    citizen_id, citizen, need = _planned_visit(site, "Centrum", day)
    login(swedish, "coordinator", site.password, lang="sv")
    swedish.goto(f"{swedish.base}/teams/{site.teams['Centrum']}/adjust")
    form = swedish.locator("#cancel-form")
    form.get_by_label("Brukare").select_option(value=str(citizen_id))
    form.get_by_label("Datum").fill(day.isoformat())
    form.get_by_label("Insats").select_option(value=need)
    form.get_by_label("Anteckning").fill("Dottern kommer")
    form.get_by_role("button", name="Spara ändringen").click()
    assert "Ändringen är sparad." in swedish.inner_text("main")
    pending = swedish.locator("#pending").inner_text()
    assert "Avbokning" in pending and citizen in pending

    swedish.get_by_label("Första dag").fill(day.isoformat())
    swedish.get_by_label("Sista dag").fill(day.isoformat())
    with swedish.expect_navigation(timeout=60_000):
        swedish.get_by_role("button", name="Starta omplanering").click()
    assert re.search(r"/replans/\d+$", swedish.url), swedish.locator("main").inner_text()
    changes = swedish.locator("#preview-changes").inner_text()
    assert "Avbokning" in changes and citizen in changes and "Dottern kommer" in changes
    assert int(swedish.locator("#removed").inner_text()) >= 1
    screenshot(swedish, "avbokning-preview", full_page=True)

    # Thrown away and withdrawn again: the other stories find the plan as it was.
    swedish.get_by_role("button", name="Släng förslaget").click()
    swedish.locator("#pending button").first.click()
    assert "Avbokning" not in swedish.locator("main").inner_text().split("Ändringar som väntar")[1]


def test_the_korlista_prints_one_a4_page_per_carer_day(swedish: Any, site: DemoSite) -> None:
    login(swedish, "member", site.password, lang="sv")
    day = site.start + dt.timedelta(days=1)
    swedish.goto(f"{swedish.base}/teams/{site.teams['Centrum']}/rota?date={day.isoformat()}")
    swedish.get_by_role("link", name="Skriv ut dagens körlistor").click()
    carer_days = swedish.locator(".korlista-page").count()
    assert carer_days >= 5
    assert swedish.locator(".no-print").is_visible()

    pdf = swedish.pdf(format="A4", print_background=True)

    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == carer_days
    assert b"/MediaBox [0 0 595" in pdf.replace(b"  ", b" ")  # A4: 595 x 842 points


def test_a_coordinator_plans_a_period_without_touching_avancerat(swedish: Any, site: DemoSite) -> None:
    login(swedish, "coordinator-nacksta", site.password, lang="sv")
    swedish.goto(f"{swedish.base}/teams/{site.teams['Nacksta']}/runs")
    assert not swedish.get_by_label("Slumpfrö").is_visible()  # the planner's knobs stay folded away
    swedish.get_by_role("button", name="Planera perioden").click()
    swedish.wait_for_url(re.compile(r"/runs/\d+$"))
    assert re.search(r"Nacksta, v\. \d+–\d+", swedish.locator("h1").inner_text())
    swedish.wait_for_function(
        "document.querySelector('#run-status').dataset.status == 'succeeded'", timeout=180_000
    )
    assert re.fullmatch(r"\d+ av \d+", swedish.locator("#run-placed").inner_text())
    progress = swedish.locator("#run-progress").inner_text()
    assert "Andel besök av kontaktpersonen" in progress and " %" in progress
    assert "Körtid (timmar)" in progress and "Målvärde" not in swedish.inner_text("main")
    screenshot(swedish, "planera-perioden", full_page=True)
