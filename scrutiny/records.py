"""The typed records that cross stage boundaries.

Every stage hands the next plain frozen dataclasses: pdfplumber's dicts stay
inside ``scrutiny.extract``, spaCy objects inside ``scrutiny.nlp``, and only
``scrutiny.catalogue`` turns records into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, is_dataclass

#: File formats scrutiny reads, by the extensions that select them.
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".txt": "text"}

#: Tesseract's confidence (0-100) below which what OCR read is uncertain: a page is reported
#: and a value is never shown as certain. On the bundled pages read by OCR, words below it
#: are wrong far more often than words above it (benchmarks/ocr_speed.py prints both).
LOW_OCR_CONFIDENCE = 80


@dataclass(frozen=True)
class ManifestEntry:
    """What a corpus manifest says about one file: where it came from and what it is."""

    file: str
    authority: str | None = None
    committee: str | None = None
    meeting_date: str | None = None  # ISO date
    title: str | None = None
    kind: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """A file found on disk, ready to be read: its path as given, content hash and manifest entry."""

    path: str
    sha256: str
    size: int
    format: str  # "pdf", "html" or "text"
    manifest: ManifestEntry | None = None
    mtime_ns: int | None = None  # its modification time when found (None: not known)
    stat_ns: int | None = None  # when its size and mtime were looked at (time.time_ns())
    hashed: bool = True  # False: its SHA-256 is the catalogue's, its size and mtime unchanged


@dataclass(frozen=True)
class Cell:
    """One table cell's text, with its roman and italic parts apart (seed 000 prints
    members' questions in italics inside the council's comment cells)."""

    text: str
    roman: str = ""
    italic: str = ""
    bbox: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom on the page
    fill: str | None = None  # the cell's background colour ("#rrggbb") where one is painted
    spanned: bool = False  # covered by a neighbouring cell merged across it (no text of its own)


@dataclass(frozen=True)
class Table:
    """A table as printed on one page: rows of cells, the header rows first.

    ``ruled``: drawn with rules (pdfplumber's table finder), else set out by whitespace.
    ``caption``: the lines printed just above it, verbatim (a heading, "(£000s)", "as at ...").
    ``grid``: False for a ruled box whose rules cut through words or that holds running text
    (a slide's frame, a cover's box): its text is read as text, not as cells.
    """

    page: int
    rows: tuple[tuple[Cell, ...], ...]
    bbox: tuple[float, float, float, float] | None = None
    caption: str = ""
    ruled: bool = True
    grid: bool = True
    # For each row, the ruled row it was printed in: rows printed inside one ruled row with
    # no rule between them are split apart (see scrutiny.extract.tables).
    ruled_rows: tuple[int, ...] = ()
    # Headings printed just over the ruled box, one a column, where they line up with its
    # columns (Merthyr's LSOA appendix, dev corpus p6): read as its top header row.
    header_above: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class Word:
    """A word read by OCR, with its box on the page in PDF points measured from the page's
    top left (as pdfplumber measures characters), Tesseract's confidence (0 to 100) and the
    line of the page it is on (Tesseract's lines, numbered in its reading order)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float
    line: int = 0


@dataclass(frozen=True)
class Page:
    """The text of one page, numbered from 1 as the PDF reader counts pages.

    For a PDF page with ruled tables, ``tables`` holds them cell by cell (a page's plain
    text interleaves table columns line by line) and ``outside_tables`` the page's text
    with the tables left out. Only ``page``, ``text`` and the OCR fields are stored in the
    catalogue.

    ``source`` says where ``text`` came from: ``text`` (the PDF's text layer, or an HTML or
    text file) or ``ocr`` (read from the rendered page by Tesseract, scrutiny.extract.ocr).
    ``text_layer`` is what a PDF page's own text layer was: ``usable``, ``none`` (a scan or
    a blank page) or ``unreadable`` (``(cid:NN)`` garbage, or text that can't be parsed).
    An OCR page has its words with their boxes and confidences, and their mean confidence.
    """

    page: int
    text: str
    tables: tuple[Table, ...] = ()
    outside_tables: str | None = None
    source: str = "text"
    text_layer: str | None = None
    ocr_confidence: float | None = None
    words: tuple[Word, ...] = ()
    # The page's text in blocks, column by column, each block's lines as the page prints them
    # (each line a piece of a line of ``text``): two-column slides and side-by-side boxes
    # read as the reader reads them. Empty when the reader gives no positions (text, HTML).
    blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentFacts:
    """What a document's own text says it is; None where the text does not show it."""

    title: str | None = None
    kind: str | None = None
    committee: str | None = None
    meeting_date: str | None = None  # ISO date
    authority: str | None = None


@dataclass(frozen=True)
class Document:
    """One source document as the catalogue describes it."""

    path: str
    sha256: str
    format: str
    size: int
    page_count: int
    title: str | None = None
    authority: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    kind: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class Problem:
    """Something that went wrong with one file (or one page of it), in words a person can act on."""

    path: str
    stage: str  # "discover", "manifest", "read", "extract", ...
    error: str
    sha256: str | None = None
    page: int | None = None


@dataclass(frozen=True)
class Outcome:
    """What a build did with one file.

    ``action`` is one of: ``added``, ``replaced`` (content changed), ``unchanged``,
    ``moved`` (same content at a new path), ``updated`` (manifest facts changed),
    ``duplicate`` (the same content as a document catalogued from another path, which is still
    there: recorded in ``document_paths`` as another path of that document),
    ``failed`` (recorded in ``problems``); and ``ocr`` when a document's scanned pages
    have been read by OCR (a second outcome for a file the build has already saved).
    """

    path: str
    action: str
    page_count: int = 0
    problems: tuple[Problem, ...] = ()
    # Pages saved without text that the build has queued to read by OCR (action "ocr": the
    # pages that reading then left for another pass, if it ran out of time).
    ocr_waiting: int = 0


@dataclass(frozen=True)
class Analysis:
    """Everything read and extracted from one file, ready for the catalogue to load in one go.

    ``failure`` is set (and the rest empty) when the file could not be read at all.
    ``records`` holds what the extractors found (indicator values, resolutions, ...).
    """

    document: Document | None
    pages: tuple[Page, ...] = ()
    problems: tuple[Problem, ...] = ()
    records: tuple[object, ...] = ()
    failure: Problem | None = None


# --- Indicators (extract.indicators) -------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    """A performance measure as one document reports it: its code and title as written.

    ``key`` is unique within the document and ties the measure's values and commentary
    together (the same code can name two measures in one paper: seed 000's B13).
    """

    key: str
    page: int  # where the measure is first named
    code: str | None = None  # "A1", "A09", "D17c", "E20-22"; None when the paper gives none
    title: str | None = None  # as written
    unit: str | None = None  # "%", "count", "rate per 10,000", "£000s", "weeks", "days", ...
    polarity: str | None = None  # "higher is better" / "lower is better", where stated or known
    method: str = "table"  # table, infographic, label, summary, list, prose
    # A status the paper gives the whole measure in a list ("Measures outside Contract
    # Tolerance as at end of Quarter 1 2016/17"): red, amber, green or "no target".
    rag: str | None = None
    period: str | None = None  # the period that status is for, as written
    context: str | None = None  # for a listed measure: the heading and the item, verbatim


@dataclass(frozen=True)
class IndicatorValue:
    """One reported value of a measure, with the exact text it came from.

    ``context`` is the cell, line or sentence on ``page`` that holds the value, verbatim:
    a value that is not written in its context is a bug.
    """

    indicator: str  # Indicator.key
    page: int
    value: float
    context: str
    kind: str = "actual"  # actual, target, tolerance, benchmark, previous, count
    period: str | None = None  # as written: "Q1", "July 2016", "2016/17", "year to date"
    period_start: str | None = None  # ISO date
    period_end: str | None = None  # ISO date
    unit: str | None = None
    target: float | None = None  # the target stated for this value, if any
    tolerance: float | None = None  # the tolerance (or floor) stated for this value, if any
    rag: str | None = None  # "red", "amber", "green" where printed or derivable
    benchmark: str | None = None  # for kind="benchmark": "national average", "statistical neighbours", ...
    method: str = "table"  # table, infographic, label, summary, prose
    # How sure the extractor is ("high", "medium", "low") and why, in words.
    confidence: str | None = None
    confidence_reason: str | None = None
    # Where the period came from: column, row, cell, caption, heading, sentence, label, document.
    period_source: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # the cell it was read from, where known


@dataclass(frozen=True)
class TableCell:
    """One number printed in a table, with the row and column headings it sits under.

    Every numeric cell of every table is one (a researcher can find any figure a paper
    printed, not only the measures). ``row_label`` and ``column_header`` are paths, outer
    heading first, joined with " › "; ``text`` is the cell as printed; ``value`` the number
    it writes (a second number in brackets, "15,571 (55%)", is a TableCell of its own with
    ``part`` 2). ``unit`` and ``scale`` come from the cell, else its column's headers, its
    row's label, the table's caption: "£m" with ``scale`` 1000000, "£000s" with 1000.
    ``role`` is what the headings say the number is (actual, target, tolerance, previous,
    forecast, budget, variance, benchmark), where they say.
    """

    page: int
    table: int  # the table's place on its page, from 1
    row: int  # the cell's row and column in the table as printed, from 0
    column: int
    text: str
    value: float
    context: str  # the cell's row as printed, cells joined by " | ": the line a reader sees
    row_label: str | None = None
    column_header: str | None = None
    caption: str | None = None
    unit: str | None = None
    scale: float | None = None
    role: str | None = None
    period: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    period_source: str | None = None
    part: int = 1
    bbox: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Commentary:
    """Commentary on a measure: a council comment, a provider's response, a member's question."""

    indicator: str  # Indicator.key
    page: int
    text: str  # verbatim
    source: str | None = None  # the column or heading it sits under, as written ("DMBC Comment")
    kind: str = "comment"  # comment, response, question



# --- Minutes: agenda items, resolutions, actions, entities ---------------------------


@dataclass(frozen=True)
class AgendaItem:
    """One item of a meeting as its minutes record it: number and title as printed, and what was said.

    ``key`` is unique within the document and ties the item's resolutions, actions and
    entities to it.
    """

    key: str
    page: int  # where the item's heading (or its minute text) starts
    title: str | None = None  # as printed; for a one-item ModernGov page, the page's title
    number: str | None = None  # the agenda item number as printed ("3" from "(Item 3)")
    minute: str | None = None  # the minute number as printed, where the minutes number them ("78")
    reports: str | None = None  # the sentence(s) naming the report(s) considered, verbatim
    text: str = ""  # the discussion, verbatim (lines joined with spaces)
    last_page: int | None = None
    topics: str | None = None  # measures the item discusses, by keyword ("re-offending; care leavers")
    #: Set when these are the minutes of an earlier meeting than the document's, reprinted in a
    #: later meeting's papers ("Minutes of the previous meeting" in an agenda pack): that meeting's date.
    meeting_date: str | None = None


@dataclass(frozen=True)
class Resolution:
    """One resolution, or one numbered part of one, with its number as printed and its words.

    ``block`` is the whole "RESOLVED that: (1) ...; and (2) ..." passage it came from.
    """

    key: str  # unique within the document ("R3.2": the third resolution block, its second part)
    item: str  # AgendaItem.key
    page: int
    text: str  # verbatim
    number: str | None = None  # "1", "2", "a"; None for an unnumbered resolution
    marker: str = "RESOLVED"  # as printed: RESOLVED, Resolved, AGREED, RECOMMENDED, ...
    block: str = ""  # the whole resolution passage, verbatim
    topics: str | None = None


@dataclass(frozen=True)
class Action:
    """Something the meeting asked of (or an officer offered) to do: who, what, by when if stated."""

    item: str  # AgendaItem.key
    page: int
    text: str  # the sentence or resolution part that asks for it, verbatim
    resolution: str | None = None  # Resolution.key when the action is part of a resolution
    owner: str | None = None  # who is asked or offered, as written ("Ms Coombs", "The Chair")
    due: str | None = None  # when, as written ("a future meeting", "the end of the summer")
    what: str | None = None  # what is to be done, as written ("follow up with Members when ...")


@dataclass(frozen=True)
class Entity:
    """A person, role or body named in an agenda item's minutes."""

    item: str  # AgendaItem.key
    page: int  # the first page of the item that names it
    name: str  # as written ("Mr P Bartlett", "Director of People", "Ofsted")
    kind: str  # person, role, body
    role: str | None = None  # for a person, the role the minutes give them, as written
    mentions: int = 1  # times named in the item




# --- Measures: the registry, links and official values (nlp.measures, nlp.linking) ----


@dataclass(frozen=True)
class Measure:
    """A canonical measure in the registry: one thing that is measured, whoever reports it.

    National measures come from the DfE/LAIT data dictionary (``source="LAIT"``, ``code``
    its Measure_code); local measures with no national twin have ``source="local"``.
    """

    id: str  # stable, readable: "re-referrals-12-months", "cla-rate-per-10000"
    label: str
    unit: str | None = None  # one of periods.normalise_unit's spellings: "%", "rate per 10,000", ...
    polarity: str | None = None  # "higher is better" / "lower is better" (Indicator's wording)
    definition: str | None = None
    topic: str | None = None
    source: str = "local"  # "LAIT", "DfE", "local"
    code: str | None = None  # the national code (LAIT Measure_code) where there is one


@dataclass(frozen=True)
class IndicatorRef:
    """What the linker knows of one catalogued indicator: enough to match it, no more."""

    indicator_id: int
    document_id: int
    authority: str | None
    code: str | None
    title: str | None
    unit: str | None
    polarity: str | None
    context: str | None = None
    period_start: str | None = None  # earliest ISO date among its values, for ordering by time
    values: tuple[float, ...] = ()  # its actual values, for continuity across papers


@dataclass(frozen=True)
class MeasureLink:
    """An indicator linked to a registry measure, with how and how sure.

    ``status``: "automatic" (scored above the threshold), "pending" (below it, for a person
    to review), "confirmed" or "rejected" (a person's decision, read from the review file).
    """

    indicator_id: int
    measure_id: str
    method: str  # "code-history", "title", "synonym", "review", ...
    score: float  # 0-100
    status: str
    evidence: str  # in words: what matched ("title 'Re-referrals ...' ~ 'Re-referrals ...' 96")


@dataclass(frozen=True)
class OfficialValue:
    """A value a national body published for a measure and an area (DfE statistics)."""

    measure_id: str
    area: str  # "Doncaster", "England", "Yorkshire and The Humber"
    area_code: str | None  # ONS code: E08000017, E92000001
    level: str  # "National", "Regional", "Local authority"
    period: str  # as published: "2016" (year ending 31 March 2016)
    period_start: str | None
    period_end: str | None
    value: float
    unit: str | None
    source: str  # the published file it comes from
    description: str | None = None  # the series within the file, as published


@dataclass(frozen=True)
class MeasureReview:
    """A person's decision about a link, read from the review file.

    Keyed by what survives a rebuild (indicator ids change when a document is read again):
    the authority, the code and the title as the paper prints them. ``decision`` is
    "confirm" (link to ``measure_id``, whatever the linker thought) or "reject" (never link
    to ``measure_id``).
    """

    authority: str | None
    code: str | None
    title: str
    measure_id: str
    decision: str
    note: str | None = None


# --- Follow-ups: requests of a meeting and their returns (extract.requests, nlp.returns) --


@dataclass(frozen=True)
class MinuteText:
    """One resolution, action or agenda item of catalogued minutes, as the request finder reads it."""

    source: str  # "resolution", "action" or "item"
    source_id: int  # its row in resolutions, actions or agenda_items
    document_id: int
    authority: str | None
    committee: str | None
    meeting_date: str | None  # ISO: the meeting that made it (a reprint's own meeting)
    page: int | None
    text: str  # verbatim
    item_title: str | None = None
    agenda_item_id: int | None = None
    resolution_id: int | None = None
    owner: str | None = None  # an action's owner, as written
    due: str | None = None  # an action's due, as written


@dataclass(frozen=True)
class Request:
    """Something a meeting asked to come back (or an officer undertook to bring back): a report,
    a briefing note, an update to a future meeting, information to members, a deferred item.

    ``subject`` is what is asked for, in the minutes' words; ``to`` who it comes back to, as
    written ("the Panel", "Cabinet", "Members"); ``due`` when, as written, and ``due_date`` that
    as a date where the words give one ("in six months" from the meeting; "on 23rd January
    2025"); ``due_meeting`` "next" for the next meeting of whoever it comes back to, "future" for a
    future meeting, "next appropriate" where the minutes leave it open.
    """

    source: MinuteText
    text: str  # the sentence that asks, verbatim
    kind: str  # report, briefing note, update, information, kept informed, deferred item, data
    subject: str
    owner: str | None = None
    to: str | None = None
    due: str | None = None
    due_date: str | None = None
    due_meeting: str | None = None
    #: The question it answers, where the sentence before it asks one ("A Member questioned the
    #: timeline for outcomes of the Big Listen Consultation."), verbatim.
    context: str | None = None


@dataclass(frozen=True)
class ReturnCandidate:
    """A later paper, agenda item or minute of the same authority that may answer a request."""

    kind: str  # "agenda item", "listed item" (on an agenda), "paper", "resolution", "minute"; "outside the catalogue"
    source_id: int | None  # its row (agenda_items, resolutions, documents); for a listed item, the document
    document_id: int | None  # None only for a return a person confirmed that no paper of the catalogue holds
    authority: str | None
    committee: str | None
    meeting_date: str | None
    page: int | None
    title: str  # what is compared with the request: a title, a resolution, a sentence


@dataclass(frozen=True)
class RequestReturn:
    """The return found for a request (``request``: its index in the requests linked), with how sure.

    ``status``: "automatic" (scored at or above the threshold), "pending" (a person should look),
    "confirmed" or "rejected" (a person's decision, from the returns review file).
    """

    request: int
    candidate: ReturnCandidate
    score: float
    method: str  # "title", "minute", "review"
    status: str
    evidence: str


@dataclass(frozen=True)
class ReturnReview:
    """A person's decision about a request's return, read from the returns review file.

    Keyed by what survives a rebuild: the asking meeting (authority, committee, date) and the
    request's words as the minutes print them, and the return's meeting and title.
    """

    authority: str | None
    committee: str | None
    meeting_date: str | None
    request: str
    return_committee: str | None
    return_date: str | None
    return_title: str
    decision: str  # "confirm" or "reject"
    note: str | None = None


# --- Fetching from ModernGov (corpus.moderngov) -------------------------------------


@dataclass(frozen=True)
class FetchedFile:
    """One row of a fetched corpus's manifest: a file from a ModernGov site and where it came from.

    ``status`` is ``fetched`` (on disk), ``failed`` (not on disk; ``problem`` says why) or
    ``withheld`` (restricted, exempt or an outside link, not downloaded; ``note`` says why).
    """

    source_url: str
    status: str
    file: str | None = None  # relative to the manifest; None when nothing was saved
    authority: str | None = None
    committee: str | None = None
    committee_id: str | None = None
    meeting_id: str | None = None
    meeting_date: str | None = None  # ISO date
    item_number: str | None = None  # as the agenda shows it ("9")
    item_title: str | None = None
    title: str | None = None
    kind: str | None = None  # "minutes" for an agenda item's minutes; blank: the build decides
    retrieved_at: str | None = None  # ISO timestamp, UTC
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    problem: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FetchEvent:
    """What a fetch just did, for progress display.

    ``action`` is one of ``fetched``, ``unchanged`` (already had it: no download),
    ``failed``, ``withheld``, ``cancelled`` (a cancelled meeting, skipped), ``meeting``
    (about to read a meeting's papers).
    """

    action: str
    url: str
    file: str | None = None
    detail: str | None = None




# -------------------------------------------------------------------------------------
# Every dataclass defined above is public; new records need no edit here.
__all__ = sorted(name for name, value in list(globals().items()) if is_dataclass(value))
