"""Users (admins only): who may log in, with which role, for which teams."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Admin, PagingDep
from app.api.team_data import changes_out
from app.db import SessionDep
from app.repositories import team_data as repo
from app.repositories.core import paginate, users_stmt
from app.schemas.core import Page, RowId, UserCreate, UserOut, UserUpdate
from app.schemas.team_data import ChangeRecordOut
from app.security import not_found
from app.services.team_data import users as users_svc
from models.core import User
from models.team_data import ENTITY_USER

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/users")
def list_users(session: SessionDep, _admin: Admin, paging: PagingDep,
               role: str | None = None) -> Page[UserOut]:
    rows, total = paginate(session, users_stmt(role), limit=paging.limit, offset=paging.offset)
    return Page(items=[UserOut.from_user(u) for u in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, admin: Admin) -> UserOut:
    return UserOut.from_user(users_svc.add_user(session, data=body, user=admin))


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found(f"user {user_id} not found")
    return user


@router.get("/users/{user_id}")
def read_user(user_id: RowId, session: SessionDep, _admin: Admin) -> UserOut:
    return UserOut.from_user(_user(session, user_id))


@router.get("/users/{user_id}/changes")
def user_changes(user_id: RowId, session: SessionDep, _admin: Admin) -> list[ChangeRecordOut]:
    """Every recorded change to the login (roles, teams, passwords reset), newest first; also of one
    since deleted."""
    return changes_out(session, list(repo.change_records(session, entity=ENTITY_USER, entity_id=user_id)))


@router.patch("/users/{user_id}")
def update_user(user_id: RowId, body: UserUpdate, session: SessionDep, admin: Admin) -> UserOut:
    account = _user(session, user_id)
    return UserOut.from_user(users_svc.edit_user(session, account=account, data=body, user=admin))


@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RowId, session: SessionDep, admin: Admin) -> None:
    users_svc.delete_user(session, account=_user(session, user_id), user=admin)
