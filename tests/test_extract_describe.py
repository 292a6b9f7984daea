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
        ("000", dict(kind="report", authority="Doncaster", meeting_date="2016-09-27",
                     committee="Children and Young People’s Overview and Scrutiny Panel",
                     title="Performance Challenge of the Doncaster Children’s Services Trust")),
        ("002", dict(kind="report", authority="Rotherham", meeting_date="2017-03-22",
                     committee="Improving Lives Select Commission",
                     title="Children's and Young People's Services Performance Report - January 2016/17")),
        ("003", dict(kind="letter", authority="Doncaster", meeting_date=None, committee=None,
                     title="Annual Report of the Doncaster Children's Services Trust "
                           "(1 October 2014 – 30 September 2015)")),
        ("004", dict(kind="minutes", authority="Doncaster", meeting_date=None,
                     title="Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18")),
        ("kcc_cabinet_2025-01-09", dict(kind="minutes", authority="Kent", committee="Cabinet",
                                        meeting_date="2025-01-09")),
        ("kcc_cabinet_2025-03-04_QPR", dict(kind="report", committee="Cabinet", meeting_date="2025-03-04",
                                            title="Quarterly Performance Report, Quarter 3, 2024/25")),
        ("kcc_cabinet_2025-03-04_agenda", dict(kind="agenda", committee="Cabinet", meeting_date="2025-03-04")),
        ("ofsted_ilacs_doncaster", dict(kind="inspection", authority="Doncaster", meeting_date=None,
                                        title="Inspection of Doncaster Metropolitan Borough Council "
                                              "children’s services")),
        ("ofsted_ilacs_rotherham", dict(kind="inspection", authority="Rotherham", meeting_date=None)),
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
