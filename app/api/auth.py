"""Login (OAuth2 password flow) and who-am-I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from app.db import SessionDep
from app.schemas.core import ErrorOut, Token, UserOut
from app.security import CurrentUser, authenticate, create_access_token

router = APIRouter(prefix="/api", tags=["auth"])


WRONG_LOGIN: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Wrong username or password, or the user is not active."}}


@router.post("/auth/token", responses=WRONG_LOGIN)
def login(form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep) -> Token:
    user = authenticate(session, username=form.username, password=form.password)
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="wrong username or password",
                            headers={"WWW-Authenticate": "Bearer"})
    return Token(access_token=create_access_token(user), token_type="bearer")


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return UserOut.from_user(user)
