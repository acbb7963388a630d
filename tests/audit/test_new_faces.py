"""The new-face rule the audit and the pages share (app.audit.grouping.new_faces)."""

from __future__ import annotations

import datetime as dt

from app.audit.grouping import new_faces

D = dt.date(2026, 12, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_a_carer_never_met_before_is_a_new_face_and_a_second_visit_is_not() -> None:
    events = [("v1", "p1", day(0), ["anna"]), ("v2", "p1", day(1), ["bo"]), ("v3", "p1", day(2), ["bo"])]
    assert new_faces(events) == {("v2", "bo")}


def test_nobody_is_new_on_the_citizens_first_day_in_the_data() -> None:
    events = [("v1", "p1", day(0), ["anna", "bo"]), ("v2", "p1", day(0), ["cy"]),
              ("v3", "p2", day(1), ["anna"])]
    assert new_faces(events) == set()


def test_each_carer_of_a_double_visit_counts_on_its_own() -> None:
    events = [("v1", "p1", day(0), ["anna"]), ("v2", "p1", day(1), ["anna", "bo"]),
              ("v3", "p1", day(2), ["cy", "bo"])]
    assert new_faces(events) == {("v2", "bo"), ("v3", "cy")}
