"""A team weighs continuity against driving time from its own runs, end to end in headless Chromium
against uvicorn serving the demo site: two runs of the same week with two settings, planned by the
server's own runner, draw the team's curve as a chart beside its table and say in one sentence what one
more carer per citizen a month saves in driving; the plan the team accepts is ringed on the chart.

The demo site is shared by the browser stories, which run in one process in file order: this file is
named to come after test_stories.py, whose coordinator starts from Nacksta with no plan this month."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.web.conftest import login, screenshot
from tests.web.site import DemoSite

pytestmark = pytest.mark.browser

# Counted in steps, so the runs make the same plans on any machine; the time limit only guards.
STEPS = "5"
GUARD_SECONDS = "600"


def _plan_the_week(page: Any, team: int, first: str, last: str, setting: str) -> None:
    page.goto(f"{page.base}/teams/{team}/runs")
    page.get_by_label("First day").fill(first)
    page.get_by_label("Last day").fill(last)
    page.get_by_role("combobox", name="Continuity against driving time").select_option(label=setting)
    page.locator("#advanced summary").click()
    page.get_by_label("Time limit (seconds)").fill(GUARD_SECONDS)
    page.get_by_label("Steps per team (blank: the time limit decides)").fill(STEPS)
    page.get_by_role("button", name="Plan the period").click()
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    page.wait_for_function("document.querySelector('#run-status').dataset.status == 'succeeded'",
                           timeout=300_000)


def _refusals_under_the_policy(browser: Any, base: str, path: str, site: DemoSite) -> list[str]:
    """What the browser refuses on the page when the Content-Security-Policy is kept (the stories'
    contexts bypass it)."""
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.8"})
    try:
        pg = context.new_page()
        pg.base = base
        refusals: list[str] = []
        pg.on("console",
              lambda msg: refusals.append(msg.text) if "Content Security Policy" in msg.text else None)
        login(pg, "coordinator-nacksta", site.password)
        pg.goto(base + path)
        assert pg.locator("#curve-chart svg").is_visible()
        return refusals
    finally:
        context.close()


def test_a_team_sees_its_curve_as_a_chart_after_runs_with_two_settings(page: Any, site: DemoSite,
                                                                       browser: Any) -> None:
    team = site.teams["Nacksta"]
    # The third week: the other stories plan this team's first two.
    first = (site.start + dt.timedelta(days=14)).isoformat()
    last = (site.start + dt.timedelta(days=20)).isoformat()
    login(page, "coordinator-nacksta", site.password)
    page.goto(f"{page.base}/teams/{team}/runs")
    assert page.locator("#curve-chart").count() == 0  # no runs of two settings yet: no curve

    _plan_the_week(page, team, first, last, "Fewer faces")
    _plan_the_week(page, team, first, last, "Shorter driving time")
    page.goto(f"{page.base}/teams/{team}/runs")

    chart = page.locator("#curve-chart svg")
    assert chart.is_visible()
    assert chart.get_attribute("role") == "img"
    assert chart.locator("title").text_content() == "Continuity against driving time"
    desc = chart.locator("desc").text_content() or ""
    assert re.search(r"Fewer faces: [\d.]+ different carers per citizen and month, [\d.]+ driving hours a "
                     r"week; Shorter driving time: [\d.]+ different carers", desc), desc
    labels = chart.locator("text").all_text_contents()
    assert "Fewer faces" in labels and "Shorter driving time" in labels
    assert "Driving hours a week" in labels and "Different carers per citizen and month (mean)" in labels
    assert "Accepted plan" not in labels  # nothing accepted yet
    # The table beside it holds the same two settings, for screen readers.
    assert page.locator("#curve tbody tr").count() == 2
    verdict = page.locator("#curve-verdict")
    assert re.fullmatch(r"One more carer per citizen a month saves about [\d.]+ hours of driving a week\.",
                        verdict.inner_text()), verdict.inner_text()
    screenshot(page, "curve-chart", full_page=True)
    # The chart is drawn under the pages' policy: nothing in it is refused.
    assert _refusals_under_the_policy(browser, page.base, f"/teams/{team}/runs", site) == []

    # The team accepts the least-driving draft: the chart rings it.
    page.locator("#runs tbody tr").first.get_by_role("link", name="Open").click()
    page.get_by_role("link", name="Compare with the accepted plan").click()
    page.get_by_role("button", name="Accept this plan").click()
    page.wait_for_url(re.compile(r"/rota\?date="))
    page.goto(f"{page.base}/teams/{team}/runs")
    chart = page.locator("#curve-chart svg")
    assert "Accepted plan" in chart.locator("text").all_text_contents()
    assert "The ring marks the plan the team accepted (Shorter driving time)." in \
        page.locator("#curve-chart figcaption").inner_text()
