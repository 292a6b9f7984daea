"""The published catalogue's own pages (search everything, measures, compare), its canned
queries and its read-only settings, through the real Datasette server on a loopback port."""

from __future__ import annotations

import asyncio
import json
import shutil
import sqlite3

import pypdfium2
import pytest
import sqlite_utils
from bs4 import BeautifulSoup
from conftest import CORPUS, REREFERRALS

from scrutiny.catalogue import make_datasette
from scrutiny.catalogue.serve import SETTINGS
from scrutiny.catalogue.site import _find_file, mention_query

SEED_000 = "/files/pdf/000_1ce771eb6f7a434f.pdf"
SEED_002 = "/files/pdf/002_6d510ce711a33e9b.pdf"
SEED_003 = "/files/pdf/003_9c39432bf98d8fb9.pdf"
#: The registry's label for REREFERRALS (scrutiny/data/measures.csv, from the LAIT dictionary).
REREFERRALS_LABEL = "Re-referrals to children's social care within 12 months of the previous referral (%)"
CORPUS_PDF_000 = CORPUS / "pdf" / "000_1ce771eb6f7a434f.pdf"


@pytest.fixture
def server(start_server, linked_catalogue):
    return start_server("serve", "--db", str(linked_catalogue))


def words(element) -> str:
    """An element's text with its whitespace (line breaks from the PDF) made single spaces."""
    return " ".join(element.get_text(" ").split())


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.text[:500]
    return BeautifulSoup(response.text, "html.parser")


def test_search_everything_says_where_each_result_was_printed_and_links_the_pdf_page(server):
    page = soup(server.get("/-/search", q="re-referrals"))
    sections = {s["data-table"]: s for s in page.select("section.scrutiny-table")}
    assert list(sections) == ["measures", "indicator_values", "commentary", "resolutions", "actions", "pages"]

    measure_links = [a["href"] for a in sections["measures"].select("a.scrutiny-measure")]
    assert measure_links == [f"/-/measures/{REREFERRALS}"]

    # Seed 000 page 7 prints "A1 Re-referrals in the last 12 months ... Q1 = 24%", for the
    # Doncaster panel meeting of 27 September 2016 (corpus/manifest.csv).
    values = words(sections["indicator_values"])
    assert "A1 Re-referrals in the last 12 months Q1 24%" in values
    assert "Doncaster · Children and Young People's Overview and Scrutiny Panel · 2016-09-27" in values
    sources = [a["href"] for a in sections["indicator_values"].select("a.scrutiny-source")]
    assert f"{SEED_000}#page=7" in sources
    # Seed 002 page 2: "Re-referral rates ... January's in month performance of 22.7%" (Rotherham).
    assert f"{SEED_002}#page=2" in sources
    # The full list of values is a table search that skips the slow full count.
    more = sections["indicator_values"].select_one("h2 a")["href"]
    assert "_searchmode=raw" in more and "rereferral" in more and "_nocount=1" in more

    # The matched words are marked, and only them.
    marks = {m.get_text().lower() for m in page.select("section[data-table=pages] mark")}
    assert marks and marks <= {"re-referrals", "re-referral", "re- referrals", "repeat referrals", "repeat referral"}
    assert "Resolutions: no matches" in words(sections["resolutions"])


def test_page_results_are_grouped_by_document_with_its_best_pages(server):
    page = soup(server.get("/-/search", q="re-referrals"))
    documents = page.select("section[data-table=pages] li.scrutiny-document")
    ids = [li["data-document"] for li in documents]
    assert len(ids) == len(set(ids)) >= 3
    for document in documents:
        pages = document.select("ul.scrutiny-results li")
        assert 1 <= len(pages) <= 3 and all(li.select("mark") for li in pages)
    # Seed 000 (Doncaster's performance challenge) names re-referrals on pages 3, 7 and 13 (and
    # more): one entry for the document, its best pages under it.
    (seed_000,) = [li for li in documents if SEED_000 in str(li)]
    assert len(seed_000.select("a.scrutiny-source")) == 3


