"""Performed visits: reading and validating a file of visits that actually happened.

A performed-visit file has one row per carer per visit (a visit two carers made together is two rows with
the same citizen, start and end). Required columns: ``citizen, carer, start, end`` (ISO local date-times,
e.g. ``2026-12-01T07:30``). Optional: ``visit`` (the planned visit it performed), ``kind`` (e.g.
``safety_alarm``, ``meal_delivery``, ``nursing``), ``role`` (the carer's role, e.g. ``nurse``), ``need``,
``team`` and ``birth_year`` (of the citizen).

Validation is all-or-nothing: `parse_*` either returns every row or raises `PerformedFileError` listing
every bad row with its line number (CSV) or item number (JSON), so a caller never stores half a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REQUIRED_COLUMNS = ("citizen", "carer", "start", "end")
OPTIONAL_COLUMNS = ("visit", "kind", "role", "need", "team", "birth_year")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Header spellings other systems export; mapped to our column names.
COLUMN_ALIASES = {
    "citizen_id": "citizen",
    "carer_id": "carer",
    "visit_id": "visit",
    "planned_visit": "visit",
    "carer_role": "role",
    "staff_role": "role",
    "visit_kind": "kind",
    "type": "kind",
    "start_time": "start",
    "end_time": "end",
    "team_id": "team",
    "birthyear": "birth_year",
}

# Canonical visit kinds the national measure excludes, with the spellings we accept for them.
KIND_SAFETY_ALARM = "safety_alarm"
KIND_MEAL_DELIVERY = "meal_delivery"
KIND_NURSING = "nursing"
_KIND_SYNONYMS = {
    KIND_SAFETY_ALARM: {
        "safety_alarm",
        "alarm",
        "safety_alarm_response",
        "alarm_response",
        "trygghetslarm",
        "larm",
        "larmbesok",
        "larmbesök",
    },
    KIND_MEAL_DELIVERY: {
        "meal_delivery",
        "meal",
        "meals",
        "meals_on_wheels",
        "matdistribution",
        "matleverans",
    },
    KIND_NURSING: {
        "nursing",
        "home_health",
        "home_health_care",
        "home_health_nursing",
        "hemsjukvard",
        "hemsjukvård",
        "hsl",
    },
}
_KIND_OF = {syn: kind for kind, syns in _KIND_SYNONYMS.items() for syn in syns}

# Roles of home-health nursing staff (not home-care staff). An assistant nurse (undersköterska) is
# ordinary home-care staff in Sweden and is therefore *not* in this list.
NURSING_ROLES = frozenset(
    {
        "nurse",
        "registered_nurse",
        "district_nurse",
        "home_health_nurse",
        "home_health",
        "nursing",
        "sjukskoterska",
        "sjuksköterska",
        "distriktsskoterska",
        "distriktssköterska",
        "hemsjukvard",
        "hemsjukvård",
        "hsl",
    }
)

MAX_VISIT = dt.timedelta(hours=24)


def canonical(text: str | None) -> str | None:
    """Lower-case, spaces and dashes as underscores: how kinds and roles are compared."""
    if text is None:
        return None
    t = re.sub(r"[\s\-]+", "_", text.strip().lower())
    return t or None


def canonical_kind(text: str | None) -> str | None:
    t = canonical(text)
    return _KIND_OF.get(t, t) if t else None


def is_nursing_role(role: str | None) -> bool:
    return canonical(role) in NURSING_ROLES


@dataclass(frozen=True, slots=True)
class PerformedRow:
    """One carer at one performed visit."""

    line: int  # line in the CSV file (header is line 1) or item number in a JSON list (from 1)
    citizen: str
    carer: str
    start: dt.datetime  # local, naive
    end: dt.datetime
    visit: str | None = None
    kind: str | None = None  # canonical (see canonical_kind)
    role: str | None = None  # canonical
    need: str | None = None
    team: str | None = None
    birth_year: int | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    message: str
    column: str | None = None
    unit: str = "line"  # "line" for CSV, "item" for JSON

    def __str__(self) -> str:
        col = f" ({self.column})" if self.column else ""
        return f"{self.unit} {self.line}{col}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {self.unit: self.line, "column": self.column, "message": self.message}


class PerformedFileError(ValueError):
    """The file has bad rows; `errors` names every one. Nothing from the file may be stored."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.line, e.column or ""))
        super().__init__(f"{len(self.errors)} bad row(s): " + "; ".join(str(e) for e in self.errors[:10]))


