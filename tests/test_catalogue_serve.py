"""Serving a catalogue with the real Datasette server on a loopback port, as a user starts it."""

from __future__ import annotations

import subprocess
import sys

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
    assert len(table["rows"]) == 12
    # metadata.yml's descriptions reach the tables
    assert "One row per source document" in server.get("/catalogue/documents").text


def test_metadata_follows_a_catalogue_with_another_name(start_server, catalogue_copy):
    renamed = catalogue_copy.with_name("kent.db")
    catalogue_copy.rename(renamed)
    server = start_server("serve", "--db", str(renamed))
    assert "One row per source document" in server.get("/kent/documents").text


def test_serve_without_a_catalogue_says_how_to_make_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny", "serve", "--db", str(tmp_path / "nothing.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "scrutiny build --db" in result.stderr


def test_demo_builds_the_bundled_corpus_and_serves_it(start_server, catalogue_copy, tmp_path):
    # Starting from an up-to-date catalogue, the demo's build reads nothing and serving starts at once.
    server = start_server("demo", "--db", str(catalogue_copy), cwd=REPO)
    documents = server.get("/catalogue/documents.json", _shape="array", _size="max").json()
    assert {d["authority"] for d in documents} == {"Doncaster", "Rotherham", "Kent"}
    output = server.stop()
    assert "12 unchanged" in output


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
