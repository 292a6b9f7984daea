"""A committee's run of meetings fetched from a (loopback) ModernGov site, built, and followed up.

The way scrutiny is used: `scrutiny fetch` a committee's meetings for a period, `scrutiny build`,
then ask what came back. The site answers in the recorded shape of a ModernGov web service
(tests/fixtures/moderngov: GetCommittees, GetMeetings, GetMeeting), its answers rewritten to Kent
County Council's Cabinet and three of its meetings, and serves the real Kent papers the corpus
holds for them: the printed minutes of 9 January 2025 (attached, as ModernGov does, to the next
meeting's "Minutes" item), the papers of 30 January 2025, and the agenda front sheet and the
quarterly performance report of 4 March 2025. The XML around them is made in the recorded
shape; every word the follow-ups are read from is a real paper's.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlite_utils
from click.testing import CliRunner

from conftest import CORPUS, REPO
from loopback import LoopbackSite
from scrutiny.cli import cli

FIXTURES = REPO / "tests" / "fixtures" / "moderngov"

#: Kent Cabinet's meetings: id, date (as ModernGov writes it), and each agenda item's title and papers.
MEETINGS = {
    "9475": ("09/01/2025", [("English Devolution White Paper", [])]),
    "9476": ("30/01/2025", [
        ("Minutes of the Meeting held on 9 January 2025",
         [("/documents/s128743/Minutes.pdf", "Minutes of the meeting held on 9th January 2025",
           CORPUS / "real" / "kcc_cabinet_2025-01-09_minutes.pdf")]),
        ("24/00115 - KCC Integrated Care Strategy priorities and measures",
         [("/documents/s128778/Appendix%20B.pdf", "24-00115 - Appendix B - KCC ICS priorities measures",
           CORPUS / "real" / "kcc_cabinet_2025-01-30_ICS_priorities_measures_appendixB.pdf")]),
    ]),
    "9477": ("04/03/2025", [
        ("Agenda frontsheet",
         [("/documents/g9477/Agenda%20frontsheet.pdf", "Agenda frontsheet 04th-Mar-2025 10.00 Cabinet",
           CORPUS / "real" / "kcc_cabinet_2025-03-04_agenda_frontsheet.pdf")]),
        ("Quarterly Performance Report, Q3 2024-2025",
         [("/documents/s129435/Cabinet%20QPR%20Q3%20Cover.pdf", "Cabinet QPR Q3 Cover",
           CORPUS / "real" / "kcc_cabinet_2025-03-04_QPR_Q3_cover_report.pdf")]),
    ]),
}
PAPERS = {path: file for _, items in MEETINGS.values() for _, docs in items for path, _, file in docs}


def _committees() -> bytes:
    root = ET.fromstring((FIXTURES / "committees.xml").read_bytes())
    template = root.find("committee")
    for committee in root.findall("committee"):
        root.remove(committee)
    cabinet = copy.deepcopy(template)
    cabinet.find("committeeid").text = "115"
    cabinet.find("committeetitle").text = "Cabinet"
    cabinet.find("committeeexpired").text = "False"
    root.append(cabinet)
    root.find("committeescount").text = " 1"
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _meetings() -> bytes:
    root = ET.fromstring((FIXTURES / "meetings.xml").read_bytes())
    committee = root.find("committee")
    committee.find("committeeid").text = "115"
    committee.find("committeetitle").text = "Cabinet"
    listed = committee.find("committeemeetings")
    template = listed.findall("meeting")[-1]
    for meeting in listed.findall("meeting"):
        listed.remove(meeting)
    for meeting_id, (day, _) in MEETINGS.items():
        meeting = copy.deepcopy(template)
        meeting.find("meetingid").text = meeting_id
        meeting.find("meetingdate").text = day
        listed.append(meeting)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _meeting(base: str, meeting_id: str) -> bytes:
    day, items = MEETINGS[meeting_id]
    root = ET.fromstring((FIXTURES / "meeting_with_minutes.xml").read_bytes())
    root.find("meetingid").text = meeting_id
    root.find("meetingdate").text = day
    agenda = root.find("agendaitems")
    template = agenda.findall("agendaitem")[-1]
    for item in agenda.findall("agendaitem"):
        agenda.remove(item)
    for number, (title, documents) in enumerate(items, start=1):
        item = copy.deepcopy(template)
        item.find("agendaitemid").text = f"{meeting_id}{number}"
        item.find("agendaitemtitle").text = title
        item.find("fulldisplaynumberformat").text = f"{number}."
        item.find("minutesnonemptyhtmlbody").text = ""  # the minutes come as the printed PDF
        docs = item.find("linkeddocuments")
        doc_template = docs.find("linkeddoc")
        docs.remove(doc_template)
        for attachment, (path, doc_title, _) in enumerate(documents, start=int(meeting_id) * 10):
            doc = copy.deepcopy(doc_template)
            doc.find("attachmentid").text = str(attachment)
            doc.find("title").text = doc_title
            doc.find("url").text = base + path
            docs.append(doc)
        agenda.append(item)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class KentSite(LoopbackSite):
    """Kent's run of meetings as a ModernGov site on a loopback port."""

    def answer(self, handler):
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body, kind, status = b"not found", "text/plain", 404
        if parts.path == "/robots.txt":
            body, kind, status = b"User-agent: *\nDisallow:\n", "text/plain", 200
        elif parts.path == "/mgWebService.asmx/GetCommittees":
            body, kind, status = _committees(), "text/xml; charset=utf-8", 200
        elif parts.path == "/mgWebService.asmx/GetMeetings":
            body, kind, status = _meetings(), "text/xml; charset=utf-8", 200
        elif parts.path == "/mgWebService.asmx/GetMeeting" and query.get("lMeetingId") in MEETINGS:
            body, kind, status = _meeting(self.url, query["lMeetingId"]), "text/xml; charset=utf-8", 200
        elif handler.path in PAPERS:
            body, kind, status = PAPERS[handler.path].read_bytes(), "application/pdf", 200
        self.send(handler, status, body, kind)


