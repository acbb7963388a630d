"""Performed visits: what actually happened, imported from the time-keeping system.

One row per carer per visit. A performed visit is identified by (citizen, carer, start): importing the same
file twice finds every row already there and changes nothing. `visit_id` links it to the planned visit it
performed, when known. Start and end are local wall-clock date-times (naive), as the national measure counts
local hours (07:00-22:00).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PerformedImport(Base):
    """One import of a performed-visit file: who, when, what it changed."""

    __tablename__ = "performed_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PerformedVisit(Base):
    __tablename__ = "performed_visits"
    __table_args__ = (
        UniqueConstraint("citizen_id", "carer_id", "start"),
        CheckConstraint('"end" > start', name="ends_after_start"),
        Index("ix_performed_visits_start", "start"),
        Index("ix_performed_visits_carer_id_start", "carer_id", "start"),
        Index("ix_performed_visits_visit_id", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    carer_id: Mapped[int] = mapped_column(ForeignKey("carers.id", ondelete="RESTRICT"))
    start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    end: Mapped[dt.datetime] = mapped_column(DateTime(timezone=False))
    # The planned visit it performed (from the file's `visit` column), when known.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    kind: Mapped[str | None] = mapped_column(
        String(100)
    )  # canonical: safety_alarm, meal_delivery, nursing ...
    role: Mapped[str | None] = mapped_column(String(100))  # the carer's role at this visit, canonical
    need: Mapped[str | None] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(
        ForeignKey("performed_imports.id", ondelete="SET NULL"), index=True
    )


__all__ = ["PerformedImport", "PerformedVisit"]
