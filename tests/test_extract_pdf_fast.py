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
    """Every bundled PDF, one per distinct content."""
    found: dict[str, Path] = {}
    for path in sorted((REPO / "corpus").rglob("*.pdf")):
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


def _tables_the_slow_way(page, grids: list[bool]) -> tuple[list, str | None]:
    """pdfplumber's own path: its full object list, its "lines" table finder (plus the
    row-closing lines scrutiny adds), ``Table.extract()`` and ``outside_bbox()`` of the
    tables that are grids (``grids``, one flag a table: a ruled box of running text is not)."""
    closing = sorted(
        {round(y, 1) for e in page.edges if e["orientation"] == "v" and e["height"] > 10 for y in (e["top"], e["bottom"])}
    )
    found = page.find_tables({"explicit_horizontal_lines": closing})
    if not found:
        return [], None
    outside = page
    for table, grid in zip(found, grids, strict=True):
        if grid:
            outside = outside.outside_bbox(table.bbox, strict=False)
    return [table.extract() for table in found], outside.extract_text() if any(grids) else None


def _as_ruled(table) -> list[list[str]]:
    """A table's rows as pdfplumber gives them: rows split where one ruled row printed
    several (scrutiny.extract.tables) joined again, cell by cell, line by line."""
    rows: list[list[str]] = []
    for index, row in zip(table.ruled_rows, table.rows, strict=True):
        texts = [cell.text for cell in row]
        if len(rows) == index + 1:
            rows[-1] = [
                "\n".join(part for part in (before, after) if part) for before, after in zip(rows[-1], texts, strict=True)
            ]
        else:
            rows.append(texts)
    return rows


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_tables_equal_pdfplumbers_own_on_every_page(path):
    pages = [item for item in read_document(path) if isinstance(item, Page)]
    # tables set out with whitespace (scrutiny.extract.words) are scrutiny's own: not compared
    fast = {item.page: [_as_ruled(table) for table in item.tables if table.ruled] for item in pages}
    grids = {item.page: [table.grid for table in item.tables if table.ruled] for item in pages}
    outside = {item.page: item.outside_tables for item in pages}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            tables, text = _tables_the_slow_way(page, grids[number])
            # A merged cell pdfplumber gives as None is an empty Cell here.
            slow = [[[cell or "" for cell in row] for row in table] for table in tables]
            assert fast[number] == slow, number
            assert outside[number] == text, number


# --- qpdf's tokeniser (scrutiny.extract.contentstream) --------------------------------

FONT_PAGE = b"BT /F1 12 Tf 72 700 Td (Before) Tj ET "

#: Page contents, each a list of content streams, and whether qpdf's tokens may be used.
#: The first page takes the fast path through most of what content streams hold; each
#: other page holds one thing the two tokenisers read differently, so it must go to pdfminer.
AWKWARD_PAGES = [
    (
        [
            b"BT /F1 12 Tf 72 700 Td (Split a",  # a string cut by the end of a stream
            b"cross streams \\(escaped\\) \\101\\102 \\\r\njoined) Tj 0 -20 Td "
            b"[(Ker) -250 (ning) 120 (!)] TJ 0 -20 Td <4869 2074 6865 7265> Tj "
            b"/F#201 .5 Tf 24. 0 Td +3 Tz -0 Tc (Tiny) Tj ET\r\n"
            b"/P <</MCID 0>> BDC q 1 0 0 1 72 500 cm /Fm1 Do Q EMC % a comment (with a paren\r\n"
            b"72 400 m 300 400 l S 72 300 100 50 re f",
        ],
        True,
    ),
    ([FONT_PAGE + b"q 10 0 0 10 72 600 cm BI /W 2 /H 2 /BPC 8 /CS /G ID \x00\xff\xff\x00 EI Q"], False),
    ([FONT_PAGE + b"BT /F1 12 Tf 72 650 Td (Line\rbreak) Tj ET"], False),  # qpdf: LF
    ([FONT_PAGE + b"BT /F1 12 Tf 72 650 Td (Un\\qknown) Tj ET"], False),  # pdfminer drops "q"
    ([FONT_PAGE + b"BT /F1 12 Tf 72 650 Td <41424> Tj ET"], False),  # odd: "AB\x04" or "AB@"
    ([FONT_PAGE + b"BT /F1 12 Tf 72 650 Td null (Null) Tj 1e5 (Exp) Tj ET"], False),
    ([FONT_PAGE + b"BT /F1 12 Tf 72 650 Td 1 2 ] (Bracket) Tj ET"], False),
]


