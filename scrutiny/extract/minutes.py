"""Minutes: agenda items, numbered resolutions and the actions a meeting asked for, by text rules.

One reader for PDF text, ModernGov HTML and plain text. Its vocabularies are data files under
``scrutiny/data/``: the words that record a decision (``decision_words.yml``), the ways minutes
number items, paragraphs and parts (``numbering_schemes.yml``), what makes a sentence an action
(``action_cues.yml``) and person titles and role words (``entity_words.yml``, shared with
``scrutiny.nlp.entities``).

Agenda items are found, in order of preference, by:

- "(Item N)" under each title (Kent's ModernGov PDFs);
- a ModernGov agenda-item page ("Agenda item" / title / "Minutes:" / ... / "Supporting documents:");
- numbered headings in any scheme of ``numbering_schemes.yml`` that runs in order through the
  minutes ("1 DECLARATIONS OF INTEREST", "19.09.05 Eden District Council Plan", "Item 3:");
- a one-item page saved by ``scrutiny fetch`` ("<number>. <title>");
- else one item, the whole document, titled as the document is.

Minutes start at their attendance list ("PRESENT:"): an agenda pack's cover and agenda before it
are not minutes. When the date printed above that list is not the document's own meeting date,
the minutes are an earlier meeting's, reprinted in a later meeting's papers (Merton's agenda pack
of 22 October 2009 holds the minutes of 24 September 2009): their items carry that meeting's date.

Every record keeps its page and its words as printed; lines are joined with single spaces
(a PDF's line breaks are layout, not text).
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from dateutil import parser as dateparser

from ..records import Action, AgendaItem, Document, Page, Resolution
from ..vocab import vocabulary
from .describe import tidy_case

__all__ = ["looks_like_minutes", "minute_records", "topics_in"]

_TOPICS = Path(__file__).resolve().parent.parent / "data" / "minute_topics.csv"

# The last line of a page when it is only the page number: "7" (Kent), "Page 3" (Doncaster PDF),
# "Page 1 of 3" (Newbiggin).
_FOOTER = re.compile(r"^(?:Page\s+)?\d{1,3}(?:\s+of\s+\d{1,3})?$", re.IGNORECASE)
_MINUTE_NUMBER = re.compile(r"^(?P<minute>\d{1,4})\.\s+(?P<title>\S.*)$")
# A one-item page's heading: "9. Work Programme" (short, no full stop: not a numbered paragraph).
_HEADING = re.compile(r"^(?P<number>\d{1,3}[a-z]?)\.?\s+(?P<title>[A-Z][^.]{2,120})$")
# The attendance list that opens the minutes proper: "PRESENT: Mr B J Sweetland (Chairman)" (Kent),
# "Present" (Newbiggin), "Members present:".
_PRESENT = re.compile(r"^(?:(?:Members|Councillors)\s+)?present\b\s*:?", re.IGNORECASE)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# "24 SEPTEMBER 2009", "Thursday, 19 December 2024", "3 rd September 2019" (Newbiggin: the PDF
# splits the ordinal from the day).
_DATE = re.compile(rf"\b(?P<day>\d{{1,2}})\s?(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE)

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
_BULLET = re.compile(r"^[•·▪◦●\-–]\s")
# ModernGov agenda-item pages end with the item's papers (Doncaster seed 004).
_TRAILER = re.compile(r"^(?:Supporting documents|Decision|Minutes|Additional documents):?$", re.IGNORECASE)


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern[str]]:
    """The patterns the reader uses, built once from the data files."""
    words = vocabulary("decision_words")
    numbers = vocabulary("numbering_schemes")
    cues = vocabulary("action_cues")
    roles = vocabulary("entity_words")
    markers = _alternation(words["markers"])
    titled = _alternation([m.capitalize() for m in words["markers"]])
    bodies = _alternation(words["bodies"])
    adverbs = _alternation(words["lead_in_adverbs"])
    lead = (
        rf"(?:{_alternation(words['lead_ins'])})(?:\s+(?:{adverbs}))?"
        rf"|(?:The\s+|the\s+)?(?:[A-Z][\w’'&-]*\s+){{0,4}}?(?:{bodies})(?:\s+(?:{adverbs}))?"
    )
    paragraph = "|".join(numbers["paragraph"])
    parts = [re.compile(rf"^(?:{part})\s+(?P<text>\S.*)$") for part in numbers["parts"]]
    role_heads = _alternation(roles["role_heads"])
    titles = _alternation(roles["person_titles"])
    owner_role = (
        rf"(?:[Tt]he\s+)?(?:[A-Z][\w’'-]*\s){{0,4}}?(?:{role_heads})"
        rf"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:and\s+|&\s+|of\s+)?[A-Z][\w’'-]*)*)?"
    )
    vote = _alternation(words["vote_only"])
    # A person as minutes name one: "Ms Coombs", "Cllr. O. Williams", "Mr R W Gough".
    person = rf"(?:{titles})\.?\s+(?:[A-Z]\.?\s+){{0,3}}[A-Z][\w’'-]+"
    return {
        # A decision opening a line: "RESOLVED that:", "27) RESOLVED", "It was APPROVED:", "The Policy
        # Committee RESOLVED:" (a lead-in only before capitals), "Resolved:-". "Resolutions" and
        # "Recommendation(s):" are headings, not decisions: the word must end there.
        "marker": re.compile(
            rf"^(?:(?P<paragraph>{paragraph})\s+)?"
            rf"(?:(?:(?:{lead})\s+(?=(?:{markers})\b))?(?P<marker>{markers})|(?P<titled>{titled}))"
            r"(?![\w(’'])(?P<rest>.*)$"
        ),
        # The same, starting a sentence inside a line: "... CARRIED unanimously. It was APPROVED that;"
        "inline_marker": re.compile(rf"(?<=[.!?;])\s+(?=(?:(?:{lead})\s+)?(?:{markers})\b)"),
        # A decision inside a sentence: "The Councillors resolved to pay all of the above.",
        # "It was therefore resolved to retain ...", "Committee resolved to note the apologies."
        "in_sentence": re.compile(
            rf"^(?:{lead})\s+(?:unanimously\s+)?(?P<marker>{_alternation(words['in_sentence'])})\s+(?:to|that)\b"
        ),
        "voted": re.compile(
            # "It was proposed by Cllr. P. Harries, seconded by ... and unanimously agreed that ...",
            # "It was unanimously agreed to approve ..."
            rf"^(?:It|it) was\s+(?:(?:proposed|moved) by .{{1,200}}?\s+and\s+)?(?:unanimously\s+)?"
            rf"(?P<marker>{_alternation(words['voted_in_sentence'])})(?:\s+unanimously)?\s+(?:that|to)\b"
            # "The Risk Assessment for 2020/21, as previously circulated to Councillors, was unanimously
            # approved."
            rf"|^[A-Z].{{0,200}}?\b(?:was|were)\s+unanimously\s+(?P<passive>{_alternation(words['voted_in_sentence'])})\s*[.:]?$"
        ),
        "vote_words": re.compile(rf"\b(?:{_alternation(words['vote_words'])})\b"),
        "vote_only": re.compile(rf"^(?:(?:{vote})\b[\s.,;]*)+$", re.IGNORECASE),
        "parts": parts,  # type: ignore[dict-item]
        "inline_part": re.compile(r"(?:(?<=\s)|^)\((?P<label>\d{1,2}|[a-zA-Z]|[ivx]{1,4})\)\s+"),
        "item_ref": re.compile(rf"^{numbers['item_ref']}$", re.IGNORECASE),
        "item_ref_end": re.compile(rf"\s*{numbers['item_ref']}$", re.IGNORECASE),
        "items": [re.compile(rf"^{scheme}$") for scheme in numbers["items"]],  # type: ignore[dict-item]
        "offer": re.compile(
            rf"(?<!\bnot )(?<!\bnever )\b(?P<verb>{_alternation(cues['offers'])})\s+to\s+"
            rf"(?!(?:the|a|an|this|these|that|those|{_alternation(cues['not_tasks'])})\b)(?P<what>\w)"
        ),
        "asked": re.compile(
            rf"\b(?:{_alternation(cues['asks'])})\s+(?P<owner>officers|the (?:[A-Z][\w’'-]*\s*)+|"
            rf"(?:(?:{titles})\.?\s+)?(?:[A-Z][\w’'-]*\s+){{0,3}}[A-Z][\w’'-]+)\s+to\s+"
            rf"(?!(?:{_alternation(cues['not_tasks'])})\b)\w"
        ),
        "question": re.compile(rf"\basked\s+(?:{_alternation(cues['questions'])})\b"),
        "will": re.compile(
            rf"\b(?P<owner>{_alternation(cues['will_owners'])}|{owner_role}|{person})"
            r"\s+(?:would|will)(?:,[^,]{1,120},)?\s+(?:again\s+|also\s+)?(?!be\b|have\b|not\b|feel\b|like\b|also be\b)(?P<verb>[a-z]+)"
        ),
        "instruction": re.compile(
            rf"^(?P<owner>(?:(?:[Tt]he\s+)?(?:[A-Z][\w’'-]*\s){{0,3}}?(?:{_alternation(cues['instruction_owners'])}|{role_heads})|{person})"
            rf"(?:\s+and\s+(?:the\s+)?(?:{_alternation(cues['instruction_owners'])}|{role_heads}|{person}))?)"
            r"\s+to\s+(?!the\b|a\b|be\b)[a-z]+"
        ),
        "task": re.compile(
            rf"\b(?:be|being)\s+(?:{_alternation(cues['deliveries'])})(?:\s+\w+){{0,3}}\s+to\s+"
            r"(?:the\s+|a\s+|all\s+)?(?:[\w-]+\s+){0,4}"
            rf"(?:{bodies}|meeting|members)\b"
            rf"|\b(?:{_alternation(cues['documents'])})\b[^.]{{0,100}}?\b(?:be|been)\s+(?:{_alternation(cues['document_verbs'])})\b"
            rf"|\bbe\s+(?:{_alternation(cues['kept_informed'])})\b"
            r"|\b(?:a|the)\s+(?:subsequent|further|follow[- ]up)\s+(?:report|update|briefing)\b"
            r"|\brequests?\s+for\s+(?:follow[- ]up|further)\b"
            r"|\b(?:report|come|bring \w+) back\b",
            re.IGNORECASE,
        ),
        "asks": re.compile(
            rf"\b(?:{_alternation(cues['resolution_asks'])})\s+(?:that\s+)?"
            r"(?P<owner>officers|(?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|&)\s+(?:the\s+)?)?[A-Z][\w’'-]*)*)"
            r"\s+(?:to\b|for\b|(?!(?:of|for|and|the)\b)[a-z])"
        ),
        "delegation": re.compile(
            rf"\b(?i:{_alternation(cues['delegations'])})\s+(?:authority\s+)?to\s+"
            rf"(?P<owner>(?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+|and\s+|&\s+)?[A-Z][\w’'-]*)*)"
        ),
        "by_owner": re.compile(r"\bby\s+(?P<owner>(?:the\s+)?[A-Z][\w’'-]*(?:\s+(?:of\s+|for\s+)?[A-Z][\w’'-]*)*)"),
    }


def _part(text: str) -> re.Match[str] | None:
    for pattern in _rules()["parts"]:
        match = pattern.match(text)
        if match:
            return match
    return None


@dataclass
class _Line:
    page: int
    text: str  # whitespace collapsed; "" for a blank line
    quoted: bool = False  # inside quotation marks: a motion as moved, an earlier decision


def _edge_lines(pages: Sequence[list[str]]) -> set[str]:
    """Running headers and footers: lines printed in the block that heads (or foots) several pages.

    "AUDIT COMMITTEE" / "24 SEPTEMBER 2009" heads Merton's minutes' pages and "All minutes are draft
    until agreed at the next meeting ..." foots them (pages 3-7). Only the block at the very top or
    foot of a page counts: "Devolution White Paper" near the top of four pages of Kent County Council's
    minutes (9 January 2025) is the end of a motion's first part, printed again with each amendment.
    """
    rules = _rules()

    def candidate(text: str) -> bool:
        return len(text) > 3 and not rules["marker"].match(text) and not rules["item_ref"].match(text) and not _part(text)

    filled = [[t for t in texts if t and not _FOOTER.match(t)] for texts in pages]
    tops: dict[str, set[int]] = {}
    feet: dict[str, set[int]] = {}
    for number, texts in enumerate(filled):
        for text in texts[:3]:
            tops.setdefault(text, set()).add(number)
        for text in texts[-4:]:
            feet.setdefault(text, set()).add(number)
    # A footer must recur on three pages: the last line of a motion printed twice, at the foot of two
    # pages (Kent Cabinet, 9 January 2025, pages 8 and 9), is text.
    top_candidates = {t for t, where in tops.items() if len(where) >= 2 and candidate(t)}
    foot_candidates = {t for t, where in feet.items() if len(where) >= 3 and candidate(t)}
    leading: dict[str, set[int]] = {}
    trailing: dict[str, set[int]] = {}
    for number, texts in enumerate(filled):
        for text in texts[:3]:
            if text not in top_candidates:
                break
            leading.setdefault(text, set()).add(number)
        for text in reversed(texts[-4:]):
            if text not in foot_candidates:
                break
            trailing.setdefault(text, set()).add(number)
    return {t for t, where in leading.items() if len(where) >= 2} | {t for t, where in trailing.items() if len(where) >= 3}


_PARAGRAPH_START = re.compile(r"^(?:(?P<a>\d{1,3})\)|\((?P<b>\d{1,3})\)|(?P<c>\d{1,3})\.)\s")


def _paragraph_number(text: str) -> tuple[str, int] | None:
    """A minute's paragraph number at the start of a line, by form: "2)" -> (")", 2)."""
    match = _PARAGRAPH_START.match(text)
    if not match:
        return None
    for form in "abc":
        if match.group(form):
            return form, int(match.group(form))
    return None


