"""Class-folder truth as annotation tools export it: untagged images in a folder of their own
(CVAT's and Datumaro's ImageNet export: `no_label/`; FiftyOne's classification tree:
`_unlabeled/`) have no ground truth and are left out, unless the run has a class of that name;
an image with two tags is exported into both class folders (the same name and bytes) and has no
one class to score (each copy is scored against its own folder): warned of, counted, with an
example."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images
from zsl_cli.cli import app


def write_image(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def png(seed: int) -> bytes:
    """A small PNG of random pixels, another for each seed."""
    pixels = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    encoded = io.BytesIO()
    Image.fromarray(pixels).save(encoded, "PNG")
    return encoded.getvalue()


def evaluated(predictions: Path, truth: Path, *options: object) -> tuple[dict, str]:
    """`zsl evaluate`'s JSON results and its stderr."""
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", *options)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def untagged_export(tmp_path: Path, folder: str) -> tuple[Path, list[tuple[Path, str]]]:
    """A class-folder export of 3 tagged images and 2 untagged ones in `folder`, and each image
    with the class a run labelled it with: the tagged ones right but for dog/2.png."""
    truth = tmp_path / "export"
    images = [
        (write_image(truth / "cat" / "1.png", b"cat 1"), "cat"),
        (write_image(truth / "dog" / "1.png", b"dog 1"), "dog"),
        (write_image(truth / "dog" / "2.png", b"dog 2"), "cat"),
        (write_image(truth / folder / "3.png", b"untagged 3"), "cat"),
        (write_image(truth / folder / "4.png", b"untagged 4"), "dog"),
    ]
    return truth, images


@pytest.mark.parametrize("folder", ["no_label", "_unlabeled"])
def test_a_folder_of_untagged_images_is_left_out_with_a_warning(tmp_path, folder):
    truth, images = untagged_export(tmp_path, folder)
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    data, stderr = evaluated(predictions, truth)
    assert data["n"] == 3
    assert sorted(data["per_class"]) == ["cat", "dog"]
    assert data["top_k"]["1"]["overall"] == pytest.approx(2 / 3)
    assert data["top_k"]["1"]["mean_per_class"] == pytest.approx((1 + 0.5) / 2)
    # Its images are predictions without truth, counted as such, and the warning says why.
    assert data["unmatched"]["predictions"]["count"] == 2
    (warning,) = data["warnings"]
    assert f"'{folder}'" in warning and "2 untagged images" in warning and "left out" in warning
    assert f"warning: {warning}" in stderr


def test_a_folder_of_untagged_images_is_a_class_where_the_run_has_one_so_named(tmp_path):
    truth, images = untagged_export(tmp_path, "no_label")
    images = [(path, path.parent.name) for path, _ in images]  # each right
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog", "no_label"])
    data, stderr = evaluated(predictions, truth)
    assert data["n"] == 5
    assert sorted(data["per_class"]) == ["cat", "dog", "no_label"]
    assert data["per_class"]["no_label"]["accuracy"] == 1.0
    assert data["warnings"] == []


def test_the_untagged_folder_is_a_class_that_predictions_without_run_info_rank(tmp_path):
    truth, images = untagged_export(tmp_path, "_unlabeled")
    predictions = tmp_path / "p.csv"
    rows = ["path,label,score,top_k_labels,top_k_scores,status,error"]
    for path, label in images:
        rows.append(f"{path},{label},0.6,{label}|_unlabeled,0.6|0.4,ok,")
    predictions.write_text("\n".join(rows) + "\n")
    data, stderr = evaluated(predictions, truth)
    assert data["n"] == 5
    assert "_unlabeled" in data["per_class"]
    assert not any("untagged" in warning for warning in data["warnings"]), data["warnings"]


def test_piped_predictions_leave_the_untagged_folder_out_too(tmp_path):
    truth, images = untagged_export(tmp_path, "no_label")
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    result = CliRunner().invoke(
        app,
        ["evaluate", "-", "--truth", str(truth), "--json", "-"],
        input=predictions.read_bytes(),
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == 3
    assert sorted(data["per_class"]) == ["cat", "dog"]
    assert any("2 untagged images" in warning for warning in data["warnings"])


def test_hubness_leaves_the_untagged_folder_out_of_its_truth(tiny_clip, image_folder, tmp_path):
    write_images(image_folder / "no_label", 2, seed=7)
    out = tmp_path / "h.json"
    result = run(
        "hubness",
        image_folder,
        "-c",
        image_folder.parent / "classes.txt",
        "-m",
        tiny_clip,
        "-k",
        "1",
        "--methods",
        "none",
        "--truth",
        image_folder,
        "--json",
        out,
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["images_with_truth"] == 12
    assert data["unmatched"]["images"]["count"] == 2
    assert any("'no_label'" in w and "2 untagged images" in w for w in data["warnings"])
