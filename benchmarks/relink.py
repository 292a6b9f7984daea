"""Adding one document to a large catalogue: relink time, peak memory and catalogue growth.

    python benchmarks/relink.py [--values 100000,1000000] [--authorities 350]

The large catalogues are made by copying the real extracted rows of the bundled corpus
(documents, indicators, values, commentary: their text as read) until they hold N values.
Each copy is made in SQL (``insert ... select``) with distinct keys: ids shifted by the
copy's number times the table's largest id, paths ``copyK/...``, SHA-256s of the original's
SHA-256 and K; every document of copy K is in authority "Council K mod --authorities", so
the copies spread over that many authorities as a national catalogue does (about 350
councils). The benchmark is about cost, not linking quality. Each catalogue is linked once,
then one document (seed 000 with bytes appended, in "Council 7") is added by a real
``Build``, twice, on two copies of the catalogue, each in its own process:

- before (issue 20): every indicator relinked, ``replace_links`` deleting every link and
  setting ``measure_id`` on every row, through sqlite-utils' full-text triggers that re-index
  a row on any update;
- after: ``Build`` as it is: the added document's authority relinked, only differing links
  written, full-text triggers scoped to the indexed columns.

For each: the link step's wall and CPU time, the build process's peak RSS, and how much the
catalogue file grew (after a WAL checkpoint). Machine load is printed with the figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parent.parent
SEED_000 = REPO / "corpus" / "pdf" / "000_1ce771eb6f7a434f.pdf"

COPIED = ("indicators", "indicator_values", "commentary")


def base_catalogue(folder: Path) -> Path:
    """The bundled corpus built once (the real rows every copy is made from)."""
    from scrutiny.pipeline import Build

    db_path = folder / "base.db"
    os.chdir(REPO)
    for _ in Build(None, db_path, workers=2).run():
        pass
    return db_path


def grow(base: Path, target: Path, values: int, authorities: int) -> dict:
    """Copy the base catalogue's indicator rows (and their documents) until ``values`` values."""
    shutil.copy(base, target)
    db = sqlite_utils.Database(target)
    db.execute("PRAGMA journal_mode=WAL")
    per_copy = db.execute("select count(*) from indicator_values").fetchone()[0]
    copies = -(-values // per_copy) - 1
    documents = [row for row in db.query(
        "select * from documents where id in (select document_id from indicators)")]
    id_step = {name: db.execute(f"select max(id) from [{name}]").fetchone()[0] for name in ("documents", *COPIED)}
    columns = {name: [c for c in db[name].columns_dict] for name in COPIED}
    started = time.perf_counter()
    for copy in range(1, copies + 1):
        with db.atomic():
            for document in documents:
                row = {k: v for k, v in document.items() if k != "year"}  # year: generated
                row["id"] = document["id"] + copy * id_step["documents"]
                row["path"] = f"copy{copy}/{document['path']}"
                row["sha256"] = hashlib.sha256(f"{document['sha256']}{copy}".encode()).hexdigest()
                row["authority"] = f"Council {copy % authorities}"
                db["documents"].insert(row)
            for name in COPIED:
                names = columns[name]
                values_sql = []
                for column in names:
                    if column == "id":
                        values_sql.append(f"id + {copy * id_step[name]}")
                    elif column == "document_id":
                        values_sql.append(f"document_id + {copy * id_step['documents']}")
                    elif column == "indicator_id":
                        values_sql.append(f"indicator_id + {copy * id_step['indicators']}")
                    elif column == "authority":
                        values_sql.append(
                            f"(select authority from documents d where d.id = document_id + {copy * id_step['documents']})")
                    elif column == "measure_id":
                        values_sql.append("null")
                    else:
                        values_sql.append(f"[{column}]")
                db.execute(
                    f"insert into [{name}] ({', '.join(f'[{c}]' for c in names)}) "
                    f"select {', '.join(values_sql)} from [{name}] where id <= {id_step[name]}"
                )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    counts = {name: db[name].count for name in ("documents", *COPIED)}
    counts["authorities"] = db.execute("select count(distinct authority) from documents").fetchone()[0]
    counts["made in s"] = round(time.perf_counter() - started, 1)
    db.close()
    return counts


OLD_TRIGGER = "AFTER UPDATE ON"


def unscope_triggers(db: sqlite_utils.Database) -> None:
    """Put back the update triggers sqlite-utils makes (any column re-indexes the row)."""
    for name, sql in db.execute("select name, sql from sqlite_master where type = 'trigger' and name like '%_au'").fetchall():
        if "AFTER UPDATE OF" in sql:
            table = name[:-3]
            head = sql[sql.index("AFTER UPDATE OF"): sql.index(f' ON "{table}"')]
            db.execute(f'DROP TRIGGER "{name}"')
            db.execute(sql.replace(head, "AFTER UPDATE"))


def measure(db_path: Path, papers: Path, mode: str) -> dict:
    """In a process of its own: add the document with a Build, timing its link step."""
    from scrutiny import pipeline
    from scrutiny.catalogue import changes
    from scrutiny.catalogue import measures as measure_tables

    timing = {}
    original = pipeline.Build._link_measures

    def old_link(self, catalogue) -> None:
        """Issue 20's starting point: every link remade and every row's measure_id set."""
        from scrutiny import registry
        from scrutiny.nlp.linking import link

        db = catalogue.db
        self._write_registry(catalogue)
        links = link(measure_tables.indicator_refs(db), registry.load_registry(), [])
        measure_tables.replace_links(db, links)
        changes.mark(db, self.LINK_STEP, changes.latest(db))
        self.summary.links_changed = len(links)
        self.summary.relinked_authorities = None  # every one

    def timed(self, catalogue) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        (old_link if mode == "before" else original)(self, catalogue)
        timing["link wall s"] = round(time.perf_counter() - wall, 2)
        timing["link CPU s"] = round(time.process_time() - cpu, 2)

    pipeline.Build._link_measures = timed
    if mode == "before":
        with sqlite_utils.Database(db_path) as db:
            unscope_triggers(db)
    before = db_path.stat().st_size
    wall = time.perf_counter()
    job = pipeline.Build([papers], db_path, workers=1, ocr="never")
    if mode == "before":  # the catalogue as it was: no scoped triggers to put back
        from scrutiny.catalogue import store

        store.scope_fts_triggers = lambda db: None
    outcomes = [o.action for o in job.run()]
    timing["build wall s"] = round(time.perf_counter() - wall, 2)
    with sqlite_utils.Database(db_path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    timing["outcomes"] = outcomes
    timing["links changed"] = job.summary.links_changed
    timing["authorities relinked"] = job.summary.relinked_authorities
    timing["growth MB"] = round((db_path.stat().st_size - before) / 1e6, 1)
    timing["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", default="100000,1000000")
    parser.add_argument("--authorities", type=int, default=350)
    parser.add_argument("--measure", nargs=3, metavar=("DB", "PAPERS", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        db_path, papers, mode = args.measure
        print(json.dumps(measure(Path(db_path), Path(papers), mode)))
        return
    print(f"CPUs: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        base = base_catalogue(scratch)
        papers = scratch / "new"
        papers.mkdir()
        (papers / "new_report.pdf").write_bytes(SEED_000.read_bytes() + b"\n% one more document\n")
        (papers / "manifest.csv").write_text("file,authority\nnew_report.pdf,Council 7\n")
        for values in (int(v) for v in args.values.split(",")):
            big = scratch / f"values{values}.db"
            counts = grow(base, big, values, args.authorities)
            print(f"\n{values:,} values wanted: {json.dumps(counts)}; file {big.stat().st_size / 1e6:.0f} MB")
            # Linked once, as a catalogue is before a document is added (not timed).
            from scrutiny.pipeline import Build

            for _ in Build([], big, workers=1).run():
                pass
            for mode in ("before", "after"):
                copy = scratch / f"{mode}.db"
                shutil.copy(big, copy)
                result = subprocess.run(
                    [sys.executable, __file__, "--measure", str(copy), str(papers), mode],
                    capture_output=True, text=True, check=True, cwd=REPO,
                )
                print(f"  {mode:<6} {result.stdout.strip()}  (load {os.getloadavg()[0]:.1f})")
                copy.unlink()
            big.unlink()


if __name__ == "__main__":
    main()