def _lines(pages: Sequence[Page]) -> list[_Line]:
    """Every line of the document in order, without page numbers and running headers and footers.

    A running header is kept where it first appears (it may be the minutes' own heading); a decision
    printed mid-line after a vote ("CARRIED unanimously. It was APPROVED that;") starts a new line.
    Lines inside quotation marks are marked: a quotation left open (Kent County Council, 19 December
    2024, page 8: a motion opened with “ and never closed) ends at the minute's next paragraph.
    """
    texts = [[" ".join(raw.split()) for raw in page.text.splitlines()] for page in pages]
    running = _edge_lines(texts)
    kept_once: set[str] = set()
    lines: list[_Line] = []
    quoted = False
    opened_in: tuple[str, int] | None = None
    paragraph: tuple[str, int] | None = None
    rules = _rules()
    for page, page_texts in zip(pages, texts, strict=True):
        while page_texts and (not page_texts[-1] or _FOOTER.match(page_texts[-1]) or page_texts[-1] in running):
            page_texts.pop()
        for number, text in enumerate(page_texts):
            if text in running:
                if text in kept_once or number > 3:
                    continue
                kept_once.add(text)
            if text and _FOOTER.match(text) and number < 2:
                continue  # a page number printed at the top
            for piece in rules["inline_marker"].split(text) if text else [text]:
                piece = piece.strip()
                numbered = _paragraph_number(piece)
                if numbered:
                    if quoted and opened_in and numbered[0] == opened_in[0] and numbered[1] > opened_in[1]:
                        quoted = False
                    if not quoted:
                        paragraph = numbered
                lines.append(_Line(page.page, piece, quoted))
                opens = piece.count("“") + (piece.count('"') % 2 if not quoted else 0)
                closes = piece.count("”") + (piece.count('"') % 2 if quoted else 0)
                if opens > closes and not quoted:
                    quoted, opened_in = True, paragraph
                elif closes > opens:
                    quoted = False
    return lines


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?"))


