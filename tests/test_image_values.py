"""decode_image on pictures whose values could be read more than one way: float TIFFs of a
[0, 1] or a 0..255 picture, with outliers and non-finite values, and animations whose first
picture is not what Pillow's plain open (the processor's and the pipeline's view) gives."""

from __future__ import annotations

import io
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.corpus import blocky_rgb, gif_on_wider_canvas
from zsl_cli.images import decode_image


def transformers_before(major: int, minor: int) -> bool:
    try:
        installed = version("transformers")
    except PackageNotFoundError:
        return True
    return tuple(int(part) for part in installed.split(".")[:2]) < (major, minor)


def float_tiff(path: Path, values: np.ndarray) -> Path:
    Image.fromarray(values.astype(np.float32)).save(path)
    with Image.open(path) as image:
        assert image.mode == "F"
    return path


def grey_of(path: Path) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's would be lines on stderr naming no file
        decoded = np.asarray(decode_image(path))
    assert (decoded == decoded[..., :1]).all()
    return decoded[..., 0]


def as_pillow_reads(path: Path) -> np.ndarray:
    """What Pillow's plain open and RGB conversion give: the pixels transformers' image
    processor and zero-shot pipeline see."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))[..., 0]


def mid_picture(seed: int = 5) -> np.ndarray:
    """A 64x48 grey picture of values 0.2..0.8: a [0, 1] picture that reaches neither end."""
    blocks = blocky_rgb(64, 48, seed=seed, block=4)[..., 0].astype(np.float64)
    return 0.2 + 0.6 * blocks / 255


def text_page() -> np.ndarray:
    """A 0/1 picture of black text on white, a [0, 1] picture full of sharp edges."""
    page = Image.new("L", (160, 120), 255)
    draw = ImageDraw.Draw(page)
    for y in range(2, 118, 12):
        draw.text((2, y), "The quick brown fox jumps over", fill=0)
    return np.asarray(page, np.float64) / 255


def test_float_tiff_of_an_8bit_picture_is_kept_as_it_is(tmp_path: Path) -> None:
    # It was stretched from its lowest value to its highest: 47 levels off on average.
    picture = blocky_rgb(64, 48, seed=2, block=4)[..., 0]
    picture = 40 + picture // 2  # 40..167: stretching would move every level
    tiff = float_tiff(tmp_path / "eight.tif", picture)
    Image.fromarray(picture).save(tmp_path / "eight.png")
    np.testing.assert_array_equal(grey_of(tiff), picture)
    np.testing.assert_array_equal(grey_of(tiff), grey_of(tmp_path / "eight.png"))
    np.testing.assert_array_equal(grey_of(tiff), as_pillow_reads(tiff))


RESAMPLES = pytest.mark.parametrize(
    "resample", [Image.Resampling.BICUBIC, Image.Resampling.LANCZOS], ids=["bicubic", "lanczos"]
)


@RESAMPLES
def test_resampled_float_0_to_255_picture_is_read_as_pillow_reads_it(
    tmp_path: Path, resample: Image.Resampling
) -> None:
    # Fractions and the overshoot past 0 and 255 at the text's edges: Pillow clips the values
    # and drops their fractions, and so does zsl, to the pixel.
    page = Image.fromarray((text_page() * 255).astype(np.float32))
    values = np.asarray(page.resize((320, 240), resample))
    assert values.min() < 0 and values.max() > 255
    assert ((values < 0) | (values > 255)).mean() > 0.01  # no few outliers: many edges
    values = values.copy()
    values[0, :3] = [np.nan, np.inf, -np.inf]
    tiff = float_tiff(tmp_path / "page.tif", values)
    decoded = grey_of(tiff)
    np.testing.assert_array_equal(decoded, as_pillow_reads(tiff))
    assert decoded[0, :3].tolist() == [0, 255, 0]


@pytest.mark.parametrize("outlier", [1.02, -0.02, 1000.0, -1000.0])
def test_one_pixel_past_a_unit_picture_is_clipped_not_stretched(
    tmp_path: Path, outlier: float
) -> None:
    # One pixel past [0, 1] (an HDR highlight, a resampling overshoot, a hot pixel) stretched
    # the whole picture from its lowest value to its highest: 36 levels on average here.
    values = mid_picture()
    expected = np.rint(values * 255)
    values[10, 20] = outlier
    expected[10, 20] = 255 if outlier > 0 else 0
    np.testing.assert_array_equal(grey_of(float_tiff(tmp_path / "hot.tif", values)), expected)


@RESAMPLES
@pytest.mark.parametrize("scale", [0.5, 2.0])
def test_resampled_unit_picture_is_clipped_not_stretched(
    tmp_path: Path, resample: Image.Resampling, scale: float
) -> None:
    # Resampling overshoots at every sharp edge, on a quarter of a text page's pixels, by up to
    # 0.28 for 1-pixel strokes enlarged with Lanczos.
    page = Image.fromarray(text_page().astype(np.float32))
    size = (round(page.width * scale), round(page.height * scale))
    values = np.asarray(page.resize(size, resample)).astype(np.float64)
    assert ((values < 0) | (values > 1)).mean() > 0.1
    expected = np.rint(np.clip(values, 0, 1) * 255)
    np.testing.assert_array_equal(grey_of(float_tiff(tmp_path / "page.tif", values)), expected)


def test_outliers_past_one_pixel_in_1000_make_the_picture_stretched(tmp_path: Path) -> None:
    # 64x48 pixels: 3 may lie anywhere; a fourth makes the picture another.
    values = mid_picture()
    values.flat[[5, 50, 500]] = [1000.0, 2000.0, -1000.0]
    expected = np.rint(np.clip(values, 0, 1) * 255)
    np.testing.assert_array_equal(grey_of(float_tiff(tmp_path / "three.tif", values)), expected)
    values.flat[1000] = 3000.0
    stored = values.astype(np.float32).astype(np.float64)  # what the file holds
    low, high = stored.min(), stored.max()
    expected = np.rint((stored - low) * 255 / (high - low))
    np.testing.assert_array_equal(grey_of(float_tiff(tmp_path / "four.tif", values)), expected)


@pytest.mark.parametrize(
    ("low", "high"),
    [(-1.0, 1.0), (0.0, 2.0), (-100.0, 0.0), (-100.0, 100.0), (-2.1, 2.6)],
    ids=["tanh", "exposure", "negative", "signed", "imagenet_normalised"],
)
def test_float_pictures_of_other_ranges_are_stretched_not_read_black(
    tmp_path: Path, low: float, high: float
) -> None:
    # All within -127.5..382.5, they were read as 0..255 pictures: levels 0-2 at most.
    gradient = np.tile(np.linspace(low, high, 256), (4, 1))
    assert grey_of(float_tiff(tmp_path / "range.tif", gradient))[0].tolist() == list(range(256))


@pytest.mark.parametrize("kind", ["unit", "eight_bit", "stretched"])
def test_infinities_are_the_ends_of_the_range_and_nan_is_black(tmp_path: Path, kind: str) -> None:
    # +inf counted as the lowest value: a blown-out pixel took the picture's darkest level.
    values = mid_picture()
    if kind == "eight_bit":
        values = np.rint(values * 255)
    elif kind == "stretched":
        values = values * 4000 - 100  # -100..3100: neither [0, 1] nor 0..255
    finite = values.copy()
    values[1, :5] = [np.inf, np.inf, -np.inf, np.nan, np.nan]
    decoded = grey_of(float_tiff(tmp_path / "infinite.tif", values))
    assert decoded[1, :5].tolist() == [255, 255, 0, 0, 0]
    # The picture's other pixels are read as they are without them.
    reference = finite.copy()
    reference[1, :5] = finite[0, 0]
    expected = grey_of(float_tiff(tmp_path / "finite.tif", reference))
    np.testing.assert_array_equal(np.delete(decoded, 1, axis=0), np.delete(expected, 1, axis=0))
    if kind == "eight_bit":
        np.testing.assert_array_equal(decoded, as_pillow_reads(tmp_path / "infinite.tif"))


def test_float_picture_of_infinities_alone(tmp_path: Path) -> None:
    values = np.array([[np.inf, -np.inf, np.nan, np.inf]])
    assert grey_of(float_tiff(tmp_path / "inf.tif", values)).tolist() == [[255, 0, 0, 255]]


def animated_png(path: Path, frames: list[Image.Image], **settings: Any) -> Path:
    frames[0].save(path, save_all=True, append_images=frames[1:], **settings)
    return path


def test_apng_default_image_outside_its_animation_differs_from_pillows_first_frame(
    tmp_path: Path,
) -> None:
    # A deliberate difference (README): zsl reads the animation's first frame, as browsers
    # show the file; Pillow's plain open, and so the processor and the pipeline, its default
    # image, meant for readers that know no APNG.
    poster, first, second = (Image.new("RGB", (8, 6), colour) for colour in ("red", "blue", "lime"))
    path = animated_png(tmp_path / "poster.png", [poster, first, second], default_image=True)
    assert np.asarray(decode_image(path)).tolist() == np.asarray(first).tolist()
    with Image.open(path) as image:
        assert np.asarray(image.convert("RGB")).tolist() == np.asarray(poster).tolist()
    # Where the default image is the animation's first frame, both read it.
    path = animated_png(tmp_path / "plain.png", [first, second])
    assert np.asarray(decode_image(path)).tolist() == np.asarray(first).tolist()
    with Image.open(path) as image:
        assert np.asarray(image.convert("RGB")).tolist() == np.asarray(first).tolist()


def test_gif_canvas_the_first_frame_leaves_uncovered_differs_from_pillows(
    tmp_path: Path,
) -> None:
    # A deliberate difference (README): zsl shows the canvas's uncovered part white, as
    # browsers show it see-through; Pillow fills it with the palette's first colour.
    pixels = blocky_rgb(8, 6, seed=3, block=2)
    buffer = io.BytesIO()
    Image.fromarray(pixels).quantize(16).save(buffer, "GIF")
    frame = buffer.getvalue()
    (tmp_path / "plain.gif").write_bytes(frame)
    path = tmp_path / "canvas.gif"
    path.write_bytes(gif_on_wider_canvas(frame, (12, 6), left=4))
    with Image.open(path) as image:
        colour_0 = image.getpalette()[:3]
        by_pillow = np.asarray(image.convert("RGB"))
    assert colour_0 != [255, 255, 255]
    assert (by_pillow[:, :4] == colour_0).all()
    decoded = np.asarray(decode_image(path))
    assert (decoded[:, :4] == 255).all()
    np.testing.assert_array_equal(decoded[:, 4:], by_pillow[:, 4:])
    np.testing.assert_array_equal(decoded[:, 4:], np.asarray(decode_image(tmp_path / "plain.gif")))


@pytest.mark.skipif(
    transformers_before(5, 21),
    reason="transformers' convert_to_rgb composites alpha on white (return_numpy) from 5.21",
)
def test_alpha_is_composited_on_white_as_the_processor_does_not_as_the_pipeline(
    tmp_path: Path,
) -> None:
    # README: transformers 5.21's image processor composites alpha on white, as zsl does; the
    # pipeline's load_image converts to RGB first (as transformers 4's processor did), which
    # drops alpha and shows the colour under it.
    from transformers.image_transforms import convert_to_rgb
    from transformers.image_utils import load_image

    pixels = np.zeros((4, 6, 4), np.uint8)
    pixels[..., :3] = [255, 0, 255]  # magenta, under the see-through pixels too
    pixels[:, :2, 3] = 255
    pixels[:, 2:4, 3] = 128
    path = tmp_path / "alpha.png"
    Image.fromarray(pixels).save(path)
    decoded = np.asarray(decode_image(path))
    assert (decoded[:, 4:] == 255).all() and (decoded[:, :2] == [255, 0, 255]).all()
    with Image.open(path) as image:
        np.testing.assert_array_equal(convert_to_rgb(image, return_numpy=True), decoded)
        piped = np.asarray(load_image(str(path)))
    assert (piped == [255, 0, 255]).all()
