"""Authentication and authorisation: passwords, tokens, the current user, roles, team scoping.

Use these in every router (see docs/ARCHITECTURE.md):

    from app.security import CurrentUser, require_role, visible_team_ids, get_team_scoped

    @router.get("/things/{thing_id}")
    def read(thing_id: int, session: SessionDep, user: CurrentUser): ...

    @router.post("/things", dependencies=[Depends(require_role(ROLE_COORDINATOR, ROLE_ADMIN))])
    # or, to have the user too:
    def create(..., user: Annotated[User, Depends(require_role(ROLE_COORDINATOR))]): ...

- `CurrentUser`: from the `Authorization: Bearer <jwt>` header; 401 without a valid token.
- `CookieUser` / `user_from_cookie`: the same JWT read from the web session cookie
  (`SESSION_COOKIE`); the web pages use it. `user_from_token(session, token)` is the shared check.
- `visible_team_ids(user)`: the teams a user may see (admins: every team, as `None`).
- `get_team_scoped(session, Model, id, user)` (Team, Carer, Shift, Citizen, Need, Visit, Plan,
  PlanVersion, Assignment, UnplacedVisit, or any model with `team_id`): the row, or 404 when it
  is missing *or* belongs to a team the user does not see (the two answers are identical on purpose).
- `can_see_personal_data(user)`: False for auditors: they never get names, addresses or notes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from threading import Lock
from typing import Annotated, Any, TypeVar

import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.interfaces import ORMOption

from app.db import SessionDep
from app.settings import get_settings
from models.core import (
    ROLE_ADMIN,
    ROLE_AUDITOR,
    ROLE_COORDINATOR,
    ROLE_MEMBER,
    ROLES,
    Assignment,
    Carer,
    Citizen,
    Need,
    Plan,
    PlanVersion,
    Shift,
    Team,
    UnplacedVisit,
    User,
    Visit,
)

__all__ = [
    "ROLES", "ROLE_ADMIN", "ROLE_AUDITOR", "ROLE_COORDINATOR", "ROLE_MEMBER", "SESSION_COOKIE",
    "CookieUser", "CurrentUser", "OptionalCookieUser", "authenticate", "can_see_personal_data",
    "create_access_token", "decode_access_token", "end_sessions", "get_team_scoped", "has_role",
    "hash_password", "require_role", "team_id_of", "user_from_cookie", "user_from_token", "verify_password",
    "visible_team_ids",
]

SESSION_COOKIE = "homecare_session"
TOKEN_URL = "/api/auth/token"

_hasher = PasswordHash((Argon2Hasher(),))
# A hash to compare against when the user does not exist, so a wrong username costs the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

oauth2_scheme = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)

M = TypeVar("M")


# --- passwords -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a malformed stored hash is a failed login, not a 500
        return False


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not user.is_active or not verify_password(password, user.password_hash):
        return None
    return user


# --- tokens ----------------------------------------------------------------------------------


def create_access_token(user: User, *, minutes: int | None = None) -> str:
    settings = get_settings()
    now = dt.datetime.now(dt.UTC)
    payload = {
        "sub": str(user.id),
        "role": user.role,  # informative only: the role is re-read from the database on each use
        # To the microsecond (a NumericDate may have a fraction), so a session ended now
        # (`end_sessions`) can never include a token made a moment later.
        "iat": now.timestamp(),
        "exp": now + dt.timedelta(minutes=minutes or settings.access_token_minutes),
    }
    return jwt.encode(payload, settings.secret_key, algorithm=settings.jwt_algorithm)


# Tokens already verified, by token and key: a token's signature and claims never change, so every
# request of a session need not prepare the key and check the signature again; the expiry is compared at
# each use. Only tokens without a not-before claim (this service makes none) are kept.
_VERIFIED: OrderedDict[tuple[str, str, str], tuple[int, float, float]] = OrderedDict()
_VERIFIED_SIZE = 4096
_verified_lock = Lock()


def _now() -> float:
    return time.time()


def _decode(token: str) -> tuple[int, float] | None:
    """(user id, issued-at in epoch seconds) of a valid, unexpired token; None otherwise."""
    settings = get_settings()
    key = (token, settings.secret_key, settings.jwt_algorithm)
    known = _VERIFIED.get(key)
    if known is not None:
        user_id, issued_at, expires = known
        return (user_id, issued_at) if _now() < expires else None
    try:
        payload = jwt.decode(token, settings.secret_key, algorithms=[settings.jwt_algorithm],
                             options={"require": ["sub", "exp"]})
        claims = int(payload["sub"]), float(payload.get("iat", 0)), float(payload["exp"])
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    if "nbf" not in payload:
        with _verified_lock:
            _VERIFIED[key] = claims
            while len(_VERIFIED) > _VERIFIED_SIZE:
                _VERIFIED.popitem(last=False)
    return claims[0], claims[1]


def decode_access_token(token: str) -> int | None:
    """The user id in a valid, unexpired token; None otherwise."""
    claims = _decode(token)
    return None if claims is None else claims[0]


def user_from_token(session: Session, token: str | None) -> User | None:
    """The active user a token names, or None: the one check for header and cookie alike.

    A token issued before the user's `sessions_valid_after` (a changed password) is void."""
    claims = _decode(token) if token else None
    if claims is None:
        return None
    user_id, issued_at = claims
    # The user's teams (every scope check reads them) in the same round trip.
    user = session.get(User, user_id, options=[joinedload(User.teams)])
    if user is None or not user.is_active:
        return None
    if user.sessions_valid_after is not None and issued_at < user.sessions_valid_after.timestamp():
        return None
    return user


