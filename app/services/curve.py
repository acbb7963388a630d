"""A team's own curve of continuity against driving time, from the plan runs it has made: for each
continuity setting run over the same period, the faces per citizen and month, the contact share, the
start-time spread and the driving hours a week of the resulting drafts, and what one more carer per
citizen a month saves in driving, said plainly (or that the runs cannot say it yet).

The figures are those each run stored with its draft (`app/jobs/figures.py`, counted by the audit's
code); nothing is planned here. A quick sweep plans the settings the period has no run of
(`app.services.jobs.submit_sweep`).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.jobs.execute import part_continuity
from app.repositories import curve as repo
from models.core import Team
from models.jobs import PlanJob
from solver.objective import CONTINUITY_SETTINGS

# The settings a quick sweep fills in: the three the plan-run page offers.
SWEEP_SETTINGS = CONTINUITY_SETTINGS
# Below this spread of faces between the settings, the runs cannot tell what a face costs in driving.
MIN_FACES_SPREAD = 0.1

SAVES = "saves"  # more faces, less driving: `hours_per_face` says how much
NO_SAVING = "no-saving"  # more faces saved no driving
TOO_FEW = "too-few"  # fewer than two settings run over one period
TOO_CLOSE = "too-close"  # the settings gave almost the same faces


@dataclass(frozen=True, slots=True)
class RunFigures:
    """What one finished run says: its setting, its period and its draft's figures."""

    job_id: int
    setting: str
    start: dt.date
    end: dt.date
    figures: dict[str, Any]

    @property
    def usable(self) -> bool:
        f = self.figures
        return f.get("distinct_carers_month_mean") is not None and f.get("travel_minutes") is not None


@dataclass(frozen=True, slots=True)
class CurvePoint:
    setting: str
    runs: int
    faces_mean: float  # distinct carers per citizen and month, mean (over the setting's runs)
    faces_max: float
    contact_share: float | None
    start_spread: float | None  # minutes
    driving_hours_week: float
    job_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TeamCurve:
    start: dt.date | None  # the period the runs compared planned (None: no usable run yet)
    end: dt.date | None
    points: list[CurvePoint] = field(default_factory=list)  # fewest faces first
    verdict: str = TOO_FEW
    hours_per_face: float | None = None  # driving hours a week one more carer per citizen-month saves
    missing: list[str] = field(default_factory=list)  # sweep settings the period has no run of

    @property
    def runs(self) -> int:
        return sum(p.runs for p in self.points)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return round(statistics.fmean(known), 3) if known else None


def _point(setting: str, runs: list[RunFigures]) -> CurvePoint:
    weeks = ((runs[0].end - runs[0].start).days + 1) / 7
    return CurvePoint(
        setting=setting, runs=len(runs),
        faces_mean=_mean([r.figures["distinct_carers_month_mean"] for r in runs]) or 0.0,
        faces_max=_mean([r.figures.get("distinct_carers_month_max") for r in runs]) or 0.0,
        contact_share=_mean([r.figures.get("contact_share") for r in runs]),
        start_spread=_mean([r.figures.get("start_spread_minutes") for r in runs]),
        driving_hours_week=round(statistics.fmean(r.figures["travel_minutes"] for r in runs) / 60 / weeks, 2),
        job_ids=tuple(r.job_id for r in runs))


def curve_from_runs(runs: Sequence[RunFigures], *,
                    sweep_settings: Sequence[str] = SWEEP_SETTINGS) -> TeamCurve:
    """The curve over the period whose runs tried the most settings (the latest such period): runs of
    different periods plan different work and are never compared."""
    by_period: dict[tuple[dt.date, dt.date], list[RunFigures]] = defaultdict(list)
    for r in runs:
        if r.usable:
            by_period[(r.start, r.end)].append(r)
    if not by_period:
        return TeamCurve(None, None, missing=list(sweep_settings))
    newest = {p: max(r.job_id for r in rs) for p, rs in by_period.items()}
    period = max(by_period, key=lambda p: (len({r.setting for r in by_period[p]}), newest[p]))
    by_setting: dict[str, list[RunFigures]] = defaultdict(list)
    for r in by_period[period]:
        by_setting[r.setting].append(r)
    points = sorted((_point(s, rs) for s, rs in by_setting.items()),
                    key=lambda p: (p.faces_mean, -p.driving_hours_week))
    missing = [s for s in sweep_settings if s not in by_setting]
    if len(points) < 2:
        return TeamCurve(*period, points=points, verdict=TOO_FEW, missing=missing)
    xs = [p.faces_mean for p in points]
    if max(xs) - min(xs) < MIN_FACES_SPREAD:
        return TeamCurve(*period, points=points, verdict=TOO_CLOSE, missing=missing)
    # The least-squares slope of driving hours a week against faces: hours saved per face is its negative.
    slope = statistics.linear_regression(xs, [p.driving_hours_week for p in points]).slope
    saved = round(-slope, 1)
    return TeamCurve(*period, points=points, verdict=SAVES if saved > 0 else NO_SAVING,
                     hours_per_face=saved if saved > 0 else None, missing=missing)


def run_figures(job: PlanJob, team_id: int) -> RunFigures:
    return RunFigures(job_id=job.id, setting=part_continuity(job.params or {}, team_id), start=job.start_date,
                      end=job.end_date, figures=dict(job.figures or {}))


def team_curve(session: Session, *, team: Team) -> TeamCurve:
    """The team's curve from the runs it has made (the caller has checked the user may see the team)."""
    return curve_from_runs([run_figures(j, team.id) for j in repo.finished_team_runs(session, team.id)])


def sweep_settings(curve: TeamCurve, *, start: dt.date, end: dt.date) -> list[str]:
    """The settings a quick sweep of start..end runs: those the curve's period has no run of, or every
    sweep setting for another period (the curve says nothing of it)."""
    if (start, end) == (curve.start, curve.end):
        return list(curve.missing)
    return list(SWEEP_SETTINGS)
