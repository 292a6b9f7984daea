"""Publish a catalogue with Datasette, using the project's metadata.yml."""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import yaml
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from ..errors import ScrutinyError
from ..resources import bundled
from .store import hold_while_served

__all__ = ["SETTINGS", "file_mounts", "listen", "load_metadata", "make_datasette", "serve"]

HERE = Path(__file__).resolve().parent

#: Datasette settings for a catalogue of any size (measured by benchmarks/search_speed.py).
SETTINGS: dict[str, Any] = {
    # Read-only publishing: no query may hold the server for long.
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
    name = Path(db_path).stem
    if "catalogue" in databases:
        databases[name] = databases.pop("catalogue")
    return _renamed_links(metadata, name)


def _renamed_links(value: Any, name: str) -> Any:
    """metadata.yml's links into the catalogue (``href="/catalogue/trace"``) made to follow
    the served database's name: serving ``big.db``, they must go to ``/big/trace``."""
    if isinstance(value, str):
        return value.replace('href="/catalogue/', f'href="/{quote(name)}/')
    if isinstance(value, dict):
        return {key: _renamed_links(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed_links(item, name) for item in value]
    return value


def _register_plugins() -> None:
    from datasette import handle_exception

    from . import connections, search_count, site

    for module in (connections, search_count, site):
        if not pm.is_registered(module):
            pm.register(module, name=module.__name__)
    # Datasette prints every exception, a 404 included, with rich's traceback and its local
    # variables when rich is installed (spaCy brings it): 17 KB on stderr per bad link. A 4xx
    # is an answer, not a fault: without rich, Datasette prints only a 500's traceback.
    handle_exception.rich = None


def file_mounts(roots: Iterable[str | Path]) -> list[tuple[str, Path]]:
    """The URL prefixes of the folders holding the catalogue's source files (site.source_file):
    the first at ``/files/``, the next at ``/files-2/``, ... Missing folders are refused."""
    mounts: list[tuple[str, Path]] = []
    for number, root in enumerate(roots, start=1):
        folder = Path(root).resolve()
        if not folder.is_dir():
            raise ScrutinyError(
                f"There is no folder {root} to serve the source documents from; pass the folder "
                "you built the catalogue from with --files DIR (or leave it out for the sample corpus)."
            )
        mounts.append(("files" if number == 1 else f"files-{number}", folder))
    return mounts


def _refuse_while_building(db_path: Path) -> None:
    """An immutable catalogue must not change while served: refuse while a build holds its lock."""
    from .store import take_build_lock

    try:
        lock = take_build_lock(db_path)
    except OSError:
        return  # a read-only folder: no build can be writing there either
    if lock is None:
        raise ScrutinyError(f"A scrutiny build is updating {db_path}; serve it when the build has finished.")
    lock.release()


def _fold_write_ahead_log(db_path: Path) -> None:
    """Copy a finished build's write-ahead log into the main file: the catalogue is served
    immutable, and an immutable SQLite database never reads its -wal file."""
    _refuse_while_building(db_path)
    if not db_path.with_name(db_path.name + "-wal").exists():
        return
    try:
        connection = sqlite3.connect(db_path, timeout=5)
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise ScrutinyError(f"Could not open the catalogue {db_path}: {error}") from None
    if busy:
        raise ScrutinyError(
            f"{db_path} is being written by a build; serve it when the build has finished."
        )


class ServedCatalogue(Database):
    """The published catalogue, read through connections opened when the server starts.

    Datasette opens each SQL thread's connection lazily, by the file's name. A build that
    runs while the catalogue is served renames a new file into place under that name
    (store.building_copy), so a thread first used after it would read the new catalogue
    while the others read the old. Opening every connection up front keeps the whole
    server on the file it started with; a restart shows the new one. (Opening the held
    handle's /proc/self/fd path does not work: SQLite follows that link to the name.)
    Datasette 0.65's seam: ``Database.connect`` is called once per SQL thread, and
    ``cached_size`` and ``cached_hash`` are read before the file is stat'ed or hashed.
    """

    def __init__(self, datasette: Datasette, path: Path, count: int, size: int) -> None:
        super().__init__(datasette, path=str(path), is_mutable=False)
        self.cached_size = size
        self._opened = [super(ServedCatalogue, self).connect() for _ in range(count)]

    def connect(self, write: bool = False) -> sqlite3.Connection:
        if not write and self._opened:
            return self._opened.pop()
        return super().connect(write)


def _open_served(datasette: Datasette, db_path: Path, served: IO[bytes] | None) -> None:
    """Put a ServedCatalogue, its connections open, in place of Datasette's own database."""
    name = datasette.get_database().name
    datasette.remove_database(name)
    threads = datasette.setting("num_sql_threads") or 1
    for _ in range(3):
        size = os.fstat(served.fileno()).st_size if served is not None else db_path.stat().st_size
        catalogue = ServedCatalogue(datasette, db_path, threads, size)
        # A build that renamed its copy into place while these were opened: open them again.
        if served is None or os.stat(db_path).st_ino == os.fstat(served.fileno()).st_ino:
            break
        catalogue.close()
        served.close()
        served = hold_while_served(db_path)
    datasette.add_database(catalogue, name=name)
    datasette._scrutiny_served = served  # held open while this server lives
    # Read now, from the file this server opened (site._documents_by_path).
    try:
        with closing(Database.connect(catalogue)) as connection:
            datasette._scrutiny_digests = dict(connection.execute("select path, sha256 from documents"))
    except sqlite3.Error:
        datasette._scrutiny_digests = {}


def make_datasette(
    db_path: str | Path,
    metadata_path: str | Path | None = None,
    files: Iterable[str | Path] | None = None,
    **settings: Any,
) -> Datasette:
    """A read-only Datasette instance publishing the catalogue at ``db_path``, with the source
    documents under ``files`` (default: the bundled sample corpus) served at ``/files/``."""
    db_path = Path(db_path)
    if not db_path.is_file():
        raise ScrutinyError(
            f"There is no catalogue at {db_path}; build one first with: scrutiny build --db {db_path}"
        )
    # Marked as served before the check for a build: a build that starts later sees the
    # mark and builds a copy instead of writing the file this server reads (store.is_served).
    served = hold_while_served(db_path)
    try:
        _fold_write_ahead_log(db_path)
    except BaseException:
        if served is not None:
            served.close()
        raise
    mounts = file_mounts(files if files else [bundled("corpus")])
    _register_plugins()
    datasette = Datasette(
        immutables=[str(db_path)],
        metadata=load_metadata(db_path, metadata_path),
        settings={**SETTINGS, **settings},
        template_dir=str(HERE / "templates"),
        # The source files are served by site.source_file (only catalogued documents).
        static_mounts=[("scrutiny-static", str(HERE / "static"))],
        cors=False,
    )
    _open_served(datasette, db_path, served)
    datasette._scrutiny_file_mounts = mounts  # read by site.source_link and site.source_file
    return datasette


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, or an error saying the port is taken and what to do."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ScrutinyError(f"Cannot listen on {host}: {error.strerror}. Give an address such as --host 127.0.0.1.") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ScrutinyError(
                f"Port {port} on {host} is taken: another program (perhaps another scrutiny serve) is "
                f"listening there. Stop it, or choose another port with --port, e.g. --port {port + 1}."
            ) from None
        raise ScrutinyError(f"Cannot listen on {host}:{port}: {error.strerror}. Choose another --port or --host.") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(
    db_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8001,
    metadata_path: str | Path | None = None,
    files: Iterable[str | Path] | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Serve the catalogue over HTTP until interrupted, as ``datasette serve -i`` would;
    ``announce`` is told the address once the port is held."""
    import uvicorn

    datasette = make_datasette(db_path, metadata_path, files)
    asyncio.run(datasette.invoke_startup())
    sock = listen(host, port)
    if announce:
        announce(f"Serving {db_path} at http://{host}:{port}/ (Ctrl+C to stop)")
    server = uvicorn.Server(uvicorn.Config(datasette.app(), log_level="warning"))
    server.run(sockets=[sock])
