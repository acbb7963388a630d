"""The signed-in user's own account page: changing their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.schemas.account import PasswordChange
from app.services import account as svc
from app.services import core as core_svc
from app.web.deps import WebUser
from app.web.forms import FORM_REFUSALS, field_error, refusal
from app.web.render import WebRoute, page
from app.web.session_cookie import start_session

router = APIRouter(route_class=WebRoute)


@router.get("/account/password")
def password_form(request: Request, user: WebUser) -> Response:
    return page(request, "web/password.html", {}, user=user)


@router.post("/account/password")
def change_password(
    request: Request,
    user: WebUser,
    session: SessionDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    new_password_again: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = core_svc.validated(PasswordChange, {"current_password": current_password,
                                                   "new_password": new_password})
        if new_password != new_password_again:
            raise field_error("new_password_again", "The two new passwords differ.")
        svc.change_password(session, user=user, current=body.current_password, new=body.new_password)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return page(request, "web/password.html", {"errors": errors}, user=user, status_code=code)
    response = page(request, "web/password.html",
                    {"flash": "Your password is changed. You are signed out everywhere else.",
                     "flash_kind": "ok", "done": True}, user=user)
    start_session(response, request, user)
    return response
