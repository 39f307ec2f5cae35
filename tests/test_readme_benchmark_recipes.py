"""The README's recipes for the standard zero-shot benchmarks (AwA2, CUB-200-2011, ImageNet,
SUN397), run as the README writes them: each code block is taken from README.md itself, run with
bash on small files in the datasets' own formats, its `zsl` lines with the bundled model, and what
it wrote is read back through zsl (`--show-prompts`, `evaluate --json`) to check that the classes,
attribute weights and truth pairings are the ones meant.

bash parses each `zsl` line (its quoting, its words) and records the words; the lines are then run
in this process, in their order, in the folder bash was in: a recipe's `zsl` lines are its last,
so no step of its own reads what they write before they run."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.evaluation_helpers import labelled_run
from tests.helpers import run

README = Path(__file__).resolve().parents[1] / "README.md"

# `zsl` in a recipe is this checkout's, with the bundled model: no recipe names one, and a test
# fetches none. bash records each call's number of words, the folder it was called in and its
# words, each NUL-ended, for `run_recipe` to run them.
ZSL = """set -e -o pipefail
zsl() {
  printf '%s\\0' "$#" "$PWD" "$@" >> "$ZSL_CALLS"
}
"""


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = re.search(r"\n##+ ", text[start + 1 :])
    assert end is not None
    return text[start : start + 1 + end.start()]


def code_block(text: str, marker: str) -> str:
    """The one fenced block of `text` that holds `marker`."""
    blocks = [b for b in re.findall(r"\n```\n(.*?)\n```\n", text, re.S) if marker in b]
    assert len(blocks) == 1, (marker, blocks)
    return blocks[0]


def recipe(marker: str) -> str:
    return code_block(section("Standard zero-shot benchmarks"), marker)


def run_recipe(script: str, folder: Path) -> str:
    """Runs `script` with bash in `folder`, then its `zsl` lines (`label` with the bundled model)
    in this process; returns their stderr, after checking that each ran to its end and that no
    step warned."""
    lines = [line for line in script.splitlines() if line.strip()]
    first = next((n for n, line in enumerate(lines) if line.startswith("zsl ")), len(lines))
    assert all(line.startswith("zsl ") for line in lines[first:]), script  # run after the rest
    calls = folder / ".zsl-calls"
    calls.write_bytes(b"")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", "ZSL_CALLS": str(calls)}
    done = subprocess.run(
        ["bash", "-c", ZSL + script], cwd=folder, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    words = calls.read_bytes().decode().split("\0")
    calls.unlink()
    assert words.pop() == ""
    stderr = done.stderr
    n_calls = 0
    while words:
        n_words, where, *rest = words
        args, words = rest[: int(n_words)], rest[int(n_words) :]
        if args[0] == "label":
            args += ["-m", "shapes-demo"]
        before = Path.cwd()
        os.chdir(where)
        try:
            result = run(*args)
        finally:
            os.chdir(before)
        assert result.exit_code == 0, (args, result.output)
        assert "warning" not in result.stderr, (args, result.stderr)
        stderr += result.stderr
        n_calls += 1
    assert n_calls == len(lines) - first  # each `zsl` line was called once
    return stderr


def prompts(*options: object) -> dict[str, dict[str, float]]:
    """Each class's prompts and their weights, as `zsl label --show-prompts` prints them."""
    result = run("label", *options, "--show-prompts")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr
    shown: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(result.stdout)):
        shown.setdefault(row["class"], {})[row["prompt"]] = float(row["weight"])
    return shown


