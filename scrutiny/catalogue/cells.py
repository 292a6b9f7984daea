"""The ``table_cells`` table: every number printed in every table, with its headings.

A researcher can find any figure a paper printed, not only the measures: search the
row labels, column headings and captions (full-text), or facet by unit, role and year.
Each row repeats the document's authority, so it can be faceted without joins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import sqlite_utils

from ..records import Document, TableCell

__all__ = ["RECORDS", "TABLES", "bbox_text", "create", "write"]

RECORDS = (TableCell,)
TABLES = ("table_cells",)


def bbox_text(bbox: tuple[float, float, float, float] | None) -> str | None:
    """A box on the page as "x0,top,x1,bottom" in points, to one decimal place."""
    return None if bbox is None else ",".join(f"{v:.1f}" for v in bbox)


def create(db: sqlite_utils.Database) -> None:
    db["table_cells"].create(
        {
            "id": int,
            "document_id": int,
            "authority": str,
            "page": int,
            "table_number": int,
            "row_number": int,
            "column_number": int,
            "part": int,
            "row_label": str,
            "column_header": str,
            "caption": str,
            "text": str,
            "value": float,
            "unit": str,
            "scale": float,
            "role": str,
            "period": str,
            "period_start": str,
            "period_end": str,
            "period_source": str,
            "context": str,
            "bbox": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
        not_null={"document_id", "page", "text", "value", "context"},
        if_not_exists=True,
    )
    db["table_cells"].create_index(["document_id"], if_not_exists=True)
    db["table_cells"].create_index(["authority", "period_start"], if_not_exists=True)
    if not db["table_cells"].detect_fts():
        db["table_cells"].enable_fts(
            ["row_label", "column_header", "caption"], tokenize="porter", create_triggers=True
        )


def write(
    db: sqlite_utils.Database, document_id: int, document: Document, records: Sequence[object]
) -> None:
    """Insert one document's table cells."""
    rows = []
    for record in records:
        if not isinstance(record, TableCell):
            continue
        row = asdict(record)
        row["table_number"] = row.pop("table")
        row["row_number"] = row.pop("row")
        row["column_number"] = row.pop("column")
        row["bbox"] = bbox_text(record.bbox)
        rows.append({**row, "document_id": document_id, "authority": document.authority})
    db["table_cells"].insert_all(rows)
