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
    assert "_search=re-referrals" in more and "_nocount=1" in more

    # The matched words are marked, and only them.
    marks = {m.get_text().lower() for m in page.select("section[data-table=pages] mark")}
    assert marks and marks <= {"re-referrals", "re-referral", "re- referrals"}
    assert "Resolutions: no matches" in words(sections["resolutions"])


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
    # after 12 months operation by the Trust": the sentence names no period, so the value is the
    # annual report's (its title: "Annual Report ... (1 October 2014 – 30 September 2015)").
    # Seed 002 pages 2 and 5 (Rotherham): "January's in month performance of 22.7%"; page 5:
    # "a full rolling 12 months is also improving at 28.1%".
    assert by_authority == {("Doncaster", "Q1", "24%"), ("Doncaster", "July 2016", "24%"),
                            ("Doncaster", "1 October 2014 – 30 September 2015", "23%"),
                            ("Rotherham", "January's in month", "22.7%"),
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
    assert "cdn" not in response.text.lower() and "https://cdn" not in response.text
    assert server.get("/scrutiny-static/vendor/vega-lite.min.js").status_code == 200

    said = words(page)
    # Seed 000 page 7, the DMBC Comment column and the members' question in italics.
    assert "An important PI to demonstrate robustness of process." in said
    assert "How is increased demand impacting on this PI?" in said
    # Seed 004 (Doncaster minutes) page 1 discusses re-referrals.
    discussed = [li for li in page.select("ul.scrutiny-results li") if li.strong.get_text() == "discussed"]
    assert discussed and "/files/pdf/004_4b7e043a54d74d09.pdf#page=1" in {a["href"] for a in discussed[0].select("a")}


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
    assert {REREFERRALS, "cp-plans-second-or-subsequent", "care-leavers-eet", "dental-checks"} <= set(sections)
    section = sections[REREFERRALS]
    sides = section.select(".scrutiny-side > div")
    assert [side.h3.get_text() for side in sides] == ["Doncaster", "Rotherham"]
    assert "24%" in sides[0].get_text() and "28.1%" in sides[1].get_text()
    grid = {tr.td.get_text(): [td.get_text() for td in tr.select("td")[1:]] for tr in section.select("table.scrutiny-official tr")[1:]}
    assert [th.get_text() for th in section.select("table.scrutiny-official th")] == ["Year", "England", "Doncaster", "Rotherham"]
    assert grid["2016"] == ["22.5%", "23%", "28%"]  # the DfE file, year ending March 2016
    spec = json.loads(section.select_one("script.scrutiny-spec").string)
    assert {p["area"] for p in spec["data"]["values"]} == {"Doncaster", "Rotherham", "England"}

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
        ("Doncaster", "1 October 2014 – 30 September 2015", "23.0"), ("Doncaster", "July 2016", "24.0"),
        ("Doncaster", "Q1", "24.0"),
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
    assert [(r["authority"], r["page"]) for r in back] == [("Kent", 7), ("Doncaster", 3)]
    assert back[0]["due"] == "to a future meeting of the Panel"


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
    with FileLock(str(target) + ".lock"):  # as `scrutiny build` holds it
        with pytest.raises(ScrutinyError, match="build is updating"):
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
    assert len(pages.select("ul.scrutiny-results li")) == 5
    measures = page.select_one("section[data-table=measures]")
    assert "1 match" in words(measures.h2) and "Too many" not in words(measures)


def test_serve_links_into_each_folder_the_catalogue_was_built_from(start_server, corpus_pdf, tmp_path):
    from click.testing import CliRunner

    from scrutiny.cli import cli

    doncaster, rotherham = tmp_path / "doncaster", tmp_path / "rotherham"
    doncaster.mkdir()
    rotherham.mkdir()
    shutil.copy(corpus_pdf("000"), doncaster)
    shutil.copy(corpus_pdf("002"), rotherham)
    db_path = tmp_path / "sy.db"
    result = CliRunner().invoke(cli, ["build", str(doncaster), str(rotherham), "--db", str(db_path), "-j", "1"])
    assert result.exit_code == 0, result.output

    server = start_server("serve", "--db", str(db_path), "--files", str(doncaster), "--files", str(rotherham))
    page = soup(server.get("/-/search", q="re-referrals"))
    links = {a["href"] for a in page.select("section[data-table=pages] a.scrutiny-source")}
    # Seed 000 page 7 ("A1 Re-referrals"), seed 002 page 5 ("3.2.5 Re-referral rates").
    assert "/files/000_1ce771eb6f7a434f.pdf#page=7" in links
    assert "/files-2/002_6d510ce711a33e9b.pdf#page=5" in links
    assert server.get("/files-2/002_6d510ce711a33e9b.pdf").headers["content-type"] == "application/pdf"


def test_a_served_html_source_runs_no_script_as_this_site(start_server, linked_catalogue, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "minutes.html").write_text("<p>RESOLVED</p><script>alert(document.cookie)</script>")
    server = start_server("serve", "--db", str(linked_catalogue), "--files", str(papers))
    html = server.get("/files/minutes.html")
    assert html.status_code == 200
    assert html.headers["content-security-policy"] == "sandbox"
    assert html.headers["x-content-type-options"] == "nosniff"
    # PDFs are served as they are: Chromium shows no PDF under a sandbox policy.
    shutil.copy(CORPUS_PDF_000, papers)
    pdf = server.get("/files/000_1ce771eb6f7a434f.pdf")
    assert pdf.status_code == 200 and "content-security-policy" not in pdf.headers
