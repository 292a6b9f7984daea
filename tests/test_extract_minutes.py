"""Minutes: agenda items, resolutions and actions from real minutes (PDF, ModernGov HTML, text).

Expected values were read off the documents (pages named in the comments): the PDFs' text was
dumped with pdfplumber and read through; every RESOLVED in them was counted by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS, REPO

from scrutiny.corpus import discover
from scrutiny.extract import read_document
from scrutiny.extract.minutes import looks_like_minutes, minute_records
from scrutiny.pipeline import analyse
from scrutiny.records import Action, AgendaItem, Document, Resolution, SourceFile

SEED_004_TEXT = REPO / "tests" / "fixtures" / "seeds" / "004_4b7e043a54d74d09.txt"
MODERNGOV_HTML = REPO / "tests" / "fixtures" / "moderngov" / "minutes_doncaster_7572.html"
KENT_CPP = "kcc_corporate_parenting_panel_2024-10-29_minutes.pdf"
KENT_CABINET = "kcc_cabinet_2025-01-09_minutes.pdf"

SEED_004_RESOLUTIONS = [
    ("1", "the focus of joint improvement work for Quarter 1, be noted"),
    (
        "2",
        ("a briefing note detailing the actual number of young people re-offending rather than "
        "percentage rates and indicators, be provided to the Panel."),
    ),
]


def real(name: str) -> Path:
    """A real PDF bundled in corpus/real."""
    return CORPUS / "real" / name


def analysed(path: Path):
    """What a build extracts from one file: the real pipeline, minus the catalogue."""
    source = next(item for item in discover([path]) if isinstance(item, SourceFile))
    analysis = analyse(source)
    assert analysis.failure is None and not analysis.problems, analysis.problems
    return analysis


def of_type(analysis, kind):
    return [r for r in analysis.records if isinstance(r, kind)]


def from_text(tmp_path: Path, text: str, name: str = "minutes.txt"):
    """Records from a plain-text file holding ``text``."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return analysed(path)


def squash(text: str) -> str:
    return " ".join(text.split())


# --- Seed 004: a ModernGov agenda-item page (Doncaster) ----------------------------------------


@pytest.mark.parametrize("path", [SEED_004_TEXT, CORPUS / "pdf" / "004_4b7e043a54d74d09.pdf"])
def test_seed_004_resolutions_with_their_numbers_and_text(path):
    analysis = analysed(path)
    resolutions = of_type(analysis, Resolution)
    assert [(r.number, r.text) for r in resolutions] == SEED_004_RESOLUTIONS
    # The PDF prints "RESOLVED that:" and both parts on page 3; the text file is one page.
    assert {r.page for r in resolutions} == ({3} if path.suffix == ".pdf" else {1})
    assert all(r.marker == "RESOLVED" and r.block.startswith("RESOLVED that: (1) the focus") for r in resolutions)
    assert "re-offending" in resolutions[1].topics


def test_seed_004_is_one_agenda_item_with_its_title_and_report():
    analysis = analysed(SEED_004_TEXT)
    (item,) = of_type(analysis, AgendaItem)
    assert item.title == "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18"
    assert item.reports.startswith("The Panel gave consideration to a report relating to the operational")
    assert item.text.startswith("The Panel gave consideration")
    assert "Supporting documents" not in item.text and item.text.endswith("be provided to the Panel.")
    for topic in ("re-referrals", "re-offending", "case file audits"):
        assert topic in item.topics


def test_seed_004_briefing_note_is_an_action_of_resolution_2():
    actions = of_type(analysed(SEED_004_TEXT), Action)
    asked = [a for a in actions if a.resolution]
    assert [(a.resolution, a.text) for a in asked] == [("R1.2", SEED_004_RESOLUTIONS[1][1])]


# --- Kent Corporate Parenting Panel, 29 October 2024 (9 pages) ---------------------------------

# Every RESOLVED in the minutes, read page by page: (page, item number, text without "that").
KENT_CPP_RESOLUTIONS = [
    (1, "2", "Mr P Bartlett be duly elected Vice Chair of the Corporate Parenting Panel."),
    (1, "3", "the minutes of the meeting held on 30 July 2024 were a correct record of the meeting."),
    (2, "4", "the Panel note the Participation Team Update."),
    (3, "5", "the Panel note and make comment."),
    (4, "6", "the Panel note the Regional Adoption Agency Annual Report 2023/2024."),
    (5, "7", "the Panel note the Youth Justice Annual Report."),
    (6, "8", "the Panel note the Performance Score Card."),
    (
        7,
        "9",
        ("to note the report, the proposed Joint Working Protocol for Care Leavers, and that the governance "
        "and monitoring arrangements would be considered and bought back to a future meeting of the Panel."),
    ),
    (8, "10", "to endorse the Sufficiency Strategy 2022-2027."),
    (9, "11", "the Panel note the work of the Virtual School and Kent SEN in supporting its young people."),
    (9, "12", "the work programme was noted."),
]


