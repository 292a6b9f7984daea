"""What changed in a catalogue since a step that works across documents last ran.

Steps that read every document's records together (linking measures to the registry; a step
that follows requests in minutes to later papers) must not redo the whole catalogue when one
document was added: they ask ``since(db, step)`` which documents changed, and which
authorities those were in, then ``mark(db, step, changed.upto)`` once their work is saved.

Every write of a document's records (``Catalogue.save_document``) and every change of its
authority (a manifest edit) appends a row to ``document_changes`` in the same transaction,
so the log can't miss one. Rows every step has seen are pruned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import sqlite_utils

__all__ = ["TABLES", "Changes", "create", "latest", "mark", "record", "since"]

TABLES = ("document_changes", "step_marks")


@dataclass(frozen=True)
class Changes:
    """What changed after a step's mark: ``upto`` is the last change seen (give it to
    ``mark``); ``documents`` the ids written (some may have been replaced again since);
    ``authorities`` those documents' authorities, before and after (None: no authority)."""

    upto: int
    documents: frozenset[int]
    authorities: frozenset[str | None]

    def __bool__(self) -> bool:
        return bool(self.documents)


def create(db: sqlite_utils.Database) -> None:
    # AUTOINCREMENT: a change logged after the log was pruned empty still comes after every mark.
    db.execute(
        "create table if not exists document_changes "
        "(seq integer primary key autoincrement, document_id integer, authority text)"
    )
    # The step's name, and the last change it has taken in.
    db["step_marks"].create({"step": str, "seq": int}, pk="step", if_not_exists=True)


def record(db: sqlite_utils.Database, document_id: int, authorities: Iterable[str | None]) -> None:
    """Log that a document's records were written, in its own transaction (the caller's)."""
    db["document_changes"].insert_all(
        {"document_id": document_id, "authority": authority} for authority in dict.fromkeys(authorities)
    )


def since(db: sqlite_utils.Database, step: str) -> Changes | None:
    """What changed since ``step`` last marked its work done, or None if it never has (it
    must then go through every document)."""
    row = db.execute("select seq from step_marks where step = ?", [step]).fetchone()
    upto = db.execute("select coalesce(max(seq), 0) from document_changes").fetchone()[0]
    if row is None:
        return None
    rows = db.execute(
        "select document_id, authority from document_changes where seq > ? and seq <= ?", [row[0], upto]
    ).fetchall()
    return Changes(upto, frozenset(r[0] for r in rows), frozenset(r[1] for r in rows))


def latest(db: sqlite_utils.Database) -> int:
    """The last change logged (0 for none): a step that went through everything marks this."""
    return db.execute("select coalesce(max(seq), 0) from document_changes").fetchone()[0]


def mark(db: sqlite_utils.Database, step: str, upto: int) -> None:
    """Record that ``step`` has taken in every change up to ``upto``; forget the changes
    every step has taken in (a step never marked reads everything anyway)."""
    with db.atomic():
        db["step_marks"].upsert({"step": step, "seq": upto}, pk="step")
        db.execute("delete from document_changes where seq <= (select min(seq) from step_marks)")
