"""A Datasette plugin that scrutiny registers itself: how it opens the catalogue.

Datasette's search reads every matching row to count the matches; through SQLite's page
cache that is a system call per page, through a memory map a memory read (a word on
100,000 pages: 300 ms -> 220 ms to count; benchmarks/search_speed.py).
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

#: Address space to map, not memory used: mapped pages are the OS file cache's, shared.
MMAP_BYTES = 1 << 30


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
