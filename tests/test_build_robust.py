"""Builds that survive bad files, pathological PDFs, being killed, and each other.

The bad files are made in the tests (tests/badfiles.py), from the real corpus PDFs where
that makes sense. Builds run as real ``scrutiny build`` subprocesses where the thing under
test is the process (killing it, two at once), and through ``Build`` otherwise.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from scrutiny.pipeline import Build, Limits

import badfiles

REPO = Path(__file__).resolve().parent.parent

# Read off the PDFs: seed 004 page 1 (Doncaster panel minutes) and the KCC Q3 cover report's
# three pages.
MINUTES_004_PAGE_1 = "Agenda item\nPerformance Challenge of Doncaster Children's Services Trust"
QPR_PAGE_STARTS = [
    "From: Roger Gough – Leader of the Council",
    "2.3. The nine indicators where the RAG rating is Red, are in:",
    "David Whittle\nDirector of Strategy",
]

BROKEN_MINUTES_HTML = (
    # A ModernGov minutes page cut off part-way through a download: unclosed table cells,
    # a half-written entity and tag, stray closing tags.
    "<html><head><title>Minutes</title></head><body></div><div class='mgMinutes'>"
    "<p>Minutes of the meeting of the Corporate Parenting Panel held on<br>29 October 2024"
    "<table><tr><td>5.<td>RESOLVED that the report be noted.</tr><tr><td>6.<td>Officers to"
    " report back on placement sufficiency &nbsp &am</td></div></span><p class='mgSub"
)


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    with sqlite_utils.Database(db_path) as db:
        return list(db.query(sql, params))


def scrutiny(*args: str, cwd: Path | None = None, **popen) -> subprocess.Popen:
    """``scrutiny ARGS`` as a user runs it, in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "scrutiny", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **popen,
    )


def documents_saved(db_path: Path) -> int:
    """How many documents a running build has committed (0 before it has made the tables)."""
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from documents").fetchone()[0]
    except sqlite3.Error:
        return 0


