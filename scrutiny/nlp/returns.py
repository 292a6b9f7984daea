"""Did it come back? The later paper, agenda item or minute that answers each request.

A request ("a briefing note detailing the actual number of young people re-offending ... be
provided to the Panel") is compared with what the same authority's later meetings hold (any
committee: a panel may ask Cabinet): agenda items of later minutes and agenda front sheets,
the titles and openings of later papers, later resolutions, and sentences of later minutes
that say something was received, circulated or noted ("the briefing note had been circulated").

Words are compared as the measure linker compares titles (``scrutiny.nlp.linking``: the
registry's synonyms, then spaCy lookup lemmas, stop words out), weighted by how rare each word
is among the authority's papers, so "re-offending" counts for more than "report"; rapidfuzz
catches a title that comes back word for word ("Cabinet Member Updates", deferred). The
committee it was to come back to and the time it was due add to the score; lateness takes
away. Candidates are blocked by shared rare words, so the work grows with the number of
requests and papers, not their product.

Each return keeps its evidence in words, as measure links do, and a status: ``automatic``
(score at or above ``AUTOMATIC``), ``pending`` (a person should look: a weaker match, or two
too close to call), or a person's ``confirmed``/``rejected`` from the returns review file.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from ..records import Request, RequestReturn, ReturnCandidate, ReturnReview
from ..vocab import vocabulary
from .linking import Words, normalise_many

__all__ = ["AUTOMATIC", "OUTSIDE", "PENDING", "Due", "due_for", "link_returns", "review_key"]

#: A return scored at or above this is taken as the return ("automatic").
AUTOMATIC = 70.0
#: At or above this (and below AUTOMATIC) it is offered for review ("pending"); below: none.
PENDING = 50.0
#: Two candidates closer than this are too close to call: the best is pending.
AMBIGUOUS = 4.0
#: The kind of a confirmed return that names no paper or item the catalogue holds.
OUTSIDE = "outside the catalogue"
#: Candidates scored in full per request: the best by shared rare words.
_SHORTLIST = 40
#: A word in more than this share of the authority's candidates is too common to find them by.
_COMMON = 0.2

# Words that say what kind of thing comes back, not what about: they count, but little.
_GENERIC = frozenset(
    "report update information detail data note briefing paper document member panel committee meeting "
    "council item future next provide circulate present bring back".split()
)


@dataclass(frozen=True)
class Due:
    """Where and when a request was due back: the committee (the catalogue's name for it, or as
    the minutes wrote it), the date, and what the date is ("the next meeting, 2025-01-30")."""

    committee: str | None
    date: str | None
    why: str | None


def _committee_of(request: Request, committees: Sequence[str]) -> str | None:
    """The committee a request comes back to, as the catalogue names it: "the Panel" is the asking
    panel, "Full Council" Kent's "County Council", "Cabinet" Cabinet; else the name as written."""
    asked = request.source.committee
    to = (request.to or "").strip()
    cues = vocabulary("followup_cues")
    here = {str(word).lower() for word in cues["this_meeting"]}
    if not to or to.lower() in here or to.lower() in ("members", "the members"):
        return asked
    bare = re.sub(r"^(?:the|this)\s+", "", to, flags=re.IGNORECASE)
    if asked and bare.lower() == asked.lower():
        return asked
    if to.lower() in {str(word).lower() for word in cues["full_council"]}:
        councils = [name for name in committees if re.search(r"\bcouncil$", name, re.IGNORECASE)]
        return sorted(councils, key=len)[0] if councils else bare
    exact = [name for name in committees if name.lower() == bare.lower()]
    if exact:
        return exact[0]
    best = process.extractOne(bare, committees, scorer=fuzz.WRatio, score_cutoff=90) if committees else None
    return best[0] if best else bare


def due_for(request: Request, calendar: dict[str, list[str]]) -> Due:
    """The committee and date a request was due back. "The next meeting" is the first meeting of
    that committee after the asking one that the catalogue holds (unknown if it holds none)."""
    committee = _committee_of(request, sorted(calendar))
    if request.due_date:
        return Due(committee, request.due_date, request.due)
    asked = request.source.meeting_date
    if request.due_meeting == "next" and asked:
        later = [day for day in calendar.get(committee or "", []) if day > asked]
        if later:
            return Due(committee, later[0], f"the next meeting of {committee}, {later[0]}")
    return Due(committee, None, None)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def review_key(authority: str | None, committee: str | None, meeting_date: str | None, text: str) -> tuple:
    """How a request is named in the returns review file: its meeting and its words as printed."""
    return (_norm(authority), _norm(committee), (meeting_date or "").strip(), _norm(text))


def _candidate_key(committee: str | None, meeting_date: str | None, title: str) -> tuple:
    return (_norm(committee), (meeting_date or "").strip(), _norm(title))


