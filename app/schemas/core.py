"""Request and answer schemas for the core data.

`...Create` validates a whole new row, `...Update` is a partial change (every field optional; the
service re-validates the merged row with the Create schema so a patch cannot cross times).
Answers carry the integer `id` and the exchange format's `external_id`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Generic, Literal, TypeVar

from annotated_types import Ge, Le
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from app.schemas.passwords import NewPassword, password_problem
from exchange import MAX_INT, Day, Lines, OneLine
from models.core import MINUTES_PER_DAY, ROLES, User

T = TypeVar("T")

# A larger id can name no row, and binding it would fail in the database (a 500) instead of answering
# 422 at the parameter that carries it.
RowId = Annotated[int, Ge(1), Le(MAX_INT)]
Cap = Annotated[int, Field(ge=1, le=MAX_INT)]
Minute = Annotated[int, Field(ge=0, le=MINUTES_PER_DAY, description="minutes after midnight")]


def _visible(value: str) -> str:
    # Spaces, or invisible format characters, alone would list a person no one can tell apart.
    value = value.strip()
    if not any(unicodedata.category(ch)[0] not in "ZC" for ch in value):
        raise PydanticCustomError("blank", "give at least one visible character, not only spaces")
    return value


# Every text a person types goes through one of these, so every way in (API, pages, sheets) refuses the
# same characters: OneLine for a line (a name, an address), Lines where a note may run over several lines.
ExternalId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S+$"), OneLine]
Name = Annotated[str, Field(min_length=1, max_length=200), OneLine, AfterValidator(_visible)]
Skill = Annotated[str, Field(min_length=1, max_length=100), OneLine]
Address = Annotated[str, Field(max_length=300), OneLine]
Reason = Annotated[str, Field(max_length=500), OneLine]
NeedKind = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S+$"), OneLine]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Weekdays = Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(min_length=1, max_length=7)]
Role = Literal["member", "coordinator", "auditor", "admin"]
Text = Annotated[str, Field(max_length=10_000), Lines]
# The version a form or client read; a save with an older one answers 409 instead of overwriting.
Version = Annotated[int, Field(ge=1, le=MAX_INT,
                               description="the row's version as read (409 if it moved on)")]
EndReason = Literal["moved", "deceased", "nursing_home", "other"]
EveryWeeks = Annotated[int, Field(ge=1, le=6, description="every N weeks, counted from valid_from's week")]
Priority = Annotated[int, Field(ge=1, le=3, description="1 must happen .. 3 can wait")]
TravelModeName = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^\S+$",
                                      description="a travel mode's name (walk, bike); none: by car"), OneLine]
Gap = Annotated[int, Field(ge=0, le=7 * MINUTES_PER_DAY, description="minutes")]
BreakMinutes = Annotated[int, Field(gt=0, le=240, description="the break's length in minutes")]
assert set(ROLES) == {"member", "coordinator", "auditor", "admin"}


def break_problem(start: int, end: int, earliest: int | None, latest: int | None,
                  minutes: int | None) -> str | None:
    """What is wrong with a shift's break window (naming the field), or None: all three fields or none,
    the window in order, and the break inside the shift wherever in the window it starts."""
    given = [v is not None for v in (earliest, latest, minutes)]
    if not any(given):
        return None
    if not all(given):
        missing = [k for k, g in zip(("break_earliest", "break_latest", "break_minutes"), given,
                                     strict=True) if not g]
        return f"{missing[0]}: a break needs break_earliest, break_latest and break_minutes"
    assert earliest is not None and latest is not None and minutes is not None
    if latest < earliest:
        return f"break_latest: the break window ends ({latest}) before it starts ({earliest})"
    if minutes > end - start:
        return f"break_minutes: the break ({minutes} min) is longer than the shift ({end - start} min)"
    if earliest < start:
        return f"break_earliest: the break window starts ({earliest}) before the shift ({start})"
    if latest + minutes > end:
        return (f"break_latest: a break of {minutes} min starting at {latest} ends after the shift "
                f"({end})")
    return None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorItem(BaseModel):
    """Where (`loc`, as FastAPI's validation errors say it), what and which kind; some say more (the
    rule a move breaks, the visit, the file's `path`)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every 4xx answer's body: a sentence, or each error in a list (app/api/errors.py)."""

    detail: str | list[ErrorItem]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"


# --- users -----------------------------------------------------------------------------------


class UserOut(_Out):
    id: int
    username: str
    full_name: str | None
    role: Role
    is_active: bool
    team_ids: list[int]
    must_change_password: bool = False

    @classmethod
    def from_user(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, full_name=user.full_name, role=user.role,  # type: ignore[arg-type]
                   is_active=user.is_active, team_ids=sorted(t.id for t in user.teams),
                   must_change_password=bool(user.must_change_password))


class UserCreate(_In):
    username: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
    password: NewPassword
    full_name: Name | None = None
    role: Role
    team_ids: list[RowId] = []

    @model_validator(mode="after")
    def _password_not_the_name(self) -> UserCreate:
        # A password built from the user's own name is the first an attacker tries.
        problem = password_problem(self.password, user_words=[self.username, *(self.full_name or "").split()])
        if problem is not None:
            raise ValueError(f"password: {problem}")
        return self


class UserUpdate(_In):
    password: NewPassword | None = None
    full_name: Name | None = None
    role: Role | None = None
    is_active: bool | None = None
    team_ids: list[RowId] | None = None


# --- teams -----------------------------------------------------------------------------------


class TeamCreate(_In):
    external_id: ExternalId
    name: Name
    lat: Lat
    lon: Lon
    base_address: Address | None = None
    max_carers_per_month: Cap | None = None


class TeamUpdate(_In):
    external_id: ExternalId | None = None
    name: Name | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    base_address: Address | None = None
    max_carers_per_month: Cap | None = None


class TeamOut(_Out):
    id: int
    external_id: str
    name: str
    lat: float
    lon: float
    base_address: str | None
    max_carers_per_month: int | None


# --- carers and shifts -----------------------------------------------------------------------


class ShiftCreate(_In):
    date: Day
    start: Minute
    end: Minute
    # The carer's break: `break_minutes` unbroken, starting between the two, inside the shift.
    break_earliest: Minute | None = None
    break_latest: Minute | None = None
    break_minutes: BreakMinutes | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> ShiftCreate:
        if self.end <= self.start:
            raise ValueError(f"shift ends ({self.end}) before or when it starts ({self.start})")
        problem = break_problem(self.start, self.end, self.break_earliest, self.break_latest,
                                self.break_minutes)
        if problem:
            raise ValueError(problem)
        return self


class ShiftUpdate(_In):
    date: Day | None = None
    start: Minute | None = None
    end: Minute | None = None
    break_earliest: Minute | None = None
    break_latest: Minute | None = None
    break_minutes: BreakMinutes | None = None


class ShiftOut(_Out):
    id: int
    carer_id: int
    date: Day
    start: int
    end: int
    break_earliest: int | None = None
    break_latest: int | None = None
    break_minutes: int | None = None
    from_roster: bool = False


class CarerCreate(_In):
    external_id: ExternalId | None = None  # generated when left out
    team_id: RowId
    name: Name
    skills: list[Skill] = []
    contracted_minutes_per_week: Annotated[int, Field(ge=0, le=7 * MINUTES_PER_DAY)] | None = None
    active_from: Day | None = None
    active_to: Day | None = None
    travel_mode: TravelModeName | None = None

    @model_validator(mode="after")
    def _active_range(self) -> CarerCreate:
        if self.active_from and self.active_to and self.active_to < self.active_from:
            raise ValueError("active_to is before active_from")
        return self


class CarerUpdate(_In):
    external_id: ExternalId | None = None
    team_id: RowId | None = None
    name: Name | None = None
    skills: list[Skill] | None = None
    contracted_minutes_per_week: Annotated[int, Field(ge=0, le=7 * MINUTES_PER_DAY)] | None = None
    active_from: Day | None = None
    active_to: Day | None = None
    travel_mode: TravelModeName | None = None
    version: Version | None = None


class CarerOut(_Out):
    id: int
    external_id: str
    team_id: int
    name: str | None  # None for auditors
    skills: list[str]
    contracted_minutes_per_week: int | None
    active_from: Day | None
    active_to: Day | None
    end_reason: str | None = None
    travel_mode: str | None = None
    version: int = 1


class TravelModeOut(_Out):
    name: str
    speed_kmh: float
    detour_factor: float


class TravelModeSet(_In):
    speed_kmh: Annotated[float, Field(gt=0, le=200)]
    detour_factor: Annotated[float, Field(gt=0, le=10)] = 1.3


class CarerEnd(_In):
    """The carer works here no more from `from_date` on (their last day is the day before)."""

    from_date: Day
    reason: Annotated[str, Field(max_length=200), OneLine] | None = None
    version: Version | None = None


# --- citizens --------------------------------------------------------------------------------


class CitizenCreate(_In):
    external_id: ExternalId | None = None
    team_id: RowId
    name: Name
    address: Address | None = None
    lat: Lat
    lon: Lon
    contact_carer_id: RowId | None = None
    avoid_carer_ids: list[RowId] = []
    notes: Text | None = None
    birth_year: Annotated[int, Field(ge=1880, le=2100)] | None = None
    how_notes: Text | None = None
    in_national_measure: bool = True
    # Why each carer on the avoid list is there (carer id -> reason); kept for the team.
    avoid_reasons: dict[RowId, Reason] = {}


class CitizenUpdate(_In):
    external_id: ExternalId | None = None
    team_id: RowId | None = None
    name: Name | None = None
    address: Address | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    contact_carer_id: RowId | None = None
    avoid_carer_ids: list[RowId] | None = None
    notes: Text | None = None
    birth_year: Annotated[int, Field(ge=1880, le=2100)] | None = None
    how_notes: Text | None = None
    in_national_measure: bool | None = None
    avoid_reasons: dict[RowId, Reason] | None = None
    version: Version | None = None


class CitizenEnd(_In):
    """The citizen's care ends from `from_date` on: no visits from that date."""

    from_date: Day
    reason: EndReason
    version: Version | None = None


class CitizenOut(_Out):
    """Full citizen, for team members, coordinators and admins."""

    id: int
    external_id: str
    team_id: int
    name: str
    address: str | None
    lat: float
    lon: float
    contact_carer_id: int | None
    avoid_carer_ids: list[int]
    notes: str | None
    birth_year: int | None
    how_notes: str | None = None
    in_national_measure: bool = True
    avoid_reasons: dict[int, str] = {}
    ended_from: Day | None = None
    end_reason: str | None = None
    version: int = 1


class CitizenRedacted(_Out):
    """What an auditor may read of a citizen: no name, address, coordinates or notes."""

    id: int
    external_id: str
    team_id: int
    birth_year: int | None


# --- needs and visits ------------------------------------------------------------------------


class _Window(_In):
    @model_validator(mode="after")
    def _window_fits_the_day(self) -> Any:
        earliest, latest, duration = (getattr(self, k) for k in ("earliest", "latest", "duration"))
        if earliest is not None and latest is not None and latest < earliest:
            raise ValueError(f"window ends ({latest}) before it starts ({earliest})")
        if earliest is not None and duration is not None and earliest + duration > MINUTES_PER_DAY:
            raise ValueError("the visit cannot end within its day")
        return self


class NeedCreate(_Window):
    external_id: ExternalId | None = None
    citizen_id: RowId
    kind: NeedKind
    weekdays: Weekdays
    earliest: Minute
    latest: Minute
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)]
    carers: Literal[1, 2] = 1
    skills: list[Skill] = []
    valid_from: Day
    valid_to: Day | None = None
    every_weeks: EveryWeeks = 1
    care_instructions: Text | None = None
    priority: Priority = 2
    # Spaced from another need of the citizen: on a date with both, this one's visit starts between
    # min_gap and max_gap (none: no upper limit) minutes after the other's visit ends.
    spaced_from_id: RowId | None = None
    min_gap: Gap | None = None
    max_gap: Gap | None = None

    @field_validator("weekdays")
    @classmethod
    def _distinct_days(cls, v: list[int]) -> list[int]:
        return sorted(set(v))

    @model_validator(mode="after")
    def _valid_range(self) -> NeedCreate:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        problem = spacing_problem(self.spaced_from_id, self.min_gap, self.max_gap)
        if problem:
            raise ValueError(problem)
        return self


