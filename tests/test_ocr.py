"""Scanned and unreadable pages read by OCR (scrutiny.extract.ocr), end to end.

The scans are made here from the bundled real papers: seed 000 page 7 (the measure table
with "A1 Re-referrals in the last 12 months ... Q1 = 24% ... Target: 24% Tolerance: 28%")
and seed 004 page 3 (minutes: "RESOLVED that: (1) ... (2) a briefing note ...") rendered
to images and written as image-only PDFs, and seed 000 page 7 with its fonts' Unicode maps
taken away. What OCR reads is compared with the real pages' text layers, never with OCR
output kept in the repository. Tesseract is slow (seconds a page), so these few pages are
read once, in one build, shared by the tests.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

import numpy
import pypdfium2
import pytest
import sqlite_utils
from badfiles import image_pdf, no_unicode_map, one_page

from scrutiny.catalogue import make_datasette
from scrutiny.extract import ocr
from scrutiny.extract.pdf import read_pdf
from scrutiny.pipeline import Build, Limits, analyse
from scrutiny.records import LOW_OCR_CONFIDENCE, Page, Resolution, SourceFile

pytestmark = pytest.mark.skipif(
    ocr.engine_problem() is not None and not os.environ.get("CI"),
    reason="Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)


def page_words(text: str) -> Counter:
    return Counter(re.findall(r"\S+", text))


def word_accuracy(ocr_text: str, true_text: str) -> float:
    """Share of the real page's words that OCR read exactly (as a bag of words)."""
    truth = page_words(true_text)
    return sum((truth & page_words(ocr_text)).values()) / sum(truth.values())


def real_text(source: Path, number: int) -> str:
    return next(item.text for item in read_pdf(source) if isinstance(item, Page) and item.page == number)


@pytest.fixture(scope="module")
def scans(tmp_path_factory, corpus_pdf) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    papers = folder / "papers"
    papers.mkdir()
    measures, minutes = corpus_pdf("000"), corpus_pdf("004")
    return {
        "measures": image_pdf(measures, [7], papers / "measures_scan.pdf"),
        "minutes": image_pdf(minutes, [3], papers / "minutes_scan.pdf"),
        "garbage": no_unicode_map(measures, [7], papers / "measures_no_unicode.pdf"),
        "folder": papers,
        "db": folder / "ocr.db",
    }


@pytest.fixture(scope="module")
def ocr_catalogue(scans) -> Path:
    job = Build([scans["folder"]], scans["db"], workers=2)
    outcomes = list(job.run())
    # Each file is saved once with its text (none) and once more when OCR has read it.
    assert sorted(o.action for o in outcomes) == ["added"] * 3 + ["ocr"] * 3
    assert job.summary.ocr_pages == 3
    return scans["db"]


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    return list(sqlite_utils.Database(db_path).query(sql, params))


def test_garbage_text_layers_are_told_from_real_text(corpus_pdf, tmp_path):
    garbage = no_unicode_map(corpus_pdf("000"), [7], tmp_path / "garbage.pdf")
    text = real_text(garbage, 1)
    assert text.startswith("(cid:")
    assert ocr.text_layer(text) == "unreadable"
    assert ocr.text_layer(real_text(corpus_pdf("000"), 7)) == "usable"
    # A font whose codes are shifted gives letters but no words ("Uif" for "The").
    shifted = "".join(chr(ord(c) + 1) if c.isalpha() else c for c in real_text(corpus_pdf("004"), 3))
    assert ocr.text_layer(shifted) == "unreadable"
    assert ocr.text_layer("") == ocr.text_layer(" \n ") == "none"


