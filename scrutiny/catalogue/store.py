"""The SQLite catalogue: schema, and writes that are atomic per document."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Sequence

import sqlite_utils

from ..records import Document, Page, Problem
from . import measures, tables

__all__ = ["TABLES", "Catalogue", "take_build_lock"]

#: Every table a catalogue has: the core ones, then those for extracted records.
TABLES = ("documents", "pages", "problems", *tables.table_names(), *measures.TABLES)

_FACTS = ("title", "authority", "committee", "meeting_date", "kind", "source_url")

# The year to facet on, computed by SQLite from the date beside it (a virtual generated
# column: nothing to write or keep in step when a manifest edit changes a meeting's date).
_CALENDAR_YEAR = "substr(meeting_date, 1, 4)"
# Councils report performance by financial year, April to March: 2016-07-01 is in "2016/17".
_FINANCIAL_YEAR = (
    "case when period_start is null then null else printf('%d/%02d', "
    "cast(substr(period_start, 1, 4) as integer) - (cast(substr(period_start, 6, 2) as integer) < 4), "
    "(cast(substr(period_start, 1, 4) as integer) + (cast(substr(period_start, 6, 2) as integer) >= 4)) % 100) end"
)
_YEARS = {
    "documents": _CALENDAR_YEAR,
    "agenda_items": _CALENDAR_YEAR,
    "resolutions": _CALENDAR_YEAR,
    "actions": _CALENDAR_YEAR,
    "indicator_values": _FINANCIAL_YEAR,
}


def take_build_lock(db_path: Path):
    """Take ``<db>.lock``, the lock a build holds while it writes the catalogue, without
    waiting: the ``filelock.FileLock`` (release it when done), or None if it is held."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(db_path) + ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


def _add_year(db: sqlite_utils.Database, table: str, expression: str) -> None:
    """Give ``table`` a ``year`` column computed from its date, if it has none yet."""
    columns = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{table}])").fetchall()}
    if "year" not in columns:
        db.execute(f"ALTER TABLE [{table}] ADD COLUMN year TEXT GENERATED ALWAYS AS ({expression}) VIRTUAL")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


