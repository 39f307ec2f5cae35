"""A class file whose first line ends with a comma: a list run on over lines only where every
line but the last ends with it; a line in between that does not (`bird`) makes the commas part of
names (`cat, dog,` may be one), and nothing is said."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import api


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("cat, dog,\nbird, fish\n", True),
        ("cat, dog,\nbird\nfish, cow\n", False),
    ],
)
def test_a_list_over_lines_is_told_only_where_every_line_but_the_last_ends_so(
    tmp_path: Path, text: str, warned: bool
) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text(text)
    prompts = api.class_prompts(api.ClassOptions(classes=classes, templates="{}"))
    said = [w for w in prompts.warnings if "names separated by ',' over several lines?" in w]
    assert bool(said) is warned, prompts.warnings
