"""`homecare plan-team TEAM --from DAY --to DAY --user NAME`: plan a team held in the database.

The command line's door to the same plan run the API and the plan-run page start
(`app.services.jobs.submit_plan_job`): the job is stored as theirs are, planned by the installation's
runner (in this process without CELERY_BROKER_URL, else by the Celery workers), and its draft waits on
the plan-run page to be compared and accepted. Without `--continuity` the team's own setting applies (GET
/api/teams/{id}/settings), as for a run started on the page with none chosen; the job records which.

The run is started in the name of a coordinator of the team (or an admin), `--user`, as the API would
check them, so the page shows who planned it. The command waits for the run, printing its phases, and
exits 0 when the draft is stored, 1 when the run failed or was cancelled; Ctrl-C cancels it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer

app = typer.Typer()  # its commands are registered in app/cli/__init__.py
DEFAULT_TIME_LIMIT = 60.0
POLL_SECONDS = 1.0


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        typer.echo(f"homecare plan-team: {option}: give a day like 2026-12-07, not {value!r}", err=True)
        raise typer.Exit(2) from None


@app.command("plan-team")
def plan_team(
    team: Annotated[str, typer.Argument(help="the team: its id, its external id or its name")],
    first: Annotated[str, typer.Option("--from", help="first day planned (2026-12-07)")],
    last: Annotated[str, typer.Option("--to", help="last day planned, inclusive")],
    username: Annotated[str, typer.Option(
        "--user", help="who starts the run: a coordinator of the team, or an admin")],
    continuity: Annotated[str | None, typer.Option(
        "--continuity",
        help="fewest, balanced, travel or a face budget faces:N; without it, the team's own setting")] = None,
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=1.0,
        help=f"seconds to plan (default {DEFAULT_TIME_LIMIT:.0f}; with --steps, the longest a job may run "
             "unless given)")] = None,
    steps: Annotated[int | None, typer.Option(
        "--steps", min=1, help="search steps instead of the time limit: the same plan on any machine")] = (
        None),
    seed: Annotated[int, typer.Option("--seed", min=0, help="random seed")] = 0,
) -> None:
    """Plan TEAM from the database over --from..--to as the plan-run page does; the draft waits there."""
    from app.cli.checks import fail, require_current_schema
    from app.db import get_writing_sessionmaker
    from app.jobs.factory import get_job_runner, shutdown_runner
    from app.services import jobs as jobs_svc
    from app.services.errors import ServiceError
    from models.core import User
    from models.jobs import JOB_ACTIVE, JOB_SUCCEEDED

    start, end = _day(first, "--from"), _day(last, "--to")
    if time_limit is None:
        # A clock that stops a step-counted run early would make its plan depend on the machine.
        time_limit = DEFAULT_TIME_LIMIT if steps is None else jobs_svc.MAX_TIME_LIMIT
    require_current_schema()
    sessions = get_writing_sessionmaker()
    runner = get_job_runner()
    try:
        with sessions() as session:
            try:
                user = jobs_svc.planner_named(session, username=username)
            except ServiceError as e:
                fail(f"--user: {e.message}")
            try:
                found = jobs_svc.team_known_as(session, user=user, reference=team)
            except ServiceError as e:
                fail(f"team: {e.message}")
            try:
                job = jobs_svc.submit_plan_job(session, user=user, runner=runner, team_ids=[found.id],
                                               start=start, end=end, time_limit=time_limit, seed=seed,
                                               steps=steps, continuity=continuity)
            except ServiceError as e:
                fail(e.message)
            view = jobs_svc.job_view(job)
            chosen = "the team's setting" if view["continuity_from"] == "team" else "chosen for this run"
            typer.echo(f"plan job {job.id}: {found.name}, {start}..{end}, continuity {view['continuity']} "
                       f"({chosen})", err=True)
            job_id, user_id = job.id, user.id
        phase = ""
        try:
            while True:
                with sessions() as session:
                    reader = session.get_one(User, user_id)
                    view = jobs_svc.job_view(jobs_svc.get_job(session, user=reader, job_id=job_id))
                if view["status"] not in JOB_ACTIVE:
                    break
                if view["progress"]["phase"] != phase:
                    phase = view["progress"]["phase"]
                    typer.echo(f"plan job {job_id}: {phase}", err=True)
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            with sessions() as session:
                try:
                    jobs_svc.stop_job(session, user=session.get_one(User, user_id), runner=runner,
                                      job_id=job_id)
                except ServiceError as e:  # it ended between the last look and Ctrl-C
                    typer.echo(f"plan job {job_id}: {e.message}; see /runs/{job_id}", err=True)
                    raise typer.Exit(1) from None
            typer.echo(f"plan job {job_id}: cancelled; the last plan is unchanged", err=True)
            raise typer.Exit(1) from None
    finally:
        shutdown_runner()
    if view["status"] != JOB_SUCCEEDED:
        typer.echo(f"plan job {job_id}: {view['status']}: {view['error'] or view['message']}", err=True)
        raise typer.Exit(1)
    f = view["figures"]
    typer.echo(f"plan job {job_id}: draft plan version {view['plan_version_id']} stored: {f.get('placed')} "
               f"visits placed, {f.get('unplaced')} not; {f.get('distinct_carers_month_mean')} carers per "
               f"citizen-month (most {f.get('distinct_carers_month_max')}); "
               f"{round((f.get('travel_minutes') or 0) / 60, 1)} driving hours; compare and accept it on "
               f"/runs/{job_id}")
