"""Which registry measure each reported measure is: "Re-referrals in the last 12 months"
(Doncaster A1, seed 000) and "Re-referral rates" (Rotherham, seed 002) are both the DfE's
"re-referrals to children's social care within 12 months".

Titles are normalised first: the synonyms in ``scrutiny/data/measure_synonyms.yml`` (CiC =
LAC = looked after children; CP plan = CPP; "assessments completed in 45 working days" =
"single assessment timeliness"), then a rule-based spaCy pipeline (the one
``scrutiny.nlp.prose`` builds) gives lookup lemmas; stop words go, numbers ("3", "12",
"10000") are kept apart from words, and words that only say how a value is expressed
("percentage", "rate") are left out.

Candidates are blocked before they are scored: only registry measures that share a word
with the title and whose unit agrees are scored (rapidfuzz), so linking grows with the
number of titles, not their square. Unit and polarity must agree when both are known, and
the distinguishing words of the synonyms file must not clash (dental checks are not health
assessments; EET is not suitable accommodation; referrals are not re-referrals).

Within an authority, a measure that matched the registry weakly or not at all takes the
measure of a confidently linked one with the same code and a similar title, or a very
similar title whose values continue (seed 000's Trust list calls A09 "A5"). A code alone is
never enough: seed 000 prints B13 for both suitable accommodation and EET.

A person's decisions in the review file (``scrutiny.registry.load_reviews``) come last and
win: a confirmed link is kept whatever the score, a rejected measure is never linked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ..periods import NUMBER_WORDS
from ..records import IndicatorRef, Measure, MeasureLink, MeasureReview
from ..registry import SYNONYMS, Registry
from ..vocab import vocabulary

__all__ = ["AUTOMATIC", "PENDING", "Words", "link", "normalise", "normalise_many", "similarity"]

#: A score at or above this links without review ("automatic").
AUTOMATIC = 80.0
#: A score at or above this (and below AUTOMATIC) links for review ("pending"); below: no link.
PENDING = 65.0
#: Two candidates closer than this are ambiguous: the best is linked as pending.
AMBIGUOUS = 4.0

_KEEP = {"not", "more", "less"}  # spaCy stop words that change what a title measures
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(w for w, n in NUMBER_WORDS.items() if n > 0) + r")\b")


@dataclass(frozen=True)
class Words:
    """A title as the linker compares it: its words (lemmas, synonyms applied) and its numbers."""

    text: str  # the words in order, space-separated
    words: frozenset[str]
    numbers: frozenset[str]
    marks: tuple[str | None, ...] = ()  # per group of distinguishing words, the one it names
    qualifiers: frozenset[str] = frozenset()  # the must_agree words it names


@dataclass(frozen=True)
class _Vocabulary:
    """measure_synonyms.yml, compiled."""

    pattern: re.Pattern
    canonical: dict[str, str]
    groups: tuple[tuple[str, ...], ...]
    ignore: frozenset[str]
    not_measures: re.Pattern
    must_agree: frozenset[str]
    spelled: dict[str, str]  # a canonical word as papers write it ("within2years": "within 2 years")


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data = vocabulary(SYNONYMS.name)
    canonical: dict[str, str] = {}
    for name, spellings in data["synonyms"].items():
        for spelling in [name, *spellings]:
            canonical[" ".join(str(spelling).lower().split())] = str(name)
    ordered = sorted(canonical, key=len, reverse=True)
    alternation = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in ordered)
    return _Vocabulary(
        pattern=re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"),
        canonical=canonical,
        groups=tuple(tuple(str(word) for word in group) for group in data["distinguish"]),
        ignore=frozenset(data["ignore"]),
        not_measures=re.compile(rf"\b(?:{'|'.join(re.escape(p) for p in data['not_measures'])})\b", re.IGNORECASE),
        must_agree=frozenset(str(word) for word in data.get("must_agree") or ()),
        spelled={str(name): str(spellings[0] if spellings else name) for name, spellings in data["synonyms"].items()},
    )


def _prepare(title: str) -> str:
    """Lower case, "&" read as "and", punctuation that joins nothing dropped, synonyms applied."""
    text = title.lower().replace("&", " and ")
    text = re.sub(r"(?<!\d),|,(?!\d)", " ", text)  # "10,000" keeps its comma
    text = re.sub(r"[–—/:;()\[\]\"“”‘’'.?!*•]", " ", text)
    text = _NUMBER_WORD.sub(lambda m: str(NUMBER_WORDS[m.group(0)]), text)  # "three or more" (seed 003)
    vocabulary = _vocabulary()
    return vocabulary.pattern.sub(lambda m: vocabulary.canonical[" ".join(m.group(0).split())], text)


def _words(doc) -> Words:
    ignore = _vocabulary().ignore
    words: list[str] = []
    numbers: set[str] = set()
    for token in doc:
        if token.is_space or token.is_punct:
            continue
        text = token.lower_.strip("-–'’")
        if not text:
            continue
        digits = text.replace(",", "")
        if _NUMBER.match(digits):
            numbers.add(digits)
            continue
        if text in NUMBER_WORDS and NUMBER_WORDS[text] > 0:
            numbers.add(str(NUMBER_WORDS[text]))
            continue
        if token.is_stop and text not in _KEEP:
            continue
        lemma = (token.lemma_ or text).lower().strip("-")
        if lemma and lemma not in ignore:
            words.append(lemma)
    present = set(words) | numbers
    vocabulary = _vocabulary()
    marks = tuple(next((word for word in group if word in present), None) for group in vocabulary.groups)
    return Words(" ".join(words), frozenset(words), frozenset(numbers), marks, frozenset(present & vocabulary.must_agree))


def _nlp():
    from .prose import pipeline  # the project's rule-based pipeline, built once

    return pipeline()


def normalise_many(titles: Iterable[str]) -> list[Words]:
    """Each title as the linker compares it (spaCy runs once over all of them, in batches)."""
    prepared = [_prepare(title or "") for title in titles]
    nlp = _nlp()
    # Titles are one line each: the sentence components have nothing to do.
    with nlp.select_pipes(enable=["lemmatizer"]):
        return [_words(doc) for doc in nlp.pipe(prepared, batch_size=1000)]


def normalise(title: str) -> Words:
    """One title as the linker compares it."""
    return normalise_many([title])[0]


def similarity(a: Words, b: Words) -> float:
    """0-100: how alike two normalised titles are (rapidfuzz), less 10 when their numbers differ."""
    if not a.text or not b.text:
        return 0.0
    score = 0.6 * fuzz.token_set_ratio(a.text, b.text) + 0.4 * fuzz.token_sort_ratio(a.text, b.text)
    if a.numbers and b.numbers and not a.numbers & b.numbers:
        score -= 10
    return max(score, 0.0)


def _clash(a: Words, b: Words) -> tuple[str | None, int]:
    """Words that tell the two apart ("dental" vs "health"; a qualifier only one names), or
    how many distinguishing words one names and the other doesn't."""
    if a.qualifiers != b.qualifiers:
        spelled = _vocabulary().spelled
        return "'" + "', '".join(sorted(spelled.get(w, w) for w in a.qualifiers ^ b.qualifiers)) + "' named by one only", 0
    if a.marks == b.marks:
        return None, 0
    one_sided = 0
    for first, second in zip(a.marks, b.marks, strict=True):
        if first and second and first != second:
            return f"'{first}' vs '{second}'", one_sided
        if (first is None) != (second is None):
            one_sided += 1
    return None, one_sided


