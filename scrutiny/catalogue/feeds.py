"""Atom feeds a reader can subscribe to, served by the site plugin (``scrutiny.catalogue.site``):

- ``/-/feeds/resolutions.atom?q=...``: new resolutions matching a search (the site search's
  words: phrases, OR, NOT, the registry's abbreviations), with ``authority`` and ``committee``;
- ``/-/feeds/overdue.atom``: requests that became overdue (``authority``, ``committee``);
- ``/-/feeds/outside-tolerance.atom?measure=...``: reported values of a measure that fell outside
  tolerance (red), with ``authority``.

Written with feedgen, newest first. Each entry's id is a ``urn:uuid`` made from what the entry
is (its meeting and words, its request, its value and period), never from a row id, so a rebuild
of the catalogue does not show a reader the same entry as new; its ``updated`` is when it
happened (the meeting; the day a request became overdue; the end of the value's period). Why not
datasette-atom 0.9: on Datasette 0.65.5 it answers a search with no results with a server error
(``max()`` of no rows), so a feed with nothing overdue yet breaks every reader, and its feeds
have no author, which Atom requires (README, "Feeds").
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from .query import parse

__all__ = ["FEED_LIMIT", "overdue_feed", "resolutions_feed", "tolerance_feed"]

#: Entries in a feed, newest first.
FEED_LIMIT = 100
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/scrutiny/feeds")
_ATOM = "application/atom+xml; charset=utf-8"


def _id(*parts: Any) -> str:
    return uuid.uuid5(_NAMESPACE, "|".join("" if p is None else str(p) for p in parts)).urn


def _moment(day: str | None) -> str | None:
    """An ISO date (or timestamp) as an Atom date-time (RFC 3339, UTC)."""
    if not day:
        return None
    return day if "T" in day else f"{day[:10]}T00:00:00+00:00"


def _absolute(request, path: str) -> str:
    return f"{request.scheme}://{request.host}{path}"


def _args(request, *names: str) -> dict[str, str]:
    return {name: (request.args.get(name) or "").strip() for name in names if (request.args.get(name) or "").strip()}


async def _built(db) -> str:
    """When the catalogue was last built: an empty feed's ``updated``."""
    row = (await db.execute("select max(built_at) from documents")).first()
    return (row[0] if row and row[0] else "1970-01-01T00:00:00+00:00")


def _atom(request, title: str, subtitle: str, key: str, alternate: str, entries: list[dict], updated: str) -> Response:
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(_id("feed", key))
    feed.title(title)
    feed.subtitle(subtitle)
    feed.author({"name": "scrutiny"})
    feed.link(href=str(request.url), rel="self", type="application/atom+xml")
    feed.link(href=alternate, rel="alternate", type="text/html")
    feed.generator("scrutiny")
    feed.updated(max([entry["updated"] for entry in entries] + [updated]) if entries else updated)
    for item in reversed(entries):  # feedgen puts the last added first
        entry = feed.add_entry()
        entry.id(item["id"])
        entry.title(item["title"])
        entry.updated(item["updated"])
        entry.link(href=item["link"], rel="alternate", type="text/html")
        entry.content(item["content"], type="text")
    return Response(feed.atom_str(pretty=True), content_type=_ATOM)


def _filters(args: dict[str, str], table: str) -> tuple[str, dict[str, str]]:
    clauses = [f"lower({table}.{name}) = lower(:{name})" for name in ("authority", "committee") if name in args]
    return "".join(f" and {clause}" for clause in clauses), {k: v for k, v in args.items() if k in ("authority", "committee")}


async def resolutions_feed(datasette, request) -> Response:
    """New resolutions matching a search: the newest meetings first."""
    from .site import meeting_path

    db = datasette.get_database()
    args = _args(request, "q", "authority", "committee")
    query = parse(args.get("q", ""))
    where, params = _filters(args, "r")
    rows: list[dict] = []
    if query.expression and await db.table_exists("resolutions_fts"):
        params["query"] = query.expression
        rows = [dict(row) for row in await db.execute(
            f"""
            select r.authority, r.committee, r.meeting_date, r.item, r.number, r.text, r.page, r.document_id,
              d.built_at
            from resolutions_fts join resolutions r on r.rowid = resolutions_fts.rowid
            join documents d on d.id = r.document_id
            where resolutions_fts match :query{where}
            order by r.meeting_date is null, r.meeting_date desc, r.document_id, r.page limit {FEED_LIMIT}
            """, params)]  # fmt: skip
    entries = []
    for row in rows:
        meeting = meeting_path(row["authority"], row["committee"], row["meeting_date"])
        where_from = ", ".join(p for p in (row["authority"], row["committee"], row["meeting_date"] or "undated") if p)
        number = f" ({row['number']})" if row["number"] else ""
        entries.append({
            "id": _id("resolution", row["authority"], row["committee"], row["meeting_date"], row["number"],
                      " ".join(row["text"].split())),
            "title": f"{where_from}: {row['item'] or 'resolution'}{number}",
            "updated": _moment(row["meeting_date"]) or _moment(row["built_at"]),
            "link": _absolute(request, datasette.urls.path(meeting or f"/-/documents/{row['document_id']}")),
            "content": f"RESOLVED{number}: {row['text']} (page {row['page']})",
        })  # fmt: skip
    search = datasette.urls.path("/-/search") + "?" + urlencode({"q": args.get("q", "")})
    words = args.get("q") or "(no search: add ?q=...)"
    return _atom(request, f"Resolutions matching {words}", "New resolutions in the catalogue that match a search, "
                 "newest meeting first.", f"resolutions|{sorted(args.items())}", _absolute(request, search), entries,
                 await _built(db))  # fmt: skip


