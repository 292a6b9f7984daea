"""Tables for minutes: agenda items, resolutions, actions, and the people and bodies named.

Resolutions and actions carry their meeting's authority, committee and date (from the
document) so that one search lists them across meetings in date order: the ``trace`` canned
query in metadata.yml and the ``decisions`` view.

Minutes of an earlier meeting reprinted in a later meeting's papers ("Minutes of the previous
meeting" in an agenda pack) are kept once, under the meeting that made them: their rows carry that
meeting's date and ``reprinted = 1``, and they are left out when the catalogue holds that meeting's
own minutes (which, written later, take their place).
"""

from __future__ import annotations

from dataclasses import asdict

import sqlite_utils

from ..records import Action, AgendaItem, Document, Entity, Resolution

__all__ = ["RECORDS", "TABLES", "create", "write"]

RECORDS = (AgendaItem, Resolution, Action, Entity)
TABLES = ("agenda_items", "resolutions", "actions", "entities", "entity_mentions")

_MEETING = {"authority": str, "committee": str, "meeting_date": str}
#: Set to 1 on rows from minutes reprinted in a later meeting's papers.
_REPRINTED = "reprinted"
_MINUTES_TABLES = ("agenda_items", "resolutions", "actions")

# Resolutions and the actions they (or the discussion) asked for, one list across meetings.
_DECISIONS_VIEW = """
select r.meeting_date, r.authority, r.committee, r.item, 'resolution' as kind, r.number,
       r.text, null as owner, null as due, r.page, r.document_id, r.id as resolution_id
from resolutions r
union all
select a.meeting_date, a.authority, a.committee, a.item, 'action' as kind, r.number,
       a.text, a.owner, a.due, a.page, a.document_id, a.resolution_id
from actions a left join resolutions r on r.id = a.resolution_id
order by meeting_date, document_id, page, kind desc
"""


def _fts(db: sqlite_utils.Database, table: str, columns: list[str]) -> None:
    if not db[table].detect_fts():
        db[table].enable_fts(columns, tokenize="porter", create_triggers=True)


def create(db: sqlite_utils.Database) -> None:
    """Create the minutes tables, their indexes, full-text indexes and the decisions view."""
    with db.atomic():
        db["agenda_items"].create(
            {
                "id": int,
                "document_id": int,
                **_MEETING,
                "number": str,
                "minute": str,
                "title": str,
                "reports": str,
                "text": str,
                "topics": str,
                "page": int,
                "last_page": int,
                "reprinted": int,
            },
            pk="id",
            foreign_keys=[("document_id", "documents", "id")],
            if_not_exists=True,
        )
        db["resolutions"].create(
            {
                "id": int,
                "document_id": int,
                **_MEETING,
                "agenda_item_id": int,
                "item": str,
                "number": str,
                "text": str,
                "page": int,
                "marker": str,
                "block": str,
                "topics": str,
                "key": str,
                "reprinted": int,
            },
            pk="id",
            foreign_keys=[("document_id", "documents", "id"), ("agenda_item_id", "agenda_items", "id")],
            not_null={"text"},
            if_not_exists=True,
        )
        db["actions"].create(
            {
                "id": int,
                "document_id": int,
                **_MEETING,
                "agenda_item_id": int,
                "item": str,
                "resolution_id": int,
                "text": str,
                "owner": str,
                "what": str,
                "due": str,
                "page": int,
                "reprinted": int,
            },
            pk="id",
            foreign_keys=[
                ("document_id", "documents", "id"),
                ("agenda_item_id", "agenda_items", "id"),
                ("resolution_id", "resolutions", "id"),
            ],
            not_null={"text"},
            if_not_exists=True,
        )
        db["entities"].create(
            {"id": int, "document_id": int, "name": str, "kind": str, "role": str},
            pk="id",
            foreign_keys=[("document_id", "documents", "id")],
            not_null={"name", "kind"},
            if_not_exists=True,
        )
        db["entity_mentions"].create(
            {"id": int, "entity_id": int, "agenda_item_id": int, "document_id": int, "page": int, "mentions": int},
            pk="id",
            foreign_keys=[
                ("entity_id", "entities", "id"),
                ("agenda_item_id", "agenda_items", "id"),
                ("document_id", "documents", "id"),
            ],
            if_not_exists=True,
        )
        for table in _MINUTES_TABLES:  # catalogues built before reprints were told apart
            if _REPRINTED not in db[table].columns_dict:
                db[table].add_column(_REPRINTED, int)
        if "what" not in db["actions"].columns_dict:  # nor what an action asks for
            db["actions"].add_column("what", str)
        for table in TABLES:
            db[table].create_index(["document_id"], if_not_exists=True)
        db["resolutions"].create_index(["meeting_date"], if_not_exists=True)
        db["actions"].create_index(["meeting_date"], if_not_exists=True)
        db["entities"].create_index(["name"], if_not_exists=True)
        db["entity_mentions"].create_index(["entity_id"], if_not_exists=True)
        db["entity_mentions"].create_index(["agenda_item_id"], if_not_exists=True)
        db.create_view("decisions", _DECISIONS_VIEW, ignore=True)
    _fts(db, "agenda_items", ["title", "reports", "text"])
    _fts(db, "resolutions", ["item", "text"])
    _fts(db, "actions", ["item", "text", "owner"])
    _fts(db, "entities", ["name", "role"])


