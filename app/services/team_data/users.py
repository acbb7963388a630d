"""Users (admins): create a login, give roles and teams, reset a password, deactivate, delete; each
recorded (a password only as "reset", never its value). The last active admin cannot be demoted,
deactivated or deleted (`app.services.core` refuses it), so nobody locks everyone out."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.schemas import core as s
from app.services import core
from app.services.team_data.records import changed_only, record_change, snapshot
from models.core import User
from models.team_data import ENTITY_USER

USER_FIELDS = ("username", "full_name", "role", "is_active")
PASSWORD_RESET = "reset"


def user_snapshot(account: User) -> dict[str, Any]:
    return snapshot(account, USER_FIELDS, team_ids=sorted(t.id for t in account.teams))


def add_user(session: Session, *, data: s.UserCreate, user: User | None,
             set_by_admin: bool = True) -> User:
    """A new login made by the admin `user` (None: on the server's command line)."""
    account = core.create_user(session, data=data, set_by_admin=set_by_admin)
    record_change(session, user=user, entity=ENTITY_USER, entity_id=account.id, action="created",
                  team_id=None, after=user_snapshot(account))
    return account


def edit_user(session: Session, *, account: User, data: s.UserUpdate, user: User | None) -> User:
    """Role, teams, name, active or a new password for `account`, by the admin `user` (None: on the
    server's command line)."""
    before = user_snapshot(account)
    core.update_user(session, user=account, data=data)
    was, now = changed_only(before, user_snapshot(account))
    if data.password:
        now["password"] = PASSWORD_RESET
    if now:
        record_change(session, user=user, entity=ENTITY_USER, entity_id=account.id, action="changed",
                      team_id=None, before=was, after=now)
    return account


def delete_user(session: Session, *, account: User, user: User) -> None:
    """A login taken away; the changes it made keep their record (without the name of who made them)."""
    record_change(session, user=user, entity=ENTITY_USER, entity_id=account.id, action="deleted",
                  team_id=None, before=user_snapshot(account))
    core.delete_user(session, user=account)
