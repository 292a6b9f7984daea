"""Catalogue: the SQLite database (sqlite-utils) and its publication with Datasette.

The only stage that turns records into rows (``dataclasses.asdict``).
"""

from __future__ import annotations

from .serve import load_metadata, make_datasette, serve
from .store import TABLES, Catalogue

__all__ = ["TABLES", "Catalogue", "load_metadata", "make_datasette", "serve"]