def _joined(lines: Sequence[_Line]) -> str:
    return " ".join(line.text for line in lines if line.text)


def _iso_date(text: str) -> str | None:
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return dateparser.parse(
            f"{match.group('day')} {match.group('month')} {match.group('year')}", dayfirst=True
        ).date().isoformat()
    except (ValueError, OverflowError):
        return None


# --- Topics ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _topic_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """One pattern per topic and case rule: every phrase of the topic, as whole words."""
    patterns = []
    with _TOPICS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            phrases = [phrase.strip() for phrase in row["phrases"].split(";") if phrase.strip()]
            # Abbreviations (SEN, CiC, LAC) only in their own case: "sen" is not one.
            exact = [p for p in phrases if sum(c.isupper() for c in p) >= 2]
            loose = [p for p in phrases if p not in exact]
            for group, flags in ((exact, 0), (loose, re.IGNORECASE)):
                if group:
                    words = "|".join(re.escape(p) for p in sorted(group, key=len, reverse=True))
                    patterns.append((row["topic"], re.compile(rf"(?<![\w-])(?:{words})(?![\w-])", flags)))
    return patterns


def topics_in(text: str) -> str | None:
    """The topics (from data/minute_topics.csv) a passage mentions, "; "-separated, or None."""
    found: list[str] = []
    for topic, pattern in _topic_patterns():
        if topic not in found and pattern.search(text):
            found.append(topic)
    return "; ".join(found) or None


# --- Agenda items ------------------------------------------------------------------------


@dataclass
class _Item:
    key: str
    title: str | None
    number: str | None
    minute: str | None
    page: int
    body: list[_Line]


