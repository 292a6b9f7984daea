"""UK local authorities: names, codes, and recognising the one a text is by or about.

The list lives in ``scrutiny/data/authorities.csv``: every principal council in England, Wales,
Scotland and Northern Ireland (current and abolished), combined authorities, national park, fire
and rescue and police bodies (see ``scrutiny/data/README.md`` for where it comes from); edit that
file, or ``scripts/make_authorities.py``'s sources, not this module, to add a spelling. Town,
parish and community councils, too many to list, are recognised by how they name themselves
("Newbiggin Parish Council", "Royal Sutton Coldfield Town Council").
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Authority", "is_council_name", "load_authorities", "local_council", "publisher", "recognise_authority"]

DATA = Path(__file__).parent / "data" / "authorities.csv"

# A name right next to one of these words is the council speaking about itself
# ("Doncaster Council", "Kent County Council", "Metropolitan Borough of Rotherham"),
# which is stronger evidence than a passing mention of a neighbour.
_SELF_AFTER = re.compile(
    r"\s+(?:(?:Metropolitan\s+|County\s+|City\s+|Borough\s+|District\s+){0,2}Council"
    r"|Children['’]s\s+Services|MBC|CBC|BC|DC|CC)\b",
    re.IGNORECASE,
)
_SELF_BEFORE = re.compile(r"(?:Borough|Council|City|County)\s+of\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class Authority:
    """A UK local authority (or combined, national park, fire and rescue or police body)."""

    name: str
    dfe_code: str
    ons_code: str
    la_type: str
    region: str
    domain: str
    aliases: tuple[str, ...] = ()
    #: The name is also an everyday word or surname ("Reading", "Bury", "Kent"), so only
    #: self-descriptions such as "Kent County Council" count as evidence.
    ambiguous: bool = False
    official_name: str = ""  # "Merthyr Tydfil County Borough Council", as the register names it
    nation: str = ""  # England, Wales, Scotland, Northern Ireland
    register: str = ""  # the GOV.UK register entry: "local-authority-eng:KEN"
    end_date: str = ""  # ISO date an abolished council ended


@functools.cache
def load_authorities(path: Path = DATA) -> tuple[Authority, ...]:
    """The authorities in the shipped list, in name order."""
    with open(path, newline="", encoding="utf-8") as f:
        return tuple(
            Authority(
                name=row["name"],
                dfe_code=row["dfe_code"],
                ons_code=row["ons_code"],
                la_type=row["la_type"],
                region=row["region"],
                domain=row["domain"],
                aliases=tuple(a for a in row["aliases"].split(";") if a),
                ambiguous=row["ambiguous"] == "yes",
                official_name=row.get("official_name") or "",
                nation=row.get("nation") or "",
                register=row.get("register") or "",
                end_date=row.get("end_date") or "",
            )
            for row in csv.DictReader(f)
        )


@functools.cache
def _matcher() -> tuple[re.Pattern[str], dict[str, tuple[Authority, bool]]]:
    """The pattern of every spelling, and for each: its authority, and whether the
    spelling is itself a self-description (an abbreviation such as "RMBC", or "Doncaster Council")."""
    names: dict[str, tuple[Authority, bool]] = {}
    for authority in load_authorities():
        for spelling in (authority.name, *authority.aliases):
            # An abbreviation, or a name with "Council" (or Welsh "Cyngor", Gaelic "Comhairle",
            # "Authority") in it: "KCC", "City of Cardiff Council", "Cyngor Dinas Caerdydd".
            self_described = spelling != authority.name and (
                spelling.isupper() or bool(re.search(r"\b(?:Council|Cyngor|Comhairle|Authority|Corporation)\b", spelling))
            )
            names.setdefault(spelling, (authority, self_described))
            names.setdefault(spelling.upper(), (authority, self_described))  # "KENT COUNTY COUNCIL"
            if spelling.lower().startswith("the "):
                names.setdefault(spelling[4:], (authority, self_described))
    # Longest first so "North East Lincolnshire" wins over "Lincolnshire".
    alternation = "|".join(re.escape(s) for s in sorted(names, key=len, reverse=True))
    # Case-sensitive on purpose: "Reading" the town, not "reading" the verb.
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), names


# A person's title before a name that is also a surname: "Mr Kent", "Cllr Preston".
_PERSON_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Cllr|Councillor|Sir|Dame|Lord|Lady|Professor)\.?\s+$")
# A name used as a place's proper name: "across Kent, Medway", "Virtual School Kent", "Kent Academy".
_PLACE_BEFORE = re.compile(r"\b(?:in|across|of|throughout|for|from|to|within|around|School|Radio)\s+$")
_PLACE_AFTER = re.compile(r"\s+(?:[A-Z][a-z]+|and\s+[A-Z])")


def _mentions(text: str) -> Counter[str]:
    """Each authority's score in ``text`` (see recognise_authority)."""
    pattern, names = _matcher()
    scores: Counter[str] = Counter()
    for match in pattern.finditer(text):
        authority, self_described = names[match.group(0)]
        before = text[max(0, match.start() - 20) : match.start()]
        if (
            self_described
            or _SELF_AFTER.match(text, match.end())
            or _SELF_BEFORE.search(before)
        ):
            scores[authority.name] += 3
        elif _PERSON_BEFORE.search(before):
            continue  # "Mr Kent": a person
        elif not authority.ambiguous:
            scores[authority.name] += 1
        elif _PLACE_BEFORE.search(before) or _PLACE_AFTER.match(text, match.end()):
            scores[authority.name] += 1  # "Virtual School Kent", "Kent Academy", "across Kent"
    return scores


