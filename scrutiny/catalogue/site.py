"""The published catalogue's own pages, as a Datasette plugin that ``serve`` registers:
search everything (``/-/search``), a page per measure (``/-/measures/<id>``), the measures
index (``/-/measures``) and two authorities side by side (``/-/compare``); and links from
every ``page`` cell to the source PDF opened at that page (``/files/...#page=N``).

Every template is rendered by Datasette's Jinja environment, which escapes what it prints:
document text reaches the browser as text, never as markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils import escape_fts
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

__all__ = ["SEARCHED", "measure_chart", "source_link"]

#: Tables searched from the one box, in the order their results are shown, with what each
#: result's heading says. Documents, agenda items and entities have their own table search.
SEARCHED: dict[str, str] = {
    "measures": "Measures",
    "indicator_values": "Reported values",
    "commentary": "Commentary and members' questions",
    "resolutions": "Resolutions",
    "actions": "Actions",
    "pages": "Pages",
}
#: Results shown per table; the table's own search (linked) pages through the rest.
SHOWN = 5
#: Matches counted per table before saying "more than": a common word's full count on a
#: million indicator rows takes seconds (benchmarks/search_speed.py).
COUNTED = 1000

_HEADINGS = {
    "pages": "d.title",
    "indicator_values": "coalesce(t.code || ' ', '') || t.title",
    "commentary": "coalesce(t.code || ' ', '') || t.title",
    "resolutions": "t.item",
    "actions": "t.item",
}
_DETAILS = {
    "indicator_values": "t.period as period, t.value as value, t.unit as unit, t.kind as kind",
    "commentary": "t.kind as kind, t.source as column_name",
    "actions": "t.owner as owner, t.due as due",
}
#: Measures drawn side by side on the compare page; the rest are listed.
COMPARED = 40
#: Start and end of a match in FTS snippets: control characters no document text contains,
#: swapped for <mark> only after the snippet is escaped.
_OPEN, _CLOSE = "\x02", "\x03"


def _database(datasette):
    return datasette.get_database()


async def _render(datasette, request, template: str, context: dict[str, Any]) -> Response:
    """A page of ours, with the licence and sources in its footer like Datasette's own."""
    context = {"metadata": datasette.metadata(), **context}
    return Response.html(await datasette.render_template(template, context, request=request))


def _find_file(mounts: list[tuple[str, Path]], path: str) -> str | None:
    """The URL path of a catalogued document's file under one of the mounted folders.

    ``documents.path`` is the path as given to ``scrutiny build`` (``corpus/pdf/000.pdf``,
    relative to wherever the build ran), so the longest tail of it that names a file inside
    a mounted folder wins. Nothing outside the folders can be named: ``..`` and symlinks are
    resolved first.
    """
    given = Path(path)
    parts = given.parts[1:] if given.is_absolute() else given.parts
    for mount, root in mounts:
        candidates = [given] if given.is_absolute() else []
        candidates += [root.joinpath(*parts[start:]) for start in range(len(parts))]
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
                relative = resolved.relative_to(root)
            except (OSError, ValueError):
                continue
            if resolved.is_file():
                return f"/{mount}/{quote(relative.as_posix())}"
    return None


def source_link(datasette, path: str | None, page: int | None = None) -> str | None:
    """A link to the source document's file, opened at ``page`` for a PDF; None when the
    file is not in a served folder."""
    if not path:
        return None
    cache = datasette.__dict__.setdefault("_scrutiny_links", {})
    if path not in cache:
        cache[path] = _find_file(getattr(datasette, "_scrutiny_file_mounts", []), path)
    found = cache[path]
    if found is None:
        return None
    url = datasette.urls.path(found)
    if page and path.lower().endswith(".pdf"):
        url += f"#page={int(page)}"
    return url


async def _document_paths(datasette) -> dict[int, str]:
    """Every document's path by id (the catalogue is immutable while served: read once)."""
    if "_scrutiny_paths" not in datasette.__dict__:
        rows = await _database(datasette).execute("select id, path from documents")
        datasette._scrutiny_paths = {row["id"]: row["path"] for row in rows}
    return datasette._scrutiny_paths


# Search everything ---------------------------------------------------------------------


def _snippet(text: str | None) -> Markup:
    return Markup(
        str(escape(text or "")).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    )


