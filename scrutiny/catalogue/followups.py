"""Tables for follow-ups: ``requests`` (what a meeting asked to come back) and ``returns`` (what
came back), made across an authority's documents at the end of a build (``scrutiny.followups``).

Like the measure links, these belong to no one document: a request is answered by a later
meeting's papers. They are remade one authority at a time, when that authority's documents
changed (``followup_inputs`` holds a digest of what each authority's linking read), and every
build brings each request's status up to the day (a request whose date has passed since the last
build becomes ``overdue`` without relinking).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Sequence

import sqlite_utils

from ..errors import ScrutinyError
from ..records import MinuteText, Request, RequestReturn

__all__ = [
    "STATUSES", "TABLES", "calendar", "committee_counts", "create", "followed_authorities",
    "followup_inputs", "forget_authorities", "holds_documents", "minute_texts", "paper_rows",
    "refresh_statuses", "replace_followups", "report", "save_followup_inputs", "status_counts",
]

TABLES = ("requests", "returns", "followup_inputs")
#: A request's status, in the order pages list them.
STATUSES = ("overdue", "outstanding", "returned")


def create(db: sqlite_utils.Database) -> None:
    """Create the follow-up tables and their indexes if they are missing."""
    with db.atomic():
        db["requests"].create(
            {
                "id": int,
                "document_id": int,
                "authority": str,
                "committee": str,
                "meeting_date": str,
                "agenda_item_id": int,
                "resolution_id": int,
                "action_id": int,
                "item": str,
                "page": int,
                "text": str,
                "kind": str,
                "subject": str,
                "context": str,
                "owner": str,
                "comes_back_to": str,
                "due": str,
                "due_committee": str,
                "due_date": str,
                "status": str,
                "overdue_since": str,
                "returned_on": str,
                "return_id": int,
            },
            pk="id",
            foreign_keys=[("document_id", "documents", "id")],
            not_null={"text", "status"},
            if_not_exists=True,
        )
        db["returns"].create(
            {
                "id": int,
                "request_id": int,
                "kind": str,
                "document_id": int,
                "authority": str,
                "committee": str,
                "meeting_date": str,
                "page": int,
                "title": str,
                "score": float,
                "method": str,
                "status": str,
                "evidence": str,
            },
            pk="id",
            foreign_keys=[("request_id", "requests", "id"), ("document_id", "documents", "id")],
            not_null={"request_id", "status"},
            if_not_exists=True,
        )
        db["followup_inputs"].create({"name": str, "sha256": str}, pk="name", if_not_exists=True)
        db["requests"].create_index(["authority", "committee", "meeting_date"], if_not_exists=True)
        db["requests"].create_index(["status"], if_not_exists=True)
        db["requests"].create_index(["resolution_id"], if_not_exists=True)
        db["requests"].create_index(["action_id"], if_not_exists=True)
        db["returns"].create_index(["request_id"], if_not_exists=True)
    if not db["requests"].detect_fts():
        db["requests"].enable_fts(["subject", "text", "item"], tokenize="porter", create_triggers=True)
        # its update trigger fires only when an indexed column changes, as the catalogue's
        # others do (else the next opening of the catalogue rewrites it: a write in a build
        # that changed nothing)
        from .store import scope_fts_triggers

        scope_fts_triggers(db)


def followed_authorities(db: sqlite_utils.Database) -> list[str]:
    """The authorities that have follow-ups stored."""
    return [row[0] for row in db.execute("select distinct authority from requests where authority is not null")]


def holds_documents(db: sqlite_utils.Database, authority: str) -> bool:
    return db.execute("select 1 from documents where authority = ? limit 1", [authority]).fetchone() is not None


def followup_inputs(db: sqlite_utils.Database) -> dict[str, str]:
    """What the last follow-up linking read, by name ("authority:Kent", "vocabulary", ...)."""
    if not db["followup_inputs"].exists():
        return {}
    return {row["name"]: row["sha256"] for row in db["followup_inputs"].rows}


def save_followup_inputs(db: sqlite_utils.Database, inputs: dict[str, str]) -> None:
    if followup_inputs(db) == inputs:
        return  # a build with nothing new changes nothing
    with db.atomic():
        db["followup_inputs"].delete_where()
        db["followup_inputs"].insert_all(({"name": k, "sha256": v} for k, v in inputs.items()), pk="name")


def minute_texts(db: sqlite_utils.Database, authority: str) -> list[MinuteText]:
    """An authority's resolutions, actions and agenda items: what requests are read from."""
    found = []
    for row in db.query(
        "select r.id, r.document_id, r.committee, r.meeting_date, r.page, r.text, a.title, r.agenda_item_id "
        "from resolutions r left join agenda_items a on a.id = r.agenda_item_id where r.authority = ?",
        [authority],
    ):
        found.append(MinuteText("resolution", row["id"], row["document_id"], authority, row["committee"],
                                row["meeting_date"], row["page"], row["text"], row["title"],
                                row["agenda_item_id"], row["id"]))  # fmt: skip
    for row in db.query(
        "select x.id, x.document_id, x.committee, x.meeting_date, x.page, x.text, a.title, x.agenda_item_id, "
        "x.resolution_id, x.owner, x.due from actions x left join agenda_items a on a.id = x.agenda_item_id "
        "where x.authority = ?",
        [authority],
    ):
        found.append(MinuteText("action", row["id"], row["document_id"], authority, row["committee"],
                                row["meeting_date"], row["page"], row["text"], row["title"], row["agenda_item_id"],
                                row["resolution_id"], row["owner"], row["due"]))  # fmt: skip
    for row in db.query(
        "select id, document_id, committee, meeting_date, page, text, title from agenda_items where authority = ?",
        [authority],
    ):
        found.append(MinuteText("item", row["id"], row["document_id"], authority, row["committee"],
                                row["meeting_date"], row["page"], row["text"] or "", row["title"], row["id"]))  # fmt: skip
    return found