def test_search_finds_what_people_mean(server):
    def found(q, table="pages", **filters):
        section = soup(server.get("/-/search", q=q, **filters)).select_one(f"section[data-table={table}]")
        return {a["href"].split("#")[0] for a in section.select("a.scrutiny-source")} if section else set()

    seed_004 = "/files/pdf/004_4b7e043a54d74d09.pdf"
    # Seed 004 p3 (Doncaster minutes): "young people re-offending"; p2: "reoffending".
    assert seed_004 in found("reoffending", "resolutions")
    resolution = soup(server.get("/-/search", q="reoffending")).select_one("section[data-table=resolutions] li")
    assert "re-offending" in [m.get_text() for m in resolution.select("mark")]  # in what was resolved
    # and the reverse: the Kent Corporate Parenting Panel minutes (p5) write "reoffending".
    kent_panel = "/files/real/kcc_corporate_parenting_panel_2024-10-29_minutes.pdf"
    assert kent_panel in found("re-offending") and kent_panel in found("reoffending")
    # The registry's abbreviations: seed 000 writes "CiC", seed 002 "LAC".
    assert {SEED_000, SEED_002} <= found("LAC") and {SEED_000, SEED_002} <= found("CiC")
    # A quoted phrase is a phrase; NOT leaves pages out; OR takes either.
    def count(q):
        heading = words(soup(server.get("/-/search", q=q)).select_one("section[data-table=pages] h2"))
        return int(heading.split(":")[1].split()[0].replace(",", ""))

    assert count('"children looked after"') < count("children looked after")
    assert count('"looked after"') < count("looked after")
    assert count("re-referrals NOT Doncaster") < count("re-referrals")
    assert found("re-referrals NOT Doncaster") == {SEED_000, SEED_002}  # seed 000 p3, p7, p13 don't name it
    assert count("re-referrals OR reoffending") > max(count("re-referrals"), count("reoffending"))
    page = soup(server.get("/-/search", q="LAC"))
    assert "CiC" in words(page.select_one(".scrutiny-also")) or "cic" in words(page.select_one(".scrutiny-also"))


def test_search_filters_by_authority_committee_kind_and_meeting_date(server):
    def sections(**params):
        page = soup(server.get("/-/search", q="re-referrals", **params))
        return {s["data-table"]: s for s in page.select("section.scrutiny-table")}, page

    rotherham, page = sections(authority="Rotherham")
    assert [o.get_text() for o in page.select("#search-authority option[selected]")] == ["Rotherham"]
    wheres = [words(w) for t, s in rotherham.items() if t != "measures" for w in s.select(".scrutiny-where")]
    assert wheres and all(w.startswith("Rotherham") for w in wheres)
    assert {a["href"].split("#")[0] for a in rotherham["pages"].select("a.scrutiny-source")} == {SEED_002}
    # The table search it links to keeps the filter.
    assert "authority=Rotherham" in rotherham["indicator_values"].select_one("h2 a")["href"]
    # Seed 000 went to the Doncaster panel on 2016-09-27; seed 002 to Rotherham's on 2017-03-22.
    since, _ = sections(since="2017-01-01")
    assert {a["href"].split("#")[0] for a in since["pages"].select("a.scrutiny-source")} == {SEED_002}
    until, _ = sections(until="2016-12-31", kind="report")
    assert {a["href"].split("#")[0] for a in until["pages"].select("a.scrutiny-source")} == {SEED_000}
    committee, _ = sections(committee="Improving Lives Select Commission")
    assert {a["href"].split("#")[0] for a in committee["pages"].select("a.scrutiny-source")} == {SEED_002}


def test_an_empty_or_hopeless_search_offers_examples(server):
    empty = soup(server.get("/-/search"))
    examples = [a.get_text() for a in empty.select(".scrutiny-examples a")]
    assert "re-referrals" in examples and "LAC" in examples
    hopeless = soup(server.get("/-/search", q="zzyzx quuxification"))
    assert "Nothing matches" in words(hopeless.select_one(".scrutiny-examples"))
    assert hopeless.select("section.scrutiny-table") == []
    # Every example finds something in the bundled catalogue.
    for example in examples:
        assert not soup(server.get("/-/search", q=example)).select(".scrutiny-examples"), example


def test_source_links_serve_the_pdf_that_holds_the_text_on_that_page(server):
    response = server.get(SEED_000)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.content)
    assert len(pdf) == 17
    assert "A1 Re-referrals" in pdf[6].get_textpage().get_text_range()  # page 7, 1-based


def test_a_documents_path_and_every_page_number_link_to_the_source(server):
    documents = soup(server.get("/catalogue/documents", _sort="id"))
    assert documents.select_one(f'td.col-path a[href="{SEED_000}"]')
    values = soup(server.get("/catalogue/indicator_values", code="A1", kind="actual"))
    assert values.select_one(f'td.col-page a[href="{SEED_000}#page=7"]')


@pytest.mark.parametrize(
    "path",
    ["/files/../README.md", "/files/%2e%2e/README.md", "/files/pdf/..%2f..%2fREADME.md", "/files/..%2f..%2f.git"],
)
def test_served_files_cannot_reach_outside_the_corpus_folder(server, path):
    assert server.get(path).status_code in (403, 404)


