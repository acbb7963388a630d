"""Users who sign in through the municipality's identity provider (OpenID Connect).

The provider says who someone is and which groups they are in; the OIDC_GROUPS setting says what each
group gives here (a role, teams). At every sign-in the role and teams are set afresh from the groups,
so a change at the provider takes effect at the next sign-in: a user in no mapped group is refused,
loses their teams and every session they had. Deactivating a user here bars them whatever the provider
says (an admin's decision is not undone by a sign-in).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.security import end_sessions, hash_password
from app.settings import GroupGrant
from models.core import ROLE_ADMIN, ROLE_AUDITOR, ROLE_COORDINATOR, ROLE_MEMBER, Team, User

log = logging.getLogger(__name__)

# Which role wins when a user's groups give several.
STRENGTH = {ROLE_AUDITOR: 0, ROLE_MEMBER: 1, ROLE_COORDINATOR: 2, ROLE_ADMIN: 3}
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")


class SignInRefused(Exception):
    """The provider vouched for the person, but they may not use the planner; the message says why."""


@dataclass(slots=True)
class Grant:
    role: str
    teams: set[str] = field(default_factory=set)


def grant_for(groups: Iterable[str], mapping: Mapping[str, GroupGrant]) -> Grant | None:
    """What the user's groups give together: the strongest role and every team; None for no mapped group."""
    grants = [mapping[g] for g in groups if g in mapping]
    if not grants:
        return None
    role = max((g.role for g in grants), key=STRENGTH.__getitem__)
    return Grant(role=role, teams={t for g in grants for t in g.teams})


def groups_of(claims: Mapping[str, object], claim: str) -> list[str]:
    """The groups a claim names: a list of names, or one name."""
    value = claims.get(claim)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def _username(preferred: object, subject: str) -> str:
    if isinstance(preferred, str) and _USERNAME.match(preferred):
        return preferred
    return "oidc-" + hashlib.sha256(subject.encode()).hexdigest()[:16]


def sign_in(session: Session, *, subject: str, claims: Mapping[str, object], groups: list[str],
            mapping: Mapping[str, GroupGrant], username_claim: str) -> User:
    """The user the provider's `subject` is here, created on the first sign-in, with the role and teams
    their groups give now. Raises SignInRefused (after voiding the user's sessions when they lost their
    groups: the caller still commits)."""
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    grant = grant_for(groups, mapping)
    if grant is None:
        if user is not None:
            user.role, user.teams = ROLE_MEMBER, []
            end_sessions(user)
            session.flush()
        raise SignInRefused("Your account at the identity provider is in no group that gives access to "
                            "the planner. Ask your IT department for access.")
    if user is None:
        name = _username(claims.get(username_claim), subject)
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise SignInRefused("The planner already has another account with your username. An admin must "
                                "rename or remove it before you can sign in through the identity provider.")
        # A password nobody knows: this user signs in through the provider only.
        user = User(username=name, password_hash=hash_password(secrets.token_urlsafe(32)), role=grant.role,
                    oidc_subject=subject, is_active=True)
        session.add(user)
    elif not user.is_active:
        raise SignInRefused("Your account in the planner is deactivated. Ask an admin of the planner.")
    teams = session.scalars(select(Team).where(Team.external_id.in_(sorted(grant.teams)))).all()
    unknown = grant.teams - {t.external_id for t in teams}
    if unknown:
        log.warning("OIDC_GROUPS names teams that do not exist: %s", ", ".join(sorted(unknown)))
    user.role, user.teams = grant.role, sorted(teams, key=lambda t: t.id)
    full_name = claims.get("name")
    if isinstance(full_name, str) and full_name.strip():
        user.full_name = full_name.strip()[:200]
    session.flush()
    return user
