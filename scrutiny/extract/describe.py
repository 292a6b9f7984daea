"""Guess what a document is from its first pages: title, kind, committee, meeting date, authority.

Used when no manifest says so. Each guess is left as None rather than made up when the first
pages do not show it; a manifest entry always wins over a guess. The header forms papers use
(``Committee Date``, ``REPORT TO:``, ``Subject:``, "A meeting of ... will be held") are data:
``scrutiny/data/document_headers.yml``.

The authority is, in order: a town, parish or community council that names itself in the first
lines; the council whose own name heads (or foots) the pages ("KENT COUNTY COUNCIL"); else the
authority the text names most (``scrutiny.authorities.recognise_authority``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path

from dateutil import parser as dateparser

from ..authorities import is_council_name, local_council, publisher, recognise_authority
from ..records import DocumentFacts, Page
from ..vocab import vocabulary

__all__ = ["describe"]

_HEAD_LINES = 20  # where covers print the committee, the date and the title

#: A month's name or abbreviation, as papers print them (also read by indicators.py).
MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# "27th September, 2016", "4th March, 2025", "9 January 2025", "14TH FEBRUARY 2023" (Caerphilly),
# "3 rd September 2019" (Newbiggin: the ordinal split from the day): a full date with a day.
_DATE = re.compile(rf"\b\d{{1,2}}\s?(?:st|nd|rd|th)?\s+(?i:{MONTH})\.?,?\s+(?:19|20)\d\d\b", re.IGNORECASE)
_DAY = re.compile(r"\b(\d{1,2})\s?(?:st|nd|rd|th)\b", re.IGNORECASE)

_NOT_A_COMMITTEE = re.compile(r"\bCabinet Member\b|\bTrust Board\b|\bCabinet Councillor\b", re.IGNORECASE)
_BOILERPLATE = re.compile(r"^(?:To the Chair and Members of(?: the)?|Report to(?: the)?)\s*", re.IGNORECASE)
_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "to", "a", "with", "at", "by", "or"}
_CONTINUES = re.compile(r"\b(?:of|and|the|for|in|on|to|with|Metropolitan|County|City|Borough|–|-)$")
_ADDRESS = re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]?\s+\d[A-Z]{2}\b")  # a postcode: "CF47 8AN"


def clean_line(line: str) -> str:
    """A line as text: the seed PDFs' literal ``**`` bold markers dropped, whitespace collapsed."""
    return " ".join(line.replace("**", "").split())


def _words(key: str) -> list[str]:
    return vocabulary("document_headers")[key]


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    body = rf"(?:{_alternation(_words('committee_words'))})"
    name = rf"(?:[\w’'&,-]+\s+){{0,9}}?{body}"
    return {
        # "MINUTES of a meeting of the Cabinet held in ..." (Kent Cabinet minutes, page 1)
        "meeting_of": re.compile(rf"meeting of (?:the )?(?P<name>[^,.]*?{body})\b", re.IGNORECASE),
        # "To: Cabinet – 4 March 2025" (Kent QPR cover report), "To: County Council – 13 March 2025",
        # "To Cabinet": the committee; not "To: Chairman, Ladies and Gentlemen" (Merthyr Tydfil).
        "to_line": re.compile(rf"^(?i:to):?\s+(?:the\s+)?(?P<name>(?:(?:[A-Z][\w’'&,-]*|and|of|for|&)\s+){{0,8}}?(?i:{body}))\b"),
        # "Committee Division Cabinet" (Merthyr Tydfil), "REPORT TO: Cabinet"
        "labelled": re.compile(
            rf"^(?:{_alternation(_words('committee_labels'))})\s*:?\s+(?!Date\b)(?P<name>{name})\b\s*(?:[-–:,].*)?$",
            re.IGNORECASE,
        ),
        # "CABINET MEETING: 10 NOVEMBER 2016" (Cardiff)
        "meeting_line": re.compile(rf"^(?P<name>{name})\s+MEETING\b", re.IGNORECASE),
        # A line that is a committee's name, perhaps with a date: "CORPORATE PARENTING PANEL– 29 October
        # 2024", "Improving Lives Select Commission 22nd March 2017" (Rotherham report, page 1).
        "name_line": re.compile(rf"^(?P<name>{name})$", re.IGNORECASE),
        # "The purpose of the report is to update Cabinet on ..." (Merthyr Tydfil, 24 October 2012)
        "purpose": re.compile(
            rf"\b(?i:to (?:update|inform|advise|seek approval from|seek the approval of|ask)) (?:the )?"
            rf"(?P<name>(?:[A-Z][\w’'&-]*\s+){{0,5}}?{body})\b"
        ),
        "date_label": re.compile(rf"^(?:{_alternation(_words('date_labels'))})\b\s*:?", re.IGNORECASE),
        "not_meeting_date": re.compile(rf"^(?:{_alternation(_words('not_meeting_dates'))})\b", re.IGNORECASE),
        "title_label": re.compile(rf"^(?:Report\s+)?(?:{_alternation(_words('title_labels'))})\s*:\s*(?P<title>\S.+)$"),
        "not_title": re.compile(rf"^(?:{_alternation(_words('not_titles'))})\b", re.IGNORECASE),
        "document_type": re.compile(
            rf"^(?:[\w’'&-]+\s+)?(?:{_alternation(_words('document_types'))})$"
        ),
        "agenda_cue": re.compile(_alternation(_words("agenda_cues"))),
    }