def test_a_catalogued_path_finds_its_file_only_inside_a_served_folder(tmp_path):
    root = tmp_path / "papers"
    (root / "pdf").mkdir(parents=True)
    (root / "pdf" / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "secret.txt").write_text("not for publishing")
    (root / "pdf" / "escape.pdf").symlink_to(tmp_path / "secret.txt")
    mounts = [("files", root.resolve())]
    # As given to the build from another folder, relative or absolute: the tail inside the mount.
    assert _find_file(mounts, "papers/pdf/a.pdf") == "/files/pdf/a.pdf"
    assert _find_file(mounts, "/elsewhere/papers/pdf/a.pdf") == "/files/pdf/a.pdf"
    assert _find_file(mounts, "../secret.txt") is None
    assert _find_file(mounts, "pdf/../../secret.txt") is None
    assert _find_file(mounts, "pdf/escape.pdf") is None  # a symlink out of the folder
    assert _find_file(mounts, "pdf/missing.pdf") is None


def test_measure_page_shows_every_authoritys_values_the_national_figures_and_what_was_said(server):
    response = server.get(f"/-/measures/{REREFERRALS}")
    page = soup(response)
    assert page.h1.get_text() == REREFERRALS_LABEL

    rows = [[words(td) for td in tr.select("td")] for tr in page.select("table.scrutiny-values tr")[1:]]
    by_authority = {(row[0], row[1].split(" to ")[0], row[2]) for row in rows}
    # Seed 000 page 7 (Doncaster): "Q1 = 24% July 2016 24% Target: 24% Tolerance: 28%".
    # Seed 003 page 2 (Doncaster): "a reduction in the re-referral rate from 38% ... to 23%
    # after 12 months operation by the Trust" (no period the reader can date; its measure is
    # the sentence's subject, so it is shown as a low-confidence value).
    # Seed 002 pages 2 and 5 (Rotherham): "January's in month performance of 22.7%"; page 5:
    # "a full rolling 12 months is also improving at 28.1%".
    assert by_authority == {("Doncaster", "Q1", "24%"), ("Doncaster", "July 2016", "24%"),
                            ("Doncaster", "not dated: not on the chart", "23% low confidence"), ("Rotherham", "January's in month", "22.7%"),
                            ("Rotherham", "rolling 12 months", "28.1%")}  # fmt: skip
    links = {a["href"] for a in page.select("table.scrutiny-values a.scrutiny-source")}
    assert links == {f"{SEED_000}#page=7", f"{SEED_003}#page=2", f"{SEED_002}#page=2", f"{SEED_002}#page=5"}
    # Seed 002 prints January's 22.7% in its summary (page 2) and again in the detail (page 5):
    # one reported value, one row, with both pages.
    assert len(rows) == 5
    (january,) = [tr for tr in page.select("table.scrutiny-values tr")[1:] if "22.7%" in words(tr)]
    assert [a["href"] for a in january.select("a.scrutiny-source")] == [f"{SEED_002}#page=2", f"{SEED_002}#page=5"]

    official = {tuple(words(td).split(" to ")[0] for td in tr.select("td")[:4])
                for tr in page.select("table.scrutiny-official tr")[1:]}  # fmt: skip
    # The DfE file's rereferral_percent: England 2016 22.5, Doncaster 2016 23, Rotherham 2016 28.
    assert {("England", "National", "2016", "22.5%"), ("Doncaster", "Local authority", "2016", "23%"),
            ("Rotherham", "Local authority", "2016", "28%")} <= official  # fmt: skip

    spec = json.loads(page.select_one("script.scrutiny-spec").string)
    data = spec["data"]["values"]
    assert {p["area"] for p in data} == {"Doncaster", "Rotherham", "England"}
    points = {(p["area"], p["kind"], p["date"], p["value"]) for p in data}
    assert ("Doncaster", "reported", "2016-06-30", 24.0) in points
    assert ("Doncaster", "tolerance", "2016-06-30", 28.0) in points
    assert ("Rotherham", "target", "2017-01-31", 23.0) in points
    assert ("England", "DfE", "2016-03-31", 22.5) in points
    # The annual letter's 23% has no period to date it: the page says the chart leaves it off.
    assert words(page.select_one(".scrutiny-undated-note")).startswith("1 value is not on the chart")
    assert "cdn" not in response.text.lower() and "https://cdn" not in response.text
    assert server.get("/scrutiny-static/vendor/vega-lite.min.js").status_code == 200

    said = words(page)
    # Seed 000 page 7, the DMBC Comment column and the members' question in italics.
    assert "An important PI to demonstrate robustness of process." in said
    assert "How is increased demand impacting on this PI?" in said
    # Seed 004 (Doncaster minutes) page 1 discusses re-referrals.
    discussed = [li for li in page.select("ul.scrutiny-results li") if li.strong.get_text() == "discussed"]
    assert discussed and "/files/pdf/004_4b7e043a54d74d09.pdf#page=1" in {a["href"] for a in discussed[0].select("a")}


