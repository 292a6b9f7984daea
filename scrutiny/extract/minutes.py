"""Minutes: agenda items, numbered resolutions and the actions a meeting asked for, by text rules.

Three layouts are read:

- printed minutes whose items end their heading with "(Item N)" (Kent's ModernGov PDFs:
  Cabinet 9 January 2025, Corporate Parenting Panel 29 October 2024);
- a ModernGov agenda-item page ("Agenda item" / title / "Minutes:" / ... / "Supporting
  documents:", Doncaster seed 004);
- anything else (a ModernGov ``minutesnonemptyhtmlbody`` saved as HTML): one item, the whole
  document, titled as the document is.

Every record keeps its page and its words as printed; lines are joined with single spaces
(a PDF's line breaks are layout, not text).
"""

from __future__ import annotations

import bisect
import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from ..records import Action, AgendaItem, Document, Page, Resolution

__all__ = ["looks_like_minutes", "minute_records", "topics_in"]

_TOPICS = Path(__file__).resolve().parent.parent / "data" / "minute_topics.csv"

# The last line of a page when it is only the page number: "7" (Kent), "Page 3" (Doncaster PDF).
_FOOTER = re.compile(r"^(?:Page\s+)?\d{1,3}$", re.I)

# "(Item 9)": Kent prints it under each item's title, after the minute number and title
# ("78. Minutes of the Meeting held on 28 November 2024" / "(Item 3)").
_ITEM_REF = re.compile(r"^\(Item\s+(?P<number>\d{1,3}[A-Za-z]?)\)$", re.I)
_MINUTE_NUMBER = re.compile(r"^(?P<minute>\d{1,4})\.\s+(?P<title>\S.*)$")
# A one-item page's heading: "9. Work Programme" (short, no full stop: not a numbered paragraph).
_HEADING = re.compile(r"^(?P<number>\d{1,3}[a-z]?)\.?\s+(?P<title>[A-Z][^.]{2,120})$")

# The family of words that open a decision. Capitalised ("Resolved:-") or in capitals
# ("RESOLVED that:"), at the start of a line, perhaps after the paragraph's own number
# ("3. RESOLVED that the update be noted.", Kent Corporate Parenting Panel, page 1).
# "Resolutions" and "Recommendation(s):" are headings, not decisions: the word must end there.
_MARKER = re.compile(
    r"^(?:(?P<paragraph>\d{1,3})\.\s+)?"
    # "It was RESOLVED that", "The Committee AGREED": a lead-in only before the word in capitals,
    # so "It was agreed that children should be placed ..." (Kent CPP, page 5) stays discussion.
    r"(?:(?:It was|The (?:[A-Z][\w’'-]*\s){0,4}?(?:Panel|Committee|Cabinet|Board|Commission|Council|Sub-Committee))\s+(?=[A-Z]{6,}\b))?"
    r"(?P<marker>RESOLVED|AGREED|RECOMMENDED|DECIDED|Resolved|Agreed|Recommended|Decided)"
    r"(?![\w(’'])(?P<rest>.*)$"
)
# What may follow the word: a separator (":", ":-", "–"), "that", "to", a numbered part, or nothing.
_MARKER_REST = re.compile(
    r"^(?:\s*(?::-|:|[-–—]|,)|\s+(?:that|to|unanimously|as follows|accordingly)\b|\s+\(|\s*$)",
    re.I,
)
_SEPARATOR = re.compile(r"^\s*(?::-|:|[-–—]|,)?\s*")
_THAT = re.compile(r"^that\b\s*:?\s*", re.I)

# A numbered part: "(1)", "(a)", "(ii)", "1.", "a.", "1)", "a)".
_PART = re.compile(
    r"^(?:\((?P<bracketed>\d{1,2}|[a-z]|[ivx]{1,4})\)|(?P<dotted>\d{1,2}|[a-z]|[ivx]{1,4})(?P<dot>[.)]))\s+(?P<text>\S.*)$"
)
_INLINE_PART = re.compile(r"(?:(?<=\s)|^)\((?P<label>\d{1,2}|[a-z]|[ivx]{1,4})\)\s+")
_BULLET = re.compile(r"^[•·▪◦●\-–]\s")
# ModernGov agenda-item pages end with the item's papers (Doncaster seed 004).
_TRAILER = re.compile(r"^(?:Supporting documents|Decision|Minutes|Additional documents):?$", re.I)

