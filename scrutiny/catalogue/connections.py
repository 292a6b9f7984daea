"""A Datasette plugin that scrutiny registers itself: how it opens the catalogue.

Datasette's search reads every matching row to count the matches; through SQLite's page
cache that is a system call per page, through a memory map a memory read (a word on
100,000 pages: 300 ms -> 220 ms to count; benchmarks/search_speed.py).

Every served connection is also bounded, so no request can take the server's memory: a
query may read only values of up to ``VALUE_BYTES`` (SQLite's own length limit: larger
values, stored or made by ``randomblob()``, ``zeroblob()`` or ``group_concat()``, stop the
query with "string or blob too big") and return up to ``RESULT_BYTES`` in all; SQLite's
heap is capped at ``HEAP_BYTES``. A query past them fails with a message, like any bad SQL.
Datasette runs three queries at once, so the server's memory stays within a few hundred MB.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from datasette import hookimpl

#: Address space to map, not memory used: mapped pages are the OS file cache's, shared.
MMAP_BYTES = 1 << 30
#: The largest value a query may read or make. The build keeps stored text far under it
#: (a page or a record's text holds at most 100,000 characters: scrutiny.pipeline.PAGE_LIMIT).
VALUE_BYTES = 1 << 20
#: The most a query's rows may hold in all (Datasette returns at most 1,000 rows).
RESULT_BYTES = 64 << 20
#: SQLite's own memory, for the whole process (sorting, building values).
HEAP_BYTES = 512 << 20
#: Columns in a result: a wide row of values at the length limit is still bounded.
COLUMNS = 200

_LIMITS = {
    "SQLITE_LIMIT_LENGTH": VALUE_BYTES,
    "SQLITE_LIMIT_SQL_LENGTH": 100_000,
    "SQLITE_LIMIT_COLUMN": COLUMNS,
}


class ResultTooLarge(sqlite3.OperationalError):
    """A query whose rows are over ``RESULT_BYTES``: Datasette shows it as an SQL error."""


_fetching = threading.local()  # Datasette runs each query in one thread: its rows so far


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else 16


def _bounded_rows(cursor: sqlite3.Cursor, row: tuple) -> sqlite3.Row:
    """Datasette's row factory (sqlite3.Row), counting the bytes of the cursor's rows."""
    if getattr(_fetching, "cursor", None) is not cursor:
        _fetching.cursor, _fetching.size = cursor, 0
    _fetching.size += sum(map(_size, row))
    if _fetching.size > RESULT_BYTES:
        _fetching.cursor = None
        raise ResultTooLarge(
            f"the result is over {RESULT_BYTES >> 20} MB: ask for fewer rows (a LIMIT) or "
            "smaller values (substr())"
        )
    return sqlite3.Row(cursor, row)


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_BYTES}")
    if hasattr(conn, "setlimit"):  # Python 3.11+
        for name, value in _LIMITS.items():
            conn.setlimit(getattr(sqlite3, name), value)
    conn.row_factory = _bounded_rows
