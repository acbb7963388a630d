"""What keeps logins and personal data safe: failed sign-ins (the throttle and temporary locks) and the
log of who read which citizen's data."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime


class LoginFailure(Base):
    """One failed sign-in. Kept per user name as typed (whether or not such a user exists, so the
    throttle tells nothing about which names are real) and per client address; a success clears the
    name's failures, and failures older than the lock window are deleted as new ones come."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AccessLogEntry(Base):
    """One read of one citizen's personal data: who, when, which citizen, through which page or endpoint,
    from which address. Append-only: no endpoint changes or deletes a row; `homecare prune-access-log`
    removes those older than the retention setting. `citizen_id` is no foreign key on purpose: the
    record of who looked must outlive the citizen's row."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_citizen_at", "citizen_id", "at"),
        Index("ix_access_log_user_at", "user_id", "at"),
        Index("ix_access_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    citizen_id: Mapped[int] = mapped_column()
    what: Mapped[str] = mapped_column(String(40))  # the kind of read: "citizen page", "api citizens", ...
    path: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(64))
