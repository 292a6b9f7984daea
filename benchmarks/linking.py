"""How well and how fast reported measures link to the registry (scrutiny.nlp.linking).

    python benchmarks/linking.py [--sizes 25000,50000,100000]

1. Precision and recall on benchmarks/data/linking_pairs.csv: every distinct measure title
   the bundled corpus reports, labelled by hand with the registry measure a person would
   pick (blank: none fits). Counted twice: automatic links only, and automatic + pending.
2. Time to link N titles made from the real ones with variations (synonym swaps, prefixes,
   periods, case, ~150 authorities, codes), with blocking, at several N: linear means the
   time per title stays flat. Against two baselines run in this process on a 2,000 sample:
   scoring every title against every registry name with no blocking (scaled linearly), and
   comparing every title with every other (what clustering titles without a registry
   costs; scaled quadratically).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from rapidfuzz import fuzz

from scrutiny.nlp import linking
from scrutiny.records import IndicatorRef
from scrutiny.registry import load_registry

PAIRS = Path(__file__).resolve().parent / "data" / "linking_pairs.csv"


def labelled() -> list[dict]:
    with open(PAIRS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def refs_of(rows: list[dict]) -> list[IndicatorRef]:
    return [
        IndicatorRef(n, 1, row["authority"] or None, row["code"] or None, row["title"], row["unit"] or None,
                     row["polarity"] or None)
        for n, row in enumerate(rows)
    ]


def quality(registry) -> None:
    rows = labelled()
    links = {link.indicator_id: link for link in linking.link(refs_of(rows), registry)}
    expected = {n: row["measure_id"] for n, row in enumerate(rows)}
    print(f"labelled titles: {len(rows)} ({sum(1 for v in expected.values() if v)} with a measure)")
    for label, statuses in (("automatic", {"automatic"}), ("automatic+pending", {"automatic", "pending"})):
        made = {n: link.measure_id for n, link in links.items() if link.status in statuses}
        right = sum(1 for n, measure in made.items() if expected[n] == measure)
        should = sum(1 for v in expected.values() if v)
        precision = right / len(made) if made else 0.0
        recall = right / should if should else 0.0
        print(f"  {label:<18} links {len(made):>3}  right {right:>3}  precision {precision:.3f}  recall {recall:.3f}")
        for n, measure in sorted(made.items()):
            if expected[n] != measure:
                print(f"    wrong: {rows[n]['title']!r} -> {measure} (expected {expected[n] or 'none'})")


SWAPS = [
    ("Looked After Children", "CiC"), ("looked after children", "children in care"), ("Children in Care", "LAC"),
    ("Child Protection Plan", "CPP"), ("child protection plan", "CP plan"), ("Re-referrals", "Repeat referrals"),
    ("Employment, Education and Training", "EET"), ("three", "3"), ("12 months", "a year"),
]
PREFIXES = ["", "", "Percentage of ", "Proportion of ", "% of ", "KPI: ", "New – "]
SUFFIXES = ["", "", " (Q1)", " – YTD", " (rolling 12 months)", " 2016/17", " - monthly", " (local measure)"]


def variants(titles: list[str], count: int, seed: int = 6) -> list[IndicatorRef]:
    """``count`` indicator refs made from the real titles: swaps, prefixes, suffixes, case, authorities, codes."""
    rng = random.Random(seed)
    refs = []
    for n in range(count):
        row = titles[rng.randrange(len(titles))]
        title = row["title"]
        for old, new in SWAPS:
            if old in title and rng.random() < 0.5:
                title = title.replace(old, new)
        title = rng.choice(PREFIXES) + title + rng.choice(SUFFIXES)
        if rng.random() < 0.2:
            title = title.lower()
        code = f"{rng.choice('ABCDEF')}{rng.randrange(1, 30)}" if rng.random() < 0.5 else None
        refs.append(IndicatorRef(n, n // 40, f"Authority {rng.randrange(150)}", code, title,
                                 row["unit"] or None, row["polarity"] or None, None, None,
                                 (round(rng.uniform(0, 100), 1),)))
    return refs


def unblocked(refs: list[IndicatorRef], registry) -> float:
    """Seconds to score every title against every registry name, no blocking (same normalisation)."""
    start = time.perf_counter()
    names = [m.label for m in registry.measures] + [a for m in registry.measures for a in registry.aliases[m.id]]
    name_words = linking.normalise_many(names)
    for words in linking.normalise_many([ref.title for ref in refs]):
        for other in name_words:
            linking.similarity(words, other)
    return time.perf_counter() - start


def pairwise(refs: list[IndicatorRef]) -> float:
    """Seconds to compare every title with every other (rapidfuzz on normalised titles)."""
    texts = [words.text for words in linking.normalise_many([ref.title for ref in refs])]
    start = time.perf_counter()
    for i, text in enumerate(texts):
        for other in texts[i + 1:]:
            fuzz.token_set_ratio(text, other)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    registry = load_registry()
    quality(registry)
    titles = labelled()
    linking.normalise("warm up spaCy")  # load the pipeline outside the timings
    print("\nlinking generated titles (blocked by shared word and unit):")
    per_title = {}
    for size in sizes:
        refs = variants(titles, size)
        start = time.perf_counter()
        links = linking.link(refs, registry)
        seconds = time.perf_counter() - start
        per_title[size] = seconds / size
        statuses = {s: sum(1 for link in links if link.status == s) for s in ("automatic", "pending")}
        print(f"  {size:>7} titles: {seconds:6.2f} s  ({1e6 * seconds / size:5.1f} µs a title; "
              f"{statuses['automatic']} automatic, {statuses['pending']} pending)")
    sample = variants(titles, 2000, seed=7)
    flat = unblocked(sample, registry)
    pairs = pairwise(sample)
    largest = max(sizes)
    blocked = per_title[largest] * largest
    print(f"\nbaselines on 2,000 titles, scaled to {largest:,}:")
    print(f"  unblocked registry scoring: {flat:.2f} s -> {flat * largest / 2000:.1f} s "
          f"(blocked linking, all steps: {blocked:.1f} s; ratio {flat * largest / 2000 / blocked:.2f})")
    print(f"  every title against every other: {pairs:.2f} s -> {pairs * (largest / 2000) ** 2:,.0f} s "
          f"(ratio to blocked linking {pairs * (largest / 2000) ** 2 / blocked:,.0f}x)")
    index = linking._Index(registry)
    scored = [
        sum(1 for _ in index.candidates(words, ref.unit))
        for ref, words in zip(sample, linking.normalise_many([r.title for r in sample]), strict=True)
    ]
    print(f"  registry names scored a title: {sum(scored) / len(scored):.1f} blocked, {len(index.names)} unblocked")
    smallest = min(sizes)
    print(f"  growth: time a title at {largest:,} / at {smallest:,} = {per_title[largest] / per_title[smallest]:.2f} "
          "(1.0 is linear; quadratic would be "
          f"{largest / smallest:.1f})")


if __name__ == "__main__":
    main()
