"""Tables read as grids of facts, and text read in columns, from real pages.

Every expected value was read off the printed page (page numbers are the PDF's, from 1).
"""

from __future__ import annotations

import pytest

from scrutiny.extract import indicators, read_document
from scrutiny.extract.grids import grid, rag_of_colour
from scrutiny.extract.tables import colour_of
from scrutiny.records import Indicator, IndicatorValue, Page, TableCell


def pages(path) -> dict[int, Page]:
    return {item.page: item for item in read_document(path) if isinstance(item, Page)}


@pytest.fixture(scope="module")
def treasury(corpus_pdf):
    """Kent's Treasury Management Mid-Year Update 2024-25 (dev corpus): ruled tables."""
    read = pages(corpus_pdf("kent_county-council_2025-03-13"))
    return read, indicators(read.values(), "Treasury Management Mid-Year Update 2024-25 2025-03-13")


def cells(records, page):
    return [r for r in records if isinstance(r, TableCell) and r.page == page]


def test_rows_printed_inside_one_ruled_row_are_split(treasury):
    # p4: "Long-term investments / Short-term investments / Cash and cash equivalents" share one
    # ruled row, each with its own line of numbers (280.1, 44.4, 128.9 under 31-Mar-24 Balance)
    read, _ = treasury
    [table] = read[4].tables
    labels = [row[0].text.replace("\n", " ") for row in table.rows]
    assert labels[4:7] == ["Long-term investments", "Short-term investments", "Cash and cash equivalents"]
    assert [row[1].text for row in table.rows[4:7]] == ["280.1", "44.4", "128.9"]
    assert table.ruled_rows[4:7] == (4, 4, 4)


def test_every_number_in_a_table_with_its_headings_unit_and_period(treasury):
    # p4: "Cash and cash equivalents | 128.9 | 4.1 | 133.0 | 4.99" under "31-Mar-24 Balance £m",
    # "2024-25 Movement £m", "30-Sep-24 Balance £m", "30-Sep-24 Average Rate %"
    _, records = treasury
    cash = {c.column_header: c for c in cells(records, 4) if c.row_label == "Cash and cash equivalents"}
    assert {h: c.value for h, c in cash.items()} == {
        "31-Mar-24 › Balance £m": 128.9,
        "2024-25 › Movement £m": 4.1,
        "30-Sep-24 › Balance £m": 133.0,
        "30-Sep-24 › Average Rate %": 4.99,
    }
    balance = cash["30-Sep-24 › Balance £m"]
    assert (balance.unit, balance.scale, balance.period_start, balance.period_source) == ("£m", 1e6, "2024-09-30", "column")
    assert cash["2024-25 › Movement £m"].role == "change"
    assert cash["30-Sep-24 › Average Rate %"].unit == "%"
    assert len(cells(records, 4)) == 27  # 7 rows, 4 columns, net borrowing has no rate


def test_merged_headings_head_each_column_they_span(treasury):
    # p8: "30-Sep-24" and "6 months return" are merged over "Income" and "Total"
    _, records = treasury
    total = [c for c in cells(records, 8) if c.row_label == "Total Externally Managed Investments"]
    by_header = {c.column_header: c.value for c in total}
    assert by_header["30-Sep-24 › 6 months return › Income › %"] == 2.49
    assert by_header["30-Sep-24 › 6 months return › Total › %"] == 3.85
    [three_85] = [c for c in total if c.value == 3.85]
    assert (three_85.period_start, three_85.period_end) == ("2024-04-01", "2024-09-30")


