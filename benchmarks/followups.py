"""Follow-ups: how well requests and their returns are found, and how long linking takes.

Quality: the bundled corpus is built (or ``--db`` names a catalogue built from it) and its
``requests`` and ``returns`` are scored against benchmarks/data/gold_requests.tsv, labels read off
every minutes document of the corpus:

- requests: found right (a labelled request found), wrong (found where the label says it is not a
  request, or a request no label names), missed;
- returns: found right (the labelled return, taken automatically or pending review), wrong (a
  return taken where the label has another or none), missed; pending offers are counted apart.

Speed: a 10-year, 200-meeting committee, made by copying the real Kent minutes' agenda items,
resolutions and actions (and the real Cabinet agenda front sheet) to 200 distinct meeting dates
18 days apart. It measures cost, not quality: the copies' requests find copies of their returns.
It times the build's follow-up step on it: the first linking, a build with nothing changed, and
one with one more meeting; and, as a baseline in the same process, reading the same minutes out of
the catalogue and cutting them into sentences.

    python benchmarks/followups.py              # build the bundled corpus, then score and time
    python benchmarks/followups.py --db catalogue.db   # score an existing build of it
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import sqlite_utils

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "benchmarks" / "data" / "gold_requests.tsv"
sys.path.insert(0, str(REPO))

from scrutiny.catalogue import Catalogue  # noqa: E402
from scrutiny.followups import follow_up  # noqa: E402


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'")))


def labels() -> list[dict]:
    with open(GOLD, encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def build_corpus(db_path: Path) -> None:
    from click.testing import CliRunner

    from scrutiny.cli import cli

    here = os.getcwd()
    os.chdir(REPO)
    try:
        result = CliRunner().invoke(cli, ["build", "--db", str(db_path)])
    finally:
        os.chdir(here)
    if result.exit_code != 0:
        raise SystemExit(result.output)


def score(db_path: Path) -> None:
    gold = labels()
    with sqlite_utils.Database(db_path) as db:
        found = list(db.query(
            "select q.id, d.path, q.text, q.item, q.status, r.committee as return_committee, r.meeting_date as return_date, "
            "r.title as return_title, r.status as return_status from requests q join documents d on d.id = q.document_id "
            "left join returns r on r.id = q.return_id"))  # fmt: skip
    labelled_documents = {row["document"] for row in gold}
    matched: set[int] = set()
    right = wrong = missed = 0
    returns = {"right": 0, "pending right": 0, "wrong": 0, "missed": 0, "labelled": 0}
    for label in gold:
        excerpt = _words(label["request"])
        hits = [row for row in found if Path(row["path"]).name == label["document"] and excerpt in _words(row["text"])
                and row["id"] not in matched]  # fmt: skip
        if label["is_request"] == "no":
            if hits:
                wrong += 1
                matched.add(hits[0]["id"])
                print(f"  wrong request: {label['document']} p{label['page']}: {label['request'][:70]}")
            continue
        if label["return"] and "|" not in label["return"]:  # a deferred item, told apart by its title
            hits = [row for row in hits if (row["item"] or "").lower() == label["return"].lower()] or hits
        if not hits:
            missed += 1
            print(f"  missed request: {label['document']} p{label['page']}: {label['request'][:70]}")
            continue
        row = hits[0]
        matched.add(row["id"])
        right += 1
        expected = label["return"].split("|") if "|" in label["return"] else None
        got = row["return_title"] is not None and row["return_status"] in ("automatic", "confirmed", "pending")
        if expected:
            returns["labelled"] += 1
            committee, day, title = expected
            same = got and row["return_committee"] == committee and row["return_date"] == day and \
                _words(title) in _words(row["return_title"])  # fmt: skip
            if same:
                returns["pending right" if row["return_status"] == "pending" else "right"] += 1
            elif got and row["return_status"] != "pending":
                returns["wrong"] += 1
                print(f"  wrong return: {label['request'][:50]} -> {row['return_title']}")
            else:
                returns["missed"] += 1
                print(f"  missed return: {label['request'][:50]} (expected {title} at {committee}, {day})")
        elif got and row["return_status"] != "pending":
            returns["wrong"] += 1
            print(f"  wrong return: {label['request'][:50]} -> {row['return_title']} ({row['return_date']})")
    unlabelled = [row for row in found if row["id"] not in matched and Path(row["path"]).name in labelled_documents]
    for row in unlabelled:
        print(f"  wrong request (no label): {Path(row['path']).name}: {row['text'][:70]}")
    wrong += len(unlabelled)
    total = sum(1 for label in gold if label["is_request"] == "yes")
    print(f"requests: {total} labelled; found right {right}, wrong {wrong}, missed {missed}")
    print(f"returns:  {returns['labelled']} labelled; found right {returns['right']} automatic + "
          f"{returns['pending right']} pending review, wrong {returns['wrong']}, missed {returns['missed']}")


# --- Speed: a 200-meeting committee ------------------------------------------------------

MEETINGS = 200


def _source(db_path: Path) -> dict[str, list[dict]]:
    with sqlite_utils.Database(db_path) as db:
        kent = [row["id"] for row in db.query(
            "select id from documents where authority = 'Kent' and kind = 'minutes' order by meeting_date")]
        agenda = next(db.query("select d.id, p.text from documents d join pages p on p.document_id = d.id "
                               "where d.kind = 'agenda' and d.authority = 'Kent'"))  # fmt: skip
        return {
            "documents": kent,
            "agenda": [agenda],
            "items": list(db.query(f"select * from agenda_items where document_id in ({','.join(map(str, kent))})")),
            "resolutions": list(db.query(f"select * from resolutions where document_id in ({','.join(map(str, kent))})")),
            "actions": list(db.query(f"select * from actions where document_id in ({','.join(map(str, kent))})")),
        }


def _add_meeting(db: sqlite_utils.Database, source: dict, number: int, day: str) -> None:
    """One meeting of the committee: a copy of one real Kent minutes document's rows, and the real
    agenda front sheet, dated ``day``."""
    original = source["documents"][number % len(source["documents"])]
    facts = {"authority": "Kent", "committee": "Cabinet", "meeting_date": day}
    with db.atomic():
        minutes = db["documents"].insert({"path": f"scale/{day}/minutes.pdf", "sha256": f"m{number}", "kind": "minutes",
                                          "title": f"Minutes {day}", "format": "pdf", **facts}).last_pk  # fmt: skip
        agenda = db["documents"].insert({"path": f"scale/{day}/agenda.pdf", "sha256": f"a{number}", "kind": "agenda",
                                         "title": f"Agenda {day}", "format": "pdf", **facts}).last_pk  # fmt: skip
        db["pages"].insert({"document_id": agenda, "page": 1, "text": source["agenda"][0]["text"]})
        items = {}
        for row in source["items"]:
            if row["document_id"] == original:
                copy = {k: v for k, v in row.items() if k not in ("id", "year")}
                items[row["id"]] = db["agenda_items"].insert({**copy, **facts, "document_id": minutes}).last_pk
        resolutions = {}
        for row in source["resolutions"]:
            if row["document_id"] == original:
                copy = {k: v for k, v in row.items() if k not in ("id", "year")}
                resolutions[row["id"]] = db["resolutions"].insert({
                    **copy, **facts, "document_id": minutes, "agenda_item_id": items.get(row["agenda_item_id"])}).last_pk
        for row in source["actions"]:
            if row["document_id"] == original:
                copy = {k: v for k, v in row.items() if k not in ("id", "year")}
                db["actions"].insert({**copy, **facts, "document_id": minutes,
                                      "agenda_item_id": items.get(row["agenda_item_id"]),
                                      "resolution_id": resolutions.get(row["resolution_id"])})  # fmt: skip


def scale(db_path: Path) -> None:
    source = _source(db_path)
    start = datetime.date(2015, 1, 8)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "committee.db"
        review = Path(folder) / "committee.returns.csv"
        with Catalogue(path) as catalogue:
            for number in range(MEETINGS):
                _add_meeting(catalogue.db, source, number, (start + datetime.timedelta(days=18 * number)).isoformat())
            db = catalogue.db
            counts = {t: db[t].count for t in ("agenda_items", "resolutions", "actions")}
            print(f"speed: one committee, {MEETINGS} meetings {start.isoformat()} to "
                  f"{(start + datetime.timedelta(days=18 * (MEETINGS - 1))).isoformat()} (copies of the real Kent "
                  f"minutes: cost, not quality): {counts['agenda_items']} agenda items, {counts['resolutions']} "
                  f"resolutions, {counts['actions']} actions")
            began = time.perf_counter()
            first = follow_up(catalogue, review)
            linking = time.perf_counter() - began
            requests = db["requests"].count
            returned = db.execute("select count(*) from requests where return_id is not null").fetchone()[0]
            print(f"  first linking: {requests} requests, {returned} with a return, in {linking:.2f} s "
                  f"({first.relinked})")
            began = time.perf_counter()
            again = follow_up(catalogue, review)
            unchanged = time.perf_counter() - began
            print(f"  a build with nothing changed: {unchanged:.3f} s (relinked {again.relinked or 'nothing'})")
            _add_meeting(db, source, MEETINGS, (start + datetime.timedelta(days=18 * MEETINGS)).isoformat())
            began = time.perf_counter()
            follow_up(catalogue, review)
            one_more = time.perf_counter() - began
            print(f"  a build with one more meeting: {one_more:.2f} s (the committee's authority relinked whole)")
            # Baseline, same process: reading the committee's minutes out of the catalogue and cutting
            # them into sentences, the least any follow-up step must do.
            from scrutiny.catalogue import followups as tables
            from scrutiny.extract.requests import sentences

            began = time.perf_counter()
            pieces = sum(len(sentences(text.text)) for text in tables.minute_texts(db, "Kent"))
            reading = time.perf_counter() - began
            print(f"  baseline: reading its minutes ({pieces} sentences) {reading:.2f} s; first linking = "
                  f"{linking / reading:.1f} x that, {1000 * linking / max(requests, 1):.1f} ms a request "
                  "(spaCy's start-up, about 1.5 s, included)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="a catalogue built from the bundled corpus (default: build one)")
    parser.add_argument("--no-speed", action="store_true", help="score only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db_path = args.db
        if db_path is None:
            db_path = Path(folder) / "catalogue.db"
            print("building the bundled corpus ...", flush=True)
            build_corpus(db_path)
        score(db_path)
        if not args.no_speed:
            scale(db_path)


if __name__ == "__main__":
    main()
