"""A team's own curve of continuity against driving time, from the plan runs it has made: for each
continuity setting run over the same period, the faces per citizen and month, the contact share, the
start-time spread and the driving hours a week of the resulting drafts, and what one more carer per
citizen a month saves in driving, said plainly (or that the runs cannot say it yet).

The figures are those each run stored with its draft (`app/jobs/figures.py`, counted by the audit's
code); nothing is planned here. A quick sweep plans the settings the period has no run of
(`app.services.jobs.submit_sweep`). The run whose draft the team accepted (the plan in force, or the
draft a re-plan in force was made from) is named, with its own figures, so the team sees where it stands
on the curve.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from app.jobs.execute import part_continuity
from app.repositories import curve as repo
from app.services import team_settings
from app.services.core import cap_for_teams
from models.core import PlanVersion, Team
from models.jobs import PlanJob
from solver.objective import CONTINUITY_DEFAULT, CONTINUITY_SETTINGS, FACE_BUDGET_MAX, FACE_BUDGET_PREFIX

# The settings a quick sweep fills in: the three the plan-run page offers, and a face budget
# (`face_budget`).
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
    version_id: int | None = None  # the draft the run stored

    @property
    def weeks(self) -> float:
        return ((self.end - self.start).days + 1) / 7

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
class AcceptedRun:
    """The run of the curve's period whose draft the team accepted, at its own figures (a setting's
    point on the curve is the mean of its runs)."""

    job_id: int
    setting: str
    faces_mean: float
    driving_hours_week: float


@dataclass(frozen=True, slots=True)
class TeamCurve:
    start: dt.date | None  # the period the runs compared planned (None: no usable run yet)
    end: dt.date | None
    points: list[CurvePoint] = field(default_factory=list)  # fewest faces first
    verdict: str = TOO_FEW
    hours_per_face: float | None = None  # driving hours a week one more carer per citizen-month saves
    missing: list[str] = field(default_factory=list)  # sweep settings the period has no run of
    accepted: AcceptedRun | None = None  # the accepted plan's run, when it planned the curve's period
    face_budget: str | None = None  # the face budget a sweep tries (`with_face_budget`)

    @property
    def runs(self) -> int:
        return sum(p.runs for p in self.points)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [float(v) for v in values if v is not None]
    return round(statistics.fmean(known), 3) if known else None


def _driving_hours_week(run: RunFigures) -> float:
    return float(run.figures["travel_minutes"]) / 60 / run.weeks


def _point(setting: str, runs: list[RunFigures]) -> CurvePoint:
    return CurvePoint(
        setting=setting, runs=len(runs),
        faces_mean=_mean([r.figures["distinct_carers_month_mean"] for r in runs]) or 0.0,
        faces_max=_mean([r.figures.get("distinct_carers_month_max") for r in runs]) or 0.0,
        contact_share=_mean([r.figures.get("contact_share") for r in runs]),
        start_spread=_mean([r.figures.get("start_spread_minutes") for r in runs]),
        driving_hours_week=round(statistics.fmean(_driving_hours_week(r) for r in runs), 2),
        job_ids=tuple(r.job_id for r in runs))


def curve_from_runs(runs: Sequence[RunFigures], *, sweep_settings: Sequence[str] = SWEEP_SETTINGS,
                    accepted_version_ids: Collection[int] = ()) -> TeamCurve:
    """The curve over the period whose runs tried the most settings (the latest such period): runs of
    different periods plan different work and are never compared. `accepted_version_ids`: the drafts
    the team accepted; the newest run of the period that stored one of them is the curve's `accepted`."""
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
    taken = [r for r in by_period[period] if r.version_id in accepted_version_ids]
    accepted = None
    if taken:
        run = max(taken, key=lambda r: r.job_id)
        accepted = AcceptedRun(job_id=run.job_id, setting=run.setting,
                               faces_mean=round(float(run.figures["distinct_carers_month_mean"]), 3),
                               driving_hours_week=round(_driving_hours_week(run), 2))
    if len(points) < 2:
        return TeamCurve(*period, points=points, verdict=TOO_FEW, missing=missing, accepted=accepted)
    xs = [p.faces_mean for p in points]
    if max(xs) - min(xs) < MIN_FACES_SPREAD:
        return TeamCurve(*period, points=points, verdict=TOO_CLOSE, missing=missing, accepted=accepted)
    # The least-squares slope of driving hours a week against faces: hours saved per face is its negative.
    slope = statistics.linear_regression(xs, [p.driving_hours_week for p in points]).slope
    saved = round(-slope, 1)
    return TeamCurve(*period, points=points, verdict=SAVES if saved > 0 else NO_SAVING,
                     hours_per_face=saved if saved > 0 else None, missing=missing, accepted=accepted)


