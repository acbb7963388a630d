"""Daily adjustments: record what the team decided today as pending changes to a plan, withdraw one,
hand the pending ones out as a homecare-changes/1 file.

- `record_adjustments`: changes to needs and staff in homecare-changes/1 terms (days counted from the
  plan's start date), validated against the plan's data *with the pending changes before them*, all or
  none, each logged with who, when and why. They wait as `pending`; the plan's rows do not change yet.
  Re-plans (app/services/replans.py) apply them; pins and hand moves (app/services/hand_moves.py) act
  on the version in force at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from app.replan.changes import days_of_change
from app.repositories import adjustments as repo
from app.services.errors import Conflict, Invalid, NotFound
from app.services.plan_head import (
    build_plan_problem,
    now,
    remap_paths,
)
from exchange import CHANGES_FORMAT, ExchangeError
from exchange.changes import (
    CarerAbsent,
    CarerAdd,
    CitizenAway,
    ShiftSet,
    VisitAdd,
    VisitCancel,
    VisitDuration,
    VisitWindow,
    parse_changes,
)
from models import core as m
from models.adjustments import (
    ADJ_PENDING,
    ADJ_WITHDRAWN,
    Adjustment,
)
from solver import types as st


def _teams_allowed(user: m.User) -> list[str] | None:
    return None if user.role == m.ROLE_ADMIN else [t.external_id for t in user.teams]


def _team_of_change(ch: Any, problem: st.Problem) -> str | None:
    """The external id of the team a change concerns (for scoping the change log)."""
    carer_team = {c.id: c.team for c in problem.carers}
    citizen_team = {p.id: p.team for p in problem.citizens}
    visit_citizen = {v.id: v.citizen for v in problem.visits}
    if isinstance(ch, CarerAbsent | ShiftSet):
        return carer_team.get(ch.carer)
    if isinstance(ch, CarerAdd):
        return ch.carer.team
    if isinstance(ch, CitizenAway):
        return citizen_team.get(ch.citizen)
    if isinstance(ch, VisitAdd):
        return citizen_team.get(ch.visit.citizen)
    if isinstance(ch, VisitDuration | VisitWindow | VisitCancel):
        return citizen_team.get(visit_citizen.get(ch.visit, ""))
    return None


def _expand_need_change(i: int, ch: dict[str, Any], problem: st.Problem) -> list[dict[str, Any]]:
    """"A need changed from a date on" as one visit change per visit of that need from that day."""
    where = f"changes[{i}]"
    citizen, need, from_day = ch.get("citizen"), ch.get("need"), ch.get("from_day")
    if not isinstance(citizen, str) or not isinstance(need, str) or not isinstance(from_day, int):
        raise ExchangeError([{"path": where, "msg": "need_change needs citizen, need and from_day"}])
    to_day = ch.get("to_day", problem.days - 1)
    visits = sorted((v for v in problem.visits if v.citizen == citizen and v.need == need
                     and from_day <= v.day <= to_day), key=lambda v: v.day)
    if not visits:
        raise ExchangeError([{"path": where,
                              "msg": f"no {need!r} visits of {citizen!r} from day {from_day}"}])
    reason = ch.get("reason") or f"{need} of {citizen} changed from day {from_day}"
    out: list[dict[str, Any]] = []
    for v in visits:
        if "duration" in ch:
            out.append({"type": "visit_duration", "visit": v.id, "duration": ch["duration"],
                        "reason": reason})
        if "earliest" in ch or "latest" in ch:
            out.append({"type": "visit_window", "visit": v.id, "earliest": ch.get("earliest", v.earliest),
                        "latest": ch.get("latest", v.latest), "reason": reason})
    if not out:
        raise ExchangeError([{"path": where, "msg": "need_change changes nothing: give duration, earliest "
                                                    "or latest"}])
    return out


def _dates(problem: st.Problem, ch: Any, day_of: dict[str, int]) -> tuple[dt.date | None, dt.date | None]:
    days = days_of_change(ch, day_of)
    if not days:
        return None, None
    return problem.date_of(min(days)), problem.date_of(max(days))


# --- the change log --------------------------------------------------------------------------


def record_adjustments(session: Session, *, plan: m.Plan, user: m.User,
                       changes: list[dict[str, Any]]) -> list[Adjustment]:
    """Validate the changes (after the pending ones) and log them as pending; all or none (422)."""
    problem = build_plan_problem(session, plan)
    pending = repo.pending_adjustments(session, plan.id)
    labels = [f"adjustment {a.id}" for a in pending]
    new: list[dict[str, Any]] = []
    for i, ch in enumerate(changes):
        expanded = _expand_need_change(i, ch, problem) if isinstance(ch, dict) and \
            ch.get("type") == "need_change" else [ch]
        new += expanded
        labels += [f"changes[{i}]"] * len(expanded)
    doc = {"format": CHANGES_FORMAT, "changes": [a.change for a in pending] + new}
    try:
        cs = parse_changes(doc, problem, teams_allowed=_teams_allowed(user))
    except ExchangeError as e:
        raise remap_paths(e, labels) from None
    for k, change in enumerate(cs.changes):
        mode = change.carer.travel_mode if isinstance(change, CarerAdd) else None
        if mode is not None and mode not in problem.travel_modes:
            known = ", ".join(sorted(problem.travel_modes)) or "none"
            raise Invalid(f"unknown travel mode {mode!r} (known: {known}; none: by car)",
                          path=f"{labels[k]}.carer.travel_mode")
    team_ids = repo.by_external_ids(session, m.Team, {t.id for t in problem.teams})
    day_of = {v.id: v.day for v in problem.visits}
    for earlier in cs.changes[: len(pending)]:
        days_of_change(earlier, day_of)  # so visits added by pending changes have their day
    rows = []
    for change in cs.changes[len(pending):]:
        first, last = _dates(problem, change, day_of)
        team = _team_of_change(change, problem)
        rows.append(Adjustment(
            plan_id=plan.id, team_id=team_ids.get(team) if team else None, kind=change.type,
            # By alias: a shift's `break` is stored under its name in the format, to be read back.
            change=change.model_dump(mode="json", exclude_none=True, by_alias=True), date_from=first,
            date_to=last, reason=change.reason, status=ADJ_PENDING, created_by_id=user.id))
    session.add_all(rows)
    session.flush()
    return rows


def withdraw_adjustment(session: Session, *, plan: m.Plan, user: m.User, adjustment_id: int) -> Adjustment:
    adj = session.get(Adjustment, adjustment_id)
    if adj is None or adj.plan_id != plan.id:
        raise NotFound(f"adjustment {adjustment_id} not found")
    if adj.status != ADJ_PENDING:
        raise Conflict(f"adjustment {adjustment_id} is {adj.status}; only a pending one can be withdrawn")
    adj.status, adj.decided_at, adj.decided_by_id = ADJ_WITHDRAWN, now(), user.id
    session.flush()
    return adj


def pending_changes_document(session: Session, *, plan: m.Plan) -> dict[str, Any]:
    """The pending changes as a homecare-changes/1 file (for `homecare replan` or the reference tool)."""
    return {"format": CHANGES_FORMAT,
            "changes": [a.change for a in repo.pending_adjustments(session, plan.id)]}