def _title_lines(lines: list[_Line], at: int) -> int:
    """Index of the first line of the title printed above the "(Item N)" line at ``at``."""
    first = at - 1
    while first >= 0 and not lines[first].text:
        first -= 1
    if first < 0 or _MINUTE_NUMBER.match(lines[first].text):
        return max(first, 0) if first >= 0 else at
    # A title too long for one line wraps: "Adoption Partnership South East, Regional Adoption
    # Agency Annual Report" / "2023/2024" (Kent Corporate Parenting Panel, page 3), or
    # "271. D eclarations of Disclosable Pecuniary Interests or Other Significant" / "Interests in
    # items on the agenda" (Kent County Council, 19 December 2024, page 1).
    before = first - 1
    if (
        before >= 0
        and len(lines[before].text) >= 55
        and not re.search(r"[.;:)!?,]$", lines[before].text)
        and not _rules()["marker"].match(lines[before].text)
        # "Cabinet Member updates were deferred to the next meeting of the Cabinet" / "80. Provisional
        # Local Government ..." (Kent Cabinet, page 1): a numbered title starts afresh.
        and not _MINUTE_NUMBER.match(lines[first].text)
    ):
        return before
    return first


def _heading_like(title: str) -> bool:
    """A heading, not a numbered sentence: short, no full stop at the end, mostly capitalised words."""
    words = re.findall(r"[A-Za-z][\w’'&-]*", title)
    if not words or len(title) > 140 or title.rstrip().endswith((".", ",", ";")) or not title[:1].isupper() and not title[:1].isdigit():
        return False
    if _rules()["marker"].match(title):
        return False
    small = {"of", "the", "for", "and", "in", "on", "to", "a", "an", "with", "at", "by", "from", "or", "as"}
    significant = [w for w in words if w.lower() not in small]
    capitalised = sum(w[:1].isupper() for w in significant)
    return not significant or capitalised >= 0.6 * len(significant) or len(significant) <= 2


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", number))


def _longest_increasing(found: list[tuple[int, str, str | None, str]]) -> list[tuple[int, str, str | None, str]]:
    """The longest chain of headings whose numbers increase down the page."""
    if not found:
        return []
    keys = [_number_key(heading[1]) for heading in found]
    length = [1] * len(found)
    before = [-1] * len(found)
    for i in range(len(found)):
        for j in range(i):
            if keys[j] < keys[i] and length[j] + 1 > length[i]:
                length[i], before[i] = length[j] + 1, j
    at = max(range(len(found)), key=lambda i: (length[i], -i))
    chain = []
    while at != -1:
        chain.append(found[at])
        at = before[at]
    return chain[::-1]


def _numbered_headings(lines: list[_Line], start: int) -> list[tuple[int, str, str | None, str]]:
    """Item headings in the numbering scheme that runs in order through the minutes the most times:
    (line index, number as printed, agenda item number, title)."""
    best: list[tuple[int, str, str | None, str]] = []
    rules = _rules()
    for scheme in rules["items"]:
        found = []
        for i in range(start, len(lines)):
            match = scheme.match(lines[i].text)
            if not match or lines[i].quoted:
                continue
            title = match.group("title").strip()
            reference = rules["item_ref_end"].search(title)
            if reference:
                title = title[: reference.start()].strip()
            if re.match(rf"^{_MONTH}\b", title, re.IGNORECASE):
                continue  # "24 SEPTEMBER 2009": a date, not item 24
            # A numbered sentence is not a heading, unless it ends in "(Agenda item N)".
            unlike = not _heading_like(title) or (_part(lines[i].text) and not reference and not title.isupper())
            if unlike and not (reference and title):
                continue
            found.append((i, match.group("number"), reference.group("number") if reference else None, title))
        # The longest run in increasing order: numbered paragraphs restart in every item.
        run = _longest_increasing(found)
        if len(run) >= 2 and len(run) > len(best):
            best = run
    return best


def _wrapped_title(lines: list[_Line], at: int, title: str, reference: str | None) -> tuple[str, str | None, int]:
    """A heading title carried on to the next line, as capitals continue or "(Agenda item 4)" ends it:
    "4 AUDITED FINAL ACCOUNTS 2008/09 AND USE OF RESOURCES" / "JUDGEMENT (Agenda item 4)" (Merton,
    pages 3-4). Returns the title, the agenda item number and the first line of the body."""
    body = at + 1
    if reference is None and body < len(lines):
        following = lines[body].text
        ends = _rules()["item_ref_end"].search(following)
        if ends and (following.isupper() or ends.start() == 0 or _heading_like(following[: ends.start()])):
            extra = following[: ends.start()].strip()
            return (f"{title} {extra}".strip(), ends.group("number"), body + 1)
    return title, reference, body


def _despaced(titles: list[str | None]) -> bool:
    """Whether a PDF's letter spacing split the first letter of most titles from the rest:
    "A pologies for Absence", "C orporate Parenting Panel" (Kent County Council, 19 December 2024)."""
    split = [t for t in titles if t and re.match(r"^[A-Z] [a-z]", t)]
    return len(split) >= 2 and len(split) >= 0.6 * len([t for t in titles if t])


def _minutes_start(lines: list[_Line]) -> int:
    """Where the minutes proper start: their heading above the attendance list, or the top."""
    for i, line in enumerate(lines):
        if _PRESENT.match(line.text):
            first = i
            while first > 0 and i - first < 6 and lines[first - 1].page == line.page and lines[first - 1].text:
                first -= 1
            return first
    return 0


def _preamble(lines: list[_Line], start: int, end: int) -> _Item | None:
    """Business before the first numbered item that made a decision: "Election of Chair" / "1. Mr Gough
    proposed ..." / "2. RESOLVED that Mr Cooke be elected to Chair the meeting." (Kent County Council,
    9 January 2025, page 1)."""
    body = lines[start:end]
    if not any(_rules()["marker"].match(line.text) for line in body):
        return None
    present = next((i for i, line in enumerate(body) if _PRESENT.match(line.text)), -1)
    title = None
    for line in body[present + 1:]:
        if _rules()["marker"].match(line.text):
            break
        if _heading_like(line.text) and not _part(line.text) and len(line.text) < 60 and not line.text.isupper():
            title = line.text
    return _Item("item-0", title, None, None, body[0].page, body)


