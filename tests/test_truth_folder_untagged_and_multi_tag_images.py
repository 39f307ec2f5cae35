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


def hubness_json(tiny_clip: Path, image_folder: Path, out: Path) -> dict:
    """`zsl hubness` over the folder with itself as the truth: its --json document."""
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
    return data


def test_hubness_leaves_the_untagged_folder_out_of_its_truth(tiny_clip, image_folder, tmp_path):
    write_images(image_folder / "no_label", 2, seed=7)
    data = hubness_json(tiny_clip, image_folder, tmp_path / "h.json")
    assert data["images_with_truth"] == 12
    assert data["unmatched"]["images"]["count"] == 2
    assert any("'no_label'" in w and "2 untagged images" in w for w in data["warnings"])


def multi_tag_export(tmp_path: Path) -> tuple[Path, list[tuple[Path, str]]]:
    """An export whose x.png is tagged cat and dog (one file in both folders) and whose y.png
    is in cat and bird but as two images (other bytes), and each image's predicted class."""
    truth = tmp_path / "export"
    images = [
        (write_image(truth / "cat" / "x.png", png(1)), "cat"),
        (write_image(truth / "dog" / "x.png", png(1)), "cat"),
        (write_image(truth / "cat" / "y.png", png(2)), "cat"),
        (write_image(truth / "bird" / "y.png", png(3)), "bird"),
        (write_image(truth / "dog" / "z.png", png(4)), "dog"),
    ]
    return truth, images


def test_an_image_in_two_class_folders_is_warned_of(tmp_path):
    truth, images = multi_tag_export(tmp_path)
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog", "bird"])
    data, stderr = evaluated(predictions, truth)
    # Scored as the folders say: dog/x.png is a miss whatever the model said (the image is a
    # cat too), which the warning tells; y.png, other bytes in each folder, is two images.
    assert data["n"] == 5
    assert data["top_k"]["1"]["overall"] == pytest.approx(4 / 5)
    (warning,) = data["warnings"]
    assert warning.startswith("1 image is in several class folders")
    assert "'x.png' in 'cat' and 'dog'" in warning
    assert "all but one is a miss whatever the model says" in warning
    assert f"warning: {warning}" in stderr


def test_images_in_several_class_folders_are_counted_once_each(tmp_path):
    truth = tmp_path / "export"
    images = []
    for seed, name in enumerate(("a.png", "b.png")):
        for folder in ("cat", "dog", "bird"):
            images.append((write_image(truth / folder / name, png(seed)), folder))
    images.append((write_image(truth / "bird" / "c.png", png(2)), "bird"))
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog", "bird"])
    data, stderr = evaluated(predictions, truth)
    assert data["n"] == 7
    (warning,) = data["warnings"]
    assert warning.startswith("2 images are in several class folders"), warning
    assert "'a.png' in 'bird', 'cat' and 'dog'" in warning
    assert "all but one are misses" in warning


def test_files_alike_in_several_class_folders_that_are_no_images_are_kept(tmp_path):
    truth, images = untagged_export(tmp_path, "no_label")
    for folder in ("cat", "dog"):  # Windows' and macOS's files, alike in every folder
        write_image(truth / folder / "desktop.ini", b"[.ShellClassInfo]")
        write_image(truth / folder / ".DS_Store", b"\0\0\0\1Bud1")
        # Empty files and placeholders named as images, alike: no image tagged twice.
        images.append((write_image(truth / folder / "empty.png", b""), folder))
        images.append((write_image(truth / folder / "todo.jpg", b"to download"), folder))
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    data, stderr = evaluated(predictions, truth)
    assert data["n"] == 3 + 4
    assert not any("several class folders" in warning for warning in data["warnings"])


def test_hubness_warns_of_an_image_in_two_class_folders(tiny_clip, image_folder, tmp_path):
    copy = image_folder / "dog" / "img_000.png"
    copy.write_bytes((image_folder / "cat" / "img_000.png").read_bytes())
    data = hubness_json(tiny_clip, image_folder, tmp_path / "h.json")
    assert data["images_with_truth"] == 12
    assert any(w.startswith("1 image is in several class folders") for w in data["warnings"])
