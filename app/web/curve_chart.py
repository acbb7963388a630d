"""The team's curve of continuity against driving time as a chart: different carers per citizen and
month across, driving hours a week up, one labelled point per continuity setting the team has run, and
the run whose draft the team accepted ringed.

Drawn on the server with matplotlib as SVG (the audit's charts' way, `app.audit.report`), put inline in
the plan-run page: no script, nothing fetched. The SVG carries a <title> and a <desc> that say in words
what it shows, point by point; the table beside it holds the same figures for screen readers and for
copying.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import escape

from app.audit.report import ChartWords, pyplot, svg_text
from app.services.curve import TeamCurve

LINE = "#2b6cb0"
ACCEPTED = "#276749"
TITLE_ID, DESC_ID = "curve-chart-title", "curve-chart-desc"
# Points closer than this share of the axis get their labels on alternate sides, so they do not overlap.
CLOSE = 0.08


def _number(words: ChartWords, value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", words.decimal)


def describe(curve: TeamCurve, words: ChartWords, name: Callable[[str], str]) -> str:
    """The chart in words, point by point: its <desc>."""
    say = words.say
    parts = [say("{setting}: {faces} different carers per citizen and month, {hours} driving hours a week",
                 setting=name(p.setting), faces=_number(words, p.faces_mean, 2),
                 hours=_number(words, p.driving_hours_week)) for p in curve.points]
    text = "; ".join(parts) + "."
    if curve.accepted is not None:
        a = curve.accepted
        text += " " + say("The accepted plan ({setting}): {faces} carers, {hours} hours a week.",
                          setting=name(a.setting), faces=_number(words, a.faces_mean, 2),
                          hours=_number(words, a.driving_hours_week))
    return text


def curve_chart(curve: TeamCurve, words: ChartWords, name: Callable[[str], str]) -> str | None:
    """The SVG of the curve (None with fewer than two settings: a single point is no curve, the table and
    the sentence say what there is)."""
    if len(curve.points) < 2:
        return None
    import matplotlib.ticker

    pyplot()  # the shared settings: Agg, text as text, no top and right spines
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.add_subplot()
    xs = [p.faces_mean for p in curve.points]
    ys = [p.driving_hours_week for p in curve.points]
    ax.plot(xs, ys, color=LINE, linewidth=1.5, marker="o", markersize=6, zorder=2)
    span = (max(xs) - min(xs)) or 1.0
    for i, p in enumerate(curve.points):
        near = i > 0 and abs(p.faces_mean - curve.points[i - 1].faces_mean) < CLOSE * span
        ax.annotate(name(p.setting), (p.faces_mean, p.driving_hours_week), xytext=(6, -14 if near else 6),
                    textcoords="offset points", fontsize=8, color="#1a202c")
    if curve.accepted is not None:
        a = curve.accepted
        ax.plot([a.faces_mean], [a.driving_hours_week], linestyle="none", marker="o", markersize=14,
                markerfacecolor="none", markeredgecolor=ACCEPTED, markeredgewidth=2, zorder=3)
        ax.annotate(words.say("Accepted plan"), (a.faces_mean, a.driving_hours_week), xytext=(8, -18),
                    textcoords="offset points", fontsize=8, color=ACCEPTED, fontweight="bold")
    ax.margins(x=0.25, y=0.25)
    ax.set_xlabel(words.say("Different carers per citizen and month (mean)"))
    ax.set_ylabel(words.say("Driving hours a week"))
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _pos: f"{v:g}".replace(".", words.decimal))
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(fmt)
    ax.grid(True, color="#e2e8f0", linewidth=0.6)
    text = svg_text(fig, "curve")
    title = escape(words.say("Continuity against driving time"))
    desc = escape(describe(curve, words, name))
    # Named for assistive technology: the first <svg> tag gets a role and its title and description.
    return re.sub(r"<svg\b([^>]*)>",
                  lambda m: (f'<svg{m.group(1)} role="img" aria-labelledby="{TITLE_ID} {DESC_ID}">'
                             f'<title id="{TITLE_ID}">{title}</title><desc id="{DESC_ID}">{desc}</desc>'),
                  text, count=1)