def evaluated(predictions: Path, *options: object) -> dict:
    result = run("evaluate", predictions, *options, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["unmatched"]["predictions"]["count"] == 0, data["unmatched"]
    assert data["unmatched"]["truth"]["count"] == 0, data["unmatched"]
    return data


def write_image(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, format="JPEG")


def attribute_weights(row: list[float], phrases: list[str], template: str) -> dict[str, float]:
    """The prompts and weights of an attribute row, as README's formula gives them: each weight
    over the sum of the row's absolute values, an attribute weighed 0 left out."""
    total = sum(abs(w) for w in row)
    return {template.format(p): w / total for p, w in zip(phrases, row, strict=True) if w}


def assert_weights(shown: dict[str, float], expected: dict[str, float]) -> None:
    assert shown.keys() == expected.keys()
    for prompt, weight in expected.items():
        assert shown[prompt] == pytest.approx(weight, rel=1e-6), prompt


AWA2_CLASSES = ["antelope", "grizzly+bear", "killer+whale", "dalmatian"]
AWA2_PREDICATES = ["black", "white", "furry", "big"]
# The continuous matrix, a -1 (a missing value) in three rows.
AWA2_MATRIX = [
    [-1.0, 15.54, 0.0, 54.94],
    [91.0, 19.87, 95.03, -1.0],
    [-1.0, 85.96, 0.0, 100.0],
    [47.5, 62.25, 12.5, 0.0],
]


# AwA2's numbered files: the index's padding is not certain, and the recipe takes them all.
AWA2_INDEXES = ["{:7d}\t", "\t{}\t", "{}\t"]
# What the recipe's first steps write, from those files, for its `zsl` lines.
AWA2_RECIPE_FILES = ["awa2_classes.txt", "awa2_attributes.csv"]


def write_awa2_class_files(root: Path, index: str) -> None:
    """AwA2's class, predicate and matrix files in `root`, their lines numbered as `index`."""
    root.mkdir(parents=True)
    numbered = "".join(index.format(i) + "{}\n" for i in range(1, 5))
    (root / "classes.txt").write_text(numbered.format(*AWA2_CLASSES))
    (root / "predicates.txt").write_text(numbered.format(*AWA2_PREDICATES))
    matrix = "".join("".join(f"{w:9.2f}" for w in row) + "\n" for row in AWA2_MATRIX)
    (root / "predicate-matrix-continuous.txt").write_text(matrix)
    (root / "trainclasses.txt").write_text("antelope\ngrizzly+bear\n")


@pytest.mark.parametrize("index", AWA2_INDEXES[1:])
def test_awa2_recipe_reads_the_class_files_however_their_index_is_padded(tmp_path, index):
    # The recipe's steps before its first `zsl` line write the class and attribute files: with
    # any padding they are the same as with the first, which the whole recipe's test reads back.
    script = recipe("predicate-matrix-continuous.txt")
    parsing = script[: script.index("\nzsl ")]
    written = []
    for n, padding in enumerate([AWA2_INDEXES[0], index]):
        root = tmp_path / str(n)
        write_awa2_class_files(root, padding)
        run_recipe(parsing, root)
        written.append([(root / name).read_text() for name in AWA2_RECIPE_FILES])
    assert written[0][0].count("\n") == 4 and written[0][1].count("\n") == 5  # a line a class
    assert written[1] == written[0]


def test_awa2_recipe_keeps_the_folder_names_and_reads_the_predicate_matrix(tmp_path, monkeypatch):
    root = tmp_path / "Animals_with_Attributes2"
    write_awa2_class_files(root, AWA2_INDEXES[0])
    for n, name in enumerate(AWA2_CLASSES):
        for i in range(2):
            write_image(root / "JPEGImages" / name / f"{name}_{10001 + i}.jpg", 2 * n + i)

    run_recipe(recipe("predicate-matrix-continuous.txt"), root)

    monkeypatch.chdir(root)
    assert prompts("-c", "awa2_classes.txt") == {
        "antelope": {"a photo of a antelope.": 1.0},
        "grizzly+bear": {"a photo of a grizzly bear.": 1.0},
        "killer+whale": {"a photo of a killer whale.": 1.0},
        "dalmatian": {"a photo of a dalmatian.": 1.0},
    }
    shown = prompts("--attributes", "awa2_attributes.csv")
    assert list(shown) == AWA2_CLASSES
    for name, row in zip(AWA2_CLASSES, AWA2_MATRIX, strict=True):
        present = [max(w, 0.0) for w in row]  # the recipe writes a missing value as 0
        expected = attribute_weights(present, AWA2_PREDICATES, "a photo of something {}.")
        assert_weights(shown[name], expected)
    for predictions in ("awa2.jsonl", "awa2_attributes.jsonl"):
        data = evaluated(Path(predictions), "--truth", "JPEGImages", "--seen", "trainclasses.txt")
        assert data["n"] == 8 and data["warnings"] == []
        assert (data["gzsl"]["n_seen_classes"], data["gzsl"]["n_unseen_classes"]) == (2, 2)


CUB_CLASSES = ["001.Black_footed_Albatross", "002.Laysan_Albatross", "003.Sooty_Albatross"]
CUB_ATTRIBUTES = [
    "has_bill_shape::curved_(up_or_down)",
    "has_bill_shape::dagger",
    "has_wing_color::blue",
    "has_size::small_(5_-_9_in)",
    "has_shape::upright-perching_water-like",
]
CUB_PHRASES = [
    "bill shape: curved (up or down)",
    "bill shape: dagger",
    "wing color: blue",
    "size: small (5 - 9 in)",
    "shape: upright-perching water-like",
]
CUB_MATRIX = [
    [0.0, 25.506903, 76.096244, 0.0, 12.5],
    [77.844262, 0.0, 46.932014, 70.338209, 0.0],
    [65.665651, 45.470163, 0.0, 2.363458, 0.0],
]


def test_cub_recipe_names_the_classes_as_the_folders_with_a_truth_and_phrased_attributes(
    tmp_path, monkeypatch
):
    top = tmp_path / "CUB_200_2011_archive"
    root = top / "CUB_200_2011"
    (root / "attributes").mkdir(parents=True)
    (top / "attributes.txt").write_text(
        "".join(f"{i} {a}\n" for i, a in enumerate(CUB_ATTRIBUTES, 1))
    )
    (root / "classes.txt").write_text("".join(f"{i} {c}\n" for i, c in enumerate(CUB_CLASSES, 1)))
    matrix = "".join(" ".join(f"{w:f}" for w in row) + "\n" for row in CUB_MATRIX)
    (root / "attributes" / "class_attribute_labels_continuous.txt").write_text(matrix)
    (root / "trainvalclasses.txt").write_text("001.Black_footed_Albatross\n003.Sooty_Albatross\n")
    images, labels, truth = [], [], {}
    for n, folder in enumerate(CUB_CLASSES, 1):
        for i in range(2):
            image_id = len(images) + 1
            relative = f"{folder}/{folder[4:]}_00{40 + i}_{100 + image_id}.jpg"
            write_image(root / "images" / relative, image_id)
            images.append(f"{image_id} {relative}\n")
            labels.append(f"{image_id} {n}\n")
            truth[f"images/{relative}"] = folder
    (root / "images.txt").write_text("".join(images))
    (root / "image_class_labels.txt").write_text("".join(labels))

    run_recipe(recipe("image_class_labels.txt"), root)

    monkeypatch.chdir(root)
    assert prompts("-c", "cub_classes.txt") == {
        "001.Black_footed_Albatross": {"a photo of a Black footed Albatross, a type of bird.": 1},
        "002.Laysan_Albatross": {"a photo of a Laysan Albatross, a type of bird.": 1},
        "003.Sooty_Albatross": {"a photo of a Sooty Albatross, a type of bird.": 1},
    }
    assert written_truth(root / "cub_truth.csv") == truth
    data = evaluated(Path("cub.jsonl"), "--truth", "cub_truth.csv", "--seen", "trainvalclasses.txt")
    assert data["n"] == 6 and data["warnings"] == []
    assert (data["gzsl"]["n_seen_classes"], data["gzsl"]["n_unseen_classes"]) == (2, 1)

    template = "a photo of a bird with {}."
    shown = prompts("--attributes", "cub_attributes.csv", "--attribute-template", template)
    assert list(shown) == CUB_CLASSES
    for name, row in zip(CUB_CLASSES, CUB_MATRIX, strict=True):
        assert_weights(shown[name], attribute_weights(row, CUB_PHRASES, template))
    data = evaluated(Path("cub_attributes.jsonl"), "--truth", "images")
    assert data["n"] == 6 and data["warnings"] == []


IMAGENET = {
    "n01440764": "tench, Tinca tinca",
    "n01443537": "goldfish, Carassius auratus",
    "n01484850": "great white shark, white shark, man-eater, man-eating shark, "
    "Carcharodon carcharias",
}


def test_imagenet_recipe_names_the_classes_by_wnid_with_a_validation_truth(tmp_path, monkeypatch):
    (tmp_path / "LOC_synset_mapping.txt").write_text(
        "".join(f"{wnid} {names}\n" for wnid, names in IMAGENET.items())
    )
    # Kaggle's solution file: each image's boxes, a wnid before each; not in the wnids' order.
    rows, truth = ["ImageId,PredictionString\n"], {}
    for n, wnid in enumerate([*reversed(IMAGENET), *IMAGENET], 1):
        image = f"ILSVRC2012_val_{n:08d}"
        write_image(tmp_path / "ILSVRC" / "Data" / "CLS-LOC" / "val" / f"{image}.JPEG", n)
        rows.append(f"{image},{wnid} 49 37 411 289 {wnid} 12 20 200 200 \n")
        truth[f"ILSVRC/Data/CLS-LOC/val/{image}.JPEG"] = wnid
    (tmp_path / "LOC_val_solution.csv").write_text("".join(rows))

    run_recipe(recipe("LOC_synset_mapping.txt"), tmp_path)

    monkeypatch.chdir(tmp_path)
    assert prompts("-c", "imagenet_classes.txt") == {
        "n01440764": {"a photo of a tench.": 1.0},
        "n01443537": {"a photo of a goldfish.": 1.0},
        "n01484850": {"a photo of a great white shark.": 1.0},
    }
    assert written_truth(tmp_path / "imagenet_val_truth.csv") == truth
    data = evaluated(Path("imagenet_val.jsonl"), "--truth", "imagenet_val_truth.csv")
    assert data["n"] == 6 and data["warnings"] == []
    assert set(data["per_class"]) == set(IMAGENET)


SUN397 = {
    "/a/abbey": "abbey",
    "/a/apartment_building/outdoor": "apartment building outdoor",
    "/b/bistro/indoor": "bistro indoor",
}


def sun397_archive(folder: Path) -> dict[str, str]:
    """SUN397 as its archive unpacks into `folder`: ClassName.txt and README.txt beside the letter
    folders, two images in each class's folder. Returns each image's path and class."""
    root = folder / "SUN397"
    root.mkdir()
    (root / "ClassName.txt").write_text("".join(f"{path}\n" for path in SUN397))
    (root / "README.txt").write_text("The SUN397 database.\n")
    truth = {}
    for n, class_folder in enumerate(SUN397):
        for i in range(2):
            image = f"SUN397{class_folder}/sun_a{n}{i}.jpg"
            write_image(folder / image, 2 * n + i)
            truth[image] = SUN397[class_folder]
    return truth


def written_truth(path: Path) -> dict[str, str]:
    with open(path, newline="") as written:
        return {row["path"]: row["label"] for row in csv.DictReader(written)}


def test_sun397_truth_command_leaves_out_the_files_beside_the_letter_folders(tmp_path, monkeypatch):
    # ClassName.txt and README.txt were rows with an empty label: "truth.csv, line 4: the label
    # is empty", exit 2, for the README's command and evaluate's hint alike.
    truth = sun397_archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    command = code_block(section("Evaluating and hubness"), "find SUN397")
    run_recipe(command, tmp_path)
    assert written_truth(tmp_path / "truth.csv") == truth
    predictions = labelled_run(
        tmp_path / "p.jsonl",
        [(Path(p).resolve(), n) for p, n in truth.items()],
        list(SUN397.values()),
    )
    result = run("evaluate", predictions, "--truth", "SUN397")
    assert result.exit_code == 2
    assert f"e.g. `{command}`)" in result.stderr  # the hint gives the README's command
    # Given SUN397/a, the hint's command labels that letter's images.
    result = run("evaluate", predictions, "--truth", "SUN397/a", "--json", "-", "-q")
    (warning,) = json.loads(result.stdout)["warnings"]
    (tmp_path / "truth.csv").unlink()
    run_recipe(warning.split("e.g. `")[1].split("`)")[0], tmp_path)
    assert written_truth(tmp_path / "truth.csv") == {
        p: n for p, n in truth.items() if p.startswith("SUN397/a/")
    }


def test_sun397_recipe_names_the_classes_as_the_truth_command_labels_them(tmp_path, monkeypatch):
    truth = sun397_archive(tmp_path)
    truth_command = code_block(section("Evaluating and hubness"), "find SUN397")
    run_recipe(truth_command + "\n" + recipe("ClassName.txt"), tmp_path)

    monkeypatch.chdir(tmp_path)
    assert written_truth(tmp_path / "truth.csv") == truth
    assert prompts("-c", "sun397_classes.txt") == {
        name: {f"a photo of a {name}.": 1.0} for name in SUN397.values()
    }
    data = evaluated(Path("sun397.jsonl"), "--truth", "truth.csv")
    assert data["n"] == 6 and data["warnings"] == []
