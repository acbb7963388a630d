"""Request and answer schemas for the team's own data: rosters, change records, re-plan needs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.schemas.core import BreakMinutes, Minute, Version, break_problem
from exchange import Day, OneLine

ExceptionKind = Literal["leave", "course", "extra"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Break(_In):
    """A shift's hours and, if it has one, its break: `break_minutes` starting between the two."""

    start: Minute
    end: Minute
    break_earliest: Minute | None = None
    break_latest: Minute | None = None
    break_minutes: Annotated[int, Field(gt=0, le=240)] | None = None

    @model_validator(mode="after")
    def _hours(self) -> Any:
        if self.end <= self.start:
            raise ValueError(f"the shift ends ({self.end}) before or when it starts ({self.start})")
        given = [v is not None for v in (self.break_earliest, self.break_latest, self.break_minutes)]
        if any(given) and not all(given):
            raise ValueError("a break needs break_earliest, break_latest and break_minutes")
        if all(given):
            assert self.break_earliest is not None and self.break_latest is not None
            assert self.break_minutes is not None
            if self.break_latest < self.break_earliest:
                raise ValueError("break_latest is before break_earliest")
            if self.break_earliest < self.start or self.break_latest + self.break_minutes > self.end:
                raise ValueError("the break does not fit within the shift")
        return self


class RosterShiftIn(_Break):
    week: Annotated[int, Field(ge=0, le=5, description="week of the pattern, 0-based")] = 0
    weekday: Annotated[int, Field(ge=0, le=6, description="Monday 0 .. Sunday 6")]


class RosterPatternSet(_In):
    """The carer's repeating roster from `from_date` on (the one in force ends the day before)."""

    from_date: Day
    weeks: Annotated[int, Field(ge=1, le=6)]
    shifts: Annotated[list[RosterShiftIn], Field(max_length=6 * 7 * 4)]
    # The version of the pattern in force on from_date, as read: 409 if it moved on since.
    version: Version | None = None


class RosterShiftOut(_Out):
    week: int
    weekday: int
    start: int
    end: int
    break_earliest: int | None
    break_latest: int | None
    break_minutes: int | None


class RosterPatternOut(_Out):
    id: int
    carer_id: int
    weeks: int
    valid_from: Day
    valid_to: Day | None
    version: int
    shifts: list[RosterShiftOut]


class RosterExceptionIn(_In):
    date: Day
    kind: ExceptionKind
    start: Minute | None = None
    end: Minute | None = None
    # An extra shift's break window, as a pattern shift's.
    break_earliest: Minute | None = None
    break_latest: Minute | None = None
    break_minutes: BreakMinutes | None = None
    note: Annotated[str, Field(max_length=300), OneLine] | None = None

    @model_validator(mode="after")
    def _hours(self) -> RosterExceptionIn:
        if self.kind == "extra":
            if self.start is None or self.end is None:
                raise ValueError("an extra shift needs start and end")
            if self.end <= self.start:
                raise ValueError(f"the shift ends ({self.end}) before or when it starts ({self.start})")
            problem = break_problem(self.start, self.end, self.break_earliest, self.break_latest,
                                    self.break_minutes)
            if problem:
                raise ValueError(problem)
        elif self.start is not None or self.end is not None:
            raise ValueError("leave and courses take the whole day: give no start or end")
        elif self.break_minutes is not None:
            raise ValueError("break_minutes: leave and courses take the whole day: give no break")
        return self


class RosterExceptionOut(_Out):
    id: int
    carer_id: int
    date: Day
    kind: str
    start: int | None
    end: int | None
    break_earliest: int | None = None
    break_latest: int | None = None
    break_minutes: int | None = None
    note: str | None


class RosterWarningOut(BaseModel):
    date: Day
    kind: Literal["short_rest", "long_day"]
    message: str


class RosterAnswer(BaseModel):
    patterns: list[RosterPatternOut]
    exceptions: list[RosterExceptionOut]
    warnings: list[RosterWarningOut]
    flagged: int = Field(0, description="accepted assignments this change left needing a re-plan")


class ChangeRecordOut(_Out):
    id: int
    entity: str
    entity_id: int
    action: str
    citizen_id: int | None
    carer_id: int | None
    effective_from: Day | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: dt.datetime
    created_by: str | None = None


class KnownAddressOut(BaseModel):
    address: str
    lat: float
    lon: float


class ReplanNeedOut(BaseModel):
    id: int
    plan_id: int
    visit_id: int
    visit_external_id: str
    date: Day
    citizen_id: int
    assignment_id: int | None
    reason: str
    change_id: int
    change_entity: str
    change_action: str
    changed_at: dt.datetime


class NeedEnd(_In):
    from_date: Day
    version: Version | None = None


class SheetError(BaseModel):
    row: int
    column: str
    msg: str


class SheetSummary(BaseModel):
    """What an import does (or did): how many new, changed and ended, and every error by row and column."""

    kind: str
    new: int
    changed: int
    ended: int
    errors: list[SheetError]