_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]


@dataclass
class _Line:
    page: int
    text: str  # whitespace collapsed; "" for a blank line


def _lines(pages: Sequence[Page]) -> list[_Line]:
    """Every line of the document in order, without page-number footers."""
    lines: list[_Line] = []
    for page in pages:
        texts = [" ".join(raw.split()) for raw in page.text.splitlines()]
        while texts and not texts[-1]:
            texts.pop()
        if texts and _FOOTER.match(texts[-1]):
            texts.pop()
        lines.extend(_Line(page.page, text) for text in texts)
    return lines


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?"))


def _joined(lines: Sequence[_Line]) -> str:
    return " ".join(line.text for line in lines if line.text)


# --- Topics ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _topic_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    with _TOPICS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for phrase in row["phrases"].split(";"):
                phrase = phrase.strip()
                if not phrase:
                    continue
                # Abbreviations (SEN, CiC, LAC) only in their own case: "sen" is not one.
                flags = 0 if sum(c.isupper() for c in phrase) >= 2 else re.I
                pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", flags)
                patterns.append((row["topic"], pattern))
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
    # Agency Annual Report" / "2023/2024" (Kent Corporate Parenting Panel, page 3).
    before = first - 1
    if (
        before >= 0
        and len(lines[before].text) >= 55
        and not re.search(r"[.;:)!?,]$", lines[before].text)
        and not _MARKER.match(lines[before].text)
        # "Cabinet Member updates were deferred to the next meeting of the Cabinet" / "80. Provisional
        # Local Government ..." (Kent Cabinet, page 1): a numbered title starts afresh.
        and not _MINUTE_NUMBER.match(lines[first].text)
    ):
        return before
    return first


def _items(lines: list[_Line], document: Document) -> list[_Item]:
    refs = [i for i, line in enumerate(lines) if _ITEM_REF.match(line.text)]
    if refs:
        starts = [_title_lines(lines, i) for i in refs]
        items = []
        for n, (ref, start) in enumerate(zip(refs, starts, strict=True)):
            end = starts[n + 1] if n + 1 < len(starts) else len(lines)
            title = _joined(lines[start:ref])
            minute = None
            numbered = _MINUTE_NUMBER.match(title)
            if numbered:
                minute, title = numbered.group("minute"), numbered.group("title")
            number = _ITEM_REF.match(lines[ref].text).group("number")
            items.append(
                _Item(f"item-{n + 1}", title or None, number, minute, lines[start].page, lines[ref + 1 : end])
            )
        return items
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
    if heading and len(filled) > 1 and not _MARKER.match(first.text):
        # scrutiny fetch saves an item's minutes under a heading "<number>. <title>" (issue 5).
        return [_Item("item-1", heading.group("title"), heading.group("number"), None, first.page,
                      lines[filled[0] + 1 :])]
    return [_Item("item-1", document.title, None, None, first.page, lines)]


# --- Resolutions -------------------------------------------------------------------------


def _style(match: re.Match[str]) -> tuple[str, str]:
    label = match.group("bracketed") or match.group("dotted")
    form = "()" if match.group("bracketed") else match.group("dot")
    return label, form


def _kind(label: str) -> str:
    return "digit" if label.isdigit() else "letter"


def _follows(previous: str | None, label: str) -> bool:
    """Whether ``label`` is the next part after ``previous`` (None: the first part)."""
    if previous is None:
        return label in ("1", "a", "i")
    if previous.isdigit():
        return label.isdigit() and int(label) == int(previous) + 1
    if previous in _ROMAN and label in _ROMAN and _ROMAN.index(label) == _ROMAN.index(previous) + 1:
        return True
    return len(previous) == 1 and len(label) == 1 and ord(label) == ord(previous) + 1


