"""Serving a catalogue with the real Datasette server on a loopback port, as a user starts it."""

from __future__ import annotations

import subprocess
import sys

import httpx
import yaml
from conftest import REPO


def test_serve_answers_with_metadata_and_full_text_search(start_server, catalogue_copy):
    server = start_server("serve", "--db", str(catalogue_copy))
    title = yaml.safe_load((REPO / "metadata.yml").read_text())["title"]

    home = server.get("/.json")
    assert home.status_code == 200 and "catalogue" in home.json()
    metadata = server.get("/-/metadata.json").json()
    assert metadata["title"] == title
    assert "Open Government Licence" in metadata["license"]
    assert title in server.get("/").text

    found = server.get("/catalogue/pages.json", _search="re-referrals", _shape="array", _size="max").json()
    assert found, "no pages matched re-referrals"
    assert all("re-referral" in row["text"].lower().replace("\n", " ") for row in found)
    assert len({row["document_id"] for row in found}) >= 3

    table = server.get("/catalogue/documents.json", _shape="objects").json()
    assert len(table["rows"]) == 25
    # metadata.yml's descriptions reach the tables
    assert "One row per source document" in server.get("/catalogue/documents").text


def test_metadata_follows_a_catalogue_with_another_name(start_server, catalogue_copy):
    renamed = catalogue_copy.with_name("kent.db")
    catalogue_copy.rename(renamed)
    server = start_server("serve", "--db", str(renamed))
    assert "One row per source document" in server.get("/kent/documents").text
    # Every link on the front page follows the database's name: none to /catalogue/, and each answers.
    from bs4 import BeautifulSoup

    front = BeautifulSoup(server.get("/").text, "html.parser")
    links = {a["href"].split("#")[0] for a in front.select("a[href^='/']")}
    assert {"/kent/trace", "/kent/documents", "/kent/problems", "/kent"} <= links
    assert not [link for link in links if link.startswith("/catalogue")]
    for link in links:
        assert server.get(link).status_code == 200, link


def test_serve_on_a_busy_port_says_it_is_taken_and_how_to_choose_another(catalogue_copy):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "scrutiny", "serve", "--db", str(catalogue_copy), "--port", str(port)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is taken" in result.stderr
    assert f"--port {port + 1}" in result.stderr
    assert "Serving" not in result.stdout and "Traceback" not in result.stderr + result.stdout


def test_serve_without_a_catalogue_says_how_to_make_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny", "serve", "--db", str(tmp_path / "nothing.db")],
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "scrutiny build --db" in result.stderr


def test_demo_builds_the_bundled_corpus_and_serves_it(start_server, catalogue_copy, tmp_path):
    # Starting from an up-to-date catalogue, the demo's build reads nothing and serving starts at once.
    server = start_server("demo", "--db", str(catalogue_copy), cwd=REPO)
    documents = server.get("/catalogue/documents.json", _shape="array", _size="max").json()
    assert {d["authority"] for d in documents} == {
        "Doncaster", "Rotherham", "Kent", "Birmingham", "Caerphilly", "Cardiff", "Coventry",
        "Merthyr Tydfil", "Merton", "Newbiggin Parish Council",
    }
    output = server.stop()
    assert "25 unchanged" in output


def test_every_table_and_column_is_described_in_metadata(built_catalogue):
    import sqlite_utils

    described = yaml.safe_load((REPO / "metadata.yml").read_text())["databases"]["catalogue"]["tables"]
    with sqlite_utils.Database(built_catalogue) as db:
        tables = [name for name in db.table_names() if "_fts" not in name]  # not FTS shadow tables
        assert {"documents", "pages", "problems", "indicator_values", "commentary"} <= set(tables)
        for name in tables:
            assert name in described, f"metadata.yml does not describe table {name}"
            assert described[name].get("description"), name
            columns = set(described[name].get("columns", {}))
            # table_xinfo, not table_info: it lists generated columns (year) too
            present = {row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])").fetchall()}
            missing = present - columns
            assert not missing, f"metadata.yml does not describe {name} columns {missing}"