def _agree(left: str | None, right: str | None) -> bool:
    return left is None or right is None or left == right


@dataclass(frozen=True)
class _Name:
    """One name of a registry measure (its label or an alias), normalised."""

    measure: Measure
    name: str
    alias: bool
    words: Words


@dataclass(frozen=True)
class _Match:
    measure_id: str
    score: float
    method: str
    evidence: str


class _Index:
    """The registry's names, blocked by word: a title is scored only against names sharing a word."""

    def __init__(self, registry: Registry):
        names = [(m, m.label, False) for m in registry.measures]
        names += [(m, alias, True) for m in registry.measures for alias in registry.aliases.get(m.id, ())]
        normalised = normalise_many(name for _, name, _ in names)
        self.names = [_Name(m, name, alias, words) for (m, name, alias), words in zip(names, normalised, strict=True)]
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for number, name in enumerate(self.names):
            for word in name.words.words:
                self.by_word[word].append(number)

    def candidates(self, words: Words, unit: str | None) -> Iterable[_Name]:
        seen: set[int] = set()
        for word in words.words:
            for number in self.by_word.get(word, ()):
                if number not in seen:
                    seen.add(number)
                    name = self.names[number]
                    if _agree(unit, name.measure.unit):
                        yield name


def _best(ref: IndicatorRef, words: Words, index: _Index, rejected: set[str]) -> _Match | None:
    """The registry measure the title matches best, if any scores at least PENDING."""
    scores: dict[str, tuple[float, _Name, str]] = {}
    if _vocabulary().not_measures.search(ref.title or ""):
        return None
    for name in index.candidates(words, ref.unit):
        measure = name.measure
        if measure.id in rejected or not _agree(ref.polarity, measure.polarity):
            continue
        clash, one_sided = _clash(words, name.words)
        if clash:
            continue
        score = similarity(words, name.words) - 4 * one_sided
        notes = []
        if one_sided:
            named = [x or y for x, y in zip(words.marks, name.words.marks, strict=True) if (x is None) != (y is None)]
            notes.append("only one names " + ", ".join(f"'{word}'" for word in named))
        if ref.unit and measure.unit:
            notes.append(f"unit {ref.unit} agrees")
            score += 3
        if ref.polarity and measure.polarity:
            notes.append(f"polarity '{ref.polarity}' agrees")
            score += 2
        score = max(0.0, min(100.0, score))
        if measure.id not in scores or score > scores[measure.id][0]:
            scores[measure.id] = (score, name, "; ".join(notes))
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: -item[1][0])
    measure_id, (score, name, notes) = ranked[0]
    if score < PENDING:
        return None
    kind = "alias" if name.alias else "label"
    evidence = f"title '{ref.title}' ~ {kind} '{name.name}' ({score:.0f})"
    if notes:
        evidence += f"; {notes}"
    if len(ranked) > 1:
        runner, (second, _, _) = ranked[1]
        evidence += f"; next best {runner} ({second:.0f})"
        if score - second < AMBIGUOUS:
            score = min(score, AUTOMATIC - 1)  # too close to call: a person decides
            evidence += ", too close to call"
    return _Match(measure_id, round(score, 1), "synonym" if name.alias else "title", evidence)


