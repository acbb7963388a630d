"""The municipality reports the Swedish 14-day continuity measure; each recipient who should not be counted
is left out for their own reason, and each visit that should not count does not.

Hand-computed case, one complete period 2026-10-05..2026-10-18:
- A (born 1940): two visits every day by c1/c2/c3 (mornings, rotating) and c4 (evenings) -> 4 staff.
  A also has a night alarm (c9), a daytime safety-alarm response (c10), a meal delivery (c11), a nurse
  (n1), a visit at 22:30 (c12), one ending at 22:10 (c13), one at 06:30 (c14): none of them counts.
- B (born 1961, turns 65 in 2026): 14 different morning carers and 8 different evening carers -> 22 (> 20).
- C (born 1966, aged 60): excluded, under 65.
- D (born 1935): in hospital days 5-7 (no visits) -> excluded, away.
- E (born 1938): a recorded absence on 2026-10-15 -> excluded.
- F (born 1930): on day 9 the second visit is a meal delivery -> fewer than two counted visits -> excluded.
- G (no birth year): excluded.
Measure: mean (4 + 22) / 2 = 13.0, share meeting more than 20 = 1/2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from app.audit.files import audit_performed_file, load_citizen_facts
from app.audit.national import counts_for_measure
from app.audit.performed import PerformedRow, parse_csv
from tests.audit.conftest import run_cli

DAY0 = dt.date(2026, 10, 5)
BIRTH = {"A": 1940, "B": 1961, "C": 1966, "D": 1935, "E": 1938, "F": 1930}


def _row(
    citizen: str, carer: str, day: int, start: str, end: str, kind: str = "", role: str = "", visit: str = ""
) -> list[str]:
    d = DAY0 + dt.timedelta(days=day)
    return [citizen, carer, f"{d}T{start}", f"{d}T{end}", visit, kind, role]


def hand_case_rows() -> list[list[str]]:
    rows: list[list[str]] = []
    for d in range(14):
        if d == 7:  # a morning visit two carers make together is one visit
            rows.append(_row("A", "c1", d, "08:00", "08:30", visit="A-d7-m"))
            rows.append(_row("A", "c2", d, "08:00", "08:30", visit="A-d7-m"))
        else:
            rows.append(_row("A", ["c1", "c2", "c3"][d % 3], d, "08:00", "08:30"))
        rows.append(_row("A", "c4", d, "19:00", "19:30"))
        rows.append(_row("B", f"b{d:02d}", d, "08:00", "08:30"))
        rows.append(_row("B", f"e{d % 8}", d, "19:00", "19:30"))
        rows.append(_row("C", "c5", d, "09:00", "09:30"))
        rows.append(_row("C", "c5", d, "17:00", "17:30"))
        if d not in (5, 6, 7):
            rows.append(_row("D", "c6", d, "10:00", "10:30"))
            rows.append(_row("D", "c6", d, "16:00", "16:30"))
        rows.append(_row("E", "c15", d, "10:00", "10:30"))
        rows.append(_row("E", "c15", d, "16:00", "16:30"))
        rows.append(_row("F", "c7", d, "11:00", "11:30"))
        rows.append(_row("F", "c7", d, "15:00", "15:30", kind="meal_delivery" if d == 9 else ""))
        rows.append(_row("G", "c8", d, "12:00", "12:30"))
        rows.append(_row("G", "c8", d, "18:00", "18:30"))
    rows += [
        _row("A", "c9", 0, "03:00", "03:20", kind="safety_alarm"),
        _row("A", "c10", 1, "14:00", "14:15", kind="trygghetslarm"),
        _row("A", "c11", 2, "12:00", "12:10", kind="meal delivery"),
        _row("A", "n1", 3, "10:00", "10:20", role="nurse"),
        _row("A", "c12", 4, "22:30", "22:50"),
        _row("A", "c13", 5, "21:50", "22:10"),
        _row("A", "c14", 6, "06:30", "06:55"),
    ]
    return rows


def write_case(tmp_path: Path, with_birth_year_column: bool) -> tuple[Path, Path]:
    header = ["citizen", "carer", "start", "end", "visit", "kind", "role"]
    rows = hand_case_rows()
    if with_birth_year_column:
        header.append("birth_year")
        rows = [[*r, str(BIRTH.get(r[0], ""))] for r in rows]
    performed = tmp_path / "performed.csv"
    performed.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    citizens = tmp_path / "citizens.csv"
    lines = ["citizen,birth_year,absent_from,absent_to"]
    lines += [f"{p},{y},," for p, y in BIRTH.items() if p != "E"]
    lines.append("E,1938,2026-10-15,2026-10-15")
    citizens.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return performed, citizens


def test_national_measure_on_a_hand_computed_case(tmp_path: Path) -> None:
    performed, citizens = write_case(tmp_path, with_birth_year_column=False)

    f = audit_performed_file(performed, citizens=load_citizen_facts(citizens))["figures"]

    n = f["national_14d"]
    assert len(n["periods"]) == 1 and n["periods"][0]["period"] == "2026-10-05..2026-10-18"
    assert n["recipients"] == 2
    assert n["mean"] == 13.0
    assert n["share_over_20"] == 0.5
    assert n["max"] == 22
    assert n["excluded"] == {
        "no birth year": 1,
        "under 65": 1,
        "recorded absence": 1,
        "a day without visits (away)": 1,
        "fewer than two counted visits on some day": 1,
    }


def test_plain_count_of_different_care_workers_counts_every_visit(tmp_path: Path) -> None:
    performed, citizens = write_case(tmp_path, with_birth_year_column=False)

    audit = audit_performed_file(performed, citizens=load_citizen_facts(citizens))["audit"]

    rows = {(r["citizen"], r["period_kind"]): r["distinct_carers"] for r in audit.citizen_rows()}
    # A meets c1-c4 and also the alarm, meal, nurse and late/early carers: 4 + 7 = 11
    assert rows[("A", "14d")] == 11
    assert rows[("B", "14d")] == 22


def test_cli_takes_birth_years_from_a_column_and_reports_the_measure_under_its_own_key(
    tmp_path: Path,
) -> None:
    performed, _ = write_case(tmp_path, with_birth_year_column=True)

    proc = run_cli("audit", str(performed), "--json")

    assert proc.returncode == 0, proc.stderr
    n = json.loads(proc.stdout.strip().splitlines()[-1])["national_14d"]
    # without the citizens file E's absence is unknown: E (two visits every day, c15) is measured too
    assert n["recipients"] == 3
    assert n["mean"] == round((4 + 22 + 1) / 3, 2)
    assert n["share_over_20"] == round(1 / 3, 3)


def test_without_birth_years_nobody_is_measured_and_the_report_says_why(tmp_path: Path) -> None:
    performed, _ = write_case(tmp_path, with_birth_year_column=False)

    f = audit_performed_file(performed)["figures"]

    n = f["national_14d"]
    assert n["recipients"] == 0 and n["mean"] is None
    assert n["excluded"]["no birth year"] == 7
    assert "birth year" in n["note"]


@pytest.mark.parametrize(
    ("start", "end", "kind", "role", "counts"),
    [
        ("07:00", "07:30", "", "", True),
        ("21:30", "22:00", "", "", True),
        ("06:59", "07:30", "", "", False),
        ("21:45", "22:01", "", "", False),
        ("22:30", "22:50", "", "", False),
        ("10:00", "10:30", "safety alarm", "", False),
        ("10:00", "10:30", "Meal-delivery", "", False),
        ("10:00", "10:30", "hemsjukvård", "", False),
        ("10:00", "10:30", "", "Registered nurse", False),
        ("10:00", "10:30", "", "assistant nurse", True),
    ],
)
def test_which_visits_count_for_the_national_measure(
    start: str, end: str, kind: str, role: str, counts: bool
) -> None:
    text = f"citizen,carer,start,end,kind,role\nP,C,2026-10-05T{start},2026-10-05T{end},{kind},{role}\n"
    (row,) = parse_csv(text)
    assert isinstance(row, PerformedRow)

    assert counts_for_measure(row) is counts
