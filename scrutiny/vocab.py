"""The one way code loads a vocabulary from ``scrutiny/data/``: cue words, header roles, period
names, decision words, numbering schemes. Rules are data (STYLE.md): a new council's layout
should mean an entry in one of these files, not a regex somewhere in the code.

``vocabulary("header_roles")`` reads ``scrutiny/data/header_roles.yml`` (YAML, any shape) once
per process; a ``.csv`` file comes back as a list of dicts, one per row. A missing or malformed
file is a ScrutinyError that names the file, never a half-loaded list.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import ScrutinyError

__all__ = ["DATA", "vocabulary", "vocabulary_path"]

#: The folder of the data files the code loads.
DATA = Path(__file__).resolve().parent / "data"


def vocabulary_path(name: str) -> Path:
    """The data file called ``name`` (with or without its extension): .yml, .yaml or .csv."""
    given = DATA / name
    candidates = [given] if given.suffix else [given.with_suffix(s) for s in (".yml", ".yaml", ".csv")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ScrutinyError(
        f"The vocabulary {name!r} is missing from {DATA}; reinstall scrutiny "
        "(pip install -e . from a checkout)."
    )


@lru_cache(maxsize=None)
def vocabulary(name: str) -> Any:
    """The parsed contents of the data file ``name`` (cached: treat the result as read-only)."""
    path = vocabulary_path(name)
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".csv":
            return [dict(row) for row in csv.DictReader(text.splitlines())]
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, csv.Error) as error:
        raise ScrutinyError(f"{path} could not be read ({error}); fix or restore the file.") from error
