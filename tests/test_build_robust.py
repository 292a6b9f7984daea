"""Builds that survive bad files, pathological PDFs, being killed, and each other.

The bad files are made in the tests (tests/badfiles.py), from the real corpus PDFs where
that makes sense. Builds run as real ``scrutiny build`` subprocesses where the thing under
test is the process (killing it, two at once), and through ``Build`` otherwise.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlite_utils

from scrutiny.pipeline import Build, Limits
from scrutiny.records import Problem

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


@contextmanager
def unprivileged():
    """Run as the user nobody (effective ids only) when the tests run as root, as they do in
    CI: root reads any folder, whatever its permissions say."""
    if os.geteuid() != 0:
        yield
        return
    os.setegid(65534)
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


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


# --- The attack corpus (issue 17): each test reproduces one way a build broke ---------------

SEED_004_TEXT = REPO / "tests" / "fixtures" / "seeds" / "004_4b7e043a54d74d09.txt"


def outcomes_of(job: Build) -> dict[str, object]:
    return {Path(o.path).name: o for o in job.run()}


def problems_of(db_path: Path, name: str) -> list[dict]:
    return [p for p in rows(db_path, "select * from problems order by id") if Path(p["path"]).name == name]


def test_a_title_is_never_longer_than_the_title_limit(tmp_path):
    """Issue 17, item 5: a 1 MB title was re-read by the prose step for every value. A title the
    manifest gives (as a fetch writes it from the server's item title) is cut to TITLE_CHARS."""
    from scrutiny.pipeline import TITLE_CHARS

    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(SEED_004_TEXT, papers / "minutes.txt")
    long_title = " ".join(["Performance Challenge of Doncaster Children's Services Trust"] * 40)
    with open(papers / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["file", "title", "kind"], ["minutes.txt", long_title, "minutes"]])
    db_path = tmp_path / "c.db"
    assert outcomes_of(Build([papers], db_path, workers=1))["minutes.txt"].action == "added"
    [document] = rows(db_path, "select title from documents")
    assert len(document["title"]) <= TITLE_CHARS and document["title"].endswith("…")
    assert long_title.startswith(document["title"][:-1])


def test_long_text_is_paged_like_a_pdf_and_a_long_first_line_is_not_a_long_title(tmp_path):
    """Issue 17, items 1 and 5: a 1 MB text file of one line was one 1 MB page (full-text
    snippet() on it takes about a second a row, so a search hung the server) and a 1 MB title
    that the prose step re-read for every value (12 minutes, past any --time-limit)."""
    from scrutiny.extract.text import PAGE_CHARS
    papers = tmp_path / "papers"
    papers.mkdir()
    line = badfiles.one_line_text(SEED_004_TEXT, papers / "line.txt")
    db_path = tmp_path / "c.db"
    job = Build([papers], db_path, workers=2, limits=Limits(seconds=60))
    assert outcomes_of(job)["line.txt"].action == "added"
    [document] = rows(db_path, "select * from documents")
    pages = [r["text"] for r in rows(db_path, "select text from pages order by page")]
    assert document["page_count"] == len(pages) == 51
    assert max(map(len, pages)) <= PAGE_CHARS
    # Cut after a space, nothing lost: the pages put back together are the file.
    assert all(page.endswith(" ") for page in pages[:-1])
    assert "".join(pages) == line.read_text(encoding="utf-8")
    # No title line worth the name in 1 MB of one line: the document is named after its file.
    assert document["title"] == "line"
    # The search that hung: a match's snippet on a page of at most PAGE_CHARS characters.
    [hit] = rows(db_path, "select snippet(pages_fts, 0, '[', ']', '…', 8) as s from pages_fts "
                          "where pages_fts match 'Performance' limit 1")
    assert "[Performance]" in hit["s"]


def test_long_html_is_paged_too(tmp_path):
    from scrutiny.extract import html_to_text, read_document
    from scrutiny.extract.text import PAGE_CHARS

    # Seed 004's minutes as paragraphs, forty times over: about 300,000 characters.
    paragraphs = [line.strip() for line in SEED_004_TEXT.read_text(encoding="utf-8").splitlines() if line.strip()]
    page = tmp_path / "minutes.html"
    page.write_text("<html><body>" + "".join(f"<p>{p}</p>" for p in paragraphs) * 40 + "</body></html>", encoding="utf-8")
    pages = list(read_document(page))
    assert len(pages) > 1 and max(len(p.text) for p in pages) <= PAGE_CHARS
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    # Cut at the end of a paragraph (a line of the page's text), nothing lost.
    assert "\n".join(p.text for p in pages) == html_to_text(page.read_text(encoding="utf-8"))


