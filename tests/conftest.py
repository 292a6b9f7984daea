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


# --- The catalogue as the linker leaves it ----------------------------------------------

#: The registry measure the published-catalogue tests browse.
REREFERRALS = "re-referrals-12-months"


@pytest.fixture(scope="session")
def linked_catalogue(built_catalogue, tmp_path_factory) -> Path:
    """The bundled corpus's catalogue as ``scrutiny build`` links it, in one file to serve
    immutable. Read-only: serve it, don't change it (copy it first).

    The published-catalogue tests browse the re-referrals measure, so this checks first that
    the build linked Doncaster's A1 (seed 000 page 7: "A1 Re-referrals in the last 12 months
    ... Q1 = 24% July 2016 24% Target: 24% Tolerance: 28%") and Rotherham's rolling-12-month
    rate (seed 002 page 5: "The second re-referral measure which looks at referral data for a
    full rolling 12 months is also improving at 28.1% ...") to it, with the DfE's figures.
    """
    target = tmp_path_factory.mktemp("linked") / "catalogue.db"
    with sqlite_utils.Database(built_catalogue) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(built_catalogue, target)
    with sqlite_utils.Database(target) as db:
        linked = {
            (row["path"].rsplit("/", 1)[-1], row["title"])
            for row in db.query(
                "select d.path, i.title from measure_links l join indicators i on i.id = l.indicator_id "
                "join documents d on d.id = i.document_id where l.measure_id = ? and l.status != 'rejected'",
                [REREFERRALS],
            )
        }
        assert {
            ("000_1ce771eb6f7a434f.pdf", "Re-referrals in the last 12 months"),
            ("002_6d510ce711a33e9b.pdf", "second re-referral measure"),
        } <= linked
        areas = {row["area"] for row in db.query(
            "select distinct area from official_values where measure_id = ?", [REREFERRALS])}
        assert {"Doncaster", "Rotherham", "England"} <= areas
        db.execute("PRAGMA journal_mode = DELETE")  # one file: served immutable
    return target
