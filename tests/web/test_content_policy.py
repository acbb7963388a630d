"""The pages work under their Content-Security-Policy: the browser refuses nothing on the pages a
coordinator and an auditor use, and the site's own scripts (htmx, app.js) still run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.conftest import login
from tests.web.site import DemoSite

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A browser context that keeps the pages' Content-Security-Policy (the shared one bypasses it)."""
    context = browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.8"})
    context.set_default_timeout(20_000)
    pg = context.new_page()
    pg.base = server
    try:
        yield pg
    finally:
        context.close()


def test_no_page_a_coordinator_or_auditor_opens_breaks_the_content_policy(page: Any, site: DemoSite) -> None:
    refusals: list[str] = []
    page.on("console",
            lambda msg: refusals.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(page, "coordinator", site.password)
    team = site.teams["Centrum"]
    rota = f"{page.base}/teams/{team}/rota"
    page.goto(rota)
    assert page.evaluate("typeof window.htmx") == "object"  # the site's own script ran
    page.locator("#citizen-counts tbody a").first.click()
    page.goto(rota)
    page.locator("#rota th.carer a").first.click()
    for path in ("/teams", f"/teams/{team}/runs", f"/teams/{team}/adjust", "/account/password",
                 f"/teams/{team}/korlista", f"/teams/{team}/letters", f"/teams/{team}/citizens",
                 "/search?q=a"):
        page.goto(page.base + path)
    page.context.clear_cookies()
    login(page, "auditor", site.password)
    page.goto(page.base + "/audit")
    assert refusals == []
    # The listener does hear the browser refuse: markup injected into a page cannot run its script.
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.injected = 1'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.injected") == "undefined"
    assert refusals and "script-src" in refusals[0]