def test_the_one_bundled_page_without_usable_text_is_read_by_ocr_turned_upright(built_catalogue):
    # Every bundled PDF page has a real text layer, tables of figures and all, but one: Merthyr
    # Tydfil's cabinet paper of 2012-02-29, page 7, a landscape table printed turned on a
    # portrait page, whose text layer reads "XIDNEPPA" for "APPENDIX". Read off the page:
    # "APPENDIX 3", and the first row "W01001308 Merthyr Tydfil 001D Penydarren 1 60 85 70.7%
    # Flying Start Area".
    read = rows(
        built_catalogue,
        "select d.path, p.page, p.text_layer, p.source, p.ocr_confidence, p.text from pages p "
        "join documents d on d.id = p.document_id where p.source != 'text' or p.text_layer != 'usable'",
    )
    assert [(Path(r["path"]).name, r["page"], r["text_layer"], r["source"]) for r in read] == [
        ("merthyr-tydfil_cabinet_2012-02-29_performance.pdf", 7, "unreadable", "ocr")
    ]
    assert read[0]["ocr_confidence"] >= LOW_OCR_CONFIDENCE
    assert "APPENDIX 3" in read[0]["text"]
    assert "W01001308 Merthyr Tydfil 001D Penydarren 1 60 85 70.7% Flying Start Area" in read[0]["text"]


def test_headings_ruled_apart_from_their_table_head_its_columns(built_catalogue):
    # Merthyr p7 (read by OCR): a heavier rule under the headings makes the page's rulings two
    # boxes, "LSOA | LSOA Name | LA Name | ... | Proportion of 0-3s in IBH | In a flying start
    # area?" over the rows of numbers. The headings head the rows: the first row prints
    # "W01001308 | Merthyr Tydfil 001D | Penydarren 1 | 60 | 85 | 70.7% | Flying Start Area".
    cells = rows(
        built_catalogue,
        "select c.row_label, c.column_header, c.text from table_cells c join documents d on d.id = c.document_id "
        "where d.path like '%merthyr-tydfil_cabinet_2012-02-29%' and c.page = 7 and c.text = '70.7%'",
    )
    assert len(cells) == 1
    assert "Penydarren 1" in cells[0]["row_label"]
    assert cells[0]["column_header"] == "Proportion of 0-3s in IBH"
    [value] = rows(
        built_catalogue,
        "select i.title, v.unit from indicator_values v join indicators i on i.id = v.indicator_id "
        "join documents d on d.id = v.document_id where d.path like '%merthyr-tydfil_cabinet_2012-02-29%' "
        "and v.page = 7 and v.value = 70.7",
    )
    assert value["title"] == "Penydarren 1 – Proportion of 0-3s in IBH" and value["unit"] == "%"


def test_ruled_lines_are_found_in_the_page_image(corpus_pdf):
    # Seed 000 page 7: a three-column ruled table (Measure | DMBC Comment | Trust Response).
    pdf = pypdfium2.PdfDocument(corpus_pdf("000"))
    grey = numpy.asarray(pdf[6].render(scale=300 / 72, grayscale=True).to_pil().convert("L"))
    lines, erase = ocr.find_rulings(grey, 300)
    vertical = [line for line in lines if line[0] == "v" and line[3] - line[2] > 1000]
    assert len(vertical) >= 4  # the table's left and right edges and two column rules
    assert erase


def test_a_scanned_measure_table_is_searchable_and_its_values_read(ocr_catalogue, scans, corpus_pdf):
    db = sqlite_utils.Database(ocr_catalogue)
    document = next(db["documents"].rows_where("path = ?", [str(scans["measures"])]))
    page = next(db["pages"].rows_where("document_id = ?", [document["id"]]))
    assert (page["source"], page["text_layer"]) == ("ocr", "none")
    assert LOW_OCR_CONFIDENCE <= page["ocr_confidence"] <= 100
    # OCR reads the page as its text layer has it.
    assert word_accuracy(page["text"], real_text(corpus_pdf("000"), 7)) > 0.9
    hits = list(db["pages"].search("re-referrals", columns=["document_id", "page"], quote=True))
    assert {"document_id": document["id"], "page": 1} in hits
    # Seed 000 page 7: "A1 Re-referrals in the last 12 months  Q1 = 24% July 2016 24%
    # Target: 24% Tolerance: 28%", read from the table OCR found on the image.
    values = rows(
        ocr_catalogue,
        "select * from indicator_values where document_id = ? and code = 'A1' and kind = 'actual'",
        [document["id"]],
    )
    q1 = [v for v in values if v["period"] == "Q1"]
    assert [(v["value"], v["target"], v["tolerance"], v["page"], v["method"]) for v in q1] == [(24, 24, 28, 1, "table")]
    assert q1[0]["ocr_confidence"] is not None and "24%" in q1[0]["context"]
    assert not rows(ocr_catalogue, "select * from problems where path = ?", [str(scans["measures"])])