def _items(lines: list[_Line], document: Document) -> list[_Item]:
    rules = _rules()
    start = _minutes_start(lines)
    refs = [i for i in range(start, len(lines)) if rules["item_ref"].match(lines[i].text)]
    headings = _numbered_headings(lines, start)
    # "(Item N)" on its own line under every title (Kent); a heading that ends in one now and then
    # (Merton: "(Agenda item 6)" wrapped on to its own line once) is a numbered heading.
    if refs and len(refs) >= len(headings):
        starts = [_title_lines(lines, i) for i in refs]
        items = []
        for n, (ref, first) in enumerate(zip(refs, starts, strict=True)):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            title = _joined(lines[first:ref])
            minute = None
            numbered = _MINUTE_NUMBER.match(title)
            if numbered:
                minute, title = numbered.group("minute"), numbered.group("title")
            number = rules["item_ref"].match(lines[ref].text).group("number")
            items.append(
                _Item(f"item-{n + 1}", title or None, number, minute, lines[first].page, lines[ref + 1 : end])
            )
        preamble = _preamble(lines, start, starts[0])
        return _tidy_titles(([preamble] if preamble else []) + items)
    filled = [i for i, line in enumerate(lines) if line.text]
    # A ModernGov agenda-item page (mgAi.aspx): "Agenda item", the title, "Minutes:" and the
    # minute text (seed 004); a saved page has the site's menus above it.
    opening = next((n for n, i in enumerate(filled[:80]) if lines[i].text.lower() == "agenda item"), None)
    if opening is not None and opening + 1 < len(filled):
        title_at = filled[opening + 1]
        body_from = title_at + 1
        for i in filled[opening + 2 : opening + 8]:
            if lines[i].text.lower() == "minutes:":
                body_from = i + 1
                break
        body_to = next(
            (i for i in range(body_from, len(lines)) if _TRAILER.match(lines[i].text)), len(lines)
        )
        return [_Item("item-1", lines[title_at].text, None, None, lines[title_at].page, lines[body_from:body_to])]
    if not filled:
        return []
    first = lines[filled[0]]
    heading = _HEADING.match(first.text)
    if (
        heading
        and len(filled) > 1
        and not rules["marker"].match(first.text)
        and not re.match(rf"^{_MONTH}\b", heading.group("title"), re.IGNORECASE)  # "10 June 2020": a date
        and not headings
    ):
        # scrutiny fetch saves an item's minutes under a heading "<number>. <title>" (issue 5).
        return [_Item("item-1", heading.group("title"), heading.group("number"), None, first.page,
                      lines[filled[0] + 1 :])]
    if headings:
        items = []
        for n, (at, number, reference, title) in enumerate(headings):
            end = headings[n + 1][0] if n + 1 < len(headings) else len(lines)
            title, reference, body = _wrapped_title(lines, at, title, reference)
            # "2 MINUTES OF THE MEETING HELD ON 23 JUNE 2009 (Agenda item 3)": minute 2, item 3.
            item_number, minute = (reference, number) if reference else (number, None)
            items.append(_Item(f"item-{n + 1}", title, item_number, minute, lines[at].page, lines[body:end]))
        preamble = _preamble(lines, start, headings[0][0])
        return _tidy_titles(([preamble] if preamble else []) + items)
    return [_Item("item-1", document.title, None, None, first.page, lines[start:] if start else lines)]


def _tidy_titles(items: list[_Item]) -> list[_Item]:
    if _despaced([item.title for item in items]):
        for item in items:
            if item.title:
                item.title = re.sub(r"^([A-Z]) (?=[a-z])", r"\1", item.title)
    for item in items:
        if item.title and item.title.isupper() and len(item.title) > 4:
            item.title = tidy_case(item.title)
    return items


# --- Resolutions -------------------------------------------------------------------------


def _label(match: re.Match[str]) -> str:
    return match.group("label")


def _style(match: re.Match[str]) -> tuple[str, str]:
    """A part's label and its form: "(1)" -> ("1", "()"), "a)" -> ("a", ")"), "1." -> ("1", ".")."""
    label = match.group("label")
    text = match.group(0)
    if text.startswith("("):
        return label, "()"
    return label, text[len(label)]


def _kind(label: str) -> str:
    return "digit" if label.isdigit() else "letter"


def _follows(previous: str | None, label: str) -> bool:
    """Whether ``label`` is the next part after ``previous`` (None: the first part)."""
    label = label.lower()
    if previous is None:
        return label in ("1", "a", "i")
    previous = previous.lower()
    if previous.isdigit():
        return label.isdigit() and int(label) == int(previous) + 1
    if previous in _ROMAN and label in _ROMAN and _ROMAN.index(label) == _ROMAN.index(previous) + 1:
        return True
    return len(previous) == 1 and len(label) == 1 and ord(label) == ord(previous) + 1


def _valid_marker(lines: list[_Line], at: int, match: re.Match[str]) -> bool:
    if lines[at].quoted:
        return False  # a motion as moved, or an earlier decision quoted: not this meeting's
    rest = match.group("rest")
    if not re.match(
        r"^(?:\s*(?::-|:|;|[-–—]|,)|\s+(?:that|to|unanimously|as follows|accordingly|by|on|in)\b|\s+\(|\s*$)",
        rest,
        re.IGNORECASE,
    ):
        return False  # "Agreed Syllabus", "Resolved Items": words, not a decision
    if match.group("paragraph"):
        return True
    # "... at its meeting the Cabinet" / "RESOLVED that ..." is a quoted past decision carried
    # over a line break, not this meeting's: a decision starts a paragraph.
    before = at - 1
    if before < 0 or not lines[before].text:
        return True
    return bool(re.search(r"[.:;)!?”]$", lines[before].text)) or bool(_rules()["item_ref"].match(lines[before].text))


def _strip_connector(text: str) -> str:
    """A part's text without the "; and" that joins it to the next: "be noted; and" -> "be noted"."""
    return re.sub(r"\s*[;,]?\s*\b(?:and|or)$", "", text.rstrip()).rstrip(" ;,")


