"""Corpus manifests: a CSV beside the documents saying where each came from and what it is.

A manifest is a file named ``manifest.csv``. Its ``file`` column gives each document's
path relative to the manifest; the other columns (all optional) are ``authority``,
``committee``, ``meeting_date`` (ISO, YYYY-MM-DD), ``title``, ``kind`` and ``source_url``.
Other columns are allowed and ignored.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import fields
from pathlib import Path
from typing import Iterator

from ..records import ManifestEntry, Problem

__all__ = ["MANIFEST_NAME", "read_manifest"]

MANIFEST_NAME = "manifest.csv"

_COLUMNS = [f.name for f in fields(ManifestEntry)]


def read_manifest(path: str | Path) -> Iterator[ManifestEntry | Problem]:
    """Yield the manifest's entries, and a Problem for each row that can't be used as written.

    A bad value (a meeting date that is not a date) is dropped from its row with a
    Problem; the rest of the row and the other rows still count.
    """
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        yield Problem(str(path), "manifest", f"Could not read the manifest {path}: {error}. Fix or remove it.")
        return
    if rows and "file" not in rows[0]:
        yield Problem(
            str(path),
            "manifest",
            f"The manifest {path} has no 'file' column, so its rows can't be matched to documents. "
            f"Its header must include: {', '.join(_COLUMNS)}.",
        )
        return
    for line, row in enumerate(rows, start=2):
        values = {name: (row.get(name) or "").strip() or None for name in _COLUMNS}
        if not values["file"]:
            yield Problem(str(path), "manifest", f"Row {line} of {path} has no file name; it was skipped.")
            continue
        if values["meeting_date"]:
            try:
                datetime.date.fromisoformat(values["meeting_date"])
            except ValueError:
                yield Problem(
                    str(path.parent / values["file"]),
                    "manifest",
                    f"Row {line} of {path}: meeting_date {values['meeting_date']!r} is not a date "
                    "in YYYY-MM-DD form; it was left out.",
                )
                values["meeting_date"] = None
        yield ManifestEntry(**values)
