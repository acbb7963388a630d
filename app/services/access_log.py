"""Who looked at whom: every read of a citizen's personal data is written down, as Swedish health and
care records law asks (Patientdatalagen, and HSLF-FS 2016:40 on access logs), for an admin to follow up.

A read is logged per citizen shown: the rota of a team logs each citizen on it, a carer's day each
citizen visited. Auditors read pseudonymised figures only, which read no person: nothing is logged for
them. The rows go in the request's own transaction, so a page that fails logs nothing it did not show.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.repositories import access_log as repo
from app.schemas.access_log import AccessLogOut
from app.settings import get_settings
from models.security import AccessLogEntry


def record_reads(session: Session, *, user_id: int, citizen_ids: Iterable[int], what: str, path: str,
                 address: str, at: dt.datetime | None = None) -> int:
    """Log one read per distinct citizen; how many rows were written."""
    moment = at or dt.datetime.now(dt.UTC)
    rows = [{"at": moment, "user_id": user_id, "citizen_id": cid, "what": what[:40], "path": path[:300],
             "address": address[:64]} for cid in sorted(set(citizen_ids))]
    if rows:
        # One statement for the lot (executemany): a rota shows every citizen of the team.
        session.execute(insert(AccessLogEntry), rows)
    return len(rows)


def prune(session: Session, *, now: dt.datetime | None = None) -> int:
    """Delete the entries older than the retention setting; how many went."""
    days = get_settings().access_log_retention_days
    return repo.delete_before(session, (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=days))


def today() -> dt.date:
    """Today in the municipality: the log's days and months are the municipality's, not the server's."""
    return dt.datetime.now(ZoneInfo(get_settings().time_zone)).date()


def day_bounds(start: dt.date | None, end: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """From the start of `start` to the end of `end` (both included), in the municipality's time zone."""
    zone = ZoneInfo(get_settings().time_zone)
    first = dt.datetime.combine(start, dt.time(), zone) if start else None
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone) if end else None
    return first, after


def entries(session: Session, *, citizen_id: int | None = None, citizen_name: str | None = None,
            user_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
            limit: int | None = 100, offset: int = 0) -> tuple[list[AccessLogOut], int]:
    """The log's entries matching the filters, newest first, and how many match in all."""
    first, after = day_bounds(start, end)
    stmt = repo.entries_stmt(citizen_id=citizen_id, citizen_name=citizen_name, user_id=user_id, start=first,
                             end=after)
    rows, total = repo.entries_page(session, stmt, limit=limit, offset=offset)
    return [AccessLogOut(at=e.at, user_id=e.user_id, username=username, citizen_id=e.citizen_id,
                         citizen_name=name, what=e.what, path=e.path, address=e.address)
            for e, username, name in rows], total


CSV_COLUMNS = ("at", "user_id", "username", "citizen_id", "citizen_name", "what", "path", "address")


def csv_rows(items: Iterable[AccessLogOut]) -> Iterator[list[str]]:
    yield list(CSV_COLUMNS)
    for item in items:
        yield [item.at.isoformat(timespec="seconds"), str(item.user_id), item.username, str(item.citizen_id),
               item.citizen_name or "", item.what, item.path, item.address]


def csv_text(items: Iterable[AccessLogOut]) -> Iterator[str]:
    """The entries as CSV, a line at a time (the API and the page stream it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in csv_rows(items):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
