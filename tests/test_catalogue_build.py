"""Building catalogues from real documents: one row per file, pages, search, incremental rebuilds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pypdfium2
import sqlite_utils
from click.testing import CliRunner

from scrutiny.catalogue import TABLES
from scrutiny.cli import cli
from scrutiny.pipeline import Build


def build(*args: str) -> str:
    result = CliRunner().invoke(cli, ["build", *args])
    assert result.exit_code == 0, result.output
    return result.output


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    with sqlite_utils.Database(db_path) as db:
        return list(db.query(sql, params))


def test_bundled_corpus_gives_one_document_per_file(built_catalogue, corpus_dir):
    files = sorted(corpus_dir.rglob("*.pdf"))
    documents = rows(built_catalogue, "select * from documents order by path")
    assert len(files) == 25
    assert [Path(d["path"]).name for d in documents] == [f.name for f in files]
    assert all(d["path"].startswith("corpus/") for d in documents)  # as given, from the checkout


def test_page_counts_equal_the_pdfs_page_counts(built_catalogue, corpus_dir):
    # Counted with pypdfium2, a different PDF reader from the one the build uses.
    expected = {}
    for file in corpus_dir.rglob("*.pdf"):
        pdf = pypdfium2.PdfDocument(file)
        expected[file.name] = len(pdf)
        pdf.close()
    documents = rows(built_catalogue, "select id, path, page_count from documents")
    for document in documents:
        name = Path(document["path"]).name
        assert document["page_count"] == expected[name], name
        pages = rows(
            built_catalogue,
            "select page from pages where document_id = ? order by page",
            [document["id"]],
        )
        assert [p["page"] for p in pages] == list(range(1, expected[name] + 1)), name


def test_manifest_facts_reach_the_documents(built_catalogue, corpus_dir):
    with open(corpus_dir / "manifest.csv", newline="", encoding="utf-8") as f:
        manifest = {row["file"]: row for row in csv.DictReader(f)}
    documents = rows(built_catalogue, "select * from documents")
    for document in documents:
        listed = manifest[str(Path(document["path"]).relative_to("corpus"))]
        # A value the manifest gives is the value catalogued; a blank cell leaves room for a guess.
        for column in ("authority", "committee", "meeting_date", "title", "kind", "source_url"):
            if listed[column]:
                assert document[column] == listed[column], column
        assert document["authority"] == listed["authority"]
    by_name = {Path(d["path"]).name: d for d in documents}
    seed_000 = by_name["000_1ce771eb6f7a434f.pdf"]
    assert seed_000["meeting_date"] == "2016-09-27"
    assert seed_000["committee"] == "Children and Young People's Overview and Scrutiny Panel"


def test_full_text_search_finds_re_referrals_in_doncaster_and_rotherham(built_catalogue):
    with sqlite_utils.Database(built_catalogue) as db:
        hits = list(db["pages"].search("re-referrals", columns=["document_id", "page", "text"], quote=True))
        authorities = {
            db["documents"].get(hit["document_id"])["authority"] for hit in hits
        }
    assert {"Doncaster", "Rotherham"} <= authorities
    for hit in hits:  # every hit really is about re-referrals (porter stemming allows re-referral)
        assert "re-referral" in hit["text"].lower().replace("\n", " ")


def test_catalogue_has_relations_and_indexes_datasette_shows(built_catalogue):
    with sqlite_utils.Database(built_catalogue) as db:
        assert set(TABLES) <= set(db.table_names())
        assert [(fk.column, fk.other_table, fk.other_column) for fk in db["pages"].foreign_keys] == [
            ("document_id", "documents", "id")
        ]
        assert db["pages"].detect_fts() == "pages_fts"
        assert db["documents"].detect_fts() == "documents_fts"
        indexed = {tuple(index.columns) for index in db["documents"].indexes}
        assert {("path",), ("sha256",)} <= indexed


def test_second_build_reads_nothing_and_changes_nothing(catalogue_copy, corpus_dir):
    with sqlite_utils.Database(catalogue_copy) as db:
        before = list(db.iterdump())
    job = Build([corpus_dir], catalogue_copy)
    outcomes = list(job.run())
    assert [o.action for o in outcomes] == ["unchanged"] * 25
    with sqlite_utils.Database(catalogue_copy) as db:
        assert list(db.iterdump()) == before


def _two_document_corpus(tmp_path: Path, corpus_pdf) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(corpus_pdf("004"), folder / "minutes.pdf")
    shutil.copy(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), folder / "agenda.pdf")
    return folder


def test_changed_file_replaces_its_records_and_touches_nothing_else(tmp_path, corpus_pdf):
    folder = _two_document_corpus(tmp_path, corpus_pdf)
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    agenda_before = rows(db_path, "select * from documents where path like '%agenda.pdf'")
    minutes_id = rows(db_path, "select id from documents where path like '%minutes.pdf'")[0]["id"]

    shutil.copy(corpus_pdf("003"), folder / "minutes.pdf")  # new content, 7 pages not 3
    output = build(str(folder), "--db", str(db_path))

    assert "1 replaced" in output and "1 unchanged" in output
    minutes = rows(db_path, "select * from documents where path like '%minutes.pdf'")
    assert len(minutes) == 1 and minutes[0]["page_count"] == 7
    assert minutes[0]["id"] == minutes_id  # the id names the file at that path
    pages = rows(db_path, "select page, text from pages where document_id = ? order by page", [minutes_id])
    assert [p["page"] for p in pages] == list(range(1, 8))
    assert "Secretary of State" in pages[0]["text"]
    assert not any("praiseworthy" in p["text"] for p in pages)  # nothing of the old minutes is left
    assert rows(db_path, "select * from documents where path like '%agenda.pdf'") == agenda_before
    # the search index followed the change
    with sqlite_utils.Database(db_path) as db:
        assert not list(db["pages"].search("praiseworthy"))
        assert list(db["pages"].search("Sanctuary Buildings"))


def test_moved_file_keeps_its_records(tmp_path, corpus_pdf):
    folder = _two_document_corpus(tmp_path, corpus_pdf)
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    before = rows(db_path, "select id, sha256 from documents where path like '%minutes.pdf'")[0]
    (folder / "minutes.pdf").rename(folder / "minutes-2018.pdf")
    output = build(str(folder), "--db", str(db_path))
    assert "1 moved" in output
    after = rows(db_path, "select id, sha256, path from documents where sha256 = ?", [before["sha256"]])
    assert len(after) == 1 and after[0]["id"] == before["id"]
    assert after[0]["path"].endswith("minutes-2018.pdf")


def test_broken_files_are_recorded_and_the_good_ones_kept(tmp_path, corpus_pdf):
    folder = _two_document_corpus(tmp_path, corpus_pdf)
    real = corpus_pdf("002").read_bytes()
    (folder / "truncated.pdf").write_bytes(real[:3000])
    (folder / "login-page.pdf").write_text("<!DOCTYPE html><html><body>Please sign in</body></html>")
    (folder / "empty.txt").write_text("")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 4)
    db_path = tmp_path / "c.db"

    result = CliRunner().invoke(cli, ["build", str(folder), "--db", str(db_path)])

    assert result.exit_code == 0, result.output
    assert "2 added" in result.output and "4 failed" in result.output
    names = {Path(d["path"]).name for d in rows(db_path, "select path from documents")}
    assert names == {"minutes.pdf", "agenda.pdf"}
    problems = {Path(p["path"]).name: p for p in rows(db_path, "select * from problems")}
    assert set(problems) == {"truncated.pdf", "login-page.pdf", "empty.txt", "junk.txt"}
    assert all(p["stage"] == "read" for p in problems.values())
    assert "HTML page saved with a .pdf name" in problems["login-page.pdf"]["error"]
    assert "download it again" in problems["truncated.pdf"]["error"]
    assert "empty" in problems["empty.txt"]["error"]
    assert "binary data" in problems["junk.txt"]["error"]

    # A re-run does not retry files it already knows are broken, and keeps their problems.
    again = build(str(folder), "--db", str(db_path))
    assert "2 unchanged" in again and "4 failed" in again
    assert len(rows(db_path, "select * from problems")) == 4


def test_a_file_that_breaks_keeps_its_earlier_records(tmp_path, corpus_pdf):
    folder = _two_document_corpus(tmp_path, corpus_pdf)
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    (folder / "minutes.pdf").write_bytes(corpus_pdf("004").read_bytes()[:2000])  # a failed re-download
    output = build(str(folder), "--db", str(db_path))
    assert "1 failed" in output
    minutes = rows(db_path, "select * from documents where path like '%minutes.pdf'")
    assert minutes and minutes[0]["page_count"] == 3
    problem = rows(db_path, "select * from problems")[0]
    assert problem["path"].endswith("minutes.pdf")
    assert "keeps the records of the earlier version" in problem["error"]
    # The broken copy is not read again while it stays as it is.
    job = Build([folder], db_path)
    assert sorted((Path(o.path).name, o.action, o.problems) for o in job.run()) == [
        ("agenda.pdf", "unchanged", ()),
        ("minutes.pdf", "failed", ()),
    ]
    assert rows(db_path, "select * from problems") == [problem]
    # Fixing the file clears the problem.
    shutil.copy(corpus_pdf("004"), folder / "minutes.pdf")
    build(str(folder), "--db", str(db_path))
    assert rows(db_path, "select * from problems") == []


def test_manifest_edits_update_facts_without_reading_again(tmp_path, corpus_pdf):
    folder = _two_document_corpus(tmp_path, corpus_pdf)
    manifest = folder / "manifest.csv"
    manifest.write_text("file,authority,committee,meeting_date,title,kind,source_url\n"
                        "minutes.pdf,Doncaster,CYP Overview and Scrutiny Panel,,Q4 challenge,minutes,\n")
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    built_at = rows(db_path, "select built_at from documents where path like '%minutes.pdf'")[0]["built_at"]

    manifest.write_text("file,authority,committee,meeting_date,title,kind,source_url\n"
                        "minutes.pdf,Doncaster,CYP Overview and Scrutiny Panel,2018-07-12,Q4 challenge,minutes,"
                        "https://doncaster.moderngov.co.uk/mgAi.aspx?ID=7572\n"
                        "missing.pdf,Doncaster,,,,report,\n")
    output = build(str(folder), "--db", str(db_path))

    assert "1 updated" in output and "1 unchanged" in output
    minutes = rows(db_path, "select * from documents where path like '%minutes.pdf'")[0]
    assert minutes["meeting_date"] == "2018-07-12"
    assert minutes["source_url"].endswith("ID=7572")
    assert minutes["built_at"] == built_at  # not read again
    problems = rows(db_path, "select * from problems")
    assert [(Path(p["path"]).name, p["stage"]) for p in problems] == [("missing.pdf", "manifest")]


def test_documents_without_a_manifest_get_facts_from_their_text(tmp_path, corpus_pdf):
    folder = tmp_path / "loose"
    folder.mkdir()
    shutil.copy(corpus_pdf("kcc_corporate_parenting_panel"), folder / "cpp.pdf")
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    document = rows(db_path, "select * from documents")[0]
    assert document["kind"] == "minutes"
    assert document["committee"] == "Corporate Parenting Panel"
    assert document["meeting_date"] == "2024-10-29"
    assert document["source_url"] is None


def test_html_and_text_documents_are_catalogued(tmp_path):
    folder = tmp_path / "web"
    folder.mkdir()
    (folder / "item.html").write_text(
        "<html><head><title>Agenda item</title><style>p{}</style></head><body>"
        "<h1>Agenda item</h1><p>Performance Challenge: Quarter 4, 2017/18</p>"
        "<p>RESOLVED that the update be noted.</p><script>var x=1;</script></body></html>",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_bytes("Page one: re-referrals at 24%\fPage two: Doncaster\f".encode("cp1252"))
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    documents = {Path(d["path"]).name: d for d in rows(db_path, "select * from documents")}
    assert documents["item.html"]["format"] == "html" and documents["item.html"]["page_count"] == 1
    assert documents["notes.txt"]["format"] == "text" and documents["notes.txt"]["page_count"] == 2
    html_text = rows(db_path, "select text from pages where document_id = ?", [documents["item.html"]["id"]])[0]["text"]
    assert "RESOLVED that the update be noted." in html_text
    assert "var x" not in html_text and "p{}" not in html_text


def test_an_extractor_that_fails_costs_a_problem_not_the_document(tmp_path, corpus_pdf, monkeypatch):
    from scrutiny import pipeline

    def broken(source, document, pages, found):
        raise ZeroDivisionError("a bug in an extractor")

    monkeypatch.setattr(pipeline, "EXTRACTORS", [*pipeline.EXTRACTORS, ("broken", broken)])
    shutil.copy(corpus_pdf("004"), tmp_path / "minutes.pdf")
    db_path = tmp_path / "c.db"
    # --workers 1: worker processes import the pipeline afresh and would not see the patch.
    build(str(tmp_path / "minutes.pdf"), "--db", str(db_path), "--workers", "1")
    assert rows(db_path, "select page_count from documents") == [{"page_count": 3}]
    [problem] = rows(db_path, "select stage, error from problems where stage = 'broken'")
    assert "ZeroDivisionError: a bug in an extractor" in problem["error"]
    assert "please report it" in problem["error"]


def test_indicator_values_answer_a_researchers_question(built_catalogue):
    # "What did Doncaster report for A2 timeliness of single assessments, in which quarter,
    # against what target?" Read off seed 000, page 9: Q 1 = 88%, Target: 92%, Tolerance: 90%.
    found = rows(
        built_catalogue,
        """select v.period, v.value, v.target, v.tolerance, v.rag, v.page, d.path
           from indicator_values v join documents d on d.id = v.document_id
           where v.authority = 'Doncaster' and v.code = 'A2' and v.kind = 'actual' and v.method = 'table'
           order by v.period""",
    )
    assert [(r["period"], r["value"], r["target"], r["tolerance"], r["rag"], r["page"]) for r in found] == [
        ("July", 88, 92, 90, "red", 9),
        ("Q 1", 88, 92, 90, "red", 9),
    ]
    assert all(Path(r["path"]).name.startswith("000_") for r in found)
    questions = rows(
        built_catalogue,
        "select c.text from commentary_fts f join commentary c on c.rowid = f.rowid "
        "where commentary_fts match 'variability' and c.kind = 'question'",
    )
    assert any("What measures are being\nput in place to reduce\nvariability?" in q["text"] for q in questions)


def test_a_changed_file_replaces_its_indicator_rows(tmp_path, corpus_pdf):
    target = tmp_path / "paper.pdf"
    shutil.copy(corpus_pdf("000"), target)
    db_path = tmp_path / "c.db"
    build(str(target), "--db", str(db_path))
    counts = "select (select count(*) from indicators) i, (select count(*) from indicator_values) v, (select count(*) from commentary) c"
    before = rows(db_path, counts)[0]
    assert before["i"] > 20 and before["v"] > 80 and before["c"] > 40
    shutil.copy(corpus_pdf("004"), target)  # minutes with no indicator values
    build(str(target), "--db", str(db_path))
    assert rows(db_path, counts)[0] == {"i": 0, "v": 0, "c": 0}
    assert rows(db_path, "select count(*) n from commentary_fts")[0]["n"] == 0


def test_a_manifest_edit_reaches_values_authority_but_not_their_kind(tmp_path, corpus_pdf):
    # Regression: a document's facts are copied into extracted tables that repeat them,
    # but a document's "kind" (report, minutes) is not a value's kind (actual, target).
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(corpus_pdf("000"), folder / "paper.pdf")
    manifest = folder / "manifest.csv"
    header = "file,authority,committee,meeting_date,title,kind,source_url\n"
    manifest.write_text(header + "paper.pdf,Doncaster,,,Quarter 1 2016/17,report,\n")
    db_path = tmp_path / "c.db"
    build(str(folder), "--db", str(db_path))
    kinds = "select kind, count(*) n from indicator_values group by kind order by kind"
    before = rows(db_path, kinds)
    assert {r["kind"] for r in before} >= {"actual", "target", "tolerance"}

    manifest.write_text(header + "paper.pdf,Rotherham,,,Quarter 1 2016/17,letter,\n")
    assert "1 updated" in build(str(folder), "--db", str(db_path))
    assert rows(db_path, kinds) == before
    assert rows(db_path, "select distinct authority from indicator_values") == [{"authority": "Rotherham"}]