def paper_rows(db: sqlite_utils.Database, authority: str) -> dict[str, list[dict]]:
    """What an authority's returns may be found in, dated: its agenda items (minutes), resolutions,
    papers with the opening of their first page, and agenda front sheets' first pages."""
    where = "authority = ? and meeting_date is not null"
    return {
        "items": list(db.query(
            f"select id, document_id, committee, meeting_date, page, title, text from agenda_items where {where}",
            [authority])),
        "resolutions": list(db.query(
            f"select id, document_id, committee, meeting_date, page, text from resolutions where {where}",
            [authority])),
        "papers": list(db.query(
            "select d.id, d.committee, d.meeting_date, d.title, d.kind, p.page, substr(p.text, 1, 1500) as opening "
            "from documents d left join pages p on p.document_id = d.id and p.page = 1 "
            "where d.authority = ? and d.meeting_date is not null and coalesce(d.kind, '') not in ('minutes', 'agenda')",
            [authority])),
        "agendas": list(db.query(
            "select d.id, d.committee, d.meeting_date, p.page, p.text from documents d "
            "join pages p on p.document_id = d.id and p.page <= 3 "
            "where d.authority = ? and d.meeting_date is not null and d.kind = 'agenda' order by d.id, p.page",
            [authority])),
    }  # fmt: skip


def calendar(db: sqlite_utils.Database, authority: str) -> dict[str, list[str]]:
    """Each committee of an authority and the dates of its meetings the catalogue holds, in order."""
    dates: dict[str, set[str]] = defaultdict(set)
    for committee, day in db.execute(
        "select committee, meeting_date from documents where authority = ? and committee is not null "
        "and meeting_date is not null union select committee, meeting_date from agenda_items "
        "where authority = ? and committee is not null and meeting_date is not null",
        [authority, authority],
    ):
        dates[committee].add(day)
    return {committee: sorted(days) for committee, days in dates.items()}


def replace_followups(
    db: sqlite_utils.Database,
    authority: str,
    requests: Sequence[Request],
    dues: Sequence[tuple[str | None, str | None]],
    returns: Iterable[RequestReturn],
    today: str,
) -> None:
    """Make ``requests`` and ``returns`` hold exactly these for one authority (``dues``: each
    request's committee and date due, in order), with each request's status as of ``today``."""
    best: dict[int, RequestReturn] = {}
    for found in returns:
        if found.request not in best:
            best[found.request] = found
    with db.atomic():
        _forget(db, authority)
        for index, (request, (due_committee, due_date)) in enumerate(zip(requests, dues, strict=True)):
            source = request.source
            found = best.get(index)
            row = {
                "document_id": source.document_id, "authority": source.authority, "committee": source.committee,
                "meeting_date": source.meeting_date, "agenda_item_id": source.agenda_item_id,
                "resolution_id": source.resolution_id,
                "action_id": source.source_id if source.source == "action" else None,
                "item": source.item_title, "page": source.page, "text": request.text, "kind": request.kind,
                "subject": request.subject, "context": request.context, "owner": request.owner,
                "comes_back_to": request.to, "due": request.due, "due_committee": due_committee,
                "due_date": due_date, "status": "outstanding",
            }  # fmt: skip
            request_id = db["requests"].insert(row).last_pk
            if found is None:
                continue
            candidate = asdict(found.candidate)
            return_id = db["returns"].insert({
                "request_id": request_id, "kind": candidate["kind"], "document_id": candidate["document_id"],
                "authority": candidate["authority"], "committee": candidate["committee"],
                "meeting_date": candidate["meeting_date"], "page": candidate["page"], "title": candidate["title"],
                "score": found.score, "method": found.method, "status": found.status, "evidence": found.evidence,
            }).last_pk  # fmt: skip
            db["requests"].update(request_id, {"return_id": return_id})
        refresh_statuses(db, today, authority)


