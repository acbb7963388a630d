"""The Swedish national continuity measure ("personalkontinuitet", municipal statistics):
the number of different staff a home-care recipient aged 65 or over, with at least two visits every day,
meets during a 14-day period.

Interpretation (also in docs/AUDIT.md):
- Periods: consecutive 14-day periods from the audit's anchor (the instance's first day, or the first date
  in a performed file). Only *complete* periods count: all 14 days inside the data's coverage.
- A staff visit counts when it lies wholly inside 07:00-22:00 on its day: it starts at or after 07:00 and
  ends at or before 22:00 the same day. A visit at 22:30 does not count; neither does 21:30-22:15.
- Not counted: visits of kind safety alarm, meal delivery or home-health nursing, and rows whose carer
  role is home-health nursing staff (nurse etc.). An assistant nurse (undersköterska) is home-care staff.
- "At least two visits every day": each of the 14 days has at least two *counted* visits (a visit two
  carers make together is one visit).
- Age: the recipient is 65 or over when (year of the period's first day - birth year) >= 65, i.e. the age
  reached during that calendar year (only the birth year is known). No birth year: not measured.
- "Not at home for the whole period": a recorded absence on any day of the period, or a day with no visit
  of any kind (taken to mean hospital or away). Such recipients are excluded.
- The measure: per period, the mean number of different counted staff over the measured recipients, and
  the share who met more than 20. Over all periods, the same over all measured (recipient, period) pairs.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from app.audit.performed import (
    KIND_MEAL_DELIVERY,
    KIND_NURSING,
    KIND_SAFETY_ALARM,
    CitizenFacts,
    PerformedRow,
    is_nursing_role,
)

DAY_START = dt.time(7, 0)
DAY_END = dt.time(22, 0)
MIN_AGE = 65
MIN_VISITS_PER_DAY = 2
OVER = 20
PERIOD_DAYS = 14
EXCLUDED_KINDS = frozenset({KIND_SAFETY_ALARM, KIND_MEAL_DELIVERY, KIND_NURSING})

# Reasons a recipient is not measured in a period, in the order they are checked.
NO_BIRTH_YEAR = "no birth year"
UNDER_65 = "under 65"
ABSENT = "recorded absence"
DAY_WITHOUT_VISITS = "a day without visits (away)"
TOO_FEW_VISITS = "fewer than two counted visits on some day"
REASONS = (NO_BIRTH_YEAR, UNDER_65, ABSENT, DAY_WITHOUT_VISITS, TOO_FEW_VISITS)


def counts_for_measure(row: PerformedRow) -> bool:
    """Whether this carer's presence at this visit counts towards the national measure."""
    if row.kind in EXCLUDED_KINDS or is_nursing_role(row.role):
        return False
    if row.start.time() < DAY_START:
        return False
    return row.end.date() == row.start.date() and row.end.time() <= DAY_END


def _visit_key(r: PerformedRow) -> tuple[Any, ...]:
    return ("v", r.visit) if r.visit else ("t", r.start)


def national_measure(
    rows: Iterable[PerformedRow],
    citizens: Mapping[str, CitizenFacts],
    *,
    anchor: dt.date,
    coverage: tuple[dt.date, dt.date],
    birth_years: Mapping[str, int] | None = None,
    details: bool = False,
) -> dict[str, Any]:
    """The measure per complete 14-day period and over all of them. `birth_years` adds to (and overrides)
    the citizens' facts, e.g. from a `birth_year` column of a performed file."""
    years: dict[str, int] = {p: f.birth_year for p, f in citizens.items() if f.birth_year is not None}
    years.update(birth_years or {})
    any_day: dict[tuple[str, int], set[dt.date]] = defaultdict(set)  # (citizen, period) -> days with a visit
    counted_visits: dict[tuple[str, dt.date], set[tuple[Any, ...]]] = defaultdict(set)
    staff: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in rows:
        d = r.start.date()
        idx = (d - anchor).days // PERIOD_DAYS
        any_day[(r.citizen, idx)].add(d)
        if counts_for_measure(r):
            counted_visits[(r.citizen, d)].add(_visit_key(r))
            staff[(r.citizen, idx)].add(r.carer)
    first_idx = -((anchor - coverage[0]).days // PERIOD_DAYS)  # first period wholly inside coverage
    periods = []
    all_counts: list[int] = []
    all_excluded: dict[str, int] = dict.fromkeys(REASONS, 0)
    people: list[dict[str, Any]] = []
    idx = first_idx
    while True:
        first = anchor + dt.timedelta(days=PERIOD_DAYS * idx)
        last = first + dt.timedelta(days=PERIOD_DAYS - 1)
        if last > coverage[1]:
            break
        if first < coverage[0]:
            idx += 1
            continue
        days = [first + dt.timedelta(days=k) for k in range(PERIOD_DAYS)]
        counts: list[int] = []
        excluded: dict[str, int] = dict.fromkeys(REASONS, 0)
        recipients = sorted(p for (p, i) in any_day if i == idx)
        for p in recipients:
            reason = _exclusion(p, idx, first, last, days, years, citizens, any_day, counted_visits)
            if reason:
                excluded[reason] += 1
                all_excluded[reason] += 1
            else:
                counts.append(len(staff.get((p, idx), ())))
            if details:
                people.append(
                    {
                        "citizen": p,
                        "period": f"{first}..{last}",
                        "excluded": reason,
                        "staff": None if reason else counts[-1],
                    }
                )
        all_counts += counts
        periods.append(
            {
                "period": f"{first.isoformat()}..{last.isoformat()}",
                **_stats(counts),
                "recipients_seen": len(recipients),
                "excluded": excluded,
            }
        )
        idx += 1
    out: dict[str, Any] = {
        **_stats(all_counts),
        "periods": periods,
        "excluded": all_excluded,
        "birth_years_known": len(years),
    }
    if not periods:
        out["note"] = "no complete 14-day period in the data"
    elif not years:
        out["note"] = "no birth years given: nobody can be measured (the measure covers recipients aged 65+)"
    if details:
        out["people"] = people
    return out


def _exclusion(
    p: str,
    idx: int,
    first: dt.date,
    last: dt.date,
    days: list[dt.date],
    years: Mapping[str, int],
    citizens: Mapping[str, CitizenFacts],
    any_day: Mapping[tuple[str, int], set[dt.date]],
    counted_visits: Mapping[tuple[str, dt.date], set[tuple[Any, ...]]],
) -> str | None:
    year = years.get(p)
    if year is None:
        return NO_BIRTH_YEAR
    if first.year - year < MIN_AGE:
        return UNDER_65
    facts = citizens.get(p)
    if facts is not None and any(a <= last and b >= first for a, b in facts.absences):
        return ABSENT
    if len(any_day.get((p, idx), ())) < PERIOD_DAYS:
        return DAY_WITHOUT_VISITS
    if any(len(counted_visits.get((p, d), ())) < MIN_VISITS_PER_DAY for d in days):
        return TOO_FEW_VISITS
    return None


def _stats(counts: list[int]) -> dict[str, Any]:
    if not counts:
        return {"recipients": 0, "mean": None, "median": None, "share_over_20": None, "max": None}
    return {
        "recipients": len(counts),
        "mean": round(statistics.fmean(counts), 2),
        "median": statistics.median(counts),
        "share_over_20": round(sum(1 for c in counts if c > OVER) / len(counts), 3),
        "max": max(counts),
    }
