"""The fast path against transformers' own processors where the model tests do not reach: single
pixels and extreme strips, every Pillow filter, crops larger than the resize or not square, and
files of other modes and EXIF orientations, read as transformers' load_image reads them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from transformers import CLIPImageProcessorPil, SiglipImageProcessorPil
from transformers.image_utils import load_image

from tests.corpus import ORIENTATION_TAG, blocky_rgb
from zsl_cli.encoders.preprocess import (
    FastPreprocessor,
    NaFlexPreprocessor,
    Normalisation,
    fast_preprocessor_from,
)
from zsl_cli.images import decode_image

SIZES = [(1, 1), (2, 1), (1, 2), (1, 33), (33, 1), (1, 3000), (3000, 1), (3, 1000), (1000, 4)]


def crop(height: int, width: int) -> dict[str, int]:
    return {"height": height, "width": width}


PROCESSORS = [
    *(
        (CLIPImageProcessorPil, {"size": {"shortest_edge": 32}, "resample": resample})
        for resample in range(6)  # Pillow's filters: nearest ... hamming
    ),
    # crops larger than the resize (padded) and not square
    (CLIPImageProcessorPil, {"size": {"shortest_edge": 24}, "crop_size": crop(32, 40)}),
    (CLIPImageProcessorPil, {"size": {"shortest_edge": 40}, "crop_size": crop(17, 23)}),
    (CLIPImageProcessorPil, {"size": {"height": 30, "width": 50}, "crop_size": crop(32, 20)}),
    (SiglipImageProcessorPil, {"size": {"height": 31, "width": 45}}),
]


def normalised(geometry: FastPreprocessor, norm: Normalisation, image: Image.Image) -> np.ndarray:
    """The fast path's C x H x W input, normalised as it is on the model's device."""
    pixels = geometry(image).astype(np.float32).transpose(2, 0, 1)
    mean = np.asarray(norm.mean, np.float32)[:, None, None]
    return (pixels * norm.rescale - mean) / np.asarray(norm.std, np.float32)[:, None, None]


def reference(processor: object, image: Image.Image) -> np.ndarray:
    return processor(images=[image], return_tensors="np")["pixel_values"][0]  # type: ignore[operator]


@pytest.mark.parametrize(("kind", "settings"), PROCESSORS)
def test_the_fast_path_matches_the_processor_at_extreme_sizes(kind: type, settings: dict) -> None:
    processor = kind(**settings)
    fast = fast_preprocessor_from(processor)
    assert fast is not None
    geometry, norm = fast
    assert isinstance(geometry, FastPreprocessor)
    grey_level = norm.rescale / min(norm.std)
    for width, height in SIZES:
        pixels = np.random.default_rng(width * 7 + height).integers(0, 256, (height, width, 3))
        image = Image.fromarray(pixels.astype(np.uint8))
        image.format = "JPEG"  # torch's resize takes JPEGs alone
        theirs = reference(processor, image)
        for torch_resize, within in ((False, 1e-5), (True, 2 * grey_level + 1e-5)):
            ours = normalised(dataclasses.replace(geometry, torch_resize=torch_resize), norm, image)
            assert ours.shape == theirs.shape, (width, height)
            np.testing.assert_allclose(ours, theirs, atol=within, err_msg=str((width, height)))


@pytest.mark.parametrize("size", [(1, 1), (1, 10000), (10000, 1), (3, 1000)])
def test_naflex_grids_and_patches_match_the_processor_for_strips(size: tuple[int, int]) -> None:
    from transformers import Siglip2ImageProcessorPil

    processor = Siglip2ImageProcessorPil(patch_size=8, max_num_patches=16)
    fast = fast_preprocessor_from(processor, torch_resize=False)
    assert fast is not None
    geometry, norm = fast
    assert isinstance(geometry, NaFlexPreprocessor)
    pixels = np.random.default_rng(sum(size)).integers(0, 256, (size[1], size[0], 3))
    image = Image.fromarray(pixels.astype(np.uint8))
    theirs = processor(images=[image], return_tensors="np")
    patches, grids = geometry.stack([geometry(image)])
    assert grids[0].tolist() == np.asarray(theirs["spatial_shapes"][0]).tolist()
    count = int(grids[0].prod())
    ours = patches[0, :count].astype(np.float32).reshape(count, -1, 3) * norm.rescale
    ours = (ours - np.asarray(norm.mean, np.float32)) / np.asarray(norm.std, np.float32)
    np.testing.assert_allclose(
        ours.reshape(count, -1), theirs["pixel_values"][0][:count], atol=1e-5
    )


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("mode", ["RGB", "L", "P", "1", "CMYK"])
def test_decoded_files_give_what_load_image_and_the_processor_give(
    tmp_path: Path, mode: str, orientation: int
) -> None:
    # Modes without transparency or deep levels (where zsl differs on purpose), turned by their
    # EXIF orientation: the pipeline's load_image turns them with exif_transpose.
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    path = tmp_path / ("photo.jpg" if mode == "CMYK" else "photo.png")  # PNG holds no CMYK
    Image.fromarray(blocky_rgb(45, 30, seed=orientation)).convert(mode).save(path, exif=exif)
    processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size=32)
    fast = fast_preprocessor_from(processor, torch_resize=False)
    assert fast is not None
    geometry, norm = fast
    assert isinstance(geometry, FastPreprocessor)
    ours = normalised(geometry, norm, decode_image(path))
    np.testing.assert_allclose(ours, reference(processor, load_image(str(path))), atol=1e-5)
