"""Ruled tables on a PDF page, cell by cell, with italic text told apart.

The indicator extractor reads tables by cell, because a page's plain text interleaves
the columns line by line (seed 000, page 7: the measure, the council's comment and the
Trust's response share each printed line).

pdfplumber's table finder is given the page's rulings and characters from one slim walk of
the parsed layout (``pdf.page_objects``) instead of its full object list, which costs as
much again as reading the page's text.
"""

from __future__ import annotations

from typing import Any

from ..records import Cell, Table

__all__ = ["read_tables"]

_ITALIC = ("Italic", "Oblique")


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


def _cell(chars: list[dict[str, Any]]) -> Cell:
    from pdfplumber.utils import extract_text

    text = extract_text(chars) if chars else ""
    italic = [c for c in chars if _italic(c)]
    if not italic or not text.strip():
        return Cell(text, roman=text)
    roman = [c for c in chars if not _italic(c)]
    return Cell(text, roman=extract_text(roman) if roman else "", italic=extract_text(italic))


def read_tables(
    page: Any, number: int, chars: list[dict[str, Any]], rulings: list[dict[str, Any]]
) -> tuple[tuple[Table, ...], str | None]:
    """A page's ruled tables and its text outside them (None when it has no tables).

    ``chars`` and ``rulings`` are the page's, from ``pdf.page_objects(page)``.
    """
    from pdfplumber.table import TableFinder, TableSettings

    from .pdf import text_of

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
    tables = []
    for table in found:
        rows = []
        for row in table.rows:
            row_chars = [c for c in chars if _inside(c, row.bbox)]
            rows.append(
                tuple(
                    Cell("") if bbox is None else _cell([c for c in row_chars if _inside(c, bbox)])
                    for bbox in row.cells
                )
            )
        tables.append(Table(number, tuple(rows)))
    # pdfplumber's Table.bbox is a property worked out from every cell at each call: once per
    # table here, not once per character and table (2M calls over 139 Kent papers).
    boxes = [table.bbox for table in found]
    outside = [c for c in chars if not any(_overlaps(c, box) for box in boxes)]
    return tuple(tables), text_of(outside, page)


def _overlaps(char: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    """pdfplumber's ``outside_bbox(bbox, strict=False)`` drops characters that overlap it."""
    x0, top, x1, bottom = bbox
    return char["x0"] < x1 and char["x1"] > x0 and char["top"] < bottom and char["bottom"] > top
