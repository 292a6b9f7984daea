"""Indicator values written in sentences: "January's in month performance of 22.7%".

Rotherham's performance report (seed 002) and Doncaster's annual letter (seed 003) give
their measures in prose, not tables. Each page's text goes through a rule-based spaCy
pipeline (``spacy.blank("en")``, a sentencizer, a component that ends sentences where a
PDF line ends a paragraph or bullet, and lookup lemmas); a Matcher finds the values
(percentages, rates per 10,000 or 100,000), and rules over each sentence find the measure
each value belongs to, its period, and any target or benchmark stated with it.

Misreads are worse than misses: a value is skipped whenever the sentence does not say
plainly which measure it belongs to. Only percentages and rates are read as values (plus
a bare decimal a target or benchmark cue introduces in a sentence that already has one),
so paragraph numbers ("4.2."), page references ("17"), years, ages ("aged 16") and
durations ("45 working days") are never values. The words the rules look for are data,
in ``scrutiny/data/prose_cues.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..periods import (
    MONTH_NAMES,
    PERIODS_IN_SENTENCES,
    Period,
    normalise_unit,
    parse_number,
    parse_period,
)
from ..records import Indicator, IndicatorValue, Page
from ..vocab import vocabulary, vocabulary_path

__all__ = ["CUES", "pipeline", "prose_indicators"]

METHOD = "prose"
CUES = vocabulary_path("prose_cues")

# "3.2.5 Re-referral rates ...", "4.2. Timeliness ...", "11. IMPACT ..." (seed 002, seed 000)
# ... but not a number going on with the sentence: "will have fallen from\n418.7 to 395 per 100,000"
# (Kent ICS slides p42): a paragraph number is followed by a capital, a bracket or a bullet
_PARAGRAPH_NUMBER = re.compile(r"^\s*(?:\d+(?:\.\d+)+\.?|\d+\.)(?:\s+(?=[A-Z(•\-–\d'‘\"“])|\s*$)")
_BULLET = re.compile(r"^\s*(?:[•▪●◦\-–*]|\(?[a-z]\)|\(?[ivx]+\))\s")
_FOOTER = re.compile(r"^\s*Page\s+\d+\s*$", re.IGNORECASE)
_NUMBER = r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"
_RATE_BASES = ["10,000", "10000", "100,000", "100000", "100,00", "10k", "100k", "1,000", "1000"]
_MONTHS = "|".join(month for month in MONTH_NAMES.split("|") if month != "May")  # "may" is a verb
_PERIODS = PERIODS_IN_SENTENCES  # scrutiny.periods holds the grammar of periods
# A number a sentence prints as money: "£29,600", "£10.2million", "£9.9m", "£60k" (dev corpus)
_MONEY_NUMBER = r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:k|m|bn|million|billion)?$"


@dataclass(frozen=True)
class _Cues:
    """prose_cues.yml, compiled."""

    approximate: re.Pattern
    change_before: re.Pattern
    change_after: re.Pattern
    benchmark_before: re.Pattern
    benchmark_after: re.Pattern
    target_before: re.Pattern
    money_verbs: str
    benchmarks: dict[str, str]
    trend_lemmas: frozenset[str]
    heads: re.Pattern
    boundaries: frozenset[str]
    vague: frozenset[str]


def _words(phrases: Sequence[str], gap: str = "") -> str:
    """A regex alternation of phrases, longest first, with any spacing between words; "…"
    in a phrase matches ``gap`` (which takes the spaces after it)."""

    def pattern(phrase: str) -> str:
        out, spaced = "", True  # spaced: nothing, or a gap (with its spaces), before this word
        for word in phrase.split():
            out += "" if spaced else r"\s+"
            out, spaced = (out + gap, True) if word == "…" else (out + re.escape(word), False)
        return out

    return "|".join(pattern(phrase) for phrase in sorted(phrases, key=len, reverse=True))


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    data = vocabulary("prose_cues")
    labels = _words(list(data["benchmarks"]))
    # "…" in a target phrase: up to three words, none a verb of meeting the target
    word = rf"(?!(?:{_words(data['target_met'])})\b)[a-z][\w-]*"
    gap = rf"(?:{word}\s+){{0,3}}"
    return _Cues(
        approximate=re.compile(rf"\b(?:{_words(data['approximate'])})\s*$", re.IGNORECASE),
        change_before=re.compile(rf"\b(?:{_words(data['change_before'])})\s*$", re.IGNORECASE),
        change_after=re.compile(rf"^\s*(?:{_words(data['change_after'])})\b", re.IGNORECASE),
        # "statistical neighbour average of 75.8" (seed 002 p5), "above national (82%)" (seed 000 p14)
        benchmark_before=re.compile(
            rf"\b(?P<label>{labels})(?:\s+(?:performance|figure|rate|level|position|data))?"
            r"\s*(?:of|:|=|is|was|at|\()?\s*$",
            re.IGNORECASE,
        ),
        # "50.4% for statistical neighbour and 48% for national average" (seed 002 p6)
        benchmark_after=re.compile(rf"^\s*\)?\s*(?:for|in)\s+(?:the\s+)?(?P<label>{labels})\b", re.IGNORECASE),
        benchmarks={" ".join(key.split()): value for key, value in data["benchmarks"].items()},
        target_before=re.compile(rf"\b(?:{_words(data['targets'], gap=gap)})\s*$", re.IGNORECASE),
        money_verbs=_words(data["money_verbs"]),
        trend_lemmas=frozenset(data["trend_lemmas"]),
        # "the % of adults in Kent and Medway who are physically inactive" (Kent ICS slides p42)
        heads=re.compile(rf"(?:\b(?:{_words(data['measure_heads'])})|(?<=\s)%)\s+of\s+", re.IGNORECASE),
        boundaries=frozenset(data["boundaries"]),
        vague=frozenset(data["vague_titles"]),
    )


@Language.component("scrutiny_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence where a printed line ends a paragraph, bullet or heading.

    pdfplumber keeps the PDF's line breaks, and seed 002's bullets (p2) and headings
    ("3.5 Section 47") have no full stop: a line much shorter than the page's longest, a
    line ending in ":" and a next line starting with a paragraph number, bullet or
    "Page N" footer all end a sentence.
    """
    text = _text(doc)
    lines = text.split("\n")
    width = max((len(line.rstrip()) for line in lines), default=0)
    widths = [width] * len(lines)
    if doc.user_data.get("scrutiny_blocks"):
        # a page read in blocks (Page.blocks, separated by a blank line): each block its own width
        block: list[int] = []
        for i, line in enumerate([*lines, ""]):
            if line.strip():
                block.append(i)
                continue
            for j in block:
                widths[j] = max(len(lines[k].rstrip()) for k in block)
            block = []
    starts = {token.idx: token.i for token in doc if not token.is_space}
    position = 0
    for i, (before, after) in enumerate(pairwise(lines)):
        position += len(before) + 1
        stripped = before.strip()
        # in a narrow column a short line followed by a lower-case word is a wrapped sentence
        # ("appointment as good will have\nincreased from 49%", Kent ICS slides p58)
        wrapped = doc.user_data.get("scrutiny_blocks") and re.match(r"\s*[a-z]", after)
        ends = (
            not stripped
            or stripped.endswith((":", ";", ".", "?", "!"))
            or len(stripped) < 0.75 * widths[i] and not wrapped
            or _PARAGRAPH_NUMBER.match(after)
            or _BULLET.match(after)
            or _FOOTER.match(after)
            or _FOOTER.match(before)
        )
        if not ends:
            continue
        first = position + (len(after) - len(after.lstrip()))
        index = starts.get(first)
        if index is not None and index > 0:
            doc[index].is_sent_start = True
    return doc


@lru_cache(maxsize=1)
def pipeline() -> Language:
    """The rule-based pipeline: blank English, sentences, line-break sentences, lookup lemmas."""
    nlp = spacy.blank("en")
    # ";" ends a sentence too: seed 003 p2 lists three measures in one sentence split by ";"
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";"]})
    nlp.add_pipe("scrutiny_line_breaks")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables from spacy-lookups-data
    return nlp


