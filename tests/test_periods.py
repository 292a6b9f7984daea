"""Periods, numbers and units as council papers write them (labels taken from the seed papers)."""

from __future__ import annotations

import pytest

from scrutiny.periods import (
    find_periods,
    header_period,
    normalise_unit,
    parse_number,
    parse_period,
    reporting_period,
)

ROTHERHAM = "Children's and Young People's Services Performance Report - January 2016/17"  # seed 002 title
DONCASTER_Q1 = "QUARTERLY PERFORMANCE REPORT – Quarter 1 2016/17"  # seed 000 p12 heading


@pytest.mark.parametrize(
    "label, hint, expected",
    [
        # financial years run April to March
        ("Q1 2016/17", None, ("2016-04-01", "2016-06-30")),
        ("Q4 2016/17", None, ("2017-01-01", "2017-03-31")),
        ("Quarter 2 2017-18", None, ("2017-07-01", "2017-09-30")),
        ("Quarter 4, 2017/18", None, ("2018-01-01", "2018-03-31")),  # seed 004 p1
        ("Quarter 1 2016/17", None, ("2016-04-01", "2016-06-30")),  # seed 000 p2 table header
        ("as at end of Quarter 1 2016/17", None, ("2016-04-01", "2016-06-30")),  # seed 000 p12
        ("the first quarter of 2016/17", None, ("2016-04-01", "2016-06-30")),  # seed 000 p15
        ("the last quarter of 2015/16", None, ("2016-01-01", "2016-03-31")),  # seed 000 p15
        ("quarter 4 2015/16", None, ("2016-01-01", "2016-03-31")),  # seed 000 p14
        ("2016/17", None, ("2016-04-01", "2017-03-31")),
        ("2016-17", None, ("2016-04-01", "2017-03-31")),
        ("2012/2013", None, ("2012-04-01", "2013-03-31")),  # seed 001 p2
        ("2015/16 year-end", None, ("2015-04-01", "2016-03-31")),  # seed 002 p5
        # months
        ("July 2016", None, ("2016-07-01", "2016-07-31")),  # seed 000 p8
        ("Jul-16", None, ("2016-07-01", "2016-07-31")),
        ("April 2013", None, ("2013-04-01", "2013-04-30")),  # seed 001 p2 table header
        ("January 2018", None, ("2018-01-01", "2018-01-31")),
        ("January", ROTHERHAM, ("2017-01-01", "2017-01-31")),  # seed 002: Jan of FY 2016/17
        ("January's", ROTHERHAM, ("2017-01-01", "2017-01-31")),  # seed 002 p2
        ("December 2016", None, ("2016-12-01", "2016-12-31")),  # seed 002 p3
        ("November", ROTHERHAM, ("2016-11-01", "2016-11-30")),  # seed 002 p4
        ("June 2016", None, ("2016-06-01", "2016-06-30")),  # seed 000 p14
        # days
        ("31 March 2017", None, ("2017-03-31", "2017-03-31")),
        ("31st March 2015", None, ("2015-03-31", "2015-03-31")),  # seed 003 p3
        ("1st February", ROTHERHAM, ("2017-02-01", "2017-02-01")),  # seed 002 p6
        ("25.07.16", None, ("2016-07-25", "2016-07-25")),  # seed 000 p15
        # ranges
        ("1 October 2014 – 30 September 2015", None, ("2014-10-01", "2015-09-30")),  # seed 003 p1
        ("April 14 to March 15", None, ("2014-04-01", "2015-03-31")),  # seed 003 p3
        ("1st April – 30th June 2016", None, ("2016-04-01", "2016-06-30")),  # seed 000 p12
        ("November - January", ROTHERHAM, ("2016-11-01", "2017-01-31")),  # seed 002 p4
        # year to date and rolling years
        ("year to date", ROTHERHAM, ("2016-04-01", "2017-01-31")),  # seed 002 p2
        ("the year to date", DONCASTER_Q1, ("2016-04-01", "2016-06-30")),
        ("YTD", "2016/17", ("2016-04-01", None)),  # the hint names no month: end unknown
        ("12 months to July 2016", None, ("2015-08-01", "2016-07-31")),
        ("last 12 months", DONCASTER_Q1, ("2015-07-01", "2016-06-30")),
        ("rolling 12 months to January 2017", None, ("2016-02-01", "2017-01-31")),
        ("three months to July", "2024-25", ("2024-05-01", "2024-07-31")),  # Kent treasury p3
        ("six months to September 2024", None, ("2024-04-01", "2024-09-30")),
        # calendar year
        ("2015", None, ("2015-01-01", "2015-12-31")),
        # a bare quarter or month takes its year from the hint
        ("Q1", "2016/17", ("2016-04-01", "2016-06-30")),
        ("Q 1", DONCASTER_Q1, ("2016-04-01", "2016-06-30")),  # seed 000 p10: "Q 1 = 88%"
        ("Q1", "July 2016", ("2016-04-01", "2016-06-30")),
        ("Q4", "2016-09-27", ("2016-01-01", "2016-03-31")),  # latest Q4 begun by the meeting
        ("Q1", "2016-09-27", ("2016-04-01", "2016-06-30")),
        ("January", "2017-03-22", ("2017-01-01", "2017-01-31")),  # seed 002's meeting date
    ],
)
def test_parse_period(label, hint, expected):
    assert parse_period(label, hint) == expected