async def _search_table(datasette, table: str, q: str) -> dict[str, Any] | None:
    query = escape_fts(q)
    db = _database(datasette)
    fts = await db.fts_table(table)
    if not fts:
        return None
    snippet = f"snippet([{fts}], -1, char(2), char(3), ' … ', 20) as snippet"
    count = (
        await db.execute(
            f"select count(*) from (select 1 from [{fts}] where [{fts}] match :query limit {COUNTED + 1})",
            {"query": query},
        )
    ).single_value()
    # Ranking reads every match: cheap for up to COUNTED of them, over a second for a word on
    # most of 100,000 pages (benchmarks/search_speed.py). Past that, the first matches are shown.
    ranked = count <= COUNTED
    order = "order by rank " if ranked else ""
    if table == "measures":
        sql = (
            f"select t.id, t.label as heading, t.unit, t.topic, {snippet} from [{fts}] "
            f"join measures t on t.rowid = [{fts}].rowid where [{fts}] match :query "
            f"{order}limit {SHOWN}"
        )
    else:
        details = _DETAILS.get(table)
        sql = (
            f"select t.rowid as row_id, t.document_id, t.page, {_HEADINGS[table]} as heading, "
            f"d.authority, d.committee, d.meeting_date, d.title as document, d.path, {snippet}"
            f"{', ' + details if details else ''} from [{fts}] "
            f"join [{table}] t on t.rowid = [{fts}].rowid join documents d on d.id = t.document_id "
            f"where [{fts}] match :query {order}limit {SHOWN}"
        )
    rows = [dict(row) for row in await db.execute(sql, {"query": query})]
    for row in rows:
        row["snippet"] = _snippet(row.get("snippet"))
        if table == "measures":
            row["url"] = datasette.urls.path(f"/-/measures/{quote(row['id'])}")
        else:
            row["url"] = datasette.urls.row(db.name, table, row["row_id"])
            row["source"] = source_link(datasette, row["path"], row["page"])
    params = {"_search": q}
    if table == "indicator_values":
        params["_nocount"] = "1"  # no full count, no facets: see metadata.yml
    return {
        "table": table,
        "title": SEARCHED[table],
        "rows": rows,
        "count": count,
        "more": not ranked,
        "url": datasette.urls.table(db.name, table) + "?" + urlencode(params),
    }


async def search_everything(datasette, q: str) -> list[dict[str, Any]]:
    """The best few matches in each searched table, with where each was printed."""
    q = q.strip()
    if not escape_fts(q):
        return []
    results = []
    for table in SEARCHED:
        found = await _search_table(datasette, table, q)
        if found:
            results.append(found)
    return results


# Measures ------------------------------------------------------------------------------

_GENERIC_WORDS = {
    "the", "of", "in", "a", "an", "and", "or", "to", "for", "with", "within", "last", "months",
    "month", "number", "percentage", "proportion", "rate", "per", "children", "child", "who",
    "were", "are", "is", "by", "at", "on", "as", "than", "more", "from", "that", "this",
}


