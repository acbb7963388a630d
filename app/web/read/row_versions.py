"""What a page's reads would find, as a stamp PostgreSQL gives in one statement: a cache key no writer
has to remember to move.

Every write in PostgreSQL makes a new row version: an insert or an update leaves a row with a new
(ctid, xmin), a delete takes one away. So the count and a 64-bit hash sum of the row versions a query
joins change whenever what the query would return can have changed, whoever wrote (a page, the API, a
plan job, the command line, a hand in psql). Within one running server, two different sets of row
versions give the same stamp only by a hash collision (about 2^-64), or when a version comes back at the
same ctid with the same 32-bit xmin, 2^32 transactions later. Another server's rows (a backup restored
into a new cluster, a switch to another server) may lie at the same (ctid, xmin) holding other values, so
the stamps also name the server's start. A stamp is taken *before* the reads it stands for: read committed
gives each statement its own snapshot, so the reads may then see more than the stamp, never less, and a
write after the stamp moves it for the next request.

SQLite has no row versions to see: there `stamps` answers None and pages read afresh every time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from functools import lru_cache
from threading import Lock
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Text, func, literal_column, select
from sqlalchemy.orm import Session

V = TypeVar("V")


def supported(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _version_hash(tables: Sequence[str]) -> Any:
    # A 64-bit hash of the joined row's (ctid, xmin) per table, chained: each table's ctid hashed with
    # the hash so far, mixed with its xmin, as the seed (no text made of the ctid: that cost more than
    # the join itself).
    h = "0"
    for t in tables:
        h = f"hashtidextended({t}.ctid, ({h}) # {t}.xmin::text::bigint)"
    return literal_column(h)


def stamp_of(stmt: Select[Any], tables: Sequence[str]) -> Any:
    """A scalar subquery: `count:hash sum` of the row versions of `tables` (names as `stmt` joins them)
    over the rows `stmt` selects. Every table `stmt` reads from must be named."""
    rows = stmt.order_by(None).add_columns(_version_hash(tables).label("row_version")).subquery()
    return (
        select(func.concat(func.count(), ":", func.coalesce(func.sum(rows.c.row_version), 0)))
        .select_from(rows)
        .scalar_subquery()
    )


def stamps(session: Session, parts: Sequence[tuple[Select[Any], Sequence[str]]],
           params: dict[str, Any] | None = None) -> tuple[str, ...] | None:
    """The server's start and the stamps of these reads (with these bound parameters) in one round trip;
    None where the database keeps no row versions."""
    if not supported(session):
        return None
    row = session.execute(_stamps_stmt(tuple((stmt, tuple(tables)) for stmt, tables in parts)), params).one()
    return tuple(row)


@lru_cache(maxsize=32)
def _stamps_stmt(parts: tuple[tuple[Select[Any], tuple[str, ...]], ...]) -> Select[Any]:
    return select(func.pg_postmaster_start_time().cast(Text),
                  *(stamp_of(stmt, tables) for stmt, tables in parts))


class PageCache(Generic[V]):
    """The last few values a page made, per server process, by a key that holds the stamps of what they
    were made from (so an entry is never wrong, only unused once the data moved on)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._latest: dict[Hashable, Hashable] = {}
        self._lock = Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: V, *, replaces: Hashable = None) -> None:
        """Keep `value` under `key`; an entry put earlier with the same `replaces` (the same page of
        older stamps, which no request will ask for again) goes."""
        with self._lock:
            if replaces is not None:
                older = self._latest.get(replaces)
                if older is not None and older != key:
                    self._items.pop(older, None)
                self._latest[replaces] = key
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
            if len(self._latest) > 4 * self.size:
                self._latest = {g: k for g, k in self._latest.items() if k in self._items}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._latest.clear()

    def __len__(self) -> int:
        return len(self._items)
