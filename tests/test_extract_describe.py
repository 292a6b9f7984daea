"""Guessing a document's facts from its first page, checked against what the documents print."""

from __future__ import annotations

import pytest

from scrutiny.authorities import load_authorities, recognise_authority
from scrutiny.extract import describe, read_document
from scrutiny.records import Page


def facts(path):
    pages = [item for item in read_document(path) if isinstance(item, Page)]
    return describe(pages[:3], str(path))


# Each row read off page 1 of the PDF.
@pytest.mark.parametrize(
    "prefix, expected",
    [
        ("000", {"kind": "report", "authority": "Doncaster", "meeting_date": "2016-09-27",
                     "committee": "Children and Young People’s Overview and Scrutiny Panel",
                     "title": "Performance Challenge of the Doncaster Children’s Services Trust"}),
        ("002", {"kind": "report", "authority": "Rotherham", "meeting_date": "2017-03-22",
                     "committee": "Improving Lives Select Commission",
                     "title": "Children's and Young People's Services Performance Report - January 2016/17"}),
        ("003", {"kind": "letter", "authority": "Doncaster", "meeting_date": None, "committee": None,
                     "title": "Annual Report of the Doncaster Children's Services Trust "
                           "(1 October 2014 – 30 September 2015)"}),
        ("004", {"kind": "minutes", "authority": "Doncaster", "meeting_date": None,
                     "title": "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18"}),
        ("kcc_cabinet_2025-01-09", {"kind": "minutes", "authority": "Kent", "committee": "Cabinet",
                                        "meeting_date": "2025-01-09"}),
        ("kcc_cabinet_2025-03-04_QPR", {"kind": "report", "committee": "Cabinet", "meeting_date": "2025-03-04",
                                            "title": "Quarterly Performance Report, Quarter 3, 2024/25"}),
        ("kcc_cabinet_2025-03-04_agenda", {"kind": "agenda", "committee": "Cabinet", "meeting_date": "2025-03-04"}),
        ("ofsted_ilacs_doncaster", {"kind": "inspection", "authority": "Doncaster", "meeting_date": None,
                                        "title": "Inspection of Doncaster Metropolitan Borough Council "
                                              "children’s services"}),
        ("ofsted_ilacs_rotherham", {"kind": "inspection", "authority": "Rotherham", "meeting_date": None}),
    ],
)
def test_describe_real_documents(corpus_pdf, prefix, expected):
    found = facts(corpus_pdf(prefix))
    assert {name: getattr(found, name) for name in expected} == expected


def test_authority_list_has_the_english_authorities_with_codes():
    authorities = {a.name: a for a in load_authorities()}
    # The 156 English authorities with children's services keep their DfE and ONS codes.
    assert sum(1 for a in authorities.values() if a.dfe_code) == 156
    assert (authorities["Doncaster"].dfe_code, authorities["Doncaster"].ons_code) == ("371", "E08000017")
    assert (authorities["Rotherham"].dfe_code, authorities["Rotherham"].ons_code) == ("372", "E08000018")
    assert "KCC" in authorities["Kent"].aliases


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Doncaster Council and the Trust. Children in Doncaster.", "Doncaster"),
        ("KENT COUNTY COUNCIL\nCABINET", "Kent"),
        ("Metropolitan Borough of Rotherham", "Rotherham"),
        ("RMBC performance against Barnsley", "Rotherham"),
        # a verb and a surname, not the councils of Reading and Kent
        ("Reading the report, Mr Kent asked... Reading age improved. Doncaster's schools.", None),
        ("Doncaster 24% against Rotherham 22%", None),  # a comparison, no single authority
        ("North Yorkshire and York", None),
        ("Services in North East Lincolnshire: North East Lincolnshire Council", "North East Lincolnshire"),
        ("", None),
    ],
)
def test_recognise_authority(text, expected):
    assert recognise_authority(text) == expected


