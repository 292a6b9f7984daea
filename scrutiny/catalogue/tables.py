"""Tables for what the extractors find: one module per kind of record.

Each module listed in ``MODULES`` defines:

- ``RECORDS``: the record types (from ``scrutiny.records``) it stores;
- ``TABLES``: the names of the tables it creates (every one has a ``document_id`` column,
  so a document's rows can be replaced as a unit);
- ``create(db)``: create its tables, indexes and full-text indexes if they are missing;
- ``write(db, document_id, document, records)``: insert one document's records (a list of
  its ``RECORDS``, in the order the extractors gave them), inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from types import ModuleType
from typing import Iterable

import sqlite_utils

from ..records import Document
from . import cells, indicators, minutes

__all__ = ["MODULES", "create_all", "table_names", "write_records"]

#: Modules that store extracted records (see the module docstring).
MODULES: list[ModuleType] = [
    indicators,
    cells,
    minutes,
]


def table_names() -> list[str]:
    return [name for module in MODULES for name in module.TABLES]


def create_all(db: sqlite_utils.Database) -> None:
    for module in MODULES:
        module.create(db)


def write_records(
    db: sqlite_utils.Database, document_id: int, document: Document, records: Iterable[object]
) -> None:
    """Hand each module the records of its types. A record no module stores is a bug."""
    owner = {record_type: module for module in MODULES for record_type in module.RECORDS}
    by_module: dict[ModuleType, list[object]] = defaultdict(list)
    for record in records:
        module = owner.get(type(record))
        if module is None:
            raise TypeError(f"no catalogue table stores {type(record).__name__} records")
        by_module[module].append(record)
    for module in MODULES:  # registration order: a module may refer to rows an earlier one wrote
        if by_module[module]:
            module.write(db, document_id, document, by_module[module])
