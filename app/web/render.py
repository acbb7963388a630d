"""Templates, the page context every page shares (language, user, menu), and HTML error pages.

`WebRoute` is the route class of every web router: an HTTPException or a service error raised by a
page (or by one of its dependencies) becomes an HTML page in the user's language with the same status
code, so a browser never shows the API's JSON; a missing login becomes a redirect to the login page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from app.auth import provider_name
from app.db import DATABASE_DOWN_DETAIL, RETRY_AFTER_SECONDS
from app.replan.hand_move import RULES
from app.services.errors import ServiceError
from app.version import __version__
from app.web.i18n import (
    LANG_COOKIE,
    LANGUAGES,
    field_label,
    format_date,
    format_number,
    format_share,
    month_name,
    need_name,
    period_name,
    pick_language,
    say_message,
    skill_name,
    translator,
)
from app.web.moments import moment
from models.core import ROLE_ADMIN, ROLE_AUDITOR, ROLE_COORDINATOR, Plan, User

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


def hhmm(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def driving_hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 1)


templates.env.filters["hhmm"] = hhmm
templates.env.globals["driving_hours"] = driving_hours
templates.env.globals["hhmm"] = hhmm
# What a visit's priority means to the team (1 must be placed, 2 should, 3 may wait).
templates.env.globals["priority_words"] = {1: "must", 2: "should", 3: "may wait"}
templates.env.globals["timedelta"] = dt.timedelta
templates.env.globals["rules"] = RULES
templates.env.globals["moment"] = moment
templates.env.globals["provider_name"] = provider_name
templates.env.globals["version"] = __version__


def plan_title(lang: str, plan: Plan) -> str:
    """A plan as teams name it: its teams and period ("Centrum, v. 49–52"), never its stored id or name."""
    teams = ", ".join(sorted(t.name for t in plan.teams))
    return f"{teams}, {period_name(lang, plan.start_date, plan.end_date)}"


class LoginRequired(Exception):
    """No valid session cookie: the page sends the browser to the login form."""


PASSWORD_PAGE = "/account/password"


class PasswordChangeRequired(Exception):
    """The user's password was set by someone else: every page sends them to choose their own first."""


def language(request: Request) -> str:
    return pick_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


# The line a page shows after a form sent it there with ?done=<key>.
FLASHES = {
    "saved": "The change was saved.",
    "applied": "The re-plan was applied.",
    "discarded": "The re-plan was discarded.",
    "moved": "The move was saved.",
    "pinned": "The assignment is pinned.",
    "unpinned": "The assignment is unpinned.",
    "accepted": "The plan was accepted.",
    "contacts": "The chosen contact carers are saved.",
    "team-default": "The team's continuity setting is saved: runs that choose none plan with it.",
}

# The glossary: (term, meaning), both as English keys of the catalog; the trade's word is the Swedish term.
GLOSSARY = (
    (
        "Citizen",
        "A person who receives home care.",
    ),
    (
        "Carer",
        "A person in the team who makes the visits.",
    ),
    (
        "Contact carer",
        "The carer who knows the citizen best and should make as many of their visits as possible.",
    ),
    (
        "Need",
        "What the citizen has been granted, such as morning care or a shower, on given weekdays and "
        "times.",
    ),
    (
        "Route",
        "One carer's visits of one day in order, with the travel between them: what the carer takes "
        "along.",
    ),
    (
        "Shift",
        "A carer's working hours on a day.",
    ),
    (
        "Two carers",
        "A visit that needs two carers at the same time, for example with a lift.",
    ),
    (
        "Sick call",
        "A carer reports sick; their visits are given to others in a re-plan.",
    ),
    (
        "Substitute",
        "A carer who stands in for a few days and is added to the team for them.",
    ),
    (
        "Cancel a visit",
        "A visit the citizen cancels; it is taken out of the plan.",
    ),
    (
        "coordinator",
        "The person who plans the team's visits and makes the daily changes.",
    ),
    (
        "New face",
        "A carer the citizen has not met before in the last two months: the visit is marked with a "
        "star.",
    ),
    (
        "Contact-person share",
        "The share of the citizen's visits made by their contact carer.",
    ),
    (
        "Limit per month",
        "The most different carers a citizen may meet in a calendar month; the planner keeps within "
        "it.",
    ),
    (
        "National 14-day measure",
        "The national measure: how many different carers a citizen aged 65 or more with visits every "
        "day meets in 14 days.",
    ),
    (
        "Pinned",
        "A pinned visit keeps its carer and time when the plan is made again.",
    ),
)

