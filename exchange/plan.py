"""homecare-plan/1: who attends each visit and when, and why a visit stayed unplaced."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from exchange.common import PLAN_FORMAT, ExchangeError, Id, Minute, Strict, pydantic_errors
from exchange.instance import InstanceDoc
from solver import types as st


class PlannedVisitDoc(Strict):
    id: Id
    carers: list[Id]
    start: Minute


class UnassignedDoc(Strict):
    id: Id
    reason: Annotated[str, Field(min_length=1)]


class PlanDoc(Strict):
    format: Literal["homecare-plan/1"]
    instance: str | None = None
    visits: list[PlannedVisitDoc] = []
    unassigned: list[UnassignedDoc] = []


def parse_plan(data: Any, instance: InstanceDoc | None = None) -> PlanDoc:
    try:
        doc = PlanDoc.model_validate(data)
    except ValidationError as e:
        raise ExchangeError(pydantic_errors(e)) from None
    if instance is not None:
        visits = {v.id for v in instance.visits}
        carers = {c.id for c in instance.carers}
        errors: list[dict[str, Any]] = []
        for i, a in enumerate(doc.visits):
            if a.id not in visits:
                errors.append({"path": f"visits[{i}].id", "msg": f"unknown visit {a.id!r}"})
            for j, c in enumerate(a.carers):
                if c not in carers:
                    errors.append({"path": f"visits[{i}].carers[{j}]", "msg": f"unknown carer {c!r}"})
        for i, u in enumerate(doc.unassigned):
            if u.id not in visits:
                errors.append({"path": f"unassigned[{i}].id", "msg": f"unknown visit {u.id!r}"})
        if errors:
            raise ExchangeError(errors)
    return doc


def plan_to_doc(plan: st.Plan, instance_name: str | None) -> dict[str, Any]:
    """A solver Plan in homecare-plan/1, visits in a stable order."""
    return {
        "format": PLAN_FORMAT,
        "instance": instance_name,
        "visits": [{"id": a.visit, "carers": list(a.carers), "start": a.start}
                   for a in sorted(plan.assignments, key=lambda a: a.visit)],
        "unassigned": [{"id": u.visit, "reason": u.reason}
                       for u in sorted(plan.unplaced, key=lambda u: u.visit)],
    }


def plan_from_doc(doc: PlanDoc) -> st.Plan:
    return st.Plan(
        assignments=[st.Assignment(visit=a.id, carers=tuple(a.carers), start=a.start) for a in doc.visits],
        unplaced=[st.Unplaced(visit=u.id, reason=u.reason) for u in doc.unassigned],
    )
