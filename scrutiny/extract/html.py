"""HTML documents (ModernGov agenda-item and minutes pages) as one page of text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from ..records import Page
from .text import decode, pages_of

__all__ = ["html_to_text", "read_html"]

_BLOCKS = [
    "address", "article", "blockquote", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
]


def html_to_text(html: str) -> str:
    """The visible text of an HTML document, a line per block, whitespace collapsed as a browser would.

    ModernGov minutes wrap lines inside paragraphs ("held on\n25 November 2025"): those line
    breaks are spaces, while paragraphs, list items, table rows and <br> start new lines.
    """
    # bs4 is imported here, not at import: a build of PDFs alone never loads it.
    from bs4 import BeautifulSoup
    from bs4.element import CData, PreformattedString

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head"]):
        hidden.decompose()
    for string in soup.find_all(string=True):
        # "<!DOCTYPE html>" and Word's "<!--[if gte mso 9]>...<![endif]-->" are not text; left in,
        # the whitespace pass below would turn them into visible strings ("html").
        if isinstance(string, PreformattedString) and not isinstance(string, CData):
            string.extract()
        elif not string.find_parent("pre"):
            string.replace_with(re.sub(r"\s+", " ", string))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    # One line per block and no blank lines, like the text pdfplumber gives for a PDF page.
    return "\n".join(line for line in (raw.strip() for raw in soup.get_text().splitlines()) if line)


def read_html(path: str | Path) -> Iterator[Page]:
    """Yield the page's visible text as page 1, or as pages of at most ``PAGE_CHARS``
    characters when it is longer (``scrutiny.extract.text.pages_of``). The encoding is the
    one its byte-order mark or ``<meta charset>`` gives, else detected (``decode``)."""
    yield from pages_of([html_to_text(decode(Path(path), html=True))])
