"""The build: files on disk -> pages and facts -> the catalogue, one document at a time.

Incremental by content: a file whose path and SHA-256 are already in the catalogue is not
read again; a changed file replaces its old records; a file moved or renamed keeps its
records under the new path. Each document is written in one transaction, so a build
stopped at any point leaves a consistent catalogue that the next build completes.

Files are read in parallel: ``analyse()`` runs in a pool of worker processes, one document
per task, largest file first, each with a time and memory limit, while this process alone
writes the catalogue. The extractors that need spaCy run in one more worker, under the same
limits, after a reading worker has read the document: spaCy then loads once per build
(about a second), not once in every worker, and it loads while the workers read. Nothing
that reads a document's text runs unbounded in this process. One build at a time may write
a catalogue (a lock file beside it, ``<db>.lock``); a catalogue that ``scrutiny serve`` has
open is built as a copy and renamed into place (``Build.run``).
"""

from __future__ import annotations

import errno
import functools
import importlib
import logging
import multiprocessing
import os
import re
import select
import sqlite3
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from . import corpus, extract, registry
from .catalogue import Catalogue
from .catalogue import changes
from .catalogue import measures as measure_tables
from .catalogue.store import building_copy, is_served, known_sha, lock_path, replace_catalogue, take_build_lock
from .corpus.discover import printable, sha256_of
from .errors import ScrutinyError, UnreadableDocument
from .extract.ocr import OcrPlan, OcrSettings, engine_problem
from .records import Analysis, Document, DocumentFacts, Outcome, Page, Problem, SourceFile
from .resources import bundled

__all__ = [
    "EXTRACTORS", "NEEDS_SPACY", "Build", "BuildSummary", "Executor", "Limits", "OcrSettings", "analyse",
    "build", "complete", "default_workers", "extract_prose", "merge", "spacy_steps", "stopped_reading",
]

#: What finds records in a document once its pages are read: (name, function) pairs, run in
#: order. Each function takes (source, document, pages, found), where ``found`` holds the
#: records the extractors before it yielded, and yields records for the catalogue. One that
#: raises is recorded as a problem at stage ``name``; the document and the other extractors'
#: records are still saved.
Extractor = Callable[[SourceFile, Document, Sequence[Page], Sequence[object]], Iterable[object]]


def _year_hint(document: Document) -> str:
    """Where a bare "Q1" or "July" gets its year: the title ("... Quarter 1 2016/17"), else the meeting."""
    return " ".join(part for part in (document.title, document.meeting_date) if part)


def _reporting(document: Document, pages: Sequence[Page]):
    """The period a report reports on, where its title or cover says (periods.reporting_period).
    Only reports: a letter, minutes or an inspection is not a period's figures."""
    from .periods import reporting_period

    if document.kind not in (None, "report"):
        return None
    return reporting_period(document.title, pages[0].text if pages else None)


def _indicators(
    source: SourceFile, document: Document, pages: Sequence[Page], found: Sequence[object] = ()
) -> Iterable[object]:
    return extract.indicators(pages, _year_hint(document), reporting=_reporting(document, pages))


def extract_minutes(
    source: SourceFile, document: Document, pages: Sequence[Page], found: Sequence[object] = ()
) -> Iterable[object]:
    """Agenda items, resolutions and actions (scrutiny.extract.minutes), from minutes only."""
    return extract.minute_records(source, document, pages)


def extract_minutes_entities(
    source: SourceFile, document: Document, pages: Sequence[Page], found: Sequence[object] = ()
) -> Iterable[object]:
    """People, roles and bodies each agenda item names (scrutiny.nlp.entities): the items are
    those the minutes extractor found, so a document that isn't minutes has none."""
    from .records import AgendaItem

    items = [record for record in found if isinstance(record, AgendaItem)]
    if not items:
        return []
    from .nlp.entities import entities  # spaCy loads only when there are minutes to read

    return entities(items, pages)


def extract_prose(
    source: SourceFile, document: Document, pages: Sequence[Page], found: Sequence[object] = ()
) -> list[object]:
    """Indicator values written in sentences (scrutiny.nlp.prose), from papers but not minutes.

    Minutes report what members said about figures, not the figures as reported (seed 004),
    so they are left to the minutes extractors. The title and meeting date date a bare
    "January" or "year to date".
    """
    if document.kind == "minutes":
        return []
    from .nlp.prose import prose_indicators  # spaCy loads only when a build needs it

    return list(prose_indicators(pages, _year_hint(document) or None, reporting=_reporting(document, pages)))


EXTRACTORS: list[tuple[str, Extractor]] = [
    ("indicators", _indicators),
    ("prose", extract_prose),
    ("minutes", extract_minutes),
    ("entities", extract_minutes_entities),
]

#: The extractors (by name) that load spaCy. They run after the others, so the records and
#: what each extractor finds in ``found`` are the same wherever they run: in a build with a
#: pool, the worker that read the document runs the others and the spaCy worker these.
NEEDS_SPACY = frozenset({"prose", "entities"})

log = logging.getLogger(__name__)

_DESCRIBE_PAGES = 3  # describe() reads the cover; the rest of a long document is not needed


def _display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


_STATUSES = ("confirmed", "automatic", "pending")
#: The linker's code: a new version relinks even when nothing else changed.
_LINKER = Path(__file__).resolve().parent / "nlp" / "linking.py"


@dataclass
class BuildSummary:
    """Counts of what a build did, by action, and the problems it met."""

    actions: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    links: dict[str, int] | None = None  # measure links by status, once the build has linked
    # What this build's linking did: the authorities it relinked (None: every one; 0 when
    # nothing linking reads changed) and how many links it wrote or removed.
    relinked_authorities: int | None = 0
    links_changed: int = 0
    followups: dict[str, int] | None = None  # requests in minutes by status (scrutiny.followups)
    ocr_pages: int = 0  # pages read by OCR in this build

    def add(self, outcome: Outcome) -> None:
        if outcome.action == "ocr":  # a second outcome for a file already counted
            self.ocr_pages += outcome.page_count
            # Its reading by OCR replaces what reading its text reported ("queued for OCR").
            self.problems = [
                problem for problem in self.problems
                if problem.path != outcome.path or problem.stage in ("discover", "manifest")
            ]  # fmt: skip
        else:
            self.actions[outcome.action] = self.actions.get(outcome.action, 0) + 1
        self.problems.extend(outcome.problems)

    @property
    def files(self) -> int:
        return sum(self.actions.values())

    def __str__(self) -> str:
        done = ", ".join(f"{n} {action}" for action, n in sorted(self.actions.items()))
        text = f"{self.files} files: {done or 'none found'}"
        if self.ocr_pages:
            text += f"; {self.ocr_pages} pages read by OCR"
        if self.problems:
            text += f"; {len(self.problems)} problems (see the problems table)"
        if self.links is not None:
            counts = ", ".join(f"{self.links.get(status, 0)} {status}" for status in _STATUSES)
            if self.links.get("rejected"):
                counts += f", {self.links['rejected']} rejected"
            text += f"; measure links: {counts}"
        if self.followups:
            text += (f"; requests: {sum(self.followups.values())} ({self.followups.get('returned', 0)} returned, "
                     f"{self.followups.get('overdue', 0)} overdue)")
        return text


