"""What keeps logins safe: failed sign-ins, from which the throttle and the temporary locks are read."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String
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
