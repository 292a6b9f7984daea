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
        "a briefing note detailing the actual number of young people re-offending rather than "
        "percentage rates and indicators, be provided to the Panel.",
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
        "to note the report, the proposed Joint Working Protocol for Care Leavers, and that the governance "
        "and monitoring arrangements would be considered and bought back to a future meeting of the Panel.",
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
        "Agree to submit a request to Government, jointly with Medway Council, for Kent and Medway to be "
        "included in the Devolution Priority Programme",
        "Note that acceptance onto the Devolution Priority Programme will commit Kent and Medway to elections "
        "to a new Mayoral Strategic Authority (MSA) in May 2026 and implementation of local government "
        "reorganisation by either April 2027 or April 2028",
        "Agree to request that the Minister for Local Government and English Devolution consider postponing "
        "County elections scheduled for May 2025",
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
