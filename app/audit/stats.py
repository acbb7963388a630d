"""Counting helpers: summaries exactly as ../shared/tools/verify_plan.py makes them, shares, quantiles,
binned differences, and the labels of months and 14-day periods.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Any

PERIOD_DAYS = 14
MonthKey = tuple[int, int]



def summary(values: list[int]) -> dict[str, Any]:
    """Exactly verify_plan.py's summary (same rounding, same median, same p90)."""
    if not values:
        return {"mean": 0, "median": 0, "p90": 0, "max": 0}
    s = sorted(values)
    return {
        "mean": round(statistics.fmean(s), 2),
        "median": statistics.median(s),
        "p90": s[min(len(s) - 1, math.ceil(0.9 * len(s)) - 1)],
        "max": s[-1],
    }


def distribution(values: Iterable[int]) -> dict[str, int]:
    c = Counter(values)
    return {str(k): c[k] for k in sorted(c)}


def month_label(m: MonthKey) -> str:
    return f"{m[0]}-{m[1]:02d}"


def period_bounds(anchor: dt.date, index: int) -> tuple[dt.date, dt.date]:
    first = anchor + dt.timedelta(days=PERIOD_DAYS * index)
    return first, first + dt.timedelta(days=PERIOD_DAYS - 1)


def period_label(anchor: dt.date, index: int) -> str:
    a, b = period_bounds(anchor, index)
    return f"{a.isoformat()}..{b.isoformat()}"


def share(hits: int, total: int, digits: int = 3) -> float | None:
    return round(hits / total, digits) if total else None


def quantile(sorted_values: list[int], q: float) -> int:
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


def binned(values: list[int], width: int = 5, limit: int = 60) -> dict[str, int]:
    """Counts in bins of `width` minutes centred on 0 (…, -7..-3, -2..2, 3..7, …), tails beyond ±limit."""
    c: Counter[str] = Counter()
    for v in values:
        if v < -limit:
            c[f"<-{limit}"] += 1
        elif v > limit:
            c[f">{limit}"] += 1
        else:
            centre = int(math.floor((v + width / 2) / width)) * width
            c[str(centre)] += 1

    def order(k: str) -> float:
        return -1e9 if k.startswith("<") else 1e9 if k.startswith(">") else float(k)

    return {k: c[k] for k in sorted(c, key=order)}