def _strip_that(text: str) -> str:
    return _THAT.sub("", text, count=1).strip()


_SEPARATOR = re.compile(r"^\s*(?::-|:|;|[-–—]|,)?\s*")
_THAT = re.compile(r"^that\b\s*[:;]?\s*", re.IGNORECASE)


@dataclass
class _Block:
    start: int
    end: int  # exclusive line index
    marker: str
    lead: str  # what follows the marker on its line and before any numbered part
    parts: list[tuple[str, int, str]]  # (number as printed, page, text)
    page: int
    block: str


def _inline_parts(lead: str, page: int) -> tuple[str, list[tuple[str, int, str]]]:
    """Split "that (1) X; and (2) Y" into its numbered parts, if it is written that way."""
    found = []
    previous = None
    for match in _rules()["inline_part"].finditer(lead):
        if _follows(previous, match.group("label")):
            found.append(match)
            previous = match.group("label")
    if len(found) < 2 or _THAT.sub("", lead[: found[0].start()]).strip(" :-–"):
        return lead, []
    parts = []
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(lead)
        parts.append((match.group("label"), page, _strip_connector(lead[match.end() : end])))
    return lead, parts


def _next_filled(lines: list[_Line], j: int) -> int:
    while j < len(lines) and not lines[j].text:
        j += 1
    return j


def _resolution_block(lines: list[_Line], at: int, match: re.Match[str]) -> _Block:
    rules = _rules()
    rest = _SEPARATOR.sub("", match.group("rest"), count=1)
    lead_lines: list[str] = []
    parts: list[list] = []  # [label, form, page, [texts]]
    first_part = _part(rest) if rest else None
    if first_part and _follows(None, _label(first_part)):
        # "RESOLVED: (A) That the Audit Committee notes ..." (Merton Audit Committee, page 4)
        label, form = _style(first_part)
        parts.append([label, form, lines[at].page, [first_part.group("text")]])
    elif rest:
        lead_lines.append(rest)
    # "RESOLVED that:" / "RESOLVED that Cabinet:" / "RESOLVED that the County Council resolves:"
    # introduce a list; so does an empty lead.
    listing = bool(parts) or not rest or rest.endswith((":", ":-", "that", ";")) or rest.lower() == "that"
    j = at + 1
    while j < len(lines):
        line = lines[j]
        if not line.text:
            ahead = _next_filled(lines, j + 1)
            part = _part(lines[ahead].text) if ahead < len(lines) else None
            if listing and part and _follows(parts[-1][0] if parts else None, _label(part)):
                j = ahead
                continue
            if (
                listing
                and not parts
                and not _THAT.sub("", " ".join(lead_lines)).strip(" :-–;")
                and ahead < len(lines)
                and not rules["marker"].match(lines[ahead].text)
                and not _TRAILER.match(lines[ahead].text)
            ):
                # "<p><b>RESOLVED:</b></p><p>That the report be noted.</p>": the words follow
                # in the next paragraph (ModernGov minutes bodies).
                j = ahead
                continue
            break
        marker = rules["marker"].match(line.text)
        if (marker and _valid_marker(lines, j, marker)) or _TRAILER.match(line.text) or rules["item_ref"].match(line.text):
            break
        part = _part(line.text)
        last = parts[-1][3][-1] if parts else (lead_lines[-1] if lead_lines else "")
        if part:
            label, form = _style(part)
            same_style = not parts or (form == parts[-1][1] and _kind(label) == _kind(parts[-1][0]))
            if (listing or not _ends_sentence(last)) and same_style and _follows(parts[-1][0] if parts else None, label):
                listing = True
                parts.append([label, form, line.page, [part.group("text")]])
                j += 1
                continue
            break  # the minute's next numbered paragraph
        if _BULLET.match(line.text) or _MINUTE_NUMBER.match(line.text) and _ends_sentence(last):
            break
        if parts and _heading_like(line.text) and (_ends_sentence(last) or last.endswith((";", ":"))):
            # A sub-heading between parts: "2025-26 Revenue Budget and Medium Term Financial Plan",
            # "In addition:" (Kent County Council, 13 February 2025, pages 13-14), kept out of the text.
            ahead = _next_filled(lines, j + 1)
            if ahead < len(lines) and (part := _part(lines[ahead].text)) and _follows(parts[-1][0], _label(part)):
                j = ahead
                continue
        if _ends_sentence(last):
            break  # a new sentence after a full stop: the minute has moved on
        if parts:
            parts[-1][3].append(line.text)
        else:
            lead_lines.append(line.text)
        j += 1
    lead = " ".join(lead_lines)
    found = [(label, page, _strip_connector(_strip_that(" ".join(texts)))) for label, _form, page, texts in parts]
    if not found:
        lead, found = _inline_parts(lead, lines[at].page)
    text = " ".join(line.text for line in lines[at:j] if line.text)
    return _Block(at, j, match.group("marker") or match.group("titled"), lead, found, lines[at].page, text)


def _blocks(lines: list[_Line]) -> Iterator[_Block]:
    i = 0
    marker = _rules()["marker"]
    while i < len(lines):
        match = marker.match(lines[i].text)
        if match and _valid_marker(lines, i, match):
            block = _resolution_block(lines, i, match)
            words = _strip_that(block.lead)
            if block.parts or not _rules()["vote_only"].match(words or "unanimously"):
                yield block
                i = max(block.end, i + 1)
                continue
            # "Agreed unanimously." after a tribute: a vote, not a decision; "RESOLVED:" and nothing.
        i += 1


# --- Actions -----------------------------------------------------------------------------

_NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor)\.?\s+)?(?:[A-Z][\w’'-]*\s+){0,3}[A-Z][\w’'-]+"
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DUE = re.compile(
    rf"\bby (?:the end of )?(?:\d{{1,2}}(?:st|nd|rd|th)? )?{_MONTHS}(?: \d{{4}})?"
    r"|\bby the end of (?:the )?\w+(?: \d{4})?"
    r"|\b(?:at|to) (?:a|the) (?:future|next|following|later) (?:\d{4} )?meeting(?: of the (?:[A-Z][\w’'-]*\s)*[A-Z][\w’'-]*)?"
    rf"|\bin {_MONTHS}(?: \d{{4}})?"
    r"|\bwhen the results become available"
    r"|\bonce it has all been received"
    rf"|\bon \d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}(?: \d{{4}})?"
    r"|\bin (?:19|20)\d\d\b"
    r"|\bin the future"
    r"|\boutside (?:of )?the meeting"
)
_ROLE_WORDS = r"(?:[Tt]he (?:Chair(?:man)?|Leader|Director|Head|Panel|Committee|Cabinet)|Members|Officers|officers)"
_SMALL = {"of", "the", "for", "and", "&"}


def _owner_before(text: str) -> str | None:
    """Who does the verb: the words before it when they are a name ("The Chair", "Ms Gleave"),
    else the last name or role named there ("... age, Ms Coombs offered to", Kent CPP page 4)."""
    head = re.sub(r"^(?:[a-z\d]{1,3}[.)]\s+)", "", text).strip(" ,")
    words = head.split()
    if words and len(words) <= 5 and all(w[:1].isupper() or w in _SMALL for w in words):
        return head
    candidates = [
        (m.start(), m.group(0))
        for m in re.finditer(_NAME, head)
        if len(m.group(0).split()) > 1 and m.group(0).split()[0] not in ("It", "The", "A", "In", "This")
    ]
    candidates += [(m.start(), m.group(0)) for m in re.finditer(_ROLE_WORDS, head)]
    return max(candidates)[1] if candidates else None


def _due(text: str) -> str | None:
    match = _DUE.search(text)
    return match.group(0) if match else None


def _clean_owner(owner: str | None) -> str | None:
    """"the Monitoring Officer, in consultation with" -> "the Monitoring Officer"."""
    if not owner:
        return None
    owner = re.split(r",|\s+(?:in consultation|after consultation|subject to)\b", owner)[0]
    return owner.strip() or None


_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Cllrs?|Mr|Mrs|Ms|Dr|Prof|Rev|St|No|Nos|Co|Ltd|Ref|approx|cf|etc|i\.e|e\.g))$")


@dataclass
class _Sentence:
    page: int
    text: str
    quoted: bool = False


def _sentences(lines: Sequence[_Line]) -> Iterator[_Sentence]:
    """Sentences of a passage with the page each starts on; a numbered or bulleted line starts afresh."""
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if not line.text:
            paragraphs.append([])
            continue
        if not paragraphs or _part(line.text) or _BULLET.match(line.text):
            paragraphs.append([])
        paragraphs[-1].append(line)
    for paragraph in paragraphs:
        if not paragraph:
            continue
        text = ""
        offsets: list[int] = []
        breaks: list[int] = []
        for line in paragraph:
            # A line of a list or table ending in a figure ("Fellrunner Village Bus Donation requested,
            # agreed to pay £ 65.00") ends its sentence when the next line starts a new one (Newbiggin,
            # page 2).
            if text and re.search(r"\d$", text) and (line.text[:1].isupper() or line.text[:1] == "("):
                breaks.append(len(text))
            offsets.append(len(text) + (1 if text else 0))
            text = f"{text} {line.text}" if text else line.text
        start = 0
        stops = (
            m.end() for m in re.finditer(r'[.!?][”"’]?(?=\s+[A-Z(•“])', text)
            # Not after an abbreviation or an initial: "It was proposed by Cllr. P. Harries, seconded ..."
            if not _ABBREVIATION.search(text[max(0, m.start() - 8) : m.start()])
        )
        ends = sorted({*stops, *breaks, len(text)})
        for boundary in ends:
            sentence = text[start:boundary].strip()
            if sentence:
                first = start + len(text[start:boundary]) - len(text[start:boundary].lstrip())
                where = max(bisect.bisect_right(offsets, first) - 1, 0)
                yield _Sentence(paragraph[where].page, sentence, paragraph[where].quoted)
            start = boundary


def _by_owner(text: str, task: re.Match[str]) -> str | None:
    """Who a delivery is by, when the words say so right after it: "... be agreed by the Leader"."""
    by = _rules()["by_owner"].search(text, task.end())
    if by and by.start() - task.end() <= 3:
        return _clean_owner(by.group("owner"))
    return None


def _what(text: str, start: int) -> str | None:
    """What is to be done, as written: the words from ``start`` to the end of the sentence."""
    what = text[start:].strip(" ,;:").removeprefix("to ").rstrip(".;")
    return what or None


def _action_in(text: str) -> tuple[bool, str | None, str | None]:
    """Whether a sentence of discussion asks or offers something; who is to do it, and what."""
    rules = _rules()
    if rules["question"].search(text):
        return False, None, None  # "Mr Lehmann asked whether the Leader would ..."
    offer = rules["offer"].search(text)
    if offer:  # "Joanne Carpenter offered to follow up with Members ..."
        return True, _owner_before(text[: offer.start()]), _what(text, offer.start("what"))
    asked = rules["asked"].search(text)
    if asked:
        return True, asked.group("owner"), _what(text, asked.end() - 1)
    instruction = rules["instruction"].match(text)
    if instruction:  # "The Clerk to respond accordingly."
        return True, instruction.group("owner"), _what(text, instruction.end("owner"))
    will = rules["will"].search(text)
    if will:  # "officers would ... create a programme of work"
        return True, will.group("owner"), _what(text, will.start("verb"))
    task = rules["task"].search(text)
    if task:  # "a briefing note ... be provided to the Panel": the sentence says what
        return True, _by_owner(text, task), _what(text, 0)
    return False, None, None


def _discussion_actions(item: str, sentences: Iterator[_Sentence]) -> Iterator[Action]:
    for sentence in sentences:
        if sentence.quoted:
            continue  # a motion as moved or an amendment: its requests are not yet the meeting's
        text = re.sub(r"^(?:[a-z\d]{1,3}[.)]|\(\w{1,3}\)|[•·▪-])\s+", "", sentence.text)
        is_action, owner, what = _action_in(text)
        if is_action:
            yield Action(item, sentence.page, text, owner=owner, due=_due(text), what=what)


