"""Corpus manifests: a CSV beside the documents saying where each came from and what it is.

A manifest is a file named ``manifest.csv``. Its ``file`` column gives each document's
path relative to the manifest; the other columns (all optional) are ``authority``,
``committee``, ``meeting_date`` (ISO, YYYY-MM-DD), ``title``, ``kind`` and ``source_url``.
Other columns are allowed and ignored by the build. ``scrutiny fetch`` writes more of them
(committee_id, meeting_id, item_number, sha256, status, problem, ...; see ``FetchedFile``),
and rows for things it did not save: a ``failed`` row (no file) becomes a Problem naming what
went wrong, a ``withheld`` row (restricted or exempt papers) is passed over.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Iterator

from ..errors import ManifestError
from ..records import FetchedFile, ManifestEntry, Problem

__all__ = ["MANIFEST_NAME", "FetchManifest", "read_manifest", "write_atomically"]

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
            status = (row.get("status") or "").strip()
            if status == "failed":
                yield Problem(
                    str(path),
                    "manifest",
                    f"Row {line} of {path}: scrutiny fetch could not get {row.get('source_url')}: "
                    f"{row.get('problem') or 'no reason recorded'}. Run the fetch again to retry it.",
                )
            elif not status:
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


#: The columns a fetched corpus's manifest has, in order: the build's first, then the fetch's.
FETCH_COLUMNS = _COLUMNS + [f.name for f in fields(FetchedFile) if f.name not in _COLUMNS]


class FetchManifest:
    """A corpus's manifest.csv as ``scrutiny fetch`` keeps it: one row per source URL.

    Rows the fetch did not write (a hand-made manifest's, or ones without a source URL) are
    kept as they are, and so are columns it does not know. Every ``put`` rewrites the file
    atomically (a temporary file renamed over it), so a fetch killed at any moment leaves a
    whole manifest that lists exactly the files already saved.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.columns = list(FETCH_COLUMNS)
        self._rows: dict[str, dict[str, str]] = {}
        if self.path.exists():
            try:
                with open(self.path, newline="", encoding="utf-8-sig") as f:
                    reader = csv.DictReader(f)
                    self.columns += [c for c in reader.fieldnames or [] if c and c not in self.columns]
                    for number, row in enumerate(reader):
                        key = (row.get("source_url") or "").strip() or f"#row{number}:{row.get('file')}"
                        self._rows[key] = row
            except (OSError, UnicodeDecodeError, csv.Error) as error:
                raise ManifestError(
                    f"Could not read the manifest {self.path}: {error}. Fix it, or move it away "
                    "and fetch again."
                ) from error

    def get(self, source_url: str) -> dict[str, str] | None:
        """The row for a source URL, as strings ("" for blanks), or None."""
        return self._rows.get(source_url)

    def source_of(self, file: str) -> str | None:
        """The source URL of the row that saved ``file`` (relative to the manifest), or None."""
        return next(
            (row.get("source_url") for row in self._rows.values() if row.get("file") == file and row.get("source_url")),
            None,
        )

    def put(self, record: FetchedFile) -> bool:
        """Add or replace the row for ``record.source_url`` and save the manifest, if that
        changes anything; say whether it did."""
        row = {
            f.name: "" if getattr(record, f.name) is None else str(getattr(record, f.name))
            for f in fields(FetchedFile)
        }
        old = self._rows.get(record.source_url)
        if old is not None and all((old.get(name) or "") == value for name, value in row.items()):
            return False
        self._rows[record.source_url] = {**(old or {}), **row}
        self.save()
        return True

    def save(self) -> None:
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=self.columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(self._rows.values())
        write_atomically(self.path, text.getvalue().encode("utf-8"))


def _umask() -> int:
    """The process's umask (read without changing it where Linux allows)."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        mask = os.umask(0o022)
        os.umask(mask)
        return mask


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that it is either whole or not there: a hidden temporary file, synced,
    then renamed over ``path`` (a fetch killed mid-write leaves the old file, never half a new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); the file kept is made as open() makes one.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
