"""Plain-text documents; a form feed starts a new page, and long text is paged as a PDF is.

Also the decoding that HTML documents share: a byte-order mark, UTF-8, a charset the HTML
declares, Windows-1252 (as councils' exports are), else what charset-normalizer finds; and
the check that the result is text at all, not binary data with a .txt or .html name.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Iterator

from ..errors import UnreadableDocument
from ..records import Page

__all__ = ["PAGE_CHARS", "decode", "decode_bytes", "pages_of", "read_text"]

#: The most characters a page of a text or HTML document holds: long text is cut into pages
#: of at most this many (at a blank line, else a line break, else a space), as a PDF is paged.
#: A printed A4 page holds 3,000-6,000; full-text search's snippet() takes time that grows
#: with the square of a page's length (1 MB: about a second a row), so pages must be bounded.
PAGE_CHARS = 20_000

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="shift_jis">, <meta http-equiv="Content-Type" content="text/html; charset=...">,
# <?xml version="1.0" encoding="..."?>: read from the first few KB, as a browser does.
_DECLARED = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.I)
# Characters no text document is made of: C0 controls but tab, line breaks and form feed;
# DEL and the C1 controls; the replacement character a bad decoding leaves.
_NOT_TEXT = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")
_NOT_TEXT_SHARE = 0.01


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with no byte-order mark: mostly-ASCII text has a NUL in every other byte."""
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros and zeros.count(0) > 0.6 * len(zeros):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def _declared(data: bytes) -> str | None:
    match = _DECLARED.search(data[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _mostly_ascii(text: str) -> bool:
    """Western text decoded as Windows-1252 is mostly ASCII; CJK text misread as it is not."""
    letters = [c for c in text[:65536] if not c.isspace()]
    return sum(ord(c) > 127 for c in letters) <= 0.2 * max(len(letters), 1)


def _guess(data: bytes) -> str | None:
    """charset-normalizer's reading of bytes that are neither UTF-8 nor mostly-ASCII Windows-1252
    (Shift_JIS, GB18030, KOI8-R, ...), if it is a confident one."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is None or best.chaos > 0.2:
        return None
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, path: Path, *, html: bool = False) -> str:
    """A text or HTML file's contents as text, or UnreadableDocument saying why they aren't text.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without one; UTF-8; for
    HTML, the charset its ``<meta>`` declares; Windows-1252 when that gives mostly ASCII
    (councils' exports: "£", "’"); else charset-normalizer's confident guess.
    """
    if not data.strip():
        raise UnreadableDocument(f"{path} is empty; there is nothing to read.")
    text = next((data[len(bom):].decode(codec, "replace") for bom, codec in _BOMS if data.startswith(bom)), None)
    if text is None and b"\x00" in data[:65536]:
        text = _utf16_without_bom(data)
        if text is None:
            raise UnreadableDocument(
                f"{path} contains binary data (NUL bytes), so it is not a text document; "
                "check the file and its extension."
            )
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if text is None and html and (declared := _declared(data)):
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            pass
    western = None
    if text is None:
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        if western is not None and _mostly_ascii(western):
            text = western
    if text is None:
        text = _guess(data) or western
    if text is None:
        raise UnreadableDocument(
            f"{path} is not text in any encoding scrutiny recognises (not UTF-8, UTF-16 or "
            "Windows-1252); if it is text, re-save it as UTF-8."
        )
    odd = len(_NOT_TEXT.findall(text))
    if odd > _NOT_TEXT_SHARE * len(text):
        raise UnreadableDocument(
            f"{path} is not a text document: {odd:,} of its {len(text):,} characters are control "
            "characters or undecodable bytes (binary data?); check the file and its extension."
        )
    return text


def decode(path: Path, *, html: bool = False) -> str:
    """A text or HTML file's contents as text (see ``decode_bytes``)."""
    return decode_bytes(path.read_bytes(), path, html=html)


def _cut(text: str, limit: int) -> int:
    """Where to end a page of ``text`` that is too long: the last blank line, line break or
    space in the second half of the first ``limit`` characters, else at ``limit``."""
    window = text[:limit]
    for mark in ("\n\n", "\n", " "):
        at = window.rfind(mark, limit // 2)
        if at != -1:
            return at + len(mark)
    return limit


def pages_of(sections: list[str], limit: int = PAGE_CHARS) -> Iterator[Page]:
    """Pages numbered from 1, one per section, a section longer than ``limit`` characters
    cut into several. The text is kept as written, but for line breaks at a page's edges."""
    number = 0
    for section in sections:
        rest = section.strip("\n")
        while True:
            number += 1
            if len(rest) <= limit:
                yield Page(page=number, text=rest)
                break
            cut = _cut(rest, limit)
            yield Page(page=number, text=rest[:cut].rstrip("\n"))
            rest = rest[cut:].lstrip("\n")


def read_text(path: str | Path) -> Iterator[Page]:
    """Yield one Page per form-feed-separated section (one page if there are none), a
    section longer than ``PAGE_CHARS`` cut into pages of at most that many characters."""
    sections = decode(Path(path)).split("\f")
    if len(sections) > 1 and not sections[-1].strip():
        sections.pop()  # a trailing form feed ends the last page; it does not start a new one
    yield from pages_of(sections)