def _continues(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether two series of values look like one measure: a value in common, or medians within 25%."""
    if not a or not b:
        return False
    if any(abs(x - y) < 0.05 for x in a for y in b):
        return True
    middle_a, middle_b = sorted(a)[len(a) // 2], sorted(b)[len(b) // 2]
    return abs(middle_a - middle_b) <= 0.25 * max(abs(middle_a), abs(middle_b), 1e-9)


def _same_code(a: str | None, b: str | None) -> bool:
    return bool(a and b and a.strip().lower() == b.strip().lower())


def _fits(words: Words, measure_id: str, registry_words: dict[str, list[Words]],
          known: dict[tuple[Words, str], bool]) -> bool:
    """Whether some name of the measure has no distinguishing word the title contradicts."""
    key = (words, measure_id)
    if key not in known:
        known[key] = any(not _clash(words, name)[0] for name in registry_words[measure_id])
    return known[key]


@dataclass
class _Series:
    """Confidently linked measures of one authority with one code, title and unit: one
    measure as the authority reports it over time, whatever paper it is in."""

    first: IndicatorRef  # named in the evidence
    words: Words
    measure_id: str
    values: list[float]


_SERIES_VALUES = 64  # enough to see values continue; keeps the comparison cheap
_POOL = 50  # series compared for a title that shares a word with them, at most


def _unqualified(words: Words) -> Words:
    """The title without its must_agree words ("... within 2 years" -> "...")."""
    if not words.qualifiers:
        return words
    text = " ".join(word for word in words.text.split() if word not in words.qualifiers)
    return Words(text, words.words - words.qualifiers, words.numbers, words.marks)


def _maybe_qualified(ref: IndicatorRef, words: Words, match: _Match, qualified: list[_Series]) -> _Match:
    """A confident link left for review when the same authority reports a measure that is this
    title plus a qualifier: seed 000's list (p13) names "A5 ... for a second or subsequent time"
    where its table (p7) prints "A09 ... within a 2 year period". The shorter title may be the
    same measure with its qualifier left off, or the national one: a person decides."""
    plain = _unqualified(words)
    for other in qualified:  # few: qualifiers are rare
        if not other.words.words & words.words or other.measure_id == match.measure_id or not other.words.qualifiers > words.qualifiers:
            continue
        if not _agree(ref.unit, other.first.unit) or similarity(plain, _unqualified(other.words)) < 90:
            continue
        spelled = _vocabulary().spelled
        named = "', '".join(sorted(spelled.get(word, word) for word in other.words.qualifiers - words.qualifiers))
        return _Match(
            match.measure_id, min(match.score, AUTOMATIC - 1), match.method,
            f"{match.evidence}; but {other.first.authority or 'the same authority'} also reports "
            f"{other.first.code or ''} '{other.first.title}' ({other.measure_id}, indicator "
            f"{other.first.indicator_id}), which adds '{named}': this title may leave it off".replace("  ", " "),
        )
    return match


def _history(
    refs: Sequence[IndicatorRef], words: Sequence[Words], matches: list[_Match | None],
    registry_words: dict[str, list[Words]], rejected: Sequence[set[str]],
) -> None:
    """Within each authority, give weakly linked measures the measure of a confidently linked
    one with the same code and a similar title, or a very similar title whose values continue.

    Blocked: a title is compared only with the authority's series that have its code or
    share its rarest word (at most ``_POOL`` of those), so the work grows with the number
    of titles, not its square.
    """
    fits: dict[tuple[Words, str], bool] = {}
    by_authority: dict[str | None, list[int]] = defaultdict(list)
    for number, ref in enumerate(refs):
        by_authority[ref.authority].append(number)
    for members in by_authority.values():
        series: dict[tuple, _Series] = {}
        for n in members:
            match = matches[n]
            if match is None or match.score < AUTOMATIC:
                continue
            ref = refs[n]
            key = ((ref.code or "").strip().lower(), words[n], ref.unit, match.measure_id)
            if key not in series:
                series[key] = _Series(ref, words[n], match.measure_id, [])
            room = _SERIES_VALUES - len(series[key].values)
            series[key].values.extend(ref.values[:room])
        by_code: dict[str, list[_Series]] = defaultdict(list)
        by_word: dict[str, list[_Series]] = defaultdict(list)
        qualified = [one for one in series.values() if one.words.qualifiers]
        for (code, *_), one in series.items():
            if code:
                by_code[code].append(one)
            for word in one.words.words:
                by_word[word].append(one)
        for n in members:
            current = matches[n]
            if current is not None and current.score >= AUTOMATIC:
                matches[n] = _maybe_qualified(refs[n], words[n], current, qualified)
                continue
            ref = refs[n]
            pool = list(by_code.get((ref.code or "").strip().lower(), ()))
            shared = [w for w in words[n].words if w in by_word]
            if shared:
                pool += by_word[min(shared, key=lambda w: len(by_word[w]))][:_POOL]
            best: tuple[float, _Series, str] | None = None
            for other in {id(one): one for one in pool}.values():
                if other.measure_id in rejected[n] or not _agree(ref.unit, other.first.unit):
                    continue
                if not _fits(words[n], other.measure_id, registry_words, fits):
                    continue  # the title names a word every name of that measure contradicts
                clash, one_sided = _clash(words[n], other.words)
                if clash:
                    continue
                # A distinguishing word only one title names ("Care Leavers in touch" vs
                # "Care Leavers EET") counts against them.
                title = similarity(words[n], other.words) - 8 * one_sided
                same_code = _same_code(ref.code, other.first.code)
                continues = _continues(ref.values, other.values)
                # Seed 000's B13 titles ("Care Leavers in Suitable Accommodation", "... in
                # Employment, Education and Training") share a code and two words: 66.
                if same_code and title >= 75:
                    score = min(100.0, title + 10 + (10 if continues else 0))
                elif title >= 80 and continues:
                    score = min(100.0, title + 10)
                else:
                    continue
                if best is None or score > best[0]:
                    why = [f"title {title:.0f}"]
                    if same_code:
                        why.append(f"same code {ref.code}")
                    elif other.first.code:
                        why.append(f"code {ref.code or '(none)'} here, {other.first.code} there")
                    if continues:
                        why.append("values continue")
                    best = (score, other, ", ".join(why))
            if best is None:
                continue
            score, other, why = best
            if current is not None and current.score >= score:
                continue
            source = other.first
            matches[n] = _Match(
                other.measure_id, round(score, 1), "code-history",
                f"same measure as {source.authority or 'the same authority'} "
                f"{source.code or ''} '{source.title}' (indicator {source.indicator_id}): {why}".replace("  ", " "),
            )


def _key(authority: str | None, code: str | None, title: str | None) -> tuple[str, str, str]:
    return (
        (authority or "").strip().casefold(),
        (code or "").strip().casefold(),
        " ".join((title or "").split()).casefold(),
    )


def link(
    refs: Sequence[IndicatorRef], registry: Registry, reviews: Sequence[MeasureReview] = ()
) -> list[MeasureLink]:
    """A link for every reported measure that matches a registry measure (or that a person
    reviewed), in the order of ``refs``. Measures that match nothing well enough get no link."""
    if not refs:
        return []  # nothing to link: don't load spaCy
    decisions: dict[tuple[str, str, str], list[MeasureReview]] = defaultdict(list)
    for review in reviews:
        decisions[_key(review.authority, review.code, review.title)].append(review)
    index = _Index(registry)
    registry_words: dict[str, list[Words]] = defaultdict(list)
    for name in index.names:
        registry_words[name.measure.id].append(name.words)
    unique = list(dict.fromkeys(ref.title or "" for ref in refs))
    normalised = dict(zip(unique, normalise_many(unique), strict=True))
    words = [normalised[ref.title or ""] for ref in refs]
    reviewed = [decisions.get(_key(ref.authority, ref.code, ref.title), []) for ref in refs]
    rejected = [{r.measure_id for r in rs if r.decision == "reject"} for rs in reviewed]
    # The same title, unit and polarity link the same way: score each combination once.
    best: dict[tuple, _Match | None] = {}
    matches = []
    for ref, w, no in zip(refs, words, rejected, strict=True):
        key = (ref.title, ref.unit, ref.polarity, frozenset(no))
        if key not in best:
            best[key] = _best(ref, w, index, no)
        matches.append(best[key])
    _history(refs, words, matches, registry_words, rejected)
    links = []
    for ref, match, reviews_of_ref, no in zip(refs, matches, reviewed, rejected, strict=True):
        confirmed = [r for r in reviews_of_ref if r.decision == "confirm" and r.measure_id not in no]
        if confirmed:
            review = confirmed[-1]
            was = f"; the linker had {match.measure_id} ({match.score:.0f})" if match else ""
            links.append(MeasureLink(
                ref.indicator_id, review.measure_id, "review", 100.0, "confirmed",
                f"confirmed in the review file{': ' + review.note if review.note else ''}{was}",
            ))
        elif match is not None:
            status = "automatic" if match.score >= AUTOMATIC else "pending"
            links.append(MeasureLink(ref.indicator_id, match.measure_id, match.method, match.score, status, match.evidence))
        elif no:
            review = next(r for r in reviews_of_ref if r.decision == "reject")
            links.append(MeasureLink(
                ref.indicator_id, review.measure_id, "review", 0.0, "rejected",
                f"rejected in the review file{': ' + review.note if review.note else ''}",
            ))
    return links