#: The longest title kept: a document whose first line runs on for pages (a text file of one
#: line) would otherwise carry all of it as its title into every step that reads titles.
TITLE_CHARS = 300


def _bounded(title: str | None) -> str | None:
    """A title of at most ``TITLE_CHARS`` characters, cut at a space and marked with "…"."""
    if title is None or len(title) <= TITLE_CHARS:
        return title
    cut = title.rfind(" ", TITLE_CHARS // 2, TITLE_CHARS)
    return title[: cut if cut != -1 else TITLE_CHARS - 1].rstrip() + "…"


def _facts(source: SourceFile, pages: Sequence[Page]) -> DocumentFacts:
    """Manifest facts where the manifest gives them, else what the document's text shows."""
    guessed = extract.describe(pages[:_DESCRIBE_PAGES], source.path)
    guessed = replace(guessed, title=_bounded(guessed.title))
    listed = source.manifest
    if listed is None:
        return guessed
    return DocumentFacts(
        title=_bounded(listed.title) or guessed.title,
        kind=listed.kind or guessed.kind,
        committee=listed.committee or guessed.committee,
        meeting_date=listed.meeting_date or guessed.meeting_date,
        authority=listed.authority or guessed.authority,
    )


def _document(source: SourceFile, pages: Sequence[Page]) -> Document:
    facts = _facts(source, pages)
    return Document(
        path=source.path,
        sha256=source.sha256,
        format=source.format,
        size=source.size,
        page_count=len(pages),
        title=facts.title,
        authority=facts.authority,
        committee=facts.committee,
        meeting_date=facts.meeting_date,
        kind=facts.kind,
        source_url=source.manifest.source_url if source.manifest else None,
    )


@dataclass(frozen=True)
class Limits:
    """How long and how much memory reading one document may take before it is stopped.

    ``seconds``: wall-clock time for one document (a 500-page PDF takes ~25 s here).
    ``memory_mb``: memory the worker may allocate beyond what it holds when it starts.
    None: no limit. Limits apply only when documents are read in worker processes.
    """

    seconds: float | None = 600
    memory_mb: int | None = 2048

    #: Below this a worker can't even start reading (map a PDF library, parse a page): every
    #: document would fail for want of memory, not because of anything in it.
    MIN_MEMORY_MB = 100

    def __post_init__(self) -> None:
        if self.seconds is not None and self.seconds <= 0:
            raise ScrutinyError("The time limit must be a positive number of seconds.")
        if self.memory_mb is not None and self.memory_mb < self.MIN_MEMORY_MB:
            raise ScrutinyError(
                f"A memory limit of {self.memory_mb} MB is too small to read any document; "
                f"give at least {self.MIN_MEMORY_MB} (the default is 2048)."
            )


def default_workers() -> int:
    """How many documents to read at once: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _same_file(old_path: str, new_path: str) -> bool:
    try:
        return os.path.samefile(old_path, new_path)
    except OSError:
        return False


@dataclass
class _SamePath:
    """A file with the content of one read earlier in this build from another path."""

    path: str


@dataclass
class _ToRead:
    """A file the build must read, and its reading once started (a pool future)."""

    source: SourceFile
    replacing: bool
    ocr: OcrPlan | None = None  # now=True: a second reading, for the pages that need OCR
    future: Future | None = None
    waiting: int = 0  # for an OCR reading: the pages it is for


def _limit_memory(memory_mb: int | None) -> None:
    """Pool worker start-up: cap the address space at what it holds now plus ``memory_mb``."""
    if memory_mb is None:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the time limit still applies
        return
    held = 0
    try:
        with open("/proc/self/status") as f:
            held = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        pass
    limit = held + memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (ValueError, OSError):  # a hard limit already lower, or not supported (macOS)
        pass


#: What each reader imports as it reads. A worker loads them all before its memory limit is
#: set, and ``analyse()`` before it reads: a reader that can't be loaded (too little memory
#: to map pikepdf's library) fails the document, instead of failing every page of it.
_READER_MODULES = {
    "pdf": (
        "pdfplumber", "pdfplumber.page", "pdfplumber.table", "pdfplumber.utils", "pdfminer.layout",
        "pdfminer.pdfdocument", "unicodedata", "scrutiny.extract.contentstream",
        "scrutiny.extract.ocr", "pypdfium2", "numpy", "PIL.Image", "io", "ctypes",
    ),
    "html": ("bs4", "bs4.element", "charset_normalizer"),
    "text": ("charset_normalizer",),
}  # fmt: skip


def _load_reader(format: str) -> None:
    for name in _READER_MODULES.get(format, ()):
        importlib.import_module(name)


def _die_with(builder: int) -> None:
    """End this worker when the builder (process ``builder``) ends, however it ends: a builder
    killed with ``kill -9`` must leave no worker reading on at full CPU. Watched from a thread,
    as multiprocessing's fork server, the worker's parent, outlives the builder while any
    worker lives."""

    def watch() -> None:
        try:
            handle = os.pidfd_open(builder)  # Linux 5.3+: readable once the process has ended
        except (AttributeError, OSError):
            handle = None
        if handle is not None:
            select.select([handle], [], [])
        else:
            while True:
                time.sleep(1)
                try:
                    os.kill(builder, 0)
                except ProcessLookupError:
                    break
                except PermissionError:
                    pass
        os._exit(1)

    threading.Thread(target=watch, name="scrutiny-watch-builder", daemon=True).start()


def _start_reader(memory_mb: int | None, builder: int) -> None:
    """A reading worker's start-up: every reader loaded, then the memory limit set."""
    _die_with(builder)
    for format in _READER_MODULES:
        _load_reader(format)
    _limit_memory(memory_mb)


def _start_spacy(memory_mb: int | None, builder: int) -> None:
    """The spaCy worker's start-up: both spaCy pipelines loaded (about a second, once per
    build, while the readers read), then the memory limit set."""
    _die_with(builder)
    from .nlp.entities import entities_in_text
    from .nlp.prose import prose_indicators

    list(prose_indicators([Page(1, "Performance was 85% in July.")]))
    list(entities_in_text("Councillor A Smith (Chair) thanked the Director of Children's Services."))
    _limit_memory(memory_mb)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a clean server process that has imported the pipeline once.

    Not plain fork: the builder holds an SQLite connection, a lock file and pebble's
    threads, none of which a worker should inherit.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "pdfplumber"])
        return context
    return multiprocessing.get_context("spawn")


