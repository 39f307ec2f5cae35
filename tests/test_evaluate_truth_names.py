"""Truth class names as `zsl evaluate` and `zsl hubness --truth` read them: folder names that end
in an invisible mark (typing or pasting right-to-left text leaves one), emoji written with or
without their presentation selector, and truth labels or seen lists that are not UTF-8."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.records import CSV_COLUMNS


def write_predictions(path: Path, rows: list[tuple[Path | bytes, str]]) -> Path:
    """A predictions CSV, each image labelled (and ranked) with its name alone, as `label`
    writes one; a path given as bytes is written as its bytes, as zsl writes file names."""
    lines = [",".join(CSV_COLUMNS).encode()]
    for image, name in rows:
        cell = image if isinstance(image, bytes) else os.fsencode(image)
        lines.append(cell + f",{name},0.9,{name},0.9,ok,".encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def folder_truth(root: Path, folders: dict[str, str]) -> list[tuple[Path | bytes, str]]:
    """Class folders of two real images each; each image predicted as its folder's class."""
    rows: list[tuple[Path | bytes, str]] = []
    for seed, (folder, name) in enumerate(folders.items()):
        write_images(root / folder, 2, seed=seed)
        rows += [(image, name) for image in sorted((root / folder).iterdir())]
    return rows


# Folders named as typing or pasting leaves them: a right-to-left mark after Hebrew, a
# left-to-right mark after Arabic, a zero-width space from a web page.
MARKED = {"חתול\u200f": "חתול", "قطة\u200e": "قطة", "cat\u200b": "cat"}


