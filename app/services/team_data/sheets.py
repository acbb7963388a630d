"""The team's spreadsheets: citizens with their standing needs, carers with their skills and roster
pattern; CSV (the csv module) or XLSX (openpyxl), headers in English or Swedish.

An upload is read whole and checked first (`read_sheet` then `plan_import`): every error with its row
and column, all of them, and what it would do ("12 new citizens, 3 changed, 2 ended"). Nothing is stored
by that. `apply_import` stores it through the same services the pages use, in the caller's one
transaction (the request commits it all, or rolls all of it back). Exporting and importing the same
sheet changes nothing: rows are matched by their id and compared value by value.

Citizens sheet: one row per standing need (a citizen with none has one row with the need columns
empty); the citizen's columns are given on the first of their rows and may be repeated. Carers sheet:
one row per week of the carer's roster pattern, each weekday cell like "07:00-12:00, 16:00-21:00", and
one row per exception on a date (leave, course, or an extra shift with its hours). Exceptions are
kept from today on: a sheet with the exception columns makes the carer's exceptions from today match
its rows (each takes effect on its own date); a sheet without those columns leaves them as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.repositories import team_data as repo
from app.schemas import core as s
from app.schemas import team_data as ts
from app.schemas.core import break_problem
from app.services import core
from app.services.errors import Invalid
from app.services.team_data import carers as carers_svc
from app.services.team_data import citizens as citizens_svc
from app.services.team_data import needs as needs_svc
from app.services.team_data import roster as roster_svc
from app.services.team_data.records import snapshot
from app.services.visits import generate_visits
from models.core import Carer, Citizen, Need, Shift, Team, User, citizen_avoid_carers
from models.team_data import (
    ENTITY_CARER,
    ENTITY_CITIZEN,
    ChangeRecord,
    RosterException,
    RosterPattern,
    RosterPatternShift,
)

KIND_CITIZENS = "citizens"
KIND_CARERS = "carers"
KINDS = (KIND_CITIZENS, KIND_CARERS)
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

DAYS_EN = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_SV = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")

# (key, English header, Swedish header)
CITIZEN_COLUMNS = [
    ("citizen_id", "citizen_id", "brukar_id"),
    ("name", "name", "namn"),
    ("address", "address", "adress"),
    ("lat", "lat", "lat"),
    ("lon", "lon", "lon"),
    ("birth_year", "birth_year", "födelseår"),
    ("contact_carer", "contact_carer", "kontaktperson"),
    ("avoid_carers", "avoid_carers", "undvik_medarbetare"),
    ("how_notes", "how_notes", "så_ges_hjälpen"),
    ("notes", "notes", "anteckningar"),
    ("national_measure", "national_measure", "nationellt_mått"),
    ("ended_from", "ended_from", "upphör_från"),
    ("end_reason", "end_reason", "upphör_orsak"),
    ("need", "need", "insats"),
    ("weekdays", "weekdays", "veckodagar"),
    ("every_weeks", "every_weeks", "var_n_vecka"),
    ("earliest_start", "earliest_start", "tidigast_start"),
    ("latest_start", "latest_start", "senast_start"),
    ("minutes", "minutes", "minuter"),
    ("carers", "carers", "antal_personal"),
    ("skills", "skills", "kompetens"),
    ("care_instructions", "care_instructions", "instruktioner"),
    ("priority", "priority", "prioritet"),
    ("valid_from", "valid_from", "gäller_från"),
    ("valid_to", "valid_to", "gäller_till"),
]
CARER_COLUMNS = [
    ("carer_id", "carer_id", "medarbetar_id"),
    ("name", "name", "namn"),
    ("skills", "skills", "kompetens"),
    ("contracted_hours", "contracted_hours", "timmar_per_vecka"),
    ("active_from", "active_from", "börjar"),
    ("active_to", "active_to", "slutar"),
    ("pattern_from", "pattern_from", "schema_från"),
    ("pattern_weeks", "pattern_weeks", "schema_veckor"),
    ("week", "week", "vecka"),
    *[(en, en, sv) for en, sv in zip(DAYS_EN, DAYS_SV, strict=True)],
    ("exception_date", "exception_date", "avvikelse_datum"),
    ("exception", "exception", "avvikelse"),
    ("exception_hours", "exception_hours", "avvikelse_tid"),
    ("exception_note", "exception_note", "avvikelse_anteckning"),
]
EXCEPTION_KEYS = ("exception_date", "exception", "exception_hours", "exception_note")
# The words a team writes for an exception, in either language.
EXCEPTION_WORDS = {"leave": "leave", "ledighet": "leave", "ledig": "leave", "semester": "leave",
                   "course": "course", "utbildning": "course", "kurs": "course",
                   "extra": "extra", "extrapass": "extra", "extra pass": "extra"}
COLUMNS = {KIND_CITIZENS: CITIZEN_COLUMNS, KIND_CARERS: CARER_COLUMNS}
REQUIRED = {KIND_CITIZENS: ("name", "lat", "lon"), KIND_CARERS: ("name",)}
YES = {"yes", "ja", "y", "j", "1", "true", "x"}
NO = {"no", "nej", "n", "0", "false", ""}


@dataclass
class SheetError:
    row: int
    column: str
    message: str

    def text(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message}"


@dataclass
class Sheet:
    kind: str
    headers: dict[str, str]  # key -> the header as the file wrote it
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, key -> cell text)
    errors: list[SheetError] = field(default_factory=list)
    given: set[str] = field(default_factory=set)  # the column keys the file has


@dataclass
class ImportPlan:
    kind: str
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)
    # What apply_import does, in order: (operation, payload)
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key -> header, as in the sheet

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "new": len(self.new),
            "changed": len(self.changed),
            "ended": len(self.ended),
            "errors": [{"row": e.row, "column": e.column, "msg": e.message} for e in self.errors],
        }


# --- reading and writing files -----------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(kind: str, data: bytes, filename: str) -> Sheet:
    """The file's rows as text by column key; a file that cannot be read is one error at row 1."""
    if kind not in KINDS:
        raise Invalid(f"unknown sheet {kind!r}: citizens or carers", path="kind")
    grid: list[list[str]] = []
    try:
        if filename.lower().endswith(".xlsx"):
            grid = _xlsx_grid(data)
        else:
            text = data.decode("utf-8-sig")
            # Only the delimiter is guessed: spreadsheet programs quote with '"', and the sniffer takes
            # the apostrophe of a neutralised formula character for a quote when the text ends in one.
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter if text.strip() else ","
            grid = [[_from_csv(c.strip()) for c in row]
                    for row in csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)]
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError) as e:
        return Sheet(
            kind, {}, [], [SheetError(1, "", f"the file cannot be read as CSV (UTF-8) or XLSX: {e}")]
        )
    by_header = {h.lower(): k for k, en, sv in COLUMNS[kind] for h in (en, sv)}
    sheet = Sheet(kind, {}, [])
    if not grid:
        sheet.errors.append(SheetError(1, "", "the file is empty"))
        return sheet
    keys: list[str | None] = []
    for header in grid[0]:
        key = by_header.get(header.strip().lower())
        if key is None and header.strip():
            sheet.errors.append(SheetError(1, header, "unknown column"))
        keys.append(key)
        if key is not None:
            sheet.headers[key] = header
    sheet.given = set(sheet.headers)
    for key in REQUIRED[kind]:
        if key not in sheet.headers:
            sheet.errors.append(SheetError(1, key, "the column is missing"))
    for k, en, _sv in COLUMNS[kind]:
        sheet.headers.setdefault(k, en)
    for n, row in enumerate(grid[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        sheet.rows.append((n, {k: (row[i] if i < len(row) else "").strip() for i, k in enumerate(keys) if k}))
    return sheet


def write_sheet(kind: str, rows: list[dict[str, Any]], *, fmt: str, lang: str) -> bytes:
    headers = [sv if lang == "sv" else en for _k, en, sv in COLUMNS[kind]]
    keys = [k for k, _en, _sv in COLUMNS[kind]]
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = kind
        ws.append(headers)
        for row in rows:
            ws.append([row.get(k, "") for k in keys])
            for cell in ws[ws.max_row]:
                # openpyxl takes a text starting with "=" for a formula: a name is always shown as text.
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_to_csv(v) if isinstance(v, str) else v for v in (row.get(k, "") for k in keys)])
    return buf.getvalue().encode("utf-8")


