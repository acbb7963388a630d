"""Users (admins): create a login, give roles and teams, reset a password, deactivate. The last active
admin cannot be demoted or deactivated (app.services.core refuses it), so nobody locks everyone out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.db import SessionDep
from app.repositories.core import paginate, users_stmt
from app.schemas import core as s
from app.schemas.core import RowId
from app.security import check_role
from app.services import core as core_svc
from app.services.team_data import users as users_svc
from app.web.deps import WebUser
from app.web.forms import FORM_REFUSALS, FormFields, refusal
from app.web.read.team_data import all_teams
from app.web.render import FLASHES, WebRoute, page
from models.core import ROLE_ADMIN, ROLES, User

router = APIRouter(route_class=WebRoute)



def _render(request: Request, session: SessionDep, user: User, *, errors: list[dict[str, Any]] | None = None,
            form: str | None = None, status_code: int = 200) -> Response:
    rows, _total = paginate(session, users_stmt(None), limit=1000, offset=0)
    ctx = {"users": rows, "teams": all_teams(session), "roles": ROLES, "errors": errors, "form": form,
           "flash": FLASHES.get(request.query_params.get("done", "")), "flash_kind": "ok"}
    return page(request, "web/users.html", ctx, user=user, active="users", status_code=status_code)


@router.get("/admin/users")
def users_page(request: Request, user: WebUser, session: SessionDep) -> Response:
    check_role(user, ROLE_ADMIN)
    return _render(request, session, user)


def _team_ids(form: FormData) -> list[int]:
    return [int(v) for v in form.getlist("team_ids") if isinstance(v, str) and v.isdigit()]


def _value(form: FormData, key: str) -> str | None:
    v = form.get(key)
    return v.strip() or None if isinstance(v, str) else None


@router.post("/admin/users/new")
def create_user(request: Request, user: WebUser, session: SessionDep, form: FormFields) -> Response:
    check_role(user, ROLE_ADMIN)
    try:
        data = core_svc.validated(s.UserCreate, {
            "username": _value(form, "username") or "", "password": _value(form, "password") or "",
            "full_name": _value(form, "full_name"), "role": _value(form, "role") or "",
            "team_ids": _team_ids(form)})
        users_svc.add_user(session, data=data, user=user)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return _render(request, session, user, errors=errors, form="new", status_code=code)
    return RedirectResponse("/admin/users?done=saved", status_code=303)


@router.post("/admin/users/{user_id}")
def update_user(request: Request, user_id: RowId, user: WebUser, session: SessionDep,
                form: FormFields) -> Response:
    check_role(user, ROLE_ADMIN)
    target = session.get(User, user_id)
    if target is None:
        raise HTTPException(status_code=404, detail="user not found")
    changes: dict[str, Any] = {"role": _value(form, "role"), "is_active": bool(form.get("is_active")),
                               "team_ids": _team_ids(form), "full_name": _value(form, "full_name")}
    if _value(form, "password"):
        changes["password"] = _value(form, "password")
    try:
        data = core_svc.validated(s.UserUpdate, changes)
        users_svc.edit_user(session, account=target, data=data, user=user)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return _render(request, session, user, errors=errors, form=f"user-{user_id}", status_code=code)
    return RedirectResponse("/admin/users?done=saved", status_code=303)
