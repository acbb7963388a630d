"""Continuity figures from a plan or from performed visits: who met whom, how often, and why.

Everything is counted from `PerformedRow`s (one carer at one visit). A plan becomes rows with
`rows_from_plan`, so plans and reality are counted by the same code. The distinct-carer summaries are
computed exactly as ../shared/tools/verify_plan.py computes them (all (citizen, period) pairs that have
a visit; mean rounded to 2 decimals, `statistics.median`, p90 = the ceil(0.9 n)-th smallest value).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from app.audit.performed import CitizenFacts, PerformedRow

K = TypeVar("K", bound=Hashable)  # what a new face is reported against (a visit, an assignment)
C = TypeVar("C", bound=Hashable)  # a carer's id

NO_TEAM = "(no team)"
PERIOD_DAYS = 14
WITHIN_MINUTES = 5  # "standard minutes fit" when performed duration is within ±5 min of the plan
LINK_SLACK_MINUTES = 120  # an unlabelled performed visit links to a planned one at most this far off
MonthKey = tuple[int, int]


# --- inputs ------------------------------------------------------------------------------------------


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


# --- grouping rows into visits ----------------------------------------------------------------------


@dataclass(slots=True)
class VisitGroup:
    """One visit as it happened: the rows of the carers who attended it together."""

    citizen: str
    start: dt.datetime
    end: dt.datetime
    carers: list[str]
    rows: list[PerformedRow]
    label: str | None  # the planned visit id given in the file
    planned: PlannedVisit | None = None  # linked planned visit (given or inferred)
    need: str | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute


def group_visits(rows: Iterable[PerformedRow]) -> list[VisitGroup]:
    """Rows of the same planned visit (or, without a visit id, same citizen and start) form one visit."""
    groups: dict[tuple[Any, ...], VisitGroup] = {}
    for r in rows:
        key: tuple[Any, ...] = (r.citizen, "v", r.visit) if r.visit else (r.citizen, "t", r.start)
        g = groups.get(key)
        if g is None:
            groups[key] = VisitGroup(
                citizen=r.citizen,
                start=r.start,
                end=r.end,
                carers=[r.carer],
                rows=[r],
                label=r.visit,
                need=r.need,
            )
        else:
            g.rows.append(r)
            if r.carer not in g.carers:
                g.carers.append(r.carer)
            g.start = min(g.start, r.start)
            g.end = max(g.end, r.end)
            g.need = g.need or r.need
    out = list(groups.values())
    out.sort(key=lambda g: (g.start, g.citizen))
    return out


def link_visits(groups: list[VisitGroup], planned: Mapping[str, PlannedVisit]) -> int:
    """Link performed visits to planned ones: by the id given, else the nearest free planned visit of the
    citizen that day (window containing the start first, same need preferred) within 2 hours.
    Returns how many performed visits stay unlinked."""
    if not planned:
        return len(groups)
    by_day: dict[tuple[str, dt.date], list[PlannedVisit]] = defaultdict(list)
    for pv in planned.values():
        by_day[(pv.citizen, pv.date)].append(pv)
    taken: set[str] = set()
    for g in groups:
        if g.label is not None and g.label in planned:
            g.planned = planned[g.label]
            taken.add(g.label)
    unlinked = 0
    for g in groups:
        if g.planned is not None:
            g.need = g.need or g.planned.need
            continue
        best: tuple[Any, ...] | None = None
        minute = g.start_minute
        for pv in by_day.get((g.citizen, g.start.date()), ()):
            if pv.id in taken:
                continue
            aim = pv.start if pv.start is not None else min(max(minute, pv.earliest), pv.latest)
            off = abs(minute - aim)
            in_window = pv.earliest <= minute <= pv.latest
            if off > LINK_SLACK_MINUTES and not in_window:
                continue
            score = (not in_window, g.need is not None and g.need != pv.need, off, pv.id)
            if best is None or score < best[0]:
                best = (score, pv)
        if best is None:
            unlinked += 1
            continue
        g.planned = best[1]
        taken.add(best[1].id)
        g.need = g.need or best[1].need
    return unlinked


# --- counting helpers ---------------------------------------------------------------------------------


def summary(values: list[int]) -> dict[str, Any]:
    """Exactly verify_plan.py's summary (same rounding, same median, same p90)."""
    if not values:
        return {"mean": 0, "median": 0, "p90": 0, "max": 0}
    s = sorted(values)
    return {
        "mean": round(statistics.fmean(s), 2),
        "median": statistics.median(s),
        "p90": s[min(len(s) - 1, math.ceil(0.9 * len(s)) - 1)],
        "max": s[-1],
    }


