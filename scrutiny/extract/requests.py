"""Requests in minutes: what a meeting asked to come back, to whom and by when.

"RESOLVED that ... (2) a briefing note detailing the actual number of young people re-offending
... be provided to the Panel" (Doncaster seed 004); "the governance and monitoring arrangements
would be considered and bought back to a future meeting of the Panel" (Kent Corporate Parenting
Panel); "This item was deferred to the next appropriate meeting of Full Council" (Kent County
Council); "Ms Coombs offered to provide Members with further details about the number of adoptions
by age" (Corporate Parenting Panel). Each becomes a ``Request`` with its subject in the minutes'
words, who asked of whom, who it comes back to, and when.

Read from what the minutes reader stored (resolutions, actions, agenda items' discussion), one
sentence at a time, with the cue words of ``scrutiny/data/followup_cues.yml``. What goes out
and does not come back (a letter to a minister, a response to a consultation) is not a request.
Dates the words give are made ISO here ("on 23rd January 2025"; "in six months" from the
meeting, with dateutil); "the next meeting" needs the committee's calendar, which the linker
(``scrutiny.nlp.returns``) has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from functools import lru_cache

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta

from ..periods import NUMBER_WORDS
from ..records import MinuteText, Request
from ..vocab import vocabulary

__all__ = ["due_date", "listed_items", "receipt_sentences", "requests_in", "sentences"]

_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# Names that can be split before: "Mr. Smith" is rare in minutes, but "Mr", initials and "No." are not.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]|\b(?:Cllrs?|Mr|Mrs|Ms|Dr|Prof|Rev|St|No|Nos|Co|Ltd|Ref|approx|cf|etc|i\.e|e\.g))$")
_NUMBERING = re.compile(r"^(?:\(?\d{1,3}[).]|\(?[a-z][).]|\(?[ivx]{1,4}[).]|[•·▪◦●\-–])\s+")
# What a subject means by itself: a document, data or an update (a time alone then names the return:
# "a new, more concise document would be presented in 2025", Corporate Parenting Panel page 8).
_DOCUMENT_WORDS = re.compile(
    r"\b(?:report|reports|document|update|updates|note|briefing|paper|strategy|plan|review|data|information|"
    r"figures|details|findings|results|proposals?|options|protocol|register|arrangements|analysis)\b",
    re.IGNORECASE,
)
_BODY_WORDS = r"(?:Committee|Panel|Board|Cabinet|Council|Commission|Forum|Group|Partnership|Executive|Sub-Committee)"
# A capitalised name: "the Governance and Audit Committee", "Cabinet", "Full Council".
_NAME = rf"(?:(?:the|this)\s+)?(?:[A-Z][\w’'&-]*\s+(?:(?:and|of|for|&)\s+)?){{0,6}}{_BODY_WORDS}\b|(?:the\s+)?Executive\b"
# When, in the words after the verb. Month names only with their capital: "that may arise" is no date
# (Newbiggin Parish Council, page 2).
_TIME = (
    rf"\b(?:on|by|before|in|during|at|within|for)\s+(?:the\s+)?(?:end\s+of\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?-i:{_MONTHS})\b(?:\s+\d{{4}})?"
    r"|\bin\s+(?:19|20)\d\d\b"
    r"|\b(?:in|within)\s+(?:\w+|\d+)\s+(?:weeks?|months?|years?)(?:[’']s?)?(?:\s+time)?"
    r"|\b(?:at|to|for)\s+(?:the|its|a|any)\s+(?:next|future|following|later|subsequent)\s+(?:appropriate\s+)?(?:\d{4}\s+)?meeting"
    r"(?:\s+of\s+(?:the\s+)?(?:[A-Z][\w’'&-]*\s*)+)?"
    r"|\bin\s+the\s+future|\blater\s+(?:in\s+the|this)\s+year"
)
_CONDITION = re.compile(r"\b(?:once|when|as soon as|after)\b\s+[^,;.]*", re.IGNORECASE)


def _words(name: str) -> list[str]:
    return [str(word) for word in vocabulary("followup_cues")[name]]


def _alternation(words: Iterable[str]) -> str:
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in word.split()) for word in ordered)


@lru_cache(maxsize=1)
def _rules() -> dict[str, re.Pattern[str]]:
    returns = _alternation(_words("returns"))
    return {
        # "be provided to the Panel", "would be considered and bought back to a future meeting",
        # "was due to be presented to the Governance and Audit Committee", "be formally reported to".
        "passive": re.compile(
            rf"\bbe\s+(?:\w+\s+and\s+)?(?:\w+ly\s+)?(?P<verb>{returns})\b(?:\s+back)?\s*(?P<rest>.*)",
            re.IGNORECASE,
        ),
        # "offered to come back to the panel with the data", "would report back to the Committee".
        "back": re.compile(
            r"\b(?:to|would|will|should|shall|could)\s+(?P<verb>come|report|bring\s+\w+|brought)\s+back\b\s*(?P<rest>.*)",
            re.IGNORECASE,
        ),
        # "offered to provide Members with further details", "offered to circulate links".
        "offer": re.compile(
            rf"\b(?:offered|agreed|undertook|promised|volunteered|was asked|were asked|asked|requested)\s+"
            rf"(?:\w+\s+)?to\s+(?P<verb>{_alternation(_words('offers'))})\b\s*(?P<rest>.*)",
            re.IGNORECASE,
        ),
        "kept": re.compile(
            rf"\bbe\s+(?P<verb>{_alternation(_words('kept_informed'))})\b"
            r"(?:\s+(?:of|on|about|regarding))?\s*(?P<rest>.*)",
            re.IGNORECASE,
        ),
        "deferral": re.compile(
            rf"\b(?:was|were|is|are|be|been|being)\s+(?P<verb>{_alternation(_words('deferrals'))})\s+"
            r"(?:to|until)\s+(?P<rest>.*)",
            re.IGNORECASE,
        ),
        # Any of the words a request needs: a sentence with none is passed over at once.
        "trigger": re.compile(
            rf"\b(?:{_alternation([*_words('returns'), *_words('offers'), *_words('kept_informed'), *_words('deferrals')])}"
            r"|back|requests?|requested|asks?|asked)\b",
            re.IGNORECASE,
        ),
        # "the Panel requests an update of recommendations R3, R4 and R5 of the action plan to a later
        # 2009 meeting of the Pension Fund Panel" (Merton Audit Committee, 24 September 2009, page 5).
        "ask_for": re.compile(
            r"\b(?:requests?|requested|asks?\s+for|asked\s+for)\s+(?P<what>(?:a|an|further)\s+(?:[\w-]+\s+){0,2}?"
            r"(?:update|report|briefing(?:\s+note)?|note|paper|information|details)\b.*?)\s+"
            r"(?P<rest>(?:to|at)\s+(?:a|the|its|any)\s+(?:\w+\s+){0,3}?meeting\b.*)$",
            re.IGNORECASE,
        ),
        "outward": re.compile(rf"^(?:{_alternation(_words('outward'))})\b", re.IGNORECASE),
        "this_meeting": re.compile(rf"^(?:{_alternation(_words('this_meeting'))})\b", re.IGNORECASE),
        "full_council": re.compile(rf"^(?:{_alternation(_words('full_council'))})$", re.IGNORECASE),
        "time": re.compile(_TIME, re.IGNORECASE),
        "name": re.compile(_NAME),
    }


def sentences(text: str) -> list[str]:
    """The sentences of a passage of minutes, paragraph numbers ("4.", "b)") taken off."""
    found: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?][”\"’]?(?=\s+[(“\"‘A-Z0-9•])", text):
        if _ABBREVIATION.search(text[start : match.start()]):
            continue
        found.append(text[start : match.end()])
        start = match.end()
    found.append(text[start:])
    cleaned = []
    for sentence in found:
        sentence = " ".join(sentence.split())
        while _NUMBERING.match(sentence):
            sentence = _NUMBERING.sub("", sentence, count=1)
        if len(sentence) > 3 and not re.fullmatch(r"[\d\s.()]+", sentence):
            cleaned.append(sentence)
    return cleaned


def _number(word: str) -> int | None:
    word = word.lower()
    if word.isdigit():
        return int(word)
    value = NUMBER_WORDS.get(word)
    return int(value) if value else None


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1, days=-1)


def due_date(due: str | None, meeting_date: str | None) -> str | None:
    """The date the words give, ISO: "on 23rd January 2025" is that day; "by March 2025", "in March"
    the end of that month (the meeting's year, or the next if March has passed); "in 2025" its end;
    "in six months" six months from the meeting. None when the words give no date."""
    if not due:
        return None
    asked = date.fromisoformat(meeting_date) if meeting_date else None
    text = due.lower()
    span = re.search(r"(?:in|within)\s+(\w+)\s+(week|month|year)s?", text)
    if span and asked:
        count = _number(span.group(1))
        if count:
            return (asked + relativedelta(**{f"{span.group(2)}s": count})).isoformat()
    day = re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS})\s+(\d{{4}})", due, re.IGNORECASE)
    if day:
        try:
            return dateparser.parse(day.group(0), dayfirst=True).date().isoformat()
        except (ValueError, OverflowError):
            return None
    month = re.search(rf"\b({_MONTHS})\b(?:\s+(\d{{4}}))?", due, re.IGNORECASE)
    if month:
        number = dateparser.parse(month.group(1)).month
        if month.group(2):
            return _end_of_month(int(month.group(2)), number).isoformat()
        if asked:
            year = asked.year if number >= asked.month else asked.year + 1
            return _end_of_month(year, number).isoformat()
        return None
    year = re.search(r"\b((?:19|20)\d\d)\b", text)
    if year:
        return date(int(year.group(1)), 12, 31).isoformat()
    return None


def _due_meeting(due: str | None) -> str | None:
    """"next" (the next meeting), "next appropriate", "future" or None."""
    if not due:
        return None
    text = due.lower()
    if re.search(r"\bnext\s+appropriate\b", text):
        return "next appropriate"
    if re.search(r"\b(?:next|following)\s+meeting\b", text):
        return "next"
    if re.search(r"\b(?:future|later|subsequent)\s+(?:\d{4}\s+)?meeting\b", text):
        return "future"
    return None


def _time_in(rest: str) -> str | None:
    found = _rules()["time"].search(rest)
    return found.group(0).strip() if found else None


def _destination(rest: str) -> tuple[str | None, bool]:
    """Who it comes back to, as written ("the Panel", "Cabinet", "Members") from the words after
    the verb, and whether that is somewhere a return can be: a meeting, a body or members."""
    rules = _rules()
    rest = rest.strip()
    meeting = re.match(
        r"(?:to|at)\s+(?:a|the|its|any)\s+(?:next|future|following|later|subsequent)\s+(?:appropriate\s+)?"
        r"(?:\d{4}\s+)?meeting(?:\s+of\s+(?P<of>.+))?",
        rest, re.IGNORECASE,
    )
    if meeting:
        named = meeting.group("of")
        if named:
            body = rules["name"].match(named)
            return (body.group(0) if body else named.split(",")[0].split(" on ")[0]).strip(), True
        return "the meeting", True
    to = re.match(r"(?:to|with)\s+(?P<to>.+)", rest, re.IGNORECASE)
    if not to:
        return None, False
    target = to.group("to")
    if rules["outward"].match(target):
        return None, False
    here = rules["this_meeting"].match(target)
    if here:
        return here.group(0), True
    body = rules["name"].match(target)
    if body:
        return body.group(0).strip(), True
    return None, False


def _trim_subject(text: str) -> str:
    """The noun phrase a clause is about: "to note the report, ..., and that the governance and
    monitoring arrangements would be considered and" -> "the governance and monitoring arrangements"."""
    text = text.strip(" ,;:-–")
    text = re.split(r"\bthat\s+(?=\S)", text, flags=re.IGNORECASE)[-1]
    text = re.split(r",\s+and\s+(?=(?:a|an|the)\b)", text, flags=re.IGNORECASE)[-1]
    text = re.sub(r"^(?:RESOLVED|AGREED|It was)\b[\s:,-]*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^to\s+note\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(
        r"(?:\s+(?:would|will|should|shall|could|must|to|is|are|was|were|be|been|being|due|also|then|"
        r"first|formally|considered\s+and|\w+ly))+\s*$", "", text, flags=re.IGNORECASE,
    )
    return text.strip(" ,;:-–")


def _cut_time(text: str) -> str:
    """A subject without the time and conditions after it ("the data in the future" -> "the data")."""
    text = re.split(r",?\s+(?:outside\s+(?:of\s+)?the\s+meeting|in\s+the\s+future|at\s+(?:the|a)\s+\w+\s+meeting)\b",
                    text, flags=re.IGNORECASE)[0]
    text = _CONDITION.sub("", text)
    found = _rules()["time"].search(text)
    if found and found.start() > 0:
        text = text[: found.start()]
    return text.strip(" ,;:.-–")


def _kind(subject: str, sentence: str) -> str:
    words = f"{subject} {sentence}".lower()
    for kind, pattern in (
        ("briefing note", r"\bbriefing\b"),
        ("data", r"\b(?:data|figures|numbers)\b"),
        ("information", r"\b(?:details|information|links)\b"),
        ("update", r"\bupdates?\b"),
    ):
        if re.search(pattern, words):
            return kind
    return "report"


def _owner(sentence: str, who: str | None) -> str | None:
    """Who undertook it: "Ms Coombs offered to ..." -> "Ms Coombs"; "officers would ..." -> "officers"."""
    if who:
        names = re.findall(r"(?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor)\s+)?(?:[A-Z][\w’'-]+\s+){0,2}[A-Z][\w’'-]+", who)
        names = [name for name in names if name.split()[0] not in ("It", "The", "A", "In", "This", "Most")]
        if names:
            return names[-1]
        if re.search(r"\bthe\s+chair(?:man)?\b", who, re.IGNORECASE):
            return "the Chair"
    found = re.search(r"\b(officers|the Director|the Head of \w+)\b\s+(?:would|will)\b", sentence, re.IGNORECASE)
    return found.group(1) if found else None


def _read(sentence: str, text: MinuteText) -> Request | None:
    """The request a sentence makes, or None."""
    rules = _rules()
    if not rules["trigger"].search(sentence):
        return None
    deferral = rules["deferral"].search(sentence)
    if deferral:
        rest = deferral.group("rest")
        if not re.search(r"\b(?:meeting|cycle|session)\b", rest, re.IGNORECASE):
            return None  # "elections ... postponed until 2026": not an item of business
        subject = sentence[: deferral.start()].strip(" ,")
        if not subject or re.fullmatch(r"(?:this|the|that)\s+(?:item|matter|report)|it", subject, re.IGNORECASE):
            subject = text.item_title or subject
        to, _ = _destination("to " + rest)
        due = _time_in("to " + rest) or rest.rstrip(". ")
        return Request(text, sentence, "deferred item", subject, None, to, due, due_date(due, text.meeting_date),
                       _due_meeting(due))
    kept = rules["kept"].search(sentence)
    if kept:
        who = re.split(r"[.;]", sentence[: kept.start()])[-1]
        who = re.sub(r"^.*\b(?:that|asked|requested)\s+", "", who, flags=re.IGNORECASE)
        body = rules["name"].search(who)
        to = body.group(0).strip() if body else "Members"  # "They do however wish to be kept informed"
        subject = _cut_time(kept.group("rest")) or text.item_title or ""
        due = _time_in(kept.group("rest"))
        return Request(text, sentence, "kept informed", subject, text.owner, to, due,
                       due_date(due, text.meeting_date), _due_meeting(due))
    asked_for = rules["ask_for"].search(sentence)
    if asked_for:
        rest = asked_for.group("rest")
        to, _ = _destination(rest)
        subject = re.sub(r"^(?:a|an|further)\s+(?:[\w-]+\s+){0,2}?(?:update|report|briefing(?:\s+note)?|note|paper)\s+"
                         r"(?:of|on|about|regarding|into|detailing)\s+", "", asked_for.group("what"), flags=re.IGNORECASE)
        due = _time_in(rest)
        return Request(text, sentence, _kind(asked_for.group("what"), sentence), _cut_time(subject), text.owner, to,
                       due, due_date(due, text.meeting_date), _due_meeting(due))
    offer = rules["offer"].search(sentence)
    if offer:
        rest = offer.group("rest")
        verb = offer.group("verb").lower()
        to, where = _destination(rest)
        with_members = re.match(r"(?P<to>Members|the Panel|the Committee|Councillors|the panel|members)\s+with\s+(?P<what>.*)", rest)
        if with_members:
            to, where, rest = with_members.group("to"), True, with_members.group("what")
        elif verb in ("circulate", "share"):
            to, where = to or "Members", True
        if where:
            subject = rest
            about = re.search(r"\bwith\s+(?P<what>.+)", rest)
            if verb in ("come back", "report back", "bring back") and about:
                subject = about.group("what")
            elif verb == "follow up":
                # "follow up with Members when the results become available": the results.
                ready = re.search(r"\bwhen\s+(?P<what>.+?)\s+(?:become|becomes|are|is)\s+(?:available|known|published|ready)", rest)
                subject = ready.group("what") if ready else re.sub(r"^with\s+\w+\s+", "", rest)
            subject = _cut_time(subject) or _cut_time(rest) or text.item_title or ""
            due = text.due or _time_in(rest)
            owner = _owner(sentence, sentence[: offer.start()]) or text.owner
            return Request(text, sentence, _kind(subject, sentence), subject, owner, to, due,
                           due_date(due, text.meeting_date), _due_meeting(due))
    for name in ("passive", "back"):
        found = rules[name].search(sentence)
        if not found:
            continue
        rest = found.group("rest")
        to, where = _destination(rest)
        due = _time_in(rest) or (text.due if text.due and text.due in sentence else None)
        before = _trim_subject(sentence[: found.start()])
        if name == "back":
            about = re.search(r"\bwith\s+(?P<what>.+)", rest)
            subject = _cut_time(about.group("what")) if about else before
            who = sentence[: found.start()]
        else:
            subject, who = before, None
        if not where:
            # A time alone names a return only for a document ("would be presented in 2025").
            if not (due and _DOCUMENT_WORDS.search(subject or "")):
                continue
            to = None
        if not subject:
            subject = text.item_title or ""
        owner = text.owner if text.source == "action" else _owner(sentence, who)
        return Request(text, sentence, _kind(subject, sentence), subject, owner, to, due,
                       due_date(due, text.meeting_date), _due_meeting(due))
    return None


def _key(sentence: str) -> str:
    return " ".join(re.findall(r"\w+", sentence.lower()))


# The next paragraph's number caught at the end of an action's sentence ("... become available. 5.").
_TRAILING_NUMBER = re.compile(r"(?<=[.!?])\s+\(?\d{1,3}[.)]?$")
_QUESTION = re.compile(r"\b(?:questioned|asked|queried|enquired|sought|raised|In response to)\b", re.IGNORECASE)


def _context(sentence: str, around: list[str]) -> str | None:
    """The question a request answers: the sentence before it in the item's discussion, if it asks."""
    key = _key(sentence)
    for before, current in zip(around, around[1:]):
        if key and (key in _key(current) or _key(current) in key) and _QUESTION.search(before):
            return before
    return None


def requests_in(texts: Iterable[MinuteText]) -> Iterator[Request]:
    """Every request in these resolutions, actions and agenda items, once each.

    A request the minutes record twice (an action read from a resolution's part, the part itself,
    and the discussion that repeats it) is kept once: from the action, which names who is asked,
    else the resolution, else the discussion.
    """
    order = {"action": 0, "resolution": 1, "item": 2}
    texts = list(texts)
    discussion = {text.agenda_item_id: sentences(text.text) for text in texts if text.source == "item"}
    seen: dict[tuple, list[str]] = {}
    for text in sorted(texts, key=lambda t: (order.get(t.source, 3), t.document_id, t.page or 0, t.source_id)):
        place = (text.document_id, text.agenda_item_id, text.meeting_date)
        if text.source == "item":
            found = discussion.get(text.agenda_item_id, [])
        else:
            found = [_TRAILING_NUMBER.sub("", " ".join(text.text.split()))]
        for sentence in found:
            request = _read(sentence, text)
            if request is None:
                continue
            key = _key(request.text)
            earlier = seen.setdefault(place, [])
            if any(key in other or other in key for other in earlier):
                continue
            earlier.append(key)
            context = _context(request.text, discussion.get(text.agenda_item_id, []))
            yield replace(request, context=context) if context else request


# --- Agenda front sheets: the items a later meeting listed ---------------------------------

_LISTED = re.compile(r"^(?P<number>\d{1,2})\.\s+(?P<title>\S.*)$")
_BULLETED = re.compile(r"^[•·▪]\s+(?P<title>[A-Z].*)$")
_PAGES = re.compile(r"\s*\((?:Pages?|Page)\s+[\d\s,-–]+\)\s*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"\s+\d{1,3}$")  # a page number (a year has four digits)


def listed_items(text: str) -> list[tuple[str | None, str]]:
    """The items an agenda front sheet lists, (number, title): "5. Late Changes to the 25-26 Budget
    and 25-2028 Medium Term Financial Plan (Pages 19 - 24)" (Kent Cabinet, 4 March 2025), "4. Annual
    complaints report 9" (Merton Audit Committee, 22 October 2009, page 2), and the further reports
    it bullets. A title runs on over lines that start in lower case or hold its "(Pages ...)"."""
    items: list[list] = []
    open_item = False
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            open_item = False
            continue
        started = _LISTED.match(line) or _BULLETED.match(line)
        if started:
            number = started.groupdict().get("number")
            items.append([number, started.group("title")])
            open_item = not _PAGES.search(line)
        elif items and open_item and (line[0].islower() or _PAGES.match(line) or line.startswith("(Pages")):
            items[-1][1] += " " + line
            open_item = not _PAGES.search(line)
        else:
            open_item = False
    found = []
    for number, title in items:
        title = _PAGE_NUMBER.sub("", _PAGES.sub("", title)).strip(" -–")
        if len(title) > 3:
            found.append((number, title))
    return found


def receipt_sentences(text: str) -> list[str]:
    """The sentences of a later meeting's minutes that say something was received, circulated or
    noted (``received`` in followup_cues.yml): the minute that can be a request's return."""
    pattern = re.compile(rf"\b(?:{_alternation(_words('received'))})\b", re.IGNORECASE)
    return [sentence for sentence in sentences(text) if pattern.search(sentence)]
