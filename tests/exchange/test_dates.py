"""A file's dates are written YYYY-MM-DD: anything else is refused at its place, never read as 1970."""

from __future__ import annotations

from typing import Any

import pytest

from exchange import ExchangeError, parse_instance


def _instance(start_date: Any) -> dict[str, Any]:
    return {"format": "homecare-instance/1", "name": "dates", "start_date": start_date, "days": 1,
            "teams": [{"id": "T", "lat": 62.39, "lon": 17.3}], "carers": [], "citizens": [], "visits": []}


@pytest.mark.parametrize("written", [0, "0", 1_700_000_000, "2026-12-1", "1/12/2026"])
def test_a_start_date_not_written_as_a_date_is_refused_naming_start_date(written: Any) -> None:
    with pytest.raises(ExchangeError) as refused:
        parse_instance(_instance(written))
    assert [e["path"] for e in refused.value.errors] == ["start_date"]
    assert "YYYY-MM-DD" in refused.value.errors[0]["msg"]


def test_a_start_date_written_as_a_date_is_read_as_that_day() -> None:
    assert parse_instance(_instance("2026-12-07")).start_date.isoformat() == "2026-12-07"
