"""Regenerate scrutiny/data/common_words.csv: the most frequent English words.

Usage: python scripts/make_common_words.py

Taken from spaCy's English word probabilities (``en_lexeme_prob`` in spacy-lookups-data,
MIT licence, installed with scrutiny): the ``COUNT`` most probable entries that are
lower-case words of letters only. scrutiny.extract.ocr reads the file to tell a page's real
text from a text layer of garbage (a font with no Unicode map shifts every letter, "Uif"
for "The": such text has almost no common words).
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import spacy_lookups_data

COUNT = 5000
OUT = Path(__file__).resolve().parent.parent / "scrutiny" / "data" / "common_words.csv"


def main() -> None:
    source = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(source, "rt", encoding="utf-8") as f:
        probabilities = json.load(f)
    words = [w for w, _ in sorted(probabilities.items(), key=lambda kv: -kv[1]) if w.isalpha() and w.islower()]
    with OUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["word"])
        writer.writerows([w] for w in words[:COUNT])
    print(f"wrote {min(COUNT, len(words))} words to {OUT}")


if __name__ == "__main__":
    main()