def _spaced(pattern: list[dict]) -> list[dict]:
    """A token pattern that lets printed line breaks ("rate per 10,000\\npopulation") sit between tokens."""
    spaced: list[dict] = []
    for token in pattern:
        if spaced:
            spaced.append({"IS_SPACE": True, "OP": "*"})
        spaced.append(token)
    return spaced


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    matcher = Matcher(pipeline().vocab)
    number = {"TEXT": {"REGEX": _NUMBER}}

    def add(name: str, patterns: list[list[dict]]) -> None:
        matcher.add(name, [_spaced(p) for p in patterns])

    add("PERCENT", [[number, {"ORTH": "%"}], [number, {"LOWER": "per"}, {"LOWER": "cent"}]])
    # "£29,600 per head", "£10.2million", "£9.9m" (Coventry p5, Cardiff p2, Birmingham p3)
    add(
        "MONEY",
        [[{"ORTH": "£"}, {"TEXT": {"REGEX": _MONEY_NUMBER}}, {"LOWER": {"IN": ["m", "k", "bn", "million", "billion"]}, "OP": "?"}]],
    )
    add(
        "RATE",
        [
            [number, {"LOWER": "per"}, {"LOWER": {"IN": _RATE_BASES}}],
            [number, {"LOWER": "per"}, {"LOWER": {"IN": ["ten", "hundred", "one"]}}, {"LOWER": "thousand"}],
        ],
    )
    # "When converted into a rate per 10,000 population this is 244.0" (seed 002 p4)
    add(
        "RATE_IS",
        [
            [
                {"LOWER": "rate"},
                {"LOWER": "per"},
                {"LOWER": {"IN": _RATE_BASES}},
                {"LOWER": "population", "OP": "?"},
                {"LOWER": {"IN": ["this", "which", "it"]}, "OP": "?"},
                {"LOWER": {"IN": ["is", "was", "of", "="]}},
                number,
            ]
        ],
    )
    add("DECIMAL", [[{"TEXT": {"REGEX": r"^\d+\.\d+$"}}]])
    add("COUNT", [[{"TEXT": {"REGEX": r"^(?:\d{1,3}(?:,\d{3})+|\d+)$"}}]])
    add("DURATION", [[number, {"LOWER": {"IN": ["weeks", "days", "months"]}}]])
    return matcher


@dataclass
class _Value:
    """A number found in a sentence, with what the rules decided about it."""

    start: int  # character offsets of the number itself, within the page text
    end: int
    span_end: int  # end of the whole match ("22.7%", "58.6 per 10,000")
    value: float
    unit: str | None
    label: str  # PERCENT, RATE, RATE_IS, MONEY, DECIMAL, COUNT, DURATION
    kind: str = "actual"
    benchmark: str | None = None
    title: str | None = None
    title_attached: bool = False  # named by words around the value itself ("N% of X")
    period: str | None = None
    period_at: tuple[int, int] | None = None
    target: float | None = None
    spend_of: _Value | None = None  # the budget this is the spend against ("a budget of £6.1m ... and spent £9.9m")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _values(sentence: Span, matches: Sequence[Span]) -> list[_Value]:
    found = []
    for span in matches:
        if span.start < sentence.start or span.end > sentence.end:
            continue
        label = span.label_
        if label == "MONEY":
            value = parse_number(span.text)
            if value is not None:
                found.append(_Value(span.start_char, span.end_char, span.end_char, value, "£", label))
            continue
        number = span[-1] if label == "RATE_IS" else span[0]
        if label in ("DECIMAL", "COUNT") and (
            number.i == sentence.start
            or "\n" in sentence.doc[number.i - 1].text_with_ws
            and not re.match(r"[^\S\n]*(?:to|and|or|per)\b", _text(sentence.doc)[number.idx + len(number.text):])
        ):
            # "11.1 Areas of Good ..." (seed 000 p3), "17" (seed 003 p2): a paragraph or page number;
            # but "from\n418.7 to 395 per 100,000" (Kent ICS slides p42) goes on with the sentence
            continue
        if label == "COUNT" and re.fullmatch(r"(?:19|20)\d\d", number.text):
            continue  # a year
        if label == "PERCENT" and number.whitespace_ and span[-1].text == "%":
            continue  # "April 2027 % of suppliers" (Kent ICS appendix p19): a year beside a heading
        value = parse_number(number.text)
        if value is None:
            continue
        if label == "PERCENT":
            unit = "%"
        elif label == "RATE":
            unit = normalise_unit(span.text)
        elif label == "RATE_IS":
            unit = normalise_unit(span[:4].text)
        elif label == "COUNT":
            unit = "count"
        elif label == "DURATION":
            unit = normalise_unit(span[-1].text)
        else:
            unit = None
        found.append(_Value(number.idx, number.idx + len(number.text), span.end_char, value, unit, label))
    return found


def _lead(sentence: Span, values: list[_Value], index: int) -> str:
    """The sentence text between the previous value and this one."""
    begin = values[index - 1].span_end if index else sentence.start_char
    return _text(sentence.doc)[begin : values[index].start]


def _trail(sentence: Span, values: list[_Value], index: int) -> str:
    """The sentence text between this value and the next."""
    end = values[index + 1].start if index + 1 < len(values) else sentence.end_char
    return _text(sentence.doc)[values[index].span_end : end]


