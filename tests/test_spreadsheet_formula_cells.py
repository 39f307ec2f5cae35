"""Cells that a spreadsheet runs as formulas (a file or class name starting with =, +, -, @, a tab
or a carriage return): written as they are, since zsl's readers and scripts read them back, and
warned of once per run, the file's cells in one warning and the class names in another."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.helpers import run, write_images

FORMULA_NAMES = ['=HYPERLINK("http:\\\\evil.example","click").png', "@SUM(1+1).png", "-2+3.png"]


def _folder(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "photos"
    for name, image in zip(names, write_images(folder, len(names)), strict=True):
        image.rename(folder / name)
    return folder


def _classes(tmp_path: Path, names: list[str]) -> Path:
    file = tmp_path / "classes.txt"
    file.write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    return file


def _warnings(stderr: str, about: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:") and about in line]


def _rows(output: Path) -> list[dict[str, str]]:
    with output.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_file_names_a_spreadsheet_runs_as_formulas_are_warned_of_once(
    tiny_clip, tmp_path, monkeypatch
):
    # Labelled from inside the folder, the paths start with the names themselves: Excel made a
    # live link of the first, and nothing warned.
    folder = _folder(tmp_path, [*FORMULA_NAMES, "plain.png"])
    classes = _classes(tmp_path, ["cat", "dog"])
    monkeypatch.chdir(folder)
    output = tmp_path / "out.csv"
    result = run("label", ".", "-c", classes, "-m", tiny_clip, "-o", output)
    assert result.exit_code == 0, result.stderr
    # Written as they are: zsl evaluate and scripts read the exact names back.
    rows = _rows(output)
    assert sorted(row["path"] for row in rows) == sorted([*FORMULA_NAMES, "plain.png"])
    [warning] = _warnings(result.stderr, "formula")
    first = next(row["path"] for row in rows if row["path"] != "plain.png")
    assert f"3 cells of {output} start with" in warning, warning
    assert f"first: '{first}'" in warning.replace("\\\\", "\\"), warning
    assert "import" in warning and "as text" in warning, warning
    # JSON is not opened in a spreadsheet: nothing to warn of.
    jsonl = run("label", ".", "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.jsonl")
    assert jsonl.exit_code == 0, jsonl.stderr
    assert not _warnings(jsonl.stderr, "formula")


def test_a_name_starting_with_a_tab_is_counted_as_owasp_lists_it(tiny_clip, tmp_path, monkeypatch):
    folder = _folder(tmp_path, ["\tlead.png", "plain.png"])
    output = tmp_path / "out.csv"
    result = run("label", folder, "-c", _classes(tmp_path, ["cat"]), "-m", tiny_clip, "-o", output)
    assert result.exit_code == 0, result.stderr
    # From outside the folder the path starts with the folder's name: nothing to warn of.
    assert not _warnings(result.stderr, "formula")
    monkeypatch.chdir(folder)
    result = run("label", "\tlead.png", "-c", tmp_path / "classes.txt", "-m", tiny_clip)
    assert result.exit_code == 0, result.stderr
    [warning] = _warnings(result.stderr, "formula")
    assert "1 cell of stdout starts with" in warning and "'\\tlead.png" in warning, warning
    # Stdout got the CSV as it is, the tab kept.
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["path"] == "\tlead.png"


def test_class_names_a_spreadsheet_runs_as_formulas_are_warned_of_once(tiny_clip, tmp_path):
    # A label '-blue hexagon' showed as #NAME? in Excel, and saving the sheet lost it; the class
    # file was taken without a word.
    names = ["=red square", "+green star", "-blue hexagon", "@yellow triangle", "cat"]
    classes = _classes(tmp_path, names)
    folder = _folder(tmp_path, ["a.png", "b.png"])
    output = tmp_path / "out.csv"
    result = run("label", folder, "-c", classes, "-m", tiny_clip, "-o", output, "-k", "0")
    assert result.exit_code == 0, result.stderr
    assert {row["label"] for row in _rows(output)} <= set(names)
    # One warning, of the class file: the output's cells that hold a class name are not
    # counted again.
    [warning] = _warnings(result.stderr, "formula")
    assert warning.startswith(
        f"warning: {classes}: 4 class names ('=red square', '+green star', '-blue hexagon', ... "
        "(1 more)) start with"
    ), warning
    assert "rename them" in warning and "as text" in warning, warning
    one = _classes(tmp_path, ["@cat", "dog"])
    prompts = run("label", "--show-prompts", "-c", one)
    assert prompts.exit_code == 0, prompts.stderr
    [warning] = _warnings(prompts.stderr, "formula")
    assert "class name '@cat' starts with" in warning and "rename it" in warning, warning


def test_names_that_only_hold_formula_characters_are_not_warned_of(tiny_clip, tmp_path):
    folder = _folder(tmp_path, ["a=b.png", "c+d@e.png", "f-g.png"])
    classes = _classes(tmp_path, ["red-green", "a+b", "x@y", "1=1"])
    result = run("label", folder, "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    assert not _warnings(result.stderr, "formula")
