"""Reading the bundled PDFs with pdfplumber's ``Table.bbox`` worked out once per table (now)
and once per character and table (before issue 20), in the same process, alternating.

    python benchmarks/table_bbox.py [--repeat 3]

``Table.bbox`` is a property that takes the min and max over every cell each time it is read;
the filter that keeps the text outside a page's tables read it for every character and
table. The "before" reader is the current ``read_tables`` with that one line put back (its
source, edited, so the two differ in nothing else). Prints CPU seconds (``process_time``)
and the ratio, for every bundled PDF and for the table-heavy ones (Doncaster and Rotherham's
seeds, the Kent performance reports). tests/test_extract_pdf_fast.py checks that the tables
and the text outside them equal pdfplumber's own on every bundled page.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import statistics
import textwrap
import time
from pathlib import Path

from scrutiny.extract import read_document, tables

REPO = Path(__file__).resolve().parent.parent

NOW = "boxes = [table.bbox for table in found]"
BEFORE = "boxes = found"


def pdfs() -> list[Path]:
    found: dict[str, Path] = {}
    for path in sorted((REPO / "corpus").rglob("*.pdf")):
        found.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), path)
    return list(found.values())


def before_reader():
    """``read_tables`` as it was: ``table.bbox`` read inside the per-character filter."""
    source = textwrap.dedent(inspect.getsource(tables.read_tables))
    assert NOW in source and "_overlaps(c, box)" in source
    source = source.replace(NOW, BEFORE).replace("_overlaps(c, box)", "_overlaps(c, box.bbox)")
    namespace = dict(vars(tables))
    exec(compile(source, tables.__file__, "exec"), namespace)
    return namespace["read_tables"]


def cpu_of(paths: list[Path]) -> float:
    started = time.process_time()
    for path in paths:
        for _ in read_document(path):
            pass
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from scrutiny.extract import pdf

    now, before = pdf.read_tables, before_reader()
    every = pdfs()
    heavy = [p for p in every if p.parent.name == "pdf" or "performance" in p.name or "QPR" in p.name]
    print(f"CPUs: {os.cpu_count()}; load: {os.getloadavg()[0]:.1f}; {len(every)} PDFs, {len(heavy)} table-heavy")
    for label, paths in (("every bundled PDF", every), ("table-heavy PDFs", heavy)):
        cpu_of(paths[:1])  # imports and caches warm
        ratios, figures = [], {"before": [], "now": []}
        for _ in range(args.repeat):
            for name, reader in (("before", before), ("now", now)):
                pdf.read_tables = reader
                figures[name].append(cpu_of(paths))
            pdf.read_tables = now
            ratios.append(figures["now"][-1] / figures["before"][-1])
        print(
            f"{label}: before {statistics.median(figures['before']):.2f} CPU s, "
            f"now {statistics.median(figures['now']):.2f} CPU s, ratio {statistics.median(ratios):.2f} "
            f"(median of {args.repeat}; load {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
