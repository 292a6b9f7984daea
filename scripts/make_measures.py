"""Regenerate the national rows of scrutiny/data/measures.csv from the LAIT data dictionary.

Usage: python scripts/make_measures.py PATH/TO/lait_data_dictionary.csv  (the LAIT data dictionary, downloaded)

The rows taken from LAIT are the ones listed in NATIONAL below (our id -> LAIT "Measure"),
with the dictionary's chart title as the label, its description as the definition, its
polarity ("High"/"Low") in the indicators' wording and its y-axis name as a unit. Rows
whose source is not LAIT (local and DfE measures, written by hand) and every row's
``aliases`` and ``note`` are kept as they are. ``definition`` is published for readers; where
a measure was first seen (document and code) goes in ``note``, which is not published.
Add a pair to NATIONAL to bring another LAIT measure in.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

REGISTRY = Path(__file__).resolve().parent.parent / "scrutiny" / "data" / "measures.csv"
COLUMNS = ["id", "label", "unit", "polarity", "definition", "topic", "source", "code", "aliases", "note"]

# Children's social care measures the sample papers report, plus their near neighbours
# (the ones a linker must keep apart: referrals vs re-referrals, dental vs health checks).
NATIONAL = {
    "referrals-rate-per-10000": "Rates per 10,000 of referrals to Children's Social Services",
    "referrals-count": "Number of referrals to Children's Social Services",
    "re-referrals-12-months": "Percentage of re-referrals to children's social care within 12 months",
    "referrals-no-further-action": "Referrals to children's social care closed with no further action",
    "assessments-45-working-days": "Continuous assessments completed within 45 working days",
    "section-47-rate-per-10000": "Section 47 enquiries rate per 10,000 children",
    "cp-conferences-15-days": "Percentage of child protection conferences held within 15 days",
    "cp-plans-rate-per-10000": "Child Protection Plans rate per 10,000",
    "cp-plans-starting-rate-per-10000": "Rate child protection plans starting during the year (rate per 10,000)",
    "cp-plans-second-or-subsequent": "Percentage of children who became the subject of a plan for a second or subsequent time",
    "cp-plans-2-years-or-more": "Child Protection Plans lasting 2 years or more as at 31 March",
    "cp-reviews-in-timescale": "Review of Child Protection Cases",
    "cin-rate-per-10000": "Children in Need rate per 10,000",
    "cla-rate-per-10000": "Children looked after rate per 10,000",
    "cla-count": "Number of Children looked after",
    "placement-moves-3-or-more": "Placement 1 - % CLA with three or more placements",
    "placement-stability-long-term": "Long Term Placement Stability (%)",
    "dental-checks": "Percentage of CLA having Dental Checks",
    "health-assessments": "Percentage of CLA having Health Checks",
    "immunisations": "Percentage of CLA Had their immunisations up to date",
    "care-leavers-suitable-accommodation": "Care Leavers - Suitable accommodation (%)",
    "care-leavers-eet": "Care Leavers - Education, Employment & Training (EET) (%)",
    "care-leavers-neet": "Care Leavers - NEET (%)",
    "cla-adopted": "Percentage of CLA adopted in year",
    "social-worker-turnover": "Percentage rate of social worker turnover",
    "social-worker-vacancies": "Percentage of social worker vacancies",
    "agency-social-workers": "Percentage of agency social workers",
    "social-worker-caseload": "Average number of cases per children and family social worker (based on FTE counts)",
    "neet-16-17": "16-17 NEET (from 2016)",
    "neet-or-not-known-16-17": "% of 16-17 who are NEET or whose activity is not known(from 2016)",
    "reoffending-10-14": "Re-offending by young offenders (10-14 year olds)",
    "reoffending-15-17": "Re-offending by young offenders (15-17 year olds)",
    "ehcp-20-weeks": "New EHC plans issued within 20 weeks - excluding exceptions",
}

POLARITY = {"High": "higher is better", "Low": "lower is better"}


def unit(axis: str, measure: str) -> str | None:
    """Our unit spelling for LAIT's y-axis name ("% of referrals", "Rate per 10,000")."""
    text = f"{axis} {measure}".lower()
    if "rate per 10,000" in text or "per 10,000" in text:
        return "rate per 10,000"
    if "%" in text or "percent" in text or "turnover rate" in text:
        return "%"
    if axis.lower().startswith("number") or measure.lower().startswith("number"):
        return "count"
    if "case load" in text:
        return "count"
    return None


def main(dictionary: str) -> None:
    with open(dictionary, encoding="utf-8-sig", newline="") as f:
        lait = {row["Measure"].strip(): row for row in csv.DictReader(f)}
    kept: list[dict] = []
    aliases: dict[str, str] = {}
    notes: dict[str, str] = {}
    if REGISTRY.exists():
        with open(REGISTRY, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                aliases[row["id"]] = row.get("aliases", "")
                notes[row["id"]] = row.get("note", "")
                if row["source"] != "LAIT":
                    kept.append(row)
    national = []
    for measure_id, name in NATIONAL.items():
        row = lait.get(name)
        if row is None:
            sys.exit(f"{name!r} is not a Measure in {dictionary}: check the spelling in NATIONAL.")
        national.append(
            {
                "id": measure_id,
                "label": " ".join(row["Chart_title"].split()) or name,
                "unit": unit(row["y_axis_name"], name) or "",
                "polarity": POLARITY.get(row["Polarity"], ""),
                "definition": " ".join(row["Description"].split()),
                "topic": row["Topic"],
                "source": "LAIT",
                "code": "" if row["Measure_code"] == "NA" else row["Measure_code"],
                "aliases": aliases.get(measure_id, ""),
                "note": notes.get(measure_id, ""),
            }
        )
    with open(REGISTRY, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(national + kept)
    print(f"{REGISTRY}: {len(national)} LAIT measures, {len(kept)} others kept")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
