"""A table as a grid of facts: header rows found, row labels with their sections, and every
number with the headings it sits under, its unit, scale, role and period.

Pure Python over ``Table`` records (no pdfplumber): what the page shows, not how it was read.

- **Columns** that are empty in every row are dropped, and two neighbouring columns that
  never both hold text in one row are one column printed with a ragged rule (Cardiff's
  appendix, dev corpus p7: the year sits in column 1 on some rows and column 0 on others).
- **Header rows** are the rows above the first row that prints a number (a year or a date
  is a heading, not a number). A heading cell merged across columns heads each of them
  ("30-Sep-24" over "Market Value", "6 months return" over "Income" and "Total", Kent
  treasury p8), so each column has a path of headings, outer first.
- **Row labels** are the text left of the first column of numbers. A row with a label and
  no numbers, followed by rows of numbers, is a section; its rows' labels are paths under
  it. A row of numbers with no label of its own takes the label printed on the row above it
  (Cardiff p14: "Llanrumney little People" over its "76%"). Reference columns ("Contract
  No.", "Page") are not labels, and text right of the numbers is a note, not the label.
- **Numbers**: "746.8", "£215.8m", "(111.2)", "+6.0%", "15,571 (55%)" (two numbers), "523
  children / 5.6 HV = 93 ratio caseload" (the result), "126 April until December 2012"
  (a number and its period). The unit and scale come from the cell, else its column's
  headings, else its row's label, else the caption (``scrutiny/data/units.yml``).
- **Roles and periods** come from the words of the headings and labels
  (``scrutiny/data/header_roles.yml``, ``scrutiny.periods``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..periods import (
    SCALES,
    Period,
    find_periods,
    header_period,
    normalise_unit,
    parse_number,
)
from ..records import Cell, Table
from ..vocab import vocabulary

__all__ = ["Grid", "GridRow", "Number", "grid", "parse_cell", "rag_of_colour", "rag_of_word", "role_of"]

SEPARATOR = " › "

_NUMBER = r"[(+\-−–]?\s*£?\s*[-−–]?\s*£?\d[\d,]*(?:\.\d+)?\s*(?:%|[kK]\b|[mM]\b|bn\b|mn\b|million\b|billion\b)?\)?"
_LEADING_NUMBER = re.compile(rf"^(?P<num>{_NUMBER})(?:\s+(?P<rest>\S.*))?$")
_YEAR = re.compile(r"^\s*(?:19|20)\d\d\s*$")
_TIME_WORDS = {"days", "weeks", "months", "years", "hours", "minutes", "yrs", "hrs"}
_CODE = re.compile(r"^(?=\D*\d)[A-Z0-9]{2,}[A-Z][A-Z0-9]*$|^[A-Z]{1,2}\d{5,}$")  # "7206CCC", "W01001308" (not "LSOA": a code has a digit)


@dataclass(frozen=True)
class Number:
    """One number printed in a cell: the text it was printed as, its value and what the cell says of it."""

    text: str
    value: float
    unit: str | None = None
    part: int = 1
    period: Period | None = None  # a period printed in the cell itself ("126 April until December 2012")
    noun: str | None = None  # a word printed after it ("16 places")


@dataclass
class GridRow:
    index: int  # the row of the printed table
    label: tuple[str, ...]  # sections, then the row's own label
    cells: dict[int, Cell]  # by grid column
    numbers: dict[int, list[Number]]
    notes: str = ""
    code: str | None = None  # a reference printed in the row ("7206CCC"), kept apart from its label


@dataclass
class Grid:
    table: Table
    number: int  # the table's place on its page, from 1
    headers: list[tuple[str, ...]]  # each grid column's headings, outer first
    columns: list[list[int]]  # each grid column's columns in the printed table
    stub: str  # the heading over the label columns
    rows: list[GridRow] = field(default_factory=list)
    label_columns: int = 0
    spans: list[tuple[float, float]] = field(default_factory=list)  # each grid column's left and right
    heading: str = ""  # a heading row over the whole table ("Quarter 1 2016/17")

    @property
    def caption(self) -> str:
        return self.table.caption


def _clean(text: str) -> str:
    return " ".join(text.replace("**", "").split())


# --- Vocabularies ---------------------------------------------------------------------------


def _phrases(words: list[str]) -> re.Pattern:
    ordered = sorted(words, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)
    return re.compile(rf"(?<![\w])(?:{alternation})(?![\w])", re.IGNORECASE)


@lru_cache(maxsize=1)
def _roles() -> list[tuple[str, re.Pattern]]:
    data = vocabulary("header_roles")
    return [(role, _phrases(words)) for role, words in data["roles"].items()]


@lru_cache(maxsize=1)
def _status_categories() -> re.Pattern:
    return _phrases(vocabulary("header_roles")["status_categories"])


@lru_cache(maxsize=1)
def _junk() -> tuple[re.Pattern, re.Pattern]:
    data = vocabulary("junk_cues")
    return _phrases(data["reference_headings"]), _phrases(data["not_results"])


def role_of(text: str, *, at_start: bool = False) -> tuple[str, re.Match] | None:
    """The role the words of a heading (or, ``at_start``, the start of a row's label) give a
    number: the longest phrase of ``header_roles.yml`` found."""
    if not text:
        return None
    best: tuple[str, re.Match] | None = None
    for role, pattern in _roles():
        for match in pattern.finditer(text):
            if at_start and match.start() > 0:
                continue
            if best is None or len(match.group()) > len(best[1].group()):
                best = (role, match)
    return best


def is_status_category(text: str) -> bool:
    """A heading that names measures by status ("Outside tolerance"): its numbers are counts."""
    return bool(text) and _status_categories().fullmatch(_clean(text)) is not None


def is_reference(text: str) -> bool:
    """A heading over references (page numbers, codes, contract numbers), not measures."""
    return bool(text) and _junk()[0].search(text) is not None


def is_not_result(text: str) -> bool:
    """Headings or captions over weightings, criteria or assumptions, not results."""
    return bool(text) and _junk()[1].search(text) is not None


def rag_of_word(text: str) -> str | None:
    words = vocabulary("header_roles")["rag_words"]
    return words.get(_clean(text).lower())


def rag_of_colour(colour: str | None) -> str | None:
    """A fill colour ("#rrggbb") as red, amber or green, by hue and saturation."""
    if not colour or not re.fullmatch(r"#[0-9a-f]{6}", colour):
        return None
    import colorsys

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    hue *= 360
    for rag, rule in vocabulary("header_roles")["rag_colours"].items():
        coloured = saturation >= rule["saturation"] and 0.15 < lightness < 0.9
        if coloured and any(low <= hue <= high for low, high in rule["hue"]):
            return rag
    return None


# --- Cells ------------------------------------------------------------------------------------


def _number(text: str, part: int = 1) -> Number | None:
    value = parse_number(text)
    if value is None:
        return None
    unit = normalise_unit(text)
    if unit in SCALES:
        unit = None  # "£215.8m" is expanded by parse_number: its unit is £
    if unit is None and "£" in text:
        unit = "£"
    return Number(" ".join(text.split()), value, unit, part)


def parse_cell(text: str, year_hint: str | None = None, *, strict: bool = False) -> list[Number]:
    """The numbers a table cell prints, as a reader would take them (none for text, a
    year or a date). ``strict``: only a cell that is a number and nothing else ("746.8",
    "£215.8m", "15,571 (55%)"), as a row must print to begin a table's body."""
    cleaned = _clean(text)
    if not cleaned or _YEAR.match(cleaned):
        return []
    if strict:
        number = _number(cleaned)
        if number is not None and not re.search(r"[A-Za-z]{2,}", cleaned.replace("million", "").replace("bn", "")):
            return [number]
        # a count and what it counts: "16 places" (Merthyr p1); not "6 months return" (a heading)
        counted = re.fullmatch(rf"(?P<n>{_NUMBER})\s+(?P<noun>[a-z]+s)", cleaned)
        if counted and counted.group("noun") not in _TIME_WORDS and (number := _number(counted.group("n"))):
            return [Number(cleaned, number.value, number.unit, noun=counted.group("noun"))]
        both = re.fullmatch(rf"(?P<a>{_NUMBER})\s*\((?P<b>{_NUMBER})\)", cleaned)
        return [n for n in (_number(both.group("a")), _number(both.group("b"), part=2)) if n] if both else []
    if "=" in cleaned:  # "523 children / 5.6 HV = 93 ratio caseload" (Merthyr p6): the result
        result = cleaned.rsplit("=", 1)[1].strip()
        match = _LEADING_NUMBER.match(result)
        if match and (number := _number(match.group("num"))):
            rest = match.group("rest")
            return [Number(result, number.value, number.unit, noun=rest)]
        return []
    if number := _number(cleaned):
        return [number]
    # "15,571 (55%)": a count and its share
    both = re.fullmatch(rf"(?P<a>{_NUMBER})\s*\((?P<b>{_NUMBER})\)", cleaned)
    if both:
        first, second = _number(both.group("a")), _number(both.group("b"), part=2)
        if first and second and not both.group("a").strip().startswith("("):
            return [first, second]
    numbers = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    asides = 0
    for line in lines:
        if re.fullmatch(r"\(.*\)", line):
            asides += 1  # "(544 on database)" under "495" (Merthyr p6): an aside
            continue
        match = _LEADING_NUMBER.match(line)
        if not match:
            continue
        number = _number(match.group("num"), part=len(numbers) + 1)
        rest = match.group("rest") or ""
        if number is None:
            continue
        if not rest:
            numbers.append(number)
            continue
        # "126 April until December 2012", "136 from January 2013" (Merthyr p6)
        rest_clean = re.sub(r"^(?:from|in|until|to|for|during)\s+", "", rest, flags=re.IGNORECASE)
        periods = find_periods(rest_clean, year_hint)
        if periods and periods[0].at[0] == 0 and periods[-1].at[1] >= len(rest_clean.rstrip(" .;,")) - 1:
            numbers.append(Number(line, number.value, number.unit, number.part, period=periods[0]))
        elif re.fullmatch(r"[A-Za-z][A-Za-z'’-]*(?:\s+[A-Za-z][A-Za-z'’-]*){0,2}", rest) and not find_periods(rest, years=True):
            numbers.append(Number(line, number.value, number.unit, number.part, noun=rest))  # "16 places"
    return numbers if numbers and len(numbers) + asides == len(lines) else []


def _is_numeric(cell: Cell) -> bool:
    return bool(parse_cell(cell.text, strict=True))


# --- Grid -------------------------------------------------------------------------------------


def _columns(table: Table) -> list[list[int]]:
    """The table's printed columns grouped into grid columns (empty ones dropped, ragged
    ones merged)."""
    width = max((len(row) for row in table.rows), default=0)
    filled = [j for j in range(width) if any(j < len(row) and row[j].text.strip() for row in table.rows)]
    # the body: from the first row that prints a number (headings are words over numbers)
    first = next(
        (r for r, row in enumerate(table.rows) if any(parse_cell(cell.text, strict=True) for cell in row)),
        len(table.rows),
    )

    def numeric(columns: list[int]) -> bool | None:
        """Whether a column's body is numbers (None: it holds only headings)."""
        texts = [row[k].text for row in table.rows[first:] for k in columns if k < len(row) and row[k].text.strip()]
        return sum(1 for t in texts if parse_cell(t, strict=True)) >= 0.6 * len(texts) if texts else None

    groups: list[list[int]] = []
    for j in filled:
        if groups:
            together = groups[-1] + [j]
            clash = any(
                sum(1 for k in together if k < len(row) and row[k].text.strip()) > 1 for row in table.rows
            )
            # a column of numbers and a column of words are two columns, even printed on
            # alternate rows (Cardiff p14: the setting's row, then its "61%" on the row below)
            kinds = {numeric(groups[-1]), numeric([j])} - {None}
            if not clash and len(kinds) <= 1:
                groups[-1] = together
                continue
        groups.append([j])
    return groups


def _text(row: tuple[Cell, ...], group: list[int]) -> str:
    return " ".join(_clean(row[k].text) for k in group if k < len(row) and row[k].text.strip())


def _cell(row: tuple[Cell, ...], group: list[int]) -> Cell:
    for k in group:
        if k < len(row) and row[k].text.strip():
            return row[k]
    return row[group[0]] if group[0] < len(row) else Cell("")


def _header_text(table: Table, r: int, group: list[int]) -> str:
    """A heading cell's text, or the text of the merged cell that covers it."""
    row = table.rows[r]
    text = _text(row, group)
    if text:
        return text
    cell = row[group[0]] if group[0] < len(row) else None
    if cell is None or not cell.spanned or cell.bbox is None:
        return ""
    for k in range(group[0] - 1, -1, -1):  # merged across: the cell to the left reaches over it
        left = row[k]
        if left.spanned:
            continue
        if left.bbox is not None and left.bbox[2] >= cell.bbox[2] - 1:
            return _clean(left.text)
        break
    return ""


def _nearest(spans: list[tuple[float, float]], x: float) -> int:
    """The column whose printed cells' middle is nearest ``x``."""
    return min(range(len(spans)), key=lambda j: abs((spans[j][0] + spans[j][1]) / 2 - x))


def grid(table: Table, number: int, year_hint: str | None = None) -> Grid | None:
    """The grid a table prints, or None when it prints no numbers (or is no grid)."""
    if not table.grid or not table.rows:
        return None
    groups = _columns(table)
    if len(groups) < 2:
        return None
    numeric = [[_is_numeric(_cell(row, g)) for g in groups] for row in table.rows]
    # the body begins at the first row printing a number, or a reference code in its first
    # column (Cardiff p13: "7195CCC" on the row above its "31%")
    body_start = next(
        (r for r, flags in enumerate(numeric) if any(flags[1:]) or _CODE.match(_text(table.rows[r], groups[0]) or "-")),
        None,
    )
    if body_start is None or not any(any(flags[1:]) for flags in numeric[body_start:]):
        return None
    # "Partnership: | Merthyr Tydfil" (Merthyr p6): a label and its value, not a heading
    while body_start and _text(table.rows[body_start - 1], groups[0]).endswith(":"):
        body_start -= 1
    numeric_columns = [j for j in range(len(groups)) if any(numeric[r][j] for r in range(body_start, len(table.rows)))]
    first_numeric = min(numeric_columns)
    if first_numeric == 0:
        # a table whose first column holds numbers has no label column: row labels are missing
        first_numeric = 0
    # a heading row with one cell filled, over a table of three or more columns, heads the
    # whole table ("Quarter 1 2016/17" over seed 000 p3's counts by status) when it is in the
    # first column or names a period; else it heads its own column ("% FS/Private" over the
    # last column of Cardiff p14, its other headings printed a row lower)
    def lone_heading(r: int) -> bool:
        filled = [j for j, g in enumerate(groups) if _header_text(table, r, g)]
        if len(groups) < 3 or len(filled) != 1:
            return False
        return filled[0] == 0 or header_period([_header_text(table, r, groups[filled[0]])], year_hint) is not None

    heading_rows = [r for r in range(body_start) if lone_heading(r)]
    heading = " ".join(_header_text(table, r, g) for r in heading_rows for g in groups if _header_text(table, r, g))
    headers: list[tuple[str, ...]] = []
    spans = []
    for g in groups:
        boxes = [row[k].bbox for row in table.rows for k in g if k < len(row) and row[k].bbox and not row[k].spanned and row[k].text.strip()]
        spans.append((min(b[0] for b in boxes), max(b[2] for b in boxes)) if boxes else (0.0, 0.0))
    for j, g in enumerate(groups):
        path: list[str] = []
        # headings printed over the box (Merthyr p6), under whichever column they centre on
        printed_over = " ".join(
            _clean(cell.text) for cell in table.header_above
            if cell.bbox and cell.text.strip() and _nearest(spans, (cell.bbox[0] + cell.bbox[2]) / 2) == j
        )
        if printed_over:
            path.append(printed_over)
        for r in range(body_start):
            if r in heading_rows:
                continue
            text = _header_text(table, r, g)
            if text and (not path or path[-1] != text):
                path.append(text)
        headers.append(tuple(path))
    label_groups = list(range(first_numeric))
    stub = " ".join(SEPARATOR.join(headers[j]) for j in label_groups if headers[j]).strip()
    body = table.rows[body_start:]
    number_rows = [row for r, row in enumerate(body) if any(numeric[body_start + r][first_numeric:])]

    def codes(j: int) -> bool:
        filled = [_text(row, groups[j]) for row in body if _text(row, groups[j])]
        return bool(filled) and sum(1 for t in filled if _CODE.match(t)) >= 0.6 * len(filled)

    # which label columns are the label: not references or codes; a first column filled on
    # few of the rows of numbers groups them (its text printed once, on the first)
    label_cols = [j for j in label_groups if not is_reference(" ".join(headers[j])) and not codes(j)]
    # a row of numbers may print its label on the row above (Cardiff p14)
    number_flags = [any(numeric[body_start + r][first_numeric:]) for r in range(len(body))]
    fill = {
        j: sum(
            1 for r, row in enumerate(body) if number_flags[r] and (
                _text(row, groups[j]) or r and not number_flags[r - 1] and _text(body[r - 1], groups[j])
            )
        )
        for j in label_cols
    }
    group_col = None
    if (
        len(label_cols) >= 2 and fill[label_cols[0]] < 0.5 * len(number_rows)
        and fill[label_cols[1]] >= 0.8 * len(number_rows)
    ):
        group_col = label_cols[0]
        label_cols = label_cols[1:]
    label_col = next((j for j in label_cols if fill.get(j)), label_cols[0] if label_cols else None)
    found = Grid(table, number, headers, groups, stub, label_columns=first_numeric, spans=spans, heading=heading)
    section: str | None = None
    group_label: str | None = None
    pending_label: tuple[int, str] | None = None
    has_numbers = [any(numeric[body_start + r][first_numeric:]) or bool(
        [j for j in range(first_numeric, len(groups)) if parse_cell(_cell(row, groups[j]).text, year_hint)]
    ) for r, row in enumerate(body)]
    for offset, row in enumerate(body):
        index = body_start + offset
        numbers = {
            j: parse_cell(_cell(row, groups[j]).text, year_hint)
            for j in range(first_numeric, len(groups))
        }
        numbers = {j: found_numbers for j, found_numbers in numbers.items() if found_numbers}
        label = _text(row, groups[label_col]) if label_col is not None else ""
        if group_col is not None and _text(row, groups[group_col]):
            group_label = _text(row, groups[group_col])
        codes = [
            _text(row, groups[j]) for j in label_groups
            if j != label_col and _CODE.match(_text(row, groups[j]) or "-")
        ]
        notes = " ".join(
            _text(row, groups[j]) for j in range(first_numeric, len(groups)) if j not in numbers and _text(row, groups[j])
        )
        if not numbers:
            if label and not notes and offset + 1 < len(body):
                pending_label = (index, label)
            else:
                pending_label = None
            continue
        if not label and pending_label is not None and pending_label[0] == index - 1:
            label = pending_label[1]  # the label printed on the row above (Cardiff p14)
        elif pending_label is not None and pending_label[0] == index - 1 and label:
            # a row of its own over two or more rows of numbers with labels: a section
            following = has_numbers[offset:offset + 2]
            section = pending_label[1] if len(following) == 2 and all(following) else section
        pending_label = None
        path = tuple(p for p in (group_label, section, label) if p)
        cells = {j: _cell(row, groups[j]) for j in numbers}
        found.rows.append(GridRow(index, path, cells, numbers, notes, codes[0] if codes else None))
    return found if found.rows else None


# --- What each number is ----------------------------------------------------------------------


def unit_of(number: Number, *texts: str) -> str | None:
    """A number's unit: its own, else the first the headings, label or caption state."""
    if number.unit:
        return number.unit
    for text in texts:
        if text and (unit := normalise_unit(text)):
            return unit
    return None


def period_of(texts: tuple[str, ...], year_hint: str | None) -> Period | None:
    return header_period(texts, year_hint)


def caption_period(caption: str, year_hint: str | None) -> Period | None:
    """The period a table's caption gives it: an "as at" date if it prints one (Birmingham
    p3: "The average in 2018/19 was 2457 households, as at 19 October 2020 ... as follows:"),
    else its one period."""
    if not caption:
        return None
    last = re.split(r"(?<=[.;])\s+", caption.strip())[-1]
    for text in (last, caption):
        mentions = find_periods(text, year_hint, years=False)
        points = [m for m in mentions if m.label.lower().startswith(("as at", "as of"))]
        if len({(m.start, m.end) for m in points}) == 1:
            return points[-1]
        if points:
            return None  # "as at 30 September 2024 compared to the position as at 31 March 2024" (Kent p8)
        if len({(m.start, m.end) for m in mentions}) == 1:
            return mentions[0]
    return None