@pytest.mark.parametrize(
    "label, hint",
    [
        ("Q1", None),  # no year anywhere
        ("January", None),
        ("year to date", None),
        ("last 12 months", "2016/17"),  # to the end of which month?
        ("12 months", DONCASTER_Q1),
        ("Q1 & July 2016", None),  # seed 000 p11: two periods in one label
        ("Autumn Term 2012/13", None),  # seed 001 p2: an academic term
        ("2015 annual outturn", None),  # seed 000 p8: which year-end is the 2015 outturn?
        ("the previous month", ROTHERHAM),
        ("last quarter", ROTHERHAM),
        ("July 16", None),  # a day or July 2016?
        ("2016/18", None),  # not one financial year
        ("Q1 2016", None),  # a calendar or a financial quarter?
        ("31 February 2017", None),
        ("", None),
        ("over 12 months", None),
        # seed 003's title spans two years: which one is "January" in?
        ("January", "Annual Report of the Trust (1 October 2014 – 30 September 2015)"),
        ("year to date", "Annual Report of the Trust (1 October 2014 – 30 September 2015)"),
    ],
)
def test_parse_period_does_not_guess(label, hint):
    assert parse_period(label, hint) == (None, None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24%", 24.0),
        ("1,843", 1843.0),
        ("0.02", 0.02),
        ("22.7", 22.7),
        ("87.7%", 87.7),  # seed 000 p8
        ("£1.2m", 1_200_000.0),
        ("£42.2m", 42_200_000.0),  # seed 003 p3
        ("£49k", 49_000.0),  # seed 003 p3
        ("£348k", 348_000.0),
        ("(1,234)", -1234.0),  # budget tables bracket negatives
        ("-5", -5.0),
        ("0.02 per 100,00", 0.02),  # seed 000 p8, typo for 100,000
        ("0.07 per 100,000", 0.07),
        ("33 weeks", 33.0),  # seed 000 p15
        ("244.0", 244.0),  # seed 002 p4
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    ["Q1 = 24%", "96. 26%", "100,00", "1843 contacts", "nine", "", "24% and 25%", "(12"],
)
def test_parse_number_refuses_what_is_not_one_number(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("24%", "%"),
        ("Q1 = 24%", "%"),
        ("per 10,000", "rate per 10,000"),
        ("rate per 10k", "rate per 10,000"),
        ("rate per 10,000 population this is 244.0", "rate per 10,000"),  # seed 002 p4
        ("357.3 per ten thousand population", "rate per 10,000"),  # seed 002 p4
        ("0.02 per 100,00", "rate per 100,000"),  # seed 000 p8 typo
        ("0.07 per 100,000", "rate per 100,000"),
        ("per 100 children", "per 100"),
        ("£000s", "£000s"),
        ("Revenue budget (£000s)", "£000s"),
        ("£1.2m", "£"),
        ("33 weeks", "weeks"),
        ("within 35 days", "days"),
        ("Number of contacts into social care", "count"),  # seed 000 p11
        ("(volumetric measure)", "count"),
        ("Attainment 8 score", "score"),
        ("average =1843", None),  # seed 000 p11: a bare number states no unit
        ("", None),
    ],
)
def test_normalise_unit(text, expected):
    assert normalise_unit(text) == expected