def distribution(values: Iterable[int]) -> dict[str, int]:
    c = Counter(values)
    return {str(k): c[k] for k in sorted(c)}


def month_label(m: MonthKey) -> str:
    return f"{m[0]}-{m[1]:02d}"


def period_bounds(anchor: dt.date, index: int) -> tuple[dt.date, dt.date]:
    first = anchor + dt.timedelta(days=PERIOD_DAYS * index)
    return first, first + dt.timedelta(days=PERIOD_DAYS - 1)


def period_label(anchor: dt.date, index: int) -> str:
    a, b = period_bounds(anchor, index)
    return f"{a.isoformat()}..{b.isoformat()}"


def _share(hits: int, total: int, digits: int = 3) -> float | None:
    return round(hits / total, digits) if total else None


def _quantile(sorted_values: list[int], q: float) -> int:
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(q * len(sorted_values)) - 1))]


Alias = Callable[[str, str], str]  # (kind, id) -> shown id; kind is "citizen", "carer" or "visit"


def plain(kind: str, value: str) -> str:
    return value


# --- the audit ---------------------------------------------------------------------------------------


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


def new_faces(events: Iterable[tuple[K, Hashable, dt.date, Iterable[C]]]) -> set[tuple[K, C]]:
    """The new-face rule, for the audit and the pages alike: from chronological events (key, citizen,
    day, carers), the (key, carer) pairs where the citizen meets a carer not met before in the data.
    The citizen's first day in the data has no history, so nothing on it counts as a new face."""
    known: dict[Hashable, set[C]] = defaultdict(set)
    first_day: dict[Hashable, dt.date] = {}
    out: set[tuple[K, C]] = set()
    for key, citizen, day, carers in events:
        fd = first_day.setdefault(citizen, day)
        seen = known[citizen]
        carers = list(carers)
        if day != fd:
            out.update((key, c) for c in carers if c not in seen)
        seen.update(carers)
    return out


