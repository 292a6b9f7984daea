"""The SQLite catalogue: schema, and writes that are atomic per document."""

from __future__ import annotations

import datetime
import json
import os
import sqlite3
import zlib
from dataclasses import asdict, astuple
from pathlib import Path
from typing import IO, Iterable, Sequence

import sqlite_utils

from ..records import Document, Page, Problem, Word
from . import changes, measures, tables

__all__ = [
    "TABLES", "Catalogue", "building_copy", "hold_while_served", "is_served", "lock_path",
    "known_sha", "replace_catalogue", "scope_fts_triggers", "take_build_lock",
]

#: Every table a catalogue has: the core ones, then those for extracted records.
TABLES = (
    "documents", "pages", "problems", "ocr_words", "document_paths", *tables.table_names(), *measures.TABLES,
    *changes.TABLES, "file_index",
)

#: A file whose modification time is this close to when it was looked at may change again
#: within the same tick of a coarse clock (1-2 s on some filesystems) after it was hashed:
#: its index entry is not trusted (git's "racily clean" files).
RACY_NS = 2_000_000_000

#: Where a page's text came from, and for an OCR page how sure Tesseract was.
_PAGE_OCR_COLUMNS = {"source": str, "text_layer": str, "ocr_confidence": float}

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


def lock_path(db_path: str | Path) -> Path:
    """``<db>.lock`` beside the real catalogue file: the path resolved (symlinks, ``..``), so
    two ways of naming one catalogue take one lock."""
    real = Path(db_path).resolve()
    return real.with_name(real.name + ".lock")


def take_build_lock(db_path: str | Path):
    """Take ``<db>.lock``, the lock a build holds while it writes the catalogue, without
    waiting: the ``filelock.FileLock`` (release it when done), or None if it is held."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path(db_path)), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


# While `scrutiny serve` publishes a catalogue it holds a shared lock (flock) on the file it
# opened; a build that can't take the same lock exclusively knows the file is being served.
# flock locks belong to the open file, not its name, and never touch SQLite's own locks.


def hold_while_served(db_path: str | Path) -> IO[bytes] | None:
    """Mark the catalogue file as served: keep the returned file open for as long as it is
    (closing it, or the process ending, lifts the mark). None where flock is not available."""
    try:
        import fcntl
    except ImportError:  # Windows
        return None
    handle = open(db_path, "rb")
    fcntl.flock(handle, fcntl.LOCK_SH)
    return handle


def is_served(db_path: str | Path) -> bool:
    """Whether a running ``scrutiny serve`` has this catalogue file open."""
    try:
        import fcntl
    except ImportError:  # Windows
        return False
    try:
        handle = open(db_path, "rb")
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def building_copy(db_path: str | Path) -> Path:
    """A copy of the catalogue beside it (hidden), to build into while the file is served:
    SQLite's backup of a consistent state, write-ahead log included."""
    db_path = Path(db_path)
    copy = db_path.with_name(f".{db_path.name}.building")
    for stale in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm"), Path(f"{copy}-journal")):
        stale.unlink(missing_ok=True)  # left by a build that was stopped
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    target = sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return copy


def replace_catalogue(copy: str | Path, db_path: str | Path) -> None:
    """Put a finished copy in the catalogue's place in one step (a rename): a reader that has
    the old file open keeps reading the old file, whole; one opening it afterwards gets the new."""
    db_path = Path(db_path)
    # The old file's write-ahead log and index (empty: serve folded the log in when it
    # started) must not be taken for the new file's.
    for old in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        old.unlink(missing_ok=True)
    os.replace(copy, db_path)


def _add_year(db: sqlite_utils.Database, table: str, expression: str) -> None:
    """Give ``table`` a ``year`` column computed from its date, if it has none yet."""
    columns = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{table}])").fetchall()}
    if "year" not in columns:
        db.execute(f"ALTER TABLE [{table}] ADD COLUMN year TEXT GENERATED ALWAYS AS ({expression}) VIRTUAL")