def mention_query(label: str) -> str:
    """An FTS phrase for minutes that mention a measure: the first run of distinctive words
    in its label ("Re-referrals within 12 months of a previous referral" -> "Re-referrals")."""
    run: list[str] = []
    for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", label):
        if word.lower() in _GENERIC_WORDS or word.isdigit():
            if run:
                break
            continue
        run.append(word)
    return f'"{" ".join(run[:3])}"' if run else ""


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def measure_chart(
    measure: dict[str, Any], values: list[dict[str, Any]], official: list[dict[str, Any]]
) -> dict[str, Any]:
    """A Vega-Lite spec: each authority's reported values over time (solid), its targets
    and tolerances (hollow marks), and the DfE's published figures (dashed), one colour
    per authority, England included.

    Values are placed at their period's end: a quarter, a month, a rolling year and the
    DfE's year ending 31 March are all "the figure as at" that date.
    """
    points: list[dict[str, Any]] = []
    for row in values:
        if not row.get("period_end"):
            continue
        base = {
            "date": row["period_end"],
            "area": row["authority"] or "unknown",
            "period": row["period"] or "",
            "document": row.get("document") or "",
        }
        points.append({**base, "kind": "reported", "value": row["value"]})
        for threshold in ("target", "tolerance"):
            if row.get(threshold) is not None:
                points.append({**base, "kind": threshold, "value": row[threshold]})
    for row in official:
        if row.get("period_end"):
            points.append({
                "date": row["period_end"], "area": row["area"], "period": row["period"],
                "document": row["source"], "kind": "DfE", "value": row["value"],
            })  # fmt: skip
    tooltip = [
        {"field": "area", "title": "Authority"},
        {"field": "kind", "title": "What"},
        {"field": "period", "title": "Period"},
        {"field": "value", "title": measure.get("unit") or "Value"},
        {"field": "document", "title": "Source"},
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"{measure['label']} over time",
        "width": "container",
        "height": 320,
        "data": {"values": points},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": "Period ending"},
            "y": {"field": "value", "type": "quantitative", "title": measure.get("unit") or "value",
                  "scale": {"zero": False}},
            "color": {"field": "area", "type": "nominal", "title": "Authority"},
            "tooltip": tooltip,
        },  # fmt: skip
        "layer": [
            {
                "transform": [{"filter": "datum.kind == 'reported' || datum.kind == 'DfE'"}],
                "mark": {"type": "line", "point": {"filled": True, "size": 60}, "strokeWidth": 2},
                "encoding": {
                    "strokeDash": {
                        "field": "kind", "type": "nominal", "title": "Figure",
                        "scale": {"domain": ["reported", "DfE"], "range": [[1, 0], [6, 4]]},
                        # The page says it in words: solid reported, dashed DfE.
                        "legend": None,
                    }  # fmt: skip
                },
            },
            {
                "transform": [{"filter": "datum.kind == 'target' || datum.kind == 'tolerance'"}],
                "mark": {"type": "point", "filled": False, "size": 160, "strokeWidth": 2},
                "encoding": {
                    "shape": {
                        "field": "kind", "type": "nominal", "title": "Threshold",
                        "scale": {"domain": ["target", "tolerance"], "range": ["triangle-down", "cross"]},
                    }  # fmt: skip
                },
            },
        ],
    }


