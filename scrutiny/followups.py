"""Follow-ups: every request of a meeting, and whether it came back (the build's last step).

Requests are read from the catalogue's minutes (``scrutiny.extract.requests``), their returns
found in the same authority's later papers and minutes (``scrutiny.nlp.returns``), and both
written to the ``requests`` and ``returns`` tables (``scrutiny.catalogue.followups``).

The work is done one authority at a time, and only for authorities whose documents, or whose
rows in the review file, changed since the last build (a request can only come back in its own
authority's papers); otherwise nothing is read and spaCy is not loaded. Every build brings each
request's status up to the day: one whose due date has passed becomes ``overdue``.

Decisions live in a review file beside the catalogue, ``<db name>.returns.csv``, keyed by the
asking meeting and the request's words as printed, and the return's meeting and title, so they
survive rebuilds: ``confirm`` takes that paper as the return whatever its score (or, when the
catalogue holds no such paper, takes the return as the person wrote it: a note emailed to
members), ``reject`` never takes it (the next best is used, if any). A decision about a request
the catalogue does not hold (its words or meeting mistyped, or read differently since) is
reported as a problem, never dropped in silence.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import changes, measures
from .catalogue import followups as tables
from .extract.requests import listed_items, receipt_sentences, requests_in
from .records import Problem, ReturnCandidate, ReturnReview
from .registry import DECISIONS, SYNONYMS, decision_rows, fingerprint

__all__ = ["RETURNS_COLUMNS", "FollowUps", "follow_up", "load_return_reviews", "returns_review_path"]

log = logging.getLogger(__name__)

#: The returns review file's columns; ``scrutiny followups --csv`` writes these (and more).
RETURNS_COLUMNS = [
    "authority", "committee", "meeting_date", "request", "return_committee", "return_date", "return_title",
    "decision", "note",
]
_HERE = Path(__file__).resolve().parent
#: What every authority's follow-ups are made with: a new version of one relinks them all.
_MADE_WITH = (
    _HERE / "data" / "followup_cues.yml", SYNONYMS, _HERE / "extract" / "requests.py",
    _HERE / "nlp" / "returns.py", _HERE / "nlp" / "linking.py",
)
#: The step's name in the catalogue's change log (scrutiny.catalogue.changes).
STEP = "followups"
_OPENING_CHARS = 600  # of a paper's first page: its title, summary or purpose
# A later resolution that can be a return receives or notes something: "the Panel note the
# Participation Team Update" (Kent Corporate Parenting Panel, page 2).
_RECEIVING = re.compile(r"\b(?:note|notes|noted|noting|receive|receives|received|welcome|welcomes|welcomed|endorse|"
                        r"endorses|endorsed|accept|accepts|accepted)\b", re.IGNORECASE)


@dataclass
class FollowUps:
    """What a build's follow-up step did: requests by status, the authorities relinked, problems."""

    counts: dict[str, int] = field(default_factory=dict)
    relinked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def returns_review_path(db_path: str | Path) -> Path:
    """Where a catalogue's returns review file lives: ``scrutiny.db`` -> ``scrutiny.returns.csv``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".returns.csv")


def load_return_reviews(path: str | Path) -> tuple[list[ReturnReview], list[Problem]]:
    """The decisions in a returns review file, and a problem for each row that can't be used.
    Rows with no decision (a listing, as ``scrutiny followups --csv`` writes it) are skipped."""
    reviews: list[ReturnReview] = []
    rows, problems = decision_rows(path, ("request", "return_title", "decision"), RETURNS_COLUMNS, "returns review file")
    for number, row, decision in rows:
        why = None
        if decision not in DECISIONS:
            why = f"the decision {decision!r} is neither confirm nor reject"
        elif not (row.get("request") or "").strip():
            why = "it has no request"
        elif not (row.get("return_title") or "").strip():
            why = "it names no return (return_title)"
        if why:
            problems.append(Problem(str(path), "review", (
                f"Line {number} of the returns review file was not used: {why}. Correct it and build again.")))
            continue
        reviews.append(ReturnReview(
            authority=(row.get("authority") or "").strip() or None,
            committee=(row.get("committee") or "").strip() or None,
            meeting_date=(row.get("meeting_date") or "").strip() or None,
            request=" ".join((row.get("request") or "").split()),
            return_committee=(row.get("return_committee") or "").strip() or None,
            return_date=(row.get("return_date") or "").strip() or None,
            return_title=" ".join((row.get("return_title") or "").split()),
            decision=DECISIONS[decision],
            note=(row.get("note") or "").strip() or None,
        ))
    return reviews, problems


def candidates(rows: dict[str, list[dict]], authority: str) -> list[ReturnCandidate]:
    """What may answer an authority's requests: every dated agenda item (and the sentences of its
    minutes that say something was received or circulated), resolution, paper (its title and its
    opening) and item listed on an agenda front sheet."""
    found: list[ReturnCandidate] = []
    for row in rows["items"]:
        if row["title"]:
            found.append(ReturnCandidate("agenda item", row["id"], row["document_id"], authority, row["committee"],
                                         row["meeting_date"], row["page"], " ".join(row["title"].split())))  # fmt: skip
        for sentence in receipt_sentences(row["text"] or ""):
            found.append(ReturnCandidate("minute", row["id"], row["document_id"], authority, row["committee"],
                                         row["meeting_date"], row["page"], sentence))  # fmt: skip
    for row in rows["resolutions"]:
        if not _RECEIVING.search(row["text"]):
            continue  # "To delegate authority to ...": a decision, not a return
        found.append(ReturnCandidate("resolution", row["id"], row["document_id"], authority, row["committee"],
                                     row["meeting_date"], row["page"], " ".join(row["text"].split())))  # fmt: skip
    for row in rows["papers"]:
        if row["title"]:
            found.append(ReturnCandidate("paper", row["id"], row["id"], authority, row["committee"],
                                         row["meeting_date"], 1, " ".join(row["title"].split())))  # fmt: skip
        opening = _opening(row["opening"] or "")
        if opening:
            found.append(ReturnCandidate("paper opening", row["id"], row["id"], authority, row["committee"],
                                         row["meeting_date"], row["page"] or 1, opening))  # fmt: skip
    for row in rows["agendas"]:
        for number, title in listed_items(row["text"] or ""):
            label = f"{number}. {title}" if number else title
            found.append(ReturnCandidate("listed item", row["id"], row["id"], authority, row["committee"],
                                         row["meeting_date"], row["page"], label))  # fmt: skip
    return found


# A cover sheet's fields that say who and when, not what about: "From: Roger Gough – Leader of the
# Council", "To: Cabinet – 4 March 2025", "Decision No: n/a", "Classification: Unrestricted" (Kent
# Cabinet, 4 March 2025, QPR cover report, page 1). "Subject:" and "Summary:" are kept.
_HEADER_FIELD = re.compile(r"^(?!(?:Subject|Summary|Purpose|Title)\b)[A-Z][\w /()-]{0,30}:\s")


def _opening(text: str) -> str:
    """The start of a paper's first page, without its cover fields: what the paper is about."""
    kept, skipping = [], False
    for line in text.splitlines():
        if _HEADER_FIELD.match(line):
            skipping = True  # a field's value may run on to the next line
            continue
        if skipping and line[:1].islower():
            continue
        skipping = False
        kept.append(line)
    return " ".join(" ".join(kept).split())[:_OPENING_CHARS]