_INHERIT = re.compile(r"^\s*(?:[A-Z][\w'’-]*\s+){0,4}(?:,|and|or|,\s*and)?\s*$")
# "target of 4%", "a target figure of 90%" (seed 000 p15); not "the contract target figure at
# 82%" (same sentence), which is the value measured against it
_TARGET = re.compile(r"\btargets?(?:\s+(?:figure|level|rate))?\s*(?:of|:|=|is|was|set\s+at)?\s*$", re.IGNORECASE)
_PREVIOUS = re.compile(
    r"(?:previously\s+achieved|previous(?:ly)?(?:\s+\w+){0,2}\s+(?:of|was|at)"
    r"|last\s+year'?s?(?:\s+[\w-]+){0,3}\s+of|(?:outturn|year[\s-]end)(?:\s+position)?\s+of"
    r"|compared\s+(?:to|with)(?:\s+the)?)\s*\(?\s*$",
    re.IGNORECASE,
)
# An ambition, not a report: "will have fallen ... to 20%", "Reduce the % of ... to 18.5%"
_AMBITION = re.compile(r"\bwill\b|^\W*(?:reduce|increase|improve|raise|lower)\b", re.IGNORECASE)
# "By 2028, 65% of employees report ..." (Kent ICS appendix p18): a goal for that year
_BY_YEAR = re.compile(r"\W*by\s+(?:19|20)\d\d\b", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\s*$", re.IGNORECASE)
# "will be maintained at the current level of 63%" (Kent ICS slides p3): today's value in a goal
_CURRENT = re.compile(r"\b(?:current(?:ly)?|present|today'?s?)(?:\s+\w+){0,2}\s+(?:of|at|is)\s*$", re.IGNORECASE)
# "from 12.8% to 11.7%"; "from 10.2% to no more than 6%" (Kent ICS slides p3): a goal as a bound
_TO_NEXT = re.compile(
    r"\bto(?:\s+(?:no\s+more\s+than|no\s+less\s+than|at\s+least|at\s+most|below|above|under|over|less\s+than|more\s+than))?\s*$",
    re.IGNORECASE,
)
_COMPOUND = re.compile(r"\b(?:combined\s+with|together\s+with|added\s+to)\b", re.IGNORECASE)


# Words a value follows in a sentence ("at 66.2%", "target of 4%", "reached 8.8%"). A
# value after any other word is a label-value pair ("Primary 62% Secondary 41%", seed 001
# p1; Kent's "Latest: 94%"): layout, which the table and label extractors read.
_CONNECTORS = frozenset(
    ["of", "at", "to", "was", "is", "were", "are", "be", "been", "being", "from", "with", "and", "or", "in", "only", "just", "that", "reached", "reach", "reaches", "achieved", "achieving", "stands", "stood", "remains", "remained", "remain", "currently", "now", "showing", "shows", "show", "averaged", "averaging", "than", "by", "on", "as", "spent"]
)


def _follows_prose(lead: str, index: int) -> bool:
    """Whether the words before a value are prose leading to it, not a label."""
    text = lead.rstrip()
    if not text:
        return index == 0  # a sentence may open with a value: "97% of referrals led to ..."
    if text.endswith(("(", ",")):
        return True
    if text.endswith((":", "=", "–", "-", "—")):
        return False
    if any(period.end() == len(text) for period in _PERIODS.finditer(text)):
        return True  # "For the year to date 10.6%" (seed 002 p6)
    word = re.search(r"([A-Za-z][\w'’-]*)$", text)
    return word is not None and word.group(1).lower() in _CONNECTORS


# A whole number is a count only where a sentence states one: "The number of new assessments
# started in January was 508" (seed 002 p5), "has steadily increased to 330" (seed 002 p6).
_COUNT_CONNECTORS = frozenset(["was", "is", "at", "to", "from", "reached", "totalled", "stood", "stands", "of"])
_COUNT_AFTER = re.compile(
    r"^\s*(?:%|per\b|working\b|days?\b|weeks?\b|months?\b|years?\b|hours?\b|minutes?\b|hrs?\b"
    r"|yrs?\b|[-–]\s*\d|to\s+\d|or\s+(?:more|over|under|fewer)\b|plus\b|\+|year[\s-]olds?\b|times\b)",
    re.IGNORECASE,
)


# The only words a count may follow its "number of X" by: "has steadily increased to 330"
_COUNT_VERBS = frozenset(
    ["peaking", "peaked", "rising", "falling", "reaching", "increasing", "decreasing", "has", "have", "had", "been", "was", "is", "were", "are", "now", "steadily", "increased", "reduced", "decreased", "fallen", "fell", "risen", "rose", "grown", "grew", "dropped", "to", "from", "at", "of", "in", "stable", "remained", "remains", "stands", "stood", "reached", "totalled", "the", "a", "by", "almost", "nearly", "half", "broadly", "significantly", "slightly", "also", "still"]
)


def _count_in_prose(lead: str, trail: str) -> bool:
    """Whether a whole number reads as a count of the sentence's measure, not an age or a time."""
    word = re.search(r"([A-Za-z]+)\s*$", lead)
    if word is None or word.group(1).lower() not in _COUNT_CONNECTORS:
        return False
    if re.search(r"\bout\s+of\s*$", lead, re.IGNORECASE):
        return False  # "37 out of 53 directional indicators" (Coventry p4): a denominator
    if re.search(
        r"\b(?:aged?|age|within|after|over|under|than|least|most|top|bottom|first|last|average|mean|median"
        r"|high|low|peak|maximum|minimum)\s+(?:\w+\s+)?$",
        lead,
        re.IGNORECASE,
    ):
        return False  # "aged 16", "a 2016/17 monthly average of 109" (seed 002 p5)
    return not _COUNT_AFTER.match(trail)


def _roles(sentence: Span, values: list[_Value]) -> list[_Value]:
    """Decide each value's kind, dropping approximations, changes and unexplained numbers."""
    cues = _cues()
    kept: list[_Value] = []
    text = _text(sentence.doc)
    for index, value in enumerate(values):
        lead, trail = _lead(sentence, values, index), _trail(sentence, values, index)
        opening = _READER.sub(" ", text[sentence.start_char : value.start])
        ambition = _AMBITION.search(opening) or _BY_YEAR.match(opening)
        if _NOT_RESULT.search(opening):
            continue  # "the quality threshold of 60%" (Birmingham p8), "a 4% vacancy factor": not results
        goal = bool(ambition and _BOUND_GOAL.search(lead))
        if goal:
            pass  # "will have reduced from 10.2% to no more than 6%" (Kent ICS slides p3): the goal
        elif cues.approximate.search(lead) or value.label == "PERCENT" and trail.startswith("+"):
            continue  # "above 90%", "(87.7%+)": bounds, not values
        target = cues.target_before.search(lead)
        if value.label == "COUNT" and not target and not _count_in_prose(lead, trail):
            if (counted := _counted(sentence, lead, trail, value)) is None:
                continue
            value.title, value.title_attached = counted, True
        done_with = _money_verb_title(lead, trail) if value.label == "MONEY" else None
        if done_with:  # "£60k was requested as a contingency for ..." (Merthyr Tydfil Oct 2012 p4)
            value.title, value.title_attached = done_with, True
        if re.search(r"\d\s*[-–]\s*$", lead) or not (goal or target or done_with or _follows_prose(lead, index)):
            continue  # "30-50%" (seed 000 p14), "Primary 62% Secondary 41%" (seed 001 p1)
        if cues.change_before.search(lead) or cues.change_after.search(trail) or _CHANGE_IN.search(lead):
            continue  # "by 9%", "a 51% increase", "a fall in the capital value of ... of £3.0m": changes
        if _COMPOUND.search(lead):
            continue  # "This, combined with ..., equates to 357.3" (seed 002 p4): which measure?
        benchmark = cues.benchmark_after.search(trail) or cues.benchmark_before.search(lead)
        if target:
            value.kind = "target"
        elif benchmark:
            value.kind = "benchmark"
            value.benchmark = cues.benchmarks.get(" ".join(benchmark.group("label").lower().split()))
        elif _PREVIOUS.search(lead) or (_FROM.search(lead) and _TO_NEXT.search(trail) and index + 1 < len(values)):
            value.kind = "previous"
        elif kept and kept[-1] is values[index - 1] and _INHERIT.match(lead) and lead.strip():
            # "targets of 3.1% NEET and 2.8% Not Known" (seed 002 p4): the list shares its kind
            value.kind, value.benchmark = kept[-1].kind, kept[-1].benchmark
        elif value.label == "MONEY" and _BUDGET.search(lead):
            value.kind = "budget"  # "had a budget of £6.1m" (Birmingham p3)
        if value.kind == "actual" and _FROM.search(lead) and (_AMBITION.search(opening) or _BY_YEAR.match(opening)):
            value.kind = "previous"  # "severe obesity will have reduced from 5%." (Kent ICS slides p3): the baseline
        elif value.kind == "actual" and not _CURRENT.search(lead) and (
            _AMBITION.search(opening) and re.search(r"\bto\b", lead) or _BY_YEAR.match(opening)
        ):
            value.kind = "target"  # "will have fallen from 22.3% in 2020/21 to 20%" (Kent ICS p13)
        before = opening
        if before.count("(") > before.count(")") and value.kind == "actual":
            share = _OUT_OF.search(before)
            named = _named_after(sentence, value) if lead.rstrip().endswith("(") and value.unit not in (None, "count") else None
            if named:
                # "the Merthyr Tydfil average (33.5 per cent) proportion of 0-3 year olds living in
                # benefit households" (Merthyr Tydfil Feb 2012 p3): the measure follows the aside
                value.title, value.title_attached = named, True
                kept.append(value)
                continue
            if not (share and value.label == "PERCENT"):
                continue  # "(51%)", "(March 24, 57.9%)": asides whose measure the sentence doesn't name
            # "37 out of 53 directional indicators improved ... in 2020/21 (70%)" (Coventry p4)
            value.title, value.title_attached = _clean_title(_PERIODS.split(share.group("x"))[0]), True
        if value.label == "DURATION" and not (
            value.kind == "previous" or value.kind == "actual" and _TO_NEXT.search(lead) and index > 0
        ):
            continue  # "within 45 working days" is a standard; only "rose from 28 weeks ... to 33 weeks" is a value
        if value.label == "COUNT" and (
            value.kind not in ("actual", "previous") and not (value.kind == "target" and target)
            or value.kind == "actual" and _FROM.search(lead) or ":" in before
        ):
            continue  # "Number of permanent exclusions: 8 in secondary, reduced from 23 last year" (seed 001 p1)
        if value.label == "DECIMAL":
            if value.kind == "actual":
                continue  # a bare number: only a target or benchmark cue makes it a value
            unit_values = [v for v in kept if v.unit]
            following = values[index + 1] if index + 1 < len(values) else None
            if value.kind == "previous" and following is not None and following.unit not in (None, "count") and _TO_NEXT.search(trail):
                # "from 418.7 to 395 per 100,000" (Kent ICS slides p42): the unit printed once
                value.unit = following.unit
            elif not unit_values:
                continue
            else:
                value.unit = unit_values[-1].unit
        if value.label == "MONEY" and value.kind == "actual" and _SPENT.search(lead):
            budgets = [v for v in kept if v.kind == "budget"]
            if budgets:  # "a budget of £6.1m ... and spent £9.9m": the spend against that budget
                value.spend_of = budgets[-1]
        kept.append(value)
    return kept


def _named_after(sentence: Span, value: _Value) -> str | None:
    """The measure named right after a value printed alone in brackets: "(33.5 per cent)
    proportion of ..."; None unless a measure's head ("proportion of") opens what follows."""
    text = _text(sentence.doc)
    close = re.match(r"\s*\)\s*", text[value.span_end : sentence.end_char])
    if close is None:
        return None
    start = value.span_end + close.end()
    if not _cues().heads.match(text, start):
        return None
    phrase = _noun_phrase(_tokens_from(sentence, start), sentence.end_char)
    return _clean_title(phrase) if phrase else None


_CHANGE_IN = re.compile(
    r"\b(?:fall|rise|increase|decrease|reduction|drop|gain|loss|growth|decline)\s+in\s+[^.;]{0,60}?\s+of\s*$", re.IGNORECASE
)
# Not results: weights, thresholds and assumptions of a procedure (scrutiny/data/junk_cues.yml)
_NOT_RESULT = re.compile(
    r"\b(?:" + "|".join(r"\s+".join(map(re.escape, cue.split())) for cue in vocabulary("junk_cues")["not_results"]) + r")\b",
    re.IGNORECASE,
)
# A goal written as a bound: "to no more than 6%", "to at least 70%", "to below 5%" (Kent ICS slides)
_BOUND_GOAL = re.compile(
    r"\bto\s+(?:no\s+more\s+than|no\s+less\s+than|at\s+least|at\s+most|below|above|under|over|less\s+than|more\s+than|fewer\s+than)\s*$",
    re.IGNORECASE,
)
_BUDGET = re.compile(r"\bbudget(?:\s+\w+){0,2}\s+(?:of|was|is|at)(?:\s+again)?\s*$", re.IGNORECASE)
_SPENT = re.compile(r"\b(?:spent|spend(?:ing)?(?:\s+\w+){0,2}\s+(?:of|was|to|at))\s*$", re.IGNORECASE)
# "37 out of 53 directional indicators improved or stayed the same in 2020/21 (70%)" (Coventry p4)
_OUT_OF = re.compile(r"\b\d[\d,]*\s+out\s+of\s+\d[\d,]*\s+(?P<x>[A-Za-z][^()]*?)\s*\(\s*$")
# What a count counts, where the sentence says with the count itself: "Currently 20 settings are
# out of contract" (Cardiff p3); "with 31,309 crimes recorded" (Coventry p6); "The average in
# 2018/19 was 2457 households" (Birmingham p3).
_COUNT_SUBJECT = re.compile(
    r"^\s*(?P<noun>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,3}?)\s+(?:are|were)\s+(?P<pred>[a-z][^.,;:()]{2,60}?)\s*(?:[.,;:]|$)"
)
_COUNT_DONE = re.compile(
    r"^\s*(?P<noun>[a-z][\w-]*s)\s+(?P<verb>recorded|reported|received|completed|registered|investigated|made|started)\b"
)
_COUNT_OPENS = re.compile(r"^\W*(?:currently|now|at\s+present|in\s+total|overall)?[\s,]*$", re.IGNORECASE)
_COUNT_AVERAGE = re.compile(r"\b(?:the\s+)?(?P<what>average|total)\b[^.;:]{0,25}\s(?:was|is|were|of)\s*$", re.IGNORECASE)


def _counted(sentence: Span, lead: str, trail: str, value: _Value) -> str | None:
    """What a whole number counts, where the words around it say so, else None."""
    opening = _text(sentence.doc)[sentence.start_char : value.start]
    if _COUNT_OPENS.match(opening) and (match := _COUNT_SUBJECT.match(trail)):
        return _clean_title(f"{match.group('noun')} {match.group('pred')}")
    if re.search(r"\bwith\s*$", lead) and (match := _COUNT_DONE.match(trail)):
        return _clean_title(f"{match.group('noun')} {match.group('verb')}")
    average = _COUNT_AVERAGE.search(lead)
    noun = re.match(r"^\s*([a-z]+s)\b", trail)
    if average and noun and noun.group(1) not in {"days", "weeks", "months", "years", "hours"}:
        return _clean_title(f"{average.group('what')} {noun.group(1)}")
    return None


def _clean_title(text: str) -> str | None:
    """A measure's name as written, or None when what was found names no measure."""
    cues = _cues()
    title = _collapse(text).strip(" ,;:.-–−•▪●◦*'\"‘’“”")
    title = re.sub(r"^(?:reduce|increase|improve|raise|lower)\s+", "", title, flags=re.IGNORECASE)
    title = re.sub(r"^(?:the|a|an|our|its|their)\s+", "", title, flags=re.IGNORECASE)
    title = re.sub(r"\s+(?:only|and|but|with|or|being)$", "", title, flags=re.IGNORECASE)
    # "Health Assessment reviews in the previous three months" (seed 002 p6): a period, not a name
    title = re.sub(
        r"\s+(?:in|over|during|for|at)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
        rf"(?:(?:previous|last|past)\s+\w+\s+months?|{_MONTHS}|year\s+to\s+date)$",
        "",
        title,
    )
    title = title.strip(" ,;:.-–'\"‘’“”")
    # quotation marks around a word ("'Inadequate' cases", seed 000 p4), not apostrophes
    title = re.sub(r"(?<![A-Za-z])['‘’\"“”]|['‘’\"“”](?![A-Za-z])", "", title)
    title = re.sub(r"[\"“”]", "", title)
    if len(title) < 3 or len(title) > 160 or not re.match(r"[A-Za-z%]|\d+-(?:year|month|week|day)\b", title):
        # "at 74% of 16 to 18-year olds" (Ofsted Rotherham p24): an age band, not a measure
        return None
    lowered = title.lower()
    first = lowered.split()[0]
    if lowered in cues.vague or first in cues.vague or first in _SUBORDINATE:
        return None
    if _CLAUSE.search(title):
        return None
    if _PERIODS.fullmatch(title):
        return None
    return title


# A clause, not a measure's name: "Looking at gilt movements in the first half of 2024/25",
# "Bank initiated its loosening cycle in August" (Kent treasury p3-4): a participle opening
# on a preposition, or a subject of a word or two and a verb in the past with a possessive
# after it (not "pupils who achieved their expected standard", a measure's own clause)
_CLAUSE = re.compile(
    r"^[A-Za-z]+ing\s+(?:at|to|on|into|through|back|over)\b"
    r"|^(?:[A-Za-z][\w'’-]*\s+){1,2}[a-z]+ed\s+(?:its|their|his|her|our|my)\b"
)


_NOT_MODIFIERS = frozenset(
    ["the", "a", "an", "our", "their", "its", "his", "her", "this", "that", "these", "those", "of", "in", "on", "at", "to", "for", "with", "by", "and", "or", "but", "nor", "is", "was", "are", "were", "has", "have", "had", "be", "been", "being", "now", "still", "also", "however", "which", "who", "whose", "than", "as", "from", "into", "over", "under", "between", "against", "during", "while", "whilst", "although", "when", "if", "so"]
)
_SUBORDINATE = frozenset(
    ["when", "if", "as", "although", "while", "whilst", "because", "since", "following", "due", "given", "with", "for", "of", "in", "at", "by", "during", "after", "before", "once", "where", "so", "and", "but", "or", "however", "nationally", "including", "excluding", "despite", "to", "from"]
)
_RELATIVE = frozenset({"who", "that"})


def _noun_phrase(tokens: Sequence, stop_at: int) -> str | None:
    """Text from the first of ``tokens`` to the first boundary word, within [.., stop_at).

    A relative "who are" / "that is" does not end it ("children who are on their second
    plan", seed 002 p5); "at", "from" and "to" end it only before a number.
    """
    cues = _cues()
    if not tokens:
        return None
    doc = tokens[0].doc
    begin = tokens[0].idx
    end = begin
    after_relative = False
    for token in tokens:
        if token.idx >= stop_at:
            break
        lower = token.lower_
        nxt = _next_word(token)
        if token.is_space:
            continue
        if lower in _RELATIVE:
            after_relative = True
            end = token.idx + len(token.text)
            continue
        if after_relative and lower in cues.boundaries:
            end = token.idx + len(token.text)
            continue
        after_relative = False
        if lower in cues.boundaries:
            break
        if lower in {"at", "from", "to", "by"} and nxt is not None and nxt.like_num:
            break
        if token.text in {";", ":", ".", "?", "!"} or token.text in {"-", "–", "—"} and (
            token.whitespace_ or token.i + 1 < len(doc) and doc[token.i + 1].is_space
        ):  # a dash between words, not a hyphen: "benefit households -\nthe key criteria" (Merthyr Tydfil)
            break
        if token.text == ",":
            # "not in education, employment or training (NEET)" (seed 002 p4): a list goes on
            rest = _text(doc)[token.idx + 1 : stop_at]
            if not re.match(r"\s*[a-z][\w-]*(?:\s+[a-z][\w-]*)?\s+(?:or|and)\s+\w", rest):
                break
        if token.like_num and nxt is not None and nxt.text == "%":
            break
        end = token.idx + len(token.text)
    if end <= begin:
        return None
    return _text(doc)[begin:end]


def _next_word(token):
    """The next token that is not a printed line break."""
    for following in token.doc[token.i + 1 :]:
        if not following.is_space:
            return following
    return None


def _tokens_from(sentence: Span, char: int) -> list:
    return [token for token in sentence if token.idx >= char]


def _attached_title(sentence: Span, values: list[_Value], index: int) -> str | None:
    """A name the words right around a value give: "N% of X", "N% NEET", "a Not Known figure of N"."""
    value = values[index]
    trail = _trail(sentence, values, index)
    lead = _lead(sentence, values, index)
    if value.label == "MONEY":
        return _money_title(lead, trail)
    of = re.match(r"^\s*of\s+", trail)
    if of:
        start = value.span_end + of.end()
        end = values[index + 1].start if index + 1 < len(values) else sentence.end_char
        text = _text(sentence.doc)[start:end]
        # "which is an improvement on ..." (seed 002 p4) is comment; "which is up-to-date" is name;
        # a bracketed abbreviation is name too: "87.6% of Children in Need (CIN), ..." (seed 002 p5)
        cut = re.search(
            r"[,;:]|\((?![A-Z]{2,6}\))|\s[-–]\s|\b(?:compared|against|but|whilst|while|although|this"
            r"|which\s+(?:is|was)\s+(?:an?|the|very|well|slightly|still|now|also|good|high|low))\b",
            text,
        )
        if cut:
            text = text[: cut.start()]
        if re.match(r"\s*(?:the\s+|our\s+)?(?:[\w-]+\s+){0,3}(?:population|cohort|total)\b", text, re.IGNORECASE):
            return None  # "0.3% of the CPP population" (seed 002 p5): a denominator, not a measure
        return _clean_title(text)
    end = "|$" if index == len(values) - 1 else ""
    label = re.match(rf"^\s*(?P<x>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){{0,3}})\s*(?:and\b|or\b|,|\.|;{end})", trail)
    if label and not _PERIODS.fullmatch(label.group("x")):
        return _clean_title(label.group("x"))  # "3.1% NEET and 2.8% Not Known" (seed 002 p4)
    figure = re.search(
        r"\b(?:a|an|the)\s+(?P<x>[A-Z][\w'’ -]{0,40}?)\s+(?:figure|rate|score|level)\s+(?:of|was|is|at)\s*$", lead
    )
    if figure:
        return _clean_title(figure.group("x"))  # "a Not Known figure of 2.8%" (seed 002 p4)
    return None


# Money named by the noun before it: "an annual grant of £10.2million" (Cardiff p2), "the
# indicative budget of £42.2m" (seed 003 p4), "a budget of £6.1m budget for Bed and Breakfast
# accommodation" (Birmingham p3).
_MONEY_HEAD = re.compile(
    r"\b(?:an?|the|its|our|their|this|that)\s+(?P<x>(?:[\w-]+\s+){0,3}?"
    r"(?:budget|grant|allocation|value|cost|costs|spend|expenditure|income|funding|saving|savings|surplus|deficit|overspend|underspend))"
    r"\s+(?:of|was|is|at|totalled|totals)\s*$",
    re.IGNORECASE,
)
_MONEY_FOR = re.compile(
    r"^\s*(?:\w+\s+)?(?P<x>(?:for|on)\s+[^,;:.()]+?)\s*"
    r"(?:\band\s+(?=(?:spent|spend|had|has|have|was|were|is|are|will|would)\b)|[,;:.(]|$)",
    re.IGNORECASE,
)


def _money_title(lead: str, trail: str) -> str | None:
    """The name of a sum of money from the noun before it and what it is for, or None."""
    head = _MONEY_HEAD.search(lead)
    if head is None:
        return None  # or named by what was done with it: _money_verb_title, in _roles
    title = head.group("x")
    purpose = _MONEY_FOR.match(trail)
    if purpose and len(purpose.group("x").split()) <= 8:
        title = f"{title} {purpose.group('x')}"
    title = _clean_title(title)
    return title if title and len(title.split()) >= 2 else None  # "surplus" alone names nothing


# "A further £60k was requested as a contingency for new developments in Dowlais." (Merthyr
# Tydfil Oct 2012 p4): a sum opening its sentence, named by what it was requested as
_MONEY_OPENS = re.compile(r"^\W*(?:\d+(?:\.\d+)*\.?\s+)?(?:(?:a\s+further|an\s+additional|a\s+total\s+of|additional|further)\s+)?$", re.IGNORECASE)


def _money_verb_title(lead: str, trail: str) -> str | None:
    """The name of a sum of money from what was done with it: "£60k was requested as a
    contingency for new developments" -> "contingency for new developments"; "MTCBC have
    been allocated £595,000" -> "amount allocated to MTCBC" (Merthyr Tydfil Oct 2012)."""
    verbs = _cues().money_verbs
    passive = re.match(
        rf"\s*(?:was|were|has\s+been|have\s+been)\s+(?:{verbs})\s+as\s+(?:an?|the)\s+(?P<x>[a-z][\w-]*)",
        trail, re.IGNORECASE,
    )
    if passive and _MONEY_OPENS.match(lead):
        title = passive.group("x")
        purpose = _MONEY_FOR.match(trail[passive.end() :])
        if purpose and len(purpose.group("x").split()) <= 8:
            title = f"{title} {purpose.group('x')}"
        return _clean_title(title)
    given = re.search(
        rf"\b(?P<who>[A-Z][\w&]*(?:\s+[A-Z][\w&]*){{0,3}})\s+(?:has|have|had)\s+been\s+(?P<verb>{verbs})\s*$", lead
    )
    if given and given.group("who").lower() not in _NOT_MODIFIERS | _SUBORDINATE | {"we", "it", "they", "this"}:
        return _clean_title(f"amount {given.group('verb').lower()} to {given.group('who')}")
    return None


_AGE_BAND = re.compile(r"^\d+\s*[-–]\s*\d+\s*(?=year)", re.IGNORECASE)


def _candidates(sentence: Span, before: int) -> list[tuple[int, str]]:
    """Measures the sentence names before character ``before``, as (end offset, title)."""
    cues = _cues()
    text = _text(sentence.doc)
    found: list[tuple[int, str]] = []
    window = text[sentence.start_char : before]
    base = sentence.start_char
    inside: set[int] = set()  # character offsets inside a measure already named
    for match in cues.heads.finditer(window):
        phrase = _noun_phrase(_tokens_from(sentence, base + match.end()), before)
        if phrase:
            inside.update(range(base + match.start(), base + match.end() + len(phrase)))
            # the word before the head is part of the name: "Re-offending rates of young people"
            # (seed 004), "The completion rate of the now termly PEPs" (Ofsted Rotherham p20)
            preceding = window[: match.start()]
            hyphenated = re.search(r"[A-Za-z]+-[A-Za-z-]+\s+$", preceding)
            # ... or two: "The 3myy growth rate of average earnings" (Kent treasury p3)
            # (a first word that is no word, "3myy", is left out)
            described = re.search(
                r"\b(?:the|a|an|our|its|their)\s+(?:(\S+)\s+)?([A-Za-z][\w'’-]*)\s+$", preceding, re.IGNORECASE
            )
            first = described and described.group(1)
            if first and (not re.fullmatch(r"[A-Za-z][\w'’-]*", first) or first.lower() in _NOT_MODIFIERS):
                first = None
            if hyphenated:
                head_start = base + hyphenated.start()
            elif described and described.group(2).lower() not in _NOT_MODIFIERS:
                head_start = base + (described.start(1) if first else described.start(2))
            else:
                head_start = base + match.start()
            title = _clean_title(text[head_start : base + match.end()] + phrase)
            # "the number of 0-3 year-old children" (Cardiff p1): an age band may open the phrase
            if title and _clean_title(_AGE_BAND.sub("", phrase)):
                found.append((base + match.end() + len(phrase), title))
    for match in re.finditer(
        r"\b(?:reduction|increase|improvement|rise|fall|decrease|drop|change|decline)\s+in\s+", window
    ):
        phrase = _noun_phrase(_tokens_from(sentence, base + match.end()), before)
        if phrase and not cues.heads.match(phrase):
            title = _clean_title(phrase)
            if title:
                found.append((base + match.end() + len(phrase), title))
    # "the reliance on frontline agency staff reducing from 18% to 10%" (seed 003 p3)
    for token in sentence:
        if token.idx >= before or token.lemma_.lower() not in cues.trend_lemmas or token.lower_ == token.lemma_.lower():
            continue
        nxt = _next_word(token)
        if nxt is None or nxt.lower_ not in {"from", "to", "by"}:
            continue  # "... has increased by 62% – from ...": a change, then the levels
        clause_start = sentence.start_char
        for previous in reversed(sentence.doc[sentence.start : token.i]):
            if previous.text in {",", ";", ":"} or previous.lower_ in {"with", "and", "that", "which", "whilst", "while"}:
                clause_start = previous.idx + len(previous.text)
                break
        lead_in = _LEADING.match(text, clause_start, token.idx)
        phrase_start = lead_in.end() if lead_in else clause_start
        phrase = _noun_phrase(_tokens_from(sentence, phrase_start), token.idx)
        if not phrase or phrase_start in inside:
            continue  # "the number of children with a child protection plan (CPP) has ... increased"
        between = text[phrase_start + len(phrase) : token.idx].lower().split()
        if any(word not in cues.boundaries and word not in {"been", "be", "have", "had"} for word in between):
            continue  # the verb belongs to another clause: "... processes has impacted on ... which has reduced"
        title = _clean_title(phrase)
        if title:
            found.append((token.idx, title))  # "severe obesity will have reduced from 5%" (Kent ICS p6)
    # "there were 482 children in care which equates to a rate of 85.5" (seed 002 p5)
    for match in re.finditer(
        r"\bthere\s+(?:were|was|are|is)\s+(?:only\s+)?\d[\d,]*\s+(?P<x>[A-Za-z][^,.;\d]+?)\s+(?:which|who|that)\b",
        window,
    ):
        if len(match.group("x").split()) >= 2:
            title = _clean_title(match.group("x"))
            if title:
                found.append((base + match.end("x"), title))
    return found


# A reader's aside: "you will note", "we can see"
_READER_WORDS = r"(?:you|we|it)\s+(?:will|can|may|should|would)\s+(?:note|see)"
_LEADING = re.compile(
    r"\s*(?:\d+(?:\.\d+)+\.?|\d+\.)?\s*"
    r"(?:(?:however|overall|similarly|also|in\s+addition|in\s+total)\s*,?\s+)?"
    rf"(?:(?:in|at\s+the\s+end\s+of|by\s+the\s+end\s+of|during|for)\s+(?:the\s+)?(?:{_MONTHS}|year\s+to\s+date|month)\s*,?\s+)?"
    # "By 2028, hospital admissions ... will have fallen" (Kent ICS slides p42): the goal's year
    r"(?:by\s+(?:19|20)\d\d(?:/\d\d)?\s*,?\s+)?"
    r"(?:[\w\s]{0,40}?\b(?:demonstrates?|demonstrated|shows?|showed|indicates?)\s+that\s+)?"
    # "... and you will note the 10-year gilt yield declined from 4.32%" (Kent treasury p4)
    rf"(?:{_READER_WORDS}\s+(?:that\s+)?)?",
    re.IGNORECASE,
)
# A reader's aside, not an ambition
_READER = re.compile(rf"\b{_READER_WORDS}\b", re.IGNORECASE)


def _subject(sentence: Span) -> tuple[int, str] | None:
    """The measure a sentence opens with: "Re-referral rates are now ..." (seed 002 p4)."""
    text = _text(sentence.doc)
    lead = _LEADING.match(text, sentence.start_char, sentence.end_char)
    start = lead.end() if lead else sentence.start_char
    tokens = _tokens_from(sentence, start)
    phrase = _noun_phrase(tokens, sentence.end_char)
    if not phrase:
        return None
    title = _clean_title(phrase)
    return (start + len(phrase), title) if title else None


def _period(sentence: Span, values: list[_Value], index: int, taken: set[tuple[int, int]]) -> None:
    """Find the period written for a value: right after it, else in the words leading to it."""
    value = values[index]
    text = _text(sentence.doc)
    mentions = [(m.start(), m.end()) for m in _PERIODS.finditer(text, sentence.start_char, sentence.end_char)]
    trail_end = values[index + 1].start if index + 1 < len(values) else sentence.end_char
    lead_start = values[index - 1].span_end if index else sentence.start_char
    chosen = None
    if value.spend_of is not None and value.spend_of.period_at is not None:
        # "In 2018/19 ... had a budget of £6.1m ... and spent £9.9m": the budget's year
        value.period, value.period_at = value.spend_of.period, value.spend_of.period_at
        return
    for start, end in mentions:
        between = text[value.span_end : start]
        if start >= value.span_end and end <= trail_end and _FILLER.fullmatch(between):
            chosen = (start, end)  # "98.3% year to date", "92.8% 2015/16" (seed 002 p2)
            break
    if chosen is None and value.kind in ("actual", "previous", "benchmark", "budget"):
        # a previous value's own period sits close before it: "the 2015/16 year-end position
        # of 76.6" (seed 002 p5), not "In January ... from 12.8%" (seed 002 p6)
        reach = lead_start if value.kind != "previous" else max(lead_start, value.start - 40)
        inside = [m for m in mentions if reach <= m[0] and m[1] <= value.start and m not in taken]
        if inside:
            chosen = inside[-1]  # "for January at 67.7%", "January's in month performance of 22.7%"
    if chosen is None and value.kind in ("actual", "budget"):
        earlier = [m for m in mentions if m[1] <= value.start and m not in taken]
        if earlier:
            chosen = earlier[-1]  # "In January the proportion ... to 11.7%" (seed 002 p6)
        elif index == len(values) - 1:
            later = [m for m in mentions if m[0] >= value.span_end and m not in taken]
            trail = text[value.span_end : sentence.end_char]
            if len(later) == 1 and re.search(
                r"\b(?:in|during|for)\s+(?:the\s+)?$", text[value.span_end : later[0][0]][-20:]
            ) and ";" not in trail:
                chosen = later[0]  # "8.3% (7 out of 84) completed during January" (seed 002 p3)
    if chosen is None:
        # "reduced from 18% in 2022 to 17%" (Kent ICS appendix p30): a calendar year right after
        year = re.match(r"\s*in\s+((?:19|20)\d\d)\b(?!\s*[/-]\s*\d)", text[value.span_end : trail_end])
        if year:
            chosen = (value.span_end + year.start(1), value.span_end + year.end(1))
    if chosen is None and value.kind == "actual":
        # "Our GDP per head figure in 2019 was £29,600" (Coventry p5): a calendar year in the
        # words leading to the value, with no other period between
        lead_text = text[lead_start : value.start]
        years = list(re.finditer(r"\bin\s+((?:19|20)\d\d)\b(?!\s*[/-]\s*\d)", lead_text))
        if years and not re.search(r"\d", lead_text[years[-1].end() :]):
            chosen = (lead_start + years[-1].start(1), lead_start + years[-1].end(1))
    if chosen is None and value.kind == "target":
        # "By 2028, the proportion ... will be reduced from 18% in 2022 to 17%": the goal's year
        goal = re.search(r"\b[Bb]y\s+(?:19|20)\d\d(?:[/-]\d\d)?\b", text[sentence.start_char : sentence.end_char])
        if goal:
            chosen = (sentence.start_char + goal.start(), sentence.start_char + goal.end())
    if chosen is not None:
        taken.add(chosen)
        value.period = text[chosen[0] : chosen[1]]
        value.period_at = chosen


# "98.3% year to date", "92.8% 2015/16" (seed 002 p2), "5.00% at the end of September 2024"
# (Kent treasury p6), "872,000 in the three months to July" (Kent treasury p3)
_FILLER = re.compile(
    r"\s*\)?\s*(?:(?:for|in|during|at|as\s+at)\s+)?(?:the\s+)?(?:(?:end|close|start|beginning)\s+of\s+(?:the\s+)?)?"
)

_NEUTRAL = frozenset(
    ["and", "or", "the", "a", "an", "for", "at", "in", "with", "compared", "to", "of", "being", "was", "is", "were", "are", "now", "but", "still", "also", "improving", "reached", "reduced", "fallen", "fell", "rose", "risen", "increased", "this", "that", "which", "it", "figure"]
)


def _lead_is_neutral(lead: str) -> bool:
    """Whether the words between two values add nothing that could change the measure."""
    stripped = _PERIODS.sub(" ", lead)
    stripped = _TARGET.sub(" ", _PREVIOUS.sub(" ", stripped))
    words = re.findall(r"[A-Za-z][\w'’-]*", stripped)
    return all(word.lower() in _NEUTRAL for word in words)


def _measures(sentence: Span, values: list[_Value], previous: Span | None, previous_title: str | None = None) -> None:
    """Name each value's measure, leaving it None (so it is skipped) when unsure.

    ``previous``: the sentence before (the last one with any text), for "this converts to";
    ``previous_title``: the measure the last value before this sentence belongs to, for
    "This compares to 79% in 2019/20" (Coventry p4).
    """
    subject = _subject(sentence)
    anaphora = re.search(r"\b(?:convert|converts|converted|equates?|equated|this\s+is)\b", sentence.text, re.IGNORECASE)
    compares = re.match(r"\W*this\s+compares\s+(?:to|with)\b", sentence.text, re.IGNORECASE)
    for index, value in enumerate(values):
        if value.title_attached and value.title:
            continue  # named by the words around it already (_roles)
        if compares and previous_title and index == 0 and value.kind == "actual":
            value.title = previous_title
            continue
        if value.label == "DURATION":
            # a duration belongs only to a measure of time: "Average length of care proceedings
            # rose from 28 weeks ... to 33 weeks" (seed 000 p16)
            candidates = _candidates(sentence, value.start)
            best = max(candidates)[1] if candidates else ""
            # ... or of days lost: "Staff sickness absence decreased from 12.71 to 10.47 days per year" (Coventry p7)
            timed = re.search(r"\b(?:length|duration|time|times|wait|waiting|days|weeks|absence|sickness)\b", best, re.IGNORECASE)
            value.title = best if timed else None
            continue
        if value.label == "COUNT":
            # a count needs a "number of X" right before it: the nearest measure the sentence names
            candidates = _candidates(sentence, value.start)
            end, best = max(candidates) if candidates else (value.start, "")
            between = _PERIODS.sub(" ", _text(sentence.doc)[end : value.start])
            plain = all(word.lower() in _COUNT_VERBS for word in re.findall(r"[A-Za-z]+", between))
            # "... per LAC team social worker to 12.9 however the maximum is now at 18" (seed 002 p9)
            named = re.match(r"(?:(?:total|overall|current)\s+)?numbers?\s+of\s", best, re.IGNORECASE)
            # ... or the subject of a trend from one count to another: "Fly-tipping has increased
            # by 62% – from 6,955 to 10,727" (Coventry p6)
            lead = _lead(sentence, values, index)
            trail = _trail(sentence, values, index)
            trend = value.kind == "previous" and _FROM.search(lead) or (
                index > 0 and values[index - 1].kind == "previous" and _TO_NEXT.search(lead)
            )
            if trend and not plain:
                # "has increased from 121,391 transactions to 352,751 transactions" (Coventry p7):
                # the count's own noun may stand between
                noun = re.match(r"\s*([a-z]+)", trail)
                plain = all(
                    word.lower() in _COUNT_VERBS or noun and word.lower() == noun.group(1)
                    for word in re.findall(r"[A-Za-z]+", between)
                )
            value.title = best if plain and (named or trend and best) else None
            if value.title is None:
                value.title = _counted(sentence, lead, trail, value)  # "The average in 2018/19 was 2457 households"
            if value.title is None and value.kind == "target":
                value.title = _target_title(sentence, value, lead, subject, candidates)
            elif value.title and value.kind == "target":
                value.title = _clean_title(_SET_AT.sub("", value.title))
            continue
        attached = _attached_title(sentence, values, index)
        if attached:
            value.title, value.title_attached = attached, True
            continue
        lead = _lead(sentence, values, index)
        earlier = values[index - 1] if index else None
        if earlier is not None and earlier.title and _INHERIT.match(lead) and lead.strip() and not earlier.title_attached:
            value.title = earlier.title  # "67.7% and 84.4% for the year to date"
            continue
        paired = value.kind == "previous" and (value.label != "DECIMAL" or value.unit) and _FROM.search(lead)
        if (value.kind in ("target", "benchmark", "previous") or value.label == "DECIMAL") and not paired:
            # a target or benchmark belongs to the value it is stated against, and only to that:
            # "reached 8.8% against a target of 4%" (seed 002 p5); "Current performance would
            # still place the Trust above national (82%)" (seed 000 p15) names no measure
            actual = [v for v in values[:index] if v.title and v.kind in ("actual", "previous") and not v.title_attached]
            if actual:
                value.title = actual[-1].title
            continue
        candidates = _candidates(sentence, value.start)
        if candidates:
            value.title = max(candidates)[1]
        elif subject and subject[0] <= value.start:
            between = _PERIODS.sub(" ", _text(sentence.doc)[subject[0] : value.start])
            if value.label == "MONEY" and not all(
                word.lower() in _COUNT_VERBS | _CONNECTORS for word in re.findall(r"[A-Za-z]+", between)
            ):
                continue  # "No net new borrowing was undertaken ... and £25.1m of existing loans" (Kent p5)
            value.title = subject[1]
        elif value.unit and value.unit.startswith("rate") and anaphora and previous is not None:
            value.title = _sentence_title(previous)  # "When converted into a rate ... this is 244.0" (seed 002 p4)
    for value in values:
        if value.spend_of is not None and value.spend_of.title:
            value.title, value.title_attached = value.spend_of.title, True
    # a measure named by the sentence (not by words beside the value) covers two values only
    # when nothing between them could name a different one: "78.7% and against local
    # standards 65.8%" (seed 002 p6) is skipped
    for index, value in enumerate(values):
        if not value.title or value.title_attached or value.kind != "actual":
            continue
        for earlier in values[:index]:
            if earlier.kind == "actual" and earlier.unit == value.unit and earlier.title == value.title and not _lead_is_neutral(
                _text(sentence.doc)[earlier.span_end : value.start]
            ):
                value.title = None
                break
    # "87.6% of Children in Need (CIN), 96.9% of ... and 79.4% of Looked After Children (LAC)
    # having an up-to-date plan" (seed 002 p4): the last item's predicate names them all
    run = [v for v in values if v.title_attached]
    if len(run) > 1:
        last = run[-1].title or ""
        predicate = re.search(r"\s(?:having|with|who|that|were|was|are|is|have|has|had)\s.+$", last)
        if predicate:
            for value, following in pairwise(run):
                between = _text(sentence.doc)[value.span_end : following.start]
                listed = re.fullmatch(r"\s*of\s+[^%]*?(?:,|\band)\s*", between)
                if listed and value.title and not re.search(
                    r"\s(?:having|with|who|that|were|was|are|is|have|has|had)\s", value.title
                ):
                    value.title = value.title + predicate.group(0)


# Words between a measure and a count stated as its target: "the number of 0-3 year-old
# children targeted currently set at 4901" (Cardiff p1)
_SET_AT = re.compile(r"\s+(?:(?:currently|now)\s+)?set$", re.IGNORECASE)
_TARGET_LINK = re.compile(r"\s+(?:of|is|was|are|set\s+at)\s*$", re.IGNORECASE)


def _target_title(
    sentence: Span, value: _Value, lead: str, subject: tuple[int, str] | None, candidates: list[tuple[int, str]]
) -> str | None:
    """The measure of a count stated only as a target: the measure named just before it ("the
    number of 0-3 year-old children targeted currently set at 4901", Cardiff p1), else the
    target's own words ("to meet the target cap number of 2483", Caerphilly p3), else the
    sentence's subject and what is counted ("Flying Start expansion phase 2 is for funded
    childcare provision only and to reach a minimum 337 children", Caerphilly p1)."""
    text = _text(sentence.doc)
    if candidates:  # _candidates(sentence, value.start), found by the caller
        end, best = max(candidates)
        title = _SET_AT.sub("", best)
        between = text[end : value.start].lower().split()
        if all(word in _COUNT_VERBS or word in {"currently", "set"} for word in between):
            return _clean_title(title)
    cue = _cues().target_before.search(lead)
    if cue is None:
        return None
    words = _TARGET_LINK.sub("", cue.group(0))
    if len(words.split()) > 1 and words.split()[0].lower() in {"target", "targets"}:
        return _clean_title(words)
    noun = re.match(r"\s*([a-z][a-z-]+)\b", text[value.end : sentence.end_char])
    if subject is None or subject[0] > value.start or noun is None or noun.group(1) in _NOT_MODIFIERS | _SUBORDINATE:
        return None
    return _clean_title(f"{subject[1]} {noun.group(1)}")


def _text(doc: Doc) -> str:
    """``doc.text``, joined once per doc: spaCy rebuilds the string from its tokens on
    every access, and the rules slice it hundreds of times a page."""
    text = doc.user_data.get("scrutiny_text")
    if text is None:
        text = doc.user_data["scrutiny_text"] = doc.text
    return text


def _sentence_title(sentence: Span) -> str | None:
    """The measure a sentence names, for a following "this converts to a rate of ..."."""
    candidates = _candidates(sentence, sentence.end_char)
    if candidates:
        return max(candidates)[1]
    subject = _subject(sentence)
    return subject[1] if subject else None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _display(title: str, unit: str | None) -> str:
    """Rates and percentages of "the number of X" are rates and percentages of X."""
    if unit and unit != "count":
        stripped = re.sub(r"^(?:the\s+)?(?:(?:total|overall)\s+)?numbers?\s+of\s+", "", title, flags=re.IGNORECASE)
        if stripped:
            return stripped[0].upper() + stripped[1:] if title[0].isupper() else stripped
    return title


#: Characters in the longest sentence read: the corpus's longest is about 1,100, and the
#: longest holding a value about 350.
_LONGEST_SENTENCE = 5000

# "Target: 24%", "Tolerance 90%", "Q1 = 24%" (seed 000 appendices): label-value layout
_LAYOUT = re.compile(r"\b(?:Target|Tolerance|Floor)\s*:?\s*\d|\bQ\s?\d\s*=\s*\d")


# A page worth reading: it prints a percentage, a rate, money or a trend between two numbers.
_WORTH_READING = re.compile(
    r"\d\s*%|per\s+(?:10|100|ten|hundred)|\bper\s+cent\b|£\s*\d|\bfrom\s+[\d,.]+\s+(?:[a-z]+\s+)?to\s+[\d,.]+"
    r"|\b(?:number|numbers)\s+of\b",
    re.IGNORECASE,
)


def _grid_rows(page: Page) -> list[str]:
    """The rows of the page's tables of numbers, flattened: a sentence line printed in one is
    a table's row, read by the table reader (scrutiny.extract.indicators), not prose."""
    rows = []
    for table in page.tables:
        if not table.grid:
            continue
        for row in table.rows:
            cells = [" ".join(cell.text.split()) for cell in row if cell.text.strip()]
            numbers = [
                c for c in cells
                if re.fullmatch(r"[(£+\-−–]*\s*\d[\d,.]*\s*[%kmKM]?\)?", c) and not re.fullmatch(r"(?:19|20)\d\d", c)
            ]
            if len(cells) >= 2 and numbers:
                rows.append(" ".join(cells))
    return rows


def prose_indicators(
    pages: Sequence[Page], year_hint: str | None = None, reporting: Period | None = None
) -> Iterator[Indicator | IndicatorValue]:
    """Indicators and values written in the sentences of ``pages`` (method "prose").

    ``year_hint`` (the document's title and meeting date) dates a bare "January" or "year
    to date". ``reporting``, the period the document reports on (``periods.reporting_period``),
    dates a value no sentence dates ("Fly-tipping has increased ... to 10,727" in an annual
    report for 2020-21). Each value's ``context`` is its sentence exactly as the page prints
    it. A page set in columns is read block by block (``Page.blocks``).
    """
    nlp = pipeline()
    named: dict[str, Indicator] = {}
    for page in pages:
        text = "\n\n".join(page.blocks) if page.blocks else page.text
        if not text or not _WORTH_READING.search(text):
            continue
        if len(_LAYOUT.findall(text)) >= 2:
            continue  # a table or infographic page (seed 000 p7-12): columns interleave in the text
        doc = nlp.make_doc(text)
        doc.user_data["scrutiny_blocks"] = bool(page.blocks)
        for _, component in nlp.pipeline:
            doc = component(doc)
        matches = filter_spans(_matcher()(doc, as_spans=True))
        grid_rows = _grid_rows(page)
        previous = None
        previous_title = None
        for sentence in doc.sents:
            if sentence.end_char - sentence.start_char > _LONGEST_SENTENCE:
                continue  # not a sentence: a page of text with no full stop (the steps below grow with its square)
            values = _roles(sentence, _values(sentence, matches))
            if grid_rows:
                values = [v for v in values if not _in_grid(sentence, v, grid_rows)]
            if values:
                taken: set[tuple[int, int]] = set()
                for index in range(len(values)):
                    _period(sentence, values, index, taken)
                _measures(sentence, values, previous, previous_title)
                yield from _records(page, sentence, values, year_hint, named, reporting)
                previous_title = next((v.title for v in reversed(values) if v.title), previous_title)
            if sentence.text.strip():
                previous = sentence


def _in_grid(sentence: Span, value: _Value, rows: list[str]) -> bool:
    """Whether the printed line holding the value is (part of) a row of a table of numbers:
    every word of the line is in one row ("Actual as at 30 September £70.7m ...", the row
    "Actual as at 30 September 2024 | £70.7m | ...", Kent treasury p11)."""
    text = _text(sentence.doc)
    line_start = text.rfind("\n", 0, value.start) + 1
    line_end = text.find("\n", value.end)
    words = text[line_start : line_end if line_end >= 0 else len(text)].split()
    if len(words) < 2:
        return False
    return any(set(words) <= set(row.split()) for row in rows)


def _records(
    page: Page, sentence: Span, values: list[_Value], year_hint: str | None, named: dict[str, Indicator],
    reporting: Period | None = None,
) -> Iterator[Indicator | IndicatorValue]:
    context = sentence.text.strip()
    targets: dict[str, float] = {}
    for value in values:
        if value.kind == "target" and value.title:
            targets.setdefault(value.title, value.value)
    for value in values:
        if not value.title:
            continue
        title = _display(value.title, value.unit)
        key = f"prose:p{page.page}:{_slug(title)}"
        if value.unit and value.unit != "%":
            key += f"-{_slug(value.unit)}"
        if key not in named:
            named[key] = Indicator(key, page.page, None, title, value.unit, None, METHOD)
            yield named[key]
        start, end = parse_period(value.period, year_hint) if value.period else (None, None)
        kind = value.kind
        if kind == "previous" and value.period:
            kind = "actual"  # "compared to 92.8% 2015/16": a value of its own period
        period = _collapse(value.period) if value.period else None
        source = "sentence" if period else None
        if period is None and reporting is not None and kind == "actual":
            period, start, end, source = reporting.label, reporting.start, reporting.end, "document"
        confidence, reason = _confidence(value, source)
        yield IndicatorValue(
            indicator=key,
            page=page.page,
            value=value.value,
            context=context,
            kind=kind,
            period=period,
            period_start=start,
            period_end=end,
            unit=value.unit,
            target=targets.get(value.title) if kind == "actual" else None,
            benchmark=value.benchmark,
            method=METHOD,
            confidence=confidence,
            confidence_reason=reason,
            period_source=source,
        )


def _confidence(value: _Value, period_source: str | None) -> tuple[str, str]:
    """How sure a value read from a sentence is: a measure named by the words beside the
    value and a period in the sentence are high; a measure taken from the sentence's subject,
    or a period from the document, medium; neither, low."""
    named = value.title_attached
    if named and period_source == "sentence":
        return "high", "prose: the words beside the value name its measure; the sentence its period"
    if period_source == "sentence" or named:
        why = "its period from the document's title" if period_source == "document" else (
            "no period printed" if period_source is None else "the measure from the sentence's subject"
        )
        return "medium", f"prose: {why}"
    if period_source == "document":
        return "medium", "prose: the measure from the sentence's subject; its period from the document's title"
    return "low", "prose: the measure from the sentence's subject; no period printed"