def test_a_pdf_page_with_more_text_than_any_printed_page_is_cut_and_reported(tmp_path):
    from scrutiny.pipeline import PAGE_LIMIT

    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.crowded_pdf(papers / "crowded.pdf")
    db_path = tmp_path / "c.db"
    # Its text ("abcdefghij ...") makes no English words: OCR would be asked to read it instead.
    assert outcomes_of(Build([papers], db_path, workers=1, ocr="never"))["crowded.pdf"].action == "added"
    [page] = rows(db_path, "select text from pages")
    assert len(page["text"]) == PAGE_LIMIT
    [problem] = [p for p in problems_of(db_path, "crowded.pdf") if "characters" in p["error"]]
    assert problem["page"] == 1 and "Page 1 holds 109,499 characters" in problem["error"]


def test_the_spacy_steps_in_a_build_are_stopped_by_the_time_limit(tmp_path):
    """Issue 17, item 5: the steps the builder ran itself (prose, entities) had no limit."""
    # 10 s: with 3 s the document was now and then reported failed instead of read on a loaded
    # 2-core machine (load 8). Reading it takes 0.3 CPU s alone; its prose step, minutes.
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.long_sentences_text(papers / "sentences.txt")
    (papers / "minutes.txt").write_text(SEED_004_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    db_path = tmp_path / "c.db"
    outcomes = outcomes_of(Build([papers], db_path, workers=2, limits=Limits(seconds=10)))
    assert {name: o.action for name, o in outcomes.items()} == {"sentences.txt": "added", "minutes.txt": "added"}
    [problem] = outcomes["sentences.txt"].problems
    assert problem.stage == "prose" and "took longer than the limit of 10 s" in problem.error
    # The document is kept with what the other steps found, and the next build leaves it be.
    assert rows(db_path, "select count(*) as n from pages join documents d on d.id = document_id "
                         "where d.path like '%sentences.txt'")[0]["n"] > 1
    # The minutes were read in full, spaCy's entities included (the spaCy worker was replaced).
    assert rows(db_path, "select count(*) as n from entities")[0]["n"] > 0
    again = outcomes_of(Build([papers], db_path, workers=2, limits=Limits(seconds=10)))
    assert {o.action for o in again.values()} == {"unchanged"}


def test_a_memory_limit_too_small_to_read_anything_is_refused(tmp_path):
    """Issue 17, item 7: under a few MB, pikepdf could not be mapped, every page failed, and
    the documents were stored with empty pages, kept by every later build as "unchanged"."""
    from scrutiny.errors import ScrutinyError

    with pytest.raises(ScrutinyError, match="too small to read any document; give at least 100"):
        Limits(memory_mb=5)
    build = scrutiny("build", str(REPO / "corpus" / "pdf"), "--db", str(tmp_path / "c.db"), "--memory-limit", "4")
    output, _ = build.communicate(timeout=120)
    assert build.returncode == 1 and "too small to read any document" in output
    assert "Traceback" not in output and not (tmp_path / "c.db").exists()


def test_a_reader_that_cannot_start_fails_the_document_instead_of_every_page(tmp_path, corpus_pdf):
    """In a process with almost no memory left to map pikepdf's library, reading a PDF must
    give a failed document (tried again next build), not pages left empty."""
    probe = (
        "import resource, sys\n"
        "from scrutiny.corpus import discover\n"
        "from scrutiny.pipeline import analyse\n"
        f"[source] = discover([{str(corpus_pdf('004'))!r}])\n"
        "held = int(next(l for l in open('/proc/self/status') if l.startswith('VmSize:')).split()[1]) * 1024\n"
        "resource.setrlimit(resource.RLIMIT_AS, (held + (4 << 20), resource.RLIM_INFINITY))\n"
        "analysis = analyse(source, spacy=False)\n"
        "print('failed' if analysis.failure else f'pages {[len(p.text) for p in analysis.pages]}')\n"
        "print(analysis.failure.error if analysis.failure else '', analysis.failure and analysis.failure.sha256)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[0] == "failed", result.stdout + result.stderr
    assert "reader could not start" in result.stdout and "--memory-limit" in result.stdout
    assert result.stdout.rstrip().endswith("None")  # no SHA-256: the next build reads it again


def test_a_file_replaced_or_removed_during_a_build_is_read_again_when_it_is_back(tmp_path, corpus_pdf):
    """Issue 17, item 6: the failure was recorded against the hash taken when the file was
    found (the good file's), so the good file, put back, was never read again."""
    papers = tmp_path / "papers"
    papers.mkdir()
    good = corpus_pdf("004")
    shutil.copy(good, papers / "minutes.pdf")
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "agenda.pdf")
    db_path = tmp_path / "c.db"

    job = Build([papers], db_path, workers=2)  # finds and hashes the good files
    badfiles.truncated_pdf(good, papers / "minutes.pdf")  # then a broken copy lands
    (papers / "agenda.pdf").unlink()  # and one is moved away
    outcomes = outcomes_of(job)
    assert {name: o.action for name, o in outcomes.items()} == {"minutes.pdf": "failed", "agenda.pdf": "failed"}
    problems = {Path(p["path"]).name: p for p in rows(db_path, "select * from problems")}
    # Keyed by what was read: the broken copy's hash; nothing for the file that was gone.
    assert problems["minutes.pdf"]["sha256"] == hashlib.sha256((papers / "minutes.pdf").read_bytes()).hexdigest()
    assert "could not be opened as a PDF" in problems["minutes.pdf"]["error"]
    assert problems["agenda.pdf"]["sha256"] is None and "moved or removed" in problems["agenda.pdf"]["error"]

    shutil.copy(good, papers / "minutes.pdf")  # the good files come back
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), papers / "agenda.pdf")
    again = outcomes_of(Build([papers], db_path, workers=2))
    assert {name: o.action for name, o in again.items()} == {"minutes.pdf": "added", "agenda.pdf": "added"}
    assert rows(db_path, "select count(*) as n from problems") == [{"n": 0}]
    texts = page_texts(db_path)
    assert texts[("minutes.pdf", 1)].startswith(MINUTES_004_PAGE_1)


