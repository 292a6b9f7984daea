"""Indicator extraction from the layout of real council papers.

Every expected value below was read off the printed page (the page numbers are the PDF's,
counted from 1), not taken from the extractor's output.
"""

from __future__ import annotations

import re

import pytest

from scrutiny import extract
from scrutiny.catalogue.quality import grounded
from scrutiny.extract.indicators import derive_rag
from scrutiny.records import Commentary, Indicator, IndicatorValue, Page

SEED_000_HINT = "Performance Challenge of the Doncaster Children's Services Trust (Quarter 1 2016/17)"


def read(path, year_hint=None):
    pages = [item for item in extract.read_document(path) if isinstance(item, Page)]
    return pages, extract.indicators(pages, year_hint)


@pytest.fixture(scope="module")
def seed_000(corpus_pdf):
    return read(corpus_pdf("000"), SEED_000_HINT)


def of(records, kind):
    return [r for r in records if isinstance(r, kind)]


def measures(records):
    return {r.key: r for r in of(records, Indicator)}


# Seed 000, Appendices 1 and 2: "Measure | DMBC Comment | Trust Response" tables, pages 7-12.
# (page the value is printed on, code, period as printed, kind, value)
SEED_000_TABLE_VALUES = {
    (7, "A1", "Q1", "actual", 24), (7, "A1", "July 2016", "actual", 24),
    (7, "A1", None, "target", 24), (7, "A1", None, "tolerance", 28),
    (7, "A4", "Q1", "actual", 87), (7, "A4", "July", "actual", 87),
    (7, "A4", None, "target", 80), (7, "A4", None, "tolerance", 75),
    (7, "A09", "Q1", "actual", 8), (7, "A09", "July", "actual", 0),
    (7, "A09", None, "target", 16), (7, "A09", None, "tolerance", 20),
    (7, "A06", "Q1", "actual", 2.1), (7, "A06", "July", "actual", 2.1),
    (7, "A06", None, "target", 3), (7, "A06", None, "tolerance", 5),
    # B9 is named at the foot of page 7; its values are printed at the top of page 8.
    (8, "B9", "Q1", "actual", 72), (8, "B9", "July", "actual", 74),
    (8, "B9", None, "target", 70), (8, "B9", None, "tolerance", 60),
    (8, "B13", "Q1", "actual", 87.7), (8, "B13", "July", "actual", 85),
    (8, "B13", None, "target", 85), (8, "B13", None, "tolerance", 80),
    (8, "F03", "Q1", "actual", 0.02), (8, "F03", "July", "actual", 0.07),
    (8, "F03", None, "target", 0.42), (8, "F03", None, "tolerance", 0.75),
    # The A2 row starts on page 9 with no rule under it (the table runs over the page break).
    (9, "A2", "Q 1", "actual", 88), (9, "A2", "July", "actual", 88),
    (9, "A2", None, "target", 92), (9, "A2", None, "tolerance", 90),
    (10, "A3", "Q1", "actual", 82), (10, "A3", "July", "actual", 90),
    (10, "A3", None, "target", 95), (10, "A3", None, "tolerance", 90),
    # "Q1 & July 2016 = 87%": one value printed for both periods.
    (10, "A8", "Q1", "actual", 87), (10, "A8", "July 2016", "actual", 87),
    (10, "A8", None, "target", 95), (10, "A8", None, "tolerance", 90),
    (11, "B13", "Q1", "actual", 39.3), (11, "B13", "July 2016", "actual", 35),
    (11, "B13", None, "target", 45), (11, "B13", None, "tolerance", 40),
    (11, "C14", "Q1", "actual", 15), (11, "C14", "July", "actual", 15),
    (11, "C14", None, "target", 8), (11, "C14", None, "tolerance", 12),
    (11, "E1", "Q1 average", "actual", 1843), (11, "E1", "July", "actual", 1665),
    # E20-22 holds three measures: health assessments, dental checks and PEPs.
    (12, "E20-22", "Q1", "actual", 85), (12, "E20-22", "Q1", "actual", 74),
    (12, "E20-22", "Q1", "actual", 65),
}


def test_every_value_in_seed_000s_measure_tables_and_nothing_else(seed_000):
    _, records = seed_000
    key = measures(records)
    found = [
        (v.page, key[v.indicator].code, v.period, v.kind, v.value)
        for v in of(records, IndicatorValue)
        if v.method == "table" and key[v.indicator].code
    ]
    assert sorted(found, key=repr) == sorted(SEED_000_TABLE_VALUES, key=repr)
    assert len(found) == len(SEED_000_TABLE_VALUES)  # no value read twice


