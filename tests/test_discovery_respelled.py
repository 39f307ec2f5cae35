"""A path typed with its accents composed (NFC) where the name on disk is decomposed (NFD, as in a
folder copied from a Mac), or the reverse. The two spellings look the same wherever they are
shown, yet are different names on most file systems: the not-found message says which is there,
and the path is still taken as typed (nothing is opened under the other spelling)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.discovery import scan
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.images import NOT_FOUND, file_problem

CAFE = "caf\u00e9"  # composed: as typed on most keyboards
CAFE_NFD = "cafe\u0301"  # decomposed: as macOS writes it
NANDU = "\u00d1and\u00fa"
NANDU_NFD = "N\u0303andu\u0301"
SAME_NAMES = "the two spellings are different names on this file system"


def make_image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    (written,) = write_images(path.parent / ".tmp", 1)
    written.rename(path)
    (path.parent / ".tmp").rmdir()


@pytest.fixture
def mac_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """wnfd/café/café-0.png with both names decomposed, and wnfc/Ñandú.png composed; the
    working directory is their parent."""
    make_image(tmp_path / "wnfd" / CAFE_NFD / f"{CAFE_NFD}-0.png")
    make_image(tmp_path / "wnfc" / f"{NANDU}.png")
    if (tmp_path / "wnfd" / CAFE).exists():
        pytest.skip("this file system takes composed and decomposed names as one")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def scan_error(inputs: list[str]) -> str:
    with pytest.raises(ZslError) as caught:
        scan(inputs)
    assert caught.value.exit_code == EXIT_USAGE
    return caught.value.message


def test_a_folder_typed_composed_that_is_there_decomposed_is_named(mac_copy: Path) -> None:
    assert scan_error([f"wnfd/{CAFE}"]) == (
        f"no such file or directory: wnfd/{CAFE} (the folder {CAFE_NFD} is there in decomposed "
        f"form (NFD): {SAME_NAMES})"
    )


def test_a_file_typed_decomposed_that_is_there_composed_is_named(mac_copy: Path) -> None:
    assert scan_error([f"wnfc/{NANDU_NFD}.png"]) == (
        f"no such file or directory: wnfc/{NANDU_NFD}.png (the file {NANDU}.png is there in "
        f"composed form (NFC): {SAME_NAMES})"
    )


def test_each_name_spelled_otherwise_on_the_way_down_is_named(mac_copy: Path) -> None:
    typed = f"{mac_copy}/wnfd/{CAFE}/{CAFE}-0.png"
    assert scan_error([typed]) == (
        f"no such file or directory: {typed} (the folder {CAFE_NFD} and the file "
        f"{CAFE_NFD}-0.png are there in decomposed form (NFD): {SAME_NAMES})"
    )


def test_names_in_different_forms_are_each_given_their_form(mac_copy: Path) -> None:
    make_image(mac_copy / "wnfd" / CAFE_NFD / f"{NANDU}.png")
    assert scan_error([f"wnfd/{CAFE}/{NANDU_NFD}.png"]) == (
        f"no such file or directory: wnfd/{CAFE}/{NANDU_NFD}.png (the folder {CAFE_NFD} in "
        f"decomposed form (NFD) and the file {NANDU}.png in composed form (NFC) are there: "
        f"{SAME_NAMES})"
    )


def test_a_glob_whose_folder_is_spelled_otherwise_says_so(mac_copy: Path) -> None:
    assert scan_error([f"wnfd/{CAFE}/*.png"]) == (
        f"no file or folder matches wnfd/{CAFE}/*.png (the folder {CAFE_NFD} is there in "
        f"decomposed form (NFD): {SAME_NAMES})"
    )
    assert scan_error(["wnfd/*.jpg"]) == "no file or folder matches wnfd/*.jpg"


def test_no_hint_where_the_path_is_not_there_in_any_spelling(mac_copy: Path) -> None:
    # The folder is there spelled otherwise, but not the file: changing the spelling would not
    # find it, so the message says no more than that it is not there.
    for typed in (f"wnfd/{CAFE}/{CAFE}-9.png", f"wnfd/{CAFE}x", "gone/caf\u00e9", "wnfd/gone"):
        assert scan_error([typed]) == f"no such file or directory: {typed}"


def test_the_hint_lists_no_folder(mac_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A list of paths typed composed for a big folder copied decomposed would list it per path.
    def no_listing(*args: object) -> None:
        raise AssertionError("a folder was listed")

    monkeypatch.setattr(os, "scandir", no_listing)
    monkeypatch.setattr(os, "listdir", no_listing)
    assert CAFE_NFD in scan_error([f"wnfd/{CAFE}"])
    assert scan_error(["wnfd/missing.png"]) == "no such file or directory: wnfd/missing.png"


def test_the_decoders_not_found_reason_names_the_other_spelling(mac_copy: Path) -> None:
    problem = file_problem(Path(f"wnfd/{CAFE}/{CAFE}-0.png"))
    assert problem is not None
    assert (problem.status, problem.reason) == (
        NOT_FOUND,
        f"file not found (the folder {CAFE_NFD} and the file {CAFE_NFD}-0.png are there in "
        f"decomposed form (NFD): {SAME_NAMES})",
    )
    assert file_problem(Path(f"wnfd/{CAFE_NFD}/{CAFE_NFD}-0.png")) is None


def run(*args: object, **kwargs: object):  # noqa: ANN201 - Typer's Result
    return CliRunner().invoke(app, [str(a) for a in args], **kwargs)


def test_label_of_a_folder_typed_composed_stops_with_the_hint(mac_copy: Path, tiny_clip) -> None:
    (mac_copy / "classes.txt").write_text(f"{CAFE}\ntea\n")
    result = run("label", f"wnfd/{CAFE}", "-c", "classes.txt", "-m", tiny_clip)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"zsl: error: no such file or directory: wnfd/{CAFE} (the folder {CAFE_NFD} is there in "
        f"decomposed form (NFD): {SAME_NAMES})\n"
    )


def test_a_path_list_entry_typed_composed_is_a_not_found_row_with_the_hint(
    mac_copy: Path, tiny_clip
) -> None:
    (mac_copy / "classes.txt").write_text(f"{CAFE}\ntea\n")
    typed = f"wnfd/{CAFE}/{CAFE}-0.png"
    stored = f"wnfd/{CAFE_NFD}/{CAFE_NFD}-0.png"
    result = run(
        "label", "-", "-c", "classes.txt", "-m", tiny_clip, "-f", "jsonl", "-q",
        input=f"{typed}\n{stored}\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {row["path"]: row for row in map(json.loads, result.stdout.splitlines())}
    # Each row keeps the path as it was given: the typed one was not opened under the other name.
    assert sorted(rows) == sorted([typed, stored])
    assert rows[stored]["status"] == "ok"
    assert rows[typed]["status"] == NOT_FOUND
    assert rows[typed]["error"] == (
        f"file not found (the folder {CAFE_NFD} and the file {CAFE_NFD}-0.png are there in "
        f"decomposed form (NFD): {SAME_NAMES})"
    )
