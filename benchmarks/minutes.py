"""How long minutes extraction takes, against reading the same documents (the baseline).

Run from the repository root: ``python benchmarks/minutes.py [FILE ...]`` (default: the
bundled minutes). Prints, per document, the time to read its pages, to find its items,
resolutions and actions (text rules), and to find its entities (spaCy rules), and the
ratios of the last two to the first. Timings are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scrutiny.extract import describe, read_document
from scrutiny.extract.minutes import minute_records
from scrutiny.nlp.entities import entities, entity_pipeline
from scrutiny.records import AgendaItem, Document, Page

REPO = Path(__file__).resolve().parent.parent
DEFAULT = [
    REPO / "corpus/real/kcc_corporate_parenting_panel_2024-10-29_minutes.pdf",
    REPO / "corpus/real/kcc_cabinet_2025-01-09_minutes.pdf",
    REPO / "corpus/pdf/004_4b7e043a54d74d09.pdf",
    REPO / "tests/fixtures/seeds/004_4b7e043a54d74d09.txt",
]


def best(repeat: int, fn):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    entity_pipeline()
    print(f"building the entity pipeline (once per process): {time.perf_counter() - start:.3f} s")
    print(f"{'document':58} {'pages':>5} {'read s':>8} {'rules s':>8} {'ents s':>8} {'rules/read':>10} {'ents/read':>9}")
    for path in args.files:
        read, pages = best(args.repeat, lambda path=path: [p for p in read_document(path) if isinstance(p, Page)])
        facts = describe(pages[:3], str(path))
        document = Document(str(path), "", path.suffix[1:], 0, len(pages), kind=facts.kind or "minutes")
        rules, records = best(args.repeat, lambda d=document, p=pages: list(minute_records(None, d, p)))
        items = [r for r in records if isinstance(r, AgendaItem)]
        ents, found = best(args.repeat, lambda i=items, p=pages: list(entities(i, p)))
        print(
            f"{path.name[:58]:58} {len(pages):5} {read:8.3f} {rules:8.3f} {ents:8.3f} "
            f"{rules / read:10.2f} {ents / read:9.2f}   ({len(records)} records, {len(found)} entities)"
        )


if __name__ == "__main__":
    main()
