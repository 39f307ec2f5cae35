"""What a seen list (`zsl evaluate --seen`) is told of its format: a seen list names classes and
makes no prompts, so no warning it can reach speaks of prompts, the model, or a class file's
options, as the same lines given as --classes are told."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images
from zsl_cli.classes import class_list_warnings

SEEN_LISTS = {
    "header": ["class", "cat", "dog"],
    "csv header": ["class,description", "cat,a small cat", "dog,a big dog"],
    "one line": ["cat, dog, bird"],
    "ids": ["n01440764", "n01443537"],
    "two columns": ["cat,a photo of a cat", "dog,a photo of a dog"],
    "over lines": ["cat, dog,", "bird"],
    "joined": ["apple_pie", "hot_dog"],
    "camel case": ["AnnualCrop", "SeaLake", "Forest"],
    "urls": ["https://www.wikidata.org/wiki/Q146", "https://www.wikidata.org/wiki/Q144"],
}
# What a class file's warnings say that a seen list's must not.
NOT_FOR_A_SEEN_LIST = ("prompt", "model", "class file", "--descriptions", "--templates")


@pytest.mark.parametrize("names", SEEN_LISTS.values(), ids=SEEN_LISTS.keys())
def test_a_seen_lists_warnings_speak_of_names_alone(names):
    as_classes = class_list_warnings(names, "c.txt")
    assert as_classes  # the shape is one a class file is warned of
    warnings = class_list_warnings(names, "the seen list", seen_list=True)
    assert len(warnings) == len(as_classes)
    for warning in warnings:
        assert warning.startswith("the seen list")
        for words in NOT_FOR_A_SEEN_LIST:
            assert words not in warning, warning


def test_a_seen_list_in_camel_case_is_told_so_without_prompts(tmp_path: Path):
    # The classes are spelled with spaces; a seen list of EuroSAT's folder names named none.
    classes = ["annual crop", "sea lake", "forest"]
    images = []
    for seed, name in enumerate(classes):
        write_images(tmp_path / "truth" / name, 1, seed=seed)
        images += [(image, name) for image in (tmp_path / "truth" / name).iterdir()]
    predictions = labelled_run(tmp_path / "p.jsonl", images, classes)
    seen = tmp_path / "seen.txt"
    seen.write_text("AnnualCrop\nSeaLake\nPasture\n")
    result = run("evaluate", predictions, "--truth", tmp_path / "truth", "--seen", seen)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert "no name in the seen list is a class" in line
    assert "join their words with capitals (CamelCase)" in line
    assert "'annual crop'" in line or "Annual Crop" in line, line
    assert "prompt" not in line, line


def test_a_seen_list_of_a_folder_listing_is_told_of_its_own_option():
    # `ls > seen.txt` in the class folders: it was told of `ls > classes.txt`, a class list.
    names = ["seen.txt", "notes.txt", "cat", "dog"]
    # A class file's warning names the file itself.
    assert any("`ls > c.txt`?" in warning for warning in class_list_warnings(names, "c.txt"))
    [warning] = class_list_warnings(names, "the seen list", seen_list=True)
    assert warning.startswith("the seen list: class 'seen.txt' (and 1 more) is a file's name")
    assert "(a folder listing, as `ls` writes it, given as --seen?)" in warning
    assert "classes.txt" not in warning
