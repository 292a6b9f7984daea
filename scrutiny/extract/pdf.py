"""PDF pages: text exactly as pdfplumber's ``extract_text()`` gives it, read faster.

Three speed-ups, each chosen so the pages the catalogue stores are the same whichever
path produced them:

- The page's content stream is tokenised by qpdf (pikepdf, C++) instead of pdfminer's
  Python tokeniser, and run by pdfminer's own interpreter (``contentstream.layout()``):
  the same layout objects in about two thirds of the time. Streams the two tokenisers
  could read differently go to pdfminer's (see scrutiny/extract/contentstream.py).
- ``page_objects()`` walks that parse (what pdfplumber's ``page.layout`` holds) once and
  ``text_of()`` lays the characters out with pdfplumber's own code
  (``utils.chars_to_textmap``), but only the few character attributes that layout reads
  are built, instead of pdfplumber's full dict of ~25 resolved attributes per character
  (``page_text()`` does both). Same characters, same layout code, same string; about 35%
  less time.
  ``tests/test_extract_pdf_fast.py`` checks it equals ``extract_text()`` on every page
  of the bundled and shared corpora.
- Tables are found with pdfplumber's table finder, given the page's rulings and characters
  from the same slim walk of the parsed layout (``page_objects()``), so pdfplumber's full
  object list is never built. ``tests/test_extract_pdf_fast.py`` checks the cells equal
  what ``page.find_tables().extract()`` gives on every page.

A page with no usable text layer (a scan, or ``(cid:NN)`` from a font with no Unicode map)
is handed to scrutiny.extract.ocr, which renders it and reads it with Tesseract into the
same characters and rulings, so everything below reads it as it reads a text layer.

pypdfium2 (~30x faster than pdfplumber) is not used for text: on all 143 bundled pages its
text differs from pdfplumber's (``\\r\\n`` line ends, running headers first, other spacing),
and the stored pages must be the same however they were read. Its characters laid out by
pdfplumber's own code come closer (136 of 143 pages equal) but pdfium turns the PDF's space
glyphs into generated spaces it also adds elsewhere, so which are real can't be known
(benchmarks/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..errors import UnreadableDocument
from ..records import Page, Problem
from .grids import grid
from .ocr import OcrPlan, PageReader
from .tables import read_tables
from .words import aligned_tables, blocks, page_words, words_outside

__all__ = ["page_objects", "page_text", "read_pdf", "text_of"]


def _sniff(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head:
        raise UnreadableDocument(f"{path} is empty (0 bytes); download it again.")
    if b"%PDF-" not in head:
        if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
            raise UnreadableDocument(
                f"{path} is an HTML page saved with a .pdf name (often a login or error page "
                "served instead of the document); download the document again."
            )
        raise UnreadableDocument(f"{path} is not a PDF (no %PDF header); check what the file is.")


def page_objects(page: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The page's characters and its drawn lines, boxes and curves, computed as
    ``pdfplumber.Page.process_object`` computes them but with just the attributes that
    pdfplumber's text layout and table finder read (and each character's font, which
    tells italics apart)."""
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect

    from .contentstream import layout

    height = page.height
    mb_x0, mb_top = page.mediabox[:2]
    initial_doctop = page.initial_doctop
    unicode_norm = page.pdf.unicode_norm
    chars: list[dict[str, Any]] = []
    rulings: list[dict[str, Any]] = []

    def box(obj: Any) -> dict[str, Any]:
        top = (height - obj.y1) + mb_top
        return {
            "x0": obj.x0 + mb_x0,
            "x1": obj.x1 + mb_x0,
            "y0": obj.y0,
            "y1": obj.y1,
            "top": top,
            "bottom": (height - obj.y0) + mb_top,
            "doctop": initial_doctop + top,
            "width": obj.width,
            "height": obj.height,
        }

    def walk(objects: list) -> None:
        for obj in objects:
            if isinstance(obj, LTChar):
                text = obj.get_text()
                if unicode_norm is not None:
                    import unicodedata

                    text = unicodedata.normalize(unicode_norm, text)
                top = (height - obj.y1) + mb_top
                chars.append(
                    {
                        "text": text,
                        "x0": obj.x0 + mb_x0,
                        "x1": obj.x1 + mb_x0,
                        "top": top,
                        "bottom": (height - obj.y0) + mb_top,
                        "doctop": initial_doctop + top,
                        "upright": obj.upright,
                        "fontname": obj.fontname,
                    }
                )
            elif isinstance(obj, LTCurve):
                ruling = box(obj)
                # the fill colour tells a scorecard's RAG cells apart (scrutiny.extract.tables)
                ruling["fill"] = obj.fill
                ruling["non_stroking_color"] = obj.non_stroking_color
                if isinstance(obj, LTRect):
                    ruling["object_type"] = "rect"
                elif isinstance(obj, LTLine):
                    ruling["object_type"] = "line"
                else:
                    ruling["object_type"] = "curve"
                    ruling["pts"] = [(x + mb_x0, (height - y) + mb_top) for x, y in obj.pts]
                rulings.append(ruling)
            elif isinstance(obj, LTContainer):  # a form XObject (LTFigure): pdfplumber reads inside
                walk(obj._objs)

    walk(layout(page)._objs)
    return chars, rulings