def _valid_marker(lines: list[_Line], at: int, match: re.Match[str]) -> bool:
    if not _MARKER_REST.match(match.group("rest")):
        return False  # "Agreed Syllabus", "Resolved Items": words, not a decision
    if match.group("paragraph"):
        return True
    # "... at its meeting the Cabinet" / "RESOLVED that ..." is a quoted past decision carried
    # over a line break, not this meeting's: a decision starts a paragraph.
    before = at - 1
    if before < 0 or not lines[before].text:
        return True
    return bool(re.search(r"[.:;)!?]$", lines[before].text)) or bool(_ITEM_REF.match(lines[before].text))


def _strip_connector(text: str) -> str:
    """A part's text without the "; and" that joins it to the next: "be noted; and" -> "be noted"."""
    return re.sub(r"\s*[;,]?\s*\b(?:and|or)$", "", text.rstrip()).rstrip(" ;,")


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
    for match in _INLINE_PART.finditer(lead):
        if _follows(previous, match.group("label")):
            found.append(match)
            previous = match.group("label")
    if len(found) < 2 or _THAT.sub("", lead[: found[0].start()]).strip(" :-–"):
        return lead, []
    parts = []
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else len(lead)
        parts.append((match.group("label"), page, _strip_connector(lead[match.end() : end])))
    return lead[: found[0].start()], parts


def _resolution_block(lines: list[_Line], at: int, match: re.Match[str]) -> _Block:
    rest = _SEPARATOR.sub("", match.group("rest"), count=1)
    lead_lines = [rest] if rest else []
    parts: list[list] = []  # [label, form, page, [texts]]
    # "RESOLVED that:" / "RESOLVED that Cabinet:" introduce a list; so does an empty lead.
    listing = not rest or rest.endswith((":", ":-", "that")) or rest.lower() == "that"
    j = at + 1
    while j < len(lines):
        line = lines[j]
        if not line.text:
            ahead = j + 1
            while ahead < len(lines) and not lines[ahead].text:
                ahead += 1
            part = _PART.match(lines[ahead].text) if ahead < len(lines) else None
            if listing and part and _follows(parts[-1][0] if parts else None, _style(part)[0]):
                j = ahead
                continue
            if (
                listing
                and not parts
                and not _THAT.sub("", " ".join(lead_lines)).strip(" :-–")
                and ahead < len(lines)
                and not _MARKER.match(lines[ahead].text)
                and not _TRAILER.match(lines[ahead].text)
            ):
                # "<p><b>RESOLVED:</b></p><p>That the report be noted.</p>": the words follow
                # in the next paragraph (ModernGov minutes bodies).
                j = ahead
                continue
            break
        marker = _MARKER.match(line.text)
        if (marker and _valid_marker(lines, j, marker)) or _TRAILER.match(line.text) or _ITEM_REF.match(line.text):
            break
        part = _PART.match(line.text)
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
        if _BULLET.match(line.text) or _MINUTE_NUMBER.match(line.text):
            break
        if _ends_sentence(last):
            break  # a new sentence after a full stop: the minute has moved on
        if parts:
            parts[-1][3].append(line.text)
        else:
            lead_lines.append(line.text)
        j += 1
    lead = " ".join(lead_lines)
    found = [(label, page, _strip_connector(" ".join(texts))) for label, _form, page, texts in parts]
    if not found:
        lead, found = _inline_parts(lead, lines[at].page)
    text = " ".join(line.text for line in lines[at:j] if line.text)
    return _Block(at, j, match.group("marker"), lead, found, lines[at].page, text)


def _blocks(lines: list[_Line]) -> Iterator[_Block]:
    i = 0
    while i < len(lines):
        match = _MARKER.match(lines[i].text)
        if match and _valid_marker(lines, i, match):
            block = _resolution_block(lines, i, match)
            yield block
            i = max(block.end, i + 1)
        else:
            i += 1


# --- Actions -----------------------------------------------------------------------------

_NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor)\.?\s+)?(?:[A-Z][\w’'-]*\s+){0,3}[A-Z][\w’'-]+"
# "Joanne Carpenter offered to follow up with Members" (Kent CPP, page 2); "The Chair agreed
# to write to group leaders" (page 1). "agreed to the following amendment" is consent, not a task.
_OFFER = re.compile(
    r"\b(?P<verb>offered|agreed|undertook|promised|committed|(?:was|were) (?:asked|requested))"
    r"\s+to\s+(?!(?:the|a|an|this|these|that|those)\b)(?P<what>\w)"
)
_ASKED = re.compile(
    r"\b(?:asked|requested|invited)\s+(?P<owner>officers|the (?:[A-Z][\w’'-]*\s*)+|" + _NAME + r")\s+to\s+\w"
)
# "it was confirmed that officers would, subject to the outcome of the decision taken by Cabinet,
# create a programme of work" (Kent Cabinet, page 5): an officer's commitment in reported speech.
_WILL = re.compile(
    r"\b(?P<owner>[Oo]fficers|(?:[Tt]he )?(?:[A-Z][\w’'-]*\s){0,4}"
    r"(?:Director|Head|Manager|Officer|Chair|Chairman|Leader|Cabinet Member|Commissioner)"
    r"(?: (?:of|for) [A-Z][\w’'-]*(?: (?:and |& )?[A-Z][\w’'-]*)*)?"
    r"|(?:Mr|Mrs|Ms|Dr|Cllr|Councillor) [A-Z][\w’'-]+)"
    r"\s+(?:would|will)(?:,[^,]{1,120},)?\s+(?!be\b|have\b|not\b|also be\b)[a-z]+"
)
# "a briefing note ... be provided to the Panel" (Doncaster seed 004); "would be considered and
# bought back to a future meeting" (Kent CPP, page 7); "a subsequent report will set out".
_BODY = r"(?:Panel|Committee|Cabinet|Board|meeting|Members|members|Council|Commission|Forum)"
_TASK = re.compile(
    r"\b(?:be|being)\s+(?:provided|circulated|brought back|bought back|reported|shared|presented|"
    r"submitted|sent|considered and b(?:r)?ought back)(?:\s+\w+){0,3}\s+to\s+(?:the\s+|a\s+|all\s+)?"
    rf"(?:[\w-]+\s+){{0,4}}{_BODY}\b"
    r"|\b(?:a|the)\s+(?:subsequent|further|follow[- ]up)\s+(?:report|update|briefing)\b"
    r"|\brequests?\s+for\s+(?:follow[- ]up|further)\b"
    r"|\b(?:report|come|bring \w+) back\b",
    re.I,
)
# A resolution that asks someone: "ask the Head of Service for a briefing note", "request officers to ...".
_ASKS = re.compile(
    r"\b(?:ask|asks|request|requests|instruct|instructs|invite|invites)\s+"
    r"(?P<owner>officers|(?:the\s+)?(?:[A-Z][\w’'-]*\s(?:(?:of|and|for|&)\s)?)+?)(?:to|for)\b"
)
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_DUE = re.compile(
    rf"\bby (?:the end of )?(?:\d{{1,2}}(?:st|nd|rd|th)? )?{_MONTHS}(?: \d{{4}})?"
    r"|\bby the end of (?:the )?\w+(?: \d{4})?"
    r"|\b(?:at|to) (?:a|the) (?:future|next|following) meeting(?: of the (?:[A-Z][\w’'-]*\s)*[A-Z][\w’'-]*)?"
    rf"|\bin {_MONTHS}(?: \d{{4}})?"
    r"|\bwhen the results become available"
    rf"|\bon \d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}(?: \d{{4}})?"
    r"|\bin (?:19|20)\d\d\b"
    r"|\bin the future"
    r"|\boutside of the meeting"
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


@dataclass
class _Sentence:
    page: int
    text: str


def _sentences(lines: Sequence[_Line]) -> Iterator[_Sentence]:
    """Sentences of a passage with the page each starts on; a numbered or bulleted line starts afresh."""
    paragraphs: list[list[_Line]] = []
    for line in lines:
        if not line.text:
            paragraphs.append([])
            continue
        if not paragraphs or _PART.match(line.text) or _BULLET.match(line.text):
            paragraphs.append([])
        paragraphs[-1].append(line)
    for paragraph in paragraphs:
        if not paragraph:
            continue
        text = ""
        offsets: list[int] = []
        for line in paragraph:
            offsets.append(len(text) + (1 if text else 0))
            text = f"{text} {line.text}" if text else line.text
        start = 0
        for boundary in [*(m.end() for m in re.finditer(r"[.!?](?=\s+[A-Z(•])", text)), len(text)]:
            sentence = text[start:boundary].strip()
            if sentence:
                where = bisect.bisect_right(offsets, start) - 1
                yield _Sentence(paragraph[max(where, 0)].page, sentence)
            start = boundary


def _discussion_actions(item: str, sentences: Iterator[_Sentence]) -> Iterator[Action]:
    for sentence in sentences:
        text = re.sub(r"^(?:[a-z\d]{1,3}[.)]|[•·▪-])\s+", "", sentence.text)
        owner = None
        offer = _OFFER.search(text)
        asked = _ASKED.search(text)
        will = _WILL.search(text)
        if offer:
            owner = _owner_before(text[: offer.start()])
        elif asked:
            owner = asked.group("owner")
        elif will:
            owner = will.group("owner")
        elif not _TASK.search(text):
            continue
        yield Action(item, sentence.page, text, owner=owner, due=_due(text))


# --- The extractor -----------------------------------------------------------------------


def looks_like_minutes(document: Document, pages: Sequence[Page]) -> bool:
    """Minutes by kind, or any document with a decision ("RESOLVED that ...") starting a line."""
    if document.kind == "minutes":
        return True
    lines = _lines(pages)
    return any(
        (match := _MARKER.match(line.text)) and _valid_marker(lines, i, match) for i, line in enumerate(lines)
    )


def _reports(body: Sequence[_Line]) -> str | None:
    """The sentences that say which report the meeting considered, verbatim."""
    found = []
    for sentence in _sentences(body):
        if re.search(
            r"\b(?:consideration to|considered|introduced|presented|outlined)\b[^.]*?"
            r"\b(?:report|strategy|update|scorecard|score card|protocol|register)\b",
            sentence.text,
            re.I,
        ):
            found.append(re.sub(r"^(?:[a-z\d]{1,3}[.)])\s+", "", sentence.text))
        if len(found) == 2:
            break
    return "\n".join(found) or None


def minute_records(source: object, document: Document, pages: Sequence[Page]) -> Iterator[object]:
    """Agenda items, resolutions and actions from a document that looks like minutes."""
    if not looks_like_minutes(document, pages):
        return
    lines = _lines(pages)
    number = 0
    for item in _items(lines, document):
        blocks = list(_blocks(item.body))
        in_blocks = {i for block in blocks for i in range(block.start, block.end)}
        discussion = [line for i, line in enumerate(item.body) if i not in in_blocks]
        text = _joined(item.body)
        pages_used = [line.page for line in item.body if line.text] or [item.page]
        yield AgendaItem(
            key=item.key,
            page=item.page,
            title=item.title,
            number=item.number,
            minute=item.minute,
            reports=_reports(discussion),
            text=text,
            last_page=max(pages_used),
            topics=topics_in(f"{item.title or ''} {text}"),
        )
        yield from _discussion_actions(item.key, _sentences(discussion))
        for block in blocks:
            number += 1
            rows = block.parts or [(None, block.page, _THAT.sub("", block.lead, count=1).strip())]
            for label, page, words in rows:
                if not words:
                    continue  # "RESOLVED:" and nothing after it: no decision to record
                key = f"R{number}" if label is None else f"R{number}.{label}"
                resolution = Resolution(
                    key=key,
                    item=item.key,
                    page=page,
                    text=words,
                    number=label,
                    marker=block.marker,
                    block=block.block,
                    topics=topics_in(words),
                )
                yield resolution
                asks = _ASKS.search(words)
                if asks or _TASK.search(words):
                    owner = asks.group("owner").strip() if asks else None
                    yield Action(item.key, page, words, resolution=key, owner=owner, due=_due(words))
