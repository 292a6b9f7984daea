"""People, their roles and the bodies minutes name, with spaCy rules: who was asked, who spoke.

The pipeline is ``spacy.blank("en")`` with an EntityRuler whose patterns are built from the
word lists in ``entity_words.yml`` (no downloadable model is needed). It finds:

- people with a title: "Mr R W Gough", "Ms Coombs", "Cllr Jane Smith";
- roles: "Director of People", "Head of Service", "Participation and Engagement Manager";
- bodies: "Corporate Parenting Panel", "Youth Justice Board", "Ofsted", "the Trust".

A name written just before a role ("Joanne Carpenter, Participation and Engagement Manager,",
"Kevin Kasaven (Director of Children's Countywide Services)", Kent CPP page 1) is a person with
that role; later mentions by title and surname ("Ms Carpenter") take the same role.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import Iterable, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..records import AgendaItem, Entity, Page
from ..vocab import vocabulary

__all__ = ["entities", "entity_pipeline", "entity_patterns"]


_CAPITALISED = r"^[A-Z][\w’'-]*$"
# A word inside a capitalised name: "Children's Services", "Policy, Planning & Strategy".
_NAME_WORD = r"^(?:[A-Z][\w’'-]*|and|&|of|’s|'s)$"
_KINDS = {"PERSON": "person", "ROLE": "role", "ORG": "body"}


@spacy.registry.misc("scrutiny.minutes_entity_patterns.v1")
def entity_patterns() -> list[dict]:
    """EntityRuler patterns for people, roles and bodies, built from entity_words.yml."""
    words = _words()
    heads = words["role_heads"]
    body_heads = words["body_heads"]
    patterns: list[dict] = []
    title = {"ORTH": {"IN": words["person_titles"]}}
    initials = {"TEXT": {"REGEX": r"^[A-Z]\.?$"}, "OP": "*"}
    surname = {"TEXT": {"REGEX": r"^[A-Z][a-z][\w’'-]*$"}}
    patterns.append({"label": "PERSON", "pattern": [title, {"ORTH": ".", "OP": "?"}, initials, surname]})
    patterns.append(
        {"label": "PERSON", "pattern": [title, {"ORTH": ".", "OP": "?"}, surname, surname]}
    )
    chain = {"TEXT": {"REGEX": _NAME_WORD}, "OP": "*"}
    head = {"ORTH": {"IN": heads}}
    tail = [{"LOWER": {"IN": ["of", "for"]}}, {"TEXT": {"REGEX": _NAME_WORD}, "OP": "+"}]
    patterns.append({"label": "ROLE", "pattern": [chain, head]})
    patterns.append({"label": "ROLE", "pattern": [chain, head, *tail]})
    for role in words["bare_roles"]:
        patterns.append(
            {"label": "ROLE", "pattern": [{"LOWER": "the"}, *({"ORTH": w} for w in role.split())]}
        )
    patterns.append(
        {"label": "ORG", "pattern": [{"TEXT": {"REGEX": _CAPITALISED}}, chain, {"ORTH": {"IN": body_heads}}]}
    )
    for body in words["bodies"]:
        patterns.append({"label": "ORG", "pattern": body})
    return patterns


@functools.lru_cache(maxsize=1)
def entity_pipeline() -> Language:
    """The project's entity pipeline, built once: a blank English pipeline and an EntityRuler."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns(entity_patterns())
    return nlp


_EDGE_WORDS = {"and", "&", "of", "’s", "'s", "The", "the", "A", "An", "-"}


@functools.lru_cache(maxsize=1)
def _words() -> dict:
    return vocabulary("entity_words")


def _trim(span: Span) -> Span | None:
    """A span without the "The", "and" or "of" a greedy pattern caught at either end.

    "the Trust" stays as written: it is how Doncaster's minutes name the Trust (seed 004).
    """
    doc = span.doc
    start, end = span.start, span.end
    if span.label_ == "ORG" and span.text in _words()["bodies"]:
        return span
    while start < end and (
        doc[start].text in _EDGE_WORDS
        # "Co-Chair Kent Housing Options Subgroup" (Kent CPP, page 7): the role is not the body's name
        or (span.label_ == "ORG" and doc[start].text in _words()["role_heads"] + ["Co"])
    ):
        start += 1
    while end > start and doc[end - 1].text in _EDGE_WORDS:
        end -= 1
    if start >= end:
        return None
    label = span.label_
    texts = [t.text for t in doc[start:end]]
    if label == "ORG" and any(
        t in _words()["role_heads"] and n in ("of", "for") for t, n in zip(texts, texts[1:], strict=False)
    ):
        label = "ROLE"  # "Director of Children's Services" is a job, though it ends in "Services"
    if end - start == 1 and (
        (label == "ROLE" and texts[0] not in _words()["bare_roles"] + ["Headteacher"])
        or (label == "ORG" and texts[0] in _words()["body_heads"])
    ):
        return None  # "Member", "Panel": a word, not a name
    return Span(doc, start, end, label=label)


