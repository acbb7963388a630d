"""Dependencies of the web pages: the logged-in user from the session cookie, role and team checks.

The cookie holds the same JWT as the API's bearer token and is checked by the foundation's
`app.security.user_from_token`; here we only decide what a page does without one (go to the login
form) and keep the user on `request.state` for the error pages' header.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import SessionDep
from app.security import SESSION_COOKIE, check_role, get_team_scoped, user_from_token
from app.web.render import PASSWORD_PAGE, LoginRequired, PasswordChangeRequired
from models.core import ROLE_ADMIN, ROLE_COORDINATOR, ROLE_MEMBER, Team, User

# Roles that may see names (the rota, the citizen page); auditors see pseudonymised figures only.
STAFF_ROLES = (ROLE_MEMBER, ROLE_COORDINATOR, ROLE_ADMIN)
PLANNER_ROLES = (ROLE_COORDINATOR, ROLE_ADMIN)


def web_user(request: Request, session: SessionDep) -> User:
    user = user_from_token(session, request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise LoginRequired()
    if user.must_change_password and request.url.path != PASSWORD_PAGE:
        raise PasswordChangeRequired()
    request.state.web_user = user
    return user


WebUser = Annotated[User, Depends(web_user)]


def staff_team(session: Session, team_id: int, user: User) -> Team:
    """The team, for a page that shows names: 403 for auditors, 404 for another team's page."""
    check_role(user, *STAFF_ROLES)
    return get_team_scoped(session, Team, team_id, user, what="team not found")


def planner_team(session: Session, team_id: int, user: User) -> Team:
    """The team, for a page that changes the plan: coordinators (and admins) of that team."""
    check_role(user, *PLANNER_ROLES)
    return get_team_scoped(session, Team, team_id, user, what="team not found")
