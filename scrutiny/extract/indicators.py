"""Performance indicators from a paper's layout: measure tables, infographic blocks,
``Label: value`` lines and summary counts.

Patterns come from structure, not from one council's strings: a measure code at the
start of a cell or line, a value with its unit, the labels that mark a target, a
tolerance or floor, period labels, table headers. Prose sentences are read by
``scrutiny.nlp.prose``. Every value's ``context`` is the cell, block or sentence it was
read from, verbatim, and every number in a record is written in that context.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..periods import (
    NUMBER_WORDS,
    SCALES,
    Period,
    header_period,
    normalise_unit,
    parse_number,
    parse_period,
)
from ..records import Cell, Commentary, Indicator, IndicatorValue, Page, Table, TableCell
from . import grids
from .describe import MONTH, clean_line

__all__ = ["derive_rag", "indicators", "polarity_of"]

Record = Indicator | IndicatorValue | Commentary | TableCell

# A measure code: a letter or two and a number, maybe a letter suffix or a range:
# A1, A09, B13, C14, D17c, E20-22, F03, KPI 12 is not a code (a word, then a space).
_CODE = r"(?:(?!Q[1-4]\b|HT\d)[A-Z]{1,2}\d{1,3}[a-z]?(?:[-–]\d{1,3})?)"
_CODE_LINE = re.compile(rf"^\s*(?P<code>{_CODE})(?=[\s:–-]|$)[\s:–-]*(?P<title>\S.*)?$")

_FY = r"(?:19|20)\d\d\s*[/-]\s*\d{2,4}"
# Period labels as papers print them: "Q1", "Q 1", "Quarter 1 2016/17", "July 2016", "2016/17".
_PERIOD = (
    rf"(?:(?:Q\s?[1-4]|Quarter\s+[1-4])(?:,?\s+{_FY})?"
    rf"|{MONTH}(?:\s+(?:19|20)\d\d)?(?![a-z])"
    rf"|{_FY}"
    r"|year\s+to\s+date|YTD)"
)
_NUMBER = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# The unit written after a value: "%", "per 100,000" (seed 000 p8 prints "per 100,00").
_UNIT_AFTER = r"(?:\s*%|\s+per\s+1[0,.]*0\b(?:\s+population)?)"
_KEYWORDS = {
    "target": "target",
    "tolerance": "tolerance",
    "floor": "tolerance",  # Kent: "Floor: 85%" is the level below which a KPI is red
    "latest": "actual",
    "actual": "actual",
    "current": "actual",
    "previous": "previous",
    "average": "average",
}
_TOKEN = re.compile(
    rf"(?P<period>\b{_PERIOD}\b)"
    rf"|(?P<keyword>\b(?:{'|'.join(_KEYWORDS)})\b)"
    rf"|(?P<number>(?<![\w.]){_NUMBER}(?:{_UNIT_AFTER})?)(?![\w])"
    r"|(?P<word>[^\s=:,;&]+)",
    re.IGNORECASE,
)
_RAG = re.compile(r"\((?P<rag>Red|Amber|Green)\)|\b(?P<rag2>RED|AMBER|GREEN)\b")



def polarity_of(target: float | None, tolerance: float | None) -> str | None:
    """A tolerance below the target means higher is better; above it, lower is better."""
    if target is None or tolerance is None or target == tolerance:
        return None
    return "higher is better" if tolerance < target else "lower is better"


def derive_rag(value: float, target: float | None, tolerance: float | None) -> str | None:
    """Green at or better than target, amber within tolerance, red outside it."""
    polarity = polarity_of(target, tolerance)
    if polarity is None:
        return None
    sign = 1 if polarity == "higher is better" else -1
    if sign * (value - target) >= 0:
        return "green"
    if sign * (value - tolerance) >= 0:
        return "amber"
    return "red"


@dataclass
class _Item:
    """One value read from a run of text, with the labels written before it."""

    number: str
    periods: list[str] = field(default_factory=list)
    keyword: str | None = None
    words: list[str] = field(default_factory=list)


def _items(text: str) -> list[_Item]:
    """Split "Q1 = 24% July 2016 24% Target: 24% Tolerance: 28%" into labelled values."""
    items: list[_Item] = []
    pending = _Item("")
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        token = match.group()
        if kind == "period":
            pending.periods.append(clean_line(token))
        elif kind == "keyword":
            pending.keyword = _KEYWORDS[token.lower()]
        elif kind == "number":
            pending.number = token
            items.append(pending)
            pending = _Item("")
        elif token not in ("(", ")", "-", "–", "="):
            pending.words.append(token)
    return items


class _Builder:
    """Collects one document's records and hands out keys unique within it."""

    def __init__(self, year_hint: str | None, reporting: Period | None = None):
        self.year_hint = year_hint
        self.reporting = reporting  # the period the document reports on, where it says
        self.records: list[Record] = []
        self.count = 0

    def indicator(self, page: int, code: str | None, title: str | None, unit: str | None,
                  polarity: str | None, method: str, **status: str | None) -> str:
        """Record a measure (``status``: the rag, period and context a list gives it)."""
        self.count += 1
        key = f"{method}:{page}:{self.count}"
        self.records.append(Indicator(key, page, code, title or None, unit, polarity, method, **status))
        return key

    def value(self, key: str, page: int, number: str, context: str, *, kind: str = "actual",
              period: str | None = None, unit: str | None = None, target: float | None = None,
              tolerance: float | None = None, rag: str | None = None, method: str = "table",
              period_source: str | None = None, confidence: tuple[str, str] | None = None,
              dates: tuple[str | None, str | None] | None = None,
              bbox: tuple[float, float, float, float] | None = None) -> None:
        value = parse_number(number)
        if value is None:
            return
        if dates is not None:
            start, end = dates
        else:
            # "Q1 average =1843" (seed 000 p11) is an average over Q1: the period is Q1.
            start, end = (
                parse_period(re.sub(r"\s+average$", "", period), self.year_hint) if period else (None, None)
            )
        if period is not None and period_source is None:
            period_source = "label"
        if period is None and self.reporting is not None and kind in ("actual", "count"):
            # the document's own period ("Performance Report - January 2016/17", seed 002)
            period, (start, end), period_source = self.reporting.label, (self.reporting.start, self.reporting.end), "document"
        if rag is None and kind == "actual":
            rag = derive_rag(value, target, tolerance)
        level, reason = confidence or _confidence(method, period_source, unit)
        self.records.append(
            IndicatorValue(
                indicator=key, page=page, value=value, context=context, kind=kind,
                period=period, period_start=start, period_end=end, unit=unit,
                target=target, tolerance=tolerance, rag=rag, method=method,
                confidence=level, confidence_reason=reason, period_source=period_source, bbox=bbox,
            )
        )


