"""Tables for the measure registry and what hangs off it: ``measures``, ``measure_links``,
``official_values``.

These belong to the whole catalogue, not to one document: the registry and the national
figures come from reference data, and links are made across every document at the end of
a build. Each ``replace_*`` function swaps a table's contents inside one transaction.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Callable, Iterable, Sequence

import sqlite_utils

from ..errors import ScrutinyError
from ..records import IndicatorRef, Measure, MeasureLink, MeasureReview, OfficialValue

__all__ = [
    "ALL", "TABLES", "authorities", "create", "documents_fingerprint", "indicator_refs", "link_counts",
    "linked", "linking_inputs", "links_of_documents", "links_report", "relink", "replace_links",
    "replace_measures", "replace_official_values", "replace_reviews", "reviews", "save_linking_inputs",
    "write_links",
]

TABLES = ("measures", "measure_links", "official_values", "measure_inputs", "measure_reviews")

#: ``indicator_refs(db)``'s default: every authority's indicators.
ALL = object()


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
    # What the last linking read (registry, review file, documents): a build relinks only
    # when one of these changed, so a build with nothing new stays cheap (issue 8).
    db["measure_inputs"].create({"name": str, "sha256": str}, pk="name", if_not_exists=True)
    # The review file's decisions as the last linking read them: a new review file relinks
    # only the authorities whose decisions changed.
    db["measure_reviews"].create(
        {"authority": str, "code": str, "title": str, "measure_id": str, "decision": str, "note": str},
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


def indicator_refs(db: sqlite_utils.Database, authority: object = ALL) -> list[IndicatorRef]:
    """Every catalogued indicator (of one ``authority``, None for those with none) with its
    authority, earliest period and actual values."""
    refs = []
    where, params = ("", []) if authority is ALL else ("where d.authority is ?", [authority])
    for row in db.query(
        f"""
        select i.id, i.document_id, d.authority, i.code, i.title, i.unit, i.polarity, i.context,
          min(v.period_start) as period_start,
          group_concat(case when v.kind = 'actual' then v.value end, '|') as vals
        from indicators i join documents d on d.id = i.document_id
        left join indicator_values v on v.indicator_id = i.id
        {where}
        group by i.id order by i.id
        """,
        params,
    ):
        values = tuple(float(v) for v in (row["vals"] or "").split("|") if v)
        refs.append(IndicatorRef(row["id"], row["document_id"], row["authority"], row["code"],
                                 row["title"], row["unit"], row["polarity"], row["context"],
                                 row["period_start"], values))
    return refs


def authorities(db: sqlite_utils.Database) -> list[str | None]:
    """Every authority a document is in (None for documents with none)."""
    return [row[0] for row in db.execute("select distinct authority from documents order by authority")]


def relink(
    db: sqlite_utils.Database,
    link: Callable[[Sequence[IndicatorRef]], Iterable[MeasureLink]],
    only: Iterable[str | None] | None = None,
) -> int:
    """Link the indicators of each authority (``only`` these; None: every one) with ``link``,
    one authority at a time, and write the links that differ (``write_links``); return how
    many links changed.

    An authority is the unit: a measure's link can follow another of the same authority (its
    code history, nlp/linking.py), never one of another, so linking an authority alone gives
    the links linking everything gives it. Memory holds one authority's indicators.
    """
    changed = 0
    for authority in authorities(db) if only is None else sorted(set(only), key=lambda a: (a is not None, a or "")):
        refs = indicator_refs(db, authority)
        changed += write_links(db, [ref.indicator_id for ref in refs], link(refs))
    if only is None:  # links of indicators no longer catalogued (none, unless a build was stopped)
        with db.atomic():
            db.execute("delete from measure_links where indicator_id not in (select id from indicators)")
    return changed


def write_links(db: sqlite_utils.Database, indicator_ids: Sequence[int], links: Iterable[MeasureLink]) -> int:
    """Make the links of these indicators exactly ``links``, writing only the rows that
    differ, and copy each changed link's measure onto its indicator and values (a rejected
    link copies none). Returns how many links changed."""
    new = {link.indicator_id: asdict(link) for link in links}
    old: dict[int, dict] = {}
    for chunk in _chunks(indicator_ids):
        marks = ", ".join("?" for _ in chunk)
        old.update((row["indicator_id"], row) for row in db.query(
            f"select * from measure_links where indicator_id in ({marks})", chunk))
    gone = [key for key in old if key not in new]
    changed = [row for key, row in new.items() if old.get(key) != row]
    if not gone and not changed:
        return 0

    def measure(row: dict | None) -> str | None:
        return row["measure_id"] if row and row["status"] != "rejected" else None

    moved = [(measure(new.get(key)), key) for key in {*gone, *(row["indicator_id"] for row in changed)}
             if measure(new.get(key)) != measure(old.get(key))]
    with db.atomic():
        for chunk in _chunks(gone):
            db.execute(f"delete from measure_links where indicator_id in ({', '.join('?' for _ in chunk)})", chunk)
        db["measure_links"].upsert_all(changed, pk="indicator_id")
        db.conn.executemany("update indicators set measure_id = ? where id = ?", moved)
        db.conn.executemany("update indicator_values set measure_id = ? where indicator_id = ?", moved)
    return len(gone) + len(changed)


def _chunks(items: Sequence, size: int = 500) -> Iterable[list]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def reviews(db: sqlite_utils.Database) -> list[MeasureReview]:
    """The review decisions the last linking read."""
    return [MeasureReview(**row) for row in db["measure_reviews"].rows]


def replace_reviews(db: sqlite_utils.Database, decisions: Iterable[MeasureReview]) -> None:
    with db.atomic():
        db["measure_reviews"].delete_where()
        db["measure_reviews"].insert_all(asdict(review) for review in decisions)


def linking_inputs(db: sqlite_utils.Database) -> dict[str, str]:
    """What the last linking read, by name, as SHA-256 digests."""
    return {row["name"]: row["sha256"] for row in db["measure_inputs"].rows}


def save_linking_inputs(db: sqlite_utils.Database, inputs: dict[str, str]) -> None:
    with db.atomic():
        db["measure_inputs"].delete_where()
        db["measure_inputs"].insert_all(({"name": k, "sha256": v} for k, v in inputs.items()), pk="name")


def documents_fingerprint(db: sqlite_utils.Database) -> str:
    """A digest of every document's id, content and authority: it changes when linking's input does."""
    import hashlib

    digest = hashlib.sha256()
    for row in db.execute("select id, sha256, coalesce(authority, '') from documents order by id"):
        digest.update("|".join(str(v) for v in row).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def link_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many links have each status (confirmed, automatic, pending, rejected)."""
    return {row[0]: row[1] for row in db.execute("select status, count(*) from measure_links group by status")}