def wait_for_documents(db_path: Path, count: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while documents_saved(db_path) < count:
        assert process.poll() is None, f"the build ended early:\n{process.stdout.read()}"
        assert time.monotonic() < deadline, "the build saved nothing in time"
        time.sleep(0.05)


def assert_consistent(db_path: Path) -> None:
    """SQLite's own check passes; every document has exactly its pages; no orphan rows."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert db.execute("pragma foreign_key_check").fetchall() == []
    mismatched = rows(
        db_path,
        "select d.path, d.page_count, count(p.page) as stored from documents d "
        "left join pages p on p.document_id = d.id group by d.id having stored != d.page_count",
    )
    assert mismatched == []
    assert rows(db_path, "select count(*) as n from pages where document_id not in (select id from documents)") == [
        {"n": 0}
    ]
    # The full-text index holds exactly the pages (its triggers ran in the same transactions).
    assert rows(db_path, "select count(*) as n from pages_fts") == rows(db_path, "select count(*) as n from pages")


def page_texts(db_path: Path) -> dict[tuple[str, int], str]:
    return {
        (Path(row["path"]).name, row["page"]): row["text"]
        for row in rows(db_path, "select path, page, text from pages join documents on documents.id = document_id")
    }


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", target)
    return target


def test_bad_files_are_named_in_problems_and_every_good_document_is_kept(tmp_path, corpus_pdf):
    papers = tmp_path / "papers"
    papers.mkdir()
    minutes = corpus_pdf("004")
    shutil.copy(minutes, papers / "good.pdf")
    (papers / "empty.pdf").write_bytes(b"")
    badfiles.truncated_pdf(minutes, papers / "truncated.pdf")
    (papers / "login.pdf").write_text("<!DOCTYPE html><html><body>Please sign in</body></html>")
    badfiles.random_bytes(papers / "random.pdf")
    badfiles.zero_page_pdf(papers / "no_pages.pdf")
    badfiles.encrypted_pdf(minutes, papers / "protected.pdf")
    badfiles.scanned_pdf(minutes, papers / "scanned.pdf")
    badfiles.long_pdf(corpus_pdf("kcc_cabinet_2025-03-04_QPR"), papers / "long.pdf", pages=500)
    (papers / "minutes.html").write_text(BROKEN_MINUTES_HTML)
    badfiles.random_bytes(papers / "junk.txt")
    db_path = tmp_path / "c.db"

    # --ocr never: the scanned page stays as a reader without OCR sees it (tests/test_ocr.py reads it).
    build = scrutiny("build", str(papers), "--db", str(db_path), "--workers", "2", "--ocr", "never")
    output, _ = build.communicate(timeout=600)
    assert build.returncode == 0, output

    documents = {Path(d["path"]).name: d for d in rows(db_path, "select * from documents")}
    assert sorted(documents) == ["good.pdf", "long.pdf", "minutes.html", "scanned.pdf"]
    assert documents["good.pdf"]["page_count"] == 3
    assert documents["long.pdf"]["page_count"] == 500
    assert documents["scanned.pdf"]["page_count"] == 4
    texts = page_texts(db_path)
    assert texts[("good.pdf", 1)].startswith(MINUTES_004_PAGE_1)
    # The scanned page is kept, empty, with its problem; the typed pages behind it are read.
    assert texts[("scanned.pdf", 1)] == ""
    assert texts[("scanned.pdf", 2)] == texts[("good.pdf", 1)]
    for page in (1, 2, 3, 250, 498, 499, 500):
        assert texts[("long.pdf", page)].startswith(QPR_PAGE_STARTS[(page - 1) % 3]), page
    assert "RESOLVED that the report be noted." in texts[("minutes.html", 1)]
    assert "29 October 2024" in texts[("minutes.html", 1)]

    problems = {(Path(p["path"]).name, p["page"]): p["error"] for p in rows(db_path, "select * from problems")}
    expected = {
        ("empty.pdf", None): "is empty (0 bytes)",
        ("truncated.pdf", None): "could not be opened as a PDF",
        ("login.pdf", None): "HTML page saved with a .pdf name",
        ("random.pdf", None): "is not a PDF (no %PDF header)",
        ("no_pages.pdf", None): "is a PDF with no pages",
        ("protected.pdf", None): "is password-protected",
        ("scanned.pdf", 1): "Page 1 has no text layer",
        ("junk.txt", None): "contains binary data",
    }
    assert set(problems) == set(expected)
    for key, words in expected.items():
        assert words in problems[key], key
        assert key[0] in output  # the build names each one as it finishes
    assert_consistent(db_path)


def test_a_pdf_that_takes_too_long_is_stopped_and_the_build_goes_on(tmp_path, corpus_pdf):
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.slow_pdf(papers / "a_slow.pdf")
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "b_good.pdf")
    db_path = tmp_path / "c.db"
    started = time.monotonic()
    job = Build([papers], db_path, workers=2, limits=Limits(seconds=3))
    outcomes = {Path(o.path).name: o for o in job.run()}
    assert time.monotonic() - started < 60  # unbounded, a_slow.pdf takes minutes
    assert outcomes["b_good.pdf"].action == "added"
    assert outcomes["a_slow.pdf"].action == "failed"
    [problem] = outcomes["a_slow.pdf"].problems
    assert "took longer than the limit of 3 s and was stopped" in problem.error
    assert [Path(d["path"]).name for d in rows(db_path, "select path from documents")] == ["b_good.pdf"]

    # Not read again while it is unchanged: the next build does not wait for it.
    started = time.monotonic()
    again = {Path(o.path).name: o.action for o in Build([papers], db_path, workers=2, limits=Limits(seconds=3)).run()}
    assert again == {"a_slow.pdf": "failed", "b_good.pdf": "unchanged"}
    assert time.monotonic() - started < 3


def test_a_pdf_that_needs_too_much_memory_is_stopped(tmp_path, corpus_pdf):
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.memory_bomb_pdf(papers / "bomb.pdf", megabytes=500)
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "good.pdf")
    db_path = tmp_path / "c.db"
    job = Build([papers], db_path, workers=2, limits=Limits(seconds=120, memory_mb=200))
    outcomes = {Path(o.path).name: o for o in job.run()}
    assert outcomes["good.pdf"].action == "added"
    assert outcomes["bomb.pdf"].action == "failed"
    [problem] = outcomes["bomb.pdf"].problems
    assert "memory" in problem.error and "--memory-limit" in problem.error


def test_parallel_and_in_process_builds_store_the_same_records(built_catalogue, tmp_path, monkeypatch):
    # built_catalogue was built with the default workers (one per CPU); this one in-process.
    monkeypatch.chdir(REPO)
    db_path = tmp_path / "in_process.db"
    for _ in Build(None, db_path, workers=1).run():
        pass
    facts = "select path, sha256, title, authority, committee, meeting_date, kind, page_count, format from documents order by path"
    assert rows(db_path, facts) == rows(built_catalogue, facts)
    assert page_texts(db_path) == page_texts(built_catalogue)
    problems = "select path, stage, page, error from problems order by path, page"
    assert rows(db_path, problems) == rows(built_catalogue, problems)
    # With a pool, workers read and the builder runs the spaCy extractors (prose, entities)
    # and links; in-process, one process does all of it. Every record is the same either way.
    for table in (
        "indicators", "indicator_values", "commentary", "agenda_items", "resolutions", "actions",
        "entities", "entity_mentions", "measure_links",
    ):
        everything = f"select * from {table} order by rowid"
        assert rows(db_path, everything) == rows(built_catalogue, everything), table
        assert rows(db_path, everything), table


def test_outcomes_come_largest_file_first_whatever_finishes_first(tmp_path, corpus_pdf):
    papers = tmp_path / "papers"
    papers.mkdir()
    # A long PDF, then quick files: the quick ones finish reading first.
    shutil.copy(corpus_pdf("ofsted_ilacs_rotherham"), papers / "d.pdf")
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "c.pdf")
    (papers / "a.txt").write_text("Minutes\fPage two")
    (papers / "b.html").write_text(BROKEN_MINUTES_HTML)
    job = Build([papers], tmp_path / "c.db", workers=2)
    # Read and saved largest first (the long read starts first), not in path order
    assert [Path(s.path).name for s in job.sources] == ["d.pdf", "c.pdf", "b.html", "a.txt"]
    assert [o.path for o in job.run()] == [s.path for s in job.sources]


def test_a_killed_build_leaves_a_consistent_catalogue_and_the_next_build_finishes(
    built_catalogue, corpus_copy, tmp_path
):
    db_path = tmp_path / "c.db"
    for saved_before_kill in (2, 7):
        build = scrutiny("build", "corpus", "--db", str(db_path), "--workers", "2", cwd=corpus_copy.parent)
        try:
            wait_for_documents(db_path, saved_before_kill, build)
        finally:
            build.kill()  # SIGKILL: no clean-up of any kind, as the OOM killer or a power cut
            build.wait()
            try:
                os.killpg(build.pid, signal.SIGKILL)  # its worker processes, if still running
            except ProcessLookupError:
                pass
        assert documents_saved(db_path) < 25, "the build finished before it was killed"
        assert_consistent(db_path)

    finish = scrutiny("build", "corpus", "--db", str(db_path), "--workers", "2", cwd=corpus_copy.parent)
    output, _ = finish.communicate(timeout=600)
    assert finish.returncode == 0, output
    assert "25 files:" in output and "unchanged" in output and "added" in output
    assert_consistent(db_path)
    assert page_texts(db_path) == page_texts(built_catalogue)


def test_a_second_build_on_the_same_catalogue_refuses_while_the_first_runs(corpus_copy, tmp_path):
    db_path = tmp_path / "c.db"
    first = scrutiny("build", "corpus", "--db", str(db_path), "--workers", "1", cwd=corpus_copy.parent)
    try:
        wait_for_documents(db_path, 1, first)
        second = scrutiny("build", "corpus", "--db", str(db_path), cwd=corpus_copy.parent)
        output, _ = second.communicate(timeout=120)
        assert first.poll() is None, "the first build finished before the second started"
        assert second.returncode == 1
        assert f"Another scrutiny build is updating {db_path}" in output
        first_output, _ = first.communicate(timeout=600)
    finally:
        first.kill()
    assert first.returncode == 0, first_output
    assert "25 added" in first_output
    assert_consistent(db_path)
    # The refused build changed nothing, and a build afterwards finds everything done.
    third = scrutiny("build", "corpus", "--db", str(db_path), cwd=corpus_copy.parent)
    output, _ = third.communicate(timeout=120)
    assert third.returncode == 0 and "25 unchanged" in output, output


def test_build_starts_without_loading_datasette_or_spacy():
    probe = "import sys, scrutiny.cli; print(sorted({'datasette', 'spacy', 'bs4'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_publishing_functions_load_when_first_asked_for():
    from scrutiny import catalogue
    from scrutiny.catalogue import make_datasette, serve

    assert callable(serve) and callable(make_datasette)
    assert catalogue.serve is serve  # the function, not the submodule of the same name
