"""The signed-in user's own account: `POST /api/me/password`."""

from __future__ import annotations

from fastapi import APIRouter

from app.db import SessionDep
from app.schemas.account import PasswordChange
from app.schemas.core import Token
from app.security import AnyCurrentUser, create_access_token
from app.services import account as svc

router = APIRouter(prefix="/api", tags=["auth"])


@router.post("/me/password")
def change_password(body: PasswordChange, session: SessionDep, user: AnyCurrentUser) -> Token:
    """Change your own password. Every token you held ends; the answer carries a new one."""
    svc.change_password(session, user=user, current=body.current_password, new=body.new_password)
    return Token(access_token=create_access_token(user), token_type="bearer")
