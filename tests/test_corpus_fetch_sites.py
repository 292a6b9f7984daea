"""scrutiny fetch --sites: many councils at once, one request at a time per host (issue 20),
against real HTTP servers on 127.0.0.1 that answer like ModernGov sites."""

from __future__ import annotations

import csv
import threading
import time


import pytest
import sqlite_utils
from click.testing import CliRunner

from scrutiny.cli import cli
from scrutiny.corpus.http import FetchSettings, HostTurns, PoliteClient, host_of

from test_corpus_moderngov import FAST, ModernGovSite


class Busy:
    """Counts a site's requests in flight at once (each answer held a little)."""

    def __init__(self, site: ModernGovSite, hold: float = 0.02):
        self.most = 0
        self._now = 0
        self._lock = threading.Lock()
        answer = site.answer

        def counted(handler):
            with self._lock:
                self._now += 1
                self.most = max(self.most, self._now)
            try:
                time.sleep(hold)
                return answer(handler)
            finally:
                with self._lock:
                    self._now -= 1

        site.answer = counted


@pytest.fixture
def two_sites():
    sites = [ModernGovSite(), ModernGovSite()]
    yield sites
    for site in sites:
        site.stop()


def fetch_from_two_threads(site: ModernGovSite, turns: HostTurns | None) -> None:
    settings = FetchSettings(delay=0, backoff=0, retries=0)

    def fetch_some() -> None:
        with PoliteClient(settings, hosts=[host_of(site.url)], turns=turns) as client:
            for _ in range(8):
                client.get_bytes(f"{site.url}/mgWebService.asmx/GetCommittees")

    failures = []

    def run() -> None:
        try:
            fetch_some()
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_clients_sharing_host_turns_send_a_host_one_request_at_a_time(two_sites):
    apart, shared = two_sites
    busy_apart, busy_shared = Busy(apart), Busy(shared)
    fetch_from_two_threads(apart, None)
    assert busy_apart.most == 2  # two clients on their own: requests overlap
    fetch_from_two_threads(shared, HostTurns())
    assert busy_shared.most == 1


def test_fetch_sites_fetches_every_council_into_one_corpus(two_sites, tmp_path):
    first, second = two_sites
    counted = [Busy(first), Busy(second)]
    sites = tmp_path / "councils.csv"
    with open(sites, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["site", "authority", "committee"])
        writer.writerow([first.url, "Manchester", "audit"])
        writer.writerow([second.url, "Salford", "art galleries;audit"])
    corpus = tmp_path / "papers"
    result = CliRunner().invoke(cli, [
        "fetch", "--sites", str(sites), "--since", "2026-01-01", "--until", "2026-03-31", "--corpus", str(corpus), *FAST,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Fetching 2 sites into" in result.output
    assert [busy.most for busy in counted] == [1, 1]  # each host one request at a time
    with open(corpus / "manifest.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fetched = {(row["authority"], row["committee"]) for row in rows if row["status"] == "fetched"}
    assert fetched == {("Manchester", "Audit Committee"), ("Salford", "Audit Committee"),
                       ("Salford", "Art Galleries Committee")}
    # Every row once, whole: the manifest was appended to by both sites' threads.
    assert len({row["source_url"] for row in rows}) == len(rows)
    assert all(row["status"] in ("fetched", "failed", "withheld") for row in rows)
    for row in rows:
        if row["status"] == "fetched":
            assert (corpus / row["file"]).is_file()
    assert not (corpus / ".partial").exists()
    build = CliRunner().invoke(cli, ["-q", "build", str(corpus), "--db", str(tmp_path / "c.db"), "--workers", "1",
                                     "--ocr", "never"])  # fmt: skip
    assert build.exit_code == 0, build.output
    with sqlite_utils.Database(tmp_path / "c.db") as db:
        known = {row[0] for row in db.execute("select path from documents union select path from document_paths")}
    # Both test sites serve the same PDFs: Salford's copies are the same documents at other paths.
    assert {str(corpus / row["file"]) for row in rows if row["status"] == "fetched"} <= known
    assert any(path.startswith(str(corpus / "salford")) for path in known)


def test_a_site_or_sites_not_both(tmp_path):
    sites = tmp_path / "councils.csv"
    sites.write_text("site\nhttps://democracy.example.gov.uk\n")
    both = CliRunner().invoke(cli, ["fetch", "kent", "--sites", str(sites)])
    assert both.exit_code == 2 and "not both" in both.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("council\nKent\n")
    result = CliRunner().invoke(cli, ["fetch", "--sites", str(wrong)])
    assert result.exit_code == 1 and "no 'site' column" in result.output


def test_the_manifest_grows_by_a_line_for_each_file_fetched(tmp_path):
    """Issue 20, item 4: every file fetched rewrote the whole manifest (9.3 ms a file at 5,000
    rows). A new row is appended; the rows before it are not written again."""
    from scrutiny.corpus.manifest import FetchManifest
    from scrutiny.records import FetchedFile

    path = tmp_path / "manifest.csv"
    manifest = FetchManifest(path)
    manifest.put(FetchedFile("https://example.org/1.pdf", "fetched", file="1.pdf"))
    first = path.read_bytes()
    inode = path.stat().st_ino
    manifest.put(FetchedFile("https://example.org/2.pdf", "fetched", file="2.pdf"))
    assert path.read_bytes().startswith(first) and path.stat().st_ino == inode  # appended in place
    # A row that changes is rewritten (atomically: a new file renamed over the old).
    manifest.put(FetchedFile("https://example.org/1.pdf", "failed", problem="404 Not Found"))
    assert path.stat().st_ino != inode
    with open(path, newline="", encoding="utf-8") as f:
        rows = {row["source_url"]: row["status"] for row in csv.DictReader(f)}
    assert rows == {"https://example.org/1.pdf": "failed", "https://example.org/2.pdf": "fetched"}
    # A hand-made manifest (other columns, no line end after its last row) is rewritten whole
    # on its first new row, never appended to out of step with its header.
    path.write_text("file,authority\nold.pdf,Kent")
    FetchManifest(path).put(FetchedFile("https://example.org/3.pdf", "fetched", file="3.pdf"))
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(row["file"], row["authority"]) for row in rows] == [("old.pdf", "Kent"), ("3.pdf", "")]


def test_fetch_many_sites_helper_reads_the_registry_of_known_sites():
    from scrutiny.corpus.moderngov import SITES, read_sites

    requests = read_sites(SITES)
    assert {"Doncaster", "Kent"} <= {request.authority for request in requests}
    assert all(request.site.startswith("http") for request in requests)



