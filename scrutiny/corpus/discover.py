"""Find the documents under the paths a user gives, hash them, and attach manifest entries."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator

from ..records import FORMATS, ManifestEntry, Problem, SourceFile
from .manifest import MANIFEST_NAME, read_manifest

__all__ = ["discover", "printable", "sha256_of"]


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks so large PDFs don't fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def printable(path: str | Path) -> str:
    """A path as text that can be stored and shown: a name that is not valid UTF-8 (a Latin-1
    "é" from an old Windows archive) keeps its odd bytes as ``\\xe9``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _valid_name(path: Path) -> bool:
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(root: Path) -> Iterator[Path | Problem]:
    """Every file under ``root`` in a stable order, hidden files and folders left out, and a
    Problem for each folder that can't be read or is a link to somewhere outside ``root``
    (links are not followed out of the folders given)."""
    real_root = root.resolve()
    errors: list[OSError] = []
    for folder, folders, files in os.walk(root, onerror=errors.append):
        yield from _unreadable(errors)
        here = Path(folder)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in folders:
            link = here / name
            if link.is_symlink() and not link.resolve().is_relative_to(real_root):
                yield _outside(link, root)
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name
    yield from _unreadable(errors)


def _unreadable(errors: list[OSError]) -> Iterator[Problem]:
    for error in errors:
        where = printable(error.filename or "")
        yield Problem(
            where,
            "discover",
            f"Could not read the folder {where} ({error.strerror or error}), so no document in it "
            "was read. Check its permissions and build again.",
        )
    errors.clear()


def _outside(link: Path, root: Path) -> Problem:
    where = printable(link)
    return Problem(
        where,
        "discover",
        f"{where} is a link to {printable(link.resolve())}, outside {printable(root)}: it was not "
        "followed. To read it, give that file or folder to scrutiny build itself.",
    )


def _manifest_entries(
    manifests: Iterable[Path], root: Path
) -> tuple[dict[Path, tuple[Path, ManifestEntry]], list[Problem]]:
    """Entries keyed by the resolved path of their file, each with that file's path as written.

    A file listed by more than one manifest takes its entry from the nearest (the deepest
    folder); the others are reported. A row naming a file outside ``root`` is reported and
    left out: a manifest only describes the files of the folder it is in.
    """
    entries: dict[Path, tuple[Path, ManifestEntry]] = {}
    listed_by: dict[Path, list[Path]] = {}
    problems: list[Problem] = []
    real_root = root.resolve()
    # Deepest last, so the nearest manifest's entry is the one kept.
    for manifest in sorted(manifests, key=lambda m: (len(m.parts), m)):
        for item in read_manifest(manifest):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            listed = manifest.parent / item.file
            resolved = listed.resolve()
            if not resolved.is_relative_to(real_root):
                problems.append(
                    Problem(
                        printable(manifest),
                        "manifest",
                        f"The manifest {printable(manifest)} lists {item.file}, which is outside "
                        f"{printable(root)}; the row was left out.",
                    )
                )
                continue
            entries[resolved] = (listed, item)
            listed_by.setdefault(resolved, []).append(manifest)
    for resolved, rows in listed_by.items():
        if len(rows) > 1:
            listed, _ = entries[resolved]
            named = ", ".join(dict.fromkeys(str(m) for m in rows))
            problems.append(
                Problem(
                    printable(listed),
                    "manifest",
                    f"{printable(listed)} has {len(rows)} manifest rows (in {named}); the row in "
                    f"{rows[-1]}, the nearest manifest, is used. Remove the others.",
                )
            )
    return entries, problems


def discover(paths: Iterable[str | Path]) -> Iterator[SourceFile | Problem]:
    """Yield a SourceFile for every .pdf, .html/.htm and .txt file under ``paths``.

    Directories are walked recursively (hidden files and folders skipped) in a stable order.
    Each file gets the entry from the nearest ``manifest.csv`` that lists it. A path that
    does not exist, a folder that can't be read, a link out of the folder, a file name that
    is not valid UTF-8 and a manifest row whose file is missing each yield a Problem.
    """
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_dir():
            walked = list(_walk(root))
            problems = [item for item in walked if isinstance(item, Problem)]
            found = sorted(item for item in walked if isinstance(item, Path))
            real_root = root.resolve()
            files = []
            for file in found:
                if file.suffix.lower() not in FORMATS and file.name != MANIFEST_NAME:
                    continue
                if file.is_symlink() and not file.resolve().is_relative_to(real_root):
                    problems.append(_outside(file, root))
                else:
                    files.append(file)
            manifests = [f for f in files if f.name == MANIFEST_NAME]
            files = [f for f in files if f.name != MANIFEST_NAME and f.is_file()]
        elif root.is_file():
            problems = []
            files = [root]
            manifests = [m for m in [root.parent / MANIFEST_NAME] if m.is_file()]
        else:
            yield Problem(printable(root), "discover", f"{printable(root)} does not exist; check the path.")
            continue
        yield from problems
        entries, problems = _manifest_entries(manifests, root if root.is_dir() else root.parent)
        yield from problems
        for file in files:
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            if not _valid_name(file):
                where = printable(file)
                yield Problem(
                    where,
                    "discover",
                    f"The name of {where} is not valid UTF-8 (written in an older encoding such as "
                    "Latin-1), so it can't be stored or linked to; the file was not read. Rename it "
                    "(for example with: convmv -f latin1 -t utf8 --notest FILE) and build again.",
                )
                continue
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
                    printable(listed),
                    "manifest",
                    f"The manifest lists {entry.file} but there is no such file; "
                    "fetch it again or remove its row.",
                )
