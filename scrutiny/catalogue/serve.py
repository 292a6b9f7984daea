"""Publish a catalogue with Datasette, using the project's metadata.yml."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.plugins import pm

from ..errors import ScrutinyError
from ..resources import bundled

__all__ = ["SETTINGS", "load_metadata", "make_datasette", "serve"]

#: Datasette settings for a catalogue of any size (measured by benchmarks/search_speed.py).
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,
    # Suggested facets run a GROUP BY per column over every matching row: on a million
    # indicator rows a search took 2.6 s with them, 80 ms without. Facets named in
    # metadata.yml, and any a user asks for with ?_facet=, still work.
    "suggest_facets": False,
    # A facet over every page matching a common word (pages' document_id facet, 100,000
    # pages) can't finish in time anyway; give up sooner. Rarer words' facets take < 50 ms.
    "facet_time_limit_ms": 100,
}


def load_metadata(db_path: str | Path, metadata_path: str | Path | None = None) -> dict[str, Any]:
    """The publishing metadata, with its database section named after ``db_path``.

    metadata.yml describes the catalogue under ``databases: catalogue:``; Datasette names
    a database after its file, so a catalogue built as ``kent.db`` gets the same descriptions.
    """
    path = Path(metadata_path) if metadata_path else bundled("metadata.yml")
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ScrutinyError(f"Could not read the metadata file {path}: {error}") from None
    databases = metadata.get("databases") or {}
    if "catalogue" in databases:
        databases[Path(db_path).stem] = databases.pop("catalogue")
    return metadata


def _register_plugin() -> None:
    from . import connections

    if not pm.is_registered(connections):
        pm.register(connections, name="scrutiny.catalogue.connections")


def make_datasette(
    db_path: str | Path, metadata_path: str | Path | None = None, **settings: Any
) -> Datasette:
    """A Datasette instance publishing the catalogue at ``db_path``."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ScrutinyError(
            f"There is no catalogue at {db_path}; build one first with: scrutiny build --db {db_path}"
        )
    _register_plugin()
    return Datasette(
        [str(db_path)],
        metadata=load_metadata(db_path, metadata_path),
        settings={**SETTINGS, **settings},
        cors=False,
    )


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    metadata_path: str | Path | None = None,
) -> None:
    """Serve the catalogue over HTTP until interrupted, as ``datasette serve`` would."""
    import uvicorn

    datasette = make_datasette(db_path, metadata_path)
    asyncio.run(datasette.invoke_startup())
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