def test_a_file_name_that_is_not_utf8_is_reported_and_the_build_goes_on(tmp_path):
    """Issue 17, item 3: a Latin-1 "é" in one file name stopped every build (UnicodeEncodeError)."""
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.latin1_named(papers)
    (papers / "agenda.txt").write_text("Agenda\nItem 1: Apologies\n", encoding="utf-8")
    db_path = tmp_path / "c.db"
    build = scrutiny("build", str(papers), "--db", str(db_path), "--workers", "1")
    output, _ = build.communicate(timeout=300)
    assert build.returncode == 0, output
    assert [Path(d["path"]).name for d in rows(db_path, "select path from documents")] == ["agenda.txt"]
    [problem] = rows(db_path, "select * from problems")
    assert problem["stage"] == "discover" and problem["path"].endswith("caf\\xe9_minutes.txt")
    assert "is not valid UTF-8" in problem["error"] and "Rename it" in problem["error"]
    assert "caf\\xe9_minutes.txt" in output


def test_a_link_out_of_the_corpus_is_not_followed(tmp_path):
    """Issue 17, item 14: a symlink in the corpus to /etc/passwd was read and published."""
    papers = tmp_path / "papers"
    (papers / "sub").mkdir(parents=True)
    secret = tmp_path / "private" / "passwords.txt"
    secret.parent.mkdir()
    secret.write_text("root:secret\n", encoding="utf-8")
    (papers / "stolen.txt").symlink_to(secret)
    (papers / "sub" / "elsewhere").symlink_to(secret.parent, target_is_directory=True)
    (papers / "agenda.txt").write_text("Agenda\n", encoding="utf-8")
    (papers / "sub" / "same.txt").symlink_to(papers / "agenda.txt")  # inside: the same file once
    db_path = tmp_path / "c.db"
    outcomes = outcomes_of(Build([papers], db_path, workers=1))
    assert set(outcomes) == {"agenda.txt"}
    assert "root:secret" not in str(rows(db_path, "select text from pages"))
    problems = {Path(p["path"]).name: p["error"] for p in rows(db_path, "select * from problems")}
    assert set(problems) == {"stolen.txt", "elsewhere"}
    assert "outside" in problems["stolen.txt"] and "was not followed" in problems["stolen.txt"]
    # Named on the command line, the file is read: that is asking.
    assert outcomes_of(Build([papers / "stolen.txt"], tmp_path / "d.db", workers=1))["stolen.txt"].action == "added"


