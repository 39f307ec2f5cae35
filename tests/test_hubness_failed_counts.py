"""A hubness run's count of the images it could not read, per status: `failed_by_status` lists
the statuses by name, whatever order the images came in, as its --json document does."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import write_images
from zsl_cli import api


def test_failed_images_are_counted_per_status_listed_by_name(
    tiny_clip: Path, tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    write_images(photos, 4)
    # Read first: a status named after the second one's.
    (photos / "a_text.png").write_text("not an image\n")
    (photos / "b_empty.png").write_bytes(b"")
    (photos / "c_text.png").write_text("nor this\n")
    request = api.HubnessRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=["cat", "dog", "bird"]),
        model=api.ModelOptions(name=str(tiny_clip)),
        methods=("none",),
        json_out=str(tmp_path / "h.json"),
    )
    report = api.hubness(request)
    assert (report.n_images, report.failed_images) == (4, 3)
    assert list(report.failed_by_status.items()) == [("empty", 1), ("not_an_image", 2)]
    document = json.loads((tmp_path / "h.json").read_text())
    assert list(document["failed_by_status"].items()) == [("empty", 1), ("not_an_image", 2)]
    assert document["failed_images"] == 3


def test_truth_classes_outside_the_class_list_are_listed_by_name(
    tiny_clip: Path, tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    write_images(photos, 4)
    truth = tmp_path / "truth.csv"
    # Met first in the images' order: zebra, then ant.
    truth.write_text(
        "path,label\nphotos/img_000.png,cat\nphotos/img_001.png,zebra\n"
        "photos/img_002.png,ant\nphotos/img_003.png,dog\n"
    )
    request = api.HubnessRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=["cat", "dog"]),
        model=api.ModelOptions(name=str(tiny_clip)),
        methods=("none",),
        truth=str(truth),
    )
    report = api.hubness(request)
    assert report.truth_classes_not_listed == ("ant", "zebra")
    assert (report.images_with_truth, report.failed_images_with_truth) == (4, 0)
    assert report.to_json()["truth_classes_not_listed"] == ["ant", "zebra"]