def _confidence(method: str, period_source: str | None, unit: str | None) -> tuple[str, str]:
    """How sure a value from a layout reader is, and why: the layout names the measure; the
    period and unit decide the rest."""
    if period_source in (None, "document"):
        why = "no period printed with it" if period_source is None else "period from the document's title"
        return "medium", f"{method}: the layout names its measure; {why}"
    return "high", f"{method}: the layout names its measure and period ({period_source})"


# --- Measure tables (seed 000 appendices) -------------------------------------------

_VALUE_START = re.compile(
    rf"^\s*(?:Q\s?[1-4]\b|Quarter\s+[1-4]\b|{MONTH}\b|Target\b|Tolerance\b|Floor\b|Latest\b|{_NUMBER}\s*%)",
    re.IGNORECASE,
)


def _split_measure_cell(text: str) -> tuple[str | None, str, str]:
    """A measure cell's code, title lines, and the lines that hold its values."""
    lines = [line for line in text.replace("**", "").splitlines()]
    first_value = next((i for i, line in enumerate(lines) if _VALUE_START.match(line)), len(lines))
    title_lines = lines[:first_value]
    code = None
    if title_lines:
        match = _CODE_LINE.match(title_lines[0])
        if match:
            code = match.group("code")
            title_lines = [match.group("title") or "", *title_lines[1:]]
    return code, clean_line(" ".join(title_lines)), " ".join(lines[first_value:])


def _measure_values(builder: _Builder, key: str, page: int, context: str, values_text: str,
                    code: str | None, method: str) -> None:
    """Values from a measure cell or block: actuals by period, target, tolerance, sub-measures."""
    items = _items(values_text)
    target = next((i for i in items if i.keyword == "target"), None)
    tolerance = next((i for i in items if i.keyword == "tolerance"), None)
    actuals = [i for i in items if i.keyword in (None, "actual", "average")]
    unit = next((normalise_unit(i.number) for i in actuals if normalise_unit(i.number)), None)
    target_value = parse_number(target.number) if target else None
    tolerance_value = parse_number(tolerance.number) if tolerance else None
    current = key
    for item in actuals:
        if item.words and item is not actuals[0]:
            # "dental checks Q1 =74%" after "health assessment Q1 =85%" (seed 000 p12, E20-22):
            # a second measure in the same cell.
            current = builder.indicator(page, code, clean_line(" ".join(item.words)), unit, None, method)
        periods = item.periods or [None]
        for period in periods:
            label = period
            if item.keyword == "average" and period:
                label = f"{period} average"
            builder.value(
                current, page, item.number, context, period=label,
                unit=normalise_unit(item.number) or unit,
                target=target_value if current == key else None,
                tolerance=tolerance_value if current == key else None,
                method=method,
            )
    for item, kind in ((target, "target"), (tolerance, "tolerance")):
        if item is not None:
            builder.value(key, page, item.number, context, kind=kind,
                          unit=normalise_unit(item.number) or unit, method=method)


def _is_header(row: Sequence[Cell]) -> bool:
    return bool(row) and clean_line(row[0].text).lower().startswith("measure")


def _measure_tables(builder: _Builder, pages: Sequence[Page]) -> None:
    """Measure | comment | response tables, rows continuing across pages."""
    header: list[str] | None = None
    current: str | None = None  # key of the measure the last row belonged to
    for page in pages:
        for table in page.tables:
            for row in table.rows:
                if _is_header(row):
                    header = [clean_line(cell.text) for cell in row]
                    current = None
                    continue
                if header is None or len(row) != len(header):
                    continue
                first = row[0].text
                code, title, values_text = _split_measure_cell(first)
                if code or (title and values_text):
                    current = builder.indicator(table.page, code, title, None, None, "table")
                if current is None:
                    continue
                if values_text.strip():
                    _measure_values(builder, current, table.page, first, values_text, code, "table")
                for name, cell in zip(header[1:], row[1:], strict=True):
                    _commentary(builder, current, table.page, name, cell)
            if header and table.rows and len(table.rows[0]) != len(header):
                header, current = None, None  # another kind of table: the measure table has ended


