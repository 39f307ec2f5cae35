"""`zsl evaluate --seen` with a seen list that names no class for its format: the refusal says
what a class file of those lines would be warned of (names in quotes, after list markers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images


@pytest.mark.parametrize(
    ("seen_text", "hint"),
    [
        ('"cat"\n"dog"\n', "every class name is in quotes"),
        ("- cat\n- dog\n", "every class name starts with a list marker"),
    ],
)
def test_a_seen_list_of_another_format_is_refused_naming_it(tmp_path: Path, seen_text, hint):
    images = []
    for seed, name in enumerate(["cat", "dog", "bird"]):
        write_images(tmp_path / "truth" / name, 1, seed=seed)
        images += [(image, name) for image in (tmp_path / "truth" / name).iterdir()]
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog", "bird"])
    seen = tmp_path / "seen.txt"
    seen.write_text(seen_text)
    result = run("evaluate", predictions, "--truth", tmp_path / "truth", "--seen", seen)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "no name in the seen list is a class" in line
    assert f"(the seen list: {hint}" in line
    # A seen list makes no prompts: its hint speaks of names alone.
    assert "prompts" not in line, line