def _forget(db: sqlite_utils.Database, authority: str) -> None:
    db.execute("delete from returns where request_id in (select id from requests where authority = ?)", [authority])
    db.execute("delete from requests where authority = ?", [authority])


def forget_authorities(db: sqlite_utils.Database, authorities: Iterable[str]) -> None:
    """Drop the follow-ups of authorities the catalogue no longer holds documents for."""
    with db.atomic():
        for authority in authorities:
            _forget(db, authority)


def refresh_statuses(db: sqlite_utils.Database, today: str, authority: str | None = None) -> None:
    """Each request's status as of ``today``: ``returned`` (its return is automatic or confirmed),
    ``overdue`` (else, once its due date has passed: ``overdue_since`` is the day after) or
    ``outstanding``."""
    where, params = ("where q.authority = ?", [authority]) if authority else ("", [])
    # Only rows whose status changes are written: an update fires the full-text index's triggers,
    # and a build with nothing new must change nothing in the catalogue.
    db.execute(
        f"""
        with now as (
          select q.id,
            r.meeting_date as returned_on,
            case when r.id is not null then 'returned'
                 when q.due_date is not null and q.due_date < ? then 'overdue'
                 else 'outstanding' end as status,
            case when q.due_date is not null and q.due_date < ? then date(q.due_date, '+1 day') end as overdue_since
          from requests q
          left join returns r on r.id = q.return_id and r.status in ('automatic', 'confirmed')
          {where}
        )
        update requests set returned_on = now.returned_on, status = now.status, overdue_since = now.overdue_since
        from now
        where now.id = requests.id and (requests.status is not now.status or requests.returned_on is not now.returned_on
                                        or requests.overdue_since is not now.overdue_since)
        """,
        [today, today, *params],
    )


def status_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many requests have each status (returned, outstanding, overdue)."""
    if not db["requests"].exists():
        return {}
    return {row[0]: row[1] for row in db.execute("select status, count(*) from requests group by status")}


def committee_counts(db: sqlite_utils.Database, authority: str, committee: str) -> dict[str, int | str | None]:
    """A committee's requests: how many, since which year, how many returned and overdue."""
    row = db.execute(
        "select count(*), min(substr(meeting_date, 1, 4)), sum(status = 'returned'), sum(status = 'overdue') "
        "from requests where authority = ? and committee = ?",
        [authority, committee],
    ).fetchone()
    return {"requests": row[0], "since": row[1], "returned": row[2] or 0, "overdue": row[3] or 0}


def report(db_path: str | Path, statuses: Iterable[str] = (), authority: str | None = None,
           committee: str | None = None) -> list[dict]:
    """Requests with their status, return and evidence, oldest first (for ``scrutiny followups``)."""
    if not Path(db_path).exists():
        raise ScrutinyError(f"No catalogue at {db_path}; run `scrutiny build --db {db_path}` first.")
    db = sqlite_utils.Database(db_path)
    try:
        if not db["requests"].exists():
            raise ScrutinyError(f"{db_path} has no follow-ups yet; run `scrutiny build --db {db_path}` to find them.")
        clauses, params = [], []
        wanted = list(statuses)
        if wanted:
            clauses.append(f"q.status in ({', '.join('?' for _ in wanted)})")
            params += wanted
        for column, value in (("authority", authority), ("committee", committee)):
            if value:
                clauses.append(f"lower(q.{column}) = lower(?)")
                params.append(value)
        where = ("where " + " and ".join(clauses)) if clauses else ""
        return list(db.query(
            f"""
            select q.id, q.authority, q.committee, q.meeting_date, q.item, q.page, q.text, q.subject, q.kind,
              q.owner, q.comes_back_to, q.due, q.due_committee, q.due_date, q.status, q.overdue_since,
              r.committee as return_committee, r.meeting_date as return_date, r.title as return_title,
              r.kind as return_kind, r.page as return_page, r.status as return_status, r.score, r.evidence
            from requests q left join returns r on r.id = q.return_id
            {where}
            order by q.meeting_date is null, q.meeting_date, q.authority, q.committee, q.page, q.id
            """,
            params,
        ))
    finally:
        db.close()
