"""`zsl evaluate` on predicted labels that name none of the run's classes: a label edited since
the run (another case, a space at its end, another name) is scored as written, and said."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from tests.evaluation_helpers import label_folder, predicted, touch
from zsl_cli.cli import app
from zsl_cli.evaluation import evaluate, evaluate_files, load_truth
from zsl_cli.readers import read_predictions


def run(*args, input: bytes | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


FORMATS = {"csv": "csv", "jsonl": "jsonl", "json": "json", "label-studio": "json"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_labelling_run_s_own_output_raises_no_label_warning(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
    fmt,
):
    # Failed images (an empty label) and abstentions ('unknown') are what zsl label writes: no
    # label of its own output is among the edited ones, with its run info or without it.
    (image_folder / "cat" / "broken.png").write_bytes(b"not an image")
    first = label_folder(image_folder, tiny_clip, tmp_path / "first.jsonl", "-k", "0")
    scores = sorted(p.score for p in read_predictions(first) if p.ok)
    threshold = str(scores[len(scores) // 2])  # about half the images abstain
    out = tmp_path / f"p.{FORMATS[fmt]}"
    options = ["-k", "2", "-f", fmt, "--threshold", threshold]
    if fmt == "label-studio":
        options += ["--ls-document-root", tmp_path]
    label_folder(image_folder, tiny_clip, out, *options)
    result = evaluate_files(out, image_folder, ks=(1,))
    assert result.metrics.abstained > 0 and result.metrics.failed == 1
    assert len(result.metrics.extra_predicted) == 0
    assert result.warnings == ()
    piped = run("evaluate", "-", "--truth", image_folder, "--json", "-", input=out.read_bytes())
    assert piped.exit_code == 0, piped.stderr
    # Without its run info, another warning may come (a truth class no image ranks in its top 2).
    warnings = json.loads(piped.stdout)["warnings"]
    assert not [warning for warning in warnings if "(edited since?)" in warning]


def test_labels_edited_in_case_are_warned_of_with_the_run_s_classes(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.jsonl", "-k", "0")
    before = json.loads(run("evaluate", predictions, "--truth", image_folder, "--json", "-").stdout)
    lines = predictions.read_text().splitlines(keepends=True)
    records = [json.loads(line) for line in lines]
    edited = [1, 5, 9]
    for row in edited:  # the same size, so the run info is still read
        label = records[row]["label"]
        lines[row] = lines[row].replace(f'"label": "{label}"', f'"label": "{label.title()}"', 1)
    predictions.write_text("".join(lines))
    result = run("evaluate", predictions, "--truth", image_folder, "--json", "-")
    assert result.exit_code == 0, result.stderr
    after = json.loads(result.stdout)
    names = sorted({records[row]["label"] for row in edited})
    shown = ", ".join(f"'{name.title()}'" for name in names)
    hint = ", ".join(
        f"'{name.title()}' in the predictions is '{name}' among the classes" for name in names
    )
    assert after["warnings"] == [
        "3 images have labels not among the 3 classes the run labelled with (edited since?), each "
        f"scored as written: {shown} ({hint})"
    ]
    assert after["warnings"][0] in result.stderr
    # Scored as written: what was right before is wrong now, never matched loosely.
    right = sum(
        records[row]["label"] == os.path.basename(os.path.dirname(records[row]["path"]))
        for row in edited
    )
    assert after["top_k"]["1"]["overall"] * 12 == pytest.approx(
        before["top_k"]["1"]["overall"] * 12 - right
    )


def test_labels_edited_without_run_info_are_warned_of_against_truth_and_rankings(tmp_path):
    root = tmp_path / "truth"
    rows = [
        predicted(touch(root / "cat" / "1.jpg"), "cat", ["cat", "dog", "fox"]),
        predicted(touch(root / "cat" / "2.jpg"), "cat ", ["cat", "dog", "fox"]),
        predicted(touch(root / "dog" / "3.jpg"), "zebra-horse", ["dog", "cat", "fox"]),
        predicted(touch(root / "dog" / "4.jpg"), "fox", ["fox", "dog", "cat"]),  # ranked: a class
        predicted(touch(root / "dog" / "5.jpg"), "", status="unreadable"),
    ]
    truth = load_truth(root)
    result = evaluate(rows, truth, ks=(1,))
    assert result.warnings == (
        "2 images have labels that are neither a truth class nor ranked for any image (edited "
        "since?), each scored as written: 'cat ', 'zebra-horse' ('cat ' in the predictions is "
        "'cat' among the classes)",
    )
    assert result.metrics.top_k[0].overall == pytest.approx(1 / 5)  # as written
    # With the run's classes, those are the classes: fox was one, zebra-horse was not.
    listed = evaluate(rows, truth, ks=(1,), class_names=["cat", "dog", "fox"])
    assert listed.warnings == (
        "2 images have labels not among the 3 classes the run labelled with (edited since?), "
        "each scored as written: 'cat ', 'zebra-horse' ('cat ' in the predictions is 'cat' "
        "among the classes)",
    )
    # A label with no ranking to check it against (a file whose top_k was dropped) is not one.
    bare = [*rows[:2], predicted(root / "dog" / "3.jpg", "zebra-horse", ["zebra-horse"])]
    (warning,) = evaluate(bare, truth, ks=(1,)).warnings
    assert warning.startswith("1 image has a label that is neither a truth class nor ranked")


def test_labels_edited_in_a_csv_without_run_info_are_warned_of(
    tiny_clip,
    image_folder,  # noqa: F811
    tmp_path,
):
    predictions = label_folder(image_folder, tiny_clip, tmp_path / "p.csv", "-k", "0")
    os.remove(f"{predictions}.run.json")
    lines = predictions.read_text().splitlines(keepends=True)
    label = lines[1].split(",")[1]  # the first image's; class names hold no comma here
    lines[1] = lines[1].replace(f",{label},", f",{label} ,", 1)
    predictions.write_text("".join(lines))
    result = run("evaluate", predictions, "--truth", image_folder, "-q", "--json", "-")
    assert result.exit_code == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert warning == (
        "1 image has a label that is neither a truth class nor ranked for any image (edited "
        f"since?), scored as written: '{label} ' ('{label} ' in the predictions is '{label}' "
        "among the classes)"
    )