@dataclass(frozen=True)
class KnownIds:
    """Ids a file may refer to; None means "not checked" (the file-only CLI knows no ids)."""

    citizens: Collection[str] | None = None
    carers: Collection[str] | None = None
    visits: Mapping[str, str] | None = None  # planned visit id -> its citizen


def parse_datetime(text: str) -> dt.datetime:
    """An ISO local date-time with a time part; offsets are refused (the measure counts local hours)."""
    t = text.strip()
    if len(t) < 12 or not re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}", t):
        raise ValueError(f"{text!r} is not an ISO local date-time such as 2026-12-01T07:30")
    value = dt.datetime.fromisoformat(t)  # ValueError with its own message on nonsense like month 13
    if value.tzinfo is not None:
        raise ValueError(f"{text!r} has a UTC offset; give local date-times without one")
    return value


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def _row_from_record(
    rec: Mapping[str, Any], line: int, unit: str, errors: list[RowError]
) -> PerformedRow | None:
    bad = False

    def err(msg: str, col: str | None = None) -> None:
        nonlocal bad
        bad = True
        errors.append(RowError(line, msg, col, unit))

    vals = {k: _clean(rec.get(k)) for k in COLUMNS}
    for col in REQUIRED_COLUMNS:
        if vals[col] is None:
            err("is empty", col)
    start = end = None
    for col in ("start", "end"):
        raw = vals[col]
        if raw is None:
            continue
        try:
            parsed = parse_datetime(raw)
        except ValueError as e:
            err(f"malformed date-time: {e}", col)
            continue
        if col == "start":
            start = parsed
        else:
            end = parsed
    if start is not None and end is not None:
        if end < start:
            err(
                f"ends ({end.isoformat(timespec='minutes')}) before it starts "
                f"({start.isoformat(timespec='minutes')})",
                "end",
            )
        elif end == start:
            err("ends when it starts (zero length)", "end")
        elif end - start > MAX_VISIT:
            err("lasts more than 24 hours", "end")
    birth_year = None
    if vals["birth_year"] is not None:
        try:
            birth_year = int(vals["birth_year"])  # type: ignore[arg-type]
            if not 1880 <= birth_year <= dt.date.today().year:
                raise ValueError
        except ValueError:
            err(f"birth year {vals['birth_year']!r} is not a plausible year", "birth_year")
    if bad or start is None or end is None:
        return None
    return PerformedRow(
        line=line,
        citizen=vals["citizen"] or "",
        carer=vals["carer"] or "",
        start=start,
        end=end,
        visit=vals["visit"],
        kind=canonical_kind(vals["kind"]),
        role=canonical(vals["role"]),
        need=vals["need"],
        team=vals["team"],
        birth_year=birth_year,
    )


