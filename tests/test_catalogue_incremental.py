"""Cost in proportion to what changed (issue 20): the change log, linking one authority at a
time, full-text triggers that fire only for indexed columns."""

from __future__ import annotations

import csv
import os
import sqlite3
import time
from pathlib import Path

import sqlite_utils
from click.testing import CliRunner

from scrutiny.catalogue import Catalogue
from scrutiny.catalogue import changes
from scrutiny.catalogue import measures as measure_tables
from scrutiny.cli import cli
from scrutiny.nlp.linking import Linker
from scrutiny.pipeline import Build
from scrutiny.records import Document, Page
from scrutiny.registry import REVIEW_COLUMNS, load_registry, load_reviews

REPO = Path(__file__).resolve().parent.parent
SEED_000 = REPO / "corpus" / "pdf" / "000_1ce771eb6f7a434f.pdf"


def build(db_path: Path, *paths, monkeypatch) -> Build:
    monkeypatch.chdir(REPO)  # as built_catalogue was built: documents.path is corpus/...
    job = Build(["corpus", *paths], db_path, workers=1)
    for _ in job.run():
        pass
    return job


def full_relink_changes(db_path: Path) -> int:
    """How many links relinking every authority from scratch would change: 0 when the
    incremental links are the links a full relink makes."""
    registry = load_registry()
    reviews, _ = load_reviews(db_path.with_name(db_path.stem + ".review.csv"), registry.ids())
    with sqlite_utils.Database(db_path) as db:
        return measure_tables.relink(db, Linker(registry, reviews))


def copied_measures_disagree(db_path: Path) -> int:
    """Indicators and values whose measure_id is not their link's (rejected: none)."""
    link = (
        "(select l.measure_id from measure_links l where l.indicator_id = {key} and l.status != 'rejected')"
    )
    with sqlite_utils.Database(db_path) as db:
        return db.execute(
            f"select (select count(*) from indicators where measure_id is not {link.format(key='indicators.id')})"
            f" + (select count(*) from indicator_values where measure_id is not "
            f"{link.format(key='indicator_values.indicator_id')})"
        ).fetchone()[0]


def test_a_document_added_relinks_its_authority_alone_as_a_full_relink_would(catalogue_copy, tmp_path, monkeypatch):
    extra = tmp_path / "extra"
    extra.mkdir()
    # Doncaster's Q1 2016/17 performance challenge (seed 000) again, as another file (a line
    # added after %%EOF): its indicators are new, all in Doncaster.
    (extra / "doncaster_again.pdf").write_bytes(SEED_000.read_bytes() + b"\n% another copy\n")
    (extra / "manifest.csv").write_text("file,authority\ndoncaster_again.pdf,Doncaster\n")
    job = build(catalogue_copy, extra, monkeypatch=monkeypatch)
    assert job.summary.actions == {"added": 1, "unchanged": 25}
    assert job.summary.relinked_authorities == 1
    with sqlite_utils.Database(catalogue_copy) as db:
        new_links = db.execute(
            "select count(*) from measure_links l join indicators i on i.id = l.indicator_id "
            "join documents d on d.id = i.document_id where d.path like '%doncaster_again.pdf'"
        ).fetchone()[0]
    assert new_links > 10
    assert job.summary.links_changed == new_links  # no other authority's links were written
    assert full_relink_changes(catalogue_copy) == 0
    assert copied_measures_disagree(catalogue_copy) == 0
    # Nothing new: nothing relinked.
    again = build(catalogue_copy, extra, monkeypatch=monkeypatch)
    assert again.summary.relinked_authorities == 0 and again.summary.links_changed == 0