def _figures_confidence(context: str | None, page: Page) -> float | None:
    """The lowest OCR confidence among the words of ``context`` that hold a digit."""
    lowest: dict[str, float] = {}
    for word in page.words:
        if any(char.isdigit() for char in word.text):
            lowest[word.text] = min(word.confidence, lowest.get(word.text, 100.0))
    found = [lowest[token] for token in (context or "").split() if token in lowest]
    return min(found) if found else None


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
        self.db.enable_wal()  # readers (scrutiny quality, sqlite3) can read while a build writes
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
                {"document_id": int, "page": int, "text": str, **_PAGE_OCR_COLUMNS},
                foreign_keys=[("document_id", "documents", "id")],
                not_null={"text", "source"},
                defaults={"source": "text"},
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
        self._ensure_ocr_schema()
        # What each file's size and modification time were when it was last hashed, and the
        # manifest entry it was last described by: a build that finds both unchanged takes the
        # file as read, without opening it or writing anything (as git's index does).
        db["file_index"].create(
            {"path": str, "size": int, "mtime_ns": int, "sha256": str, "manifest": str, "stat_ns": int},
            pk="path",
            if_not_exists=True,
        )
        tables.create_all(db)
        measures.create(db)
        changes.create(db)
        # Records read from an OCR page carry its confidence (see _record_ocr_confidence).
        for name in tables.table_names():
            columns = db[name].columns_dict
            if "page" in columns and "ocr_confidence" not in columns:
                db[name].add_column("ocr_confidence", float)
        for table, year in _YEARS.items():
            _add_year(db, table, year)
        if not db["pages"].detect_fts():
            db["pages"].enable_fts(["text"], tokenize="porter", create_triggers=True)
        if not db["documents"].detect_fts():
            db["documents"].enable_fts(
                ["title", "authority", "committee"], tokenize="porter", create_triggers=True
            )
        scope_fts_triggers(db)

    def _ensure_ocr_schema(self) -> None:
        """``pages.source`` (text, ocr), ``text_layer`` and ``ocr_confidence``, added to a
        catalogue built before OCR; and ``ocr_words``, the words OCR read on each page, so a
        page is read by OCR once per version of its file (zlib-compressed JSON: about 8 KB
        a page, against the minutes it took to read)."""
        db = self.db
        columns = db["pages"].columns_dict
        for name, kind in _PAGE_OCR_COLUMNS.items():
            if name not in columns:
                db["pages"].add_column(name, kind, not_null_default="text" if name == "source" else None)
        db["ocr_words"].create(
            {"document_id": int, "page": int, "sha256": str, "words": bytes},
            foreign_keys=[("document_id", "documents", "id")],
            not_null={"document_id", "page", "sha256", "words"},
            if_not_exists=True,
        )
        db["ocr_words"].create_index(["document_id", "page"], unique=True, if_not_exists=True)

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
        known = self.db.execute("select document_id from document_paths where path = ?", [path]).fetchone()
        if known and known[0] == document_id:
            return  # known already: nothing to write
        with self.db.atomic():
            self.db["document_paths"].upsert({"path": path, "document_id": document_id}, pk="path")

    def pages_awaiting_ocr(self, document_id: int, mode: str) -> list[int]:
        """A PDF's pages that OCR (``mode`` auto or always) should read and has not."""
        usable = "" if mode == "always" else " and text_layer != 'usable'"
        return [
            row[0]
            for row in self.db.execute(
                "select page from pages where document_id = ? and source = 'text' "
                f"and text_layer is not null{usable} order by page",
                [document_id],
            )
        ]

    def ocr_words(self, document_id: int, sha256: str) -> dict[int, tuple[Word, ...]]:
        """The words OCR read on a document's pages, for this version of its file."""
        return {
            page: tuple(Word(*fields) for fields in json.loads(zlib.decompress(words)))
            for page, words in self.db.execute(
                "select page, words from ocr_words where document_id = ? and sha256 = ?",
                [document_id, sha256],
            )
        }

    def indexed(self, path: str) -> dict | None:
        """The file index's row for ``path`` (see ``known_sha``), or None."""
        return next(self.db["file_index"].rows_where("path = ?", [path]), None)

    def index_file(self, path: str, size: int, mtime_ns: int, sha256: str, manifest: str, stat_ns: int) -> None:
        """Record that the file at ``path``, of this size and mtime when looked at ``stat_ns``,
        has this content and manifest entry (its records saved as such)."""
        with self.db.atomic():
            self.db["file_index"].upsert(
                {"path": path, "size": size, "mtime_ns": mtime_ns, "sha256": sha256, "manifest": manifest,
                 "stat_ns": stat_ns},
                pk="path",
            )

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
            authorities = [old["authority"]] if old else []
            self._clear_problems(document.path)
            self.db["document_paths"].delete_where("path = ?", [document.path])
            document_id = self.db["documents"].insert(row).last_pk
            self.db["pages"].insert_all(
                {
                    "document_id": document_id, "page": page.page, "text": page.text,
                    "source": page.source, "text_layer": page.text_layer,
                    "ocr_confidence": page.ocr_confidence,
                }
                for page in pages
            )
            tables.write_records(self.db, document_id, document, records)
            self._save_ocr_words(document_id, document.sha256, pages)
            self._record_ocr_confidence(document_id, pages)
            self._insert_problems(problems)
            changes.record(self.db, document_id, [*authorities, document.authority])
        return document_id

    def _save_ocr_words(self, document_id: int, sha256: str, pages: Sequence[Page]) -> None:
        """Keep the words of the pages just read by OCR, and those of this file's pages read
        before (an OCR reading that ran out of time carries on from them); forget the rest."""
        self.db["ocr_words"].delete_where("document_id = ? and sha256 != ?", [document_id, sha256])
        self.db["ocr_words"].upsert_all(
            (
                {
                    "document_id": document_id, "page": page.page, "sha256": sha256,
                    "words": zlib.compress(json.dumps([astuple(w) for w in page.words]).encode()),
                }
                for page in pages
                if page.source == "ocr" and page.words
            ),
            pk=("document_id", "page"),
        )

    def _record_ocr_confidence(self, document_id: int, pages: Sequence[Page]) -> None:
        """Give the records read from OCR pages the confidence they were read with.

        Every record gets its page's mean confidence; a reported value gets the lowest
        confidence among the words with figures in its context (the value, its period,
        its code), so one misread digit makes the value uncertain even on a clear page.
        """
        read = {page.page: page for page in pages if page.source == "ocr" and page.ocr_confidence is not None}
        if not read:
            return
        for name in tables.table_names():
            if "ocr_confidence" not in self.db[name].columns_dict:
                continue
            for number, page in read.items():
                self.db.execute(
                    f"update [{name}] set ocr_confidence = ? where document_id = ? and page = ?",
                    [page.ocr_confidence, document_id, number],
                )
        if "indicator_values" not in tables.table_names():
            return
        for value_id, number, context in self.db.execute(
            "select id, page, context from indicator_values where document_id = ? and page in "
            f"({', '.join('?' * len(read))})",
            [document_id, *read],
        ).fetchall():
            confidence = _figures_confidence(context, read[number])
            if confidence is not None:
                self.db["indicator_values"].update(value_id, {"ocr_confidence": confidence})

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
                # its measures link within another authority now, or its requests and returns
                # are read in another committee, date or kind (scrutiny.followups)
                log_change(self.db, document_id, [current["authority"], document.authority])
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
            {**asdict(problem), "path": _storable(problem.path), "error": _storable(problem.error),
             "recorded_at": recorded_at}
            for problem in problems
        )


