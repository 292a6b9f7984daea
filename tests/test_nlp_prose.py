"""Indicator values read from sentences, checked against values read off the real PDFs by hand."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scrutiny.catalogue.quality import grounded
from scrutiny.extract import read_document
from scrutiny.nlp.prose import pipeline, prose_indicators
from scrutiny.periods import parse_number
from scrutiny.records import Document, Indicator, IndicatorValue, Page

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SEED_PDFS = sorted((CORPUS / "pdf").glob("*.pdf"))
REAL_PDFS = sorted((CORPUS / "real").glob("*.pdf"))
ROTHERHAM_HINT = "Children's and Young People's Services Performance Report - January 2016/17 2017-03-22"

def _pages(path: Path) -> list[Page]:
    return [item for item in read_document(path) if isinstance(item, Page)]


@pytest.fixture(scope="module")
def pages_of():
    cache: dict[Path, list[Page]] = {}

    def read(path: Path) -> list[Page]:
        if path not in cache:
            cache[path] = _pages(path)
        return cache[path]

    return read


def _seed(prefix: str) -> Path:
    (path,) = [p for p in SEED_PDFS if p.name.startswith(prefix)]
    return path


def _extract(pages, hint=None):
    records = list(prose_indicators(pages, hint))
    indicators = {r.key: r for r in records if isinstance(r, Indicator)}
    values = [r for r in records if isinstance(r, IndicatorValue)]
    return indicators, values


@pytest.fixture(scope="module")
def rotherham(pages_of):
    return _extract(pages_of(_seed("002")), ROTHERHAM_HINT)


@pytest.fixture(scope="module")
def doncaster_letter(pages_of):
    return _extract(pages_of(_seed("003")), "Annual Report of the Doncaster Children's Services Trust")


def _find(extracted, page, value, kind="actual"):
    """The one value of this kind on this page (fails if there are none or several)."""
    indicators, values = extracted
    found = [v for v in values if v.page == page and v.value == pytest.approx(value) and v.kind == kind]
    assert len(found) == 1, f"p{page} {value} {kind}: {found}"
    return found[0], indicators[found[0].indicator]


# Seed 002 (Rotherham, January 2016/17), read off the PDF pages by hand:
# (page, value, kind, words of the measure's title, period as written, start, end, target, unit)
ROTHERHAM_VALUES = [
    # p2, Table 1: "January's in month performance of 22.7%"
    (2, 22.7, "actual", "Re-referral rates", "January's in month", "2017-01-01", "2017-01-31", None, "%"),
    # p2: "achieved our annual targets of 3.1% NEET and 2.8% Not Known"
    (2, 3.1, "target", "NEET", None, None, None, None, "%"),
    (2, 2.8, "target", "Not Known", None, None, None, None, "%"),
    # p3, Table 2: "was low for January at 67.7% and 84.4% for the year to date compared to 92.8% 2015/16"
    (3, 67.7, "actual", "assessments completed in 45 working days", "January", "2017-01-01", "2017-01-31", None, "%"),
    (3, 84.4, "actual", "assessments completed in 45 working days", "year to date", "2016-04-01", "2017-01-31", None, "%"),
    (3, 92.8, "actual", "assessments completed in 45 working days", "2015/16", "2015-04-01", "2016-03-31", None, "%"),
    # p4, 3.1.7: "the proportion of young people not in education, employment or training (NEET) was 3.2%"
    (4, 3.2, "actual", "not in education, employment or training", "January", "2017-01-01", "2017-01-31", None, "%"),
    # p4, 3.2.2: "the timeliness of contact decision which has reduced to 79.8%"
    (4, 79.8, "actual", "timeliness of contact decision", None, None, None, None, "%"),
    # p5, 3.2.4: "the percentage of referrals progressing to an assessment is very high at 98%"
    (5, 98.0, "actual", "referrals progressing to an assessment", None, None, None, None, "%"),
    # p5, 3.2.5: "full rolling 12 months is also improving at 28.1% but ... the corporate plan target of 23%"
    (5, 28.1, "actual", "second re-referral measure", "rolling 12 months", "2016-02-01", "2017-01-31", 23.0, "%"),
    (5, 23.0, "target", "second re-referral measure", None, None, None, None, "%"),
    # p5, 3.4.2: "87.6% of Children in Need (CIN), 96.9% of ... and 79.4% of ... having an up-to-date plan"
    (5, 87.6, "actual", "Children in Need (CIN) having an up-to-date plan", None, None, None, None, "%"),
    (5, 79.4, "actual", "Looked After Children (LAC) having an up-to-date plan", None, None, None, None, "%"),
    # p5, 3.5.1: "When converted into a rate per 10,000 population this is 244.0" (of S47 investigations)
    (5, 244.0, "actual", "Section 47", None, None, None, None, "rate per 10,000"),
    # p6, 3.5.2: "For the year to date 10.6% of 'concerns not substantiated'"
    (6, 10.6, "actual", "concerns not substantiated", "year to date", "2016-04-01", "2017-01-31", None, "%"),
    # p6, 3.8.1: "converts to a rate of 58.6 per 10,000 population"
    (6, 58.6, "actual", "child protection plan", None, None, None, None, "rate per 10,000"),
    # p7, 3.8.4: "in January reached 8.8% against a target of 4%"
    (7, 8.8, "actual", "second or subsequent plan", "January", "2017-01-01", "2017-01-31", 4.0, "%"),
    (7, 4.0, "target", "second or subsequent plan", None, None, None, None, "%"),
    # p7, 3.9.1: "a rate of 85.5 per 10,000 ... the 2015/16 year-end position of 76.6 and statistical
    # neighbour average of 75.8"
    (7, 85.5, "actual", "children in care", "January", "2017-01-01", "2017-01-31", None, "rate per 10,000"),
    (7, 76.6, "actual", "children in care", "2015/16 year-end", "2015-04-01", "2016-03-31", None, "rate per 10,000"),
    (7, 75.8, "benchmark", "children in care", None, None, None, None, "rate per 10,000"),
    # p8, 3.10.2: "has seen a small improvement from 12.8% to 11.7%"
    (8, 12.8, "previous", "three or more placements", None, None, None, None, "%"),
    (8, 11.7, "actual", "three or more placements", "January", "2017-01-01", "2017-01-31", None, "%"),
    # p8, 3.10.3: "a stable placement for over two years is at 66.2%"
    (8, 66.2, "actual", "stable placement for over two years", None, None, None, None, "%"),
    # p8, 3.11.2: "the timeliness of dental checks is declining at 66.1% ... and a target of 95%"
    (8, 66.1, "actual", "timeliness of dental checks", None, None, None, 95.0, "%"),
    (8, 95.0, "target", "timeliness of dental checks", None, None, None, None, "%"),
    # p9, 3.12.4: "71.3% of care leavers were in EET"
    (9, 71.3, "actual", "care leavers were in EET", None, None, None, None, "%"),
]


@pytest.mark.parametrize(
    "page, value, kind, title, period, start, end, target, unit",
    ROTHERHAM_VALUES,
    ids=[f"p{v[0]}-{v[1]}-{v[2]}" for v in ROTHERHAM_VALUES],
)
def test_rotherham_prose_values(rotherham, page, value, kind, title, period, start, end, target, unit):
    found, indicator = _find(rotherham, page, value, kind)
    assert title.lower() in indicator.title.lower()
    assert (found.period, found.period_start, found.period_end) == (period, start, end)
    assert found.target == target
    assert found.unit == unit == indicator.unit
    assert found.method == indicator.method == "prose"


def test_rotherham_benchmark_is_labelled(rotherham):
    found, _ = _find(rotherham, 7, 75.8, "benchmark")
    assert found.benchmark == "statistical neighbours"


def test_rotherham_sentences_that_do_not_name_their_measure_are_skipped(rotherham):
    _, values = rotherham
    on_page = {(v.page, v.value) for v in values}
    # p6, 3.9.4: "at the end of the January was 78.7% and against local standards 65.8%": 65.8 is
    # another standard, not the same measure
    assert (8, 65.8) not in on_page and (6, 65.8) not in on_page
    # p9, 3.12.4: "For those aged over 18 this drops to 64.7%" names no measure of its own
    assert not any(v.value == 64.7 for v in values)
    # p5, 3.7.2: "This, combined with ... equates to 357.3 per ten thousand population"
    assert not any(v.value == 357.3 for v in values)
    # p3: "performance above 90% earlier in the year" is a bound; p2 "a 51% increase" a change
    assert not any(v.value in (90.0, 51.0) and v.page in (2, 3) for v in values)
    # p6, 3.8.3: "0.3% of the CPP population": the CPP population is no measure
    assert not any(v.value == 0.3 for v in values)


def test_rotherham_numbers_that_are_not_values(rotherham):
    """Paragraph numbers, durations, ages, counts of days and years never become values."""
    _, values = rotherham
    numbers = {v.value for v in values}
    # "45 working days", "35 days", "15 working days", "12 months", "aged over 18", "20 working days"
    assert not numbers & {45.0, 35.0, 15.0, 12.0, 18.0, 20.0, 24.0}
    # years and paragraph numbers ("3.2.5", "3.1") and the footer "Page 4"
    assert not numbers & {2015.0, 2016.0, 2017.0, 1.1, 2.1, 2.2, 3.3, 3.12}
    assert all(v.unit in ("%", "rate per 10,000", "count") for v in values)


# Counts, only where a sentence says "the number of X ... was N" (seed 002):
ROTHERHAM_COUNTS = [
    (5, 508.0, "number of new assessments started"),  # 3.3.1 "started in January was 508"
    (6, 330.0, "number of children with a child protection plan (CPP)"),  # 3.8.1 "has steadily increased to 330"
    (8, 224.0, "number of Care Leavers"),  # 3.12.1 "The number of Care Leavers is stable at 224."
]


@pytest.mark.parametrize("page, value, title", ROTHERHAM_COUNTS)
def test_rotherham_counts(rotherham, page, value, title):
    found, indicator = _find(rotherham, page, value)
    assert indicator.title == title
    assert found.unit == indicator.unit == "count"


def test_rotherham_counts_that_are_not_the_measure_are_skipped(rotherham):
    _, values = rotherham
    counts = {v.value for v in values if v.unit == "count"}
    # p5 3.5.1 "with 111 started in January against a 2016/17 monthly average of 109": an average;
    # p9 3.14.2 "the maximum is now at 18": not the measure named; p3 "(403 compared to 136 in December)"
    assert not counts & {111.0, 109.0, 18.0, 403.0, 136.0}


# Seed 003 (Doncaster's letter to the Secretary of State), p2-3 and p7:
# (page, earlier value, later value, words of the measure's title)
DONCASTER_CHANGES = [
    (2, 38.0, 23.0, "re-referral rate"),  # "from 38% at the point of transfer ... to 23%"
    (2, 16.0, 13.0, "Child Protection Plan for second or subsequent time"),  # "from 16% to 13%"
    (2, 11.0, 7.0, "three or more moves in a year"),  # "from 11% to 7% in quarter"
    (3, 18.0, 10.0, "reliance on frontline agency staff"),  # "reducing from 18% to 10%"
    (3, 29.0, 18.0, "turnover rates"),  # "and turnover rates falling from 29% to 18%"
]


@pytest.mark.parametrize("page, before, after, title", DONCASTER_CHANGES)
def test_doncaster_letter_changes(doncaster_letter, page, before, after, title):
    earlier, earlier_indicator = _find(doncaster_letter, page, before, "previous")
    later, later_indicator = _find(doncaster_letter, page, after, "actual")
    assert earlier.indicator == later.indicator
    assert title.lower() in later_indicator.title.lower()
    assert earlier.context == later.context


def test_doncaster_letter_school_measure(doncaster_letter):
    # p7: "The proportion of children looked after who attend a school that is good or better is too low at 63%."
    found, indicator = _find(doncaster_letter, 7, 63.0)
    assert indicator.title.startswith("proportion of children looked after who attend a school")


def test_doncaster_letter_page_references_are_not_values(doncaster_letter):
    # The letter cites report pages at line ends: "performance; 17", "3, 32", "14 - 16", "20-21"
    _, values = doncaster_letter
    assert not {v.value for v in values} & {17.0, 14.0, 20.0, 21.0, 32.0, 3.0}
    # percentages, and (p4) the money the letter names: "the indicative budget of £42.2m"
    assert all(v.unit == "%" or v.unit == "£" and v.page == 4 for v in values)


def _written(value: float, context: str) -> bool:
    """Whether the context writes this number (money with its multiplier: "£134k" is 134000)."""
    for token in re.findall(r"\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion)\b)?", context):
        if parse_number(token) == pytest.approx(value):
            return True
    return False


@pytest.mark.parametrize("path", SEED_PDFS + REAL_PDFS, ids=lambda p: p.name[:40])
def test_every_value_is_written_in_its_sentence_on_its_page(pages_of, path):
    pages = pages_of(path)
    text = {page.page: page.text for page in pages}
    keys = set()
    for record in prose_indicators(pages, "2016/17"):
        if isinstance(record, Indicator):
            assert record.key not in keys, f"{record.key} named twice"
            assert record.method == "prose" and record.title
            keys.add(record.key)
            continue
        assert record.indicator in keys  # each value's measure comes before it
        # every line of the sentence is printed on the page (a page set in columns is read
        # column by column, so a sentence's lines need not follow each other in its text)
        assert grounded({**record.__dict__}, text[record.page]) is None, f"p{record.page}: {record.context!r}"
        assert _written(record.value, record.context), (record.value, record.context)
        assert record.method == "prose"
        assert record.kind in {"actual", "target", "benchmark", "previous", "budget"}


def test_label_value_layout_is_left_to_the_layout_extractors(pages_of):
    # Seed 000 p7-12 are tables and infographics ("Target: 24%", "Q1 = 87%"); seed 001 p1-2 lists
    # "Primary 62% Secondary 41%": label-value pairs, not prose
    _, table_values = _extract(pages_of(_seed("000")), "Quarter 1 2016/17")
    assert not [v for v in table_values if 5 <= v.page <= 12 and "Target" in v.context]
    _, profile = _extract(pages_of(_seed("001")))
    assert not [v for v in profile if v.value in (62.0, 41.0, 94.3, 95.3)]


def test_seed_000_prose_pages(pages_of):
    # p15, 4.3: "remains below the contract target figure at 82% for the quarter, compared to a target figure of 90%"
    extracted = _extract(pages_of(_seed("000")), "Quarter 1 2016/17 2016-09-27")
    found, indicator = _find(extracted, 15, 82.0)
    assert found.target == 90.0
    assert "requiring improvement to be good" in indicator.title
    # p15: "has increased from 7% in quarter 4 2015/16 to 18% in the latest quarter"
    earlier, _ = _find(extracted, 15, 7.0)
    assert (earlier.period_start, earlier.period_end) == ("2016-01-01", "2016-03-31")
    # p16, 4.5: "Average length of care proceedings rose from 28 weeks in the last quarter of 2015/16
    # to 33 weeks in the first quarter of 2016/17"
    before, indicator = _find(extracted, 16, 28.0)
    after, _ = _find(extracted, 16, 33.0)
    assert indicator.title == "Average length of care proceedings" and indicator.unit == "weeks"
    assert (before.period, before.period_start, before.period_end) == (
        "last quarter of 2015/16",
        "2016-01-01",
        "2016-03-31",
    )
    assert (after.period_start, after.period_end) == ("2016-04-01", "2016-06-30")
    # p14-16: standards and timescales are not values ("the 45 day timescale", "within 51 days")
    assert not [v for v in extracted[1] if v.unit in ("days", "weeks") and v.value in (45.0, 51.0, 50.0)]


def test_pipeline_is_built_once():
    assert pipeline() is pipeline()
    assert "sentencizer" in pipeline().pipe_names


def test_extractor_skips_minutes_and_dates_by_the_title(pages_of):
    from scrutiny.pipeline import extract_prose

    def document(kind, title):
        return Document(path="x.pdf", sha256="0", format="pdf", size=0, page_count=0, title=title, kind=kind)

    minutes = pages_of(_seed("004"))
    assert extract_prose(None, document("minutes", "Performance Challenge: Quarter 4, 2017/18"), minutes) == []
    records = extract_prose(None, document("report", ROTHERHAM_HINT), pages_of(_seed("002")))
    dated = [r for r in records if isinstance(r, IndicatorValue) and r.period == "January"]
    assert dated and all(r.period_start == "2017-01-01" for r in dated)


def test_seed_001_counts(pages_of):
    # p3: "The overall number of children in need cases has reduced from 2,510 to 1,824."
    extracted = _extract(pages_of(_seed("001")))
    earlier, indicator = _find(extracted, 3, 2510.0, "previous")
    later, _ = _find(extracted, 3, 1824.0)
    assert earlier.indicator == later.indicator and indicator.title == "overall number of children in need cases"
    # p1: "Number of permanent exclusions: 8 in secondary, reduced from 23 last year." 23 is last
    # year's figure and 8 only secondary schools': neither is "the number of permanent exclusions"
    assert not [v for v in extracted[1] if v.value in (8.0, 23.0)]


def _real(prefix: str) -> Path:
    (path,) = [p for p in REAL_PDFS if p.name.startswith(prefix)]
    return path


def test_kent_ambitions_are_targets(pages_of):
    extracted = _extract(pages_of(_real("kcc_cabinet_2025-01-30_ICS")), "Improving Health and Wellbeing")
    # p13: "The proportion of adults in Kent who are physically inactive will have fallen from 22.3%
    # in 2020/21 2028 to 20%." (the stray "2028" is a column beside the text)
    baseline, indicator = _find(extracted, 13, 22.3)
    goal, _ = _find(extracted, 13, 20.0, "target")
    assert indicator.title == "proportion of adults in Kent who are physically inactive"
    assert (baseline.period, baseline.period_start, baseline.target) == ("2020/21", "2020-04-01", 20.0)
    assert goal.indicator == baseline.indicator
    # p30: "By 2028, the proportion of children living in relative poverty in Kent and Medway will be
    # reduced from 18% in 2022 to 17%."
    baseline, _ = _find(extracted, 30, 18.0)
    goal, _ = _find(extracted, 30, 17.0, "target")
    assert (baseline.period, baseline.period_start, baseline.period_end) == ("2022", "2022-01-01", "2022-12-31")
    assert (goal.period, goal.period_end) == ("By 2028", "2028-12-31")
    # p19: "April 2027 % of suppliers with ...": a year beside a heading, not 2027%
    assert not [v for v in extracted[1] if v.value >= 1000 and v.unit == "%"]


def test_ofsted_asides_and_age_bands_are_not_measures(pages_of):
    _, values = _extract(pages_of(_real("ofsted_ilacs_rotherham")))
    # p6 "− 271 (or 52%) live outside the local authority area"; p24 "at 74% of 16 to 18-year olds
    # and 64% for 19 to 21-year olds"; p5 "− in primary schools is 17% (the national average is 15%)"
    # (the measure is named on the line before the bullet)
    assert not {v.value for v in values} & {52.0, 74.0, 64.0, 17.0, 15.0}


# --- Reports from other councils (corpus/dev), read off the pages -------------------------------

DEV = CORPUS / "dev"


def _dev(prefix: str) -> Path:
    (path,) = sorted(DEV.glob(f"{prefix}*.pdf"))
    return path


@pytest.fixture(scope="module")
def coventry(pages_of):
    from scrutiny.periods import reporting_period

    pages = pages_of(_dev("coventry"))
    # the cover: "One Coventry Plan Annual Performance Report 2020-2021"
    reporting = reporting_period("One Coventry Plan", pages[0].text)
    assert (reporting.start, reporting.end) == ("2020-04-01", "2021-03-31")
    return _extract_reporting(pages, reporting)


def _extract_reporting(pages, reporting=None, hint=None):
    records = list(prose_indicators(pages, hint, reporting=reporting))
    indicators = {r.key: r for r in records if isinstance(r, Indicator)}
    return indicators, [r for r in records if isinstance(r, IndicatorValue)]


def test_coventry_slides_read_column_by_column(coventry):
    # p6: "Fly-tipping has increased by 62% – from 6,955 to 10,727." (no period: the report's year)
    found, indicator = _find(coventry, 6, 10727.0)
    assert indicator.title == "Fly-tipping" and found.unit == "count"
    assert (found.period_start, found.period_source, found.confidence) == ("2020-04-01", "document", "medium")
    assert _find(coventry, 6, 6955.0, "previous")[1].title == "Fly-tipping"
    # p6: "... the number of looked after children ... from 701 in March 2020, peaking at 754 in December 2020"
    peak, indicator = _find(coventry, 6, 754.0)
    assert indicator.title.startswith("number of looked after children") and peak.period == "December 2020"
    # p6: "There has been a 9.5% increase in crime – with 31,309 crimes recorded." (9.5% is a change)
    assert _find(coventry, 6, 31309.0)[1].title == "crimes recorded"
    assert not [v for v in coventry[1] if v.value == 9.5]
    # p7: "Staff sickness absence decreased from 12.71 to 10.47 days per year."
    days, indicator = _find(coventry, 7, 10.47)
    assert (indicator.title, days.unit) == ("Staff sickness absence", "days")


def test_coventry_money_shares_and_a_comparison(coventry):
    # p5: "Our GDP per head figure in 2019 was £29,600 per head"
    gdp, indicator = _find(coventry, 5, 29600.0)
    assert "GDP per head" in indicator.title and (gdp.unit, gdp.period) == ("£", "2019")
    # p4: "37 out of 53 directional indicators improved or stayed the same in 2020/21 (70%).
    # This compares to 79% in 2019/20."
    share, indicator = _find(coventry, 4, 70.0)
    assert indicator.title.startswith("directional indicators improved") and share.period == "2020/21"
    before, earlier = _find(coventry, 4, 79.0)
    assert earlier.title == indicator.title and before.period == "2019/20"
    assert not [v for v in coventry[1] if v.value == 53.0]  # "out of 53": a denominator


def test_kent_slides_goals_written_as_bounds(pages_of):
    indicators, values = _extract_reporting(pages_of(_dev("kent_cabinet_2025-01-30")))
    # p3: "By 2028/29, the proportion of mothers smoking at time of delivery will have reduced
    # from 10.2% to no more than 6%."
    baseline, indicator = _find((indicators, values), 3, 10.2, "previous")
    goal, _ = _find((indicators, values), 3, 6.0, "target")
    assert indicator.title == "proportion of mothers smoking at time of delivery"
    assert goal.indicator == baseline.indicator
    # p3: "... pupil absence rates will have fallen from 7.9% to below 5%."
    assert _find((indicators, values), 3, 5.0, "target")[1].title == "pupil absence rates"
    # p42: "... due to alcohol will have fallen from 418.7 to 395 per 100,000." (the unit printed once)
    rate, indicator = _find((indicators, values), 42, 418.7, "previous")
    assert rate.unit == "rate per 100,000" and "alcohol" in indicator.title


def test_budgets_and_spend(pages_of):
    # Birmingham p3: "In 2018/19 the Housing Options Service had a budget of £6.1m budget for Bed
    # and Breakfast accommodation and spent £9.9m"
    extracted = _extract_reporting(pages_of(_dev("birmingham")))
    budget, indicator = _find(extracted, 3, 6.1e6, "budget")
    spend, same = _find(extracted, 3, 9.9e6)
    assert indicator.title == "budget for Bed and Breakfast accommodation" and same is indicator
    assert budget.period == spend.period == "2018/19"
    # p8: "Tenderers who score more than the quality threshold of 60%": a rule, not a result
    assert not [v for v in extracted[1] if v.page == 8]


def test_cardiff_money_and_counts(pages_of):
    extracted = _extract_reporting(pages_of(_dev("cardiff")))
    # p2: "The Council receives an annual grant of £10.2million"
    grant, indicator = _find(extracted, 2, 10.2e6)
    assert indicator.title.startswith("annual grant") and grant.unit == "£"
    # p3: "Currently 20 settings are out of contract."
    assert _find(extracted, 3, 20.0)[1].title == "settings out of contract"
    # p2: "c1225 part-time childcare places": circa, not a value
    assert not [v for v in extracted[1] if v.value == 1225.0]


def test_counts_stated_only_as_targets(pages_of):
    # Cardiff p1: "the number of 0-3 year-old children targeted currently set at 4901."
    cardiff = _extract_reporting(pages_of(_dev("cardiff")))
    target, indicator = _find(cardiff, 1, 4901.0, "target")
    assert indicator.title == "number of 0-3 year-old children targeted" and target.unit == "count"
    caerphilly = _extract_reporting(pages_of(_dev("caerphilly")))
    # p1: "Flying Start expansion phase 2 is for funded childcare provision only and to reach a
    # minimum 337 children in Caerphilly borough."
    assert _find(caerphilly, 1, 337.0, "target")[1].title == "Flying Start expansion phase 2 children"
    # p3: "... to take more areas into the postcode list to meet the target cap number of 2483."
    assert _find(caerphilly, 3, 2483.0, "target")[1].title == "target cap number"
    # Kent slides p19: "(aged 18 to 69) will increase from 8% to ...": an age band, no target
    kent = _extract_reporting(pages_of(_dev("kent_cabinet_2025-01-30")))
    assert not [v for v in kent[1] if v.page == 19 and v.value in (64.0, 69.0)]


def test_values_named_by_a_bracket_a_current_level_and_what_was_done_with_money(pages_of):
    feb = _extract_reporting(pages_of(_dev("merthyr-tydfil_cabinet_2012-02")))
    # p3: "above the Merthyr Tydfil average (33.5 per cent) proportion of 0-3 year olds living in
    # benefit households - the key criteria ..."
    share, indicator = _find(feb, 3, 33.5)
    assert indicator.title == "proportion of 0-3 year olds living in benefit households" and share.unit == "%"
    oct_ = _extract_reporting(pages_of(_dev("merthyr-tydfil_cabinet_2012-10")))
    # p3: "MTCBC have been allocated £595,000 of the £655,000 requested."
    assert _find(oct_, 3, 595000.0)[1].title == "amount allocated to MTCBC"
    assert not [v for v in oct_[1] if v.value == 655000.0]  # what was asked for, not a value
    # p4: "2.5 A further £60k was requested as a contingency for new developments in Dowlais."
    assert _find(oct_, 4, 60000.0)[1].title == "contingency for new developments in Dowlais"
    # Kent slides p3: "By 2028, the % of children in Year 6 who are healthy weight will be
    # maintained at the current level of 63% and severe obesity will have reduced from 5%."
    kent = _extract_reporting(pages_of(_dev("kent_cabinet_2025-01-30")))
    assert _find(kent, 3, 63.0)[1].title == "% of children in Year 6 who are healthy weight"
    assert _find(kent, 3, 5.0, "previous")[1].title == "severe obesity"


def test_kent_treasury_sentences(pages_of):
    kent = _extract_reporting(pages_of(_dev("kent_county-council_2025-03-13")), hint="2024-25")
    # p3: "The 3myy growth rate of average earnings fell from 4.6% in June to 4.0% in July."
    # (a verb of a trend ends the measure's name; "3myy" is no word)
    june, indicator = _find(kent, 3, 4.6)
    assert indicator.title == "growth rate of average earnings" and june.period == "June"
    # "The number of job vacancies fell from 872,000 in the three months to July to 857,000 in
    # the three months to August."
    july, indicator = _find(kent, 3, 872000.0)
    assert indicator.title == "number of job vacancies"
    assert (july.period_start, july.period_end) == ("2024-05-01", "2024-07-31")
    # p4: "Looking at gilt movements ..., and you will note the 10-year gilt yield declined from
    # 4.32% in May to 4.02% in August": a reader's aside, not an ambition; a clause, not a title
    august, indicator = _find(kent, 4, 4.02)
    assert indicator.title == "10-year gilt yield" and august.period == "August"
    # p3: "The Bank initiated its loosening cycle in August ..., lowering rates from 5.25% to 5.0%"
    assert not [v for v in kent[1] if v.page == 3 and v.value == 5.25]
    # p6: "Bank Rate decreased from 5.25% at the beginning of the year to 5.00% at the end of
    # September 2024."
    assert _find(kent, 6, 5.0)[0].period == "September 2024"
