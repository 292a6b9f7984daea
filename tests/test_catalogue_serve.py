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
            missing = {c.name for c in db[name].columns} - columns
            assert not missing, f"metadata.yml does not describe {name} columns {missing}"