def text_of(chars: list[dict[str, Any]], page: Any) -> str:
    """Text laid out from characters as ``page.extract_text()`` lays out a page's."""
    from pdfplumber import utils

    return utils.chars_to_textmap(
        chars,
        layout_bbox=page.bbox,
        layout_width=page.width,
        layout_height=page.height,
    ).as_string


def page_text(page: Any) -> str:
    """A pdfplumber page's text, equal to ``page.extract_text()`` with default settings."""
    return text_of(page_objects(page)[0], page)


def read_pdf(path: str | Path, ocr: OcrPlan | None = None) -> Iterator[Page | Problem]:
    """Yield each page's text in order, and a Problem for each page that could not be read.

    A page with no usable text layer (a scan, or ``(cid:NN)`` garbage) is read by OCR when
    ``ocr`` says to now (scrutiny.extract.ocr); otherwise it is kept with the text it has
    and reported. Raises UnreadableDocument when the file can't be opened as a PDF at all.
    """
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    path = Path(path)
    _sniff(path)
    try:
        pdf = pdfplumber.open(path)
    except Exception as wrapped:  # pdfminer raises many kinds, PDFSyntaxError, KeyError, ...
        # pdfplumber wraps pdfminer's error in a PdfminerException: name the real one.
        error = wrapped.args[0] if wrapped.args and isinstance(wrapped.args[0], BaseException) else wrapped
        if isinstance(error, PDFPasswordIncorrect):
            raise UnreadableDocument(
                f"{path} is password-protected; ask the publisher for an unprotected copy."
            ) from None
        if isinstance(error, MemoryError):
            raise error from None
        raise UnreadableDocument(
            f"{path} could not be opened as a PDF ({type(error).__name__}: {error}); "
            "it may be truncated or damaged, so download it again."
        ) from None
    with pdf:
        try:
            pages = pdf.pages
        except Exception as error:
            raise UnreadableDocument(
                f"{path}: the PDF's page list is damaged ({type(error).__name__}: {error})."
            ) from None
        if not pages:
            raise UnreadableDocument(f"{path} is a PDF with no pages.")
        reader = PageReader(path, ocr)
        for number, page in enumerate(pages, start=1):
            chars: list[dict[str, Any]] = []
            rulings: list[dict[str, Any]] = []
            unreadable = False
            try:
                chars, rulings = page_objects(page)
                text = text_of(chars, page)
            except MemoryError:
                raise
            except Exception as error:
                yield Problem(
                    str(path),
                    "read",
                    f"Page {number} could not be read ({type(error).__name__}: {error}); "
                    "it is kept with no text.",
                    page=number,
                )
                text, unreadable = "", True
            # This page has no usable text (or --ocr always): OCR it, or say why it wasn't.
            ocr_page = reader.page(number, page, text, unreadable)
            yield from ocr_page.problems
            if ocr_page.reading is not None:
                chars, rulings = ocr_page.reading.chars, ocr_page.reading.rulings
                text = text_of(chars, page) if chars else ""
            tables, outside, columns = (), None, ()
            if text.strip():
                words = page_words(chars)
                try:
                    tables, outside = read_tables(page, number, chars, rulings, words)
                except Exception as error:  # a page whose tables can't be read keeps its text
                    yield Problem(
                        str(path),
                        "read",
                        f"The tables on page {number} could not be read ({type(error).__name__}: "
                        f"{error}); the page's text is kept.",
                        page=number,
                    )
                try:
                    # text set in columns, read column by column (the tables of numbers left out:
                    # a slide's frame drawn as one big table is no table of numbers)
                    # tables set out with whitespace, outside the ruled ones
                    tables = (*tables, *aligned_tables(words_outside(words, [t.bbox for t in tables]), number))
                    numeric = [t.bbox for i, t in enumerate(tables, 1) if grid(t, i) is not None]
                    columns = blocks(words_outside(words, numeric))
                except Exception as error:  # a page whose words can't be placed is read as one text
                    yield Problem(
                        str(path),
                        "read",
                        f"The columns of page {number} could not be told apart ({type(error).__name__}: "
                        f"{error}); its text is read line by line across the page.",
                        page=number,
                    )
            # Drop pdfplumber's per-page object cache so long PDFs stream in flat memory.
            page.close()
            yield Page(page=number, text=text, tables=tables, outside_tables=outside, blocks=columns, **ocr_page.fields)
        reader.close()