def test_every_resolved_in_the_kent_corporate_parenting_panel_minutes():
    analysis = analysed(real(KENT_CPP))
    resolutions = of_type(analysis, Resolution)
    items = {item.key: item for item in of_type(analysis, AgendaItem)}
    found = [(r.page, items[r.item].number, r.text) for r in resolutions]
    assert found == KENT_CPP_RESOLUTIONS
    assert all(r.number is None for r in resolutions)  # "5. RESOLVED" is the minute's paragraph 5
    # The count read by hand agrees with the word in the text (each RESOLVED is one decision here).
    printed = sum(page.text.count("RESOLVED") for page in analysis.pages)
    assert printed == len(KENT_CPP_RESOLUTIONS) == 11
    assert [r.marker for r in resolutions] == ["RESOLVED"] * 11


def test_kent_corporate_parenting_panel_agenda_items():
    items = of_type(analysed(real(KENT_CPP)), AgendaItem)
    assert [i.number for i in items] == [str(n) for n in range(1, 13)]
    titles = {i.number: i.title for i in items}
    assert titles["1"] == "Apologies and Substitutes"
    # Wrapped over two lines, page 3
    assert titles["6"] == "Adoption Partnership South East, Regional Adoption Agency Annual Report 2023/2024"
    # Title at the foot of page 6, "(Item 9)" at the top of page 7
    assert titles["9"] == "The Joint Housing Protocol for Care Leavers"
    assert [i.page for i in items if i.number == "9"] == [6]
    assert titles["12"] == "Work programme"
    reports = {i.number: i.reports for i in items}
    assert reports["4"] == "Joanne Carpenter, Participation and Engagement Manager, introduced the report."


def test_kent_corporate_parenting_panel_actions_asked_and_offered():
    actions = of_type(analysed(real(KENT_CPP)), Action)
    offered = {(a.page, a.owner) for a in actions if a.resolution is None}
    # Read off the pages: who offered or agreed to do what.
    assert {
        (1, "The Chair"),  # "The Chair agreed to write to group leaders ..."
        (2, "Joanne Carpenter"),  # "... offered to follow up with Members when the results become available."
        (3, "Mrs Chandler"),  # "... offered to circulate links to the Council's website ..."
        (4, "Ms Coombs"),  # "... offered to provide Members with further details ..."
        (5, "Mr Read"),  # "... offered to come back to the panel with the data in the future."
        (9, "Ms Gleave"),  # "... offered to raise the matter with the appropriate service."
    } <= offered
    follow_up = next(a for a in actions if a.owner == "Joanne Carpenter")
    assert follow_up.due == "when the results become available"
    chair = next(a for a in actions if a.owner == "The Chair")
    assert chair.what.startswith("write to group leaders to remind Members of their duty as a Corporate Parent")
    (in_resolution,) = [a for a in actions if a.resolution]
    assert in_resolution.page == 7 and in_resolution.due == "to a future meeting of the Panel"


# --- Kent Cabinet, 9 January 2025 ---------------------------------------------------------------


def test_kent_cabinet_officers_commitment_is_an_action():
    actions = of_type(analysed(real(KENT_CABINET)), Action)
    # Page 5: "it was confirmed that officers would, subject to the outcome of the decision taken by
    # Cabinet, create a programme of work with services and individuals to assess the risks ..."
    (officers,) = [a for a in actions if a.owner == "officers"]
    assert officers.page == 5 and "create a programme of work" in officers.text
    # Page 4: "The Corporate Risk Register was due to be presented to the Governance and Audit Committee
    # on 23rd January 2025 ..."
    (register,) = [a for a in actions if a.text.startswith("The Corporate Risk Register was due")]
    assert register.page == 4 and register.due == "on 23rd January 2025"


