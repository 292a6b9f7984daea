"""TEMPORARY stub (being written on branch issue-3p): period labels, numbers and units."""

from __future__ import annotations

import re

__all__ = ["normalise_unit", "parse_number", "parse_period"]


def parse_period(label: str, year_hint: str | None = None) -> tuple[str | None, str | None]:
    return (None, None)


def parse_number(text: str) -> float | None:
    m = re.search(r"-?\d[\d,]*(?:\.\d+)?", text)
    return float(m.group().replace(",", "")) if m else None


def normalise_unit(text: str) -> str | None:
    if "%" in text:
        return "%"
    if re.search(r"per\s+100,0*\b", text):
        return "rate per 100,000"
    if re.search(r"per\s+10,000", text):
        return "rate per 10,000"
    return None