def test_an_unreadable_folder_is_reported(tmp_path):
    """Issue 17 (degraded): a sub-folder that could not be read was skipped in silence."""
    from scrutiny.corpus import discover

    papers = Path(tempfile.mkdtemp(dir="/tmp"))  # outside pytest's private tmp, so another user can look
    try:
        (papers / "locked").mkdir()
        (papers / "locked" / "minutes.txt").write_text("Minutes\n", encoding="utf-8")
        (papers / "agenda.txt").write_text("Agenda\n", encoding="utf-8")
        papers.chmod(0o755)
        (papers / "locked").chmod(0o000)
        with unprivileged():
            found = list(discover([papers]))
    finally:
        (papers / "locked").chmod(0o755)
        shutil.rmtree(papers)
    assert [Path(f.path).name for f in found if not isinstance(f, Problem)] == ["agenda.txt"]
    [problem] = [f for f in found if isinstance(f, Problem)]
    assert problem.path == str(papers / "locked") and "Could not read the folder" in problem.error
    assert "Permission denied" in problem.error


def test_the_nearest_manifest_describes_a_file_and_duplicates_are_reported(tmp_path):
    """Issue 17 (degraded): of two manifests listing one file, the one read last won."""
    from scrutiny.corpus import discover

    papers = tmp_path / "papers"
    (papers / "a").mkdir(parents=True)
    (papers / "a" / "report.txt").write_text("Report\n", encoding="utf-8")
    (papers / "manifest.csv").write_text("file,title\na/report.txt,From the top manifest\n", encoding="utf-8")
    (papers / "a" / "manifest.csv").write_text("file,title\nreport.txt,From the nearest manifest\n", encoding="utf-8")
    found = list(discover([papers]))
    [source] = [f for f in found if not isinstance(f, Problem)]
    assert source.manifest.title == "From the nearest manifest"
    [problem] = [f for f in found if isinstance(f, Problem)]
    assert problem.stage == "manifest" and "has 2 manifest rows" in problem.error
    assert f"the row in {papers / 'a' / 'manifest.csv'}, the nearest manifest, is used" in problem.error


def test_random_bytes_without_nuls_are_not_text(tmp_path):
    """Issue 17 (degraded): random bytes with no NUL became 285 pages of garbage."""
    from scrutiny.errors import UnreadableDocument
    from scrutiny.extract import read_document

    junk = badfiles.random_text_bytes(tmp_path / "junk.txt")
    with pytest.raises(UnreadableDocument, match="is not a text document: .* control characters"):
        list(read_document(junk))
    # A council's own Windows-1252 text with a few odd characters is still text.
    export = tmp_path / "export.txt"
    export.write_bytes("Budget £1.2m – “on track”\x0b\nRESOLVED that the report be noted.\n".encode("cp1252"))
    assert [p.text for p in read_document(export)] == ["Budget £1.2m – “on track”\x0b\nRESOLVED that the report be noted."]


@pytest.mark.parametrize(
    "encoding, declared",
    [("shift_jis", True), ("shift_jis", False), ("utf-16", False), ("utf-16-le", False), ("utf-8-sig", False),
     ("euc_jp", True)],
)
def test_html_in_other_encodings_is_decoded(tmp_path, encoding, declared):
    """Issue 17 (degraded): Shift_JIS and UTF-16 pages were read as Windows-1252 or refused."""
    from scrutiny.extract import read_document

    page = badfiles.encoded_html(tmp_path / "minutes.html", encoding, declared=declared)
    [read] = list(read_document(page))
    assert read.text == f"{badfiles.JAPANESE}\nRESOLVED that the report be noted."


def test_malformed_pdfs_are_reported_as_bad_files_not_as_bugs(tmp_path, corpus_pdf):
    """Issue 17 (degraded): a damaged PDF that pdfplumber gave up on was reported as "This is a
    bug: please report it". Twenty-five copies of seed 004 with 20 bytes overwritten, and one
    with a name for a number in its MediaBox."""
    from scrutiny.corpus import discover
    from scrutiny.pipeline import analyse

    papers = tmp_path / "papers"
    papers.mkdir()
    for seed in range(25):
        badfiles.flipped_pdf(corpus_pdf("004"), papers / f"flipped_{seed:02}.pdf", seed)
    badfiles.mediabox_name_pdf(corpus_pdf("004"), papers / "mediabox.pdf")
    failures = {}
    for source in discover([papers]):
        analysis = analyse(source, spacy=False)
        messages = [p.error for p in analysis.problems] + ([analysis.failure.error] if analysis.failure else [])
        assert not any("This is a bug" in m for m in messages), (source.path, messages)
        if analysis.failure:
            failures[Path(source.path).name] = analysis.failure.error
    assert "is damaged or malformed" in failures["mediabox.pdf"]
    assert "Download it again" in failures["mediabox.pdf"]
    assert len(failures) >= 5  # the seeds that break the file rather than a page


