"""Guess what a document is from its first page: title, kind, committee, meeting date, authority.

Used when no manifest says so. Each guess is left as None rather than made up when the
first page does not show it; a manifest entry always wins over a guess.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from dateutil import parser as dateparser

from ..authorities import recognise_authority
from ..records import DocumentFacts, Page

__all__ = ["describe"]

_HEAD_LINES = 15  # where covers print the committee, the date and the title

#: A month's name or abbreviation, as papers print them (also read by indicators.py).
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# "27th September, 2016", "4th March, 2025", "9 January 2025": a full date with a day.
_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\.?,?\s+(?:19|20)\d\d\b")

_COMMITTEE_WORD = r"(?:Panel|Committee|Sub-Committee|Commission|Cabinet|Board|Forum)"
# "MINUTES of a meeting of the Cabinet held in ..." (Kent Cabinet minutes, page 1)
_MEETING_OF = re.compile(rf"meeting of (?:the )?(?P<name>[^,.]*?{_COMMITTEE_WORD})\b", re.I)
# "To: Cabinet – 4 March 2025" (Kent QPR cover report, page 1)
_TO_LINE = re.compile(rf"^To:\s*(?P<name>.*?{_COMMITTEE_WORD})\b", re.I)
# A line that is a committee's name, perhaps with a date: "CORPORATE PARENTING PANEL– 29 October
# 2024", "Improving Lives Select Commission 22nd March 2017" (Rotherham report, page 1).
_NAME_LINE = re.compile(rf"^(?P<name>(?:[\w’'&,-]+\s+){{0,9}}{_COMMITTEE_WORD})$", re.I)
_NOT_A_COMMITTEE = re.compile(r"\bCabinet Member\b|\bTrust Board\b", re.I)
_BOILERPLATE = re.compile(r"^(?:To the Chair and Members of(?: the)?|Report to(?: the)?)\s*", re.I)

_LABELLED_TITLE = re.compile(r"^(?:Report\s+)?(?:Title|Subject)\s*:\s*(?P<title>\S.+)$", re.I)
_NOT_A_TITLE = re.compile(
    r"^(?:To|From|Dear|Date|Tel|Contact|E-?mail|Ask for|Decision No|Classification|Page)\b|^Agenda item$",
    re.I,
)
_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "to", "a", "with"}
_CONTINUES = re.compile(r"\b(?:of|and|the|for|in|on|to|with|Metropolitan|County|City|Borough)$")


def clean_line(line: str) -> str:
    """A line as text: the seed PDFs' literal ``**`` bold markers dropped, whitespace collapsed."""
    return " ".join(line.replace("**", "").split())


def _head(pages: Sequence[Page]) -> list[str]:
    for page in pages:
        lines = [clean_line(line) for line in page.text.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            return lines[:_HEAD_LINES]
    return []


def _tidy_case(text: str) -> str:
    """Headings printed in capitals ("CORPORATE PARENTING PANEL") read better in title case."""
    if not text.isupper():
        return text
    words = text.lower().split()
    return " ".join(
        w if (i and w in _SMALL_WORDS) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def _kind(head: list[str], filename: str, text: str) -> str:
    if any(re.match(r"minutes\b", line, re.I) for line in head[:6]):
        return "minutes"
    if any(line.lower() == "agenda" for line in head[:3]):
        return "agenda"
    name = filename.lower()
    if "minutes" in name:
        return "minutes"
    if "agenda" in name:
        return "agenda"
    if any(line.startswith("Dear ") for line in text.splitlines()[:60]):
        return "letter"
    if any("inspection" in line.lower() for line in head[:4]) and re.search(
        r"\bOfsted\b|\binspector\b", text, re.I
    ):
        return "inspection"
    return "report"


def _meeting_date(head: list[str]) -> str | None:
    for line in head:
        match = _DATE.search(line)
        if match:
            try:
                return dateparser.parse(match.group(0), dayfirst=True).date().isoformat()
            except (ValueError, OverflowError):
                continue
    return None


def _committee(head: list[str]) -> str | None:
    joined = " ".join(head)
    match = _MEETING_OF.search(joined)
    if match:
        return _tidy_case(match.group("name"))
    for line in head:
        if _NOT_A_COMMITTEE.search(line):
            continue
        match = _TO_LINE.match(line)
        if match:
            return _tidy_case(match.group("name"))
        bare = _BOILERPLATE.sub("", _DATE.sub("", line)).strip(" –-:,")
        match = _NAME_LINE.match(bare)
        if match:
            return _tidy_case(match.group("name"))
    return None


def _title(head: list[str], kind: str, committee: str | None, meeting_date: str | None) -> str | None:
    for i, line in enumerate(head):
        match = _LABELLED_TITLE.match(line)
        if match:
            return match.group("title")
        if line.lower() == "title" and i + 1 < len(head):
            return head[i + 1]
    if head[:1] == ["Agenda item"] and len(head) > 1:
        return head[1]  # a ModernGov agenda-item page: the item's title comes next
    if kind in ("minutes", "agenda") and committee:
        on = f" on {meeting_date}" if meeting_date else ""
        return f"{kind.capitalize()}: {committee}{on}"
    for i, line in enumerate(head):
        words = line.split()
        if (
            len(words) < 3
            or _NOT_A_TITLE.match(line)
            or len(_DATE.sub("", line)) < 0.5 * len(line)  # a date line, not a title with a date in it
            or (committee and committee.lower() in line.lower())
            or sum(c.isalpha() for c in line) < 0.6 * len(line)
        ):
            continue
        if kind == "letter" and i < 8 and not re.search(r"report|review|update|annual", line, re.I):
            continue  # the addressee's name and address block
        # A title wrapped over two lines: "Inspection of Doncaster Metropolitan" / "Borough Council ..."
        if i + 1 < len(head) and (line.count("(") > line.count(")") or _CONTINUES.search(line)):
            line = f"{line} {head[i + 1]}"
        return _tidy_case(line)
    return None


def describe(pages: Sequence[Page], filename: str) -> DocumentFacts:
    """Best guesses at a document's title, kind, committee, meeting date and authority."""
    head = _head(pages)
    text = "\n".join(page.text for page in pages[:3])
    kind = _kind(head, Path(filename).name, text)
    meeting = kind in ("report", "minutes", "agenda")
    committee = _committee(head) if meeting else None
    meeting_date = _meeting_date(head) if meeting else None
    return DocumentFacts(
        title=_title(head, kind, committee, meeting_date) or Path(filename).stem,
        kind=kind,
        committee=committee,
        meeting_date=meeting_date,
        authority=recognise_authority(text),
    )
