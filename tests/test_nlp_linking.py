"""Linking reported measures to the registry, across authorities and years (scrutiny.nlp.linking).

The pairs are ones a person expects from reading the bundled papers; each names the page the
title is printed on. Seed 000: Doncaster Children's Services Trust performance challenge, Q1
2016/17. Seed 002: Rotherham performance report, January 2016/17. Seed 003: Doncaster Trust's
annual letter. The catalogue is the bundled corpus built once (``built_catalogue``).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from scrutiny.cli import cli
from scrutiny.periods import normalise_unit
from scrutiny.records import IndicatorRef
from scrutiny.registry import REVIEW_COLUMNS, load_official_values, load_registry

REPO = Path(__file__).resolve().parent.parent


def _link(db: sqlite_utils.Database, seed: str, title: str, page: int | None = None) -> dict:
    """The link of the indicators in document ``seed`` whose title starts with ``title``."""
    rows = list(db.query(
        """
        select i.id, i.code, i.title, i.measure_id as copied, l.* from indicators i
        join documents d on d.id = i.document_id
        left join measure_links l on l.indicator_id = i.id
        where d.path like ? and i.title like ? and (? is null or i.page = ?)
        """,
        [f"%{seed}%", title + "%", page, page],
    ))
    # A title printed twice (seed 002 names "Re-referral rates" on p2 and p5) must link the same way.
    assert rows and len({(r["measure_id"], r["status"]) for r in rows}) == 1, (
        f"{seed} {title!r}: {[(r['code'], r['title'], r['measure_id'], r['status']) for r in rows]}"
    )
    return rows[0]


@pytest.fixture(scope="module")
def db(built_catalogue):
    with sqlite_utils.Database(built_catalogue) as database:
        yield database


# (seed, title as printed, page) for measures that must all link to one registry measure.
SAME_MEASURE = {
    "re-referrals-12-months": [
        ("000_", "Re-referrals in the last 12 months", 7),  # Doncaster A1, measure table
        ("002_", "Re-referral rates", 2),  # Rotherham, prose: "Re-referral rates ... 22.7%"
        ("003_", "re-referral rate", 2),  # Doncaster annual letter
    ],
    "assessments-45-working-days": [
        ("000_", "Timeliness of Single Assessments", 9),  # Doncaster A2
        ("002_", "proportion of assessments completed in 45 working days", 3),
    ],
    # A repeat plan within two years, not the DfE's second or subsequent plan at any time.
    "cp-plans-second-within-2-years": [
        ("000_", "Children Subject CP Plan Second or Subsequent Time", 7),  # A09 "... within a 2 year period"
        ("002_", "proportion of children starting a new CPP who are on their second", 7),  # "... within 24 months"
    ],
    "placement-moves-3-or-more": [
        ("000_", "Stability of Placement of Looked After Children", 13),  # B10 "3 or more moves in 12 months"
        ("002_", "proportion of children who have had three or more placements", 8),
        ("003_", "children experiencing three or more moves in a year", 2),
    ],
    "care-leavers-eet": [
        ("000_", "Care Leavers in Employment, Education and Training", 11),  # B13, table
        ("000_", "Percentage of Care Leavers (aged 19-21) in Employment", 13),  # "New –" in the list
        ("002_", "care leavers were in EET", 9),
    ],
    "dental-checks": [
        ("000_", "dental checks", 12),  # E20-22, one of three measures in one cell
    ],
    "placement-stability-long-term": [
        ("000_", "Long Term Stability of CiC", 7),  # B9
        ("000_", "Long term placement stability of looked after children", 13),  # the list's "B8"
    ],
}


@pytest.mark.parametrize("measure_id", sorted(SAME_MEASURE))
def test_measures_a_person_would_match_link_to_one_registry_measure(db, measure_id):
    for seed, title, page in SAME_MEASURE[measure_id]:
        link = _link(db, seed, title, page)
        assert link["measure_id"] == measure_id, (title, link["evidence"])
        assert link["status"] == "automatic", (title, link["score"], link["evidence"])
        assert link["copied"] == measure_id  # indicators.measure_id filled for faceting
        assert title.split()[-1].lower() in link["evidence"].lower()  # evidence quotes the title


def test_the_re_referral_measure_is_the_national_one(db):
    measure = db["measures"].get("re-referrals-12-months")
    assert (measure["source"], measure["code"], measure["unit"], measure["polarity"]) == (
        "LAIT", "271", "%", "lower is better"
    )
    # values of Doncaster's A1 carry the measure too (seed 000 p7: "Q1 = 24%")
    values = list(db.query(
        "select v.value from indicator_values v join indicators i on i.id = v.indicator_id "
        "where i.code = 'A1' and v.measure_id = 're-referrals-12-months' and v.kind = 'actual'"
    ))
    assert 24.0 in [row["value"] for row in values]


def test_the_trust_list_codes_follow_the_table_codes(db):
    # Seed 000 p13 lists "A5 - Percentage of children becoming the subject of Child Protection
    # Plan for a second or subsequent time" and "B8 – Long term placement stability ..."; the
    # tables (p7) call them A09 and B9.
    a5 = _link(db, "000_", "Percentage of children becoming the subject of Child Protection Plan")
    a09 = _link(db, "000_", "Children Subject CP Plan Second or Subsequent Time")
    assert (a5["code"], a09["code"]) == ("A5", "A09")
    # The list leaves off A09's "within a 2 year period": A5 may be A09 or the DfE's measure.
    assert a09["measure_id"] == "cp-plans-second-within-2-years" and a09["status"] == "automatic"
    assert (a5["measure_id"], a5["status"]) == ("cp-plans-second-or-subsequent", "pending")
    b8 = _link(db, "000_", "Long term placement stability of looked after children")
    b9 = _link(db, "000_", "Long Term Stability of CiC")
    assert (b8["code"], b9["code"]) == ("B8", "B9") and b8["measure_id"] == b9["measure_id"]
    # ... while the B8 of the table's section D is another measure (p13: "B8 – Average length of care proceedings")
    proceedings = _link(db, "000_", "Average length of care proceedings")
    assert proceedings["code"] == "B8" and proceedings["measure_id"] == "care-proceedings-length"


@pytest.mark.parametrize(
    "first, second",
    [
        # seed 000 prints B13 for both (p8 and p11): a code is not an identity
        (("000_", "Care Leavers in Suitable Accommodation"), ("000_", "Care Leavers in Employment, Education and Training")),
        # seed 000 p12: one E20-22 cell holds health assessments and dental checks
        (("000_", "(Volumetric measures) Children in Care with up to date: health assessment"), ("000_", "dental checks")),
        # seed 002 p8: health assessment reviews and dental checks side by side
        (("002_", "Health Assessment reviews"), ("002_", "timeliness of dental checks")),
        # seed 002 p5 "percentage of referrals progressing to an assessment" vs p2 re-referrals
        (("002_", "percentage of referrals progressing"), ("002_", "Re-referral rates")),
    ],
)
def test_measures_that_must_stay_apart(db, first, second):
    one, other = _link(db, *first), _link(db, *second)
    assert one["measure_id"] and other["measure_id"]
    assert one["measure_id"] != other["measure_id"]


def test_stay_apart_pairs_name_the_right_measures(db):
    assert _link(db, "000_", "Care Leavers in Suitable Accommodation")["measure_id"] == "care-leavers-suitable-accommodation"
    assert _link(db, "000_", "(Volumetric measures) Children in Care")["measure_id"] == "health-assessments"
    assert _link(db, "002_", "percentage of referrals progressing")["measure_id"] == "referrals-to-assessment"


def test_a_measure_follows_a_sure_one_in_the_same_paper(db):
    # seed 002 p5 "the timeliness of the assessments being completed" names no measure the
    # registry knows on its own; p3's "proportion of assessments completed in 45 working
    # days" is the same measure, with a similar title and the same values.
    link = _link(db, "002_", "timeliness of the assessments")
    assert link["method"] == "code-history"
    assert link["measure_id"] == "assessments-45-working-days"
    assert "proportion of assessments completed in 45 working days" in link["evidence"]


def test_status_counts_are_reported_and_summaries_are_not_linked(db):
    counts = dict(db.execute("select status, count(*) from measure_links group by status").fetchall())
    assert counts.get("automatic", 0) > 50 and counts.get("pending", 0) > 0
    # "Social Care Pathway – Outside tolerance" (seed 000 p2) counts measures; it names none
    rows = list(db.query(
        "select l.measure_id from indicators i left join measure_links l on l.indicator_id = i.id "
        "where i.title like '%tolerance%' or i.title like 'Indicators rated%'"
    ))
    assert rows and all(row["measure_id"] is None for row in rows)


# --- the linker on its own ----------------------------------------------------------


def _ref(number: int, title: str, unit: str | None = "%", code: str | None = None,
         authority: str = "Doncaster", values: tuple[float, ...] = (), polarity: str | None = None) -> IndicatorRef:
    return IndicatorRef(number, 1, authority, code, title, unit, polarity, None, None, values)


def test_synonyms_make_one_spelling_and_keep_numbers_apart():
    from scrutiny.nlp.linking import normalise_many

    cic, lac, cla = normalise_many(["CiC placements", "LAC placements", "looked after children placements"])
    assert cic.words == lac.words == cla.words
    moves = normalise_many(["children experiencing three or more moves in a year"])[0]
    assert "3" in moves.numbers and "3" not in moves.words


def test_unit_and_polarity_must_agree():
    from scrutiny.nlp.linking import link

    registry = load_registry()
    by_id = {link.indicator_id: link for link in link([
        _ref(1, "Referrals", unit="rate per 10,000"),
        _ref(2, "Re-referrals in the last 12 months", unit="count"),  # the registry's is a %
        _ref(3, "Re-referrals in the last 12 months", polarity="higher is better"),  # it is lower
        _ref(4, "Re-referrals in the last 12 months", polarity="lower is better"),
    ], registry)}
    assert by_id[1].measure_id == "referrals-rate-per-10000"
    assert 2 not in by_id and 3 not in by_id
    assert by_id[4].measure_id == "re-referrals-12-months"


def test_same_code_and_similar_title_carry_a_measure_but_a_code_alone_does_not():
    from scrutiny.nlp.linking import link

    registry = load_registry()
    refs = [
        _ref(1, "Care Leavers in Employment, Education and Training (age 19- 21)", code="B13", values=(39.3,)),
        _ref(2, "Care Leavers EET outturn", code="B13", values=(41.0,)),  # weak alone, same code
        _ref(3, "Care Leavers in Suitable Accommodation (aged 19 – 21)", code="B13", values=(87.7,)),
        _ref(4, "Care Leavers in touch", code="B13", values=(90.0,)),  # same code, another measure
    ]
    by_id = {link.indicator_id: link for link in link(refs, registry)}
    assert by_id[1].measure_id == "care-leavers-eet"
    assert by_id[3].measure_id == "care-leavers-suitable-accommodation"
    assert by_id[2].measure_id == "care-leavers-eet"
    assert 4 not in by_id or by_id[4].status == "pending"


def test_registry_data_is_well_formed():
    registry = load_registry()
    ids = [measure.id for measure in registry.measures]
    assert len(ids) == len(set(ids))
    for measure in registry.measures:
        assert measure.id == measure.id.lower() and " " not in measure.id
        assert measure.polarity in (None, "higher is better", "lower is better"), measure.id
        if measure.unit:  # spelled as the indicators spell units
            assert normalise_unit({"count": "number of"}.get(measure.unit, measure.unit)) == measure.unit, measure.id
    known = set(ids)
    assert {value.measure_id for value in load_official_values()} <= known


# --- official values ------------------------------------------------------------------


def test_official_re_referrals_for_doncaster_rotherham_and_england(db):
    # dfe_csc_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv, rows for 2016:
    # line 1528 "2016,...,371,E08000017,Doncaster,...,4479,1030,23,..."; line 1536
    # "...372,E08000018,Rotherham,...,4599,1286,28,..."; line 1478 "2016,...,National,...,22.5".
    rows = {
        row["area"]: row
        for row in db.query(
            "select * from official_values where measure_id = 're-referrals-12-months' and period = '2016'"
        )
    }
    assert rows["Doncaster"]["value"] == 23.0 and rows["Doncaster"]["area_code"] == "E08000017"
    assert rows["Rotherham"]["value"] == 28.0
    assert rows["England"]["value"] == 22.5 and rows["England"]["level"] == "National"
    assert (rows["Doncaster"]["period_start"], rows["Doncaster"]["period_end"]) == ("2015-04-01", "2016-03-31")


def test_official_counts_on_31_march_are_a_day(db):
    # dfe_csc_cla_number_and_rate_per_10k_children.csv line 1173: 2023, Doncaster, "Children
    # looked after on 31 March each year", 540 children, rate 83
    row = next(db.query(
        "select * from official_values where measure_id = 'cla-rate-per-10000' and area = 'Doncaster' and period = '2023'"
    ))
    assert row["value"] == 83.0 and row["period_start"] == row["period_end"] == "2023-03-31"
    # dfe_csc_la_cla_placement_stability.csv line 341: 2025, Doncaster, 3 or more placements
    # during the previous 2 years, 21%
    row = next(db.query(
        "select * from official_values where measure_id = 'placement-moves-3-or-more-2-years' "
        "and area = 'Doncaster' and period = '2025'"
    ))
    assert row["value"] == 21.0 and (row["period_start"], row["period_end"]) == ("2023-04-01", "2025-03-31")


# --- review file and rebuilds -----------------------------------------------------------------


def _build(db_path: Path, *args: str):
    here = os.getcwd()
    os.chdir(REPO)  # as the catalogue was built: documents.path is corpus/...
    try:
        result = CliRunner().invoke(cli, ["build", "--db", str(db_path), *args])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    return result


def test_the_next_build_respects_the_review_file(catalogue_copy):
    review = catalogue_copy.with_name("catalogue.review.csv")  # the default place, beside the catalogue
    with open(review, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(REVIEW_COLUMNS)
        # seed 002 p8 "the timeliness of dental checks is declining at 66.1%": pending, confirmed here
        writer.writerow(["Rotherham", "", "timeliness of dental checks", "dental-checks", "confirm", "checked p8"])
        # seed 000 p7, A1: rejected -> no other candidate is good enough, so a rejected row stays
        writer.writerow(["Doncaster", "A1", "Re-referrals in the last 12 months", "re-referrals-12-months", "reject", ""])
        # relink: seed 001's "NEETS" grid (Doncaster 2013/14) to the NEET-or-not-known measure
        writer.writerow(["Doncaster", "", "NEETS", "neet-or-not-known-16-17", "confirm", ""])
        writer.writerow(["Doncaster", "A2", "Timeliness of Single Assessments", "no-such-measure", "confirm", ""])
        writer.writerow(["Doncaster", "A3", "Case File Audits rated as Requires Improvement or better", "", "", ""])
    result = _build(catalogue_copy)
    assert "1 problems" in result.output and "measure links: 2 confirmed" in result.output
    with sqlite_utils.Database(catalogue_copy) as db:
        dental = _link(db, "002_", "timeliness of dental checks")
        assert (dental["status"], dental["method"], dental["score"]) == ("confirmed", "review", 100.0)
        assert "checked p8" in dental["evidence"]
        a1 = _link(db, "000_", "Re-referrals in the last 12 months")
        assert (a1["status"], a1["copied"]) == ("rejected", None)
        # the same title in the Trust's list (p13, lower case) is another key: still linked
        assert _link(db, "000_", "percentage of re-referrals in last 12 months")["measure_id"] == "re-referrals-12-months"
        assert _link(db, "001_", "NEETS")["measure_id"] == "neet-or-not-known-16-17"
        problem = next(db.query("select * from problems where stage = 'review'"))
        assert "Line 5" in problem["error"] and "no-such-measure" in problem["error"]
        # Nothing changed since: the next build does not relink (and says the same)
        inputs = dict(db.execute("select name, sha256 from measure_inputs").fetchall())
    again = _build(catalogue_copy)
    assert "25 unchanged" in again.output and "measure links: 2 confirmed" in again.output
    with sqlite_utils.Database(catalogue_copy) as db:
        assert dict(db.execute("select name, sha256 from measure_inputs").fetchall()) == inputs
    # Deleting the file undoes the decisions at the next build
    review.unlink()
    _build(catalogue_copy)
    with sqlite_utils.Database(catalogue_copy) as db:
        assert _link(db, "000_", "Re-referrals in the last 12 months")["status"] == "automatic"


def test_a_build_with_nothing_new_does_not_load_spacy(catalogue_copy):
    probe = (
        "import sys, scrutiny; s = scrutiny.build(None, sys.argv[1], workers=1); "
        "print(s); print('spacy' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(catalogue_copy)], cwd=REPO, capture_output=True, text=True, check=True
    )
    summary, loaded = result.stdout.strip().splitlines()
    assert "25 unchanged" in summary and "measure links:" in summary
    assert loaded == "False"


def test_links_command_lists_pending_links_as_a_review_file(built_catalogue):
    result = CliRunner().invoke(cli, ["links", "--db", str(built_catalogue), "--pending", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.output.splitlines()))
    assert rows and all(row["status"] == "pending" for row in rows)
    assert list(rows[0])[: len(REVIEW_COLUMNS)] == REVIEW_COLUMNS
    listed = CliRunner().invoke(cli, ["links", "--db", str(built_catalogue), "--status", "automatic"])
    assert "re-referrals-12-months" in listed.output
    missing = CliRunner().invoke(cli, ["links", "--db", "/nonexistent/x.db"])
    assert missing.exit_code == 1 and "scrutiny build" in missing.output


def test_canned_queries_put_a_reported_value_next_to_the_official_one(db):
    queries = yaml.safe_load((REPO / "metadata.yml").read_text(encoding="utf-8"))["databases"]["catalogue"]["queries"]
    rows = list(db.query(queries["measure_side_by_side"]["sql"], {"measure_id": "re-referrals-12-months"}))
    # seed 000 p7: A1 "Q1 = 24%" (2016/17); dfe_csc_c1 ... 2017 Doncaster rereferral_percent 27.1,
    # England 21.9 (the year ending 31 March 2017 contains Q1 2016/17)
    a1 = next(row for row in rows if row["code"] == "A1" and row["period"] == "Q1")
    assert (a1["reported"], a1["official_year"], a1["official"], a1["england"]) == (24.0, "2017", 27.1, 21.9)
    assert {row["authority"] for row in rows} == {"Doncaster", "Rotherham"}
    pending = list(db.query(queries["links_to_review"]["sql"]))
    assert pending and all(row["score"] < 80 for row in pending)


def test_a_review_file_without_the_columns_is_reported_not_guessed(tmp_path):
    from scrutiny.registry import load_reviews

    review = tmp_path / "catalogue.review.csv"
    review.write_text("title;measure;decision\nRe-referrals;re-referrals-12-months;confirm\n", encoding="utf-8")
    reviews, problems = load_reviews(review, {"re-referrals-12-months"})
    assert reviews == []
    assert len(problems) == 1 and "authority,code,title,measure_id,decision,note" in problems[0].error
    # A file that isn't there means no decisions yet, not a problem
    assert load_reviews(tmp_path / "missing.csv", set()) == ([], [])


def test_a_pooled_build_makes_the_links_a_one_process_build_makes(tmp_path):
    """With a pool, workers read the documents and the builder runs spaCy and links; with
    --workers 1, one process does everything. The links must not depend on which it was."""
    from scrutiny.pipeline import build

    alone, pooled = tmp_path / "alone.db", tmp_path / "pooled.db"
    build(None, alone, workers=1)
    build(None, pooled, workers=2)

    def links(path: Path) -> set[tuple]:
        with sqlite_utils.Database(path) as db:
            return {
                tuple(row.values())
                for row in db.query(
                    "select d.path, i.key, l.measure_id, l.method, l.score, l.status, l.evidence "
                    "from measure_links l join indicators i on i.id = l.indicator_id "
                    "join documents d on d.id = i.document_id"
                )
            }

    made_alone = links(alone)
    assert len(made_alone) > 50
    assert links(pooled) == made_alone


def test_a_repeat_plan_within_two_years_is_not_the_dfes_repeat_plan_at_any_time(db):
    """Issue 16: "a 'second plan within two years' measure plotted against the DfE's 'second
    time ever' series". Seed 000 p7: "A09 Children Subject CP Plan Second or Subsequent Time
    within a 2 year period Q1 = 8%"; seed 002 p7: "the proportion of children starting a new CPP
    who are on their second or subsequent plan within 24 months ... reached 8.8%". The DfE's
    figure (official_values) counts a second plan at any time: it is not drawn with them."""
    for seed, title in (("000_", "Children Subject CP Plan Second or Subsequent Time"),
                        ("002_", "proportion of children starting a new CPP")):  # fmt: skip
        link = _link(db, seed, title)
        assert link["measure_id"] == "cp-plans-second-within-2-years", link["evidence"]
    assert db["official_values"].count_where("measure_id = 'cp-plans-second-within-2-years'") == 0
    assert db["official_values"].count_where("measure_id = 'cp-plans-second-or-subsequent'") > 1000
    # Seed 003 p2, Doncaster's annual letter: "... becoming subject to a Child Protection Plan for
    # second or subsequent time from 16% ... to 13%": no window printed, and Doncaster reports
    # the two-year one (A09, target 16%): a person decides.
    letter = _link(db, "003_", "children and young people becoming subject to a Child Protection Plan")
    assert letter["status"] == "pending" and "within 2 years" in letter["evidence"], letter["evidence"]


def test_a_not_known_share_is_not_neet_or_not_known(db):
    """Issue 16: "a 'Not Known' share shown as 'NEET or not known'". Seed 002 p4: "the proportion
    of young people not in education, employment or training (NEET) was 3.2% and a Not Known
    figure of 2.8%": two shares, neither of them the DfE's "NEET or not known"."""
    rows = list(db.query(
        "select i.title, l.measure_id from indicators i join documents d on d.id = i.document_id "
        "left join measure_links l on l.indicator_id = i.id where d.path like '%002_%' and i.title = 'Not Known'"
    ))
    assert rows and all(row["measure_id"] is None for row in rows), rows


@pytest.mark.parametrize(
    "title, unit, expected",
    [
        # As the DfE names its own measures (official_values descriptions).
        ("16-17 year olds NEET or Not Known", "%", "neet-or-not-known-16-17"),
        ("Percentage of 16-17 year olds whose activity is not known", "%", None),
        ("Children who became the subject of a plan for a second or subsequent time", "%", "cp-plans-second-or-subsequent"),
        ("Second or subsequent child protection plans within 24 months", "%", "cp-plans-second-within-2-years"),
    ],
)
def test_words_that_redefine_a_measure_must_agree(title, unit, expected):
    from scrutiny.nlp.linking import link

    ref = IndicatorRef(1, 1, "Anywhere", None, title, unit, None, None, None, ())
    links = link([ref], load_registry())
    assert [link.measure_id for link in links if link.status != "pending"] == ([expected] if expected else [])