def test_kent_cabinet_resolutions_and_numbered_parts():
    analysis = analysed(real(KENT_CABINET))
    resolutions = of_type(analysis, Resolution)
    # Five RESOLVED (pages 1, 3, 4, 5, 9); the last has three numbered parts (page 9).
    assert [(r.page, r.number) for r in resolutions] == [
        (1, None), (3, None), (4, None), (5, None), (9, "1"), (9, "2"), (9, "3"),
    ]
    assert resolutions[0].text == (
        "the minutes of the meeting on 28 November 2024 were a correct record and that they be signed by the Chair"
    )
    assert resolutions[3].text == "Cabinet note the report."
    assert [r.text for r in resolutions[4:]] == [
        ("Agree to submit a request to Government, jointly with Medway Council, for Kent and Medway to be "
        "included in the Devolution Priority Programme"),
        ("Note that acceptance onto the Devolution Priority Programme will commit Kent and Medway to elections "
        "to a new Mayoral Strategic Authority (MSA) in May 2026 and implementation of local government "
        "reorganisation by either April 2027 or April 2028"),
        ("Agree to request that the Minister for Local Government and English Devolution consider postponing "
        "County elections scheduled for May 2025"),
    ]
    # The motion is printed twice before it is resolved (paragraphs 5 and 6, pages 8-9): not resolutions.
    assert sum("Agree to submit a request to Government" in r.text for r in resolutions) == 1


def test_kent_cabinet_agenda_items_keep_minute_and_item_numbers():
    items = of_type(analysed(real(KENT_CABINET)), AgendaItem)
    assert [(i.minute, i.number) for i in items] == [(str(76 + n), str(1 + n)) for n in range(8)]
    assert items[3].title == "Cabinet Member Updates"
    assert items[3].text == "Cabinet Member updates were deferred to the next meeting of the Cabinet"
    assert items[4].title == "Provisional Local Government Finance Settlement 2025-26"


@pytest.mark.parametrize("name", [KENT_CPP, KENT_CABINET])
def test_every_resolution_is_written_on_the_page_it_cites(name):
    analysis = analysed(real(name))
    pages = {page.page: squash(page.text) for page in analysis.pages}
    for record in analysis.records:
        if isinstance(record, (Resolution, Action)):
            # A passage may run on to the next page; the page cited is where it starts.
            here = pages[record.page] + " " + pages.get(record.page + 1, "")
            start = squash(record.text)[:60]
            assert start in pages[record.page], (record.page, start)
            assert squash(record.text) in re.sub(r" \d+ (?=\S)", " ", here) or squash(record.text) in here


# --- ModernGov HTML ---------------------------------------------------------------------------


def test_moderngov_minutes_html_body_yields_its_resolutions():
    analysis = analysed(MODERNGOV_HTML)
    assert analysis.document.format == "html"
    assert [(r.number, r.text, r.page) for r in of_type(analysis, Resolution)] == [
        (number, text, 1) for number, text in SEED_004_RESOLUTIONS
    ]
    (item,) = of_type(analysis, AgendaItem)
    assert item.text.startswith("The Panel gave consideration to a report")


# --- The family of markers, and what is not a resolution -------------------------------------


def test_the_family_of_resolution_markers(tmp_path):
    analysis = from_text(
        tmp_path,
        "Budget monitoring\n\n"
        "Resolved:- That\n(a) the report be noted; and\n(b) the Director of Finance report back in March.\n\n"
        "Fostering update\n\n"
        "AGREED: the update be noted.\n\n"
        "Care leavers\n\n"
        "RECOMMENDED that Cabinet approve the Local Offer for Care Leavers.\n\n"
        "3. RESOLVED that the update be noted.\n\n"
        "RESOLVED that (1) the report be noted; and (2) a subsequent report will set out the plan of action.\n\n"
        "Youth justice\n\n"
        "RESOLVED that the Panel:-\ni) note the report;\nii) ask the Head of Service for a briefing note by 31 March 2025.\n\n"
        "Placements\n\n"
        "It was agreed that children should be placed as close to home as possible.\n"
        "It was RESOLVED that the placement sufficiency update be noted.\n",
    )
    found = [(r.marker, r.number, r.text) for r in of_type(analysis, Resolution)]
    assert found == [
        ("Resolved", "a", "the report be noted"),
        ("Resolved", "b", "the Director of Finance report back in March."),
        ("AGREED", None, "the update be noted."),
        ("RECOMMENDED", None, "Cabinet approve the Local Offer for Care Leavers."),
        ("RESOLVED", None, "the update be noted."),
        ("RESOLVED", "1", "the report be noted"),
        ("RESOLVED", "2", "a subsequent report will set out the plan of action."),
        ("RESOLVED", "i", "note the report"),
        ("RESOLVED", "ii", "ask the Head of Service for a briefing note by 31 March 2025."),
        ("RESOLVED", None, "the placement sufficiency update be noted."),
    ]
    actions = [(a.text, a.due) for a in of_type(analysis, Action)]
    assert ("the Director of Finance report back in March.", "in March") in actions
    assert ("a subsequent report will set out the plan of action.", None) in actions
    (asked,) = [a for a in of_type(analysis, Action) if a.owner]
    assert (asked.owner, asked.due, asked.resolution) == ("the Head of Service", "by 31 March 2025", "R6.ii")  # the sixth RESOLVED


