"""scrutiny merge: catalogues built apart joined into one, as if built together (issue 20)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from scrutiny.cli import cli
from scrutiny.pipeline import Build

import badfiles

REPO = Path(__file__).resolve().parent.parent
SEED_000 = REPO / "corpus" / "pdf" / "000_1ce771eb6f7a434f.pdf"  # Doncaster measures (seed 000)
SEED_004 = REPO / "corpus" / "pdf" / "004_4b7e043a54d74d09.pdf"  # Doncaster minutes (seed 004)
KCC_PANEL = REPO / "corpus" / "real" / "kcc_corporate_parenting_panel_2024-10-29_minutes.pdf"

#: Every catalogue table's records, with ids replaced by what they name: the same rows
#: whatever ids two catalogues gave them.
CONTENT = {
    "documents": "select path, sha256, title, authority, committee, meeting_date, kind, page_count from documents",
    "document_paths": "select p.path, d.path from document_paths p join documents d on d.id = p.document_id",
    "pages": "select d.path, p.page, p.text, p.source from pages p join documents d on d.id = p.document_id",
    "ocr_words": "select d.path, o.page, o.sha256 = d.sha256, length(words) from ocr_words o "
                 "join documents d on d.id = o.document_id",
    "problems": "select path, stage, error, page, sha256 from problems",
    "indicators": "select d.path, i.key, i.page, i.code, i.title, i.measure_id from indicators i "
                  "join documents d on d.id = i.document_id",
    "indicator_values": "select d.path, i.key, v.period, v.value, v.kind, v.measure_id from indicator_values v "
                        "join indicators i on i.id = v.indicator_id join documents d on d.id = v.document_id",
    "commentary": "select d.path, i.key, c.text from commentary c join indicators i on i.id = c.indicator_id "
                  "join documents d on d.id = c.document_id",
    "agenda_items": "select d.path, a.number, a.title, a.text from agenda_items a join documents d on d.id = a.document_id",
    "resolutions": "select d.path, a.number, r.number, r.text from resolutions r "
                   "join agenda_items a on a.id = r.agenda_item_id join documents d on d.id = r.document_id",
    "actions": "select d.path, a.number, r.text, x.text from actions x join agenda_items a on a.id = x.agenda_item_id "
               "left join resolutions r on r.id = x.resolution_id join documents d on d.id = x.document_id",
    "entities": "select d.path, e.name, e.kind, e.role from entities e join documents d on d.id = e.document_id",
    "entity_mentions": "select d.path, e.name, a.number, m.mentions from entity_mentions m join entities e "
                       "on e.id = m.entity_id join agenda_items a on a.id = m.agenda_item_id join documents d on d.id = m.document_id",
    "measure_links": "select d.path, i.key, l.measure_id, l.status, l.score from measure_links l "
                     "join indicators i on i.id = l.indicator_id join documents d on d.id = i.document_id",
    "pages_fts": "select d.path, p.page from pages_fts f join pages p on p.rowid = f.rowid "
                 "join documents d on d.id = p.document_id where pages_fts match 'children'",
    "indicator_values_fts": "select d.path, v.period, v.value from indicator_values_fts f join indicator_values v "
                            "on v.id = f.rowid join documents d on d.id = v.document_id where indicator_values_fts match 're*'",
    "resolutions_fts": "select count(*) from resolutions_fts",
}


def content(db_path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db_path) as db:
        assert db.execute("pragma foreign_key_check").fetchall() == []
        return {name: sorted(db.execute(sql).fetchall(), key=repr) for name, sql in CONTENT.items()}


@pytest.fixture(scope="module")
def councils(tmp_path_factory):
    """Two folders built apart, sharing one file; and the two folders built together."""
    root = tmp_path_factory.mktemp("councils")
    doncaster, kent = root / "doncaster", root / "kent"
    doncaster.mkdir()
    kent.mkdir()
    shutil.copy(SEED_000, doncaster / "performance.pdf")
    shutil.copy(SEED_004, doncaster / "minutes.pdf")
    badfiles.random_bytes(doncaster / "broken.pdf")  # a problem row to carry over
    shutil.copy(KCC_PANEL, kent / "panel_minutes.pdf")
    shutil.copy(SEED_004, kent / "copy_of_doncaster_minutes.pdf")  # the same file in both
    # A scanned page (seed 004 page 1 as an image), read by OCR: its ocr_words carry over.
    badfiles.image_pdf(SEED_004, [1], kent / "scanned.pdf")
    built = {}
    for name, folders in {"doncaster": [doncaster], "kent": [kent], "together": [doncaster, kent]}.items():
        built[name] = root / f"{name}.db"
        for _ in Build(folders, built[name], workers=2).run():
            pass
    return built


def test_merged_catalogues_hold_what_one_build_of_both_holds(councils, tmp_path):
    merged = tmp_path / "all.db"
    result = CliRunner().invoke(cli, ["merge", str(councils["doncaster"]), str(councils["kent"]), "--db", str(merged)])
    assert result.exit_code == 0, result.output
    assert "doncaster.db: 2 documents copied, 0 already in" in result.output
    assert "kent.db: 2 documents copied, 1 already in" in result.output  # seed 004, by its SHA-256
    together, joined = content(councils["together"]), content(merged)
    for name in CONTENT:
        assert joined[name] == together[name], name
    for name in ("documents", "document_paths", "ocr_words", "problems", "indicator_values", "resolutions",
                 "entity_mentions", "measure_links", "pages_fts", "indicator_values_fts"):
        assert joined[name], name


def test_merging_a_catalogue_again_adds_nothing_and_relinks_nothing(councils, tmp_path):
    merged = tmp_path / "all.db"
    shutil.copy(councils["doncaster"], merged)
    with sqlite_utils.Database(merged) as db:
        before = content(merged)
        rows = {name: db[name].count for name in ("documents", "pages", "pages_fts", "indicators")}
    result = CliRunner().invoke(cli, ["merge", str(councils["doncaster"]), "--db", str(merged)])
    assert result.exit_code == 0, result.output
    assert "0 documents copied, 2 already in" in result.output
    assert content(merged) == before
    with sqlite_utils.Database(merged) as db:
        assert {name: db[name].count for name in rows} == rows


def test_two_catalogues_with_different_files_at_one_path_are_refused(councils, tmp_path):
    other = tmp_path / "papers"
    other.mkdir()
    (other / "minutes.txt").write_text("Minutes of one council\n")
    first, second = tmp_path / "one.db", tmp_path / "two.db"
    for db_path in (first, second):
        for _ in Build([other], db_path, workers=1).run():
            pass
        (other / "minutes.txt").write_text("Minutes of another council\n")
    result = CliRunner().invoke(cli, ["merge", str(first), str(second), "--db", str(tmp_path / "all.db")])
    assert result.exit_code == 1
    assert "different contents" in result.output and "in its own folder" in result.output


def test_merging_something_that_is_not_a_catalogue_says_so(tmp_path):
    junk = badfiles.random_bytes(tmp_path / "junk.db")
    result = CliRunner().invoke(cli, ["merge", str(junk), "--db", str(tmp_path / "all.db")])
    assert result.exit_code == 1 and "is not a scrutiny catalogue" in result.output
