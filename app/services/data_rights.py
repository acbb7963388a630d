"""The data rights of a citizen (and of a carer who leaves): everything held about them, exported; and,
once their care (or employment) has ended longer ago than the retention setting, their personal data
anonymised while plans, performed visits and the continuity figures stay exactly as they were.

"Everything held about one person" is read from the schema itself, so a table added later is included
without anyone remembering to: the person's row, every row that points at it (a foreign key, or a
`citizen_id` / `carer_id` column without one, such as the access log), and every row that points at
those, and so on down. Rows about other people are never reached, because only rows pointing *at*
what is already the person's are followed.

Anonymisation replaces the name with a pseudonym and removes address, notes and every free text about
the person, then looks through every text and JSON column of every table for what remains of the whole
name and the address (a change record's before/after, a reason typed into a sick call, a stored plan
job's input) and replaces it. Only the whole name is looked for: a first name alone is other people's
too, so "Astrid fell" typed into a reason stays (the pages ask not to write health details in free
text). The birth year stays, because the national measure counts by age, and the home's coordinates
become the team's base: the audit's figures do not change.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, or_, select, update
from sqlalchemy.orm import Session

from app.repositories.core import has_visits
from app.services.audit import pseudonymiser
from app.services.core import delete_row
from app.services.errors import Conflict
from app.settings import get_settings
from models.adjustments import Adjustment
from models.base import Base
from models.core import Carer, Citizen, Need, Visit, citizen_avoid_carers
from models.team_data import ChangeRecord, RosterException

ANONYMISED = "(anonymised)"
# Fields of a person that are personal data in free text: their former values, kept in the change
# records' before/after, are looked for everywhere too.
PERSONAL_FIELDS = frozenset({"name", "address", "notes", "how_notes", "avoid_reasons", "note", "reason"})
# Tables whose rows are people: a row of another person is never part of someone's export.
PEOPLE = frozenset({"citizens", "carers", "users"})
# Rows that link two people but hold one's data (why a citizen avoids a carer): in the other person's
# export only the link itself (the keys) comes along.
OWNER = {"citizen_avoid_carers": "citizens"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _pointing_at(table: Table, parent: Table) -> list[Any]:
    """The columns of `table` that point at `parent`'s id: its foreign keys, and for people a
    `citizen_id` / `carer_id` column kept without one on purpose (the access log outlives the row)."""
    columns = [fk.parent for fk in table.foreign_keys if fk.column.table is parent and fk.column.name == "id"]
    by_name = {"citizens": "citizen_id", "carers": "carer_id"}.get(parent.name)
    if by_name and by_name in table.c and table.c[by_name] not in columns:
        columns.append(table.c[by_name])
    return columns


def rows_about(session: Session, *, table: str, row_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every stored row about the row `table.id == row_id`, by table name. Another person's row that
    points at this one (a citizen whose contact carer this is) is theirs: only the reference comes
    along (its keys), and nothing of theirs is followed."""
    tables = Base.metadata.tables
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    frontier: list[tuple[Table, set[Any]]] = [(tables[table], {row_id})]
    while frontier:
        parent, ids = frontier.pop()
        if parent.name == table:
            rows = session.execute(select(parent).where(parent.c.id.in_(ids))).mappings().all()
            found.setdefault(parent.name, {}).update({r["id"]: dict(r) for r in rows})
        for child in tables.values():
            someone_else = (child.name in PEOPLE and child.name != table
                            or OWNER.get(child.name, table) != table)
            for column in _pointing_at(child, parent):
                if someone_else:
                    keys = [c for c in child.c if c.primary_key or c.foreign_keys]
                    refs = session.execute(select(*keys).where(column.in_(ids))).mappings().all()
                    bucket = found.setdefault(child.name, {})
                    for r in refs:
                        bucket.setdefault(r.get("id", tuple(r.values())), {}).update(dict(r))
                    continue
                rows = session.execute(select(child).where(column.in_(ids))).mappings().all()
                new: set[Any] = set()
                bucket = found.setdefault(child.name, {})
                for r in rows:
                    key = r["id"] if "id" in r else tuple(r.values())
                    if key not in bucket:
                        bucket[key] = dict(r)
                        if "id" in r:
                            new.add(r["id"])
                if new and child.name != table:
                    frontier.append((child, new))
    return {name: [{k: _plain(v) for k, v in row.items()} for row in rows.values()]
            for name, rows in sorted(found.items()) if rows}


