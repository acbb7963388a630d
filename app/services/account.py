"""A user's own account: their password. (Admins set others' through app.services.core.update_user.)"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.security import end_sessions, hash_password, verify_password
from app.services.errors import Conflict, Invalid
from models.core import User


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    """The user's new password, if they know the current one; every session they had ends (the caller
    hands them a new one)."""
    if user.oidc_subject is not None:
        raise Conflict("this account signs in through the municipality's identity provider; its "
                       "password is changed there", path="current_password")
    if not verify_password(current, user.password_hash):
        raise Invalid("the current password is wrong", path="current_password")
    if new == current:
        raise Invalid("the new password must differ from the current one", path="new_password")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(user)
    session.flush()


def sign_out(session: Session, *, user: User) -> None:
    """Signing out voids the user's tokens, not only the browser's copy: a session cookie copied off a
    shared care-office computer stops working the moment its owner signs out. The price: the user's
    other sessions (another tablet, an API token) end too and must sign in again."""
    end_sessions(user)
    session.flush()
