"""The team's own data in the pages: citizens (register, edit, end), their standing needs (add, change
from a date, end), carers (add, edit, end) and their rosters (a pattern over weeks, exceptions on dates).

Coordinators of the team (and admins) edit; members read the record pages; auditors never see them.
Every change goes through `app.services.team_data` (the same calls as the API); this module turns form
fields into the schemas' terms and a refusal into the form again with each error by its field.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUpload

from app.api.deps import ReadLogDep, read_log_of
from app.db import SessionDep
from app.schemas import core as s
from app.schemas import team_data as ts
from app.schemas.core import RowId
from app.security import get_team_scoped
from app.services import core as core_svc
from app.services.team_data import carers as carers_svc
from app.services.team_data import citizens as citizens_svc
from app.services.team_data import needs as needs_svc
from app.services.team_data import roster as roster_svc
from app.services.team_data import sheets as sheets_svc
from app.web.deps import WebUser, planner_team, staff_team
from app.web.forms import FORM_REFUSALS, FormFields, field_error, parse_date, parse_hhmm, refusal
from app.web.read import team_data as read
from app.web.render import FLASHES, WebRoute, page
from models.core import Carer, Citizen, Need, Team, User
from models.team_data import CITIZEN_END_REASONS, EXCEPTION_KINDS

router = APIRouter(route_class=WebRoute)

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _text(form: FormData, key: str) -> str | None:
    value = form.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _time(form: FormData, key: str) -> int | None:
    value = _text(form, key)
    return parse_hhmm(value, key) if value else None


def _day(form: FormData, key: str) -> dt.date | None:
    value = _text(form, key)
    return parse_date(value, key) if value else None


def _done(url: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?done=saved", status_code=303)


def _base(request: Request, team: Team) -> dict[str, Any]:
    flash = FLASHES.get(request.query_params.get("done", ""))
    return {"team": team, "flash": flash, "flash_kind": "ok", "weekdays": WEEKDAYS,
            "end_reasons": CITIZEN_END_REASONS, "exception_kinds": EXCEPTION_KINDS}


def _own(row: Citizen | Carer, team: Team, what: str) -> None:
    if row.team_id != team.id:
        raise HTTPException(status_code=404, detail=f"{what} not found")


# --- citizens ----------------------------------------------------------------------------------


@router.get("/teams/{team_id}/citizens")
def citizens_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                  reads: ReadLogDep) -> Response:
    team = staff_team(session, team_id, user)
    citizens = read.citizens(session, team.id)
    reads.citizens(user=user, citizen_ids=[c.id for c in citizens], what="citizen list")
    ctx = {**_base(request, team), "citizens": citizens,
           "carer_names": {c.id: c.name for c in read.carers(session, team.id)}}
    return page(request, "web/team_citizens.html", ctx, user=user, team_id=team.id, active="citizens")


def _citizen_data(session: SessionDep, form: FormData, team: Team, carers: list[Carer]) -> dict[str, Any]:
    avoid = [c.id for c in carers if form.get(f"avoid_{c.id}")]
    contact = _text(form, "contact_carer_id")
    lat, lon, address = _text(form, "lat"), _text(form, "lon"), _text(form, "address")
    if lat is None and lon is None:
        # No position typed: the address list's, if the address is on it (the page works without script).
        known = citizens_svc.position_of(citizens_svc.address_list(session, team_id=team.id), address)
        if known is not None:
            lat, lon = str(known.lat), str(known.lon)
    return {
        "team_id": team.id, "name": _text(form, "name") or "", "address": address,
        "lat": lat or "", "lon": lon or "",
        "birth_year": _text(form, "birth_year"), "contact_carer_id": int(contact) if contact else None,
        "avoid_carer_ids": avoid,
        "avoid_reasons": {cid: r for cid in avoid if (r := _text(form, f"avoid_reason_{cid}"))},
        "notes": _text(form, "notes"), "how_notes": _text(form, "how_notes"),
        "in_national_measure": bool(form.get("in_national_measure")),
    }


def _citizen_form(request: Request, session: SessionDep, user: User, team: Team, citizen: Citizen | None,
                  *, errors: list[dict[str, Any]] | None = None, form: str | None = None,
                  values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    carers = read.carers(session, team.id)
    if values is None and citizen is not None:
        values = {k: getattr(citizen, k) for k in citizens_svc.CITIZEN_FIELDS}
        values["avoid_carer_ids"] = [c.id for c in citizen.avoid_carers]
        values["avoid_reasons"] = core_svc.avoid_reasons(session, citizen_id=citizen.id)
        values["version"] = citizen.version
    addresses = citizens_svc.address_list(session, team_id=team.id)
    read_log_of(request, session).citizens(
        user=user, citizen_ids=sorted({cid for a in addresses for cid in a.citizen_ids}), what="address list")
    needs = read.needs(session, citizen.id) if citizen else []
    ctx = {**_base(request, team), "citizen": citizen, "carers": carers, "addresses": addresses,
           "values": values or {"in_national_measure": True, "avoid_carer_ids": [], "avoid_reasons": {}},
           "errors": errors, "form": form, "needs": needs,
           # A need is spaced from another by its kind: one choice per kind, its latest version.
           "spacing_choices": list({n.kind: n for n in needs}.values()),
           "spaced_kind": {n.id: n.kind for n in needs},
           "changes": read.changes(session, citizen_id=citizen.id) if citizen else [],
           "next_monday": dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())}
    return page(request, "web/citizen_form.html", ctx, user=user, team_id=team.id, active="citizens",
                status_code=status_code)


@router.get("/teams/{team_id}/citizens/new")
def new_citizen_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                     _reads: ReadLogDep) -> Response:
    team = planner_team(session, team_id, user)
    return _citizen_form(request, session, user, team, None)


@router.post("/teams/{team_id}/citizens/new")
def register_citizen(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                     form: FormFields) -> Response:
    team = planner_team(session, team_id, user)
    data = _citizen_data(session, form, team, read.carers(session, team.id))
    try:
        citizen = citizens_svc.register_citizen(session, data=core_svc.validated(s.CitizenCreate, data),
                                                user=user)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return _citizen_form(request, session, user, team, None, errors=errors, form="citizen",
                             values=data, status_code=code)
    return _done(f"/teams/{team.id}/citizens/{citizen.id}/edit")


def _team_citizen(session: SessionDep, team_id: int, citizen_id: int, user: User,
                  *, edit: bool) -> tuple[Team, Citizen]:
    team = planner_team(session, team_id, user) if edit else staff_team(session, team_id, user)
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found")
    _own(citizen, team, "citizen")
    return team, citizen


@router.get("/teams/{team_id}/citizens/{citizen_id}/record")
def citizen_record_page(request: Request, team_id: RowId, citizen_id: RowId, user: WebUser,
                        session: SessionDep, reads: ReadLogDep) -> Response:
    team, citizen = _team_citizen(session, team_id, citizen_id, user, edit=False)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="citizen record")
    ctx = {**_base(request, team), "citizen": citizen, "needs": read.needs(session, citizen.id),
           "changes": read.changes(session, citizen_id=citizen.id),
           "avoid_reasons": core_svc.avoid_reasons(session, citizen_id=citizen.id)}
    return page(request, "web/citizen_record.html", ctx, user=user, team_id=team.id, active="citizens")


@router.get("/teams/{team_id}/citizens/{citizen_id}/edit")
def edit_citizen_page(request: Request, team_id: RowId, citizen_id: RowId, user: WebUser,
                      session: SessionDep, reads: ReadLogDep) -> Response:
    team, citizen = _team_citizen(session, team_id, citizen_id, user, edit=True)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="citizen form")
    return _citizen_form(request, session, user, team, citizen)


@router.post("/teams/{team_id}/citizens/{citizen_id}/edit")
def edit_citizen(request: Request, team_id: RowId, citizen_id: RowId, user: WebUser, session: SessionDep,
                 form: FormFields) -> Response:
    team, citizen = _team_citizen(session, team_id, citizen_id, user, edit=True)
    data = _citizen_data(session, form, team, read.carers(session, team.id))
    data["version"] = _text(form, "version")
    try:
        citizens_svc.edit_citizen(session, citizen=citizen, data=core_svc.validated(s.CitizenUpdate, data),
                                  user=user)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return _citizen_form(request, session, user, team, citizen, errors=errors, form="citizen",
                             values=data, status_code=code)
    return _done(f"/teams/{team.id}/citizens/{citizen.id}/edit")


def _citizen_action(request: Request, session: SessionDep, user: User, team: Team, citizen: Citizen,
                    which: str, action: Any) -> Response:
    try:
        action()
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        citizen = session.get(Citizen, citizen.id) or citizen
        return _citizen_form(request, session, user, team, citizen, errors=errors, form=which,
                             status_code=code)
    return _done(f"/teams/{team.id}/citizens/{citizen.id}/edit")


@router.post("/teams/{team_id}/citizens/{citizen_id}/end")
def end_citizen(request: Request, team_id: RowId, citizen_id: RowId, user: WebUser, session: SessionDep,
                form: FormFields) -> Response:
    team, citizen = _team_citizen(session, team_id, citizen_id, user, edit=True)
    data = {"from_date": _text(form, "from_date") or "", "reason": _text(form, "reason") or "",
            "version": _text(form, "version")}
    return _citizen_action(request, session, user, team, citizen, "end", lambda: citizens_svc.end_citizen(
        session, citizen=citizen, data=core_svc.validated(s.CitizenEnd, data), user=user))


def _need_data(form: FormData) -> dict[str, Any]:
    skills = [k.strip() for k in (_text(form, "skills") or "").split(",") if k.strip()]
    data: dict[str, Any] = {
        "weekdays": [int(d) for d in form.getlist("weekdays") if isinstance(d, str) and d.isdigit()],
        "every_weeks": _text(form, "every_weeks") or 1, "earliest": _time(form, "earliest"),
        "latest": _time(form, "latest"), "duration": _text(form, "duration"),
        "carers": int(c) if (c := _text(form, "carers") or "1").isdigit() else c, "skills": skills,
        "care_instructions": _text(form, "care_instructions"), "priority": _text(form, "priority") or 2,
        "spaced_from_id": _text(form, "spaced_from_id"), "min_gap": _text(form, "min_gap"),
        "max_gap": _text(form, "max_gap"),
    }
    if data["spaced_from_id"] and data["min_gap"] is None:
        data["min_gap"] = 0
    return data


@router.post("/teams/{team_id}/citizens/{citizen_id}/needs")
def add_need(request: Request, team_id: RowId, citizen_id: RowId, user: WebUser, session: SessionDep,
             form: FormFields) -> Response:
    team, citizen = _team_citizen(session, team_id, citizen_id, user, edit=True)

    def act() -> None:
        data = {**_need_data(form), "citizen_id": citizen.id, "kind": _text(form, "kind") or "",
                "valid_from": _day(form, "valid_from"), "valid_to": _day(form, "valid_to")}
        needs_svc.add_need(session, data=core_svc.validated(s.NeedCreate, data), user=user)
    return _citizen_action(request, session, user, team, citizen, "need-new", act)


def _team_need(session: SessionDep, team_id: int, need_id: int, user: User) -> tuple[Team, Citizen, Need]:
    team = planner_team(session, team_id, user)
    need = get_team_scoped(session, Need, need_id, user, what="need not found")
    _own(need.citizen, team, "need")
    return team, need.citizen, need


@router.post("/teams/{team_id}/needs/{need_id}/change")
def change_need(request: Request, team_id: RowId, need_id: RowId, user: WebUser, session: SessionDep,
                form: FormFields) -> Response:
    team, citizen, need = _team_need(session, team_id, need_id, user)

    def act() -> None:
        data = {**_need_data(form), "from_date": _day(form, "from_date"), "valid_to": _day(form, "valid_to"),
                "version": _text(form, "version")}
        needs_svc.change_need(session, need=need, data=core_svc.validated(s.NeedChange, data), user=user)
    return _citizen_action(request, session, user, team, citizen, f"need-{need.id}", act)


@router.post("/teams/{team_id}/needs/{need_id}/end")
def end_need(request: Request, team_id: RowId, need_id: RowId, user: WebUser, session: SessionDep,
             form: FormFields) -> Response:
    team, citizen, need = _team_need(session, team_id, need_id, user)

    def act() -> None:
        data = core_svc.validated(ts.NeedEnd, {"from_date": _day(form, "from_date"),
                                               "version": _text(form, "version")})
        needs_svc.end_need(session, need=need, from_date=data.from_date, user=user, version=data.version)
    return _citizen_action(request, session, user, team, citizen, f"need-{need.id}", act)


# --- carers and rosters ------------------------------------------------------------------------


@router.get("/teams/{team_id}/carers")
def carers_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep) -> Response:
    team = staff_team(session, team_id, user)
    ctx = {**_base(request, team), "carers": read.carers(session, team.id)}
    return page(request, "web/team_carers.html", ctx, user=user, team_id=team.id, active="carers")


def _carer_data(form: FormData, team: Team) -> dict[str, Any]:
    skills = [k.strip() for k in (_text(form, "skills") or "").split(",") if k.strip()]
    minutes = _text(form, "contracted_hours")
    return {"team_id": team.id, "name": _text(form, "name") or "", "skills": skills,
            "contracted_minutes_per_week": _hours_to_minutes(minutes) if minutes else None,
            "active_from": _day(form, "active_from"), "travel_mode": _text(form, "travel_mode")}


def _hours_to_minutes(value: str) -> int:
    try:
        return round(float(value.replace(",", ".")) * 60)
    except ValueError:
        raise field_error("contracted_hours", f"{value!r} is not a number of hours") from None


def _team_carer(session: SessionDep, team_id: int, carer_id: int, user: User, *,
                edit: bool) -> tuple[Team, Carer]:
    team = planner_team(session, team_id, user) if edit else staff_team(session, team_id, user)
    carer = get_team_scoped(session, Carer, carer_id, user, what="carer not found")
    _own(carer, team, "carer")
    return team, carer


def _carer_page(request: Request, session: SessionDep, user: User, team: Team, carer: Carer | None, *,
                edit: bool, errors: list[dict[str, Any]] | None = None, form: str | None = None,
                warnings: list[roster_svc.RosterWarning] | None = None, status_code: int = 200) -> Response:
    start = dt.date.today()
    ctx: dict[str, Any] = {**_base(request, team), "carer": carer, "edit": edit, "errors": errors,
                           "form": form, "warnings": warnings or [],
                           "travel_modes": [m.name for m in core_svc.list_travel_modes(session)]}
    if carer is not None:
        patterns = read.roster_patterns(session, carer.id)
        in_force = next((p for p in reversed(patterns) if p.valid_to is None), None)
        # The grid starts this week, or where a roster set for later begins.
        if in_force is not None and in_force.valid_from > start:
            start = in_force.valid_from
        ctx.update({
            "patterns": patterns, "in_force": in_force, "cells": read.pattern_cells(in_force),
            "grid": read.roster_weeks(session, carer, start, max(4, in_force.weeks if in_force else 1)),
            "exceptions": read.roster_exceptions(session, carer.id, start - dt.timedelta(days=7)),
            "changes": read.changes(session, carer_id=carer.id),
            "next_monday": dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday()),
        })
    return page(request, "web/carer_form.html", ctx, user=user, team_id=team.id, active="carers",
                status_code=status_code)


@router.get("/teams/{team_id}/carers/new")
def new_carer_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep) -> Response:
    team = planner_team(session, team_id, user)
    return _carer_page(request, session, user, team, None, edit=True)


@router.post("/teams/{team_id}/carers/new")
def add_carer(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
              form: FormFields) -> Response:
    team = planner_team(session, team_id, user)
    try:
        carer = carers_svc.add_carer(session, data=core_svc.validated(s.CarerCreate, _carer_data(form, team)),
                                     user=user)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return _carer_page(request, session, user, team, None, edit=True, errors=errors, form="carer",
                           status_code=code)
    return _done(f"/teams/{team.id}/carers/{carer.id}/edit")


@router.get("/teams/{team_id}/carers/{carer_id}/record")
def carer_record_page(request: Request, team_id: RowId, carer_id: RowId, user: WebUser,
                      session: SessionDep) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=False)
    return _carer_page(request, session, user, team, carer, edit=False)


@router.get("/teams/{team_id}/carers/{carer_id}/edit")
def edit_carer_page(request: Request, team_id: RowId, carer_id: RowId, user: WebUser,
                    session: SessionDep) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)
    return _carer_page(request, session, user, team, carer, edit=True)


def _carer_action(request: Request, session: SessionDep, user: User, team: Team, carer: Carer, which: str,
                  action: Any) -> Response:
    try:
        warnings = action()
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        carer = session.get(Carer, carer.id) or carer
        return _carer_page(request, session, user, team, carer, edit=True, errors=errors, form=which,
                           status_code=code)
    if warnings:  # saved, but the working-time rules want the coordinator to look again
        return _carer_page(request, session, user, team, carer, edit=True, warnings=warnings, form=which)
    return _done(f"/teams/{team.id}/carers/{carer.id}/edit")


@router.post("/teams/{team_id}/carers/{carer_id}/edit")
def edit_carer(request: Request, team_id: RowId, carer_id: RowId, user: WebUser, session: SessionDep,
               form: FormFields) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)

    def act() -> None:
        data = {**_carer_data(form, team), "version": _text(form, "version")}
        carers_svc.edit_carer(session, carer=carer, data=core_svc.validated(s.CarerUpdate, data), user=user)
    return _carer_action(request, session, user, team, carer, "carer", act)


@router.post("/teams/{team_id}/carers/{carer_id}/end")
def end_carer(request: Request, team_id: RowId, carer_id: RowId, user: WebUser, session: SessionDep,
              form: FormFields) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)

    def act() -> None:
        data = {"from_date": _day(form, "from_date"), "reason": _text(form, "reason"),
                "version": _text(form, "version")}
        carers_svc.end_carer(session, carer=carer, data=core_svc.validated(s.CarerEnd, data), user=user)
    return _carer_action(request, session, user, team, carer, "end", act)


def _cell_shifts(text: str, path: str) -> list[dict[str, Any]]:
    """"07:00-12:00, 16:00-21:00 (10:00-11:00 30)": the day's shifts, each with an optional break window
    and its minutes in brackets."""
    out: list[dict[str, Any]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        hours, _, brk = part.partition("(")
        try:
            start, end = (x.strip() for x in hours.split("-"))
        except ValueError:
            raise field_error(path, f"{part!r} is not like 07:00-15:30") from None
        shift: dict[str, Any] = {"start": parse_hhmm(start, path), "end": parse_hhmm(end, path)}
        if brk:
            try:
                window, minutes = brk.rstrip(")").split()
                b0, b1 = window.split("-")
                shift.update(break_earliest=parse_hhmm(b0, path), break_latest=parse_hhmm(b1, path),
                             break_minutes=int(minutes))
            except ValueError:
                raise field_error(path, f"{brk!r}: write the break as (11:00-13:00 30)") from None
        out.append(shift)
    return out


@router.post("/teams/{team_id}/carers/{carer_id}/roster")
def set_roster(request: Request, team_id: RowId, carer_id: RowId, user: WebUser, session: SessionDep,
               form: FormFields) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)

    def act() -> list[roster_svc.RosterWarning]:
        weeks = int(_text(form, "weeks") or "1") if (_text(form, "weeks") or "1").isdigit() else 0
        shifts = []
        for w in range(max(0, min(weeks, 6))):
            for d in range(7):
                key = f"cell_{w}_{d}"
                cell = _cell_shifts(_text(form, key) or "", key)
                shifts += [{**sh, "week": w, "weekday": d} for sh in cell]
        data = core_svc.validated(ts.RosterPatternSet, {
            "from_date": _day(form, "from_date"), "weeks": weeks, "shifts": shifts,
            "version": _text(form, "version")})
        _pattern, warnings, _flagged = roster_svc.set_pattern(session, carer=carer, data=data, user=user)
        return warnings
    return _carer_action(request, session, user, team, carer, "roster", act)


@router.post("/teams/{team_id}/carers/{carer_id}/exceptions")
def add_exception(request: Request, team_id: RowId, carer_id: RowId, user: WebUser, session: SessionDep,
                  form: FormFields) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)

    def act() -> list[roster_svc.RosterWarning]:
        data = core_svc.validated(ts.RosterExceptionIn, {
            "date": _day(form, "date"), "kind": _text(form, "kind") or "", "start": _time(form, "start"),
            "end": _time(form, "end"), "break_earliest": _time(form, "break_earliest"),
            "break_latest": _time(form, "break_latest"), "break_minutes": _text(form, "break_minutes"),
            "note": _text(form, "note")})
        _ex, warnings, _flagged = roster_svc.add_exception(session, carer=carer, data=data, user=user)
        return warnings
    return _carer_action(request, session, user, team, carer, "exception", act)


@router.post("/teams/{team_id}/carers/{carer_id}/exceptions/{exception_id}/delete")
def remove_exception(request: Request, team_id: RowId, carer_id: RowId, exception_id: RowId, user: WebUser,
                     session: SessionDep) -> Response:
    team, carer = _team_carer(session, team_id, carer_id, user, edit=True)
    roster_svc.remove_exception(session, carer=carer, exception_id=exception_id, user=user)
    return _done(f"/teams/{team.id}/carers/{carer.id}/edit")


# --- spreadsheets --------------------------------------------------------------------------------


def _sheets_page(request: Request, session: SessionDep, user: User, team: Team, *,
                 check: sheets_svc.ImportPlan | None = None, upload: dict[str, str] | None = None,
                 status_code: int = 200) -> Response:
    ctx = {**_base(request, team), "check": check, "upload": upload or {},
           "next_monday": dt.date.today() + dt.timedelta(days=7 - dt.date.today().weekday())}
    return page(request, "web/sheets.html", ctx, user=user, team_id=team.id, active="citizens",
                status_code=status_code)


@router.get("/teams/{team_id}/sheets")
def sheets_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep) -> Response:
    team = planner_team(session, team_id, user)
    return _sheets_page(request, session, user, team)


def _checked(session: SessionDep, team: Team, form: FormData) -> tuple[sheets_svc.ImportPlan, dict[str, str]]:
    """The upload read and checked; the file travels back in the confirm form (checked again then)."""
    kind = _text(form, "kind") or ""
    effective = _day(form, "effective") or dt.date.today()
    upload = form.get("file")
    if isinstance(upload, StarletteUpload):
        data, name = upload.file.read(), upload.filename or "sheet.csv"
    else:
        data, name = base64.b64decode(_text(form, "content") or ""), _text(form, "filename") or "sheet.csv"
    sheet = sheets_svc.read_sheet(kind, data, name)
    plan = sheets_svc.plan_import(session, sheet=sheet, team=team, effective=effective)
    return plan, {"kind": kind, "filename": name, "effective": effective.isoformat(),
                  "content": base64.b64encode(data).decode()}


@router.post("/teams/{team_id}/sheets/check")
def check_sheet(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                form: FormFields) -> Response:
    """The dry run: what the upload would do, every error by row and column; nothing is stored."""
    team = planner_team(session, team_id, user)
    try:
        plan, upload = _checked(session, team, form)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return page(request, "web/sheets.html", {**_base(request, team), "errors": errors, "check": None,
                                                 "upload": {}, "next_monday": dt.date.today()},
                    user=user, team_id=team.id, active="citizens", status_code=code)
    return _sheets_page(request, session, user, team, check=plan, upload=upload,
                        status_code=422 if plan.errors else 200)


@router.post("/teams/{team_id}/sheets/confirm")
def confirm_sheet(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                  form: FormFields) -> Response:
    """Store the checked sheet, all in this request's one transaction, or nothing."""
    team = planner_team(session, team_id, user)
    plan, upload = _checked(session, team, form)
    try:
        sheets_svc.apply_import(session, plan=plan, user=user)
    except FORM_REFUSALS as e:
        refusal(session, e)
        return _sheets_page(request, session, user, team, check=plan, upload=upload, status_code=422)
    target = "citizens" if plan.kind == sheets_svc.KIND_CITIZENS else "carers"
    return _done(f"/teams/{team.id}/{target}")


@router.get("/teams/{team_id}/sheets/download/{kind}")
def download_sheet(team_id: RowId, kind: str, user: WebUser, session: SessionDep, reads: ReadLogDep,
                   format: str = "xlsx", lang: str = "sv", template: bool = False) -> Response:
    team = planner_team(session, team_id, user)
    if kind not in sheets_svc.KINDS or format not in ("csv", "xlsx") or lang not in ("sv", "en"):
        raise HTTPException(status_code=404, detail="no such sheet")
    rows = [] if template else sheets_svc.export_rows(session, kind=kind, team=team)
    if kind == sheets_svc.KIND_CITIZENS and not template:
        reads.citizens(user=user, citizen_ids=[c.id for c in read.citizens(session, team.id)],
                       what="citizen sheet")
    body = sheets_svc.write_sheet(kind, rows, fmt=format, lang=lang)
    name = f"{team.external_id}-{kind}{'-template' if template else ''}.{format}"
    return Response(body, media_type=sheets_svc.MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