# --- Finding periods in headings, captions and titles (dev corpus pages) -------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("31-Mar-24", ("31-Mar-24", "2024-03-31", "2024-03-31")),  # Kent treasury p4 heading
        ("Actual as at 30 September 2024", ("as at 30 September 2024", "2024-09-30", "2024-09-30")),  # p11
        ("126 April until December 2012", ("April until December 2012", "2012-04-01", "2012-12-31")),  # Merthyr p6
        ("2024-25", ("2024-25", "2024-04-01", "2025-03-31")),
    ],
)
def test_find_periods(text, expected):
    [found] = find_periods(text, years=True)
    assert (found.label, found.start, found.end) == expected


def test_a_bare_year_is_a_period_only_where_asked():
    assert find_periods("2,457 households in 2019") == []
    assert [p.start for p in find_periods("2019", years=True)] == ["2019-01-01"]


@pytest.mark.parametrize(
    "headings, expected",
    [
        (["30-Sep-24", "6 months return", "Total"], ("2024-04-01", "2024-09-30")),  # Kent treasury p8
        (["2014/15", "Q1"], ("2014-04-01", "2014-06-30")),  # a year over its quarters
        (["2012/2013"], ("2012-04-01", "2013-03-31")),  # Merthyr p5
        (["Balance", "£m"], None),
        # Merthyr p6: the row's own date, not the bracketed note on its figures
        (["HV caseload based on actual eligible (under age 4) child figures on 1st April 2012*: "
          "(figures as at 31.12.11 on database)"], ("2012-04-01", "2012-04-01")),
    ],
)
def test_header_period(headings, expected):
    found = header_period(headings)
    assert (found.start, found.end) == expected if expected else found is None


def test_a_term_is_a_period_without_dates():
    # terms' dates vary by school (seed 001 p2 "Autumn Term 2012/13"): named, not dated
    found = header_period(["2012/13", "Term 1"])
    assert (found.label, found.start) == ("Term 1 2012/13", None)


@pytest.mark.parametrize(
    "title, cover, expected",
    [
        (ROTHERHAM, None, ("2017-01-01", "2017-01-31")),  # seed 002: January of 2016/17
        ("One Coventry Plan", "One Coventry Plan\nAnnual Performance Report 2020-2021\n9 September 2021",
         ("2020-04-01", "2021-03-31")),  # Coventry's cover (the title stops short)
        ("Quarterly Performance Report, Quarter 3, 2024/25 (cover report)", None, ("2024-10-01", "2024-12-31")),
        ("Treasury Management Mid-Year Update 2024-25", None, None),  # not a report of a period's figures
        ("Minutes of the Cabinet meeting held on 9 January 2025", None, None),
    ],
)
def test_reporting_period(title, cover, expected):
    found = reporting_period(title, cover)
    assert (found.start, found.end) == expected if expected else found is None


def test_units_and_scales_from_headings():
    assert normalise_unit("31-Mar-24 Balance £m") == "£m"  # Kent treasury p4
    assert normalise_unit("Total Funding for Year (£ million)") == "£m"  # Merthyr p5
    assert normalise_unit("Gross Budget (£000s)") == "£000s"  # seed 001 p4
    assert normalise_unit("Value Weighted Average Life yrs") == "years"  # Kent treasury p5