def _commentary(builder: _Builder, key: str, page: int, column: str, cell: Cell) -> None:
    first_column = "comment" if "comment" in column.lower() else "response"
    parts = [(cell.roman or (cell.text if not cell.italic else ""), first_column, column)]
    if cell.italic.strip():
        # Seed 000 prints the questions members asked in italics under the council's comment,
        # and the answers given at the meeting in italics under the Trust's response.
        kind = "question" if first_column == "comment" else "response"
        parts.append((cell.italic, kind, f"{column} (italic: at the meeting)"))
    for text, kind, source in parts:
        if text.strip():
            builder.records.append(Commentary(key, page, text.strip(), source, kind))


# --- Tables of numbers: every number a fact, the measures among them values ----------------

_KINDS = {
    "actual": "actual", "target": "target", "tolerance": "tolerance", "previous": "previous",
    "forecast": "forecast", "budget": "budget", "variance": "variance", "change": "change",
    "benchmark": "benchmark",
}
_LEADING_WORDS = re.compile(r"^(?:on|of|for|in|at|the|no\.|:|-|–)\s+", re.IGNORECASE)
# a unit printed alone in a heading: "£m", "(£000s)", "%", "yrs"
_UNIT_WORD = re.compile(r"(?<!\S)\(?(?:£\s*(?:m|mn|bn|k|000s?|'000s?)?|%|yrs|years)\)?(?!\S)", re.IGNORECASE)


