"""Full-text search through Datasette's JSON API on a catalogue scaled to 100,000 pages
and 1,000,000 indicator rows.

    python benchmarks/search_speed.py [--pages 100000] [--indicators 1000000]
                                      [--requests 200] [--keep DIR]

The catalogue is generated in a temporary folder (or DIR, reused when it is already
there): the schema from ``scrutiny.catalogue.Catalogue``; pages made of lines drawn at
random from the bundled corpus's real pages, so the words and their frequencies are a
council paper's; indicator rows whose titles and contexts are lines of the same pages.
Then a real server (``scrutiny serve``) answers ``/<db>/pages.json?_search=...`` and
``/<db>/indicator_values.json?_search=...`` for a mix of common, middling and rare words and
phrases, as they are and with ``_nocount=1`` and ``_nofacet=1`` (by default Datasette counts
every match, and computes the facets metadata.yml names for the table). Printed:
median and 95th percentile per table (goal: p95 < 100 ms), against the same search run
directly on SQLite in this process (the baseline), and against ``datasette serve`` with
Datasette's default settings, to show what serve.py's settings buy.

Then the one search box (``/-/search?q=...``, scrutiny's own page: each of measures,
indicator_values, commentary, resolutions, actions and pages counted up to 1,000 matches, and its
best 5 by rank, or its first 5 when there are more than 1,000), against the same queries run directly on SQLite (its baseline).

``indicator_values`` is made here with the columns agreed for it (id, document_id, authority,
page, code, title, measure_id, period, period_start, period_end, value, unit, target,
tolerance, rag, kind, method, context) and an FTS index on title, context and code, when
the catalogue schema does not have the table yet.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import sqlite_utils

from scrutiny.catalogue import Catalogue, load_metadata
from scrutiny.extract import read_document
from scrutiny.records import Page

REPO = Path(__file__).resolve().parent.parent

INDICATOR_COLUMNS = {
    "id": int, "document_id": int, "indicator_id": int, "authority": str, "page": int, "code": str, "title": str,
    "measure_id": int, "period": str, "period_start": str, "period_end": str, "value": float,
    "unit": str, "target": float, "tolerance": float, "rag": str, "kind": str, "method": str,
    "context": str,
}  # fmt: skip
AUTHORITIES = ["Doncaster", "Rotherham", "Kent", "Sheffield", "Barnsley", "Leeds", "Hull", "York"]
COMMITTEES = ["Cabinet", "Children and Young People's Scrutiny Panel", "Corporate Parenting Panel", "Council"]
# Searched terms: very common, middling and rare in the bundled corpus, and phrases.
QUERIES = [
    "children", "council", "performance", "placement", "adoption", "re-referrals",
    "care leavers", "looked after", "timeliness", "safeguarding", "Ofsted", "fostering",
    "child protection plan", "NEET", "assessment", "budget", "missing", "exploitation",
]


def corpus_lines() -> list[str]:
    lines = []
    for pdf in sorted((REPO / "corpus").rglob("*.pdf")):
        for item in read_document(pdf):
            if isinstance(item, Page):
                lines.extend(line for line in item.text.splitlines() if len(line.split()) >= 3)
    return lines


def generate(db_path: Path, pages: int, indicators: int, seed: int = 8) -> None:
    rng = random.Random(seed)
    lines = corpus_lines()
    Catalogue(db_path).close()  # the real schema: documents, pages, problems, FTS, triggers
    db = sqlite_utils.Database(db_path)
    pages_per_document = 20
    documents = pages // pages_per_document
    started = time.perf_counter()
    with db.conn:
        db["documents"].insert_all(
            {
                "id": n,
                "path": f"papers/{n:06d}.pdf",
                "sha256": f"{n:064x}",
                "title": rng.choice(lines)[:120],
                "authority": rng.choice(AUTHORITIES),
                "committee": rng.choice(COMMITTEES),
                "meeting_date": f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "kind": rng.choice(["report", "minutes", "agenda", "inspection"]),
                "page_count": pages_per_document,
                "format": "pdf",
                "size": 100_000,
            }
            for n in range(1, documents + 1)
        )
        db["pages"].insert_all(
            (
                {"document_id": d, "page": p, "text": "\n".join(rng.choices(lines, k=35))}
                for d in range(1, documents + 1)
                for p in range(1, pages_per_document + 1)
            ),
            batch_size=2000,
        )
    print(f"  {pages} pages with their FTS index: {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    if "indicator_values" not in db.table_names():
        db["indicator_values"].create(INDICATOR_COLUMNS, pk="id")
    titles = [line[:100] for line in rng.sample(lines, 3000)]
    with db.conn:
        if "indicators" in db.table_names():  # the real schema: every value names its measure
            db["indicators"].insert_all(
                {"id": i + 1, "document_id": 1, "key": f"table:1:{i + 1}", "page": 1, "title": title}
                for i, title in enumerate(titles)
            )
        db["indicator_values"].insert_all(
            (
                {
                    "id": n,
                    "document_id": (document := rng.randint(1, documents)),
                    "authority": AUTHORITIES[document % len(AUTHORITIES)],
                    "page": rng.randint(1, pages_per_document),
                    "code": f"{rng.choice('ABCDE')}{rng.randint(1, 40)}",
                    "indicator_id": (measure := rng.randrange(len(titles))) + 1,
                    "title": titles[measure],
                    "measure_id": measure if n % 3 else None,
                    "period": f"Q{rng.randint(1, 4)} {rng.randint(2015, 2025)}",
                    "value": round(rng.uniform(0, 100), 1),
                    "unit": "%",
                    "target": 90.0,
                    "tolerance": 80.0,
                    "rag": rng.choice(["red", "amber", "green"]),
                    "kind": "actual",
                    "method": "table",
                    "context": rng.choice(lines),
                }
                for n in range(1, indicators + 1)
            ),
            batch_size=5000,
        )
    db["indicator_values"].create_index(["document_id"], if_not_exists=True)
    if not db["indicator_values"].detect_fts():
        db["indicator_values"].enable_fts(["title", "context", "code"], tokenize="porter", create_triggers=True)
    db.execute("analyze")
    db.close()
    print(f"  {indicators} indicator rows with their FTS index: {time.perf_counter() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(command: list[str], port: int) -> subprocess.Popen:
    process = subprocess.Popen([*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{command} did not start")


def percentiles(times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"median {statistics.median(times) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def over_http(port: int, database: str, table: str, requests: int, extra: dict) -> tuple[list[float], dict[str, float]]:
    """Times of ``requests`` searches, and the slowest time for each searched term."""
    times, slowest = [], {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for query in QUERIES[:3]:  # warm the page cache, as a running server has
            client.get(f"/{database}/{table}.json", params={"_search": query}).raise_for_status()
        for n in range(requests):
            query = QUERIES[n % len(QUERIES)]
            started = time.perf_counter()
            response = client.get(f"/{database}/{table}.json", params={"_search": query, **extra})
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            assert response.json()["rows"], query  # every term is in the corpus
            times.append(elapsed)
            slowest[query] = max(slowest.get(query, 0), elapsed)
    return times, slowest


def in_sqlite(db_path: Path, table: str, requests: int) -> list[float]:
    """The baseline: the same search as plain SQL, first 100 rows and the count, as Datasette asks."""
    db = sqlite3.connect(db_path)
    times = []
    for n in range(requests):
        query = " ".join(f'"{word}"' for word in QUERIES[n % len(QUERIES)].split())
        started = time.perf_counter()
        matching = f"select rowid from {table}_fts where {table}_fts match ?"
        db.execute(f"select * from {table} where rowid in ({matching}) limit 101", [query]).fetchall()
        db.execute(f"select count(*) from {table} where rowid in ({matching})", [query]).fetchone()
        times.append(time.perf_counter() - started)
    db.close()
    return times


def search_everything_in_sqlite(db_path: Path, requests: int) -> list[float]:
    """The baseline for /-/search: per searched table, a count to 1,000, then the best 5 by rank
    (or the first 5, past 1,000 matches), as site.py asks."""
    from scrutiny.catalogue.site import COUNTED, SEARCHED, SHOWN

    db = sqlite3.connect(db_path)
    tables = [t for t in SEARCHED if db.execute("select 1 from sqlite_master where name = ?", [f"{t}_fts"]).fetchone()]
    times = []
    for n in range(requests):
        query = " ".join(f'"{word}"' for word in QUERIES[n % len(QUERIES)].split())
        started = time.perf_counter()
        for table in tables:
            fts = f"{table}_fts"
            count = db.execute(
                f"select count(*) from (select 1 from {fts} where {fts} match ? limit {COUNTED + 1})", [query]
            ).fetchone()[0]
            order = "order by rank" if count <= COUNTED else ""
            db.execute(
                f"select t.*, snippet({fts}, -1, '[', ']', '...', 20) from {fts} join {table} t on t.rowid = {fts}.rowid "
                f"where {fts} match ? {order} limit {SHOWN}", [query]
            ).fetchall()
        times.append(time.perf_counter() - started)
    db.close()
    return times


def search_everything_over_http(port: int, requests: int) -> tuple[list[float], dict[str, float]]:
    times, slowest = [], {}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        for query in QUERIES[:3]:
            client.get("/-/search", params={"q": query}).raise_for_status()
        for n in range(requests):
            query = QUERIES[n % len(QUERIES)]
            started = time.perf_counter()
            client.get("/-/search", params={"q": query}).raise_for_status()
            elapsed = time.perf_counter() - started
            times.append(elapsed)
            slowest[query] = max(slowest.get(query, 0), elapsed)
    return times, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per table")
    parser.add_argument("--keep", type=Path, help="generate into (or reuse) this folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db_path = folder / f"scaled_{args.pages}_{args.indicators}.db"
        if not db_path.exists():
            print(f"generating {db_path} ...")
            generate(db_path, args.pages, args.indicators)
        print(f"catalogue: {db_path.stat().st_size / 1e6:.0f} MB, {args.pages} pages, {args.indicators} indicator rows")
        database = db_path.stem
        metadata = folder / "metadata.json"
        metadata.write_text(json.dumps(load_metadata(db_path)))
        for table in ("pages", "indicator_values"):
            print(f"{table}: {percentiles(in_sqlite(db_path, table, args.requests))}  (SQLite directly: baseline)")
        servers = {
            "scrutiny serve": [sys.executable, "-m", "scrutiny", "serve", "--db", str(db_path)],
            # The same metadata (facets) as scrutiny serve gives it, Datasette's default settings.
            "datasette serve, default settings": [
                sys.executable, "-m", "datasette", "serve", str(db_path), "--metadata", str(metadata)
            ],
        }
        print(f"/-/search: {percentiles(search_everything_in_sqlite(db_path, args.requests))}  (SQLite directly: baseline)")
        for name, command in servers.items():
            requests = args.requests if name == "scrutiny serve" else max(1, args.requests // 5)
            port = free_port()
            server = serve(command, port)
            try:
                if name == "scrutiny serve":
                    times, slowest = search_everything_over_http(port, requests)
                    worst = sorted(slowest, key=slowest.get, reverse=True)[:3]
                    print(
                        f"/-/search: {percentiles(times)}  ({name}, ?q=...; "
                        f"slowest: {', '.join(f'{q} {slowest[q] * 1000:.0f} ms' for q in worst)})"
                    )
                for table in ("pages", "indicator_values"):
                    variants = ({}, {"_nocount": "1"}, {"_nocount": "1", "_nofacet": "1"})
                    if name != "scrutiny serve":
                        variants = variants[:1]  # seconds a request: enough to compare
                    for extra in variants:
                        times, slowest = over_http(port, database, table, requests, extra)
                        worst = sorted(slowest, key=slowest.get, reverse=True)[:3]
                        options = "".join(f"&{key}=1" for key in extra)
                        print(
                            f"{table}: {percentiles(times)}  ({name}, ?_search=...{options}; "
                            f"slowest: {', '.join(f'{q} {slowest[q] * 1000:.0f} ms' for q in worst)})"
                        )
            finally:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
