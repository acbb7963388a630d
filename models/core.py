"""The data a home-care team plans with: teams, carers, shifts, citizens, needs, visits,
plans with their versions and assignments, users.

Conventions
- Integer primary keys `id`; the exchange format's string ids live in unique `external_id` columns
  (e.g. "T1-c01") so import and export round-trip.
- Times of day are whole minutes after midnight (as in FORMAT.md); dates are `date` columns.
- Lists of skills and weekdays are JSON arrays (same on SQLite and PostgreSQL).
- Schema changes only through Alembic (migrations/versions/0001_foundation.py for these tables).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import (
    false as sa_false,
)
from sqlalchemy import (
    true as sa_true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UtcDateTime

ROLE_MEMBER = "member"
ROLE_COORDINATOR = "coordinator"
ROLE_AUDITOR = "auditor"
ROLE_ADMIN = "admin"
ROLES = (ROLE_MEMBER, ROLE_COORDINATOR, ROLE_AUDITOR, ROLE_ADMIN)

PLAN_DRAFT = "draft"
PLAN_ACCEPTED = "accepted"
PLAN_SUPERSEDED = "superseded"  # was accepted, then a newer version of the same plan was
PLAN_STATUSES = (PLAN_DRAFT, PLAN_ACCEPTED, PLAN_SUPERSEDED)

VISIT_PLANNED = "planned"
VISIT_CANCELLED = "cancelled"  # kept (not deleted) so plans and history that name it stay readable
VISIT_STATUSES = (VISIT_PLANNED, VISIT_CANCELLED)

MINUTES_PER_DAY = 24 * 60


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


user_teams = Table(
    "user_teams",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)

citizen_avoid_carers = Table(
    "citizen_avoid_carers",
    Base.metadata,
    Column("citizen_id", ForeignKey("citizens.id", ondelete="CASCADE"), primary_key=True),
    Column("carer_id", ForeignKey("carers.id", ondelete="CASCADE"), primary_key=True),
    # Why the citizen should not get this carer: kept for the team, never shown to the carer.
    Column("reason", Text),
)

plan_teams = Table(
    "plan_teams",
    Base.metadata,
    Column("plan_id", ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)

assignment_carers = Table(
    "assignment_carers",
    Base.metadata,
    Column("assignment_id", ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True),
    Column("carer_id", ForeignKey("carers.id", ondelete="RESTRICT"), primary_key=True),
    Index("ix_assignment_carers_carer_id", "carer_id"),
)


class Municipality(Base):
    """The one municipality this installation serves: defaults every team inherits."""

    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("max_carers_per_month >= 1", name="max_carers_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    max_carers_per_month: Mapped[int] = mapped_column(Integer, default=12)
    travel_speed_kmh: Mapped[float] = mapped_column(Float, default=18.0)
    travel_detour_factor: Mapped[float] = mapped_column(Float, default=1.3)


class TravelMode(Base):
    """A way of getting about other than the municipality's own (by car): walking, cycling. A carer
    names one (`Carer.travel_mode`); legs given for the mode (an imported matrix) are its
    `TravelModeLeg`s, every other pair is timed at its speed and detour factor (FORMAT.md `travel.modes`)."""

    __tablename__ = "travel_modes"
    __table_args__ = (
        CheckConstraint("speed_kmh > 0", name="speed_positive"),
        CheckConstraint("detour_factor > 0", name="detour_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    speed_kmh: Mapped[float] = mapped_column(Float)
    detour_factor: Mapped[float] = mapped_column(Float, default=1.3)


class TravelModeLeg(Base):
    """Travel minutes of one mode from one place to another, as an imported mode's matrix gave them."""

    __tablename__ = "travel_mode_legs"
    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_not_negative"),)

    mode_id: Mapped[int] = mapped_column(ForeignKey("travel_modes.id", ondelete="CASCADE"), primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    destination: Mapped[str] = mapped_column(String(200), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class TravelLeg(Base):
    """Travel minutes from one place to another as an imported travel matrix gave them (FORMAT.md
    `travel.matrix`), keyed as the format keys them: a team's id for its base, a citizen's id for a
    home. A pair with no leg (a citizen added after the import) travels at the municipality's speed."""

    __tablename__ = "travel_legs"
    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_not_negative"),)

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    destination: Mapped[str] = mapped_column(String(200), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class Team(Base):
    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint("max_carers_per_month IS NULL OR max_carers_per_month >= 1",
                        name="max_carers_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    base_address: Mapped[str | None] = mapped_column(String(300))
    # None: the municipality's cap applies.
    max_carers_per_month: Mapped[int | None] = mapped_column(Integer)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    # The identity provider's subject (`sub`) of a user who signs in through it (OpenID Connect);
    # such a user has no usable password here, and the provider's groups set their role and teams.
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Tokens issued before this moment are void: a changed password, or a sign-in the provider's groups
    # no longer allow, ends every session the user had.
    sessions_valid_after: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # A password someone else set (an admin's reset, a new login) is known to two people: its owner
    # must choose their own before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    teams: Mapped[list[Team]] = relationship(secondary=user_teams, lazy="selectin")


class Carer(Base):
    __tablename__ = "carers"
    __table_args__ = (
        CheckConstraint("contracted_minutes_per_week IS NULL OR contracted_minutes_per_week >= 0",
                        name="contract_not_negative"),
        CheckConstraint("active_to IS NULL OR active_from IS NULL OR active_to >= active_from",
                        name="active_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    contracted_minutes_per_week: Mapped[int | None] = mapped_column(Integer)
    active_from: Mapped[dt.date | None] = mapped_column(Date)
    active_to: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # How the carer gets about (a TravelMode's name: walk, bike); None: by car, the municipality's travel.
    travel_mode: Mapped[str | None] = mapped_column(
        ForeignKey("travel_modes.name", ondelete="SET NULL", onupdate="CASCADE"))
    # When the name was removed (the retention after the carer left); plans keep the row.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Bumped by every change: a save made from an older read matches no row and answers 409.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    team: Mapped[Team] = relationship(lazy="joined")
    shifts: Mapped[list[Shift]] = relationship(
        back_populates="carer", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(Shift.date, Shift.start)",
    )

    __mapper_args__ = {"version_id_col": version}


class Shift(Base):
    """One stretch of work on one date; several on a date are a split shift."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint(f"start >= 0 AND \"end\" <= {MINUTES_PER_DAY}", name="within_day"),
        CheckConstraint("\"end\" > start", name="ends_after_start"),
        CheckConstraint("break_earliest IS NULL OR (break_latest >= break_earliest AND break_minutes > 0 "
                        "AND break_earliest >= start AND break_latest + break_minutes <= \"end\")",
                        name="break_within"),
        Index("ix_shifts_carer_id_date", "carer_id", "date"),
        Index("ix_shifts_date", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("carers.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    # Made from the carer's roster pattern (remade when the roster changes); False: entered by hand or
    # imported, which a roster change leaves alone.
    from_roster: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)

    # The carer's break: `break_minutes` unbroken, starting between the two (as FORMAT.md's shift break).
    break_earliest: Mapped[int | None] = mapped_column(Integer)
    break_latest: Mapped[int | None] = mapped_column(Integer)
    break_minutes: Mapped[int | None] = mapped_column(Integer)

    carer: Mapped[Carer] = relationship(back_populates="shifts")


class Citizen(Base):
    """A person who receives care. name, address, notes are sensitive: auditors never see them."""

    __tablename__ = "citizens"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    contact_carer_id: Mapped[int | None] = mapped_column(
        ForeignKey("carers.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # For the national continuity measure (age bands), read by the audit.
    birth_year: Mapped[int | None] = mapped_column(Integer)
    # How help is given (keys, habits, what matters to the citizen): shown to the carers who visit.
    how_notes: Mapped[str | None] = mapped_column(Text)
    # Whether the citizen counts in the national 14-day continuity measure.
    in_national_measure: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The citizen's care ends from this date on (moved, deceased, nursing home): no visits from it.
    ended_from: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # When the personal data was removed (the retention after the care ended); the row stays for plans
    # and figures, under a pseudonym.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Bumped by every change: a save made from an older read matches no row and answers 409.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    team: Mapped[Team] = relationship(lazy="joined")
    contact_carer: Mapped[Carer | None] = relationship(foreign_keys=[contact_carer_id])
    avoid_carers: Mapped[list[Carer]] = relationship(secondary=citizen_avoid_carers, lazy="selectin")

    __mapper_args__ = {"version_id_col": version}


class Need(Base):
    """What a citizen needs help with, recurring on some weekdays, valid from a date (to a date).

    A change "from date D on" never rewrites history: the current row ends the day before D
    (`valid_to`) and a new row (`replaces_id` pointing back) starts on D with the new values. All
    versions share the citizen and the `kind` ("morning", "shower" ...), the need's name in the
    exchange format.
    """

    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint("carers IN (1, 2)", name="one_or_two_carers"),
        CheckConstraint(f"earliest >= 0 AND latest <= {MINUTES_PER_DAY} AND latest >= earliest",
                        name="window"),
        CheckConstraint(f"duration > 0 AND earliest + duration <= {MINUTES_PER_DAY}",
                        name="duration_fits_day"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        CheckConstraint("every_weeks BETWEEN 1 AND 6", name="every_weeks_range"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        CheckConstraint("spaced_from_id IS NULL OR (spaced_from_id <> id AND min_gap >= 0 "
                        "AND (max_gap IS NULL OR max_gap >= min_gap))", name="spacing"),
        Index("ix_needs_citizen_id_kind", "citizen_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(100))
    # ISO weekdays as Python numbers them: Monday 0 ... Sunday 6.
    weekdays: Mapped[list[int]] = mapped_column(JSON)
    earliest: Mapped[int] = mapped_column(Integer)
    latest: Mapped[int] = mapped_column(Integer)
    duration: Mapped[int] = mapped_column(Integer)
    carers: Mapped[int] = mapped_column(Integer, default=1)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    # Every N weeks, counted from the week of `valid_from` (1: every week).
    every_weeks: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # What the carer should know to give this help; shown to the carer.
    care_instructions: Mapped[str | None] = mapped_column(Text)
    # 1 (must happen) .. 3 (can wait): what the team drops first on a short day.
    priority: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    # Spaced from another need of the citizen (insulin after breakfast): on a date with both, this
    # need's visit starts between `min_gap` and `max_gap` (None: no upper limit) minutes after the
    # other's visit ends. The other need is matched by its kind, so its later versions keep the rule.
    spaced_from_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    min_gap: Mapped[int | None] = mapped_column(Integer)
    max_gap: Mapped[int | None] = mapped_column(Integer)
    # Bumped by every change: a save made from an older read matches no row and answers 409.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    citizen: Mapped[Citizen] = relationship()
    spaced_from: Mapped[Need | None] = relationship(remote_side="Need.id", foreign_keys=[spaced_from_id])

    __mapper_args__ = {"version_id_col": version}


class Visit(Base):
    """One occurrence of a need on a date (or an imported/added one-off, `need_id` NULL).

    The values are copied from the need when generated, so a visit keeps what was planned even
    when the need later changes; regenerating updates only future, unpinned visits.
    """

    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("carers IN (1, 2)", name="one_or_two_carers"),
        CheckConstraint(f"earliest >= 0 AND latest <= {MINUTES_PER_DAY} AND latest >= earliest",
                        name="window"),
        CheckConstraint(f"duration > 0 AND earliest + duration <= {MINUTES_PER_DAY}",
                        name="duration_fits_day"),
        CheckConstraint(f"status IN {VISIT_STATUSES!r}", name="status_known"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority_range"),
        Index("ix_visits_citizen_id_date", "citizen_id", "date"),
        Index("ix_visits_date", "date"),
        Index("ix_visits_need_id", "need_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(100))  # the exchange format's `need`
    date: Mapped[dt.date] = mapped_column(Date)
    earliest: Mapped[int] = mapped_column(Integer)
    latest: Mapped[int] = mapped_column(Integer)
    duration: Mapped[int] = mapped_column(Integer)
    carers: Mapped[int] = mapped_column(Integer, default=1)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=VISIT_PLANNED)
    # 1 must happen, 2 should, 3 may wait (the need's, or the imported visit's).
    priority: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    citizen: Mapped[Citizen] = relationship()
    need: Mapped[Need | None] = relationship(foreign_keys=[need_id])


class VisitDependency(Base):
    """Two visits spaced apart, as an imported instance's `dependencies` gave them: `then` starts between
    `min_gap` and `max_gap` (None: no upper limit) minutes after `first` ends. Spacing between needs
    (`Need.spaced_from_id`) is read from the needs themselves."""

    __tablename__ = "visit_dependencies"
    __table_args__ = (
        UniqueConstraint("first_visit_id", "then_visit_id"),
        CheckConstraint("first_visit_id <> then_visit_id", name="two_visits"),
        CheckConstraint("min_gap >= 0 AND (max_gap IS NULL OR max_gap >= min_gap)", name="gaps"),
        Index("ix_visit_dependencies_then_visit_id", "then_visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    then_visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    min_gap: Mapped[int] = mapped_column(Integer, default=0)
    max_gap: Mapped[int | None] = mapped_column(Integer)


class InstanceImport(Base):
    """What an imported homecare-instance/1 said about itself (name, dates, travel): for export."""

    __tablename__ = "instance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer)
    max_carers_per_month: Mapped[int] = mapped_column(Integer)
    travel: Mapped[dict[str, Any]] = mapped_column(JSON)
    team_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Plan(Base):
    """A plan for some teams over a date range; its content lives in numbered versions."""

    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="date_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)  # inclusive
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)

    teams: Mapped[list[Team]] = relationship(secondary=plan_teams, lazy="selectin")
    versions: Mapped[list[PlanVersion]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PlanVersion.number",
    )


class PlanVersion(Base):
    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(f"status IN {PLAN_STATUSES!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PLAN_DRAFT)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Which inputs it was made from (solver params, job id, source version ...), free-form.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    objective: Mapped[float | None] = mapped_column(Float)
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan] = relationship(back_populates="versions")
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="plan_version", cascade="all, delete-orphan", passive_deletes=True)
    unplaced: Mapped[list[UnplacedVisit]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)


class Assignment(Base):
    """A visit given carers and a start time in one plan version; pinned ones never move."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "visit_id"),
        CheckConstraint(f"start >= 0 AND start <= {MINUTES_PER_DAY}", name="start_within_day"),
        Index("ix_assignments_visit_id", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)

    plan_version: Mapped[PlanVersion] = relationship(back_populates="assignments")
    visit: Mapped[Visit] = relationship()
    carers: Mapped[list[Carer]] = relationship(secondary=assignment_carers, lazy="selectin")


class UnplacedVisit(Base):
    """A visit a plan version could not place, with the reason a coordinator can act on."""

    __tablename__ = "unplaced_visits"
    __table_args__ = (UniqueConstraint("plan_version_id", "visit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship()


# The `end` column is a reserved word in SQL; SQLAlchemy quotes it, the CHECKs above quote it by hand.
__all__ = [
    "Assignment", "Carer", "Citizen", "InstanceImport", "Municipality", "Need", "Plan", "PlanVersion",
    "Shift", "Team", "TravelMode", "TravelModeLeg", "UnplacedVisit", "User", "Visit", "VisitDependency",
    "assignment_carers", "citizen_avoid_carers", "plan_teams", "user_teams",
]
