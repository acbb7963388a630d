"""Every free-text field a coordinator can fill in about a person, on every page they reach, says beside it
not to write health details there (it is described by that warning, so a screen reader reads it too)."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.web.site import DemoSite

pytestmark = pytest.mark.slow

HREF = re.compile(r"""href="([^"#]*)""")
# The fields stored about a person that take whatever is typed.
FREE_TEXT = re.compile(r"^(reason|note|notes|how_notes|care_instructions|avoid_reason_\d+)$")
WARNING = "health details"


class _Fields(HTMLParser):
    """The free-text fields of a page (name, aria-describedby) and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        free = tag == "textarea" or (tag == "input" and a.get("type", "text") == "text")
        if free and FREE_TEXT.match(a.get("name", "")):
            self.fields.append((a["name"], a.get("aria-describedby", "")))
        if "id" in a and tag not in ("input", "br", "img"):
            self._open.append((tag, a["id"]))
            self.texts[a["id"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _tag, element in self._open:
            self.texts[element] += data


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def test_every_free_text_field_about_a_person_warns_against_health_details(server: str,
                                                                          site: DemoSite) -> None:
    seen_fields: Counter[str] = Counter()
    unwarned: list[str] = []
    with httpx.Client(base_url=server, follow_redirects=True, timeout=60, cookies={"lang": "en"}) as client:
        signed_in = client.post("/login", data={"username": "coordinator", "password": site.password})
        assert signed_in.status_code == 200
        seen: set[str] = set()
        per_pattern: Counter[str] = Counter()
        queue = deque(["/"])
        while queue and len(seen) < 250:
            path = queue.popleft()
            if path in seen or per_pattern[_pattern(path)] >= 2 or path.startswith(("/static/", "/lang/")):
                continue
            seen.add(path)
            per_pattern[_pattern(path)] += 1
            page = client.get(path)
            if "text/html" not in page.headers.get("content-type", ""):
                continue
            parsed = _Fields()
            parsed.feed(page.text)
            for name, described_by in parsed.fields:
                seen_fields[re.sub(r"\d+", "N", name)] += 1
                if not any(WARNING in parsed.texts.get(i, "") for i in described_by.split()):
                    unwarned.append(f"{path}: {name}")
            for href in HREF.findall(page.text):
                url = urljoin(str(page.url), href.replace("&amp;", "&"))
                if url.startswith(server):
                    queue.append(url.removeprefix(server) or "/")
    assert unwarned == []
    # The crawl reached every kind: the citizen's data and needs, the carer's roster and leaving, the
    # day's adjustments and a moved assignment.
    assert {"reason", "note", "notes", "how_notes", "care_instructions", "avoid_reason_N"} <= set(seen_fields)
