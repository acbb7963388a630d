"""Plan runs: start a plan for a team and a date range, watch its progress live (htmx polling), cancel it,
compare the draft with the accepted plan side by side, accept it.

Starting and cancelling are `app.services.jobs.submit_plan_job` and `stop_job`, the API's calls, with the
same runner (`RunnerDep`, so a test's override applies to both). The comparison counts both versions
with the audit service (one way of counting for every figure on every page).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.db import SessionDep
from app.jobs.factory import RunnerDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import RowId
from app.security import get_team_scoped
from app.services import audit as audit_service
from app.services import curve as curve_service
from app.services import forecast as forecast_service
from app.services import jobs as service
from app.services import plans as plans_service
from app.services import team_settings as settings_service
from app.web.curve_chart import curve_chart
from app.web.deps import WebUser, planner_team
from app.web.forms import FORM_REFUSALS, parse_date, refusal
from app.web.i18n import Translator, report_words, translator
from app.web.read import plans as plans_read
from app.web.read import teams as teams_read
from app.web.render import FLASHES, WebRoute, driving_hours, is_htmx, language, page
from exchange import MAX_INT
from models.core import PLAN_DRAFT, PlanVersion, Team, User
from models.jobs import JOB_ACTIVE, PlanJob
from solver.objective import FACE_BUDGET_PREFIX

router = APIRouter(route_class=WebRoute)

DEFAULT_SECONDS = 30
# The continuity settings a team chooses between on the page, in the trade's words (the API and the
# command line also take a face budget, faces:N).
CONTINUITY_CHOICES = (("fewest", "Fewer faces"), ("balanced", "Balanced"), ("travel", "Shorter driving time"))
# Every setting a run can name, the choices and a job over teams each planned with its own.
CONTINUITY_NAMES = {**dict(CONTINUITY_CHOICES), service.CONTINUITY_PER_TEAM: "Each team's own"}


def _job(session: SessionDep, job_id: int, user: User) -> tuple[PlanJob, Team]:
    job = service.get_job(session, user=user, job_id=job_id)
    team = planner_team(session, job.team_ids[0], user)
    return job, team


ADVANCED = ("time_limit", "seed", "steps")
PERIOD_DAYS = 28  # teams plan four weeks at a time
# The list shows the national measure beside the newest drafts only: each is a whole audit of the plan
# (about half a second for a team of 45 citizens over four weeks); every run's own page shows its own.
FORECAST_ROWS = 3


def next_period(session: SessionDep, team: Team) -> tuple[dt.date, dt.date]:
    """The period a coordinator plans next: the four weeks after the team's latest plan, else from next
    Monday (never a period that has begun)."""
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())
    plans = plans_read.team_plans(session, team.id)
    if plans and max(p.end_date for p in plans) >= start:
        start = max(p.end_date for p in plans) + dt.timedelta(days=1)
    return start, start + dt.timedelta(days=PERIOD_DAYS - 1)


def draft_forecast(session: SessionDep, version_id: int | None, user: User,
                   known: dict[int, forecast_service.NationalFigure] | None = None,
                   ) -> forecast_service.NationalForecast | None:
    """The national 14-day measure of the run's draft beside the accepted plan's (none once the draft
    was accepted or superseded: then it is what is reported, or was never used)."""
    if version_id is None:
        return None
    version = get_team_scoped(session, PlanVersion, version_id, user, what="plan version not found")
    if version.status != PLAN_DRAFT:
        return None
    return forecast_service.national_forecast(session, draft=version, known=known)


def sweep_plan(session: SessionDep, team: Team) -> tuple[curve_service.TeamCurve, dt.date, dt.date]:
    """The team's curve and the period a quick sweep fills in: the curve's, or for a team with no run
    yet the period it plans next."""
    curve = curve_service.team_curve(session, team=team)
    if curve.start is not None and curve.end is not None:
        return curve, curve.start, curve.end
    return (curve, *next_period(session, team))


def setting_name(say: Translator, setting: str) -> str:
    """A continuity setting in the trade's words, as the page's rows name it."""
    if setting in CONTINUITY_NAMES:
        return say(CONTINUITY_NAMES[setting])
    return say("Face budget: {n}", n=setting.removeprefix(FACE_BUDGET_PREFIX))


def chart_of(curve: curve_service.TeamCurve, lang: str) -> Markup | None:
    """The curve as an inline SVG chart in the reader's language (none for fewer than two settings)."""
    say = translator(lang)
    svg = curve_chart(curve, report_words(lang), lambda s: setting_name(say, s))
    return Markup(svg) if svg is not None else None  # matplotlib's SVG; our words in it are escaped