def test_an_actual_takes_the_limits_printed_beside_it(treasury):
    # p10: "Total cash available within 3 months | £215.8m | £100m" under "Actual 30/09/2024 | Minimum";
    # p11: "10 years and within 20 years | 35.59% | 50% | 0%" under "Actual | Upper limit | Lower limit"
    _, records = treasury
    values = [v for v in records if isinstance(v, IndicatorValue) and v.method == "table"]
    [cash] = [v for v in values if v.page == 10 and v.kind == "actual" and v.value == 215.8e6]
    assert (cash.tolerance, cash.period_start, cash.confidence) == (100e6, "2024-09-30", "high")
    [maturity] = [v for v in values if v.page == 11 and v.kind == "actual" and v.value == 35.59]
    assert (maturity.tolerance, maturity.unit) == (50.0, "%")
    limits = sorted(v.value for v in values if v.page == 11 and v.kind == "tolerance" and v.unit == "%")
    assert limits.count(0.0) == 6 and limits.count(50.0) == 5 and 100.0 in limits


def test_roles_printed_in_rows(treasury):
    # p11: "Limit on principal invested beyond year end | £150m | £100m | £50m | £250m" over
    # "Actual as at 30 September 2024 | £70.7m | £49.8m | £9.5m | £195.1m"
    _, records = treasury
    actual = [v for v in records if isinstance(v, IndicatorValue) and v.page == 11 and v.value == 195.1e6]
    [value] = actual
    assert (value.kind, value.tolerance, value.period_start, value.period_source) == (
        "actual", 250e6, "2024-09-30", "row"
    )
    assert "Limit on principal invested" in value.context  # the limit's row is part of the context


def test_a_tables_date_in_the_sentence_over_it(corpus_pdf):
    # Birmingham p3: "... as at 19 October 2020 it has increased to 3568 which is divided between
    # the various accommodation types as follows:" over "Tenancy Type | Total in TA"
    read = pages(corpus_pdf("birmingham_cabinet"))
    records = indicators(read.values())
    psl = [v for v in records if isinstance(v, IndicatorValue) and v.page == 3 and v.value == 942]
    [value] = psl
    assert (value.period_start, value.period_source) == ("2020-10-19", "caption")
    assert "as follows:" in read[3].tables[0].caption


def test_ruled_boxes_round_running_text_are_no_grid(corpus_pdf):
    # Coventry's slides draw boxes whose rules cut through words ("9 Se | ptember 2021", p1 is
    # a grid only because few words are cut; pp2-8 are not): their text stays text
    read = pages(corpus_pdf("coventry"))
    assert [t.grid for t in read[5].tables] == [False]
    assert read[5].outside_tables is None  # no grid on the page hides its text from the readers


def test_text_in_columns_reads_column_by_column(corpus_pdf):
    # Coventry p5: two columns of prose side by side; the page text interleaves them
    read = pages(corpus_pdf("coventry"))
    assert "Our GDP per head figure in 2019 was\n2\n" in read[5].text
    block = next(b for b in read[5].blocks if b.startswith("Globally connected"))
    assert "Our GDP per head figure in 2019 was\n£29,600 per head – a small decrease" in block
    # a single-column page has no blocks: its text reads in order as it is
    assert pages(corpus_pdf("002"))[2].blocks == ()


def test_side_by_side_lists_set_out_with_whitespace(corpus_pdf):
    # Merthyr Oct 2012 p1: "2013/14" over "Merthyr Vale 2  16 places" ..., "2014/15" over
    # "Bedlinog 2  20 places" ... "Dowlais 4  22 places": two tables, no rules
    read = pages(corpus_pdf("merthyr-tydfil_cabinet_2012-10-24"))
    unruled = [t for t in read[1].tables if not t.ruled]
    assert len(unruled) == 2
    records = indicators(read.values())
    places = {
        (c.row_label, c.value, c.period) for c in records if isinstance(c, TableCell) and c.page == 1
    }
    assert ("Merthyr Vale 2", 16.0, "2013/14") in places
    assert ("Bedlinog 2", 20.0, "2014/15") in places


