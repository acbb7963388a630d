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
from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, or_, select, update
from sqlalchemy.orm import Session

from app.repositories.core import has_visits
from app.services.core import delete_row
from app.services.errors import Conflict
from app.settings import get_settings
from models.base import Base
from models.core import Carer, Citizen

ANONYMISED = "(anonymised)"
# Fields of a person that are personal data in free text: their former values, kept in the change
# records' before/after, are looked for everywhere too.
PERSONAL_FIELDS = frozenset({"name", "address", "notes", "how_notes", "avoid_reasons", "note", "reason"})


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
    """Every stored row about the row `table.id == row_id`, by table name."""
    tables = Base.metadata.tables
    found: dict[str, dict[Any, dict[str, Any]]] = {}
    frontier: list[tuple[Table, set[Any]]] = [(tables[table], {row_id})]
    while frontier:
        parent, ids = frontier.pop()
        if parent.name == table:
            rows = session.execute(select(parent).where(parent.c.id.in_(ids))).mappings().all()
            found.setdefault(parent.name, {}).update({r["id"]: dict(r) for r in rows})
        for child in tables.values():
            for column in _pointing_at(child, parent):
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


def export_citizen(session: Session, *, citizen: Citizen) -> dict[str, Any]:
    return {"format": "homecare-person-export/1", "kind": "citizen", "id": citizen.id,
            "name": citizen.name, "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": rows_about(session, table="citizens", row_id=citizen.id)}


def export_carer(session: Session, *, carer: Carer) -> dict[str, Any]:
    return {"format": "homecare-person-export/1", "kind": "carer", "id": carer.id, "name": carer.name,
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": rows_about(session, table="carers", row_id=carer.id)}


# --- anonymisation ------------------------------------------------------------------------------


def _text_columns() -> Iterable[tuple[Table, Any]]:
    for table in Base.metadata.tables.values():
        if "id" not in table.c:
            continue
        for column in table.c:
            if isinstance(column.type, String | JSON):  # Text is a String
                yield table, column


def _replace(value: Any, needles: list[str], replacement: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            value = value.replace(needle, replacement)
        return value
    if isinstance(value, list):
        return [_replace(v, needles, replacement) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, needles, replacement) for k, v in value.items()}
    return value


def scrub_everywhere(session: Session, *, needles: Iterable[str], replacement: str) -> int:
    """Replace every occurrence of the needles (a name, an address) in every text and JSON column of
    every table; how many rows changed."""
    wanted = sorted({n for n in needles if n and len(n) >= 3}, key=len, reverse=True)
    if not wanted:
        return 0
    changed = 0
    for table, column in _text_columns():
        text_of = cast(column, Text) if isinstance(column.type, JSON) else column
        rows = session.execute(select(table.c.id, column)
                               .where(or_(*(text_of.contains(n, autoescape=True) for n in wanted)))).all()
        for row_id, value in rows:
            session.execute(update(table).where(table.c.id == row_id)
                            .values({column.name: _replace(value, wanted, replacement)}))
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


def former_values(session: Session, *, table: str, row_id: int) -> set[str]:
    """What the person's personal fields held before (the change records' before and after)."""
    records = rows_about(session, table=table, row_id=row_id).get("change_records", [])
    return {text for record in records for side in (record.get("before"), record.get("after"))
            if isinstance(side, dict) for key, value in side.items() if key in PERSONAL_FIELDS
            for text in _strings(value)}


def _pseudonym(kind: str, row_id: int) -> str:
    from app.services.audit import pseudonymiser

    return pseudonymiser()(kind, str(row_id))


def anonymise_citizen(session: Session, *, citizen: Citizen, now: dt.datetime | None = None) -> None:
    """The citizen's personal data removed for good; the rows that plans and figures need stay."""
    name = f"Brukare {_pseudonym('citizen', citizen.id)}"
    # Whole values only: a first name alone is someone else's too ("Karl Berg").
    needles = [citizen.name, citizen.address or "", citizen.notes or "", citizen.how_notes or "",
               *former_values(session, table="citizens", row_id=citizen.id)]
    citizen.name = name
    citizen.address = None
    citizen.notes = None
    citizen.how_notes = None
    citizen.lat, citizen.lon = citizen.team.lat, citizen.team.lon
    citizen.anonymised_at = now or dt.datetime.now(dt.UTC)
    session.flush()
    scrub_everywhere(session, needles=[n for n in needles if n], replacement=ANONYMISED)
    session.flush()


def anonymise_carer(session: Session, *, carer: Carer, now: dt.datetime | None = None) -> None:
    needles = [carer.name, *former_values(session, table="carers", row_id=carer.id)]
    carer.name = f"Medarbetare {_pseudonym('carer', carer.id)}"
    carer.anonymised_at = now or dt.datetime.now(dt.UTC)
    session.flush()
    scrub_everywhere(session, needles=needles, replacement=ANONYMISED)
    session.flush()


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