def test_a_pending_link_is_shown_as_pending_and_a_reader_can_hide_it(server):
    """Seed 002 p8 (Rotherham): "Health Assessment reviews in the previous three months has been
    good at over 95% in time ... the fall in January to 92.7%": a review of health assessments,
    linked to the health assessments measure with a score that asks for a person's review.
    Seed 000 p12 (Doncaster): "E20-22 ... Children in Care with up to date: health assessment
    Q1 =85%", linked with confidence."""
    page = soup(server.get("/-/measures/health-assessments"))
    rows = {words(tr.td): tr for tr in page.select("table.scrutiny-values tr")[1:]}
    assert set(rows) == {"Doncaster", "Rotherham"}
    assert "scrutiny-pending" in rows["Rotherham"].get("class", [])
    assert "link awaiting review" in words(rows["Rotherham"]) and "92.7%" in words(rows["Rotherham"])
    assert "scrutiny-pending" not in (rows["Doncaster"].get("class") or [])
    spec = json.loads(page.select_one("script.scrutiny-spec").string)
    reported = {(p["area"], p["value"], p["link"]) for p in spec["data"]["values"] if p["kind"] == "reported"}
    assert reported == {("Doncaster", 85.0, "sure"), ("Rotherham", 92.7, "pending")}
    note = page.select_one(".scrutiny-pending-note")
    assert words(note).startswith("1 value (hollow diamonds")
    hide = note.select_one("a.scrutiny-pending-toggle")["href"]
    assert hide == "/-/measures/health-assessments?pending=hide"

    hidden = soup(server.get("/-/measures/health-assessments", pending="hide"))
    assert [words(tr.td) for tr in hidden.select("table.scrutiny-values tr")[1:]] == ["Doncaster"]
    spec = json.loads(hidden.select_one("script.scrutiny-spec").string)
    assert {p["area"] for p in spec["data"]["values"] if p["kind"] == "reported"} == {"Doncaster"}
    assert "is hidden" in words(hidden.select_one(".scrutiny-pending-note"))
    assert hidden.select_one("a.scrutiny-pending-toggle")["href"] == "/-/measures/health-assessments"


def test_values_read_with_their_units_and_authorities_keep_their_colours(server):
    from scrutiny.catalogue.site import with_unit

    assert [with_unit(80780.0, "count"), with_unit(22.7, "%"), with_unit(85.5, "rate per 10,000"),
            with_unit(12.0, "weeks"), with_unit(1200.0, "£"), with_unit(0.02, None)] == [
        "80,780", "22.7%", "85.5 per 10,000", "12 weeks", "£1,200", "0.02"]  # fmt: skip
    colours = {}
    for path in (f"/-/measures/{REREFERRALS}", "/-/measures/health-assessments", "/-/compare"):
        for block in soup(server.get(path)).select("script.scrutiny-spec"):
            scale = json.loads(block.string)["encoding"]["color"]["scale"]
            for area, colour in zip(scale["domain"], scale["range"], strict=True):
                colours.setdefault(area, set()).add(colour)
    assert {"Doncaster", "Rotherham", "England"} <= set(colours)
    assert all(len(seen) == 1 for seen in colours.values()), colours
    assert colours["Doncaster"] != colours["Rotherham"]


def test_a_line_joins_only_one_series_as_printed(server):
    """Seed 002 p2 and p5 (Rotherham): "January's in month performance of 22.7%" and "a full
    rolling 12 months is also improving at 28.1%" are two ways of counting: two series, not
    one line from 22.7 to 28.1."""
    page = soup(server.get(f"/-/measures/{REREFERRALS}"))
    spec = json.loads(page.select_one("script.scrutiny-spec").string)
    rotherham = {p["series"] for p in spec["data"]["values"] if p["area"] == "Rotherham" and p["kind"] == "reported"}
    assert len(rotherham) == 2
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line" and line["encoding"]["detail"]["field"] == "series"


def test_an_unknown_measure_is_not_found(server):
    assert server.get("/-/measures/no-such-measure").status_code == 404


def test_measures_index_lists_linked_measures_with_their_authorities(server, linked_catalogue):
    page = soup(server.get("/-/measures"))
    rows = {words(tr.td): [words(td) for td in tr.select("td")[1:]]
            for tr in page.select("table.scrutiny-measures tr")[1:]}  # fmt: skip
    # Six reported values (see the measure page test) and the DfE's figure for every area and
    # year in the re-referrals file (England, regions and councils, 2013 to 2025).
    with sqlite_utils.Database(linked_catalogue) as db:
        published = db["official_values"].count_where("measure_id = ?", [REREFERRALS])
    assert published > 1500
    assert rows[REREFERRALS_LABEL] == ["%", "Child Protection", "6", "Doncaster, Rotherham", str(published)]
    # Measures the DfE publishes that no paper here reports are listed too, with no values.
    assert rows["Number of referrals to Children's Social Services"][2:4] == ["0", ""]
    # Most reported first.
    counts = [int(row[2]) for row in rows.values()]
    assert counts == sorted(counts, reverse=True)


