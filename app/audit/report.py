"""Audit outputs: the per-citizen CSV and a self-contained HTML report (one file, opens offline).

Charts are drawn with matplotlib as SVG and put inline into a Jinja2 template, so the report needs no
network, no scripts and no images beside it. Ids pass through an `Alias` (identity, or the auditor's
pseudonyms); the report never shows names, addresses or notes because the audit never reads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.audit.figures import Audit
from app.audit.inputs import NO_TEAM, Alias, plain
from app.audit.reality import planned_carers_by_month
from app.audit.stats import month_label

TEMPLATES = Path(__file__).resolve().parents[1] / "web" / "templates" / "report"
CSV_COLUMNS = (
    "citizen",
    "team",
    "period_kind",
    "period",
    "distinct_carers",
    "visits",
    "contact_carer_share",
    "new_face_visits",
    "over_cap",
    "national_measured",
    "national_staff",
    "national_excluded",
)


def citizen_csv(
    audit: Audit, national_people: list[dict[str, Any]] | None = None, alias: Alias = plain
) -> str:
    """One row per citizen and period (month and 14-day), with the national measure for 14-day rows."""
    nat = {(p["citizen"], p["period"]): p for p in national_people or []}
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in audit.citizen_rows(plain):
        n = nat.get((row["citizen"], row["period"])) if row["period_kind"] == "14d" else None
        row["national_measured"] = "" if n is None else n["excluded"] is None
        row["national_staff"] = "" if n is None or n["staff"] is None else n["staff"]
        row["national_excluded"] = "" if n is None or n["excluded"] is None else n["excluded"]
        row["citizen"] = alias("citizen", row["citizen"])
        row["contact_carer_share"] = "" if row["contact_carer_share"] is None else row["contact_carer_share"]
        w.writerow(row)
    return buf.getvalue()


# --- charts ------------------------------------------------------------------------------------------


def svg_text(fig: Any, salt: str) -> str:
    import matplotlib

    matplotlib.rcParams["svg.hashsalt"] = salt  # stable ids: the same data gives the same file
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams.update(
        {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    )
    import matplotlib.pyplot as plt

    return plt


def _same(text: str, **values: Any) -> str:
    return text.format(**values) if values else text


@dataclass(frozen=True)
class ChartWords:
    """How a chart or report speaks to its reader: the words of its labels (English text in, the reader's
    language out, with `{name}` values filled), teams by name rather than id, the decimal mark (a comma in
    Swedish), machine messages (a worst case's why) and need names in the reader's words."""

    say: Callable[..., str] = _same
    names: Mapping[str, str] = field(default_factory=dict)
    decimal: str = "."
    message: Callable[[str], str] = str
    need: Callable[[str], str] = str
    lang: str = "en"

    def team(self, team: str) -> str:
        return self.say("all teams") if team == "(all)" else self.names.get(team, team)

    def number(self, value: Any) -> str:
        """A figure as printed: a dash for none, the reader's decimal mark."""
        if value is None:
            return "—"
        return str(value).replace(".", self.decimal) if isinstance(value, float) else str(value)

    def numbers(self, ax: Any) -> None:
        if self.decimal != ".":
            from matplotlib.ticker import FuncFormatter

            fmt = FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", self.decimal))
            ax.yaxis.set_major_formatter(fmt)


ENGLISH = ChartWords()


def chart_distribution(figures: Mapping[str, Any], words: ChartWords = ENGLISH) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3))
    for key, label, offset, color in (
        ("distribution_month", "calendar month", -0.2, "#2b6cb0"),
        ("distribution_14d", "14-day period", 0.2, "#9c4221"),
    ):
        dist = figures.get(key) or {}
        xs = [int(k) + offset for k in dist]
        ax.bar(xs, list(dist.values()), width=0.4, label=words.say(label), color=color)
    cap = figures.get("cap")
    if cap:
        ax.axvline(cap + 0.5, color="#c53030", linestyle="--", linewidth=1)
        ax.text(cap + 0.6, ax.get_ylim()[1] * 0.9, f"{words.say('cap')} {cap}", color="#c53030")
    ax.set_xlabel(words.say("distinct carers met by one citizen"))
    ax.set_ylabel(words.say("citizens × periods"))
    words.numbers(ax)
    ax.legend(frameon=False)
    return svg_text(fig, "distribution")


