"""Unit checks of the fast preprocessing's geometry and its settings checks (no model needed)."""

import io
import platform

import numpy as np
import pytest
from PIL import Image

from tests.tiny_models import CLIP_LIKE
from zsl_cli.encoders.preprocess import (
    FastPreprocessor,
    NaFlexPreprocessor,
    agrees_with_processor,
    fast_preprocessor_from,
    naflex_settings,
    settings_problem,
)


def random_image(width: int, height: int, seed: int = 0) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def test_an_image_the_size_of_the_target_turned_sideways_is_still_resized():
    geometry = FastPreprocessor(None, (20, 30), None, Image.BILINEAR)  # (height, width)
    assert geometry(random_image(20, 30)).shape == (20, 30, 3)
    assert geometry(random_image(30, 20)).shape == (20, 30, 3)


def test_images_of_other_modes_come_out_as_rgb():
    geometry = FastPreprocessor(None, (8, 8), None, Image.BILINEAR)
    for mode in ("L", "RGBA", "P", "I;16"):
        image = random_image(16, 12).convert(mode)
        assert geometry(image).shape == (8, 8, 3), mode
    # at its size already, it is converted all the same
    assert geometry(random_image(8, 8).convert("L")).shape == (8, 8, 3)


@pytest.mark.parametrize("resample", [Image.LANCZOS, Image.NEAREST, Image.BOX])
def test_torch_resize_leaves_filters_torch_lacks_to_pillow(resample):
    buffer = io.BytesIO()
    random_image(64, 48).save(buffer, "JPEG")
    jpeg = Image.open(buffer)
    geometry = FastPreprocessor(None, (12, 16), None, resample, torch_resize=True)
    expected = np.asarray(jpeg.convert("RGB").resize((16, 12), resample=resample))
    assert np.array_equal(geometry(jpeg), expected)


NAFLEX_LIKE = {**CLIP_LIKE, "patch_size": 4, "max_num_patches": 16}
del NAFLEX_LIKE["size"], NAFLEX_LIKE["do_center_crop"], NAFLEX_LIKE["crop_size"]


def test_without_a_resample_setting_the_filter_is_bilinear():
    geometry, _ = fast_preprocessor_from(CLIP_LIKE)
    assert geometry.resample == Image.BILINEAR
    naflex, _ = fast_preprocessor_from(NAFLEX_LIKE)
    assert naflex.resample == Image.BILINEAR


@pytest.mark.parametrize(
    "settings",
    [
        {"do_convert_rgb": False},
        {"size": {"shortest_edge": 32, "longest_edge": 64}},  # the longest edge may shrink more
        {"size": {"height": 0, "width": 32}, "do_center_crop": False},
        {"crop_size": {"height": 32}},
        {"do_center_crop": False},  # images of as many shapes as there are aspect ratios
        {"do_pad": True},
    ],
)
def test_settings_the_fast_path_cannot_follow_have_none(settings):
    assert fast_preprocessor_from(CLIP_LIKE) is not None
    assert fast_preprocessor_from({**CLIP_LIKE, **settings}) is None


@pytest.mark.parametrize("settings", [{"do_resize": False}, {"patch_size": 0}])
def test_naflex_settings_the_fast_path_cannot_follow_have_none(settings):
    assert fast_preprocessor_from(NAFLEX_LIKE) is not None
    assert fast_preprocessor_from({**NAFLEX_LIKE, **settings}) is None


@pytest.mark.parametrize("settings", [CLIP_LIKE, NAFLEX_LIKE])
def test_torch_resize_false_keeps_pillows_resize(monkeypatch, settings):
    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    assert fast_preprocessor_from(settings)[0].torch_resize
    assert not fast_preprocessor_from(settings, torch_resize=False)[0].torch_resize


def test_naflex_settings_are_whole_numbers_above_0():
    assert naflex_settings({"patch_size": 16, "max_num_patches": 256}) == (16, 256)
    assert naflex_settings({"patch_size": 16.0, "max_num_patches": 256}) == (16, 256)
    for patch, most in [(0, 256), (16, 0), (-16, 256), (16, -1), (16.5, 256), (True, 256)]:
        assert naflex_settings({"patch_size": patch, "max_num_patches": most}) is None
    assert naflex_settings({"patch_size": 16}) is None


