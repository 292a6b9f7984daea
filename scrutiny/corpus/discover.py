"""Find the documents under the paths a user gives, hash them, and attach manifest entries."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator

from ..records import FORMATS, ManifestEntry, Problem, SourceFile
from .manifest import MANIFEST_NAME, read_manifest

__all__ = ["discover", "sha256_of"]


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks so large PDFs don't fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _document_files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in FORMATS and p.is_file() and not _is_hidden(p, root)
    )


def _manifests(manifests: Iterable[Path]) -> tuple[dict[Path, tuple[Path, ManifestEntry]], list[Problem]]:
    """Entries keyed by the resolved path of their file, each with that file's path as written."""
    entries: dict[Path, tuple[Path, ManifestEntry]] = {}
    problems: list[Problem] = []
    for manifest in manifests:
        for item in read_manifest(manifest):
            if isinstance(item, Problem):
                problems.append(item)
            else:
                listed = manifest.parent / item.file
                entries[listed.resolve()] = (listed, item)
    return entries, problems


def discover(paths: Iterable[str | Path]) -> Iterator[SourceFile | Problem]:
    """Yield a SourceFile for every .pdf, .html/.htm and .txt file under ``paths``.

    Directories are walked recursively (hidden folders skipped) in a stable order.
    Each file gets the entry from the nearest ``manifest.csv`` that lists it. A path
    that does not exist, and a manifest row whose file is missing, yield a Problem.
    """
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            files = _document_files(root)
            manifests = sorted(
                m for m in root.rglob(MANIFEST_NAME) if not _is_hidden(m, root)
            )
        elif root.is_file():
            files = [root]
            manifests = [m for m in [root.parent / MANIFEST_NAME] if m.is_file()]
        else:
            yield Problem(str(root), "discover", f"{root} does not exist; check the path.")
            continue
        entries, problems = _manifests(manifests)
        yield from problems
        for file in files:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if file.suffix.lower() not in FORMATS:
                yield Problem(
                    str(file),
                    "discover",
                    f"{file} is not a document scrutiny reads "
                    f"(it reads {', '.join(sorted(FORMATS))}).",
                )
                continue
            listed = entries.get(resolved)
            try:
                yield SourceFile(
                    path=str(file),
                    sha256=sha256_of(file),
                    size=os.path.getsize(file),
                    format=FORMATS[file.suffix.lower()],
                    manifest=listed[1] if listed else None,
                )
            except OSError as error:
                yield Problem(str(file), "discover", f"Could not read {file}: {error.strerror}.")
        # Only for a folder: a single file given on its own says nothing about its neighbours.
        for listed, entry in entries.values() if root.is_dir() else ():
            if not listed.exists():
                yield Problem(
                    str(listed),
                    "manifest",
                    f"The manifest lists {entry.file} but there is no such file; "
                    "fetch it again or remove its row.",
                )
