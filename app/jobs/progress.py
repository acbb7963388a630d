"""A job's progress is the aggregate of its parts' progress (each part reports its own to its row).

Pure functions over plain values, so the in-process runner, the Celery workers and the API read the
same figures the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

PHASE_ORDER = ("queued", "prepare", "construct", "improve", "done")


class PartLike(Protocol):
    status: str
    size: int
    phase: str
    elapsed: float
    objective: float | None
    bound: float | None
    fraction: float


@dataclass(slots=True)
class JobProgress:
    phase: str
    elapsed: float
    objective: float | None
    bound: float | None
    fraction: float
    parts: dict[str, int] = field(default_factory=dict)  # part status -> count

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.phase, "elapsed": round(self.elapsed, 2),
                "objective": self.objective, "bound": self.bound,
                "fraction": round(self.fraction, 4), "parts": self.parts}


def _sum_if_all(values: Sequence[float | None]) -> float | None:
    # A partial sum would look like a better objective than the whole; show none until all report.
    if not values or any(v is None for v in values):
        return None
    return float(sum(v for v in values if v is not None))


def aggregate(parts: Sequence[PartLike], *, started_at: dt.datetime | None = None,
              now: dt.datetime | None = None) -> JobProgress:
    """Fraction weighted by part size (visits); objective and bound summed once every part has one;
    phase the least advanced among the running parts; elapsed the wall time since the job started."""
    counts = Counter(p.status for p in parts)
    total = sum(max(1, p.size) for p in parts)
    done_fraction = sum(max(1, p.size) * (1.0 if p.status == "succeeded" else min(1.0, max(0.0, p.fraction)))
                        for p in parts)
    running = [p for p in parts if p.status == "running"]
    if not parts:
        phase = "prepare"
    elif running:  # parts still waiting for a worker do not make a running job look "queued"
        phase = min((p.phase if p.phase in PHASE_ORDER[2:] else "construct" for p in running),
                    key=PHASE_ORDER.index)
    elif any(p.status == "queued" for p in parts):
        phase = "queued"
    else:
        phase = "done"
    if started_at is not None:
        now = now or dt.datetime.now(dt.UTC)
        elapsed = max(0.0, (now - started_at).total_seconds())
    else:
        elapsed = max((p.elapsed for p in parts), default=0.0)
    return JobProgress(
        phase=phase,
        elapsed=elapsed,
        objective=_sum_if_all([p.objective for p in parts]),
        bound=_sum_if_all([p.bound for p in parts]),
        fraction=done_fraction / total if total else 0.0,
        parts=dict(sorted(counts.items())),
    )