# The short help line at the top of each page, by template.
PAGE_HELP = {
    "web/teams.html": (
        "Your teams: open a team's rota to see who goes where."
    ),
    "web/rota.html": (
        "The team's rota: each row is a carer, each block a visit. Green is the contact carer, a star"
        " a carer new to the citizen. Click a name for the carer's route of the day."
    ),
    "web/carer_day.html": (
        "The carer's route of the day in order, with travel times, addresses and the citizens' "
        "practical notes."
    ),
    "web/citizen.html": (
        "The citizen's needs, who comes when, and how many different carers they meet this month "
        "against the team's limit."
    ),
    "web/assignment.html": (
        "One visit: who makes it and when. You can move it to another carer or time; it is checked "
        "against every rule first."
    ),
    "web/adjust.html": (
        "Record today's changes (sick calls, cancellations, substitutes and more), then re-plan: you "
        "see a preview and apply it or throw it away."
    ),
    "web/preview.html": (
        "The re-plan's proposal: which visits move, who is new to a citizen, what could not be "
        "placed. Nothing changes until you apply it."
    ),
    "web/runs.html": (
        "Plan a period: the planner places every visit of the period with as few different carers per"
        " citizen as it can, within the team's limit. You look at the result and accept it before it "
        "is in force."
    ),
    "web/run.html": (
        "Plan a period: the planner places every visit of the period with as few different carers per"
        " citizen as it can, within the team's limit. You look at the result and accept it before it "
        "is in force."
    ),
    "web/compare.html": (
        "The new plan beside the plan in force: an arrow up is better, down is worse."
    ),
    "web/audit.html": (
        "Continuity for the teams you follow up: the national measure first, then the figures per "
        "team. Citizens are shown as codes, never by name."
    ),
    "web/search.html": (
        "Find a citizen or a carer by name in your teams."
    ),
    "web/glossary.html": (
        "What the words on the pages mean."
    ),
}

NAV_LABELS = {
    "teams": "Teams",
    "rota": "Rota",
    "citizens": "Citizens",
    "carers": "Carers",
    "adjust": "Adjust and re-plan",
    "runs": "Plan runs",
    "audit": "Continuity",
    "users": "Users",
    "access_log": "Who looked at whom",
}


