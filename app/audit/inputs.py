"""What an audit counts: the visits audited as rows (performed, or a plan written as rows), the instance's
planned visits, the citizens' facts, and how ids are shown (`Alias`).

A plan becomes rows with `rows_from_plan`, so plans and reality are counted by the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.audit.performed import CitizenFacts, PerformedRow

NO_TEAM = "(no team)"

Alias = Callable[[str, str], str]  # (kind, id) -> shown id; kind is "citizen", "carer" or "visit"


def plain(kind: str, value: str) -> str:
    return value



@dataclass(slots=True)
class PlannedVisit:
    """A visit of the instance (what was needed) and, when a plan is given, how it was planned."""

    id: str
    citizen: str
    need: str
    date: dt.date
    earliest: int  # minutes after midnight (bounds the start)
    latest: int
    duration: int
    required: int = 1  # carers who must attend together
    carers: tuple[str, ...] = ()  # planned carers; empty when unassigned or no plan
    start: int | None = None  # planned start minute; None when unassigned or no plan
    priority: int = 1  # 1 must be placed, 2 should, 3 may wait

    @property
    def start_at(self) -> dt.datetime | None:
        if self.start is None:
            return None
        return dt.datetime.combine(self.date, dt.time()) + dt.timedelta(minutes=self.start)


@dataclass(slots=True)
class AuditInput:
    """Everything one audit counts. `rows` are the visits audited (performed, or a plan written as rows)."""

    rows: list[PerformedRow]
    source: str = "performed"  # "performed" or "plan"
    citizens: dict[str, CitizenFacts] = field(default_factory=dict)
    planned: dict[str, PlannedVisit] = field(default_factory=dict)  # instance visits (with plan, if any)
    has_plan: bool = False  # `planned` carries a plan's carers and starts (plan versus reality)
    cap: int = 12
    anchor: dt.date | None = None  # first day of the first 14-day period; None: first date in rows
    coverage: tuple[dt.date, dt.date] | None = None  # days the data covers; None: first..last row date
    plan_days: tuple[dt.date, dt.date] | None = None  # days the plan covers (its unplaced visits lie in them)
    name: str | None = None

    def first_day(self) -> dt.date | None:
        if self.anchor is not None:
            return self.anchor
        return min((r.start.date() for r in self.rows), default=None)

    def days_covered(self) -> tuple[dt.date, dt.date] | None:
        if self.coverage is not None:
            return self.coverage
        if not self.rows:
            return None
        return (min(r.start.date() for r in self.rows), max(r.start.date() for r in self.rows))


def instance_planned(
    instance: Mapping[str, Any], plan: Mapping[str, Any] | None = None
) -> dict[str, PlannedVisit]:
    """Instance visits (homecare-instance/1 as a dict), with the plan's carers and starts when given."""
    start_date = dt.date.fromisoformat(instance["start_date"])
    dates: dict[int, dt.date] = {}
    out: dict[str, PlannedVisit] = {}
    for v in instance["visits"]:
        day = int(v["day"])
        date = dates.get(day)
        if date is None:
            date = dates[day] = start_date + dt.timedelta(days=day)
        out[v["id"]] = PlannedVisit(
            id=v["id"],
            citizen=v["citizen"],
            need=v.get("need", v["id"]),
            date=date,
            earliest=int(v["earliest"]),
            latest=int(v["latest"]),
            duration=int(v["duration"]),
            required=int(v.get("carers", 1)),
            priority=int(v.get("priority", 1)),
        )
    if plan is not None:
        for a in plan.get("visits", []):
            pv = out.get(a.get("id"))
            if pv is not None:
                pv.carers = tuple(a.get("carers") or ())
                pv.start = int(a["start"])
    return out


def instance_citizens(instance: Mapping[str, Any]) -> dict[str, CitizenFacts]:
    return {
        p["id"]: CitizenFacts(team=p.get("team"), contact=p.get("contact"), birth_year=p.get("birth_year"))
        for p in instance["citizens"]
    }


def rows_from_plan(
    planned: Iterable[PlannedVisit],
    citizens: Mapping[str, CitizenFacts] | None = None,
) -> list[PerformedRow]:
    """A plan written out as performed rows: one row per carer per assigned visit, as planned."""
    rows: list[PerformedRow] = []
    citizens = citizens or {}
    line = 1
    for pv in sorted(planned, key=lambda p: (p.date, p.start or 0, p.id)):
        start = pv.start_at
        if start is None:
            continue
        end = start + dt.timedelta(minutes=pv.duration)
        facts = citizens.get(pv.citizen)
        for c in pv.carers:
            line += 1
            rows.append(
                PerformedRow(
                    line=line,
                    citizen=pv.citizen,
                    carer=c,
                    start=start,
                    end=end,
                    visit=pv.id,
                    need=pv.need,
                    team=facts.team if facts else None,
                    birth_year=facts.birth_year if facts else None,
                )
            )
    return rows


def audit_plan(instance: Mapping[str, Any], plan: Mapping[str, Any]) -> AuditInput:
    """An AuditInput for a plan: 14-day periods and coverage follow the instance's days, as the verifier."""
    planned = instance_planned(instance, plan)
    citizens = instance_citizens(instance)
    start_date = dt.date.fromisoformat(instance["start_date"])
    days = int(instance.get("days", 1 + max((p.date - start_date).days for p in planned.values())))
    return AuditInput(
        rows=rows_from_plan(planned.values(), citizens),
        source="plan",
        citizens=citizens,
        planned=planned,
        has_plan=True,
        cap=int(instance.get("max_carers_per_month", 12)),
        anchor=start_date,
        coverage=(start_date, start_date + dt.timedelta(days=days - 1)),
        name=instance.get("name"),
    )
