"""The vocabulary loader: every data file the code reads goes through scrutiny.vocab."""

from __future__ import annotations

import pytest

from scrutiny.errors import ScrutinyError
from scrutiny.vocab import vocabulary, vocabulary_path


def test_a_yaml_vocabulary_loads_by_name():
    cues = vocabulary("prose_cues")
    assert vocabulary_path("prose_cues").name == "prose_cues.yml"
    assert isinstance(cues, dict) and cues


def test_a_csv_vocabulary_is_a_list_of_rows():
    rows = vocabulary("authorities.csv")
    doncaster = next(row for row in rows if row["name"] == "Doncaster")
    assert doncaster["dfe_code"] == "371"


def test_a_missing_vocabulary_names_the_file():
    with pytest.raises(ScrutinyError, match="'no_such_words' is missing"):
        vocabulary("no_such_words")