@dataclass
class _Scored:
    candidate: int
    score: float
    evidence: str


def _months(later: str, earlier: str) -> float:
    a, b = date.fromisoformat(later[:10]), date.fromisoformat(earlier[:10])
    return (a - b).days / 30.4


# Words that say a question was asked, not what about ("A Member questioned the impact of Outcome 22").
_ASKING = frozenset("question ask query enquire seek raise response respond member".split())


def _weights(request: Request, words: dict[str, Words]) -> dict[str, float]:
    """The request's words and how much each says about what is asked: its subject in full, the
    question it answers at half weight, generic words at a quarter. The agenda item's title helps
    a vague subject ("the data", "the results") and little else: at half weight when the subject
    names fewer than three words, else a fifth (an item's title may be the minutes' last heading,
    not the subject's: Merton's joint-session notes follow "Work programme")."""
    subject = words[request.subject or ""].words
    weights: dict[str, float] = {}
    item = 0.5 if len(subject - _GENERIC) < 3 else 0.2
    for text, weight in ((request.subject, 1.0), (request.context, 0.5), (request.source.item_title, item)):
        for word in words[text or ""].words:
            if len(word) < 2 or (text is request.context and word in _ASKING):
                continue  # "s" of "Council's"
            weights[word] = max(weights.get(word, 0.0), weight * (0.25 if word in _GENERIC else 1.0))
    return weights


def _score(
    request: Request, weights: dict[str, float], candidate: ReturnCandidate, found: Words,
    idf: dict[str, float], due: Due, subject: Words, calendar: dict[str, list[str]],
) -> _Scored | None:
    shared = [word for word in weights if word in found.words]
    if not shared:
        return None
    asked_total = sum(weights[w] * idf.get(w, 1.0) for w in weights) or 1.0
    asked_share = sum(weights[w] * idf.get(w, 1.0) for w in shared) / asked_total
    title_total = sum(idf.get(w, 1.0) * (0.25 if w in _GENERIC else 1.0) for w in found.words) or 1.0
    title_share = sum(idf.get(w, 1.0) * (0.25 if w in _GENERIC else 1.0) for w in shared) / title_total
    sentence = candidate.kind in ("resolution", "minute", "paper opening")
    if sentence:  # a sentence says more than the request asks: how much of the request it covers
        score = 100 * (0.85 * asked_share + 0.15 * title_share)
    else:  # a title should be about the request and little else: both shares count (their harmonic mean)
        score = 100 * 2 * asked_share * title_share / (asked_share + title_share)
    notes = [f"words in common: {', '.join(sorted(shared, key=lambda w: -idf.get(w, 1.0)))}"]
    if sentence and len([w for w in shared if w not in _GENERIC]) < 2:
        # A long sentence that shares one telling word with the request is no evidence: "the Cabinet
        # Member for Finance" in a delegation is not the "Cabinet Member updates" deferred.
        return None
    same = fuzz.token_sort_ratio(subject.text, found.text) if subject.text and found.text else 0
    if same >= 90 and not sentence:
        score = max(score, float(same))
        notes.append(f"the same title ({same:.0f})")
    # Where and when it was to come back.
    if due.committee and candidate.committee and candidate.committee.lower() == due.committee.lower():
        score += 10
        notes.append(f"at {candidate.committee}, which it was to come back to")
    asked = request.source.meeting_date or ""
    due_here = bool(due.committee and candidate.committee and candidate.committee.lower() == due.committee.lower())
    later = [day for day in calendar.get(candidate.committee or "", []) if day > asked] if due_here else []
    if due.date and candidate.meeting_date > due.date:
        late = _months(candidate.meeting_date, due.date)
        score -= min(10.0, late)
        notes.append(f"{late:.0f} month{'s' if round(late) != 1 else ''} after it was due ({due.why or due.date})")
    elif later and candidate.meeting_date == later[0]:
        score += 5
        notes.append(f"the first meeting of {candidate.committee} after it was asked")
    else:
        waited = _months(candidate.meeting_date, asked)
        if waited > 3:
            score -= min(8.0, (waited - 3) / 3)
    return _Scored(-1, max(0.0, min(100.0, score)), "; ".join(notes))


def _describe(candidate: ReturnCandidate) -> str:
    where = f"{candidate.committee or 'a meeting'}, {candidate.meeting_date}"
    page = f", page {candidate.page}" if candidate.page else ""
    return f"{candidate.kind} '{candidate.title}' ({where}{page})"


