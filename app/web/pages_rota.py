"""The team rota (week and month), a carer's day, a citizen's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup, escape
from sqlalchemy.orm import joinedload, lazyload

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.security import check_role, get_team_scoped
from app.web.deps import PLANNER_ROLES, STAFF_ROLES, WebUser, staff_team
from app.web.i18n import format_date, need_name, translator
from app.web.read import carer_day as carer_day_read
from app.web.read import citizen as citizen_read
from app.web.read import plans as plans_read
from app.web.read import rota as rota_read
from app.web.render import FLASHES, WebRoute, hhmm, language, page
from exchange import out_of_range
from models.core import Carer, Citizen, User

router = APIRouter(route_class=WebRoute)


def parse_day(value: str | None, default: dt.date | Callable[[], dt.date]) -> dt.date:
    """The date asked for, else `default` (a date, or what finds it: asked only when no date is given,
    since finding the team's default day costs a query)."""
    if not value:
        return default() if callable(default) else default
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"date {value!r} is not a date like 2026-12-01") from None
    if (why := out_of_range(day)) is not None:
        raise HTTPException(status_code=422, detail=f"date {value!r}: {why}")
    return day


def _timelines(rota: rota_read.Rota, lang: str,
               pct: Callable[[int], float]) -> dict[int, dict[dt.date, Markup]]:
    """Per carer and day, the inside of the week view's timeline (shifts, visit blocks, or "Off") as
    HTML, made once in Python: a team's week has hundreds of blocks, and Jinja's loop, attribute look-ups
    and escaping per block cost several times the words themselves. Every value is escaped here as the
    template would escape it, so the page is the same byte for byte."""
    _ = translator(lang)
    contact, new_face, pinned, off = _("Contact carer"), _("New face"), _("Pinned"), escape(_("Off"))
    day_names = {d: format_date(lang, d) for d in rota.days}
    views: dict[int, dict[dt.date, Markup]] = {}
    for row in rota.rows:
        per_day = views[row.carer_id] = {}
        for day in rota.days:
            shifts = row.shifts.get(day, [])
            blocks = row.blocks.get(day, [])
            html = [f'<span class="shift" style="left:{pct(s)}%;width:{pct(e) - pct(s)}%"></span>'
                    for s, e in shifts]
            for b in blocks:
                span = f"{hhmm(b.start)}–{hhmm(b.start + b.duration)} {b.citizen}"
                need = need_name(lang, b.kind)
                left = pct(b.start)
                title = (f"{span} ({need})" + (f" · {contact}" if b.contact else "")
                         + (f" · {new_face}" if b.new_face else "")
                         + (f" · + {', '.join(b.partners)}" if b.partners else ""))
                aria = (f"{day_names.get(day) or format_date(lang, day)} {span}, {need}"
                        + (f", {contact}" if b.contact else "") + (f", {new_face}" if b.new_face else "")
                        + (f", {pinned}" if b.pinned else ""))
                css = ("v" + (" contact" if b.contact else "") + (" newface" if b.new_face else "")
                       + (" pinned" if b.pinned else ""))
                width = pct(b.start + b.duration) - left
                html.append(f'<a class="{css}" href="/assignments/{b.assignment_id}" style="left:{left}%;'
                            f'width:{width}%" title="{escape(title)}" aria-label="{escape(aria)}" '
                            f'data-visit="{escape(b.visit_ext)}"></a>')
            if not shifts and not blocks:
                html.append(f'<span class="off">{off}</span>')
            per_day[day] = Markup("".join(html))
    return views


def _span(rota: rota_read.Rota) -> tuple[int, int]:
    """The hours the timelines cover: from the earliest shift or visit to the latest, whole hours."""
    lo, hi = 7 * 60, 22 * 60
    for row in rota.rows:
        for spans in row.shifts.values():
            for s, e in spans:
                lo, hi = min(lo, s), max(hi, e)
        for blocks in row.blocks.values():
            for b in blocks:
                lo, hi = min(lo, b.start), max(hi, b.start + b.duration)
    return lo // 60 * 60, -(-hi // 60) * 60


