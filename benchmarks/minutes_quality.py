"""How well scrutiny reads minutes and document facts, against labels read off the pages.

Run from the repository root: ``python benchmarks/minutes_quality.py``. Reads the dev documents
(corpus/dev), the sample minutes (Kent Cabinet, Kent Corporate Parenting Panel, Doncaster seed 004)
and the Gloucester ModernGov GetMeeting answer (each item's minutes saved as ``scrutiny fetch``
saves them), each the way a build does but without the manifest, and prints:

- per minutes document: resolutions found against the number read off the pages, how many of those
  are right and how many false (``benchmarks/data/gold_minutes.tsv``), the labelled phrases found
  (``gold_resolutions.tsv``), actions found, judged real, false and missed, and owners right;
- per document: the facts ``describe()`` reads from the text (kind, authority, committee, meeting
  date, title) against ``gold_facts.tsv``;
- totals: resolution recall and precision, action precision and recall, facts right.

A found resolution or action is right when it starts on the labelled page and its text holds the
labelled words (lowercase, whitespace collapsed, quotes straightened); each label is used once.
"""

from __future__ import annotations

import argparse
import csv
import html
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from scrutiny.corpus import discover
from scrutiny.corpus.moderngov import parse_meeting
from scrutiny.pipeline import analyse
from scrutiny.records import Action, Resolution, SourceFile

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "benchmarks" / "data"
GLOUCESTER = REPO / "tests" / "fixtures" / "moderngov" / "gloucester_getmeeting_7837.xml"
SAMPLE_MINUTES = [
    REPO / "corpus/real/kcc_cabinet_2025-01-09_minutes.pdf",
    REPO / "corpus/real/kcc_corporate_parenting_panel_2024-10-29_minutes.pdf",
    REPO / "corpus/pdf/004_4b7e043a54d74d09.pdf",
]
FACTS = ("kind", "authority", "committee", "meeting_date", "title")


def norm(text: str | None) -> str:
    """Lowercase, quotes and dashes straightened, whitespace collapsed."""
    text = (text or "").lower()
    text = re.sub(r"[‘’`´]", "'", text)
    text = re.sub(r"[“”]", '"', text)
    text = re.sub(r"[–—]", "-", text)
    return " ".join(text.split())


def loose(text: str | None) -> str:
    """For titles and committees: letters and digits only."""
    return re.sub(r"[^a-z0-9]+", " ", norm(text)).strip()


def rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    header = None
    with open(DATA / name, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("# file\t"):
                header = line[2:].rstrip("\n").split("\t")
    return list(csv.DictReader(lines, fieldnames=header, delimiter="\t"))


def analysed(path: Path):
    """What a build extracts from one file, without its manifest entry."""
    source = next(item for item in discover([path]) if isinstance(item, SourceFile))
    return analyse(replace(source, manifest=None), spacy=False)


def gloucester_records(folder: Path) -> list[object]:
    """Each agenda item's minutes from the GetMeeting answer, saved as scrutiny fetch saves them
    (scrutiny.corpus.moderngov.Fetch._minutes: the body under "<h1>number. title</h1>")."""
    meeting = parse_meeting(GLOUCESTER.read_bytes())
    records: list[object] = []
    for item in meeting.items:
        if not item.minutes_html:
            continue
        heading = f"{item.number}. {item.title}" if item.number else item.title
        page = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape('Minutes: ' + item.title)}</title>\n</head>\n<body>\n"
            f"<h1>{html.escape(heading)}</h1>\n{item.minutes_html}\n</body>\n</html>\n"
        )
        path = folder / f"minutes_{item.id}.html"
        path.write_text(page, encoding="utf-8")
        records.extend(analysed(path).records)
    return records


def match(found: list, labels: list[dict[str, str]]) -> tuple[list, list, list]:
    """(right, false, missed): found records matched to labels by page and words, each label once."""
    unused = list(labels)
    right, false = [], []
    for record in found:
        text = norm(record.text)
        hit = next((label for label in unused if int(label["page"]) == record.page and label["text"] in text), None)
        if hit is None:
            false.append(record)
        else:
            unused.remove(hit)
            right.append((record, hit))
    return right, false, unused


