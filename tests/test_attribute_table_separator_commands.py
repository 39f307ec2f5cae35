"""An attribute table separated by spaces (AwA2's matrices, class names pasted before them),
tabs or semicolons is refused with the line that writes it with commas, where such a line is
exact (no cell holds a comma or a quote), as other refusals give their `jq` or `cut` line: it
said only "save it with commas", which a table made with `paste` has no program to do."""

from __future__ import annotations

import subprocess

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


def _error(text: str, source: str = "awa2.txt") -> str:
    with pytest.raises(ZslError) as caught:
        parse_attributes(text, source)
    return str(caught.value)


SPACED = "class black white\nantelope  -1.00  12.34\ngrizzly+bear  39.25   1.39\n"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (SPACED, "awk '{$1 = $1; print}' OFS=, < awa2.txt > attributes.csv"),
        ("class\tblack\twhite\nantelope\t0.5\t1\n", "tr '\\t' , < awa2.txt > attributes.csv"),
        ("class;black;white\nantelope;0.5;1\n", "tr ';' , < awa2.txt > attributes.csv"),
        # A spreadsheet of a locale whose decimal mark is ',': both marks, in one pass.
        ("class;black;white\nantelope;0,5;1\n", "tr ';,' ',.' < awa2.txt > attributes.csv"),
    ],
)
def test_the_hint_gives_the_line_that_writes_commas(text: str, command: str) -> None:
    error = _error(text)
    assert error.endswith(f": save it with commas, as `{command}` does)"), error


@pytest.mark.parametrize(
    "text",
    [
        'class\tblack\twhite\n"antelope, male"\t0.5\t1\n',  # a comma in a cell: tr splits it
        "class;black;white\nantelope;1.000,5;1\n",  # thousands points beside decimal commas
        "class;black;white\n#phrase;black, dark;white\nantelope;0,5;1\n",  # a phrase's comma
    ],
)
def test_no_line_where_one_would_misread_a_cell(text: str) -> None:
    assert _error(text).endswith(": save it with commas)")


def test_a_table_named_as_the_line_writes_gets_another_name() -> None:
    # The shell empties the file a line writes before the line reads it.
    error = _error("class\tred\nx\t1\n", "data/Attributes.csv")
    assert "tr '\\t' , < data/Attributes.csv > attributes_converted.csv" in error


def test_the_line_writes_a_table_that_reads(tmp_path) -> None:
    source = tmp_path / "awa2.txt"
    source.write_text(SPACED, encoding="utf-8")
    command = _error(SPACED).rpartition("as `")[2].partition("`")[0]
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)
    spec = parse_attributes((tmp_path / "attributes.csv").read_text(encoding="utf-8"))
    assert [cls.name for cls in spec.classes] == ["antelope", "grizzly+bear"]
    assert spec.attributes is not None
    assert spec.attributes.weights.tolist() == [[-1.0, 12.34], [39.25, 1.39]]


@pytest.mark.parametrize(
    "text",
    [
        "class black white\npolar bear  0.5  1\nantelope  -1.00  12.34\n",  # a name of 2 words
        "class black white\n#phrase black fur  white\nantelope  -1.00  12.34\n",  # a phrase's
    ],
)
def test_no_awk_line_where_a_cell_holds_a_space(text: str) -> None:
    # awk splits `polar bear` into two cells: its table was refused in turn, a row of 4 cells
    # under a header of 3.
    assert _error(text).endswith(": save it with commas)")


def test_the_awk_line_passes_over_comments_of_other_lengths(tmp_path) -> None:
    text = f"# AwA2's continuous predicate matrix\n{SPACED}"
    command = _error(text).rpartition("as `")[2].partition("`")[0]
    assert command == "awk '{$1 = $1; print}' OFS=, < awa2.txt > attributes.csv"
    (tmp_path / "awa2.txt").write_text(text, encoding="utf-8")
    subprocess.run(command, shell=True, cwd=tmp_path, check=True)
    spec = parse_attributes((tmp_path / "attributes.csv").read_text(encoding="utf-8"))
    assert [cls.name for cls in spec.classes] == ["antelope", "grizzly+bear"]
