"""A coordinator loads the performed-visit file from the time-keeping system: every bad row is named with
its line number and nothing is audited or stored until the file is clean."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.audit.performed import KnownIds, PerformedFileError, parse_bytes, parse_csv, parse_json
from tests.audit.conftest import run_cli

BAD = """citizen,carer,start,end
P1,C1,2026-12-01T08:00,2026-12-01T08:30
P1,C2,2026-12-01T09:00,2026-12-01T08:30
P2,C1,2026-12-01T08:15,2026-12-01T08:45
P1,C1,2026-12-01T08:00,2026-12-01T08:30
P3,C3,2026-13-01T08:00,2026-12-01T08:30
P4,C4,2026-12-01,2026-12-01T09:00
P5,,2026-12-01T08:00,2026-12-01T08:30
"""


def test_every_bad_row_is_listed_with_its_line_number() -> None:
    with pytest.raises(PerformedFileError) as caught:
        parse_csv(BAD)

    by_line = {e.line: e.message for e in caught.value.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert "before it starts" in by_line[3]
    assert "two places at once" in by_line[4] and "line 2" in by_line[4]
    assert "duplicate of line 2" in by_line[5]
    assert "malformed date-time" in by_line[6]
    assert "malformed date-time" in by_line[7]  # a date without a time
    assert "empty" in by_line[8]


def test_unknown_ids_are_bad_rows_when_the_ids_are_known() -> None:
    text = (
        "citizen,carer,start,end,visit\n"
        "P1,C1,2026-12-01T08:00,2026-12-01T08:30,V1\n"
        "P9,C1,2026-12-01T09:00,2026-12-01T09:30,\n"
        "P1,C9,2026-12-01T10:00,2026-12-01T10:30,\n"
        "P1,C1,2026-12-01T11:00,2026-12-01T11:30,V9\n"
        "P1,C1,2026-12-01T12:00,2026-12-01T12:30,V2\n"
    )
    known = KnownIds(citizens={"P1", "P2"}, carers={"C1"}, visits={"V1": "P1", "V2": "P2"})

    with pytest.raises(PerformedFileError) as caught:
        parse_csv(text, known)

    msgs = {e.line: str(e) for e in caught.value.errors}
    assert "unknown citizen 'P9'" in msgs[3]
    assert "unknown carer 'C9'" in msgs[4]
    assert "unknown planned visit 'V9'" in msgs[5]
    assert "belongs to citizen 'P2'" in msgs[6]
    assert 2 not in msgs


def test_a_clean_file_parses_with_kinds_roles_and_two_carer_visits() -> None:
    text = (
        "\ufeffcitizen;carer;start;end;visit;type;carer_role\n"
        "P1;C1;2026-12-01 08:00;2026-12-01 08:30;V1;Safety alarm;\n"
        "P1;C2;2026-12-01 08:00;2026-12-01 08:30;V1;;Nurse\n"
    )

    rows = parse_bytes(text.encode(), "export.csv")

    assert [(r.line, r.carer, r.kind, r.role) for r in rows] == [
        (2, "C1", "safety_alarm", None),
        (3, "C2", None, "nurse"),
    ]


def test_json_rows_are_named_by_item_number() -> None:
    data = {
        "performed": [
            {"citizen": "P1", "carer": "C1", "start": "2026-12-01T08:00", "end": "2026-12-01T08:30"},
            {"citizen": "P1", "carer": "C1", "start": "2026-12-01T09:00", "end": "yesterday"},
        ]
    }
    with pytest.raises(PerformedFileError) as caught:
        parse_json(data)
    assert [str(e).split(":")[0] for e in caught.value.errors] == ["item 2 (end)"]


def test_missing_columns_are_a_header_error() -> None:
    with pytest.raises(PerformedFileError) as caught:
        parse_csv("citizen,carer,begin,end\nP1,C1,x,y\n")
    assert caught.value.errors[0].line == 1 and "start" in caught.value.errors[0].message


def test_cli_exits_2_and_names_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)

    proc = run_cli("audit", str(path), "--json")

    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for line in (3, 4, 5, 6, 7, 8):
        assert re.search(rf"line {line}\b", proc.stderr)
    assert proc.stdout.strip() == ""


def test_cli_json_last_line_holds_the_summaries(tmp_path: Path) -> None:
    path = tmp_path / "ok.json"
    path.write_text(
        json.dumps(
            [
                {
                    "citizen": "P1",
                    "carer": c,
                    "start": f"2026-12-{d:02d}T08:00",
                    "end": f"2026-12-{d:02d}T08:30",
                }
                for d, c in ((1, "C1"), (2, "C2"), (16, "C3"), (17, "C1"))
            ]
        )
    )

    proc = run_cli("audit", str(path), "--json")

    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["distinct_carers_per_citizen_month"] == {"mean": 3.0, "median": 3, "p90": 3, "max": 3}
    # periods from the first date: 12-01..12-14 (C1, C2) and 12-15..12-28 (C3, C1)
    assert got["distinct_carers_per_citizen_14d"] == {"mean": 2.0, "median": 2.0, "p90": 2, "max": 2}
