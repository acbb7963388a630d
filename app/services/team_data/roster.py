"""Rosters: a carer's shifts as a pattern repeating over 1-6 weeks, with exceptions on dates (leave,
course, extra shift). A pattern set from a date D ends the one in force the day before; the carer's
shifts from D on are remade from the patterns and exceptions (the `Shift` rows the planner reads).

The roster warns, without refusing, where the Swedish working-time rules would be broken: less than
11 hours' rest between one working day's last shift and the next day's first, or a working day longer
than 13 hours from first start to last end.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from app.repositories import team_data as repo
from app.schemas.core import ShiftCreate, ShiftUpdate
from app.schemas.team_data import RosterExceptionIn, RosterPatternSet
from app.services import core
from app.services.errors import Invalid, NotFound
from app.services.team_data.records import changed_only, record_change, snapshot
from app.services.team_data.replan_needs import flag_carer_visits
from models.core import Assignment, Carer, Shift, User, Visit
from models.team_data import (
    ENTITY_ROSTER,
    ChangeRecord,
    RosterException,
    RosterPattern,
    RosterPatternShift,
)

MIN_REST_MINUTES = 11 * 60
MAX_DAY_MINUTES = 13 * 60
# Shifts are made this far ahead of a roster change (twelve weeks: two six-week patterns).
HORIZON_DAYS = 84


@dataclass(frozen=True, slots=True)
class RosterWarning:
    date: dt.date
    kind: str  # short_rest | long_day
    message: str


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def week_of(pattern: RosterPattern, day: dt.date) -> int:
    """Which week of the pattern `day` falls in (week 0: the week of valid_from)."""
    first_monday = pattern.valid_from - dt.timedelta(days=pattern.valid_from.weekday())
    return ((day - first_monday).days // 7) % pattern.weeks


def _pattern_on(patterns: list[RosterPattern], day: dt.date) -> RosterPattern | None:
    for p in reversed(patterns):
        if p.valid_from <= day and (p.valid_to is None or day <= p.valid_to):
            return p
    return None


def _check_overlaps(shifts: list[tuple[int, int, str]]) -> None:
    """Shifts (start, end, where) of one day must not overlap; the later one's `where` is named."""
    ordered = sorted(shifts)
    for (s1, e1, _), (s2, e2, path) in zip(ordered, ordered[1:], strict=False):
        if s2 < e1:
            raise Invalid(f"shifts {_hhmm(s1)}-{_hhmm(e1)} and {_hhmm(s2)}-{_hhmm(e2)} overlap", path=path)


def warnings_for(shifts: list[Shift]) -> list[RosterWarning]:
    by_day: dict[dt.date, list[Shift]] = defaultdict(list)
    for sh in shifts:
        by_day[sh.date].append(sh)
    out: list[RosterWarning] = []
    for day in sorted(by_day):
        first, last = min(s.start for s in by_day[day]), max(s.end for s in by_day[day])
        if last - first > MAX_DAY_MINUTES:
            out.append(RosterWarning(day, "long_day", f"{day.isoformat()}: the working day runs "
                                     f"{_hhmm(first)}-{_hhmm(last)}, over 13 hours"))
        nxt = by_day.get(day + dt.timedelta(days=1))
        if nxt:
            rest = 24 * 60 - last + min(s.start for s in nxt)
            if rest < MIN_REST_MINUTES:
                out.append(RosterWarning(day, "short_rest", f"{day.isoformat()}: only {rest // 60} h "
                                         f"{rest % 60:02d} min rest before the next day's first shift"))
    return out


def works_on(active_from: dt.date | None, active_to: dt.date | None, day: dt.date) -> bool:
    return (active_from is None or active_from <= day) and (active_to is None or day <= active_to)


def _active(carer: Carer, day: dt.date) -> bool:
    return works_on(carer.active_from, carer.active_to, day)