def test_truth_folders_ending_in_an_invisible_mark_are_their_classes(tmp_path):
    root = tmp_path / "rtl"
    predictions = write_predictions(tmp_path / "p.csv", folder_truth(root, MARKED))
    seen = tmp_path / "seen.txt"
    seen.write_text("חתול\n", encoding="utf-8")
    result = run("evaluate", predictions, "--truth", root, "--seen", seen, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 6 and data["top_k"]["1"]["overall"] == 1.0
    assert data["warnings"] == []
    assert data["gzsl"]["n_seen_classes"] == 1 and data["gzsl"]["n_unseen_classes"] == 2
    # The table names each class once, as the class list spells it.
    shown = run("evaluate", predictions, "--truth", root)
    assert shown.exit_code == 0 and shown.stderr == "", shown.stderr
    # (A note may quote an image's path, which holds its folder's name as it is.)
    table = "".join(line for line in shown.stdout.splitlines(True) if "e.g. '" not in line)
    assert "\u200f" not in table and "\u200b" not in table


def test_two_folders_that_differ_in_an_invisible_mark_are_one_class(tmp_path):
    root = tmp_path / "truth"
    rows = folder_truth(root, {"cat": "cat", "cat\u200b": "cat", "dog": "dog"})
    result = run(
        "evaluate", write_predictions(tmp_path / "p.csv", rows), "--truth", root, "--json", "-"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 6 and data["n_classes"] == 2 and data["top_k"]["1"]["overall"] == 1.0


def test_hubness_truth_folders_ending_in_an_invisible_mark_are_their_classes(tiny_clip, tmp_path):
    # hubness refused them: "(their truth classes: cat​, חתול‏, قطة‎; classes: חתול, قطة, cat)".
    root = tmp_path / "rtl"
    folder_truth(root, MARKED)
    classes = tmp_path / "classes.txt"
    classes.write_text("".join(f"{name}\n" for name in MARKED.values()), encoding="utf-8")
    result = run(
        "hubness", root, "-c", classes, "-m", tiny_clip, "--truth", root, "--methods", "none"
    )
    assert result.exit_code == 0, result.stderr
    assert "truth class" not in result.stderr


@pytest.mark.parametrize("as_csv", [False, True])
def test_an_emoji_with_its_presentation_selector_is_the_emoji_without_it(tmp_path, as_csv):
    # An emoji picker writes ❤️ (U+2764 U+FE0F) where a typed class list holds ❤ (U+2764): the
    # same heart, and it scored 0.0% ("☀️ -> ☀").
    root = tmp_path / "emoji"
    rows = folder_truth(root, {"\u2764\ufe0f": "\u2764", "\u2600\ufe0f": "\u2600"})
    truth: Path = root
    if as_csv:
        truth = tmp_path / "truth.csv"
        cells = [
            f"{os.fsdecode(image)},{Path(os.fsdecode(image)).parent.name}" for image, _ in rows
        ]
        truth.write_text("path,label\n" + "\n".join(cells) + "\n", encoding="utf-8")
    seen = tmp_path / "seen.txt"
    seen.write_text("\u2764\ufe0f\n", encoding="utf-8")
    predictions = write_predictions(tmp_path / "p.csv", rows)
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["top_k"]["1"]["overall"] == 1.0 and data["warnings"] == []
    assert data["gzsl"]["n_seen_classes"] == 1


def test_an_emoji_written_both_ways_in_the_class_list_keeps_each_spelling(tmp_path):
    # Two classes ❤ and ❤️ (one name each, by the class list's rules): each truth folder is the
    # class spelled as it is, not the first one found without selectors.
    root = tmp_path / "emoji"
    rows = folder_truth(root, {"\u2764": "\u2764", "\u2764\ufe0f": "\u2764\ufe0f"})
    result = run(
        "evaluate", write_predictions(tmp_path / "p.csv", rows), "--truth", root, "--json", "-"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n_classes"] == 2 and data["top_k"]["1"]["overall"] == 1.0


# --- truth labels and seen lists that are not UTF-8 ----------------------------------------------


@pytest.mark.parametrize(
    ("label", "encoding", "byte"), [("猫", "shift_jis", 0x94), ("Straße", "cp1252", 0xDF)]
)
def test_a_truth_csv_whose_labels_are_not_utf8_is_refused_naming_the_line(
    tmp_path, label, encoding, byte
):
    # Saved by Excel in a legacy code page: rows such as \x94L were scored 0% with exit 0.
    write_images(tmp_path, 2)
    images = sorted(tmp_path.glob("*.png"))
    truth = tmp_path / "truth.csv"
    truth.write_bytes(
        f"path,label\n{images[0].name},cat\n{images[1].name},{label}\n".encode(encoding)
    )
    predictions = write_predictions(tmp_path / "p.csv", [(images[0], "cat"), (images[1], label)])
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.stdout
    assert result.stderr == (
        f"zsl: error: {truth}:3: not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8\n"
    )


def test_a_one_hot_truth_whose_class_columns_are_not_utf8_is_refused(tmp_path):
    write_images(tmp_path, 2)
    images = sorted(tmp_path.glob("*.png"))
    truth = tmp_path / "truth.csv"
    rows = f"filename,猫,犬\n{images[0].name},1,0\n{images[1].name},0,1\n"
    truth.write_bytes(rows.encode("shift_jis"))
    predictions = write_predictions(tmp_path / "p.csv", [(images[0], "猫"), (images[1], "犬")])
    result = run("evaluate", predictions, "--truth", truth)
    assert result.exit_code == 2, result.stdout
    assert result.stderr == f"zsl: error: {truth}:1: not UTF-8 text (byte 0x94); save it as UTF-8\n"


def test_a_truth_csv_whose_paths_are_not_utf8_is_still_read(tmp_path):
    # File names on Linux are bytes: a path that is not UTF-8 names a file, a label does not.
    folder = os.fsencode(tmp_path) + b"/caf\xe9"
    os.mkdir(folder)
    write_images(Path(os.fsdecode(folder)), 1)
    (image,) = os.listdir(folder)
    truth = tmp_path / "truth.csv"
    truth.write_bytes(b"path,label\ncaf\xe9/" + image + b",cat\n")
    predictions = write_predictions(tmp_path / "p.csv", [(folder + b"/" + image, "cat")])
    result = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["top_k"]["1"]["overall"] == 1.0


@pytest.mark.parametrize(
    ("content", "line", "byte"),
    [("猫\n".encode("shift_jis"), 1, 0x94), (b"cat\n# caf\xe9 next\n", 2, 0xE9)],
)
def test_a_seen_list_that_is_not_utf8_is_refused_naming_the_line(tmp_path, content, line, byte):
    # A Shift-JIS list read as bytes named no class: "the evaluated images include no seen class".
    truth = tmp_path / "truth"
    predictions = write_predictions(
        tmp_path / "p.csv", folder_truth(truth, {"cat": "cat", "猫": "猫"})
    )
    seen = tmp_path / "seen.txt"
    seen.write_bytes(content)
    expected = f"zsl: error: {seen}:{line}: not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8\n"
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen)
    assert result.exit_code == 2, result.stdout
    assert result.stderr == expected


# --- truth class folders that are not UTF-8 -----------------------------------------------------


def test_a_truth_class_folder_that_is_not_utf8_is_refused_naming_it(tmp_path):
    # A folder unpacked from a Windows zip (caf\xe9 in Latin-1) was scored 0% with a warning and
    # exit 0, where the same label in a truth CSV is refused: it can never match a class.
    root = os.fsencode(tmp_path / "truth")
    rows = folder_truth(Path(os.fsdecode(root)), {"dog": "dog"})
    folder = os.path.join(root, b"caf\xe9")
    write_images(Path(os.fsdecode(folder)), 2, seed=5)
    rows += [(os.path.join(folder, image), "café") for image in sorted(os.listdir(folder))]
    predictions = write_predictions(tmp_path / "p.csv", rows)
    result = run("evaluate", predictions, "--truth", os.fsdecode(root))
    assert result.exit_code == 2, result.stdout
    assert result.stderr == (
        f"zsl: error: {tmp_path}/truth/caf\\xe9: a class folder's name is not UTF-8 text (byte "
        "0xe9), as class names are, so it can name no class; rename it in UTF-8 (e.g. with "
        "convmv -f latin1 -t utf8 --notest) and label its images again\n"
    )


def test_image_names_that_are_not_utf8_inside_class_folders_are_still_read(tmp_path):
    # File names are bytes: only the class folder's name is a class name.
    root = os.fsencode(tmp_path / "truth")
    folder = os.path.join(root, b"caf\xc3\xa9", b"sous-dossier\xe9")
    write_images(Path(os.fsdecode(folder)), 2)
    rows: list[tuple[Path | bytes, str]] = [
        (os.path.join(folder, image), "café") for image in sorted(os.listdir(folder))
    ]
    predictions = write_predictions(tmp_path / "p.csv", rows)
    result = run("evaluate", predictions, "--truth", os.fsdecode(root), "--json", "-")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 2 and data["top_k"]["1"]["overall"] == 1.0


# --- hints compare truth names as class_spelling does -------------------------------------------


def test_the_prefix_hint_sees_class_names_behind_an_invisible_mark_or_emoji_selector(tmp_path):
    # pandas' get_dummies names columns label_<class>; here the names also carry what typing or
    # an emoji picker leaves (an RLM, U+FE0F), which class names are compared without.
    root = tmp_path / "truth"
    rows = folder_truth(root, {"label_חתול\u200f": "חתול", "label_❤️": "❤"})
    result = run("evaluate", write_predictions(tmp_path / "p.csv", rows), "--truth", root)
    assert result.exit_code == 0, result.stderr
    assert "(the truth's classes are the class names after 'label_': rename them)" in (
        result.stderr
    )


def test_the_other_case_hint_sees_a_class_behind_an_invisible_mark_or_emoji_selector(tmp_path):
    root = tmp_path / "truth"
    rows = folder_truth(root, {"Cat\u200b": "cat", "Red ❤️": "red ❤"})
    result = run("evaluate", write_predictions(tmp_path / "p.csv", rows), "--truth", root)
    assert result.exit_code == 0, result.stderr
    assert "'Red ❤️' in the truth is 'red ❤' among the classes" in result.stderr
    assert "in the truth is 'cat' among the classes" in result.stderr


def test_a_seen_name_that_is_an_emoji_class_in_another_case_is_refused_as_without_the_emoji(
    tmp_path,
):
    # 'Red ❤️' (case and an emoji picker's U+FE0F) for the class 'red ❤': refused as 'Red ❤'
    # is, not only warned of, or the class would count as unseen.
    root = tmp_path / "truth"
    rows = folder_truth(root, {"red ❤": "red ❤", "cat": "cat"})
    seen = tmp_path / "seen.txt"
    seen.write_text("Red ❤️\n", encoding="utf-8")
    result = run(
        "evaluate", write_predictions(tmp_path / "p.csv", rows), "--truth", root, "--seen", seen
    )
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(
        "zsl: error: the seen classes name 'Red ❤️', which is no class: the class 'red ❤' differs"
    )