def _run_extractor(source: SourceFile, analysis: Analysis, name: str) -> Analysis:
    """The spaCy worker's task: one extractor of ``NEEDS_SPACY`` run on a read document."""
    return _extract(source, analysis, name.__eq__)


def spacy_steps(pool, source: SourceFile, analysis: Analysis, limits: Limits) -> Analysis:
    """Run the extractors of ``NEEDS_SPACY`` on a read document, each as one task in ``pool``
    (a pebble pool whose workers have spaCy loaded) within the limits; a step past them is
    stopped, and the document keeps what the other steps found, with a problem naming the step.
    The same on every executor: a build's spaCy worker, or a Dask worker's own process."""
    if analysis.failure is not None:
        return analysis
    for name, _ in EXTRACTORS:
        if name not in NEEDS_SPACY:
            continue
        future = pool.schedule(_run_extractor, (source, analysis, name), timeout=limits.seconds)
        try:
            analysis = future.result()
            continue
        except TimeoutError:
            error = (
                f"The {name} step on {source.path} took longer than the limit of "
                f"{limits.seconds:g} s and was stopped; the document is kept without its "
                f"{name} records. It is not tried again while the file is unchanged."
            )
        except BrokenProcessPool:
            raise
        except Exception as exception:
            import pebble

            if not isinstance(exception, pebble.ProcessExpired):
                raise
            error = (
                f"The {name} step on {source.path} needed more memory than the limit of "
                f"{limits.memory_mb} MB and was stopped; the document is kept without its "
                f"{name} records. It is not tried again until the file changes."
            )
        problem = Problem(source.path, name, error, sha256=analysis.document.sha256)
        analysis = replace(analysis, problems=(*analysis.problems, problem))
    return analysis


def stopped_reading(source: SourceFile, limits: Limits, exception: BaseException) -> Analysis:
    """A reading that gave no Analysis (past the time limit, its process died, a bug), as a
    failure that the build records in ``problems``: never a failed build."""
    if isinstance(exception, TimeoutError):
        error = (
            f"Reading {source.path} took longer than the limit of {limits.seconds:g} s "
            "and was stopped (a damaged or pathological file?). It is not tried again "
            "until the file changes; to allow more time, delete its row from problems "
            "and build again with a higher --time-limit."
        )
    else:
        import pebble

        if not isinstance(exception, pebble.ProcessExpired):
            return Analysis(None, failure=_bug(source, "read", exception))
        error = (
            f"The process reading {source.path} died ({exception}), most likely out of "
            f"memory (limit {limits.memory_mb} MB). It is not tried again until the "
            "file changes; to retry, delete its row from problems and build again with "
            "a higher --memory-limit."
        )
    # Stopped part-way, the worker could not say what it read: the file as it is now, if
    # that is still what was found (otherwise the next build reads it again).
    try:
        read = source.sha256 if sha256_of(source.path) == source.sha256 else None
    except OSError:
        read = None
    return Analysis(None, failure=Problem(source.path, "read", error, sha256=read))


class Executor(Protocol):
    """Where a build's documents are read: the seam between planning and writing (``Build``)
    and the processes that read. ``Build`` hands it the files to read, largest first, and
    takes each Analysis back in its own order; whatever happens to a reading (past its limits,
    a worker lost), ``result`` gives an Analysis, a failure at worst, never an exception for a
    document's sake. Three kinds: in this process and a local process pool (``_Readers``), and
    a Dask cluster (``scrutiny.cluster.DaskReaders``).
    """

    #: How many documents it reads at once (a build plans four times as many ahead).
    capacity: int
    #: Whether each reading keeps to the time and memory limits (not in the build's process).
    limited: bool

    def start(self, waiting: Sequence[_ToRead]) -> None:
        """Start reading the first of the ``waiting`` items not yet started, while there is room."""

    def ready(self, item: _ToRead) -> bool:
        """Whether ``result(item)`` would return without waiting."""

    def wait(self) -> None:
        """Wait until one of the readings started is finished."""

    def result(self, item: _ToRead) -> Analysis:
        """The reading's Analysis with every extractor's records (spaCy's too), or a failure."""

    def close(self, finished: bool) -> None:
        """Stop (``finished`` False: without waiting for readings in flight) and let go."""


class _Readers:
    """Where documents are read: here (``workers=1``) or in pools started on first use.

    The reading pool is kept one task ahead of its workers, so none waits for the builder.
    A worker reads a document and runs the extractors that don't need spaCy; those that do
    run in one more worker, where spaCy stays loaded, one task each, when the builder takes
    the result (``_spacy_step``). Every step on a document's text is so bounded by the limits.
    """

    def __init__(self, workers: int, limits: Limits):
        self.workers = workers
        self.capacity = workers
        self.limited = workers > 1
        self.limits = limits
        self.pool = None
        self.spacy_pool = None
        self.running: set[Future] = set()

    def start(self, waiting: Iterable[_ToRead]) -> None:
        """Start reading the largest of the ``waiting`` files while there is room."""
        if self.workers <= 1:
            return  # read in this process, one at a time, by result()
        self.running = {future for future in self.running if not future.done()}
        unstarted = [item for item in waiting if item.future is None]
        for item in unstarted[: self.workers + 1 - len(self.running)]:
            item.future = self._pool().schedule(
                analyse, (item.source, False, item.ocr), timeout=self.limits.seconds
            )
            self.running.add(item.future)
        if unstarted:
            self._spacy_pool()  # spaCy loads there while the first documents are read

    def ready(self, item: _ToRead) -> bool:
        return self.workers <= 1 or (item.future is not None and item.future.done())

    def wait(self) -> None:
        """Wait until one of the documents being read is finished."""
        wait(self.running, return_when=FIRST_COMPLETED)

    def result(self, item: _ToRead) -> Analysis:
        """The document's Analysis, or a failure saying why the worker gave none."""
        if item.future is None:
            return analyse(item.source, ocr=item.ocr)
        try:
            analysis = item.future.result()
        except BrokenProcessPool:
            raise ScrutinyError(
                "The worker processes that read documents could not start, so the build "
                "stopped (what it had saved is kept). Run it again with --workers 1 to read "
                "documents in this process, and please report the problem."
            ) from None
        except Exception as exception:
            return stopped_reading(item.source, self.limits, exception)
        return spacy_steps(self._spacy_pool(), item.source, analysis, self.limits)

    def _pool(self):
        if self.pool is None:
            import pebble

            self.pool = pebble.ProcessPool(
                max_workers=self.workers,
                initializer=_start_reader,
                initargs=(self.limits.memory_mb, os.getpid()),
                context=_pool_context(),
            )
        return self.pool

    def _spacy_pool(self):
        if self.spacy_pool is None:
            import pebble

            self.spacy_pool = pebble.ProcessPool(
                max_workers=1,
                initializer=_start_spacy,
                initargs=(self.limits.memory_mb, os.getpid()),
                context=_pool_context(),
            )
            self.spacy_pool.schedule(len, ((),))  # start the worker now: spaCy loads meanwhile
        return self.spacy_pool

    def close(self, finished: bool) -> None:
        for pool in (self.pool, self.spacy_pool):
            if pool is None:
                continue
            if finished:
                pool.close()
            else:  # stopped early (Ctrl+C, an error): don't wait for documents in flight
                pool.stop()
            pool.join()
        self.pool = self.spacy_pool = None