@pytest.fixture
def kent():
    site = KentSite()
    yield site
    site.stop()


def test_a_committees_run_of_meetings_is_fetched_built_and_followed_up(kent, tmp_path):
    corpus = tmp_path / "papers"
    fetched = CliRunner().invoke(cli, [
        "fetch", kent.url, "--authority", "Kent", "--committee", "cabinet", "--since", "2025-01-01",
        "--until", "2025-03-31", "--corpus", str(corpus), "--delay", "0", "--backoff", "0", "--retries", "1",
    ])  # fmt: skip
    assert fetched.exit_code == 0, fetched.output
    db_path = tmp_path / "kent.db"
    built = CliRunner().invoke(cli, ["build", str(corpus), "--db", str(db_path)])
    assert built.exit_code == 0, built.output
    assert "requests: 2 (1 returned, 1 overdue)" in built.output
    with sqlite_utils.Database(db_path) as db:
        requests = {row["subject"]: row for row in db.query(
            "select q.*, r.title as return_title, r.meeting_date as return_date, r.status as return_status "
            "from requests q left join returns r on r.id = q.return_id")}  # fmt: skip
    # The minutes of 9 January 2025, fetched as a paper of the meeting of 30 January, are that meeting's
    # (reprinted = 1): page 1, "Cabinet Member updates were deferred to the next meeting of the Cabinet".
    updates = requests["Cabinet Member updates"]
    assert (updates["committee"], updates["meeting_date"]) == ("Cabinet", "2025-01-09")
    assert (updates["due_date"], updates["status"]) == ("2025-01-30", "returned")
    assert (updates["return_title"], updates["return_date"], updates["return_status"]) == (
        "4. Cabinet Member Updates", "2025-03-04", "automatic")
    register = requests["The Corporate Risk Register"]
    assert (register["due_committee"], register["status"]) == ("Governance and Audit Committee", "overdue")
    # Fetching and building again reads nothing new and links nothing again.
    again = CliRunner().invoke(cli, ["build", str(corpus), "--db", str(db_path)])
    assert "requests: 2 (1 returned, 1 overdue)" in again.output and "unchanged" in again.output