def _check_works_on(carer: Carer, day: dt.date) -> None:
    """A shift or roster exception on a day the carer does not work here (not yet started, or left)
    is refused: the planner would never use it, and it would read as work the carer still does."""
    if not _active(carer, day):
        raise Invalid(f"the carer does not work here on {day}", path="date")


def pattern_rows(carer_id: int, pattern: RosterPattern, start: dt.date,
                 end: dt.date) -> list[dict[str, object]]:
    """The `Shift` rows the pattern gives the carer on each day of [start, end]."""
    by_day: dict[tuple[int, int], list[RosterPatternShift]] = defaultdict(list)
    for ps in pattern.shifts:
        by_day[(ps.week, ps.weekday)].append(ps)
    out: list[dict[str, object]] = []
    day = start
    while day <= end:
        for ps in by_day.get((week_of(pattern, day), day.weekday()), ()):
            out.append({"carer_id": carer_id, "date": day, "start": ps.start, "end": ps.end,
                        "break_earliest": ps.break_earliest, "break_latest": ps.break_latest,
                        "break_minutes": ps.break_minutes, "from_roster": True})
        day += dt.timedelta(days=1)
    return out


def materialise(session: Session, *, carer: Carer, start: dt.date, end: dt.date) -> None:
    """Remake the carer's shifts of [start, end] from the patterns and exceptions. A day no pattern
    covers keeps the shifts entered by hand; its exceptions still apply. Bulk statements: a roster
    change remakes months of shifts, an import hundreds of carers' worth."""
    patterns = list(repo.patterns_of(session, carer.id))
    exceptions: dict[dt.date, list[RosterException]] = defaultdict(list)
    for ex in repo.exceptions_of(session, carer.id, start, end):
        exceptions[ex.date].append(ex)
    existing: dict[dt.date, list[Shift]] = defaultdict(list)
    for sh in repo.shifts_of(session, carer.id, start, end):
        existing[sh.date].append(sh)
    gone: list[Shift] = []
    new: list[dict[str, object]] = []
    day = start
    while day <= end:
        pattern = _pattern_on(patterns, day)
        exs = exceptions.get(day, [])
        off = any(ex.kind != "extra" for ex in exs)
        # A day the roster covers is remade; a day it does not keeps the shifts entered by hand (those
        # it made earlier go: an exception removed, a pattern ended).
        gone += [sh for sh in existing.get(day, []) if pattern is not None or off or sh.from_roster]
        if _active(carer, day) and not off:
            if pattern is not None:
                new += pattern_rows(carer.id, pattern, day, day)
            new += [{"carer_id": carer.id, "date": day, "start": ex.start, "end": ex.end, "from_roster": True,
                     "break_earliest": ex.break_earliest, "break_latest": ex.break_latest,
                     "break_minutes": ex.break_minutes}
                    for ex in exs if ex.kind == "extra" and ex.start is not None and ex.end is not None]
        day += dt.timedelta(days=1)
    session.flush()
    ids = [sh.id for sh in gone]
    for sh in gone:
        session.expunge(sh)
    for i in range(0, len(ids), 900):
        session.execute(delete(Shift).where(Shift.id.in_(ids[i:i + 900])))
    if new:
        session.execute(insert(Shift), new)
    session.expire(carer, ["shifts"])
    session.flush()


def _horizon(session: Session, carer: Carer, start: dt.date) -> dt.date:
    last = repo.last_shift_date(session, carer.id)
    return max(last or start, start + dt.timedelta(days=HORIZON_DAYS - 1))


def _flag_off_shift(session: Session, *, carer: Carer, start: dt.date, change: ChangeRecord,
                    reason: str) -> int:
    """Flag the carer's accepted assignments from `start` that no longer lie within one of their shifts."""
    hours: dict[dt.date, list[tuple[int, int]]] = {}

    def fits(a: Assignment, v: Visit) -> bool:
        if v.date not in hours:
            hours[v.date] = [(s.start, s.end) for s in repo.shifts_of(session, carer.id, v.date, v.date)]
        return any(s <= a.start and a.start + v.duration <= e for s, e in hours[v.date])

    return flag_carer_visits(session, change=change, carer_id=carer.id, start=start, still_fits=fits,
                             reason=reason)