@contextmanager
def _only_build(db_path: Path) -> Iterator[None]:
    """Hold ``<db>.lock`` for the whole build, or refuse: two builds must not interleave.
    The lock sits beside the real file (symlinks resolved), however the path was typed."""
    try:
        lock = take_build_lock(db_path)
    except OSError as error:
        raise ScrutinyError(
            f"Could not create the lock file beside the catalogue {db_path} ({error.strerror or error}). "
            "Check that its folder exists and can be written to, or give another --db."
        ) from None
    if lock is None:
        raise ScrutinyError(
            f"Another scrutiny build is updating {db_path} (it holds {lock_path(db_path)}). "
            "Wait for it to finish and run this build again; it will only read what changed."
        )
    try:
        yield
    finally:
        lock.release()


_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


@contextmanager
def _catalogue_errors(db_path: Path) -> Iterator[None]:
    """What went wrong writing the catalogue, in words that say what to do (not a traceback)."""
    try:
        yield
    except sqlite3.Error as error:
        text = str(error)
        if "full" in text:
            raise ScrutinyError(_disk_full(db_path, text)) from None
        if "readonly" in text or "unable to open" in text or "read-only" in text:
            raise ScrutinyError(
                f"Could not write the catalogue {db_path} ({text}). Check that its folder exists "
                "and can be written to, or give another --db."
            ) from None
        if "malformed" in text or "not a database" in text:
            raise ScrutinyError(
                f"{db_path} is damaged or is not a scrutiny catalogue ({text}). Give another --db, "
                "or move it away and build again."
            ) from None
        raise
    except OSError as error:
        if error.errno in _FULL:
            raise ScrutinyError(_disk_full(db_path, error.strerror or str(error))) from None
        if error.errno in _DENIED:
            raise ScrutinyError(
                f"Could not write beside the catalogue {db_path} ({error}). Check that its folder "
                "can be written to, or give another --db."
            ) from None
        raise


def _disk_full(db_path: Path, error: str) -> str:
    return (
        f"The disk holding {db_path} is full ({error}): the build stopped, and every document "
        "it had saved is kept. Free some space and build again; it carries on where it stopped."
    )