async def overdue_feed(datasette, request) -> Response:
    """Requests that became overdue, the most recently overdue first."""
    from .site import followups_path

    db = datasette.get_database()
    args = _args(request, "authority", "committee")
    where, params = _filters(args, "q")
    rows = []
    if await db.table_exists("requests"):
        rows = [dict(row) for row in await db.execute(
            f"""
            select q.authority, q.committee, q.meeting_date, q.subject, q.text, q.due, q.due_committee, q.due_date,
              q.overdue_since, q.page, q.item
            from requests q where q.status = 'overdue'{where}
            order by q.overdue_since desc, q.id limit {FEED_LIMIT}
            """, params)]  # fmt: skip
    entries = []
    for row in rows:
        page = followups_path(row["authority"], row["committee"]) or "/-/committees"
        due = ", ".join(p for p in (row["due_committee"], row["due_date"]) if p)
        entries.append({
            "id": _id("overdue", row["authority"], row["committee"], row["meeting_date"], " ".join(row["text"].split())),
            "title": f"Overdue: {row['subject']} ({row['committee']}, {row['meeting_date']})",
            "updated": _moment(row["overdue_since"]),
            "link": _absolute(request, datasette.urls.path(page)),
            "content": f"Asked by {row['committee']} ({row['authority']}) on {row['meeting_date']}, "
                       f"{row['item'] or 'an item'}, page {row['page']}: {row['text']} Due: {due}; "
                       f"no return found in the catalogue by {row['overdue_since']}.",
        })  # fmt: skip
    scope = " ".join(args[k] for k in ("authority", "committee") if k in args) or "every committee"
    home = followups_path(args.get("authority"), args.get("committee")) or "/-/committees"
    return _atom(request, f"Overdue requests: {scope}", "What meetings asked to come back that is now past its "
                 "date with no return found.", f"overdue|{sorted(args.items())}",
                 _absolute(request, datasette.urls.path(home)), entries, await _built(db))  # fmt: skip


async def tolerance_feed(datasette, request) -> Response:
    """Reported values of a measure that fell outside tolerance (red), the latest period first."""
    from .site import with_unit

    db = datasette.get_database()
    args = _args(request, "measure", "authority")
    measure = args.get("measure", "")
    where = " and lower(v.authority) = lower(:authority)" if "authority" in args else ""
    rows = [dict(row) for row in await db.execute(
        f"""
        select v.authority, v.code, v.title, v.period, v.period_end, v.value, v.unit, v.target, v.tolerance, v.page,
          v.context, v.document_id, d.meeting_date, d.built_at, d.title as document
        from indicator_values v join documents d on d.id = v.document_id
        where v.measure_id = :measure and v.rag = 'red' and v.kind = 'actual'{where}
        order by coalesce(v.period_end, d.meeting_date) desc, v.id limit {FEED_LIMIT}
        """, {"measure": measure, **{k: v for k, v in args.items() if k == "authority"}})]  # fmt: skip
    label_row = (await db.execute("select label from measures where id = :id", {"id": measure})).first()
    label = label_row[0] if label_row else measure or "(no measure: add ?measure=<id>)"
    page = datasette.urls.path(f"/-/measures/{measure}") if label_row else datasette.urls.path("/-/measures")
    entries = []
    for row in rows:
        limits = "; ".join(f"{name} {with_unit(row[name], row['unit'])}" for name in ("target", "tolerance")
                           if row[name] is not None)  # fmt: skip
        entries.append({
            "id": _id("outside tolerance", row["authority"], measure, row["code"], row["title"], row["period"],
                      row["value"], row["document"]),
            "title": f"{row['authority']}: {with_unit(row['value'], row['unit'])} in {row['period'] or 'a period'}, "
                     f"outside tolerance ({row['code'] or ''} {row['title'] or label})".replace("( ", "("),
            "updated": _moment(row["period_end"] or row["meeting_date"]) or _moment(row["built_at"]),
            "link": _absolute(request, page),
            "content": f"{row['context']} ({limits}; page {row['page']} of {row['document'] or 'a paper'})",
        })  # fmt: skip
    return _atom(request, f"Outside tolerance: {label}", "Reported values of this measure that fell outside "
                 "tolerance (red), latest period first.", f"tolerance|{sorted(args.items())}",
                 _absolute(request, page), entries, await _built(db))  # fmt: skip