def set_pattern(session: Session, *, carer: Carer, data: RosterPatternSet,
                user: User) -> tuple[RosterPattern, list[RosterWarning], int]:
    """The carer's roster from `data.from_date` on; answers it, its warnings, and how many accepted
    assignments it left needing a re-plan."""
    for i, sh in enumerate(data.shifts):
        if sh.week >= data.weeks:
            raise Invalid(f"week {sh.week} is outside a {data.weeks}-week pattern", path=f"shifts.{i}.week")
    by_day: dict[tuple[int, int], list[tuple[int, int, str]]] = defaultdict(list)
    for i, sh in enumerate(data.shifts):
        by_day[(sh.week, sh.weekday)].append((sh.start, sh.end, f"shifts.{i}.start"))
    for group in by_day.values():
        _check_overlaps(group)
    if carer.active_to is not None and data.from_date > carer.active_to:
        raise Invalid(f"the carer ends on {carer.active_to}", path="from_date")
    patterns = list(repo.patterns_of(session, carer.id))
    in_force = _pattern_on(patterns, data.from_date)
    if in_force is not None:
        core.check_version(in_force, data.version)
    before = [_pattern_json(p) for p in patterns if p.valid_to is None or p.valid_to >= data.from_date]
    for p in patterns:
        if p.valid_from >= data.from_date:
            session.delete(p)
        elif p.valid_to is None or p.valid_to >= data.from_date:
            p.valid_to = data.from_date - dt.timedelta(days=1)
    pattern = RosterPattern(carer_id=carer.id, weeks=data.weeks, valid_from=data.from_date, shifts=[
        RosterPatternShift(week=sh.week, weekday=sh.weekday, start=sh.start, end=sh.end,
                           break_earliest=sh.break_earliest, break_latest=sh.break_latest,
                           break_minutes=sh.break_minutes) for sh in data.shifts])
    session.add(pattern)
    session.flush()
    end = _horizon(session, carer, data.from_date)
    materialise(session, carer=carer, start=data.from_date, end=end)
    change = record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=pattern.id,
                           action="changed",
                           team_id=carer.team_id, carer_id=carer.id, effective_from=data.from_date,
                           before={"patterns": before}, after={"patterns": [_pattern_json(pattern)]})
    flagged = _flag_off_shift(session, carer=carer, start=data.from_date, change=change,
                              reason=f"the carer's roster changed from {data.from_date.isoformat()}")
    shifts = list(repo.shifts_of(session, carer.id, data.from_date - dt.timedelta(days=1), end))
    return pattern, warnings_for(shifts), flagged


def _pattern_json(p: RosterPattern) -> dict[str, object]:
    return {"weeks": p.weeks, "valid_from": p.valid_from.isoformat(),
            "valid_to": p.valid_to.isoformat() if p.valid_to else None,
            "shifts": [[s.week, s.weekday, s.start, s.end] for s in p.shifts]}


