"""not_json_hint for a descriptions file in YAML whose `names:` key is nested under another
(indented): told YAML, to be written as JSON, not a YOLO data.yaml, whose `names:` is a key of
its own at the file's top level."""

from __future__ import annotations

import pytest

from zsl_cli.wrong_file_kinds import not_json_hint

YAML = 'not JSON (YAML? write it as JSON: {"class": ["descriptor", ...], ...})'


@pytest.mark.parametrize(
    "text",
    ["info:\n  names:\n  - cat\n  - dog\n", "dataset:\n  names: [cat, dog]\n"],
    ids=["items-below", "in-brackets"],
)
def test_a_names_key_nested_under_another_is_told_yaml(text: str) -> None:
    assert not_json_hint(text) == YAML


def test_a_names_key_at_the_top_is_told_a_yolo_data_yaml() -> None:
    assert "a YOLO dataset's data.yaml?" in not_json_hint("names:\n  - cat\n  - dog\n")
