"""Extract: read PDF, HTML and text documents into page records, and guess what they are.

pdfplumber's objects stay inside this package; it never imports spaCy or sqlite-utils.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import UnreadableDocument
from ..records import FORMATS, Page, Problem
from .describe import describe
from .html import html_to_text, read_html
from .indicators import indicators
from .minutes import looks_like_minutes, minute_records
from .ocr import OcrPlan
from .pdf import read_pdf
from .text import read_text

__all__ = ["describe", "html_to_text", "indicators", "looks_like_minutes", "minute_records", "read_document"]

_READERS = {"pdf": read_pdf, "html": read_html, "text": read_text}


def read_document(
    path: str | Path, format: str | None = None, ocr: OcrPlan | None = None
) -> Iterator[Page | Problem]:
    """Yield a document's pages in order, with a Problem for any page that could not be read.

    ``format`` is "pdf", "html" or "text"; by default it follows the file's extension.
    ``ocr`` says what to do with PDF pages that have no usable text (default: keep them as
    they are, and report them). Raises UnreadableDocument (with a message saying what to
    do) if the file can't be read.
    """
    path = Path(path)
    format = format or FORMATS.get(path.suffix.lower())
    if format not in _READERS:
        raise UnreadableDocument(f"{path}: scrutiny can't read {path.suffix or 'extensionless'} files.")
    try:
        yield from read_pdf(path, ocr) if format == "pdf" else _READERS[format](path)
    except OSError as error:
        raise UnreadableDocument(f"Could not read {path}: {error.strerror or error}.") from None
