"""Tables for performance indicators: ``indicators``, ``indicator_values``, ``commentary``.

``indicator_values`` repeats the document's authority and the measure's code and title on
every row, so Datasette can facet and search it without joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import sqlite_utils

from ..records import Commentary, Document, Indicator, IndicatorValue
from .cells import bbox_text

__all__ = ["RECORDS", "TABLES", "create", "write"]

RECORDS = (Indicator, IndicatorValue, Commentary)
TABLES = ("indicators", "indicator_values", "commentary")

#: Columns indicator_values gained after its first release (issue 14).
_VALUE_COLUMNS = {"confidence": str, "confidence_reason": str, "period_source": str, "bbox": str}


def create(db: sqlite_utils.Database) -> None:
    db["indicators"].create(
        {
            "id": int,
            "document_id": int,
            "key": str,
            "page": int,
            "code": str,
            "title": str,
            "unit": str,
            "polarity": str,
            "method": str,
            "rag": str,
            "period": str,
            "context": str,
            "measure_id": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "key", "page"},
        if_not_exists=True,
    )
    db["indicator_values"].create(
        {
            "id": int,
            "document_id": int,
            "indicator_id": int,
            "authority": str,
            "page": int,
            "code": str,
            "title": str,
            "measure_id": str,
            "period": str,
            "period_start": str,
            "period_end": str,
            "value": float,
            "unit": str,
            "target": float,
            "tolerance": float,
            "rag": str,
            "kind": str,
            "benchmark": str,
            "method": str,
            "context": str,
            **_VALUE_COLUMNS,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("indicator_id", "indicators", "id")],
        not_null={"document_id", "indicator_id", "page", "value", "context"},
        if_not_exists=True,
    )
    # a catalogue built before these columns existed gets them (its old rows stay empty in them)
    have = set(db["indicator_values"].columns_dict)
    for name, kind in _VALUE_COLUMNS.items():
        if name not in have:
            db["indicator_values"].add_column(name, kind)
    db["commentary"].create(
        {
            "id": int,
            "document_id": int,
            "indicator_id": int,
            "page": int,
            "code": str,
            "title": str,
            "kind": str,
            "source": str,
            "text": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("indicator_id", "indicators", "id")],
        not_null={"document_id", "indicator_id", "page", "text"},
        if_not_exists=True,
    )
    db["indicators"].create_index(["document_id"], if_not_exists=True)
    db["indicators"].create_index(["code"], if_not_exists=True)
    db["indicator_values"].create_index(["document_id"], if_not_exists=True)
    db["indicator_values"].create_index(["indicator_id"], if_not_exists=True)
    db["indicator_values"].create_index(["authority", "code", "period_start"], if_not_exists=True)
    db["indicator_values"].create_index(["measure_id"], if_not_exists=True)
    db["commentary"].create_index(["document_id"], if_not_exists=True)
    db["commentary"].create_index(["indicator_id"], if_not_exists=True)
    if not db["indicator_values"].detect_fts():
        db["indicator_values"].enable_fts(
            ["code", "title", "context"], tokenize="porter", create_triggers=True
        )
    if not db["commentary"].detect_fts():
        db["commentary"].enable_fts(["title", "text"], tokenize="porter", create_triggers=True)


def write(
    db: sqlite_utils.Database, document_id: int, document: Document, records: Sequence[object]
) -> None:
    """Insert one document's indicators first, then the values and comments that name them."""
    measures: dict[str, tuple[int, Indicator]] = {}
    for record in records:
        if isinstance(record, Indicator):
            row = {**asdict(record), "document_id": document_id}
            measures[record.key] = (db["indicators"].insert(row).last_pk, record)

    def about(key: str) -> dict:
        indicator_id, measure = measures[key]
        return {"document_id": document_id, "indicator_id": indicator_id,
                "code": measure.code, "title": measure.title}

    values = []
    comments = []
    for record in records:
        if isinstance(record, IndicatorValue):
            row = asdict(record)
            del row["indicator"]
            row["bbox"] = bbox_text(record.bbox)
            values.append({**row, **about(record.indicator), "authority": document.authority})
        elif isinstance(record, Commentary):
            row = asdict(record)
            del row["indicator"]
            comments.append({**row, **about(record.indicator)})
    db["indicator_values"].insert_all(values)
    db["commentary"].insert_all(comments)