def _spec_json(spec: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/json"> block: '<' escaped so no text can close it."""
    return Markup(json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_VALUES_SQL = """
select v.id, v.authority, v.page, v.code, v.title, v.period, v.period_start, v.period_end, v.value,
  v.unit, v.target, v.tolerance, v.rag, v.kind, v.context, v.document_id, v.confidence, v.confidence_reason,
  d.title as document, d.committee, d.meeting_date, d.path
from indicator_values v join documents d on d.id = v.document_id
where v.measure_id = :measure and v.kind = 'actual' {authorities}
order by v.authority, v.period_end is null, v.period_end, v.id
"""
_OFFICIAL_SQL = """
select area, area_code, level, period, period_start, period_end, value, unit, source, description
from official_values where measure_id = :measure {areas}
order by level = 'Local authority', area, period_end
"""


def _official_by_period(official: list[dict[str, Any]]) -> dict[str, Any]:
    """Published figures as a grid: a row per period, a column per area (England first)."""
    areas = list(dict.fromkeys(row["area"] for row in official))
    grid: dict[str, dict[str, str]] = {}
    for row in official:
        grid.setdefault(row["period"], {})[row["area"]] = _number(row["value"]) + (row["unit"] or "")
    return {"areas": areas, "rows": sorted(grid.items()), "sources": sorted({r["source"] for r in official})}


async def _measure_data(datasette, measure_id: str, authorities: list[str] | None = None):
    db = _database(datasette)
    row = (await db.execute("select * from measures where id = :id", {"id": measure_id})).first()
    if row is None:
        raise NotFound(f"No measure {measure_id!r} in this catalogue")
    measure = dict(row)
    params: dict[str, Any] = {"measure": measure_id}
    only = ""
    if authorities:
        marks = ", ".join(f":a{n}" for n in range(len(authorities)))
        params.update({f"a{n}": name for n, name in enumerate(authorities)})
        only = f"and v.authority in ({marks})"
    values = [dict(r) for r in await db.execute(_VALUES_SQL.format(authorities=only), params)]
    # The DfE publishes a figure for every council: show England's and those of the councils
    # whose papers report the measure (or that were asked for), not all 150.
    shown = authorities or sorted({v["authority"] for v in values if v["authority"]})
    marks = ", ".join(f":o{n}" for n in range(len(shown)))
    params.update({f"o{n}": name for n, name in enumerate(shown)})
    areas = f"and (level = 'National' or area in ({marks}))" if shown else "and level = 'National'"
    official = [dict(r) for r in await db.execute(_OFFICIAL_SQL.format(areas=areas), params)]
    return measure, _printed_once(datasette, values), official


#: What makes two rows one reported value: the same figure for the same period in one paper.
_SAME_VALUE = ("authority", "document_id", "period", "period_start", "period_end", "value", "unit",
               "target", "tolerance", "rag")  # fmt: skip


def _printed_once(datasette, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per reported value, with every page that prints it: a paper's summary and its
    detail often repeat a figure ("January's in month performance of 22.7%", seed 002 pages 2
    and 5), which is one value, not two, on a chart or in a table."""
    merged: dict[tuple, dict[str, Any]] = {}
    for value in values:
        printed = {"page": value["page"], "context": value["context"],
                   "source": source_link(datasette, value["path"], value["page"])}  # fmt: skip
        key = tuple(value[name] for name in _SAME_VALUE)
        if key in merged:
            merged[key]["printed"].append(printed)
            continue
        value["printed"] = [printed]
        value["shown"] = _number(value["value"])
        merged[key] = value
    return list(merged.values())


async def measure_page(datasette, request):
    measure_id = request.url_vars["measure_id"]
    measure, values, official = await _measure_data(datasette, measure_id)
    db = _database(datasette)
    commentary = [
        dict(r)
        for r in await db.execute(
            """
            select c.id, c.kind, c.source as column_name, c.text, c.page, c.code, c.title,
              d.authority, d.committee, d.meeting_date, d.title as document, d.path
            from commentary c join documents d on d.id = c.document_id
            where c.indicator_id in (
              select indicator_id from measure_links where measure_id = :measure and status != 'rejected')
            order by d.meeting_date, c.document_id, c.page, c.id
            """,
            {"measure": measure_id},
        )
    ]
    mentions: list[dict[str, Any]] = []
    query = mention_query(measure["label"])
    if query:
        for table, kind, words in (
            ("resolutions", "resolution", "t.text"),
            ("actions", "action", "t.text"),
            ("agenda_items", "discussed", "snippet([{fts}], -1, char(2), char(3), ' … ', 30)"),
        ):
            fts = await db.fts_table(table)
            if not fts:
                continue
            item = "t.title" if table == "agenda_items" else "t.item"
            for r in await db.execute(
                f"select '{kind}' as kind, {words.format(fts=fts)} as text, {item} as item, t.page, "
                f"t.meeting_date, t.authority, t.committee, d.title as document, d.path "
                f"from [{fts}] join [{table}] t on t.rowid = [{fts}].rowid "
                f"join documents d on d.id = t.document_id where [{fts}] match :query "
                f"order by t.meeting_date limit 50",
                {"query": query},
            ):
                mention = dict(r)
                mention["text"] = _snippet(mention["text"])
                mentions.append(mention)
        mentions.sort(key=lambda m: (m["meeting_date"] is None, m["meeting_date"] or ""))
    for row in commentary + mentions:
        row["source"] = source_link(datasette, row["path"], row["page"])
    context = {
        "measure": measure,
        "values": values,
        "official": official,
        "commentary": commentary,
        "mentions": mentions,
        "mention_query": query,
        "authorities": sorted({v["authority"] for v in values if v["authority"]}),
        "spec_json": _spec_json(measure_chart(measure, values, official)),
        "database": db.name,
    }
    return await _render(datasette, request, "scrutiny_measure.html", context)


async def measures_index(datasette, request):
    db = _database(datasette)
    rows = [
        dict(r)
        for r in await db.execute(
            """
            select m.id, m.label, m.unit, m.topic, m.source, m.code,
              (select count(*) from indicator_values v where v.measure_id = m.id and v.kind = 'actual') as reported,
              (select group_concat(distinct v.authority) from indicator_values v where v.measure_id = m.id) as authorities,
              (select count(*) from official_values o where o.measure_id = m.id) as official
            from measures m
            where m.id in (select measure_id from indicator_values where measure_id is not null)
               or m.id in (select measure_id from official_values)
            order by reported desc, m.label
            """
        )
    ]
    total = (await db.execute("select count(*) from measures")).single_value()
    context = {"measures": rows, "total": total, "database": db.name}
    return await _render(datasette, request, "scrutiny_measures.html", context)


async def compare_page(datasette, request):
    """Two authorities' values for every measure either reports, side by side."""
    db = _database(datasette)
    authorities = [
        r[0]
        for r in await db.execute(
            "select distinct authority from documents where authority is not null order by authority"
        )
    ]
    first = request.args.get("a") or ("Doncaster" if "Doncaster" in authorities else "")
    second = request.args.get("b") or ("Rotherham" if "Rotherham" in authorities else "")
    chosen = [name for name in (first, second) if name]
    measures, only_one, more = [], [], []
    if chosen:
        marks = ", ".join(f":a{n}" for n in range(len(chosen)))
        params = {f"a{n}": name for n, name in enumerate(chosen)}
        reported = [
            dict(r)
            for r in await db.execute(
                f"select v.measure_id, m.label, count(distinct v.authority) as authorities, "
                f"group_concat(distinct v.authority) as names from indicator_values v "
                f"join measures m on m.id = v.measure_id "
                f"where v.measure_id is not null and v.authority in ({marks}) "
                f"group by v.measure_id order by m.label",
                params,
            )
        ]
        # Side by side, with a chart each: the measures both report (all of them when only one
        # authority is chosen); the rest are listed with a link to their own page.
        wanted = len(set(chosen))
        for row in reported:
            if row["authorities"] < wanted:
                only_one.append(row)
                continue
            if len(measures) >= COMPARED:
                more.append(row)
                continue
            measure, values, official = await _measure_data(datasette, row["measure_id"], chosen)
            measures.append(
                {
                    "measure": measure,
                    "official_table": _official_by_period(official),
                    "columns": [[v for v in values if v["authority"] == name] for name in chosen],
                    "official": official,
                    "spec_json": _spec_json(measure_chart(measure, values, official)),
                }
            )
    context = {
        "authorities": authorities,
        "first": first,
        "second": second,
        "chosen": chosen,
        "measures": measures,
        "only_one": only_one,
        "more": more,
        "database": db.name,
    }
    return await _render(datasette, request, "scrutiny_compare.html", context)


# Datasette hooks ------------------------------------------------------------------------


@hookimpl
def register_routes():
    return [
        (r"^/-/measures$", measures_index),
        (r"^/-/measures/(?P<measure_id>[^/]+)$", measure_page),
        (r"^/-/compare$", compare_page),
    ]


@hookimpl
def extra_template_vars(template, datasette, request):
    if template != "search_all.html" or request is None:
        return None

    async def inner():
        q = request.args.get("q") or ""
        results = await search_everything(datasette, q)
        return {"scrutiny_results": results, "scrutiny_q": q, "metadata": datasette.metadata()}

    return inner


@hookimpl
def asgi_wrapper(datasette):
    """Source files other than PDFs (a ModernGov minutes page saved as .html) are served
    sandboxed: a council's page is shown, but no script in it runs as this site. (Chromium
    will not show a sandboxed PDF, and a PDF runs no page script here anyway.)"""

    def wrap(app):
        async def sandboxed(scope, receive, send):
            mounts = getattr(datasette, "_scrutiny_file_mounts", [])
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            if not any(path.startswith(f"/{mount}/") for mount, _ in mounts) or path.lower().endswith(".pdf"):
                await app(scope, receive, send)
                return

            async def send_sandboxed(message):
                if message["type"] == "http.response.start":
                    headers = [
                        (name, value) for name, value in message.get("headers", [])
                        if name.lower() != b"content-security-policy"
                    ]  # fmt: skip
                    headers += [(b"content-security-policy", b"sandbox"), (b"x-content-type-options", b"nosniff")]
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, send_sandboxed)

        return sandboxed

    return wrap


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/-/measures"), "label": "Measures"},
        {"href": datasette.urls.path("/-/compare"), "label": "Compare two authorities"},
    ]


@hookimpl
def render_cell(row, value, column, table, datasette):
    """A document's path links to its file; a page number links to that page of the PDF."""
    if table == "documents" and column == "path" and isinstance(value, str):
        url = source_link(datasette, value)
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>') if url else None
    if column != "page" or not isinstance(value, int) or "document_id" not in row.keys():
        return None

    async def inner():
        document_id = row["document_id"]
        if isinstance(document_id, dict):  # a labelled foreign key
            document_id = document_id.get("value")
        path = (await _document_paths(datasette)).get(document_id)
        url = source_link(datasette, path, value)
        if url is None:
            return None
        return Markup(f'<a href="{escape(url)}" title="Open the source at this page">{value}</a>')

    return inner