def test_a_worker_dies_with_its_builder(tmp_path):
    """Issue 17 (degraded): a worker read on at 100% CPU after its builder was killed."""
    papers = tmp_path / "papers"
    papers.mkdir()
    badfiles.slow_pdf(papers / "slow.pdf")  # minutes of work for the worker
    build = scrutiny("build", str(papers), "--db", str(tmp_path / "c.db"), "--workers", "2")
    try:
        deadline = time.monotonic() + 120
        while not any(_cpu_seconds(pid) > 1 for pid in _session(build.pid) if pid != build.pid):
            assert time.monotonic() < deadline and build.poll() is None, "no worker started reading"
            time.sleep(0.2)
        build.kill()  # the builder only, as the OOM killer would
        build.wait()
        deadline = time.monotonic() + 30
        while _session(build.pid):
            assert time.monotonic() < deadline, f"workers still running: {_session(build.pid)}"
            time.sleep(0.2)
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _session(sid: int) -> list[int]:
    """The live processes of a session (a build started with start_new_session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid and fields[0] != "Z":  # session id; not a zombie
                pids.append(int(entry.name))
    return pids


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_the_build_lock_is_one_however_the_catalogue_path_is_written(tmp_path):
    """Issue 17, item 9: through a symlink to the catalogue, a second build took another lock
    file (other.db.lock beside the link, not c.db.lock beside the file) and wrote at once."""
    from scrutiny.catalogue.store import take_build_lock
    from scrutiny.errors import ScrutinyError

    (tmp_path / "real").mkdir()
    catalogue = tmp_path / "real" / "c.db"
    for _ in Build([SEED_004_TEXT], catalogue, workers=1).run():
        pass
    (tmp_path / "other.db").symlink_to(catalogue)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    before = catalogue.read_bytes()
    held = take_build_lock(catalogue)
    try:
        assert take_build_lock(tmp_path / "other.db") is None
        assert take_build_lock(tmp_path / "link" / "c.db") is None
        assert take_build_lock(tmp_path / "real" / ".." / "real" / "c.db") is None
        with pytest.raises(ScrutinyError, match=f"Another scrutiny build is updating {tmp_path / 'other.db'}"):
            list(Build([REPO / "corpus" / "pdf"], tmp_path / "other.db", workers=1).run())
    finally:
        held.release()
    assert catalogue.read_bytes() == before  # the refused build wrote nothing


def test_a_full_disk_and_an_unwritable_folder_stop_the_build_with_a_message(tmp_path, corpus_pdf):
    """Issue 17 (degraded): both gave a raw traceback."""
    papers = tmp_path / "papers"
    papers.mkdir()
    for prefix in ("000", "001", "002", "004"):
        shutil.copy(corpus_pdf(prefix), papers)
    disk = tmp_path / "disk"
    build = [sys.executable, "-m", "scrutiny", "build", str(papers), "--db", str(disk / "c.db"), "--workers", "1"]

    full = badfiles.in_small_filesystem(disk, build, kilobytes=600)
    assert full.returncode == 1, full.stdout + full.stderr
    assert f"The disk holding {disk / 'c.db'} is full" in full.stderr
    assert "Free some space and build again" in full.stderr and "Traceback" not in full.stderr

    unwritable = badfiles.in_small_filesystem(disk, build, read_only=True)
    assert unwritable.returncode == 1, unwritable.stdout + unwritable.stderr
    assert "Check that its folder exists and can be written to, or give another --db" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr


def test_no_stored_text_is_longer_than_a_page_may_be(tmp_path):
    """A minutes item whose discussion runs on for 185,000 characters (seed 004's discussion
    25 times over) kept it all in one agenda_items value: slow to search, like a long page."""
    from scrutiny.pipeline import PAGE_LIMIT

    seed = SEED_004_TEXT.read_text(encoding="utf-8")
    head, body = seed.split("Minutes:", 1)
    discussion, resolved = body.rsplit("RESOLVED", 1)
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "minutes.txt").write_text(f"{head}Minutes:{discussion * 25}RESOLVED{resolved}", encoding="utf-8")
    db_path = tmp_path / "c.db"
    assert outcomes_of(Build([papers], db_path, workers=1))["minutes.txt"].action == "added"
    [item] = rows(db_path, "select text from agenda_items")
    assert len(item["text"]) == PAGE_LIMIT
    assert item["text"].startswith(" ".join(discussion.split())[:200])
    [problem] = problems_of(db_path, "minutes.txt")
    assert problem["stage"] == "extract" and "The text of the agenda item on page 1 held more than 100,000" in problem["error"]
    # The resolutions after it are still read.
    assert [r["number"] for r in rows(db_path, "select number from resolutions order by id")] == ["1", "2"]
