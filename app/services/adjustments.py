"""Daily adjustments and re-plans (issue 5): record what the team decided today, re-plan a day or a few
with as little disruption as possible, let a coordinator apply the result as one new plan version.

Flow
- `record_adjustments`: changes to needs and staff in homecare-changes/1 terms (days counted from the
  plan's start date), validated against the plan's data *with the pending changes before them*, all or
  none, each logged with who, when and why. They wait as `pending`; the plan's rows do not change yet.
- `create_preview`: builds the problem (app.mapping.build_problem: current accepted assignments, pins,
  met_before), applies the pending changes that fall in the re-plan days (app.replan: the reference
  semantics), re-plans (with no transaction open: `app.db.end_reading`), and stores the new plan with its
  diff. Nothing else changes.
- `apply_preview`: locks the plan head (SELECT ... FOR UPDATE), checks nothing moved on since the preview
  (head revision and version in force), writes the changes into the plan's rows, stores and accepts the
  new version, marks the changes applied; one transaction. A stale preview answers 409.
- `set_pin`, `hand_move`: act on the version in force at once (a hand move only if every hard rule and
  the cap hold), logged, and bump the head revision so a preview made before them cannot overwrite them.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import end_reading
from app.ops.measures import observe_replan
from app.replan import ReplanFailed, replan
from app.replan.changes import apply_changes, days_of_change
from app.replan.hand_move import MoveCheck, check_move
from app.repositories import adjustments as repo
from app.services.errors import Conflict, Invalid, NotFound, ServiceError
from exchange import CHANGES_FORMAT, ExchangeError, parse_plan, plan_from_doc, plan_to_doc
from exchange.changes import (
    CarerAbsent,
    CarerAdd,
    ChangeSet,
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
    ADJ_DONE,
    ADJ_PENDING,
    ADJ_WITHDRAWN,
    KIND_HAND_MOVE,
    KIND_PIN,
    KIND_UNPIN,
    PREVIEW_APPLIED,
    PREVIEW_DISCARDED,
    PREVIEW_READY,
    Adjustment,
    PlanHead,
    ReplanPreview,
)
from solver import types as st

MAX_TIME_LIMIT = 60.0


class ReplanUnavailable(ServiceError):
    """The planner failed; the plan in force is untouched."""

    status_code = 503
    kind = "planner_unavailable"


class MoveRefused(ServiceError):
    """A hand move that would break a hard rule: 422 naming the rule."""

    status_code = 422
    kind = "rule_broken"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _teams_allowed(user: m.User) -> list[str] | None:
    return None if user.role == m.ROLE_ADMIN else [t.external_id for t in user.teams]


def build_plan_problem(session: Session, plan: m.Plan) -> st.Problem:
    """The plan's teams and dates as a solver Problem (current accepted assignments, pins, history)."""
    from app.mapping import build_problem

    problem: st.Problem = build_problem(session, team_ids=[t.id for t in plan.teams], start=plan.start_date,
                                        end=plan.end_date)
    return problem


def _remap(err: ExchangeError, labels: list[str]) -> ExchangeError:
    """Paths `changes[k]...` of the combined list back to what the caller knows: their own
    `changes[i]`, or an earlier pending `adjustment N`."""
    out = []
    for e in err.errors:
        path = str(e["path"])
        match = re.match(r"changes\[(\d+)\](.*)", path)
        if match and int(match.group(1)) < len(labels):
            path = labels[int(match.group(1))] + match.group(2)
        out.append({**e, "path": path})
    return ExchangeError(out)


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
        raise _remap(e, labels) from None
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
            change=change.model_dump(mode="json", exclude_none=True), date_from=first, date_to=last,
            reason=change.reason, status=ADJ_PENDING, created_by_id=user.id))
    session.add_all(rows)
    session.flush()
    return rows


def withdraw_adjustment(session: Session, *, plan: m.Plan, user: m.User, adjustment_id: int) -> Adjustment:
    adj = session.get(Adjustment, adjustment_id)
    if adj is None or adj.plan_id != plan.id:
        raise NotFound(f"adjustment {adjustment_id} not found")
    if adj.status != ADJ_PENDING:
        raise Conflict(f"adjustment {adjustment_id} is {adj.status}; only a pending one can be withdrawn")
    adj.status, adj.decided_at, adj.decided_by_id = ADJ_WITHDRAWN, _now(), user.id
    session.flush()
    return adj


def pending_changes_document(session: Session, *, plan: m.Plan) -> dict[str, Any]:
    """The pending changes as a homecare-changes/1 file (for `homecare replan` or the reference tool)."""
    return {"format": CHANGES_FORMAT,
            "changes": [a.change for a in repo.pending_adjustments(session, plan.id)]}