def _check_across_rows(rows: list[PerformedRow], known: KnownIds, unit: str, errors: list[RowError]) -> None:
    """Unknown ids, duplicates, a carer in two places at once, conflicting birth years."""
    for r in rows:
        if known.citizens is not None and r.citizen not in known.citizens:
            errors.append(RowError(r.line, f"unknown citizen {r.citizen!r}", "citizen", unit))
        if known.carers is not None and r.carer not in known.carers:
            errors.append(RowError(r.line, f"unknown carer {r.carer!r}", "carer", unit))
        if r.visit is not None and known.visits is not None:
            owner = known.visits.get(r.visit)
            if owner is None:
                errors.append(RowError(r.line, f"unknown planned visit {r.visit!r}", "visit", unit))
            elif owner != r.citizen:
                errors.append(
                    RowError(
                        r.line,
                        f"planned visit {r.visit!r} belongs to citizen {owner!r}, not {r.citizen!r}",
                        "visit",
                        unit,
                    )
                )
    seen: dict[tuple[str, str, dt.datetime, dt.datetime], int] = {}
    duplicate_lines: set[int] = set()
    for r in rows:
        key = (r.citizen, r.carer, r.start, r.end)
        if key in seen:
            duplicate_lines.add(r.line)
            errors.append(RowError(r.line, f"duplicate of {unit} {seen[key]}", None, unit))
        else:
            seen[key] = r.line
    by_carer: dict[str, list[PerformedRow]] = defaultdict(list)
    for r in rows:
        if r.line not in duplicate_lines:
            by_carer[r.carer].append(r)
    for carer, items in by_carer.items():
        items.sort(key=lambda r: (r.start, r.end, r.line))
        latest: PerformedRow | None = None  # the row ending last so far
        for r in items:
            if latest is not None and r.start < latest.end:
                where = "another visit" if latest.citizen == r.citizen else f"citizen {latest.citizen}"
                errors.append(
                    RowError(
                        r.line,
                        f"carer {carer} is in two places at once: overlaps {unit} {latest.line} "
                        f"({where}, {latest.start:%Y-%m-%d %H:%M}-{latest.end:%H:%M})",
                        "start",
                        unit,
                    )
                )
            if latest is None or r.end > latest.end:
                latest = r
    years: dict[str, PerformedRow] = {}
    for r in rows:
        if r.birth_year is None:
            continue
        first = years.setdefault(r.citizen, r)
        if first.birth_year != r.birth_year:
            errors.append(
                RowError(
                    r.line,
                    f"birth year {r.birth_year} contradicts {unit} {first.line} "
                    f"({first.birth_year}) for citizen {r.citizen}",
                    "birth_year",
                    unit,
                )
            )


def _finish(
    rows: list[PerformedRow], errors: list[RowError], known: KnownIds, unit: str
) -> list[PerformedRow]:
    _check_across_rows(rows, known, unit, errors)
    if errors:
        raise PerformedFileError(errors)
    return rows


def _normalise_header(name: str | None) -> str:
    n = canonical(name or "") or ""
    return COLUMN_ALIASES.get(n, n)


