"""Ruled tables on a PDF page, cell by cell, with italic text told apart.

The indicator extractor reads tables by cell, because a page's plain text interleaves
the columns line by line (seed 000, page 7: the measure, the council's comment and the
Trust's response share each printed line).
"""

from __future__ import annotations

import pdfplumber

from ..records import Cell, Table

__all__ = ["has_rulings", "read_tables"]

_ITALIC = ("Italic", "Oblique")


def _row_closing_lines(page: pdfplumber.page.Page) -> list[float]:
    """The tops and bottoms of vertical rulings, as extra horizontal lines.

    A table row that runs over a page break has its side rulings but no bottom rule
    (seed 000, page 9: the A2 row), so pdfplumber would not see it as a cell.
    """
    ys = set()
    for edge in page.edges:
        if edge["orientation"] == "v" and edge["height"] > 10:
            ys.add(round(edge["top"], 1))
            ys.add(round(edge["bottom"], 1))
    return sorted(ys)


def has_rulings(page: pdfplumber.page.Page) -> bool:
    """True if the page's parsed layout draws any line, box or curve.

    The ruled-table finder builds tables from drawn edges only, so a page without any has
    no table to find, and its full object list (slow to build) is never needed.
    """
    from pdfminer.layout import LTContainer, LTCurve  # LTLine and LTRect are LTCurves

    stack = list(page.layout._objs)
    while stack:
        obj = stack.pop()
        if isinstance(obj, LTCurve):
            return True
        if isinstance(obj, LTContainer):  # a form XObject (LTFigure)
            stack.extend(obj._objs)
    return False


def _italic(obj: dict) -> bool:
    return any(mark in obj.get("fontname", "") for mark in _ITALIC)


def _cell(page: pdfplumber.page.Page, bbox: tuple | None, text: str | None, italics: bool) -> Cell:
    text = text or ""
    if bbox is None or not text.strip() or not italics:
        return Cell(text, roman=text)
    area = page.crop(bbox, strict=False)
    italic = area.filter(lambda o: o.get("object_type") != "char" or _italic(o)).extract_text() or ""
    if not italic.strip():
        return Cell(text, roman=text)
    roman = area.filter(lambda o: o.get("object_type") != "char" or not _italic(o)).extract_text()
    return Cell(text, roman=roman or "", italic=italic)


def read_tables(page: pdfplumber.page.Page, number: int) -> tuple[tuple[Table, ...], str | None]:
    """A page's ruled tables and its text outside them (None when it has no tables)."""
    if not has_rulings(page):
        return (), None
    found = page.find_tables({"explicit_horizontal_lines": _row_closing_lines(page)})
    if not found:
        return (), None
    italics = any(_italic(char) for char in page.chars)
    tables = []
    for table in found:
        rows = tuple(
            tuple(_cell(page, bbox, text, italics) for bbox, text in zip(row.cells, texts, strict=True))
            for row, texts in zip(table.rows, table.extract(), strict=True)
        )
        tables.append(Table(number, rows))
    outside = page
    for table in found:
        outside = outside.outside_bbox(table.bbox, strict=False)
    return tuple(tables), outside.extract_text() or ""