def test_a_resolutions_heading_and_a_quoted_past_resolution_are_not_extracted(tmp_path):
    analysis = from_text(
        tmp_path,
        "Resolutions\n\n"
        "RESOLUTIONS OF THE PREVIOUS MEETING\n"
        "The Chair reminded Members that on 12 March 2024 the Panel had\n"
        "RESOLVED that a briefing note on re-offending be provided to the Panel\n"
        "and asked whether it had been received.\n"
        "Members recalled the Panel's earlier decision: “RESOLVED that the Trust report quarterly”.\n"
        "Officers made requests for follow up evidence from the Trust.\n\n"
        "RESOLVED that the report be noted.\n",
    )
    resolutions = of_type(analysis, Resolution)
    assert [(r.number, r.text) for r in resolutions] == [(None, "the report be noted.")]
    actions = [a.text for a in of_type(analysis, Action)]
    assert "Officers made requests for follow up evidence from the Trust." in actions


def test_a_quoted_resolution_inside_a_resolution_is_extracted_once(tmp_path):
    analysis = from_text(
        tmp_path,
        "RESOLVED that the Panel note that its resolution of 12 March (“RESOLVED that a briefing note\n"
        "be provided”) has been met.\n",
    )
    assert [r.text for r in of_type(analysis, Resolution)] == [
        "the Panel note that its resolution of 12 March (“RESOLVED that a briefing note be provided”) has been met."
    ]


def test_reports_with_recommendations_are_not_minutes():
    # Kent's QPR cover report prints "Recommendation(s):" (page 1): a proposal, not a decision.
    path = real("kcc_cabinet_2025-03-04_QPR_Q3_cover_report.pdf")
    pages = [p for p in read_document(path) if not hasattr(p, "error")]
    document = Document(path=str(path), sha256="", format="pdf", size=0, page_count=len(pages), kind="report")
    assert not looks_like_minutes(document, pages)
    assert list(minute_records(None, document, pages)) == []


def test_moderngov_minutes_as_scrutiny_fetch_saves_them(tmp_path):
    # scrutiny fetch (issue 5) saves an item's minutesnonemptyhtmlbody inside a page headed
    # "<h1>{agendaitemnumber}. {agendaitemtitle}</h1>".
    body = MODERNGOV_HTML.read_text(encoding="utf-8")
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Minutes: Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18</title>\n"
        "</head>\n<body>\n<h1>7. Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18</h1>\n"
        f"{body}\n</body>\n</html>\n"
    )
    path = tmp_path / "minutes_7572_performance-challenge.html"
    path.write_text(page, encoding="utf-8")
    analysis = analysed(path)
    (item,) = of_type(analysis, AgendaItem)
    assert (item.number, item.title) == ("7", "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18")
    assert [(r.number, r.text) for r in of_type(analysis, Resolution)] == SEED_004_RESOLUTIONS


def test_a_saved_moderngov_agenda_item_page_with_its_menus(tmp_path):
    # mgAi.aspx as a browser saves it: the site's menus, then the item (text of seed 004).
    seed = SEED_004_TEXT.read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{p}</p>\n" for p in seed.split("\n\n") if p.strip())
    page = (
        "<html><body><ul><li>Home</li><li>Councillors</li><li>Meetings</li></ul>"
        "<h1>Agenda item - Performance Challenge</h1>\n" + paragraphs + "</body></html>"
    )
    path = tmp_path / "mgAi.html"
    path.write_text(page, encoding="utf-8")
    analysis = analysed(path)
    (item,) = of_type(analysis, AgendaItem)
    assert item.title == "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18"
    assert [(r.number, r.text) for r in of_type(analysis, Resolution)] == SEED_004_RESOLUTIONS


def test_html_doctype_and_word_comments_are_not_text():
    from scrutiny.extract import html_to_text

    text = html_to_text(
        "<!DOCTYPE html><html><body><!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->"
        "<p class=MsoNormal>RESOLVED that the report be noted.</p></body></html>"
    )
    assert text == "RESOLVED that the report be noted."


