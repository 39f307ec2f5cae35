"""Which JPEG resizes torch takes over (each side shrunk by at least TORCH_MIN_SHRINK times) and
the order of its two passes, against Pillow's own: the order is read off Pillow's whole resize
by comparing it with its two single-direction resizes done one way round and the other."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from zsl_cli.encoders.preprocess import (
    FastPreprocessor,
    _pillow_resizes_vertically_first,
    torch_shrinks,
)


def _random_image(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _pillow_goes_vertically_first(size: tuple[int, int], new_size: tuple[int, int]) -> bool:
    image = _random_image(*size)
    whole = np.asarray(image.resize(new_size, Image.BICUBIC))
    width_first = image.resize((new_size[0], size[1]), Image.BICUBIC).resize(
        new_size, Image.BICUBIC
    )
    height_first = image.resize((size[0], new_size[1]), Image.BICUBIC).resize(
        new_size, Image.BICUBIC
    )
    by_width, by_height = (
        np.array_equal(whole, np.asarray(i)) for i in (width_first, height_first)
    )
    assert by_width != by_height, "the two orders should give different pixels here"
    return by_height


@pytest.mark.parametrize(
    ("size", "new_size"),
    [
        ((100, 200), (60, 120)),  # 80 rows off, 40 columns off: exactly twice, width first
        ((100, 201), (60, 120)),  # 81 rows off: more than twice, height first
        ((100, 200), (59, 120)),
        ((100, 200), (70, 120)),
        ((200, 100), (120, 60)),
        ((540, 960), (224, 224)),  # a 9:16 portrait to a square
    ],
)
def test_the_pass_order_is_pillows(size, new_size):
    assert _pillow_resizes_vertically_first(size, new_size) == _pillow_goes_vertically_first(
        size, new_size
    )


@pytest.mark.parametrize("resample", [Image.BILINEAR, Image.BICUBIC])
def test_a_portrait_shrunk_by_torch_stays_within_a_grey_level_of_pillow(resample):
    # In the wrong order, 15-17% of the values of such a resize differ (module docstring); with
    # the other filter, 90%, by up to 20 grey levels.
    image = _random_image(540, 960, seed=5)
    image.format = "JPEG"
    geometry = FastPreprocessor(None, (224, 224), None, resample, torch_resize=True)
    ours = geometry(image).astype(int)
    pillows = np.asarray(image.resize((224, 224), resample)).astype(int)
    differing = np.abs(ours - pillows)
    assert differing.max() <= 1
    assert (differing > 0).mean() < 0.02


@pytest.mark.parametrize(
    ("size", "new_size", "resample", "torch"),
    [
        ((60, 40), (40, 40), Image.BILINEAR, False),  # the width shrinks 1.5 times, not the height
        ((60, 60), (40, 40), Image.BILINEAR, True),  # exactly 1.5 times each way
        ((59, 60), (40, 40), Image.BILINEAR, False),  # just under 1.5 times
        ((50, 50), (40, 40), Image.BILINEAR, False),  # 1.25 times
        ((64, 48), (64, 24), Image.BICUBIC, True),  # one side kept, the other halved
        ((64, 48), (65, 24), Image.BICUBIC, False),  # one side enlarged
        ((64, 48), (32, 24), Image.LANCZOS, False),  # a filter torch lacks
    ],
)
def test_torch_resizes_jpegs_shrunk_at_least_its_least_each_way(size, new_size, resample, torch):
    assert torch_shrinks(size, new_size, resample) is torch


def test_a_bicubic_jpeg_kept_at_its_width_is_resized_by_torch():
    import torch

    image = _random_image(64, 48, seed=2)
    image.format = "JPEG"
    geometry = FastPreprocessor(None, (24, 64), None, Image.BICUBIC, torch_resize=True)
    pixels = torch.from_numpy(np.array(image)).permute(2, 0, 1).unsqueeze(0)
    expected = torch.nn.functional.interpolate(
        pixels, size=(24, 64), mode="bicubic", antialias=True
    )[0].permute(1, 2, 0)
    np.testing.assert_array_equal(geometry(image), expected.numpy())