def test_compare_puts_doncaster_and_rotherham_side_by_side(server):
    page = soup(server.get("/-/compare"))
    assert [o.get_text() for o in page.select("select[name=a] option[selected]")] == ["Doncaster"]
    assert [o.get_text() for o in page.select("select[name=b] option[selected]")] == ["Rotherham"]
    sections = {s["data-measure"]: s for s in page.select("section.scrutiny-compare")}
    # Both councils' papers report these (the linker's links), re-referrals among them.
    assert {REREFERRALS, "cp-plans-second-within-2-years", "care-leavers-eet", "dental-checks"} <= set(sections)
    section = sections[REREFERRALS]
    sides = section.select(".scrutiny-side > div")
    assert [side.h3.get_text() for side in sides] == ["Doncaster", "Rotherham"]
    assert "24%" in sides[0].get_text() and "28.1%" in sides[1].get_text()
    grid = {tr.td.get_text(): [td.get_text() for td in tr.select("td")[1:]] for tr in section.select("table.scrutiny-official tr")[1:]}
    assert [th.get_text() for th in section.select("table.scrutiny-official th")] == ["Year", "England", "Doncaster", "Rotherham"]
    assert grid["2016"] == ["22.5%", "23%", "28%"]  # the DfE file, year ending March 2016
    spec = json.loads(section.select_one("script.scrutiny-spec").string)
    assert {p["area"] for p in spec["data"]["values"]} == {"Doncaster", "Rotherham", "England"}
    # Seed 003 p2: the annual letter's 23% has no period: said, not silently left off.
    assert words(section.select_one(".scrutiny-undated-note")).startswith("1 value is not on the chart")

    # Kent's papers report nothing linked to the registry: Rotherham's measure is listed, not drawn.
    kent = soup(server.get("/-/compare", a="Kent", b="Rotherham"))
    assert kent.select("section.scrutiny-compare") == []
    only = [words(li) for li in kent.select("ul.scrutiny-only-one li")]
    assert f"{REREFERRALS_LABEL} : Rotherham" in only
    assert all(item.endswith(": Rotherham") for item in only)
    # One authority alone: its measures, drawn.
    alone = soup(server.get("/-/compare", a="Rotherham", b="Rotherham"))
    assert REREFERRALS in [s["data-measure"] for s in alone.select("section.scrutiny-compare")]


def test_measure_values_export_as_csv(server):
    response = server.get("/catalogue/indicator_values.csv", measure_id=REREFERRALS, kind="actual", _nocount="1")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(response.text)))
    # Seed 000 page 7: Q1 and July 2016, 24%; seed 003 page 2: 23%; seed 002 pages 2 and 5:
    # January's in month 22.7%, and page 5: rolling 12 months, 28.1%.
    assert sorted((r["authority"], r["period"], r["value"]) for r in rows) == [
        ("Doncaster", "", "23.0"), ("Doncaster", "July 2016", "24.0"), ("Doncaster", "Q1", "24.0"),
        ("Rotherham", "January's in month", "22.7"), ("Rotherham", "January's in month", "22.7"),
        ("Rotherham", "rolling 12 months", "28.1"),
    ]


def test_mention_query_uses_the_labels_first_distinctive_words():
    assert mention_query("Re-referrals within 12 months of a previous referral") == '"Re-referrals"'
    assert mention_query("Percentage of children in care with a PEP") == '"care"'
    assert mention_query("12 months") == ""