def runs_context(session: SessionDep, team: Team, user: User, lang: str) -> dict[str, Any]:
    jobs = [service.job_view(j) for j in service.list_jobs(session, user=user, team_id=team.id, limit=20)]
    first, last = next_period(session, team)
    known: dict[int, forecast_service.NationalFigure] = {}
    finished = [j for j in jobs if j["status"] == "succeeded"][:FORECAST_ROWS]
    forecasts = {j["id"]: draft_forecast(session, j["plan_version_id"], user, known) for j in finished}
    curve, sweep_start, sweep_end = sweep_plan(session, team)
    return {
        "forecasts": forecasts,
        "curve": curve,
        "curve_chart": chart_of(curve, lang),
        "sweep_start": sweep_start,
        "sweep_end": sweep_end,
        "sweep_seconds": service.SWEEP_SECONDS,
        "team_settings": settings_service.team_settings(session, team=team),
        "team": team,
        "jobs": jobs,
        "cap": teams_read.cap_for(session, team),
        "default_start": first,
        "default_end": last,
        "default_seconds": DEFAULT_SECONDS,
        "max_steps": service.MAX_STEPS,
        "continuity_choices": CONTINUITY_CHOICES,
        "continuity_names": CONTINUITY_NAMES,
        "setting_name": lambda setting: setting_name(translator(lang), setting),
    }


@router.get("/teams/{team_id}/runs")
def runs_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep) -> Response:
    team = planner_team(session, team_id, user)
    ctx = runs_context(session, team, user, language(request))
    ctx["flash"] = FLASHES.get(request.query_params.get("done", ""))
    return page(request, "web/runs.html", ctx, user=user, team_id=team.id, active="runs")


@router.post("/teams/{team_id}/settings/continuity")
def set_team_continuity(
    request: Request,
    team_id: RowId,
    user: WebUser,
    session: SessionDep,
    continuity: Annotated[str, Form(max_length=20)],
    version: Annotated[int | None, Form(ge=0, le=MAX_INT)] = None,
) -> Response:
    """The team's default continuity setting, for the runs that choose none."""
    team = planner_team(session, team_id, user)
    try:
        settings_service.set_continuity(session, team=team, continuity=continuity, user=user, version=version)
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        ctx = runs_context(session, team, user, language(request))
        ctx.update({"settings_errors": errors, "settings_form": {"continuity": continuity}})
        return page(request, "web/runs.html", ctx, user=user, team_id=team.id, active="runs",
                    status_code=code)
    return RedirectResponse(f"/teams/{team.id}/runs?done=team-default", status_code=303)


@router.post("/teams/{team_id}/runs")
def start_run(
    request: Request,
    team_id: RowId,
    user: WebUser,
    session: SessionDep,
    runner: RunnerDep,
    start: Annotated[str, Form()],
    end: Annotated[str, Form()],
    time_limit: Annotated[float, Form()] = DEFAULT_SECONDS,
    seed: Annotated[int, Form(ge=0, le=MAX_INT)] = 0,
    steps: Annotated[int | None, Form()] = None,  # blank: the time limit decides when to stop
    continuity: Annotated[str, Form()] = "",  # blank: the team's own default
) -> Response:
    team = planner_team(session, team_id, user)
    try:
        first, last = parse_date(start, "start"), parse_date(end, "end")
        job = service.submit_plan_job(
            session,
            user=user,
            runner=runner,
            team_ids=[team.id],
            start=first,
            end=last,
            time_limit=time_limit,
            seed=seed,
            steps=steps,
            continuity=continuity or None,
        )
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        ctx = runs_context(session, team, user, language(request))
        ctx.update({"errors": errors, "form": {"start": start, "end": end, "time_limit": time_limit,
                                               "seed": seed, "steps": steps,
                                               "continuity": continuity}})
        ctx["advanced_open"] = bool(seed or steps) or any(e["path"] in ADVANCED for e in errors)
        return page(
            request, "web/runs.html", ctx, user=user, team_id=team.id, active="runs", status_code=code
        )
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


@router.post("/teams/{team_id}/runs/sweep")
def start_sweep(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                runner: RunnerDep) -> Response:
    """A quick sweep: a short run for each continuity setting the team's curve has no run of."""
    team = planner_team(session, team_id, user)
    curve, first, last = sweep_plan(session, team)
    try:
        service.submit_sweep(session, user=user, runner=runner, team_id=team.id, start=first, end=last,
                             settings=curve_service.sweep_settings(curve, start=first, end=last))
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        ctx = runs_context(session, team, user, language(request))
        ctx["sweep_errors"] = errors
        return page(request, "web/runs.html", ctx, user=user, team_id=team.id, active="runs",
                    status_code=code)
    return RedirectResponse(f"/teams/{team.id}/runs?done=sweep#runs", status_code=303)