def linked(db: sqlite_utils.Database, statuses: Iterable[str] = ()) -> list[dict]:
    """Links with what a reviewer needs to judge them: the paper's authority, code and title,
    the measure's label, score and evidence; only these statuses when given."""
    wanted = list(statuses)
    where = f"where l.status in ({', '.join('?' for _ in wanted)})" if wanted else ""
    return list(db.query(
        f"""
        select d.authority, i.code, i.title, l.measure_id, m.label as measure, l.status, l.score,
          l.method, l.evidence, d.path
        from measure_links l join indicators i on i.id = l.indicator_id
        join documents d on d.id = i.document_id left join measures m on m.id = l.measure_id
        {where}
        order by l.score, l.status, d.authority, i.code, i.title
        """,
        wanted,
    ))


def links_report(db_path: str | Path, statuses: Iterable[str] = ()) -> list[dict]:
    """``linked()`` for the catalogue at ``db_path`` (which must exist)."""
    if not Path(db_path).exists():
        raise ScrutinyError(f"No catalogue at {db_path}; run `scrutiny build --db {db_path}` first.")
    db = sqlite_utils.Database(db_path)
    try:
        if not db["measure_links"].exists():
            raise ScrutinyError(f"{db_path} has no measure links yet; run `scrutiny build --db {db_path}` to make them.")
        return linked(db, statuses)
    finally:
        db.close()