def test_canned_queries_trace_tolerance_history_and_report_backs(server):
    def rows(query, **params):
        response = server.get(f"/catalogue/{query}.json", _shape="array", **params)
        assert response.status_code == 200, response.text
        return response.json()

    # Seed 004 page 3 (Doncaster minutes): "RESOLVED that ... (2) a briefing note detailing the
    # actual number of young people re-offending ... be provided to the Panel".
    traced = rows("trace", term="re-offending", authority="")
    assert [(r["kind"], r["number"], r["page"]) for r in traced] == [("resolution", "2", 3), ("action", "2", 3)]
    assert rows("trace", term="re-offending", authority="Kent") == []

    # Seed 000 page 9: "A2 ... Q 1 = 88% Target 92% Tolerance 90%", red, quarter 1 of 2016/17.
    outside = rows("outside_tolerance", authority="Doncaster")
    assert {"quarter": "2016/17 Q1", "code": "A2", "value": 88.0, "target": 92.0, "tolerance": 90.0} in [
        {k: r[k] for k in ("quarter", "code", "value", "target", "tolerance")} for r in outside
    ]
    assert all(r["rag"] == "red" and r["authority"] == "Doncaster" for r in outside)

    history = rows("measure_history", authority="Doncaster", code="a1")
    assert [(r["period"], r["kind"], r["value"]) for r in history if r["kind"] == "actual"] == [
        ("Q1", "actual", 24.0), ("July 2016", "actual", 24.0)
    ]

    # Kent Corporate Parenting Panel, 29 October 2024, page 7: "... would be considered and
    # bought back to a future meeting of the Panel"; and Doncaster's briefing note above.
    back = rows("report_back")
    sample = [r for r in back if r["meeting_date"] in ("2024-10-29", None)]  # the CPP and seed 004
    assert [(r["authority"], r["page"]) for r in sample] == [("Kent", 7), ("Doncaster", 3)]
    assert sample[0]["due"] == "to a future meeting of the Panel"
    # Kent County Council, 19 December 2024, page 15: "Delegates to the Monitoring Officer the submission
    # of the response to the Consultation" (issue 15: delegations are requests too).
    assert ("2024-12-19", 15, "the Monitoring Officer") in [(r["meeting_date"], r["page"], r["owner"]) for r in back]


def test_document_text_is_escaped_in_every_page(start_server, linked_catalogue, tmp_path):
    hostile = '<script>alert("scrutiny")</script>'
    closing = '</script><script>alert("spec")</script>'
    target = tmp_path / "hostile" / "catalogue.db"
    target.parent.mkdir()
    shutil.copy(linked_catalogue, target)
    with sqlite_utils.Database(target) as db:
        paper, minutes = (
            db.execute("select id from documents where path like ?", [f"%{name}%"]).fetchone()[0]
            for name in ("000_", "004_")
        )
        db["pages"].insert({"document_id": paper, "page": 99, "text": f"re-referrals {hostile}"})
        db.execute("update documents set title = title || ? where id = ?", [closing, paper])
        db.execute("update commentary set text = text || ? where page = 7 and document_id = ?", [hostile, paper])
        db.execute("update indicator_values set context = context || ? where document_id = ?", [hostile, paper])
        db.execute(
            "update resolutions set text = text || ? where page = 3 and document_id = ?",
            [" re-offending " + hostile, minutes],
        )
        db.execute("update measures set label = label || ?", [hostile])
    server = start_server("serve", "--db", str(target))
    for path, params in [
        ("/-/search", {"q": "re-referrals"}),
        ("/-/search", {"q": hostile}),
        (f"/-/measures/{REREFERRALS}", {}),
        ("/-/measures", {}),
        ("/-/compare", {}),
        ("/catalogue/trace", {"term": "re-offending", "authority": ""}),
        ("/catalogue/pages", {"_search": "re-referrals"}),
    ]:
        response = server.get(path, **params)
        assert response.status_code == 200, path
        assert 'alert("' not in response.text, path
        assert "&lt;script&gt;" in response.text or "\\u003cscript\\u003e" in response.text, path
    # The hostile title reaches the chart as data, escaped for the JSON block, and intact.
    page = soup(server.get(f"/-/measures/{REREFERRALS}"))
    spec = json.loads(page.select_one("script.scrutiny-spec").string)
    assert any(p["document"].endswith(closing) for p in spec["data"]["values"])


def test_the_catalogue_is_served_immutable_with_a_time_limit(linked_catalogue):
    datasette = make_datasette(linked_catalogue)
    database = datasette.get_database(linked_catalogue.stem)
    assert database.is_mutable is False
    assert datasette.setting("sql_time_limit_ms") == SETTINGS["sql_time_limit_ms"] == 3000

    quick = make_datasette(linked_catalogue, sql_time_limit_ms=50)
    endless = "with recursive n(x) as (select 1 union all select x + 1 from n) select count(*) from n"

    async def run():
        slow = await quick.client.get(f"/{linked_catalogue.stem}.json", params={"sql": endless})
        write = await quick.client.get(f"/{linked_catalogue.stem}.json", params={"sql": "delete from pages"})
        return slow, write

    slow, write = asyncio.run(run())
    assert slow.status_code == 400 and "too long" in slow.text
    assert write.status_code == 400 and "Statement must be a SELECT" in write.text