def _strip(text: str, *spans: tuple[int, int]) -> str:
    """``text`` with the character ``spans`` (a role's words, a period) taken out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    text = " ".join(text.split()).strip(" :;,-–*()")
    while (shorter := _LEADING_WORDS.sub("", text)) != text:
        text = shorter
    return text


def _category(path: tuple[str, ...], year_hint: str | None) -> tuple[str, str | None, str | None]:
    """A column's headings as (what they name, role, unit): "30-Sep-24 › Balance › £m" names
    "Balance" with the unit £m; "Actual 30/09/2024" names nothing but the role actual."""
    role = None
    kept: list[str] = []
    unit = normalise_unit(" ".join(path))
    for text in path:
        if grids.is_status_category(text):
            role = "count"
            kept.append(text)
            continue
        found = grids.role_of(text)
        spans = [p.at for p in _periods_in(text, year_hint)]
        if found:
            role = found[0]
            # the words of a role that pairs with the actual (a target, a limit) leave the title,
            # so the actual and its target share one; "Movement", "Budget" stay in it
            if found[0] in ("actual", "target", "tolerance"):
                spans.append(found[1].span())
        rest = " ".join(_UNIT_WORD.sub(" ", _strip(text, *spans)).split())  # the unit is said already
        if rest:
            kept.append(rest)
    return " ".join(kept), role, unit


def _periods_in(text: str, year_hint: str | None):
    from ..periods import find_periods

    return find_periods(text, year_hint, years=True, months=True, undated=True)


def _row_role(label: str, year_hint: str | None) -> tuple[str | None, str]:
    """A role at the start of a row's label ("Limit on principal invested ...", "Actual as at
    30 September 2024", Kent treasury p11; "Target (Cap) No. Children:", Merthyr p6) and the
    label without it and without its periods."""
    found = grids.role_of(label, at_start=True)
    spans = [p.at for p in _periods_in(label, year_hint)]
    if found is None:
        return None, label
    return found[0], _strip(label, found[1].span(), *spans)


def _row_period(label: str, year_hint: str | None) -> Period | None:
    return header_period([label], year_hint) if label else None


def _confidence_of_cell(period_source: str | None, unit: str | None, title: str, value: float) -> tuple[str, str]:
    reasons = []
    if period_source is None:
        reasons.append("no period printed for it")
    elif period_source == "document":
        reasons.append("period from the document's title")
    elif period_source == "caption":
        reasons.append("period from the text over the table")
    if unit is None and value != int(value):
        reasons.append("no unit printed")
    if not title:
        return "low", "table: no row label or heading names it"
    if not reasons:
        return "high", "table: headings and row label name its measure, period and unit"
    level = "low" if period_source is None and unit is None else "medium"
    return level, "table: " + "; ".join(reasons)


def _inherit_headers(found: grids.Grid, previous: grids.Grid | None) -> None:
    """A table that goes on over a page break without its headings takes them from the
    table it continues, column by column where they line up (Merthyr's capital table,
    dev corpus pp3-4)."""
    if previous is None or any(found.headers) or found.stub or found.caption.strip():
        return  # a table with a heading, or with text printed over it, starts afresh
    this, last = found.table.bbox, previous.table.bbox
    if this is None or last is None or abs(this[0] - last[0]) > 3 or abs(this[2] - last[2]) > 3:
        return  # not the same table: its edges are elsewhere
    for j, (x0, x1) in enumerate(found.spans):
        best = max(
            range(len(previous.spans)),
            key=lambda k: min(x1, previous.spans[k][1]) - max(x0, previous.spans[k][0]),
        )
        if min(x1, previous.spans[best][1]) - max(x0, previous.spans[best][0]) > 0:
            found.headers[j] = previous.headers[best]
    found.stub = previous.stub


def _table_values(builder: _Builder, pages: Sequence[Page]) -> None:
    """Every number in every table, with its row's label and its column's headings
    (``TableCell``), and the measures among them as indicator values: a row with an actual
    and a target becomes a value with its target and tolerance; budgets, forecasts and
    variances are values of their own kind.

    Built from Kent's treasury management report (dev corpus pp4-11: "Actual 30/09/2024 |
    Minimum", "Upper limit | Lower limit", a row "Limit on principal invested" over a row
    "Actual as at 30 September 2024"), Birmingham's temporary accommodation table (p3,
    its date in the sentence above it), Merthyr's plan and capital tables (dev corpus),
    seed 000 p3 (measures by status) and seed 001 pp2-5 (NEETs by month, budgets in £000s).
    """
    previous: grids.Grid | None = None
    for page in pages:
        for number, table in _with_header_rows(page.tables):
            if table.rows and _is_header(table.rows[0]):
                continue  # a measure table: read by _measure_tables
            found = grids.grid(table, number, builder.year_hint)
            if found is None:
                continue
            if number == 1 and previous is not None and previous.table.page == page.page - 1:
                _inherit_headers(found, previous)
            name = _table_name(found, pages, page)
            previous = found
            _grid_values(builder, page.page, found, name)


def _with_header_rows(tables: Sequence[Table]) -> list[tuple[int, Table]]:
    """The page's tables, each numbered by its place on the page, with a box of headings
    ruled apart from the body just under it joined to that body as its header rows.

    Merthyr's LSOA appendix (dev corpus p7, read by OCR: a heavier rule under the headings
    makes the rulings two boxes): "LSOA | LSOA Name | ... | Proportion of 0-3s in IBH" is a
    box of its own, its rows of numbers another, with the same edges and columns.
    """
    joined: list[tuple[int, Table]] = []
    skip = False
    for i, table in enumerate(tables):
        if skip:
            skip = False
            continue
        body = tables[i + 1] if i + 1 < len(tables) else None
        if body is not None and _heads(table, body):
            skip = True
            ruled = ()
            if table.ruled_rows and body.ruled_rows:
                ruled = table.ruled_rows + tuple(r + max(table.ruled_rows) + 1 for r in body.ruled_rows)
            box = (table.bbox[0], table.bbox[1], max(table.bbox[2], body.bbox[2]), body.bbox[3])
            table = replace(body, rows=table.rows + body.rows, bbox=box, caption=table.caption,
                            ruled_rows=ruled, header_above=table.header_above)
            joined.append((i + 2, table))
        else:
            joined.append((i + 1, table))
    return joined


def _heads(table: Table, body: Table) -> bool:
    """Whether ``table`` is only headings for ``body``: a ruled grid of a row or two with no
    number in it, just over ``body`` (a double rule's width apart at most, nothing else
    printed between), with the same left and right edges and as many columns."""
    if not (table.grid and body.grid and table.ruled and body.ruled and table.rows and body.rows):
        return False
    if table.bbox is None or body.bbox is None or len(table.rows) > 2 or table.page != body.page:
        return False
    if any(len(row) != len(body.rows[0]) for row in table.rows):
        return False
    if abs(table.bbox[0] - body.bbox[0]) > 3 or abs(table.bbox[2] - body.bbox[2]) > 3:
        return False
    if not -1 <= body.bbox[1] - table.bbox[3] <= 20:
        return False
    # nothing printed between them but the headings themselves (the body's caption is the
    # lines just over it, which may reach up into the box of headings)
    printed = {w for row in table.rows for cell in row for w in cell.text.split()} | set(table.caption.split())
    if not set(body.caption.split()) <= printed:
        return False
    return not any(grids.parse_cell(cell.text, strict=True) for row in table.rows for cell in row)


# A numbered heading that names what follows: "11.5 Maturity structure of borrowing: This
# indicator is set to control ..." (Kent treasury p10, over the table at the top of p11)
_HEADING_NAME = re.compile(r"(?:^|\n)\s*\d+(?:\.\d+)*\.?\s+(?P<name>[A-Z][^:.\n]{3,60}?):")


def _table_name(found: grids.Grid, pages: Sequence[Page], page: Page) -> str | None:
    """What a table with no heading over its labels is about, where the text just before it
    names it with a numbered heading (on the page before, for a table that opens its page)."""
    if found.stub:
        return None
    before = found.caption
    if not before.strip() and found.number == 1:
        earlier = [p for p in pages if p.page == page.page - 1]
        if earlier:
            text = earlier[0].outside_tables if earlier[0].outside_tables is not None else earlier[0].text
            before = "\n".join(text.rstrip().splitlines()[-4:])
    names = list(_HEADING_NAME.finditer(before))
    return names[-1].group("name").strip() if names else None


def _grid_values(builder: _Builder, page: int, found: grids.Grid, name: str | None = None) -> None:
    hint = builder.year_hint
    caption = found.caption
    not_results = grids.is_not_result(caption[-200:]) or grids.is_not_result(found.stub) or any(
        grids.is_not_result(" ".join(h)) for h in found.headers
    )
    stub_period = next((_row_period(text, hint) for text in (found.heading, found.stub) if text and _row_period(text, hint)), None)
    table_period = stub_period or grids.caption_period(caption, hint)
    table_period_source = "caption" if table_period else None
    caption_unit = normalise_unit(found.stub) or (
        normalise_unit(caption) if re.search(r"£\s*(?:m|000|k|bn)\b|\(\s*(?:%|£\w*)\s*\)", caption) else None
    )
    columns = [_category(path, hint) for path in found.headers]
    column_periods = [header_period(path, hint) for path in found.headers]
    summary = any(role == "count" for _, role, _ in columns)
    # the rows' own roles; a row with a role but no other words takes the measure the other
    # rows with roles name ("Actual as at 30 September 2024" under "Limit on principal invested")
    row_roles = {row.index: _row_role(row.label[-1] if row.label else "", hint) for row in found.rows}
    named = [rest for role, rest in row_roles.values() if role and rest]
    cells: list[tuple] = []
    for row in found.rows:
        label = row.label[-1] if row.label else ""
        row_role, row_rest = row_roles[row.index]
        row_period = _row_period(label, hint)
        context = " | ".join(cell.text.replace("**", "") for cell in found.table.rows[row.index] if cell.text.strip())
        for j, numbers in row.numbers.items():
            category, column_role, column_unit = columns[j]
            header = grids.SEPARATOR.join(found.headers[j]) or None
            if grids.is_reference(header or ""):
                continue
            cell = row.cells[j]
            for item in numbers:
                unit = item.unit or column_unit or normalise_unit(label) or caption_unit
                if item.noun and unit is None and re.fullmatch(r"[a-z]+s", item.noun):
                    unit = "count"  # "16 places"
                # the period: printed in the cell, else an "as at" date in the row's label,
                # else the column's headings, the row's label, the table's heading or caption
                candidates = [
                    (item.period, "cell"),
                    (row_period if row_period and row_period.label.lower().startswith("as at") else None, "row"),
                    (column_periods[j], "column"),
                    (row_period, "row"),
                    (table_period, table_period_source),
                    (builder.reporting, "document"),
                ]
                period, source = next(((p, src) for p, src in candidates if p is not None), (None, None))
                role = column_role or row_role
                builder.records.append(
                    TableCell(
                        page=page, table=found.number, row=row.index, column=found.columns[j][0],
                        text=item.text, value=item.value, context=context,
                        row_label=grids.SEPARATOR.join(row.label) or None, column_header=header,
                        caption=caption or None, unit=unit, scale=SCALES.get(unit or ""),
                        role=role if role in _KINDS else None,
                        period=period.label if period else None,
                        period_start=period.start if period else None,
                        period_end=period.end if period else None,
                        period_source=source if period else None, part=item.part, bbox=cell.bbox,
                    )
                )
                if not_results or role in ("rag", "direction"):
                    continue
                measure = row_rest if row_role and not column_role else label
                if row_role and not column_role and not measure and named:
                    measure = named[0]
                if row_period is not None and not _strip(label, row_period.at):
                    measure = ""  # a row labelled by its period alone ("2015/16", Cardiff p7)
                    if not category:
                        measure = found.stub  # "Q1 2013/14" under "CYPS Total Revenue Variance" (seed 001 p5)
                elif not label:
                    continue  # no row label: a table cell only (its measure is not printed)
                measure = " – ".join(p for p in (name, *row.label[:-1], measure) if p)
                noun = item.noun if item.noun and not category else None  # "16 places" (Merthyr p1)
                title = " – ".join(p for p in (measure, category, noun) if p)
                explicit = source not in (None, "document")
                if not (role or explicit or unit not in (None, "count") or summary):
                    continue  # a number with no role, period or unit printed: a table cell only
                if not title:
                    continue
                cells.append((row, j, item, title, role, unit, period, source, context, cell))
    # a RAG status printed as a word in a "RAG"/"Status" column of the row
    rags = {}
    for row in found.rows:
        printed = found.table.rows[row.index]
        for j, (_, role, _) in enumerate(columns):
            if role == "rag":
                word = " ".join(printed[k].text for k in found.columns[j] if k < len(printed))
                if (rag := grids.rag_of_word(word)) is not None:
                    rags[row.index] = rag
    _table_kpis(builder, page, cells, summary, rags)


def _table_kpis(builder: _Builder, page: int, cells: list[tuple], summary: bool, rags: dict[int, str] | None = None) -> None:
    """The table's values: one measure per title; each actual with the target and tolerance
    printed in its slot (its row and period for roles in columns; its column for roles in rows)."""
    keys: dict[str, str] = {}
    slots: dict[tuple, dict[str, tuple[float, str]]] = defaultdict(dict)
    for row, j, item, title, role, unit, period, source, context, cell in cells:
        if role in ("target", "tolerance"):
            slots[(row.index, title, period.label if period else None)].setdefault(role, (item.value, context))
            slots[(row.index, title, None)].setdefault(role, (item.value, context))
            slots[("column", j, title)].setdefault(role, (item.value, context))
    for row, j, item, title, role, unit, period, source, context, cell in cells:
        kind = "count" if summary and role == "count" else _KINDS.get(role or "actual", "actual")
        if summary and role != "count":
            continue
        method = "summary" if summary else "table"
        if summary:
            unit = "count"
        if title not in keys:
            code_match = _CODE_LINE.match(title)
            code = code_match.group("code") if code_match and code_match.group("title") else None
            keys[title] = builder.indicator(page, code, title, unit, None, method)
        target = tolerance = None
        rag = None
        if kind == "actual":
            stated = (
                slots.get((row.index, title, period.label if period else None))
                or slots.get((row.index, title, None))
                or slots.get(("column", j, title))
                or {}
            )
            target, tolerance = (stated[r][0] if r in stated else None for r in ("target", "tolerance"))
            # a target printed on another row (Kent treasury p11: the limit over the actual)
            # is part of the value's context, so the context holds every number it records
            for other in {stated[r][1] for r in stated} - {context}:
                context = f"{context}\n{other}"
            rag = (rags or {}).get(row.index) or grids.rag_of_colour(cell.fill)
        level, reason = _confidence_of_cell(source, unit, title, item.value)
        builder.value(
            keys[title], page, item.text if parse_number(item.text) is not None else _number_text(item), context,
            kind=kind, period=period.label if period else None, unit=unit, target=target, tolerance=tolerance,
            rag=rag, method=method, period_source=source if period else None, confidence=(level, reason),
            dates=(period.start, period.end) if period else (None, None), bbox=cell.bbox,
        )


def _number_text(item: grids.Number) -> str:
    """The printed number alone, for a cell that prints words with it ("16 places")."""
    match = re.match(r"\s*([(+\-−–]?\s*£?\s*[-−–]?\d[\d,]*(?:\.\d+)?\s*(?:%|[kKmM]\b|bn\b)?\)?)", item.text)
    return match.group(1) if match else item.text


# --- Infographic blocks and "Label: value" lines (text outside tables) ----------------

_VALUE_LINE = re.compile(rf"^\s*(?:(?P<keyword>Target|Tolerance|Floor)\s*:?\s*)?(?P<number>{_NUMBER}(?:{_UNIT_AFTER})?)\s*$", re.IGNORECASE)
_PAGE_LINE = re.compile(r"^\s*Page\s+\d+\s*$", re.IGNORECASE)


def _infographics(builder: _Builder, page: int, text: str) -> None:
    """A code and title line, then a value, "Target 92%", "Tolerance 90%" on lines of their
    own (seed 000 pp8-9)."""
    lines = text.replace("**", "").splitlines()
    i = 0
    while i < len(lines):
        match = _CODE_LINE.match(lines[i])
        if not match or not re.match(r"[A-Za-z(][^\d]*[A-Za-z]{3}", match.group("title") or ""):
            i += 1  # "M1 2WD" is a postcode, not a measure (Ofsted reports' back page)
            continue
        start, j = i, i + 1
        values: list[tuple[int, re.Match]] = []
        while j < len(lines) and not _CODE_LINE.match(lines[j]) and j - start <= 6:
            value = _VALUE_LINE.match(lines[j])
            if value and value.group("number").strip() == str(page):
                value = None  # a page number printed on its own line
            if value:
                values.append((j, value))
            elif values:
                break
            j += 1
        actuals = [(k, v) for k, v in values if not v.group("keyword")]
        if len(actuals) == 1:
            end = values[-1][0]
            context = "\n".join(lines[start:end + 1])
            target = next((v for _, v in values if (v.group("keyword") or "").lower() == "target"), None)
            tolerance = next((v for _, v in values if (v.group("keyword") or "").lower() in ("tolerance", "floor")), None)
            number = actuals[0][1].group("number")
            unit = normalise_unit(number)
            if unit is None and "%" not in number and not target:
                unit = "count"
            target_value = parse_number(target.group("number")) if target else None
            tolerance_value = parse_number(tolerance.group("number")) if tolerance else None
            key = builder.indicator(page, match.group("code"), clean_line(match.group("title")), unit,
                                    polarity_of(target_value, tolerance_value), "infographic")
            builder.value(key, page, number, context, unit=unit, target=target_value,
                          tolerance=tolerance_value, method="infographic")
            for item, kind in ((target, "target"), (tolerance, "tolerance")):
                if item is not None:
                    builder.value(key, page, item.group("number"), context, kind=kind, unit=unit,
                                  method="infographic")
            i = end + 1
        else:
            i = max(i + 1, j)


_LABEL_VALUE = re.compile(
    rf"\b(?P<label>Latest|Actual|Current|Target|Floor|Tolerance|Previous|Last year|National|Benchmark)"
    rf"\s*:\s*(?P<number>{_NUMBER}(?:{_UNIT_AFTER})?)",
    re.IGNORECASE,
)
_LABEL_KIND = {
    "latest": "actual", "actual": "actual", "current": "actual", "target": "target",
    "floor": "tolerance", "tolerance": "tolerance", "previous": "previous",
    "last year": "previous", "national": "benchmark", "benchmark": "benchmark",
}


def _label_values(builder: _Builder, page: int, text: str) -> None:
    """Lines of ``Label: value`` pairs under a measure's name, as Kent's performance
    reports print them: "Latest: 94% Target: 90%, Floor: 85% Previous: 89% (Amber)"."""
    lines = text.replace("**", "").splitlines()
    for i, line in enumerate(lines):
        pairs = list(_LABEL_VALUE.finditer(line))
        kinds = [_LABEL_KIND[p.group("label").lower()] for p in pairs]
        if "actual" not in kinds or len(pairs) < 2:
            continue
        title_line = next((lines[k] for k in range(i - 1, max(i - 3, -1), -1)
                           if lines[k].strip() and not _LABEL_VALUE.search(lines[k])), None)
        code, title = None, clean_line(title_line) if title_line else None
        if title_line and (match := _CODE_LINE.match(title_line)):
            code, title = match.group("code"), clean_line(match.group("title") or "")
        values = {kind: pair for kind, pair in zip(kinds, pairs, strict=True)}
        target = parse_number(values["target"].group("number")) if "target" in values else None
        tolerance = parse_number(values["tolerance"].group("number")) if "tolerance" in values else None
        rag_match = _RAG.search(line)
        rag = (rag_match.group("rag") or rag_match.group("rag2")).lower() if rag_match else None
        unit = normalise_unit(values["actual"].group("number"))
        context = "\n".join(l for l in (title_line, line) if l) if title_line else line
        key = builder.indicator(page, code, title, unit, polarity_of(target, tolerance), "label")
        for kind, pair in zip(kinds, pairs, strict=True):
            builder.value(
                key, page, pair.group("number"), context, kind=kind, unit=unit,
                target=target if kind == "actual" else None,
                tolerance=tolerance if kind == "actual" else None,
                rag=rag if kind == "actual" else None, method="label",
            )


# --- Summary counts in prose: "17 are rated Green", "Nine KPIs did not meet ... (Red)" --

_COUNT_WORD = rf"(?:\d{{1,4}}|{'|'.join(w.capitalize() for w in NUMBER_WORDS)}|{'|'.join(NUMBER_WORDS)})"
_RAG_COUNT = re.compile(
    rf"(?:^|[•,;.]\s*|\band\s+)(?P<count>{_COUNT_WORD})\b(?P<middle>[^.;,•()]{{0,120}}?)"
    r"(?:\(\s*(?P<rag>Red|Amber|Green)\s*\)|\brated\s+(?P<rated>Red|Amber|Green)\b)",
)
_TOTAL = re.compile(
    rf"\bOf\s+the\s+(?P<count>{_COUNT_WORD})\s+(?P<what>(?:Key Performance Indicators|KPIs|indicators|measures|performance indicators)(?: \(KPIs\))?)\b",
    re.IGNORECASE,
)


def _digits(count: str) -> str:
    """A count as digits: "Nine" -> "9"."""
    return str(NUMBER_WORDS.get(count.lower(), count))


def _summary_counts(builder: _Builder, page: int, text: str) -> None:
    flat = text.replace("**", "")
    for match in _RAG_COUNT.finditer(flat):
        rag = (match.group("rag") or match.group("rated")).lower()
        context = _sentence(flat, match.start("count"), match.end())
        key = builder.indicator(page, None, f"Indicators rated {rag.capitalize()}", "count", None, "summary")
        builder.value(key, page, _digits(match.group("count")), context, kind="count", unit="count",
                      rag=rag, method="summary")
    for match in _TOTAL.finditer(flat):
        context = _sentence(flat, match.start(), match.end())
        key = builder.indicator(page, None, f"{match.group('what')} reported", "count", None, "summary")
        builder.value(key, page, _digits(match.group("count")), context, kind="count", unit="count",
                      method="summary")


_SENTENCE_END = re.compile(r"[.!?](?=\s)|•|\n\s*\n")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence (or bullet) around text[start:end], verbatim."""
    left = 0
    for boundary in _SENTENCE_END.finditer(text, 0, start):
        left = boundary.end()
    after = _SENTENCE_END.search(text, end)
    right = after.end() if after and after.group() in ".!?" else after.start() if after else len(text)
    return text[left:right].strip()