class Build:
    """One build of a catalogue from files on disk (``paths=None``: the bundled sample corpus).

    Finding and hashing the files happens when the Build is made, so ``len(build)`` is
    known before ``run()`` reads any document (the CLI uses it for its progress bar).
    ``workers``: documents read at once, in worker processes (default: one per CPU);
    1 reads them in this process, with no limits. ``review``: the review file of link
    decisions (default: ``<db>.review.csv`` beside the catalogue). ``ocr``: how pages with
    no usable text are read (OcrSettings, or its mode: "auto", "always", "never").

    Files are read and saved largest first (``sources``), so a long document doesn't start
    last and leave one worker reading alone at the end of the build.

    Scanned pages never hold up pages with text: every document is first read for its text
    and saved, its scanned pages kept empty; those documents are then read again by OCR in
    whichever workers have no text left to read, and saved again (outcome ``ocr``). A
    reading that runs out of time keeps the pages it read and the next reading carries on:
    words already read for a file are kept in the catalogue (``ocr_words``), so a page is
    read by OCR once per version of its file.
    """

    def __init__(
        self,
        paths: Iterable[str | Path] | None,
        db_path: str | Path,
        workers: int | None = None,
        limits: Limits | None = None,
        review: str | Path | None = None,
        ocr: OcrSettings | str | None = None,
        dask: str | None = None,
        send_files: bool = False,
        rehash: bool = False,
    ):
        if paths is None:
            paths = [bundled("corpus")]
        given = [_display_path(Path(p)) for p in paths]
        self.roots = [printable(path) for path in given]  # as problems name them
        self.db_path = Path(db_path)
        self.workers = default_workers() if workers is None else workers
        if self.workers < 1:
            raise ScrutinyError("The number of workers must be 1 or more.")
        self.limits = limits or Limits()
        # A Dask cluster's address, or "local" / "local:N" (a LocalCluster of N workers).
        self.dask = dask
        self.send_files = send_files
        self.rehash = rehash
        self.ocr = OcrSettings.resolve(ocr)
        # Why Tesseract can't run here (recorded against each page that needs it), or None.
        self.ocr_missing = engine_problem(self.ocr.language) if self.ocr.mode != "never" else None
        self._scans: deque[_ToRead] = deque()
        self.review = Path(review) if review is not None else registry.review_path(self.db_path)
        known = None if rehash else known_sha(self.db_path)
        found = list(corpus.discover(given, known))
        self.sources = sorted((item for item in found if isinstance(item, SourceFile)), key=lambda s: -s.size)
        self.found_problems = [item for item in found if isinstance(item, Problem)]
        self.summary = BuildSummary()
        self._registry_written: dict[str, str] | None = None
        self._reading: dict[tuple[str, str], str] = {}  # (sha256, format) -> the path read
        self._limited = self.workers > 1  # whether readings keep to the limits (the executor's)
        self._clean_paths: set[str] = set()  # planned as unchanged, with nothing to write

    def __len__(self) -> int:
        return len(self.sources)

    def run(self) -> Iterator[Outcome]:
        """Bring the catalogue up to date, yielding what was done with each file, in order.

        Up to ``4 * workers`` files are planned ahead of the one being written, so memory
        holds a few documents at a time however large the corpus.
        """
        with _only_build(self.db_path), _catalogue_errors(self.db_path):
            # A running `scrutiny serve` reads the catalogue as an immutable file: writing
            # that file in place would corrupt what it serves. So while it is served, the
            # build works on a copy and renames it over the file at the end; the server goes
            # on reading the old file (its open handle) until it is restarted.
            served = is_served(self.db_path)
            target = building_copy(self.db_path) if served else self.db_path
            if served:
                log.warning(
                    "%s is being served: building a copy, which replaces it at the end. Restart "
                    "scrutiny serve then to show the new catalogue.", self.db_path,
                )
            finished = False
            try:
                with Catalogue(target) as catalogue:
                    yield from self._update(catalogue)
                if served:
                    replace_catalogue(target, self.db_path)
                finished = True
            finally:
                if served and not finished:
                    for leftover in (target, *(Path(f"{target}{end}") for end in ("-wal", "-shm"))):
                        leftover.unlink(missing_ok=True)

    def _update(self, catalogue: Catalogue) -> Iterator[Outcome]:
        for stage in ("discover", "manifest"):
            catalogue.replace_problems(
                stage, self.roots, [p for p in self.found_problems if p.stage == stage]
            )
        self.summary.problems.extend(self.found_problems)
        readers = self._executor()
        self._registry_written = None
        finished = False
        try:
            yield from self._in_order(catalogue, readers)
            self._link_measures(catalogue)
            self._follow_up(catalogue)
            finished = True
        finally:
            readers.close(finished)

    def _executor(self) -> Executor:
        """Where this build reads: a Dask cluster when given one, else here or a local pool."""
        if self.dask is None:
            return _Readers(self.workers, self.limits)
        from .cluster import DaskReaders

        return DaskReaders(self.dask, self.limits, send_files=self.send_files)

    def _write_registry(self, catalogue: Catalogue) -> dict[str, str]:
        """Write the registry's measures and the DfE values if they changed since the last
        link, once per build; return their fingerprints. With nothing changed, only the
        files are hashed. The builder does this while it first waits for a worker."""
        if self._registry_written is not None:
            return self._registry_written
        db = catalogue.db
        inputs = {
            "registry": registry.fingerprint(registry.MEASURES, registry.SYNONYMS, _LINKER),
            "official values": registry.fingerprint(registry.OFFICIAL),
        }
        before = measure_tables.linking_inputs(db)
        if before.get("registry") != inputs["registry"] or not db["measures"].count:
            measure_tables.replace_measures(db, registry.load_registry().measures)
        if before.get("official values") != inputs["official values"]:
            measure_tables.replace_official_values(db, registry.load_official_values())
        self._registry_written = inputs
        return inputs

    #: The name linking marks its work done by in the catalogue's change log (catalogue.changes).
    LINK_STEP = "measure_links"

    def _link_measures(self, catalogue: Catalogue) -> None:
        """Link the reported measures to the registry, as far as anything linking reads changed.

        Linking goes authority by authority (a link may follow the authority's own history,
        never another's): only the authorities of documents added, replaced or given another
        authority since the last link are relinked, with those whose decisions in the review
        file changed; every one when the registry, synonyms or linker changed, or the
        catalogue was never linked. Only links that differ are written. With nothing changed
        nothing is read (spaCy is not even loaded), so a build with nothing new stays cheap.
        """
        db = catalogue.db
        inputs = {**self._write_registry(catalogue), "review file": registry.fingerprint(self.review)}
        before = measure_tables.linking_inputs(db)
        changed = changes.since(db, self.LINK_STEP)
        everything = changed is None or before.get("registry") != inputs["registry"]
        review_changed = before.get("review file") != inputs["review file"]
        if everything or changed or before != inputs:
            measures = registry.load_registry()
            reviews, problems = registry.load_reviews(self.review, measures.ids())
            where = _display_path(self.review)  # the path the next build clears them by
            problems = [replace(problem, path=where) for problem in problems]
            catalogue.replace_problems("review", [where], problems)
            self.summary.problems.extend(problems)
            only = None
            if not everything:
                only = set(changed.authorities)
                if review_changed:
                    only |= _reviewed_authorities(
                        set(measure_tables.reviews(db)) ^ set(reviews), measure_tables.authorities(db)
                    )
            from .nlp.linking import Linker  # spaCy loads only when there is linking to do

            upto = changed.upto if changed is not None else changes.latest(db)
            relinked = measure_tables.relink(db, Linker(measures, reviews), only)
            self.summary.relinked_authorities = None if only is None else len(only)
            self.summary.links_changed = relinked
            measure_tables.replace_reviews(db, reviews)
            measure_tables.save_linking_inputs(db, inputs)
            changes.mark(db, self.LINK_STEP, upto)
            log.info(
                "relinked %s: %d links changed",
                "every authority" if only is None else f"{len(only)} authorities", relinked,
            )
        self.summary.links = measure_tables.link_counts(db)

    def _follow_up(self, catalogue: Catalogue) -> None:
        """Requests in minutes and their returns (scrutiny.followups), remade for the authorities
        whose papers changed; every request's status brought up to today."""
        from .followups import follow_up, returns_review_path

        review = returns_review_path(self.db_path)
        done = follow_up(catalogue, _display_path(review))
        self.summary.problems.extend(done.problems)
        self.summary.followups = done.counts

    def _in_order(self, catalogue: Catalogue, readers: Executor) -> Iterator[Outcome]:
        ahead = 4 * readers.capacity
        self._limited = readers.limited
        sources = iter(self.sources)
        pending: deque[tuple[SourceFile, Outcome | _ToRead | _SamePath]] = deque()
        scans = self._scans
        planned_all = False
        while True:
            while not planned_all and len(pending) < ahead:
                source = next(sources, None)
                if source is None:
                    planned_all = True
                else:
                    pending.append((source, self._plan(catalogue, source)))
            if not pending and not scans:
                return
            texts = [plan for _, plan in pending if isinstance(plan, _ToRead)]
            # OCR readings start only once every document's text is being read or saved.
            ocr_may_start = planned_all and all(plan.future is not None for plan in texts)
            readers.start(texts + (list(scans) if ocr_may_start else []))
            # Save the next file in order when it is ready, else any OCR reading that is done.
            scan = None
            if readers.capacity > 1 or not pending:
                scan = next((item for item in scans if readers.ready(item)), None)
            if pending and (not isinstance(pending[0][1], _ToRead) or readers.ready(pending[0][1])):
                source, plan = pending.popleft()
                if isinstance(plan, _SamePath):
                    plan = self._same_content(catalogue, source, plan.path)
                if isinstance(plan, _ToRead):
                    plan = self._save(catalogue, source, self._analysis(source, readers, plan), plan.replacing)
            elif scan is not None:
                scans.remove(scan)
                plan = self._save_ocr(catalogue, scan, self._analysis(scan.source, readers, scan))
            else:
                self._write_registry(catalogue)  # once, while the first documents are read
                readers.wait()
                continue
            if plan.action != "ocr":
                self._index(catalogue, source)
            self.summary.add(plan)
            log.info("%s: %s", plan.path, plan.action)
            yield plan

    def _plan(self, catalogue: Catalogue, source: SourceFile) -> Outcome | _ToRead | _SamePath:
        """What to do with a file: an Outcome if it needs no reading, else a _ToRead."""
        existing = catalogue.document_at(source.path)
        if existing and existing["sha256"] == source.sha256:
            if self._clean(catalogue, source):  # nothing to write: not even a transaction
                unchanged = Outcome(source.path, "unchanged", page_count=existing["page_count"])
                return self._with_ocr(catalogue, source, unchanged, existing["id"])
            return self._with_ocr(catalogue, source, self._refresh(catalogue, source, existing, "unchanged"), existing["id"])
        if not existing:
            twins = catalogue.documents_with_sha(source.sha256)
            for twin in twins:
                if not os.path.exists(twin["path"]) or _same_file(twin["path"], source.path):
                    catalogue.move(twin["id"], source.path)
                    return self._with_ocr(catalogue, source, self._refresh(catalogue, source, twin, "moved"), twin["id"])
            # The same file at two paths is one document, with both paths known (read alike:
            # the same bytes named .pdf and .txt are two readings).
            same = [twin for twin in twins if twin["format"] == source.format]
            if same:
                catalogue.add_path(same[0]["id"], source.path)
                return Outcome(source.path, "duplicate", page_count=same[0]["page_count"])
            if (source.sha256, source.format) in self._reading:
                return _SamePath(self._reading[source.sha256, source.format])
        if catalogue.known_unreadable(source.path, source.sha256):
            self._clean(catalogue, source)
            return Outcome(source.path, "failed")  # tried before, as it is now; see problems
        self._reading.setdefault((source.sha256, source.format), source.path)
        return _ToRead(source, replacing=existing is not None, ocr=OcrPlan(self.ocr, missing=self.ocr_missing))

    def _clean(self, catalogue: Catalogue, source: SourceFile) -> bool:
        """Whether the catalogue holds this file as it is: found by its size and mtime (not
        hashed) and described by the same manifest entry as when its records were saved.
        A file that is not is indexed anew once its outcome is saved (``_index``)."""
        if source.hashed:
            return False
        row = catalogue.indexed(source.path)
        clean = row is not None and row["manifest"] == _manifest_key(source)
        if clean:
            self._clean_paths.add(source.path)
        return clean

    def _index(self, catalogue: Catalogue, source: SourceFile) -> None:
        """Index the file (its size, mtime, SHA-256 and manifest entry) once its outcome is
        saved, unless the index already says all that."""
        if source.path in self._clean_paths or source.mtime_ns is None:
            self._clean_paths.discard(source.path)
            return
        catalogue.index_file(
            source.path, source.size, source.mtime_ns, source.sha256, _manifest_key(source), source.stat_ns or 0
        )

    def _with_ocr(self, catalogue: Catalogue, source: SourceFile, outcome: Outcome, document_id: int) -> Outcome:
        """A document already read, with its pages that still need OCR queued (an earlier build
        ran with --ocr never, without Tesseract, or out of time)."""
        if self.ocr.mode == "never" or self.ocr_missing or catalogue.known_unreadable(source.path, source.sha256):
            return outcome
        waiting = catalogue.pages_awaiting_ocr(document_id, self.ocr.mode)
        if not waiting:
            return outcome
        self._queue_ocr(catalogue, source, document_id, len(waiting))
        return replace(outcome, ocr_waiting=len(waiting))

    def _queue_ocr(self, catalogue: Catalogue, source: SourceFile, document_id: int, waiting: int) -> None:
        """Read the document again, this time by OCR, taking the words of pages read before."""
        plan = OcrPlan(
            self.ocr,
            now=True,
            seconds=self.limits.seconds if self._limited else None,
            done=catalogue.ocr_words(document_id, source.sha256),
        )
        self._scans.append(_ToRead(source, replacing=True, ocr=plan, waiting=waiting))

    def _save_ocr(self, catalogue: Catalogue, scan: _ToRead, analysis: Analysis) -> Outcome:
        """Save a document read again by OCR; queue another reading if it ran out of time
        having read some pages (each reading keeps to the time limit)."""
        source = scan.source
        if analysis.failure is not None:
            return replace(self._save(catalogue, source, analysis, replacing=True), action="ocr")
        records, too_long = _bounded_records(analysis.document, analysis.records)
        problems = (*analysis.problems, *too_long)
        document_id = catalogue.save_document(analysis.document, analysis.pages, problems, records)
        done = scan.ocr.done if scan.ocr else {}
        read = [page for page in analysis.pages if page.source == "ocr" and page.page not in done]
        left = _awaiting(analysis.pages, self.ocr.mode)
        if left and read:
            self._queue_ocr(catalogue, source, document_id, len(left))
        return Outcome(
            source.path, "ocr", page_count=len(read), problems=problems,
            ocr_waiting=len(left) if left and read else 0,
        )  # fmt: skip

    def _same_content(self, catalogue: Catalogue, source: SourceFile, path: str) -> Outcome:
        """A file this build found twice: record its second path against the first's document."""
        document = catalogue.document_at(path)
        if document is None or document["sha256"] != source.sha256:
            # The first copy could not be read: read this one here, so its problem is recorded too.
            return self._save(catalogue, source, analyse(source), replacing=False)
        catalogue.add_path(document["id"], source.path)
        return Outcome(source.path, "duplicate", page_count=document["page_count"])

    def _refresh(self, catalogue: Catalogue, source: SourceFile, row: dict, action: str) -> Outcome:
        """Bring an already-read document's facts in line with its manifest entry, reading nothing."""
        catalogue.clear_stale_problems(source.path, source.sha256)
        pages = catalogue.pages_of(row["id"], limit=_DESCRIBE_PAGES)
        if catalogue.update_facts(row["id"], _document(source, pages)) and action == "unchanged":
            action = "updated"
        return Outcome(source.path, action, page_count=row["page_count"])

    def _analysis(self, source: SourceFile, readers: Executor, item: _ToRead) -> Analysis:
        """The executor's Analysis, or a failure saying why it gave none."""
        return readers.result(item)

    def _save(
        self, catalogue: Catalogue, source: SourceFile, analysis: Analysis, replacing: bool
    ) -> Outcome:
        if analysis.failure is None:
            records, too_long = _bounded_records(analysis.document, analysis.records)
            problems = (*analysis.problems, *too_long)
            document_id = catalogue.save_document(analysis.document, analysis.pages, problems, records)
            waiting = 0
            if self.ocr.mode != "never" and not self.ocr_missing:
                waiting = len(_awaiting(analysis.pages, self.ocr.mode))
            if waiting:
                self._queue_ocr(catalogue, source, document_id, waiting)
            return Outcome(
                source.path,
                "replaced" if replacing else "added",
                page_count=len(analysis.pages),
                problems=problems,
                ocr_waiting=waiting,
            )
        failure = analysis.failure
        if replacing:
            failure = replace(
                failure,
                error=failure.error + " The catalogue keeps the records of the earlier version of the file.",
            )
        catalogue.save_failure(source.path, [failure])
        return Outcome(source.path, "failed", problems=(failure,))