def test_resolution_words_in_the_paragraph_after_the_marker(tmp_path):
    # ModernGov bodies often print the marker in bold on its own: <p><b>RESOLVED:</b></p><p>That ...</p>
    html = (
        '<div class="WordSection1"><p class="MsoNormal"><b>RESOLVED:</b></p><p class="MsoNormal">&nbsp;</p>'
        '<p class="MsoNormal">That the report be noted.</p><p class="MsoNormal">&nbsp;</p>'
        '<p class="MsoNormal">The Chair thanked officers.</p>'
        '<p class="MsoNormal"><b>Resolved:-</b></p><p class="MsoNormal">&nbsp;</p></div>'
    )
    path = tmp_path / "minutes_body.html"
    path.write_text(html, encoding="utf-8")
    resolutions = of_type(analysed(path), Resolution)
    assert [(r.marker, r.number, r.text) for r in resolutions] == [("RESOLVED", None, "the report be noted.")]


# --- Other councils' minutes (corpus/dev): every numbering, every decision word -------------------


def dev(name: str) -> Path:
    """A real document from a council the sample does not cover, bundled in corpus/dev."""
    return CORPUS / "dev" / name


KENT_CC_DECEMBER = "kent_county-council_2024-12-19_minutes.pdf"
KENT_CC_JANUARY = "kent_county-council_2025-01-09_minutes.pdf"
KENT_CC_BUDGET = "kent_county-council_2025-02-13_minutes.pdf"
MERTON_PACK = "merton_audit-committee_2009-09-24_minutes.pdf"
NEWBIGGIN = "newbiggin-pc_parish-council_2019-09-03_minutes.pdf"


def test_kent_county_council_paragraph_numbers_and_parts_in_every_form():
    # 19 December 2024: 14 resolutions, read page by page (benchmarks/data/gold_resolutions.tsv).
    analysis = analysed(dev(KENT_CC_DECEMBER))
    resolutions = of_type(analysis, Resolution)
    assert len(resolutions) == 14
    found = [(r.page, r.number, r.text[:40]) for r in resolutions]
    # "25) RESOLVED that the Leader’s report be noted." (page 7): a paragraph number before the word.
    assert (7, None, "the Leader’s report be noted.") in found
    # "8) RESOLVED that the County Council resolves:" then "1." ... "6." (pages 12-13).
    assert [(r.page, r.number) for r in resolutions if r.text.startswith("To ")] == [
        (12, "1"), (12, "2"), (12, "3"), (13, "4"), (13, "5"), (13, "6"),
    ]
    # "3) RESOLVED that the County Council:" then "a) Notes the report;" ... "c)" (page 15).
    assert [(r.page, r.number, r.text) for r in resolutions[-3:]] == [
        (15, "a", "Notes the report"),
        (15, "b", "Comments on the key points for a response to the government consultation"),
        (15, "c", ("Delegates to the Monitoring Officer the submission of the response to the Consultation "
                  "in consultation with the Leader of the Council.")),
    ]
    # Not decisions: "Agreed unanimously." after the tributes (page 2), and the motions quoted as
    # moved (“This County Council resolves to: ...”, pages 9-14), lost or carried.
    assert not any(r.page == 2 and "unanimously" in r.text for r in resolutions)
    assert not any("Integrated Care Strategy" in r.text or "Single Transferable Vote" in r.text for r in resolutions)


def test_kent_county_council_titles_without_the_pdfs_letter_spacing():
    items = of_type(analysed(dev(KENT_CC_DECEMBER)), AgendaItem)
    titles = [(i.minute, i.number, i.title) for i in items]
    # Printed "270. A pologies for Absence" / "(Item 1)" (page 1): the PDF spaces the first letter.
    assert titles[0] == ("270", "1", "Apologies for Absence")
    assert ("273", "4", "Corporate Parenting Panel - Minutes for noting") in titles
    assert titles[-1] == ("282", "13", "Remote meetings and proxy voting consultation")


def test_lettered_parts_run_across_sub_headings_and_pages():
    # 13 February 2025: "(27) RESOLVED that:" then (a) ... (v) under sub-headings such as "2025-26
    # Council Tax" and "In addition:" (pages 13-14); the same list moved as a motion (pages 4-5) is not
    # a decision.
    resolutions = of_type(analysed(dev(KENT_CC_BUDGET)), Resolution)
    assert len(resolutions) == 24
    budget = [r for r in resolutions if r.number]
    assert [r.number for r in budget] == list("abcdefghijklmnopqrstuv")
    assert {r.page for r in budget[:12]} == {13} and {r.page for r in budget[13:]} == {14}
    assert budget[2].text == "The net revenue budget requirement of £1,530.9m for 2025-26."
    assert "Council Tax" not in budget[3].text  # the sub-heading "2025-26 Council Tax" is not part (d)
    # "(4) RESOLVED that pursuant to section 25 ..." (page 3): a bracketed paragraph number.
    assert resolutions[1].page == 3 and resolutions[1].text.startswith("pursuant to section 25")


