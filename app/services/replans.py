"""Re-plans: re-plan a day or a few with the pending changes in them, as little disruption as possible;
a coordinator applies the result as one new plan version, or discards it.

- `create_preview`: builds the problem (app.mapping.build_problem: current accepted assignments, pins,
  met_before), applies the pending changes that fall in the re-plan days (app.replan: the reference
  semantics), re-plans (with no transaction open: `app.db.end_reading`), and stores the new plan with its
  diff. Nothing else changes.
- `apply_preview`: locks the plan head (SELECT ... FOR UPDATE), checks nothing moved on since the preview
  (head revision and version in force), writes the changes into the plan's rows, stores and accepts the
  new version, marks the changes applied; one transaction. A stale preview answers 409.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.db import end_reading
from app.jobs.replanning import replan_beside
from app.mapping import accept_plan_version, shift_break, store_plan_version
from app.ops.measures import observe_replan
from app.replan import ReplanFailed
from app.replan.changes import break_of_doc, days_of_change, kept_break
from app.repositories import adjustments as repo
from app.services.errors import Conflict, Invalid, NotFound, ServiceError
from app.services.plan_head import (
    build_plan_problem,
    bump,
    check_base,
    now,
    plan_head,
    remap_paths,
    version_in_force,
)
from app.services.team_data.replan_needs import resolve_covered, stale_visit_ids
from exchange import CHANGES_FORMAT, ExchangeError, parse_plan, plan_from_doc, plan_to_doc
from exchange.changes import (
    CarerAbsent,
    CarerAdd,
    CitizenAway,
    ShiftSet,
    VisitAdd,
    VisitCancel,
    VisitDuration,
    VisitWindow,
    parse_change,
    parse_changes,
)
from models import core as m
from models.adjustments import (
    ADJ_APPLIED,
    ADJ_PENDING,
    PREVIEW_APPLIED,
    PREVIEW_DISCARDED,
    PREVIEW_READY,
    Adjustment,
    ReplanPreview,
)
from solver import types as st

MAX_TIME_LIMIT = 60.0


class ReplanUnavailable(ServiceError):
    """The planner failed; the plan in force is untouched."""

    status_code = 503
    kind = "planner_unavailable"


def _included(pending: Sequence[Adjustment], problem: st.Problem,
              days: tuple[int, int]) -> tuple[list[Adjustment], list[str]]:
    """Pending changes inside the re-plan days go in; those wholly outside wait; one that reaches
    across the edge and could break the plan there is an error (the caller widens the days)."""
    lo, hi = days
    day_of = {v.id: v.day for v in problem.visits}
    included: list[Adjustment] = []
    errors: list[str] = []
    for a in pending:
        try:
            ch = parse_change(a.change)
        except ExchangeError as e:
            errors.append(f"adjustment {a.id}: {e}")
            continue
        ds = days_of_change(ch, day_of)
        if ds and (max(ds) < lo or min(ds) > hi):
            continue
        if ds and (min(ds) < lo or max(ds) > hi) and isinstance(ch, CarerAbsent | ShiftSet):
            errors.append(f"adjustment {a.id} ({a.kind}, days {min(ds)}-{max(ds)}) reaches outside the "
                          f"re-plan days {lo}-{hi}; widen them to cover it")
            continue
        included.append(a)
    return included, errors


def _stale_split(session: Session, plan: m.Plan, problem: st.Problem,
                 days: tuple[int, int]) -> tuple[set[str], list[st.Assignment], list[st.Assignment]]:
    """Visits a stored change left needing a re-plan: those inside the days are planned afresh; those
    outside lose their (wrong) assignment in the new version and stay listed until a re-plan covers them."""
    ext = repo.visit_external_ids(session, stale_visit_ids(session, plan_id=plan.id))
    day_of = {v.id: v.day for v in problem.visits}
    inside = {e for e in ext if e in day_of and days[0] <= day_of[e] <= days[1]}
    outside = set(ext) - inside
    return (inside, [a for a in problem.current if a.visit not in outside],
            [a for a in problem.pinned if a.visit not in outside])


def create_preview(session: Session, *, plan: m.Plan, user: m.User, from_day: int, to_day: int,
                   time_limit: float = 5.0, seed: int = 0) -> ReplanPreview:
    """Re-plan the days with the pending changes in them; store the result for a coordinator to decide."""
    version = version_in_force(session, plan)
    head = plan_head(session, plan=plan)
    problem = build_plan_problem(session, plan)
    if not 0 <= from_day <= to_day < problem.days:
        raise Invalid(f"re-plan days {from_day}-{to_day} are outside the plan (days 0-{problem.days - 1})",
                      path="from_day")
    included, errors = _included(repo.pending_adjustments(session, plan.id), problem, (from_day, to_day))
    if errors:
        raise Invalid("; ".join(errors), path="to_day")
    doc = {"format": CHANGES_FORMAT, "replan_days": [from_day, to_day],
           "changes": [a.change for a in included]}
    try:
        cs = parse_changes(doc, problem)
    except ExchangeError as e:
        raise remap_paths(e, [f"adjustment {a.id}" for a in included]) from None
    stale, current, pinned = _stale_split(session, plan, problem, (from_day, to_day))
    params = st.SolveParams(time_limit=max(0.5, min(time_limit, MAX_TIME_LIMIT)), seed=seed)
    # The preview keeps the revision it was made from (checked again on apply), so nothing read here
    # needs to stay locked while the planner works.
    base = {"plan_id": plan.id, "base_version_id": version.id, "base_revision": head.revision,
            "created_by_id": user.id}
    end_reading(session)
    started = time.perf_counter()
    try:
        result = replan_beside(problem, current, cs, params=params, pinned=pinned, stale=stale)
    except ReplanFailed as e:
        observe_replan(time.perf_counter() - started, ok=False)
        raise ReplanUnavailable(f"re-plan failed, the plan in force is unchanged: {e}") from None
    observe_replan(result.seconds, ok=True)
    diff = result.diff.to_dict()
    diff["released_pins"] = result.released_pins
    preview = ReplanPreview(
        **base, from_day=from_day, to_day=to_day, adjustment_ids=[a.id for a in included],
        plan_doc=plan_to_doc(result.plan, problem.name), diff=diff, seconds=round(result.seconds, 3),
        status=PREVIEW_READY)
    session.add(preview)
    session.flush()
    return preview


def _break_columns(window: st.BreakWindow | None) -> dict[str, int | None]:
    if window is None:
        return {"break_earliest": None, "break_latest": None, "break_minutes": None}
    return {"break_earliest": window.earliest, "break_latest": window.latest,
            "break_minutes": window.duration}


def _materialise(session: Session, problem: st.Problem, changes: list[Any]) -> None:
    """Write applied changes into the plan's rows (shifts, carers, visits), in their order."""
    carers = repo.by_external_ids(session, m.Carer, {c.id for c in problem.carers})
    citizens = repo.by_external_ids(session, m.Citizen, {p.id for p in problem.citizens})
    teams = repo.by_external_ids(session, m.Team, {t.id for t in problem.teams})
    date = problem.date_of
    for ch in changes:
        if isinstance(ch, CarerAbsent):
            repo.delete_shifts(session, carers[ch.carer], date(ch.from_day), date(ch.to_day))
        elif isinstance(ch, ShiftSet):
            old = [shift_break(s) for s in repo.shifts_on(session, carers[ch.carer], date(ch.day))]
            repo.delete_shifts(session, carers[ch.carer], date(ch.day), date(ch.day))
            session.add_all(m.Shift(carer_id=carers[ch.carer], date=date(ch.day), start=s.start, end=s.end,
                                    **_break_columns(kept_break(old, s.start, s.end)))
                            for s in ch.shifts)
        elif isinstance(ch, CarerAdd):
            c = ch.carer
            row = m.Carer(external_id=c.id, team_id=teams[c.team], name=c.id, skills=sorted(c.skills),
                          contracted_minutes_per_week=c.contracted_minutes_per_week,
                          travel_mode=c.travel_mode)
            row.shifts = [m.Shift(date=date(s.day), start=s.start, end=s.end,
                                  **_break_columns(break_of_doc(s))) for s in c.shifts]
            session.add(row)
            session.flush()
            carers[c.id] = row.id
        elif isinstance(ch, VisitDuration | VisitWindow | VisitCancel):
            visit = repo.visit_by_external_id(session, ch.visit)
            if visit is None:
                raise Conflict(f"visit {ch.visit} no longer exists")
            if isinstance(ch, VisitDuration):
                visit.duration = ch.duration
            elif isinstance(ch, VisitWindow):
                visit.earliest, visit.latest = ch.earliest, ch.latest
            else:
                visit.status = m.VISIT_CANCELLED
        elif isinstance(ch, CitizenAway):
            for visit in repo.visits_of_citizen(session, citizens[ch.citizen], date(ch.from_day),
                                                date(ch.to_day)):
                visit.status = m.VISIT_CANCELLED
        elif isinstance(ch, VisitAdd):
            v = ch.visit
            session.add(m.Visit(external_id=v.id, citizen_id=citizens[v.citizen], kind=v.need,
                                date=date(v.day), earliest=v.earliest, latest=v.latest, duration=v.duration,
                                carers=v.carers, skills=sorted(v.skills), priority=v.priority))
        session.flush()