def add_exception(session: Session, *, carer: Carer, data: RosterExceptionIn,
                  user: User) -> tuple[RosterException, list[RosterWarning], int]:
    _check_works_on(carer, data.date)
    same_day = repo.exceptions_of(session, carer.id, data.date, data.date)
    if data.kind == "extra" and data.start is not None and data.end is not None:
        if any(ex.kind != "extra" for ex in same_day):
            raise Invalid(f"the carer is off on {data.date} (leave or course)", path="kind")
        hours = [(s.start, s.end, "start") for s in repo.shifts_of(session, carer.id, data.date, data.date)]
        _check_overlaps([*hours, (data.start, data.end, "start")])
    ex = RosterException(carer_id=carer.id, date=data.date, kind=data.kind, start=data.start, end=data.end,
                         break_earliest=data.break_earliest, break_latest=data.break_latest,
                         break_minutes=data.break_minutes, note=data.note)
    session.add(ex)
    session.flush()
    materialise(session, carer=carer, start=data.date, end=data.date)
    change = record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=ex.id,
                           action=f"exception_{data.kind}", team_id=carer.team_id, carer_id=carer.id,
                           effective_from=data.date,
                           after=data.model_dump(mode="json", exclude_none=True))
    flagged = 0
    if data.kind != "extra":
        flagged = _flag_off_shift(session, carer=carer, start=data.date, change=change,
                                  reason=f"the carer is off on {data.date.isoformat()} ({data.kind})")
    day = dt.timedelta(days=1)
    near = repo.shifts_of(session, carer.id, data.date - day, data.date + day)
    return ex, warnings_for(list(near)), flagged


def remove_exception(session: Session, *, carer: Carer, exception_id: int, user: User) -> None:
    """Take a dated exception off the carer's roster; another carer's answers as a missing one."""
    exception = session.get(RosterException, exception_id)
    if exception is None or exception.carer_id != carer.id:
        raise NotFound(f"exception {exception_id} not found", path="exception_id")
    day = exception.date
    record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=exception.id,
                  action="exception_removed", team_id=carer.team_id, carer_id=carer.id, effective_from=day,
                  before={"date": day.isoformat(), "kind": exception.kind, "start": exception.start,
                          "end": exception.end, "note": exception.note})
    session.delete(exception)
    session.flush()
    materialise(session, carer=carer, start=day, end=day)


SHIFT_FIELDS = ("date", "start", "end", "break_earliest", "break_latest", "break_minutes")


def _shift_record(shift: Shift) -> dict[str, Any]:
    """The shift as its record lists it: a break only when it has one."""
    return {k: v for k, v in snapshot(shift, SHIFT_FIELDS).items() if v is not None}


def add_shift(session: Session, *, carer: Carer, data: ShiftCreate, user: User) -> Shift:
    """One shift entered by hand on a date (the roster's pattern and exceptions make the others)."""
    _check_works_on(carer, data.date)
    shift = core.create_shift(session, carer=carer, data=data)
    record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=shift.id, action="shift_added",
                  team_id=carer.team_id, carer_id=carer.id, effective_from=shift.date,
                  after=_shift_record(shift))
    return shift


def edit_shift(session: Session, *, shift: Shift, data: ShiftUpdate, user: User) -> Shift:
    """A shift's date or hours changed; the carer's accepted assignments it no longer covers are
    flagged for a re-plan."""
    if data.date is not None:
        _check_works_on(shift.carer, data.date)
    before = snapshot(shift, SHIFT_FIELDS)
    first = shift.date
    core.update_shift(session, shift=shift, data=data)
    was, now = changed_only(before, snapshot(shift, SHIFT_FIELDS))
    if now:
        carer = shift.carer
        day = min(first, shift.date)
        change = record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=shift.id,
                               action="shift_changed", team_id=carer.team_id, carer_id=carer.id,
                               effective_from=day, before=was, after=now)
        _flag_off_shift(session, carer=carer, start=day, change=change,
                        reason=f"the carer's shift on {day.isoformat()} changed")
    return shift


def remove_shift(session: Session, *, shift: Shift, user: User) -> None:
    """A shift taken off the carer's days; the accepted assignments it held are flagged for a re-plan."""
    carer, day = shift.carer, shift.date
    change = record_change(session, user=user, entity=ENTITY_ROSTER, entity_id=shift.id,
                           action="shift_removed", team_id=carer.team_id, carer_id=carer.id,
                           effective_from=day, before=_shift_record(shift))
    core.delete_row(session, row=shift)
    _flag_off_shift(session, carer=carer, start=day, change=change,
                    reason=f"the carer's shift on {day.isoformat()} was removed")
