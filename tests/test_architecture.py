"""The walls between stages: each subpackage imports only what its stage is for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "scrutiny"

FORBIDDEN = {
    "corpus": {"pdfplumber", "pdfminer", "pypdfium2", "spacy", "sqlite_utils", "datasette"},
    "extract": {"spacy", "sqlite_utils", "datasette", "rapidfuzz"},
    "nlp": {"pdfplumber", "pdfminer", "pypdfium2", "sqlite_utils", "datasette"},
    "catalogue": {"pdfplumber", "pdfminer", "pypdfium2", "spacy"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("stage", sorted(FORBIDDEN))
def test_stage_imports(stage):
    files = list((PACKAGE / stage).glob("*.py"))
    assert files
    for file in files:
        crossing = imported_modules(file) & FORBIDDEN[stage]
        assert not crossing, f"{file.relative_to(PACKAGE)} imports {crossing}"


def test_records_are_frozen_and_plain():
    from dataclasses import fields, is_dataclass

    from scrutiny import records

    for name in records.__all__:
        record = getattr(records, name)
        assert is_dataclass(record) and record.__dataclass_params__.frozen, name
        assert imported_modules(Path(records.__file__)) <= {"__future__", "dataclasses"}
        assert fields(record)


def test_no_top_level_package_shadows_spacys_dependencies():
    # spaCy depends on the PyPI package "catalogue"; a top-level folder of that name breaks it.
    repo = PACKAGE.parent
    for name in ("catalogue", "extract", "nlp"):
        assert not (repo / name / "__init__.py").exists()
        assert not (repo / f"{name}.py").exists()
    import spacy

    assert spacy.blank("en")("Re-referrals rose to 24%.")[0].text == "Re"
