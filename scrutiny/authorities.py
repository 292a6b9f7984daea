"""English local authorities: names, DfE and ONS codes, and recognising them in text.

The list lives in ``scrutiny/data/authorities.csv`` (see ``scrutiny/data/README.md``
for where it comes from); edit that file, not this module, to add an alias.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Authority", "load_authorities", "recognise_authority"]

DATA = Path(__file__).parent / "data" / "authorities.csv"

# A name right next to one of these words is the council speaking about itself
# ("Doncaster Council", "Kent County Council", "Metropolitan Borough of Rotherham"),
# which is stronger evidence than a passing mention of a neighbour.
_SELF_AFTER = re.compile(
    r"\s+(?:Metropolitan\s+)?(?:County\s+|City\s+|Borough\s+|District\s+)?"
    r"(?:Council|Children['’]s\s+Services|MBC)\b",
    re.I,
)
_SELF_BEFORE = re.compile(r"(?:Borough|Council|City|County)\s+of\s+$", re.I)


@dataclass(frozen=True)
class Authority:
    """A local authority with children's services responsibilities."""

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
            self_described = spelling != authority.name and (
                spelling.isupper() or "Council" in spelling
            )
            names.setdefault(spelling, (authority, self_described))
            names.setdefault(spelling.upper(), (authority, self_described))  # "KENT COUNTY COUNCIL"
    # Longest first so "North East Lincolnshire" wins over "Lincolnshire".
    alternation = "|".join(re.escape(s) for s in sorted(names, key=len, reverse=True))
    # Case-sensitive on purpose: "Reading" the town, not "reading" the verb.
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), names


def recognise_authority(text: str, *, min_score: int = 2) -> str | None:
    """The authority a text is about, or None when no single authority stands out.

    Counts mentions of each authority's names; a self-description ("Doncaster Council",
    "Borough of Rotherham", "RMBC") counts three times, and for a name that
    is also an everyday word ("Reading", "Kent") only self-descriptions count. The winner
    must score at least ``min_score`` and strictly more than the runner-up, so a
    paper that compares Doncaster with Rotherham in equal measure gets no guess.
    """
    pattern, names = _matcher()
    scores: Counter[str] = Counter()
    for match in pattern.finditer(text):
        authority, self_described = names[match.group(0)]
        weight = 0 if authority.ambiguous else 1
        if (
            self_described
            or _SELF_AFTER.match(text, match.end())
            or _SELF_BEFORE.search(text, max(0, match.start() - 20), match.start())
        ):
            weight = 3
        if weight:
            scores[authority.name] += weight
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < min_score:
        return None
    if len(ranked) == 2 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]
