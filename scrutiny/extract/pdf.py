"""PDF pages with pdfplumber."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect

from ..errors import UnreadableDocument
from ..records import Page, Problem
from .tables import read_tables

__all__ = ["read_pdf"]


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


def read_pdf(path: str | Path) -> Iterator[Page | Problem]:
    """Yield each page's text in order, and a Problem for each page with no text layer.

    Raises UnreadableDocument when the file can't be opened as a PDF at all.
    """
    path = Path(path)
    _sniff(path)
    try:
        pdf = pdfplumber.open(path)
    except PDFPasswordIncorrect:
        raise UnreadableDocument(
            f"{path} is password-protected; ask the publisher for an unprotected copy."
        ) from None
    except Exception as error:  # pdfminer raises many kinds, PDFSyntaxError, KeyError, ...
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
        for number, page in enumerate(pages, start=1):
            try:
                text = page.extract_text() or ""
            except Exception as error:
                yield Problem(
                    str(path),
                    "read",
                    f"Page {number} could not be read ({type(error).__name__}: {error}); "
                    "it is kept with no text.",
                    page=number,
                )
                text = ""
            else:
                if not text.strip():
                    yield Problem(
                        str(path),
                        "read",
                        f"Page {number} has no text layer (a scanned image or a blank page); "
                        "it is kept with no text. OCR it to make it searchable.",
                        page=number,
                    )
            tables, outside = (), None
            if text.strip():
                try:
                    tables, outside = read_tables(page, number)
                except Exception as error:  # a page whose tables can't be read keeps its text
                    yield Problem(
                        str(path),
                        "read",
                        f"The tables on page {number} could not be read ({type(error).__name__}: "
                        f"{error}); the page's text is kept.",
                        page=number,
                    )
            # Drop pdfplumber's per-page object cache so long PDFs stream in flat memory.
            page.close()
            yield Page(page=number, text=text, tables=tables, outside_tables=outside)
