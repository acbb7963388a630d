"""The plan head: the version in force of a plan and its revision. Every change to the plan in force
(an applied re-plan, a pin, a hand move) bumps the revision with a conditional UPDATE, so a preview
made before it cannot overwrite it. Also what every adjustment needs: the plan as a solver Problem,
and error paths mapped back to what the caller sent.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.mapping import build_problem
from app.repositories import adjustments as repo
from app.services.errors import Conflict
from exchange import ExchangeError
from models import core as m
from models.adjustments import PlanHead
from solver import types as st


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def build_plan_problem(session: Session, plan: m.Plan) -> st.Problem:
    """The plan's teams and dates as a solver Problem (current accepted assignments, pins, history)."""
    problem: st.Problem = build_problem(session, team_ids=[t.id for t in plan.teams], start=plan.start_date,
                                        end=plan.end_date)
    return problem


def remap_paths(err: ExchangeError, labels: list[str]) -> ExchangeError:
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


def version_in_force(session: Session, plan: m.Plan) -> m.PlanVersion:
    version = repo.accepted_version(session, plan.id)
    if version is None:
        raise Conflict(f"plan {plan.id} has no accepted version to adjust; accept one first")
    return version


# SQLAlchemy's version counter numbers a new row 1, whatever the row is given.
FIRST_REVISION = 1


def head_revision(session: Session, *, plan: m.Plan) -> int:
    """The revision a write's `base_revision` is checked against, read without writing: a plan nothing
    has changed yet has no head row and is at the revision its row will be made with."""
    head = repo.plan_head(session, plan.id)
    return head.revision if head is not None else FIRST_REVISION


def plan_head(session: Session, *, plan: m.Plan, lock: bool = False) -> PlanHead:
    """The head row, made on first use (FIRST_REVISION) for the version in force."""
    head = repo.plan_head(session, plan.id, lock=lock)
    if head is None:
        version = repo.accepted_version(session, plan.id)
        head = PlanHead(plan_id=plan.id, head_version_id=version.id if version else None)
        session.add(head)
        session.flush()  # two first uses at once: the second violates the primary key (409)
        if lock:
            head = repo.plan_head(session, plan.id, lock=True) or head
    return head


def bump(session: Session, head: PlanHead, user: m.User, version_id: int | None = None) -> None:
    """Any change to the plan in force: the head's revision goes up (a conditional UPDATE)."""
    if version_id is not None:
        head.head_version_id = version_id
    head.updated_at, head.updated_by_id = now(), user.id
    try:
        session.flush()
    except StaleDataError:
        raise Conflict("the plan was changed by someone else meanwhile; reload and try again") from None


def check_base(head: PlanHead, version: m.PlanVersion, *, base_revision: int | None,
                base_version_id: int | None) -> None:
    if base_revision is not None and head.revision != base_revision:
        raise Conflict(f"the plan changed since revision {base_revision} (now {head.revision}); "
                       "reload and try again")
    if base_version_id is not None and version.id != base_version_id:
        raise Conflict(f"version {base_version_id} is no longer in force (version {version.number}, "
                       f"id {version.id}, is); reload and try again")
