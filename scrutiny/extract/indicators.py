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
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..periods import NUMBER_WORDS, normalise_unit, parse_number, parse_period
from ..records import Cell, Commentary, Indicator, IndicatorValue, Page
from .describe import MONTH, clean_line

__all__ = ["derive_rag", "indicators", "polarity_of"]

Record = Indicator | IndicatorValue | Commentary

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
    re.I,
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

    def __init__(self, year_hint: str | None):
        self.year_hint = year_hint
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
              tolerance: float | None = None, rag: str | None = None, method: str = "table") -> None:
        value = parse_number(number)
        if value is None:
            return
        # "Q1 average =1843" (seed 000 p11) is an average over Q1: the period is Q1.
        start, end = (
            parse_period(re.sub(r"\s+average$", "", period), self.year_hint) if period else (None, None)
        )
        if rag is None and kind == "actual":
            rag = derive_rag(value, target, tolerance)
        self.records.append(
            IndicatorValue(
                indicator=key, page=page, value=value, context=context, kind=kind,
                period=period, period_start=start, period_end=end, unit=unit,
                target=target, tolerance=tolerance, rag=rag, method=method,
            )
        )


# --- Measure tables (seed 000 appendices) -------------------------------------------

_VALUE_START = re.compile(
    rf"^\s*(?:Q\s?[1-4]\b|Quarter\s+[1-4]\b|{MONTH}\b|Target\b|Tolerance\b|Floor\b|Latest\b|{_NUMBER}\s*%)",
    re.I,
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


# --- Grids: counts by category, values by period -------------------------------------

_TOLERANCE_HEADER = re.compile(r"\b(?:tolerance|target|red|amber|green)\b", re.I)
_YEAR = re.compile(r"^\s*(?:19|20)\d\d\s*$")  # "2027" under "Timescale" (Kent ICS appendix p9)
_PERIOD_ONLY = re.compile(rf"^\s*(?:as at (?:the )?end of\s+)?{_PERIOD}(?:\s+{_PERIOD})?\s*$", re.I)
_NUMBER_CELL = re.compile(rf"^\s*(?:£\s*)?{_NUMBER}\s*(?:%|k|m)?\s*$")


def _grid_tables(builder: _Builder, pages: Sequence[Page]) -> None:
    """Tables of numbers labelled by a row and a column, where a period or a
    target/tolerance category is printed in the headers (seed 000 p3: measures outside
    tolerance by area; seed 001 p2: NEETs by month; seed 001 p4: budget by quarter)."""
    for page in pages:
        for table in page.tables:
            rows = [[clean_line(cell.text) for cell in row] for row in table.rows]
            if not rows or _is_header(table.rows[0]):
                continue
            body_start = next(
                (i for i, row in enumerate(rows) if any(_NUMBER_CELL.match(c) for c in row[1:])), None
            )
            if body_start is None or body_start == 0:
                continue
            headers = rows[:body_start]
            columns = [" ".join(h[j] for h in headers if j < len(h) and h[j]) for j in range(len(rows[0]))]
            caption_period = next(
                (c for h in headers for c in h if c and _PERIOD_ONLY.match(c)), None
            )
            counts = any(_TOLERANCE_HEADER.search(c) for c in columns)
            body = rows[body_start:]
            numeric_columns = {
                j for row in body for j, text in enumerate(row) if _NUMBER_CELL.match(text)
            }
            # A header over no numbers names the table: "CYPS Total Revenue Variance" (seed 001 p5).
            caption = " ".join(
                c for j, c in enumerate(columns)
                if c and j not in numeric_columns and c != caption_period and not _PERIOD_ONLY.match(c)
            )
            for row, cells in zip(body, table.rows[body_start:], strict=True):
                # The row's cells as printed, line breaks kept, so each line is on the page.
                context = " | ".join(cell.text.replace("**", "") for cell in cells if cell.text.strip())
                label_cells = [c for c in row if c and not _NUMBER_CELL.match(c)]
                row_period = next((c for c in label_cells if _PERIOD_ONLY.match(c)), None)
                label = " ".join(c for c in label_cells if c != row_period) or caption
                row_keys: dict[str, str] = {}
                for j, text in enumerate(row):
                    if not _NUMBER_CELL.match(text) or _YEAR.match(text):
                        continue
                    column = columns[j] if j < len(columns) else ""
                    column_period = column if _PERIOD_ONLY.match(column) else None
                    period = row_period or column_period or caption_period
                    if not period and not counts:
                        continue  # no period and no category: page numbers, references
                    column_label = "" if column_period else column
                    if column_period is None and caption_period and column.startswith(caption_period):
                        column_label = column[len(caption_period):].strip()
                    title = " – ".join(p for p in (label, column_label) if p)
                    method = "summary" if counts else "table"
                    unit = "count" if counts else normalise_unit(text + " " + column)
                    if title not in row_keys:  # one measure per row label and column label
                        row_keys[title] = builder.indicator(table.page, None, title, unit, None, method)
                    builder.value(row_keys[title], table.page, text, context,
                                  kind="count" if counts else "actual", period=period, unit=unit,
                                  method=method)


# --- Infographic blocks and "Label: value" lines (text outside tables) ----------------

_VALUE_LINE = re.compile(rf"^\s*(?:(?P<keyword>Target|Tolerance|Floor)\s*:?\s*)?(?P<number>{_NUMBER}(?:{_UNIT_AFTER})?)\s*$", re.I)
_PAGE_LINE = re.compile(r"^\s*Page\s+\d+\s*$", re.I)


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
            i = j if j > i + 1 else i + 1


_LABEL_VALUE = re.compile(
    rf"\b(?P<label>Latest|Actual|Current|Target|Floor|Tolerance|Previous|Last year|National|Benchmark)"
    rf"\s*:\s*(?P<number>{_NUMBER}(?:{_UNIT_AFTER})?)",
    re.I,
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
    re.I,
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
    r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:The\s+\w+\s+)?(?:Measures|Indicators|KPIs)\b(?P<rest>.*)$", re.I
)
_RAG_IS = re.compile(r"\bRAG (?:rating|status) is (?P<rag>Red|Amber|Green)\b", re.I)
_AS_AT = re.compile(r"\bas at (?:the )?end of (?P<period>.+?)\s*:?$", re.I)
_LIST_ITEM = re.compile(rf"^\s*(?:(?P<code>{_CODE})|(?P<new>new)|(?P<bullet>o))\s*[–—-]?\s+(?P<title>\S.*)$", re.I)
_SECTION_BREAK = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.\s|Page\s+\d+\s*$|[A-Z][A-Z ]{6,}$)")


def _list_status(rest: str) -> str | None:
    if match := _RAG_IS.search(rest):
        return match.group("rag").lower()
    for rag, pattern in _STATUS:
        if re.search(rf"\b{pattern}\b", rest, re.I):
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


_COUNT_TITLE = re.compile(r"^(?:number|no\.?) of\b", re.I)


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


def indicators(pages: Iterable[Page], year_hint: str | None = None) -> list[Record]:
    """Every indicator, value and comment the layout of a document's pages shows, in page order.

    ``year_hint`` is text that names the year of the document's period ("Quarter 1
    2016/17"), for period labels printed without one ("Q1", "July").
    """
    pages = list(pages)
    builder = _Builder(year_hint)
    _measure_tables(builder, pages)
    _grid_tables(builder, pages)
    for page in pages:
        text = page.text if page.outside_tables is None else page.outside_tables
        _infographics(builder, page.page, text)
        _label_values(builder, page.page, text)
        _summary_counts(builder, page.page, text)
        _status_lists(builder, page.page, text)
    return _finish(builder.records)
