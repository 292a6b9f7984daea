"""Reading real PDFs, ModernGov HTML and text into pages; refusing broken files with clear errors."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from scrutiny.errors import UnreadableDocument
from scrutiny.extract import html_to_text, read_document
from scrutiny.records import Page, Problem

FIXTURES = Path(__file__).parent / "fixtures"


def pages_of(path) -> list[Page]:
    return [item for item in read_document(path) if isinstance(item, Page)]


def test_pdf_pages_carry_the_text_printed_on_them(corpus_pdf):
    pages = pages_of(corpus_pdf("000"))
    assert len(pages) == 17
    assert pages[0].page == 1 and pages[0].text.startswith("27th September, 2016")
    # Read off page 7 of the PDF: the appendix table header, its first measure, the footer.
    assert "Measure DMBC Comment Trust Response" in pages[6].text
    assert "A1 Re-referrals" in pages[6].text
    assert pages[6].text.rstrip().endswith("Page 7")
    assert all(page.text.strip() for page in pages)


def test_kent_minutes_pdf(corpus_pdf):
    pages = pages_of(corpus_pdf("kcc_corporate_parenting_panel"))
    assert len(pages) == 9
    assert pages[0].text.startswith("CORPORATE PARENTING PANEL– 29 October 2024")


def test_moderngov_minutes_html_body():
    # The minutes of an agenda item as a ModernGov GetMeeting response carries them.
    meeting = ElementTree.parse(FIXTURES / "moderngov" / "meeting_with_minutes.xml").getroot()
    body = meeting.find(".//agendaitem/minutesnonemptyhtmlbody").text
    assert "<p" in body  # it really is HTML
    text = html_to_text(body)
    assert text == "To approve the minutes of the meeting held on 25 November 2025 as a correct record."


def test_text_document_pages_split_on_form_feeds(tmp_path):
    seed = (FIXTURES / "seeds" / "004_4b7e043a54d74d09.txt").read_text(encoding="utf-8")
    path = tmp_path / "minutes.txt"
    path.write_text(seed + "\f", encoding="utf-8")
    pages = pages_of(path)
    assert len(pages) == 1  # a trailing form feed ends the page; it does not start another
    assert "RESOLVED that:" in pages[0].text
    path.write_text("first\fsecond", encoding="utf-8")
    assert [(p.page, p.text) for p in pages_of(path)] == [(1, "first"), (2, "second")]


def test_windows_1252_text_is_decoded(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Children’s Services – £000s".encode("cp1252"))
    assert pages_of(path)[0].text == "Children’s Services – £000s"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.pdf", b"", "is empty"),
        ("error.pdf", b"<!DOCTYPE html><html><body>404</body></html>", "HTML page saved with a .pdf name"),
        ("random.pdf", bytes(range(256)) * 8, "not a PDF"),
        ("junk.txt", b"\x00\x01\x02PK\x03\x04" * 100, "binary data"),
        ("blank.txt", b"   \n", "is empty"),
    ],
)
def test_unreadable_files_raise_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument, match=message):
        list(read_document(path))


def test_truncated_pdf_is_unreadable(tmp_path, corpus_pdf):
    path = tmp_path / "truncated.pdf"
    path.write_bytes(corpus_pdf("002").read_bytes()[:4000])
    with pytest.raises(UnreadableDocument, match="download it again"):
        list(read_document(path))


def test_page_without_text_layer_is_kept_and_reported(tmp_path):
    # A one-page PDF with no text at all, as a scanned page without OCR looks to a reader.
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(595, 842)
    path = tmp_path / "scanned.pdf"
    pdf.save(path)
    pdf.close()
    items = list(read_document(path))
    assert [type(item) for item in items] == [Problem, Page]
    assert items[1] == Page(page=1, text="", text_layer="none")
    assert items[0].page == 1 and "no text layer" in items[0].error
    assert "--ocr auto" in items[0].error  # read_document alone does not OCR: it says how


def test_html_blocks_become_lines_and_inline_text_stays_together():
    html = (
        "<div><p>RESOLVED that:</p><ol><li>the focus of <b>joint improvement</b> work\n"
        "be noted; and</li><li>a briefing note be provided.</li></ol>"
        "<table><tr><td>A1</td><td>24%</td></tr></table>Line one<br>Line two</div>"
    )
    # An ordered list's items carry the numbers a browser shows (issue 15: minutes number their
    # items and parts so).
    assert html_to_text(html).splitlines() == [
        "RESOLVED that:",
        "1. the focus of joint improvement work be noted; and",
        "2. a briefing note be provided.",
        "A1 24%",
        "Line one",
        "Line two",
    ]
