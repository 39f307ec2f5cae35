"""decode_image on images whose samples are wider than their values: 8-bit pictures in 32-bit
integer containers (int32 numpy arrays saved as TIFF), next to true 16-bit files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.images import decode_image

SAMPLES = Path(__file__).resolve().parent.parent / "sample_images"


def grey_picture() -> np.ndarray:
    """A shapes-world picture in 8-bit grey (its levels lie within 79..116: no 0 or 255)."""
    with Image.open(SAMPLES / "red circle" / "red_circle_0000.png") as image:
        return np.asarray(image.convert("L"))


@pytest.mark.parametrize("dtype", [np.int32, np.uint32])
def test_a_32bit_image_of_8bit_values_decodes_as_the_8bit_picture(
    tmp_path: Path, dtype: type
) -> None:
    # Taken for 16-bit data, its levels were divided by 257: an all-black picture, labelled
    # with confidence. Pillow's convert("L") and the image processor see the levels as they are.
    grey = grey_picture()
    Image.fromarray(grey).save(tmp_path / "picture.png")
    Image.fromarray(grey.astype(dtype)).save(tmp_path / "picture.tif")
    with Image.open(tmp_path / "picture.tif") as image:
        assert image.mode == "I" and image.tag_v2[258] == (32,)
    wide = np.asarray(decode_image(tmp_path / "picture.tif"))
    assert np.array_equal(wide, np.asarray(decode_image(tmp_path / "picture.png")))


def test_a_32bit_image_of_8bit_values_is_labelled_as_the_8bit_picture(tmp_path: Path) -> None:
    grey = grey_picture()
    Image.fromarray(grey).save(tmp_path / "picture.png")
    Image.fromarray(grey.astype(np.int32)).save(tmp_path / "picture.tif")
    paths = [str(tmp_path / "picture.png"), str(tmp_path / "picture.tif")]
    classes = str(SAMPLES / "classes.txt")
    args = ["label", *paths, "-c", classes, "-m", "shapes-demo", "-f", "jsonl", "-k", "3", "-q"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    png, tif = (json.loads(line) for line in result.stdout.splitlines())
    assert png["status"] == tif["status"] == "ok"
    assert [k["label"] for k in tif["top_k"]] == [k["label"] for k in png["top_k"]]
    assert tif["score"] == pytest.approx(png["score"], rel=1e-5)


def _sixteen_bit_pgm(path: Path, values: np.ndarray) -> None:
    Image.fromarray(values.astype(np.int32)).save(path)  # Pillow writes mode I with maxval 65535
    assert path.read_bytes().startswith(b"P5\n%d %d\n65535\n" % values.shape[::-1])


def _signed_16bit_tiff(path: Path, values: np.ndarray) -> None:
    Image.fromarray(values.astype(np.uint16)).save(path, tiffinfo={339: 2})  # SampleFormat: signed
    with Image.open(path) as image:
        assert image.mode == "I" and image.tag_v2[258] == (16,)


@pytest.mark.parametrize(
    ("write", "name"), [(_sixteen_bit_pgm, "deep.pgm"), (_signed_16bit_tiff, "deep.tif")]
)
def test_16bit_files_of_low_values_are_still_scaled(tmp_path: Path, write, name: str) -> None:
    # Pillow opens both in mode "I", as a 32-bit TIFF: their files say their samples are 16
    # bits, so low values are dark 16-bit levels, not 8-bit ones.
    values = np.array([[0, 100, 200, 255]])
    write(tmp_path / name, values)
    decoded = np.asarray(decode_image(tmp_path / name))
    assert decoded[0, :, 0].tolist() == np.rint(values[0] * 255 / 65535).tolist() == [0, 0, 1, 1]