def _manifest_key(source: SourceFile) -> str:
    """What a document's facts were made from besides its content, as a digest: its manifest
    entry and the code that guesses facts (a new version re-describes each document once)."""
    import hashlib

    return hashlib.sha256(f"{source.manifest!r} {_describer()}".encode()).hexdigest()


@functools.cache
def _describer() -> str:
    return registry.fingerprint(Path(extract.describe.__code__.co_filename))


def _reviewed_authorities(decisions: Iterable, known: Iterable[str | None]) -> set[str | None]:
    """The catalogue's authorities these review decisions are about (the review file names
    an authority in any case, or none: those with no authority)."""
    named = {(decision.authority or "").strip().casefold() for decision in decisions}
    return {authority for authority in known if (authority or "").strip().casefold() in named}


def _awaiting(pages: Sequence[Page], mode: str) -> list[int]:
    """The PDF pages that OCR should read (``mode`` auto or always) and has not."""
    return [
        page.page
        for page in pages
        if page.source == "text"
        and page.text_layer is not None
        and (page.text_layer != "usable" or mode == "always")
    ]


def _bug(source: SourceFile, stage: str, error: Exception) -> Problem:
    if isinstance(error, MemoryError):  # the worker's memory limit, not a bug
        return Problem(
            source.path,
            stage,
            f"Reading {source.path} needed more memory than the limit allows and was stopped. "
            "It is not tried again until the file changes; to retry, delete its row from "
            "problems and build again with a higher --memory-limit.",
            sha256=source.sha256,
        )
    if stage == "read" and _bad_input(error):
        return Problem(
            source.path,
            stage,
            f"{source.path} is damaged or malformed: the {source.format.upper()} reader gave up on it "
            f"({type(error).__name__}: {error}). Download it again, or open and re-save it "
            "(\"Print to PDF\" makes a clean copy of a PDF).",
            sha256=source.sha256,
        )
    log.error("%s failed on %s", stage, source.path, exc_info=error)
    return Problem(
        source.path,
        stage,
        f"scrutiny failed at the {stage} stage on this file ({type(error).__name__}: {error}). "
        "This is a bug: please report it with the file.",
        sha256=source.sha256,
    )


