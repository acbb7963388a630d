"""A carer opens the day's route on a phone (375 px wide): no sideways scrolling, each visit with how the
help is given, the break where the shift has one, and a link to the next day."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import login, screenshot
from tests.web.site import DemoSite

pytestmark = pytest.mark.browser


def test_the_carers_day_reads_on_a_phone_with_how_help_is_given_and_the_next_day(
        browser: Any, server: str, site: DemoSite) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="sv-SE", is_mobile=True,
                                  bypass_csp=True)
    context.set_default_timeout(20_000)
    try:
        pg = context.new_page()
        pg.base = server  # type: ignore[attr-defined]
        login(pg, "member", site.password, lang="sv")
        pg.goto(f"{server}/teams/{site.teams['Centrum']}/rota?date={site.start.isoformat()}")
        pg.locator("#rota th.carer a").first.click()
        assert pg.get_by_role("heading", level=1).inner_text().startswith("Dagen för")
        width = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"sideways scrolling: page {width[0]} px on a {width[1]} px screen"
        assert pg.locator(".instructions").count() > 0
        assert "Hur hjälpen ges" in pg.locator(".instructions").first.inner_text()
        next_day = pg.get_by_role("link", name=re.compile("Nästa dag"))
        assert next_day.count() == 1
        screenshot(pg, "carer-day-phone")
        before = pg.url
        next_day.click()
        assert pg.url != before and "date=" in pg.url
    finally:
        context.close()