def end_sessions(user: User) -> None:
    """Void every token the user holds now; tokens made from now on are good."""
    user.sessions_valid_after = dt.datetime.now(dt.UTC)


def _unauthorized() -> HTTPException:
    return HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="not authenticated",
                         headers={"WWW-Authenticate": "Bearer"})


def _any_current_user(session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]) -> User:
    user = user_from_token(session, token)
    if user is None:
        raise _unauthorized()
    return user


PASSWORD_CHANGE_REQUIRED = ("password change required: this password was set by someone else; choose "
                            "your own with POST /api/me/password first")


def _current_user(user: Annotated[User, Depends(_any_current_user)]) -> User:
    if user.must_change_password:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=PASSWORD_CHANGE_REQUIRED)
    return user


def user_from_cookie(request: Request, session: SessionDep) -> User | None:
    """The user of the web session cookie (same JWT as the API's bearer token), or None."""
    return user_from_token(session, request.cookies.get(SESSION_COOKIE))


def _cookie_user(user: Annotated[User | None, Depends(user_from_cookie)]) -> User:
    if user is None:
        raise _unauthorized()
    return user


CurrentUser = Annotated[User, Depends(_current_user)]
# Also a user who must first change a password someone else set: for /api/me and changing it.
AnyCurrentUser = Annotated[User, Depends(_any_current_user)]
CookieUser = Annotated[User, Depends(_cookie_user)]
OptionalCookieUser = Annotated[User | None, Depends(user_from_cookie)]


# Each role check require_role made, with its roles: the API's description reads which operations
# check a role from it (app/api/errors.py).
ROLE_CHECKS: dict[Callable[..., User], tuple[str, ...]] = {}


def require_role(*roles: str) -> Callable[..., User]:
    """A dependency: the current (bearer) user if their role is one of `roles`, else 403.

    Admins pass every role check (they run the installation)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def dependency(user: CurrentUser) -> User:
        check_role(user, *roles)
        return user

    ROLE_CHECKS[dependency] = roles
    return dependency


def has_role(user: User, *roles: str) -> bool:
    """Whether `user` passes a role check for `roles` (a service deciding what a role may change)."""
    return user.role == ROLE_ADMIN or user.role in roles


def check_role(user: User, *roles: str) -> None:
    """The same check inside a handler (e.g. a web page that already has the cookie user)."""
    if not has_role(user, *roles):
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN,
                            detail=f"needs role {' or '.join(roles)}")


# --- team scoping ----------------------------------------------------------------------------


def visible_team_ids(user: User) -> set[int] | None:
    """Team ids the user may see; None means all teams (admins)."""
    if user.role == ROLE_ADMIN:
        return None
    return {t.id for t in user.teams}


def can_see_team(user: User, team_id: int | None) -> bool:
    teams = visible_team_ids(user)
    return teams is None or (team_id is not None and team_id in teams)


def can_see_personal_data(user: User) -> bool:
    """Auditors read continuity figures only: never names, addresses or notes."""
    return user.role != ROLE_AUDITOR


def team_id_of(session: Session, obj: Any) -> int | set[int] | None:
    """The team an object belongs to (a set for plans, which may span teams)."""
    if isinstance(obj, Team):
        return obj.id
    if isinstance(obj, Carer | Citizen):
        return obj.team_id
    if isinstance(obj, Shift):
        return session.get_one(Carer, obj.carer_id).team_id
    if isinstance(obj, Need | Visit):
        return session.get_one(Citizen, obj.citizen_id).team_id
    if isinstance(obj, Plan):
        return {t.id for t in obj.teams}
    if isinstance(obj, PlanVersion):
        return {t.id for t in session.get_one(Plan, obj.plan_id).teams}
    if isinstance(obj, Assignment | UnplacedVisit):
        version = session.get_one(PlanVersion, obj.plan_version_id)
        return {t.id for t in session.get_one(Plan, version.plan_id).teams}
    team_id = getattr(obj, "team_id", None)
    if team_id is not None:
        return int(team_id)
    raise TypeError(f"no team rule for {type(obj).__name__}")


def not_found(what: str = "not found") -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=what)


def ensure_visible(session: Session, obj: Any, user: User, *, what: str = "not found") -> None:
    """404 (never 403) when the object belongs to a team the user does not see."""
    teams = visible_team_ids(user)
    if teams is None:
        return
    owner = team_id_of(session, obj)
    owners = owner if isinstance(owner, set) else {owner}
    # A plan spanning teams is visible only if the user sees every one of them.
    if not owners or not owners <= teams:
        raise not_found(what)


def get_team_scoped(session: Session, model: type[M], obj_id: int, user: User,
                    *, what: str | None = None, options: Sequence[ORMOption] = ()) -> M:
    """The row with this primary key, or 404 if missing or in a team the user does not see; `options`
    load what the caller will read of it in the same query."""
    label = what or f"{model.__name__.lower()} {obj_id} not found"
    obj = session.get(model, obj_id, options=options)
    if obj is None:
        raise not_found(label)
    ensure_visible(session, obj, user, what=label)
    return obj


def scope_filter(column: Any, user: User, team_ids: Collection[int] | None = None) -> Any:
    """A WHERE clause limiting `column` (a team id column) to the teams the user sees,
    narrowed further to `team_ids` when given. Use in list queries: `.where(scope_filter(...))`."""
    from sqlalchemy import false, true

    visible = visible_team_ids(user)
    wanted: set[int] | None = None if team_ids is None else set(team_ids)
    if visible is not None:
        wanted = visible if wanted is None else wanted & visible
    if wanted is None:
        return true()
    if not wanted:
        return false()
    return column.in_(sorted(wanted))
