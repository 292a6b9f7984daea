"""Joining catalogues built apart (one per council, on different machines) into one.

Documents are matched by content (SHA-256): a document already in the target is not copied
again, and its path in the other catalogue is kept as another path of the same document
(``document_paths``). Every other document is copied with every row that hangs off it, and
ids are renumbered consistently: a table with an integer ``id`` gets its ids moved past the
target's, and every column that refers to another table (its declared foreign keys) follows.
The tables come from the schema, not a list, so a table a new extractor adds (with a
``document_id`` column and its foreign keys declared) is merged too. Full-text indexes follow
through their triggers. Links to the registry are copied, then made again once for the whole
catalogue by the caller (``scrutiny.pipeline.merge``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ..errors import ScrutinyError
from . import changes

__all__ = ["Merged", "copy_catalogue"]

#: Tables that describe the build, not the documents: the target keeps its own (the registry
#: and official values are written again when it is linked; file_index names files on the
#: machine that built the other catalogue).
_NOT_COPIED = {
    "documents", "document_paths", "problems", "measures", "official_values", "measure_inputs",
    "measure_reviews", "file_index", "document_changes", "step_marks",
}


@dataclass
class Merged:
    """What one catalogue brought: documents copied, and those the target had already."""

    path: str
    documents: int = 0
    duplicates: int = 0


def _tables_in_order(db: sqlite_utils.Database) -> list[str]:
    """The tables with records of documents, each after the tables its foreign keys name."""
    fts = {name for name in db.table_names() if "_fts" in name}
    wanted = [
        name for name in db.table_names()
        if name not in _NOT_COPIED and name not in fts and not name.startswith("sqlite_")
        and ("document_id" in db[name].columns_dict or name == "measure_links")
    ]  # fmt: skip
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in ordered or name in path or name not in wanted:
            return
        for key in db[name].foreign_keys:
            visit(key.other_table, (*path, name))
        ordered.append(name)

    for name in wanted:
        visit(name)
    return ordered


def copy_catalogue(target: sqlite_utils.Database, source_path: str | Path) -> Merged:
    """Copy the documents of the catalogue at ``source_path`` that ``target`` lacks, with
    their records, in one transaction; log each as changed (catalogue.changes)."""
    source_path = Path(source_path)
    merged = Merged(str(source_path))
    try:
        probe = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        try:
            probe.execute("select id, sha256, path from documents limit 1").fetchall()
        finally:
            probe.close()
    except sqlite3.Error as error:
        raise ScrutinyError(
            f"{source_path} is not a scrutiny catalogue ({error}). Give catalogues made by scrutiny build."
        ) from None
    db = target
    db.execute("attach database ? as other", [str(source_path)])
    try:
        with db.atomic():
            merged = _copy(db, merged)
    finally:
        db.execute("detach database other")
    return merged


def _copy(db: sqlite_utils.Database, merged: Merged) -> Merged:
    conn = db.conn
    conn.execute("create temp table if not exists merged_documents (old integer primary key, new integer, copied integer)")
    conn.execute("delete from temp.merged_documents")
    next_id = conn.execute("select coalesce(max(id), 0) from main.documents").fetchone()[0]
    main_columns = set(db["documents"].columns_dict)
    other_columns = [row[1] for row in conn.execute("pragma other.table_info(documents)")]
    columns = [c for c in other_columns if c in main_columns and c != "id"]
    known_paths = {row[0] for row in conn.execute("select path from main.documents")}
    for old_id, sha256, path in conn.execute("select id, sha256, path from other.documents order by id").fetchall():
        twin = conn.execute("select id from main.documents where sha256 = ? order by id limit 1", [sha256]).fetchone()
        if twin is not None:
            conn.execute("insert into temp.merged_documents values (?, ?, 0)", [old_id, twin[0]])
            merged.duplicates += 1
            if path not in known_paths:  # the other catalogue's path for the same file
                conn.execute("insert or ignore into main.document_paths (path, document_id) values (?, ?)", [path, twin[0]])
            continue
        if path in known_paths:
            raise ScrutinyError(
                f"Both catalogues hold a document at {path}, with different contents: they were built "
                "from different files at the same path. Build them with paths that tell them apart "
                "(each council's papers in its own folder), then merge."
            )
        next_id += 1
        known_paths.add(path)
        listed = ", ".join(f"[{c}]" for c in columns)
        conn.execute(
            f"insert into main.documents (id, {listed}) select ?, {listed} from other.documents where id = ?",
            [next_id, old_id],
        )
        conn.execute("insert into temp.merged_documents values (?, ?, 1)", [old_id, next_id])
        changes.record(db, next_id, [conn.execute("select authority from main.documents where id = ?", [next_id]).fetchone()[0]])
        merged.documents += 1
    # The other catalogue's second paths of its documents.
    conn.execute(
        "insert or ignore into main.document_paths (path, document_id) select p.path, m.new "
        "from other.document_paths p join temp.merged_documents m on m.old = p.document_id "
        "where p.path not in (select path from main.documents)"
    )
    offsets: dict[str, int] = {}
    for name in _tables_in_order(db):
        exists = conn.execute("select 1 from other.sqlite_master where type = 'table' and name = ?", [name]).fetchone()
        if not exists:
            continue  # made by an older scrutiny
        theirs = [row[1] for row in conn.execute(f"pragma other.table_info([{name}])")]
        ours = db[name].columns_dict
        shared = [c for c in theirs if c in ours]
        keys = {key.column: key.other_table for key in db[name].foreign_keys}
        if "id" in ours and db[name].pks == ["id"]:
            offsets[name] = conn.execute(f"select coalesce(max(id), 0) from main.[{name}]").fetchone()[0]
        values = []
        for column in shared:
            if column == "id" and name in offsets:
                values.append(f"t.id + {offsets[name]}")
            elif keys.get(column) == "documents":
                values.append(f"(select new from temp.merged_documents where old = t.[{column}])")
            elif keys.get(column) in offsets:
                values.append(f"t.[{column}] + {offsets[keys[column]]}")
            else:
                values.append(f"t.[{column}]")
        if "document_id" in theirs:
            scope = "t.document_id in (select old from temp.merged_documents where copied = 1)"
        else:  # measure_links: by its indicator's document
            scope = (
                "t.indicator_id in (select id from other.indicators where document_id in "
                "(select old from temp.merged_documents where copied = 1))"
            )
        conn.execute(
            f"insert into main.[{name}] ({', '.join(f'[{c}]' for c in shared)}) "
            f"select {', '.join(values)} from other.[{name}] t where {scope} order by t.rowid"
        )
    # Problems: the other catalogue's, but once each (two catalogues built from one folder).
    problem_columns = [c for c in db["problems"].columns_dict if c != "id"]
    listed = ", ".join(f"[{c}]" for c in problem_columns)
    conn.execute(
        f"insert into main.problems ({listed}) select {listed} from other.problems t where not exists "
        "(select 1 from main.problems p where p.path = t.path and p.stage = t.stage and p.error = t.error "
        "and p.page is t.page and p.sha256 is t.sha256)"
    )
    return merged
