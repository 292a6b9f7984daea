"""The same file at two paths is one document (same SHA-256), read once, with both paths known."""

from __future__ import annotations

import shutil

import sqlite_utils
from click.testing import CliRunner
from conftest import CORPUS

from scrutiny.cli import cli

SEED_004 = CORPUS / "pdf" / "004_4b7e043a54d74d09.pdf"


def build(folder, db_path):
    result = CliRunner().invoke(cli, ["build", str(folder), "--db", str(db_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return result.output


def test_one_file_at_two_paths_is_one_document_with_both_paths(tmp_path):
    folder = tmp_path / "papers"
    (folder / "panel").mkdir(parents=True)
    (folder / "council").mkdir()
    first, second = folder / "council" / "minutes.pdf", folder / "panel" / "minutes-copy.pdf"
    shutil.copy(SEED_004, first)
    shutil.copy(SEED_004, second)
    db_path = tmp_path / "catalogue.db"
    output = build(folder, db_path)
    assert "1 added" in output and "1 duplicate" in output
    db = sqlite_utils.Database(db_path)
    (document,) = list(db["documents"].rows)
    other = {first.as_posix(), second.as_posix()} - {document["path"]}
    assert [row["path"] for row in db["document_paths"].rows_where("document_id = ?", [document["id"]])] == list(other)
    assert db["resolutions"].count == 2  # read once: seed 004's two resolutions, not four
    # Built again: nothing is read, and both paths stay known.
    assert "1 duplicate" in build(folder, db_path) and db["document_paths"].count == 1
    # The first path goes: the document lives on at the other, which is no longer "another" path.
    shutil.move(document["path"], tmp_path / "elsewhere.pdf")
    assert "1 moved" in build(folder, db_path)
    (moved,) = list(db["documents"].rows)
    assert moved["path"] == next(iter(other)) and db["document_paths"].count == 0