def recognise_authority(text: str, *, min_score: int = 2) -> str | None:
    """The authority a text is about, or None when no single authority stands out.

    Counts mentions of each authority's names; a self-description ("Doncaster Council",
    "Borough of Rotherham", "RMBC", "Caerphilly CBC") counts three times. A name that is also an
    everyday word or a surname ("Reading", "Kent") counts only as a place's name ("across Kent",
    "Kent Academy"), never after a person's title ("Mr Kent"). The winner must score at least
    ``min_score`` and strictly more than the runner-up, so a paper that compares Doncaster with
    Rotherham in equal measure gets no guess.
    """
    ranked = _mentions(text).most_common(2)
    if not ranked or ranked[0][1] < min_score:
        return None
    if len(ranked) == 2 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def publisher(lines: list[str]) -> str | None:
    """The authority that names itself in a paper's header, footer or logo text: the first line
    of ``lines`` that is a self-description ("KENT COUNTY COUNCIL", "CITY OF CARDIFF COUNCIL",
    "Birmingham City Council"). A Kent paper that goes on to mention Medway Council is Kent's."""
    pattern, names = _matcher()
    for line in lines:
        for match in pattern.finditer(line):
            authority, self_described = names[match.group(0)]
            before = line[max(0, match.start() - 20) : match.start()]
            # The council's own name on a short line, not "Report to Kent County Council's Cabinet"
            # inside a sentence.
            own = self_described or _SELF_AFTER.match(line, match.end()) or _SELF_BEFORE.search(before)
            if own and len(line.split()) <= 12:
                return authority.name
    return None


_COUNCIL_WORDS = re.compile(
    r"\b(?:the|of|city|county|borough|district|metropolitan|council|cyngor|dinas|sir|bwrdeistref|sirol|"
    r"london|royal|and)\b|[^\w]+",
    re.IGNORECASE,
)


def is_council_name(line: str) -> bool:
    """Whether a line is only an authority's own name ("CITY OF CARDIFF COUNCIL", "CYNGOR DINAS
    CAERDYDD", "Merton Council"): a letterhead, not a title that starts with one ("KENT COUNTY
    COUNCIL ACTION TO ...", Kent's Integrated Care Strategy appendix)."""
    pattern, _ = _matcher()
    if not publisher([line]):
        return False
    rest = _COUNCIL_WORDS.sub(" ", pattern.sub(" ", line))
    return not rest.strip()


# "Newbiggin Parish Council", "Royal Sutton Coldfield Town Council", "Manordeilo and Salem Community
# Council": local councils name themselves so; "City Council" is a principal council's name.
_LOCAL_COUNCIL = re.compile(
    r"\b(?P<name>(?:[A-Z][\w’'.-]*\s+(?:(?:and|on|upon|in|under|le|by|with|cum)\s+)?){1,6}"
    r"(?:Town|Parish|Community|Village|Neighbourhood)\s+Council)\b"
)


def local_council(lines: list[str]) -> str | None:
    """A town, parish or community council naming itself in a paper's first lines, as it writes its
    name: "Newbiggin Parish Council - 3 rd September 2019" (Newbiggin, page 1)."""
    for line in lines:
        match = _LOCAL_COUNCIL.search(line) or _LOCAL_COUNCIL.search(line.title() if line.isupper() else "")
        if match:
            name = match.group("name")
            return name.title() if name.isupper() else name
    return None