def test_headings_printed_over_a_ruled_table(corpus_pdf):
    # Merthyr Oct 2012 p6 (appendix): "Proportion of 0-3s in IBH" is printed over the ruled box
    read = pages(corpus_pdf("merthyr-tydfil_cabinet_2012-10-24"))
    [table] = read[6].tables
    found = grid(table, 1)
    assert ("Proportion of 0-3s in IBH",) in found.headers
    [row] = [r for r in found.rows if r.label == ("Gurnos 2",)]
    assert row.code == "W01001300"  # the LSOA code is a reference, not the label
    assert [n.value for numbers in row.numbers.values() for n in numbers] == [65, 90, 70.3]


def test_a_table_goes_on_over_a_page_break_with_its_headings(corpus_pdf):
    # Merthyr Oct 2012 pp3-4: the capital table's headings ("2012-13 £", "2013-14 £") are on p3
    read = pages(corpus_pdf("merthyr-tydfil_cabinet_2012-10-24"))
    records = indicators(read.values())
    [dowlais] = [c for c in records if isinstance(c, TableCell) and c.page == 4 and c.value == 45000]
    assert dowlais.column_header == "2013-14 £" and dowlais.period_start == "2013-04-01"


def test_a_row_labelled_by_its_period(corpus_pdf):
    # Cardiff p7: "2014/15 | 445 | 310 | 755 | £19,200.00"
    records = indicators(pages(corpus_pdf("cardiff")).values())
    [cost] = [v for v in records if isinstance(v, IndicatorValue) and v.page == 7 and v.value == 19200]
    assert (cost.period, cost.unit, cost.period_source) == ("2014/15", "£", "row")


def test_a_cells_fill_colour(corpus_pdf):
    # Seed 000 p3: the row "Quarter 1 2016/17" over the counts by status is shaded grey (0.851)
    read = pages(corpus_pdf("000"))
    rows = read[3].tables[0].rows
    assert {cell.fill for cell in rows[0]} == {"#d9d9d9"}
    assert {cell.fill for cell in rows[1]} == {None}
    assert colour_of((1, 0, 0)) == "#ff0000" and colour_of(0.5) == "#808080"
    assert rag_of_colour("#d9d9d9") is None  # grey says nothing
    # Office's standard red, amber ("gold") and green fills, as scorecards use them
    assert [rag_of_colour(c) for c in ("#ff0000", "#ffc000", "#00b050")] == ["red", "amber", "green"]


def test_contents_pages_are_not_tables_of_numbers(corpus_pdf):
    # Kent ICS appendix p2: "Contents | Pages" with "5 – 6"; Ofsted Rotherham p4: page numbers
    # down a list of contents, set out with whitespace
    for prefix in ("kcc_cabinet_2025-01-30_ICS", "ofsted_ilacs_rotherham"):
        records = indicators(pages(corpus_pdf(prefix)).values())
        assert not [r for r in records if isinstance(r, IndicatorValue)]


def test_a_lone_heading_over_one_column_heads_that_column(corpus_pdf):
    # Cardiff p14: "% FS/Private" printed a row above the other headings, over the last column
    # only; a lone heading in the first column or naming a period ("Quarter 1 2016/17" over
    # seed 000 p3's counts) heads the whole table
    read = pages(corpus_pdf("cardiff"))
    found = grid(read[14].tables[0], 1)
    assert found.headers[-1] == ("% FS/Private",) and found.heading == ""
    records = indicators(read.values())
    [share] = [v for v in records if isinstance(v, IndicatorValue) and v.page == 14 and v.value == 61]
    titles = {r.key: r.title for r in records if isinstance(r, Indicator)}
    assert (titles[share.indicator], share.unit) == ("Fledglings Playgroup – FS/Private", "%")
    # Cardiff p7: "Places", printed alone under "Continuous Professional Development"
    [cpd] = [v for v in records if isinstance(v, IndicatorValue) and v.page == 7 and v.value == 310]
    assert titles[cpd.indicator] == "Continuous Professional Development Places"
    seed = grid(pages(corpus_pdf("000"))[3].tables[0], 1)
    assert seed.heading == "Quarter 1 2016/17"
