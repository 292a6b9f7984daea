"""Tables for minutes: agenda items, resolutions, actions, and the people and bodies named.

Resolutions and actions carry their meeting's authority, committee and date (from the
document) so that one search lists them across meetings in date order: the ``trace`` canned
query in metadata.yml and the ``decisions`` view.
"""

from __future__ import annotations

from dataclasses import asdict

import sqlite_utils

from ..records import Action, AgendaItem, Document, Entity, Resolution

__all__ = ["RECORDS", "TABLES", "create", "write"]

RECORDS = (AgendaItem, Resolution, Action, Entity)
TABLES = ("agenda_items", "resolutions", "actions", "entities", "entity_mentions")

_MEETING = {"authority": str, "committee": str, "meeting_date": str}

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
                "due": str,
                "page": int,
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


def write(db: sqlite_utils.Database, document_id: int, document: Document, records: list[object]) -> None:
    """Insert one document's minutes records (items first: the others refer to them)."""
    meeting = {
        "authority": document.authority,
        "committee": document.committee,
        "meeting_date": document.meeting_date,
    }
    items: dict[str, tuple[int, str | None]] = {}
    for record in records:
        if isinstance(record, AgendaItem):
            row = {
                "document_id": document_id,
                **meeting,
                **{k: v for k, v in asdict(record).items() if k != "key"},
            }
            items[record.key] = (db["agenda_items"].insert(row).last_pk, _item_label(record))
    resolutions: dict[str, int] = {}
    for record in records:
        if isinstance(record, Resolution):
            item_id, label = items.get(record.item, (None, None))
            row = {
                "document_id": document_id,
                **meeting,
                "agenda_item_id": item_id,
                "item": label,
                **{k: v for k, v in asdict(record).items() if k != "item"},
            }
            resolutions[record.key] = db["resolutions"].insert(row).last_pk
    entity_ids: dict[tuple[str, str], int] = {}
    for record in records:
        if isinstance(record, Action):
            item_id, label = items.get(record.item, (None, None))
            db["actions"].insert(
                {
                    "document_id": document_id,
                    **meeting,
                    "agenda_item_id": item_id,
                    "item": label,
                    "resolution_id": resolutions.get(record.resolution) if record.resolution else None,
                    "text": record.text,
                    "owner": record.owner,
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