def _review_digests(reviews: list[ReturnReview]) -> dict[str, str]:
    digests: dict[str, hashlib._Hash] = defaultdict(hashlib.sha256)
    for review in reviews:
        digests[(review.authority or "").casefold()].update(repr(review).encode())
    return {authority: digest.hexdigest() for authority, digest in digests.items()}


def _unmatched(db, reviews: list[ReturnReview], review_path: str | Path) -> list[Problem]:
    """A problem for each decision whose request the catalogue does not hold, so that a person's
    decision is never lost in silence."""
    if not reviews:
        return []
    from .nlp.returns import review_key

    held = {review_key(*row) for row in db.execute("select authority, committee, meeting_date, text from requests")}
    problems = []
    for review in reviews:
        if review_key(review.authority, review.committee, review.meeting_date, review.request) in held:
            continue
        asked = " ".join(part for part in (review.authority, review.committee, review.meeting_date) if part)
        problems.append(Problem(str(review_path), "review", (
            f"The returns review file's {review.decision} of the request {review.request[:80]!r} ({asked or 'no meeting'}) "
            "was not used: the catalogue holds no request with those words at that meeting. Copy the request's "
            "authority, committee, meeting_date and words from `scrutiny followups --csv` and build again.")))
    return problems


def follow_up(catalogue, review_path: str | Path, today: str | None = None) -> FollowUps:
    """Find requests and their returns for every authority whose papers or review rows changed;
    bring every request's status up to ``today`` (default: today's date). ``catalogue`` is the
    build's open ``scrutiny.catalogue.Catalogue``."""
    db = catalogue.db
    today = today or datetime.date.today().isoformat()
    tables.create(db)
    result = FollowUps()
    reviews, problems = load_return_reviews(review_path)
    by_authority: dict[str, list[ReturnReview]] = defaultdict(list)
    for review in reviews:
        by_authority[(review.authority or "").casefold()].append(review)
    reviewed = _review_digests(reviews)
    made_with = fingerprint(*_MADE_WITH)
    # What changed since the step last ran: the catalogue's change log names the authorities
    # whose documents were written (scrutiny.catalogue.changes), so the step costs what changed,
    # not a pass over every document; the inputs table keeps the review decisions it used.
    logged = changes.since(db, STEP)
    upto = logged.upto if logged is not None else changes.latest(db)
    inputs = {"made with": made_with, **{f"review:{name}": digest for name, digest in reviewed.items()}}
    before = tables.followup_inputs(db)
    if logged is None or before.get("made with") != made_with:
        changed = {a for a in measures.authorities(db) if a} | set(tables.followed_authorities(db))
    else:
        changed = {authority for authority in logged.authorities if authority}
        names = {key for key in {*before, *inputs} if key.startswith("review:") and before.get(key) != inputs.get(key)}
        if names:  # a person's decisions changed: the authorities they name are linked again
            folded = {name.split(":", 1)[1] for name in names}
            changed |= {a for a in measures.authorities(db) if a and a.casefold() in folded}
    gone = sorted(a for a in changed if not tables.holds_documents(db, a))
    if gone:
        tables.forget_authorities(db, gone)
    changed = sorted(set(changed) - set(gone))
    if changed:
        from .nlp.returns import due_for, link_returns  # spaCy loads only when there is linking to do

        for authority in changed:
            requests = list(requests_in(tables.minute_texts(db, authority)))
            calendar = tables.calendar(db, authority)
            found = candidates(tables.paper_rows(db, authority), authority)
            returns = link_returns(requests, found, calendar, by_authority.get(authority.casefold(), []))
            dues = [due_for(request, calendar) for request in requests]
            tables.replace_followups(db, authority, requests, [(d.committee, d.date) for d in dues], returns, today)
            log.info("%s: %d requests, %d with a return", authority, len(requests), len(returns))
        result.relinked = changed
    tables.refresh_statuses(db, today)
    tables.save_followup_inputs(db, inputs)
    if logged is None or logged:  # nothing logged since the mark: the mark stands (no write)
        changes.mark(db, STEP, upto)
    problems += _unmatched(db, reviews, review_path)
    catalogue.replace_problems("review", [str(review_path)], problems)
    result.problems.extend(problems)
    result.counts = tables.status_counts(db)
    return result
