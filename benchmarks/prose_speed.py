"""How long prose extraction takes, against reading the same PDFs, in one process.

Run from the repository root: ``python benchmarks/prose_speed.py [PDF ...]`` (default: the
bundled seed and real PDFs). Prints seconds per page for pdfplumber's reading (the baseline)
and for scrutiny.nlp.prose over the pages read, and their ratio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from scrutiny.extract import read_document
from scrutiny.nlp.prose import pipeline, prose_indicators
from scrutiny.records import IndicatorValue, Page

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def main(paths: list[Path]) -> None:
    pipeline()  # building the spaCy pipeline is a one-off cost, not per page
    started = time.perf_counter()
    documents = [[item for item in read_document(path) if isinstance(item, Page)] for path in paths]
    reading = time.perf_counter() - started
    pages = sum(len(document) for document in documents)
    started = time.perf_counter()
    values = sum(
        isinstance(record, IndicatorValue) for document in documents for record in prose_indicators(document)
    )
    prose = time.perf_counter() - started
    print(f"{len(paths)} documents, {pages} pages, {values} prose values")
    print(f"reading (pdfplumber): {reading:.2f} s, {1000 * reading / pages:.1f} ms a page")
    print(f"prose (spaCy rules):  {prose:.2f} s, {1000 * prose / pages:.1f} ms a page")
    print(f"prose / reading: {prose / reading:.2f}")


if __name__ == "__main__":
    given = [Path(arg) for arg in sys.argv[1:]]
    main(given or sorted((CORPUS / "pdf").glob("*.pdf")) + sorted((CORPUS / "real").glob("*.pdf")))
