"""An attribute table's weight is read in the digits 0-9 alone, as zsl reads its options'
numbers: Python's float() takes other scripts' digits (Arabic-Indic '٣', full-width '３') as
numbers, which read a cell typed with another keyboard layout as a weight without a word. White
space around a cell, a spreadsheet's no-break space too, is no part of the number."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.errors import ZslError

HEADER = "class,red,green,circle,square\n"


def _read(tmp_path: Path, last_row: str) -> None:
    table = tmp_path / "a.csv"
    rows = "red circle,1,0,1,0\nred square,1,0,0,1\ngreen circle,0,1,1,0\n"
    table.write_text(HEADER + rows + last_row + "\n", encoding="utf-8")
    class_prompts(ClassOptions(attributes=table))


@pytest.mark.parametrize(
    "digit", ["\u0663", "\uff13", "\u0969"], ids=["arabic", "fullwidth", "devanagari"]
)
def test_a_weight_in_another_scripts_digits_is_refused_naming_its_cell(
    tmp_path: Path, digit: str
) -> None:
    with pytest.raises(ZslError) as refused:
        _read(tmp_path, f"green square,0,1,0,{digit}")
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'a.csv'}:5: column 5 ('square'): '{digit}'")
    assert message.endswith("is not a number (write it in the digits 0-9)")


def test_white_space_around_a_weight_is_no_part_of_it(tmp_path: Path) -> None:
    _read(tmp_path, "green square,0,1,\u00a00 , 1\u00a0")  # read without an error