def chart_trend(audit: Audit, figures: Mapping[str, Any], words: ChartWords = ENGLISH) -> str:
    """Mean distinct carers per citizen, per team: by month when there are several, else by 14-day period."""
    plt = pyplot()
    trend = figures.get("trend") or []
    months = sorted({t["month"] for t in trend})
    if len(months) > 1:
        points = [(t["team"], t["month"], t["mean"]) for t in trend]
        xlabel = "month"
    else:
        points = [(t["team"], t["period"][:10], t["mean"]) for t in audit.trend_14d()]
        xlabel = "14-day period starting"
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for team, x, y in points:
        series[team][x] = y
    xs = sorted({x for _, x, _ in points})
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for team in sorted(series):
        ys = [series[team].get(x) for x in xs]
        is_all = team == "(all)"
        ax.plot(
            xs,
            ys,
            marker="o",
            linewidth=2.5 if is_all else 1,
            color="black" if is_all else None,
            label=words.team(team),
            alpha=1 if is_all else 0.7,
        )
    ax.set_xlabel(words.say(xlabel))
    ax.set_ylabel(words.say("mean distinct carers"))
    words.numbers(ax)
    if 0 < len(series) <= 24:  # an empty month has no lines to name
        ax.legend(
            frameon=False,
            fontsize=7,
            ncol=max(1, len(series) // 8),
            bbox_to_anchor=(1.01, 1),
            loc="upper left",
        )
    return svg_text(fig, "trend")


def chart_plan_vs_reality(audit: Audit, words: ChartWords = ENGLISH) -> str | None:
    """Per team, mean distinct carers per citizen-month: as planned and as performed."""
    if not (audit.inp.has_plan and audit.inp.source == "performed"):
        return None
    planned = planned_carers_by_month(audit.inp.planned.values())
    per_team: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for key, m in audit.met_month.items():
        t = audit.team_of.get(key[0], NO_TEAM)
        per_team[t][0].append(len(planned.get(key, ())))
        per_team[t][1].append(len(m.first))
    if not per_team:
        return None
    plt = pyplot()
    teams = sorted(per_team)
    fig, ax = plt.subplots(figsize=(7, 3))
    xs = range(len(teams))
    ax.bar(
        [x - 0.2 for x in xs],
        [statistics.fmean(per_team[t][0]) for t in teams],
        width=0.4,
        label=words.say("planned"),
        color="#718096",
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [statistics.fmean(per_team[t][1]) for t in teams],
        width=0.4,
        label=words.say("performed"),
        color="#2b6cb0",
    )
    crowded = len(teams) > 8
    ax.set_xticks(
        list(xs),
        [words.team(t) for t in teams],
        rotation=45 if crowded else 0,
        ha="right" if crowded else "center",
    )
    ax.set_ylabel(words.say("mean distinct carers / month"))
    words.numbers(ax)
    ax.legend(frameon=False)
    return svg_text(fig, "planreality")


def chart_standard_minutes(figures: Mapping[str, Any], words: ChartWords = ENGLISH) -> str | None:
    needs = (figures.get("standard_minutes") or {}).get("needs") or {}
    if not needs or figures.get("source") != "performed":
        return None
    plt = pyplot()
    names = sorted(needs)
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(names) + 1))
    ax.barh([words.need(n) for n in names], [needs[n]["within_5_min_share"] or 0 for n in names],
            color="#2f855a")
    ax.set_xlim(0, 1)
    ax.set_xlabel(words.say("share of visits within ±5 min of the planned (standard) minutes"))
    words.numbers(ax)
    for i, n in enumerate(names):
        difference = f"{needs[n]['difference_median']:+g}".replace(".", words.decimal)
        ax.text(
            min(0.98, (needs[n]["within_5_min_share"] or 0) + 0.01),
            i,
            words.say("median {difference} min", difference=difference),
            va="center",
            fontsize=7,
        )
    return svg_text(fig, "standard")


# --- HTML --------------------------------------------------------------------------------------------


def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(
    audit: Audit,
    figures: Mapping[str, Any],
    *,
    alias: Alias = plain,
    title: str | None = None,
    pseudonymised: bool = False,
    words: ChartWords = ENGLISH,
) -> str:
    """The whole report as one HTML string (inline SVG charts, inline CSS, no scripts, no links out), in
    the words of `words` (English by default)."""
    say = words.say
    scope = figures.get("scope") or {}
    what = " · ".join(
        x
        for x in (
            scope.get("team") and say("team {team}", team=words.team(scope["team"])),
            scope.get("month") and say("month {month}", month=scope["month"]),
        )
        if x
    )
    charts = {
        "distribution": chart_distribution(figures, words),
        "trend": chart_trend(audit, figures, words),
        "plan_vs_reality": chart_plan_vs_reality(audit, words),
        "standard_minutes": chart_standard_minutes(figures, words),
    }
    name = figures.get("name")
    return (
        _env()
        .get_template("audit.html.j2")
        .render(
            title=title or (say("Continuity audit") + (f": {name}" if name else "")),
            scope=what or say("all teams, all months"),
            f=figures,
            charts=charts,
            pseudonymised=pseudonymised,
            generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            month_label=month_label,
            _=say,
            num=words.number,
            msg=words.message,
            need=words.need,
            team=words.team,
            lang=words.lang,
        )
    )
