"""How fast scrutiny fetch works a ModernGov-shaped site on loopback, and what a re-run costs.

Serves the recorded GetMeeting answer (tests/fixtures/moderngov/) with DOCS linked documents,
each a real PDF from the bundled corpus, then fetches it twice with no delay: the first run
downloads everything, the second (the incremental case) hashes what it holds and downloads
nothing. Also times the manifest, which is rewritten after every file.

    python benchmarks/fetch_moderngov.py [DOCS]
"""

from __future__ import annotations

import copy
import datetime
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scrutiny.corpus import Fetch, FetchSettings
from scrutiny.corpus.manifest import FetchManifest
from scrutiny.records import FetchedFile

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "moderngov"
PDF = (REPO / "corpus" / "pdf" / "000_1ce771eb6f7a434f.pdf").read_bytes()


def meeting_xml(base: str, docs: int) -> bytes:
    text = (FIXTURES / "meeting_with_minutes.xml").read_text(encoding="utf-8")
    text = text.replace("https://democracy.manchester.gov.uk", base)  # never the real site
    root = ET.fromstring(text)
    linked = root.find("agendaitems/agendaitem/linkeddocuments")
    template = linked.find("linkeddoc")
    linked.remove(template)
    for n in range(docs):
        doc = copy.deepcopy(template)
        doc.find("attachmentid").text = str(n)
        doc.find("title").text = f"Report {n}"
        doc.find("url").text = f"{base}/documents/s{n}/Report%20{n}.pdf"
        linked.append(doc)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def serve(docs: int) -> tuple[ThreadingHTTPServer, list[str]]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            requests.append(self.path)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path.startswith("/mgWebService.asmx/GetCommittees"):
                body, kind = (FIXTURES / "committees.xml").read_bytes(), "text/xml"
            elif self.path.startswith("/mgWebService.asmx/GetMeetings"):
                body, kind = (FIXTURES / "meetings.xml").read_bytes(), "text/xml"
            elif self.path.startswith("/mgWebService.asmx/GetMeeting"):
                body, kind = meeting_xml(base, docs), "text/xml"
            elif self.path.startswith(("/documents/", "/mgConvert2PDF.aspx")):
                body, kind = PDF, "application/pdf"
            else:
                body, kind = b"", "text/plain"
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, requests


def timed_fetch(url: str, corpus: Path) -> tuple[float, str]:
    job = Fetch(
        url, corpus, authority="Manchester", committees=["144"],
        since=datetime.date(2026, 1, 1), until=datetime.date(2026, 3, 31),
        settings=FetchSettings(delay=0, backoff=0),
    )
    start = time.perf_counter()
    for _ in job.run():
        pass
    return time.perf_counter() - start, str(job.summary)


def main() -> None:
    docs = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server, requests = serve(docs)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "papers"
        first, summary = timed_fetch(url, corpus)
        print(f"first run:  {first:.2f} s for {docs} documents of {len(PDF):,} bytes "
              f"({docs / first:.0f} documents/s) -- {summary}")
        served = len(requests)
        second, summary = timed_fetch(url, corpus)
        print(f"second run: {second:.2f} s, {len(requests) - served} requests "
              f"(ratio second/first {second / first:.2f}) -- {summary}")

        # The manifest is rewritten after every file: its cost grows with its length.
        for rows in (100, 1000, 5000):
            manifest = FetchManifest(Path(tmp) / f"m{rows}" / "manifest.csv")
            start = time.perf_counter()
            for n in range(rows):
                manifest.put(FetchedFile(source_url=f"{url}/documents/s{n}/x.pdf", status="fetched",
                                         file=f"a/b/{n}.pdf", title=f"Report {n}", sha256="0" * 64))
            elapsed = time.perf_counter() - start
            print(f"manifest: {rows} rows written one put at a time in {elapsed:.2f} s "
                  f"(mean {elapsed / rows * 1000:.2f} ms per put)")
    server.shutdown()


if __name__ == "__main__":
    main()