@router.get("/teams/{team_id}/rota")
def rota_page(
    request: Request,
    team_id: RowId,
    user: WebUser,
    session: SessionDep,
    reads: ReadLogDep,
    view: str = "week",
    date: str | None = None,
) -> Response:
    team = staff_team(session, team_id, user)
    day = parse_day(date, lambda: plans_read.default_day(session, team.id))
    if view == "month":
        first, last = plans_read.month_bounds(day)
        start, end = first, last
        prev_day = (first - dt.timedelta(days=1)).replace(day=1)
        next_day = last + dt.timedelta(days=1)
    else:
        view = "week"
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=6)
        prev_day, next_day = start - dt.timedelta(days=7), start + dt.timedelta(days=7)
    # The per-citizen count is for the month the view is about: the week's Thursday decides (ISO rule).
    anchor = start + dt.timedelta(days=3) if view == "week" else start
    data = rota_read.rota(session, team=team, start=start, end=end, month=(anchor.year, anchor.month))
    views = data.views.get("span and shown")
    if views is None:
        # One entry, made whole before it is kept: the rota is already in the cache, and a request
        # reading it meanwhile must find both or neither.
        views = data.views["span and shown"] = (_span(data), {c.citizen_id for c in data.counts} | {
            b.citizen_id for row in data.rows for blocks in row.blocks.values() for b in blocks})
    (t0, t1), shown = views
    # Logged at every read, the rota cached or not.
    reads.citizens(user=user, citizen_ids=shown, what="rota")
    def pct(minute: int) -> float:
        return round((minute - t0) * 100 / (t1 - t0), 3)

    lang = language(request)
    if view == "week" and ("timelines", lang) not in data.views:
        data.views["timelines", lang] = _timelines(data, lang, pct)
    ctx: dict[str, Any] = {
        "team": team,
        "rota": data,
        "timelines": data.views["timelines", lang] if view == "week" else {},
        "view": view,
        "day": day,
        "start": start,
        "end": end,
        "prev_day": prev_day,
        "next_day": next_day,
        "t0": t0,
        "t1": t1,
        "hours": list(range(t0, t1, 120)),
        "week_no": start.isocalendar().week,
        "can_adjust": user.role in PLANNER_ROLES,
        "pct": pct,
        "grid": round(120 * 100 / (t1 - t0), 4),
        "flash": FLASHES.get(request.query_params.get("done", "")),
    }
    return page(request, "web/rota.html", ctx, user=user, team_id=team.id, active="rota")


def carer_and_day(session: SessionDep, user: User, carer_id: int, date: str | None) -> tuple[Carer, dt.date]:
    """The team's carer (404 for another team's) and the day asked for, else the team's default day."""
    check_role(user, *STAFF_ROLES)
    carer = get_team_scoped(session, Carer, carer_id, user, what="carer not found")
    return carer, parse_day(date, lambda: plans_read.default_day(session, carer.team_id))


@router.get("/carers/{carer_id}/day")
def carer_day_page(
    request: Request, carer_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
    date: str | None = None,
) -> Response:
    carer, day = carer_and_day(session, user, carer_id, date)
    data = carer_day_read.carer_day(session, carer=carer, day=day)
    reads.citizens(user=user, citizen_ids=data["citizen_ids"], what="carer day")
    return page(
        request,
        "web/carer_day.html",
        {
            **data,
            "prev_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "team": carer.team,
            "can_adjust": user.role in PLANNER_ROLES,
        },
        user=user,
        team_id=carer.team_id,
        active="rota",
    )


@router.get("/citizens/{citizen_id}")
def citizen_page(
    request: Request, citizen_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
    date: str | None = None,
) -> Response:
    check_role(user, *STAFF_ROLES)
    # The page names the contact carer: loaded with the citizen, not by the template a round trip later;
    # it shows no carers to avoid, so they are not read unless asked for.
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found",
                              options=[joinedload(Citizen.contact_carer), lazyload(Citizen.avoid_carers)])
    day = parse_day(date, lambda: plans_read.default_day(session, citizen.team_id))
    data = citizen_read.citizen_page(session, citizen=citizen, today=day)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="citizen page")
    return page(
        request,
        "web/citizen.html",
        {**data, "day": day, "team": citizen.team},
        user=user,
        team_id=citizen.team_id,
        active="rota",
    )