@pytest.mark.parametrize(
    "settings",
    [
        {"image_mean": [0, 0, 0]},  # a mean of 0 divides nothing
        {"resample": None},  # unset: transformers' default
        {"do_resize": False, "size": {"shortest_edge": 0}, "resample": 99},  # never resized
        {"do_center_crop": False, "crop_size": {"height": 0, "width": 0}},  # never cropped
    ],
)
def test_settings_that_are_never_used_or_harmless_are_no_problem(settings):
    assert settings_problem({**CLIP_LIKE, **settings}) is None


def test_a_processor_class_without_mean_and_std_is_no_problem():
    settings = {k: v for k, v in CLIP_LIKE.items() if k not in ("image_mean", "image_std")}
    del settings["do_normalize"]
    assert settings_problem(settings) is None
    assert settings_problem({**settings, "do_normalize": True})[0] == "image_mean null"


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"size": {"height": 0, "width": 32}}, "size"),
        ({"crop_size": {"height": 32, "width": 0}}, "crop_size"),
        ({"patch_size": 0, "max_num_patches": 16}, "patch_size 0"),
        ({"patch_size": 4, "max_num_patches": 0}, "max_num_patches 0"),
        ({"patch_size": 4.5, "max_num_patches": 16}, "patch_size 4.5"),
        ({"image_std": [1, 0, 1]}, "image_std [1, 0, 1]"),
        ({"resample": 6}, "resample 6"),
    ],
)
def test_settings_that_fail_every_image_are_a_problem(settings, problem):
    found = settings_problem({**CLIP_LIKE, **settings})
    assert found is not None and found[0].startswith(problem)


def test_naflex_resized_pixels_are_those_of_the_resized_image():
    geometry = NaFlexPreprocessor(4, 16, Image.BILINEAR)
    for width, height in [(40, 30), (7, 90), (16, 16), (3, 2)]:
        resized = geometry(random_image(width, height))
        assert geometry.resized_pixels(width, height) == resized.shape[0] * resized.shape[1]


class OwnNaFlex:
    """A NaFlex processor that gives the fast path's own output, but for what `corrupt` does to
    it (or raises, with `fail`)."""

    def __init__(self, geometry, norm, corrupt=lambda output: None, fail=False):
        self.geometry, self.norm, self.corrupt, self.fail = geometry, norm, corrupt, fail

    def __call__(self, images, return_tensors):
        if self.fail:
            raise ValueError("cannot")
        geometry, norm = self.geometry, self.norm
        patches, grids = geometry.stack([geometry(images[0])])
        count = int(grids[0].prod())
        pixels = patches[0].reshape(geometry.max_patches, -1, 3).astype(np.float32)
        pixels = (pixels * norm.rescale - np.array(norm.mean)) / np.array(norm.std)
        pixels[count:] = 0
        output = {
            "pixel_values": pixels.reshape(1, geometry.max_patches, -1),
            "pixel_attention_mask": np.array([[1] * count + [0] * (geometry.max_patches - count)]),
            "spatial_shapes": grids.copy(),
        }
        self.corrupt(output)
        return output


def test_a_naflex_processor_that_differs_in_grid_mask_or_pixels_disagrees():
    # 17 patches at most: the test image's grid (4 x 4) leaves one of padding.
    fast = fast_preprocessor_from({**NAFLEX_LIKE, "max_num_patches": 17}, torch_resize=False)
    assert agrees_with_processor(fast, OwnNaFlex(*fast))

    def another_grid(output):
        output["spatial_shapes"][0, 0] -= 1

    def another_mask(output):
        output["pixel_attention_mask"][0, -1] ^= 1

    def brighter(output):
        output["pixel_values"][0, 0, 0] += 0.1

    for corrupt in (another_grid, another_mask, brighter):
        assert not agrees_with_processor(fast, OwnNaFlex(*fast, corrupt)), corrupt.__name__
    # A processor that cannot process the test image gives no verdict.
    assert agrees_with_processor(fast, OwnNaFlex(*fast, fail=True))


def test_a_processor_whose_output_has_another_size_disagrees():
    fast = fast_preprocessor_from(CLIP_LIKE, torch_resize=False)

    def another_size(images, return_tensors):
        return {"pixel_values": np.zeros((1, 3, 32, 33), np.float32)}

    assert not agrees_with_processor(fast, another_size)