def link_returns(
    requests: Sequence[Request],
    candidates: Sequence[ReturnCandidate],
    calendar: dict[str, list[str]],
    reviews: Sequence[ReturnReview] = (),
) -> list[RequestReturn]:
    """The return of each request that has one, best first per request, in request order.

    ``candidates`` are the authority's papers and minutes (any date: only those after a
    request's meeting are compared with it); ``calendar`` each committee's meeting dates.
    A request asked at an undated meeting is not linked: nothing can be said to come after it.
    """
    if not requests:
        return []
    texts = list(dict.fromkeys(
        [c.title for c in candidates]
        + [t or "" for r in requests for t in (r.subject, r.context, r.source.item_title)]
    ))
    words = dict(zip(texts, normalise_many(texts), strict=True))
    words.setdefault("", Words("", frozenset(), frozenset()))
    # How rare each word is among the candidates (inverse document frequency).
    frequency: dict[str, int] = defaultdict(int)
    postings: dict[str, list[int]] = defaultdict(list)
    for number, candidate in enumerate(candidates):
        for word in words[candidate.title].words:
            frequency[word] += 1
            postings[word].append(number)
    total = max(len(candidates), 1)
    idf = {word: math.log(1 + total / count) for word, count in frequency.items()}
    decisions: dict[tuple, list[ReturnReview]] = defaultdict(list)
    for review in reviews:
        decisions[review_key(review.authority, review.committee, review.meeting_date, review.request)].append(review)
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for number, candidate in enumerate(candidates):
        by_key[_candidate_key(candidate.committee, candidate.meeting_date, candidate.title)].append(number)
    links: list[RequestReturn] = []
    for index, request in enumerate(requests):
        source = request.source
        asked = source.meeting_date
        reviewed = decisions.get(review_key(source.authority, source.committee, asked, request.text), [])
        rejected = {_candidate_key(r.return_committee, r.return_date, r.return_title)
                    for r in reviewed if r.decision == "reject"}  # fmt: skip
        confirmed = [r for r in reviewed if r.decision == "confirm"]
        if confirmed:
            review = confirmed[-1]
            matches = by_key.get(_candidate_key(review.return_committee, review.return_date, review.return_title), [])
            note = f": {review.note}" if review.note else ""
            if matches:
                candidate = candidates[matches[0]]
                links.append(RequestReturn(index, candidate, 100.0, "review", "confirmed",
                                           f"confirmed in the returns review file{note}"))
            else:
                # What a person knows came back where no paper of the catalogue shows it: the further
                # details Ms Coombs "offered to provide Members with" go out by email, not to a meeting
                # (Kent Corporate Parenting Panel, 29 October 2024, page 4). Taken as the person wrote it.
                candidate = ReturnCandidate(
                    OUTSIDE, None, None, source.authority, review.return_committee, review.return_date or None,
                    None, review.return_title)
                links.append(RequestReturn(index, candidate, 100.0, "review", "confirmed",
                                           f"confirmed in the returns review file, outside the catalogue's papers{note}"))
            continue
        if not asked:
            continue
        due = due_for(request, calendar)
        weights = _weights(request, words)
        # Blocking: candidates after the meeting sharing a word that is not common, best first.
        reach: dict[int, float] = defaultdict(float)
        for word, weight in weights.items():
            posting = postings.get(word, ())
            if len(posting) > _COMMON * total and len(weights) > 1:
                continue
            for number in posting:
                if candidates[number].meeting_date > asked:
                    reach[number] += weight * idf[word]
        shortlist = sorted(reach, key=lambda n: -reach[n])[:_SHORTLIST]
        scored: list[_Scored] = []
        for number in shortlist:
            candidate = candidates[number]
            if _candidate_key(candidate.committee, candidate.meeting_date, candidate.title) in rejected:
                continue
            result = _score(request, weights, candidate, words[candidate.title], idf, due,
                            words[request.subject or ""], calendar)
            if result is not None:
                result.candidate = number
                scored.append(result)
        scored.sort(key=lambda s: (-s.score, candidates[s.candidate].meeting_date))
        if not scored or scored[0].score < PENDING:
            continue
        best = scored[0]
        candidate = candidates[best.candidate]
        score, evidence = best.score, f"{_describe(candidate)}: {best.evidence}"
        runner = next((s for s in scored[1:] if candidates[s.candidate].title != candidate.title
                       or candidates[s.candidate].meeting_date != candidate.meeting_date), None)  # fmt: skip
        if runner is not None:
            evidence += f"; next best {_describe(candidates[runner.candidate])} ({runner.score:.0f})"
            if score - runner.score < AMBIGUOUS:
                score = min(score, AUTOMATIC - 1)
                evidence += ", too close to call"
        method = "minute" if candidate.kind in ("resolution", "minute") else "title"
        status = "automatic" if score >= AUTOMATIC else "pending"
        links.append(RequestReturn(index, candidate, round(score, 1), method, status, evidence))
    return links
