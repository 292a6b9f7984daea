"""Fetch committee papers and minutes from a ModernGov site into a corpus folder.

ModernGov sites (most English councils' committee sites) answer a small web service,
``{site}/mgWebService.asmx``: ``GetCommittees``, ``GetMeetings?lCommitteeId=&sFromDate=&sToDate=``
(dates as dd/mm/yyyy) and ``GetMeeting?lMeetingId=``, which lists each agenda item with its
linked documents and, once published, its minutes as HTML (``minutesnonemptyhtmlbody``).
The shapes are in ``tests/fixtures/moderngov/``.

A fetch saves every linked document and every agenda item's minutes under
``{corpus}/{authority}/{committee}/{date}_{meeting id}/`` and keeps ``{corpus}/manifest.csv``
up to date after each file, so ``scrutiny build`` on the folder knows each document's
authority, committee, meeting date and title, and a re-run fetches only what is missing.
"""

from __future__ import annotations

import csv
import datetime
import errno
import functools
import hashlib
import html
import logging
import mimetypes
import os
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence
from urllib.parse import unquote, urljoin, urlsplit

import defusedxml
import defusedxml.ElementTree

from ..errors import ScrutinyError
from ..records import FetchedFile, FetchEvent
from .discover import sha256_of
from .http import Download, FetchSettings, NotModified, PoliteClient, RequestFailed, host_of
from .manifest import MANIFEST_NAME, FetchManifest, write_atomically

__all__ = [
    "Fetch",
    "FetchSettings",
    "FetchSummary",
    "Site",
    "fetch",
    "known_sites",
    "parse_committees",
    "parse_meeting",
    "parse_meetings",
    "resolve_site",
]

log = logging.getLogger(__name__)

SITES = Path(__file__).resolve().parent.parent / "data" / "moderngov_sites.csv"
PARTIAL = ".partial"  # hidden, so a build never reads a half-downloaded file

_SERVICE = "mgWebService.asmx"
_DATE = "%d/%m/%Y"  # how the web service writes and reads dates


# --- Where the sites are ----------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """A council's ModernGov site: the authority it belongs to and its root address."""

    authority: str
    base_url: str


def _normalise_base(url: str) -> str:
    """The site root, whatever part of the site the user pasted."""
    url = url.strip()
    cut = url.lower().find("/" + _SERVICE.lower())
    if cut != -1:
        url = url[:cut]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ScrutinyError(
            f"{url!r} is not a web address; give the site root, such as https://doncaster.moderngov.co.uk."
        )
    return url.split("?")[0].rstrip("/")


@functools.cache
def known_sites(path: Path = SITES) -> tuple[Site, ...]:
    """The ModernGov sites in the shipped registry (``scrutiny/data/moderngov_sites.csv``)."""
    with open(path, newline="", encoding="utf-8") as f:
        return tuple(Site(row["authority"], _normalise_base(row["base_url"])) for row in csv.DictReader(f))


def resolve_site(site: str, authority: str | None = None) -> Site:
    """The site named by an address or a registry name ("doncaster"), with its authority.

    ``authority`` wins over the registry's name; an address the registry does not know needs it.
    """
    if "://" in site:
        base = _normalise_base(site)
        host = urlsplit(base).netloc.lower()
        known = next((s for s in known_sites() if urlsplit(s.base_url).netloc.lower() == host), None)
        if authority:
            return Site(authority, base)
        if known:
            return Site(known.authority, base)
        raise ScrutinyError(
            f"scrutiny does not know which council {base} belongs to; say so with --authority NAME "
            "(for example --authority Doncaster). It is written into the manifest."
        )
    wanted = site.strip().casefold()
    for known in known_sites():
        if known.authority.casefold() == wanted:
            return Site(authority or known.authority, known.base_url)
    names = ", ".join(s.authority for s in known_sites())
    raise ScrutinyError(
        f"No ModernGov site is registered for {site!r}. Known: {names}. Give the site's address "
        "instead (e.g. https://democracy.example.gov.uk --authority Example)."
    )


# --- What the web service says ----------------------------------------------------------


@dataclass(frozen=True)
class Committee:
    id: str
    title: str
    deleted: bool = False