def _head(pages: Sequence[Page]) -> list[str]:
    for page in pages:
        lines = [clean_line(line) for line in page.text.splitlines()]
        lines = [line for line in lines if line]
        if lines:
            return lines[:_HEAD_LINES]
    return []


def _edges(pages: Sequence[Page]) -> list[str]:
    """The first lines of the first page, then the last lines of each page: where a council prints
    its own name (a header, a logo's text, a footer)."""
    head = _head(pages)[:8]
    feet = []
    for page in pages:
        lines = [clean_line(line) for line in page.text.splitlines() if line.strip()]
        feet.extend(lines[-3:])
    return head + feet


# Two-letter words a heading in capitals may hold that are words, not abbreviations ("IC", "UK").
_SHORT_WORDS = {"an", "as", "is", "it", "be", "we", "us", "up", "do", "go", "no", "so", "if", "my", "me", "he"}


def tidy_case(text: str) -> str:
    """Headings printed in capitals ("CORPORATE PARENTING PANEL") read better in title case.

    Abbreviations stay in capitals: a word with no vowel ("JHWS") or of two letters that is not a
    word ("IC Strategy", Kent's Integrated Care Strategy appendix, page 1); ordinals read "31st".
    """
    if not text.isupper():
        return text
    words = []
    for i, word in enumerate(text.split()):
        lower = word.lower()
        if i and lower in _SMALL_WORDS or re.fullmatch(r"\d+(?:ST|ND|RD|TH)", word):
            words.append(lower)
        elif (not re.search(r"[AEIOUY]", word) and re.search(r"[A-Z]", word) and len(word) <= 5) or (
            len(word) == 2 and word.isalpha() and lower not in _SHORT_WORDS | _SMALL_WORDS
        ):
            words.append(word)
        else:
            words.append(word[:1] + word[1:].lower())
    return " ".join(words)


_tidy_case = tidy_case


def _kind(head: list[str], filename: str, text: str) -> str:
    if any(re.match(r"minutes\b", line, re.IGNORECASE) for line in head[:6]):
        return "minutes"
    if any(re.match(r"(?:members\s+)?present\b\s*:?", line, re.IGNORECASE) for line in head[:12]):
        return "minutes"  # an attendance list: "PRESENT: Mr B J Sweetland (Chairman), ..."
    if any(line.lower() == "agenda" for line in head[:3]):
        return "agenda"
    if any(_patterns()["agenda_cue"].search(line) for line in head):
        return "agenda"  # "A meeting of the Audit Committee will be held:" (Merton, page 1)
    name = filename.lower()
    if "minutes" in name:
        return "minutes"
    if "agenda" in name:
        return "agenda"
    if any(line.startswith("Dear ") for line in text.splitlines()[:60]):
        return "letter"
    if any("inspection" in line.lower() for line in head[:4]) and re.search(
        r"\bOfsted\b|\binspector\b", text, re.IGNORECASE
    ):
        return "inspection"
    return "report"


def _parse_date(text: str) -> str | None:
    try:
        return dateparser.parse(_DAY.sub(r"\1", text), dayfirst=True).date().isoformat()
    except (ValueError, OverflowError):
        return None


def _meeting_date(head: list[str]) -> str | None:
    """A labelled meeting date ("Committee Date 29th February 2012") first, else the first date on
    the page that is not another date ("Date Written 16th February 2012")."""
    patterns = _patterns()
    dated = [(line, _DATE.search(line)) for line in head]
    labelled = [m for line, m in dated if m and patterns["date_label"].match(line)
                and not patterns["not_meeting_date"].match(line)]
    others = [m for line, m in dated if m and not patterns["not_meeting_date"].match(line)]
    for match in labelled + others:
        found = _parse_date(match.group(0))
        if found is not None:
            return found
    return None


