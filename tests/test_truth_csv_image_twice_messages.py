"""A truth CSV's image named twice: a URL whose host is dropped beside a local path of the same
ending is refused whichever row comes first, and labels are shown by code point only where
they differ in a character or two."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.evaluation import load_truth


def _refusal(path: Path, rows: list[str]) -> str:
    path.write_text("path,label\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_truth(path)
    return refused.value.message


@pytest.mark.parametrize("url_first", [True, False], ids=["url-first", "path-first"])
def test_a_url_and_a_local_path_of_one_ending_are_refused_either_way(tmp_path, url_first):
    url, local = "https://host/photos/a.jpg", "photos/a.jpg"
    rows = [f"{url},cat", f"{local},cat"]
    second, first = (local, url) if url_first else (url, local)
    message = _refusal(tmp_path / "truth.csv", rows if url_first else rows[::-1])
    assert message == (
        f"{tmp_path / 'truth.csv'}, line 3: {second} and {first} (line 2) both name "
        "photos/a.jpg (a URL's host and query are dropped): give the files' local paths"
    )


def test_labels_are_shown_by_code_point_only_where_a_character_or_two_differ(tmp_path):
    two = _refusal(tmp_path / "truth.csv", ["a.jpg,xЖЖx", "./a.jpg,xДДx"])
    assert two.endswith(
        "keep one label per image (they differ in U+0414 CYRILLIC CAPITAL LETTER DE, U+0414 "
        "CYRILLIC CAPITAL LETTER DE here and U+0416 CYRILLIC CAPITAL LETTER ZHE, U+0416 "
        "CYRILLIC CAPITAL LETTER ZHE there)"
    )
    three = _refusal(tmp_path / "truth.csv", ["a.jpg,xЖЖЖx", "./a.jpg,xДДДx"])
    assert three.endswith("labelled 'xДДДx' here and 'xЖЖЖx' on line 2; keep one label per image")
