"""Regenerate scrutiny/data/authorities.csv: every UK principal council, from the GOV.UK registers.

Usage: python scripts/make_authorities.py

Reads the registers kept in ``scripts/registers/`` (GOV.UK Registers, Open Government Licence v3.0:
``local-authority-eng``, ``local-authority-sct``, ``principal-local-authority`` (Wales) and
``local-authority-nir``, as archived in the public repository drkane/registers-backup, columns trimmed
to the ones used here) and ``scripts/registers/other_authorities.csv`` (written by hand: councils made
after the registers were frozen in 2021, combined authorities since 2018, national park, fire and
rescue and police bodies).

The rows that have a ``dfe_code`` (the English authorities with children's services, with their DfE
and ONS codes, regions, web domains and hand-written aliases) are kept as they are, and each gains
the register's official name, nation, code and end date where its name matches a register entry;
every other row is made again from the registers. Run it after editing a register file or the hand
list; edit aliases of the children's services rows in authorities.csv itself.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTHORITIES = ROOT / "scrutiny" / "data" / "authorities.csv"
REGISTERS = Path(__file__).resolve().parent / "registers"
COLUMNS = [
    "name", "dfe_code", "ons_code", "la_type", "region", "domain", "aliases", "ambiguous",
    "official_name", "nation", "register", "end_date",
]
ENGLISH_TYPES = {
    "CTY": "County", "UA": "Unitary Authority", "MD": "Metropolitan District", "LBO": "London Borough",
    "NMD": "Non-metropolitan District", "COMB": "Combined Authority", "SRA": "Strategic Authority",
    "CC": "City Corporation",
}
# Names of councils that are also everyday words, first names or places named in passing (a venue,
# an address): only a self-description ("Angus Council") counts for them. Every lower-tier district
# is treated so too: "County Hall, Maidstone" heads every Kent County Council paper.
AMBIGUOUS = {"Angus", "Highland", "Newport", "Moray", "Fife", "Eden", "Hart", "Rother", "Boston", "Oxford"}


def _key(name: str) -> str:
    """A name as the registers and the DfE list can both be matched on."""
    name = name.lower().replace("&", "and").replace("st.", "st")
    name = re.sub(r"^(?:the |city of |county )|, city of$| council$| (?:city|county|borough) of", "", name)
    return " ".join(name.split())


def _read(name: str) -> list[dict[str, str]]:
    with open(REGISTERS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _entries() -> list[dict[str, str]]:
    """Every register entry as a row of authorities.csv (before merging)."""
    rows = []
    for entry in _read("local-authority-eng.csv"):
        rows.append({
            "name": entry["name"], "la_type": ENGLISH_TYPES[entry["local-authority-type"]],
            "official_name": entry["official-name"], "nation": "England",
            "register": f"local-authority-eng:{entry['key']}", "end_date": entry["end-date"],
            "aliases": entry["official-name"],
            "ambiguous": "yes" if entry["local-authority-type"] == "NMD" else "",
        })
    for entry in _read("principal-local-authority.csv"):
        aliases = [entry["official-name"], entry["official-name-cy"], entry["name-cy"]]
        rows.append({
            "name": entry["name"].removeprefix("The "), "la_type": "Principal Council",
            "official_name": entry["official-name"], "nation": "Wales",
            "register": f"principal-local-authority:{entry['key']}", "end_date": entry["end-date"],
            "aliases": ";".join(a for a in aliases if a and a != entry["name"]),
        })
    for entry in _read("local-authority-sct.csv"):
        official = entry["official-name"]
        aliases = [official, official.removeprefix("The ")]
        rows.append({
            "name": entry["name"], "la_type": "Council Area", "official_name": official.removeprefix("The "),
            "nation": "Scotland", "register": f"local-authority-sct:{entry['key']}",
            "end_date": entry["end-date"], "aliases": ";".join(dict.fromkeys(aliases)),
        })
    for entry in _read("local-authority-nir.csv"):
        official = entry["name"]
        short = re.sub(r"\s+(?:Borough|City|District)\s+Council$", "", official)
        rows.append({
            "name": short, "la_type": "District Council", "official_name": official,
            "nation": "Northern Ireland", "register": f"local-authority-nir:{entry['key']}",
            "end_date": entry["end-date"], "aliases": official,
        })
    for entry in _read("other_authorities.csv"):
        aliases = [entry["official_name"], *entry["aliases"].split(";")]
        rows.append({
            "name": entry["name"], "la_type": entry["la_type"], "official_name": entry["official_name"],
            "nation": entry["nation"], "register": "", "end_date": entry["end_date"],
            "aliases": ";".join(a for a in dict.fromkeys(aliases) if a and a != entry["name"]),
        })
    for row in rows:
        if row["name"] in AMBIGUOUS:
            row["ambiguous"] = "yes"
    return rows


def _merge_aliases(*lists: str) -> str:
    seen: list[str] = []
    for aliases in lists:
        for alias in aliases.split(";"):
            if alias and alias not in seen:
                seen.append(alias)
    return ";".join(seen)


def main() -> None:
    with open(AUTHORITIES, encoding="utf-8", newline="") as handle:
        base = [row for row in csv.DictReader(handle) if row["dfe_code"]]
    by_key = {_key(row["name"]): row for row in base}
    for row in base:
        for column in COLUMNS:
            row.setdefault(column, "")
    out = list(base)
    entries = _entries()
    # Current entries first, so "Dorset" (the council since 2019) takes the register's current row
    # and the county council it replaced only lends its name as an alias.
    entries.sort(key=lambda e: bool(e["end_date"]))
    for entry in entries:
        match = by_key.get(_key(entry["name"])) or by_key.get(_key(entry["official_name"]))
        if match is not None and match.get("dfe_code"):
            if not match["register"]:
                for column in ("official_name", "nation", "register", "end_date"):
                    match[column] = entry[column]
            aliases = [a for a in [entry["official_name"], *entry["aliases"].split(";")] if a != match["name"]]
            match["aliases"] = _merge_aliases(match["aliases"], ";".join(aliases))
            continue
        if match is not None:  # a register entry repeated (a renamed council): keep the first
            match["aliases"] = _merge_aliases(match["aliases"], entry["official_name"])
            continue
        row = {column: entry.get(column, "") for column in COLUMNS}
        out.append(row)
        by_key[_key(row["name"])] = row
    out.sort(key=lambda row: (row["name"].lower(), row["end_date"]))
    with open(AUTHORITIES, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)
    print(f"{len(out)} authorities written to {AUTHORITIES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
