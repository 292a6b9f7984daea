"""Reading the periods, numbers and units council papers write beside a measure's value.

Pure Python (plus python-dateutil): every extractor, layout or prose, turns "Q1 2016/17",
"£1.2m" and "per 10,000" into dates, numbers and units the same way.

English councils' financial years run April to March, so "Q1 2016/17" is April to June
2016 and "Q4 2016/17" is January to March 2017. Nothing here guesses: a label that could
mean two periods gives ``(None, None)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from .vocab import vocabulary

__all__ = [
    "MONTH_NAMES", "NUMBER_WORDS", "PERIODS_IN_SENTENCES", "SCALES", "Period", "find_periods", "header_period",
    "normalise_unit", "parse_number", "parse_period", "reporting_period",
]

#: Counts papers write as words: "Nine KPIs did not meet the floor standard" (Kent QPR cover, p1).
NUMBER_WORDS = {
    "no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}

Span = tuple[date, date]

_NAMES = vocabulary("period_names")
_MONTHS = {
    name: number
    for number, (full, short) in enumerate(_NAMES["months"].items(), start=1)
    for name in (full, *short)
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
#: The months written out, capitalised, as a regular expression alternation ("January|February|...").
MONTH_NAMES = "|".join(name.capitalize() for name in _NAMES["months"])

# Period mentions in a sentence, as written (scrutiny.nlp.prose). Months must be capitalised
# ("may" is a verb); "May" counts only with a year. "in over 12 months" (seed 002 p2) is no
# period: only "rolling 12 months" is. A day is a period: "as at 31st December 2011" (Merthyr p3).
_CAPITAL_MONTHS = "|".join(name.capitalize() for name in _NAMES["months"] if name != "may")
PERIODS_IN_SENTENCES = re.compile(
    r"(?i:\b(?:financial\s+)?year[\s-]to[\s-]date\b|\bytd\b|\byear\s+so\s+far\b"
    r"|\brolling\s+12\s+months\b)"
    # "in the three months to July" (Kent treasury p3): months ending with a month
    rf"|\b(?i:three|six|nine|twelve|3|6|9|12)\s+months\s+(?:to|ending)\s+(?:{MONTH_NAMES})(?:\s+(?:19|20)\d\d)?\b"
    rf"|\b(?:as\s+at\s+)?[0-3]?\d(?:st|nd|rd|th)?\s+(?:{MONTH_NAMES})\s+(?:19|20)\d\d\b"
    r"|\b(?:Q\s?[1-4]|[Qq]uarter\s+[1-4]|(?:first|second|third|fourth|final|last)\s+quarter)"
    r"(?:,?\s+(?:of\s+)?(?:19|20)\d\d[/-]\d\d)?\b"
    r"|\b(?:19|20)\d\d[/-]\d\d\b(?:\s+(?:year[\s-]end|outturn))?(?!\s*%)"
    rf"|\b(?:(?:{_CAPITAL_MONTHS})(?:'s|’s)?(?:\s+(?:19|20)\d\d)?|May\s+(?:19|20)\d\d)\b"
    r"(?:\s+in[\s-]month)?"
)
_ORDINALS = dict(_NAMES["quarter_ordinals"])

# "2016/17", "2016-17", "2016/2017", "2016 - 17"; the second year must follow the first.
_FINANCIAL_YEAR = r"(?P<fy>(?:19|20)\d\d)\s*[/\-–]\s*(?P<fy2>(?:19|20)?\d\d)(?![\d/\-])"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\s*[/\-–]\s*\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_QUARTER = (
    r"(?:q\s*(?P<q>[1-4])|quarter\s*(?P<q2>[1-4])"
    r"|(?P<qword>first|second|third|fourth|final|last)\s+quarter)"
)

# Words around a period that do not change which period it is: "as at end of Quarter 1
# 2016/17" (seed 000 p2), "January's in month performance" (seed 002 p3).
_LEAD = re.compile(
    r"^(?:(?:as\s+at|at|by|in|during|for|from|over|of|on|up\s+to)\s+)*(?:the\s+)?"
    r"(?:(?:end|close)\s+of\s+(?:the\s+)?)?"
)
_TRAIL = re.compile(
    r"(?:'s|’s)?(?:\s*[,(]?\s*(?:in[\s-]month|outturn|year[\s-]end|position|figure|total|"
    r"performance|data|only|period|financial\s+year|contract\s+year|reporting\s+year)\)?)*[\s.,;:)]*$"
)
_FINANCIAL_WORDS = re.compile(r"^(?:fy|financial\s+year|contract\s+year|year)\s+")


@dataclass(frozen=True)
class _Hint:
    """What a document's title or date says about when it reports: a financial year, a month."""

    financial_year: int | None = None  # the April it starts in
    span: Span | None = None  # the month or quarter the hint names, when it names one
    day: date | None = None  # a plain date (a meeting date): reports look back from it