def test_a_scanned_minutes_page_yields_its_resolutions(ocr_catalogue, scans, corpus_pdf, tmp_path):
    expected = analyse(SourceFile(str(one_page(corpus_pdf("004"), 3, tmp_path / "p3.pdf")), "x", 1, "pdf"))
    expected = [r for r in expected.records if isinstance(r, Resolution)]
    assert [r.number for r in expected] == ["1", "2"]  # seed 004 page 3: RESOLVED that: (1) ... (2) ...
    found = rows(
        ocr_catalogue,
        "select r.* from resolutions r join documents d on d.id = r.document_id where d.path = ? order by r.id",
        [str(scans["minutes"])],
    )
    assert [(r["number"], r["page"]) for r in found] == [("1", 1), ("2", 1)]
    for read, real in zip(found, expected):
        assert SequenceMatcher(None, read["text"], real.text).ratio() > 0.9, (read["text"], real.text)
        assert read["ocr_confidence"] is not None


def test_a_page_whose_fonts_have_no_unicode_map_is_detected_and_read(ocr_catalogue, scans, corpus_pdf):
    page = rows(
        ocr_catalogue,
        "select p.* from pages p join documents d on d.id = p.document_id where d.path = ?",
        [str(scans["garbage"])],
    )[0]
    assert (page["source"], page["text_layer"]) == ("ocr", "unreadable")
    assert "(cid:" not in page["text"]
    assert word_accuracy(page["text"], real_text(corpus_pdf("000"), 7)) > 0.9


def test_an_ocr_page_is_not_read_again_unless_its_file_changes(ocr_catalogue, scans, tmp_path, monkeypatch):
    db_path = tmp_path / "again.db"
    shutil.copy(ocr_catalogue, db_path)
    # Unchanged files: nothing is read at all.
    job = Build([scans["folder"]], db_path, workers=1)
    assert {o.action for o in job.run()} == {"unchanged"} and job.summary.ocr_pages == 0
    # A page left unread (as by a reading that ran out of time) is finished from the words
    # kept for its file: Tesseract is not run again.
    db = sqlite_utils.Database(db_path)
    db.execute("update pages set source = 'text' where text_layer = 'none'")
    db.conn.commit()
    db.close()

    def tesseract_must_not_run(*args, **kwargs):
        raise AssertionError("Tesseract ran again on a page it had read")

    monkeypatch.setattr(ocr, "recognise", tesseract_must_not_run)
    job = Build([scans["folder"]], db_path, workers=1)
    actions = sorted(o.action for o in job.run())
    assert actions == ["ocr", "ocr", "unchanged", "unchanged", "unchanged"]
    pages = rows(db_path, "select source, text from pages where text_layer = 'none'")
    assert len(pages) == 2 and all(p["source"] == "ocr" and p["text"] for p in pages)
    measures = rows(db_path, "select text from pages p join documents d on d.id = p.document_id where d.path = ?",
                    [str(scans["measures"])])  # fmt: skip
    assert "Re-referrals" in measures[0]["text"]


