"""The published catalogue's own pages, as a Datasette plugin that ``serve`` registers:
search everything (``/-/search``), a page per measure (``/-/measures/<id>``), the measures
index (``/-/measures``) and two authorities side by side (``/-/compare``); and links from
every ``page`` cell to the source PDF opened at that page (``/files/...#page=N``).

Every template is rendered by Datasette's Jinja environment, which escapes what it prints:
document text reaches the browser as text, never as markup.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response, asgi_send_file
from markupsafe import Markup, escape

from ..corpus.discover import sha256_of
from ..records import LOW_OCR_CONFIDENCE
from ..vocab import vocabulary
from . import feeds
from .query import EXAMPLES, Query, parse

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


def _tail_match(given: tuple[str, ...], resolved: Path) -> int:
    """How many of the catalogued path's last parts the found file's absolute path ends with."""
    count = 0
    for mine, theirs in zip(reversed(given), reversed(resolved.parts)):
        if mine != theirs:
            break
        count += 1
    return count


def _digest(file: Path) -> str | None:
    """The file's SHA-256, remembered while its size and modification time stay the same."""
    try:
        stat = file.stat()
    except OSError:
        return None
    key = (str(file), stat.st_size, stat.st_mtime_ns)
    if key not in _DIGESTS:
        try:
            _DIGESTS[key] = sha256_of(file)
        except OSError:
            return None
    return _DIGESTS[key]


_DIGESTS: dict[tuple[str, int, int], str] = {}


def _find_file(mounts: list[tuple[str, Path]], path: str, sha256: str | None = None) -> str | None:
    """The URL path of a catalogued document's file under one of the mounted folders.

    ``documents.path`` is the path as given to ``scrutiny build`` (``corpus/pdf/000.pdf``,
    relative to wherever the build ran), so every tail of it that names a file inside a
    mounted folder is a candidate, and the one whose absolute path ends with most of the
    catalogued path wins: ``rotherham/2016/report.pdf`` is Rotherham's file, not the
    ``2016/report.pdf`` in Doncaster's folder served beside it (issue 17). With ``sha256``
    the file must also hold the content the catalogue read. Nothing outside the folders, and
    no hidden file, can be named: ``..`` and symlinks are resolved first.
    """
    given = Path(path)
    parts = given.parts[1:] if given.is_absolute() else given.parts
    found: list[tuple[int, str, Path]] = []
    for mount, root in mounts:
        candidates = [given] if given.is_absolute() else []
        candidates += [root.joinpath(*parts[start:]) for start in range(len(parts))]
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
                relative = resolved.relative_to(root)
            except (OSError, ValueError):
                continue
            if _hidden(relative.parts) or not resolved.is_file():
                continue
            found.append((_tail_match(given.parts, resolved), f"/{mount}/{quote(relative.as_posix())}", resolved))
    for _, url, resolved in sorted(found, key=lambda item: -item[0]):
        if sha256 is None or _digest(resolved) == sha256:
            return url
    return None


def _hidden(parts: tuple[str, ...] | list[str]) -> bool:
    return any(part.startswith(".") or part in ("", "..") for part in parts)


def _documents_by_path(datasette) -> dict[str, str]:
    """Every document's SHA-256 by its catalogued path, read once (the catalogue is served
    immutable, so it cannot change under the server)."""
    if "_scrutiny_digests" not in datasette.__dict__:
        digests: dict[str, str] = {}
        path = _database(datasette).path
        if path:
            connection = sqlite3.connect(f"file:{quote(str(path))}?immutable=1", uri=True)
            try:
                digests = dict(connection.execute("select path, sha256 from documents"))
            except sqlite3.Error:
                digests = {}
            finally:
                connection.close()
        datasette._scrutiny_digests = digests
    return datasette._scrutiny_digests


def source_link(datasette, path: str | None, page: int | None = None) -> str | None:
    """A link to the source document's file, opened at ``page`` for a PDF; None when the
    file is not in a served folder (or no longer holds what the catalogue read)."""
    if not path:
        return None
    cache = datasette.__dict__.setdefault("_scrutiny_links", {})
    if path not in cache:
        mounts = getattr(datasette, "_scrutiny_file_mounts", [])
        cache[path] = _find_file(mounts, path, _documents_by_path(datasette).get(path))
    found = cache[path]
    if found is None:
        return None
    url = datasette.urls.path(found)
    if page and path.lower().endswith(".pdf"):
        url += f"#page={int(page)}"
    return url


