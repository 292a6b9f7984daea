"""How well indicator extraction did, document by document, and whether every value is grounded.

A value is *grounded* when its context is text printed on the page it cites (every line
of the context is found in the page's text) and the value itself, and any target or
tolerance recorded with it, is written in that context. An ungrounded value is a bug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from ..periods import NUMBER_WORDS, parse_number

__all__ = ["DocumentQuality", "grounded", "quality_report"]

_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# "£150m", "£49k", "£1.2 billion": written with a multiplier, stored expanded (periods.parse_number)
# "-£3.1m" (Kent treasury p10): a sign before the pound sign
_MULTIPLIED = re.compile(
    r"(?<![\w.])(?:[-−–]\s?£\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\s?(?:bn|billion|million|mn|m|k)\b", re.IGNORECASE
)
_SIGNED = re.compile(r"(?<![\w.])[-−–]\s?£\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


@dataclass(frozen=True)
class DocumentQuality:
    """Counts for one document's indicator values."""

    document_id: int
    path: str
    values: int
    with_period: int
    with_dates: int
    with_target: int
    ungrounded: int
    examples: tuple[str, ...] = ()  # why some values are ungrounded
    high: int = 0  # values by the confidence the extractor gave them
    medium: int = 0
    low: int = 0
    unrated: int = 0  # read before confidence was recorded
    cells: int = 0  # numbers in its tables (table_cells)


def _flat(text: str) -> str:
    return " ".join(text.replace("**", "").split())


def _numbers(text: str) -> set[float]:
    found = {float(m.group().replace(",", "")) for m in _NUMBER.finditer(text)}
    found |= {value for m in _MULTIPLIED.finditer(text) if (value := parse_number(m.group())) is not None}
    found |= {value for m in _SIGNED.finditer(text) if (value := parse_number(m.group())) is not None}
    found |= {float(NUMBER_WORDS[w]) for w in re.findall(r"[A-Za-z]+", text.lower()) if w in NUMBER_WORDS}
    return found


def grounded(row: dict, page_text: str) -> str | None:
    """None if the value is grounded on its page, else the reason it is not."""
    page = _flat(page_text)
    for fragment in re.split(r"\n| \| ", row["context"]):
        if _flat(fragment) and _flat(fragment) not in page:
            return f"context line {fragment.strip()!r} is not on page {row['page']}"
    numbers = _numbers(row["context"])
    for name in ("value", "target", "tolerance"):
        number = row[name]
        if number is not None and not any(abs(number - n) < 1e-9 for n in numbers):
            return f"{name} {number:g} is not written in its context"
    return None


def quality_report(db_path: str | Path) -> list[DocumentQuality]:
    """Per document with indicator values: how many, with a period, with dates, with a
    target, by confidence (high, medium, low), how many numbers its tables print, and how
    many values are not grounded on the page they cite."""
    report = []
    with sqlite_utils.Database(db_path) as db:
        if "indicator_values" not in db.table_names():
            return []
        documents = db.query(
            "select distinct d.id, d.path from documents d join indicator_values v on v.document_id = d.id order by d.path"
        )
        for document in list(documents):
            pages = {
                row["page"]: row["text"]
                for row in db.query("select page, text from pages where document_id = ?", [document["id"]])
            }
            rows = list(db.query("select * from indicator_values where document_id = ?", [document["id"]]))
            reasons = [r for r in (grounded(row, pages.get(row["page"], "")) for row in rows) if r]
            levels = {level: sum(1 for r in rows if r.get("confidence") == level) for level in ("high", "medium", "low")}
            cells = (
                db.execute("select count(*) from table_cells where document_id = ?", [document["id"]]).fetchone()[0]
                if "table_cells" in db.table_names() else 0
            )
            report.append(
                DocumentQuality(
                    document_id=document["id"],
                    path=document["path"],
                    values=len(rows),
                    with_period=sum(1 for r in rows if r["period"]),
                    with_dates=sum(1 for r in rows if r["period_start"]),
                    with_target=sum(1 for r in rows if r["target"] is not None),
                    ungrounded=len(reasons),
                    examples=tuple(reasons[:3]),
                    **levels,
                    unrated=len(rows) - sum(levels.values()),
                    cells=cells,
                )
            )
    return report