def test_without_tesseract_the_page_is_kept_with_a_problem_and_read_once_it_is_installed(
    scans, tmp_path, monkeypatch
):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(scans["minutes"], papers / "minutes_scan.pdf")
    db_path = tmp_path / "c.db"
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    ocr.engine_problem.cache_clear()
    try:
        summary = Build([papers], db_path, workers=1)
        list(summary.run())
    finally:
        monkeypatch.undo()
        ocr.engine_problem.cache_clear()
    problems = rows(db_path, "select * from problems")
    assert [(p["page"], p["stage"]) for p in problems] == [(1, "ocr")]
    assert "install tesseract-ocr to read scanned pages" in problems[0]["error"]
    assert rows(db_path, "select page, text, source from pages") == [{"page": 1, "text": "", "source": "text"}]
    # With Tesseract there, the next build reads the page it kept (the file has not changed).
    job = Build([papers], db_path, workers=1)
    assert sorted(o.action for o in job.run()) == ["ocr", "unchanged"]
    page = rows(db_path, "select text, source from pages")[0]
    assert page["source"] == "ocr" and "RESOLVED" in page["text"].upper()
    assert not rows(db_path, "select * from problems")


def test_a_blurred_scan_is_read_with_low_confidence_and_its_values_are_not_certain(corpus_pdf, tmp_path):
    # Seed 000 page 7 scanned at 75 dpi: Tesseract reads "Al Re-+eferrals" and is unsure.
    scan = image_pdf(corpus_pdf("000"), [7], tmp_path / "blurred.pdf", dpi=75)
    db_path = tmp_path / "c.db"
    list(Build([scan], db_path, workers=1).run())
    page = rows(db_path, "select * from pages")[0]
    assert page["source"] == "ocr" and page["ocr_confidence"] < LOW_OCR_CONFIDENCE
    problems = rows(db_path, "select * from problems")
    assert [p["page"] for p in problems] == [1] and "low confidence" in problems[0]["error"]
    values = rows(db_path, "select * from indicator_values")
    assert values and all(v["ocr_confidence"] < LOW_OCR_CONFIDENCE for v in values)


def test_the_measure_page_says_which_values_were_read_by_ocr(ocr_catalogue, tmp_path):
    db_path = tmp_path / "served.db"
    shutil.copy(ocr_catalogue, db_path)
    measure = rows(db_path, "select measure_id from indicator_values where code = 'A1' and measure_id is not null")
    assert measure, "A1 Re-referrals read by OCR was not linked to the registry"
    datasette = make_datasette(db_path)

    async def get():
        await datasette.invoke_startup()
        return await datasette.client.get(f"/-/measures/{measure[0]['measure_id']}")

    response = asyncio.run(get())
    assert response.status_code == 200
    assert "read by OCR" in response.text


def test_ocr_keeps_to_the_time_limit_and_the_next_build_carries_on(scans, tmp_path):
    papers = tmp_path / "papers"
    papers.mkdir()
    shutil.copy(scans["minutes"], papers / "minutes_scan.pdf")
    db_path = tmp_path / "c.db"
    # Four seconds a document: too little to start reading a page by OCR (a few seconds
    # each), so the reading stops before Tesseract starts, rather than being killed.
    job = Build([papers], db_path, workers=2, limits=Limits(seconds=4))
    assert sorted(o.action for o in job.run()) == ["added", "ocr"]
    problems = rows(db_path, "select * from problems")
    assert [(p["page"], p["stage"]) for p in problems] == [(1, "ocr")]
    assert "time limit (4 s) ran out before OCR reached it" in problems[0]["error"]
    assert rows(db_path, "select source from pages") == [{"source": "text"}]
    # With time enough, the next build reads the page it left.
    job = Build([papers], db_path, workers=2)
    assert sorted(o.action for o in job.run()) == ["ocr", "unchanged"]
    assert rows(db_path, "select source from pages") == [{"source": "ocr"}]
    assert not rows(db_path, "select * from problems")
