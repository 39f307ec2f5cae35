"""Cameras' raw files that a walk does not simply pass over: a folder holding nothing else, whose
no-images error sent a photographer to --ext without a word of the raw files; and a raw file
named, or taken with --ext, which Pillow opens as a TIFF (a DNG, a NEF, ...) and which was
labelled, silently, from the small preview its first IFD holds, the raw image living in a SubIFD.
Such a file now fails as not_an_image, saying why; a plain TIFF is labelled as before."""

from __future__ import annotations

import io
import json
import struct

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

from tests.helpers import error_line, failure_of, run
from zsl_cli import api
from zsl_cli.images import NOT_AN_IMAGE, decode_image

_NEW_SUBFILE_TYPE, _SUB_IFDS, _DNG_VERSION = 254, 330, 50706
_SHORT, _LONG, _BYTE = 3, 4, 1


def _entry(tag: int, kind: int, values: tuple[int, ...]) -> bytes:
    """One little-endian IFD entry whose values fit in its 4 value bytes."""
    formats = {_BYTE: "<4B", _SHORT: "<2H", _LONG: "<I"}
    room = {_BYTE: 4, _SHORT: 2, _LONG: 1}[kind]
    padded = values + (0,) * (room - len(values))
    return struct.pack("<HHI", tag, kind, len(values)) + struct.pack(formats[kind], *padded)


