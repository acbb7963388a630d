"""Continuity figures: who met whom, how often, and why, counted once per audit (`Audit`, `run_audit`).

Everything is counted from `PerformedRow`s (one carer at one visit) grouped into visits
(app/audit/grouping.py); a plan is counted as rows (app/audit/inputs.py), so plans and reality are
counted by the same code. The distinct-carer summaries are computed exactly as
../shared/tools/verify_plan.py computes them (app/audit/stats.py). Plan versus reality and standard
minutes are app/audit/reality.py.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.audit import reality
from app.audit.grouping import VisitGroup, group_visits, link_visits, new_face_visits
from app.audit.inputs import NO_TEAM, Alias, AuditInput, plain
from app.audit.national import national_measure
from app.audit.performed import PerformedRow
from app.audit.stats import (
    PERIOD_DAYS,
    MonthKey,
    distribution,
    month_label,
    period_bounds,
    period_label,
    share,
    summary,
)


@dataclass(slots=True)
class _Met:
    """Carers a citizen met in one period, in order of first meeting, with visit counts."""

    first: dict[str, VisitGroup] = field(default_factory=dict)
    visits: Counter[str] = field(default_factory=Counter)
    n_visits: int = 0
    contact_hits: int = 0
    contact_total: int = 0
    new_face_visits: int = 0


def _met_table(
    groups: list[VisitGroup],
    period_of: Callable[[dt.date], Any],
    contact_of: Mapping[str, str | None],
    new_face: set[int],
) -> dict[tuple[str, Any], _Met]:
    """(citizen, period) -> who the citizen met in that period; `period_of` maps a date to its period."""
    table: dict[tuple[str, Any], _Met] = {}
    period_cache: dict[dt.date, Any] = {}
    for g in groups:
        d = g.start.date()
        period = period_cache.get(d)
        if period is None:
            period = period_cache[d] = period_of(d)
        key = (g.citizen, period)
        m = table.get(key)
        if m is None:
            m = table[key] = _Met()
        m.n_visits += 1
        for c in g.carers:
            if c not in m.first:
                m.first[c] = g
            m.visits[c] += 1
        contact = contact_of.get(g.citizen)
        if contact:
            m.contact_total += 1
            m.contact_hits += contact in g.carers
        if id(g) in new_face:
            m.new_face_visits += 1
    return table


def _start_spread(groups: Iterable[VisitGroup]) -> tuple[float, dict[str, float], int]:
    """Per (citizen, need), the population SD of start minutes over its visits (as the verifier);
    the mean over (citizen, need) pairs, the mean per need, and visits without a known need."""
    starts: dict[tuple[str, str], list[int]] = defaultdict(list)
    unknown = 0
    for g in groups:
        if g.need is None:
            unknown += 1
            continue
        starts[(g.citizen, g.need)].append(g.start_minute)
    sds = {k: statistics.pstdev(v) for k, v in starts.items() if len(v) > 1}
    per_need: dict[str, list[float]] = defaultdict(list)
    for (_, need), sd in sds.items():
        per_need[need].append(sd)
    overall = round(statistics.fmean(sds.values()), 1) if sds else 0
    return overall, {n: round(statistics.fmean(v), 1) for n, v in sorted(per_need.items())}, unknown


def _summaries(tables: Mapping[Any, _Met]) -> dict[str, Any]:
    counts = [len(m.first) for m in tables.values()]
    return {**summary(counts), "pairs": len(counts), "distribution": distribution(counts)}


class Audit:
    """Counts once; `figures()` gives the JSON-ready figures, `citizen_rows()` the per-citizen table."""

    def __init__(self, inp: AuditInput, *, month: MonthKey | None = None, team: str | None = None) -> None:
        self.inp = inp
        self.month = month
        self.team = team
        self.anchor = inp.first_day() or dt.date(1970, 1, 1)
        facts = inp.citizens
        self.team_of: dict[str, str] = {}
        for r in inp.rows:
            if r.citizen not in self.team_of:
                f = facts.get(r.citizen)
                self.team_of[r.citizen] = (f.team if f and f.team else None) or r.team or NO_TEAM
        rows = inp.rows
        if team is not None:
            rows = [r for r in rows if self.team_of.get(r.citizen) == team]
        self.all_groups = group_visits(rows)
        self.unlinked = link_visits(self.all_groups, inp.planned) if inp.planned else len(self.all_groups)
        self.new_face = new_face_visits(self.all_groups)
        if month is None:
            self.groups_month = self.groups_14 = self.all_groups
        else:
            self.groups_month = [g for g in self.all_groups if (g.start.year, g.start.month) == month]
            self.groups_14 = [g for g in self.all_groups if self._period_start_in_month(g.start.date())]
        contact_of = {p: f.contact for p, f in facts.items()}
        self.national_people: list[dict[str, Any]] = []  # per (citizen, period), set by run_audit
        anchor = self.anchor
        self.met_month: dict[tuple[str, Any], _Met] = _met_table(
            self.groups_month, lambda d: (d.year, d.month), contact_of, self.new_face
        )
        self.met_14: dict[tuple[str, Any], _Met] = _met_table(
            self.groups_14, lambda d: (d - anchor).days // PERIOD_DAYS, contact_of, self.new_face
        )

    def _team_of_citizen(self, citizen: str) -> str:
        """The team the citizen facts name, else the one their performed rows name."""
        facts = self.inp.citizens.get(citizen)
        return (facts.team if facts and facts.team else None) or self.team_of.get(citizen, NO_TEAM)

    def _period_start_in_month(self, d: dt.date) -> bool:
        first, _ = period_bounds(self.anchor, (d - self.anchor).days // PERIOD_DAYS)
        return (first.year, first.month) == self.month

    @property
    def rows_month(self) -> list[PerformedRow]:
        return [r for g in self.groups_month for r in g.rows]

    @property
    def rows_14(self) -> list[PerformedRow]:
        return [r for g in self.groups_14 for r in g.rows]

    # -- figures --

    def figures(
        self,
        alias: Alias = plain,
        worst: int = 10,
        national: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        groups = self.groups_month
        rows = self.rows_month
        contact_total = sum(m.contact_total for m in self.met_month.values())
        contact_hits = sum(m.contact_hits for m in self.met_month.values())
        sd, sd_by_need, no_need = _start_spread(groups)
        new_faces = sum(1 for g in groups if id(g) in self.new_face)
        dates = [g.start.date() for g in groups]
        out: dict[str, Any] = {
            "source": self.inp.source,
            "name": self.inp.name,
            "scope": {"team": self.team, "month": month_label(self.month) if self.month else None},
            "first_date": min(dates).isoformat() if dates else None,
            "last_date": max(dates).isoformat() if dates else None,
            "period_anchor": self.anchor.isoformat(),
            "rows": len(rows),
            "visits": len(groups),
            "citizens": len({g.citizen for g in groups}),
            "carers": len({r.carer for r in rows}),
            "distinct_carers_per_citizen_month": summary([len(m.first) for m in self.met_month.values()]),
            "distinct_carers_per_citizen_14d": summary([len(m.first) for m in self.met_14.values()]),
            "distribution_month": distribution(len(m.first) for m in self.met_month.values()),
            "distribution_14d": distribution(len(m.first) for m in self.met_14.values()),
            "contact_carer_share": share(contact_hits, contact_total),
            "start_time_sd_minutes": sd,
            "start_time_sd_by_need": sd_by_need,
            "visits_without_need": no_need,
            "new_faces": {"visits": new_faces, "share": share(new_faces, len(groups))},
            "cap": self.inp.cap,
            "cap_breaches": self.cap_breaches(alias),
            "teams": self.team_figures(),
            "trend": self.trend(),
        }
        if national is not None:
            out["national_14d"] = national
        out["plain_distinct_staff"] = {
            "per_14d": _summaries(self.met_14),
            "per_month": _summaries(self.met_month),
            "note": "every visit counted (all kinds, all hours, all roles), for other countries' reporting",
        }
        if self.inp.planned:
            out["standard_minutes"] = self.standard_minutes(alias)
        if self.inp.has_plan and self.inp.source == "performed":
            out["plan_vs_reality"] = self.plan_vs_reality(alias)
        if self.inp.has_plan:
            out["unplaced_by_priority"] = self.unplaced_by_priority()
        out["worst_cases"] = self.worst_cases(alias, worst)
        return out

    def cap_breaches(self, alias: Alias = plain) -> list[dict[str, Any]]:
        cap = self.inp.cap
        out = []
        for (citizen, month), m in sorted(self.met_month.items(), key=lambda kv: (-len(kv[1].first), kv[0])):
            if len(m.first) <= cap:
                continue
            over = list(m.first.items())[cap:]  # carers in order of first meeting: the (cap+1)-th onwards
            out.append(
                {
                    "citizen": alias("citizen", citizen),
                    "team": self.team_of.get(citizen, NO_TEAM),
                    "month": month_label(month),
                    "distinct_carers": len(m.first),
                    "over_by": len(m.first) - cap,
                    "caused_by": [
                        {
                            "carer": alias("carer", c),
                            "visit": alias("visit", g.label) if g.label else None,
                            "at": g.start.isoformat(timespec="minutes"),
                            "visits_in_month": m.visits[c],
                        }
                        for c, g in over
                    ],
                }
            )
        return out

    def team_figures(self) -> dict[str, Any]:
        by_team_m: dict[str, list[_Met]] = defaultdict(list)
        by_team_14: dict[str, list[_Met]] = defaultdict(list)
        for (p, _), m in self.met_month.items():
            by_team_m[self.team_of.get(p, NO_TEAM)].append(m)
        for (p, _), m in self.met_14.items():
            by_team_14[self.team_of.get(p, NO_TEAM)].append(m)
        out = {}
        for t in sorted(set(by_team_m) | set(by_team_14)):
            ms = by_team_m.get(t, [])
            ct = sum(m.contact_total for m in ms)
            out[t] = {
                "citizens": len({p for (p, _) in self.met_month if self.team_of.get(p) == t}),
                "visits": sum(m.n_visits for m in ms),
                "distinct_carers_per_citizen_month": summary([len(m.first) for m in ms]),
                "distinct_carers_per_citizen_14d": summary([len(m.first) for m in by_team_14.get(t, [])]),
                "contact_carer_share": share(sum(m.contact_hits for m in ms), ct),
                "new_face_visits": sum(m.new_face_visits for m in ms),
                "cap_breaches": sum(1 for m in ms if len(m.first) > self.inp.cap),
            }
        return out

    def trend(self) -> list[dict[str, Any]]:
        """Month by month, per team and for everyone: the mean and max of distinct carers per citizen."""
        cells: dict[tuple[str, MonthKey], list[int]] = defaultdict(list)
        for (p, month), m in self.met_month.items():
            cells[(self.team_of.get(p, NO_TEAM), month)].append(len(m.first))
            cells[("(all)", month)].append(len(m.first))
        return [
            {"team": t, "month": month_label(mk), **summary(v), "citizens": len(v)}
            for (t, mk), v in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]

    def trend_14d(self) -> list[dict[str, Any]]:
        cells: dict[tuple[str, int], list[int]] = defaultdict(list)
        for (p, idx), m in self.met_14.items():
            cells[(self.team_of.get(p, NO_TEAM), idx)].append(len(m.first))
            cells[("(all)", idx)].append(len(m.first))
        return [
            {"team": t, "period": period_label(self.anchor, i), **summary(v)}
            for (t, i), v in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        ]

    def unplaced_by_priority(self) -> dict[str, int]:
        """The plan's unplaced visits in scope, per priority ("1" must, "2" should, "3" may wait), as the
        verifier reports them."""
        counts = {"1": 0, "2": 0, "3": 0}
        days = self.inp.plan_days
        for pv in self.inp.planned.values():
            if pv.start is not None or (days is not None and not days[0] <= pv.date <= days[1]):
                continue
            if self.team is not None and self._team_of_citizen(pv.citizen) != self.team:
                continue
            if self.month is not None and (pv.date.year, pv.date.month) != self.month:
                continue
            counts[str(pv.priority)] = counts.get(str(pv.priority), 0) + 1
        return counts

    def standard_minutes(self, alias: Alias = plain) -> dict[str, Any]:
        """For each need, performed duration against the planned (standard) duration."""
        return reality.standard_minutes(self.groups_month, self.team_of, alias)

    def plan_vs_reality(self, alias: Alias = plain) -> dict[str, Any]:
        """Where the performed visits differ from the plan, and what that cost in continuity."""
        planned = [
            pv
            for pv in self.inp.planned.values()
            if (self.team is None or self._team_of_citizen(pv.citizen) == self.team)
            and (self.month is None or (pv.date.year, pv.date.month) == self.month)
        ]
        met = {key: list(m.first) for key, m in self.met_month.items()}
        return reality.plan_vs_reality(planned, self.groups_month, met, alias)

    def worst_cases(self, alias: Alias = plain, n: int = 10) -> list[dict[str, Any]]:
        """The citizen-months with most distinct carers, and what made them so."""
        ranked = sorted(self.met_month.items(), key=lambda kv: (-len(kv[1].first), -kv[1].n_visits, kv[0]))[
            :n
        ]
        planned_met: dict[tuple[str, MonthKey], set[str]] = {}
        if self.inp.has_plan and self.inp.source == "performed":
            planned_met = reality.planned_carers_by_month(self.inp.planned.values())
        out = []
        for (citizen, month), m in ranked:
            once = [c for c, k in m.visits.items() if k == 1]
            contact_share = share(m.contact_hits, m.contact_total)
            reasons = []
            if len(m.first) > self.inp.cap:
                reasons.append(f"over the cap of {self.inp.cap} by {len(m.first) - self.inp.cap}")
            if once:
                reasons.append(f"{len(once)} of {len(m.first)} carers came only once")
            if contact_share is not None:
                reasons.append(
                    f"contact carer made {round(100 * contact_share)}% of {m.contact_total} visits"
                )
            if m.new_face_visits:
                reasons.append(f"{m.new_face_visits} visits brought a carer not met before")
            p_set = planned_met.get((citizen, month))
            if p_set is not None and len(m.first) > len(p_set):
                reasons.append(f"plan had {len(p_set)} carers, reality added {len(m.first) - len(p_set)}")
            out.append(
                {
                    "citizen": alias("citizen", citizen),
                    "team": self.team_of.get(citizen, NO_TEAM),
                    "month": month_label(month),
                    "distinct_carers": len(m.first),
                    "visits": m.n_visits,
                    "carers_once": len(once),
                    "contact_carer_share": contact_share,
                    "new_face_visits": m.new_face_visits,
                    "why": "; ".join(reasons),
                }
            )
        return out

    def citizen_rows(self, alias: Alias = plain) -> list[dict[str, Any]]:
        """One row per citizen and period (calendar month and 14-day period), for CSV export."""
        out = []
        tables: tuple[tuple[str, Mapping[tuple[str, Any], _Met]], ...] = (
            ("month", self.met_month),
            ("14d", self.met_14),
        )
        for kind, table in tables:
            for (citizen, key), m in sorted(table.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
                label = month_label(key) if kind == "month" else period_label(self.anchor, key)
                out.append(
                    {
                        "citizen": alias("citizen", citizen),
                        "team": self.team_of.get(citizen, NO_TEAM),
                        "period_kind": kind,
                        "period": label,
                        "distinct_carers": len(m.first),
                        "visits": m.n_visits,
                        "contact_carer_share": share(m.contact_hits, m.contact_total),
                        "new_face_visits": m.new_face_visits,
                        "over_cap": kind == "month" and len(m.first) > self.inp.cap,
                    }
                )
        return out


def run_audit(
    inp: AuditInput,
    *,
    month: MonthKey | None = None,
    team: str | None = None,
    alias: Alias = plain,
    worst: int = 10,
) -> tuple[Audit, dict[str, Any]]:
    """Count everything once: the figures (with the national measure) and the Audit for tables/reports."""
    audit = Audit(inp, month=month, team=team)
    coverage = inp.days_covered()
    national: dict[str, Any] | None = None
    if coverage is not None:
        years = {r.citizen: r.birth_year for r in inp.rows if r.birth_year is not None}
        national = national_measure(
            audit.rows_14,
            inp.citizens,
            anchor=audit.anchor,
            coverage=coverage,
            birth_years=years,
            details=True,
        )
        audit.national_people = national.pop("people")
    return audit, audit.figures(alias, worst=worst, national=national)