# A CSV cell opened in a spreadsheet program is a formula if it starts with one of these (OWASP's CSV
# injection): such a text is written after an apostrophe, which the program shows as text and
# `_from_csv` takes away again. A text that would read back wrong (one already starting with an
# apostrophe before such a character) gets one more, so that every text comes back as it was.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(text: str) -> bool:
    """Whether `_to_csv` writes the text after an apostrophe."""
    return text.startswith(FORMULA_START) or (text.startswith("'") and _neutralised(text[1:]))


def _to_csv(text: str) -> str:
    return f"'{text}" if _neutralised(text) else text


def _from_csv(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _neutralised(cell[1:]) else cell


def _xlsx_grid(data: bytes) -> list[list[str]]:
    """The first worksheet's cells as text; a file that is no workbook at all is refused (422)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as e:
        raise Invalid("not a readable .xlsx file: save it as an Excel workbook (.xlsx) or as CSV and upload "
                      f"it again ({e})", path="file") from None
    return [[_cell_text(c) for c in row] for row in wb.worksheets[0].iter_rows(values_only=True)]


# --- values ----------------------------------------------------------------------------------


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


class _Cells:
    """Parses one row's cells, collecting every error with its row and column."""

    def __init__(self, sheet: Sheet, n: int, row: dict[str, str], errors: list[SheetError]) -> None:
        self.sheet, self.n, self.row, self.errors = sheet, n, row, errors

    def err(self, key: str, msg: str) -> None:
        self.errors.append(SheetError(self.n, self.sheet.headers.get(key, key), msg))

    def as_text(self, key: str) -> str | None:
        return self.row.get(key) or None

    def as_int(self, key: str) -> int | None:
        v = self.as_text(key)
        if v is None:
            return None
        try:
            return int(v)
        except ValueError:
            self.err(key, f"{v!r} is not a whole number")
            return None

    def as_float(self, key: str) -> float | None:
        v = self.as_text(key)
        if v is None:
            return None
        try:
            return float(v.replace(",", "."))
        except ValueError:
            self.err(key, f"{v!r} is not a number")
            return None

    def as_date(self, key: str) -> dt.date | None:
        v = self.as_text(key)
        if v is None:
            return None
        try:
            return dt.date.fromisoformat(v[:10])
        except ValueError:
            self.err(key, f"{v!r} is not a date like 2026-12-07")
            return None

    def as_time(self, key: str) -> int | None:
        v = self.as_text(key)
        if v is None:
            return None
        m = _time(v)
        if m is None:
            self.err(key, f"{v!r} is not a time")
        return m

    def as_yes(self, key: str) -> bool:
        v = (self.as_text(key) or "yes").lower()
        if v in YES:
            return True
        if v not in NO:
            self.err(key, f"{v!r} is not yes or no")
        return False

    def as_words(self, key: str) -> list[str]:
        return [w.strip() for w in (self.as_text(key) or "").replace(",", ";").split(";") if w.strip()]

    def as_weekdays(self, key: str) -> list[int]:
        out = []
        for word in self.as_words(key):
            w = word.lower()[:3]
            if w in DAYS_EN:
                out.append(DAYS_EN.index(w))
            elif w in DAYS_SV:
                out.append(DAYS_SV.index(w))
            else:
                self.err(key, f"{word!r} is not a weekday (mon..sun or mån..sön)")
        return sorted(set(out))

    def as_shifts(self, key: str) -> list[CellShift]:
        """Shifts like "07:00-12:00, 16:00-21:00 (18:00-19:30 30)": each with its break window and
        minutes in brackets if it has one (as the roster page writes them)."""
        out = []
        for part in (p.strip() for p in (self.as_text(key) or "").split(",")):
            if not part:
                continue
            m = SHIFT_CELL.fullmatch(part)
            cells = m.group(1, 2, 3, 4) if m else (None,) * 4
            start, end, earliest, latest = (_time(x) if x else None for x in cells)
            if m is None or start is None or end is None:
                self.err(key, f"{part!r} is not a shift like 07:00-15:30 or 07:00-15:30 (11:00-13:00 30)")
                continue
            if m.group(3) and (earliest is None or latest is None):
                self.err(key, f"{part!r}: write the break as (11:00-13:00 30)")
                continue
            if end <= start:
                self.err(key, f"{part!r} ends before or when it starts")
                continue
            minutes = int(m.group(5)) if m.group(5) else None
            if break_problem(start, end, earliest, latest, minutes):
                self.err(key, f"{part!r}: the break does not fit within the shift")
                continue
            out.append(CellShift(start, end, earliest, latest, minutes))
        return sorted(out)

    def model(self, schema: type[BaseModel], data: dict[str, Any], columns: dict[str, str],
              whole: str = "name") -> Any:
        """`data` checked by the API's schema; each error at the column its field came from (`whole`:
        the column named for a rule about several fields). A cell already refused is not named twice."""
        try:
            return schema.model_validate(data)
        except ValidationError as e:
            refused = {err.column for err in self.errors if err.row == self.n}
            for item in e.errors():
                fld = str(item["loc"][0]) if item["loc"] else ""
                key = columns.get(fld, fld) if fld else whole
                if self.sheet.headers.get(key, key) not in refused:
                    self.err(key, str(item["msg"]).removeprefix("Value error, "))
            return None


class CellShift(NamedTuple):
    """One shift of a cell, with its break window if it has one."""

    start: int
    end: int
    break_earliest: int | None = None
    break_latest: int | None = None
    break_minutes: int | None = None

    def fields(self) -> dict[str, int | None]:
        return self._asdict()


# "07:00-15:30" or "07:00-15:30 (11:00-13:00 30)", spaces allowed, "min" after the minutes allowed.
SHIFT_CELL = re.compile(r"(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})"
                        r"(?:\s*\(\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s+(\d{1,3})\s*(?:min)?\s*\))?")


def shift_text(start: int, end: int, break_earliest: int | None = None, break_latest: int | None = None,
               break_minutes: int | None = None) -> str:
    """A shift as a cell writes it: "07:00-15:30", with " (11:00-13:00 30)" for a break."""
    text = f"{_hhmm(start)}-{_hhmm(end)}"
    if break_earliest is not None and break_latest is not None and break_minutes:
        text += f" ({_hhmm(break_earliest)}-{_hhmm(break_latest)} {break_minutes})"
    return text


def _time(v: str) -> int | None:
    try:
        h, m = v.split(":")[:2]
        minutes = int(h) * 60 + int(m)
    except ValueError:
        return None
    return minutes if 0 <= minutes <= 24 * 60 and 0 <= int(m) < 60 else None


# --- export ----------------------------------------------------------------------------------


def export_rows(
    session: Session, *, kind: str, team: Team, today: dt.date | None = None
) -> list[dict[str, Any]]:
    today = today or dt.date.today()
    carer_ext: dict[int, str] = dict(session.execute(select(Carer.id, Carer.external_id)).all())
    rows: list[dict[str, Any]] = []
    if kind == KIND_CITIZENS:
        for c in session.scalars(
            select(Citizen).where(Citizen.team_id == team.id).order_by(Citizen.external_id)
        ):
            base = {
                "citizen_id": c.external_id,
                "name": c.name,
                "address": c.address or "",
                "lat": c.lat,
                "lon": c.lon,
                "birth_year": c.birth_year or "",
                "contact_carer": carer_ext.get(c.contact_carer_id or 0, ""),
                "avoid_carers": ";".join(sorted(carer_ext[a.id] for a in c.avoid_carers)),
                "how_notes": c.how_notes or "",
                "notes": c.notes or "",
                "national_measure": "yes" if c.in_national_measure else "no",
                "ended_from": c.ended_from.isoformat() if c.ended_from else "",
                "end_reason": c.end_reason or "",
            }
            needs = [n for n in _needs_in_force(session, c.id, today)]
            if not needs:
                rows.append(base)
            for n in needs:
                rows.append(
                    {
                        **base,
                        "need": n.kind,
                        "weekdays": ";".join(DAYS_EN[d] for d in n.weekdays),
                        "every_weeks": n.every_weeks,
                        "earliest_start": _hhmm(n.earliest),
                        "latest_start": _hhmm(n.latest),
                        "minutes": n.duration,
                        "carers": n.carers,
                        "skills": ";".join(n.skills),
                        "care_instructions": n.care_instructions or "",
                        "priority": n.priority,
                        "valid_from": n.valid_from.isoformat(),
                        "valid_to": n.valid_to.isoformat() if n.valid_to else "",
                    }
                )
        return rows
    for k in session.scalars(select(Carer).where(Carer.team_id == team.id).order_by(Carer.external_id)):
        base = {
            "carer_id": k.external_id,
            "name": k.name,
            "skills": ";".join(k.skills),
            "contracted_hours": ""
            if k.contracted_minutes_per_week is None
            else _hours(k.contracted_minutes_per_week),
            "active_from": k.active_from.isoformat() if k.active_from else "",
            "active_to": k.active_to.isoformat() if k.active_to else "",
        }
        pattern = _pattern_in_force(session, k.id)
        exceptions = [{**base, **_exception_cells(ex)} for ex in _exceptions_kept(session, k, today)]
        if pattern is None:
            rows += exceptions or [base]
            continue
        for w in range(pattern.weeks):
            cells = {
                DAYS_EN[d]: ", ".join(
                    shift_text(ps.start, ps.end, ps.break_earliest, ps.break_latest, ps.break_minutes)
                    for ps in pattern.shifts
                    if ps.week == w and ps.weekday == d
                )
                for d in range(7)
            }
            rows.append(
                {
                    **base,
                    "pattern_from": pattern.valid_from.isoformat(),
                    "pattern_weeks": pattern.weeks,
                    "week": w + 1,
                    **cells,
                }
            )
        rows += exceptions
    return rows


def _exceptions_kept(session: Session, carer: Carer, today: dt.date) -> list[RosterException]:
    """The carer's exceptions the sheet carries: from today on, on days they work here."""
    return [ex for ex in repo.exceptions_of(session, carer.id, start=today)
            if roster_svc.works_on(carer.active_from, carer.active_to, ex.date)]


def _exception_cells(ex: RosterException) -> dict[str, str]:
    hours = "" if ex.start is None or ex.end is None else shift_text(
        ex.start, ex.end, ex.break_earliest, ex.break_latest, ex.break_minutes)
    return {"exception_date": ex.date.isoformat(), "exception": ex.kind, "exception_hours": hours,
            "exception_note": ex.note or ""}


def _hours(minutes: int) -> str:
    hours = minutes / 60
    return str(int(hours)) if hours.is_integer() else f"{hours:.2f}".rstrip("0")


def _needs_in_force(session: Session, citizen_id: int, today: dt.date) -> list[Need]:
    return [
        n
        for n in session.scalars(
            select(Need).where(Need.citizen_id == citizen_id).order_by(Need.kind, Need.valid_from, Need.id)
        )
        if n.valid_to is None or n.valid_to >= today
    ]


def _pattern_in_force(session: Session, carer_id: int) -> RosterPattern | None:
    patterns = list(repo.patterns_of(session, carer_id))
    return next((p for p in reversed(patterns) if p.valid_to is None), None)


# --- import: check and plan --------------------------------------------------------------------


def plan_import(
    session: Session, *, sheet: Sheet, team: Team, effective: dt.date, today: dt.date | None = None
) -> ImportPlan:
    """What importing the sheet would do, and every error; changes nothing."""
    plan = ImportPlan(sheet.kind, errors=list(sheet.errors), headers=sheet.headers)
    if sheet.errors and not sheet.rows:
        return plan
    if sheet.kind == KIND_CITIZENS:
        _plan_citizens(session, sheet, team, effective, today or dt.date.today(), plan)
    else:
        _plan_carers(session, sheet, team, effective, today or dt.date.today(), plan)
    plan.errors.sort(key=lambda e: (e.row, e.column))
    return plan


def _group(sheet: Sheet, id_key: str) -> dict[str, list[tuple[int, dict[str, str]]]]:
    groups: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for n, row in sheet.rows:
        groups[row.get(id_key) or f"name:{row.get('name', '')}"].append((n, row))
    return groups


def _same_across(
    sheet: Sheet, rows: list[tuple[int, dict[str, str]]], keys: list[str], errors: list[SheetError]
) -> dict[str, str]:
    """The person's columns: from the first row; later rows leave them empty or repeat them."""
    first_n, first = rows[0]
    for n, row in rows[1:]:
        for k in keys:
            if row.get(k) and first.get(k) and row[k] != first[k]:
                errors.append(SheetError(n, sheet.headers[k], f"differs from row {first_n} ({first[k]!r})"))
    return {k: first.get(k, "") or next((r.get(k, "") for _n, r in rows if r.get(k)), "") for k in keys}


CITIZEN_KEYS = [k for k, _e, _s in CITIZEN_COLUMNS[:13]]
NEED_FIELD_COLUMN = {
    "kind": "need",
    "weekdays": "weekdays",
    "every_weeks": "every_weeks",
    "earliest": "earliest_start",
    "latest": "latest_start",
    "duration": "minutes",
    "carers": "carers",
    "skills": "skills",
    "care_instructions": "care_instructions",
    "priority": "priority",
    "valid_from": "valid_from",
    "valid_to": "valid_to",
}


def _plan_citizens(
    session: Session, sheet: Sheet, team: Team, effective: dt.date, today: dt.date, plan: ImportPlan
) -> None:
    carers = {c.external_id: c for c in session.scalars(select(Carer).where(Carer.team_id == team.id))}
    known_skills = {sk for c in carers.values() for sk in c.skills}
    existing = {c.external_id: c for c in session.scalars(select(Citizen).where(Citizen.team_id == team.id))}
    errors = plan.errors
    for key, rows in _group(sheet, "citizen_id").items():
        n0, _first = rows[0]
        vals = _same_across(sheet, rows, CITIZEN_KEYS, errors)
        cells = _Cells(sheet, n0, vals, errors)
        ext = vals.get("citizen_id") or None
        row_citizen = existing.get(ext) if ext else None
        if ext and row_citizen is None:
            other = session.scalar(select(Citizen).where(Citizen.external_id == ext))
            if other is not None:
                cells.err("citizen_id", f"{ext!r} is another team's citizen")
                continue
        contact = vals.get("contact_carer") or None
        if contact and contact not in carers:
            cells.err("contact_carer", f"unknown carer {contact!r}")
        elif contact and (row_citizen is None or row_citizen.contact_carer_id != carers[contact].id):
            # A contact the citizen already has stays until edited (planning passes over one who has
            # left); a new one follows the same rule as a citizen edited by hand.
            fault = core.contact_carer_fault(carers[contact], team_id=team.id, today=today)
            if fault is not None:
                cells.err("contact_carer", f"carer {contact!r} {fault}")
        avoid = cells.as_words("avoid_carers")
        for a in avoid:
            if a not in carers:
                cells.err("avoid_carers", f"unknown carer {a!r}")
        if contact and contact in avoid:
            cells.err("contact_carer", "the contact carer cannot be on the avoid list")
        ended_from, end_reason = cells.as_date("ended_from"), cells.as_text("end_reason")
        if ended_from and end_reason not in {"moved", "deceased", "nursing_home", "other"}:
            cells.err("end_reason", "give moved, deceased, nursing_home or other")
        data = {
            "team_id": team.id,
            "name": vals.get("name") or "",
            "address": cells.as_text("address"),
            "lat": cells.as_float("lat"),
            "lon": cells.as_float("lon"),
            "birth_year": cells.as_int("birth_year"),
            "contact_carer_id": carers[contact].id if contact in carers else None,
            "avoid_carer_ids": [carers[a].id for a in avoid if a in carers],
            "how_notes": cells.as_text("how_notes"),
            "notes": cells.as_text("notes"),
            "in_national_measure": cells.as_yes("national_measure"),
        }
        cols = {k: k for k in CITIZEN_KEYS} | {
            "contact_carer_id": "contact_carer",
            "avoid_carer_ids": "avoid_carers",
            "in_national_measure": "national_measure",
        }
        checked = cells.model(
            s.CitizenCreate, {k: v for k, v in data.items() if v is not None or k in ("lat", "lon")}, cols
        )
        needs = []
        for n, row in rows:
            if not row.get("need"):
                if any(row.get(k) for k in NEED_FIELD_COLUMN.values() if k != "need"):
                    _Cells(sheet, n, row, errors).err(
                        "need", "a need's columns are filled in but not its name"
                    )
                continue
            rc = _Cells(sheet, n, row, errors)
            skills = rc.as_words("skills")
            for sk in skills:
                if sk not in known_skills:
                    rc.err("skills", f"unknown skill {sk!r} (no carer of the team has it)")
            need = {
                "citizen_id": row_citizen.id if row_citizen else 1,
                "kind": row["need"],
                "weekdays": rc.as_weekdays("weekdays"),
                "every_weeks": rc.as_int("every_weeks") or 1,
                "earliest": rc.as_time("earliest_start"),
                "latest": rc.as_time("latest_start"),
                "duration": rc.as_int("minutes"),
                "carers": rc.as_int("carers") or 1,
                "skills": skills,
                "care_instructions": rc.as_text("care_instructions"),
                "priority": rc.as_int("priority") or 2,
                "valid_from": rc.as_date("valid_from") or max(effective, today),
                "valid_to": rc.as_date("valid_to"),
            }
            checked_need = rc.model(s.NeedCreate, need, NEED_FIELD_COLUMN, whole="latest_start")
            if checked_need is not None:
                needs.append(checked_need)
        if checked is None or errors:
            continue  # with errors anywhere nothing is stored: planning the rest only counts
        label = vals.get("name") or key
        if row_citizen is None:
            plan.new.append(label)
            plan.steps.append(
                (
                    "new_citizen",
                    {
                        "external_id": ext,
                        "data": checked,
                        "needs": needs,
                        "ended_from": ended_from,
                        "end_reason": end_reason,
                    },
                )
            )
            continue
        _plan_existing_citizen(
            session, plan, row_citizen, checked, needs, ended_from, end_reason, effective, today, label
        )


def _citizen_values(session: Session, c: Citizen) -> dict[str, Any]:
    return {
        "name": c.name,
        "address": c.address,
        "lat": c.lat,
        "lon": c.lon,
        "birth_year": c.birth_year,
        "contact_carer_id": c.contact_carer_id,
        "avoid_carer_ids": sorted(a.id for a in c.avoid_carers),
        "how_notes": c.how_notes,
        "notes": c.notes,
        "in_national_measure": c.in_national_measure,
    }


def _need_values(n: Any) -> tuple[Any, ...]:
    return (
        sorted(n.weekdays),
        n.every_weeks,
        n.earliest,
        n.latest,
        n.duration,
        n.carers,
        sorted(n.skills),
        n.care_instructions,
        n.priority,
        n.valid_to,
    )


def _plan_existing_citizen(
    session: Session,
    plan: ImportPlan,
    c: Citizen,
    checked: s.CitizenCreate,
    needs: list[s.NeedCreate],
    ended_from: dt.date | None,
    end_reason: str | None,
    effective: dt.date,
    today: dt.date,
    label: str,
) -> None:
    changed = False
    now = _citizen_values(session, c)
    wanted = {k: getattr(checked, k) for k in now}
    wanted["avoid_carer_ids"] = sorted(wanted["avoid_carer_ids"])
    diff = {k: v for k, v in wanted.items() if now[k] != v}
    if diff:
        plan.steps.append(("edit_citizen", {"citizen_id": c.id, "changes": diff}))
        changed = True
    current = {(n.kind, n.valid_from): n for n in _needs_in_force(session, c.id, today)}
    seen = set()
    for need in needs:
        key = (need.kind, need.valid_from)
        seen.add(key)
        row = current.get(key)
        if row is None:
            plan.steps.append(("add_need", {"citizen_id": c.id, "data": need}))
            changed = True
        elif _need_values(row) != _need_values(need):
            start = max(effective, row.valid_from)
            plan.steps.append(("change_need", {"need_id": row.id, "from": start, "data": need}))
            changed = True
    for key, row in current.items():
        if key not in seen:
            plan.steps.append(("end_need", {"need_id": row.id, "from": max(effective, row.valid_from)}))
            changed = True
    if ended_from and ended_from != c.ended_from:
        plan.steps.append(("end_citizen", {"citizen_id": c.id, "from": ended_from, "reason": end_reason}))
        plan.ended.append(label)
    elif changed:
        plan.changed.append(label)


CARER_KEYS = [
    "carer_id",
    "name",
    "skills",
    "contracted_hours",
    "active_from",
    "active_to",
    "pattern_from",
    "pattern_weeks",
]


def _plan_carers(session: Session, sheet: Sheet, team: Team, effective: dt.date, today: dt.date,
                 plan: ImportPlan) -> None:
    existing = {c.external_id: c for c in session.scalars(select(Carer).where(Carer.team_id == team.id))}
    errors = plan.errors
    for key, rows in _group(sheet, "carer_id").items():
        n0, _first = rows[0]
        vals = _same_across(sheet, rows, CARER_KEYS, errors)
        cells = _Cells(sheet, n0, vals, errors)
        ext = vals.get("carer_id") or None
        carer = existing.get(ext) if ext else None
        if ext and carer is None and session.scalar(select(Carer.id).where(Carer.external_id == ext)):
            cells.err("carer_id", f"{ext!r} is another team's carer")
            continue
        hours = cells.as_float("contracted_hours")
        data = {
            "team_id": team.id,
            "name": vals.get("name") or "",
            "skills": cells.as_words("skills"),
            "contracted_minutes_per_week": round(hours * 60) if hours is not None else None,
            "active_from": cells.as_date("active_from"),
        }
        checked = cells.model(s.CarerCreate, data, {"contracted_minutes_per_week": "contracted_hours"},
                              whole="active_from")
        active_to = cells.as_date("active_to")
        weeks = cells.as_int("pattern_weeks")
        pattern_from = cells.as_date("pattern_from")
        shifts: list[dict[str, Any]] = []
        exceptions: list[tuple[int, ts.RosterExceptionIn]] = []
        for n, row in rows:
            rc = _Cells(sheet, n, row, errors)
            exception = _exception_of(rc, today)
            if exception is not None:
                exceptions.append((n, exception))
            week = rc.as_int("week")
            day_cells = {d: rc.as_shifts(DAYS_EN[d]) for d in range(7)}
            if week is None:
                if any(day_cells.values()):
                    rc.err("week", "give the week of the pattern (1..6) for these shifts")
                continue
            if weeks is None or not 1 <= week <= weeks:
                rc.err("week", f"week {week} is outside the pattern's {weeks or 0} weeks")
                continue
            for d, hours_of_day in day_cells.items():
                by = sorted(hours_of_day)
                for a, b in zip(by, by[1:], strict=False):
                    if b.start < a.end:
                        rc.err(DAYS_EN[d], f"shifts {_hhmm(a.start)}-{_hhmm(a.end)} and "
                                           f"{_hhmm(b.start)}-{_hhmm(b.end)} overlap")
                shifts += [{"week": week - 1, "weekday": d, **sh.fields()} for sh in hours_of_day]
        pattern = None
        if weeks is not None:
            pattern = cells.model(
                ts.RosterPatternSet,
                {"from_date": pattern_from or effective, "weeks": weeks, "shifts": shifts},
                {"weeks": "pattern_weeks", "from_date": "pattern_from", "shifts": "week"},
            )
        if checked is not None:
            _check_exceptions(sheet, exceptions, errors, checked.active_from, active_to,
                              pattern if pattern is not None else
                              _pattern_in_force(session, carer.id) if carer is not None else None)
        if checked is None or errors:
            continue
        label = vals.get("name") or key
        if carer is None:
            plan.new.append(label)
            plan.steps.append(
                (
                    "new_carer",
                    {"external_id": ext, "data": checked, "pattern": pattern, "active_to": active_to,
                     "exceptions": exceptions},
                )
            )
            continue
        changed = False
        now = {
            "name": carer.name,
            "skills": sorted(carer.skills),
            "contracted_minutes_per_week": carer.contracted_minutes_per_week,
            "active_from": carer.active_from,
        }
        wanted = {
            "name": checked.name,
            "skills": sorted(set(checked.skills)),
            "contracted_minutes_per_week": checked.contracted_minutes_per_week,
            "active_from": checked.active_from,
        }
        diff = {k: v for k, v in wanted.items() if now[k] != v}
        if diff:
            plan.steps.append(("edit_carer", {"carer_id": carer.id, "changes": diff}))
            changed = True
        current = _pattern_in_force(session, carer.id)
        if pattern is not None and (
            current is None
            or _pattern_key(current)
            != (pattern.from_date, pattern.weeks, _shift_keys(pattern.shifts))
        ):
            start = max(effective, pattern.from_date)
            plan.steps.append(
                (
                    "set_pattern",
                    {"carer_id": carer.id, "pattern": pattern.model_copy(update={"from_date": start})},
                )
            )
            changed = True
        if "exception_date" in sheet.given and _plan_exceptions(session, plan, carer, exceptions, today):
            changed = True
        if active_to and active_to != carer.active_to:
            plan.steps.append(("end_carer", {"carer_id": carer.id, "from": active_to + dt.timedelta(days=1)}))
            plan.ended.append(label)
        elif changed:
            plan.changed.append(label)


def _exception_of(rc: _Cells, today: dt.date) -> ts.RosterExceptionIn | None:
    """The row's exception on a date, if it has one (errors noted at their cells)."""
    if not any(rc.as_text(k) for k in EXCEPTION_KEYS):
        return None
    day = rc.as_date("exception_date")
    word = (rc.as_text("exception") or "").lower()
    kind = EXCEPTION_WORDS.get(word)
    hours = rc.as_shifts("exception_hours")
    if rc.as_text("exception_date") is None:
        rc.err("exception_date", "give the date of the exception")
    elif day is not None and day < today:
        rc.err("exception_date", f"{day.isoformat()} is before today; exceptions are kept from today on")
    if kind is None:
        rc.err("exception", f"{word!r} is not leave, course or extra" if word
               else "give leave, course or extra")
    if len(hours) > 1:
        rc.err("exception_hours", "one extra shift per row")
    if day is None or kind is None or day < today or len(hours) > 1:
        return None
    hours_of = hours[0].fields() if hours else {"start": None, "end": None}
    checked: ts.RosterExceptionIn | None = rc.model(
        ts.RosterExceptionIn, {"date": day, "kind": kind, **hours_of, "note": rc.as_text("exception_note")},
        {"date": "exception_date", "kind": "exception", "note": "exception_note"}
        | dict.fromkeys(CellShift._fields, "exception_hours"), whole="exception_hours")
    return checked


def _pattern_hours(pattern: ts.RosterPatternSet | RosterPattern | None,
                   day: dt.date) -> list[tuple[int, int]]:
    """The shifts the pattern gives on `day` (none before it starts)."""
    if pattern is None:
        return []
    first = pattern.from_date if isinstance(pattern, ts.RosterPatternSet) else pattern.valid_from
    if day < first:
        return []
    week = ((day - (first - dt.timedelta(days=first.weekday()))).days // 7) % pattern.weeks
    return [(sh.start, sh.end) for sh in pattern.shifts if sh.week == week and sh.weekday == day.weekday()]


def _check_exceptions(sheet: Sheet, exceptions: list[tuple[int, ts.RosterExceptionIn]],
                      errors: list[SheetError], active_from: dt.date | None, active_to: dt.date | None,
                      pattern: ts.RosterPatternSet | RosterPattern | None) -> None:
    """A carer's exceptions against their days, their roster and each other, each error at its row."""
    by_day: dict[dt.date, list[tuple[int, ts.RosterExceptionIn]]] = defaultdict(list)
    for n, ex in exceptions:
        if not roster_svc.works_on(active_from, active_to, ex.date):
            errors.append(SheetError(n, sheet.headers["exception_date"],
                                     f"the carer does not work here on {ex.date.isoformat()}"))
            continue
        by_day[ex.date].append((n, ex))
    for day, rows in by_day.items():
        off = next((n for n, ex in rows if ex.kind != "extra"), None)
        hours = [(s, e, 0) for s, e in _pattern_hours(pattern, day)]
        for n, ex in rows:
            if ex.kind == "extra" and off is not None:
                errors.append(SheetError(n, sheet.headers["exception"],
                                         f"the carer is off on {day.isoformat()} (row {off})"))
            elif ex.kind == "extra" and ex.start is not None and ex.end is not None:
                clash = next(((s, e, m) for s, e, m in hours if ex.start < e and s < ex.end), None)
                if clash is not None:
                    where = f"row {clash[2]}" if clash[2] else "the roster"
                    shift = f"{_hhmm(clash[0])}-{_hhmm(clash[1])}"
                    errors.append(SheetError(n, sheet.headers["exception_hours"],
                                             f"overlaps the shift {shift} of {where}"))
                hours.append((ex.start, ex.end, n))


def _exception_key(ex: ts.RosterExceptionIn | RosterException) -> tuple[Any, ...]:
    return (ex.date, ex.kind, ex.start, ex.end, ex.break_earliest, ex.break_latest, ex.break_minutes,
            ex.note or None)


def _plan_exceptions(session: Session, plan: ImportPlan, carer: Carer,
                     exceptions: list[tuple[int, ts.RosterExceptionIn]], today: dt.date) -> bool:
    """Steps making the carer's exceptions from today those of the sheet; answers whether any."""
    now = {_exception_key(ex): ex for ex in _exceptions_kept(session, carer, today)}
    wanted = {_exception_key(ex): (n, ex) for n, ex in exceptions}
    gone = [row.id for key, row in now.items() if key not in wanted]
    new = [(n, ex) for key, (n, ex) in wanted.items() if key not in now]
    for exception_id in gone:
        plan.steps.append(("remove_exception", {"carer_id": carer.id, "exception_id": exception_id}))
    for n, ex in new:
        plan.steps.append(("add_exception", {"carer_id": carer.id, "data": ex, "row": n}))
    return bool(gone or new)


def _shift_keys(shifts: Any) -> list[tuple[Any, ...]]:
    return sorted((x.week, x.weekday, x.start, x.end, x.break_earliest, x.break_latest, x.break_minutes)
                  for x in shifts)


def _pattern_key(p: RosterPattern) -> tuple[Any, ...]:
    return (p.valid_from, p.weeks, _shift_keys(p.shifts))


# --- import: store -----------------------------------------------------------------------------


def apply_import(session: Session, *, plan: ImportPlan, user: User) -> None:
    """Store what the plan says, through the services; the caller's transaction holds it all."""
    if plan.errors:
        raise Invalid(
            f"the sheet has {len(plan.errors)} errors; nothing was stored",
            errors=[
                {"loc": ["sheet", e.row, e.column], "path": f"row {e.row}.{e.column}", "msg": e.message}
                for e in plan.errors
            ],
        )
    _add_new_carers(session, [p for op, p in plan.steps if op == "new_carer"], plan.headers, user)
    # New citizens' visits are made at the end, for all of them at once.
    fresh = _add_new_citizens(session, [p for op, p in plan.steps if op == "new_citizen"], user)
    for op, p in plan.steps:
        if op == "edit_citizen":
            citizen = _get(session, Citizen, p["citizen_id"])
            citizens_svc.edit_citizen(
                session, citizen=citizen, data=s.CitizenUpdate(**p["changes"]), user=user
            )
        elif op == "add_need":
            needs_svc.add_need(
                session, data=p["data"].model_copy(update={"citizen_id": p["citizen_id"]}), user=user
            )
        elif op == "change_need":
            need = _get(session, Need, p["need_id"])
            d = p["data"]
            change = s.NeedChange(
                from_date=p["from"],
                weekdays=d.weekdays,
                every_weeks=d.every_weeks,
                earliest=d.earliest,
                latest=d.latest,
                duration=d.duration,
                carers=d.carers,
                skills=d.skills,
                care_instructions=d.care_instructions,
                priority=d.priority,
                valid_to=d.valid_to,
            )
            needs_svc.change_need(session, need=need, data=change, user=user)
        elif op == "end_need":
            needs_svc.end_need(
                session, need=_get(session, Need, p["need_id"]), from_date=p["from"], user=user
            )
        elif op == "end_citizen":
            citizens_svc.end_citizen(
                session,
                citizen=_get(session, Citizen, p["citizen_id"]),
                user=user,
                data=s.CitizenEnd(from_date=p["from"], reason=p["reason"] or "other"),
            )
        elif op == "edit_carer":
            carers_svc.edit_carer(
                session,
                carer=_get(session, Carer, p["carer_id"]),
                data=s.CarerUpdate(**p["changes"]),
                user=user,
            )
        elif op == "set_pattern":
            roster_svc.set_pattern(
                session, carer=_get(session, Carer, p["carer_id"]), data=p["pattern"], user=user
            )
        elif op == "remove_exception":
            roster_svc.remove_exception(
                session, carer=_get(session, Carer, p["carer_id"]), exception_id=p["exception_id"], user=user
            )
        elif op == "add_exception":
            _add_exception(session, carer=_get(session, Carer, p["carer_id"]), data=p["data"], row=p["row"],
                           headers=plan.headers, user=user)
        elif op == "end_carer":
            carers_svc.end_carer(
                session,
                carer=_get(session, Carer, p["carer_id"]),
                user=user,
                data=s.CarerEnd(from_date=p["from"]),
            )
    if fresh:
        first = min(d for _c, d in fresh)
        last = max(d for _c, d in fresh) + dt.timedelta(days=citizens_svc.HORIZON_DAYS - 1)
        generate_visits(
            session, start=first, end=last, team_ids=None, today=first, citizen_ids={c for c, _d in fresh}
        )
    session.flush()


def _add_exception(session: Session, *, carer: Carer, data: ts.RosterExceptionIn, row: int,
                   headers: dict[str, str], user: User) -> None:
    """One exception of the sheet stored; refused by the roster (a clash with a shift entered by hand),
    it is named by its row and cell like the dry run's errors."""
    try:
        roster_svc.add_exception(session, carer=carer, data=data, user=user)
    except Invalid as e:
        key = "exception_hours" if data.kind == "extra" else "exception_date"
        column = headers.get(key, key)
        where = {"loc": ["sheet", row, column], "path": f"row {row}.{column}", "msg": e.message}
        raise Invalid(f"row {row}, column {column}: {e.message}; nothing was stored", errors=[where]) from e


def _add_new_carers(session: Session, steps: list[dict[str, Any]], headers: dict[str, str],
                    user: User) -> None:
    """New carers, their patterns and shifts in bulk statements (an import brings hundreds)."""
    if not steps:
        return
    team = session.get(Team, steps[0]["data"].team_id)
    assert team is not None
    carers = []
    for p in steps:
        d = p["data"]
        carers.append(
            Carer(
                external_id=p["external_id"] or core.new_external_id(f"{team.external_id}-c"),
                team_id=team.id,
                name=d.name,
                skills=sorted(set(d.skills)),
                contracted_minutes_per_week=d.contracted_minutes_per_week,
                active_from=d.active_from,
                active_to=p["active_to"],
            )
        )
    session.add_all(carers)
    session.flush()
    patterns: list[tuple[Carer, RosterPattern]] = []
    for carer, p in zip(carers, steps, strict=True):
        pat = p["pattern"]
        if pat is not None:
            patterns.append(
                (
                    carer,
                    RosterPattern(
                        carer_id=carer.id,
                        weeks=pat.weeks,
                        valid_from=pat.from_date,
                        shifts=[RosterPatternShift(**x.model_dump()) for x in pat.shifts],
                    ),
                )
            )
    session.add_all(pat for _c, pat in patterns)
    session.flush()
    shifts: list[dict[str, Any]] = []
    for carer, pattern in patterns:
        last = pattern.valid_from + dt.timedelta(days=roster_svc.HORIZON_DAYS - 1)
        if carer.active_to is not None:
            last = min(last, carer.active_to)
        day = max(pattern.valid_from, carer.active_from or pattern.valid_from)
        shifts += roster_svc.pattern_rows(carer.id, pattern, day, last)
    for i in range(0, len(shifts), 2000):
        session.execute(insert(Shift), shifts[i : i + 2000])
    session.add_all(
        ChangeRecord(
            entity=ENTITY_CARER,
            entity_id=c.id,
            action="imported",
            team_id=team.id,
            carer_id=c.id,
            after=snapshot(c, carers_svc.CARER_FIELDS),
            created_by_id=user.id if user else None,
        )
        for c in carers
    )
    session.flush()
    for carer, p in zip(carers, steps, strict=True):
        for row, ex in p.get("exceptions", []):
            _add_exception(session, carer=carer, data=ex, row=row, headers=headers, user=user)


def _add_new_citizens(session: Session, steps: list[dict[str, Any]], user: User) -> list[tuple[int, dt.date]]:
    """New citizens and their needs in bulk; answers (citizen id, need's first day) for the visits."""
    if not steps:
        return []
    team = session.get(Team, steps[0]["data"].team_id)
    assert team is not None
    citizens = []
    for p in steps:
        d = p["data"]
        citizens.append(
            Citizen(
                external_id=p["external_id"] or core.new_external_id(f"{team.external_id}-p"),
                team_id=team.id,
                name=d.name,
                address=d.address,
                lat=d.lat,
                lon=d.lon,
                contact_carer_id=d.contact_carer_id,
                notes=d.notes,
                birth_year=d.birth_year,
                how_notes=d.how_notes,
                in_national_measure=d.in_national_measure,
                ended_from=p["ended_from"],
                end_reason=p["end_reason"],
            )
        )
    session.add_all(citizens)
    session.flush()
    avoid = [
        {"citizen_id": c.id, "carer_id": cid}
        for c, p in zip(citizens, steps, strict=True)
        for cid in dict.fromkeys(p["data"].avoid_carer_ids)
    ]
    if avoid:
        session.execute(insert(citizen_avoid_carers), avoid)
    fresh: list[tuple[int, dt.date]] = []
    needs: list[Need] = []
    for c, p in zip(citizens, steps, strict=True):
        for n in p["needs"]:
            needs.append(
                Need(
                    external_id=core.new_external_id(f"{c.external_id}-{n.kind}"),
                    citizen_id=c.id,
                    kind=n.kind,
                    weekdays=n.weekdays,
                    earliest=n.earliest,
                    latest=n.latest,
                    duration=n.duration,
                    carers=n.carers,
                    skills=sorted(set(n.skills)),
                    valid_from=n.valid_from,
                    valid_to=n.valid_to,
                    every_weeks=n.every_weeks,
                    care_instructions=n.care_instructions,
                    priority=n.priority,
                )
            )
            fresh.append((c.id, n.valid_from))
    session.add_all(needs)
    session.flush()
    session.add_all(
        ChangeRecord(
            entity=ENTITY_CITIZEN,
            entity_id=c.id,
            action="imported",
            team_id=team.id,
            citizen_id=c.id,
            # From the row as given: reading each back would cost a query per citizen.
            after=snapshot(
                c, citizens_svc.CITIZEN_FIELDS, avoid_carer_ids=sorted(set(p["data"].avoid_carer_ids))
            ),
            created_by_id=user.id if user else None,
        )
        for c, p in zip(citizens, steps, strict=True)
    )
    session.flush()
    return fresh


def _get(session: Session, model: Any, row_id: int) -> Any:
    row = session.get(model, row_id)
    if row is None:
        raise Invalid(f"{model.__name__.lower()} {row_id} went away meanwhile; upload again")
    return row