#: Libraries whose exceptions, raised while reading a file, mean the file is bad, not scrutiny.
_PARSERS = ("pdfminer", "pdfplumber", "pikepdf", "bs4", "html.parser", "charset_normalizer", "zlib")


def _bad_input(error: BaseException) -> bool:
    """Whether an exception from a reader says the file is malformed: raised by a parser or
    from inside one (a damaged PDF's KeyError or TypeError), or nesting too deep to follow."""
    if isinstance(error, RecursionError) or type(error).__module__.startswith(_PARSERS):
        return True
    frame = error.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next  # the innermost: where it was raised
    return frame is not None and frame.tb_frame.f_globals.get("__name__", "").startswith(_PARSERS)


#: The most characters a stored page may hold. Text and HTML files are paged at
#: ``extract.text.PAGE_CHARS``; a PDF page can't be split, so one holding more than this
#: (twenty times a dense printed page: only a crafted or broken file does) keeps its first
#: ``PAGE_LIMIT`` characters. Search time grows with the square of a page's length.
PAGE_LIMIT = 100_000


def _bounded_pages(source: SourceFile, pages: list[Page]) -> tuple[list[Page], list[Problem]]:
    problems = []
    for index, page in enumerate(pages):
        if len(page.text) > PAGE_LIMIT:
            problems.append(
                Problem(
                    source.path,
                    "read",
                    f"Page {page.page} holds {len(page.text):,} characters, far more than a printed "
                    f"page; only the first {PAGE_LIMIT:,} are kept.",
                    sha256=source.sha256,
                    page=page.page,
                )
            )
            pages[index] = replace(page, text=page.text[:PAGE_LIMIT])
    return pages, problems


def _bounded_records(document: Document, records: Sequence[object]) -> tuple[list[object], list[Problem]]:
    """The records with no text longer than ``PAGE_LIMIT`` characters (an agenda item whose
    discussion runs on for a hundred pages keeps its first ``PAGE_LIMIT``), and a problem for
    each record cut: no stored value may be so long that searching it is slow."""
    bounded: list[object] = []
    problems: list[Problem] = []
    for record in records:
        long = {
            name: value[:PAGE_LIMIT]
            for name, value in vars(record).items()
            if isinstance(value, str) and len(value) > PAGE_LIMIT
        }
        if long:
            record = replace(record, **long)
            problems.append(
                Problem(
                    document.path,
                    "extract",
                    f"The {' and '.join(long)} of the {_words(type(record).__name__)} on page {getattr(record, 'page', '?')} "
                    f"held more than {PAGE_LIMIT:,} characters; only the first {PAGE_LIMIT:,} are kept.",
                    sha256=document.sha256,
                    page=getattr(record, "page", None),
                )
            )
        bounded.append(record)
    return bounded, problems


