"""A truth folder's warnings of untagged images (`no_label/`) and of an image in several class
folders concern the images evaluated: a run over part of the folder (one class folder, a
sample) is not told of images it never labelled, and an image is warned of as in several
class folders only where at least two of its copies are scored."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from tests.evaluation_helpers import labelled_run
from tests.helpers import run, write_images


def png(seed: int) -> bytes:
    """A small PNG of random pixels, another for each seed."""
    pixels = np.random.default_rng(seed).integers(0, 256, (6, 8, 3), dtype=np.uint8)
    encoded = io.BytesIO()
    Image.fromarray(pixels).save(encoded, "PNG")
    return encoded.getvalue()


def export(tmp_path: Path) -> Path:
    """A class-folder export: x.png tagged cat and dog (one file in both folders), two untagged
    images in no_label/, and an image of its own in each class folder."""
    truth = tmp_path / "export"
    files = {
        "cat/x.png": png(1),
        "dog/x.png": png(1),
        "cat/a.png": png(2),
        "dog/b.png": png(3),
        "no_label/u1.png": png(4),
        "no_label/u2.png": png(5),
    }
    for name, content in files.items():
        (truth / name).parent.mkdir(parents=True, exist_ok=True)
        (truth / name).write_bytes(content)
    return truth


def warnings_of(tmp_path: Path, truth: Path, names: list[str]) -> list[str]:
    """`zsl evaluate`'s warnings for a run that labelled `names` (below `truth`) right, and the
    untagged ones cat (no run's class is no_label)."""
    images = [(truth / name, name.split("/")[0].replace("no_label", "cat")) for name in names]
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["n"] == sum(not name.startswith("no_label/") for name in names)
    for warning in data["warnings"]:
        assert f"warning: {warning}" in result.stderr
    return data["warnings"]


def test_a_run_over_one_class_folder_is_not_warned_of_images_it_never_labelled(tmp_path):
    truth = export(tmp_path)
    assert warnings_of(tmp_path, truth, ["dog/b.png"]) == []


def test_one_copy_scored_is_no_image_in_several_class_folders(tmp_path):
    truth = export(tmp_path)
    assert warnings_of(tmp_path, truth, ["cat/x.png", "cat/a.png", "dog/b.png"]) == []


def test_two_copies_scored_are_warned_of(tmp_path):
    truth = export(tmp_path)
    (warning,) = warnings_of(tmp_path, truth, ["cat/x.png", "dog/x.png", "dog/b.png"])
    assert warning.startswith("1 image is in several class folders")
    assert "'x.png' in 'cat' and 'dog'" in warning


def test_the_untagged_images_counted_are_those_labelled(tmp_path):
    truth = export(tmp_path)
    (warning,) = warnings_of(tmp_path, truth, ["cat/a.png", "no_label/u1.png"])
    assert "1 untagged image " in warning and "'no_label'" in warning and "left out" in warning


def test_copies_are_told_apart_by_their_bytes_whichever_comes_first(tmp_path):
    # y.png in three folders: bird's is another image, cat's and dog's one file in both.
    truth = tmp_path / "export"
    for folder, seed in (("bird", 7), ("cat", 8), ("dog", 8)):
        (truth / folder).mkdir(parents=True)
        (truth / folder / "y.png").write_bytes(png(seed))
    images = [(truth / folder / "y.png", folder) for folder in ("bird", "cat", "dog")]
    predictions = labelled_run(tmp_path / "p.jsonl", images, ["bird", "cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--json", "-")
    assert result.exit_code == 0, result.stderr
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "'y.png' in 'cat' and 'dog'" in warning, warning


def test_hubness_over_one_class_folder_is_not_warned_of_the_others(
    tiny_clip, image_folder, tmp_path
):
    copy = image_folder / "dog" / "img_000.png"
    copy.write_bytes((image_folder / "cat" / "img_000.png").read_bytes())
    write_images(image_folder / "no_label", 2, seed=7)
    out = tmp_path / "h.json"
    result = run(
        "hubness",
        image_folder / "bird",
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
    assert data["images_with_truth"] == 4
    assert not any("untagged" in w or "several class folders" in w for w in data["warnings"])