def spacing_problem(spaced_from_id: int | None, min_gap: int | None, max_gap: int | None) -> str | None:
    """What is wrong with a need's spacing (naming the field), or None."""
    if spaced_from_id is None:
        if min_gap is not None or max_gap is not None:
            return "spaced_from_id: min_gap and max_gap need the need to space from"
        return None
    if max_gap is not None and max_gap < (min_gap or 0):
        return f"max_gap: {max_gap} is below min_gap ({min_gap or 0})"
    return None


class NeedUpdate(_In):
    """A correction of the need as a whole (rewrites it). To change it from a date on without
    rewriting history, POST /api/needs/{id}/change instead."""

    kind: NeedKind | None = None
    weekdays: Weekdays | None = None
    earliest: Minute | None = None
    latest: Minute | None = None
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)] | None = None
    carers: Literal[1, 2] | None = None
    skills: list[Skill] | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    every_weeks: EveryWeeks | None = None
    care_instructions: Text | None = None
    priority: Priority | None = None
    spaced_from_id: RowId | None = None
    min_gap: Gap | None = None
    max_gap: Gap | None = None
    version: Version | None = None


class NeedChange(_In):
    """Change a need from a date on: history before `from_date` keeps the old values."""

    from_date: Day
    weekdays: Weekdays | None = None
    earliest: Minute | None = None
    latest: Minute | None = None
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)] | None = None
    carers: Literal[1, 2] | None = None
    skills: list[Skill] | None = None
    valid_to: Day | None = None
    every_weeks: EveryWeeks | None = None
    care_instructions: Text | None = None
    priority: Priority | None = None
    spaced_from_id: RowId | None = None
    min_gap: Gap | None = None
    max_gap: Gap | None = None
    version: Version | None = None