def _committee(head: list[str], text: str) -> str | None:
    patterns = _patterns()
    joined = " ".join(head)
    for line in head:
        match = patterns["labelled"].match(line)
        if match and not _NOT_A_COMMITTEE.search(match.group("name")):
            return _tidy_case(match.group("name"))
    match = patterns["meeting_of"].search(joined)
    if match:
        return _tidy_case(match.group("name"))
    for line in head:
        if _NOT_A_COMMITTEE.search(line) or publisher([line]) or local_council([line]):
            continue  # "KENT COUNTY COUNCIL" is the authority, not a meeting of it
        match = patterns["to_line"].match(line)
        if match:
            return _tidy_case(match.group("name"))
        match = patterns["meeting_line"].match(line)
        if match:
            return _tidy_case(match.group("name"))
        bare = _BOILERPLATE.sub("", _DATE.sub("", line)).strip(" –-:,")
        match = patterns["name_line"].match(bare)
        if match and not patterns["document_type"].match(bare):
            return _tidy_case(match.group("name"))
    match = patterns["purpose"].search(" ".join(text.split())[:3000])
    if match and not _NOT_A_COMMITTEE.search(match.group(0)):
        return _tidy_case(match.group("name"))
    return None


def _continued(head: list[str], i: int, line: str) -> str:
    """A title carried over the next line: capitals continued in capitals ("WORKING WITH THE PRIVATE
    SECTOR TO DELIVER" / "TEMPORARY ACCOMMODATION SOLUTIONS", Birmingham), or a line ending in "of"."""
    patterns = _patterns()
    title = line
    for following in head[i + 1 : i + 4]:
        if (
            patterns["not_title"].match(following)
            or patterns["title_label"].match(following)
            or _DATE.search(following)
            or re.search(r"[.:]$", title)
        ):
            break
        if (title.isupper() and following.isupper()) or _CONTINUES.search(title) or title.count("(") > title.count(")"):
            title = f"{title} {following}"
        else:
            break
    return title


def _title_like(line: str, committee: str | None, authority_line: bool) -> bool:
    patterns = _patterns()
    words = line.split()
    return not (
        len(words) < 2
        or authority_line
        or patterns["not_title"].match(line)
        or patterns["document_type"].match(line)
        or patterns["title_label"].match(line)
        or patterns["meeting_line"].match(line)
        or patterns["to_line"].match(line)
        or len(_DATE.sub("", line)) < 0.5 * len(line)  # a date line, not a title with a date in it
        or (committee and committee.lower() in line.lower() and len(line) < len(committee) + 25)
        or sum(c.isalpha() for c in line) < 0.6 * len(line)
        or _ADDRESS.search(line)
        or re.search(r"[.;]$", line)
    )


def _title(head: list[str], kind: str, committee: str | None, meeting_date: str | None) -> str | None:
    patterns = _patterns()
    for i, line in enumerate(head):
        match = patterns["title_label"].match(line)
        if match:
            return _tidy_case(_continued(head, i, match.group("title")))
        if line.lower() == "title" and i + 1 < len(head):
            return head[i + 1]
    if head[:1] == ["Agenda item"] and len(head) > 1:
        return head[1]  # a ModernGov agenda-item page: the item's title comes next
    if kind in ("minutes", "agenda") and committee:
        on = ""
        if meeting_date:
            day = dateparser.parse(meeting_date)
            on = f", {day.day} {day:%B %Y}"
        return f"{kind.capitalize()}: {committee}{on}"
    for i, line in enumerate(head):
        if not _title_like(line, committee, is_council_name(line) or bool(local_council([line]))):
            continue
        if kind == "letter" and i < 8 and not re.search(r"report|review|update|annual", line, re.IGNORECASE):
            continue  # the addressee's name and address block
        title = _continued(head, i, line)
        # A cover's title over two lines of its own: "One Coventry Plan" / "Annual Performance Report
        # 2020-2021" (Coventry, page 1), ending where the meeting or the date is printed.
        if title == line and len(line.split()) <= 4 and i + 1 < len(head):
            following = head[i + 1]
            if _title_like(following, committee, False) and not (committee and committee.lower() in following.lower()):
                title = f"{line} {following}"
        return _tidy_case(title)
    return None


def describe(pages: Sequence[Page], filename: str) -> DocumentFacts:
    """Best guesses at a document's title, kind, committee, meeting date and authority."""
    head = _head(pages)
    text = "\n".join(page.text for page in pages[:3])
    kind = _kind(head, Path(filename).name, text)
    meeting = kind in ("report", "minutes", "agenda")
    parish = local_council(head[:6])
    authority = parish or publisher(_edges(pages[:3])) or recognise_authority(text)
    committee = _committee(head, text) if meeting else None
    if committee is None and parish and meeting:
        # A town or parish council's minutes are of the council itself: "Parish Council".
        committee = re.sub(r"^.*?\b(?=(?:Town|Parish|Community|Village|Neighbourhood) Council$)", "", parish)
    meeting_date = _meeting_date(head) if meeting else None
    return DocumentFacts(
        title=_title(head, kind, committee, meeting_date) or Path(filename).stem,
        kind=kind,
        committee=committee,
        meeting_date=meeting_date,
        authority=authority,
    )