def test_a_decision_before_the_first_numbered_item():
    # 9 January 2025, page 1: "Election of Chair" / "1. Mr Gough proposed ..." / "Agreed unanimously." /
    # "2. RESOLVED that Mr Cooke be elected to Chair the meeting." before minute 283 (Item 1).
    analysis = analysed(dev(KENT_CC_JANUARY))
    items = of_type(analysis, AgendaItem)
    resolutions = of_type(analysis, Resolution)
    assert items[0].title == "Election of Chair" and items[0].number is None
    assert (resolutions[0].item, resolutions[0].text) == (items[0].key, "Mr Cooke be elected to Chair the meeting.")
    assert [(r.page, r.number) for r in resolutions[1:]] == [(10, str(n)) for n in range(1, 6)]
    # Part (1) ends "... to respond to the English" / "Devolution White Paper" (page 10): a line that
    # also heads pages 6-9 (in the amendments) is still text here.
    assert resolutions[1].text.endswith("to respond to the English Devolution White Paper")


def test_merton_minutes_reprinted_in_an_agenda_pack():
    # Merton's pack for the Audit Committee of 22 October 2009 prints the minutes of 24 September 2009
    # on pages 3-7 ("AUDIT COMMITTEE" / "24 SEPTEMBER 2009" / "PRESENT: ..."); the agenda on page 2
    # ("1. Declarations of interest", "2. Apologies for absence", ...) is not minutes.
    analysis = analysed(dev(MERTON_PACK))
    assert analysis.document.meeting_date == "2009-10-22"  # corpus/manifest.csv: the pack's meeting
    items = of_type(analysis, AgendaItem)
    assert {i.meeting_date for i in items} == {"2009-09-24"}
    assert [(i.minute, i.number, i.title) for i in items[:3]] == [
        (None, "1", "Declarations of Interest"),
        ("2", "3", "Minutes of the Meeting Held on 23 June 2009"),  # "2 MINUTES ... (Agenda item 3)"
        ("3", "4", "Audit Commission Interim Report"),
    ]
    # "4 AUDITED FINAL ACCOUNTS 2008/09 AND USE OF RESOURCES" / [page 4] "JUDGEMENT (Agenda item 4)"
    assert items[3].title.endswith("Resources Judgement") and items[3].number == "4"
    resolutions = of_type(analysis, Resolution)
    assert [(r.page, r.number) for r in resolutions] == [(3, None), (4, None), (4, "A"), (4, "B"), (4, None)]
    assert resolutions[3].text.startswith("the Audit Committee notes the Council’s Use of Resources score")


def test_parish_minutes_numbered_by_date_and_decisions_inside_sentences():
    # Newbiggin Parish Council, 3 September 2019: items "19.09.01 Apologies" ... "19.09.12 Any Other
    # Business"; page 2: "The Councillors resolved to pay all of the above." and "It was therefore
    # resolved to retain the Financial Policy already in place for Newbiggin Parish Council."
    analysis = analysed(dev(NEWBIGGIN))
    items = of_type(analysis, AgendaItem)
    assert [i.number for i in items] == [f"19.09.{n:02d}" for n in range(1, 13)]
    assert items[4].title == "Eden District Council Plan 2019-2023"
    resolutions = of_type(analysis, Resolution)
    assert [(r.page, r.marker, r.text) for r in resolutions] == [
        (2, "resolved", "The Councillors resolved to pay all of the above."),
        (2, "resolved", ("It was therefore resolved to retain the Financial Policy already in place for "
                        "Newbiggin Parish Council.")),
    ]
    finance = {i.key for i in items if i.title == "Finance"}
    assert {r.item for r in resolutions} == finance
    # "The Clerk to respond accordingly." (page 1), "Clerk to write" (page 2), "Councillors will again
    # fill these in." (page 3): who is to do what.
    owners = {(a.page, a.owner) for a in of_type(analysis, Action)}
    assert {(1, "The Clerk"), (2, "Clerk"), (3, "Councillors")} <= owners


