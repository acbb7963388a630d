"""Every role follows every link on every page with a plain HTTP client: no page answers 500."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from app.security import SESSION_COOKIE
from tests.web.site import DemoSite

HREF = re.compile(r"""href="([^"#]*)""")
# The demo site (seeded database, two planner runs, uvicorn) takes ~15 s to make.
pytestmark = pytest.mark.slow

PER_PATTERN = 4  # the rota links every visit: a few of each kind of page are enough
MAX_PAGES = 300


def _pattern(path: str) -> str:
    parts = urlsplit(path)
    query = "&".join(sorted(k for k, _, _ in (p.partition("=") for p in parts.query.split("&")) if k))
    return re.sub(r"\d+", "N", parts.path) + ("?" + query if query else "")


def crawl(base: str, username: str, password: str) -> tuple[Counter[int], list[str], int]:
    with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:
        r = client.post("/login", data={"username": username, "password": password})
        assert r.status_code == 200 and "/login" not in str(r.url), f"{username} could not log in"
        seen: set[str] = set()
        per_pattern: Counter[str] = Counter()
        statuses: Counter[int] = Counter()
        errors: list[str] = []
        queue = deque(["/", str(r.url).removeprefix(base)])
        while queue and len(seen) < MAX_PAGES:
            path = queue.popleft()
            if path in seen or per_pattern[_pattern(path)] >= PER_PATTERN:
                continue
            seen.add(path)
            per_pattern[_pattern(path)] += 1
            response = client.get(path)
            statuses[response.status_code] += 1
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {path}")
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            for href in HREF.findall(response.text):
                url = urljoin(str(response.url), href.replace("&amp;", "&"))
                if not url.startswith(base):
                    continue  # nothing links out (no CDN, no internet): asserted below too
                target = url.removeprefix(base) or "/"
                if not target.startswith(("/static/", "/lang/")):
                    queue.append(target)
        return statuses, errors, len(seen)


@pytest.mark.parametrize("username", ["admin", "coordinator", "member", "member-skonsberg", "auditor"])
def test_every_role_follows_every_link_and_no_page_answers_500(
    server: str, site: DemoSite, username: str
) -> None:
    statuses, errors, pages = crawl(server, username, site.password)
    assert errors == []
    assert pages >= 3
    assert statuses[200] >= 3


def test_pages_link_nothing_outside_the_site(server: str, site: DemoSite) -> None:
    with httpx.Client(base_url=server, follow_redirects=True) as client:
        client.post("/login", data={"username": "coordinator", "password": site.password})
        text = client.get("/").text
    assert not re.search(r"""(src|href)="(https?:)?//""", text)
    assert '<script src="/static/htmx.min.js"' in text


def test_without_a_login_every_page_goes_to_the_login_form(server: str) -> None:
    with httpx.Client(base_url=server, follow_redirects=False) as client:
        for path in ("/", "/teams", "/teams/1/rota", "/citizens/1", "/audit", "/runs/1"):
            r = client.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
        r = client.post("/login", data={"username": "member", "password": "wrong"})
        assert r.status_code == 401 and "Wrong username or password" in r.text or "Fel användarnamn" in r.text


def test_the_session_cookie_is_httponly_and_logout_revokes_it(server: str, site: DemoSite) -> None:
    with httpx.Client(base_url=server, follow_redirects=False) as client:
        r = client.post(
            "/login", data={"username": "member", "password": site.password, "next": "//evil.example"}
        )
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert r.headers["location"] == "/"  # no open redirect
        assert client.get("/teams").status_code == 200
        token = client.cookies[SESSION_COOKIE]
        client.post("/logout")
        assert client.get("/teams").status_code == 303
    # A copy of the cookie taken before signing out (a shared office computer) no longer opens a page.
    with httpx.Client(base_url=server, follow_redirects=False, cookies={SESSION_COOKIE: token}) as copied:
        assert copied.get("/teams").status_code == 303


def test_another_teams_pages_answer_404_and_a_role_without_access_403(server: str, site: DemoSite) -> None:
    import sqlite3

    with sqlite3.connect(site.db_path) as db:
        other = site.teams["Skönsberg"]
        carer = db.execute("SELECT id FROM carers WHERE team_id = ?", (other,)).fetchone()[0]
        citizen = db.execute("SELECT id FROM citizens WHERE team_id = ?", (other,)).fetchone()[0]
        assignment = db.execute(
            "SELECT a.id FROM assignments a JOIN visits v ON v.id = a.visit_id "
            "JOIN citizens c ON c.id = v.citizen_id WHERE c.team_id = ?",
            (other,),
        ).fetchone()[0]
    foreign = [
        f"/teams/{other}/rota",
        f"/teams/{other}/rota?view=month",
        f"/carers/{carer}/day",
        f"/citizens/{citizen}",
        f"/assignments/{assignment}",
    ]
    with httpx.Client(base_url=server) as client:
        client.post("/login", data={"username": "member", "password": site.password})
        for path in foreign:
            r = client.get(path)
            assert r.status_code == 404, path
            assert "Page not found" in r.text or "Sidan finns inte" in r.text
        for path in (
            f"/teams/{site.teams['Centrum']}/adjust",
            f"/teams/{site.teams['Centrum']}/runs",
            "/audit",
        ):
            assert client.get(path).status_code == 403, path  # a team member does not plan or audit
    with httpx.Client(base_url=server) as client:
        client.post("/login", data={"username": "auditor", "password": site.password})
        for path in foreign[:4]:
            assert client.get(path).status_code == 403, path  # an auditor sees no names, anywhere


def test_an_id_no_row_can_have_gets_a_page_that_says_so_not_a_server_error(server: str,
                                                                           site: DemoSite) -> None:
    too_big = 2**63  # beyond any database integer: it used to reach the query and fail there
    paths = [f"/carers/{too_big}/day", f"/citizens/{too_big}", f"/assignments/{too_big}",
             f"/runs/{too_big}", f"/teams/{too_big}/rota", f"/teams/{too_big}/runs"]
    with httpx.Client(base_url=server) as client:
        client.post("/login", data={"username": "coordinator", "password": site.password})
        for path in paths:
            r = client.get(path)
            assert r.status_code == 404, path
            assert "Page not found" in r.text or "Sidan finns inte" in r.text, path
        # A query parameter no row can have: the page names it, in HTML.
        r = client.get(f"/teams/{site.teams['Centrum']}/adjust", params={"plan": too_big})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("text/html") and "plan" in r.text
        # A form field of the wrong kind gets the form's error page, in HTML, naming the field as the form.
        r = client.post(f"/teams/{site.teams['Centrum']}/runs",
                        data={"start": "2026-12-01", "end": "2026-12-07", "time_limit": "soon"})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("text/html")
        assert "Tidsgräns (sekunder): Ska vara ett tal" in r.text  # the field by its label, in Swedish
