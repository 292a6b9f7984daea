"""Ruled tables on a PDF page, cell by cell: text (italics told apart), position, fill colour.

The indicator extractor reads tables by cell, because a page's plain text interleaves
the columns line by line (seed 000, page 7: the measure, the council's comment and the
Trust's response share each printed line).

pdfplumber's table finder is given the page's rulings and characters from one slim walk of
the parsed layout (``pdf.page_objects``) instead of its full object list, which costs as
much again as reading the page's text.

Beyond the cells pdfplumber finds, each table records:

- each cell's box, its background colour (a scorecard may print a RAG status only as the
  cell's fill), and whether a neighbouring merged cell covers it;
- rows printed inside one ruled row with no rule between them split apart, where every
  number in the row stands on its own line (Kent treasury report, dev corpus p4:
  "Long-term investments / Short-term investments / Cash and cash equivalents" and three
  numbers a cell);
- the lines printed just above it (its caption: "as at 19 October 2020 ... as follows:",
  Birmingham, dev corpus p3);
- whether it is a grid at all: rules that cut through words frame a slide's text boxes,
  not cells (Coventry's performance slides, dev corpus p1: "9 Se | ptember 2021"), and a
  box with one column of running text is a box. The text of such boxes stays in
  ``outside_tables`` for the readers of text.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from ..records import Cell, Table

__all__ = ["chars_outside", "colour_of", "outside_grids", "read_tables"]

_ITALIC = ("Italic", "Oblique")
# A cell line that is a number as tables print one: "746.8", "-25.1", "£215.8m", "(111.2)",
# "35.59%", "+6.0%", "1,569,165".
_NUMBER_LINE = re.compile(r"^[(+\-−–]?\s*£?\s*[-−–]?\d[\d,]*(?:\.\d+)?\s*(?:%|[kKmM]|bn)?\)?$")


def _edges(rulings: list[dict[str, Any]], orientation: str, min_length: float) -> list[dict[str, Any]]:
    """Rulings as pdfplumber's edges ("lines" strategy: at least ``min_length`` long)."""
    from pdfplumber.utils import obj_to_edges

    size = "height" if orientation == "v" else "width"
    return [
        edge
        for ruling in rulings
        for edge in obj_to_edges(ruling)
        if edge["orientation"] == orientation and edge[size] >= min_length
    ]


def _row_closing_lines(vertical: list[dict[str, Any]]) -> list[float]:
    """The tops and bottoms of vertical rulings, as extra horizontal lines.

    A table row that runs over a page break has its side rulings but no bottom rule
    (seed 000, page 9: the A2 row), so pdfplumber would not see it as a cell.
    """
    ys = set()
    for edge in vertical:
        if edge["height"] > 10:
            ys.add(round(edge["top"], 1))
            ys.add(round(edge["bottom"], 1))
    return sorted(ys)