def test_table_values_carry_their_target_tolerance_unit_and_rag(seed_000):
    _, records = seed_000
    key = measures(records)
    actual = {
        (key[v.indicator].code, key[v.indicator].title, v.period): v
        for v in of(records, IndicatorValue)
        if v.method == "table" and v.kind == "actual" and key[v.indicator].code
    }
    a1 = actual["A1", "Re-referrals in the last 12 months", "Q1"]
    assert (a1.target, a1.tolerance, a1.unit, a1.rag) == (24, 28, "%", "green")
    # Quarter 1 of 2016/17 (the title's year): April to June 2016.
    assert (a1.period_start, a1.period_end) == ("2016-04-01", "2016-06-30")
    july = actual["A1", "Re-referrals in the last 12 months", "July 2016"]
    assert (july.period_start, july.period_end) == ("2016-07-01", "2016-07-31")
    a2 = actual["A2", "Timeliness of Single Assessments", "Q 1"]
    assert (a2.target, a2.tolerance, a2.rag) == (92, 90, "red")  # "outside tolerance" (p13)
    # July's 90% sits exactly on A3's 90% tolerance: amber, while Q1's 82% is red.
    assert actual["A3", "Case File Audits rated as Requires Improvement or better", "July"].rag == "amber"
    assert actual["A3", "Case File Audits rated as Requires Improvement or better", "Q1"].rag == "red"
    f03 = actual["F03", "Youth Offending Service Custody Rates", "Q1"]
    assert f03.unit == "rate per 100,000"  # printed "per 100,00" on page 8
    assert f03.rag == "green"  # lower is better: 0.02 against a 0.42 target
    e1 = actual["E1", "Number of contacts into social care (volumetric measure)", "Q1 average"]
    assert e1.unit == "count" and e1.target is None
    assert (e1.period_start, e1.period_end) == ("2016-04-01", "2016-06-30")
    assert actual["A4", "Child Protection Visits in Timescale, Child seen by Social Worker", "July"].period_start == "2016-07-01"


def test_the_two_measures_coded_b13_stay_apart(seed_000):
    _, records = seed_000
    b13 = [m for m in of(records, Indicator) if m.code == "B13" and m.method == "table"]
    assert [m.title for m in b13] == [
        "Care Leavers in Suitable Accommodation (aged 19 – 21)",
        "Care Leavers in Employment, Education and Training (age 19- 21)",
    ]
    assert len({m.key for m in b13}) == 2


def test_polarity_comes_from_target_and_tolerance(seed_000):
    _, records = seed_000
    by_code = {m.code: m for m in of(records, Indicator) if m.method == "table"}
    assert by_code["A1"].polarity == "lower is better"  # target 24%, tolerance 28%
    assert by_code["A2"].polarity == "higher is better"  # target 92%, tolerance 90%


def test_e20_22_is_three_measures(seed_000):
    _, records = seed_000
    key = measures(records)
    e20 = {key[v.indicator].title: v.value for v in of(records, IndicatorValue)
           if key[v.indicator].code == "E20-22" and v.method == "table"}
    assert e20 == {
        "(Volumetric measures) Children in Care with up to date: health assessment": 85,
        "dental checks": 74,
        "Up to date Personal Education Plans": 65,
    }


def test_infographic_blocks(seed_000):
    # Pages 8-9: "A2 Timeliness Single Assessments / Increased Case loads / 88% / Target 92% /
    # Tolerance 90%". A8's tolerance is printed over the page break, on page 9, so it is not
    # attached to the page 8 block.
    _, records = seed_000
    key = measures(records)
    found = {
        (v.page, key[v.indicator].code, v.kind, v.value)
        for v in of(records, IndicatorValue) if v.method == "infographic"
    }
    assert found == {
        (8, "A2", "actual", 88), (8, "A2", "target", 92), (8, "A2", "tolerance", 90),
        (8, "A3", "actual", 82), (8, "A3", "target", 95), (8, "A3", "tolerance", 90),
        (8, "A8", "actual", 87), (8, "A8", "target", 95),
        (9, "B13", "actual", 39.3), (9, "B13", "target", 45), (9, "B13", "tolerance", 40),
        (9, "C14", "actual", 15), (9, "C14", "target", 8), (9, "C14", "tolerance", 12),
        (9, "E1", "actual", 1843),
    }