def nav_items(user: User | None, team_id: int | None) -> list[tuple[str, str, str]]:
    """(key, label, href) of the main menu for this user: what their role may open."""
    if user is None:
        return []
    keys: list[tuple[str, str]] = []
    if user.role != ROLE_AUDITOR:
        keys.append(("teams", "/teams"))
        if team_id is not None:
            keys.append(("rota", f"/teams/{team_id}/rota"))
            keys += [("citizens", f"/teams/{team_id}/citizens"), ("carers", f"/teams/{team_id}/carers")]
            if user.role in (ROLE_COORDINATOR, ROLE_ADMIN):
                keys += [("adjust", f"/teams/{team_id}/adjust"), ("runs", f"/teams/{team_id}/runs")]
    if user.role in (ROLE_AUDITOR, ROLE_COORDINATOR, ROLE_ADMIN):
        keys.append(("audit", "/audit"))
    if user.role == ROLE_ADMIN:
        keys.append(("users", "/admin/users"))
        keys.append(("access_log", "/admin/access-log"))
    return [(key, NAV_LABELS[key], href) for key, href in keys]


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    team_id: int | None = None,
    active: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render `name` with the shared context: `_` (translator), `lang`, `user`, the menu."""
    lang = language(request)
    ctx: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "languages": LANGUAGES,
        "_": translator(lang),
        "user": user,
        "nav": nav_items(user, team_id),
        "active": active,
        "team_id": team_id,
        "fmt_date": lambda d, weekday=True: format_date(lang, d, weekday=weekday),
        "month_name": lambda m: month_name(lang, m),
        "num": lambda v, digits=1: format_number(lang, v, digits),
        "pct": lambda v: format_share(lang, v),
        "period_name": lambda start, end: period_name(lang, start, end),
        "plan_title": lambda plan: plan_title(lang, plan),
        "need_name": lambda kind: need_name(lang, kind),
        "skill_name": lambda skill: skill_name(lang, skill),
        "msg": lambda text, names=None: say_message(lang, str(text), names),
        "field_label": lambda path: field_label(lang, path),
        "page_help": PAGE_HELP.get(name),
        "today": dt.date.today(),
        "here": quote(
            str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""), safe=""
        ),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def login_redirect(request: Request) -> Response:
    target = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?next={quote(target, safe='')}"
    if is_htmx(request):
        # htmx would swap the login page into a fragment; tell it to load the whole page instead.
        return Response(status_code=200, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


_TITLES = {
    404: ("Page not found", "This page does not exist, or it belongs to a team you do not work in."),
    403: ("Not allowed", "Your role does not allow this page."),
    401: ("Log in", "Please log in to continue."),
    503: ("Try again in a moment", "The planner cannot reach its database just now. Nothing was changed."),
}


def form_errors(e: HTTPException | ServiceError) -> tuple[int, list[dict[str, Any]]]:
    """A refused form as its page shows it: the status and one row per error, each with the field's
    `path` ("visits.3.day", from a path or a loc) and `msg`, and whatever else the error names."""
    detail = e.detail if isinstance(e, HTTPException) else e.detail()
    rows = []
    for d in detail if isinstance(detail, list) else [detail]:
        if isinstance(d, dict):
            rows.append({**d, "path": d.get("path") or ".".join(str(x) for x in d.get("loc", [])),
                         "msg": d.get("msg", "")})
        else:
            rows.append({"path": "", "msg": str(d)})
    return e.status_code, rows


def error_page(request: Request, status_code: int, detail: Any = None, *,
               with_user: bool = True) -> HTMLResponse:
    """The error page; `with_user=False` leaves out the user's menu (its rows may have gone with the
    session)."""
    title, text = _TITLES.get(
        status_code, ("Check the form" if 400 <= status_code < 500 else "Something went wrong", "")
    )
    message = detail if isinstance(detail, str) else None
    errors = detail if isinstance(detail, list) else None
    return page(
        request,
        "web/error.html",
        {"title": title, "text": text, "message": message, "errors": errors, "status": status_code},
        user=getattr(request.state, "web_user", None) if with_user else None,
        status_code=status_code,
    )


class WebRoute(APIRoute):
    """Turns errors raised while serving a page into HTML pages (see the module docstring).

    The database going away is not caught here but passes through the request's session, which must
    roll back (a connection lost halfway cannot commit); the app's handler then asks the route for its
    answer (`database_down_page`), which may also come from a commit that failed after the page was
    made. That page has no menu: the rolled-back session cannot read the user's teams any more."""

    @staticmethod
    def database_down_page(request: Request) -> Response:
        down = error_page(request, 503, DATABASE_DOWN_DETAIL, with_user=False)
        down.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return down

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except PasswordChangeRequired:
                return RedirectResponse(PASSWORD_PAGE, status_code=303)
            except HTTPException as e:
                if e.status_code == 401:
                    return login_redirect(request)
                return error_page(request, e.status_code, e.detail)
            except ServiceError as e:
                return error_page(request, e.status_code, e.detail())
            except RequestValidationError as e:
                errors = list(e.errors())
                if all(tuple(err.get("loc") or ("",))[0] == "path" for err in errors):
                    # An address with an id no row can have (too large, not a number) names no page.
                    return error_page(request, 404)
                return error_page(request, 422, errors)

        return route