def _resolution_action(words: str) -> tuple[bool, str | None, str | None]:
    """Whether a resolution (or a part of one) asks someone to do something; whom, and what."""
    rules = _rules()
    delegation = rules["delegation"].search(words)
    if delegation:  # "Delegates to the Monitoring Officer the submission of the response ..."
        # "To delegate authority to the Chief Executive, in consultation with ..., to agree any other
        # non-pay related changes" (Kent County Council, 13 February 2025, page 14): what follows "to".
        after = delegation.end("owner")
        infinitive = re.search(r"\bto\s+(?!the\b|a\b|an\b)[a-z]+", words[after:])
        start = after + infinitive.start() if infinitive else after
        return True, _clean_owner(delegation.group("owner")), _what(words, start)
    asks = rules["asks"].search(words)
    if asks:  # "To request that the Leader of the Council writes to the Chancellor ..."
        return True, _clean_owner(asks.group("owner")), _what(words, asks.end("owner"))
    task = rules["task"].search(words)
    if task:
        return True, _by_owner(words, task), _what(words, 0)
    return False, None, None


def _in_sentence_marker(text: str) -> str:
    rules = _rules()
    match = rules["in_sentence"].match(text)
    if match:
        return match.group("marker")
    match = rules["voted"].match(text)
    return (match.group("marker") or match.group("passive")) if match else "resolved"


def _in_sentence_resolutions(sentences: Sequence[_Sentence]) -> Iterator[_Sentence]:
    """Decisions written inside a sentence: "The Councillors resolved to pay all of the above."."""
    rules = _rules()
    for sentence in sentences:
        if sentence.quoted:
            continue
        if rules["in_sentence"].match(sentence.text) or (
            rules["voted"].match(sentence.text) and rules["vote_words"].search(sentence.text)
        ):
            yield sentence


# --- The extractor -----------------------------------------------------------------------


def looks_like_minutes(document: Document, pages: Sequence[Page]) -> bool:
    """Minutes by kind, or any document with a decision ("RESOLVED that ...") starting a line."""
    if document.kind == "minutes":
        return True
    lines = _lines(pages)
    marker = _rules()["marker"]
    return any(
        (match := marker.match(line.text)) and _valid_marker(lines, i, match) for i, line in enumerate(lines)
    )


def _reports(sentences: Sequence[_Sentence]) -> str | None:
    """The sentences that say which report the meeting considered, verbatim."""
    found = []
    for sentence in sentences:
        if re.search(
            r"\b(?:consideration to|considered|introduced|presented|outlined)\b[^.]*?"
            r"\b(?:report|strategy|update|scorecard|score card|protocol|register)\b",
            sentence.text,
            re.IGNORECASE,
        ):
            found.append(re.sub(r"^(?:[a-z\d]{1,3}[.)])\s+", "", sentence.text))
        if len(found) == 2:
            break
    return "\n".join(found) or None


def _reprinted_meeting(lines: list[_Line], document: Document) -> str | None:
    """The date of the meeting whose minutes these are, when it is not the document's own: the date
    printed above the attendance list ("AUDIT COMMITTEE" / "24 SEPTEMBER 2009" / "PRESENT:", Merton's
    agenda pack for 22 October 2009, page 3)."""
    start = _minutes_start(lines)
    present = next((i for i in range(start, len(lines)) if _PRESENT.match(lines[i].text)), None)
    if present is None or not document.meeting_date:
        return None
    for line in lines[start:present]:
        date = _iso_date(line.text)
        if date:
            return date if date < document.meeting_date else None
    return None


def minute_records(source: object, document: Document, pages: Sequence[Page]) -> Iterator[object]:
    """Agenda items, resolutions and actions from a document that looks like minutes."""
    if not looks_like_minutes(document, pages):
        return
    lines = _lines(pages)
    reprinted = _reprinted_meeting(lines, document)
    number = 0
    for item in _items(lines, document):
        blocks = list(_blocks(item.body))
        in_blocks = {i for block in blocks for i in range(block.start, block.end)}
        discussion = [line for i, line in enumerate(item.body) if i not in in_blocks]
        sentences = list(_sentences(discussion))
        decisions = list(_in_sentence_resolutions(sentences))
        text = _joined(item.body)
        pages_used = [line.page for line in item.body if line.text] or [item.page]
        yield AgendaItem(
            key=item.key,
            page=item.page,
            title=item.title,
            number=item.number,
            minute=item.minute,
            reports=_reports(sentences),
            text=text,
            last_page=max(pages_used),
            topics=topics_in(f"{item.title or ''} {text}"),
            meeting_date=reprinted,
        )
        decided = {(s.page, s.text) for s in decisions}
        yield from _discussion_actions(item.key, iter(s for s in sentences if (s.page, s.text) not in decided))
        found: list[tuple[int, object]] = []
        for block in blocks:
            number += 1
            rows = block.parts or [(None, block.page, _strip_that(block.lead))]
            for label, page, words in rows:
                if not words:
                    continue  # "RESOLVED:" and nothing after it: no decision to record
                key = f"R{number}" if label is None else f"R{number}.{label}"
                found.append((block.start, (key, label, page, words, block.marker, block.block)))
        for sentence in decisions:
            number += 1
            marker = _in_sentence_marker(sentence.text)
            found.append((-1, (f"R{number}", None, sentence.page, sentence.text, marker, sentence.text)))
        for _, (key, label, page, words, marker, passage) in found:
            yield Resolution(
                key=key,
                item=item.key,
                page=page,
                text=words,
                number=label,
                marker=marker,
                block=passage,
                topics=topics_in(words),
            )
            is_action, owner, what = _resolution_action(words)
            if is_action:
                yield Action(item.key, page, words, resolution=key, owner=owner, due=_due(words), what=what)
