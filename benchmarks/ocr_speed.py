"""OCR against text extraction on the same real pages: seconds a page, and how well it reads.

Run from the repository root: ``python benchmarks/ocr_speed.py [--dpi 200] [--repeat 1]``.

Each page below is read twice: from its PDF's text layer (scrutiny's reader, the baseline)
and from a scan of it made here (the page rendered at ``--dpi`` and written as an image-only
PDF, as tests/badfiles.py makes them), which scrutiny renders again and reads by OCR. It
prints, per page, both times and their ratio; the word accuracy of OCR (the share of the
text layer's words that OCR read exactly, as a bag of words); and, over all pages, how often
OCR's words are right above and below the confidence that marks a page or a value uncertain
(``LOW_OCR_CONFIDENCE``), and what Tesseract costs to start (one process per page).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from badfiles import image_pdf, one_page

from scrutiny.extract.ocr import OcrPlan, OcrSettings, engine_problem
from scrutiny.extract.pdf import read_pdf
from scrutiny.records import LOW_OCR_CONFIDENCE, Page

#: Real pages of several layouts: measure tables, a minutes page, Welsh and Kent reports,
#: a parish council's minutes.
PAGES = [
    ("corpus/pdf/000_1ce771eb6f7a434f.pdf", 7),
    ("corpus/pdf/000_1ce771eb6f7a434f.pdf", 2),
    ("corpus/pdf/004_4b7e043a54d74d09.pdf", 3),
    ("corpus/dev/kent_county-council_2025-01-09_minutes.pdf", 4),
    ("corpus/dev/merton_audit-committee_2009-09-24_minutes.pdf", 2),
    ("corpus/dev/cardiff_cabinet_2016-11-10_performance.pdf", 5),
    ("corpus/dev/newbiggin-pc_parish-council_2019-09-03_minutes.pdf", 1),
]


def words(text: str) -> Counter:
    return Counter(text.split())


def only_page(path: Path, number: int, plan: OcrPlan | None = None) -> Page:
    return next(item for item in read_pdf(path, plan) if isinstance(item, Page) and item.page == number)


def timed(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the scans made (default 200)")
    parser.add_argument("--repeat", type=int, default=1, help="times to read each page (best taken)")
    args = parser.parse_args()
    if problem := engine_problem():
        sys.exit(problem)
    plan = OcrPlan(OcrSettings(), now=True)
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    text_seconds = ocr_seconds = 0.0
    accuracies = []
    print(f"{'page':52} {'text s':>7} {'OCR s':>7} {'ratio':>6} {'words':>6} {'accuracy':>8} {'conf':>5}")
    with tempfile.TemporaryDirectory() as folder:
        for relative, number in PAGES:
            path = REPO / relative
            scan = image_pdf(path, [number], Path(folder) / f"{path.stem}_{number}.pdf", dpi=args.dpi)
            alone = one_page(path, number, Path(folder) / f"{path.stem}_{number}_text.pdf")
            text_time, text_page = timed(lambda alone=alone: only_page(alone, 1), args.repeat)
            ocr_time, ocr_page = timed(lambda scan=scan: only_page(scan, 1, plan), args.repeat)
            truth = words(text_page.text)
            read = words(ocr_page.text)
            accuracy = sum((truth & read).values()) / max(1, sum(truth.values()))
            for word in ocr_page.words:
                sure = word.confidence >= LOW_OCR_CONFIDENCE
                total[sure] += 1
                right[sure] += word.text in truth
            text_seconds += text_time
            ocr_seconds += ocr_time
            accuracies.append(accuracy)
            name = f"{Path(relative).name[:44]} p{number}"
            print(
                f"{name:52} {text_time:7.3f} {ocr_time:7.2f} {ocr_time / text_time:6.0f} "
                f"{sum(truth.values()):6d} {accuracy:8.3f} {ocr_page.ocr_confidence:5.1f}"
            )
        pages = len(PAGES)
        print(
            f"\n{pages} pages: text layer {text_seconds / pages:.3f} s/page, OCR {ocr_seconds / pages:.2f} s/page "
            f"(ratio {ocr_seconds / text_seconds:.0f}); word accuracy mean {sum(accuracies) / pages:.3f}, "
            f"lowest {min(accuracies):.3f}"
        )
        for sure, label in ((True, f">= {LOW_OCR_CONFIDENCE}"), (False, f"<  {LOW_OCR_CONFIDENCE}")):
            share = right[sure] / total[sure] if total[sure] else float("nan")
            print(f"OCR words with confidence {label}: {total[sure]:5d}, of which on the page as read: {share:.3f}")
        # What one Tesseract process costs before it reads anything: start-up and model load.
        from PIL import Image

        blank = io.BytesIO()
        Image.new("L", (64, 64), 255).save(blank, format="PPM")
        start_up, _ = timed(
            lambda: subprocess.run(
                ["tesseract", "stdin", "stdout", "tsv"], input=blank.getvalue(), capture_output=True, check=False
            ),
            3,
        )
        print(f"Tesseract start-up and model load (a blank image): {start_up:.3f} s a page")


if __name__ == "__main__":
    main()
