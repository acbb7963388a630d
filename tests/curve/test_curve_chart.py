"""The curve's chart is put inline in the page as it is drawn: whatever a setting is called in the reader's
words reaches the page as text, in the chart's labels and in its description alike, never as markup."""

from __future__ import annotations

import datetime as dt

from app.audit.report import ENGLISH
from app.services.curve import RunFigures, curve_from_runs
from app.web.curve_chart import curve_chart

DEC = (dt.date(2026, 12, 7), dt.date(2027, 1, 3))
HOSTILE = '<script>alert("x")</script> & <b>'


def _run(job_id: int, setting: str, faces: float, hours_a_week: float) -> RunFigures:
    return RunFigures(job_id=job_id, setting=setting, start=DEC[0], end=DEC[1], version_id=job_id,
                      figures={"distinct_carers_month_mean": faces, "travel_minutes": hours_a_week * 60 * 4})


def test_a_setting_named_with_markup_is_shown_as_text_in_the_labels_and_the_description() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 42.0), _run(2, "travel", 5.0, 35.0)],
                            accepted_version_ids={2})
    svg = curve_chart(curve, ENGLISH, lambda setting: f"{setting} {HOSTILE}")
    assert svg is not None
    assert "<script" not in svg and "<b>" not in svg
    escaped = "&lt;script&gt;"
    desc = svg[svg.index("<desc"):svg.index("</desc>")]
    assert desc.count(escaped) == 3  # each point and the accepted plan
    labels = svg[svg.index("</desc>"):]
    assert labels.count(escaped) == 2  # the two points' labels