def _names(value: Any, keys: frozenset[str], ids: set[str]) -> bool:
    """Whether a change (homecare-changes/1, a pin or a hand move) names one of `ids` under one of
    `keys`, at any depth: `{"visit": id}`, `{"carers": [ids]}`, `{"visit": {"id": ..., "citizen": id}}`."""
    if isinstance(value, list):
        return any(_names(v, keys, ids) for v in value)
    if not isinstance(value, dict):
        return False
    for key, v in value.items():
        if key in keys and (
                (isinstance(v, str) and v in ids)
                or (isinstance(v, list) and any(isinstance(x, str) and x in ids for x in v))
                or (isinstance(v, dict) and v.get("id") in ids)):
            return True
        if _names(v, keys, ids):
            return True
    return False


def _adjustment_ids(session: Session, *, keys: frozenset[str], ids: set[str]) -> list[int]:
    """The daily adjustments about a person. They name people by the exchange format's ids inside their
    change, not by a foreign key, so the schema's references do not reach them."""
    rows = session.execute(select(Adjustment.id, Adjustment.change).execution_options(yield_per=1000))
    return [row_id for row_id, change in rows if _names(change, keys, ids)]


def citizen_adjustment_ids(session: Session, *, citizen: Citizen) -> list[int]:
    visits = session.scalars(select(Visit.external_id).where(Visit.citizen_id == citizen.id))
    return _adjustment_ids(session, keys=frozenset({"citizen", "visit"}), ids={citizen.external_id, *visits})


def carer_adjustment_ids(session: Session, *, carer: Carer) -> list[int]:
    return _adjustment_ids(session, keys=frozenset({"carer", "carers"}), ids={carer.external_id})


def _with_adjustments(session: Session, tables: dict[str, list[dict[str, Any]]],
                      ids: list[int]) -> dict[str, list[dict[str, Any]]]:
    if ids:
        rows = session.execute(select(Adjustment.__table__).where(Adjustment.id.in_(ids))
                               .order_by(Adjustment.id)).mappings()
        tables = dict(sorted({**tables, "adjustments": [{k: _plain(v) for k, v in r.items()}
                                                        for r in rows]}.items()))
    return tables


def export_citizen(session: Session, *, citizen: Citizen) -> dict[str, Any]:
    tables = _with_adjustments(session, rows_about(session, table="citizens", row_id=citizen.id),
                               citizen_adjustment_ids(session, citizen=citizen))
    return {"format": "homecare-person-export/1", "kind": "citizen", "id": citizen.id,
            "name": citizen.name, "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": tables}