def _iso(span: Span | None) -> tuple[str | None, str | None]:
    if span is None:
        return None, None
    return span[0].isoformat(), span[1].isoformat()


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1, days=-1)


def _month_span(year: int, month: int) -> Span:
    return date(year, month, 1), _end_of_month(year, month)


def _financial_year(first: str, second: str) -> int | None:
    """The starting year of "2016/17"-style text, or None when the years don't follow on."""
    start = int(first)
    following = int(second) if len(second) == 4 else (start // 100) * 100 + int(second)
    if len(second) == 2 and following < start:  # "1999/00"
        following += 100
    return start if following == start + 1 else None


def _year_span(start: int) -> Span:
    return date(start, 4, 1), date(start + 1, 3, 31)


def _quarter_span(start: int, quarter: int) -> Span:
    first = date(start, 4, 1) + relativedelta(months=3 * (quarter - 1))
    return first, first + relativedelta(months=3, days=-1)


def _month_in_financial_year(start: int, month: int) -> int:
    """The calendar year of a month in the financial year starting April ``start``."""
    return start if month >= 4 else start + 1


def _year_of(text: str) -> int:
    """A four-figure year from four or two figures ("Jul-16")."""
    return int(text) if len(text) == 4 else 2000 + int(text)


def _clean(label: str) -> str:
    text = " ".join(label.replace("\u00a0", " ").split()).lower()
    text = text.replace("’", "'")
    text = _LEAD.sub("", text, count=1)
    text = _TRAIL.sub("", text, count=1)
    return text.strip()


def _quarter_number(match: re.Match) -> int:
    if match.group("q") or match.group("q2"):
        return int(match.group("q") or match.group("q2"))
    return _ORDINALS[match.group("qword")]


def _parse_hint(year_hint: str | None) -> _Hint:
    """What a title, heading or meeting date says about when a document reports."""
    if not year_hint:
        return _Hint()
    text = " ".join(year_hint.lower().split())
    financial_year = None
    fy_match = re.search(_FINANCIAL_YEAR, text)
    if fy_match:
        financial_year = _financial_year(fy_match.group("fy"), fy_match.group("fy2"))
    span = None
    if financial_year is not None:
        quarter = re.search(r"\b" + _QUARTER + r"\b", text)
        month = re.search(r"\b" + _MONTH + r"(?:'s)?\b", text)
        if quarter and quarter.group("qword") != "last":
            span = _quarter_span(financial_year, _quarter_number(quarter))
        elif month and month.group("month") not in {"may", "mar"}:
            number = _MONTHS[month.group("month")]
            span = _month_span(_month_in_financial_year(financial_year, number), number)
    else:
        # one month named ("July 2016") dates the document; two ("1 October 2014 – 30 September
        # 2015", seed 003's title) leave it open
        month_years = {
            (int(m.group("year")), _MONTHS[m.group("month")])
            for m in re.finditer(r"\b" + _MONTH + r"\s+(?P<year>(?:19|20)\d\d)\b", text)
        }
        if len(month_years) == 1:
            ((year, number),) = month_years
            span = _month_span(year, number)
            financial_year = _financial_year_of(span[0])
    day = None
    iso = re.search(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b", text)
    if iso:
        try:
            day = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            day = None
    return _Hint(financial_year, span, day)


def _financial_year_of(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _latest_on_or_before(day: date, spans: list[Span]) -> Span | None:
    """The most recent of these periods to have started by ``day``: papers report the past."""
    started = [span for span in spans if span[0] <= day]
    return max(started) if started else None


def _month_with_hint(month: int, hint: _Hint) -> Span | None:
    if hint.financial_year is not None:
        return _month_span(_month_in_financial_year(hint.financial_year, month), month)
    if hint.day is not None:
        years = (hint.day.year - 1, hint.day.year)
        return _latest_on_or_before(hint.day, [_month_span(year, month) for year in years])
    return None


def _quarter_with_hint(quarter: int, hint: _Hint) -> Span | None:
    if hint.financial_year is not None:
        return _quarter_span(hint.financial_year, quarter)
    if hint.day is not None:
        start = _financial_year_of(hint.day)
        spans = [_quarter_span(year, quarter) for year in (start - 1, start)]
        return _latest_on_or_before(hint.day, spans)
    return None


def _parse_single(text: str, hint: _Hint) -> Span | None:
    """The span of one period written alone (no range, no rolling year)."""
    text = _FINANCIAL_WORDS.sub("", text)
    if match := re.fullmatch(_FINANCIAL_YEAR, text):
        start = _financial_year(match.group("fy"), match.group("fy2"))
        return _year_span(start) if start is not None else None
    if match := re.fullmatch(_QUARTER + r"(?:\s*(?:of\s+)?(?:,\s*)?" + _FINANCIAL_YEAR + r")?", text):
        quarter = _quarter_number(match)
        if match.group("fy"):
            start = _financial_year(match.group("fy"), match.group("fy2"))
            return _quarter_span(start, quarter) if start is not None else None
        if match.group("qword") == "last":  # "last quarter" alone: the one before this one
            return None
        return _quarter_with_hint(quarter, hint)
    if match := re.fullmatch(_DAY + r"\s+" + _MONTH + r",?\s+" + _YEAR, text):
        return _day_span(int(match.group("year")), _MONTHS[match.group("month")], int(match.group("day")))
    if match := re.fullmatch(_MONTH + r"\s+" + _DAY + r",?\s+" + _YEAR, text):  # "March 31, 2017"
        return _day_span(int(match.group("year")), _MONTHS[match.group("month")], int(match.group("day")))
    if match := re.fullmatch(r"(?P<d>[0-3]?\d)[/.](?P<m>[01]?\d)[/.](?P<y>(?:19|20)?\d\d)", text):
        # dd/mm/yyyy, as ModernGov and seed 000 p13 ("25.07.16") write dates
        return _day_span(_year_of(match.group("y")), int(match.group("m")), int(match.group("d")))
    if match := re.fullmatch(r"(?P<d>[0-3]?\d)\s*[-\s]\s*" + _MONTH + r"\s*[-\s]\s*(?P<y>(?:19|20)?\d\d)", text):
        # "31-Mar-24", "30-Sep-24" (Kent treasury report, dev corpus p4)
        return _day_span(_year_of(match.group("y")), _MONTHS[match.group("month")], int(match.group("d")))
    if match := re.fullmatch(_DAY + r"\s+" + _MONTH, text):
        month_span = _month_with_hint(_MONTHS[match.group("month")], hint)
        if month_span is None:
            return None
        return _day_span(month_span[0].year, month_span[0].month, int(match.group("day")))
    if match := re.fullmatch(_MONTH + r"\s*(?:[-'’]\s*)?(?P<y>(?:19|20)\d\d|\d\d)", text):
        # "July 2016", "Jul-16", "Jul '16"; a bare "July 16" could be a day, so it needs a mark
        year_text = match.group("y")
        if len(year_text) == 2 and not re.search(r"[-'’]", text):
            return None
        return _month_span(_year_of(year_text), _MONTHS[match.group("month")])
    if match := re.fullmatch(_MONTH, text):
        return _month_with_hint(_MONTHS[match.group("month")], hint)
    if match := re.fullmatch(r"(?:calendar\s+year\s+)?" + _YEAR, text):
        year = int(match.group("year"))
        return date(year, 1, 1), date(year, 12, 31)
    return None


def _day_span(year: int, month: int, day: int) -> Span | None:
    try:
        one = date(year, month, day)
    except ValueError:
        return None
    return one, one


def _year_to_date(hint: _Hint) -> tuple[date, date | None] | None:
    """April 1 of the hint's financial year to the end of the month or quarter it names."""
    if hint.financial_year is None:
        if hint.day is None:
            return None
        return date(_financial_year_of(hint.day), 4, 1), None  # a meeting date is no end
    start = date(hint.financial_year, 4, 1)
    end = hint.span[1] if hint.span and hint.span[0] >= start else None
    return start, end


def _rolling(end_month: Span | None, months: int = 12) -> Span | None:
    """``months`` months ending with the month (or quarter) given: a rolling year, "the three
    months to July" (Kent treasury p3)."""
    if end_month is None:
        return None
    end = end_month[1]
    return end.replace(day=1) + relativedelta(months=1 - months), end


def _range(text: str, hint: _Hint) -> Span | None:
    """"1 October 2014 – 30 September 2015", "April 14 to March 15", "November - January"."""
    parts = re.split(r"\s+(?:to|until|-|–|—)\s+|\s*[–—]\s*", text)
    if len(parts) != 2:
        return None
    left, right = (part.strip() for part in parts)
    # "April 14 to March 15" (seed 003 p3): two-figure years after month names, no mark
    short = re.compile(_MONTH + r"\s+(?P<y>\d\d)")
    if (lm := short.fullmatch(left)) and (rm := short.fullmatch(right)):
        first = _month_span(_year_of(lm.group("y")), _MONTHS[lm.group("month")])
        last = _month_span(_year_of(rm.group("y")), _MONTHS[rm.group("month")])
        return (first[0], last[1]) if first[0] <= last[0] else None
    last = _parse_single(right, hint)
    if last is None:
        return None
    first = _parse_single(left, hint)
    if re.fullmatch(_MONTH, left) or re.fullmatch(_DAY + r"\s+" + _MONTH, left):
        # "November - January", "1st April – 30th June 2016": the left side takes the right
        # side's year, or the year before when its month comes later
        month = _MONTHS[re.search(_MONTH, left).group("month")]
        year = last[1].year if month <= last[1].month else last[1].year - 1
        day_match = re.match(r"([0-3]?\d)", left)
        first = _day_span(year, month, int(day_match.group(1))) if day_match else _month_span(year, month)
    if first is None or first[0] > last[1]:
        return None
    return first[0], last[1]


def parse_period(label: str, year_hint: str | None = None) -> tuple[str | None, str | None]:
    """ISO start and end dates of a period label as written, or (None, None) when unknown.

    ``year_hint`` is text that says when the document reports (its title, a heading, its
    meeting date): it dates a bare "Q1", "January" or "year to date". A financial year in
    the hint ("2016/17") wins over a date; a bare month or quarter dated only by a meeting
    date is the latest one to have started by that date, because papers report the past.
    "Year to date" runs from April 1 to the end of the month or quarter the hint names
    (end None when the hint names none). "As at end of Q1" gives Q1's span: the value
    reports on the quarter.
    """
    if not label or not label.strip():
        return None, None
    text = _clean(label)
    hint = _parse_hint(year_hint)
    if re.fullmatch(r"(?:the\s+)?(?:year[\s-]+to[\s-]+date|ytd|year\s+so\s+far|financial\s+year\s+to\s+date)", text):
        span = _year_to_date(hint)
        if span is None:
            return None, None
        return span[0].isoformat(), span[1].isoformat() if span[1] else None
    rolling = re.fullmatch(
        r"(?:the\s+)?(?:last|past|previous|rolling|preceding)?\s*(?P<n>12|twelve|3|three|6|six|9|nine)\s+months?"
        r"(?:\s+(?:to|ending|up\s+to)\s+(?:the\s+)?(?:end\s+of\s+)?(?P<to>.+))?",
        text,
    )
    if rolling:
        months = NUMBER_WORDS.get(rolling.group("n")) or int(rolling.group("n"))
        if rolling.group("to"):
            return _iso(_rolling(_parse_single(rolling.group("to"), hint), months))
        if months != 12 or text.startswith(("12", "twelve")):  # "12 months", "three months" alone: to when?
            return None, None
        return _iso(_rolling(hint.span))
    single = _parse_single(text, hint)
    if single is not None:
        return _iso(single)
    return _iso(_range(text, hint))


# --- Numbers ------------------------------------------------------------------------------

_MULTIPLIERS = {"k": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_NUMBER = re.compile(
    r"(?P<open>\()?\s*(?P<pound>£)?\s*(?P<sign>[-+−–])?\s*(?P<pound2>£)?\s*"
    r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<fraction>\.\d+)?\s*(?P<close>\))?\s*(?P<rest>.*)"
)


def parse_number(text: str) -> float | None:
    """The number a value's text writes, or None when it is not one number.

    "24%" -> 24.0, "1,843" -> 1843.0, "(1,234)" -> -1234.0 (budget tables bracket
    negatives). Money written with a multiplier is expanded: "£1.2m" -> 1200000.0 and
    "£49k" -> 49000.0 (seed 003 p3), while a figure in a £000s column stays as written
    ("1,234" -> 1234.0, unit "£000s"). A unit after the number is allowed ("0.02 per
    100,000", "33 weeks"); any other words, or a malformed number ("96. 26%"), give None.
    """
    if text is None:
        return None
    cleaned = " ".join(text.replace("\u00a0", " ").split())
    match = _NUMBER.fullmatch(cleaned)
    if not match:
        return None
    if bool(match.group("open")) != bool(match.group("close")):
        return None
    value = float(match.group("digits").replace(",", "") + (match.group("fraction") or ""))
    if match.group("sign") in {"-", "−", "–"} or match.group("open"):
        value = -value
    rest = match.group("rest").strip().lower()
    if not rest or rest in {"%", "per cent", "percent"}:
        return value
    if rest in _MULTIPLIERS:
        return value * _MULTIPLIERS[rest]
    if normalise_unit(rest) is not None and not re.search(r"\d", re.sub(r"per\s+[\d,]+", "", rest)):
        return value
    return None


# --- Units --------------------------------------------------------------------------------

# The rules are data (scrutiny/data/units.yml); the first that matches names the unit.
_UNIT_DATA = vocabulary("units")
_UNITS: list[tuple[str, re.Pattern]] = [
    (rule["unit"], re.compile("|".join(rule["patterns"]))) for rule in _UNIT_DATA["units"]
]
#: How many units one of each scaled unit is: a value in a "£m" column is that many millions.
SCALES: dict[str, float] = {unit: float(scale) for unit, scale in _UNIT_DATA["scales"].items()}


def normalise_unit(text: str) -> str | None:
    """The unit a value's surrounding text states, in one spelling, or None when it states none.

    One of the units in ``scrutiny/data/units.yml``: "%", "rate per 100,000", "rate per
    10,000", "per 100", "£bn", "£m", "£000s", "£", "weeks", "days", "months", "years",
    "hours", "score", "count". A bare number ("average =1843", seed 000
    p11) states no unit: None; "count" needs words that say so ("number of", "volumetric").
    """
    if not text:
        return None
    lowered = " ".join(text.replace("\u00a0", " ").split()).lower()
    for unit, pattern in _UNITS:
        if pattern.search(lowered):
            return unit
    return None


# --- Finding periods in headings, captions, titles and sentences ---------------------------


@dataclass(frozen=True)
class Period:
    """A period as printed (``label``), its ISO dates, and where it is in the text it was found in."""

    label: str
    start: str | None
    end: str | None
    at: tuple[int, int] = (0, 0)

    @property
    def dated(self) -> bool:
        return self.start is not None

    @property
    def is_day(self) -> bool:
        return self.start is not None and self.start == self.end


_D = r"[0-3]?\d"
_MONTH_NAME = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_FY_TEXT = r"(?:19|20)\d\d\s*[/\-–]\s*(?:19|20)?\d\d(?![\d/])"
_DAY_TEXT = (
    rf"(?:{_D}(?:st|nd|rd|th)?\s+{_MONTH_NAME},?\s+(?:19|20)\d\d"
    rf"|{_D}\s*-\s*{_MONTH_NAME}\s*-\s*(?:19|20)?\d\d"
    rf"|{_D}[/.][01]?\d[/.](?:19|20)?\d\d(?![\d/.])"
    rf"|{_MONTH_NAME}\s+{_D},\s+(?:19|20)\d\d)"
)
_QUARTER_TEXT = (
    r"(?:q\s?[1-4]|quarter\s+[1-4]|(?:first|second|third|fourth|final|last)\s+quarter)"
    rf"(?:,?\s+(?:of\s+)?{_FY_TEXT})?"
)
_TERM_TEXT = (
    r"(?:" + "|".join(r"\s+".join(map(re.escape, name.split())) for name in sorted(_NAMES["terms"], key=len, reverse=True))
    + rf")(?:,?\s+{_FY_TEXT})?"
)
_MONTH_YEAR_TEXT = rf"{_MONTH_NAME}\s*(?:[-'’]\s*\d\d|\s(?:19|20)\d\d)(?!\s*[/\-–]\s*\d)"
_MONTH_RANGE_TEXT = (
    rf"{_MONTH_NAME}(?:\s+(?:19|20)\d\d)?\s+(?:to|until|-|–)\s+{_MONTH_NAME}\s+(?:19|20)\d\d"
)
_POINT = (
    r"(?:(?:" + "|".join(r"\s+".join(map(re.escape, cue.split())) for cue in _NAMES["point_in_time"])
    + r")\s+(?:the\s+)?(?:end\s+of\s+)?)"
)
_PERIOD_TEXT = re.compile(
    rf"(?<![\w/])(?:{_POINT}?(?P<day>{_DAY_TEXT})"
    rf"|(?P<range>{_MONTH_RANGE_TEXT})"
    rf"|(?P<quarter>{_QUARTER_TEXT})"
    rf"|(?P<term>{_TERM_TEXT})"
    rf"|(?P<month>{_MONTH_YEAR_TEXT})"
    rf"|(?P<fy>{_FY_TEXT})"
    r"|(?P<ytd>year\s+to\s+date|ytd)"
    rf"|(?P<bare_month>{_MONTH_NAME})"
    r"|(?P<year>(?:19|20)\d\d))(?![\w%])",
    re.IGNORECASE,
)
_MONTHS_TEXT = re.compile(r"\b(?P<n>\d{1,2}|three|six|nine|twelve)\s+months?\b", re.IGNORECASE)
_MONTH_COUNTS = {"three": 3, "six": 6, "nine": 9, "twelve": 12}


def find_periods(
    text: str, year_hint: str | None = None, *, years: bool = False, months: bool = False, undated: bool = False
) -> list[Period]:
    """The periods printed in ``text``, in order, each with its dates (``parse_period``).

    ``years``: a bare year ("2019") counts, as in a heading; in running text it is often a
    count or a name. ``months``: a month named alone ("January") counts, dated by the hint;
    in running text "May" is a verb. Periods whose dates can't be known ("Q1" with no year
    to hand) are left out unless ``undated``.
    """
    if not text:
        return []
    found: list[Period] = []
    for match in _PERIOD_TEXT.finditer(text):
        kind = match.lastgroup
        if kind == "year" and not years or kind == "bare_month" and not months:
            continue
        if kind == "bare_month" and match.group(kind).lower() in {"may", "mar", "march"} and not text.strip().lower().startswith(match.group(kind).lower()):
            continue
        label = match.group(kind)
        start, end = parse_period(label, year_hint)
        # a school term is a period, but its dates vary by school: kept with none
        if start is None and not undated and kind != "term":
            continue
        found.append(Period(" ".join(match.group().split()), start, end, match.span()))
    return found


def _in_brackets(text: str, at: int) -> bool:
    before = text[:at]
    return before.count("(") > before.count(")")


def header_period(parts: list[str] | tuple[str, ...], year_hint: str | None = None) -> Period | None:
    """The period a column's (or a row's) headings name together, outer heading first.

    "2014/15" over "Q1" is Q1 of 2014/15; "2012/13" over "Term 1" is that term; "30-Sep-24"
    over "6 months return" is the six months to 30 September 2024 (Kent treasury p8). One
    heading's period alone is that period; several unrelated ones: the innermost.
    """
    every = [
        (i, p) for i, part in enumerate(parts)
        for p in find_periods(part, year_hint, years=True, months=True, undated=True)
    ]
    mentions = [(i, p) for i, p in every if p.start is not None]
    years_found = [p for _, p in mentions if re.fullmatch(_FY_TEXT, p.label, re.IGNORECASE)]
    within = [
        p for _, p in every
        if re.fullmatch(rf"{_QUARTER_TEXT}|{_TERM_TEXT}|{_MONTH_NAME}", p.label, re.IGNORECASE)
        and not re.search(_FY_TEXT, p.label)
    ]
    if len(years_found) == 1 and within:
        inner = within[-1]
        start, end = parse_period(inner.label, years_found[0].label)
        if start is not None or re.fullmatch(_TERM_TEXT, inner.label, re.IGNORECASE):
            return Period(f"{inner.label} {years_found[0].label}", start, end)
    if not mentions:
        return None
    # a period in brackets is a note on the figures, not theirs: "... child figures on 1st April
    # 2012*: (figures as at 31.12.11 on database)" (Merthyr Tydfil Feb 2012 p6)
    outside = [(i, p) for i, p in mentions if not _in_brackets(parts[i], p.at[0])]
    mentions = outside or mentions
    if len(mentions) == 1:
        _, only = mentions[0]
        duration = next((m for part in parts for m in _MONTHS_TEXT.finditer(part)), None)
        if only.is_day and duration is not None:
            count = duration.group("n").lower()
            months = int(count) if count.isdigit() else _MONTH_COUNTS[count]
            end = date.fromisoformat(only.end)
            start = (end + relativedelta(days=1) - relativedelta(months=months))
            label = f"{duration.group()} to {only.label}"
            return Period(label, start.isoformat(), only.end)
        return only
    return mentions[-1][1]


def reporting_period(title: str | None, cover: str | None = None) -> Period | None:
    """The period a document reports on, where its title or cover says so plainly.

    A text naming a kind of periodic report ("Performance Report - January 2016/17",
    seed 002's title; "Annual Performance Report 2020-2021", Coventry's cover) and one
    period is that period; the words are in ``scrutiny/data/period_names.yml``.
    """
    kinds = _NAMES["reporting_documents"]
    cue = re.compile(r"\b(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in kinds) + r")\b", re.IGNORECASE)
    candidates = [title or ""]
    if cover:
        candidates += [line.strip() for line in cover.splitlines() if line.strip()][:12]
    for text in candidates:
        if not cue.search(text):
            continue
        mentions = find_periods(text)
        if len(mentions) == 2 and re.fullmatch(r"\s*(?:to|until|[-–])\s*", text[mentions[0].at[1]:mentions[1].at[0]]):
            start, end = parse_period(f"{mentions[0].label} – {mentions[1].label}")
            if start is not None:
                return Period(text[mentions[0].at[0]:mentions[1].at[1]], start, end)
        if len({(m.start, m.end) for m in mentions}) > 1:
            continue
        found = header_period([text])
        if found is not None:
            return found
    return None
