"""A class file of numbered names separated by tabs (AwA2's classes.txt, `1<tab>antelope`) is
told the `cut -f` column its names are in, not counting an empty column after a trailing tab;
rows of numbers alone are no numbered names, told to keep a table's class column."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec
from zsl_cli.errors import ZslError


def refusal(tmp_path: Path, data: bytes) -> str:
    classes = tmp_path / "classes.txt"
    classes.write_bytes(data)
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=classes)
    return str(error.value)


def test_numbered_names_ending_in_a_tab_are_cut_from_their_second_column(tmp_path: Path) -> None:
    message = refusal(tmp_path, b"1\tantelope\t\n2\tgrizzly+bear\t\n")
    assert "a numbered list of names, as AwA2's classes.txt?" in message
    assert f"`cut -f2 {tmp_path / 'classes.txt'}`" in message


def test_rows_of_numbers_alone_are_told_a_table(tmp_path: Path) -> None:
    message = refusal(tmp_path, b"1\t2\n3\t4\n")
    assert message.endswith("(a tab-separated table? keep its class column only)")
