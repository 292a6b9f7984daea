"""Minutes in the catalogue: resolutions, actions, agenda items and entities, built with the CLI,
then queried in SQLite and through a real Datasette server (the "trace" canned query)."""

from __future__ import annotations

import csv
import os
import shutil

import sqlite_utils
import yaml
from click.testing import CliRunner
from conftest import REPO
from test_extract_minutes import MODERNGOV_HTML, SEED_004_RESOLUTIONS

from scrutiny.catalogue import minutes as minutes_tables
from scrutiny.cli import cli

METADATA = yaml.safe_load((REPO / "metadata.yml").read_text(encoding="utf-8"))
TRACE_SQL = METADATA["databases"]["catalogue"]["queries"]["trace"]["sql"]


def rows(db_path, sql, params=()):
    with sqlite_utils.Database(db_path) as db:
        return [dict(row) for row in db.query(sql, params)]


def trace(db_path, term):
    return rows(db_path, TRACE_SQL, {"term": term, "authority": ""})  # blank: every council


def sample_only(db_path, found):
    """The rows of ``found`` from the Doncaster, Rotherham and Kent sample (corpus/pdf, corpus/real),
    not from the other councils' documents in corpus/dev (benchmarks/extraction_quality.py)."""
    dev = {row["id"] for row in rows(db_path, "select id from documents where path like 'corpus/dev/%'")}
    return [row for row in found if row["document_id"] not in dev]


