"""How well scrutiny reads the values of real reports from councils it was not built on.

For each labelled document in ``corpus/dev/`` this reads the pages (pages with no usable
text layer by OCR, as a build with ``--ocr auto`` does) and runs the value extractors
(``indicators`` and ``prose``, as a build does), then prints:

- **recall**: labelled values found with the right number, title, period and unit
  (``benchmarks/data/gold_values.tsv``), and the number alone on its page;
- **targets**: labelled targets and tolerances (limits, floors, minimums) found with
  their measure;
- **cells**: labelled table cells found in ``table_cells`` with the right row and column
  (``benchmarks/data/gold_cells.tsv``);
- **precision**: of a fixed sample of the extracted values (one in ``SAMPLE``, chosen by
  a hash of file, page, value and title, so the sample survives re-runs), how many a
  person judged correct, partly right or junk by reading the page
  (``benchmarks/data/value_judgements.tsv``); sampled values with no judgement yet are
  counted as unjudged and listed with ``--unjudged``;
- **ungrounded**: values whose context is not on their page or whose number is not in
  their context (``scrutiny.catalogue.quality.grounded``);
- the time the extractors took against the time reading the pages took.

Run from the repository root:

    python benchmarks/extraction_quality.py             # the 8 labelled dev reports
    python benchmarks/extraction_quality.py --misses    # and each label not found, with the nearest values
    python benchmarks/extraction_quality.py --unjudged  # sampled values with no judgement (TSV rows to fill in)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scrutiny import corpus, extract, pipeline
from scrutiny.catalogue.quality import grounded
from scrutiny.extract.ocr import OcrPlan, OcrSettings, engine_problem
from scrutiny.records import Indicator, IndicatorValue, Page, SourceFile

DATA = REPO / "benchmarks" / "data"
GOLD = DATA / "gold_values.tsv"
GOLD_CELLS = DATA / "gold_cells.tsv"
JUDGEMENTS = DATA / "value_judgements.tsv"
SAMPLE = 4  # one extracted value in SAMPLE is in the judged sample
VALUE_EXTRACTORS = ("indicators", "prose")

# The unit a value is stated in -> (class compared with the labels, multiplier to units).
_SCALES = {"£m": 1e6, "£000s": 1e3, "£bn": 1e9}
_CLASSES = {"£m": "£", "£000s": "£", "£bn": "£", "£": "£"}


def unit_class(unit: str | None) -> str | None:
    if unit is None:
        return None
    return _CLASSES.get(unit, unit)


def in_units(value: float, unit: str | None) -> float:
    return value * _SCALES.get(unit or "", 1.0)


def same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


@dataclass
class Gold:
    file: str
    page: int
    value: float | None
    status: str
    kind: str
    unit: str
    start: str
    end: str
    title_words: list[str]
    targets: list[float]
    row: dict


def read_gold() -> list[Gold]:
    lines = [line for line in GOLD.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = GOLD.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").split("\t")
    labels = []
    for line in lines:
        row = dict(zip(header, line.split("\t"), strict=True))
        if row["status"] == "dropped":
            continue
        scale = float(row["scale"] or 1)
        value = float(row["value"]) * scale if row["status"] == "value" else None
        targets = [float(row[name]) for name in ("target_value", "tolerance_value") if row[name]]
        labels.append(
            Gold(
                row["file"], int(row["page"]), value, row["status"], row["kind"], row["unit_class"],
                row["period_start"], row["period_end"],
                [w.strip() for w in row["title_words"].split(";") if w.strip()], targets, row,
            )
        )
    return labels


def read_gold_cells() -> list[dict]:
    if not GOLD_CELLS.exists():
        return []
    rows = [line for line in GOLD_CELLS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = GOLD_CELLS.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in rows]


def read_judgements() -> dict[tuple, tuple[str, str]]:
    if not JUDGEMENTS.exists():
        return {}
    judged = {}
    with open(JUDGEMENTS, encoding="utf-8") as f:
        for row in csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"):
            judged[(row["file"], int(row["page"]), row["value"], row["title"])] = (row["verdict"], row["note"])
    return judged


def _words(text: str | None) -> str:
    return " ".join((text or "").lower().replace("\n", " ").split())


def title_matches(title: str | None, words: list[str]) -> bool:
    flat = _words(title)
    return all(_words(word) in flat for word in words)


@dataclass
class Extracted:
    source: SourceFile
    pages: list[Page]
    records: list
    read_seconds: float
    extract_seconds: float
    indicators: dict[str, Indicator] = field(default_factory=dict)

    @property
    def values(self) -> list[IndicatorValue]:
        return [r for r in self.records if isinstance(r, IndicatorValue)]

    def title(self, value: IndicatorValue) -> str | None:
        return self.indicators[value.indicator].title


def run(source: SourceFile) -> Extracted:
    # Read as a build does (--ocr auto): a page with no usable text layer (Merthyr's sideways
    # appendix, whose text layer reads "%7.07") is read by OCR, if Tesseract is installed.
    plan = OcrPlan(now=True, missing=engine_problem(OcrSettings().language))
    started = time.perf_counter()
    pages = [item for item in extract.read_document(source.path, source.format, ocr=plan) if isinstance(item, Page)]
    read = time.perf_counter() - started
    document = pipeline._document(source, pages)
    started = time.perf_counter()
    records: list = []
    for name, extractor in pipeline.EXTRACTORS:
        if name in VALUE_EXTRACTORS:
            records.extend(extractor(source, document, pages, tuple(records)))
    took = time.perf_counter() - started
    found = Extracted(source, pages, records, read, took)
    found.indicators = {r.key: r for r in records if isinstance(r, Indicator)}
    return found


def value_found(label: Gold, doc: Extracted) -> tuple[bool, bool]:
    """(found with title, period and unit right; the number alone found on the page)."""
    number_only = False
    for value in doc.values:
        if value.page != label.page or not same(in_units(value.value, value.unit), label.value):
            continue
        if label.kind == "budget" and value.kind != "budget":
            continue
        if label.kind != "budget" and value.kind in ("target", "tolerance", "budget", "forecast", "variance"):
            continue
        number_only = True
        unit = unit_class(value.unit)
        unit_ok = unit == label.unit or (unit is None and label.unit in ("count", "ratio"))
        period_ok = not label.start or (value.period_start == label.start and value.period_end == (label.end or None))
        if unit_ok and period_ok and title_matches(doc.title(value), label.title_words):
            return True, True
    return False, number_only


def targets_found(label: Gold, doc: Extracted) -> int:
    found = 0
    for target in label.targets:
        for value in doc.values:
            if value.page != label.page or not title_matches(doc.title(value), label.title_words):
                continue
            if value.kind in ("target", "tolerance") and same(in_units(value.value, value.unit), target):
                found += 1
                break
            stated = [x for x in (value.target, value.tolerance) if x is not None]
            if any(same(in_units(x, value.unit), target) for x in stated):
                found += 1
                break
    return found


def cell_found(label: dict, doc: Extracted) -> bool:
    cells = [r for r in doc.records if type(r).__name__ == "TableCell"]
    number = float(label["value"])
    for cell in cells:
        if cell.page != int(label["page"]) or cell.value is None or not same(cell.value, number):
            continue
        if title_matches(cell.row_label, label["row_words"].split(";")) and title_matches(
            cell.column_header, [w for w in label["column_words"].split(";") if w]
        ):
            return True
    return False


def sample_key(doc: Extracted, value: IndicatorValue) -> tuple:
    return (Path(doc.source.path).name, value.page, f"{value.value:g}", doc.title(value) or "")


def in_sample(key: tuple) -> bool:
    digest = hashlib.sha1("|".join(map(str, key)).encode()).hexdigest()
    return int(digest, 16) % SAMPLE == 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list labels not found, with the nearest values")
    parser.add_argument("--unjudged", action="store_true", help="print sampled values with no judgement as TSV rows")
    parser.add_argument("--values", action="store_true", help="print every extracted value")
    args = parser.parse_args(argv)

    gold = read_gold()
    gold_cells = read_gold_cells()
    judged = read_judgements()
    files = sorted({label.file for label in gold} | {row["file"] for row in gold_cells})
    sources = {
        Path(s.path).name: s
        for s in corpus.discover([REPO / "corpus" / "dev"])
        if isinstance(s, SourceFile)
    }
    from scrutiny.nlp.prose import pipeline as prose_pipeline

    prose_pipeline()  # spaCy loads once per build, not per document: not counted as extraction time
    totals: Counter = Counter()
    verdicts_by_confidence: dict[str, Counter] = defaultdict(Counter)
    unjudged_rows: list[str] = []
    miss_lines: list[str] = []
    header = (
        f"{'document':44} {'recall':>9} {'number':>7} {'targets':>8} {'cells':>8} {'values':>6} "
        f"{'judged':>6} {'correct':>7} {'partly':>6} {'junk':>5} {'ungr.':>5} {'extract/read':>13}"
    )
    print(header)
    print("-" * len(header))
    for name in files:
        doc = run(sources[name])
        labels = [label for label in gold if label.file == name]
        value_labels = [label for label in labels if label.status == "value"]
        hits = [value_found(label, doc) for label in value_labels]
        recall = sum(hit for hit, _ in hits)
        number = sum(n for _, n in hits)
        target_total = sum(len(label.targets) for label in labels)
        target_hits = sum(targets_found(label, doc) for label in labels)
        cells = [row for row in gold_cells if row["file"] == name]
        cell_hits = sum(cell_found(row, doc) for row in cells)
        texts = {page.page: page.text for page in doc.pages}
        ungrounded = []
        counts: Counter = Counter()
        for value in doc.values:
            row = {**value.__dict__}
            reason = grounded(row, texts.get(value.page, ""))
            if reason:
                ungrounded.append(f"p{value.page} {value.value:g}: {reason}")
            key = sample_key(doc, value)
            if not in_sample(key):
                continue
            verdict = judged.get(key, ("unjudged", ""))[0]
            counts[verdict] += 1
            verdicts_by_confidence[getattr(value, "confidence", None) or "none"][verdict] += 1
            if verdict == "unjudged":
                unjudged_rows.append(
                    "\t".join([*map(str, key), value.period or "", "", value.context.replace("\n", " / ")[:160]])
                )
        ratio = doc.extract_seconds / doc.read_seconds if doc.read_seconds else 0.0
        judged_n = sum(counts.values()) - counts["unjudged"]
        print(
            f"{name[:44]:44} {recall:>3}/{len(value_labels):<3}  {number:>3}/{len(value_labels):<3}"
            f" {target_hits:>3}/{target_total:<3} {cell_hits:>3}/{len(cells):<3} {len(doc.values):>6} "
            f"{judged_n:>6} {counts['correct']:>7} {counts['partly']:>6} {counts['junk']:>5} {len(ungrounded):>5} "
            f"{doc.extract_seconds:5.2f}/{doc.read_seconds:5.2f}={ratio:4.2f}"
        )
        for line in ungrounded[:5]:
            print(f"    ungrounded: {line}")
        totals.update(
            recall=recall, labels=len(value_labels), number=number, targets=target_hits,
            target_labels=target_total, cells=cell_hits, cell_labels=len(cells), values=len(doc.values),
            judged=judged_n, correct=counts["correct"], partly=counts["partly"], junk=counts["junk"],
            unjudged=counts["unjudged"], ungrounded=len(ungrounded),
        )
        totals["extract_seconds"] += doc.extract_seconds
        totals["read_seconds"] += doc.read_seconds
        if args.values:
            for value in doc.values:
                print(f"    p{value.page} {value.kind:9} {value.value:>12g} {value.unit or '':8} "
                      f"{value.period or '':16} {doc.title(value)!s:.60} [{getattr(value, 'confidence', '')}]")
        if args.misses:
            for label, (hit, _) in zip(value_labels, hits, strict=True):
                if hit:
                    continue
                near = [
                    f"{v.value:g} {v.unit or ''} {v.kind} {v.period_start}..{v.period_end} {doc.title(v)!r}"
                    for v in doc.values
                    if v.page == label.page and same(in_units(v.value, v.unit), label.value)
                ]
                miss_lines.append(
                    f"{name[:30]} p{label.page} {label.value:g} {label.title_words} {label.start}..{label.end}: "
                    + ("; ".join(near[:3]) or "number not extracted")
                )
    print("-" * len(header))

    def share(a: int, b: int) -> str:
        return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"

    print(f"recall (number, title, period, unit): {share(totals['recall'], totals['labels'])}")
    print(f"number alone on its page:             {share(totals['number'], totals['labels'])}")
    print(f"targets and tolerances:               {share(totals['targets'], totals['target_labels'])}")
    print(f"table cells (row and column):         {share(totals['cells'], totals['cell_labels'])}")
    print(
        f"precision, sample of one in {SAMPLE}:        {share(totals['correct'], totals['judged'])} correct, "
        f"{totals['partly']} partly, {totals['junk']} junk; {totals['unjudged']} sampled values unjudged"
    )
    print(f"values extracted:                     {totals['values']}; ungrounded: {totals['ungrounded']}")
    print(
        f"extraction time / reading time:       {totals['extract_seconds']:.2f} s / {totals['read_seconds']:.2f} s"
        f" = {totals['extract_seconds'] / totals['read_seconds']:.2f}"
    )
    if len(verdicts_by_confidence) > 1 or "none" not in verdicts_by_confidence:
        for confidence, counts in sorted(verdicts_by_confidence.items()):
            judged_n = sum(counts.values()) - counts["unjudged"]
            print(f"  confidence {confidence:7}: {share(counts['correct'], judged_n)} correct of the judged sample")
    if miss_lines:
        print("\nlabels not found:")
        print("\n".join(miss_lines))
    if args.unjudged and unjudged_rows:
        print("\n# file\tpage\tvalue\ttitle\tperiod\tverdict\tnote (context)")
        print("\n".join(unjudged_rows))


if __name__ == "__main__":
    main()