def test_actions_are_requests_and_offers_not_narrative():
    actions = of_type(analysed(dev(KENT_CC_DECEMBER)), Action)
    texts = " | ".join(a.text for a in actions)
    # Page 2: procedure; page 6: a question; page 10: a sentence of a motion quoted as moved.
    assert "invited Members to speak" not in texts
    assert "asked whether the Leader would feel able" not in texts
    assert "has not committed to reform" not in texts
    asked = {(a.resolution is not None, a.owner) for a in actions}
    # "To request that the Leader of the Council writes to the Chancellor ..." (page 13) and
    # "Delegates to the Monitoring Officer the submission of the response ..." (page 15).
    assert (True, "the Leader of the Council") in asked
    assert (True, "the Cabinet Member for Economic Development") in asked
    assert (True, "the Monitoring Officer") in asked
    # "... the drafting of the letter to government could incorporate the points raised and be agreed by
    # the Leader outside of the meeting." (page 12)
    (letter,) = [a for a in actions if "letter to government" in a.text]
    assert (letter.page, letter.owner, letter.due) == (12, "the Leader", "outside of the meeting")


def test_delegations_in_the_budget_name_who_will_act():
    actions = of_type(analysed(dev(KENT_CC_BUDGET)), Action)
    # Page 14: (o) "To delegate authority to the Chief Executive, in consultation with ...",
    # (p) "To delegate authority to the Corporate Director of Finance (after consultation ...",
    # (q) "... will be reported to Cabinet once it has all been received."
    assert [(a.page, a.owner, a.due) for a in actions] == [
        (14, "the Chief Executive", None),
        (14, "the Corporate Director of Finance", "in March 2025"),
        (14, None, "once it has all been received"),
    ]
    assert all(a.resolution for a in actions)
    # What each asks, as written (issue 18 follows these up): the task after the delegation's "to".
    assert [a.what for a in actions[:2]] == [
        "agree any other non-pay related changes to the Kent Scheme through the conclusion of pay bargaining",
        ("resolve any minor technical issues and structural changes for the final budget publication which do not "
        "materially alter the approved budget or change the net budget requirement and for any changes made to be "
        "reflected in the final version of the Budget Book (blue combed) due to be published in March 2025"),
    ]


# --- Gloucester: minutes as scrutiny fetch receives them (ModernGov GetMeeting XML) -------------

GLOUCESTER_XML = REPO / "tests" / "fixtures" / "moderngov" / "gloucester_getmeeting_7837.xml"


