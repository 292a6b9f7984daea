"""Serving a catalogue with the real Datasette server on a loopback port, as a user starts it."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml
from conftest import REPO
from scrutiny.pipeline import Build


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

    def plan(query, path="/catalogue/indicator_values.json"):
        return count_plan(datasette, path, query)

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


# --- Under attack (issue 17) ------------------------------------------------------------------


def _peak_memory_mb(pid: int) -> int:
    """The most memory (resident) a process has held since it started: VmHWM."""
    status = open(f"/proc/{pid}/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024


def test_no_sql_request_can_take_the_servers_memory(start_server, catalogue_copy):
    """Issue 17, item 2: ?sql=select randomblob(1000000000) took 1.3 GB (three at once, 10 GB)."""
    server = start_server("serve", "--db", str(catalogue_copy))

    def sql(query: str) -> httpx.Response:
        return httpx.get(server.url + "/catalogue.json", params={"sql": query, "_shape": "array"}, timeout=120)

    attacks = [
        "select randomblob(200000000)",  # one huge value
        "select zeroblob(900000) from pages limit 1000",  # many values under the length limit
        "select group_concat(text) from (select text from pages union all select text from pages)",
    ]
    with ThreadPoolExecutor(3) as pool:
        answers = list(pool.map(sql, attacks * 2))
    for query, answer in zip(attacks * 2, answers):
        assert answer.status_code == 400, (query, answer.text[:300])
    errors = {query: answer.json()["error"] for query, answer in zip(attacks, answers)}
    assert errors[attacks[0]] == "string or blob too big"
    assert errors[attacks[1]].startswith("the result is over 64 MB")
    assert _peak_memory_mb(server.process.pid) < 600
    # Ordinary queries, and whole pages of text, still answer.
    assert sql("select count(*) as n from documents").json() == [{"n": 25}]
    pages = sql("select text from pages order by length(text) desc limit 200").json()
    assert len(pages) == 200 and "Re-referrals" in str(pages)


def test_a_search_for_a_nul_is_a_search_and_a_404_prints_nothing(start_server, catalogue_copy):
    """Issue 17 (degraded): /-/search?q=%00 gave a 500, and each 404 wrote a 17 KB traceback."""
    server = start_server("serve", "--db", str(catalogue_copy))
    assert server.get("/-/search", q="\x00").status_code == 200
    assert server.get("/-/search", q="re-referrals\x00").status_code == 200
    assert "Re-referrals" in server.get("/-/search", q="re-referrals\x00").text
    for _ in range(3):
        assert server.get("/no-such-page").status_code == 404
        assert server.get("/catalogue/no_such_table").status_code == 404
    output = server.stop()
    assert "Traceback" not in output and len(output) < 500, output[:2000]


def test_a_build_while_the_catalogue_is_served_leaves_the_server_reading_the_old_catalogue(
    start_server, tmp_path
):
    """Issue 17, item 8: a build rewrote the file a server had open immutable ("database disk
    image is malformed", 500s). Now it builds a copy and renames it into place: the running
    server keeps the old catalogue, whole; restarted, it shows the new one."""
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.txt").write_text("Minutes of the Corporate Parenting Panel\nRESOLVED that the report be noted.\n")
    (papers / "b.txt").write_text("Agenda of the Corporate Parenting Panel\n1. Apologies\n")
    db_path = tmp_path / "c.db"
    for _ in Build([papers], db_path, workers=1).run():
        pass
    server = start_server("serve", "--db", str(db_path), "--files", str(papers))

    def documents() -> list[str]:
        answer = server.get("/c/documents.json", _shape="array", _col="path")
        assert answer.status_code == 200, answer.text
        return sorted(Path(d["path"]).name for d in answer.json())

    def everything() -> list:
        sql = ("select d.path, d.sha256, p.page, p.text, (select count(*) from pages_fts where pages_fts "
               "match 'Panel') as matches from documents d join pages p on p.document_id = d.id order by d.path")
        answer = server.get("/c.json", sql=sql, _shape="array")
        assert answer.status_code == 200, answer.text
        return answer.json()

    assert documents() == ["a.txt", "b.txt"]
    before = everything()
    # A third paper, a changed one: the build adds and replaces while the server runs.
    (papers / "c.txt").write_text("Report to the Corporate Parenting Panel\nPerformance was 85% in July.\n")
    (papers / "b.txt").write_text("Agenda of the Corporate Parenting Panel\n1. Apologies\n2. Minutes\n")
    build = subprocess.run(
        [sys.executable, "-m", "scrutiny", "build", str(papers), "--db", str(db_path), "--workers", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "is being served: building a copy" in build.stderr
    assert "3 files: 1 added, 1 replaced, 1 unchanged" in build.stdout
    for _ in range(20):  # every request, on every connection the server has, sees the old catalogue
        assert documents() == ["a.txt", "b.txt"]
        assert everything() == before
    assert not list(tmp_path.glob(".c.db.building*"))
    server.stop()
    restarted = start_server("serve", "--db", str(db_path), "--files", str(papers))
    answer = restarted.get("/c/documents.json", _shape="array", _col="path").json()
    assert sorted(Path(d["path"]).name for d in answer) == ["a.txt", "b.txt", "c.txt"]
