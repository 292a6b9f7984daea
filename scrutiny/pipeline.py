"""The build: files on disk -> pages and facts -> the catalogue, one document at a time.

Incremental by content: a file whose path and SHA-256 are already in the catalogue is not
read again; a changed file replaces its old records; a file moved or renamed keeps its
records under the new path. Each document is written in one transaction, so a build
stopped at any point leaves a consistent catalogue that the next build completes.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import corpus, extract
from .catalogue import Catalogue
from .errors import UnreadableDocument
from .records import (
    Analysis,
    Document,
    DocumentFacts,
    Outcome,
    Page,
    Problem,
    SourceFile,
)
from .resources import bundled

__all__ = ["EXTRACTORS", "Build", "BuildSummary", "analyse", "build", "extract_prose"]

#: What finds records in a document once its pages are read: (name, function) pairs, run in
#: order. Each function takes (source, document, pages) and yields records for the catalogue.
#: One that raises is recorded as a problem at stage ``name``; the document and the other
#: extractors' records are still saved.
Extractor = Callable[[SourceFile, Document, Sequence[Page]], Iterable[object]]


def _year_hint(document: Document) -> str:
    """Where a bare "Q1" or "July" gets its year: the title ("... Quarter 1 2016/17"), else the meeting."""
    return " ".join(part for part in (document.title, document.meeting_date) if part)


def _indicators(source: SourceFile, document: Document, pages: Sequence[Page]) -> Iterable[object]:
    return extract.indicators(pages, _year_hint(document))


def extract_minutes(source: SourceFile, document: Document, pages: Sequence[Page]) -> Iterable[object]:
    """Agenda items, resolutions and actions (scrutiny.extract.minutes), from minutes only."""
    return extract.minute_records(source, document, pages)


def extract_minutes_entities(source: SourceFile, document: Document, pages: Sequence[Page]) -> Iterable[object]:
    """People, roles and bodies each agenda item names (scrutiny.nlp.entities), from minutes only."""
    if not extract.looks_like_minutes(document, pages):
        return []
    from .nlp.entities import entities  # spaCy loads only when there are minutes to read
    from .records import AgendaItem

    items = [r for r in extract.minute_records(source, document, pages) if isinstance(r, AgendaItem)]
    return entities(items, pages)


def extract_prose(source: SourceFile, document: Document, pages: Sequence[Page]) -> list[object]:
    """Indicator values written in sentences (scrutiny.nlp.prose), from papers but not minutes.

    Minutes report what members said about figures, not the figures as reported (seed 004),
    so they are left to the minutes extractors. The title and meeting date date a bare
    "January" or "year to date".
    """
    if document.kind == "minutes":
        return []
    from .nlp.prose import prose_indicators  # spaCy loads only when a build needs it

    return list(prose_indicators(pages, _year_hint(document) or None))


EXTRACTORS: list[tuple[str, Extractor]] = [
    ("indicators", _indicators),
    ("prose", extract_prose),
    ("minutes", extract_minutes),
    ("entities", extract_minutes_entities),
]

log = logging.getLogger(__name__)

_DESCRIBE_PAGES = 3  # describe() reads the cover; the rest of a long document is not needed


def _display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


@dataclass
class BuildSummary:
    """Counts of what a build did, by action, and the problems it met."""

    actions: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.actions[outcome.action] = self.actions.get(outcome.action, 0) + 1
        self.problems.extend(outcome.problems)

    @property
    def files(self) -> int:
        return sum(self.actions.values())

    def __str__(self) -> str:
        done = ", ".join(f"{n} {action}" for action, n in sorted(self.actions.items()))
        text = f"{self.files} files: {done or 'none found'}"
        if self.problems:
            text += f"; {len(self.problems)} problems (see the problems table)"
        return text


def _facts(source: SourceFile, pages: Sequence[Page]) -> DocumentFacts:
    """Manifest facts where the manifest gives them, else what the document's text shows."""
    guessed = extract.describe(pages[:_DESCRIBE_PAGES], source.path)
    listed = source.manifest
    if listed is None:
        return guessed
    return DocumentFacts(
        title=listed.title or guessed.title,
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


def _same_file(old_path: str, new_path: str) -> bool:
    try:
        return os.path.samefile(old_path, new_path)
    except OSError:
        return False


class Build:
    """One build of a catalogue from files on disk (``paths=None``: the bundled sample corpus).

    Finding and hashing the files happens when the Build is made, so ``len(build)`` is
    known before ``run()`` reads any document (the CLI uses it for its progress bar).
    """

    def __init__(self, paths: Iterable[str | Path] | None, db_path: str | Path):
        if paths is None:
            paths = [bundled("corpus")]
        self.roots = [_display_path(Path(p)) for p in paths]
        self.db_path = Path(db_path)
        found = list(corpus.discover(self.roots))
        self.sources = [item for item in found if isinstance(item, SourceFile)]
        self.found_problems = [item for item in found if isinstance(item, Problem)]
        self.summary = BuildSummary()

    def __len__(self) -> int:
        return len(self.sources)

    def run(self) -> Iterator[Outcome]:
        """Bring the catalogue up to date, yielding what was done with each file."""
        with Catalogue(self.db_path) as catalogue:
            for stage in ("discover", "manifest"):
                catalogue.replace_problems(
                    stage, self.roots, [p for p in self.found_problems if p.stage == stage]
                )
            self.summary.problems.extend(self.found_problems)
            for source in self.sources:
                outcome = self._one(catalogue, source)
                self.summary.add(outcome)
                log.info("%s: %s", outcome.path, outcome.action)
                yield outcome

    def _one(self, catalogue: Catalogue, source: SourceFile) -> Outcome:
        existing = catalogue.document_at(source.path)
        if existing and existing["sha256"] == source.sha256:
            return self._refresh(catalogue, source, existing, "unchanged")
        if not existing:
            for twin in catalogue.documents_with_sha(source.sha256):
                if not os.path.exists(twin["path"]) or _same_file(twin["path"], source.path):
                    catalogue.move(twin["id"], source.path)
                    return self._refresh(catalogue, source, twin, "moved")
        if catalogue.known_unreadable(source.path, source.sha256):
            return Outcome(source.path, "failed")  # tried before, as it is now; see problems
        return self._read(catalogue, source, replacing=existing is not None)

    def _refresh(self, catalogue: Catalogue, source: SourceFile, row: dict, action: str) -> Outcome:
        """Bring an already-read document's facts in line with its manifest entry, reading nothing."""
        catalogue.clear_stale_problems(source.path, source.sha256)
        pages = catalogue.pages_of(row["id"], limit=_DESCRIBE_PAGES)
        if catalogue.update_facts(row["id"], _document(source, pages)) and action == "unchanged":
            action = "updated"
        return Outcome(source.path, action, page_count=row["page_count"])

    def _read(self, catalogue: Catalogue, source: SourceFile, replacing: bool) -> Outcome:
        analysis = analyse(source)
        if analysis.failure is None:
            catalogue.save_document(
                analysis.document, analysis.pages, analysis.problems, analysis.records
            )
            return Outcome(
                source.path,
                "replaced" if replacing else "added",
                page_count=len(analysis.pages),
                problems=analysis.problems,
            )
        failure = analysis.failure
        if replacing:
            failure = replace(
                failure,
                error=failure.error + " The catalogue keeps the records of the earlier version of the file.",
            )
        catalogue.save_failure(source.path, [failure])
        return Outcome(source.path, "failed", problems=(failure,))


def _bug(source: SourceFile, stage: str, error: Exception) -> Problem:
    log.error("%s failed on %s", stage, source.path, exc_info=error)
    return Problem(
        source.path,
        stage,
        f"scrutiny failed at the {stage} stage on this file ({type(error).__name__}: {error}). "
        "This is a bug: please report it with the file.",
        sha256=source.sha256,
    )


def analyse(source: SourceFile) -> Analysis:
    """Read one file and run every extractor on it: all the work that needs no catalogue.

    Never raises for a bad file: an unreadable file comes back as ``Analysis.failure``.
    """
    pages: list[Page] = []
    problems: list[Problem] = []
    try:
        for item in extract.read_document(source.path, source.format):
            if isinstance(item, Page):
                pages.append(item)
            else:
                problems.append(replace(item, path=source.path, sha256=source.sha256))
    except UnreadableDocument as error:
        return Analysis(None, failure=Problem(source.path, "read", str(error), sha256=source.sha256))
    except Exception as error:  # a bug in a reader must not stop the build
        return Analysis(None, failure=_bug(source, "read", error))
    document = _document(source, pages)
    records: list[object] = []
    for name, extractor in EXTRACTORS:
        try:
            records.extend(extractor(source, document, pages))
        except Exception as error:  # one extractor's bug must not lose the document
            problems.append(_bug(source, name, error))
    return Analysis(document, tuple(pages), tuple(problems), tuple(records))


def build(paths: Iterable[str | Path] | None, db_path: str | Path) -> BuildSummary:
    """Build or update the catalogue at ``db_path`` from the documents under ``paths``
    (None: the bundled sample corpus)."""
    job = Build(paths, db_path)
    for _ in job.run():
        pass
    return job.summary
