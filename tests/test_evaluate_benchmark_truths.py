"""`zsl evaluate` and `zsl hubness` against truths and seen lists as the zero-shot benchmarks
ship them: CUB's `001.Black_footed_Albatross` folders and xlsa17 seen lists, AwA2's classes.txt
and predicate matrices given as --seen, SUN397's letter folders (`a/abbey/`,
`a/apartment_building/outdoor/`), a truth of class indices. A truth or seen list that names no
class of the run is refused (exit 2) with the hints on why, where it scored 0% (or "seen n/a")
and exited 0."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images
from zsl_cli.errors import ZslError
from zsl_cli.evaluation import class_mismatch_hints, load_truth, read_seen_classes

CUB = {
    "001.Black_footed_Albatross": "Black footed Albatross",
    "002.Laysan_Albatross": "Laysan Albatross",
}


def class_folders(root: Path, folders: dict[str, str]) -> list[tuple[Path, str]]:
    """Two real images in each folder (a path below `root`), each with the class it is of."""
    images = []
    for seed, (folder, name) in enumerate(folders.items()):
        write_images(root / folder, 2, seed=seed)
        images += [(image, name) for image in sorted((root / folder).iterdir())]
    return images


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_cub_numbered_folders_against_plain_class_names_are_refused_with_the_pairing(tmp_path):
    # Before: "2 truth classes are not among the 2 classes", top-1 0.0%, exit 0.
    images = class_folders(tmp_path / "images", CUB)
    predictions = labelled_run(tmp_path / "p.jsonl", images, list(CUB.values()))
    error = one_line_error(run("evaluate", predictions, "--truth", tmp_path / "images"))
    assert "no truth class of the 4 evaluated images is among the 2 classes" in error
    assert (
        "'001.Black_footed_Albatross' in the truth is 'Black footed Albatross' among the classes "
        "behind a class id (1 other name is so)"
    ) in error
    assert "give a truth CSV (path,label)" in error
    assert "'001.Black_footed_Albatross: a photo of a Black footed Albatross.'" in error
    # The fix it names works: the classes named as the folders are, with prompts of their own.
    named = labelled_run(
        tmp_path / "named.jsonl", [(p, f) for f in CUB for p, n in images if n == CUB[f]], list(CUB)
    )
    result = run("evaluate", named, "--truth", tmp_path / "images", "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["top_k"]["1"]["overall"] == 1.0


def test_a_parent_folder_given_as_truth_is_refused_with_the_folder_to_give(tmp_path):
    # `--truth .` over images/<class>/: "Evaluated 4 images over 1 class", 0.0%, exit 0.
    images = class_folders(tmp_path / "images", {"cat": "cat", "dog": "dog"})
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    error = one_line_error(run("evaluate", predictions, "--truth", tmp_path))
    assert f"give --truth {tmp_path / 'images'}" in error


def test_some_classes_missing_stay_a_warning(tmp_path):
    images = class_folders(tmp_path / "truth", {"cat": "cat", "Dog": "dog"})
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", tmp_path / "truth", "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "1 truth class is not among the 2 classes the run labelled with" in warning
    assert "'Dog' in the truth is 'dog' among the classes" in warning


def test_class_indices_get_the_same_hint_from_evaluate_and_hubness(tiny_clip, tmp_path):
    # hubness said only "(their truth classes: 0, 1; classes: ...)", evaluate named the indices.
    images = class_folders(tmp_path / "photos", {"cat": "cat", "dog": "dog"})
    truth = tmp_path / "num.csv"
    truth.write_text("path,label\n" + "".join(f"{p},{int(n == 'dog')}\n" for p, n in images))
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    hint = "the truth's labels are numbers (class indices?)"
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    assert hint in one_line_error(run("evaluate", predictions, "--truth", truth))
    hubness = run("hubness", tmp_path / "photos", "-c", classes, "-m", tiny_clip, "--truth", truth)
    assert hint in one_line_error(hubness)
    assert class_mismatch_hints(load_truth(truth), ["0", "1"], ["cat", "dog"]).startswith(
        f" ({hint}"
    )


def xlsa17_split(tmp_path: Path) -> tuple[Path, Path]:
    """Truth folders named as the classes are, and predictions of them."""
    images = class_folders(tmp_path / "truth", {name: name for name in CUB.values()})
    return labelled_run(tmp_path / "p.jsonl", images, list(CUB.values())), tmp_path / "truth"


def test_a_seen_list_in_cub_spelling_is_refused_with_the_pairing(tmp_path):
    # Before: "seen n/a", and advice to "label against every class", which the run did.
    predictions, truth = xlsa17_split(tmp_path)
    seen = tmp_path / "trainvalclasses.txt"
    seen.write_text("001.Black_footed_Albatross\n")
    error = one_line_error(run("evaluate", predictions, "--truth", truth, "--seen", seen))
    assert "no name in the seen list is a class" in error
    assert "'001.Black_footed_Albatross' in the seen list is 'Black footed Albatross'" in error
    assert "label against every class" not in error


def test_awa2_files_given_as_seen_are_refused_as_a_class_list_is(tmp_path):
    predictions, truth = xlsa17_split(tmp_path)
    classes_txt = tmp_path / "classes.txt"  # AwA2's: an index column before the names
    classes_txt.write_text("\t1\tBlack footed Albatross\n\t2\tLaysan Albatross\n")
    error = one_line_error(run("evaluate", predictions, "--truth", truth, "--seen", classes_txt))
    assert "AwA2's classes.txt" in error and f"cut -f3 {classes_txt}" in error
    matrix = tmp_path / "predicate-matrix-binary.txt"
    matrix.write_text("1 0 1 1 0\n0 0 1 0 1\n")
    error = one_line_error(run("evaluate", predictions, "--truth", truth, "--seen", matrix))
    assert "is a row of numbers" in error
    spaced = tmp_path / "spaced.txt"  # `1 antelope`, a name to -c: named to what it pairs with
    spaced.write_text("1 Black footed Albatross\n2 Laysan Albatross\n")
    error = one_line_error(run("evaluate", predictions, "--truth", truth, "--seen", spaced))
    assert "'1 Black footed Albatross' in the seen list is 'Black footed Albatross'" in error


def test_a_seen_list_naming_truth_classes_outside_the_run_keeps_its_advice(tmp_path):
    images = class_folders(tmp_path / "truth", {"cat": "cat", "dog": "dog"})
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["dog"])
    seen = tmp_path / "seen.txt"
    seen.write_text("cat\n")
    result = run(
        "evaluate", predictions, "--truth", tmp_path / "truth", "--seen", seen, "--json", "-"
    )
    assert result.exit_code == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any("label against every class, seen and unseen" in w for w in warnings), warnings


SUN397 = {
    "a/abbey": "abbey",
    "a/apartment_building/outdoor": "apartment building outdoor",
    "b/bistro/indoor": "bistro indoor",
}


def test_sun397_letter_folders_are_refused_with_a_truth_csv_command_that_works(
    tmp_path, monkeypatch
):
    # Before: classes a and b, 0%, exit 0, and "give one as --truth, as SUN397/a".
    monkeypatch.chdir(tmp_path)
    images = class_folders(Path("SUN397"), SUN397)
    predictions = labelled_run(
        tmp_path / "p.jsonl", [(p.resolve(), n) for p, n in images], list(SUN397.values())
    )
    error = one_line_error(run("evaluate", predictions, "--truth", "SUN397"))
    assert (
        "below letter folders or two levels deep, as SUN397's are" in error
        and "--truth SUN397/a" not in error
    )
    command = error.split("give a truth CSV that labels each image with its class, e.g. `")[1]
    command = command.split("`)")[0]
    subprocess.run(["bash", "-c", command], check=True)
    result = run("evaluate", predictions, "--truth", "truth.csv", "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 6 and data["top_k"]["1"]["overall"] == 1.0


def test_sun397_letter_folder_given_as_truth_says_a_class_spans_two_levels(tmp_path, monkeypatch):
    # Before: 'apartment_building' a class of its own, no hint.
    monkeypatch.chdir(tmp_path)
    images = class_folders(Path("SUN397"), SUN397)
    predictions = labelled_run(
        tmp_path / "p.jsonl", [(p.resolve(), n) for p, n in images], list(SUN397.values())
    )
    result = run("evaluate", predictions, "--truth", "SUN397/a", "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "'apartment_building' holds its images in folders below it" in warning
    command = warning.split("e.g. `")[1].split("`)")[0]
    subprocess.run(["bash", "-c", command], check=True)
    result = run("evaluate", predictions, "--truth", "truth.csv", "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["top_k"]["1"]["overall"] == 1.0


def test_a_split_folder_over_classes_with_sub_folders_still_says_which_folder_to_give(tmp_path):
    # train/cat/more/: a class folder's own sub-folder, no class two levels deep as SUN397's.
    images = class_folders(tmp_path / "data", {"train/cat/more": "cat", "train/dog": "dog"})
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    error = one_line_error(run("evaluate", predictions, "--truth", tmp_path / "data"))
    assert error.endswith(f"give --truth {tmp_path / 'data' / 'train'})")
    assert "truth CSV" not in error


def test_a_seen_list_read_as_a_class_list_still_takes_a_name_twice(tmp_path):
    # A name listed twice names one seen class: the class list's duplicate refusal is not run.
    seen = tmp_path / "seen.txt"
    seen.write_text("cat\ncafe\u0301\ncat\ncafé\n")
    assert read_seen_classes(seen) == ["cat", "cafe\u0301", "cat", "café"]
    seen.write_text("cat\n\t2\tdog\n")
    with pytest.raises(ZslError, match=r"seen\.txt:2: class name '2\\tdog' contains a tab"):
        read_seen_classes(seen)
