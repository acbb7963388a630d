"""What every document of the exchange format shares: limits, format names, the error that names
where a file is wrong (a JSON path such as ``visits[12].carers``), so that the API can answer 422 and the
CLI exit 2 with the same message."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

MINUTES_PER_DAY = 24 * 60
# The database's integer columns (ids, minutes, caps) are PostgreSQL `integer`s: no larger value can be
# stored, so none is accepted.
MAX_INT = 2**31 - 1

INSTANCE_FORMAT = "homecare-instance/1"
PLAN_FORMAT = "homecare-plan/1"
CHANGES_FORMAT = "homecare-changes/1"

# Control characters and lone surrogates have no place in a name, an id or a note: a spreadsheet's XML
# cannot hold most of them, PostgreSQL refuses NUL, and none is anything a person meant to type. A text
# that may run over several lines keeps tab, newline and carriage return.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refusing(control: re.Pattern[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        found = control.search(value)
        if found is not None:
            raise PydanticCustomError(
                "control_character", "contains the control character {character} at position {position}",
                {"character": f"U+{ord(found.group()):04X}", "position": found.start() + 1})
        return value
    return check


# For a string type: refuses control characters (OneLine) or all but tab and line breaks (Lines).
OneLine = AfterValidator(_refusing(_CONTROL_IN_LINE))
Lines = AfterValidator(_refusing(_CONTROL_IN_TEXT))

Minute = Annotated[int, Field(ge=0, le=MINUTES_PER_DAY)]
Id = Annotated[str, Field(min_length=1, max_length=200), OneLine]

# The days the product plans, audits and imports: history back to the turn of the century (performed
# visits and past plans of any municipality's archive) and plans to the end of this one. Anything
# outside is a typing slip, and would otherwise fill a roster with shifts back to year 1 or overflow
# the calendar when a horizon is added to 9999-12-31.
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)

# Pydantic reads 0, or "0", as 1970-01-01 (seconds since the epoch): a date given any other way than
# YYYY-MM-DD is refused, not taken for a day in 1970.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def out_of_range(day: dt.date) -> str | None:
    """What is wrong with `day` if the product does not plan it (None if it does)."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"a date between {FIRST_DAY} and {LAST_DAY}"


def _written_as_a_date(value: Any) -> Any:
    """A date as written in a request or a file: YYYY-MM-DD, within the days the product plans. A date
    object is one the program made (a stored row read back, say), taken as it is."""
    if isinstance(value, dt.date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        raise PydanticCustomError("date_format", "a date is written YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return value  # pydantic names what is wrong with it (a 30 February)
    if (why := out_of_range(day)) is not None:
        raise PydanticCustomError("date_range", why)
    return value


Day = Annotated[dt.date, BeforeValidator(_written_as_a_date)]


class ExchangeError(ValueError):
    """A file that does not follow the format; `errors` lists each problem with its JSON path."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e['path']}: {e['msg']}" for e in errors[:10]))


def json_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


class Strict(BaseModel):
    # NaN and infinity are not numbers a travel speed or a position can have, and JSON cannot carry them
    # back out on export.
    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


def pydantic_errors(err: ValidationError) -> list[dict[str, Any]]:
    return [{"path": json_path(e["loc"]), "msg": e["msg"]} for e in err.errors()]


def duplicate_ids(items: list[Any], prefix: str) -> list[dict[str, Any]]:
    counts = Counter(x.id for x in items)
    return [
        {"path": f"{prefix}[{i}].id", "msg": f"duplicate id {x.id!r}"}
        for i, x in enumerate(items)
        if counts[x.id] > 1
    ]