@dataclass(frozen=True)
class MeetingSummary:
    id: str
    date: str | None  # ISO
    status: str


@dataclass(frozen=True)
class LinkedDocument:
    url: str
    title: str
    attachment_id: str | None = None
    withheld: str | None = None  # why it is not downloaded, if it is not


@dataclass(frozen=True)
class AgendaItem:
    id: str
    number: str | None
    title: str
    minutes_html: str | None
    withheld: str | None
    documents: tuple[LinkedDocument, ...]


@dataclass(frozen=True)
class Meeting:
    id: str
    date: str | None
    status: str
    items: tuple[AgendaItem, ...]
    documents: tuple[LinkedDocument, ...] = ()  # attached to the meeting rather than an item


class NotModernGov(Exception):
    """An answer that is not the web service's XML."""


def _name(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1].lower()  # some sites put the answer in a namespace


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _name(c) == name), None)


def _text(element: ElementTree.Element, name: str) -> str | None:
    child = _child(element, name)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def _flag(element: ElementTree.Element, name: str) -> bool | None:
    text = _text(element, name)
    return None if text is None else text.lower() == "true"


def _iso(date: str | None) -> str | None:
    if not date:
        return None
    try:
        return datetime.datetime.strptime(date, _DATE).date().isoformat()
    except ValueError:
        return None


def _root(xml: bytes) -> ElementTree.Element:
    try:
        return defusedxml.ElementTree.fromstring(xml)
    except (ElementTree.ParseError, defusedxml.DefusedXmlException) as error:
        raise NotModernGov(f"the answer is not the web service's XML ({error})") from error


def parse_committees(xml: bytes) -> list[Committee]:
    """The committees a GetCommittees answer lists."""
    return [
        Committee(
            id=_text(c, "committeeid") or "",
            title=_text(c, "committeetitle") or "",
            deleted=bool(_flag(c, "committeedeleted")),
        )
        for c in _root(xml).iter()
        if _name(c) == "committee" and _text(c, "committeeid")
    ]


def parse_meetings(xml: bytes) -> list[MeetingSummary]:
    """The meetings a GetMeetings answer lists, cancelled ones included."""
    return [
        MeetingSummary(
            id=_text(m, "meetingid") or "",
            date=_iso(_text(m, "meetingdate")),
            status=_text(m, "meetingstatus") or "",
        )
        for m in _root(xml).iter()
        if _name(m) == "meeting" and _text(m, "meetingid")
    ]


def _linked_documents(element: ElementTree.Element | None) -> tuple[LinkedDocument, ...]:
    documents = []
    for doc in element if element is not None else ():
        if _name(doc) != "linkeddoc" or not _text(doc, "url"):
            continue
        withheld = None
        if _flag(doc, "isrestricted"):
            # restrictionsRef carries the exemption, e.g. "Paragraph 3" of Schedule 12A.
            reason = _text(doc, "restrictionsref")
            withheld = f"restricted ({reason})" if reason else "restricted (exempt from publication)"
        elif _flag(doc, "isurl"):
            withheld = "a link to another web page, not a document"
        documents.append(
            LinkedDocument(
                url=_text(doc, "url") or "",
                title=_text(doc, "title") or "",
                attachment_id=_text(doc, "attachmentid"),
                withheld=withheld,
            )
        )
    return tuple(documents)


def parse_meeting(xml: bytes) -> Meeting:
    """A GetMeeting answer: its agenda items, their documents and their minutes."""
    root = _root(xml)
    if _name(root) != "meeting":
        raise NotModernGov(f"expected a <meeting>, got <{_name(root)}>")
    items = []
    agenda = _child(root, "agendaitems")
    for item in agenda if agenda is not None else ():
        if _name(item) != "agendaitem":
            continue
        withheld = None
        if _flag(item, "isrestricted"):
            withheld = "the agenda item is restricted (exempt from publication)"
        elif _flag(item, "isdisplayallowed") is False:
            withheld = "the site does not publish this agenda item"
        minutes = _text(item, "minutesnonemptyhtmlbody")
        if _flag(item, "isminutepublished") is False:
            minutes = None
        # The number people see: fulldisplaynumberformat ("9."), not agendaitemnumber (12),
        # which counts hidden items too (meeting_with_minutes.xml, item "Work Programme").
        number = (_text(item, "fulldisplaynumberformat") or "").rstrip(".").strip()
        items.append(
            AgendaItem(
                id=_text(item, "agendaitemid") or "",
                number=number or _text(item, "agendaitemnumber"),
                title=_text(item, "agendaitemtitle") or "",
                minutes_html=minutes,
                withheld=withheld,
                documents=_linked_documents(_child(item, "linkeddocuments")),
            )
        )
    return Meeting(
        id=_text(root, "meetingid") or "",
        date=_iso(_text(root, "meetingdate")),
        status=_text(root, "meetingstatus") or "",
        items=tuple(items),
        documents=_linked_documents(_child(root, "linkeddocuments")),
    )


