"""The fast PDF paths give the same records as plain pdfplumber (see scrutiny/extract/pdf.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pdfplumber
import pytest

from scrutiny.extract import read_document
from scrutiny.extract.pdf import page_text
from scrutiny.extract.tables import has_rulings
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


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_every_page_with_a_table_is_a_ruled_page(path):
    with pdfplumber.open(path) as pdf:
        with_tables = {n for n, page in enumerate(pdf.pages, 1) if page.find_tables()}
        ruled = {n for n, page in enumerate(pdf.pages, 1) if has_rulings(page)}
    assert with_tables <= ruled


def test_pages_with_rulings_in_seed_000(corpus_pdf):
    # Seed 000 page 1 has the ruled box "Relevant Cabinet Member(s) | Wards Affected | Key
    # Decision"; page 7 the appendix table (A1 Re-referrals); page 6 is prose only
    # ("FINANCIAL IMPLICATIONS ... There are no financial implications") and draws nothing.
    with pdfplumber.open(corpus_pdf("000")) as pdf:
        ruled = {n for n, page in enumerate(pdf.pages, 1) if has_rulings(page)}
    assert {1, 7} <= ruled
    assert 6 not in ruled