# --- Lists of measures by status ------------------------------------------------------

_STATUS = (
    ("green", r"(?:at or )?(?:better than|above|on|meeting|met) target|achieved target"),
    ("amber", r"(?:within|inside) (?:contract )?tolerance"),
    ("red", r"outside (?:contract )?tolerance|(?:below|did not meet) (?:the )?floor"),
    ("no target", r"(?:with )?no target(?: currently set)?"),
)
# "2.7. Measures outside Contract Tolerance as at end of Quarter 1 2016/17" (seed 000 p13);
# "The nine indicators where the RAG rating is Red, are in:" (Kent QPR cover, p2).
_LIST_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:The\s+\w+\s+)?(?:Measures|Indicators|KPIs)\b(?P<rest>.*)$", re.IGNORECASE
)
_RAG_IS = re.compile(r"\bRAG (?:rating|status) is (?P<rag>Red|Amber|Green)\b", re.IGNORECASE)
_AS_AT = re.compile(r"\bas at (?:the )?end of (?P<period>.+?)\s*:?$", re.IGNORECASE)
_LIST_ITEM = re.compile(rf"^\s*(?:(?P<code>{_CODE})|(?P<new>new)|(?P<bullet>o))\s*[–—-]?\s+(?P<title>\S.*)$", re.IGNORECASE)
_SECTION_BREAK = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.\s|Page\s+\d+\s*$|[A-Z][A-Z ]{6,}$)")