def face_budget(curve: TeamCurve, *, own: str, cap: int) -> str:
    """The face budget ("faces:N") a quick sweep tries beside the three settings: the team's own, when it
    chose one; else one carer a month more than its fewest-faces runs gave (the step the curve's sentence
    prices); before any such run, half the monthly cap (midway between the fewest faces and the cap the
    least-travel setting may drive up to)."""
    if own.startswith(FACE_BUDGET_PREFIX):
        return own
    fewest = next((p for p in curve.points if p.setting == CONTINUITY_DEFAULT), None)
    n = math.ceil(fewest.faces_mean) + 1 if fewest is not None else cap // 2
    return f"{FACE_BUDGET_PREFIX}{min(max(n, 1), FACE_BUDGET_MAX)}"


def with_face_budget(curve: TeamCurve, budget: str) -> TeamCurve:
    """The curve whose sweep also tries `budget`, unless its period has a face-budget run already."""
    if any(p.setting.startswith(FACE_BUDGET_PREFIX) for p in curve.points):
        return replace(curve, face_budget=budget)
    return replace(curve, face_budget=budget, missing=[*curve.missing, budget])


def run_figures(job: PlanJob, team_id: int) -> RunFigures:
    return RunFigures(job_id=job.id, setting=part_continuity(job.params or {}, team_id), start=job.start_date,
                      end=job.end_date, figures=dict(job.figures or {}), version_id=job.plan_version_id)


def team_curve(session: Session, *, team: Team) -> TeamCurve:
    """The team's curve from the runs it has made (the caller has checked the user may see the team)."""
    jobs = repo.finished_team_runs(session, team.id)
    drafts = {j.plan_version_id for j in jobs if j.plan_version_id is not None}
    plan_ids = {j.plan_id for j in jobs if j.plan_id is not None}
    curve = curve_from_runs([run_figures(j, team.id) for j in jobs],
                            accepted_version_ids=accepted_drafts(session, plan_ids=plan_ids, drafts=drafts))
    own = team_settings.team_settings(session, team=team).continuity
    return with_face_budget(curve, face_budget(curve, own=own, cap=cap_for_teams(session, teams=[team])))


# A re-plan in force names the version it was made from; a chain longer than this is not followed.
MAX_REPLAN_CHAIN = 100


def accepted_drafts(session: Session, *, plan_ids: Collection[int], drafts: Collection[int]) -> set[int]:
    """Which of the runs' `drafts` the team accepted: a plan's version in force, or the draft the
    re-plans in force were made from (`base_version_id`, back to a run's draft)."""
    found: set[int] = set()
    for version in repo.versions_in_force(session, plan_ids):
        current: PlanVersion | None = version
        for _ in range(MAX_REPLAN_CHAIN):
            if current is None or current.id in drafts:
                break
            base = (current.inputs or {}).get("base_version_id")
            current = session.get(PlanVersion, base) if isinstance(base, int) else None
        if current is not None and current.id in drafts:
            found.add(current.id)
    return found


def sweep_settings(curve: TeamCurve, *, start: dt.date, end: dt.date) -> list[str]:
    """The settings a quick sweep of start..end runs: those the curve's period has no run of, or every
    sweep setting for another period (the curve says nothing of it)."""
    if (start, end) == (curve.start, curve.end):
        return list(curve.missing)
    return [*SWEEP_SETTINGS, *([curve.face_budget] if curve.face_budget else [])]
