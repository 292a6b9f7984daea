"""Reading a build's documents on a Dask cluster (``scrutiny build --dask ADDRESS``).

The builder plans and writes as always (``scrutiny.pipeline.Build``); this executor sends each
reading to the cluster as one task, and the spaCy steps run in the same task, so the builder
only writes. Dask can't stop a running task, so a task does no reading itself: it hands the
document to a process of its own (a pebble pool in each Dask worker, readers and spaCy loaded,
then the memory limit set) and waits at most the time limit for it, exactly as a local build's
pool does. A reading past its limits, and a Dask worker lost while reading, become a problem
row, never a failed build.

Workers read the files at the paths the build found them at (a filesystem shared with the
builder), or, with ``send_files``, are sent the bytes (no shared filesystem). They need the
same scrutiny installed, and must be allowed to start processes: Dask's workers are daemonic
by default, and a daemonic process may have no children. ``local`` clusters are started so;
start a cluster's workers with ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` in their environment.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from .errors import ScrutinyError
from .extract.ocr import OcrPlan
from .pipeline import (
    Analysis, Limits, Problem, SourceFile, _die_with, _load_reader, _pool_context, _READER_MODULES,
    _named, _ToRead, analyse, spacy_steps, stopped_reading,
)  # fmt: skip

__all__ = ["DaskReaders", "local_workers", "read_on_worker"]

log = logging.getLogger(__name__)

INSTALL = "Dask is not installed here: pip install 'scrutiny[dask]' (dask and distributed)."


def local_workers(address: str) -> int | None:
    """The number of workers a ``local`` or ``local:N`` address asks for (``local``: one per
    CPU), or None for a scheduler's address (``tcp://host:8786``)."""
    if address == "local":
        from .pipeline import default_workers

        return default_workers()
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ScrutinyError(f"--dask {address}: give local:N with N a number of workers, 1 or more.")
        return int(count)
    return None


class DaskReaders:
    """A build's executor (``scrutiny.pipeline.Executor``) on a Dask cluster: a scheduler's
    address, or ``local[:N]`` for a LocalCluster of N single-threaded worker processes."""

    limited = True

    def __init__(self, address: str, limits: Limits, send_files: bool = False):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ScrutinyError(INSTALL) from None
        self.limits = limits
        self.send_files = send_files
        self.cluster = None
        self.running: set = set()
        if not log.isEnabledFor(logging.DEBUG):  # Dask's own news of each worker and client
            for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.core"):
                logging.getLogger(name).setLevel(logging.ERROR)
        count = local_workers(address)
        try:
            if count is not None:
                # A reading worker's own process (for the limits) is a child of the Dask worker.
                with dask.config.set({"distributed.worker.daemon": False}):
                    self.cluster = LocalCluster(
                        n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
                    )  # fmt: skip
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="10s")
            self.client.wait_for_workers(1, timeout=60)
        except (OSError, TimeoutError) as error:
            self.close(False)
            raise ScrutinyError(
                f"Could not reach the Dask cluster at {address} ({error}). Check that its scheduler "
                "is running and has workers, or build with --dask local to start one here."
            ) from None
        daemonic = [name for name, daemon in self.client.run(_daemonic).items() if daemon]
        if daemonic:
            self.close(False)
            raise ScrutinyError(
                f"The Dask workers at {address} may not start processes (they are daemonic), so "
                "they can't keep a reading to its time and memory limits. Start them with "
                "DASK_DISTRIBUTED__WORKER__DAEMON=False in their environment."
            )
        self.capacity = max(1, sum(self.client.nthreads().values()))
        # Each worker starts its reading processes (readers and spaCy load) while the build plans.
        self.client.run(_start_pool, limits, wait=False)

    def start(self, waiting: Sequence[_ToRead]) -> None:
        self.running = {future for future in self.running if not future.done()}
        unstarted = [item for item in waiting if item.future is None]
        for item in unstarted[: self.capacity + 1 - len(self.running)]:
            data = _read_bytes(item.source) if self.send_files else None
            item.future = self.client.submit(
                read_on_worker, item.source, item.ocr, self.limits, data, pure=False, retries=0,
            )  # fmt: skip
            self.running.add(item.future)

    def ready(self, item: _ToRead) -> bool:
        return item.future is not None and item.future.done()

    def wait(self) -> None:
        from distributed import wait

        if self.running:
            wait(list(self.running), return_when="FIRST_COMPLETED")

    def result(self, item: _ToRead) -> Analysis:
        try:
            return item.future.result()
        except Exception as exception:  # the task's worker died, or the cluster went away
            if self.client.status != "running":
                raise ScrutinyError(
                    "Lost the Dask cluster during the build (what it had saved is kept). Check "
                    "the scheduler and build again; it carries on where it stopped."
                ) from None
            return _lost(item.source, exception)

    def close(self, finished: bool) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            if not finished and self.running:
                client.cancel(list(self.running))
            try:  # each worker's reading processes, which would hold its closing up
                client.run(_close_pools, finished)
            except Exception:  # a worker already gone: its processes went with it
                pass
            client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None


