"""Login (OAuth2 password flow) and who-am-I."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from app.db import SessionDep
from app.schemas.core import ErrorOut, Token, UserOut
from app.security import AnyCurrentUser, authenticate, create_access_token
from app.services import logins

router = APIRouter(prefix="/api", tags=["auth"])


WRONG_LOGIN: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Wrong username or password, or the user is not active."},
    429: {"model": ErrorOut, "description": "Too many failed sign-ins for this user name or from this "
                                            "address: wait (Retry-After) or, when locked, ask an admin."}}


@router.post("/auth/token", responses=WRONG_LOGIN, response_model=Token)
def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()],
          session: SessionDep) -> Token | JSONResponse:
    address = logins.client_address(request.client.host if request.client else None)
    wait = logins.throttled(session, username=form.username, address=address)
    if wait is not None:
        text, values = logins.refusal_text(wait)
        return JSONResponse({"detail": text.format(**values)}, status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                            headers={"Retry-After": str(wait.retry_after(dt.datetime.now(dt.UTC)))})
    user = authenticate(session, username=form.username, password=form.password)
    if user is None:
        # Answered, not raised: the failure must be committed with the request to count.
        logins.record_failure(session, username=form.username, address=address)
        return JSONResponse({"detail": "wrong username or password"},
                            status_code=status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    logins.record_success(session, user=user)
    return Token(access_token=create_access_token(user), token_type="bearer")


@router.get("/me")
def me(user: AnyCurrentUser) -> UserOut:
    """Who the token names; `must_change_password` says the user must choose a password first."""
    return UserOut.from_user(user)
