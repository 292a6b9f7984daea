"""Follow-ups: requests read from real minutes, and whether each came back in a later paper.

Every expectation was read off the bundled documents (page numbers as the PDF reader counts them).
The one real request-and-return pair in the corpus: Kent Cabinet, 9 January 2025 (minutes, page 1,
item 4: "Cabinet Member updates were deferred to the next meeting of the Cabinet") and the agenda
front sheet of Kent Cabinet, 4 March 2025 (page 1: "4. Cabinet Member Updates"). Every other
request's return, if there was one, is in papers the corpus does not hold: those are outstanding,
or overdue where their date has passed.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace

import pytest
import sqlite_utils
from click.testing import CliRunner

from scrutiny.catalogue import Catalogue
from scrutiny.catalogue import followups as tables
from scrutiny.cli import cli
from scrutiny.extract.requests import due_date, listed_items, requests_in, sentences
from scrutiny.followups import RETURNS_COLUMNS, follow_up, load_return_reviews, returns_review_path
from scrutiny.records import Document, MinuteText
from scrutiny.registry import REVIEW_COLUMNS, load_reviews


def _requests(db_path) -> dict[str, dict]:
    with sqlite_utils.Database(db_path) as db:
        return {row["subject"]: row for row in db.query(
            "select q.*, r.title as return_title, r.committee as return_committee, r.meeting_date as return_date, "
            "r.status as return_status, r.kind as return_kind, r.evidence, r.page as return_page "
            "from requests q left join returns r on r.id = q.return_id")}  # fmt: skip


def _text(text: str, source: str = "resolution", **facts) -> MinuteText:
    defaults = {"source_id": 1, "document_id": 1, "authority": "Kent", "committee": "Corporate Parenting Panel",
                "meeting_date": "2024-10-29", "page": 7}  # fmt: skip
    return MinuteText(source=source, text=text, **{**defaults, **facts})


# --- Reading requests ----------------------------------------------------------------------


def test_a_resolution_asking_for_a_briefing_note_is_a_request_to_the_panel():
    # Doncaster seed 004, page 3: "RESOLVED that: ... (2) a briefing note detailing the actual number
    # of young people re-offending rather than percentage rates and indicators, be provided to the Panel."
    [request] = requests_in([_text(
        "a briefing note detailing the actual number of young people re-offending rather than percentage "
        "rates and indicators, be provided to the Panel.", authority="Doncaster", meeting_date=None)])
    assert request.kind == "briefing note"
    assert request.subject == ("a briefing note detailing the actual number of young people re-offending rather "
                               "than percentage rates and indicators")
    assert request.to == "the Panel" and request.due is None


def test_what_comes_back_is_the_clause_that_comes_back_not_the_whole_resolution():
    # Kent Corporate Parenting Panel, 29 October 2024, page 7 (item 9).
    [request] = requests_in([_text(
        "to note the report, the proposed Joint Working Protocol for Care Leavers, and that the governance and "
        "monitoring arrangements would be considered and bought back to a future meeting of the Panel.")])
    assert request.subject == "the governance and monitoring arrangements"
    assert (request.to, request.due, request.due_meeting) == ("the Panel", "to a future meeting of the Panel", "future")


def test_a_deferred_item_is_due_at_the_next_meeting_under_its_own_title():
    # Kent Cabinet, 9 January 2025, page 1: "79. Cabinet Member Updates (Item 4) Cabinet Member updates
    # were deferred to the next meeting of the Cabinet"; Kent County Council, 19 December 2024, page 8:
    # "279. Governance Working Party Update (Item 10) This item was deferred to the next appropriate
    # meeting of Full Council."
    cabinet, council = requests_in([
        _text("Cabinet Member updates were deferred to the next meeting of the Cabinet", "item",
              committee="Cabinet", meeting_date="2025-01-09", item_title="Cabinet Member Updates", agenda_item_id=1),
        _text("This item was deferred to the next appropriate meeting of Full Council.", "item", source_id=2,
              committee="County Council", meeting_date="2024-12-19", item_title="Governance Working Party Update",
              agenda_item_id=2),
    ])
    assert (cabinet.kind, cabinet.subject, cabinet.due_meeting) == ("deferred item", "Cabinet Member updates", "next")
    assert (council.subject, council.to, council.due_meeting) == (
        "Governance Working Party Update", "Full Council", "next appropriate")


def test_offers_to_members_name_who_offered_and_what():
    # Kent Corporate Parenting Panel, page 4: "... Ms Coombs offered to provide Members with further
    # details about the number of adoptions by age, outside of the meeting."; page 5: "A Member
    # questioned the impact of Outcome 22. Mr Read shared that ... and offered to come back to the
    # panel with the data in the future."
    coombs, read = requests_in([
        _text("Most children place for adoption were between 0 to 2 years of age, Ms Coombs offered to provide "
              "Members with further details about the number of adoptions by age, outside of the meeting.", "action"),
        _text("d. A Member questioned the impact of Outcome 22. Mr Read shared that it would take a full year of "
              "tracking before success levels could be determined and offered to come back to the panel with the "
              "data in the future.", "item", source_id=5, agenda_item_id=7),
    ])
    assert (coombs.owner, coombs.subject, coombs.to) == (
        "Ms Coombs", "further details about the number of adoptions by age", "Members")
    assert (read.owner, read.subject, read.to, read.due) == ("Mr Read", "the data", "the panel", "in the future")
    assert read.context == "A Member questioned the impact of Outcome 22."


def test_a_report_due_at_another_committee_on_a_date():
    # Kent Cabinet, 9 January 2025, page 4: "The Corporate Risk Register was due to be presented to the
    # Governance and Audit Committee on 23rd January 2025 and then through the Cabinet Committees
    # during the Spring cycle."
    [request] = requests_in([_text(
        "The Corporate Risk Register was due to be presented to the Governance and Audit Committee on 23rd "
        "January 2025 and then through the Cabinet Committees during the Spring cycle.", "item",
        committee="Cabinet", meeting_date="2025-01-09")])
    assert (request.subject, request.to, request.due_date) == (
        "The Corporate Risk Register", "the Governance and Audit Committee", "2025-01-23")


def test_what_goes_out_and_does_not_come_back_is_not_a_request():
    texts = [
        # Kent County Council, 19 December 2024, page 13 and page 15.
        "To request that the Leader of the Council writes to the Chancellor of the Exchequer and the Secretary "
        "of State for the Environment, Food and Rural Affairs to outline the Council's dismay at this decision.",
        "Delegates to the Monitoring Officer the submission of the response to the Consultation in "
        "consultation with the Leader of the Council.",
        # Kent Corporate Parenting Panel, page 9 and page 1.
        "A member stated that there was an ongoing issue with SEN officers not communicating well with foster "
        "carers. Ms Gleave offered to raise the matter with the appropriate service.",
        "The Chair agreed to write to group leaders to remind Members of their duty as a Corporate Parent.",
        # Merton Audit Committee, 24 September 2009, page 3: something reported at this meeting.
        "The comments of the Pension Fund Panel held on 21 September 2009 which were discussed at the joint "
        "session were formally reported to the Audit Committee.",
        # Kent County Council, 9 January 2025, page 3: an election, not an item of business.
        "Notes that acceptance onto the Devolution Priority Programme may lead to the County Council elections "
        "scheduled for May 2025 being postponed subject to ministerial decision",
    ]
    assert list(requests_in([_text(text, "item", source_id=n, agenda_item_id=n) for n, text in enumerate(texts)])) == []


def test_the_same_request_read_from_a_resolution_and_an_action_is_one_request():
    # Seed 004: the resolution's part (2) and the action the minutes reader made of it.
    text = ("a briefing note detailing the actual number of young people re-offending rather than percentage "
            "rates and indicators, be provided to the Panel.")
    found = list(requests_in([_text(text, "resolution", agenda_item_id=3), _text(text, "action", agenda_item_id=3)]))
    assert len(found) == 1 and found[0].source.source == "action"


@pytest.mark.parametrize(
    "due, asked, expected",
    [
        ("on 23rd January 2025", "2025-01-09", "2025-01-23"),
        ("in six months", "2024-10-29", "2025-04-29"),
        ("in 6 months' time", "2024-10-29", "2025-04-29"),
        ("by March 2025", "2025-01-09", "2025-03-31"),
        ("in March", "2025-01-09", "2025-03-31"),
        ("in March", "2025-06-01", "2026-03-31"),
        ("in 2025", "2024-10-29", "2025-12-31"),
        ("to a future meeting of the Panel", "2024-10-29", None),
        ("once it has all been received", "2025-02-13", None),
    ],
)
def test_due_dates_from_the_words(due, asked, expected):
    assert due_date(due, asked) == expected


def test_sentences_drop_paragraph_numbers_and_keep_titles_whole():
    assert sentences("4. A Member questioned the timeline. Joanne Carpenter offered to follow up with Members. 5.") == [
        "A Member questioned the timeline.", "Joanne Carpenter offered to follow up with Members."]
    assert sentences("Mr Read shared that Mr P Bartlett was elected.") == ["Mr Read shared that Mr P Bartlett was elected."]


def test_an_agenda_front_sheet_lists_its_items(corpus_pdf):
    # Kent Cabinet, 4 March 2025, agenda front sheet, page 1 (titles run over two lines).
    from scrutiny.extract import read_document
    from scrutiny.records import Page

    [page] = [p for p in read_document(corpus_pdf("kcc_cabinet_2025-03-04_agenda"), "pdf") if isinstance(p, Page)]
    assert listed_items(page.text) == [
        ("1", "Apologies"), ("2", "Declarations of Interest"), ("3", "Minutes of the Meeting held on 30 January 2025"),
        ("4", "Cabinet Member Updates"),
        ("5", "Late Changes to the 25-26 Budget and 25-2028 Medium Term Financial Plan"),
        ("6", "Quarterly Performance Report, Q3 2024-2025"),
        ("7", "Cabinet Reconsideration of Decision 24/00093 - Future of Commissioned Services at Seashells and "
              "Millmead Family Hubs"),
        ("8", "Home to School Transport - Presentation"),
    ]


# --- The build: requests, returns and statuses ---------------------------------------------


def test_the_build_finds_the_deferred_cabinet_item_back_on_a_later_agenda(built_catalogue):
    requests = _requests(built_catalogue)
    updates = requests["Cabinet Member updates"]
    assert (updates["authority"], updates["committee"], updates["meeting_date"], updates["page"]) == (
        "Kent", "Cabinet", "2025-01-09", 1)
    # Due at the next Cabinet meeting the catalogue holds (30 January 2025: the ICS papers).
    assert (updates["due_committee"], updates["due_date"]) == ("Cabinet", "2025-01-30")
    assert updates["status"] == "returned" and updates["returned_on"] == "2025-03-04"
    assert (updates["return_kind"], updates["return_title"], updates["return_committee"], updates["return_page"]) == (
        "listed item", "4. Cabinet Member Updates", "Cabinet", 1)
    assert updates["return_status"] == "automatic"
    assert "the same title" in updates["evidence"] and "after it was due" in updates["evidence"]


def test_requests_with_no_return_in_the_corpus_are_outstanding_or_overdue(built_catalogue):
    requests = _requests(built_catalogue)
    # Its date has passed and the corpus holds no Governance and Audit Committee papers.
    register = requests["The Corporate Risk Register"]
    assert (register["due_committee"], register["due_date"], register["status"], register["overdue_since"]) == (
        "Governance and Audit Committee", "2025-01-23", "overdue", "2025-01-24")
    assert register["return_id"] is None
    # "a future meeting of the Panel": no date to be late against, and no later Panel papers.
    governance = requests["the governance and monitoring arrangements"]
    assert (governance["committee"], governance["status"], governance["due_date"]) == (
        "Corporate Parenting Panel", "outstanding", None)
    # "the next appropriate meeting of Full Council": Kent's full council is its "County Council".
    deferred = requests["Governance Working Party Update"]
    assert (deferred["due_committee"], deferred["status"]) == ("County Council", "outstanding")
    # Asked at a meeting of unknown date (seed 004's manifest gives none): nothing can come after it.
    note = requests["a briefing note detailing the actual number of young people re-offending rather than "
                    "percentage rates and indicators"]
    assert (note["authority"], note["status"], note["return_id"]) == ("Doncaster", "outstanding", None)


def test_statuses_follow_the_day_without_relinking(catalogue_copy, tmp_path):
    review = tmp_path / "none.returns.csv"
    with Catalogue(catalogue_copy) as catalogue:
        before = follow_up(catalogue, review, today="2025-01-20")
        assert before.relinked == []  # the build linked them: nothing changed since
        register = catalogue.db.execute(
            "select status, overdue_since from requests where subject = 'The Corporate Risk Register'").fetchone()
        assert register == ("outstanding", None)
        after = follow_up(catalogue, review, today="2025-01-24")
        assert after.relinked == []
        register = catalogue.db.execute(
            "select status, overdue_since from requests where subject = 'The Corporate Risk Register'").fetchone()
        assert register == ("overdue", "2025-01-24")


def test_a_manifest_edit_of_a_meeting_relinks_only_its_authority(catalogue_copy, tmp_path):
    # The follow-up step reads the catalogue's change log, not every document: a committee
    # corrected in the manifest is logged against the document's authority, and only that
    # authority's requests are found again (the build before linked them all).
    review = tmp_path / "none.returns.csv"
    with Catalogue(catalogue_copy) as catalogue:
        row = next(catalogue.db.query(
            "select * from documents where authority = 'Doncaster' and kind = 'minutes' order by id limit 1"))
        document = Document(**{name: row[name] for name in (
            "path", "sha256", "format", "size", "page_count", "title", "authority", "committee",
            "meeting_date", "kind", "source_url")})
        assert follow_up(catalogue, review).relinked == []
        assert catalogue.update_facts(row["id"], replace(document, committee="Children and Young People Scrutiny Panel"))
        assert follow_up(catalogue, review).relinked == ["Doncaster"]
        assert follow_up(catalogue, review).relinked == []


def _review(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, RETURNS_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


_UPDATES = {"authority": "Kent", "committee": "Cabinet", "meeting_date": "2025-01-09",
            "request": "Cabinet Member updates were deferred to the next meeting of the Cabinet",
            "return_committee": "Cabinet", "return_date": "2025-03-04", "return_title": "4. Cabinet Member Updates"}  # fmt: skip


def test_a_rejected_return_is_not_taken_and_only_that_authority_is_relinked(catalogue_copy):
    review = returns_review_path(catalogue_copy)
    _review(review, [{**_UPDATES, "decision": "reject", "note": "a standing item, not the deferred one"}])
    with Catalogue(catalogue_copy) as catalogue:
        done = follow_up(catalogue, review)
    assert done.relinked == ["Kent"]
    updates = _requests(catalogue_copy)["Cabinet Member updates"]
    assert updates["return_id"] is None and updates["status"] == "overdue"  # due 2025-01-30


def test_a_confirmed_return_is_taken_whatever_its_score_and_bad_rows_are_problems(catalogue_copy, empty_folder):
    review = returns_review_path(catalogue_copy)
    _review(review, [
        # Kent County Council, 13 February 2025, page 14 (q), and Kent Cabinet's agenda of 4 March 2025,
        # item 5: a person may judge this the report the council was told of.
        {"authority": "Kent", "committee": "County Council", "meeting_date": "2025-02-13",
         "request": "To note the information on the impact of the County Council’s share of retained business "
                    "rates, business rate pool and business rate collection fund balances on the revenue budget will "
                    "be reported to Cabinet once it has all been received.",
         "return_committee": "Cabinet", "return_date": "2025-03-04",
         "return_title": "5. Late Changes to the 25-26 Budget and 25-2028 Medium Term Financial Plan",
         "decision": "confirm", "note": "the late changes report carries the final business rates"},
        {**_UPDATES, "decision": "maybe"},
    ])
    result = CliRunner().invoke(cli, ["build", str(empty_folder), "--db", str(catalogue_copy)])
    assert result.exit_code == 0, result.output
    rates = next(row for subject, row in _requests(catalogue_copy).items() if "business rates" in subject)
    assert (rates["status"], rates["return_status"], rates["returned_on"]) == ("returned", "confirmed", "2025-03-04")
    assert rates["evidence"] == "confirmed in the returns review file: the late changes report carries the final business rates"
    with sqlite_utils.Database(catalogue_copy) as db:
        [problem] = db.query("select error from problems where stage = 'review' and path like '%returns.csv'")
    assert "Line 3 of the returns review file was not used" in problem["error"]


def test_a_return_outside_the_papers_is_confirmed_as_written_and_a_misquoted_request_is_a_problem(
        catalogue_copy, empty_folder):
    # Kent Corporate Parenting Panel, 29 October 2024, page 4: "Ms Coombs offered to provide Members with
    # further details about the number of adoptions by age, outside of the meeting." Such details go to
    # members by email, never to a meeting: only a person can say they came back (the return below is a
    # person's record, not a paper).
    coombs = ("Most children place for adoption were between 0 to 2 years of age, Ms Coombs offered to provide "
              "Members with further details about the number of adoptions by age, outside of the meeting.")
    review = returns_review_path(catalogue_copy)
    _review(review, [
        {"authority": "Kent", "committee": "Corporate Parenting Panel", "meeting_date": "2024-10-29",
         "request": coombs, "return_committee": "", "return_date": "2024-11-12",
         "return_title": "Adoptions by age, emailed to Panel members", "decision": "confirm",
         "note": "sent by Democratic Services"},
        # The same request a day out: no request was asked then, so the decision can't be used.
        {"authority": "Kent", "committee": "Corporate Parenting Panel", "meeting_date": "2024-10-30",
         "request": coombs, "return_title": "Adoptions by age", "decision": "confirm"},
    ])
    result = CliRunner().invoke(cli, ["build", str(empty_folder), "--db", str(catalogue_copy)])
    assert result.exit_code == 0, result.output
    details = _requests(catalogue_copy)["further details about the number of adoptions by age"]
    assert (details["status"], details["returned_on"], details["return_status"], details["return_kind"]) == (
        "returned", "2024-11-12", "confirmed", "outside the catalogue")
    assert details["return_title"] == "Adoptions by age, emailed to Panel members"
    assert details["evidence"] == ("confirmed in the returns review file, outside the catalogue's papers: "
                                   "sent by Democratic Services")
    with sqlite_utils.Database(catalogue_copy) as db:
        [problem] = db.query("select error from problems where stage = 'review' and path like '%returns.csv'")
        [document_id] = db.execute("select document_id from returns where id = ?", [details["return_id"]]).fetchone()
    assert document_id is None
    assert "(Kent Corporate Parenting Panel 2024-10-30) was not used" in problem["error"]
    assert "holds no request with those words at that meeting" in problem["error"]
    listing = CliRunner().invoke(cli, ["followups", "--db", str(catalogue_copy), "--status", "returned"])
    assert ("came back: outside the catalogue 2024-11-12: Adoptions by age, emailed to Panel members "
            "(confirmed, 100)") in listing.output


@pytest.fixture
def empty_folder(tmp_path):
    folder = tmp_path / "nothing"
    folder.mkdir()
    return folder


def test_followups_command_lists_requests_as_a_review_file(built_catalogue, tmp_path, empty_folder):
    db_path = tmp_path / "catalogue.db"
    shutil.copy(built_catalogue, db_path)
    listing = CliRunner().invoke(cli, ["followups", "--db", str(db_path), "--committee", "cabinet"])
    assert listing.exit_code == 0, listing.output
    assert "returned" in listing.output and "Cabinet Member updates" in listing.output
    assert "overdue" in listing.output and "The Corporate Risk Register" in listing.output
    as_csv = CliRunner().invoke(cli, ["followups", "--db", str(db_path), "--status", "returned", "--csv"])
    rows = list(csv.DictReader(as_csv.output.splitlines()))
    assert [row["request"] for row in rows] == [_UPDATES["request"]]
    assert rows[0]["return_title"] == "4. Cabinet Member Updates" and rows[0]["decision"] == ""
    # Saved as the review file and edited, it is read by the next build.
    rows[0]["decision"] = "reject"
    _review(returns_review_path(db_path), [{k: rows[0][k] for k in RETURNS_COLUMNS}])
    result = CliRunner().invoke(cli, ["build", str(empty_folder), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert tables.status_counts(sqlite_utils.Database(db_path)).get("returned", 0) == 0


def test_a_review_file_without_its_columns_is_reported_and_none_of_it_used(tmp_path):
    # A links review file given where a returns review file belongs, and the other way round:
    # each names the columns it lacks and the first line it needs; no decision is taken.
    links = tmp_path / "c.review.csv"
    links.write_text(",".join(REVIEW_COLUMNS) + "\nKent,,Re-referrals,cp-re-referrals,confirm,\n", encoding="utf-8")
    returns = tmp_path / "c.returns.csv"
    _review(returns, [{**_UPDATES, "decision": "confirm"}])
    reviews, [problem] = load_return_reviews(links)
    assert reviews == [] and problem.stage == "review"
    assert "The returns review file has no request, return_title column" in problem.error
    assert ",".join(RETURNS_COLUMNS) in problem.error
    reviews, [problem] = load_reviews(returns, {"cp-re-referrals"})
    assert reviews == [] and "The review file has no measure_id, title column" in problem.error
    # Each read in its right place, the decision is taken.
    assert [r.decision for r in load_return_reviews(returns)[0]] == ["confirm"]
    assert [r.measure_id for r in load_reviews(links, {"cp-re-referrals"})[0]] == ["cp-re-referrals"]
