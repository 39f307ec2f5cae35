"""`zsl evaluate` on predictions that spell one class with its accents composed (NFC) in some rows
and decomposed (NFD) in others: outputs of two runs joined into one file, one labelled from a class
list saved on a Mac, the other from the same list typed elsewhere, or a label retyped in a
spreadsheet. A class list takes the two spellings for one name, so they are one class here too,
with a warning naming both; the numbers do not depend on how many classes each row ranks."""

from __future__ import annotations

import csv
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from tests.evaluation_helpers import predicted, touch
from tests.helpers import run
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.evaluation import evaluate, load_truth

RED, BLUE, GREEN = "cercle rouge", "carr\u00e9 bleu", "\u00e9toile verte"
CLASS_LINES = [
    f"{RED}: a photo of a red circle",
    f"{BLUE}: a photo of a blue square",
    f"{GREEN}: a photo of a green star",
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A truth folder of three French classes (their folders named composed, as typed on Linux)
    and two class lists of them: one composed, one decomposed (saved on a Mac)."""
    root = tmp_path_factory.mktemp("fr")
    shapes = make_image_set(root / "shapes", seed=4913, per_class=3).root
    for name, source in ((RED, "red circle"), (BLUE, "blue square"), (GREEN, "green star")):
        shutil.copytree(shapes / source, root / "fr" / name)
    (root / "nfc.txt").write_text("\n".join(CLASS_LINES) + "\n", encoding="utf-8")
    (root / "nfd.txt").write_text(nfd("\n".join(CLASS_LINES)) + "\n", encoding="utf-8")
    return root


def label(world: Path, classes: str, *folders: str, top_k: int = 0) -> str:
    paths = [world / "fr" / folder for folder in folders]
    options = ["-c", world / classes, "-m", "shapes-demo", "-k", top_k, "-f", "jsonl", "-q"]
    labelled = run("label", *paths, *options)
    assert labelled.exit_code == 0, labelled.stderr
    return labelled.stdout


def joined(world: Path, tmp_path: Path, top_k: int) -> Path:
    """The output of a run from the composed list, then one from the decomposed list, joined as
    `>> out.jsonl` joins them."""
    output = tmp_path / f"all-k{top_k}.jsonl"
    output.write_text(
        label(world, "nfc.txt", BLUE, top_k=top_k)
        + label(world, "nfd.txt", RED, GREEN, top_k=top_k),
        encoding="utf-8",
    )
    return output


def evaluated_json(predictions: Path, truth: Path, *options: object) -> dict:
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_joined_runs_of_a_composed_and_a_decomposed_list_score_every_right_answer(world, tmp_path):
    # The review's case: every image labelled right, yet 'étoile verte -> étoile verte' three
    # times and 66.7%, without a word.
    output = joined(world, tmp_path, top_k=0)
    result = run("evaluate", output, "--truth", world / "fr", "--top-k", "1")
    assert result.exit_code == 0, result.stderr
    assert "top-1: mean per-class 100.0%, overall 100.0%" in result.stdout
    assert "mistakes" not in result.stdout
    assert "over 3 classes" in result.stdout
    warning = result.stderr.replace("\n", " ")
    assert "composed form (NFC)" in warning and "decomposed form (NFD)" in warning
    assert "U+0301" in warning


def test_the_numbers_are_the_same_whatever_number_of_classes_the_runs_ranked(world, tmp_path):
    every = evaluated_json(joined(world, tmp_path, top_k=0), world / "fr", "--top-k", "1,3")
    first = evaluated_json(joined(world, tmp_path, top_k=1), world / "fr", "--top-k", "1")
    for result in (every, first):
        assert result["n_classes"] == 3
        assert result["top_k"]["1"]["overall"] == 1.0
        assert result["macro_f1"] == 1.0
        assert len(result["per_class"]) == 3
        assert all(row["accuracy"] == 1.0 for row in result["per_class"].values())
    assert (every["top_k"]["3"]["k_used"], every["top_k"]["3"]["overall"]) == (3, 1.0)


def test_a_label_retyped_composed_over_a_decomposed_run_is_that_class(world, tmp_path):
    # The review's second case: a reviewer retypes the green stars' label (a keyboard types it
    # composed); top-5 was "not computable" against a 4th class, with advice to label with
    # --top-k 0, which the run already did.
    run_csv = tmp_path / "run.csv"
    options = ["-c", world / "nfd.txt", "-m", "shapes-demo", "-k", 0, "-o", run_csv, "-q"]
    assert run("label", world / "fr", *options).exit_code == 0
    with run_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if "green_star" in row["path"]:
            row["label"] = unicodedata.normalize("NFC", row["label"])
    reviewed = tmp_path / "reviewed.csv"
    with reviewed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = evaluated_json(reviewed, world / "fr")
    assert result["n_classes"] == 3
    assert [(t["k_used"], t["overall"], t["note"]) for t in result["top_k"].values()] == [
        (1, 1.0, ""),
        (3, 1.0, "k=5 clipped to 3, the number of classes"),
    ]
    assert any("decomposed form (NFD)" in warning for warning in result["warnings"])
    assert not any("edited since" in warning for warning in result["warnings"])


def test_a_label_retyped_against_the_runs_classes_is_counted_under_the_runs_spelling(tmp_path):
    truth = tmp_path / "truth"
    paths = [touch(truth / GREEN / "a.png"), touch(truth / RED / "b.png")]
    classes = [nfd(GREEN), RED, nfd(BLUE)]
    predictions = [
        predicted(paths[0], GREEN, [GREEN, RED, nfd(BLUE)]),  # composed, retyped since
        predicted(paths[1], RED, [RED, nfd(GREEN), nfd(BLUE)]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1, 3), class_names=classes)
    assert [t.overall for t in result.metrics.top_k] == [1.0, 1.0]
    assert sorted(result.metrics.classes) == sorted([nfd(GREEN), RED])
    assert not any("edited since" in warning for warning in result.warnings)
    (warning,) = [w for w in result.warnings if "decomposed form (NFD)" in w]
    assert f"'{nfd(GREEN)}' in decomposed form (NFD) (e + U+0301) and in composed form" in warning


def test_two_emoji_spellings_that_a_class_list_keeps_apart_stay_two_classes(tmp_path):
    # ❤ and ❤️ may be two classes of one run (the class list keeps both): only spellings that a
    # class list takes for one name are counted as one.
    truth = tmp_path / "truth"
    heart, picked = "\u2764", "\u2764\ufe0f"
    paths = [touch(truth / heart / "a.png"), touch(truth / picked / "b.png")]
    predictions = [
        predicted(paths[0], picked, [picked, heart]),
        predicted(paths[1], picked, [picked, heart]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1,))
    assert result.metrics.top_k[0].overall == 0.5
    assert not any("decomposed" in warning for warning in result.warnings)


def test_predictions_in_one_spelling_are_left_as_they_are(tmp_path):
    truth = tmp_path / "truth"
    paths = [touch(truth / GREEN / "a.png"), touch(truth / RED / "b.png")]
    predictions = [
        predicted(paths[0], nfd(GREEN), [nfd(GREEN), RED]),
        predicted(paths[1], RED, [RED, nfd(GREEN)]),
    ]
    result = evaluate(predictions, load_truth(truth), ks=(1,))
    assert result.metrics.top_k[0].overall == 1.0
    assert sorted(result.metrics.classes) == sorted([nfd(GREEN), RED])
    assert not any("NFD" in warning for warning in result.warnings)
