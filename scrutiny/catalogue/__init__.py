"""Catalogue: the SQLite database (sqlite-utils) and its publication with Datasette.

The only stage that turns records into rows (``dataclasses.asdict``). Datasette is
imported only when a catalogue is published, so ``scrutiny build`` starts quickly.
"""

from __future__ import annotations

import importlib
from typing import Any

from .store import TABLES, Catalogue

__all__ = ["TABLES", "Catalogue", "load_metadata", "make_datasette", "serve"]

_PUBLISHING = {"load_metadata", "make_datasette", "serve"}


def __getattr__(name: str) -> Any:
    if name in _PUBLISHING:
        publishing = importlib.import_module(f"{__name__}.serve")
        # Importing the submodule binds ``serve`` here to it; the public name is the function.
        globals().update({public: getattr(publishing, public) for public in _PUBLISHING})
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