log_change = changes.record


def known_sha(db_path: str | Path):
    """``discover``'s ``known`` for the catalogue at ``db_path``: a file's SHA-256 from the
    file index when its size and mtime are those it was hashed with (and were not racy),
    else None. Read-only; a catalogue not made yet knows nothing."""
    try:
        connection = sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True, check_same_thread=False)
        connection.execute("select 1 from file_index limit 1")
    except sqlite3.Error:
        return lambda path, size, mtime_ns: None

    def known(path: str, size: int, mtime_ns: int) -> str | None:
        row = connection.execute(
            "select sha256 from file_index where path = ? and size = ? and mtime_ns = ? and mtime_ns < stat_ns - ?",
            [path, size, mtime_ns, RACY_NS],
        ).fetchone()
        return row[0] if row else None

    return known


def scope_fts_triggers(db: sqlite_utils.Database) -> None:
    """Make every full-text index's update trigger fire only when an indexed column changes.

    sqlite-utils (``enable_fts(create_triggers=True)``) makes ``AFTER UPDATE ON table``,
    which deletes and re-inserts the row's index entry on any update: linking sets
    ``measure_id`` on every value it links, OCR sets ``ocr_confidence``, and each time the
    full-text index grew (four small builds grew a 162 MB catalogue by 15%). The trigger is
    made again as ``AFTER UPDATE OF <indexed columns> ON table``, with the same body.
    """
    for name, sql in db.execute(
        "select name, sql from sqlite_master where type = 'trigger' and name like '%\\_au' escape '\\'"
    ).fetchall():
        table = name[: -len("_au")]
        head = f'AFTER UPDATE ON "{table}"'
        if head not in sql or not db[f"{table}_fts"].exists():
            continue  # scoped already, or not one of sqlite-utils' full-text triggers
        columns = [c for c in db[f"{table}_fts"].columns_dict if c != "rowid"]
        scoped = sql.replace(head, f'AFTER UPDATE OF {", ".join(f"[{c}]" for c in columns)} ON "{table}"')
        with db.atomic():
            db.execute(f'DROP TRIGGER "{name}"')
            db.execute(scoped)


def _storable(text: str) -> str:
    """Text SQLite can store: a file name's undecodable bytes (``os.fsdecode``'s surrogates)
    written as ``\\xe9``, so a problem about a badly named file is recorded, not a crash."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