def _words(name: str) -> str:
    """A record's class name in words: AgendaItem -> "agenda item"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _unread(source: SourceFile, error: str) -> Analysis:
    """A file whose content was never read: the problem carries no SHA-256, so the next build
    tries the file again (a file moved away mid-build, or a reader that could not start)."""
    return Analysis(None, failure=Problem(source.path, "read", error))


def analyse(
    source: SourceFile, spacy: bool = True, ocr: OcrPlan | None = None, file: str | None = None
) -> Analysis:
    """Read one file and run every extractor on it: all the work that needs no catalogue.

    The extractors in ``NEEDS_SPACY`` run after the others; ``spacy=False`` leaves them out,
    for ``complete()`` to run later (a build's workers read, the spaCy worker runs those).
    ``ocr`` says what to do with scanned pages (default: read them by OCR now, if
    Tesseract is installed). Never raises for a bad file: an unreadable file comes back as
    ``Analysis.failure``.

    The file is hashed again as it is read, and the document and its problems carry that
    hash, not the one taken when the file was found: a file replaced or removed in between
    is recorded for what was actually read (a broken copy's problems never stand for the
    good file once it is put back). A file that changed while it was read is not saved.

    ``file``: where the bytes are, when not at ``source.path`` (a Dask worker that shares no
    filesystem with the build is sent the bytes); the records still name ``source.path``.
    """
    if file is not None:
        return _named(analyse(replace(source, path=file), spacy, ocr), file, source.path)
    if ocr is None:
        ocr = OcrPlan(now=True, missing=engine_problem(OcrSettings().language))
    try:
        _load_reader(source.format)
    except (ImportError, MemoryError, OSError) as error:
        return _unread(
            source,
            f"The {source.format.upper()} reader could not start ({type(error).__name__}: {error}), "
            "so nothing was read; this is not the file's fault. Build again with a higher "
            "--memory-limit; the file will be read then.",
        )
    try:
        source = replace(source, sha256=sha256_of(source.path), size=os.path.getsize(source.path))
    except OSError as error:
        return _unread(
            source,
            f"Could not read {source.path}: {error.strerror or error} (was it moved or removed "
            "during the build?). It is tried again at the next build.",
        )
    pages: list[Page] = []
    problems: list[Problem] = []
    try:
        for item in extract.read_document(source.path, source.format, ocr=ocr):
            if isinstance(item, Page):
                pages.append(item)
            else:
                problems.append(replace(item, path=source.path, sha256=source.sha256))
    except UnreadableDocument as error:
        return Analysis(None, failure=Problem(source.path, "read", str(error), sha256=source.sha256))
    except Exception as error:  # a bug in a reader must not stop the build
        return Analysis(None, failure=_bug(source, "read", error))
    try:
        unchanged = sha256_of(source.path) == source.sha256
    except OSError:
        unchanged = False
    if not unchanged:
        return _unread(
            source,
            f"{source.path} changed or was removed while it was being read, so what was read "
            "is not kept. It is read again at the next build.",
        )
    pages, too_long = _bounded_pages(source, pages)
    analysis = Analysis(_document(source, pages), tuple(pages), (*problems, *too_long))
    analysis = _extract(source, analysis, lambda name: name not in NEEDS_SPACY)
    return complete(source, analysis) if spacy else analysis


def _named(analysis: Analysis, file: str, path: str) -> Analysis:
    """An analysis of the bytes at ``file`` as the analysis of the file at ``path``."""

    def renamed(problem: Problem) -> Problem:
        return replace(problem, path=path, error=problem.error.replace(file, path))

    if analysis.failure is not None:
        return replace(analysis, failure=renamed(analysis.failure))
    return replace(
        analysis,
        document=replace(analysis.document, path=path),
        problems=tuple(renamed(problem) for problem in analysis.problems),
    )


def complete(source: SourceFile, analysis: Analysis) -> Analysis:
    """Run the extractors that need spaCy on what ``analyse(source, spacy=False)`` gave."""
    if analysis.failure is not None:
        return analysis
    return _extract(source, analysis, NEEDS_SPACY.__contains__)


def _extract(source: SourceFile, analysis: Analysis, chosen: Callable[[str], bool]) -> Analysis:
    """The analysis with the records of the ``chosen`` extractors added, in EXTRACTORS order."""
    source = replace(source, sha256=analysis.document.sha256)  # the content read (analyse())
    records, problems = list(analysis.records), list(analysis.problems)
    for name, extractor in EXTRACTORS:
        if not chosen(name):
            continue
        try:
            records.extend(extractor(source, analysis.document, analysis.pages, tuple(records)))
        except Exception as error:  # one extractor's bug must not lose the document
            problems.append(_bug(source, name, error))
    return replace(analysis, problems=tuple(problems), records=tuple(records))


def merge(
    catalogues: Sequence[str | Path], db_path: str | Path, review: str | Path | None = None
) -> tuple[list, BuildSummary]:
    """Merge the catalogues (built apart: one per council, on other machines) into the one at
    ``db_path`` (made if need be): documents by SHA-256, ids renumbered, then the measures
    linked once for the whole catalogue. Returns what each brought (catalogue.merge.Merged)
    and the linking's summary."""
    from .catalogue.merge import copy_catalogue

    db_path = Path(db_path)
    for path in catalogues:
        if not Path(path).is_file():
            raise ScrutinyError(f"No catalogue at {path}; give the .db files scrutiny build made.")
        if db_path.exists() and _same_file(str(path), str(db_path)):
            raise ScrutinyError(f"{path} is the catalogue being merged into; give another --db.")
    if is_served(db_path):
        raise ScrutinyError(
            f"{db_path} is being served (scrutiny serve); merge into another file, or stop serving it first."
        )
    merged = []
    with _only_build(db_path), _catalogue_errors(db_path), Catalogue(db_path) as catalogue:
        for path in catalogues:
            merged.append(copy_catalogue(catalogue.db, path))
            log.info("%s: %d documents copied, %d already there", path, merged[-1].documents, merged[-1].duplicates)
    # Link once, over what changed (every authority, for a new catalogue): a build of no files.
    job = Build([], db_path, workers=1, review=review)
    for _ in job.run():
        pass
    return merged, job.summary


def build(
    paths: Iterable[str | Path] | None,
    db_path: str | Path,
    workers: int | None = None,
    limits: Limits | None = None,
    review: str | Path | None = None,
    ocr: OcrSettings | str | None = None,
    dask: str | None = None,
    send_files: bool = False,
    rehash: bool = False,
) -> BuildSummary:
    """Build or update the catalogue at ``db_path`` from the documents under ``paths``
    (None: the bundled sample corpus), then link its measures to the registry.
    ``ocr``: "auto" (default), "always" or "never", or OcrSettings. ``dask``: read on a Dask
    cluster (its scheduler's address, or "local" / "local:N"); ``send_files``: send it the bytes
    (no shared filesystem). ``rehash``: hash every file, trusting no size and mtime."""
    job = Build(
        paths, db_path, workers=workers, limits=limits, review=review, ocr=ocr, dask=dask,
        send_files=send_files, rehash=rehash,
    )
    for _ in job.run():
        pass
    return job.summary
