"""Pins and hand moves: act on the plan's version in force at once (a hand move only if every hard rule
and the cap hold, on the plan with the pending changes applied), logged, and bump the head revision so
a preview made before them cannot overwrite them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from app.replan.changes import apply_changes
from app.replan.hand_move import MoveCheck, Violation, check_move
from app.repositories import adjustments as repo
from app.services.errors import Invalid, NotFound, ServiceError
from app.services.plan_head import (
    build_plan_problem,
    bump,
    check_base,
    plan_head,
    remap_paths,
    version_in_force,
)
from exchange import CHANGES_FORMAT, ExchangeError
from exchange.changes import (
    ChangeSet,
    parse_changes,
)
from models import core as m
from models.adjustments import (
    ADJ_DONE,
    KIND_HAND_MOVE,
    KIND_PIN,
    KIND_UNPIN,
    Adjustment,
)
from solver import types as st


class MoveRefused(ServiceError):
    """A hand move (or an imported plan) that would break a hard rule: 422 naming the rule."""

    status_code = 422
    kind = "rule_broken"


def rules_refused(violations: Sequence[Violation], *, what: str,
                  where: Mapping[str, str] | None = None) -> MoveRefused:
    """The refusal naming each broken rule with its visit and the field it points at: the move's own
    `start` or `carers`, or, with `where` (visit id -> its place in a file naming many), that visit's."""
    def path(v: Violation) -> str:
        field = "carers" if v.rule not in ("window", "spacing", "unknown_visit") else "start"
        at = where.get(v.visit) if where is not None else None
        if at is None:
            return field
        return f"{at}.{'id' if v.rule == 'unknown_visit' else field}"

    rules = sorted({v.rule for v in violations})
    return MoveRefused(f"{what} breaks {', '.join(rules)}",
                       errors=[{"path": path(v), "rule": v.rule, "visit": v.visit, "msg": v.message}
                               for v in violations])


def _assignment(session: Session, version: m.PlanVersion, visit: str) -> m.Assignment:
    a = repo.assignment_of_visit(session, version.id, visit)
    if a is None:
        raise NotFound(f"visit {visit!r} has no assignment in version {version.number}")
    return a


def set_pin(session: Session, *, plan: m.Plan, user: m.User, visit: str, pinned: bool,
            reason: str | None = None, base_revision: int | None = None) -> Adjustment:
    head = plan_head(session, plan=plan, lock=True)
    version = version_in_force(session, plan)
    check_base(head, version, base_revision=base_revision, base_version_id=None)
    a = _assignment(session, version, visit)
    a.pinned = pinned
    kind = KIND_PIN if pinned else KIND_UNPIN
    log = Adjustment(plan_id=plan.id, team_id=a.visit.citizen.team_id, kind=kind,
                     change={"visit": visit, "carers": sorted(c.external_id for c in a.carers),
                             "start": a.start},
                     date_from=a.visit.date, date_to=a.visit.date, reason=reason, status=ADJ_DONE,
                     created_by_id=user.id, version_id=version.id)
    session.add(log)
    bump(session, head, user)
    return log


def adjusted_problem(session: Session, *, plan: m.Plan) -> st.Problem:
    """The plan in force as a Problem, with the changes still pending applied: what a hand move is
    checked against."""
    problem = build_plan_problem(session, plan)
    pending = repo.pending_adjustments(session, plan.id)
    try:
        cs = parse_changes({"format": CHANGES_FORMAT, "changes": [a.change for a in pending]}, problem)
    except ExchangeError as e:
        raise remap_paths(e, [f"adjustment {a.id}" for a in pending]) from None
    return apply_changes(problem, ChangeSet(format="homecare-changes/1", changes=cs.changes))


def check_hand_move(session: Session, *, plan: m.Plan, visit: str, carers: list[str],
                    start: int) -> MoveCheck:
    """Every hard rule and the cap, on the plan in force with the pending changes applied."""
    adjusted = adjusted_problem(session, plan=plan)
    move = st.Assignment(visit=visit, carers=tuple(sorted(carers)), start=start)
    return check_move(adjusted, adjusted.current, move, pinned={p.visit for p in adjusted.pinned})


def hand_move(session: Session, *, plan: m.Plan, user: m.User, visit: str, carers: list[str], start: int,
              reason: str | None = None, pin: bool = True, base_revision: int | None = None) -> Adjustment:
    """Move one visit to other carers or another start, if every rule holds (422 naming the rule)."""
    result = check_hand_move(session, plan=plan, visit=visit, carers=carers, start=start)
    if not result.ok:
        raise rules_refused(result.violations, what="the move")
    head = plan_head(session, plan=plan, lock=True)
    version = version_in_force(session, plan)
    check_base(head, version, base_revision=base_revision, base_version_id=None)
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
    bump(session, head, user)
    return log
