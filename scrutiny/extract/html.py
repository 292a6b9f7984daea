"""HTML documents (ModernGov agenda-item and minutes pages) as one page of text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bs4 import BeautifulSoup

from ..records import Page
from .text import decode

__all__ = ["html_to_text", "read_html"]

_BLANK_RUNS = re.compile(r"\n\s*\n+")


def html_to_text(html: str) -> str:
    """The visible text of an HTML document, one block per line."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    text = soup.get_text("\n")
    lines = (" ".join(line.split()) for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def read_html(path: str | Path) -> Iterator[Page]:
    """Yield the page's visible text as page 1."""
    yield Page(page=1, text=html_to_text(decode(Path(path))))
