"""scrutiny fetch against a real HTTP server on 127.0.0.1 that answers like a ModernGov site.

The web-service answers are the recorded ones in tests/fixtures/moderngov/ (Manchester City
Council's Audit Committee), with their document addresses pointed at the test server and a
few agenda items added in the same shape to carry the faults a real site produces: a 404,
a 503 that clears on retry, a body cut short, an HTML error page served as a PDF, a
restricted (exempt) paper, a name that tries to climb out of the corpus folder, a path
robots.txt forbids. The documents served are real PDFs from the bundled corpus.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlite_utils
from click.testing import CliRunner

import badfiles
from conftest import CORPUS, REPO
from loopback import LoopbackSite
from scrutiny.cli import cli
from scrutiny.corpus import Fetch, FetchSettings
from scrutiny.corpus.moderngov import parse_meeting, resolve_site
from scrutiny.errors import ScrutinyError

FIXTURES = REPO / "tests" / "fixtures" / "moderngov"
RECORDED_SITE = "https://democracy.manchester.gov.uk"  # where the fixtures' document links point

# What each document address serves: a real PDF from the bundled corpus.
PDFS = {
    "/mgConvert2PDF.aspx?ID=60860": CORPUS / "pdf" / "004_4b7e043a54d74d09.pdf",
    "/mgConvert2PDF.aspx?ID=60909": CORPUS / "real" / "kcc_cabinet_2025-03-04_agenda_frontsheet.pdf",
    "/documents/s503/Flaky%20Report.pdf": CORPUS / "pdf" / "002_6d510ce711a33e9b.pdf",
    "/documents/s777/Cut%20Short.pdf": CORPUS / "real" / "kcc_cabinet_2025-03-04_QPR_Q3_cover_report.pdf",
    "/documents/s999/..%2F..%2F..%2Fescape.pdf": CORPUS / "pdf" / "001_4356352e04f993e4.pdf",
    "/documents/s321/Slow%20Paper.pdf": CORPUS / "pdf" / "002_6d510ce711a33e9b.pdf",
    "/private/Secret.pdf": CORPUS / "pdf" / "001_4356352e04f993e4.pdf",
    "/documents/s555/Exempt%20Appendix.pdf": CORPUS / "pdf" / "001_4356352e04f993e4.pdf",
}
ERROR_PAGE = b"<!DOCTYPE html><html><head><title>Runtime Error</title></head><body>Server Error in '/' Application.</body></html>"


def _meeting_xml(base: str, meeting_id: str, extra_items: list[dict]) -> bytes:
    """The recorded GetMeeting answer for ``meeting_id``, its links pointed at ``base``, with
    agenda items added in the recorded items' shape."""
    text = (FIXTURES / "meeting_with_minutes.xml").read_text(encoding="utf-8").replace(RECORDED_SITE, base)
    root = ET.fromstring(text)
    root.find("meetingid").text = meeting_id
    agenda = root.find("agendaitems")
    template = agenda.findall("agendaitem")[-1]
    for number, spec in enumerate(extra_items, start=20):
        item = copy.deepcopy(template)
        item.find("agendaitemid").text = str(19000 + number)
        item.find("agendaitemtitle").text = spec["title"]
        item.find("fulldisplaynumberformat").text = f"{number}."
        item.find("minutesnonemptyhtmlbody").text = spec.get("minutes", "")
        item.find("isrestricted").text = "True" if spec.get("restricted") else "False"
        docs = item.find("linkeddocuments")
        doc_template = docs.find("linkeddoc")
        docs.remove(doc_template)
        for attachment, (path, title, flags) in enumerate(spec["documents"], start=70000 + number * 10):
            doc = copy.deepcopy(doc_template)
            doc.find("attachmentid").text = str(attachment)
            doc.find("title").text = title
            doc.find("url").text = path if path.startswith("http") else base + path
            for name, value in flags.items():
                doc.find(name).text = value
            docs.append(doc)
        agenda.append(item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


SEED_MINUTES = REPO / "tests" / "fixtures" / "seeds" / "004_4b7e043a54d74d09.txt"


def _seed_minutes_html() -> str:
    """Doncaster's real minutes of one agenda item (seed 004, the text of corpus/pdf/004), as
    the paragraphs minutesnonemptyhtmlbody carries: it ends "RESOLVED that: (1) ... (2) ..."."""
    lines = SEED_MINUTES.read_text(encoding="utf-8").split("Minutes:", 1)[1].splitlines()
    return "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in lines if line.strip())


FAULTY_ITEMS = [
    {
        "title": "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18",
        "minutes": _seed_minutes_html(),
        "documents": [],
    },
    {
        "title": "Papers that go wrong",
        "documents": [
            ("/documents/s404/Gone.pdf", "Report that was withdrawn", {}),
            ("/documents/s503/Flaky%20Report.pdf", "Performance report", {}),
            ("/documents/s777/Cut%20Short.pdf", "Quarterly performance cover report", {}),
            ("/documents/s888/Error%20Page.pdf", "Risk register", {}),
            ("/documents/s555/Exempt%20Appendix.pdf", "Exempt appendix",
             {"isrestricted": "True", "restrictionsRef": "Paragraph 3"}),
            ("https://www.example.org/elsewhere", "A web page elsewhere", {"isurl": "True"}),
            ("/documents/s999/..%2F..%2F..%2Fescape.pdf", "../../../etc/passwd", {}),
            ("/private/Secret.pdf", "Paper robots.txt forbids", {}),
        ],
    }
]
FAULTY_ITEMS.append(
    {
        "title": "Exclusion of the public: contract award",
        "restricted": True,
        "minutes": "<p>RESOLVED that the contract be awarded.</p>",
        "documents": [("/documents/s556/Contract%20Award.pdf", "Contract award report", {})],
    }
)
CLEAN_ITEMS = [{"title": "Slow paper", "documents": [("/documents/s321/Slow%20Paper.pdf", "Slow paper", {})]}]


class ModernGovSite(LoopbackSite):
    """A ModernGov-shaped site on a loopback port, counting the requests it answers."""

    def __init__(self):
        self.requests: list[str] = []
        self.times: list[float] = []
        self.agents: set[str] = set()
        self.hold: threading.Event | None = None  # when set, Slow Paper stalls half-way until released
        self.flaky_left = 1  # how many 503s /documents/s503 gives before it answers
        super().__init__()

    def seen(self, handler):
        self.requests.append(handler.path)
        self.times.append(time.monotonic())
        self.agents.add(handler.headers.get("User-Agent", ""))

    def stop(self):
        if self.hold:
            self.hold.set()
        super().stop()

    def document_requests(self) -> list[str]:
        return [p for p in self.requests if not p.startswith(("/mgWebService.asmx", "/robots.txt"))]

    @staticmethod
    def send_half(handler, body: bytes):
        """Promise the whole body (Content-Length), send the first half."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/pdf")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()

    def answer(self, handler):
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        xml = "text/xml; charset=utf-8"
        if parts.path == "/robots.txt":
            return self.send(handler, 200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if parts.path == "/mgWebService.asmx/GetCommittees":
            return self.send(handler, 200, (FIXTURES / "committees.xml").read_bytes(), xml)
        if parts.path == "/mgWebService.asmx/GetMeetings":
            body = (FIXTURES / "meetings.xml").read_bytes()
            if query["lCommitteeId"] == "163":  # the recorded answer, as Art Galleries' meeting 5001
                body = body.replace(b"<meetingid>4967</meetingid>", b"<meetingid>5001</meetingid>")
                body = body.replace(b"Audit Committee", b"Art Galleries Committee").replace(
                    b"<committeeid>144", b"<committeeid>163"
                )
            elif query["lCommitteeId"] != "144":
                body = b'<?xml version="1.0" encoding="utf-8"?>\n<getmeetings>\n  <meetingscount> 0</meetingscount>\n</getmeetings>'
            return self.send(handler, 200, body, xml)
        if parts.path == "/mgWebService.asmx/GetMeeting":
            meeting = query["lMeetingId"]
            if meeting == "4967":
                return self.send(handler, 200, _meeting_xml(self.url, "4967", FAULTY_ITEMS), xml)
            if meeting == "5001":
                return self.send(handler, 200, _meeting_xml(self.url, "5001", CLEAN_ITEMS), xml)
            return self.send(handler, 500, b"no such meeting", "text/plain")
        if handler.path.startswith("/documents/s404/"):
            return self.send(handler, 404, b"<html><body>Not found</body></html>", "text/html")
        if handler.path.startswith("/documents/s888/"):
            return self.send(handler, 200, ERROR_PAGE, "text/html; charset=utf-8")
        if handler.path.startswith("/documents/s503/") and self.flaky_left > 0:
            self.flaky_left -= 1
            return self.send(handler, 503, b"Service Unavailable", "text/html")
        pdf = PDFS.get(handler.path)
        if pdf is None:
            return self.send(handler, 404, b"not found", "text/plain")
        body = pdf.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if handler.headers.get("If-None-Match") == etag:
            return self.send(handler, 304, b"", "application/pdf", {"ETag": etag})
        headers = {"ETag": etag, "Last-Modified": "Mon, 02 Feb 2026 09:00:00 GMT"}
        if handler.path.startswith("/documents/s777/"):  # promises the whole file, sends half, hangs up
            self.send_half(handler, body)
            handler.close_connection = True
            return None
        if handler.path.startswith("/documents/s321/") and self.hold is not None:
            self.send_half(handler, body)
            self.hold.wait(30)
            try:
                handler.wfile.write(body[len(body) // 2 :])
            except OSError:
                pass
            return None
        return self.send(handler, 200, body, "application/pdf", headers)


@pytest.fixture
def site():
    server = ModernGovSite()
    yield server
    server.stop()


# Tiny pauses: the politeness and backoff are real, just not slow in a test.
FAST = ["--delay", "0", "--backoff", "0", "--retries", "2"]


def run_fetch(site, corpus: Path, *args: str):
    return CliRunner().invoke(
        cli,
        ["fetch", site.url, "--authority", "Manchester", "--since", "2026-01-01", "--until", "2026-03-31",
         "--corpus", str(corpus), *FAST, *args],
    )


def manifest_rows(corpus: Path) -> dict[str, dict[str, str]]:
    with open(corpus / "manifest.csv", newline="", encoding="utf-8") as f:
        return {row["source_url"]: row for row in csv.DictReader(f)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fetch_saves_papers_and_minutes_and_records_each_fault(site, tmp_path):
    corpus = tmp_path / "papers"
    result = run_fetch(site, corpus, "--committee", "audit")
    assert result.exit_code == 0, result.output
    rows = manifest_rows(corpus)
    url = site.url

    # The two recorded documents: the real PDFs, byte for byte, with the site's facts.
    minutes_pdf = rows[f"{url}/mgConvert2PDF.aspx?ID=60860"]
    assert minutes_pdf["status"] == "fetched"
    assert minutes_pdf["file"] == (
        "manchester/audit-committee/2026-02-10_4967/60860_6-chair-approved-minutes-audit-committee-25-nov-2025.pdf"
    )
    assert sha256(corpus / minutes_pdf["file"]) == sha256(PDFS["/mgConvert2PDF.aspx?ID=60860"])
    assert minutes_pdf["sha256"] == sha256(PDFS["/mgConvert2PDF.aspx?ID=60860"])
    assert (minutes_pdf["authority"], minutes_pdf["committee"], minutes_pdf["committee_id"]) == (
        "Manchester", "Audit Committee", "144"
    )
    assert (minutes_pdf["meeting_id"], minutes_pdf["meeting_date"]) == ("4967", "2026-02-10")
    assert (minutes_pdf["item_number"], minutes_pdf["item_title"]) == ("1", "Minutes")
    assert minutes_pdf["title"] == "6 - CHAIR APPROVED  Minutes Audit Committee 25 Nov 2025"
    assert minutes_pdf["kind"] == "minutes"
    assert minutes_pdf["content_type"] == "application/pdf"
    assert minutes_pdf["etag"] and minutes_pdf["retrieved_at"].startswith("20")
    work_programme = rows[f"{url}/mgConvert2PDF.aspx?ID=60909"]
    assert (work_programme["item_number"], work_programme["item_title"]) == ("9", "Work Programme")
    assert work_programme["kind"] == ""  # the title does not say; the build reads the paper to decide

    # Each agenda item's minutes, from minutesnonemptyhtmlbody, as an HTML file of kind minutes.
    minutes = rows[f"{url}/mgAi.aspx?ID=18833"]
    assert (minutes["kind"], minutes["title"], minutes["item_number"]) == ("minutes", "Minutes: Work Programme", "9")
    page = (corpus / minutes["file"]).read_text(encoding="utf-8")
    assert minutes["file"].endswith(".html")
    assert "set out its future Work\nProgramme for the remainder of 2025/26 municipal year." in page
    assert minutes["sha256"] == sha256(corpus / minutes["file"])

    # The 503 cleared on the second try.
    flaky = rows[f"{url}/documents/s503/Flaky%20Report.pdf"]
    assert flaky["status"] == "fetched" and flaky["file"].endswith("/70211_flaky-report.pdf")
    assert site.requests.count("/documents/s503/Flaky%20Report.pdf") == 2

    # Faults: recorded with a reason, nothing saved.
    gone = rows[f"{url}/documents/s404/Gone.pdf"]
    assert (gone["status"], gone["file"]) == ("failed", "")
    assert "404" in gone["problem"]
    assert site.requests.count("/documents/s404/Gone.pdf") == 1  # a 404 is an answer: not retried
    cut = rows[f"{url}/documents/s777/Cut%20Short.pdf"]
    assert cut["status"] == "failed" and "truncated" in cut["problem"]
    assert site.requests.count("/documents/s777/Cut%20Short.pdf") == 3  # two retries, as asked
    error_page = rows[f"{url}/documents/s888/Error%20Page.pdf"]
    assert error_page["status"] == "failed" and "HTML page" in error_page["problem"]
    forbidden = rows[f"{url}/private/Secret.pdf"]
    assert forbidden["status"] == "failed" and "robots.txt" in forbidden["problem"]
    assert "/private/Secret.pdf" not in site.requests

    # Restricted papers and outside links are noted and never requested.
    exempt = rows[f"{url}/documents/s555/Exempt%20Appendix.pdf"]
    assert (exempt["status"], exempt["note"]) == ("withheld", "restricted (Paragraph 3)")
    assert "/documents/s555/Exempt%20Appendix.pdf" not in site.requests
    assert rows["https://www.example.org/elsewhere"]["status"] == "withheld"
    # A restricted agenda item: its papers withheld, its minutes not saved.
    contract = rows[f"{url}/documents/s556/Contract%20Award.pdf"]
    assert (contract["status"], contract["note"]) == ("withheld", "the agenda item is restricted (exempt from publication)")
    assert not any("s556" in p for p in site.requests)
    assert f"{url}/mgAi.aspx?ID=19022" not in rows
    assert not any("contract" in p.name for p in corpus.rglob("*"))

    # The cancelled meeting (4966, 13/01/2026) is passed over without asking for it.
    assert not any("lMeetingId=4966" in p for p in site.requests)

    # A name that climbs out of the folder is saved inside it, under a harmless name.
    escape = rows[f"{url}/documents/s999/..%2F..%2F..%2Fescape.pdf"]
    assert escape["status"] == "fetched"
    assert (corpus / escape["file"]).resolve().is_relative_to(corpus.resolve())
    assert ".." not in escape["file"] and escape["file"].endswith("/70216_escape.pdf")
    assert not (tmp_path / "escape.pdf").exists() and not list(tmp_path.glob("*.pdf"))

    # Every file on disk is in the manifest, and no partial download is left.
    on_disk = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()}
    assert on_disk == {row["file"] for row in rows.values() if row["file"]} | {"manifest.csv"}

    # The summary and the failures are shown; exit 0 because the run itself completed.
    assert "7 fetched" in result.output and "4 failed" in result.output
    assert "3 withheld" in result.output and "1 cancelled" in result.output
    assert "failed: " + f"{url}/documents/s404/Gone.pdf" in result.output


def test_strict_exits_non_zero_when_anything_failed(site, tmp_path):
    result = run_fetch(site, tmp_path / "papers", "--committee", "144", "--strict")
    assert result.exit_code == 1
    assert "4 failed" in result.output


def test_second_run_downloads_nothing_it_already_has(site, tmp_path):
    corpus = tmp_path / "papers"
    first = run_fetch(site, corpus, "--committee", "art galleries")
    assert first.exit_code == 0, first.output
    assert "5 fetched" in first.output  # the recorded items' two PDFs and two minutes, and the slow paper
    before = manifest_rows(corpus)
    served = len(site.document_requests())
    assert served == 3  # 60860, 60909 and the slow paper; minutes come inside GetMeeting

    second = run_fetch(site, corpus, "--committee", "art galleries")
    assert second.exit_code == 0, second.output
    assert len(site.document_requests()) == served  # no document asked for again
    assert "0 fetched" in second.output and "5 already held" in second.output
    assert manifest_rows(corpus) == before

    # --refresh asks with the ETag, and the site's 304 leaves everything as it was.
    third = run_fetch(site, corpus, "--committee", "art galleries", "--refresh")
    assert third.exit_code == 0, third.output
    assert len(site.document_requests()) == served + 3
    assert "0 fetched" in third.output and manifest_rows(corpus) == before


def test_a_rerun_fetches_what_failed_before(site, tmp_path):
    corpus = tmp_path / "papers"
    site.flaky_left = 10  # more 503s than the retries allow
    run_fetch(site, corpus, "--committee", "audit")
    assert manifest_rows(corpus)[f"{site.url}/documents/s503/Flaky%20Report.pdf"]["status"] == "failed"
    site.flaky_left = 0
    site.requests.clear()
    result = run_fetch(site, corpus, "--committee", "audit")
    row = manifest_rows(corpus)[f"{site.url}/documents/s503/Flaky%20Report.pdf"]
    assert row["status"] == "fetched" and row["problem"] == ""
    assert sha256(corpus / row["file"]) == sha256(PDFS["/documents/s503/Flaky%20Report.pdf"])
    # Only the files still missing were asked for again.
    assert sorted(set(site.document_requests())) == sorted(
        ["/documents/s404/Gone.pdf", "/documents/s503/Flaky%20Report.pdf", "/documents/s777/Cut%20Short.pdf",
         "/documents/s888/Error%20Page.pdf"]
    )
    assert "1 fetched" in result.output


def test_a_killed_fetch_is_finished_by_the_next(site, tmp_path):
    corpus = tmp_path / "papers"
    site.hold = threading.Event()
    process = subprocess.Popen(
        [sys.executable, "-m", "scrutiny", "-q", "fetch", site.url, "--authority", "Manchester",
         "--committee", "163", "--since", "2026-01-01", "--until", "2026-03-31", "--corpus", str(corpus), *FAST],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    partial = corpus / ".partial"
    slow = "/documents/s321/Slow%20Paper.pdf"
    while slow not in site.requests or not any(p.stat().st_size for p in partial.glob("*.part")):
        assert time.monotonic() < deadline and process.poll() is None, process.stdout.read()
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)  # mid-download of the slow paper
    process.wait()
    site.hold.set()
    site.hold = None

    killed = manifest_rows(corpus)
    assert f"{site.url}/documents/s321/Slow%20Paper.pdf" not in killed
    assert {row["status"] for row in killed.values()} == {"fetched"} and len(killed) == 4
    assert not list(corpus.rglob("*slow*"))  # the half file stays hidden in .partial

    site.requests.clear()
    result = run_fetch(site, corpus, "--committee", "163")
    assert result.exit_code == 0, result.output
    assert site.document_requests() == ["/documents/s321/Slow%20Paper.pdf"]
    rows = manifest_rows(corpus)
    slow = rows[f"{site.url}/documents/s321/Slow%20Paper.pdf"]
    assert sha256(corpus / slow["file"]) == sha256(PDFS["/documents/s321/Slow%20Paper.pdf"])
    assert not partial.exists()
    assert {k: v for k, v in rows.items() if k in killed} == killed


def test_build_of_a_fetched_corpus_knows_each_documents_meeting(site, tmp_path):
    corpus = tmp_path / "papers"
    assert run_fetch(site, corpus, "--committee", "audit").exit_code == 0
    db_path = tmp_path / "catalogue.db"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    rows = manifest_rows(corpus)
    db = sqlite_utils.Database(db_path)
    documents = {Path(d["path"]).relative_to(corpus).as_posix(): d for d in db["documents"].rows}
    fetched = {row["file"]: row for row in rows.values() if row["status"] == "fetched"}
    assert set(documents) == set(fetched)
    for file, document in documents.items():
        assert document["authority"] == "Manchester", file
        assert document["committee"] == "Audit Committee", file
        assert document["meeting_date"] == "2026-02-10", file
        assert document["title"] == fetched[file]["title"], file
        assert document["source_url"] == fetched[file]["source_url"], file
    minutes = [d for d in documents.values() if d["format"] == "html"]
    assert len(minutes) == 3 and {d["kind"] for d in minutes} == {"minutes"}
    pages = {r["text"] for r in db.query(
        "select text from pages join documents on documents.id = pages.document_id where documents.format = 'html'"
    )}
    assert any("To approve the minutes of the meeting held on 25 November 2025 as a correct record." in t for t in pages)
    # Doncaster's minutes of item 21 carry two numbered resolutions (seed 004, last lines).
    seed = next(
        d for d in minutes if d["title"] == "Minutes: Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18"
    )
    seed_text = db.execute("select text from pages where document_id = ?", [seed["id"]]).fetchone()[0]
    assert "RESOLVED that:\n(1) the focus of joint improvement work for Quarter 1, be noted; and\n(2) a briefing" in seed_text
    # ... and the build reads them as resolutions, with the meeting the fetch recorded.
    resolutions = list(db.query(
        "select number, text, authority, committee, meeting_date from resolutions where document_id = ? order by id",
        [seed["id"]],
    ))
    assert [r["number"] for r in resolutions] == ["1", "2"]
    assert resolutions[0]["text"].startswith("the focus of joint improvement work for Quarter 1, be noted")
    assert resolutions[1]["text"].startswith("a briefing note")
    assert {(r["authority"], r["committee"], r["meeting_date"]) for r in resolutions} == {
        ("Manchester", "Audit Committee", "2026-02-10")
    }
    # The fetch's failures reach the problems table, each naming its address.
    problems = [p["error"] for p in db["problems"].rows]
    for path in ("s404/Gone.pdf", "s777/Cut%20Short.pdf", "s888/Error%20Page.pdf", "/private/Secret.pdf"):
        assert any(path in p for p in problems), path
    assert not any("Exempt" in p for p in problems)  # withheld papers are not problems


def test_known_councils_and_committee_choice(site, tmp_path):
    assert resolve_site("doncaster").base_url == "https://doncaster.moderngov.co.uk"
    assert resolve_site("Rotherham").base_url == "https://moderngov.rotherham.gov.uk"
    assert resolve_site("https://doncaster.moderngov.co.uk/mgWebService.asmx/GetCommittees").authority == "Doncaster"
    with pytest.raises(ScrutinyError, match="No ModernGov site is registered for 'atlantis'"):
        resolve_site("atlantis")
    with pytest.raises(ScrutinyError, match="--authority"):
        resolve_site(site.url)
    with pytest.raises(ScrutinyError, match="No committee .* 'planning'"):
        list(Fetch(site.url, tmp_path, authority="Manchester", committees=["planning"],
                   settings=FetchSettings(delay=0)).run())


def test_the_recorded_meeting_is_read_as_the_site_shows_it():
    meeting = parse_meeting((FIXTURES / "meeting_with_minutes.xml").read_bytes())
    assert (meeting.id, meeting.date, meeting.status) == ("4967", "2026-02-10", "Confirmed")
    assert [(i.number, i.title) for i in meeting.items] == [("1", "Minutes"), ("9", "Work Programme")]
    assert meeting.items[0].documents[0].url == "https://democracy.manchester.gov.uk/mgConvert2PDF.aspx?ID=60860"
    assert meeting.items[0].minutes_html.startswith('<div class="WordSection1">')


def test_a_site_that_is_not_moderngov_is_refused_clearly(tmp_path):
    # A real server that answers 404 to everything: nothing to fetch, and a message saying why.
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = CliRunner().invoke(
            cli, ["fetch", f"http://127.0.0.1:{server.server_address[1]}", "--authority", "X",
                  "--corpus", str(tmp_path), *FAST],
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    assert "Could not read the committees" in result.output and "ModernGov site" in result.output


def test_fetch_is_polite_and_names_itself(site, tmp_path):
    from scrutiny import __version__

    result = run_fetch(site, tmp_path / "papers", "--committee", "163", "--delay", "0.2")
    assert result.exit_code == 0, result.output
    assert site.agents == {f"scrutiny/{__version__} (council committee papers catalogue; python-httpx)"}
    assert site.requests[0] == "/robots.txt"
    gaps = [later - earlier for earlier, later in itertools.pairwise(site.times)]
    assert len(gaps) >= 6 and min(gaps) >= 0.19  # one request at a time, 0.2 s apart


def test_files_over_the_size_limit_are_refused(site, tmp_path):
    corpus = tmp_path / "papers"
    result = run_fetch(site, corpus, "--committee", "163", "--max-size", "0.05")  # 52 kB
    assert result.exit_code == 0, result.output
    rows = manifest_rows(corpus)
    # 004 is 40,604 bytes: under the limit. The agenda front sheet (154,139) and 002 (131,531) are over.
    assert rows[f"{site.url}/mgConvert2PDF.aspx?ID=60860"]["status"] == "fetched"
    for path in ("/mgConvert2PDF.aspx?ID=60909", "/documents/s321/Slow%20Paper.pdf"):
        assert rows[site.url + path]["status"] == "failed"
        assert "over the 52,428-byte limit" in rows[site.url + path]["problem"]
    assert not list(corpus.rglob("*.pdf"))[1:]  # only the one under the limit


# --- A hostile site (issue 17): every fault is one file's problem, and the run goes on -------

PDF_A = CORPUS / "pdf" / "004_4b7e043a54d74d09.pdf"
PDF_B = CORPUS / "real" / "kcc_cabinet_2025-03-04_agenda_frontsheet.pdf"


class Elsewhere(LoopbackSite):
    """Another site on another loopback port (another host, to a client): where a hostile
    site's redirects point. It counts what it is asked for."""

    def __init__(self):
        self.requests: list[str] = []
        super().__init__()

    def answer(self, handler):
        self.requests.append(handler.path)
        if handler.path == "/robots.txt":
            body, kind = b"User-agent: *\nDisallow: /private/\n", "text/plain"
        else:
            body, kind = PDF_B.read_bytes(), "application/pdf"
        self.send(handler, 200, body, kind)


class HostileSite(ModernGovSite):
    """The ModernGov site above, whose Audit Committee meeting also links to papers that go
    wrong on purpose: a redirect loop, a body that is not the gzip it claims, a body sent a
    byte at a time, redirects to another site, two papers sharing one attachment id; and one
    good paper after them all, to show the run went on."""

    def __init__(self, elsewhere: Elsewhere):
        super().__init__()
        self.elsewhere = elsewhere
        self.trickled = 0

    def answer(self, handler):
        path = urlsplit(handler.path).path
        if path == "/mgWebService.asmx/GetMeeting" and "lMeetingId=4967" in handler.path:
            return self.send(handler, 200, _meeting_xml(self.url, "4967", HOSTILE_ITEMS), "text/xml; charset=utf-8")
        if path.startswith("/documents/loop/"):
            other = "/documents/loop/b.pdf" if path.endswith("a.pdf") else "/documents/loop/a.pdf"
            return self.send(handler, 302, b"", "text/html", {"Location": other})
        if path == "/documents/gzip/Not%20Gzip.pdf":
            return self.send(handler, 200, b"%PDF-1.4 this is not gzip", "application/pdf", {"Content-Encoding": "gzip"})
        if path == "/documents/slow/Trickle.pdf":
            body = PDF_A.read_bytes()
            handler.send_response(200)
            handler.send_header("Content-Type", "application/pdf")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            try:
                for byte in body[:300]:  # at most 300 bytes, 30 s: bounded whoever hangs up
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    self.trickled += 1
                    time.sleep(0.1)
            except OSError:
                pass
            handler.close_connection = True
            return None
        if path == "/documents/away/Moved.pdf":
            return self.send(handler, 302, b"", "text/html", {"Location": f"http://{self.elsewhere.host}/stolen.pdf"})
        if handler.path == "/mgConvert2PDF.aspx?ID=90001":
            return self.send(handler, 200, PDF_A.read_bytes(), "application/pdf")
        if handler.path == "/mgConvert2PDF.aspx?ID=90002":
            return self.send(handler, 200, PDF_B.read_bytes(), "application/pdf")
        if path == "/documents/ok/After.pdf":
            return self.send(handler, 200, PDF_A.read_bytes(), "application/pdf")
        return super().answer(handler)


HOSTILE_ITEMS = [
    {
        "title": "Papers from a hostile site",
        "documents": [
            ("/documents/loop/a.pdf", "Redirect loop", {}),
            ("/documents/gzip/Not%20Gzip.pdf", "Not the gzip it claims", {}),
            ("/documents/slow/Trickle.pdf", "A byte at a time", {}),
            ("/documents/away/Moved.pdf", "Moved to another site", {}),
            # No file name in the address, so the title names the file: the same for both.
            ("/mgConvert2PDF.aspx?ID=90001", "Appendix", {"attachmentid": "80000"}),
            ("/mgConvert2PDF.aspx?ID=90002", "Appendix", {"attachmentid": "80000"}),
            ("/documents/ok/After.pdf", "The paper after them", {}),
        ],
    }
]


@pytest.fixture
def hostile():
    elsewhere = Elsewhere()
    server = HostileSite(elsewhere)
    yield server
    server.stop()
    elsewhere.stop()


def test_a_hostile_site_costs_one_file_each_and_the_fetch_goes_on(hostile, tmp_path):
    """Issue 17, items 4, 10 and 12: a redirect loop or a body that is not the gzip it claims
    stopped the whole fetch; a body sent a byte a second never timed out; a redirect to another
    host was followed (its robots.txt unread) and the file saved and later published."""
    corpus = tmp_path / "papers"
    result = run_fetch(hostile, corpus, "--committee", "audit", "--max-time", "1")
    assert result.exit_code == 0, result.output
    rows = manifest_rows(corpus)
    url = hostile.url

    loop = rows[f"{url}/documents/loop/a.pdf"]
    assert loop["status"] == "failed" and "more than 10 redirects" in loop["problem"]
    gzip = rows[f"{url}/documents/gzip/Not%20Gzip.pdf"]
    assert gzip["status"] == "failed" and "DecodingError" in gzip["problem"]
    slow = rows[f"{url}/documents/slow/Trickle.pdf"]
    assert slow["status"] == "failed" and "took longer than 1 s in all" in slow["problem"]
    assert hostile.trickled < 100  # given up after about a second, not after the whole body
    moved = rows[f"{url}/documents/away/Moved.pdf"]
    assert moved["status"] == "failed" and f"on another site ({hostile.elsewhere.host}); not followed" in moved["problem"]
    assert hostile.elsewhere.requests == []  # not even its robots.txt

    # Two papers with one attachment id: two files, neither overwriting the other.
    one, two = rows[f"{url}/mgConvert2PDF.aspx?ID=90001"], rows[f"{url}/mgConvert2PDF.aspx?ID=90002"]
    assert one["status"] == two["status"] == "fetched" and one["file"] != two["file"]
    assert sha256(corpus / one["file"]) == sha256(PDF_A) and sha256(corpus / two["file"]) == sha256(PDF_B)
    # ... and the run went on to the papers after the faults, and the recorded ones.
    assert rows[f"{url}/documents/ok/After.pdf"]["status"] == "fetched"
    assert rows[f"{url}/mgConvert2PDF.aspx?ID=60909"]["status"] == "fetched"
    assert "failed: " + f"{url}/documents/loop/a.pdf" in result.output

    # A second run downloads none of what it holds: the twins included.
    hostile.requests.clear()
    again = run_fetch(hostile, corpus, "--committee", "audit", "--max-time", "1")
    assert again.exit_code == 0, again.output
    assert not any(p.startswith(("/mgConvert2PDF.aspx?ID=9000", "/documents/ok/")) for p in hostile.requests)


def test_a_redirect_to_a_host_the_user_names_is_followed_and_its_robots_txt_obeyed(hostile, tmp_path):
    corpus = tmp_path / "papers"
    result = run_fetch(hostile, corpus, "--committee", "audit", "--max-time", "1", "--allow-host", hostile.elsewhere.host)
    assert result.exit_code == 0, result.output
    moved = manifest_rows(corpus)[f"{hostile.url}/documents/away/Moved.pdf"]
    assert moved["status"] == "fetched" and sha256(corpus / moved["file"]) == sha256(PDF_B)
    assert hostile.elsewhere.requests == ["/robots.txt", "/stolen.pdf"]


def test_refresh_never_touches_a_file_outside_the_corpus(site, tmp_path):
    """Issue 17, item 11: a manifest row naming ../victim.pdf, on --refresh, deleted it."""
    corpus = tmp_path / "papers"
    assert run_fetch(site, corpus, "--committee", "163").exit_code == 0
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF-1.4 someone else's file\n%%EOF\n")
    manifest = corpus / "manifest.csv"
    with open(manifest, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns, table = reader.fieldnames, list(reader)
    slow = next(row for row in table if row["source_url"].endswith("Slow%20Paper.pdf"))
    slow.update(file="../victim.pdf", sha256=sha256(victim), etag="", last_modified="")
    with open(manifest, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, columns)
        writer.writeheader()
        writer.writerows(table)

    result = run_fetch(site, corpus, "--committee", "163", "--refresh")
    assert result.exit_code == 0, result.output
    assert victim.read_bytes() == b"%PDF-1.4 someone else's file\n%%EOF\n"
    row = manifest_rows(corpus)[slow["source_url"]]
    assert row["status"] == "fetched" and (corpus / row["file"]).resolve().is_relative_to(corpus.resolve())


def test_fetched_files_follow_the_umask(site, tmp_path):
    """Issue 17 (degraded): the manifest and minutes pages were 0600 whatever the umask."""
    corpus = tmp_path / "papers"
    old = os.umask(0o022)
    try:
        assert run_fetch(site, corpus, "--committee", "163").exit_code == 0
    finally:
        os.umask(old)
    modes = {p.relative_to(corpus).as_posix(): p.stat().st_mode & 0o777 for p in corpus.rglob("*") if p.is_file()}
    assert len(modes) == 6 and set(modes.values()) == {0o644}, modes


def test_a_full_disk_stops_the_fetch_with_a_message(site, tmp_path):
    """Issue 17 (degraded): a full disk gave a raw traceback."""
    corpus = tmp_path / "disk"
    fetch = [sys.executable, "-m", "scrutiny", "fetch", site.url, "--authority", "Manchester", "--committee", "163",
             "--since", "2026-01-01", "--until", "2026-03-31", "--corpus", str(corpus), *FAST]
    result = badfiles.in_small_filesystem(corpus, fetch, kilobytes=100)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"The disk holding {corpus} is full" in result.stderr and "run the same fetch again" in result.stderr
    assert "Traceback" not in result.stderr