def _split(span: Span) -> list[Span]:
    """Two names joined by "and": "the Trust and South Yorkshire Police" (seed 004), "Head of
    Children's Commissioning and Robin Cahill, Senior ..." (Kent CPP, page 8)."""
    doc = span.doc
    for i in range(span.start + 1, span.end - 1):
        if doc[i].text not in ("and", "&"):
            continue
        left, right = doc[i - 1].text, span.end - (i + 1)
        if span.label_ == "ORG" and (left in _words()["body_heads"] or left.rstrip("s") in _words()["body_heads"]):
            start = span.start
            if i - start == 1 and start > 0 and doc[start - 1].lower_ == "the":
                start -= 1  # "the Trust and South Yorkshire Police" (seed 004): "the Trust" is a name
            pieces = [Span(doc, start, i, label="ORG"), Span(doc, i + 1, span.end, label="ORG")]
            return [p for piece in pieces for p in _split(piece)]
        if (
            span.label_ == "ROLE"
            and right == 2
            and doc[span.end - 1].text not in _words()["role_heads"]
            and span.end < len(doc)
            and doc[span.end].text in (",", "(")
        ):
            return [Span(doc, span.start, i, label="ROLE")]
    return [span]


def _spans(doc: Doc) -> list[Span]:
    found = []
    for span in doc.ents:
        trimmed = _trim(span)
        if trimmed is not None:
            found.extend(s for piece in _split(trimmed) if (s := _trim(piece)) is not None)
    return found


def _untitled_person(doc: Doc, role: Span, covered: set[int]) -> Span | None:
    """"Joanne Carpenter, Participation ..." / "Kevin Kasaven (Director ...": the name before a role."""
    before = role.start - 1
    if before < 2 or doc[before].text not in (",", "("):
        return None
    end = before
    start = end
    while (
        start > 0
        and end - start < 3
        and re.match(_CAPITALISED, doc[start - 1].text)
        and start - 1 not in covered
    ):
        start -= 1
    if end - start < 2:
        return None
    return Span(doc, start, end, label="PERSON")


def _parenthesised(doc: Doc, person: Span) -> str | None:
    """The role in brackets after a name: "Mrs S Hammond (Corporate Director Children, Young People
    and Education)" (Kent Cabinet, page 1), verbatim."""
    if person.end < len(doc) and doc[person.end].text == "(":
        for close in range(person.end + 1, min(len(doc), person.end + 25)):
            if doc[close].text == ")":
                inner = doc[person.end + 1 : close].text
                return inner or None
    return None


def _people_and_roles(doc: Doc) -> list[tuple[Span, str | None]]:
    """Every entity in ``doc``, with the role the text gives a person next to their name."""
    spans = _spans(doc)
    covered = {i for span in spans for i in range(span.start, span.end)}
    found: list[tuple[Span, str | None]] = []
    taken: set[int] = set()
    for span in spans:
        if span.label_ == "ROLE":
            person = _untitled_person(doc, span, covered)
            if person is not None and not taken.intersection(range(person.start, person.end)):
                role = _parenthesised(doc, person) or span.text
                found.append((person, role))
                taken.update(range(person.start, person.end))
    for span in spans:
        if taken.intersection(range(span.start, span.end)):
            continue
        role = None
        if span.label_ == "PERSON":
            role = _parenthesised(doc, span)
            if role is None and span.end + 1 < len(doc) and doc[span.end].text == ",":
                following = [s for s in spans if s.start == span.end + 1 and s.label_ == "ROLE"]
                role = following[0].text if following else None
        found.append((span, role))
    return sorted(found, key=lambda pair: pair[0].start)


def _surname(name: str) -> str:
    return name.split()[-1]


def _normalised(text: str) -> str:
    return " ".join(text.split())


def entities(
    items: Sequence[AgendaItem], pages: Sequence[Page], nlp: Language | None = None
) -> Iterator[Entity]:
    """The people, roles and bodies each agenda item names, linked to the item.

    A person's role comes from anywhere in the document (the attendance list names most
    officers with their roles); ``pages`` give the page each entity is first named on.
    """
    nlp = nlp or entity_pipeline()
    whole = nlp(_normalised("\n".join(page.text for page in pages)))
    roles: dict[str, str] = {}
    for span, role in _people_and_roles(whole):
        if span.label_ == "PERSON" and role:
            roles.setdefault(span.text, role)
    # "Mr Shipton" (Kent Cabinet, page 2) is "Mr D Shipton (Head of Finance Policy, Planning and
    # Strategy)" of the attendance list, which comes first: the first role given a surname wins.
    by_surname: dict[str, str] = {}
    for name, role in roles.items():
        by_surname.setdefault(_surname(name), role)
    page_texts = {page.page: _normalised(page.text) for page in pages}
    for item in items:
        if not item.text:
            continue
        doc = nlp(item.text)
        counts: Counter[tuple[str, str]] = Counter()
        role_of: dict[tuple[str, str], str | None] = {}
        for span, role in _people_and_roles(doc):
            key = (span.text, _KINDS[span.label_])
            counts[key] += 1
            if role_of.get(key) is None:
                if role is None and span.label_ == "PERSON":
                    role = roles.get(span.text)
                    if role is None:
                        role = by_surname.get(_surname(span.text))
                role_of[key] = role
        last = item.last_page or item.page
        for (name, kind), mentions in counts.items():
            page = next(
                (n for n in range(item.page, last + 1) if name in page_texts.get(n, "")), item.page
            )
            yield Entity(item.key, page, name, kind, role=role_of[(name, kind)], mentions=mentions)


def entities_in_text(text: str, nlp: Language | None = None) -> Iterable[tuple[str, str, str | None]]:
    """(name, kind, role) for each entity in a passage, in order: for looking at what the rules find."""
    doc = (nlp or entity_pipeline())(_normalised(text))
    for span, role in _people_and_roles(doc):
        yield span.text, _KINDS[span.label_], role
