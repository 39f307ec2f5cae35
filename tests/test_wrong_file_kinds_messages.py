"""Files of another kind given as a class list, a descriptions file or an attribute table: each
refused with the one message that names what it is, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import ZslError
from zsl_cli.wrong_file_kinds import check_not_another_class_file

WRITE_NAMES = "write one class name per line, without quotes"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("['cat', 'dog']\n", f"c.txt is a Python list of names: {WRITE_NAMES}"),
        ('classes = ["cat", "dog"]\n', f"c.txt is a Python list of names: {WRITE_NAMES}"),
        ('("cat", "dog")\n', f"c.txt is Python code, a tuple of names: {WRITE_NAMES}"),
        (
            '"cat", "dog",\n"bird", "fish"\n',
            f"c.txt is Python code, the items of a list of names: {WRITE_NAMES}",
        ),
        (
            '["cat", "dog"]\n',
            f"c.txt is a JSON list of names: {WRITE_NAMES}, such as with "
            "`jq -r '.[]' c.txt > classes.txt`",
        ),
    ],
)
def test_a_list_of_names_in_code_is_named_by_its_language(text: str, message: str) -> None:
    # Only JSON is what jq reads: the hint is not given for Python's lists.
    with pytest.raises(ZslError) as refused:
        check_not_another_class_file(text, "c.txt")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("1\tantelope\n", 2),
        ("\t1\tantelope\n", 3),
        ("1\tantelope\t\n", 2),
        ("7\t\tzebra \t\r\n", 3),
    ],
)
def test_the_cut_hint_names_the_column_the_names_are_in(
    tmp_path: Path, line: str, column: int
) -> None:
    # A trailing tab (a spreadsheet's empty last column) is no column of names: `cut -f3` of
    # `1<tab>antelope<tab>` gives empty lines.
    classes = tmp_path / "classes.txt"
    classes.write_bytes(line.encode())
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 2
    assert f"such as with `cut -f{column} {classes}`)" in result.stderr
    named = line.rstrip("\r\n").split("\t")[column - 1]
    assert named.strip() in ("antelope", "zebra")
