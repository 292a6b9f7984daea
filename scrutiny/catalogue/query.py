"""What the words typed in the search box mean, as an SQLite FTS5 query.

- Words must all be found (on the same page, in the same resolution, ...), in any order.
- A "quoted phrase" must be found as written (no other spellings); ``OR`` and ``NOT`` (in capitals) do what they say.
- A hyphen is optional: "re-offending" finds "reoffending" and the reverse, and a word that starts
  with a common prefix ("reoffending", "nonattendance") also finds it hyphenated.
- The registry's abbreviations apply: "LAC" finds "CiC" and "children looked after"; "CP plan"
  finds "CPP" (the groups named under ``search`` in ``scrutiny/data/measure_synonyms.yml``).

Every word reaches FTS5 inside double quotes, so no character typed can be FTS5 syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..vocab import vocabulary

__all__ = ["EXAMPLES", "Query", "parse"]

#: Searches offered on an empty or hopeless search, with what each shows.
EXAMPLES = [
    ("re-referrals", "finds re-referral and rereferrals too"),
    ("LAC", "finds children looked after, CiC and CLA"),
    ('"care leavers"', "a phrase, as written"),
    ("Ofsted NOT inspection", "pages about Ofsted that don't say inspection"),
    ("briefing note OR report back", "either"),
]
_OPERATORS = {"OR", "NOT", "AND"}
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_LONGEST = 6  # words in the longest synonym spelling looked for


@dataclass(frozen=True)
class Query:
    """A search as FTS5 runs it, and what the page says about it."""

    text: str
    expression: str  # the FTS5 MATCH expression; "" when there is nothing to search for
    also: dict[str, list[str]] = field(default_factory=dict)  # term -> the other spellings searched


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """Spelling -> every spelling of its group (for the groups searched as one), and prefixes."""
    data = vocabulary("measure_synonyms")
    groups: dict[str, tuple[str, ...]] = {}
    for name in data.get("search") or ():
        spellings = tuple(dict.fromkeys(" ".join(str(s).lower().split()) for s in [name, *data["synonyms"][name]]))
        for spelling in spellings:
            groups[spelling] = spellings
    return groups, tuple(str(p) for p in data.get("search_prefixes") or ())


def _words(text: str) -> str:
    """How FTS5 will see the text: letters and digits, the rest spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _variants(term: str, prefixes: tuple[str, ...]) -> list[str]:
    """The spellings of one word that a hyphen makes: re-offending, re offending, reoffending."""
    variants = [term]
    if "-" in term.strip("-"):
        variants.append(term.replace("-", ""))
    else:
        lower = term.lower()
        for prefix in prefixes:
            if lower.startswith(prefix) and len(lower) >= len(prefix) + 4 and lower[len(prefix)].isalpha():
                variants.append(f"{term[:len(prefix)]} {term[len(prefix):]}")
                break
    return variants


def parse(text: str) -> Query:
    """The FTS5 expression for a search box's text (see the module's docstring)."""
    groups, prefixes = _vocabulary()
    tokens: list[tuple[str, str]] = []  # (kind, text): word, phrase or operator
    for match in _TOKEN.finditer(text or ""):
        phrase, word = match.group(1), match.group(2)
        if phrase is not None:
            if _words(phrase):
                tokens.append(("phrase", phrase))
        elif word in _OPERATORS:
            tokens.append(("operator", word))
        elif _words(word):
            tokens.append(("word", word))
    parts: list[str] = []
    also: dict[str, list[str]] = {}
    position = 0
    while position < len(tokens):
        kind, value = tokens[position]
        if kind == "operator":
            if parts and parts[-1] not in _OPERATORS:
                parts.append(value)
            position += 1
            continue
        # The longest run of words that is a synonym's spelling ("children looked after").
        taken, spelling = 1, None
        if kind == "word":
            for length in range(min(_LONGEST, len(tokens) - position), 0, -1):
                run = tokens[position:position + length]
                if all(k == "word" for k, _ in run) and _words(" ".join(v for _, v in run)) in groups:
                    taken, spelling = length, _words(" ".join(v for _, v in run))
                    break
        if spelling:
            # One spelling per way FTS5 reads it ("re-referrals" and "re referrals" are one).
            alternatives = list({_words(a): a for a in reversed(groups[spelling])}.values())[::-1]
            shown = " ".join(v for _, v in tokens[position:position + taken])
            also[shown] = [a for a in alternatives if _words(a) != spelling]
        elif kind == "phrase":
            alternatives = [value]
        else:
            alternatives = _variants(value, prefixes)
            if "-" in value.strip("-"):  # a split at a prefix ("re port") is searched, not shown
                also[value] = alternatives[1:]
        quoted = [_quoted(a) for a in dict.fromkeys(alternatives)]
        if parts and parts[-1] not in _OPERATORS:
            parts.append("AND")
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
        position += taken
    while parts and parts[-1] in _OPERATORS:
        parts.pop()
    while parts and parts[0] in _OPERATORS:
        parts.pop(0)
    return Query(text or "", " ".join(parts), also)
