"""The sizes decode_image and ImagePreparation check: a draft-decoded JPEG's size check sees its
stored size (before the draft and before an EXIF turn) and FULL_SIZE_INFO its turned full size;
a resize too large only once the image is turned is refused after decoding; and a Photoshop
file whose layer count is 0. Expected sizes come from the sizes the test wrote, expected pixels
from numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import blocky_rgb, rgb_psd
from zsl_cli.images import (
    FULL_SIZE_INFO,
    DecodeError,
    DecodeOptions,
    ImagePreparation,
    decode_image,
)

_ORIENTATION = 0x0112


def _jpeg(path: Path, size: tuple[int, int], orientation: int) -> None:
    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    Image.fromarray(blocky_rgb(*size, seed=3)).save(path, quality=90, exif=exif.tobytes())


@pytest.mark.parametrize(("orientation", "shown"), [(1, (640, 480)), (6, (480, 640))])
def test_a_drafted_jpegs_size_check_sees_its_stored_size_before_the_draft(
    tmp_path: Path, orientation: int, shown: tuple[int, int]
) -> None:
    path = tmp_path / "photo.jpg"
    _jpeg(path, (640, 480), orientation)
    checked: list[tuple[int, int]] = []
    image = decode_image(path, DecodeOptions(draft=(80, 80)), checked.append)
    assert checked == [(640, 480)]  # stored, unturned, undrafted
    # At 1/4 scale (the largest that still covers 80 x 80 once turned), turned as shown.
    assert image.size == (shown[0] // 4, shown[1] // 4)
    assert image.info[FULL_SIZE_INFO] == shown


def test_a_size_checks_refusal_stands_before_any_pixel_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    _jpeg(path, (64, 48), 1)

    def refuse(size: tuple[int, int]) -> None:
        raise DecodeError("too_large", f"{size[0]}x{size[1]} refused")

    with pytest.raises(DecodeError) as raised:
        decode_image(path, DecodeOptions(), refuse)
    assert (raised.value.status, raised.value.reason) == ("too_large", "64x48 refused")


def test_psd_whose_layer_count_is_0_keeps_its_fourth_channel_as_a_selection(
    tmp_path: Path,
) -> None:
    # Adobe's specification: the first extra channel is the merged image's transparency only
    # where the layer count is negative; 0 is no layers, and the channel a saved selection.
    pixels = blocky_rgb(16, 8, seed=6)
    selection = np.zeros((8, 16), np.uint8)
    selection[:, :8] = 255
    path = tmp_path / "selection.psd"
    path.write_bytes(rgb_psd([*np.moveaxis(pixels, -1, 0), selection], 0))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


class _ToHeight:
    """A preprocessor that resizes to a height of 224 pixels, its width in proportion: the
    pixels it makes depend on which side is which, as a quarter turn swaps them."""

    def resized_pixels(self, width: int, height: int) -> int:
        return round(width * 224 / height) * 224

    def __call__(self, image: Image.Image) -> np.ndarray:
        return np.zeros((1, 1, 3), np.float32)

    def set_up_process(self) -> None:
        pass


def test_a_resize_too_large_once_the_image_is_turned_is_refused(tmp_path: Path) -> None:
    # Stored 2x400 (checked before decoding: a 224x224 resize), shown 400x2 (orientation 6),
    # which a 224-pixel height makes 44800x224.
    path = tmp_path / "strip.jpg"
    _jpeg(path, (2, 400), 6)
    preparation = ImagePreparation(DecodeOptions(), _ToHeight(), 1_000_000)
    with pytest.raises(DecodeError) as raised:
        preparation(path)
    assert raised.value.status == "too_large"
    assert raised.value.reason.startswith("400x2 is so elongated")
    _jpeg(path, (2, 400), 1)
    assert preparation(path).shape == (1, 1, 3)
