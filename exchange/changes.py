"""homecare-changes/1 (FORMAT.md): one model per type of change, each checked against the instance it
adjusts *as the earlier changes left it*, because the reference (shared/tools/apply_changes.py) applies
them in order: a visit cancelled in changes[2] is unknown to changes[5]. Every error names the change,
e.g. ``changes[3]: unknown carer 'T1-c99'``, so the API answers 422 and the CLI exits 2 with the same
words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from exchange.common import MINUTES_PER_DAY, ExchangeError, Id, Minute, json_path
from exchange.instance import CarerDoc, DayShiftDoc, VisitDoc
from solver import types as st

Day = Annotated[int, Field(ge=0)]


class _Change(BaseModel):
    # Unknown keys are refused: a misspelt "form_day" must not silently mean "no range".
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Why the team made the change (for the change log); the reference tool ignores it.
    reason: Annotated[str, Field(max_length=2000)] | None = None


class _DayRange(_Change):
    from_day: Day
    to_day: Day

    @model_validator(mode="after")
    def _ordered(self) -> _DayRange:
        if self.to_day < self.from_day:
            raise ValueError(f"to_day ({self.to_day}) is before from_day ({self.from_day})")
        return self


class CarerAbsent(_DayRange):
    type: Literal["carer_absent"]
    carer: Id


class ShiftSet(_Change):
    type: Literal["shift_set"]
    carer: Id
    day: Day
    shifts: list[DayShiftDoc]


class CarerAdd(_Change):
    type: Literal["carer_add"]
    carer: CarerDoc


class VisitDuration(_Change):
    type: Literal["visit_duration"]
    visit: Id
    duration: Annotated[int, Field(gt=0, le=MINUTES_PER_DAY)]


class VisitWindow(_Change):
    type: Literal["visit_window"]
    visit: Id
    earliest: Minute
    latest: Minute

    @model_validator(mode="after")
    def _ordered(self) -> VisitWindow:
        if self.latest < self.earliest:
            raise ValueError(f"window ends ({self.latest}) before it starts ({self.earliest})")
        return self


class VisitCancel(_Change):
    type: Literal["visit_cancel"]
    visit: Id


class CitizenAway(_DayRange):
    type: Literal["citizen_away"]
    citizen: Id


class VisitAdd(_Change):
    type: Literal["visit_add"]
    visit: VisitDoc


Change = Annotated[
    CarerAbsent | ShiftSet | CarerAdd | VisitDuration | VisitWindow | VisitCancel | CitizenAway | VisitAdd,
    Field(discriminator="type"),
]
CHANGE_TYPES = ("carer_absent", "shift_set", "carer_add", "visit_duration", "visit_window",
                "visit_cancel", "citizen_away", "visit_add")


class ChangeSet(BaseModel):
    # Extra top-level keys (a comment, who wrote it) are ignored, as the reference does.
    model_config = ConfigDict(extra="ignore", frozen=True)
    format: Literal["homecare-changes/1"]
    replan_days: tuple[Day, Day] | None = None
    changes: list[Change]

    @model_validator(mode="after")
    def _ordered(self) -> ChangeSet:
        if self.replan_days is not None and self.replan_days[1] < self.replan_days[0]:
            raise ValueError(f"replan_days {list(self.replan_days)} end before they start")
        return self


_change_adapter: TypeAdapter[Any] = TypeAdapter(Change)


def _loc_without_tag(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    # Pydantic puts the discriminator value into the location (changes.3.carer_absent.from_day);
    # the user wrote changes[3].from_day.
    out = list(loc)
    for i in range(len(out) - 1):
        if out[i] == "changes" and isinstance(out[i + 1], int) and i + 2 < len(out) \
                and out[i + 2] in CHANGE_TYPES:
            del out[i + 2]
            break
    return tuple(out)


def _structure(data: Any) -> ChangeSet:
    try:
        return ChangeSet.model_validate(data)
    except ValidationError as e:
        errors = []
        for err in e.errors():
            msg = err["msg"]
            if err["type"] == "union_tag_invalid":
                msg = f"unknown change type {err['input'].get('type')!r}; one of {', '.join(CHANGE_TYPES)}" \
                    if isinstance(err.get("input"), dict) else msg
            elif err["type"] == "union_tag_not_found":
                msg = "a change needs a 'type'"
            errors.append({"path": json_path(_loc_without_tag(tuple(err["loc"]))), "msg": msg})
        raise ExchangeError(errors) from None


@dataclass(slots=True)
class _State:
    """What the instance holds after the changes checked so far (the reference applies in order)."""

    days: int
    teams: set[str]
    carers: set[str]
    citizens: set[str]
    visits: dict[str, tuple[str, int, int, int, int]]  # id -> (citizen, day, earliest, latest, duration)


def _days_that_can_break_the_plan(ch: Any) -> list[int]:
    """Days on which a change can make a planned visit infeasible. Removing visits (cancel, away) or
    adding a carer never does, so those may reach outside the re-plan range."""
    if isinstance(ch, CarerAbsent):
        return [ch.from_day, ch.to_day]
    if isinstance(ch, ShiftSet):
        return [ch.day]
    if isinstance(ch, VisitAdd):
        return [ch.visit.day]
    return []


def _check(cs: ChangeSet, state: _State, *, teams_allowed: Iterable[str] | None) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    allowed = set(teams_allowed) if teams_allowed is not None else None
    last = state.days - 1

    def err(i: int, msg: str, field: str = "") -> None:
        errors.append({"path": f"changes[{i}]{field}", "msg": msg})

    def day_in_plan(i: int, day: int, field: str) -> bool:
        if day > last:
            err(i, f"day {day} is outside the plan (days 0-{last})", field)
            return False
        return True

    if cs.replan_days is not None:
        for k, d in enumerate(cs.replan_days):
            if d > last:
                errors.append({"path": f"replan_days[{k}]",
                               "msg": f"day {d} is outside the plan (days 0-{last})"})

    for i, ch in enumerate(cs.changes):
        if cs.replan_days is not None:
            lo, hi = cs.replan_days
            for d in _days_that_can_break_the_plan(ch):
                if not lo <= d <= hi:
                    err(i, f"day {d} is outside replan_days [{lo}, {hi}]: the plan there could not follow; "
                        "widen replan_days")
                    break
        if isinstance(ch, CarerAbsent | ShiftSet) and ch.carer not in state.carers:
            err(i, f"unknown carer {ch.carer!r}", ".carer")
        if isinstance(ch, CarerAbsent | CitizenAway):
            day_in_plan(i, ch.from_day, ".from_day")
            day_in_plan(i, ch.to_day, ".to_day")
        if isinstance(ch, CitizenAway):
            if ch.citizen not in state.citizens:
                err(i, f"unknown citizen {ch.citizen!r}", ".citizen")
            for vid in [v for v, (p, d, *_) in state.visits.items()
                        if p == ch.citizen and ch.from_day <= d <= ch.to_day]:
                del state.visits[vid]
        elif isinstance(ch, ShiftSet):
            day_in_plan(i, ch.day, ".day")
            ordered = sorted(ch.shifts, key=lambda s: s.start)
            if any(a.end > b.start for a, b in zip(ordered, ordered[1:], strict=False)):
                err(i, "the day's shifts overlap", ".shifts")
        elif isinstance(ch, CarerAdd):
            c = ch.carer
            if c.id in state.carers:
                err(i, f"carer {c.id!r} already exists", ".carer.id")
            if allowed is not None and c.team not in allowed:
                err(i, f"team {c.team!r} is not one of your teams", ".carer.team")
            elif c.team not in state.teams:
                err(i, f"unknown team {c.team!r}", ".carer.team")
            for j, s in enumerate(c.shifts):
                day_in_plan(i, s.day, f".carer.shifts[{j}].day")
            state.carers.add(c.id)
        elif isinstance(ch, VisitDuration | VisitWindow | VisitCancel):
            v = state.visits.get(ch.visit)
            if v is None:
                err(i, f"unknown visit {ch.visit!r}", ".visit")
                continue
            p, d, e, la, dur = v
            if cs.replan_days is not None and not isinstance(ch, VisitCancel) \
                    and not cs.replan_days[0] <= d <= cs.replan_days[1]:
                lo, hi = cs.replan_days
                err(i, f"visit {ch.visit!r} is on day {d}, outside replan_days [{lo}, {hi}]; "
                    "widen replan_days")
            if isinstance(ch, VisitDuration):
                dur = ch.duration
            elif isinstance(ch, VisitWindow):
                e, la = ch.earliest, ch.latest
            if isinstance(ch, VisitCancel):
                del state.visits[ch.visit]
            elif e + dur > MINUTES_PER_DAY:
                err(i, f"visit {ch.visit!r} would end after midnight (earliest {e} + duration {dur})")
            else:
                state.visits[ch.visit] = (p, d, e, la, dur)
        elif isinstance(ch, VisitAdd):
            nv = ch.visit
            if nv.id in state.visits:
                err(i, f"visit {nv.id!r} already exists", ".visit.id")
            if nv.citizen not in state.citizens:
                err(i, f"unknown citizen {nv.citizen!r}", ".visit.citizen")
            day_in_plan(i, nv.day, ".visit.day")
            state.visits[nv.id] = (nv.citizen, nv.day, nv.earliest, nv.latest, nv.duration)
    return errors


def parse_changes(data: Any, problem: st.Problem, *, teams_allowed: Iterable[str] | None = None) -> ChangeSet:
    """Validate a homecare-changes/1 document against the problem it adjusts. Raises ExchangeError.

    `teams_allowed`: the teams the person making the change holds (a substitute carer may only join
    one of them); None means no restriction (the CLI).
    """
    cs = _structure(data)
    state = _State(
        days=problem.days,
        teams={t.id for t in problem.teams},
        carers={c.id for c in problem.carers},
        citizens={p.id for p in problem.citizens},
        visits={v.id: (v.citizen, v.day, v.earliest, v.latest, v.duration) for v in problem.visits},
    )
    errors = _check(cs, state, teams_allowed=teams_allowed)
    if errors:
        raise ExchangeError(errors)
    return cs


def parse_change(data: Any) -> Any:
    """One change on its own (the API's single-adjustment endpoints); structure only. Raises ExchangeError."""
    try:
        return _change_adapter.validate_python(data)
    except ValidationError as e:
        errors = []
        for x in e.errors():
            loc = tuple(x["loc"])
            if loc and loc[0] in CHANGE_TYPES:
                loc = loc[1:]
            errors.append({"path": json_path(loc), "msg": x["msg"]})
        raise ExchangeError(errors) from None