def parse_csv(text: str, known: KnownIds | None = None) -> list[PerformedRow]:
    """Parse and validate CSV text (comma, semicolon or tab separated, header row first)."""
    known = known or KnownIds()
    text = text.lstrip("\ufeff")
    head = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(head.splitlines()[0] if head else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    errors: list[RowError] = []
    try:
        header = next(reader)
    except StopIteration:
        raise PerformedFileError(
            [RowError(1, "the file is empty; expected a header row citizen,carer,start,end")]
        ) from None
    names = [_normalise_header(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise PerformedFileError(
            [RowError(1, f"header lacks column(s) {', '.join(missing)}; found {', '.join(header)}")]
        )
    rows: list[PerformedRow] = []
    prev_end = reader.line_num
    try:
        for record in reader:
            line = prev_end + 1  # first physical line of this record (a quoted field may span lines)
            prev_end = reader.line_num
            if not any(cell.strip() for cell in record):
                continue  # blank lines are not rows
            if len(record) > len(names):
                errors.append(RowError(line, f"has {len(record)} fields, the header has {len(names)}"))
                continue
            rec = dict(zip(names, record, strict=False))
            row = _row_from_record(rec, line, "line", errors)
            if row is not None:
                rows.append(row)
    except csv.Error as e:
        errors.append(RowError(reader.line_num, f"unreadable CSV: {e}"))
    return _finish(rows, errors, known, "line")


def parse_records(records: Iterable[Mapping[str, Any]], known: KnownIds | None = None) -> list[PerformedRow]:
    """Validate already-decoded records (a JSON list); errors name items from 1."""
    known = known or KnownIds()
    errors: list[RowError] = []
    rows: list[PerformedRow] = []
    for i, rec in enumerate(records, start=1):
        if not isinstance(rec, Mapping):
            errors.append(RowError(i, "is not an object", None, "item"))
            continue
        norm = {_normalise_header(k): v for k, v in rec.items()}
        row = _row_from_record(norm, i, "item", errors)
        if row is not None:
            rows.append(row)
    return _finish(rows, errors, known, "item")


def parse_json(data: Any, known: KnownIds | None = None) -> list[PerformedRow]:
    """A JSON list of rows, or an object holding it under ``performed`` or ``visits``."""
    if isinstance(data, Mapping):
        data = data.get("performed", data.get("visits"))
    if not isinstance(data, list):
        raise PerformedFileError(
            [
                RowError(
                    1,
                    "expected a JSON list of performed visits (or an object with a 'performed' list)",
                    None,
                    "item",
                )
            ]
        )
    return parse_records(data, known)


def is_json(content: bytes, filename: str = "") -> bool:
    return filename.lower().endswith(".json") or content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{")


def parse_bytes(content: bytes, filename: str = "", known: KnownIds | None = None) -> list[PerformedRow]:
    """Upload or file content; JSON when the name ends in .json or the content starts with [ or {."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PerformedFileError([RowError(1, f"not UTF-8 text: {e}")]) from None
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise PerformedFileError([RowError(e.lineno, f"malformed JSON: {e.msg}")]) from None
        return parse_json(data, known)
    return parse_csv(text, known)


def parse_path(path: str | Path, known: KnownIds | None = None) -> list[PerformedRow]:
    p = Path(path)
    return parse_bytes(p.read_bytes(), p.name, known)


# --- writing -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class CitizenFacts:
    """What the audit knows about a citizen beyond the ids in a performed file."""

    team: str | None = None
    contact: str | None = None
    birth_year: int | None = None
    absences: list[tuple[dt.date, dt.date]] = field(default_factory=list)  # inclusive date ranges


def format_datetime(value: dt.datetime) -> str:
    return value.isoformat(timespec="minutes")


def write_csv(rows: Iterable[PerformedRow], out: io.TextIOBase | Any) -> int:
    """Write rows in the import format (columns in COLUMNS order); returns how many were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    n = 0
    for r in rows:
        writer.writerow(
            [
                r.citizen,
                r.carer,
                format_datetime(r.start),
                format_datetime(r.end),
                r.visit or "",
                r.kind or "",
                r.role or "",
                r.need or "",
                r.team or "",
                "" if r.birth_year is None else r.birth_year,
            ]
        )
        n += 1
    return n


def check_against_stored(
    rows: list[PerformedRow], stored: Iterable[tuple[str, str, dt.datetime, dt.datetime]], unit: str = "line"
) -> list[RowError]:
    """A file row whose carer is already stored elsewhere at an overlapping time is in two places at once.
    A stored row with the same (citizen, carer, start) is the same visit (re-imported or corrected)."""
    keys = {(r.citizen, r.carer, r.start) for r in rows}
    by_carer: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(list)
    for citizen, carer, start, end in stored:
        if (citizen, carer, start) not in keys:
            by_carer[carer].append((start, end, citizen))
    errors = []
    for r in rows:
        for start, end, citizen in by_carer.get(r.carer, ()):
            if r.start < end and start < r.end:
                errors.append(
                    RowError(
                        r.line,
                        f"carer {r.carer} is in two places at once: overlaps a stored visit "
                        f"(citizen {citizen}, {start:%Y-%m-%d %H:%M}-{end:%H:%M})",
                        "start",
                        unit,
                    )
                )
                break
    return errors
