"""A truth folder unzipped from an archive made on a Mac holds `__MACOSX/` beside the class
folders: the Finder's zip puts each file's AppleDouble metadata (`._name`) there. It is no class:
it was named as a truth class with no images in every evaluation, and with `--include-hidden`
its `._*` files, failed as not images, were scored as a class at 0%."""

from __future__ import annotations

import json
from pathlib import Path

from tests.evaluation_helpers import evaluated_json, labelled_run

CLASSES = ["cat", "dog"]
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "


def touch(path: Path, content: bytes = b"not decoded by evaluate") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def unzipped(tmp_path: Path) -> tuple[Path, list[Path]]:
    photos = tmp_path / "photos"
    images = [touch(photos / name / f"{i}.png") for name in CLASSES for i in range(2)]
    for image in images:
        relative = image.relative_to(photos)
        touch(photos / "__MACOSX" / relative.parent / f"._{relative.name}", APPLE_DOUBLE)
    return photos, images


def test_macosx_is_no_truth_class(tmp_path):
    photos, images = unzipped(tmp_path)
    rows = [(i, i.parent.name) for i in images]
    metrics = evaluated_json(labelled_run(tmp_path / "p.jsonl", rows, CLASSES), photos)
    assert "__MACOSX" not in json.dumps(metrics["notes"] + metrics["warnings"])
    assert metrics["n_classes"] == 2


def test_its_files_labelled_with_include_hidden_are_no_class_s_images(tmp_path):
    photos, images = unzipped(tmp_path)
    metadata = sorted((photos / "__MACOSX").rglob("._*"))
    rows = [(i, i.parent.name) for i in images] + [(m, None) for m in metadata]
    metrics = evaluated_json(labelled_run(tmp_path / "p.jsonl", rows, CLASSES), photos)
    assert "__MACOSX" not in metrics["per_class"]
    assert metrics["n"] == len(images)
    assert metrics["per_class"]["cat"]["accuracy"] == 1.0
    assert metrics["unmatched"]["predictions"]["count"] == len(metadata)
