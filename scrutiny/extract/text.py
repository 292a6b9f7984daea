"""Plain-text documents; a form feed starts a new page."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..errors import UnreadableDocument
from ..records import Page

__all__ = ["decode", "read_text"]


def decode(path: Path) -> str:
    """A text file's contents: UTF-8 (with or without BOM), else Windows-1252, as councils' exports are."""
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableDocument(f"{path} is empty; there is nothing to read.")
    if b"\x00" in data[:65536]:
        raise UnreadableDocument(
            f"{path} contains binary data (NUL bytes), so it is not a text document; "
            "check the file and its extension."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise UnreadableDocument(
                f"{path} is neither UTF-8 nor Windows-1252 text ({error.reason} at byte "
                f"{error.start}); re-save it as UTF-8."
            ) from None


def read_text(path: str | Path) -> Iterator[Page]:
    """Yield one Page per form-feed-separated section (one page if there are none)."""
    sections = decode(Path(path)).split("\f")
    if len(sections) > 1 and not sections[-1].strip():
        sections.pop()  # a trailing form feed ends the last page; it does not start a new one
    for number, text in enumerate(sections, start=1):
        yield Page(page=number, text=text.strip("\n"))
