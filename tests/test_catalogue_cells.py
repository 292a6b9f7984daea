"""The catalogue's table cells and the confidence of values: searched, counted, shown."""

from __future__ import annotations

import asyncio
import re
import shutil

import sqlite_utils
from bs4 import BeautifulSoup
from click.testing import CliRunner
from conftest import REREFERRALS

from scrutiny.catalogue import Catalogue, make_datasette
from scrutiny.cli import cli


def test_every_number_in_a_table_is_searchable_by_its_headings(built_catalogue):
    # Kent treasury report (dev corpus) p4: "Total borrowing | 771.9 | -25.1 | 746.8 | 4.35"
    # under "31-Mar-24 Balance £m", "2024-25 Movement £m", "30-Sep-24 Balance £m", ...
    with sqlite_utils.Database(built_catalogue) as db:
        found = list(db.query(
            "select c.* from table_cells c join table_cells_fts f on f.rowid = c.rowid "
            "where table_cells_fts match 'borrowing' and c.page = 4 and c.row_label = 'Total borrowing'"
        ))
        assert {(row["column_header"], row["value"]) for row in found} == {
            ("31-Mar-24 › Balance £m", 771.9), ("2024-25 › Movement £m", -25.1),
            ("30-Sep-24 › Balance £m", 746.8), ("30-Sep-24 › Average Rate %", 4.35),
        }
        balance = next(row for row in found if row["value"] == 746.8)
        assert (balance["authority"], balance["unit"], balance["scale"], balance["period_start"]) == (
            "Kent", "£m", 1e6, "2024-09-30"
        )
        assert re.fullmatch(r"[\d.]+,[\d.]+,[\d.]+,[\d.]+", balance["bbox"])
        # values carry how sure the reader is, and why
        levels = {row["confidence"] for row in db.query("select distinct confidence from indicator_values")}
        assert levels == {"high", "medium", "low"}
        assert not db.execute("select count(*) from indicator_values where confidence_reason is null").fetchone()[0]


def test_quality_counts_values_by_confidence(built_catalogue):
    result = CliRunner().invoke(cli, ["quality", "--db", str(built_catalogue)])
    assert result.exit_code == 0, result.output
    assert "high  medium  low  cells" in result.output
    counts = re.search(r"by confidence: (\d+) high, (\d+) medium, (\d+) low\n", result.output)
    with sqlite_utils.Database(built_catalogue) as db:
        expected = [
            db.execute("select count(*) from indicator_values where confidence = ?", [level]).fetchone()[0]
            for level in ("high", "medium", "low")
        ]
    assert counts and [int(n) for n in counts.groups()] == expected


def test_a_catalogue_built_before_confidence_gets_the_new_columns(tmp_path):
    path = tmp_path / "old.db"
    released = ["document_id", "indicator_id", "authority", "page", "code", "title", "measure_id", "period",
                "period_start", "period_end", "value", "unit", "target", "tolerance", "rag", "kind", "benchmark",
                "method", "context"]  # fmt: skip
    with sqlite_utils.Database(path) as db:  # indicator_values as it was first released
        db["indicator_values"].create({"id": int, **{name: str for name in released}}, pk="id")
    with Catalogue(path) as catalogue:
        columns = set(catalogue.db["indicator_values"].columns_dict)
    assert {"confidence", "confidence_reason", "period_source", "bbox"} <= columns


def test_measure_pages_show_low_confidence_values_as_such(linked_catalogue, tmp_path):
    copy = tmp_path / "catalogue.db"
    shutil.copy(linked_catalogue, copy)
    with sqlite_utils.Database(copy) as db:
        # seed 003 p2: "a reduction in the re-referral rate from 38% ... to 23%": marked low here
        db.execute(
            "update indicator_values set confidence = 'low', confidence_reason = 'prose: test' "
            "where measure_id = ? and value = 23", [REREFERRALS],
        )
        db.conn.commit()
    datasette = make_datasette(copy)

    async def get():
        return await datasette.client.get(f"/-/measures/{REREFERRALS}")

    response = asyncio.run(get())
    assert response.status_code == 200
    rows = BeautifulSoup(response.text, "html.parser").select("table.scrutiny-values tr")[1:]
    marked = [row for row in rows if row.select_one(".scrutiny-low-confidence")]
    assert len(marked) == 1 and "23%" in marked[0].get_text()
    assert marked[0].select_one(".scrutiny-low-confidence")["title"] == "prose: test"