def build(paths, db_path):
    result = CliRunner().invoke(cli, ["build", *map(str, paths), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    return result


def test_resolutions_are_catalogued_with_their_meeting(built_catalogue):
    counts = rows(
        built_catalogue,
        "select d.path, count(*) as n, min(r.authority) as authority, min(r.committee) as committee, "
        "min(r.meeting_date) as meeting_date from resolutions r join documents d on d.id = r.document_id "
        "where d.path not like 'corpus/dev/%' group by d.path order by d.path",
    )
    assert [(row["path"], row["n"]) for row in counts] == [
        ("corpus/pdf/004_4b7e043a54d74d09.pdf", 2),
        ("corpus/real/kcc_cabinet_2025-01-09_minutes.pdf", 7),
        ("corpus/real/kcc_corporate_parenting_panel_2024-10-29_minutes.pdf", 11),
    ]
    assert [(r["authority"], r["committee"], r["meeting_date"]) for r in counts] == [
        ("Doncaster", "Children and Young People's Overview and Scrutiny Panel", None),
        ("Kent", "Cabinet", "2025-01-09"),
        ("Kent", "Corporate Parenting Panel", "2024-10-29"),
    ]
    (protocol,) = rows(
        built_catalogue,
        "select * from resolutions where item like 'Item 9:%' and committee = 'Corporate Parenting Panel'",
    )
    assert protocol["item"] == "Item 9: The Joint Housing Protocol for Care Leavers"
    assert protocol["page"] == 7 and protocol["number"] is None
    parts = rows(
        built_catalogue,
        "select number, text, page from resolutions where rowid in "
        "(select rowid from resolutions_fts where resolutions_fts match 'briefing')",
    )
    assert parts == [{"number": "2", "text": SEED_004_RESOLUTIONS[1][1], "page": 3}]


def test_actions_link_to_their_resolution_and_item(built_catalogue):
    (briefing,) = rows(
        built_catalogue,
        "select a.text, a.owner, r.number, i.title from actions a join resolutions r on r.id = a.resolution_id "
        "join agenda_items i on i.id = a.agenda_item_id where a.text like 'a briefing note%'",
    )
    assert briefing["number"] == "2"
    assert briefing["title"] == "Performance Challenge of Doncaster Children's Services Trust: Quarter 4, 2017/18"
    offered = rows(built_catalogue, "select owner, page, item from actions where owner = 'Ms Coombs'")
    assert offered == [{"owner": "Ms Coombs", "page": 4, "item": (
        "Item 6: Adoption Partnership South East, Regional Adoption Agency Annual Report 2023/2024"
    )}]


def test_trace_lists_resolutions_and_actions_in_date_order(built_catalogue):
    # "minutes ... were a correct record": Kent CPP 29 October 2024 (page 1), Kent Cabinet 9 January 2025 (page 1)
    found = sample_only(built_catalogue, trace(built_catalogue, "correct record"))
    assert [(r["meeting_date"], r["committee"], r["kind"], r["page"]) for r in found] == [
        ("2024-10-29", "Corporate Parenting Panel", "resolution", 1),
        ("2025-01-09", "Cabinet", "resolution", 1),
    ]
    # Across authorities: Kent's dated resolutions first, then Doncaster's undated minutes (seed 004)
    # whose resolution (2) asks for a briefing note on re-offending: the resolution, then its action.
    noted = sample_only(built_catalogue, trace(built_catalogue, "noted"))
    dates = [r["meeting_date"] for r in noted]
    assert dates == sorted(d for d in dates if d) + [None] * dates.count(None)
    assert {r["authority"] for r in noted} == {"Kent", "Doncaster"}
    reoffending = sample_only(built_catalogue, trace(built_catalogue, "re-offending"))
    assert [(r["authority"], r["kind"], r["number"]) for r in reoffending] == [
        ("Doncaster", "resolution", "2"),
        ("Doncaster", "action", "2"),
    ]


def test_entities_are_linked_to_the_items_that_name_them(built_catalogue):
    named = rows(
        built_catalogue,
        "select e.name, e.kind, e.role, m.page, m.mentions, i.number from entities e "
        "join entity_mentions m on m.entity_id = e.id join agenda_items i on i.id = m.agenda_item_id "
        "join documents d on d.id = e.document_id where d.path like '%corporate_parenting%' "
        "and e.name = 'Joanne Carpenter'",
    )
    assert named == [
        {"name": "Joanne Carpenter", "kind": "person", "role": "Participation and Engagement Manager",
         "page": 2, "mentions": 1, "number": "4"}
    ]


def test_trace_through_datasette(start_server, catalogue_copy):
    server = start_server("serve", "--db", str(catalogue_copy))
    found = server.get("/catalogue/trace.json", term="briefing note", _shape="array").json()
    assert [(r["kind"], r["number"], r["text"]) for r in found] == [
        ("resolution", "2", SEED_004_RESOLUTIONS[1][1]),
        ("action", "2", SEED_004_RESOLUTIONS[1][1]),
    ]
    searched = server.get("/catalogue/resolutions.json", _search="endorse", _shape="array").json()
    # Kent Corporate Parenting Panel (page 8) and Kent County Council, 9 January 2025 (page 10).
    assert sorted(r["text"] for r in searched) == [
        ("Endorses the ongoing joint work between KCC, Medway Council and District and Borough Council Leaders "
        "to respond to the English Devolution White Paper"),
        ("Endorses the proposed decision by the Leader of the Council [Cabinet] to submit a request to Government, "
        "jointly with Medway Council, for Kent and Medway to be included in the Devolution Priority Programme"),
        "to endorse the Sufficiency Strategy 2022-2027.",
    ]
    assert "Trace a subject through resolutions and actions" in server.get("/catalogue").text


def test_a_moderngov_minutes_html_file_builds_into_resolutions(tmp_path):
    corpus = tmp_path / "papers"
    corpus.mkdir()
    shutil.copy(MODERNGOV_HTML, corpus / MODERNGOV_HTML.name)
    manifest = corpus / "manifest.csv"

    def write_manifest(committee):
        with manifest.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "authority", "committee", "meeting_date", "title", "kind", "source_url"])
            writer.writerow([MODERNGOV_HTML.name, "Doncaster", committee, "", "", "", ""])

    write_manifest("Children and Young People's Overview and Scrutiny Panel")
    db_path = tmp_path / "catalogue.db"
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        build(["papers"], db_path)
        found = rows(db_path, "select number, text, authority, committee, page from resolutions order by id")
        assert [(r["number"], r["text"], r["page"]) for r in found] == [(n, t, 1) for n, t in SEED_004_RESOLUTIONS]
        assert {r["authority"] for r in found} == {"Doncaster"}

        # A manifest edit reaches the resolutions without reading the file again.
        write_manifest("Overview and Scrutiny Management Committee")
        build(["papers"], db_path)
        assert {r["committee"] for r in rows(db_path, "select committee from resolutions")} == {
            "Overview and Scrutiny Management Committee"
        }

        # A changed file replaces its resolutions rather than adding to them.
        html = (corpus / MODERNGOV_HTML.name).read_text(encoding="utf-8")
        (corpus / MODERNGOV_HTML.name).write_text(html.replace("be noted;", "be noted and welcomed;"), encoding="utf-8")
        build(["papers"], db_path)
        texts = [r["text"] for r in rows(db_path, "select text from resolutions order by id")]
        assert texts == ["the focus of joint improvement work for Quarter 1, be noted and welcomed",
                         SEED_004_RESOLUTIONS[1][1]]
        assert rows(db_path, "select count(*) as n from actions")[0]["n"] >= 1
    finally:
        os.chdir(here)