def export_carer(session: Session, *, carer: Carer) -> dict[str, Any]:
    tables = _with_adjustments(session, rows_about(session, table="carers", row_id=carer.id),
                               carer_adjustment_ids(session, carer=carer))
    return {"format": "homecare-person-export/1", "kind": "carer", "id": carer.id, "name": carer.name,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": tables}


# --- anonymisation ------------------------------------------------------------------------------


# Identity columns of the people tables: another person's own name or address is never rewritten, even
# where it happens to hold this person's ("Karl Berg" and "Karl Bergström" are two people).
OTHERS_IDENTITY = frozenset({("citizens", "name"), ("citizens", "address"), ("carers", "name"),
                             ("users", "username"), ("users", "full_name")})
# The keys of a change record's before/after that hold a person's personal data or free text about them.
RECORDED_FREE_TEXT = PERSONAL_FIELDS | {"care_instructions"}
# What identifies a person when it turns up in someone else's text: their whole name and address (a
# note's or an instruction's text is not looked for elsewhere: "Nyckel i boxen" is in others' notes too).
IDENTIFYING_FIELDS = frozenset({"name", "address"})


def _text_columns() -> Iterable[tuple[Table, Any]]:
    for table in Base.metadata.tables.values():
        if "id" not in table.c:
            continue
        for column in table.c:
            if isinstance(column.type, String | JSON) and (table.name, column.name) not in OTHERS_IDENTITY:
                yield table, column  # Text is a String


def _forms(needle: str) -> list[str]:
    """The needle as typed and as a JSON column stores it (`"Åsa"` is kept as `"\\u00c5sa"`)."""
    escaped = json.dumps(needle)[1:-1]
    return [needle] if escaped == needle else [needle, escaped]


def _replace(value: Any, patterns: list[re.Pattern[str]], replacement: str) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace(v, patterns, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, patterns, replacement) for k, v in value.items()}
    return value


def scrub_everywhere(session: Session, *, needles: Iterable[str], replacement: str) -> int:
    """Replace every occurrence of the needles (a name, an address) as whole words in every text and
    JSON column of every table, other people's own names and addresses aside; how many rows changed."""
    wanted = sorted({n for n in needles if n and len(n) >= 3}, key=len, reverse=True)
    if not wanted:
        return 0
    searched = [form for n in wanted for form in _forms(n)]
    # A Swedish genitive goes with the name ("Åsa Öbergs nyckel"); a longer name does not ("Öbergsson").
    patterns = [re.compile(rf"(?<!\w){re.escape(form)}s?(?!\w)") for form in searched]
    changed = 0
    for table, column in _text_columns():
        text_of = cast(column, Text) if isinstance(column.type, JSON) else column
        rows = session.execute(select(table.c.id, column)
                               .where(or_(*(text_of.contains(n, autoescape=True) for n in searched)))).all()
        for row_id, value in rows:
            scrubbed = _replace(value, patterns, replacement)
            if scrubbed != value:
                session.execute(update(table).where(table.c.id == row_id).values({column.name: scrubbed}))
                changed += 1
    return changed


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def change_records(session: Session, *, table: str, row_id: int) -> list[dict[str, Any]]:
    """The change records about the person (read once: anonymising both reads and blanks them)."""
    return rows_about(session, table=table, row_id=row_id).get("change_records", [])


def former_values(*, records: list[dict[str, Any]], fields: frozenset[str] = IDENTIFYING_FIELDS) -> set[str]:
    """What the person's `fields` held before (their change `records`' before and after)."""
    return {text for record in records for side in (record.get("before"), record.get("after"))
            if isinstance(side, dict) for key, value in side.items() if key in fields
            for text in _strings(value)}


def _blank_recorded_free_text(session: Session, *, records: list[dict[str, Any]]) -> None:
    """The change records about the person keep what changed, not what their free text said."""
    for record in records:
        sides = {}
        for side in ("before", "after"):
            value = record.get(side)
            if isinstance(value, dict) and RECORDED_FREE_TEXT & value.keys():
                sides[side] = {k: ANONYMISED if k in RECORDED_FREE_TEXT and v not in (None, "", [], {})
                               else v for k, v in value.items()}
        if sides:
            session.execute(update(ChangeRecord).where(ChangeRecord.id == record["id"]).values(sides))


def _pseudonym(kind: str, row_id: int) -> str:
    return pseudonymiser()(kind, str(row_id))


