"""The throttle on sign-ins: back-off after a few failures, then a temporary lock, per user name and per
client address, the same for the page, the API's token endpoint and every worker process (the
failures are rows, not memory).

A refusal never says whether the name exists: an unknown name is throttled exactly as a real one. The
lock and the moment it ends are logged (the user's id when the name is a user's, never the password).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.repositories import logins as repo
from app.settings import get_settings
from models.core import User
from models.security import LoginFailure

log = logging.getLogger("app.security")
LOCKED = "Too many failed sign-ins: signing in is locked for {minutes} minutes. An admin can help if urgent."
BACK_OFF = "Too many failed sign-ins: wait {seconds} seconds and try again."


@dataclass(frozen=True, slots=True)
class Throttled:
    """Sign-in refused before the password is looked at."""

    until: dt.datetime
    locked: bool  # a lock (many failures) rather than a back-off (a few)

    def retry_after(self, now: dt.datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(username: str) -> str:
    return username.strip().lower()[:100]


def throttled(session: Session, *, username: str, address: str, now: dt.datetime | None = None,
              ) -> Throttled | None:
    """Whether a sign-in as `username` from `address` must wait, and until when."""
    settings = get_settings()
    now = now or _now()
    window = now - dt.timedelta(minutes=settings.login_lock_minutes)
    lock = dt.timedelta(minutes=settings.login_lock_minutes)
    by_address, last_from_address = repo.failures_since(session, repo.by_address(address), window)
    if (by_address >= settings.login_address_lock_after and last_from_address is not None
            and now < last_from_address + lock):
        return Throttled(until=last_from_address + lock, locked=True)
    by_name, last_for_name = repo.failures_since(session, repo.by_username(_name(username)), window)
    if last_for_name is None:
        return None
    if by_name >= settings.login_lock_after:
        until = last_for_name + lock
    elif by_name >= settings.login_free_failures:
        until = last_for_name + dt.timedelta(seconds=2 ** (by_name - settings.login_free_failures))
    else:
        return None
    return Throttled(until=until, locked=by_name >= settings.login_lock_after) if now < until else None


def record_failure(session: Session, *, username: str, address: str, now: dt.datetime | None = None) -> None:
    settings = get_settings()
    now = now or _now()
    name = _name(username)
    window = now - dt.timedelta(minutes=settings.login_lock_minutes)
    repo.forget_before(session, window)
    session.add(LoginFailure(username=name, address=address[:64], at=now))
    session.flush()
    until = now + dt.timedelta(minutes=settings.login_lock_minutes)
    by_name, _ = repo.failures_since(session, repo.by_username(name), window)
    if by_name == settings.login_lock_after:
        user_id = session.scalar(select(User.id).where(User.username == username.strip()))
        log.warning("sign-in locked for %s after %d failures; the lock ends at %s",
                    f"user {user_id}" if user_id is not None else "an unknown user name", by_name,
                    until.isoformat(timespec="seconds"))
    by_address, _ = repo.failures_since(session, repo.by_address(address), window)
    if by_address == settings.login_address_lock_after:
        log.warning("sign-in locked for client address %s after %d failures; the lock ends at %s",
                    address, by_address, until.isoformat(timespec="seconds"))


def record_success(session: Session, *, user: User) -> None:
    settings = get_settings()
    name = _name(user.username)
    failures, _ = repo.failures_since(session, repo.by_username(name), dt.datetime.min.replace(tzinfo=dt.UTC))
    if failures >= settings.login_lock_after:
        log.warning("sign-in lock for user %s ended: signed in", user.id)
    repo.forget(session, repo.by_username(name))
    session.flush()


def client_address(host: str | None) -> str:
    """The address a sign-in came from (the proxy's client, where its headers are trusted)."""
    return (host or "unknown")[:64]


def refusal_text(wait: Throttled, now: dt.datetime | None = None) -> tuple[str, dict[str, int]]:
    """The message for a throttled sign-in (to be translated) and its values."""
    seconds = wait.retry_after(now or _now())
    if wait.locked:
        return LOCKED, {"minutes": math.ceil(seconds / 60)}
    return BACK_OFF, {"seconds": seconds}
