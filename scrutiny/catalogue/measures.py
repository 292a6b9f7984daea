"""Tables for the measure registry and what hangs off it: ``measures``, ``measure_links``,
``official_values``.

These belong to the whole catalogue, not to one document: the registry and the national
figures come from reference data, and links are made across every document at the end of
a build. Each ``replace_*`` function swaps a table's contents inside one transaction.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Iterable

import sqlite_utils

from ..records import IndicatorRef, Measure, MeasureLink, OfficialValue

__all__ = [
    "TABLES", "create", "indicator_refs", "links_of_documents", "replace_links",
    "replace_measures", "replace_official_values",
]

TABLES = ("measures", "measure_links", "official_values")


def create(db: sqlite_utils.Database) -> None:
    db["measures"].create(
        {
            "id": str,
            "label": str,
            "unit": str,
            "polarity": str,
            "definition": str,
            "topic": str,
            "source": str,
            "code": str,
        },
        pk="id",
        not_null={"label", "source"},
        if_not_exists=True,
    )
    db["measure_links"].create(
        {
            "indicator_id": int,
            "measure_id": str,
            "method": str,
            "score": float,
            "status": str,
            "evidence": str,
        },
        pk="indicator_id",
        foreign_keys=[("indicator_id", "indicators", "id"), ("measure_id", "measures", "id")],
        not_null={"measure_id", "method", "score", "status"},
        if_not_exists=True,
    )
    db["official_values"].create(
        {
            "id": int,
            "measure_id": str,
            "area": str,
            "area_code": str,
            "level": str,
            "period": str,
            "period_start": str,
            "period_end": str,
            "value": float,
            "unit": str,
            "source": str,
            "description": str,
        },
        pk="id",
        foreign_keys=[("measure_id", "measures", "id")],
        not_null={"measure_id", "area", "level", "period", "value", "source"},
        if_not_exists=True,
    )
    db["measure_links"].create_index(["measure_id"], if_not_exists=True)
    db["measure_links"].create_index(["status"], if_not_exists=True)
    db["official_values"].create_index(["measure_id", "area", "period_start"], if_not_exists=True)
    if not db["measures"].detect_fts():
        db["measures"].enable_fts(["label", "definition"], tokenize="porter", create_triggers=True)


def replace_measures(db: sqlite_utils.Database, measures: Iterable[Measure]) -> None:
    """Make the ``measures`` table hold exactly this registry."""
    with db.atomic():
        db["measures"].delete_where()
        db["measures"].insert_all((asdict(m) for m in measures), pk="id")


def replace_official_values(db: sqlite_utils.Database, values: Iterable[OfficialValue]) -> None:
    """Make the ``official_values`` table hold exactly these published values."""
    with db.atomic():
        db["official_values"].delete_where()
        db["official_values"].insert_all(asdict(v) for v in values)


def replace_links(db: sqlite_utils.Database, links: Iterable[MeasureLink]) -> None:
    """Make ``measure_links`` hold exactly these links, and copy each link's measure onto its
    indicator and the indicator's values (``measure_id``) so Datasette can facet on it.

    Rejected links are kept (so the review decision is visible) but not copied.
    """
    with db.atomic():
        db["measure_links"].delete_where()
        db["measure_links"].insert_all(asdict(link) for link in links)
        for table in ("indicators", "indicator_values"):
            key = "id" if table == "indicators" else "indicator_id"
            db.execute(
                f"update {table} set measure_id = (select l.measure_id from measure_links l "
                f"where l.indicator_id = {table}.{key} and l.status != 'rejected')"
            )


def links_of_documents(db: sqlite_utils.Database, document_ids: Iterable[int]) -> None:
    """Forget the links of these documents' indicators (their rows are being replaced)."""
    ids = list(document_ids)
    if ids:
        marks = ", ".join("?" for _ in ids)
        db.execute(
            f"delete from measure_links where indicator_id in "
            f"(select id from indicators where document_id in ({marks}))",
            ids,
        )


def indicator_refs(db: sqlite_utils.Database) -> list[IndicatorRef]:
    """Every catalogued indicator with its authority, earliest period and actual values."""
    refs = []
    for row in db.query(
        """
        select i.id, i.document_id, d.authority, i.code, i.title, i.unit, i.polarity, i.context,
          min(v.period_start) as period_start,
          group_concat(case when v.kind = 'actual' then v.value end, '|') as vals
        from indicators i join documents d on d.id = i.document_id
        left join indicator_values v on v.indicator_id = i.id
        group by i.id order by i.id
        """
    ):
        values = tuple(float(v) for v in (row["vals"] or "").split("|") if v)
        refs.append(IndicatorRef(row["id"], row["document_id"], row["authority"], row["code"],
                                 row["title"], row["unit"], row["polarity"], row["context"],
                                 row["period_start"], values))
    return refs