#: What a browser is told each kind of source file is; anything else is served as bytes.
_CONTENT_TYPES = {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html", ".txt": "text/plain"}


def _served_file(datasette, mount: str, relative: str) -> Path | None:
    """The file a ``/files/`` URL names, if it is one of the catalogue's documents.

    Only catalogued documents are served: not hidden files, not the manifest, not a file
    that happens to sit in the folder; and everything else gets the same 404, so the answer
    says nothing about what exists outside (or inside) the folder (issue 17, items 13, 15).
    """
    roots = dict(getattr(datasette, "_scrutiny_file_mounts", []))
    root = roots.get(mount)
    parts = relative.split("/")
    if root is None or "\x00" in relative or _hidden(parts):
        return None
    try:
        resolved = root.joinpath(*parts).resolve()
        resolved.relative_to(root)
    except (OSError, ValueError):
        return None
    if not resolved.is_file():
        return None
    if "_scrutiny_digest_set" not in datasette.__dict__:
        datasette._scrutiny_digest_set = set(_documents_by_path(datasette).values())
    digest = _digest(resolved)
    if digest is None or digest not in datasette._scrutiny_digest_set:
        return None
    return resolved


async def source_file(datasette, request, send):
    """``/files/<path>`` (and ``/files-2/...`` for the second ``--files`` folder): a catalogued
    source file, named by its path inside the folder, percent-encoded (spaces, ``&``, ``'``,
    brackets, any script). Files other than PDFs (a saved ModernGov minutes page) are served
    sandboxed: a council's page is shown, but no script in it runs as this site."""
    mount = request.url_vars["mount"]
    try:
        relative = unquote(request.url_vars["path"], errors="strict")
    except UnicodeDecodeError:
        relative = "\x00"
    file = await asyncio.to_thread(_served_file, datasette, mount, relative)
    if file is None:
        return Response.text("Not found: no catalogued source file has this address.", status=404)
    content_type = _CONTENT_TYPES.get(file.suffix.lower(), "application/octet-stream")
    headers = {"x-content-type-options": "nosniff"}
    if content_type != "application/pdf":
        headers["content-security-policy"] = "sandbox"  # Chromium shows no PDF under a sandbox
    if content_type == "text/plain":
        content_type += "; charset=utf-8"  # the build reads text files as UTF-8
    await asgi_send_file(send, file, content_type=content_type, headers=headers, chunk_size=1 << 16)


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


#: The column whose words a result's snippet shows: what was resolved, not the item's title.
_SNIPPET_COLUMN = {"resolutions": 1, "actions": 1, "commentary": 1}
#: Pages of one document shown under it in the results.
PAGES_SHOWN = 3


@dataclass(frozen=True)
class SearchFilters:
    """The search page's filters: each narrows every result to documents that match it."""

    authority: str = ""
    committee: str = ""
    kind: str = ""
    since: str = ""  # ISO date, inclusive (meeting date)
    until: str = ""

    @classmethod
    def from_request(cls, request) -> SearchFilters:
        def arg(name: str) -> str:
            return " ".join((request.args.get(name) or "").split())

        dates = [arg(name) if re.fullmatch(r"\d{4}(-\d\d){0,2}", arg(name)) else "" for name in ("since", "until")]
        return cls(arg("authority"), arg("committee"), arg("kind"), *dates)

    def sql(self) -> tuple[str, dict[str, str]]:
        """SQL conditions on the documents table ``d``, and their parameters."""
        conditions, params = [], {}
        for name in ("authority", "committee", "kind"):
            if getattr(self, name):
                conditions.append(f"d.{name} = :f_{name}")
                params[f"f_{name}"] = getattr(self, name)
        if self.since:
            conditions.append("d.meeting_date >= :f_since")
            params["f_since"] = self.since
        if self.until:
            conditions.append("d.meeting_date <= :f_until")
            # "2016" and "2016-09" include the whole year or month.
            params["f_until"] = self.until + ("-12-31" if len(self.until) == 4 else "-31" if len(self.until) == 7 else "")
        return "".join(f" and {c}" for c in conditions), params

    def table_args(self) -> dict[str, str]:
        """The same filters as a table page's arguments (a column of the table itself)."""
        return {name: getattr(self, name) for name in ("authority", "committee") if getattr(self, name)}

    @property
    def active(self) -> bool:
        return any((self.authority, self.committee, self.kind, self.since, self.until))


async def _search_table(datasette, table: str, query: Query, filters: SearchFilters) -> dict[str, Any] | None:
    db = _database(datasette)
    fts = await db.fts_table(table)
    if not fts or not query.expression:
        return None
    column = _SNIPPET_COLUMN.get(table, -1)
    snippet = f"snippet([{fts}], {column}, char(2), char(3), ' … ', 20) as snippet"
    where, params = filters.sql() if table != "measures" else ("", {})
    params["query"] = query.expression
    joined = "" if table == "measures" or not where else (
        f"join [{table}] t on t.rowid = [{fts}].rowid join documents d on d.id = t.document_id ")
    count = (
        await db.execute(
            f"select count(*) from (select 1 from [{fts}] {joined}where [{fts}] match :query{where if joined else ''} "
            f"limit {COUNTED + 1})",
            params,
        )
    ).single_value()
    # Ranking reads every match: cheap for up to COUNTED of them, over a second for a word on
    # most of 100,000 pages (benchmarks/search_speed.py). Past that, the first matches are shown.
    ranked = count <= COUNTED
    order = "order by rank " if ranked else ""
    # Pages are grouped by document: enough matches to find SHOWN documents' best pages.
    limit = SHOWN * 40 if table == "pages" else SHOWN
    if table == "measures":
        sql = (
            f"select t.id, t.label as heading, t.unit, t.topic, {snippet} from [{fts}] "
            f"join measures t on t.rowid = [{fts}].rowid where [{fts}] match :query "
            f"{order}limit {limit}"
        )
    else:
        details = _DETAILS.get(table)
        sql = (
            f"select t.rowid as row_id, t.document_id, t.page, {_HEADINGS[table]} as heading, "
            f"d.authority, d.committee, d.meeting_date, d.title as document, d.path, d.kind as document_kind, {snippet}"
            f"{', ' + details if details else ''} from [{fts}] "
            f"join [{table}] t on t.rowid = [{fts}].rowid join documents d on d.id = t.document_id "
            f"where [{fts}] match :query{where} {order}limit {limit}"
        )
    rows = [dict(row) for row in await db.execute(sql, params)]
    for row in rows:
        row["snippet"] = _snippet(row.get("snippet"))
        if table == "measures":
            row["url"] = datasette.urls.path(f"/-/measures/{quote(row['id'])}")
        else:
            row["url"] = datasette.urls.row(db.name, table, row["row_id"])
            row["source"] = source_link(datasette, row["path"], row["page"])
            row["document_url"] = datasette.urls.path(f"/-/documents/{row['document_id']}")
            row["meeting_url"] = meeting_path(row["authority"], row["committee"], row["meeting_date"])
    documents = None
    if table == "pages":
        grouped: dict[int, dict[str, Any]] = {}
        for row in rows:
            document = grouped.setdefault(row["document_id"], {**row, "pages": []})
            if len(document["pages"]) < PAGES_SHOWN:
                document["pages"].append(row)
        documents = list(grouped.values())[:SHOWN]
        rows = [page for document in documents for page in document["pages"]]
    params_out = {"_search": query.expression, "_searchmode": "raw", **filters.table_args()}
    if table == "indicator_values":
        params_out["_nocount"] = "1"  # no full count, no facets: see metadata.yml
    return {
        "table": table,
        "title": SEARCHED[table],
        "rows": rows,
        "documents": documents,
        "count": count,
        "more": not ranked,
        "url": datasette.urls.table(db.name, table) + "?" + urlencode(params_out),
    }


async def search_everything(datasette, q: str, filters: SearchFilters | None = None) -> list[dict[str, Any]]:
    """The best few matches in each searched table, with where each was printed."""
    query = parse(q.replace("\x00", " ").strip())  # a NUL ends a full-text query inside SQLite
    if not query.expression:
        return []
    results = []
    for table in SEARCHED:
        found = await _search_table(datasette, table, query, filters or SearchFilters())
        if found:
            results.append(found)
    return results


async def _filter_options(datasette) -> dict[str, list[str]]:
    """The values each filter offers: every authority, committee and kind of document."""
    if "_scrutiny_filter_options" not in datasette.__dict__:
        db = _database(datasette)
        options = {}
        for name in ("authority", "committee", "kind"):
            rows = await db.execute(f"select distinct {name} from documents where {name} is not null order by {name}")
            options[name] = [row[0] for row in rows]
        datasette._scrutiny_filter_options = options
    return datasette._scrutiny_filter_options


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
    """A figure as a reader writes it: 80,780; 22.7; 0.02 (no float noise, no exponent)."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def with_unit(value: float | None, unit: str | None) -> str:
    """A figure with its unit, spaced as it is read: "24%", "£1,200", "85.5 per 10,000",
    "12 weeks", and a count as the bare number (never "80780count")."""
    number = _number(value)
    if not number or not unit or unit == "count":
        return number
    if unit == "%":
        return number + "%"
    if unit == "£":
        return ("-£" + number[1:]) if number.startswith("-") else "£" + number
    return f"{number} {unit.removeprefix('rate ')}"


#: Colours for the authorities whose papers are in the catalogue, in the order of their names,
#: so an authority keeps its colour on every page (strong colours only: a hollow mark must show); England is
#: near-black; an area with no papers (a DfE figure only) gets a muted colour by its name.
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#7f7f00", "#393b79", "#637939", "#843c39", "#5254a3", "#bd9e39", "#a55194", "#6b6ecf",
           "#ad494a", "#3182bd", "#e6550d", "#31a354"]  # fmt: skip
MUTED = ["#9fb3c8", "#c8b39f", "#a8c8a0", "#c8a0a8", "#a0c4c8", "#b8a8c8"]
ENGLAND = "#222222"


def area_colours(known: list[str], areas: Iterable[str]) -> dict[str, str]:
    """Each area's colour: by its place among ``known`` (every authority with papers in the
    catalogue), so it is the same on every page."""
    import zlib

    place = {name: number for number, name in enumerate(sorted(known))}
    colours = {}
    for area in areas:
        if area == "England":
            colours[area] = ENGLAND
        elif area in place:
            colours[area] = PALETTE[place[area] % len(PALETTE)]
        else:
            colours[area] = MUTED[zlib.crc32(area.encode()) % len(MUTED)]
    return colours


def measure_chart(
    measure: dict[str, Any], values: list[dict[str, Any]], official: list[dict[str, Any]],
    colours: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Vega-Lite spec: each authority's reported values over time (solid), its targets
    and tolerances (hollow marks), and the DfE's published figures (dashed), one colour
    per authority, England included. A line joins only the values of one measure as one
    paper series prints it (Rotherham's "in month" and "rolling 12 months" re-referral rates
    are two lines); values whose link to the measure awaits review are hollow diamonds, on
    no line. Values with no datable period can't be placed: the page says how many.

    Values are placed at their period's end: a quarter, a month, a rolling year and the
    DfE's year ending 31 March are all "the figure as at" that date.
    """
    points: list[dict[str, Any]] = []
    unit = measure.get("unit")
    for row in values:
        if not row.get("period_end"):
            continue
        area = row["authority"] or "unknown"
        base = {
            "date": row["period_end"],
            "area": area,
            "period": row["period"] or "",
            "document": row.get("document") or "",
            "series": f"{area}: {' '.join((row.get('title') or '').lower().split())}",
            "link": "pending" if row.get("link_status") == "pending" else "sure",
        }
        # A value read by OCR and not surely says so (it is drawn, but never as certain).
        note = "uncertain: read by OCR, check the page" if row.get("uncertain") else ""
        if base["link"] == "pending":
            note = (note + "; " if note else "") + "link to this measure awaits review"
        points.append({**base, "kind": "reported", "value": row["value"], "shown": with_unit(row["value"], unit),
                       "note": note})  # fmt: skip
        for threshold in ("target", "tolerance"):
            if row.get(threshold) is not None:
                points.append({**base, "kind": threshold, "value": row[threshold],
                               "shown": with_unit(row[threshold], unit)})  # fmt: skip
    for row in official:
        if row.get("period_end"):
            points.append({
                "date": row["period_end"], "area": row["area"], "period": row["period"],
                "document": row["source"], "kind": "DfE", "value": row["value"], "series": f"{row['area']}: DfE",
                "link": "sure", "shown": with_unit(row["value"], unit),
            })  # fmt: skip
    tooltip = [
        {"field": "area", "title": "Authority"},
        {"field": "kind", "title": "What"},
        {"field": "period", "title": "Period"},
        {"field": "shown", "title": "Value"},
        {"field": "document", "title": "Source"},
        {"field": "note", "title": "Note"},
    ]
    areas = sorted({p["area"] for p in points}, key=lambda a: (a == "England", a))
    colours = colours or area_colours(areas, areas)
    colour = {"field": "area", "type": "nominal", "title": "Authority",
              "scale": {"domain": areas, "range": [colours[a] for a in areas]}}  # fmt: skip
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": f"{measure['label']} over time",
        "width": "container",
        "height": 320,
        "data": {"values": points},
        "encoding": {
            # Padding keeps a point at the edge of the range whole (a hollow diamond shows).
            "x": {"field": "date", "type": "temporal", "title": "Period ending", "scale": {"padding": 14}},
            "y": {"field": "value", "type": "quantitative", "title": unit or "value",
                  "scale": {"zero": False, "padding": 14}},
            "color": colour,
            "tooltip": tooltip,
        },
        "layer": [
            {
                "transform": [{"filter": "(datum.kind == 'reported' && datum.link == 'sure') || datum.kind == 'DfE'"}],
                "mark": {"type": "line", "point": {"filled": True, "size": 60}, "strokeWidth": 2},
                "encoding": {
                    "detail": {"field": "series", "type": "nominal"},
                    "strokeDash": {
                        "field": "kind", "type": "nominal", "title": "Figure",
                        "scale": {"domain": ["reported", "DfE"], "range": [[1, 0], [6, 4]]},
                        # The page says it in words: solid reported, dashed DfE.
                        "legend": None,
                    },
                },
            },
            {
                "transform": [{"filter": "datum.kind == 'reported' && datum.link == 'pending'"}],
                "mark": {"type": "point", "shape": "diamond", "filled": False, "size": 120, "strokeWidth": 2,
                         "strokeDash": [2, 2]},
            },
            {
                "transform": [{"filter": "datum.kind == 'target' || datum.kind == 'tolerance'"}],
                "mark": {"type": "point", "filled": False, "size": 160, "strokeWidth": 2},
                "encoding": {
                    "shape": {
                        "field": "kind", "type": "nominal", "title": "Threshold",
                        "scale": {"domain": ["target", "tolerance"], "range": ["triangle-down", "cross"]},
                    }
                },
            },
        ],
    }