def test_summary_table_counts_measures_by_tolerance(seed_000):
    # Page 3: "Quarter 1 2016/17 | Outside tolerance | Inside tolerance | On or better than
    # target | No target specified", by area.
    _, records = seed_000
    key = measures(records)
    counts = {
        (key[v.indicator].title, v.value)
        for v in of(records, IndicatorValue) if v.page == 3 and v.kind == "count"
    }
    assert ("Social Care Pathway – Outside tolerance", 3) in counts
    assert ("Social Care Pathway – On or better than target", 4) in counts
    assert ("Children in Care – Inside tolerance", 1) in counts
    assert ("Youth Offending Services – On or better than target", 1) in counts
    assert len(counts) == 10  # the areas have 2, 3, 2 and 3 cells with a number
    assert {v.period for v in of(records, IndicatorValue) if v.page == 3} == {"Quarter 1 2016/17"}


def test_commentary_keeps_members_questions_apart(seed_000):
    _, records = seed_000
    key = measures(records)
    a1 = [c for c in of(records, Commentary) if key[c.indicator].code == "A1"]
    assert {c.kind for c in a1} == {"comment", "question", "response"}
    [question] = [c for c in a1 if c.kind == "question"]
    assert question.text.startswith("How is increased demand impacting\non this PI?")
    assert "Any issues with premature de-\nplanning?" in question.text
    [comment] = [c for c in a1 if c.kind == "comment" and c.source == "DMBC Comment"]
    assert comment.text.startswith("An important PI to demonstrate")
    assert "How is increased demand" not in comment.text
    # The A8 row's response runs on to pages 10 and 11 in rows with an empty measure cell.
    a8 = [c for c in of(records, Commentary) if key[c.indicator].code == "A8" and key[c.indicator].method == "table"]
    assert {c.page for c in a8} == {10, 11}
    assert any(c.text.startswith("Important to review in order to reflect") for c in a8)


def test_every_value_in_the_built_catalogue_is_grounded(built_catalogue):
    from click.testing import CliRunner

    from scrutiny.cli import cli

    result = CliRunner().invoke(cli, ["quality", "--db", str(built_catalogue)])
    assert result.exit_code == 0, result.output
    assert re.search(r"\n\d+ values in \d+ documents; 0 ungrounded\n$", result.output)
    assert "000_1ce771eb6f7a434f.pdf" in result.output


def test_the_grounding_check_catches_a_value_not_on_its_page(seed_000):
    pages, records = seed_000
    value = next(v for v in of(records, IndicatorValue) if v.method == "table")
    row = {**value.__dict__}
    text = {page.page: page.text for page in pages}
    assert grounded(row, text[value.page]) is None
    assert "is not on page" in grounded(row, text[value.page + 1])
    assert "is not written in its context" in grounded({**row, "value": 99.5}, text[value.page])


def test_kent_quarterly_performance_cover_report_counts(corpus_pdf):
    # Page 1: "Of the 38 Key Performance Indicators (KPIs) contained within the QPR, 17
    # achieved target (Green), and 12 ... (Amber). Nine KPIs did not meet the floor standard
    # (Red)." and again in section 2.2 as "17 are rated Green", "12 are rated Amber",
    # "Nine are rated Red".
    _, records = read(corpus_pdf("kcc_cabinet_2025-03-04_QPR"))
    counts = sorted((v.rag, v.value) for v in of(records, IndicatorValue) if v.rag)
    assert counts == [("amber", 12), ("amber", 12), ("green", 17), ("green", 17), ("red", 9), ("red", 9)]
    totals = [v.value for v in of(records, IndicatorValue) if v.rag is None]
    assert totals == [38, 38]
    assert all(v.page == 1 and v.unit == "count" for v in of(records, IndicatorValue))


@pytest.mark.parametrize(
    "prefix",
    [
        "kcc_cabinet_2025-01-30_ICS",  # timescales ("2027") and a contents table of page numbers
        "kcc_cabinet_2025-03-04_agenda",
        "ofsted_ilacs_doncaster",  # back page: "M1 2WD" and a page number on its own line
        "ofsted_ilacs_rotherham",
        "004",  # minutes with paragraph numbers
    ],
)
def test_no_values_where_none_are_reported(corpus_pdf, prefix):
    _, records = read(corpus_pdf(prefix))
    assert of(records, IndicatorValue) == []