class NeedRedacted(_Out):
    """What an auditor may read of a need: no care instructions (free text about the citizen)."""

    id: int
    external_id: str
    citizen_id: int
    kind: str
    weekdays: list[int]
    earliest: int
    latest: int
    duration: int
    carers: int
    skills: list[str]
    valid_from: Day
    valid_to: Day | None
    replaces_id: int | None
    every_weeks: int = 1
    priority: int = 2
    spaced_from_id: int | None = None
    min_gap: int | None = None
    max_gap: int | None = None
    version: int = 1


class NeedOut(NeedRedacted):
    """Full need, for team members, coordinators and admins."""

    care_instructions: str | None = None


class _HelpAsked(_Window):
    """What a visit asks for, in a window of the day: shared by a new visit and a need not saved yet."""

    kind: NeedKind
    earliest: Minute
    latest: Minute
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)]
    carers: Literal[1, 2] = 1
    skills: list[Skill] = []


class NeedAsked(_HelpAsked):
    """A standing need of a citizen not saved yet: where would it fit? (nothing is stored)."""

    weekdays: Weekdays
    every_weeks: EveryWeeks = 1
    priority: Priority = 2


class VisitCreate(_HelpAsked):
    external_id: ExternalId | None = None
    citizen_id: RowId
    date: Day
    priority: Priority = 1


