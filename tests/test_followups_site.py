"""The published follow-ups: a committee's page says its numbers, its follow-ups page shows each
request's trail, the trace query shows each request's status, and the Atom feeds validate.

A real server (``scrutiny serve``) on loopback, serving the bundled corpus as the build made it.
"""

from __future__ import annotations

import re

import pytest

import atom_rules


@pytest.fixture(scope="module")
def server(linked_catalogue, tmp_path_factory):
    from conftest import Server, free_port

    running = Server(["serve", "--db", str(linked_catalogue)], free_port(), tmp_path_factory.mktemp("serve"))
    running.wait_until_up()
    yield running
    running.stop()


def test_a_committee_page_says_its_requests_in_numbers(server):
    page = server.get("/-/committees/Kent/Cabinet")
    assert page.status_code == 200
    # Kent Cabinet, 9 January 2025: the Cabinet Member updates deferred (page 1), returned on the
    # agenda of 4 March 2025; the Corporate Risk Register due at Governance and Audit on 23 January
    # 2025 (page 4), of which the corpus holds no papers.
    assert re.search(r'<a href="/-/followups/Kent/Cabinet">2 requests since 2025, 1 returned, 1 overdue</a>', page.text)


def test_the_followups_page_lists_overdue_first_with_each_trail(server):
    page = server.get("/-/followups/Kent/Cabinet")
    assert page.status_code == 200
    text = page.text
    overdue = text.index("The Corporate Risk Register")
    returned = text.index("Cabinet Member updates")
    assert overdue < returned
    assert re.search(r"overdue</strong> for \d+ days", text)
    # The trail: asked (meeting page, minutes page 1), due (the next Cabinet meeting the catalogue
    # holds), came back (the agenda of 4 March 2025, item 4).
    assert 'href="/-/meetings/Kent/Cabinet/2025-01-09"' in text
    assert 'by <a href="/-/meetings/Kent/Cabinet/2025-01-30">2025-01-30</a>' in text
    assert "Came back" in text and 'href="/-/meetings/Kent/Cabinet/2025-03-04"' in text
    assert "4. Cabinet Member Updates" in text and "the same title" in text
    # Asked of Cabinet by the County Council (13 February 2025, page 14, part q).
    assert "Asked of Cabinet by other meetings (1)" in text and "business rate collection fund balances" in text
    assert 'type="application/atom+xml"' in text and "/-/feeds/overdue.atom?authority=Kent&amp;committee=Cabinet" in text


def test_a_request_not_back_says_how_many_later_meetings_it_missed(server):
    # Kent County Council, 19 December 2024, page 8: items 10 and 11 "deferred to the next appropriate
    # meeting of Full Council". The catalogue holds papers of three later County Council meetings (the
    # minutes of 9 January and 13 February 2025, the performance report of 13 March 2025): neither item is
    # in them, so each is still outstanding (no date to be late against) with those three meetings named.
    text = " ".join(server.get("/-/followups/Kent/County Council").text.split())
    trail = text[text.index("Governance Working Party Update"):]
    trail = trail[: trail.index("</ol>")]
    assert "outstanding" in text[: text.index("Governance Working Party Update")][-400:]
    assert ('Not found in the papers of 3 later meetings of County Council in this catalogue: '
            '<a href="/-/meetings/Kent/County%20Council/2025-01-09">2025-01-09</a>, '
            '<a href="/-/meetings/Kent/County%20Council/2025-02-13">2025-02-13</a>, '
            '<a href="/-/meetings/Kent/County%20Council/2025-03-13">2025-03-13</a>.') in trail
    # Kent Cabinet, 9 January 2025: the Cabinet Member updates came back, so no meetings are counted.
    cabinet = " ".join(server.get("/-/followups/Kent/Cabinet").text.split())
    updates = cabinet[cabinet.index("Cabinet Member updates"):]
    assert "Not found in the papers" not in updates[: updates.index("</ol>")]