def test_label_value_lines_in_a_layout_not_seen_in_the_corpus():
    # The shape Kent's quarterly performance appendices print (issue 3's example), here as
    # the text of an HTML page: a measure's name, then Label: value pairs on one line.
    text = (
        "Integrated Children's Services\n"
        "CS01: Percentage of case file audits judged good or outstanding\n"
        "Latest: 94% Target: 90%, Floor: 85% Previous: 89% (Amber)\n"
        "Page 4\n"
    )
    records = extract.indicators([Page(4, text)], "Quarter 3, 2024/25")
    [measure] = of(records, Indicator)
    assert (measure.code, measure.title, measure.unit, measure.polarity) == (
        "CS01", "Percentage of case file audits judged good or outstanding", "%", "higher is better"
    )
    values = {v.kind: v for v in of(records, IndicatorValue)}
    assert {k: v.value for k, v in values.items()} == {
        "actual": 94, "target": 90, "tolerance": 85, "previous": 89
    }
    assert values["actual"].rag == "amber"  # as printed, though 94% beats the 90% target
    assert values["actual"].tolerance == 85  # a floor is a tolerance


def test_rag_is_derived_both_ways():
    assert derive_rag(24, 24, 28) == "green"  # lower is better, on target
    assert derive_rag(26, 24, 28) == "amber"
    assert derive_rag(29, 24, 28) == "red"
    assert derive_rag(91, 92, 90) == "amber"  # higher is better, inside tolerance
    assert derive_rag(91, 92, None) is None  # no tolerance: not derivable


def test_page_numbers_and_paragraph_numbers_are_not_values(built_catalogue):
    import sqlite_utils

    with sqlite_utils.Database(built_catalogue) as db:
        contexts = [row["context"] for row in db.query("select context from indicator_values")]
    assert contexts
    for context in contexts:
        assert not re.fullmatch(r"\s*Page\s+\d+\s*", context)
        assert not re.fullmatch(r"\s*\d+(\.\d+)*\.\s*", context)


def test_lists_of_measures_by_status(seed_000):
    # Page 13, the Trust's report: "2.5. Measures at or better than Target as at end of
    # Quarter 1 2016/17" (7 measures), "2.6. ... within Contract Tolerance" (3), "2.7. ...
    # outside Contract Tolerance" (7), "2.8. Measures with no target currently set" (2).
    _, records = seed_000
    listed = [m for m in of(records, Indicator) if m.method == "list"]
    by_rag = {rag: [m for m in listed if m.rag == rag] for rag in ("green", "amber", "red", "no target")}
    assert {rag: len(found) for rag, found in by_rag.items()} == {"green": 7, "amber": 3, "red": 7, "no target": 2}
    assert {m.page for m in listed} == {13}
    assert {m.period for m in by_rag["red"]} == {"Quarter 1 2016/17"}
    # The Trust's codes differ from the council's: its A5 is the council's A09, its B8 the B9.
    [a5] = [m for m in listed if m.code == "A5"]
    assert a5.title == "Percentage of children becoming the subject of Child Protection Plan for a second or subsequent time."
    assert a5.rag == "green"
    # "B8" names two measures in this one list: placement stability (green) and the length
    # of care proceedings (red).
    assert sorted((m.title, m.rag) for m in listed if m.code == "B8") == [
        ("Average length of care proceedings", "red"),
        ("Long term placement stability of looked after children", "green"),
    ]
    assert all(m.context.startswith(("2.5.", "2.6.", "2.7.", "2.8.")) for m in listed)


def test_kent_lists_the_nine_red_indicators(corpus_pdf):
    # Page 2: "The nine indicators where the RAG rating is Red, are in:" then sections
    # ("• Customer Services") over their indicators ("o Percentage of complaints ...").
    _, records = read(corpus_pdf("kcc_cabinet_2025-03-04_QPR"))
    listed = [m for m in of(records, Indicator) if m.method == "list"]
    assert len(listed) == 9 and {m.rag for m in listed} == {"red"}
    assert listed[0].title == "Percentage of complaints responded to within timescale"
    assert listed[1].title == "Percentage of Freedom of Information Act (FoI) requests completed within 20 working days"
    assert listed[-1].title == "Proportion of new Care Needs Assessments delivered within 28 days"