# --- the plan head ---------------------------------------------------------------------------


def _version_in_force(session: Session, plan: m.Plan) -> m.PlanVersion:
    version = repo.accepted_version(session, plan.id)
    if version is None:
        raise Conflict(f"plan {plan.id} has no accepted version to adjust; accept one first")
    return version


def plan_head(session: Session, *, plan: m.Plan, lock: bool = False) -> PlanHead:
    """The head row, made on first use (revision 1) for the version in force."""
    head = repo.plan_head(session, plan.id, lock=lock)
    if head is None:
        version = repo.accepted_version(session, plan.id)
        head = PlanHead(plan_id=plan.id, head_version_id=version.id if version else None)
        session.add(head)
        session.flush()  # two first uses at once: the second violates the primary key (409)
        if lock:
            head = repo.plan_head(session, plan.id, lock=True) or head
    return head


def _bump(session: Session, head: PlanHead, user: m.User, version_id: int | None = None) -> None:
    """Any change to the plan in force: the head's revision goes up (a conditional UPDATE)."""
    if version_id is not None:
        head.head_version_id = version_id
    head.updated_at, head.updated_by_id = _now(), user.id
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("the plan was changed by someone else meanwhile; reload and try again") from None


def _check_base(head: PlanHead, version: m.PlanVersion, *, base_revision: int | None,
                base_version_id: int | None) -> None:
    if base_revision is not None and head.revision != base_revision:
        raise Conflict(f"the plan changed since revision {base_revision} (now {head.revision}); "
                       "reload and try again")
    if base_version_id is not None and version.id != base_version_id:
        raise Conflict(f"version {base_version_id} is no longer in force (version {version.number}, "
                       f"id {version.id}, is); reload and try again")


# --- re-plan, preview, apply -----------------------------------------------------------------


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


def create_preview(session: Session, *, plan: m.Plan, user: m.User, from_day: int, to_day: int,
                   time_limit: float = 5.0, seed: int = 0) -> ReplanPreview:
    """Re-plan the days with the pending changes in them; store the result for a coordinator to decide."""
    version = _version_in_force(session, plan)
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
        raise _remap(e, [f"adjustment {a.id}" for a in included]) from None
    params = st.SolveParams(time_limit=max(0.5, min(time_limit, MAX_TIME_LIMIT)), seed=seed)
    # The preview keeps the revision it was made from (checked again on apply), so nothing read here
    # needs to stay locked while the planner works.
    base = {"plan_id": plan.id, "base_version_id": version.id, "base_revision": head.revision,
            "created_by_id": user.id}
    end_reading(session)
    started = time.perf_counter()
    try:
        result = replan(problem, problem.current, cs, params=params, pinned=problem.pinned)
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
            repo.delete_shifts(session, carers[ch.carer], date(ch.day), date(ch.day))
            session.add_all(m.Shift(carer_id=carers[ch.carer], date=date(ch.day), start=s.start, end=s.end)
                            for s in ch.shifts)
        elif isinstance(ch, CarerAdd):
            c = ch.carer
            row = m.Carer(external_id=c.id, team_id=teams[c.team], name=c.id, skills=sorted(c.skills),
                          contracted_minutes_per_week=c.contracted_minutes_per_week)
            row.shifts = [m.Shift(date=date(s.day), start=s.start, end=s.end) for s in c.shifts]
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
                                carers=v.carers, skills=sorted(v.skills)))
        session.flush()


