"""A Datasette plugin that scrutiny registers itself: search counts taken from the index.

For ``/<db>/<table>.json?_search=words`` Datasette counts the matches with
``select count(*) from <table> where rowid in (select rowid from <table>_fts where ... match ...)``,
looking every match up in the table: 160-200 ms for a common word on a million indicator
rows, four times what the search itself takes. The full-text index alone counts the same
matches in about 13 ms: its rowids are the table's, kept in step by the triggers
sqlite-utils made with it (benchmarks/search_speed.py).

So when the search is a JSON request's only filter, this wrapper asks Datasette not to
count (``_nocount=1``), counts in the index and puts that count in the answer. With any
other filter (a column, ``_where``, ``_search_<column>``, another ``_fts_table`` or
``fts_pk``), on HTML pages, and when Datasette would not count anyway, Datasette counts
as it always does. ``tests/test_catalogue_serve.py`` checks the two counts agree.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import escape_sqlite, tilde_decode

#: Query-string arguments that leave the set of matching rows alone: with only these
#: beside ``_search``, the index's count is the count Datasette would make.
_SAME_ROWS = frozenset({
    "_search", "_searchmode", "_size", "_next", "_sort", "_sort_desc", "_nofacet", "_nosuggest",
    "_facet", "_facet_array", "_facet_date", "_col", "_nocol", "_labels", "_nolabels", "_json",
    "_shape",
})  # fmt: skip


def count_plan(datasette: Any, path: str, query_string: str) -> tuple[str, str, str, bool] | None:
    """(database, table, search, raw) when the index can count this request's matches, else None.

    Only what the request itself says is checked here; the table's full-text index is
    looked up when the request is answered.
    """
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not parts[1].endswith(".json"):
        return None
    database, table = tilde_decode(parts[0]), tilde_decode(parts[1][: -len(".json")])
    args = parse_qsl(query_string, keep_blank_values=True)
    names = [name for name, _ in args]
    if not names or not set(names) <= _SAME_ROWS or len(names) != len(set(names)):
        return None
    given = dict(args)
    search = given.get("_search", "")
    if not search.strip() or given.get("_shape") not in (None, "arrays", "objects"):
        return None  # no search; or a shape Datasette never counts for
    if database not in datasette.databases:
        return None
    metadata = datasette.table_metadata(database, table)
    if metadata.get("fts_table") or metadata.get("fts_pk", "rowid") != "rowid":
        return None
    raw = given.get("_searchmode", metadata.get("searchmode")) == "raw"
    return database, table, search, raw


def _without_nocount(url: str | None) -> str | None:
    """A URL from the answer (the next page's) without the ``_nocount=1`` added here."""
    if not url or "?" not in url:
        return url
    path, query = url.split("?", 1)
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != "_nocount"]
    return f"{path}?{urlencode(kept)}" if kept else path


async def _index_count(db: Any, fts: str, search: str, raw: bool) -> int | None:
    match = ":search" if raw else "escape_fts(:search)"
    sql = f"select count(*) from {escape_sqlite(fts)} where {escape_sqlite(fts)} match {match}"
    try:
        return (await db.execute(sql, {"search": search})).first()[0]
    except QueryInterrupted:
        return None  # as Datasette: no count rather than a late answer


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def counted(scope, receive, send):
            plan = fts = None
            if scope.get("type") == "http" and scope.get("method") == "GET":
                plan = count_plan(datasette, scope.get("path", ""), scope.get("query_string", b"").decode("latin-1"))
            if plan is not None:
                fts = await datasette.get_database(plan[0]).fts_table(plan[1])
            if not fts:  # no plan, or a table (or view) without a full-text index
                await app(scope, receive, send)
                return
            query = scope["query_string"] + b"&_nocount=1"
            start: dict[str, Any] = {}
            body: list[bytes] = []

            async def keep(message):
                if message["type"] == "http.response.start":
                    start.update(message)
                else:
                    body.append(message.get("body", b""))

            await app({**scope, "query_string": query}, receive, keep)
            content = b"".join(body)
            headers = [(name, value) for name, value in start.get("headers", []) if name.lower() != b"content-length"]
            if start.get("status") == 200:
                database, _, search, raw = plan
                content = await _with_count(datasette.get_database(database), fts, search, raw, content)
            await send({**start, "headers": [*headers, (b"content-length", str(len(content)).encode())]})
            await send({"type": "http.response.body", "body": content})

        return counted

    return wrap


async def _with_count(db: Any, fts: str, search: str, raw: bool, content: bytes) -> bytes:
    """Datasette's JSON answer with the index's count in it, and no ``_nocount`` in its links."""
    try:
        answer = json.loads(content)
    except ValueError:
        return content
    if not isinstance(answer, dict) or answer.get("filtered_table_rows_count", 0) is not None:
        return content
    answer["filtered_table_rows_count"] = await _index_count(db, fts, search, raw)
    if "next_url" in answer:
        answer["next_url"] = _without_nocount(answer["next_url"])
    for facet in (answer.get("facet_results") or {}).values():
        for result in facet.get("results", []) if isinstance(facet, dict) else []:
            result["toggle_url"] = _without_nocount(result.get("toggle_url"))
    return json.dumps(answer).encode()
