"""Make scrutiny/data/official_values.csv from the DfE statistics files.

Usage: python scripts/make_official_values.py FOLDER  (holding the four DfE files, downloaded)

Reads four files published by the Department for Education on explore-education-statistics
(Open Government Licence v3.0) and writes the values of registry measures for England, every
region and every local authority, one row a value. Suppressed cells ("c", "x", "z", ...) are
left out. A "Reporting year" of 2016 is the year ending 31 March 2016; counts "on 31 March"
are a day, not a year.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "scrutiny" / "data" / "official_values.csv"
COLUMNS = ["measure_id", "area", "area_code", "level", "period", "period_start", "period_end",
           "value", "unit", "source", "description"]


def year_to_march(year: int, years: int = 1) -> tuple[str, str]:
    """The ``years`` years ending 31 March ``year``."""
    return date(year - years, 4, 1).isoformat(), date(year, 3, 31).isoformat()


def on_31_march(year: int) -> tuple[str, str]:
    day = date(year, 3, 31).isoformat()
    return day, day


# file, which rows, value column, measure id, unit, the period a row covers
SERIES = [
    ("dfe_csc_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
     lambda row: True, "rereferral_percent", "re-referrals-12-months", "%", year_to_march,
     "Re-referrals within 12 months of a previous referral (%)"),
    ("dfe_csc_c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
     lambda row: True, "referral_count", "referrals-count", "count", year_to_march,
     "Referrals (number)"),
    ("dfe_csc_d3_cpps_subsequent_plan_2013_to_2025.csv",
     lambda row: True, "CPP_subsequent_percent", "cp-plans-second-or-subsequent", "%", year_to_march,
     "Child Protection Plans which are a second or subsequent plan (%)"),
    ("dfe_csc_cla_number_and_rate_per_10k_children.csv",
     lambda row: row["population_type"] == "Children looked after on 31 March each year",
     "rate_per_10000", "cla-rate-per-10000", "rate per 10,000", on_31_march,
     "Children looked after on 31 March each year: rate per 10,000 children"),
    ("dfe_csc_cla_number_and_rate_per_10k_children.csv",
     lambda row: row["population_type"] == "Children looked after on 31 March each year",
     "children_count", "cla-count", "count", on_31_march,
     "Children looked after on 31 March each year: number"),
    ("dfe_csc_la_cla_placement_stability.csv",
     lambda row: row["placement_stability"] == "With 3 or more placements during the year",
     "children_percent", "placement-moves-3-or-more", "%", year_to_march,
     "CLA on 31 March: with 3 or more placements during the year (%)"),
    ("dfe_csc_la_cla_placement_stability.csv",
     lambda row: row["placement_stability"] == "With 3 or more placements during the previous 2 years",
     "children_percent", "placement-moves-3-or-more-2-years", "%",
     lambda year: year_to_march(year, 2),
     "CLA 2 years on 31 March: with 3 or more placements during the previous 2 years (%)"),
    ("dfe_csc_la_cla_placement_stability.csv",
     lambda row: row["placement_stability"] == "Living with the same carer for at least 2 years",
     "children_percent", "placement-stability-long-term", "%", on_31_march,
     "Children looked after continuously for at least 2.5 years on 31 March aged under 16: "
     "living with the same carer for at least 2 years (%)"),
]


def area(row: dict) -> tuple[str, str]:
    level = row["geographic_level"]
    if level == "National":
        return row["country_name"], row["country_code"]
    if level == "Regional":
        return row["region_name"], row["region_code"]
    return row["la_name"], row["new_la_code"]


def main(folder: str) -> None:
    out = []
    for name, wanted, column, measure_id, unit, period, description in SERIES:
        with open(Path(folder) / name, encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                if row["time_identifier"] != "Reporting year" or not wanted(row):
                    continue
                try:
                    value = float(row[column])
                except ValueError:  # suppressed: "c", "x", "z", "low", ...
                    continue
                where, code = area(row)
                start, end = period(int(row["time_period"]))
                out.append({
                    "measure_id": measure_id, "area": where, "area_code": code,
                    "level": row["geographic_level"], "period": row["time_period"],
                    "period_start": start, "period_end": end, "value": f"{value:g}", "unit": unit,
                    "source": f"DfE, {name}", "description": description,
                })
    out.sort(key=lambda r: (r["measure_id"], r["level"] != "National", r["level"], r["area"], r["period"]))
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"{OUT}: {len(out)} values")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
