"""The measure registry, the official values and the review file: data a person can edit.

Pure Python (csv, yaml): the build reads these at its end, before deciding whether any
linking is needed, so nothing here may load spaCy. ``scrutiny.nlp.linking`` does the matching.

- ``scrutiny/data/measures.csv``: one canonical measure a row (national ones from the DfE/LAIT
  data dictionary, local ones written by hand), with ``aliases`` the linker also matches.
- ``scrutiny/data/official_values.csv``: the DfE's published values of registry measures by
  area and year (made by ``scripts/make_official_values.py``).
- the review file (``<catalogue>.review.csv`` beside the catalogue): a person's confirm/reject
  decisions, keyed by authority, code and title so they survive rebuilds.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .records import Measure, MeasureReview, OfficialValue, Problem

__all__ = [
    "DATA", "REVIEW_COLUMNS", "Registry", "decision_rows", "fingerprint", "load_official_values",
    "load_registry", "load_reviews", "review_path",
]

DATA = Path(__file__).resolve().parent / "data"
MEASURES = DATA / "measures.csv"
SYNONYMS = DATA / "measure_synonyms.yml"
OFFICIAL = DATA / "official_values.csv"

#: The review file's columns; ``scrutiny links --csv`` writes these (plus score and evidence).
REVIEW_COLUMNS = ["authority", "code", "title", "measure_id", "decision", "note"]
DECISIONS = {"confirm": "confirm", "confirmed": "confirm", "reject": "reject", "rejected": "reject"}


@dataclass(frozen=True)
class Registry:
    """The canonical measures and the other names each goes by (``aliases``)."""

    measures: tuple[Measure, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def ids(self) -> set[str]:
        return {measure.id for measure in self.measures}


def load_registry(path: str | Path = MEASURES) -> Registry:
    """The measures in ``measures.csv`` (or another file with the same columns)."""
    measures, aliases = [], {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            measure = Measure(
                id=row["id"].strip(),
                label=row["label"].strip(),
                unit=row.get("unit") or None,
                polarity=row.get("polarity") or None,
                definition=row.get("definition") or None,
                topic=row.get("topic") or None,
                source=row.get("source") or "local",
                code=row.get("code") or None,
            )
            measures.append(measure)
            aliases[measure.id] = tuple(
                name.strip() for name in (row.get("aliases") or "").split(";") if name.strip()
            )
    return Registry(tuple(measures), aliases)


def load_official_values(path: str | Path = OFFICIAL) -> list[OfficialValue]:
    """The published values in ``official_values.csv``."""
    with open(path, encoding="utf-8", newline="") as f:
        return [
            OfficialValue(
                measure_id=row["measure_id"],
                area=row["area"],
                area_code=row["area_code"] or None,
                level=row["level"],
                period=row["period"],
                period_start=row["period_start"] or None,
                period_end=row["period_end"] or None,
                value=float(row["value"]),
                unit=row["unit"] or None,
                source=row["source"],
                description=row["description"] or None,
            )
            for row in csv.DictReader(f)
        ]


def review_path(db_path: str | Path) -> Path:
    """Where a catalogue's review file lives: beside it, ``scrutiny.db`` -> ``scrutiny.review.csv``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".review.csv")


def load_reviews(path: str | Path, known: set[str]) -> tuple[list[MeasureReview], list[Problem]]:
    """The decisions in a review file, and a problem for each row that can't be used.

    Rows with no decision are listings (``scrutiny links --csv`` writes them) and are skipped.
    A missing file means no decisions yet.
    """
    reviews: list[MeasureReview] = []
    rows, problems = decision_rows(path, ("title", "measure_id", "decision"), REVIEW_COLUMNS, "review file")
    for number, row, decision in rows:
        measure_id = (row.get("measure_id") or "").strip()
        title = " ".join((row.get("title") or "").split())
        why = None
        if decision not in DECISIONS:
            why = f"the decision {decision!r} is neither confirm nor reject"
        elif measure_id not in known:
            why = f"{measure_id!r} is not a measure id in the registry (scrutiny/data/measures.csv)"
        elif not title:
            why = "it has no title"
        if why:
            problems.append(Problem(str(path), "review", f"Line {number} of the review file was not used: {why}. Correct it and build again."))
            continue
        reviews.append(MeasureReview(
            authority=(row.get("authority") or "").strip() or None,
            code=(row.get("code") or "").strip() or None,
            title=title,
            measure_id=measure_id,
            decision=DECISIONS[decision],
            note=(row.get("note") or "").strip() or None,
        ))
    return reviews, problems


def decision_rows(
    path: str | Path, required: Sequence[str], columns: Sequence[str], what: str
) -> tuple[list[tuple[int, dict[str, str], str]], list[Problem]]:
    """The rows of a review file that carry a decision, each with its line number and the
    decision in lower case; a problem if the file lacks a ``required`` column (then no row).
    Rows with no decision are listings (as ``scrutiny links --csv`` and ``scrutiny followups
    --csv`` write them) and are skipped. A missing file means no decisions yet."""
    path = Path(path)
    if not path.exists():
        return [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = set(required) - set(reader.fieldnames or ())
        if missing:
            return [], [Problem(str(path), "review", (
                f"The {what} has no {', '.join(sorted(missing))} column; its first line must be "
                f"{','.join(columns)}. No decision in it was used."))]
        rows = []
        for number, row in enumerate(reader, start=2):
            decision = (row.get("decision") or "").strip().lower()
            if decision:
                rows.append((number, row, decision))
    return rows, []


def fingerprint(*paths: str | Path) -> str:
    """One SHA-256 over these files' contents (a missing file counts as empty)."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()