def _forget(session: Session, *, table: str, row_id: int, records: list[dict[str, Any]],
            adjustments: list[int], own: Any) -> None:
    """The free text typed about a person beside their own row: their change records' texts, the
    reasons given for avoiding them or by them (`citizen_avoid_carers`), their adjustments' reasons, and
    `own` (an UPDATE of their other free text)."""
    _blank_recorded_free_text(session, records=records)
    avoid = citizen_avoid_carers.c.citizen_id if table == "citizens" else citizen_avoid_carers.c.carer_id
    session.execute(update(citizen_avoid_carers).where(avoid == row_id).values(reason=None))
    for statement in (own, update(Adjustment).where(Adjustment.id.in_(adjustments)).values(reason=None)):
        session.execute(statement.execution_options(synchronize_session=False))


def _scrub(session: Session, *, needles: list[str]) -> None:
    session.flush()
    scrub_everywhere(session, needles=needles, replacement=ANONYMISED)
    session.flush()
    session.expire_all()  # the bulk updates above left the session's rows stale


def anonymise_citizen(session: Session, *, citizen: Citizen, now: dt.datetime | None = None) -> None:
    """The citizen's personal data removed for good; the rows that plans and figures need stay: the name
    becomes a pseudonym, address, notes and every free text about them (care instructions, avoid
    reasons, the reasons typed into their adjustments, their change records' texts) are removed."""
    records = change_records(session, table="citizens", row_id=citizen.id)
    needles = [citizen.name, citizen.address or "", *former_values(records=records)]
    _forget(session, table="citizens", row_id=citizen.id, records=records,
            adjustments=citizen_adjustment_ids(session, citizen=citizen),
            own=update(Need).where(Need.citizen_id == citizen.id).values(care_instructions=None))
    citizen.name = f"Brukare {_pseudonym('citizen', citizen.id)}"
    citizen.address = None
    citizen.notes = None
    citizen.how_notes = None
    citizen.lat, citizen.lon = citizen.team.lat, citizen.team.lon
    citizen.anonymised_at = now or dt.datetime.now(dt.UTC)
    _scrub(session, needles=needles)


def anonymise_carer(session: Session, *, carer: Carer, now: dt.datetime | None = None) -> None:
    """The carer's name becomes a pseudonym; the reason they left, their roster's notes, citizens'
    reasons for avoiding them and the reasons typed into their adjustments are removed."""
    records = change_records(session, table="carers", row_id=carer.id)
    needles = [carer.name, *former_values(records=records)]
    _forget(session, table="carers", row_id=carer.id, records=records,
            adjustments=carer_adjustment_ids(session, carer=carer),
            own=update(RosterException).where(RosterException.carer_id == carer.id).values(note=None))
    carer.name = f"Medarbetare {_pseudonym('carer', carer.id)}"
    carer.end_reason = None
    carer.anonymised_at = now or dt.datetime.now(dt.UTC)
    _scrub(session, needles=needles)


def anonymise_due(session: Session, *, today: dt.date) -> tuple[int, int]:
    """Anonymise every citizen whose care, and every carer whose employment, ended more than the
    retention period ago; (citizens, carers) anonymised."""
    cutoff = today - dt.timedelta(days=get_settings().retention_after_end_days)
    citizens = session.scalars(select(Citizen).where(Citizen.ended_from.is_not(None),
                                                     Citizen.ended_from < cutoff,
                                                     Citizen.anonymised_at.is_(None))).all()
    for citizen in citizens:
        anonymise_citizen(session, citizen=citizen)
    carers = session.scalars(select(Carer).where(Carer.active_to.is_not(None), Carer.active_to < cutoff,
                                                 Carer.anonymised_at.is_(None))).all()
    for carer in carers:
        anonymise_carer(session, carer=carer)
    return len(citizens), len(carers)


def delete_citizen(session: Session, *, citizen: Citizen) -> None:
    """Delete a citizen registered by mistake. One with visits had care: deleting would rewrite past
    plans and continuity figures, so their care is ended instead (and anonymised after the retention)."""
    if has_visits(session, citizen_id=citizen.id):
        raise Conflict("this citizen has visits: end the care instead (POST /api/citizens/{id}/end), so "
                       "past plans and continuity figures stay as they were", path="citizen")
    delete_row(session, row=citizen)