def test_a_review_decision_relinks_only_the_authority_it_names(catalogue_copy, monkeypatch):
    review = catalogue_copy.with_name("catalogue.review.csv")
    with open(review, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(REVIEW_COLUMNS)
        # seed 000 p7, A1 "Re-referrals in the last 12 months" (Doncaster): rejected
        writer.writerow(["Doncaster", "A1", "Re-referrals in the last 12 months", "re-referrals-12-months", "reject", ""])
    job = build(catalogue_copy, monkeypatch=monkeypatch)
    assert job.summary.relinked_authorities == 1
    with sqlite_utils.Database(catalogue_copy) as db:
        rejected = list(db.query(
            "select i.id, i.measure_id, l.status from indicators i join measure_links l on l.indicator_id = i.id "
            "where i.code = 'A1' and i.title = 'Re-referrals in the last 12 months'"
        ))
        assert rejected and {(r["measure_id"], r["status"]) for r in rejected} == {(None, "rejected")}
        values = db.execute(
            "select count(*), count(measure_id) from indicator_values where indicator_id = ?", [rejected[0]["id"]]
        ).fetchone()
        assert values[0] > 0 and values[1] == 0
    assert job.summary.links_changed == len(rejected)
    assert full_relink_changes(catalogue_copy) == 0
    assert copied_measures_disagree(catalogue_copy) == 0


def test_the_change_log_says_what_changed_since_a_step_last_ran(tmp_path):
    with Catalogue(tmp_path / "c.db") as catalogue:
        db = catalogue.db
        assert changes.since(db, "requests") is None  # never ran: it must go through everything
        first = catalogue.save_document(
            Document("a.txt", "1" * 64, "text", 10, 1, authority="Kent"), [Page(1, "Minutes")]
        )
        changes.mark(db, "requests", changes.latest(db))
        assert not changes.since(db, "requests")
        # Read again and moved to another authority by its manifest: both authorities changed.
        catalogue.save_document(Document("a.txt", "2" * 64, "text", 10, 1, authority="Medway"), [Page(1, "Minutes")])
        second = catalogue.save_document(Document("b.txt", "3" * 64, "text", 10, 1), [Page(1, "Agenda")])
        changed = changes.since(db, "requests")
        assert changed.documents == {first, second}
        assert changed.authorities == {"Kent", "Medway", None}
        changes.mark(db, "requests", changed.upto)
        assert not changes.since(db, "requests")
        # Every step has taken the log in: it is pruned.
        assert db["document_changes"].count == 0


def test_sqlite_utils_makes_full_text_update_triggers_for_any_column(tmp_path):
    """The seam: scope_fts_triggers rewrites the trigger sqlite-utils makes. If a new
    sqlite-utils makes another shape, this fails and scope_fts_triggers must follow."""
    with sqlite_utils.Database(tmp_path / "plain.db") as db:
        db["things"].insert({"id": 1, "title": "Re-referrals", "note": "x"}, pk="id")
        db["things"].enable_fts(["title"], create_triggers=True)
        [sql] = [row[0] for row in db.execute("select sql from sqlite_master where name = 'things_au'")]
        assert 'AFTER UPDATE ON "things"' in sql


def test_an_update_of_a_column_not_indexed_leaves_the_full_text_index_alone(tmp_path):
    with Catalogue(tmp_path / "c.db") as catalogue:
        db = catalogue.db
        for name, sql in db.execute("select name, sql from sqlite_master where name like '%\\_au' escape '\\'"):
            assert "AFTER UPDATE OF" in sql, name
        catalogue.save_document(Document("a.txt", "1" * 64, "text", 10, 1, title="Cabinet"), [Page(1, "Minutes")])
        db["indicators"].insert({"id": 1, "document_id": 1, "key": "k", "page": 1, "title": "Re-referrals"})
        db["indicator_values"].insert({"id": 1, "document_id": 1, "indicator_id": 1, "page": 1, "title": "Re-referrals",
                                       "code": "A1", "context": "A1 Re-referrals 24%", "value": 24.0})
        before = db.conn.total_changes
        db.execute("update indicator_values set measure_id = 'x' where id = 1")
        assert db.conn.total_changes - before == 1  # the row alone: no trigger wrote the index
        db.execute("update indicator_values set title = 'Referrals' where id = 1")
        assert db.conn.total_changes - before > 2  # an indexed column: the index follows
        found = "select rowid from indicator_values_fts where indicator_values_fts match ?"
        assert [r[0] for r in db.execute(found, ["title:referrals"])] == [1]
        db.execute("update indicator_values set title = 'Placements' where id = 1")
        assert [r[0] for r in db.execute(found, ["title:referrals"])] == []


def test_a_catalogue_made_before_keeps_its_data_and_gets_scoped_triggers(catalogue_copy):
    old = catalogue_copy
    with sqlite_utils.Database(old) as db:  # as sqlite-utils made them
        db["pages"].disable_fts()
        db["pages"].enable_fts(["text"], tokenize="porter", create_triggers=True)
        pages = db["pages"].count
    with Catalogue(old) as catalogue:
        sql = catalogue.db.execute("select sql from sqlite_master where name = 'pages_au'").fetchone()[0]
        assert "AFTER UPDATE OF [text] ON" in sql
        assert catalogue.db["pages"].count == pages
        assert catalogue.db.execute("select count(*) from pages_fts where pages_fts match 'referrals'").fetchone()[0] > 0


# --- planning by size and modification time ----------------------------------------------

MINUTES_TEXT = REPO / "tests" / "fixtures" / "seeds" / "004_4b7e043a54d74d09.txt"


def papers_an_hour_old(folder: Path) -> Path:
    """Three small files whose modification time is an hour ago (not 'racily clean')."""
    folder.mkdir()
    (folder / "minutes.txt").write_text(MINUTES_TEXT.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "agenda.txt").write_text("Agenda\nItem 1: Apologies for absence\n")
    (folder / "notes.txt").write_text("Notes of the meeting\n")
    hour_ago = time.time() - 3600
    for file in folder.iterdir():
        os.utime(file, (hour_ago, hour_ago))
    return folder


def run(job: Build) -> dict[str, str]:
    return {Path(o.path).name: o.action for o in job.run()}


def test_a_rebuild_with_nothing_changed_opens_no_file_and_writes_nothing(tmp_path):
    papers = papers_an_hour_old(tmp_path / "papers")
    db_path = tmp_path / "c.db"
    assert set(run(Build([papers], db_path, workers=1)).values()) == {"added"}
    watcher = sqlite3.connect(db_path)
    version = watcher.execute("pragma data_version").fetchone()[0]
    again = Build([papers], db_path, workers=1)
    assert [source.hashed for source in again.sources] == [False, False, False]
    assert set(run(again).values()) == {"unchanged"}
    # data_version changes when another connection commits a change: the build made none.
    assert watcher.execute("pragma data_version").fetchone()[0] == version


def test_a_file_changed_behind_its_size_and_mtime_is_read_with_rehash(tmp_path):
    papers = papers_an_hour_old(tmp_path / "papers")
    db_path = tmp_path / "c.db"
    run(Build([papers], db_path, workers=1))
    # The same number of bytes, the old modification time put back: as git's index, the
    # build takes it as unchanged; --rehash hashes every file and reads it.
    notes = papers / "notes.txt"
    stat = notes.stat()
    notes.write_text("Notes of the meetinG\n")
    os.utime(notes, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert run(Build([papers], db_path, workers=1))["notes.txt"] == "unchanged"
    result = CliRunner().invoke(cli, ["-q", "build", str(papers), "--db", str(db_path), "--workers", "1", "--rehash"])
    assert result.exit_code == 0, result.output
    with sqlite_utils.Database(db_path) as db:
        assert db.execute("select text from pages join documents d on d.id = document_id "
                          "where d.path like '%notes.txt'").fetchone()[0] == "Notes of the meetinG"


def test_a_file_touched_is_hashed_and_one_just_written_is_hashed_again(tmp_path):
    papers = papers_an_hour_old(tmp_path / "papers")
    db_path = tmp_path / "c.db"
    run(Build([papers], db_path, workers=1))
    os.utime(papers / "agenda.txt")  # now: its content is hashed again, and found the same
    touched = Build([papers], db_path, workers=1)
    assert {Path(s.path).name: s.hashed for s in touched.sources}["agenda.txt"] is True
    assert run(touched)["agenda.txt"] == "unchanged"
    # Modified within two seconds of being looked at: it could change again unseen in the
    # same tick of a coarse clock, so it is hashed again next time too.
    later = Build([papers], db_path, workers=1)
    assert {Path(s.path).name: s.hashed for s in later.sources}["agenda.txt"] is True


def test_a_manifest_edit_is_seen_though_the_file_is_not_opened(tmp_path):
    papers = papers_an_hour_old(tmp_path / "papers")
    db_path = tmp_path / "c.db"
    (papers / "manifest.csv").write_text("file,authority\nnotes.txt,Kent\n")
    run(Build([papers], db_path, workers=1))
    (papers / "manifest.csv").write_text("file,authority\nnotes.txt,Medway\n")
    job = Build([papers], db_path, workers=1)
    assert not any(source.hashed for source in job.sources)
    assert run(job) == {"agenda.txt": "unchanged", "minutes.txt": "unchanged", "notes.txt": "updated"}
    with sqlite_utils.Database(db_path) as db:
        assert db.execute("select authority from documents where path like '%notes.txt'").fetchone()[0] == "Medway"