def _new_face_visits(groups: list[VisitGroup]) -> set[int]:
    """Visits where a carer came whom the citizen had not met before in the audited data."""
    return {key for key, _ in new_faces((id(g), g.citizen, g.start.date(), g.carers) for g in groups)}


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
        self.new_face = _new_face_visits(self.all_groups)
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
            "contact_carer_share": _share(contact_hits, contact_total),
            "start_time_sd_minutes": sd,
            "start_time_sd_by_need": sd_by_need,
            "visits_without_need": no_need,
            "new_faces": {"visits": new_faces, "share": _share(new_faces, len(groups))},
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
                "contact_carer_share": _share(sum(m.contact_hits for m in ms), ct),
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

    def standard_minutes(self, alias: Alias = plain) -> dict[str, Any]:
        """For each need, performed duration against the planned (standard) duration."""
        diffs: dict[str, list[int]] = defaultdict(list)
        planned_min: dict[str, list[int]] = defaultdict(list)
        per_citizen: dict[tuple[str, str], list[int]] = defaultdict(list)
        for g in self.groups_month:
            if g.planned is None:
                continue
            d = g.minutes - g.planned.duration
            diffs[g.planned.need].append(d)
            planned_min[g.planned.need].append(g.planned.duration)
            per_citizen[(g.citizen, g.planned.need)].append(d)
        needs = {}
        for need, ds in sorted(diffs.items()):
            s = sorted(ds)
            needs[need] = {
                "visits": len(s),
                "planned_minutes_mean": round(statistics.fmean(planned_min[need]), 1),
                "performed_minutes_mean": round(statistics.fmean(planned_min[need]) + statistics.fmean(s), 1),
                "within_5_min_share": _share(sum(1 for x in s if abs(x) <= WITHIN_MINUTES), len(s)),
                "difference_mean": round(statistics.fmean(s), 1),
                "difference_median": statistics.median(s),
                "difference_p10": _quantile(s, 0.1),
                "difference_p90": _quantile(s, 0.9),
                "difference_distribution": _binned(s),
            }
        misfits: list[dict[str, Any]] = []
        for (citizen, need), ds in per_citizen.items():
            if len(ds) < 3:
                continue
            med = statistics.median(ds)
            within = sum(1 for x in ds if abs(x) <= WITHIN_MINUTES) / len(ds)
            if abs(med) > WITHIN_MINUTES and within < 0.5:
                misfits.append(
                    {
                        "citizen": alias("citizen", citizen),
                        "team": self.team_of.get(citizen, NO_TEAM),
                        "need": need,
                        "visits": len(ds),
                        "median_difference": med,
                        "within_5_min_share": round(within, 3),
                    }
                )
        misfits.sort(key=lambda x: (-abs(x["median_difference"]), x["citizen"], x["need"]))
        linked = sum(1 for g in self.groups_month if g.planned is not None)
        return {
            "needs": needs,
            "misfits": misfits[:50],
            "misfit_count": len(misfits),
            "linked_visits": linked,
            "unlinked_visits": len(self.groups_month) - linked,
            "note": "difference = performed minus planned minutes; a misfit is a citizen's need with at "
            "least 3 visits, median difference beyond ±5 min and fewer than half within ±5 min",
        }

    def plan_vs_reality(self, alias: Alias = plain) -> dict[str, Any]:
        """Where the performed visits differ from the plan, and what that cost in continuity."""
        month = self.month
        planned = [
            pv
            for pv in self.inp.planned.values()
            if (self.team is None or self._team_of_citizen(pv.citizen) == self.team)
            and (month is None or (pv.date.year, pv.date.month) == month)
        ]
        performed_of: dict[str, VisitGroup] = {
            g.planned.id: g for g in self.groups_month if g.planned is not None
        }
        as_planned = other_carers = shifted = missed = unplanned_done = 0
        new_face_substitutions = 0
        start_diffs: list[int] = []
        planned_met: dict[tuple[str, MonthKey], set[str]] = defaultdict(set)
        for pv in planned:
            if pv.start is not None:
                planned_met[(pv.citizen, (pv.date.year, pv.date.month))].update(pv.carers)
        substitutions: list[dict[str, Any]] = []
        for pv in planned:
            g = performed_of.get(pv.id)
            if pv.start is None:
                unplanned_done += g is not None
                continue
            if g is None:
                missed += 1
                continue
            diff = g.start_minute - pv.start
            start_diffs.append(diff)
            if abs(diff) > 15:
                shifted += 1
            if set(g.carers) == set(pv.carers):
                as_planned += 1
                continue
            other_carers += 1
            month_set = planned_met[(pv.citizen, (pv.date.year, pv.date.month))]
            strangers = [c for c in g.carers if c not in month_set]
            if strangers:
                new_face_substitutions += 1
            if len(substitutions) < 200:
                substitutions.append(
                    {
                        "citizen": alias("citizen", pv.citizen),
                        "visit": alias("visit", pv.id),
                        "at": g.start.isoformat(timespec="minutes"),
                        "planned": [alias("carer", c) for c in pv.carers],
                        "performed": [alias("carer", c) for c in g.carers],
                        "new_to_citizen_this_month": [alias("carer", c) for c in strangers],
                    }
                )
        extra = sum(1 for g in self.groups_month if g.planned is None)
        cost: list[dict[str, Any]] = []
        planned_counts = []
        performed_counts = []
        for key, m in self.met_month.items():
            p_set = planned_met.get(key, set())
            planned_counts.append(len(p_set))
            performed_counts.append(len(m.first))
            if len(m.first) > len(p_set):
                cost.append(
                    {
                        "citizen": alias("citizen", key[0]),
                        "month": month_label(key[1]),
                        "planned": len(p_set),
                        "performed": len(m.first),
                        "added_carers": [alias("carer", c) for c in m.first if c not in p_set],
                    }
                )
        cost.sort(key=lambda x: (-(x["performed"] - x["planned"]), x["citizen"]))
        sd = sorted(start_diffs)
        return {
            "planned_visits": sum(1 for pv in planned if pv.start is not None),
            "performed_as_planned": as_planned,
            "performed_by_other_carers": other_carers,
            "substitutions_bringing_new_faces": new_face_substitutions,
            "started_more_than_15_min_off": shifted,
            "planned_not_performed": missed,
            "performed_without_plan": extra + unplanned_done,
            "start_difference_median": statistics.median(sd) if sd else None,
            "start_difference_distribution": _binned(sd, width=15, limit=120) if sd else {},
            "distinct_carers_month_planned": summary(planned_counts),
            "distinct_carers_month_performed": summary(performed_counts),
            "continuity_cost": {
                "citizen_months_with_more_carers": len(cost),
                "extra_carers_total": sum(x["performed"] - x["planned"] for x in cost),
                "worst": cost[:20],
            },
            "substitutions": substitutions[:50],
        }

    def worst_cases(self, alias: Alias = plain, n: int = 10) -> list[dict[str, Any]]:
        """The citizen-months with most distinct carers, and what made them so."""
        ranked = sorted(self.met_month.items(), key=lambda kv: (-len(kv[1].first), -kv[1].n_visits, kv[0]))[
            :n
        ]
        planned_met: dict[tuple[str, MonthKey], set[str]] = defaultdict(set)
        if self.inp.has_plan and self.inp.source == "performed":
            for pv in self.inp.planned.values():
                if pv.start is not None:
                    planned_met[(pv.citizen, (pv.date.year, pv.date.month))].update(pv.carers)
        out = []
        for (citizen, month), m in ranked:
            once = [c for c, k in m.visits.items() if k == 1]
            contact_share = _share(m.contact_hits, m.contact_total)
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
                reasons.append(f"plan had {len(p_set)} carers; reality added {len(m.first) - len(p_set)}")
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
                        "contact_carer_share": _share(m.contact_hits, m.contact_total),
                        "new_face_visits": m.new_face_visits,
                        "over_cap": kind == "month" and len(m.first) > self.inp.cap,
                    }
                )
        return out


def _binned(values: list[int], width: int = 5, limit: int = 60) -> dict[str, int]:
    """Counts in bins of `width` minutes centred on 0 (…, -7..-3, -2..2, 3..7, …), tails beyond ±limit."""
    c: Counter[str] = Counter()
    for v in values:
        if v < -limit:
            c[f"<-{limit}"] += 1
        elif v > limit:
            c[f">{limit}"] += 1
        else:
            centre = int(math.floor((v + width / 2) / width)) * width
            c[str(centre)] += 1

    def order(k: str) -> float:
        return -1e9 if k.startswith("<") else 1e9 if k.startswith(">") else float(k)

    return {k: c[k] for k in sorted(c, key=order)}


def run_audit(
    inp: AuditInput,
    *,
    month: MonthKey | None = None,
    team: str | None = None,
    alias: Alias = plain,
    worst: int = 10,
) -> tuple[Audit, dict[str, Any]]:
    """Count everything once: the figures (with the national measure) and the Audit for tables/reports."""
    from app.audit.national import national_measure

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