def _spec_json(spec: dict[str, Any]) -> Markup:
    """JSON for a <script type="application/json"> block: '<' escaped so no text can close it."""
    return Markup(json.dumps(spec).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_VALUES_SQL = """
select v.id, v.authority, v.page, v.code, v.title, v.period, v.period_start, v.period_end, v.value,
  v.unit, v.target, v.tolerance, v.rag, v.kind, v.context, v.document_id, v.ocr_confidence, v.confidence, v.confidence_reason,
  d.title as document, d.committee, d.meeting_date, d.path,
  l.status as link_status, l.score as link_score, l.evidence as link_evidence
from indicator_values v join documents d on d.id = v.document_id
join measure_links l on l.indicator_id = v.indicator_id and l.measure_id = v.measure_id
where v.measure_id = :measure and v.kind = 'actual' and l.status in ({statuses}) {authorities}
order by v.authority, v.period_end is null, v.period_end, v.id
"""
#: Links whose values pages show as fact: a person confirmed them, or the linker scored them
#: 80 or more with no close rival. Pending links (65-80, or too close to call) are shown marked,
#: and a reader can hide them; rejected ones never.
SURE = ("confirmed", "automatic")
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
        grid.setdefault(row["period"], {})[row["area"]] = with_unit(row["value"], row["unit"])
    return {"areas": areas, "rows": sorted(grid.items()), "sources": sorted({r["source"] for r in official})}


async def _known_authorities(datasette) -> list[str]:
    """Every authority with papers in the catalogue (read once: the catalogue is immutable)."""
    if "_scrutiny_authorities" not in datasette.__dict__:
        rows = await _database(datasette).execute(
            "select distinct authority from documents where authority is not null order by authority")
        datasette._scrutiny_authorities = [row[0] for row in rows]
    return datasette._scrutiny_authorities


def _show_pending(request) -> bool:
    return request.args.get("pending") != "hide"


async def _measure_data(datasette, measure_id: str, authorities: list[str] | None = None, pending: bool = True):
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
    statuses = ", ".join(f"'{status}'" for status in (*SURE, *(("pending",) if pending else ())))
    values = [dict(r) for r in await db.execute(_VALUES_SQL.format(authorities=only, statuses=statuses), params)]
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
               "target", "tolerance", "rag", "link_status")  # fmt: skip


