"""A descriptions file that describes more classes than the class list names: the refusal counts
the classes it leaves unnamed, as every list in zsl's messages does, and says how to go on."""

import json
import re
from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec
from zsl_cli.errors import ZslError


def test_descriptions_of_more_classes_than_listed_are_counted_and_the_way_forward_given(
    tmp_path: Path,
):
    names = [f"class {i}" for i in range(25)]
    (tmp_path / "two.txt").write_text("class 3\nclass 7\n")
    (tmp_path / "d.json").write_text(json.dumps({n: [f"{n} descriptor"] for n in names}))
    with pytest.raises(ZslError) as raised:
        load_class_spec(classes=tmp_path / "two.txt", descriptions=tmp_path / "d.json")
    message = str(raised.value)
    assert "\n" not in message
    listed = "'class 0', 'class 1', 'class 2', 'class 4', 'class 5', ... (18 more)"
    assert re.search("not in the class list: " + re.escape(listed), message)
    assert "descriptions file with only the class list's classes" in message
    assert f"add these classes to {tmp_path / 'two.txt'}" in message


def test_a_few_described_classes_not_listed_are_all_named_without_a_count(tmp_path: Path):
    (tmp_path / "c.txt").write_text("cat\n")
    (tmp_path / "d.json").write_text('{"cat": ["fur"], "lion": ["mane"], "emu": ["legs"]}')
    with pytest.raises(ZslError) as raised:
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert "not in the class list: 'lion', 'emu': give a descriptions file" in str(raised.value)
    assert "more)" not in str(raised.value)


def test_one_described_class_not_listed_is_told_of_in_the_singular(tmp_path: Path):
    # It was told to "add these classes" for one.
    (tmp_path / "c.txt").write_text("cat\n")
    (tmp_path / "d.json").write_text('{"cat": ["fur"], "lion": ["mane"]}')
    with pytest.raises(ZslError) as raised:
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    message = str(raised.value)
    assert "descriptions for a class not in the class list: 'lion': " in message
    assert message.endswith(
        "give a descriptions file with only the class list's classes, or add this class to "
        f"{tmp_path / 'c.txt'}"
    )
    assert "these" not in message