def minutes_report(name: str, records: list[object], labels: list[dict[str, str]], phrases, totals) -> None:
    resolutions = [r for r in records if isinstance(r, Resolution)]
    actions = [r for r in records if isinstance(r, Action)]
    gold_res = [label for label in labels if label["kind"] == "resolution"]
    gold_act = [label for label in labels if label["kind"] == "action"]
    optional = [label for label in labels if label["kind"] == "optional-action"]
    right, false, missed = match(resolutions, gold_res)
    a_right, a_false, a_missed = match(actions, gold_act)
    _, a_false, _ = match(a_false, optional)  # borderline commitments count neither way
    owners = sum(
        1 for record, label in a_right if label["owner"] and norm(label["owner"]) in norm(record.owner)
    )
    named = sum(1 for _, label in a_right if label["owner"])
    texts = " | ".join(norm(r.text) for r in resolutions)
    phrase_hits = sum(1 for phrase in phrases if phrase in texts)
    print(
        f"{name[:52]:52} res {len(right):2}/{len(gold_res):2} found {len(resolutions):2} false {len(false):2}"
        f"  phrases {phrase_hits}/{len(phrases)}"
        f"  actions found {len(actions):2} real {len(a_right):2} false {len(a_false):2} missed {len(a_missed):2}"
        f" owners {owners}/{named}"
    )
    for record in false:
        print(f"    false resolution p{record.page}: {record.text[:100]!r}")
    for label in missed:
        print(f"    missed resolution p{label['page']}: {label['text']!r}")
    for record in a_false:
        print(f"    false action p{record.page}: {record.text[:100]!r}")
    for label in a_missed:
        print(f"    missed action p{label['page']}: {label['text']!r}")
    for key, value in (
        ("res_gold", len(gold_res)), ("res_right", len(right)), ("res_found", len(resolutions)),
        ("act_gold", len(gold_act)), ("act_right", len(a_right)), ("act_false", len(a_false)),
        ("phrases", len(phrases)), ("phrase_hits", phrase_hits), ("owners", owners), ("named", named),
    ):
        totals[key] = totals.get(key, 0) + value


def facts_report(path: Path, facts, label: dict[str, str], totals) -> None:
    marks = []
    for name in FACTS:
        expected = label[name] or None
        got = getattr(facts, name)
        if name in ("title", "committee"):
            ok = loose(got) == loose(expected) if expected else got is None
        else:
            ok = (got or None) == expected
        totals[f"fact_{name}"] = totals.get(f"fact_{name}", 0) + ok
        marks.append("ok" if ok else f"{name}={got!r} (read {expected!r})")
    print(f"{path.name[:52]:52} facts {sum(m == 'ok' for m in marks)}/{len(FACTS)}  " + "; ".join(
        m for m in marks if m != "ok"))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    gold = rows("gold_minutes.tsv")
    phrases: dict[str, list[str]] = {}
    for row in rows("gold_resolutions.tsv"):
        key = "gloucester" if row["file"].startswith("gloucester") else row["file"]
        phrases.setdefault(key, []).append(norm(row["phrase"]))
    facts_labels = {row["file"]: row for row in rows("gold_facts.tsv")}
    totals: dict[str, int] = {}

    print("Minutes: resolutions and actions")
    documents = sorted((REPO / "corpus" / "dev").glob("*.pdf")) + SAMPLE_MINUTES
    analyses = {}
    for path in documents:
        analysis = analysed(path)
        analyses[path] = analysis
        labels = [row for row in gold if row["file"] == path.name]
        if labels:
            minutes_report(path.name, list(analysis.records), labels, phrases.get(path.name, []), totals)
    with tempfile.TemporaryDirectory() as folder:
        labels = [row for row in gold if row["file"] == GLOUCESTER.name]
        minutes_report(GLOUCESTER.name, gloucester_records(Path(folder)), labels, phrases["gloucester"], totals)

    print("\nDocument facts (describe() on the first pages, no manifest)")
    for path in documents:
        label = facts_labels.get(path.name)
        if label:
            document = analyses[path].document
            facts_report(path, document, label, totals)

    print("\nTotals")
    recall = totals["res_right"] / totals["res_gold"]
    precision = totals["res_right"] / max(totals["res_found"], 1)
    print(f"resolutions: {totals['res_right']}/{totals['res_gold']} found right (recall {recall:.0%}), "
          f"{totals['res_found']} found (precision {precision:.0%}); "
          f"labelled phrases {totals['phrase_hits']}/{totals['phrases']}")
    found_actions = totals["act_right"] + totals["act_false"]
    print(f"actions: {totals['act_right']} real of {found_actions} found (precision "
          f"{totals['act_right'] / max(found_actions, 1):.0%}), {totals['act_right']}/{totals['act_gold']} "
          f"labelled found (recall {totals['act_right'] / totals['act_gold']:.0%}); owners right "
          f"{totals['owners']}/{totals['named']}")
    count = len(facts_labels)
    per_fact = ", ".join(f"{name} {totals[f'fact_{name}']}/{count}" for name in FACTS)
    four = sum(totals[f"fact_{name}"] for name in FACTS if name != "kind")
    print(f"facts: {per_fact}; authority, committee, date and title right {four}/{4 * count} ({four / (4 * count):.0%})")


if __name__ == "__main__":
    main()