class Catalogue:
    """A catalogue database file, opened for building.

    ``documents`` has one row per readable source file, ``pages`` one row per page
    (full-text searchable as ``pages_fts``), ``problems`` one row per thing that went wrong.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite_utils.Database(self.path)
        self.db.enable_wal()  # Datasette can read while a build writes
        self.ensure_schema()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ensure_schema(self) -> None:
        """Create the tables, indexes and full-text indexes that are not there yet."""
        db = self.db
        with db.atomic():
            db["documents"].create(
                {
                    "id": int,
                    "path": str,
                    "sha256": str,
                    "title": str,
                    "authority": str,
                    "committee": str,
                    "meeting_date": str,
                    "kind": str,
                    "page_count": int,
                    "source_url": str,
                    "format": str,
                    "size": int,
                    "built_at": str,
                },
                pk="id",
                not_null={"path", "sha256"},
                if_not_exists=True,
            )
            # A rowid table, (document_id, page) unique by index rather than primary key:
            # Datasette orders a table's search results by its primary key, and with a
            # compound key SQLite sorts every matching page, text and all, to find the first
            # 100 (0.9 s for a common word in 100,000 pages); in rowid order it stops after
            # 100 (20 ms). See benchmarks/search_speed.py.
            db["pages"].create(
                {"document_id": int, "page": int, "text": str},
                foreign_keys=[("document_id", "documents", "id")],
                not_null={"text"},
                if_not_exists=True,
            )
            db["problems"].create(
                {
                    "id": int,
                    "path": str,
                    "stage": str,
                    "error": str,
                    "page": int,
                    "sha256": str,
                    "recorded_at": str,
                },
                pk="id",
                not_null={"path", "stage", "error"},
                if_not_exists=True,
            )
            # The same file at another path: one document, every path it is found at known.
            db["document_paths"].create(
                {"path": str, "document_id": int},
                pk="path",
                foreign_keys=[("document_id", "documents", "id")],
                if_not_exists=True,
            )
            db["pages"].create_index(["document_id", "page"], unique=True, if_not_exists=True)
            db["documents"].create_index(["path"], unique=True, if_not_exists=True)
            db["documents"].create_index(["sha256"], if_not_exists=True)
            db["documents"].create_index(["authority", "meeting_date"], if_not_exists=True)
            db["problems"].create_index(["path"], if_not_exists=True)
        tables.create_all(db)
        measures.create(db)
        for table, year in _YEARS.items():
            _add_year(db, table, year)
        if not db["pages"].detect_fts():
            db["pages"].enable_fts(["text"], tokenize="porter", create_triggers=True)
        if not db["documents"].detect_fts():
            db["documents"].enable_fts(
                ["title", "authority", "committee"], tokenize="porter", create_triggers=True
            )

    # Reading what is there -------------------------------------------------------

    def document_at(self, path: str) -> dict | None:
        """The documents row for a path, or None."""
        return next(self.db["documents"].rows_where("path = ?", [path]), None)

    def documents_with_sha(self, sha256: str) -> list[dict]:
        """Every documents row whose file has this content."""
        return list(self.db["documents"].rows_where("sha256 = ?", [sha256]))

    def pages_of(self, document_id: int, limit: int | None = None) -> list[Page]:
        """A document's pages in order (the first ``limit`` of them)."""
        return [
            Page(page=row["page"], text=row["text"])
            for row in self.db["pages"].rows_where(
                "document_id = ?", [document_id], order_by="page", limit=limit
            )
        ]

    def add_path(self, document_id: int, path: str) -> None:
        """Record that the document's file (same content) is also found at ``path``."""
        with self.db.atomic():
            self.db["document_paths"].upsert({"path": path, "document_id": document_id}, pk="path")

    def known_unreadable(self, path: str, sha256: str) -> bool:
        """True if this exact file was tried before and could not be read at all."""
        return bool(
            self.db["problems"].count_where(
                "path = ? and sha256 = ? and stage = 'read' and page is null", [path, sha256]
            )
        )

    # Writing, one transaction per document ----------------------------------------

    def save_document(
        self,
        document: Document,
        pages: Sequence[Page],
        problems: Iterable[Problem] = (),
        records: Iterable[object] = (),
    ) -> int:
        """Replace whatever the catalogue holds for ``document.path`` with this document,
        its pages, and the records extracted from it (indicator values, resolutions, ...).

        A changed file keeps its document id: the id names the file at that path, so
        links to it stay good, while every record from the old content is replaced.
        """
        with self.db.atomic():
            old = self.document_at(document.path)
            row = {**asdict(document), "built_at": _now()}
            if old:
                self._delete_document(old["id"])
                row["id"] = old["id"]
            self._clear_problems(document.path)
            self.db["document_paths"].delete_where("path = ?", [document.path])
            document_id = self.db["documents"].insert(row).last_pk
            self.db["pages"].insert_all(
                {"document_id": document_id, "page": page.page, "text": page.text}
                for page in pages
            )
            tables.write_records(self.db, document_id, document, records)
            self._insert_problems(problems)
        return document_id

    def save_failure(self, path: str, problems: Iterable[Problem]) -> None:
        """Record why a file could not be read. Its earlier good records, if any, stay."""
        with self.db.atomic():
            self._clear_problems(path)
            self._insert_problems(problems)

    def clear_stale_problems(self, path: str, sha256: str) -> None:
        """Forget problems recorded against other versions of the file at ``path``."""
        with self.db.atomic():
            self.db["problems"].delete_where(
                "path = ? and sha256 is not null and sha256 != ?", [path, sha256]
            )

    def move(self, document_id: int, path: str) -> None:
        """Record that a document's file now lives at ``path`` (same content)."""
        with self.db.atomic():
            self._clear_problems(path)
            self.db["document_paths"].delete_where("path = ?", [path])
            self.db["documents"].update(document_id, {"path": path})

    def update_facts(self, document_id: int, document: Document) -> bool:
        """Bring a document's descriptive facts up to date; True if anything changed."""
        current = self.db["documents"].get(document_id)
        changes = {
            name: getattr(document, name)
            for name in _FACTS
            if current[name] != getattr(document, name)
        }
        if changes:
            with self.db.atomic():
                self.db["documents"].update(document_id, changes)
                self._copy_meeting_facts(document_id, changes)
        return bool(changes)

    def _copy_meeting_facts(self, document_id: int, changes: dict) -> None:
        """Extracted tables that repeat the meeting's facts (resolutions: authority, committee,
        meeting_date) follow a manifest edit, so searches across meetings stay right."""
        for name in tables.table_names():
            columns = self.db[name].columns_dict
            # Only these: "title" and "kind" name other things in other tables (a measure's
            # title, a value's kind).
            shared = {
                k: v for k, v in changes.items()
                if k in ("authority", "committee", "meeting_date") and k in columns
            }
            if shared:
                assignments = ", ".join(f"[{column}] = ?" for column in shared)
                # Minutes reprinted from an earlier meeting keep that meeting's date (catalogue/minutes.py).
                reprints = " and coalesce(reprinted, 0) = 0" if "reprinted" in columns else ""
                self.db.execute(
                    f"update [{name}] set {assignments} where document_id = ?{reprints}",
                    [*shared.values(), document_id],
                )

    def replace_problems(self, stage: str, under: Sequence[str], problems: Iterable[Problem]) -> None:
        """Replace the ``stage`` problems recorded for paths under the given roots."""
        with self.db.atomic():
            for root in under:
                self.db.execute(
                    "delete from problems where stage = ? and (path = ? or path like ?)",
                    [stage, root, root.rstrip("/") + "/%"],
                )
            self._insert_problems(problems)

    def _delete_document(self, document_id: int) -> None:
        measures.links_of_documents(self.db, [document_id])
        for name in ("pages", "document_paths", *tables.table_names()):
            self.db[name].delete_where("document_id = ?", [document_id])
        self.db["documents"].delete(document_id)

    def _clear_problems(self, path: str) -> None:
        self.db["problems"].delete_where(
            "path = ? and stage not in ('manifest', 'discover')", [path]
        )

    def _insert_problems(self, problems: Iterable[Problem]) -> None:
        recorded_at = _now()
        self.db["problems"].insert_all(
            {**asdict(problem), "recorded_at": recorded_at} for problem in problems
        )