def test_gloucester_getmeeting_minutes_fetched_and_built(tmp_path):
    """The real GetMeeting answer (Gloucester City Council Cabinet, 21 November 2025), served by a
    loopback ModernGov site, fetched by `scrutiny fetch` and built: item 55's resolution has two
    numbered parts, each found once (the decision repeats in decisionnonemptyhtmlbody, not saved)."""
    import sqlite_utils
    from click.testing import CliRunner
    from test_corpus_moderngov import FIXTURES, ModernGovSite

    from scrutiny.cli import cli

    class Gloucester(ModernGovSite):
        def answer(self, handler):
            xml = "text/xml; charset=utf-8"
            if handler.path.startswith("/mgWebService.asmx/GetMeetings"):
                # The recorded GetMeetings shape with Gloucester's meeting in it.
                body = (FIXTURES / "meetings.xml").read_bytes().replace(b"4967", b"7837")
                return self.send(handler, 200, body.replace(b"10/02/2026", b"21/11/2025"), xml)
            if handler.path.startswith("/mgWebService.asmx/GetMeeting?"):
                return self.send(handler, 200, GLOUCESTER_XML.read_bytes(), xml)
            return super().answer(handler)

    site = Gloucester()
    try:
        corpus = tmp_path / "papers"
        result = CliRunner().invoke(cli, [
            "fetch", site.url, "--authority", "Gloucester", "--committee", "144", "--since", "2025-11-01",
            "--until", "2025-11-30", "--corpus", str(corpus), "--delay", "0", "--backoff", "0",
        ])
        assert result.exit_code == 0, result.output
    finally:
        site.stop()
    saved = sorted(corpus.rglob("minutes_*.html"))
    assert len(saved) == 5  # items 51-55 carry minutes
    db_path = tmp_path / "catalogue.db"
    result = CliRunner().invoke(cli, ["build", str(corpus), "--db", str(db_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    resolutions = list(db.query("select number, text, item, authority, meeting_date from resolutions order by id"))
    assert [(r["number"], r["text"]) for r in resolutions] == [
        ("1", ("to submit to Government the Greater Gloucester/Gloucestershire proposal for Local Government "
              "Reorganisation in Gloucestershire, as per the advisory vote by Council")),
        ("2", ("to delegate to the Managing Director, in consultation with the Leader, the authority to make any "
              "necessary non-material amendments to the Final Proposal, to draft a covering letter, and submit "
              "the Final Proposal to the Secretary of State for Housing, Communities and Local Government.")),
    ]
    assert {(r["item"], r["authority"], r["meeting_date"]) for r in resolutions} == {
        ("Item 55: Final Proposals for Local Government Reorganisation in Gloucestershire", "Gloucester", "2025-11-21")
    }
    (delegation,) = list(db.query("select owner from actions"))
    assert delegation["owner"] == "the Managing Director"
    # The web service sends titles escaped inside its XML ("Members&#39; Question Time", item 54).
    titles = [row["title"] for row in db.query("select title from agenda_items order by number")]
    assert titles[3] == "Leader and Cabinet Members' Question Time (15 minutes)"


# --- A community council's minutes page (Manordeilo and Salem Community Council, 10 June 2020) ---
# Its HTML and sentences as published (trimmed to these items; the page is not bundled: the
# repository holding it states no licence). Read to check the rules on minutes they were not made on.

MANORDEILO = """<div class="minutes well"><time datetime="2020-06-10">10 June 2020</time>
<p>Manordeilo and Salem Community Council held their meeting remotely via Zoom at 7.30pm on the 10th June 2020. </p>
<h4>PRESENT</h4><p>Councillors Alun Davies, Arwel Davies, Gwenfyl Evans, Peter Harries, William Loynton,
Andrew Thomas, Owen Williams and County Councillor Joseph Davies.</p>
<ol class="minute-matters">
<li><h4>WELCOME AND APOLOGIES</h4><p>Apologies received from Cllrs. Kim Davies, Hubert Gwynne, Dorian Jenkins and Doris Jones.</p></li>
<li><h4>TO CONFIRM THE MINUTES OF THE LAST MEETING</h4><p>It was proposed by Cllr. P. Harries, seconded by Cllr. W.
Loynton and unanimously agreed that the minutes of the last meeting held on the 11th March 2020 as typed and circulated
were correct.<br>To be signed by the Chair</p></li>
<li><h4>RISK ASSESSMENT</h4><p>The Risk Assessment for 2020/21, as previously circulated to Councillors, was unanimously approved.</p></li>
<li><h4>ARRANGEMENTS FOR AGM AND REMOTE MEETINGS</h4><ul class="roman">
<li>It was unanimously agreed that the AGM would be held remotely on Wednesday 8th July followed by the normal July Meeting.</li>
<li>Cllr. O. Williams and the Clerk to review the Standing Orders.</li></ul></li>
<li><h4>ANY OTHER BUSINESS</h4><ul class="roman">
<li>Cllr. W. Loynton had received an enquiry regarding footpaths; Cllr. O. Williams would send him the link to the information.</li>
<li>It was agreed that Councillors should always be aware of, and actively work against, any discrimination shown against race or any minority group.</li></ul></li>
</ol></div>"""


def test_an_ordered_list_is_numbered_as_a_browser_shows_it():
    from scrutiny.extract import html_to_text

    lines = html_to_text(MANORDEILO).splitlines()
    assert "1. WELCOME AND APOLOGIES" in lines and "5. ANY OTHER BUSINESS" in lines


def test_decisions_voted_inside_a_sentence_and_the_items_of_a_numbered_list(tmp_path):
    path = tmp_path / "mscc_2020-06-10.html"
    path.write_text(MANORDEILO, encoding="utf-8")
    analysis = analysed(path)
    assert analysis.document.kind == "minutes"  # "PRESENT" heads it
    assert analysis.document.authority == "Manordeilo and Salem Community Council"
    items = of_type(analysis, AgendaItem)
    assert [(i.number, i.title) for i in items] == [
        ("1", "Welcome and Apologies"), ("2", "To Confirm the Minutes of the Last Meeting"),
        ("3", "Risk Assessment"), ("4", "Arrangements for Agm and Remote Meetings"), ("5", "Any Other Business"),
    ]
    resolutions = of_type(analysis, Resolution)
    # Proposed, seconded and agreed; "was unanimously approved"; "unanimously agreed that". Not "It was
    # agreed that Councillors should always be aware of ..." (no vote: a view).
    assert [(r.marker, r.text[:45]) for r in resolutions] == [
        ("agreed", "It was proposed by Cllr. P. Harries, seconded"),
        ("approved", "The Risk Assessment for 2020/21, as previousl"),
        ("agreed", "It was unanimously agreed that the AGM would "),
    ]
    owners = [a.owner for a in of_type(analysis, Action)]
    assert owners == ["Cllr. O. Williams and the Clerk", "Cllr. O. Williams"]
