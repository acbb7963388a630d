"""The signed-in user's own account page: changing their password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from app.db import SessionDep
from app.schemas.account import PasswordChange
from app.services import account as svc
from app.services.errors import ServiceError
from app.web.deps import WebUser
from app.web.render import WebRoute, form_errors, page
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
        body = PasswordChange(current_password=current_password, new_password=new_password)
    except ValidationError as e:
        errors = [{"path": ".".join(str(x) for x in err["loc"]), "msg": err["msg"]} for err in e.errors()]
        return page(request, "web/password.html", {"errors": errors}, user=user, status_code=422)
    if new_password != new_password_again:
        errors = [{"path": "new_password_again", "msg": "The two new passwords differ."}]
        return page(request, "web/password.html", {"errors": errors}, user=user, status_code=422)
    try:
        svc.change_password(session, user=user, current=body.current_password, new=body.new_password)
    except ServiceError as e:
        session.rollback()
        code, errors = form_errors(e)
        return page(request, "web/password.html", {"errors": errors}, user=user, status_code=code)
    response = page(request, "web/password.html",
                    {"flash": "Your password is changed. You are signed out everywhere else.",
                     "flash_kind": "ok", "done": True}, user=user)
    start_session(response, request, user)
    return response
