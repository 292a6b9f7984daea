"""HTML documents (ModernGov agenda-item and minutes pages) as one page of text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

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
    for listing in soup.find_all("ol"):
        # A browser numbers an ordered list's items; minutes number their items so ("<ol
        # class="minute-matters"><li><h4>WELCOME AND APOLOGIES</h4>": a community council's minutes
        # page): the numbers are text a reader sees.
        number = _list_start(listing)
        for item in listing.find_all("li", recursive=False):
            label = f"{_list_label(number, listing.get('type'))}. "
            # Into the item's heading when the item opens with one: "<li><h4>RISK ASSESSMENT</h4>".
            first = next((child for child in item.children if not (isinstance(child, str) and not child.strip())), None)
            target = first if getattr(first, "name", None) in _HEADINGS else item
            target.insert(0, label)
            number += 1
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" ")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    # One line per block and no blank lines, like the text pdfplumber gives for a PDF page.
    text = "\n".join(line for line in (raw.strip() for raw in soup.get_text().splitlines()) if line)
    # ModernGov's web service sends titles already escaped inside its XML ("Leader and Cabinet
    # Members&#39; Question Time", Gloucester GetMeeting 7837, item 54): escaped twice by the time
    # a page shows them. An entity still in the visible text is one of those.
    return _ESCAPED_TWICE.sub(lambda match: unescape(match.group(0)), text)


_ESCAPED_TWICE = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|quot|apos|lt|gt|nbsp);")


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "b"}


def _list_start(listing) -> int:
    try:
        return int(listing.get("start", 1))
    except ValueError:
        return 1


def _list_label(number: int, kind: str | None) -> str:
    """An ordered list item's number as a browser shows it: 3, c, C, iii or III."""
    if kind in ("a", "A") and 1 <= number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if kind == "A" else letter
    if kind in ("i", "I") and 1 <= number <= 39:
        tens, units = divmod(number, 10)
        roman = "x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][units]
        return roman.upper() if kind == "I" else roman
    return str(number)


def read_html(path: str | Path) -> Iterator[Page]:
    """Yield the page's visible text as page 1, or as pages of at most ``PAGE_CHARS``
    characters when it is longer (``scrutiny.extract.text.pages_of``). The encoding is the
    one its byte-order mark or ``<meta charset>`` gives, else detected (``decode``)."""
    yield from pages_of([html_to_text(decode(Path(path), html=True))])