# --- Names on disk ----------------------------------------------------------------------


def _slug(text: str | None, limit: int = 60) -> str:
    """Lower-case ASCII letters, digits and hyphens only: no separators, no dots, no escape."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "untitled"


_HANDLERS = {"", ".aspx", ".ashx", ".asp", ".php"}  # a script, not a file name
_TYPES = {"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}


def _server_name(url: str) -> tuple[str | None, str]:
    """The stem and extension of the file name at the end of a URL's path, if it is one."""
    name = re.split(r"[/\\]", unquote(urlsplit(url).path))[-1]
    stem, extension = os.path.splitext(name)
    extension = extension.lower()
    if extension in _HANDLERS or not re.fullmatch(r"\.[a-z0-9]{1,5}", extension):
        return None, ""
    return stem, extension


def _expects_pdf(url: str) -> bool:
    """mgConvert2PDF.aspx?ID= and /documents/s123/name.pdf both promise a PDF."""
    path = urlsplit(url).path.lower()
    return path.endswith(".pdf") or path.endswith("mgconvert2pdf.aspx")


def _kind(title: str) -> str | None:
    """Minutes or agenda where the title says so; otherwise the build reads the document to decide."""
    lowered = title.lower()
    if "minutes" in lowered:
        return "minutes"
    if "agenda" in lowered:
        return "agenda"
    return None


def _check(download: Download, url: str) -> str | None:
    """Why a downloaded file is not what it claims to be, or None."""
    content_type = (download.content_type or "").split(";")[0].strip().lower()
    if _expects_pdf(url) or content_type == "application/pdf":
        if b"%PDF-" not in download.head:
            head = download.head.lstrip().lower()
            if content_type == "text/html" or head.startswith((b"<!doctype html", b"<html")):
                return "the server sent an HTML page (an error or sign-in page) where a PDF was expected"
            return f"not a PDF (content type {content_type or 'not given'})"
        if b"%%EOF" not in download.tail:
            return "the PDF is truncated: it has no end-of-file marker"
    if download.size == 0:
        return "the server sent an empty file"
    return None


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _cannot_write(corpus: Path, error: OSError) -> str:
    """Why a fetch stopped on a file-system error, and what to do."""
    if error.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"The disk holding {corpus} is full ({error.strerror}): the fetch stopped. Every file "
            "it saved is kept and listed in the manifest; free some space and run the same fetch "
            "again to get the rest."
        )
    return (
        f"Could not write to {corpus} ({error.strerror or error}: {error.filename or ''}); the fetch "
        "stopped. Check that the folder can be written to, or choose another with --corpus."
    )


# --- The fetch --------------------------------------------------------------------------


@dataclass
class FetchSummary:
    """Counts of what a fetch did, and the things that went wrong."""

    actions: Counter = field(default_factory=Counter)
    failures: list[FetchEvent] = field(default_factory=list)
    requests: int = 0

    def add(self, event: FetchEvent) -> None:
        self.actions[event.action] += 1
        if event.action == "failed":
            self.failures.append(event)

    @property
    def failed(self) -> int:
        return self.actions["failed"]

    def __str__(self) -> str:
        skipped = self.actions["unchanged"] + self.actions["withheld"]
        text = (
            f"{self.actions['fetched']} fetched, {skipped} skipped "
            f"({self.actions['unchanged']} already held, {self.actions['withheld']} withheld: "
            f"restricted, exempt or links), {self.failed} failed"
        )
        text += f"; {self.actions['meeting']} meetings read"
        if self.actions["cancelled"]:
            text += f", {self.actions['cancelled']} cancelled meetings passed over"
        return text + f"; {self.requests} requests."


