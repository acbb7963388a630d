"""Users (admins only): who may log in, with which role, for which teams."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Admin, PagingDep
from app.db import SessionDep
from app.repositories.core import paginate, users_stmt
from app.schemas.core import Page, RowId, UserCreate, UserOut, UserUpdate
from app.security import not_found
from app.services import core as svc
from models.core import User

router = APIRouter(prefix="/api", tags=["users"])


@router.get("/users")
def list_users(session: SessionDep, _admin: Admin, paging: PagingDep,
               role: str | None = None) -> Page[UserOut]:
    rows, total = paginate(session, users_stmt(role), limit=paging.limit, offset=paging.offset)
    return Page(items=[UserOut.from_user(u) for u in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: SessionDep, _admin: Admin) -> UserOut:
    return UserOut.from_user(svc.create_user(session, data=body))


def _user(session: SessionDep, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found(f"user {user_id} not found")
    return user


@router.get("/users/{user_id}")
def read_user(user_id: RowId, session: SessionDep, _admin: Admin) -> UserOut:
    return UserOut.from_user(_user(session, user_id))


@router.patch("/users/{user_id}")
def update_user(user_id: RowId, body: UserUpdate, session: SessionDep, _admin: Admin) -> UserOut:
    return UserOut.from_user(svc.update_user(session, user=_user(session, user_id), data=body))


@router.delete("/users/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: RowId, session: SessionDep, _admin: Admin) -> None:
    svc.delete_user(session, user=_user(session, user_id))