def _item_label(item: AgendaItem) -> str | None:
    """"Item 9: The Joint Housing Protocol for Care Leavers": the item's number and title."""
    if item.number and item.title:
        return f"Item {item.number}: {item.title}"
    if item.number:
        return f"Item {item.number}"
    return item.title


def _same_meeting(meeting: dict) -> tuple[str, list]:
    """SQL matching rows of one meeting: the same authority, committee (any case) and date."""
    return (
        "authority is ? and lower(committee) is lower(?) and meeting_date = ?",
        [meeting["authority"], meeting["committee"], meeting["meeting_date"]],
    )


def _has_own_minutes(db: sqlite_utils.Database, document_id: int, meeting: dict) -> bool:
    where, params = _same_meeting(meeting)
    return bool(
        db["agenda_items"].count_where(
            f"{where} and coalesce({_REPRINTED}, 0) = 0 and document_id != ?", [*params, document_id]
        )
    )


def _drop_reprints(db: sqlite_utils.Database, document_id: int, meeting: dict) -> None:
    """Remove other documents' reprints of this meeting's minutes: these are the minutes themselves."""
    where, params = _same_meeting(meeting)
    condition = f"{where} and {_REPRINTED} = 1 and document_id != ?"
    items = [row["id"] for row in db["agenda_items"].rows_where(condition, [*params, document_id], select="id")]
    if not items:
        return
    marks = ", ".join("?" * len(items))
    db.execute(f"delete from entity_mentions where agenda_item_id in ({marks})", items)
    for table in ("actions", "resolutions", "agenda_items"):
        db.execute(f"delete from [{table}] where {condition}", [*params, document_id])


def write(db: sqlite_utils.Database, document_id: int, document: Document, records: list[object]) -> None:
    """Insert one document's minutes records (items first: the others refer to them)."""
    meeting = {
        "authority": document.authority,
        "committee": document.committee,
        "meeting_date": document.meeting_date,
    }
    items: dict[str, tuple[int, str | None]] = {}
    meetings: dict[str, dict] = {}  # item key -> its meeting's facts and whether reprinted
    skipped: set[str] = set()
    for record in records:
        if isinstance(record, AgendaItem):
            if record.meeting_date and record.meeting_date != document.meeting_date:
                facts = {**meeting, "meeting_date": record.meeting_date, _REPRINTED: 1}
                if _has_own_minutes(db, document_id, facts):
                    skipped.add(record.key)  # that meeting's own minutes are catalogued: keep them
                    continue
            else:
                facts = {**meeting, _REPRINTED: 0}
                if document.meeting_date:
                    _drop_reprints(db, document_id, facts)
            meetings[record.key] = facts
            row = {
                "document_id": document_id,
                **{k: v for k, v in asdict(record).items() if k not in ("key", "meeting_date")},
                **facts,
            }
            items[record.key] = (db["agenda_items"].insert(row).last_pk, _item_label(record))
    resolutions: dict[str, int] = {}
    for record in records:
        if isinstance(record, Resolution) and record.item not in skipped:
            item_id, label = items.get(record.item, (None, None))
            row = {
                "document_id": document_id,
                **meetings.get(record.item, meeting),
                "agenda_item_id": item_id,
                "item": label,
                **{k: v for k, v in asdict(record).items() if k != "item"},
            }
            resolutions[record.key] = db["resolutions"].insert(row).last_pk
    entity_ids: dict[tuple[str, str], int] = {}
    for record in records:
        if getattr(record, "item", None) in skipped:
            continue
        if isinstance(record, Action):
            item_id, label = items.get(record.item, (None, None))
            db["actions"].insert(
                {
                    "document_id": document_id,
                    **meetings.get(record.item, meeting),
                    "agenda_item_id": item_id,
                    "item": label,
                    "resolution_id": resolutions.get(record.resolution) if record.resolution else None,
                    "text": record.text,
                    "owner": record.owner,
                    "what": record.what,
                    "due": record.due,
                    "page": record.page,
                }
            )
        elif isinstance(record, Entity):
            key = (record.name, record.kind)
            if key not in entity_ids:
                entity_ids[key] = db["entities"].insert(
                    {"document_id": document_id, "name": record.name, "kind": record.kind, "role": record.role}
                ).last_pk
            elif record.role:
                db.execute(
                    "update entities set role = ? where id = ? and role is null", [record.role, entity_ids[key]]
                )
            db["entity_mentions"].insert(
                {
                    "entity_id": entity_ids[key],
                    "agenda_item_id": items.get(record.item, (None, None))[0],
                    "document_id": document_id,
                    "page": record.page,
                    "mentions": record.mentions,
                }
            )