@router.get("/runs/{job_id}")
def run_page(request: Request, job_id: RowId, user: WebUser, session: SessionDep) -> Response:
    job, team = _job(session, job_id, user)
    view = service.job_view(job)
    active = job.status in JOB_ACTIVE
    return page(
        request,
        "web/run.html",
        {"team": team, "job": view, "active_job": active,
         "forecast": None if active else draft_forecast(session, job.plan_version_id, user)},
        user=user,
        team_id=team.id,
        active="runs",
    )


@router.get("/runs/{job_id}/progress")
def run_progress(request: Request, job_id: RowId, user: WebUser, session: SessionDep) -> Response:
    """The progress panel alone, for htmx to poll; it stops polling itself once the job has finished."""
    job, team = _job(session, job_id, user)
    view = service.job_view(job)
    active = job.status in JOB_ACTIVE
    return page(
        request,
        "web/_run_progress.html",
        {"team": team, "job": view, "active_job": active,
         # Counted once, on the poll that finds the run finished (the polling stops there).
         "forecast": None if active else draft_forecast(session, job.plan_version_id, user)},
        user=user,
    )


@router.post("/runs/{job_id}/cancel")
def cancel_run(
    request: Request,
    job_id: RowId,
    user: WebUser,
    session: SessionDep,
    runner: RunnerDep,
) -> Response:
    job, team = _job(session, job_id, user)
    job = service.stop_job(session, user=user, runner=runner, job_id=job.id)
    if is_htmx(request):
        return run_progress(request, job_id, user, session)
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


# --- compare and accept -----------------------------------------------------------------------------

FIGURES = (
    # (label, key in audit figures or version stats, lower is better)
    ("Visits placed", "visits", False),
    ("Visits not placed", "unplaced", True),
    ("National measure: staff met in 14 days (mean)", "national", True),
    ("Faces per citizen and month (mean)", "month_mean", True),
    ("Faces per citizen and month (most)", "month_max", True),
    ("Citizens over the cap", "cap_breaches", True),
    ("Share of visits by the contact carer", "contact_share", False),
    ("New faces", "new_faces", True),
    ("Start-time spread (min)", "start_sd", True),
    ("Driving hours", "driving_hours", True),
)


def version_figures(session: SessionDep, version: PlanVersion, user: User) -> dict[str, Any]:
    result = audit_service.run(session, source="plan", plan_version_id=version.id, pseudonymise=True)
    f = result.figures
    month = f.get("distinct_carers_per_citizen_month") or {}
    stats = version.stats or {}
    return {
        "visits": f.get("visits"),
        "unplaced": len(version.unplaced),
        "month_mean": month.get("mean"),
        "month_max": month.get("max"),
        "cap_breaches": len(f.get("cap_breaches") or []),
        "contact_share": f.get("contact_carer_share"),
        "new_faces": (f.get("new_faces") or {}).get("visits"),
        "start_sd": f.get("start_time_sd_minutes"),
        "national": (f.get("national_14d") or {}).get("mean"),
        "driving_hours": driving_hours(stats.get("travel_minutes")),
    }


def _versions(session: SessionDep, job: PlanJob, user: User) -> tuple[PlanVersion, PlanVersion | None]:
    if job.plan_version_id is None:
        raise HTTPException(status_code=409, detail="the run has no plan yet")
    draft = get_team_scoped(session, PlanVersion, job.plan_version_id, user, what="plan version not found")
    accepted = adj_repo.accepted_version(session, draft.plan_id)
    return draft, (accepted if accepted is not None and accepted.id != draft.id else None)


@router.get("/runs/{job_id}/compare")
def compare_page(request: Request, job_id: RowId, user: WebUser, session: SessionDep) -> Response:
    job, team = _job(session, job_id, user)
    draft, accepted = _versions(session, job, user)
    a = version_figures(session, draft, user)
    b = version_figures(session, accepted, user) if accepted is not None else None
    rows = []
    for label, key, lower in FIGURES:
        x, y = a.get(key), (b or {}).get(key)
        better = None
        if isinstance(x, int | float) and isinstance(y, int | float) and x != y:
            better = (x < y) == lower
        rows.append(
            {
                "label": label,
                "key": key,
                "draft": x,
                "accepted": y,
                "better": better,
                "share": key == "contact_share",
            }
        )
    return page(
        request,
        "web/compare.html",
        {
            "team": team,
            "job": service.job_view(job),
            "draft": draft,
            "accepted": accepted,
            "rows": rows,
            "can_accept": draft.status == PLAN_DRAFT,
        },
        user=user,
        team_id=team.id,
        active="runs",
    )


@router.post("/runs/{job_id}/accept")
def accept_run(job_id: RowId, user: WebUser, session: SessionDep) -> Response:
    job, team = _job(session, job_id, user)
    draft, _ = _versions(session, job, user)
    plans_service.accept_draft(session, version=draft, user=user)
    return RedirectResponse(
        f"/teams/{team.id}/rota?date={job.start_date.isoformat()}&done=accepted", status_code=303
    )