def test_a_finished_builds_write_ahead_log_is_served(linked_catalogue, tmp_path):
    """Served immutable, SQLite never reads a -wal file: serve folds it in first."""
    live = tmp_path / "live.db"
    shutil.copy(linked_catalogue, live)
    writer = sqlite3.connect(live)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("insert into pages (document_id, page, text) values (1, 98, 'only in the log')")
    writer.commit()
    copy = tmp_path / "copy.db"  # the files as a build that was stopped leaves them
    shutil.copy(live, copy)
    shutil.copy(live.with_name("live.db-wal"), copy.with_name("copy.db-wal"))
    writer.close()

    datasette = make_datasette(copy)

    async def count():
        return (await datasette.get_database("copy").execute("select count(*) from pages where page = 98")).single_value()

    assert asyncio.run(count()) == 1


def test_serve_refuses_a_catalogue_a_build_is_writing(linked_catalogue, tmp_path):
    from filelock import FileLock

    from scrutiny.errors import ScrutinyError

    target = tmp_path / "catalogue.db"
    shutil.copy(linked_catalogue, target)
    with FileLock(str(target) + ".lock"), pytest.raises(ScrutinyError, match="build is updating"):  # as `scrutiny build` holds it
        make_datasette(target)
    make_datasette(target)  # and once the build has finished, it serves


def test_search_with_too_many_matches_to_rank_shows_the_first_and_says_so(linked_catalogue, monkeypatch):
    from scrutiny.catalogue import site

    monkeypatch.setattr(site, "COUNTED", 3)  # as if "re-referrals" were on thousands of pages
    datasette = make_datasette(linked_catalogue)

    async def search():
        return await datasette.client.get("/-/search", params={"q": "re-referrals"})

    page = soup(asyncio.run(search()))
    pages = page.select_one("section[data-table=pages]")
    assert "more than 3 matches" in words(pages.h2)
    assert "Too many to rank" in words(pages)
    documents = [li["data-document"] for li in pages.select("li.scrutiny-document")]
    assert 3 <= len(documents) <= 5 and len(set(documents)) == len(documents)
    measures = page.select_one("section[data-table=measures]")
    assert "1 match" in words(measures.h2) and "Too many" not in words(measures)


def test_compare_with_statistical_neighbours_ranks_each_council_and_exports_what_it_compares(server):
    """Doncaster's ten statistical neighbours (DfE children's services groupings, April 2021:
    Rotherham, Barnsley, North East Lincolnshire, Wigan, Wakefield, Tameside, North Lincolnshire,
    Redcar and Cleveland, Dudley, Telford and Wrekin), names typed in any case."""
    page = soup(server.get("/-/compare", a="doncaster", b="ROTHERHAM", group="neighbours"))
    assert [o.get_text() for o in page.select("select[name=a] option[selected]")] == ["Doncaster"]
    assert [o.get_text() for o in page.select("select[name=b] option[selected]")] == ["Rotherham"]
    assert "Barnsley, North East Lincolnshire, Wigan" in words(page.select_one(".scrutiny-group"))
    # The index at the top lists the measures both report, each linked to its section.
    index = {a["href"] for a in page.select("nav.scrutiny-index a")}
    assert f"#measure-{REREFERRALS}" in index and "#measure-cp-plans-second-within-2-years" in index
    section = page.select_one(f"section#measure-{REREFERRALS}")
    # The DfE's re-referral rates for 2025 (lower is better): North Lincolnshire 14 ... Rotherham
    # 19.6 (5th) ... Tameside 27.7, Doncaster 29.4 (11th of the 11).
    ranks = words(section.select_one(".scrutiny-ranks"))
    assert "Rank in 2025 among 11 councils compared" in ranks
    assert "Doncaster 11 of 11 (29.4%)" in ranks and "Rotherham 5 of 11 (19.6%)" in ranks
    grid = [th.get_text() for th in section.select("table.scrutiny-official th")]
    assert grid[:2] == ["Year", "England"] and {"Barnsley", "Telford and Wrekin"} <= set(grid)

    exported = server.get("/-/compare.json", a="doncaster", b="rotherham", group="neighbours").json()
    assert exported["authorities"] == ["Doncaster", "Rotherham"] and len(exported["group"]) == 9
    rows = [dict(zip(exported["columns"], row.values(), strict=True)) for row in exported["rows"]]
    assert {"measure_id": REREFERRALS, "area": "Tameside", "figure": "DfE", "period": "2025", "value": 27.7} in [
        {k: r[k] for k in ("measure_id", "area", "figure", "period", "value")} for r in rows]  # fmt: skip
    # Seed 000 p7: Doncaster's A1, Q1 = 24%, with the page it is printed on.
    assert any(r["area"] == "Doncaster" and r["figure"] == "reported" and r["value"] == 24.0 and r["page"] == 7
               for r in rows if r["measure_id"] == REREFERRALS)  # fmt: skip
    csv_text = server.get("/-/compare.csv", a="Doncaster", b="Rotherham", group="region").text
    assert csv_text.splitlines()[0].startswith("measure_id,measure,area,figure,period")
    assert ",Sheffield,DfE," in csv_text  # Yorkshire and the Humber


