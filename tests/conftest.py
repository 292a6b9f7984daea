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