def test_metadata_describes_every_minutes_table_and_column(built_catalogue):
    described = METADATA["databases"]["catalogue"]["tables"]
    with sqlite_utils.Database(built_catalogue) as db:
        for name in [*minutes_tables.TABLES, "decisions"]:
            table = db.table(name) if name in db.table_names() else db.view(name)
            assert name in described, name
            assert described[name].get("description"), name
            missing = {column.name for column in table.columns} - set(described[name]["columns"])
            assert not missing, (name, missing)


# --- Minutes reprinted in a later meeting's agenda pack: kept once, under the meeting that made them --

MERTON_PACK = REPO / "corpus" / "dev" / "merton_audit-committee_2009-09-24_minutes.pdf"
MERTON_MEETING = "select count(*) as n, min(reprinted) as low, max(reprinted) as high, min(d.path) as path " \
    "from resolutions r join documents d on d.id = r.document_id where r.meeting_date = '2009-09-24'"


def _merton_folders(tmp_path):
    """The agenda pack of 22 October 2009 as published, and the minutes of 24 September 2009 on their
    own: the pack's pages 3-7, cut out of it unchanged (pikepdf), as a council publishes minutes."""
    import pikepdf

    pack = tmp_path / "pack"
    pack.mkdir()
    shutil.copy(MERTON_PACK, pack / "merton_pack_2009-10-22.pdf")
    (pack / "manifest.csv").write_text(
        "file,authority,committee,meeting_date,kind\nmerton_pack_2009-10-22.pdf,Merton,Audit Committee,2009-10-22,agenda\n"
    )
    minutes = tmp_path / "minutes"
    minutes.mkdir()
    with pikepdf.open(MERTON_PACK) as source, pikepdf.new() as cut:
        cut.pages.extend(source.pages[2:7])
        cut.save(minutes / "merton_minutes_2009-09-24.pdf")
    (minutes / "manifest.csv").write_text(
        "file,authority,committee,meeting_date,kind\nmerton_minutes_2009-09-24.pdf,Merton,Audit Committee,2009-09-24,minutes\n"
    )
    return pack, minutes


def test_reprinted_minutes_are_kept_under_their_meeting_and_once(tmp_path):
    pack, minutes = _merton_folders(tmp_path)
    db_path = tmp_path / "catalogue.db"
    build([pack], db_path)
    # The pack alone: its reprint is the only record of 24 September 2009, kept under that date.
    (alone,) = rows(db_path, MERTON_MEETING)
    assert (alone["n"], alone["low"], alone["high"]) == (5, 1, 1)
    assert rows(db_path, "select count(*) as n from resolutions where meeting_date = '2009-10-22'") == [{"n": 0}]
    items = rows(db_path, "select distinct meeting_date, reprinted from agenda_items")
    assert items == [{"meeting_date": "2009-09-24", "reprinted": 1}]
    # The meeting's own minutes arrive: they take the reprint's place.
    build([pack, minutes], db_path)
    (own,) = rows(db_path, MERTON_MEETING)
    assert (own["n"], own["low"], own["high"]) == (5, 0, 0)
    assert own["path"].endswith("merton_minutes_2009-09-24.pdf")
    assert rows(db_path, "select count(*) as n from agenda_items where reprinted = 1") == [{"n": 0}]


def test_a_pack_read_after_the_minutes_adds_no_second_copy(tmp_path):
    pack, minutes = _merton_folders(tmp_path)
    db_path = tmp_path / "catalogue.db"
    build([minutes], db_path)
    build([minutes, pack], db_path)
    (once,) = rows(db_path, MERTON_MEETING)
    assert (once["n"], once["low"], once["high"]) == (5, 0, 0)
    # The pack is still catalogued (its pages are searchable), without a second set of decisions.
    documents = rows(db_path, "select path from documents order by path")
    assert len(documents) == 2