def _printed_once(datasette, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per reported value, with every page that prints it: a paper's summary and its
    detail often repeat a figure ("January's in month performance of 22.7%", seed 002 pages 2
    and 5), which is one value, not two, on a chart or in a table."""
    merged: dict[tuple, dict[str, Any]] = {}
    for value in values:
        printed = {"page": value["page"], "context": value["context"],
                   "source": source_link(datasette, value["path"], value["page"]),
                   "ocr_confidence": value["ocr_confidence"]}  # fmt: skip
        key = tuple(value[name] for name in _SAME_VALUE)
        if key in merged:
            merged[key]["printed"].append(printed)
        else:
            value["printed"] = [printed]
            value["shown"] = with_unit(value["value"], value["unit"])
            merged[key] = value
    for value in merged.values():
        # Read only by OCR, and not surely: never shown as certain (a text layer printing it is).
        value["uncertain"] = all(
            p["ocr_confidence"] is not None and p["ocr_confidence"] < LOW_OCR_CONFIDENCE for p in value["printed"]
        )
    return list(merged.values())


async def measure_page(datasette, request):
    measure_id = request.url_vars["measure_id"]
    pending = _show_pending(request)
    measure, values, official = await _measure_data(datasette, measure_id)
    honesty = _honesty(values, pending, request)
    if not pending:
        values = [v for v in values if v["link_status"] != "pending"]
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
        "spec_json": _spec_json(measure_chart(measure, values, official, await _colours(datasette, values, official))),
        "database": db.name,
        "honesty": honesty,
    }
    return await _render(datasette, request, "scrutiny_measure.html", context)


async def _colours(datasette, values: list[dict[str, Any]], official: list[dict[str, Any]]) -> dict[str, str]:
    areas = {v["authority"] or "unknown" for v in values} | {o["area"] for o in official}
    return area_colours(await _known_authorities(datasette), areas)


def _honesty(values: list[dict[str, Any]], pending: bool, request) -> dict[str, Any]:
    """What a page says about the values it shows: how many await review (and a link to hide
    or show them), and how many the chart leaves off because their period can't be dated."""
    args = [(key, value) for key in request.args if key != "pending" for value in request.args.getlist(key)]
    toggle = urlencode(args + ([("pending", "hide")] if pending else []))
    return {
        "pending_shown": pending,
        "pending_count": sum(1 for v in values if v.get("link_status") == "pending"),
        "undated_count": sum(1 for v in values if not v.get("period_end") and (pending or v.get("link_status") != "pending")),
        "pending_toggle": request.path + ("?" + toggle if toggle else ""),
    }


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


def _authority_facts() -> dict[str, dict[str, str]]:
    """authorities.csv by name: DfE code, ONS code, region."""
    return {row["name"]: row for row in vocabulary("authorities")}


def comparison_group(name: str, group: str) -> list[str]:
    """The councils ``name`` is compared with: its ten statistical neighbours (the DfE's
    children's services groupings, April 2021, closest first) or the other councils of its
    region (authorities.csv). Names as authorities.csv spells them (and the DfE's figures)."""
    facts = _authority_facts()
    mine = facts.get(name)
    if mine is None or group not in ("neighbours", "region"):
        return []
    if group == "region":
        return sorted(other for other, row in facts.items() if row["region"] == mine["region"] and other != name)
    by_code = {row["dfe_code"]: other for other, row in facts.items()}
    rows = [row for row in vocabulary("statistical_neighbours") if row["dfe_code"] == mine["dfe_code"]]
    return [by_code[row["neighbour_dfe_code"]] for row in sorted(rows, key=lambda r: int(r["rank"]))
            if row["neighbour_dfe_code"] in by_code]


def _canonical(name: str, names: Iterable[str]) -> str:
    """A council's name as the catalogue spells it, whatever the case it was typed in."""
    wanted = " ".join(name.split()).casefold()
    return next((known for known in names if known.casefold() == wanted), "")


def ranks(official: list[dict[str, Any]], areas: list[str], polarity: str | None, first: str) -> dict[str, Any] | None:
    """Each council's place among ``areas`` in the DfE's latest year that has a figure for
    ``first``: 1 is best by the measure's polarity. None without a polarity or figures."""
    if polarity not in ("lower is better", "higher is better"):
        return None
    local = [row for row in official if row["level"] == "Local authority" and row["area"] in areas]
    years = sorted({row["period_end"] for row in local if row["area"] == first and row["period_end"]})
    if not years:
        return None
    latest = [row for row in local if row["period_end"] == years[-1]]
    ordered = sorted(latest, key=lambda row: row["value"], reverse=polarity == "higher is better")
    places, place = [], 0
    for number, row in enumerate(ordered, start=1):
        if number == 1 or row["value"] != ordered[number - 2]["value"]:
            place = number  # equal figures share a place
        places.append({"area": row["area"], "place": place, "value": with_unit(row["value"], row["unit"])})
    return {"period": latest[0]["period"], "of": len(ordered), "polarity": polarity, "places": places}


async def _comparison(datasette, request) -> dict[str, Any]:
    db = _database(datasette)
    authorities = await _known_authorities(datasette)
    asked_a, asked_b = request.args.get("a"), request.args.get("b")
    first = _canonical(asked_a, authorities) if asked_a else ("Doncaster" if "Doncaster" in authorities else "")
    if asked_b is not None:
        second = _canonical(asked_b, authorities) if asked_b else ""
    else:
        second = "Rotherham" if "Rotherham" in authorities and not asked_a else ""
    group_kind = request.args.get("group") or ""
    group = [name for name in comparison_group(first, group_kind) if name not in (first, second)]
    chosen = [name for name in dict.fromkeys((first, second)) if name]
    pending = _show_pending(request)
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
        for row in reported:
            if row["authorities"] < len(chosen):
                only_one.append(row)
                continue
            if len(measures) >= COMPARED:
                more.append(row)
                continue
            measure, values, official = await _measure_data(datasette, row["measure_id"], chosen + group)
            honesty = _honesty(values, pending, request)
            if not pending:
                values = [v for v in values if v["link_status"] != "pending"]
            measures.append({
                "measure": measure,
                "official_table": _official_by_period(official),
                "columns": [[v for v in values if v["authority"] == name] for name in chosen],
                "values": values,
                "official": official,
                "ranks": ranks(official, chosen + group, measure.get("polarity"), chosen[0]),
                "honesty": honesty,
                "spec_json": _spec_json(measure_chart(measure, values, official, await _colours(datasette, values, official))),
            })  # fmt: skip
    return {
        "authorities": authorities, "first": first, "second": second, "chosen": chosen,
        "group_kind": group_kind, "group": group,
        "region": (_authority_facts().get(first) or {}).get("region"),
        "measures": measures, "only_one": only_one, "more": more, "database": db.name,
        "pending_shown": pending,
        "asked": [name for name in (asked_a, asked_b) if name and not _canonical(name, authorities)],
    }  # fmt: skip


#: The columns of the compare page's CSV and JSON: every figure it draws.
COMPARE_COLUMNS = ["measure_id", "measure", "area", "figure", "period", "period_start", "period_end", "value",
                   "unit", "target", "tolerance", "link_status", "document", "page", "source"]  # fmt: skip


def _compared_rows(datasette, context: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for item in context["measures"]:
        measure = item["measure"]
        for value in item["values"]:
            rows.append({
                "measure_id": measure["id"], "measure": measure["label"], "area": value["authority"],
                "figure": "reported", "period": value["period"], "period_start": value["period_start"],
                "period_end": value["period_end"], "value": value["value"], "unit": value["unit"],
                "target": value["target"], "tolerance": value["tolerance"], "link_status": value["link_status"],
                "document": value["document"], "page": value["printed"][0]["page"],
                "source": value["printed"][0]["source"],
            })  # fmt: skip
        for row in item["official"]:
            rows.append({
                "measure_id": measure["id"], "measure": measure["label"], "area": row["area"], "figure": "DfE",
                "period": row["period"], "period_start": row["period_start"], "period_end": row["period_end"],
                "value": row["value"], "unit": row["unit"], "target": None, "tolerance": None,
                "link_status": None, "document": row["source"], "page": None, "source": None,
            })  # fmt: skip
    return rows


async def compare_page(datasette, request):
    """Authorities' values for every measure they report, side by side, with a group (their
    statistical neighbours or region) and England; as a page, CSV or JSON."""
    context = await _comparison(datasette, request)
    fmt = request.url_vars.get("format")
    if fmt == ".json":
        return Response.json({"authorities": context["chosen"], "group": context["group"],
                              "columns": COMPARE_COLUMNS, "rows": _compared_rows(datasette, context)})  # fmt: skip
    if fmt == ".csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, COMPARE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(_compared_rows(datasette, context))
        return Response(buffer.getvalue(), content_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="compare.csv"'})  # fmt: skip
    query = request.query_string
    context["exports"] = {kind: datasette.urls.path(f"/-/compare.{kind}") + (f"?{query}" if query else "")
                          for kind in ("csv", "json")}  # fmt: skip
    return await _render(datasette, request, "scrutiny_compare.html", context)


# Meetings, committees and documents -------------------------------------------------------


def meeting_path(authority: str | None, committee: str | None, meeting_date: str | None) -> str | None:
    """The meeting page's path, when the meeting is known: authority, committee and date."""
    if not (authority and committee and meeting_date):
        return None
    return f"/-/meetings/{quote(authority, safe='')}/{quote(committee, safe='')}/{quote(meeting_date, safe='')}"


def committee_path(authority: str | None, committee: str | None) -> str | None:
    if not (authority and committee):
        return None
    return f"/-/committees/{quote(authority, safe='')}/{quote(committee, safe='')}"


def _url_var(request, name: str) -> str:
    return unquote(request.url_vars[name])


def _linked(datasette, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with its source link at its page and its document's page in the catalogue."""
    for row in rows:
        row["source"] = source_link(datasette, row.get("path"), row.get("page"))
        page = f"?page={row['page']}#page-{row['page']}" if row.get("page") else ""
        row["document_url"] = datasette.urls.path(f"/-/documents/{row['document_id']}") + page
    return rows


_MEETING_SQL = {
    "documents": """
        select d.id as document_id, d.title, d.kind, d.page_count, d.path, d.source_url, 1 as page
        from documents d where d.authority = :authority and d.committee = :committee and d.meeting_date = :date
        order by d.kind = 'minutes', d.kind = 'report', d.title""",
    "items": """
        select a.id, a.document_id, a.number, a.minute, a.title, a.reports, a.page, a.last_page, d.path
        from agenda_items a join documents d on d.id = a.document_id
        where a.authority = :authority and a.committee = :committee and a.meeting_date = :date
        order by a.document_id, a.page, a.id""",
    "resolutions": """
        select r.id, r.document_id, r.agenda_item_id, r.item, r.number, r.text, r.page, d.path
        from resolutions r join documents d on d.id = r.document_id
        where r.authority = :authority and r.committee = :committee and r.meeting_date = :date
        order by r.document_id, r.page, r.id""",
    "actions": """
        select a.id, a.document_id, a.agenda_item_id, a.item, a.text, a.owner, a.due, a.page, d.path
        from actions a join documents d on d.id = a.document_id
        where a.authority = :authority and a.committee = :committee and a.meeting_date = :date
        order by a.document_id, a.page, a.id""",
}


async def meeting_page(datasette, request):
    """One meeting: its agenda items with what each resolved and asked for, the papers
    considered and the minutes, each linked to its page."""
    db = _database(datasette)
    params = {"authority": _url_var(request, "authority"), "committee": _url_var(request, "committee"),
              "date": _url_var(request, "date")}  # fmt: skip
    found = {name: _linked(datasette, [dict(r) for r in await db.execute(sql, params)])
             for name, sql in _MEETING_SQL.items()}  # fmt: skip
    if not found["documents"] and not found["items"]:
        raise NotFound(f"No meeting of {params['committee']} ({params['authority']}) on {params['date']} in this catalogue")
    # Resolutions and actions under their agenda item; those the minutes give no item, after.
    by_item: dict[int | None, dict[str, list]] = {}
    for kind in ("resolutions", "actions"):
        for row in found[kind]:
            by_item.setdefault(row["agenda_item_id"], {"resolutions": [], "actions": []})[kind].append(row)
    items = [{**item, **by_item.pop(item["id"], {"resolutions": [], "actions": []})} for item in found["items"]]
    loose = {"resolutions": [r for v in by_item.values() for r in v["resolutions"]],
             "actions": [a for v in by_item.values() for a in v["actions"]]}  # fmt: skip
    dates = [row[0] for row in await db.execute(
        "select distinct meeting_date from documents where authority = :authority and committee = :committee "
        "and meeting_date is not null order by meeting_date", params)]  # fmt: skip
    place = dates.index(params["date"]) if params["date"] in dates else None
    context = {
        **params,
        "papers": [d for d in found["documents"] if d["kind"] != "minutes"],
        "minutes": [d for d in found["documents"] if d["kind"] == "minutes"],
        "items": items, "loose": loose,
        "resolution_count": len(found["resolutions"]), "action_count": len(found["actions"]),
        "committee_url": committee_path(params["authority"], params["committee"]),
        "previous": meeting_path(params["authority"], params["committee"], dates[place - 1]) if place else None,
        "next": meeting_path(params["authority"], params["committee"], dates[place + 1])
        if place is not None and place + 1 < len(dates) else None,
        "database": db.name,
    }  # fmt: skip
    return await _render(datasette, request, "scrutiny_meeting.html", context)


async def committee_page(datasette, request):
    """A committee's meetings in date order, with what each holds."""
    db = _database(datasette)
    params = {"authority": _url_var(request, "authority"), "committee": _url_var(request, "committee")}
    rows = [dict(r) for r in await db.execute(
        """
        select meeting_date, sum(documents) as documents, sum(minutes) as minutes,
          sum(items) as items, sum(resolutions) as resolutions from (
          select meeting_date, count(*) as documents, sum(kind = 'minutes') as minutes, 0 as items, 0 as resolutions
          from documents where authority = :authority and committee = :committee group by meeting_date
          union all select meeting_date, 0, 0, count(*), 0 from agenda_items
          where authority = :authority and committee = :committee group by meeting_date
          union all select meeting_date, 0, 0, 0, count(*) from resolutions
          where authority = :authority and committee = :committee group by meeting_date)
        group by meeting_date order by meeting_date is null, meeting_date desc
        """, params)]  # fmt: skip
    if not rows:
        raise NotFound(f"No committee {params['committee']!r} of {params['authority']} in this catalogue")
    for row in rows:
        row["url"] = meeting_path(params["authority"], params["committee"], row["meeting_date"])
    undated = [dict(r) for r in await db.execute(
        "select id as document_id, title, kind, path, 1 as page from documents "
        "where authority = :authority and committee = :committee and meeting_date is null order by title", params)]  # fmt: skip
    context = {**params, "meetings": [r for r in rows if r["meeting_date"]], "undated": _linked(datasette, undated),
               "database": db.name, "followups": await _followup_counts(db, params),
               "followups_url": followups_path(params["authority"], params["committee"])}  # fmt: skip
    return await _render(datasette, request, "scrutiny_committee.html", context)


# Follow-ups: what a committee asked to come back, and whether it did ---------------------------


def followups_path(authority: str | None, committee: str | None) -> str | None:
    if not (authority and committee):
        return None
    return f"/-/followups/{quote(authority, safe='')}/{quote(committee, safe='')}"


async def _followup_counts(db, params: dict[str, str]) -> dict[str, Any] | None:
    """"14 requests since 2024, 9 returned, 3 overdue": the committee's requests in numbers."""
    if not await db.table_exists("requests"):
        return None
    row = (await db.execute(
        "select count(*), min(substr(meeting_date, 1, 4)), sum(status = 'returned'), sum(status = 'overdue'), "
        "sum(status = 'outstanding') from requests where authority = :authority and committee = :committee",
        params)).first()  # fmt: skip
    if not row or not row[0]:
        return None
    count, since, returned, overdue, outstanding = row[0], row[1], row[2] or 0, row[3] or 0, row[4] or 0
    sentence = f"{count} request{'s' if count != 1 else ''}"
    sentence += f" since {since}" if since else ""
    sentence += f", {returned} returned, {overdue} overdue"
    if outstanding:
        sentence += f", {outstanding} outstanding"
    return {"requests": count, "since": since, "returned": returned, "overdue": overdue,
            "outstanding": outstanding, "sentence": sentence}  # fmt: skip


_FOLLOWUPS_SQL = """
    select q.*, d.path, r.kind as return_kind, r.document_id as return_document_id, r.committee as return_committee,
      r.meeting_date as return_date, r.page as return_page, r.title as return_title, r.status as return_status,
      r.score as return_score, r.evidence as return_evidence, rd.path as return_path,
      cast(julianday(:today) - julianday(q.meeting_date) as integer) as age_days,
      cast(julianday(:today) - julianday(q.overdue_since) as integer) as overdue_days
    from requests q join documents d on d.id = q.document_id
    left join returns r on r.id = q.return_id left join documents rd on rd.id = r.document_id
    where q.authority = :authority and {scope}
    order by case q.status when 'overdue' then 0 when 'outstanding' then 1 else 2 end,
      q.meeting_date is null, q.meeting_date, q.page, q.id
"""


async def followups_page(datasette, request):
    """A committee's follow-ups: what it asked to come back, outstanding and overdue first with their
    age, each with its trail from the asking meeting to its return; and what others asked of it."""
    import datetime

    db = _database(datasette)
    params = {"authority": _url_var(request, "authority"), "committee": _url_var(request, "committee"),
              "today": datetime.date.today().isoformat()}  # fmt: skip
    if not await db.table_exists("requests"):
        raise NotFound("This catalogue has no follow-ups yet: build it again with this version of scrutiny")
    asked = [dict(r) for r in await db.execute(_FOLLOWUPS_SQL.format(scope="q.committee = :committee"), params)]
    of_it = [dict(r) for r in await db.execute(
        _FOLLOWUPS_SQL.format(scope="q.due_committee = :committee and q.committee != :committee"), params)]  # fmt: skip
    known = (await db.execute("select 1 from documents where authority = :authority and committee = :committee "
                              "limit 1", params)).first()  # fmt: skip
    if not known and not asked and not of_it:
        raise NotFound(f"No committee {params['committee']!r} of {params['authority']} in this catalogue")
    held = {(r[0], r[1]) for r in await db.execute(
        "select distinct committee, meeting_date from documents where authority = :authority", params)}  # fmt: skip
    for row in asked + of_it:
        row["source"] = source_link(datasette, row["path"], row["page"])
        row["document_url"] = datasette.urls.path(f"/-/documents/{row['document_id']}") + f"?page={row['page']}#page-{row['page']}"
        row["meeting_url"] = meeting_path(row["authority"], row["committee"], row["meeting_date"])
        row["due_url"] = (meeting_path(row["authority"], row["due_committee"], row["due_date"])
                          if (row["due_committee"], row["due_date"]) in held else None)  # a meeting it holds
        # Not back yet: the later meetings of the committee it was due at whose papers the catalogue
        # holds, so that "outstanding" says how long in meetings, not only days: Kent's Governance
        # Working Party Update, deferred on 19 December 2024 "to the next appropriate meeting of Full
        # Council", is in none of the papers of three later County Council meetings.
        later = [] if row["status"] == "returned" or not row["meeting_date"] else sorted(
            day for committee, day in held if committee == row["due_committee"] and day and day > row["meeting_date"])
        row["later_meetings"] = [(day, meeting_path(row["authority"], row["due_committee"], day)) for day in later]
        if row["return_title"]:
            row["return_meeting_url"] = meeting_path(row["authority"], row["return_committee"], row["return_date"])
            row["return_source"] = source_link(datasette, row["return_path"], row["return_page"])
            row["return_document_url"] = None if row["return_document_id"] is None else (  # confirmed, outside the papers
                datasette.urls.path(f"/-/documents/{row['return_document_id']}")
                + (f"?page={row['return_page']}#page-{row['return_page']}" if row["return_page"] else ""))
    feed = datasette.urls.path("/-/feeds/overdue.atom") + "?" + urlencode(
        {"authority": params["authority"], "committee": params["committee"]})
    context = {
        **params, "asked": asked, "of_it": of_it, "database": db.name, "feed": feed,
        "counts": await _followup_counts(db, params),
        "committee_url": committee_path(params["authority"], params["committee"]),
    }  # fmt: skip
    return await _render(datasette, request, "scrutiny_followups.html", context)


async def committees_index(datasette, request):
    """Every authority's committees, with how many meetings of each the catalogue holds."""
    db = _database(datasette)
    rows = [dict(r) for r in await db.execute(
        """
        select authority, committee, count(distinct meeting_date) as meetings, min(meeting_date) as first,
          max(meeting_date) as last, count(*) as documents
        from documents where authority is not null and committee is not null
        group by authority, committee order by authority, committee
        """)]  # fmt: skip
    for row in rows:
        row["url"] = committee_path(row["authority"], row["committee"])
    return await _render(datasette, request, "scrutiny_committees.html", {"committees": rows, "database": db.name})


#: Pages of a document shown at once on its page in the catalogue.
DOCUMENT_PAGES = 25


async def document_page(datasette, request):
    """A document's text in the catalogue, page by page, with the source file beside it: a
    link that can break is not the only way to read a page."""
    db = _database(datasette)
    try:
        document_id = int(request.url_vars["document_id"])
    except ValueError:
        raise NotFound("No such document") from None
    row = (await db.execute("select * from documents where id = :id", {"id": document_id})).first()
    if row is None:
        raise NotFound(f"No document {document_id} in this catalogue")
    document = dict(row)
    try:
        wanted = max(1, int(request.args.get("page") or 1))
    except ValueError:
        wanted = 1
    start = ((wanted - 1) // DOCUMENT_PAGES) * DOCUMENT_PAGES + 1
    pages = [dict(r) for r in await db.execute(
        "select page, text from pages where document_id = :id and page between :start and :end order by page",
        {"id": document_id, "start": start, "end": start + DOCUMENT_PAGES - 1})]  # fmt: skip
    for page in pages:
        page["source"] = source_link(datasette, document["path"], page["page"])
    counts = {}
    for table in ("indicator_values", "resolutions", "actions", "agenda_items"):
        if await db.table_exists(table):
            counts[table] = (await db.execute(
                f"select count(*) from [{table}] where document_id = :id", {"id": document_id})).single_value()  # fmt: skip
    total = document.get("page_count") or (pages[-1]["page"] if pages else 0)
    here = f"/-/documents/{document_id}"
    context = {
        "document": document, "pages": pages, "wanted": wanted, "counts": counts,
        "source": source_link(datasette, document["path"], wanted),
        "meeting_url": meeting_path(document["authority"], document["committee"], document["meeting_date"]),
        "committee_url": committee_path(document["authority"], document["committee"]),
        "earlier": datasette.urls.path(f"{here}?page={start - DOCUMENT_PAGES}") if start > 1 else None,
        "later": datasette.urls.path(f"{here}?page={start + DOCUMENT_PAGES}") if start + DOCUMENT_PAGES <= total else None,
        "database": db.name,
    }  # fmt: skip
    return await _render(datasette, request, "scrutiny_document.html", context)


# Datasette hooks ------------------------------------------------------------------------


@hookimpl
def register_routes():
    return [
        (r"^/-/measures$", measures_index),
        (r"^/-/measures/(?P<measure_id>[^/]+)$", measure_page),
        (r"^/-/compare(?P<format>\.json|\.csv)?$", compare_page),
        (r"^/-/meetings/(?P<authority>[^/]+)/(?P<committee>[^/]+)/(?P<date>[^/]+)$", meeting_page),
        (r"^/-/committees$", committees_index),
        (r"^/-/committees/(?P<authority>[^/]+)/(?P<committee>[^/]+)$", committee_page),
        (r"^/-/documents/(?P<document_id>[0-9]+)$", document_page),
        (r"^/-/followups/(?P<authority>[^/]+)/(?P<committee>[^/]+)$", followups_page),
        (r"^/-/feeds/resolutions\.atom$", feeds.resolutions_feed),
        (r"^/-/feeds/overdue\.atom$", feeds.overdue_feed),
        (r"^/-/feeds/outside-tolerance\.atom$", feeds.tolerance_feed),
        (r"^/(?P<mount>files(?:-[0-9]+)?)/(?P<path>.+)$", source_file),
    ]


@hookimpl
def extra_template_vars(template, datasette, request):
    if template != "search_all.html" or request is None:
        return None

    async def inner():
        q = request.args.get("q") or ""
        filters = SearchFilters.from_request(request)
        query = parse(q)
        results = await search_everything(datasette, q, filters)
        return {
            "scrutiny_results": results, "scrutiny_q": q, "scrutiny_query": query, "scrutiny_filters": filters,
            "scrutiny_options": await _filter_options(datasette), "scrutiny_examples": EXAMPLES,
            "scrutiny_found": any(result["count"] for result in results), "metadata": datasette.metadata(),
        }  # fmt: skip

    return inner


@hookimpl
def prepare_jinja2_environment(env, datasette):
    env.filters["with_unit"] = with_unit


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/-/measures"), "label": "Measures"},
        {"href": datasette.urls.path("/-/compare"), "label": "Compare authorities"},
        {"href": datasette.urls.path("/-/committees"), "label": "Committees and meetings"},
    ]


@hookimpl
def render_cell(row, value, column, table, datasette):
    """A document's path links to its file; a page number links to that page of the PDF."""
    if table == "documents" and column == "path" and isinstance(value, str):
        url = source_link(datasette, value)
        return Markup(f'<a href="{escape(url)}">{escape(value)}</a>') if url else None
    if column != "page" or not isinstance(value, int) or "document_id" not in row.keys():  # noqa: SIM118 (a sqlite3.Row: no "in")
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