def _list_status(rest: str) -> str | None:
    if match := _RAG_IS.search(rest):
        return match.group("rag").lower()
    for rag, pattern in _STATUS:
        if re.search(rf"\b{pattern}\b", rest, re.IGNORECASE):
            return rag
    return None


def _status_lists(builder: _Builder, page: int, text: str) -> None:
    """Measures listed under a heading that gives their status; each becomes an indicator
    with that status (and its code, which may differ from another table's: the Trust's
    list on seed 000 p13 calls A09 "A5")."""
    lines = text.replace("**", "").splitlines()
    i = 0
    while i < len(lines):
        heading = _LIST_HEADING.match(lines[i])
        rag = _list_status(heading.group("rest")) if heading else None
        if rag is None:
            i += 1
            continue
        period_match = _AS_AT.search(lines[i])
        period = period_match.group("period") if period_match else None
        items: list[list[str]] = []
        j = i + 1
        while j < len(lines):
            line = lines[j]
            item = _LIST_ITEM.match(line)
            if item and (item.group("code") or item.group("new") or item.group("bullet")):
                items.append([line])
            elif (items and line.strip() and not _SECTION_BREAK.match(line)
                  and not line.lstrip().startswith("•")):
                items[-1].append(line)  # a title wrapped onto the next line
            elif line.lstrip().startswith("•") and j + 1 < len(lines) and lines[j + 1].lstrip().startswith("o "):
                pass  # a section name over its items (Kent QPR cover p2: "• Customer Services")
            elif items or _SECTION_BREAK.match(line):
                break
            j += 1
        for item_lines in items:
            first = _LIST_ITEM.match(item_lines[0])
            title = clean_line(" ".join([first.group("title"), *item_lines[1:]]))
            context = "\n".join([lines[i], *item_lines])
            builder.indicator(page, first.group("code"), title, None, None, "list",
                              rag=rag, period=period, context=context)
        i = j if items else i + 1