@dataclass(frozen=True)
class _Context:
    """Where a file sits in the site: the facts every manifest row of one meeting shares."""

    committee: Committee
    meeting: Meeting
    folder: Path  # relative to the corpus


class Fetch:
    """One fetch from a ModernGov site into a corpus folder; ``run()`` yields what it does."""

    def __init__(
        self,
        site: str,
        corpus: str | Path,
        *,
        authority: str | None = None,
        committees: Sequence[str] = (),
        since: datetime.date | None = None,
        until: datetime.date | None = None,
        settings: FetchSettings | None = None,
    ):
        self.site = resolve_site(site, authority)
        self.corpus = Path(corpus)
        self.wanted = tuple(committees)
        self.until = until or datetime.date.today()
        self.since = since or self.until - datetime.timedelta(days=365)
        if self.since > self.until:
            raise ScrutinyError(f"--since {self.since} is after --until {self.until}; swap them.")
        self.settings = settings or FetchSettings()
        self.summary = FetchSummary()
        self._client: PoliteClient | None = None
        self._manifest: FetchManifest | None = None

    def _service(self, method: str, query: str = "") -> str:
        return f"{self.site.base_url}/{_SERVICE}/{method}{'?' + query if query else ''}"

    def run(self) -> Iterator[FetchEvent]:
        """Fetch what is missing, yielding an event per meeting and per file."""
        try:
            self.corpus.mkdir(parents=True, exist_ok=True)
            self._manifest = FetchManifest(self.corpus / MANIFEST_NAME)
            with PoliteClient(self.settings, hosts=[host_of(self.site.base_url)]) as client:
                self._client = client
                try:
                    for event in self._events():
                        self.summary.add(event)
                        log.info("%s %s%s", event.action, event.file or event.url, f": {event.detail}" if event.detail else "")
                        yield event
                finally:
                    self.summary.requests = client.requests
        except OSError as error:
            raise ScrutinyError(_cannot_write(self.corpus, error)) from None
        shutil.rmtree(self.corpus / PARTIAL, ignore_errors=True)  # reached only when the run completed

    def _events(self) -> Iterator[FetchEvent]:
        for committee in self._committees():
            url = self._service(
                "GetMeetings",
                f"lCommitteeId={committee.id}&sFromDate={self.since:{_DATE}}&sToDate={self.until:{_DATE}}",
            )
            try:
                meetings = parse_meetings(self._client.get_bytes(url))
            except (RequestFailed, NotModernGov) as failure:
                yield FetchEvent("failed", url, detail=f"meetings of {committee.title}: {failure}")
                continue
            for summary in meetings:
                if summary.date and not (self.since.isoformat() <= summary.date <= self.until.isoformat()):
                    continue
                yield from self._meeting(committee, summary)

    def _committees(self) -> list[Committee]:
        url = self._service("GetCommittees")
        try:
            committees = parse_committees(self._client.get_bytes(url))
        except (RequestFailed, NotModernGov) as failure:
            raise ScrutinyError(
                f"Could not read the committees of {self.site.base_url} ({url}): {failure}. "
                "Check that the address is the root of a ModernGov site."
            ) from failure
        if not self.wanted:
            return [c for c in committees if not c.deleted]
        chosen: list[Committee] = []
        for wanted in self.wanted:
            matches = [
                c
                for c in committees
                if c.id == wanted.strip() or (not wanted.strip().isdigit() and wanted.casefold() in c.title.casefold())
            ]
            if not matches:
                sample = "; ".join(f"{c.id} {c.title}" for c in committees[:15])
                raise ScrutinyError(
                    f"No committee on {self.site.base_url} has the id or a title containing {wanted!r}. "
                    f"Some of its committees: {sample}."
                )
            chosen += [c for c in matches if c not in chosen]
        return chosen

    def _meeting(self, committee: Committee, summary: MeetingSummary) -> Iterator[FetchEvent]:
        url = self._service("GetMeeting", f"lMeetingId={summary.id}")
        if "cancel" in summary.status.lower():
            yield FetchEvent("cancelled", url, detail=f"{committee.title}, {summary.date}: cancelled")
            return
        try:
            meeting = parse_meeting(self._client.get_bytes(url))
        except (RequestFailed, NotModernGov) as failure:
            yield FetchEvent("failed", url, detail=f"meeting {summary.id} of {committee.title}: {failure}")
            return
        if "cancel" in meeting.status.lower():
            yield FetchEvent("cancelled", url, detail=f"{committee.title}, {meeting.date}: cancelled")
            return
        meeting = replace(meeting, date=meeting.date or summary.date)
        yield FetchEvent("meeting", url, detail=f"{committee.title}, {meeting.date}")
        folder = (
            Path(_slug(self.site.authority))
            / _slug(committee.title)
            / f"{meeting.date or 'undated'}_{_slug(meeting.id, 20)}"
        )
        context = _Context(committee, meeting, folder)
        for document in meeting.documents:
            yield self._document(context, None, document)
        for item in meeting.items:
            for document in item.documents:
                yield self._document(context, item, replace(document, withheld=item.withheld or document.withheld))
            if item.minutes_html and not item.withheld:
                yield self._minutes(context, item)

    # -- one file ----------------------------------------------------------------------

    def _record(self, context: _Context, item: AgendaItem | None, url: str, **values) -> FetchedFile:
        return FetchedFile(
            source_url=url,
            authority=self.site.authority,
            committee=context.committee.title,
            committee_id=context.committee.id,
            meeting_id=context.meeting.id,
            meeting_date=context.meeting.date,
            item_number=item.number if item else None,
            item_title=item.title if item else None,
            **values,
        )

    def _held(self, url: str) -> dict[str, str] | None:
        """The manifest row of a file already on disk, unchanged since it was fetched, or None."""
        row = self._manifest.get(url)
        if not row or row.get("status") != "fetched" or not row.get("file"):
            return None
        try:  # a row naming ../../elsewhere is never read, replaced or deleted
            path = self._inside(Path(row["file"]))
        except RequestFailed:
            log.warning("%s: the manifest names %s, outside the corpus; ignored", url, row["file"])
            return None
        if not path.is_file() or sha256_of(path) != row.get("sha256"):
            return None
        return row

    def _keep(self, row: dict[str, str], record: FetchedFile) -> FetchEvent:
        """Nothing downloaded: update the row only if the site's facts about the file changed."""
        kept = replace(
            record,
            file=row["file"],
            retrieved_at=row.get("retrieved_at") or None,
            sha256=row["sha256"],
            size=int(row["size"]) if row.get("size", "").isdigit() else None,
            content_type=row.get("content_type") or None,
            etag=row.get("etag") or None,
            last_modified=row.get("last_modified") or None,
        )
        self._manifest.put(kept)
        return FetchEvent("unchanged", record.source_url, file=row["file"])

    def _failed(self, record: FetchedFile, problem: str, held: dict[str, str] | None = None) -> FetchEvent:
        """Record a failure, unless an earlier good copy is ``held``: that row stays as it was."""
        if not held:
            self._manifest.put(replace(record, status="failed", problem=problem, retrieved_at=_now()))
        return FetchEvent("failed", record.source_url, detail=problem)

    def _inside(self, relative: Path) -> Path:
        """The path in the corpus, refusing any that would leave it."""
        root = self.corpus.resolve()
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise RequestFailed(f"the file name {relative} would be saved outside the corpus folder")
        return target

    def _document(self, context: _Context, item: AgendaItem | None, document: LinkedDocument) -> FetchEvent:
        url = urljoin(self.site.base_url + "/", document.url)
        record = self._record(
            context, item, url, status="fetched", title=document.title or None, kind=_kind(document.title)
        )
        held = self._held(url)
        if not document.withheld and not self._client.may_fetch_from(url):
            document = replace(
                document,
                withheld=f"on another site ({host_of(url)}), not this council's; --allow-host {host_of(url)} fetches it",
            )
        if document.withheld:
            if held:
                return self._keep(held, record)
            self._manifest.put(replace(record, status="withheld", note=document.withheld))
            return FetchEvent("withheld", url, detail=f"{document.title}: {document.withheld}")
        if held and not self.settings.refresh:
            return self._keep(held, record)
        try:
            temp = self._inside(Path(PARTIAL) / (hashlib.sha1(url.encode()).hexdigest()[:20] + ".part"))
            result = self._client.download(
                url,
                temp,
                etag=(held or {}).get("etag") or None,
                last_modified=(held or {}).get("last_modified") or None,
            )
        except RequestFailed as failure:
            return self._failed(record, str(failure), held)
        if isinstance(result, NotModified):
            if held:
                return self._keep(held, record)
            return self._failed(record, "the server answered 304 Not Modified to a request for a file scrutiny does not hold")
        problem = _check(result, url)
        if problem:
            result.temp_path.unlink(missing_ok=True)
            return self._failed(record, problem, held)
        stem, extension = _server_name(url)
        if not extension:
            content_type = (result.content_type or "").split(";")[0].strip().lower()
            extension = _TYPES.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
        # The attachment id (or, lacking one, the address) keeps two papers with one title apart;
        # where a site gives two papers one id, the second's name takes its address's hash too.
        address = hashlib.sha1(url.encode()).hexdigest()[:10]
        prefix = _slug(document.attachment_id or address, 20)
        relative = context.folder / f"{prefix}_{_slug(stem or document.title)}{extension}"
        if self._manifest.source_of(relative.as_posix()) not in (None, url):
            relative = context.folder / f"{prefix}-{address}_{_slug(stem or document.title)}{extension}"
        try:
            target = self._inside(relative)
        except RequestFailed as failure:
            result.temp_path.unlink(missing_ok=True)
            return self._failed(record, str(failure), held)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(result.temp_path, target)
        if held and held["file"] != relative.as_posix():
            self._inside(Path(held["file"])).unlink(missing_ok=True)  # _held() checked it is inside
        self._manifest.put(
            replace(
                record,
                file=relative.as_posix(),
                retrieved_at=_now(),
                sha256=result.sha256,
                size=result.size,
                content_type=result.content_type,
                etag=result.etag,
                last_modified=result.last_modified,
            )
        )
        return FetchEvent("fetched", url, file=relative.as_posix())

    def _minutes(self, context: _Context, item: AgendaItem) -> FetchEvent:
        """Save an agenda item's minutes (from the GetMeeting answer: no extra request)."""
        # mgAi.aspx?ID= is the agenda item's page, where the site shows these minutes
        # (corpus/manifest.csv: pdf/004, Doncaster's minutes of item 7572).
        url = f"{self.site.base_url}/mgAi.aspx?ID={item.id}"
        title = f"Minutes: {item.title}"
        heading = f"{item.number}. {item.title}" if item.number else item.title
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n<body>\n"
            f"<h1>{html.escape(heading)}</h1>\n{item.minutes_html}\n</body>\n</html>\n"
        ).encode()
        sha256 = hashlib.sha256(page).hexdigest()
        record = self._record(context, item, url, status="fetched", title=title, kind="minutes")
        held = self._held(url)
        if held and held.get("sha256") == sha256:
            return self._keep(held, record)
        relative = context.folder / f"minutes_{_slug(item.id, 20)}_{_slug(item.title)}.html"
        target = self._inside(relative)  # slugs hold no separators; this is the last guard
        write_atomically(target, page)
        self._manifest.put(
            replace(
                record,
                file=relative.as_posix(),
                retrieved_at=_now(),
                sha256=sha256,
                size=len(page),
                content_type="text/html; charset=utf-8",
            )
        )
        return FetchEvent("fetched", url, file=relative.as_posix())


def fetch(
    site: str,
    corpus: str | Path,
    *,
    authority: str | None = None,
    committees: Iterable[str] = (),
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    settings: FetchSettings | None = None,
) -> FetchSummary:
    """Fetch a ModernGov site's papers and minutes into ``corpus``; see ``Fetch``."""
    job = Fetch(
        site, corpus, authority=authority, committees=tuple(committees), since=since, until=until, settings=settings
    )
    for _ in job.run():
        pass
    return job.summary