class VisitUpdate(_In):
    date: Day | None = None
    earliest: Minute | None = None
    latest: Minute | None = None
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)] | None = None
    carers: Literal[1, 2] | None = None
    skills: list[Skill] | None = None
    status: Literal["planned", "cancelled"] | None = None
    priority: Priority | None = None


class VisitOut(_Out):
    id: int
    external_id: str
    citizen_id: int
    need_id: int | None
    kind: str
    date: Day
    earliest: int
    latest: int
    duration: int
    carers: int
    skills: list[str]
    status: str
    priority: int = 1


class GenerateVisits(_In):
    start: Day
    end: Day  # inclusive
    team_ids: list[RowId] | None = None
    # Visits before this date are history and never change (default: today).
    today: Day | None = None

    @model_validator(mode="after")
    def _range(self) -> GenerateVisits:
        if self.end < self.start:
            raise ValueError("end is before start")
        if (self.end - self.start).days > 366:
            raise ValueError("at most 366 days at a time")
        return self


class GenerateResult(BaseModel):
    created: int
    updated: int
    cancelled: int
    unchanged: int


# --- plans -----------------------------------------------------------------------------------


class AssignmentOut(_Out):
    id: int
    plan_version_id: int
    visit_id: int
    visit_external_id: str
    start: int
    pinned: bool
    carer_ids: list[int]


class AssignmentUpdate(_In):
    """Pin or move an assignment (team members may do this for their own team)."""

    start: Minute | None = None
    carer_ids: Annotated[list[RowId], Field(min_length=1, max_length=2)] | None = None
    pinned: bool | None = None


class UnplacedOut(_Out):
    visit_id: int
    visit_external_id: str
    reason: str


class PlanVersionOut(_Out):
    id: int
    plan_id: int
    number: int
    status: str
    created_at: dt.datetime
    created_by_id: int | None
    accepted_at: dt.datetime | None
    accepted_by_id: int | None
    inputs: dict[str, Any]
    objective: float | None
    stats: dict[str, Any]


class PlanOut(_Out):
    id: int
    external_id: str
    name: str
    start_date: Day
    end_date: Day
    team_ids: list[int]
    versions: list[PlanVersionOut]


class MunicipalityOut(_Out):
    id: int
    name: str
    max_carers_per_month: int
    travel_speed_kmh: float
    travel_detour_factor: float


class MunicipalityUpdate(_In):
    name: Name | None = None
    max_carers_per_month: Cap | None = None
    travel_speed_kmh: Annotated[float, Field(gt=0)] | None = None
    travel_detour_factor: Annotated[float, Field(gt=0)] | None = None
