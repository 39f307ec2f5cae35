"""SigLIP2 NaFlex and draft-decoded JPEGs: the patch grid comes from the image's full size, as
the processor (and --exact-preprocessing) chooses it, not from the drafted size, which a draft
rounds to whole pixels. With 16 patches of 8, a 2000x1500 photo is drafted at 1/8 to 250x188
(1500 / 8 = 187.5, rounded up), whose own grid is 4x4 where the full size's is 3x4: another
aspect ratio, and scores up to 0.14 apart. A shortest-edge resize (CLIP)
takes its longer side from the full size too, at the end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.corpus import write_large_jpeg
from zsl_cli.cli import app
from zsl_cli.encoders.preprocess import NaFlexPreprocessor
from zsl_cli.images import DecodeOptions, decode_image

CLASSES = ["red circle", "blue square", "a cat", "a dog"]
SHOWN = (2000, 1500)  # (width, height) as displayed
# Stored size per EXIF orientation: 6 is a quarter turn, so the file holds 1500x2000.
STORED = {1: SHOWN, 6: SHOWN[::-1]}


@pytest.fixture(scope="module")
def tiny_siglip2(tmp_path_factory) -> Path:
    from tests.tiny_models import make_tiny_siglip2

    return make_tiny_siglip2(tmp_path_factory.mktemp("siglip2"), max_num_patches=16, patch_size=8)


@pytest.mark.parametrize("orientation", sorted(STORED))
def test_a_drafted_jpeg_gets_the_grid_of_its_full_size(tmp_path: Path, orientation: int) -> None:
    geometry = NaFlexPreprocessor(patch=8, max_patches=16, resample=Image.Resampling.BILINEAR)
    path = tmp_path / "photo.jpg"
    write_large_jpeg(path, STORED[orientation], orientation)
    drafted = decode_image(path, DecodeOptions(draft=geometry.decode_hint))
    exact = decode_image(path)
    assert exact.size == SHOWN
    assert drafted.size == (250, 188)  # 1/8 scale, upright
    # The case at hand: the drafted size alone would choose another grid.
    assert geometry.grid(*drafted.size) == (4, 4) != geometry.grid(*SHOWN) == (3, 4)
    assert geometry(drafted).shape == geometry(exact).shape == (3 * 8, 4 * 8, 3)


def label_scores(folder: Path, classes: Path, model: Path, *options: str) -> dict[str, dict]:
    args = [folder, "-c", classes, "-m", model, "-t", "a photo of a {}.", "-k", "0"]
    result = CliRunner().invoke(app, ["label", *map(str, args), "-f", "jsonl", "-q", *options])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(row["status"] == "ok" for row in rows)
    return {Path(row["path"]).name: {e["label"]: e["score"] for e in row["top_k"]} for row in rows}


def test_drafted_jpegs_score_as_exact_preprocessing(tmp_path: Path, tiny_siglip2: Path) -> None:
    """Plain and EXIF-turned copies of one photo: the default (drafted) path scores them as
    --exact-preprocessing does, to within what a draft's low-pass costs."""
    folder = tmp_path / "photos"
    folder.mkdir()
    for orientation, stored in STORED.items():
        write_large_jpeg(folder / f"exif{orientation}.jpg", stored, orientation)
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(CLASSES) + "\n")
    fast = label_scores(folder, classes, tiny_siglip2)
    exact = label_scores(folder, classes, tiny_siglip2, "--exact-preprocessing")
    assert sorted(fast) == sorted(exact) == ["exif1.jpg", "exif6.jpg"]
    for name, scores in exact.items():
        gap = max(abs(fast[name][label] - score) for label, score in scores.items())
        # 0.004-0.005 here; 0.08 with the drafted size's grid.
        assert gap < 0.02, (name, gap)


def test_a_files_own_text_cannot_stand_for_the_full_size(tmp_path: Path) -> None:
    """A PNG may carry a text chunk of any name: decode_image's own value replaces it."""
    from PIL import PngImagePlugin

    from zsl_cli.images import FULL_SIZE_INFO

    text = PngImagePlugin.PngInfo()
    text.add_text(FULL_SIZE_INFO, "4000x3000")
    path = tmp_path / "text.png"
    Image.new("RGB", (40, 30), "grey").save(path, pnginfo=text)
    with Image.open(path) as opened:
        assert opened.info[FULL_SIZE_INFO] == "4000x3000"
    assert decode_image(path).info[FULL_SIZE_INFO] == (40, 30)


# The same for CLIP's shortest-edge resize: 2627x1474 drafted at 1/8 is 329x185, whose longer
# side at a 32-px shorter one is 56 px (32 * 329 / 185 = 56.9) where the full size's is 57.
@pytest.mark.parametrize("orientation", [1, 6])
def test_a_drafted_jpeg_is_resized_to_the_size_of_its_full_size(
    tmp_path: Path, orientation: int
) -> None:
    from transformers import CLIPImageProcessorPil

    from zsl_cli.encoders.preprocess import fast_preprocessor_from

    processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size=32)
    fast = fast_preprocessor_from(processor)
    assert fast is not None
    geometry = fast[0]
    path = tmp_path / "photo.jpg"
    shown = (2627, 1474)
    write_large_jpeg(path, shown if orientation == 1 else shown[::-1], orientation)
    drafted = decode_image(path, DecodeOptions(draft=geometry.decode_hint))
    assert drafted.size == (329, 185)
    exact = decode_image(path)
    pixels = processor(images=[exact], do_normalize=False, do_rescale=False, return_tensors="np")
    theirs = pixels["pixel_values"][0].transpose(1, 2, 0)
    ours = geometry(drafted).astype(np.float64)
    # 0.6 grey levels apart on average here; 3.7 with the crop a pixel off (the drafted size's).
    assert np.abs(ours - theirs).mean() < 1.5