def test_documents_minutes_and_values_facet_by_year(start_server, catalogue_copy):
    server = start_server("serve", "--db", str(catalogue_copy))

    def facet(table: str, **params) -> dict[str, int]:
        answer = server.get(f"/catalogue/{table}.json", _facet="year", **params).json()
        return {row["value"]: row["count"] for row in answer["facet_results"]["year"]["results"]}

    # corpus/manifest.csv: seed 000 went to the panel on 2016-09-27, seed 002 on 2017-03-22.
    documents = facet("documents")
    assert documents["2016"] >= 1 and documents["2017"] >= 1
    # Seed 000 page 7: "Q1 = 24% July 2016 24%" for A1, Quarter 1 2016/17 (April-June 2016)
    # and July 2016: both in the financial year 2016/17, not calendar 2016.
    values = server.get(
        "/catalogue/indicator_values.json", code="A1", kind="actual", _shape="array", _nocount="1"
    ).json()
    assert {(row["period"], row["year"]) for row in values if row["page"] == 7} == {
        ("Q1", "2016/17"), ("July 2016", "2016/17")
    }
    # Seed 002 (January 2016/17): January 2017 is in 2016/17 too.
    january = server.get(
        "/catalogue/indicator_values.json", period_start="2017-01-01", _shape="array", _nocount="1"
    ).json()
    assert january and {row["year"] for row in january} == {"2016/17"}
    assert facet("indicator_values", _nocount="1")["2016/17"] >= 3
    # The Kent Corporate Parenting Panel minutes of 29 October 2024 (corpus/manifest.csv).
    assert facet("resolutions", authority="Kent")["2024"] >= 1


def test_search_counts_from_the_index_equal_datasettes_own(start_server, catalogue_copy):
    """scrutiny.catalogue.search_count answers a search's count from the full-text index;
    with a filter beside the search Datasette counts itself. The two must agree."""
    import sqlite_utils
    from datasette.utils import escape_fts

    server = start_server("serve", "--db", str(catalogue_copy))
    searches = [
        ("re-referrals", {}), ("children", {}), ("looked after", {}), ('"care leavers"', {}),
        ("child* OR placement*", {"_searchmode": "raw"}), ("nothing-matches-this", {}),
    ]  # fmt: skip
    with sqlite_utils.Database(catalogue_copy) as db:
        for table in ("indicator_values", "pages", "resolutions"):
            for search, extra in searches:
                by_index = server.get(f"/catalogue/{table}.json", _search=search, _size="2", **extra).json()
                # id__gte=0 matches every row, and is a filter: Datasette counts as it always does
                by_datasette = server.get(f"/catalogue/{table}.json", _search=search, id__gte="0", **extra).json()
                counted = by_index["filtered_table_rows_count"]
                assert counted == by_datasette["filtered_table_rows_count"], (table, search)
                match = search if extra else escape_fts(search)
                direct = db.execute(
                    f"select count(*) from {table} where rowid in "
                    f"(select rowid from {table}_fts where {table}_fts match ?)",
                    [match],
                ).fetchone()[0]
                assert counted == direct, (table, search)
                assert "_nocount" not in (by_index.get("next_url") or ""), (table, search)
                if counted > 2:  # the next page is asked for without _nocount, and counts too
                    assert by_index["next_url"] and "_next=" in by_index["next_url"]
                    following = httpx.get(by_index["next_url"], timeout=30).json()
                    assert following["filtered_table_rows_count"] == counted
        assert direct == 0 and db["resolutions"].count > 0
    rows = server.get("/catalogue/indicator_values.json", _search="re-referrals", _shape="objects").json()
    assert rows["filtered_table_rows_count"] == len(rows["rows"]) > 0


def test_only_a_search_with_no_other_filter_is_counted_from_the_index(catalogue_copy):
    from scrutiny.catalogue import make_datasette
    from scrutiny.catalogue.search_count import count_plan

    datasette = make_datasette(catalogue_copy)
    plan = lambda query, path="/catalogue/indicator_values.json": count_plan(datasette, path, query)
    assert plan("_search=children") == ("catalogue", "indicator_values", "children", False)
    assert plan("_search=child*&_searchmode=raw&_size=5&_next=20") == ("catalogue", "indicator_values", "child*", True)
    assert plan("_search=children&_shape=objects") is not None
    for other in (
        "_search=children&authority=Doncaster",  # a column filter
        "_search=children&_where=page>3",
        "_search_title=children",  # one column's search
        "_search=children&_fts_table=pages_fts",
        "_search=children&_search=adoption",
        "_search=children&_shape=array",  # Datasette doesn't count these
        "_search=children&_nocount=1",
        "_search=",
        "_sort=page",
    ):
        assert plan(other) is None, other
    assert plan("_search=children", "/catalogue/indicator_values") is None  # the HTML page
    assert plan("_search=children", "/elsewhere/indicator_values.json") is None