# --- The whole document ----------------------------------------------------------------


_COUNT_TITLE = re.compile(r"^(?:number|no\.?) of\b", re.IGNORECASE)


def _finish(records: list[Record]) -> list[Record]:
    """Give each measure the unit its values show and the polarity its target and
    tolerance imply, and each value without a unit its measure's unit."""
    values: dict[str, list[IndicatorValue]] = defaultdict(list)
    for record in records:
        if isinstance(record, IndicatorValue):
            values[record.indicator].append(record)
    measures: dict[str, Indicator] = {}
    for record in records:
        if isinstance(record, Indicator):
            found = values[record.key]
            unit = record.unit or next((v.unit for v in found if v.unit), None)
            if unit is None and record.title and _COUNT_TITLE.match(record.title):
                unit = "count"  # "E1 Number of contacts into social care" (seed 000 p11)
            polarity = record.polarity or next(
                (p for v in found if (p := polarity_of(v.target, v.tolerance))), None
            )
            measures[record.key] = replace(record, unit=unit, polarity=polarity)
    finished: list[Record] = []
    for record in records:
        if isinstance(record, Indicator):
            record = measures[record.key]
        elif isinstance(record, IndicatorValue) and record.unit is None:
            record = replace(record, unit=measures[record.indicator].unit)
        finished.append(record)
    return finished