KENT_CABINET_MINUTES = "/files/real/kcc_cabinet_2025-01-09_minutes.pdf"


def test_a_meeting_page_shows_its_items_papers_minutes_resolutions_and_actions(server):
    """Kent Cabinet, 9 January 2025 (corpus/real/kcc_cabinet_2025-01-09_minutes.pdf): p3 "RESOLVED
    that Cabinet note the provisional settlement including the additional grants ..." under
    item 5, "Provisional Local Government Finance Settlement 2025-26"; p4 "82. Corporate Risk
    Register (Item 7)"."""
    page = soup(server.get("/-/meetings/Kent/Cabinet/2025-01-09"))
    assert words(page.h1) == "Cabinet, 2025-01-09"
    items = {words(li.strong): li for li in page.select("ol.scrutiny-items > li")}
    assert "5. Provisional Local Government Finance Settlement 2025-26" in items
    assert "7. Corporate Risk Register" in items
    settlement = items["5. Provisional Local Government Finance Settlement 2025-26"]
    resolved = settlement.select_one("ul.scrutiny-resolutions li")
    assert "Cabinet note the provisional settlement" in words(resolved)
    assert f"{KENT_CABINET_MINUTES}#page=3" in {a["href"] for a in resolved.select("a.scrutiny-source")}
    minutes = page.select("ul.scrutiny-minutes a.scrutiny-source")
    assert [a["href"] for a in minutes] == [f"{KENT_CABINET_MINUTES}#page=1"]
    # The next Cabinet meeting in the catalogue, 4 March 2025: the agenda and the quarterly
    # performance report (corpus/manifest.csv), no minutes.
    following = page.select_one("a[href*='/-/meetings/Kent/Cabinet/']")
    assert following.get_text() in ("next meeting", "previous meeting")
    march = soup(server.get("/-/meetings/Kent/Cabinet/2025-03-04"))
    papers = [words(li.a) for li in march.select("ul.scrutiny-papers li")]
    # Papers before reports' minutes: the agenda, then the reports.
    assert papers == ["Agenda front sheet: Cabinet 4 March 2025", "Quarterly Performance Report, Quarter 3, 2024/25 (cover report)"]
    assert "None in the catalogue" in words(march.select_one("h2 + p"))  # no minutes
    assert server.get("/-/meetings/Kent/Cabinet/1999-01-01").status_code == 404


def test_a_committee_page_lists_its_meetings_in_date_order(server):
    page = soup(server.get("/-/committees/Kent/Cabinet"))
    dates = [a.get_text() for a in page.select("table.scrutiny-meetings a")]
    # corpus/manifest.csv: Kent Cabinet papers of 9 January, 30 January and 4 March 2025.
    assert dates == ["2025-03-04", "2025-01-30", "2025-01-09"]
    index = soup(server.get("/-/committees"))
    rows = [[words(td) for td in tr.select("td")] for tr in index.select("table.scrutiny-committees tr")[1:]]
    assert ["Kent", "Cabinet", "3", "2025-01-09", "2025-03-04", "5"] in rows
    # Names with apostrophes and spaces reach their page.
    doncaster = index.select_one("a[href*='Overview']")["href"]
    assert server.get(doncaster).status_code == 200


def test_a_document_page_shows_the_text_with_the_source_beside_it(server, linked_catalogue):
    with sqlite_utils.Database(linked_catalogue) as db:
        (document_id,) = [r["id"] for r in db.query("select id from documents where path like '%000_1ce771eb6f7a434f%'")]
    page = soup(server.get(f"/-/documents/{document_id}", page="7"))
    seventh = page.select_one("section#page-7")
    # Seed 000 page 7: "A1 Re-referrals ... Q1 = 24% July 2016 24% Target: 24% Tolerance: 28%".
    assert "A1 Re-referrals" in seventh.pre.get_text() and "Tolerance: 28%" in seventh.pre.get_text()
    assert seventh.select_one("a.scrutiny-source")["href"] == f"{SEED_000}#page=7"
    assert page.select_one(".scrutiny-pdf iframe")["src"] == f"{SEED_000}#page=7"
    assert len(page.select("section.scrutiny-page")) == 17  # all 17 pages, under 25 to a view
    assert server.get("/-/documents/99999").status_code == 404
    # A search result's document links here.
    results = soup(server.get("/-/search", q="re-referrals"))
    assert f"/-/documents/{document_id}" in {a["href"] for a in results.select("a.scrutiny-document-link")}