def _inside(char: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    """pdfplumber's rule for a cell's characters: the character's middle is in the cell."""
    x0, top, x1, bottom = bbox
    h_mid = (char["x0"] + char["x1"]) / 2
    v_mid = (char["top"] + char["bottom"]) / 2
    return x0 <= h_mid < x1 and top <= v_mid < bottom


def _italic(char: dict[str, Any]) -> bool:
    return any(mark in char.get("fontname", "") for mark in _ITALIC)


def colour_of(colour: Any) -> str | None:
    """A PDF fill colour (grey level, RGB or CMYK, 0 to 1) as "#rrggbb"; None if unreadable."""
    if colour is None:
        return None
    if isinstance(colour, (int, float)):
        colour = (colour,)
    try:
        values = [float(v) for v in colour]
    except (TypeError, ValueError):
        return None  # a pattern or a named colour space
    if len(values) == 1:
        rgb = values * 3
    elif len(values) == 3:
        rgb = values
    elif len(values) == 4:
        c, m, y, k = values
        rgb = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    else:
        return None
    if any(v < 0 or v > 1 for v in rgb):
        return None
    return "#" + "".join(f"{round(v * 255):02x}" for v in rgb)


def _fill(bbox: tuple[float, float, float, float], fills: list[dict[str, Any]]) -> str | None:
    """The colour of the smallest filled box under the cell's middle (white counts as none)."""
    x = (bbox[0] + bbox[2]) / 2
    y = (bbox[1] + bbox[3]) / 2
    under = [f for f in fills if f["x0"] <= x <= f["x1"] and f["top"] <= y <= f["bottom"]]
    if not under:
        return None
    smallest = min(under, key=lambda f: (f["x1"] - f["x0"]) * (f["bottom"] - f["top"]))
    colour = colour_of(smallest.get("non_stroking_color"))
    return None if colour == "#ffffff" else colour


def _cell(chars: list[dict[str, Any]], bbox: tuple[float, float, float, float], fill: str | None) -> Cell:
    from pdfplumber.utils import extract_text

    text = extract_text(chars) if chars else ""
    italic = [c for c in chars if _italic(c)]
    if not italic or not text.strip():
        return Cell(text, roman=text, bbox=bbox, fill=fill)
    roman = [c for c in chars if not _italic(c)]
    return Cell(text, roman=extract_text(roman) if roman else "", italic=extract_text(italic), bbox=bbox, fill=fill)


def _line_tops(chars: list[dict[str, Any]]) -> list[float]:
    """The tops of a cell's printed lines (3 pt tolerance, as pdfplumber's text layout)."""
    tops: list[float] = []
    for top in sorted(c["top"] for c in chars if c["text"].strip()):
        if not tops or top - tops[-1] > 3:
            tops.append(top)
    return tops


def _split_stacked(cells: list[tuple[tuple | None, list]], row_bbox: tuple) -> list[tuple[float, float]] | None:
    """Bands (top, bottom) to cut a ruled row into when several rows are printed inside it
    with no rule between: every number cell holds the same number (two or more) of lines,
    each a number, at the same heights, and no text cell holds fewer lines."""
    numeric_tops: list[list[float]] = []
    text_lines: list[int] = []
    for bbox, chars in cells:
        if bbox is None or not chars:
            continue
        from pdfplumber.utils import extract_text

        lines = [line for line in extract_text(chars).splitlines() if line.strip()]
        if lines and all(_NUMBER_LINE.match(line.strip()) for line in lines):
            numeric_tops.append(_line_tops(chars))
        else:
            text_lines.append(len(lines))
    if len(numeric_tops) < 2:
        return None
    count = len(numeric_tops[0])
    if count < 2 or any(len(tops) != count for tops in numeric_tops) or not text_lines:
        return None
    if min(text_lines) < count:
        return None
    for i in range(count):
        if max(tops[i] for tops in numeric_tops) - min(tops[i] for tops in numeric_tops) > 3:
            return None
    centres = [sum(tops[i] for tops in numeric_tops) / len(numeric_tops) for i in range(count)]
    cuts = [row_bbox[1]] + [(a + b) / 2 + 3 for a, b in pairwise(centres)] + [row_bbox[3]]
    return list(pairwise(cuts))


def _words(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from pdfplumber.utils import extract_words

    return extract_words([c for c in chars if c.get("upright", True)])


def _is_grid(
    table: Any, rows: list[tuple[Cell, ...]], chars: list[dict[str, Any]], page_words: list[dict[str, Any]] | None
) -> bool:
    """A table is a grid unless its rules cut through words or it is one column of text."""
    filled_columns = {j for row in rows for j, cell in enumerate(row) if cell.text.strip()}
    if len(filled_columns) < 2:
        return False
    x0, top, x1, bottom = table.bbox
    inside = [c for c in chars if x0 <= c["x0"] and c["x1"] <= x1 and top <= c["top"] and c["bottom"] <= bottom]
    if sum(1 for c in inside if not c.get("upright", True)) > len(inside) / 2:
        return False  # printed sideways (Merthyr appendix 3, dev corpus p7): read as text
    if page_words is None:
        words = _words(inside)
    else:
        words = [
            w for w in page_words
            if _inside({"x0": w["x0"], "x1": w["x1"], "top": w["top"], "bottom": w["bottom"]}, table.bbox)
        ]
    if not words:
        return True
    boxes = [cell for cell in table.cells if cell is not None]
    cut = []
    for word in words:
        middle = (word["top"] + word["bottom"]) / 2
        for x0, top, x1, bottom in boxes:
            if top <= middle <= bottom and (word["x0"] + 0.5 < x1 < word["x1"] - 0.5):
                cut.append(word["text"])
                break
    if len(cut) < max(2, 0.05 * len(words)):
        return True
    # a table drawn with a few stray rules through its words is still a table if a column of
    # it holds whole numbers (Cardiff appendix, dev corpus p14: "% FS/Private" down one column)
    if len(cut) > 0.15 * len(words) or any(_NUMBER_LINE.match(text) for text in cut):
        return False
    width = max(len(row) for row in rows)
    return any(
        sum(1 for row in rows if j < len(row) and _NUMBER_LINE.match(row[j].text.strip() or "-")) >= 3
        for j in range(width)
    )


def _caption(chars: list[dict[str, Any]], bbox: tuple, page: Any) -> str:
    """The printed lines just above a table (up to four, no wide gap between), verbatim."""
    from .pdf import text_of

    x0, top, x1, _ = bbox
    over = [c for c in chars if c["bottom"] <= top + 1 and c["bottom"] >= top - 80]
    above = [c for c in over if c["x1"] > x0 - 20 and c["x0"] < x1 + 20]
    if not above:
        return ""
    tops = sorted({round(c["top"]) for c in above}, reverse=True)
    lines = [tops[0]]
    for t in tops[1:]:
        if lines[-1] - t > 3:
            if lines[-1] - t > 30 or len(lines) == 4:
                break
            lines.append(t)
    if top - max(c["bottom"] for c in above) > 40:
        return ""
    kept = [c for c in over if round(c["top"]) >= lines[-1] - 3]  # whole lines, as printed
    return text_of(kept, page).strip() if kept else ""


def _header_above(chars: list[dict[str, Any]], table: Any, columns: dict[int, tuple[float, float]]) -> tuple[Cell, ...]:
    """Headings printed just over a ruled table, each within one of its columns: the lines
    above its top (no wide gap between) whose words each sit inside one column, with a gap
    between the words of neighbouring columns."""

    x0, top, x1, _ = table.bbox
    spans = [columns[j] for j in sorted(columns)]
    if len(spans) < 2:
        return ()
    above = [c for c in chars if top - 60 <= c["bottom"] <= top + 1 and x0 - 2 <= c["x0"] and c["x1"] <= x1 + 2]
    words = _words(above)
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: -w["bottom"]):
        if lines and abs(lines[-1][0]["bottom"] - word["bottom"]) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    kept: list[dict[str, Any]] = []
    bottom = top
    for line in lines:  # bottom up
        if bottom - max(w["bottom"] for w in line) > 12:
            break
        placed = []
        for word in sorted(line, key=lambda w: w["x0"]):
            home = [j for j, (a, b) in enumerate(spans) if a - 1 <= word["x0"] and word["x1"] <= b + 1]
            if not home:
                placed = []
                break
            placed.append((home[0], word))
        if not placed or any(
            j != k and b["x0"] - a["x1"] < 6 for (j, a), (k, b) in pairwise(placed)
        ):
            break
        kept.extend(w for _, w in placed)
        bottom = min(w["top"] for w in line)
    homes: dict[int, list[dict[str, Any]]] = {}
    for word in kept:
        home = next(j for j, (a, b) in enumerate(spans) if a - 1 <= word["x0"] and word["x1"] <= b + 1)
        homes.setdefault(home, []).append(word)
    if len(homes) < 2:
        return ()
    cells = []
    for j in range(len(spans)):
        mine = sorted(homes.get(j, []), key=lambda w: (round(w["top"]), w["x0"]))
        box = (
            (min(w["x0"] for w in mine), min(w["top"] for w in mine), max(w["x1"] for w in mine), max(w["bottom"] for w in mine))
            if mine else None
        )
        cells.append(Cell(" ".join(w["text"] for w in mine), bbox=box))
    return tuple(cells)


def read_tables(
    page: Any, number: int, chars: list[dict[str, Any]], rulings: list[dict[str, Any]],
    words: list[dict[str, Any]] | None = None,
) -> tuple[tuple[Table, ...], str | None]:
    """A page's ruled tables and its text outside the grids (None when it has no tables).

    ``chars`` and ``rulings`` are the page's, from ``pdf.page_objects(page)``; ``words`` its
    words (``words.page_words``), if already found.
    """
    from pdfplumber.table import TableFinder, TableSettings

    defaults = TableSettings()
    vertical = _edges(rulings, "v", defaults.edge_min_length_prefilter)
    horizontal = _edges(rulings, "h", defaults.edge_min_length_prefilter)
    horizontal += _row_closing_lines(vertical)
    if len(vertical) < 2 or len(horizontal) < 2:
        return (), None  # a cell needs two of each
    settings = TableSettings.resolve(
        {
            # pdfplumber's default "lines" strategy, fed the page's rulings directly.
            "vertical_strategy": "explicit",
            "horizontal_strategy": "explicit",
            "explicit_vertical_lines": vertical,
            "explicit_horizontal_lines": horizontal,
        }
    )
    found = TableFinder(page, settings).tables
    if not found:
        return (), None
    fills = [r for r in rulings if r.get("fill") and r.get("object_type") == "rect"]
    tables = []
    for table in found:
        columns: dict[int, tuple[float, float]] = {}
        for row in table.rows:
            for j, bbox in enumerate(row.cells):
                if bbox is not None and j not in columns:
                    columns[j] = (bbox[0], bbox[2])
        rows = []
        ruled_rows = []
        for index, row in enumerate(table.rows):
            row_chars = [c for c in chars if _inside(c, row.bbox)]
            cells = [(bbox, [c for c in row_chars if _inside(c, bbox)] if bbox else []) for bbox in row.cells]
            bands = _split_stacked(cells, row.bbox) or [(row.bbox[1], row.bbox[3])]
            for band_top, band_bottom in bands:
                printed = []
                for j, (bbox, cell_chars) in enumerate(cells):
                    if bbox is None:
                        x0, x1 = columns.get(j, (row.bbox[0], row.bbox[0]))
                        printed.append(Cell("", bbox=(x0, band_top, x1, band_bottom), spanned=True))
                        continue
                    part = (bbox[0], band_top, bbox[2], band_bottom)
                    mine = [c for c in cell_chars if band_top <= (c["top"] + c["bottom"]) / 2 < band_bottom]
                    printed.append(_cell(mine, part, _fill(part, fills)))
                rows.append(tuple(printed))
                ruled_rows.append(index)
        grid = _is_grid(table, rows, chars, words)
        tables.append(
            Table(
                number, tuple(rows), bbox=tuple(table.bbox), caption=_caption(chars, table.bbox, page),
                grid=grid, ruled_rows=tuple(ruled_rows),
                header_above=_header_above(chars, table, columns) if grid else (),
            )
        )
    return tuple(tables), outside_grids(tables, chars, page)


def outside_grids(tables: tuple[Table, ...] | list[Table], chars: list[dict[str, Any]], page: Any) -> str | None:
    """The page's text with its ruled grids left out (None when it has none)."""
    from .pdf import text_of

    grids = [table.bbox for table in tables if table.grid and table.ruled]
    if not grids:
        return None
    return text_of(chars_outside(tables, chars), page)


def chars_outside(
    tables: tuple[Table, ...] | list[Table], chars: list[dict[str, Any]], *, every: bool = False
) -> list[dict[str, Any]]:
    """The characters of ``chars`` not printed in a ruled grid (``every``: in any of ``tables``)."""
    boxes = [table.bbox for table in tables if every or table.grid and table.ruled]
    return [c for c in chars if not any(_overlaps(c, bbox) for bbox in boxes)]


def _overlaps(char: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    """pdfplumber's ``outside_bbox(bbox, strict=False)`` drops characters that overlap it."""
    x0, top, x1, bottom = bbox
    return char["x0"] < x1 and char["x1"] > x0 and char["top"] < bottom and char["bottom"] > top
