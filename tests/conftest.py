"""Shared fixtures: the bundled corpus, a catalogue built from it once, loopback servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlite_utils
from click.testing import CliRunner

from scrutiny.cli import cli

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def corpus_pdf():
    """corpus_pdf("000") or corpus_pdf("kcc_cabinet_2025-01-09"): a bundled real PDF by name prefix."""

    def find(prefix: str) -> Path:
        matches = sorted(CORPUS.glob(f"*/{prefix}*.pdf"))
        assert len(matches) == 1, f"{prefix!r} matches {matches}"
        return matches[0]

    return find


@pytest.fixture(scope="session")
def built_catalogue(tmp_path_factory) -> Path:
    """The bundled corpus built once, the way a user would: `scrutiny build --db FILE`.

    Tests that change the catalogue must copy it first (see ``catalogue_copy``).
    """
    db_path = tmp_path_factory.mktemp("built") / "catalogue.db"
    here = os.getcwd()
    os.chdir(REPO)  # as a user runs it, from the checkout: documents.path is corpus/...
    try:
        result = CliRunner().invoke(cli, ["build", "--db", str(db_path)])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def catalogue_copy(built_catalogue, tmp_path) -> Path:
    """A private copy of the built catalogue."""
    target = tmp_path / "catalogue.db"
    with sqlite_utils.Database(built_catalogue) as db:  # fold the WAL into the main file
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(built_catalogue, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A scrutiny command serving on a loopback port, in its own process."""

    def __init__(self, args: list[str], port: int, cwd: Path):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scrutiny", *args, "--port", str(port)],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited early:\n{self.process.stdout.read()}")
            try:
                httpx.get(self.url + "/-/versions.json", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"server did not answer within {timeout}s")

    def get(self, path: str, **params) -> httpx.Response:
        return httpx.get(self.url + path, params=params, timeout=30)

    def stop(self) -> str:
        self.process.terminate()
        try:
            output, _ = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
        return output


@pytest.fixture
def start_server(tmp_path):
    servers: list[Server] = []

    def start(*args: str, cwd: Path = tmp_path, timeout: float = 60) -> Server:
        server = Server(list(args), free_port(), cwd)
        servers.append(server)
        server.wait_until_up(timeout)
        return server

    yield start
    for server in servers:
        server.stop()


# --- A catalogue with one measure linked (STAND-IN for issue 6's linker) -------------------
# Until the registry and linker (issue 6) fill measures, measure_links and official_values at
# the end of `scrutiny build`, the published-catalogue tests write them here, on top of a real
# build of the bundled corpus. After the merge, delete this section and point the tests'
# `linked_catalogue` at `built_catalogue` (and check the linker makes the same link).

DFE_REREFERRALS = SHARED / "reference" / "dfe_csc_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
REREFERRALS = "re-referrals-12-months"


def dfe_rereferral_values(areas: set[str], years: set[str]):
    """The DfE's published re-referral rates (rereferral_percent) for England and these
    councils, read from the real file: year 2016 is the year ending 31 March 2016."""
    import csv

    from scrutiny.records import OfficialValue

    with DFE_REREFERRALS.open(newline="", encoding="utf-8-sig") as file:
        for row in csv.DictReader(file):
            national = row["geographic_level"] == "National"
            if row["time_period"] not in years or not (national or row["la_name"] in areas):
                continue
            year = int(row["time_period"])
            yield OfficialValue(
                measure_id=REREFERRALS,
                area=row["country_name"] if national else row["la_name"],
                area_code=row["country_code"] if national else row["new_la_code"],
                level=row["geographic_level"],
                period=row["time_period"],
                period_start=f"{year - 1}-04-01",
                period_end=f"{year}-03-31",
                value=float(row["rereferral_percent"]),
                unit="%",
                source=DFE_REREFERRALS.name,
                description="rereferral_percent: referrals within 12 months of a previous referral",
            )


@pytest.fixture(scope="session")
def linked_catalogue(built_catalogue, tmp_path_factory) -> Path:
    """The bundled corpus's catalogue with the re-referrals measure linked: Doncaster's A1
    (seed 000 page 7: "A1 Re-referrals in the last 12 months ... Q1 = 24% July 2016 24%
    Target: 24% Tolerance: 28%") and Rotherham's rolling-12-month rate (seed 002 page 5: "The
    second re-referral measure which looks at referral data for a full rolling 12 months is
    also improving at 28.1% but is still higher than the corporate plan target of 23%"),
    with the DfE's figures for both councils and England, 2015 to 2018. Read-only: serve it,
    don't change it (copy it first)."""
    from scrutiny.catalogue.measures import replace_links, replace_measures, replace_official_values
    from scrutiny.records import Measure, MeasureLink

    target = tmp_path_factory.mktemp("linked") / "catalogue.db"
    with sqlite_utils.Database(built_catalogue) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(built_catalogue, target)
    with sqlite_utils.Database(target) as db:
        def indicator(path_end: str, title: str) -> int:
            rows = db.execute(
                "select i.id from indicators i join documents d on d.id = i.document_id "
                "where d.path like ? and i.title = ?", ["%" + path_end, title]
            ).fetchall()
            assert len(rows) == 1, (path_end, title, rows)
            return rows[0][0]

        doncaster = indicator("000_1ce771eb6f7a434f.pdf", "Re-referrals in the last 12 months")
        rotherham = indicator("002_6d510ce711a33e9b.pdf", "second re-referral measure")
        replace_measures(db, [
            Measure(REREFERRALS, "Re-referrals within 12 months of a previous referral", unit="%",
                    polarity="lower is better", topic="Children's Social Care", source="DfE",
                    definition="Percentage of referrals to children's social care that were made "
                    "within 12 months of a previous referral."),
            Measure("children-in-care-rate", "Children in care per 10,000 children",
                    unit="rate per 10,000", source="DfE"),
        ])  # fmt: skip
        replace_links(db, [
            MeasureLink(doncaster, REREFERRALS, "title", 95.0, "automatic", "fixture: A1 title"),
            MeasureLink(rotherham, REREFERRALS, "review", 100.0, "confirmed", "fixture: rolling 12 months"),
        ])  # fmt: skip
        replace_official_values(
            db, dfe_rereferral_values({"Doncaster", "Rotherham"}, {"2015", "2016", "2017", "2018"})
        )
        db.execute("PRAGMA journal_mode = DELETE")  # one file: served immutable
    return target