def _awkward_pdf(target: Path) -> Path:
    import pikepdf
    from pikepdf import Dictionary, Name

    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    )
    form = pikepdf.Stream(pdf, b"BT /F1 10 Tf 0 10 Td (Inside a form) Tj ET 0 0 m 200 0 l S")
    form.Type, form.Subtype, form.BBox = Name.XObject, Name.Form, [0, 0, 200, 50]
    form.Resources = Dictionary(Font=Dictionary(F1=font))
    for streams, _ in AWKWARD_PAGES:
        page = pdf.add_blank_page(page_size=(612, 792))
        page.Resources = Dictionary(Font=Dictionary({"/F1": font, "/F 1": font}), XObject=Dictionary(Fm1=form))
        page.Contents = pikepdf.Array([pdf.make_stream(data) for data in streams])
    pdf.save(target)
    return target


def test_qpdf_tokens_give_pdfminers_characters_or_are_not_used(tmp_path, monkeypatch):
    from pdfminer.pdftypes import list_value, stream_value

    from scrutiny.extract import contentstream
    from scrutiny.extract.pdf import page_objects

    path = _awkward_pdf(tmp_path / "awkward.pdf")
    with pdfplumber.open(path) as pdf:
        for page, (_, fast) in zip(pdf.pages, AWKWARD_PAGES, strict=True):
            data = b"\n".join(stream_value(s).get_data() for s in list_value(page.page_obj.contents))
            assert (contentstream._program(data) is not None) == fast, page.page_number
            with_qpdf = page_objects(page)
            page.close()
            with monkeypatch.context() as patch:
                patch.setattr(contentstream, "layout", lambda page: page.layout)  # pdfminer's own
                with_pdfminer = page_objects(page)
            assert with_qpdf == with_pdfminer, page.page_number
            assert with_qpdf[0], page.page_number  # there are characters to compare
            assert bool(with_qpdf[1]) == (page.page_number == 1)  # and page 1 draws lines
            assert page_text(page) == page.extract_text(), page.page_number
            page.close()
    first = [item.text for item in read_document(path) if isinstance(item, Page)][0]
    # The string cut by the end of a stream (pdfminer puts a line feed there, a glyph this font
    # lacks), the escapes, the kerned TJ, the hex string and the form
    assert "Split a(cid:10)cross streams (escaped) AB joined" in first
    assert "Kerning!" in first.replace(" ", "") and "Hi there" in first and "Inside a form" in first


@pytest.mark.parametrize(
    "data",
    [b"(\\777) Tj", b"/F\xe9 1 Tf", b"(unclosed Tj", b"<41 4G> Tj", b"1234567890123456789012 Tz", b"/A <</B null>> BDC"],
)
def test_streams_qpdf_might_read_differently_are_left_to_pdfminer(data):
    from scrutiny.extract.contentstream import _program

    assert _program(data) is None


@pytest.mark.parametrize(
    "data", [b"q\r\nQ", b"% (a comment\r\nq Q", b"(a\\(b) Tj\r\n", b"<</MCID 3>> BDC EMC", b"[<4142> 5] TJ"]
)
def test_carriage_returns_and_brackets_outside_strings_keep_the_fast_path(data):
    from scrutiny.extract.contentstream import _program

    assert _program(data) is not None