def dng_like(preview: tuple[int, int] = (64, 43), dng: bool = True) -> bytes:
    """A raw file as cameras and Adobe's converter lay it out: its first IFD an RGB preview of
    reduced resolution (NewSubfileType 1), its SubIFDs tag pointing at the raw image, 16-bit
    samples under a Bayer colour filter (PhotometricInterpretation CFA); with DNGVersion for a
    DNG (a NEF has none)."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[_NEW_SUBFILE_TYPE] = 1
    tags[_SUB_IFDS] = 0  # its offset is known once the preview is written
    if dng:
        tags[_DNG_VERSION] = b"\x01\x04\x00\x00"
        tags.tagtype[_DNG_VERSION] = _BYTE
    written = io.BytesIO()
    Image.new("RGB", preview, (200, 30, 30)).save(written, format="TIFF", tiffinfo=tags)
    data = bytearray(written.getvalue())
    width, height = 96, 64
    raw = np.random.default_rng(0).integers(0, 4096, (height, width), dtype="<u2").tobytes()
    data += b"\0" * (len(data) % 2)
    strip = len(data)
    data += raw
    sub_ifd = len(data)
    entries = [
        _entry(_NEW_SUBFILE_TYPE, _LONG, (0,)),
        _entry(256, _LONG, (width,)),
        _entry(257, _LONG, (height,)),
        _entry(258, _SHORT, (16,)),
        _entry(259, _SHORT, (1,)),  # no compression
        _entry(262, _SHORT, (32803,)),  # CFA
        _entry(273, _LONG, (strip,)),
        _entry(277, _SHORT, (1,)),
        _entry(278, _LONG, (height,)),
        _entry(279, _LONG, (len(raw),)),
        _entry(33421, _SHORT, (2, 2)),  # CFARepeatPatternDim
        _entry(33422, _BYTE, (0, 1, 1, 2)),  # CFAPattern: RGGB
    ]
    data += struct.pack("<H", len(entries)) + b"".join(entries) + struct.pack("<I", 0)
    (first_ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, first_ifd)
    at = next(
        first_ifd + 2 + 12 * i
        for i in range(count)
        if struct.unpack_from("<H", data, first_ifd + 2 + 12 * i)[0] == _SUB_IFDS
    )
    struct.pack_into("<I", data, at + 8, sub_ifd)
    return bytes(data)


def _plain_tiff() -> bytes:
    written = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 40, 220)).save(written, format="TIFF")
    return written.getvalue()


def test_the_test_file_is_a_tiff_whose_first_image_is_its_preview(tmp_path):
    path = tmp_path / "p.dng"
    path.write_bytes(dng_like())
    with Image.open(path) as image:  # what Pillow labelled before
        assert image.format == "TIFF" and image.size == (64, 43)
        assert image.tag_v2[_NEW_SUBFILE_TYPE] == 1 and image.tag_v2[_SUB_IFDS]


@pytest.mark.parametrize("name", ["p.dng", "P.NEF"])
def test_a_file_named_as_a_raw_file_fails_saying_so(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(dng_like(dng=name == "p.dng"))
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE
    assert failure.reason == (
        "camera raw file: zsl decodes no raw image; convert it to JPEG or TIFF (darktable-cli, "
        "RawTherapee, dcraw) to label it"
    )


@pytest.mark.parametrize("dng", [True, False])
def test_a_raw_file_under_a_tiff_name_fails_naming_the_preview_pillow_reads(tmp_path, dng):
    path = tmp_path / "renamed.tif"
    path.write_bytes(dng_like(dng=dng))
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE
    assert failure.reason == (
        "camera raw file (its first image, all Pillow reads, is a 64x43 preview): zsl decodes "
        "no raw image; convert it to JPEG or TIFF (darktable-cli, RawTherapee, dcraw) to label it"
    )


def _dng_tagged_tiff(new_subfile_type: int | None = None) -> bytes:
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[_DNG_VERSION] = b"\x01\x04\x00\x00"
    tags.tagtype[_DNG_VERSION] = _BYTE
    if new_subfile_type is not None:
        tags[_NEW_SUBFILE_TYPE] = new_subfile_type
    written = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 40, 220)).save(written, format="TIFF", tiffinfo=tags)
    return written.getvalue()


def test_a_tiff_with_a_dng_tag_whose_first_image_is_whole_is_decoded(tmp_path):
    # A TIFF exported from a DNG by a tool that copies its tags: a DNG's own first image, where
    # whole, is its raw one (CFA or LinearRaw samples), which Pillow does not open. It was
    # refused as a DNG, saying to convert it to TIFF.
    path = tmp_path / "exported.tif"
    path.write_bytes(_dng_tagged_tiff())
    assert decode_image(path).getpixel((0, 0)) == (20, 40, 220)
    path.write_bytes(_dng_tagged_tiff(new_subfile_type=1))  # a DNG's preview, the raw elsewhere
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE
    assert failure.reason.startswith("camera raw file (its first image, all Pillow reads, is a")


def test_a_tiff_with_a_dng_tag_that_pillow_cannot_open_keeps_pillow_s_reason(tmp_path):
    # Its first image is no raw one (CFA, LinearRaw): the tag says nothing of why.
    path = tmp_path / "exported.tif"
    path.write_bytes(_raw_first(photometric=7, dng=True))  # 7: no photometric TIFF names
    assert (
        failure_of(path).reason == "TIFF signature, but Pillow cannot open it: unknown pixel mode"
    )


def test_a_tiff_whose_first_image_is_reduced_but_has_no_sub_ifds_is_decoded(tmp_path):
    # A reduced first image with the full one nowhere else is the picture there is.
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    tags[_NEW_SUBFILE_TYPE] = 1
    path = tmp_path / "thumb.tif"
    Image.new("RGB", (32, 32), (20, 40, 220)).save(path, format="TIFF", tiffinfo=tags)
    assert decode_image(path).getpixel((0, 0)) == (20, 40, 220)


def test_a_raw_extension_refuses_a_file_pillow_opens_as_a_tiff(tmp_path):
    # A CR2's or a PEF's first IFD is no preview, yet no picture zsl can vouch for either.
    path = tmp_path / "IMG_0001.CR2"
    path.write_bytes(_plain_tiff())
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE and failure.reason.startswith("camera raw file")


def test_a_raw_file_pillow_cannot_open_says_why(tmp_path):
    path = tmp_path / "DSCF0001.RAF"
    path.write_bytes(b"FUJIFILMCCD-RAW 0201FF383501" + bytes(200))
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE
    assert failure.reason.startswith("camera raw file: zsl decodes no raw image; convert it")
    path.write_bytes(b"")  # what the file system says comes first
    assert failure_of(path).status == "empty"


def test_a_plain_tiff_is_decoded_as_before(tmp_path):
    path = tmp_path / "plain.tif"
    path.write_bytes(_plain_tiff())
    image = decode_image(path)
    assert image.size == (32, 32) and image.getpixel((0, 0)) == (20, 40, 220)


@pytest.fixture(scope="module")
def raw_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw")
    (folder / "a.dng").write_bytes(dng_like())
    (folder / "b.NEF").write_bytes(dng_like(dng=False))
    (folder / "c.tif").write_bytes(_plain_tiff())
    classes = folder.parent / "raw-classes.txt"
    classes.write_text("red circle\nblue square\n")
    return folder, classes


def test_a_raw_file_named_or_taken_with_ext_is_a_failed_row_and_a_plain_tiff_is_labelled(
    raw_folder,
):
    folder, classes = raw_folder
    result = run(
        "label", folder / "a.dng", folder, "--ext", "nef,tif",
        "-c", classes, "-m", "shapes-demo", "-f", "jsonl",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = {
        json.loads(line)["path"].rsplit("/", 1)[-1]: json.loads(line)
        for line in (result.stdout.splitlines())
    }
    assert sorted(rows) == ["a.dng", "b.NEF", "c.tif"]
    for name in ("a.dng", "b.NEF"):
        assert rows[name]["status"] == "not_an_image"
        assert rows[name]["error"].startswith("camera raw file: zsl decodes no raw image")
        assert rows[name]["label"] in ("", None)
    assert rows["c.tif"]["status"] == "ok"
    assert "2 failed: not_an_image 2" in result.stderr


def test_a_folder_of_raw_files_alone_says_they_were_there(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "a.dng").write_bytes(b"not decoded")
    (folder / "b.NEF").write_bytes(b"not decoded")
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\n")
    result = run("label", folder, "-c", classes, "-m", "shapes-demo")
    assert result.exit_code == 2
    line = error_line(result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1
    assert line.startswith("zsl: error: no images found in ")
    assert line.endswith(
        "; 2 camera raw files were left out (.dng 1, .nef 1): zsl decodes no raw image, "
        "whatever --ext takes; convert them to JPEG or TIFF (darktable-cli, RawTherapee, "
        "dcraw) to label them"
    )


def test_the_warning_of_one_raw_file_speaks_of_it():
    assert api._left_out_images_warnings({".cr2": 1}) == [
        "1 camera raw file was left out (.cr2 1): zsl decodes no raw image; convert it to JPEG "
        "or TIFF (darktable-cli, RawTherapee, dcraw) to label it"
    ]


def _raw_first(photometric: int, dng: bool) -> bytes:
    """A raw file whose first IFD is the raw image itself, as an Android phone's DNG (CFA) or a
    linear DNG (LinearRaw) has it: 16-bit samples Pillow has no mode for, so it opens none."""
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    if dng:
        tags[_DNG_VERSION] = b"\x01\x04\x00\x00"
        tags.tagtype[_DNG_VERSION] = _BYTE
    written = io.BytesIO()
    Image.new("I;16", (24, 16), 1000).save(written, format="TIFF", tiffinfo=tags)
    data = bytearray(written.getvalue())
    (first_ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, first_ifd)
    at = next(
        first_ifd + 2 + 12 * i
        for i in range(count)
        if struct.unpack_from("<H", data, first_ifd + 2 + 12 * i)[0] == 262
    )
    struct.pack_into("<H", data, at + 8, photometric)
    return bytes(data)


@pytest.mark.parametrize(
    ("photometric", "dng", "what"),
    [
        (32803, True, "a DNG"),
        (34892, True, "a DNG"),
        (32803, False, "its first image holds a sensor's raw data"),
    ],
)
def test_a_raw_file_under_a_tiff_name_that_pillow_cannot_open_fails_saying_so(
    tmp_path, photometric, dng, what
):
    # The reason was "TIFF signature, but Pillow cannot open it: unknown pixel mode".
    path = tmp_path / "IMG_0001.tif"
    path.write_bytes(_raw_first(photometric, dng))
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever Pillow raises
        Image.open(path)
    failure = failure_of(path)
    assert failure.status == NOT_AN_IMAGE
    assert failure.reason == (
        f"camera raw file ({what}): zsl decodes no raw image; convert it to JPEG or TIFF "
        "(darktable-cli, RawTherapee, dcraw) to label it"
    )