def test_a_committee_with_no_follow_ups_page_is_a_404(server):
    assert server.get("/-/followups/Kent/Nowhere").status_code == 404


def test_the_trace_query_shows_each_requests_status(server):
    rows = server.get("/catalogue/trace.json", term="deferred", authority="Kent", _shape="array").json()
    by_item = {row["item"]: row for row in rows}
    assert by_item["Cabinet Member Updates"]["status"] == "returned"
    assert by_item["Cabinet Member Updates"]["came_back"] == "Cabinet, 2025-03-04: 4. Cabinet Member Updates"
    assert by_item["Governance Working Party Update"]["status"] == "outstanding"
    rows = server.get("/catalogue/trace.json", term="briefing note", authority="", _shape="array").json()
    assert {row["kind"] for row in rows} == {"resolution", "action"}
    assert {row["status"] for row in rows} == {"outstanding"}  # seed 004: the meeting's date is not known


def _feed(server, path: str, **params) -> bytes:
    response = server.get(path, **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    problems = atom_rules.problems_in(response.content)
    assert problems == [], problems
    return response.content


def test_the_overdue_feed_is_valid_atom_dated_the_day_each_became_overdue(server):
    entries = atom_rules.entries(_feed(server, "/-/feeds/overdue.atom", authority="Kent"))
    register = next(e for e in entries if "The Corporate Risk Register" in e["title"])
    assert register["updated"] == "2025-01-24T00:00:00+00:00"  # due 23 January 2025
    assert register["link"].endswith("/-/followups/Kent/Cabinet")
    assert register["id"].startswith("urn:uuid:")
    # Newest first: the Corporate Parenting Panel's document due "in 2025" became overdue on 1 January 2026.
    assert [e["updated"] for e in entries] == sorted((e["updated"] for e in entries), reverse=True)
    # A feed with nothing in it yet is still a feed (datasette-atom 0.9 answers 500 here).
    empty = _feed(server, "/-/feeds/overdue.atom", committee="No Such Committee")
    assert atom_rules.entries(empty) == []


def test_the_resolutions_feed_follows_a_search_newest_meeting_first(server):
    entries = atom_rules.entries(_feed(server, "/-/feeds/resolutions.atom", q="correct record"))
    # Kent: County Council 13 February 2025 (p2), Cabinet 9 January 2025 (p1), County Council
    # 19 December 2024 (p2), Corporate Parenting Panel 29 October 2024 (p1); Merton 24 September 2009.
    dates = [e["updated"][:10] for e in entries]
    assert dates[:2] == ["2025-02-13", "2025-01-09"] and dates[-1] == "2009-09-24"
    assert dates == sorted(dates, reverse=True)
    assert "minutes of the meetings held on 19 December 2024 and 9 January 2025" in entries[0]["content"]
    assert entries[0]["link"].endswith("/-/meetings/Kent/County%20Council/2025-02-13")
    # The same search gives the same ids: a reader sees nothing new after a rebuild.
    again = atom_rules.entries(_feed(server, "/-/feeds/resolutions.atom", q="correct record"))
    assert [e["id"] for e in again] == [e["id"] for e in entries]
    only = atom_rules.entries(_feed(server, "/-/feeds/resolutions.atom", q="correct record", committee="cabinet"))
    assert [e["updated"][:10] for e in only] == ["2025-01-09"]


def test_the_outside_tolerance_feed_lists_a_measures_red_values(server):
    entries = atom_rules.entries(_feed(server, "/-/feeds/outside-tolerance.atom", measure="care-leavers-eet"))
    # Seed 000, page 11: "B13 Care Leavers in Employment, Education and Training (age 19-21) Q1 = 39.3%
    # July 2016 = 35% Target: 45% Tolerance:40%".
    titles = [e["title"] for e in entries]
    assert any(title.startswith("Doncaster: 35% in July 2016, outside tolerance") for title in titles)
    july = next(e for e in entries if "July 2016" in e["title"])
    assert july["updated"] == "2016-07-31T00:00:00+00:00"
    assert "target 45%; tolerance 40%" in july["content"]
    assert july["link"].endswith("/-/measures/care-leavers-eet")
    assert atom_rules.entries(_feed(server, "/-/feeds/outside-tolerance.atom", measure="no-such-measure")) == []


def test_the_pages_link_their_feeds(server):
    assert "/-/feeds/outside-tolerance.atom?measure=care-leavers-eet" in server.get("/-/measures/care-leavers-eet").text
    assert "/-/feeds/resolutions.atom?q=correct%20record" in server.get("/-/search", q="correct record").text


def test_the_atom_rules_catch_what_datasette_atom_leaves_out():
    # What datasette-atom 0.9 writes for a canned query with no atom_author columns: no author.
    unsigned = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>http://x/f.atom</id>'
                b'<title>t</title><updated>2025-01-09T00:00:00+00:00</updated><link href="http://x/f.atom" rel="self"/>'
                b'<entry><id>tag:x,2025:1</id><title>t</title><updated>2025-01-09T00:00:00+00:00</updated>'
                b'<content type="text">c</content></entry></feed>')
    assert atom_rules.problems_in(unsigned) == ["entry 1 has no author and the feed has none (RFC 4287 4.1.1)"]
    undated = unsigned.replace(b"<updated>2025-01-09T00:00:00+00:00</updated><content", b"<content")
    assert "entry 1 has 0 atom:updated elements" in atom_rules.problems_in(undated)[0]
    assert atom_rules.problems_in(unsigned.replace(b"2025-01-09T00:00:00+00:00</updated><link", b"9 Jan 2025</updated><link"))