def _read_bytes(source: SourceFile) -> bytes | None:
    try:
        return Path(source.path).read_bytes()
    except OSError:
        return None  # read_on_worker then reports it as a file that could not be read


def _lost(source: SourceFile, exception: BaseException) -> Analysis:
    """A reading whose Dask worker died (killed, out of memory, its machine lost)."""
    error = (
        f"The Dask worker reading {source.path} died ({type(exception).__name__}: {exception}). "
        "It is not tried again until the file changes; to retry, delete its row from problems "
        "and build again (give the workers more memory, or a lower --memory-limit)."
    )
    return Analysis(None, failure=Problem(source.path, "read", error, sha256=source.sha256))


def _close_pools(finished: bool) -> None:
    with _pools_lock:
        for pool in _pools.values():
            if finished:
                pool.close()
            else:
                pool.stop()
            pool.join()
        _pools.clear()


def _daemonic() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


# --- On a Dask worker ---------------------------------------------------------------

_pools: dict[Limits, object] = {}
_pools_lock = threading.Lock()


def _start_reading_process(memory_mb: int | None, worker: int) -> None:
    """A reading process's start-up in a Dask worker: every reader and spaCy loaded, then the
    memory limit set; it ends when its Dask worker does."""
    from .pipeline import _limit_memory
    from .nlp.entities import entities_in_text
    from .nlp.prose import prose_indicators
    from .records import Page

    _die_with(worker)
    for format in _READER_MODULES:
        _load_reader(format)
    list(prose_indicators([Page(1, "Performance was 85% in July.")]))
    list(entities_in_text("Councillor A Smith (Chair) thanked the Director of Children's Services."))
    _limit_memory(memory_mb)


async def _start_pool(limits: Limits, dask_worker=None) -> None:
    """Start this Dask worker's reading processes now, before its first task (``Client.run``)."""
    pool = _pool(limits, dask_worker.state.nthreads)
    for _ in range(dask_worker.state.nthreads):
        pool.schedule(len, ((),))


def _pool(limits: Limits, nthreads: int | None = None):
    """This Dask worker's reading processes (one per thread)."""
    with _pools_lock:
        pool = _pools.get(limits)
        if pool is None or not pool.active:
            import pebble

            if nthreads is None:
                from distributed import get_worker

                nthreads = get_worker().state.nthreads
            pool = pebble.ProcessPool(
                max_workers=nthreads,
                initializer=_start_reading_process,
                initargs=(limits.memory_mb, os.getpid()),
                context=_pool_context(),
            )
            _pools[limits] = pool
        return pool


def read_on_worker(source: SourceFile, ocr: OcrPlan | None, limits: Limits, data: bytes | None = None) -> Analysis:
    """A Dask task: read one document and run every extractor on it, in a process of its own
    within the limits. ``data``: the file's bytes, when the worker can't read its path."""
    from concurrent.futures.process import BrokenProcessPool

    with tempfile.TemporaryDirectory(prefix="scrutiny-") as folder:
        file = None
        if data is not None:
            # The same name: describe() reads the file's name (its kind: "...minutes.pdf").
            file = os.path.join(folder, Path(source.path).name)
            Path(file).write_bytes(data)
        pool = _pool(limits)
        try:
            future = pool.schedule(analyse, (source, False, ocr, file), timeout=limits.seconds)
            try:
                analysis = future.result()
            except BrokenProcessPool:
                raise
            except Exception as exception:
                if file is not None:  # stopped_reading checks the file as it is now: the bytes sent
                    return _named(stopped_reading(replace(source, path=file), limits, exception), file, source.path)
                return stopped_reading(source, limits, exception)
            return spacy_steps(pool, source, analysis, limits)
        except BrokenProcessPool:
            _pools.pop(limits, None)
            return Analysis(None, failure=Problem(
                source.path, "read",
                f"The process that reads documents on a Dask worker could not start, so {source.path} "
                "was not read; this is not the file's fault. It is read at the next build.",
            ))  # fmt: skip
