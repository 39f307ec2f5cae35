"""Where a path typed with its accents composed one way is there spelled the other way: the exact
words for each name found, absolute paths, names that are there as typed, lookups that fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli.accents import accent_form, lexists, not_found_hint, spelled_otherwise

CAFE, CAFE_NFD = "caf\u00e9", "cafe\u0301"
NANDU, NANDU_NFD = "\u00d1and\u00fa", "N\u0303andu\u0301"
SAME_NAMES = "the two spellings are different names on this file system"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / CAFE_NFD).mkdir()
    if (tmp_path / CAFE).exists():
        pytest.skip("this file system takes composed and decomposed names as one")
    return tmp_path


def test_a_name_with_nothing_to_compose_is_in_composed_form():
    assert accent_form("cat") == "composed form (NFC)"
    assert accent_form("") == "composed form (NFC)"


def test_an_absolute_path_through_a_folder_spelled_otherwise(folder: Path) -> None:
    (folder / CAFE_NFD / "a.txt").write_text("x")
    typed = str(folder / CAFE / "a.txt")
    assert os.path.isabs(typed)
    expected = f"the folder {CAFE_NFD} is there in decomposed form (NFD): {SAME_NAMES}"
    assert spelled_otherwise(typed) == expected
    assert not_found_hint(Path(typed)) == f" ({expected})"


def test_two_names_spelled_otherwise_in_one_form_are_named_together(folder: Path) -> None:
    (folder / CAFE_NFD / f"{NANDU_NFD}.png").write_text("x")
    assert spelled_otherwise(str(folder / CAFE / f"{NANDU}.png")) == (
        f"the folder {CAFE_NFD} and the file {NANDU_NFD}.png are there in decomposed form (NFD): "
        f"{SAME_NAMES}"
    )


def test_three_names_are_listed_with_commas_and_and(folder: Path) -> None:
    (folder / CAFE_NFD / NANDU_NFD).mkdir()
    (folder / CAFE_NFD / NANDU_NFD / f"{CAFE_NFD}.txt").write_text("x")
    assert spelled_otherwise(str(folder / CAFE / NANDU / f"{CAFE}.txt")) == (
        f"the folder {CAFE_NFD}, the folder {NANDU_NFD} and the file {CAFE_NFD}.txt are there in "
        f"decomposed form (NFD): {SAME_NAMES}"
    )


def test_names_spelled_otherwise_in_both_forms_each_say_their_form(folder: Path) -> None:
    (folder / CAFE_NFD / f"{NANDU}.png").write_text("x")  # the file is there composed
    assert spelled_otherwise(str(folder / CAFE / f"{NANDU_NFD}.png")) == (
        f"the folder {CAFE_NFD} in decomposed form (NFD) and the file {NANDU}.png in composed "
        f"form (NFC) are there: {SAME_NAMES}"
    )


def test_no_hint_for_a_path_there_as_typed_or_missing_past_a_name_spelled_otherwise(
    folder: Path,
) -> None:
    (folder / CAFE_NFD / "a.txt").write_text("x")
    assert spelled_otherwise(str(folder / CAFE_NFD / "a.txt")) is None
    assert spelled_otherwise(str(folder / CAFE / "gone" / "a.txt")) is None
    assert spelled_otherwise(str(folder / CAFE / "gone.txt")) is None
    assert not_found_hint(folder / CAFE / "gone.txt") == ""


def test_a_backslash_is_part_of_a_name_where_it_is_no_separator(folder: Path) -> None:
    if os.altsep:
        pytest.skip("a backslash separates names here")
    (folder / f"x\\{CAFE_NFD}").mkdir()
    assert spelled_otherwise(str(folder / f"x\\{CAFE}")) == (
        f"the folder x\\{CAFE_NFD} is there in decomposed form (NFD): {SAME_NAMES}"
    )


def test_lexists_of_names_no_file_can_have(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    assert lexists(str(tmp_path / "a.txt")) and lexists(str(tmp_path / "dangling"))
    assert not lexists(str(tmp_path / "a.txt" / "b"))  # under a file
    assert not lexists(str(tmp_path / ("n" * 5000)))  # too long to be a name
    assert not lexists(str(tmp_path / "missing"))