def test_a_return_confirmed_outside_the_papers_shows_as_written_with_no_paper_link(catalogue_copy, tmp_path):
    import csv

    from conftest import Server, free_port

    from scrutiny.catalogue import Catalogue
    from scrutiny.followups import RETURNS_COLUMNS, follow_up, returns_review_path

    # Kent Corporate Parenting Panel, 29 October 2024, page 4: "Ms Coombs offered to provide Members with
    # further details about the number of adoptions by age, outside of the meeting." A person records that
    # they were emailed (a person's record, not a paper).
    review = returns_review_path(catalogue_copy)
    with open(review, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, RETURNS_COLUMNS)
        writer.writeheader()
        writer.writerow({
            "authority": "Kent", "committee": "Corporate Parenting Panel", "meeting_date": "2024-10-29",
            "request": "Most children place for adoption were between 0 to 2 years of age, Ms Coombs offered to "
                       "provide Members with further details about the number of adoptions by age, outside of the "
                       "meeting.",
            "return_date": "2024-11-12", "return_title": "Adoptions by age, emailed to Panel members",
            "decision": "confirm"})  # fmt: skip
    with Catalogue(catalogue_copy) as catalogue:
        follow_up(catalogue, review)
    running = Server(["serve", "--db", str(catalogue_copy)], free_port(), tmp_path)
    running.wait_until_up()
    try:
        page = running.get("/-/followups/Kent/Corporate Parenting Panel")
        traced = running.get("/catalogue/trace.json", term="adoptions by age", authority="Kent", _shape="array").json()
    finally:
        running.stop()
    assert page.status_code == 200
    trail = page.text[page.text.index("further details about the number of adoptions by age"):]
    trail = trail[: trail.index("</ol>")]
    assert "Came back" in trail and "2024-11-12, outside the catalogue Adoptions by age, emailed to Panel members" in " ".join(trail.split())
    assert "/-/documents/None" not in page.text
    # The trace says where it came back too, though no committee is named.
    assert [(row["status"], row["came_back"]) for row in traced if "Ms Coombs" in row["text"]] == [
        ("returned", "2024-11-12: Adoptions by age, emailed to Panel members")]
    assert "outside the catalogue&#39;s papers" in trail or "outside the catalogue's papers" in trail