def apply_preview(session: Session, *, plan: m.Plan, preview: ReplanPreview, user: m.User,
                  base_version_id: int | None = None) -> m.PlanVersion:
    """The preview as the plan's new version in force, atomically; 409 if the plan moved on."""
    from app.mapping import accept_plan_version, store_plan_version

    if preview.plan_id != plan.id:
        raise NotFound(f"re-plan {preview.id} not found")
    if preview.status != PREVIEW_READY:
        raise Conflict(f"re-plan {preview.id} is {preview.status}")
    head = plan_head(session, plan=plan, lock=True)
    version = _version_in_force(session, plan)
    _check_base(head, version, base_revision=preview.base_revision,
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
    now = _now()
    for adj in adjustments:
        assert adj is not None
        adj.status, adj.version_id = ADJ_APPLIED, new_version.id
        adj.decided_at, adj.decided_by_id = now, user.id
    preview.status, preview.applied_version_id = PREVIEW_APPLIED, new_version.id
    preview.decided_at, preview.decided_by_id = now, user.id
    _bump(session, head, user, new_version.id)
    return new_version


def discard_preview(session: Session, *, plan: m.Plan, preview: ReplanPreview, user: m.User) -> ReplanPreview:
    if preview.plan_id != plan.id:
        raise NotFound(f"re-plan {preview.id} not found")
    if preview.status != PREVIEW_READY:
        raise Conflict(f"re-plan {preview.id} is {preview.status}")
    preview.status, preview.decided_at, preview.decided_by_id = PREVIEW_DISCARDED, _now(), user.id
    session.flush()
    return preview


# --- pins and hand moves ---------------------------------------------------------------------


def _assignment(session: Session, version: m.PlanVersion, visit: str) -> m.Assignment:
    a = repo.assignment_of_visit(session, version.id, visit)
    if a is None:
        raise NotFound(f"visit {visit!r} has no assignment in version {version.number}")
    return a


def set_pin(session: Session, *, plan: m.Plan, user: m.User, visit: str, pinned: bool,
            reason: str | None = None, base_revision: int | None = None) -> Adjustment:
    head = plan_head(session, plan=plan, lock=True)
    version = _version_in_force(session, plan)
    _check_base(head, version, base_revision=base_revision, base_version_id=None)
    a = _assignment(session, version, visit)
    a.pinned = pinned
    kind = KIND_PIN if pinned else KIND_UNPIN
    log = Adjustment(plan_id=plan.id, team_id=a.visit.citizen.team_id, kind=kind,
                     change={"visit": visit, "carers": sorted(c.external_id for c in a.carers),
                             "start": a.start},
                     date_from=a.visit.date, date_to=a.visit.date, reason=reason, status=ADJ_DONE,
                     created_by_id=user.id, version_id=version.id)
    session.add(log)
    _bump(session, head, user)
    return log


def check_hand_move(session: Session, *, plan: m.Plan, visit: str, carers: list[str],
                    start: int) -> MoveCheck:
    """Every hard rule and the cap, on the plan in force with the pending changes applied."""
    problem = build_plan_problem(session, plan)
    pending = repo.pending_adjustments(session, plan.id)
    try:
        cs = parse_changes({"format": CHANGES_FORMAT, "changes": [a.change for a in pending]}, problem)
    except ExchangeError as e:
        raise _remap(e, [f"adjustment {a.id}" for a in pending]) from None
    adjusted = apply_changes(problem, ChangeSet(format="homecare-changes/1", changes=cs.changes))
    move = st.Assignment(visit=visit, carers=tuple(sorted(carers)), start=start)
    return check_move(adjusted, adjusted.current, move, pinned={p.visit for p in adjusted.pinned})


def hand_move(session: Session, *, plan: m.Plan, user: m.User, visit: str, carers: list[str], start: int,
              reason: str | None = None, pin: bool = True, base_revision: int | None = None) -> Adjustment:
    """Move one visit to other carers or another start, if every rule holds (422 naming the rule)."""
    result = check_hand_move(session, plan=plan, visit=visit, carers=carers, start=start)
    if not result.ok:
        raise MoveRefused(
            f"the move breaks {', '.join(result.rules)}",
            errors=[{"path": "carers" if v.rule not in ("window", "unknown_visit") else "start",
                     "rule": v.rule, "visit": v.visit, "msg": v.message} for v in result.violations])
    head = plan_head(session, plan=plan, lock=True)
    version = _version_in_force(session, plan)
    _check_base(head, version, base_revision=base_revision, base_version_id=None)
    carer_ids = repo.by_external_ids(session, m.Carer, carers)
    missing = [c for c in carers if c not in carer_ids]
    if missing:  # a substitute still pending: not a carer in the rows yet
        raise Invalid(f"carer {missing[0]!r} is not in the plan's data yet (re-plan with the change first)",
                      path="carers")
    a = repo.assignment_of_visit(session, version.id, visit)
    before: dict[str, Any] | None = None
    if a is None:
        row = repo.visit_by_external_id(session, visit)
        if row is None:
            raise NotFound(f"visit {visit!r} not found")
        for u in list(version.unplaced):
            if u.visit_id == row.id:
                session.delete(u)
        a = m.Assignment(plan_version_id=version.id, visit_id=row.id, start=start)
        session.add(a)
        session.flush()
    else:
        before = {"carers": sorted(c.external_id for c in a.carers), "start": a.start}
    a.start, a.pinned = start, pin or a.pinned
    a.carers = [session.get_one(m.Carer, carer_ids[c]) for c in carers]
    log = Adjustment(plan_id=plan.id, team_id=a.visit.citizen.team_id, kind=KIND_HAND_MOVE,
                     change={"visit": visit, "carers": sorted(carers), "start": start, "before": before,
                             "pinned": a.pinned},
                     date_from=a.visit.date, date_to=a.visit.date, reason=reason, status=ADJ_DONE,
                     created_by_id=user.id, version_id=version.id)
    session.add(log)
    _bump(session, head, user)
    return log