def apply_preview(session: Session, *, plan: m.Plan, preview: ReplanPreview, user: m.User,
                  base_version_id: int | None = None) -> m.PlanVersion:
    """The preview as the plan's new version in force, atomically; 409 if the plan moved on."""
    if preview.plan_id != plan.id:
        raise NotFound(f"re-plan {preview.id} not found")
    if preview.status != PREVIEW_READY:
        raise Conflict(f"re-plan {preview.id} is {preview.status}")
    head = plan_head(session, plan=plan, lock=True)
    version = version_in_force(session, plan)
    check_base(head, version, base_revision=preview.base_revision,
                base_version_id=base_version_id if base_version_id is not None else preview.base_version_id)
    adjustments = [session.get(Adjustment, i) for i in preview.adjustment_ids]
    if any(a is None or a.status != ADJ_PENDING for a in adjustments):
        raise Conflict("a change this re-plan included was withdrawn or applied meanwhile; re-plan again")
    problem = build_plan_problem(session, plan)
    _materialise(session, problem, [parse_change(a.change) for a in adjustments if a is not None])
    new_plan = plan_from_doc(parse_plan(preview.plan_doc))
    new_version: m.PlanVersion = store_plan_version(
        session, team_ids=[t.id for t in plan.teams], start=plan.start_date, end=plan.end_date,
        plan=new_plan, created_by=user, pinned=None,  # None: pins that held stay pinned
        inputs={"replan_preview": preview.id, "base_version_id": version.id,
                "replan_days": [preview.from_day, preview.to_day], "adjustments": preview.adjustment_ids})
    accept_plan_version(session, version=new_version, user=user)
    decided = now()
    for adj in adjustments:
        assert adj is not None
        adj.status, adj.version_id = ADJ_APPLIED, new_version.id
        adj.decided_at, adj.decided_by_id = decided, user.id
    resolve_covered(session, plan_id=plan.id, start=plan.start_date + dt.timedelta(days=preview.from_day),
                    end=plan.start_date + dt.timedelta(days=preview.to_day), version_id=new_version.id)
    preview.status, preview.applied_version_id = PREVIEW_APPLIED, new_version.id
    preview.decided_at, preview.decided_by_id = decided, user.id
    bump(session, head, user, new_version.id)
    return new_version


def discard_preview(session: Session, *, plan: m.Plan, preview: ReplanPreview, user: m.User) -> ReplanPreview:
    if preview.plan_id != plan.id:
        raise NotFound(f"re-plan {preview.id} not found")
    if preview.status != PREVIEW_READY:
        raise Conflict(f"re-plan {preview.id} is {preview.status}")
    preview.status, preview.decided_at, preview.decided_by_id = PREVIEW_DISCARDED, now(), user.id
    session.flush()
    return preview
