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

__all__ = ["NUMBER_WORDS", "normalise_unit", "parse_number", "parse_period"]

#: Counts papers write as words: "Nine KPIs did not meet the floor standard" (Kent QPR cover, p1).
NUMBER_WORDS = {
    "no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}

Span = tuple[date, date]

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4}

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


def _rolling_year(end_month: Span | None) -> Span | None:
    """Twelve months ending with the month (or quarter) given."""
    if end_month is None:
        return None
    end = end_month[1]
    return end.replace(day=1) + relativedelta(months=-11), end


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
        r"(?:the\s+)?(?:last|past|previous|rolling|preceding)?\s*(?:12|twelve)\s+months?"
        r"(?:\s+(?:to|ending|up\s+to)\s+(?:the\s+)?(?:end\s+of\s+)?(?P<to>.+))?",
        text,
    )
    if rolling:
        if rolling.group("to"):
            return _iso(_rolling_year(_parse_single(rolling.group("to"), hint)))
        if text.startswith(("12", "twelve")):  # "12 months" alone: to when?
            return None, None
        return _iso(_rolling_year(hint.span))
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

# Order matters: the first rule that matches names the unit. A percentage beside a
# duration ("67.7% completed within 45 working days", seed 002 p2) is a percentage.
_UNITS: list[tuple[str, re.Pattern]] = [
    ("%", re.compile(r"%|\bper\s*cent\b|\bpercent(?:age)?\b|\bproportion\b")),
    # "0.02 per 100,00" (seed 000 p8) is a typo for 100,000: five figures after "per 100,"
    (
        "rate per 100,000",
        re.compile(r"\bper\s+(?:100,?000|100,00|100k|hundred\s+thousand|100\s+000)(?![\d,])"),
    ),
    ("rate per 10,000", re.compile(r"\bper\s+(?:10,?000|10k|ten\s+thousand|10\s+000)(?![\d,])")),
    ("per 100", re.compile(r"\bper\s+(?:100|hundred)(?![\d,])")),
    ("£000s", re.compile(r"£\s*'?000s?|£\s*k\b|£\s*thousands?\b|\(\s*£000s?\s*\)")),
    ("£", re.compile(r"£")),
    ("weeks", re.compile(r"\bweeks?\b")),
    ("days", re.compile(r"\bdays?\b")),
    ("months", re.compile(r"\bmonths?\b")),
    ("hours", re.compile(r"\bh(?:ou)?rs?\b")),
    ("score", re.compile(r"\bscores?\b")),
    ("count", re.compile(r"\b(?:number|numbers|no\.?)\s+of\b|\bvolumetric\b")),
]


def normalise_unit(text: str) -> str | None:
    """The unit a value's surrounding text states, in one spelling, or None when it states none.

    One of "%", "rate per 100,000", "rate per 10,000", "per 100", "£000s", "£", "weeks",
    "days", "months", "hours", "score", "count". A bare number ("average =1843", seed 000
    p11) states no unit: None; "count" needs words that say so ("number of", "volumetric").
    """
    if not text:
        return None
    lowered = " ".join(text.replace("\u00a0", " ").split()).lower()
    for unit, pattern in _UNITS:
        if pattern.search(lowered):
            return unit
    return None