# --- Lists of labelled amounts -------------------------------------------------------------

_LIST_LINE = re.compile(r"^\s*(?P<mark>\d{1,2}[.)]|[•▪●◦*]|-|–)\s+(?P<rest>\S.*)$")
_LIST_VALUE = re.compile(
    r"^(?P<label>\S.*?)\s*[–—:-]?\s+(?P<value>£\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m|bn|million|billion)?|\d[\d,]*(?:\.\d+)?\s?%)\s*$",
    re.IGNORECASE,
)


def _labelled_lists(builder: _Builder, page: int, text: str) -> None:
    """A numbered or bulleted list whose items each end in an amount, one a line: "1. White Rose
    Primary School – reconfiguration £400k" (Caerphilly's capital plans, dev corpus p4). Three
    or more items; an item that wraps onto another line, or ends in no amount, is skipped."""
    lines = text.replace("**", "").splitlines()
    i = 0
    while i < len(lines):
        if not _LIST_LINE.match(lines[i]):
            i += 1
            continue
        j = i  # the list runs on over items, and over a wrapped line between two items
        while j < len(lines) and (
            _LIST_LINE.match(lines[j])
            or j > i and lines[j].strip() and j + 1 < len(lines) and _LIST_LINE.match(lines[j + 1])
        ):
            j += 1
        items = [line for line in lines[i:j] if _LIST_LINE.match(line)]
        found = [(line, _LIST_VALUE.match(_LIST_LINE.match(line).group("rest"))) for line in items]
        found = [(line, match) for line, match in found if match]
        if len(items) >= 3 and len(found) >= 2:
            heading = lines[i - 1] if i else ""
            period = header_period([heading], builder.year_hint) if heading else None
            for line, match in found:
                title = clean_line(match.group("label")).rstrip(" –-:")
                if len(title.split()) < 2:
                    continue
                unit = "%" if "%" in match.group("value") else "£"
                key = builder.indicator(page, None, title, unit, None, "list")
                builder.value(
                    key, page, match.group("value"), line.strip(), unit=unit, method="list",
                    period=period.label if period else None,
                    dates=(period.start, period.end) if period else None,
                    period_source="heading" if period else None,
                )
        i = max(j, i + 1)


# --- The whole document ---------------------------------------------------------------------

#: The recognisers, in the order they run. A page-level one takes (builder, page number,
#: text): the text outside the page's grids, or its blocks when it is set in columns. A new
#: council's layout should mean a vocabulary entry or one recogniser here.
DOCUMENT_RECOGNISERS = [_measure_tables, _table_values]
PAGE_RECOGNISERS = [_infographics, _label_values, _summary_counts, _status_lists, _labelled_lists]


def indicators(pages: Iterable[Page], year_hint: str | None = None, reporting: Period | None = None) -> list[Record]:
    """Every indicator, value, comment and table cell the layout of a document's pages shows,
    in page order.

    ``year_hint`` is text that names the year of the document's period ("Quarter 1
    2016/17"), for period labels printed without one ("Q1", "July"). ``reporting`` is the
    period the document reports on (``periods.reporting_period``): a value no heading,
    column or label dates is that period's (``period_source`` "document").
    """
    pages = list(pages)
    builder = _Builder(year_hint, reporting)
    for recognise in DOCUMENT_RECOGNISERS:
        recognise(builder, pages)
    for page in pages:
        text = page.text if page.outside_tables is None else page.outside_tables
        for recognise in PAGE_RECOGNISERS:
            recognise(builder, page.page, text)
    return _finish(_read_once(builder.records))


def _read_once(records: list[Record]) -> list[Record]:
    """A value two readers found (a label block also printed in a table's row) is kept once:
    the first reader's (DOCUMENT_RECOGNISERS run first); its measure goes if nothing is left."""
    seen: set[tuple] = set()
    dropped: set[int] = set()
    for index, record in enumerate(records):
        if isinstance(record, IndicatorValue) and record.method in ("list",):
            key = (record.page, record.value, record.kind)
            if key in seen:
                dropped.add(index)
        if isinstance(record, IndicatorValue) and record.method == "table":
            seen.add((record.page, record.value, record.kind))
    kept = [r for i, r in enumerate(records) if i not in dropped]
    used = {r.indicator for r in kept if isinstance(r, IndicatorValue)}
    return [r for r in kept if not (isinstance(r, Indicator) and r.method == "list" and r.rag is None and r.key not in used)]
