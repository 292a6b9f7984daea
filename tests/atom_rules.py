"""The rules of the Atom Syndication Format (RFC 4287) that a feed can break, checked on its XML.

No Atom validator is published on PyPI (the W3C Feed Validation Service is a web site), so the
tests check the RFC's MUSTs themselves, each with its section: one feed or entry id, title and
updated; ids that are absolute IRIs; dates that are RFC 3339 date-times; an author for the feed
or for every entry; an entry with no content has an alternate link; at most one alternate link
per type and language; links have an href; text constructs have a known type; entry ids unique.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 3339 date-time (section 3.3): full-date "T" full-time, the time offset required.
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def _one(element: ET.Element, name: str, where: str, problems: list[str]) -> ET.Element | None:
    found = element.findall(ATOM + name)
    if len(found) != 1:
        problems.append(f"{where} has {len(found)} atom:{name} elements; it must have exactly one (RFC 4287 4.1)")
        return None
    return found[0]


def _iri(value: str | None) -> bool:
    """An absolute IRI (section 4.2.6): a scheme, then something."""
    return bool(value) and bool(urlsplit(value.strip()).scheme) and ":" in value


def _text_construct(element: ET.Element | None, where: str, problems: list[str]) -> None:
    if element is None:
        return
    kind = element.get("type", "text")
    if kind not in ("text", "html", "xhtml"):
        problems.append(f"{where}: text construct type {kind!r} is not text, html or xhtml (RFC 4287 3.1.1)")


def _date(element: ET.Element | None, where: str, problems: list[str]) -> None:
    if element is not None and not _DATE_TIME.match((element.text or "").strip()):
        problems.append(f"{where}: {element.text!r} is not an RFC 3339 date-time (RFC 4287 3.3)")


def _links(element: ET.Element, where: str, problems: list[str]) -> list[ET.Element]:
    links = element.findall(ATOM + "link")
    alternates: set[tuple[str | None, str | None]] = set()
    for link in links:
        if not link.get("href"):
            problems.append(f"{where}: an atom:link has no href (RFC 4287 4.2.7.1)")
        if link.get("rel", "alternate") == "alternate":
            key = (link.get("type"), link.get("hreflang"))
            if key in alternates:
                problems.append(f"{where}: two alternate links with the same type and hreflang (RFC 4287 4.1.1)")
            alternates.add(key)
    return links


def _authors(element: ET.Element) -> list[ET.Element]:
    return [a for a in element.findall(ATOM + "author") if (a.findtext(ATOM + "name") or "").strip()]


def problems_in(xml: bytes) -> list[str]:
    """What in this document breaks RFC 4287; empty for a valid Atom feed."""
    problems: list[str] = []
    try:
        feed = ET.fromstring(xml)
    except ET.ParseError as error:
        return [f"not well-formed XML: {error}"]
    if feed.tag != ATOM + "feed":
        return [f"the root element is {feed.tag}, not atom:feed (RFC 4287 4.1.1)"]
    feed_id = _one(feed, "id", "the feed", problems)
    if feed_id is not None and not _iri(feed_id.text):
        problems.append(f"the feed's id {feed_id.text!r} is not an absolute IRI (RFC 4287 4.2.6)")
    _text_construct(_one(feed, "title", "the feed", problems), "the feed's title", problems)
    _date(_one(feed, "updated", "the feed", problems), "the feed's updated", problems)
    _links(feed, "the feed", problems)
    if not any(link.get("rel") == "self" for link in feed.findall(ATOM + "link")):
        problems.append("the feed has no rel=self link (RFC 4287 4.1.1 SHOULD)")
    entries = feed.findall(ATOM + "entry")
    feed_has_author = bool(_authors(feed))
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        entry_id = _one(entry, "id", where, problems)
        if entry_id is not None:
            if not _iri(entry_id.text):
                problems.append(f"{where}: id {entry_id.text!r} is not an absolute IRI (RFC 4287 4.2.6)")
            if entry_id.text in seen:
                problems.append(f"{where}: id {entry_id.text!r} is used by another entry (RFC 4287 4.1.1)")
            seen.add(entry_id.text or "")
        _text_construct(_one(entry, "title", where, problems), f"{where}'s title", problems)
        _date(_one(entry, "updated", where, problems), f"{where}'s updated", problems)
        links = _links(entry, where, problems)
        contents = entry.findall(ATOM + "content")
        if len(contents) > 1:
            problems.append(f"{where} has {len(contents)} atom:content elements (RFC 4287 4.1.2)")
        for content in contents:
            _text_construct(content, f"{where}'s content", problems)
        if not contents and not any(link.get("rel", "alternate") == "alternate" for link in links):
            problems.append(f"{where} has no content and no alternate link (RFC 4287 4.1.2)")
        if not feed_has_author and not _authors(entry):
            problems.append(f"{where} has no author and the feed has none (RFC 4287 4.1.1)")
    if not entries and not feed_has_author:
        problems.append("the feed has no author (RFC 4287 4.1.1)")
    return problems


def entries(xml: bytes) -> list[dict[str, str]]:
    """Each entry's id, title, updated, content and alternate link."""
    feed = ET.fromstring(xml)
    return [
        {
            "id": entry.findtext(ATOM + "id") or "",
            "title": entry.findtext(ATOM + "title") or "",
            "updated": entry.findtext(ATOM + "updated") or "",
            "content": entry.findtext(ATOM + "content") or "",
            "link": next((link.get("href") or "" for link in entry.findall(ATOM + "link")
                          if link.get("rel", "alternate") == "alternate"), ""),
        }
        for entry in feed.findall(ATOM + "entry")
    ]