# Other councils' papers (corpus/dev), each row read off page 1 (benchmarks/data/gold_facts.tsv
# has all sixteen, with the words printed).
@pytest.mark.parametrize(
    "prefix, expected",
    [
        # "Birmingham City Council / Report to Cabinet / 10th November 2020 / Subject: WORKING WITH THE
        # PRIVATE SECTOR TO DELIVER / TEMPORARY ACCOMMODATION SOLUTIONS"
        ("birmingham", {"authority": "Birmingham", "committee": "Cabinet", "meeting_date": "2020-11-10",
                            "title": "Working with the Private Sector to Deliver Temporary Accommodation Solutions"}),
        # "EDUCATION SCRUTINY COMMITTEE – / 14TH FEBRUARY 2023 / SUBJECT: EARLY YEARS – ..."; "Caerphilly CBC" (p3)
        ("caerphilly", {"authority": "Caerphilly", "committee": "Education Scrutiny Committee",
                            "meeting_date": "2023-02-14"}),
        # "CYNGOR DINAS CAERDYDD / CITY OF CARDIFF COUNCIL / CABINET MEETING: 10 NOVEMBER 2016 / COMMISSIONING ..."
        ("cardiff", {"authority": "Cardiff", "committee": "Cabinet", "meeting_date": "2016-11-10",
                         "title": "Commissioning Approach for Flying Start Childcare Places"}),
        # "MERTHYR TYDFIL COUNTY BOROUGH COUNCIL / ... Date Written 16th February 2012 / ... / Committee
        # Division Cabinet / Committee Date 29th February 2012 / ... / Flying Start Expansion"
        ("merthyr-tydfil_cabinet_2012-02-29", {"authority": "Merthyr Tydfil", "committee": "Cabinet",
                                                   "meeting_date": "2012-02-29", "title": "Flying Start Expansion"}),
        # "INFORMATION REPORT" with no committee label: "To update Cabinet on the planned developments"
        ("merthyr-tydfil_cabinet_2012-10-24", {"committee": "Cabinet", "meeting_date": "2012-10-24"}),
        # Kent's own name heads the minutes; Medway Council is named in them (page 2) but did not publish them.
        ("kent_county-council_2025-01-09", {"kind": "minutes", "authority": "Kent", "committee": "County Council",
                                                "meeting_date": "2025-01-09",
                                                "title": "Minutes: County Council, 9 January 2025"}),
        # "A meeting of the Audit Committee will be held: / Date: 22 October 2009": the agenda pack.
        ("merton", {"kind": "agenda", "authority": "Merton", "committee": "Audit Committee", "meeting_date": "2009-10-22"}),
        # "Newbiggin Parish Council - 3 rd September 2019": a parish council, as itself.
        ("newbiggin", {"kind": "minutes", "authority": "Newbiggin Parish Council", "committee": "Parish Council",
                           "meeting_date": "2019-09-03"}),
        # "KENT COUNTY COUNCIL ACTION TO / IMPROVE HEALTH AND WELLBEING / INFORMING THE IC STRATEGY AND JHWS"
        ("kent_cabinet_2025-01-30", {"authority": "Kent", "committee": None, "meeting_date": None}),
    ],
)
def test_describe_other_councils_papers(corpus_pdf, prefix, expected):
    found = facts(corpus_pdf(prefix))
    assert {name: getattr(found, name) for name in expected} == expected


def test_authority_list_covers_the_united_kingdom():
    authorities = load_authorities()
    by_name = {a.name: a for a in authorities}
    assert {a.nation for a in authorities} == {"England", "Wales", "Scotland", "Northern Ireland"}
    assert sum(a.nation == "Wales" and a.la_type == "Principal Council" for a in authorities) == 22
    assert sum(a.nation == "Scotland" and a.la_type == "Council Area" for a in authorities) == 32
    assert sum(a.la_type == "District Council" and not a.end_date for a in authorities) == 11
    assert by_name["Merthyr Tydfil"].register == "principal-local-authority:MTY"
    assert "Cyngor Dinas Caerdydd" in by_name["Cardiff"].aliases
    assert by_name["Gloucester"].official_name == "Gloucester City Council"
    for kind in ("Combined Authority", "National Park Authority", "Fire and Rescue Authority",
                 "Police and Crime Commissioner", "District Council", "Non-metropolitan District"):
        assert any(a.la_type == kind for a in authorities), kind
    # An abolished council stays, with its end: old papers are by it.
    assert by_name["Northamptonshire"].end_date == "2021-03-31"


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["Newbiggin Parish Council - 3 rd September 2019"], "Newbiggin Parish Council"),
        (["ROYAL SUTTON COLDFIELD TOWN COUNCIL", "Minutes of the meeting"], "Royal Sutton Coldfield Town Council"),
        (["Birmingham City Council", "Report to Cabinet"], None),  # a principal council, not a town council
    ],
)
def test_town_and_parish_councils_are_recognised_as_themselves(lines, expected):
    from scrutiny.authorities import local_council

    assert local_council(lines) == expected


def test_a_royal_sutton_coldfield_paper_is_not_birmingham():
    pages = [Page(1, "ROYAL SUTTON COLDFIELD TOWN COUNCIL\nFULL COUNCIL\n"
                     "Minutes of the meeting held on 4 March 2024\n"
                     "Birmingham City Council officers attended. Birmingham City Council will respond.")]
    assert describe(pages, "minutes.pdf").authority == "Royal Sutton Coldfield Town Council"


def test_the_council_in_the_header_wins_over_one_the_text_names_more():
    from scrutiny.authorities import publisher

    # Kent County Council, 9 January 2025, page 1 heads "KENT COUNTY COUNCIL"; page 2 names Medway
    # Council three times.
    text = "KENT COUNTY COUNCIL\nCOUNTY COUNCIL\n" + "with Medway Council; " * 3
    assert recognise_authority(text) == "Medway"
    assert publisher(text.splitlines()[:2]) == "Kent"


@pytest.mark.parametrize(
    "line, committee",
    [
        ("To: Cabinet – 4 March 2025", "Cabinet"),  # Kent's QPR cover report, page 1
        ("To: County Council – 13 March 2025", "County Council"),  # Kent's treasury report, page 1
        ("To Cabinet", "Cabinet"),  # the issue's form: "To Cabinet" is the committee Cabinet
        ("To: Chairman, Ladies and Gentlemen", None),  # Merthyr Tydfil, page 1: an address, not a committee
    ],
)
def test_a_to_line_names_the_committee(line, committee):
    pages = [Page(1, f"{line}\nSubject: Budget monitoring\n")]
    assert describe(pages, "report.pdf").committee == committee

