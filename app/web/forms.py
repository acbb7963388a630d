"""Form fields into the services' terms (times, dates, days of a plan, rows chosen in a select), and a
refused form into the rows its page shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.services.errors import ServiceError
from app.web.render import form_errors
from exchange import out_of_range
from models.core import Carer, Citizen, Plan, Team


async def _form_fields(request: Request) -> FormData:
    return await request.form()


# Every field of a form with fields of its own making (a checkbox per carer, a cell per roster day).
FormFields = Annotated[FormData, Depends(_form_fields)]

# What a form's handler catches: its own field errors (422) and whatever the service refused.
FORM_REFUSALS = (HTTPException, ServiceError)


def refusal(session: Session, e: HTTPException | ServiceError) -> tuple[int, list[dict[str, Any]]]:
    """The refused form's status and error rows, after undoing whatever the handler had written.

    Any HTTPException but a field error (422) is raised again: a 404 stays an error page."""
    if isinstance(e, HTTPException) and e.status_code != 422:
        raise e
    session.rollback()
    return form_errors(e)


def field_error(path: str, msg: str) -> HTTPException:
    return HTTPException(status_code=422, detail=[{"path": path, "msg": msg}])


def parse_hhmm(value: str, path: str) -> int:
    try:
        h, m = value.strip().split(":")[:2]
        minutes = int(h) * 60 + int(m)
    except ValueError:
        raise field_error(path, f"{value!r} is not a time like 07:30") from None
    if not 0 <= minutes <= 24 * 60:
        raise field_error(path, f"{value!r} is not a time of day")
    return minutes


def parse_date(value: str, path: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise field_error(path, f"{value!r} is not a date") from None
    if (why := out_of_range(day)) is not None:
        raise field_error(path, f"{value!r}: {why}")
    return day


def plan_day(plan: Plan, value: str, path: str) -> int:
    """A date of the plan as the exchange format counts it: days from the plan's start."""
    d = parse_date(value, path)
    if not plan.start_date <= d <= plan.end_date:
        raise field_error(path, f"{d} is outside the plan ({plan.start_date} – {plan.end_date})")
    return (d - plan.start_date).days


def chosen_external_id(
    session: Session, model: type[Carer] | type[Citizen], row_id: int, team: Team, path: str
) -> str:
    """The external id of the team's carer or citizen chosen in a select (by row id)."""
    row = session.get(model, row_id)
    if not isinstance(row, Carer | Citizen) or row.team_id != team.id:
        raise field_error(path, "choose one from the list")
    return row.external_id
