"""The fast PDF paths give the same records as plain pdfplumber (see scrutiny/extract/pdf.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pdfplumber
import pytest

from scrutiny.extract import read_document
from scrutiny.extract.pdf import page_text
from scrutiny.records import Page

REPO = Path(__file__).resolve().parent.parent


def _corpus_pdfs() -> list[Path]:
    """Every bundled PDF, and any PDF in ../shared/corpus with content not bundled."""
    found: dict[str, Path] = {}
    for root in (REPO / "corpus", REPO.parent / "shared" / "corpus"):
        for path in sorted(root.rglob("*.pdf")):
            found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return list(found.values())


PDFS = _corpus_pdfs()


def test_the_corpus_is_all_there():
    # corpus/README.md: 12 PDFs, 143 pages between them.
    assert len(PDFS) >= 12


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_page_text_equals_pdfplumber_extract_text_on_every_page(path):
    fast = [(item.page, item.text) for item in read_document(path) if isinstance(item, Page)]
    with pdfplumber.open(path) as pdf:
        slow = [(n, page.extract_text()) for n, page in enumerate(pdf.pages, 1)]
    assert fast == slow


def test_page_text_equals_extract_text_on_a_cropped_mediabox(corpus_pdf):
    # pdfplumber shifts characters by the MediaBox origin; page_text must do the same.
    with pdfplumber.open(corpus_pdf("000")) as pdf:
        page = pdf.pages[6]
        assert page_text(page) == page.extract_text()
        assert "A1 Re-referrals" in page_text(page)  # page 7: the appendix table


def _tables_the_slow_way(page) -> tuple[list, str | None]:
    """pdfplumber's own path: its full object list, its "lines" table finder (plus the
    row-closing lines scrutiny adds), ``Table.extract()`` and ``outside_bbox()``."""
    closing = sorted(
        {round(y, 1) for e in page.edges if e["orientation"] == "v" and e["height"] > 10 for y in (e["top"], e["bottom"])}
    )
    found = page.find_tables({"explicit_horizontal_lines": closing})
    if not found:
        return [], None
    outside = page
    for table in found:
        outside = outside.outside_bbox(table.bbox, strict=False)
    return [table.extract() for table in found], outside.extract_text()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_tables_equal_pdfplumbers_own_on_every_page(path):
    fast = {
        item.page: ([[cell.text for cell in row] for row in table.rows] for table in item.tables)
        for item in read_document(path)
        if isinstance(item, Page)
    }
    outside = {item.page: item.outside_tables for item in read_document(path) if isinstance(item, Page)}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            tables, text = _tables_the_slow_way(page)
            # A merged cell pdfplumber gives as None is an empty Cell here.
            slow = [[[cell or "" for cell in row] for row in table] for table in tables]
            assert list(fast[number]) == slow, number
            assert outside[number] == text, number
