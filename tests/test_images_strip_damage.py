"""decode_image on uncompressed and PackBits TIFFs and on PCX files of each depth, damaged in the
ways a copy or a disk damages them: cut short, an offset or a byte count past the end, garbage
in place of pixel data. Each is skipped with the reason a user would give it; whole files decode."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.corpus import encoded, smooth_rgb, tiff_strips
from tests.helpers import failure_of
from zsl_cli.images import DecodeError, decode_image


def with_strip_value(tiff: bytes, tag: int, index: int, value: int) -> bytes:
    """A little-endian TIFF with item `index` of the LONG strip array `tag` (273 offsets, 279
    byte counts) of its first directory replaced, where the array is inline (one strip) or not."""
    data = bytearray(tiff)
    ifd = int.from_bytes(data[4:8], "little")
    for entry in range(int.from_bytes(data[ifd : ifd + 2], "little")):
        at = ifd + 2 + 12 * entry
        if int.from_bytes(data[at : at + 2], "little") != tag:
            continue
        assert int.from_bytes(data[at + 2 : at + 4], "little") == 4  # LONG
        if int.from_bytes(data[at + 4 : at + 8], "little") == 1:
            data[at + 8 : at + 12] = value.to_bytes(4, "little")
        else:
            array = int.from_bytes(data[at + 8 : at + 12], "little") + 4 * index
            data[array : array + 4] = value.to_bytes(4, "little")
        return bytes(data)
    raise AssertionError(f"no tag {tag}")


def tiff_of(compression: str, mode: str = "RGB") -> tuple[bytes, np.ndarray]:
    image = Image.fromarray(smooth_rgb(320, 240, seed=2)).convert(mode)
    settings = {"compression": compression, "strip_size": 320 * 3 * 16}
    return encoded(image, "TIFF", **settings), np.asarray(image.convert("RGB"))


COMPRESSIONS = ["raw", "packbits"]


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_whole_tiff_decodes_and_cut_one_is_truncated(tmp_path: Path, compression: str) -> None:
    tiff, pixels = tiff_of(compression)
    path = tmp_path / "whole.tif"
    path.write_bytes(tiff)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    for kept in (0.3, 0.6, 0.99):
        path.write_bytes(tiff[: int(len(tiff) * kept)])
        assert failure_of(path).status == "truncated", kept
    path.write_bytes(tiff[:-1])
    assert failure_of(path).status == "truncated"


def test_tiff_with_padding_between_its_values_cut_by_a_few_bytes_is_truncated(
    tmp_path: Path,
) -> None:
    # Values of odd length are followed by a byte of padding, which no part of the file covers.
    image = Image.fromarray(smooth_rgb(64, 48, seed=2))
    tiff = encoded(image, "TIFF", description="odd" * 33, software="zsl test")
    path = tmp_path / "cut.tif"
    for cut in range(1, 12):
        path.write_bytes(tiff[:-cut])
        assert failure_of(path).status == "truncated", cut


@pytest.mark.parametrize("compression", COMPRESSIONS)
def test_whole_tiff_whose_strip_offset_points_past_its_end_is_damaged_not_cut(
    tmp_path: Path, compression: str
) -> None:
    # Pillow writes an uncompressed TIFF directory first, then its pixels to the file's end:
    # nothing lies past where the moved strip was, so no part listed ends where the file does.
    tiff, _ = tiff_of(compression)
    offsets, _ = tiff_strips(tiff)
    path = tmp_path / "offset_past_end.tif"
    for index in {0, len(offsets) // 2, len(offsets) - 1}:
        path.write_bytes(with_strip_value(tiff, 273, index, len(tiff) + 5000))
        error = failure_of(path)
        assert (error.status, "not cut short" in error.reason) == ("decode_error", True), index


def test_uncompressed_tiff_whose_strip_byte_count_runs_past_its_end_decodes(
    tmp_path: Path,
) -> None:
    # Its rows are all there: Pillow reads the bytes they take, whatever the byte count says,
    # as libtiff does (it estimates a single strip's count that runs past the end: "Plexus and
    # others" write such counts). The pixels are right, and so is a label.
    tiff, pixels = tiff_of("raw")
    path = tmp_path / "count_past_end.tif"
    path.write_bytes(with_strip_value(tiff, 279, 0, len(tiff) + 5000))
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


def test_packbits_tiff_whose_strip_byte_count_runs_past_its_end_is_damaged(
    tmp_path: Path,
) -> None:
    tiff, _ = tiff_of("packbits")
    offsets, _ = tiff_strips(tiff)
    path = tmp_path / "count_past_end.tif"
    for index in {0, len(offsets) // 2, len(offsets) - 1}:
        path.write_bytes(with_strip_value(tiff, 279, index, len(tiff) + 5000))
        error = failure_of(path)
        assert (error.status, "not cut short" in error.reason) == ("decode_error", True), index


def test_single_strip_tiff_whose_offset_points_past_its_end_is_damaged_not_cut(
    tmp_path: Path,
) -> None:
    tiff = encoded(Image.fromarray(smooth_rgb(64, 48, seed=2)), "TIFF")
    assert len(tiff_strips(tiff)[0]) == 1
    path = tmp_path / "offset_past_end.tif"
    path.write_bytes(with_strip_value(tiff, 273, 0, len(tiff) + 1))
    assert failure_of(path).status == "decode_error"
    # Cut before its one strip (the directory whole), it is cut short.
    offset = tiff_strips(tiff)[0][0]
    path.write_bytes(tiff[: offset + 100])
    assert failure_of(path).status == "truncated"


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_packbits_tiff_with_garbage_in_a_strip_is_a_decode_error(tmp_path: Path, mode: str) -> None:
    # libtiff stops a PackBits strip once it has the strip's rows and says nothing of the codes
    # left over, which garbage makes: the pixels decoded are wrong.
    tiff, pixels = tiff_of("packbits", mode)
    offsets, counts = tiff_strips(tiff)
    rng = np.random.default_rng(4)
    seen = 0
    for trial in range(8):
        damaged = bytearray(tiff)
        strip = len(offsets) // 2
        start = offsets[strip] + counts[strip] // 4 + trial * 37
        damaged[start : start + 300] = rng.integers(0, 256, 300, dtype=np.uint8).tobytes()
        with Image.open(io.BytesIO(bytes(damaged))) as unchecked:
            try:
                unchecked.load()
            except OSError:
                continue  # libtiff ran out of codes for the strip's rows: Pillow says so
        seen += 1
        path = tmp_path / f"garbage_{trial}.tif"
        path.write_bytes(bytes(damaged))
        error = failure_of(path)
        assert error.status == "decode_error", trial
        assert f"strip {strip + 1} of {len(offsets)}" in error.reason
    assert seen >= 3  # the damage this test is about, not only what libtiff already refuses


@pytest.mark.parametrize("mode", ["RGB", "L", "1", "P"])
def test_packbits_tiffs_of_each_mode_decode(tmp_path: Path, mode: str) -> None:
    image = Image.fromarray(smooth_rgb(123, 77, seed=5))
    image = image.quantize(16) if mode == "P" else image.convert(mode)
    for strip_rows in (None, 1, 10):
        settings = {"strip_size": 123 * 3 * strip_rows} if strip_rows else {}
        tiff = encoded(image, "TIFF", compression="packbits", **settings)
        path = tmp_path / f"{mode}_{strip_rows}.tif"
        path.write_bytes(tiff)
        expected = np.asarray(image.convert("RGB"))
        np.testing.assert_array_equal(np.asarray(decode_image(path)), expected)


def pcx_of(kind: str, width: int = 160, height: int = 120) -> tuple[bytes, np.ndarray]:
    """A PCX Pillow writes ("1", "P16" and "P256": 8 bits a pixel and the palette at the end,
    "L", "RGB"), and the RGB pixels it holds."""
    image = Image.fromarray(smooth_rgb(width, height, seed=2))
    image = image.quantize(int(kind[1:])) if kind.startswith("P") else image.convert(kind)
    return encoded(image, "PCX"), np.asarray(image.convert("RGB"))


def ega_pcx(width: int, height: int, planes_alone: bool = True) -> tuple[bytes, np.ndarray]:
    """A 16-colour PCX of 4 planes of 1 bit (what Pillow reads, and does not write), its rows
    run-length coded a plane at a time (else a row at a time, as the PCX specification lets a
    writer: runs then go on into the next plane), and the RGB pixels it holds."""
    rng = np.random.default_rng(3)
    palette = rng.integers(0, 256, (16, 3), dtype=np.uint8)
    indices = (np.arange(width)[None, :] // 7 + np.arange(height)[:, None] // 5) % 16
    stride = -(-width // 8) + (-(-width // 8)) % 2  # even, as the format asks
    coded = bytearray()
    for row in indices:
        bits = [np.packbits(((row >> plane) & 1).astype(np.uint8)) for plane in range(4)]
        planes = [plane.tobytes().ljust(stride, b"\0") for plane in bits]
        for line in planes if planes_alone else [b"".join(planes)]:
            at = 0
            while at < len(line):  # runs of up to 63 bytes; a byte of 0xC0 or more is a run
                run = 1
                while at + run < len(line) and run < 63 and line[at + run] == line[at]:
                    run += 1
                if run > 1 or line[at] >= 0xC0:
                    coded += bytes([0xC0 | run, line[at]])
                else:
                    coded.append(line[at])
                at += run
    header = bytearray(128)
    header[0:4] = bytes([10, 5, 1, 1])  # PCX, version 5, run-length coded, 1 bit a plane
    header[4:12] = np.array([0, 0, width - 1, height - 1], "<u2").tobytes()
    header[16:64] = palette.tobytes()
    header[65] = 4
    header[66:68] = stride.to_bytes(2, "little")
    return bytes(header) + bytes(coded), palette[indices]


PCX_KINDS = ["1", "P16", "P256", "L", "RGB", "EGA"]


def pcx_kind(kind: str) -> tuple[bytes, np.ndarray]:
    return ega_pcx(160, 120) if kind == "EGA" else pcx_of(kind)


@pytest.mark.parametrize("kind", PCX_KINDS)
def test_whole_pcx_of_each_depth_decodes(tmp_path: Path, kind: str) -> None:
    pcx, pixels = pcx_kind(kind)
    path = tmp_path / "whole.pcx"
    path.write_bytes(pcx)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)


@pytest.mark.parametrize("kind", PCX_KINDS)
def test_pcx_of_each_depth_cut_short_is_truncated(tmp_path: Path, kind: str) -> None:
    # An 8-bit PCX keeps its palette after its pixels: cut inside that, Pillow found no palette
    # at the end and decoded its pixels as shades of grey.
    pcx, _ = pcx_kind(kind)
    path = tmp_path / "cut.pcx"
    cuts = [len(pcx) * share // 20 for share in range(4, 20)] + [len(pcx) - 1, len(pcx) - 500]
    for cut in cuts:
        path.write_bytes(pcx[:cut])
        error = failure_of(path)
        assert error.status == "truncated", (cut, error.reason)


@pytest.mark.parametrize("kind", ["P16", "P256", "L"])
def test_small_8_bit_pcx_cut_short_is_truncated(tmp_path: Path, kind: str) -> None:
    # Shorter than its header and a palette: Pillow seeks before the file's start for one.
    pcx, _ = pcx_of(kind, 40, 30)
    path = tmp_path / "cut.pcx"
    for cut in (300, 600, 128 + 769 - 1):
        if cut < len(pcx):
            path.write_bytes(pcx[:cut])
            error = failure_of(path)
            assert error.status == "truncated", (cut, error.reason)


def test_pcx_cut_where_a_run_of_palette_index_12_ends_it_is_truncated(tmp_path: Path) -> None:
    # A 16-colour PCX's pixels are indices 0 to 15: the byte 12 that marks a 256-colour palette
    # 769 bytes before the end of a cut file is often a pixel; where a run's count comes before
    # it, it is a run's value, no marker.
    pcx, _ = pcx_of("P16", 320, 240)
    cuts = [
        cut
        for cut in range(128 + 771, len(pcx) - 769)
        if pcx[cut - 769] == 12 and pcx[cut - 770] >= 0xC0 and pcx[cut - 771] < 0xC0
    ]
    assert len(cuts) >= 3
    path = tmp_path / "cut.pcx"
    for cut in cuts[:: max(1, len(cuts) // 10)]:
        path.write_bytes(pcx[:cut])
        error = failure_of(path)
        assert error.status == "truncated", (cut, error.reason)


def jpeg_variants() -> dict[str, bytes]:
    """Whole JPEGs Pillow writes in the ways files come: baseline, progressive, with restart
    intervals, EXIF (and a JPEG thumbnail in it, with restart markers of its own), ICC, CMYK."""
    image = Image.fromarray(smooth_rgb(333, 251, seed=7))
    thumbnail = encoded(image.resize((40, 30)), "JPEG", restart_marker_blocks=1)
    icc = b"\0" * 128 + b"acsp" + bytes(200)
    return {
        "baseline": encoded(image, "JPEG", quality=90),
        "grey": encoded(image.convert("L"), "JPEG"),
        "progressive": encoded(image, "JPEG", progressive=True),
        "restart_rows": encoded(image, "JPEG", restart_marker_rows=1),
        "restart_blocks": encoded(image, "JPEG", restart_marker_blocks=3, subsampling=0),
        "progressive_restart": encoded(image, "JPEG", progressive=True, restart_marker_blocks=5),
        "exif_thumbnail": encoded(image, "JPEG", exif=b"Exif\0\0" + thumbnail),
        "icc": encoded(image, "JPEG", icc_profile=icc),
        "cmyk": encoded(image.convert("CMYK"), "JPEG", restart_marker_rows=2),
        "optimized": encoded(image, "JPEG", optimize=True, restart_marker_blocks=7),
    }


@pytest.mark.parametrize("name", list(jpeg_variants()))
def test_whole_jpegs_of_every_kind_decode(tmp_path: Path, name: str) -> None:
    jpeg = jpeg_variants()[name]
    path = tmp_path / f"{name}.jpg"
    path.write_bytes(jpeg + b"\0camera trailer\xff\xd8\xff\xd0")  # what follows is no part
    with Image.open(io.BytesIO(jpeg)) as expected:
        np.testing.assert_array_equal(
            np.asarray(decode_image(path)), np.asarray(expected.convert("RGB"))
        )


def restart_markers(jpeg: bytes) -> list[int]:
    """Where a JPEG Pillow writes holds restart markers (no segment of its holds their bytes)."""
    return [at for at in range(len(jpeg) - 1) if jpeg[at] == 0xFF and 0xD0 <= jpeg[at + 1] <= 0xD7]


@pytest.mark.parametrize("length", [64, 512])
def test_restart_jpeg_whose_coded_data_was_overwritten_is_a_decode_error(
    tmp_path: Path, length: int
) -> None:
    # libjpeg meets restart markers out of turn where garbage made or hid one, skips to the
    # next and fills what it skipped with grey, mid-image; it warns alone, and Pillow says
    # nothing. Restart markers go RST0 to RST7 in turn, in every file whole.
    jpeg = encoded(Image.fromarray(smooth_rgb(320, 240, seed=2)), "JPEG", restart_marker_rows=1)
    markers = restart_markers(jpeg)
    rng = np.random.default_rng(length)
    seen = 0
    path = tmp_path / "overwritten.jpg"
    for trial in range(40):
        start = int(rng.integers(markers[2], markers[-2]))
        damaged = bytearray(jpeg)
        damaged[start : start + length] = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
        codes = [damaged[at + 1] for at in restart_markers(bytes(damaged))]
        if all((code - 0xD0 - index) % 8 in (0, 3, 4, 5) for index, code in enumerate(codes)):
            continue  # no marker that makes libjpeg skip or fill: no sign this check reads
        with Image.open(io.BytesIO(bytes(damaged))) as unchecked:
            try:
                unchecked.load()
            except OSError:
                continue
        seen += 1
        path.write_bytes(bytes(damaged))
        error = failure_of(path)
        assert error.status == "decode_error", trial
    assert seen >= 3


@pytest.mark.parametrize("offset", [3, 4, 5])
def test_a_restart_marker_far_out_of_turn_decodes_as_libjpeg_reads_it(
    tmp_path: Path, offset: int
) -> None:
    # A flipped bit made RST2 an RST6: libjpeg takes a marker 3 to 5 away from the one due for
    # that one and decodes every pixel as it was, where the check called the file damaged.
    jpeg = encoded(Image.fromarray(smooth_rgb(320, 240, seed=3)), "JPEG", restart_marker_rows=1)
    damaged = bytearray(jpeg)
    at = restart_markers(jpeg)[10]
    assert damaged[at + 1] == 0xD2
    damaged[at + 1] = 0xD0 + (2 + offset) % 8
    path = tmp_path / "flipped.jpg"
    path.write_bytes(bytes(damaged))
    with Image.open(io.BytesIO(jpeg)) as whole:
        np.testing.assert_array_equal(np.asarray(decode_image(path)), np.asarray(whole))
    # One or two away libjpeg fills or skips coded data: damage.
    damaged[at + 1] = 0xD3
    path.write_bytes(bytes(damaged))
    assert failure_of(path).status == "decode_error"


def test_the_restart_check_reads_no_coded_data_of_a_jpeg_without_restart_intervals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Such a scan holds no restart markers; walking it again cost 5 ms of a 12 MP photo's 52.
    from zsl_cli.image_damage import jpeg as jpeg_damage

    def walked(*args):
        raise AssertionError("walked the coded data")

    monkeypatch.setattr(jpeg_damage, "_restart_codes", walked)
    image = Image.fromarray(smooth_rgb(320, 240, seed=4))
    path = tmp_path / "plain.jpg"
    for options in ({}, {"progressive": True}):
        path.write_bytes(encoded(image, "JPEG", **options))
        decode_image(path)
    path.write_bytes(encoded(image, "JPEG", restart_marker_rows=1))
    assert "walked the coded data" in failure_of(path).reason  # where there are markers, it does


def flipped_in_the_middle(data: bytes, seed: int, flips: int = 50) -> list[bytes]:
    """Copies of `data` as long as it, each with 1 to 8 bytes in its middle half changed."""
    rng = np.random.default_rng(seed)
    copies = []
    for _ in range(flips):
        damaged = bytearray(data)
        at = int(rng.integers(len(data) // 4, 3 * len(data) // 4))
        for place in range(at, at + int(rng.integers(1, 9))):
            damaged[place] ^= int(rng.integers(1, 256))
        copies.append(bytes(damaged))
    return copies


@pytest.mark.parametrize("kind", ["RGB", "1", "P256", "L"])
def test_whole_pcx_damaged_in_its_middle_is_not_truncated(tmp_path: Path, kind: str) -> None:
    # A PCX has no end marker (a 24-bit one is 3 planes a row, run-length coded, and nothing
    # after). Where damage shortens a run, the runs after it lie across rows, which no writer
    # makes and Pillow cuts (dropping the rest): it then runs out, as in a file cut short.
    pcx, _ = pcx_of(kind)
    path = tmp_path / "damaged.pcx"
    statuses = []
    for damaged in flipped_in_the_middle(pcx, seed=12345):
        path.write_bytes(damaged)
        try:
            decode_image(path)
            statuses.append("ok")
        except DecodeError as error:
            assert error.status != "truncated", error.reason
            statuses.append(error.status)
    assert "decode_error" in statuses
    for cut in (len(pcx) // 3, len(pcx) // 2, len(pcx) - 1):
        path.write_bytes(pcx[:cut])
        assert failure_of(path).status == "truncated", cut


def test_whole_24_bit_pcx_whose_run_shortened_is_damaged_inside(tmp_path: Path) -> None:
    # Flat colour at each row's ends (a drawing's background): runs end every row, and one two
    # bytes shorter moves the next row's first run across the row's end. (Where rows end in
    # literals, as in a photograph, that damage reads as a cut.)
    pixels = smooth_rgb(160, 120, seed=2)
    pixels[:, :20] = pixels[:, -20:] = (200, 30, 90)
    pcx = encoded(Image.fromarray(pixels), "PCX")
    counts = [at for at in range(len(pcx) // 3, len(pcx)) if pcx[at] > 0xC2 and pcx[at - 1] < 0xC0]
    damaged = bytearray(pcx)
    damaged[counts[0]] -= 2  # a run of a middle row two bytes shorter
    path = tmp_path / "damaged.pcx"
    path.write_bytes(bytes(damaged))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "across the end of a row" in error.reason and "not cut short" in error.reason
    path.write_bytes(pcx[: counts[0]])
    assert failure_of(path).status == "truncated"


def test_whole_24_bit_pcx_whose_run_moved_across_planes_is_damaged_inside(tmp_path: Path) -> None:
    # Rows that start in literals (a gradient) show no run across a row's end; the green plane's
    # first run, moved back, lies across the end of the red one's. The grey edges show that
    # the writer codes each plane alone: a red plane ending in the byte its green one starts.
    pixels = smooth_rgb(160, 120, seed=2)
    pixels[:, 0] = pixels[:, -1] = (100, 100, 100)
    pcx = encoded(Image.fromarray(pixels), "PCX")
    counts = [at for at in range(len(pcx) // 3, len(pcx)) if pcx[at] > 0xC2 and pcx[at - 1] < 0xC0]
    damaged = bytearray(pcx)
    damaged[counts[0]] -= 2
    path = tmp_path / "damaged.pcx"
    path.write_bytes(bytes(damaged))
    error = failure_of(path)
    assert error.status == "decode_error"
    assert "across the end of a row" in error.reason and "not cut short" in error.reason
    path.write_bytes(pcx[: counts[0] + 100])
    assert failure_of(path).status == "truncated"


def test_pcx_whose_writer_runs_on_into_the_next_plane_cut_short_is_truncated(
    tmp_path: Path,
) -> None:
    # The PCX specification breaks runs at the end of a row alone: a run across planes is no
    # damage where the file never broke one there.
    merged, pixels = ega_pcx(160, 120, planes_alone=False)
    assert merged != ega_pcx(160, 120)[0]  # some runs go on into the next plane
    path = tmp_path / "cut.pcx"
    path.write_bytes(merged)
    np.testing.assert_array_equal(np.asarray(decode_image(path)), pixels)
    for cut in [len(merged) * share // 10 for share in range(2, 10)] + [len(merged) - 1]:
        path.write_bytes(merged[:cut])
        error = failure_of(path)
        assert error.status == "truncated", (cut, error.reason)


@pytest.mark.parametrize("compression", ["packbits", "tiff_lzw", "tiff_adobe_deflate"])
def test_libtiff_tiff_cut_where_one_of_its_last_values_starts_is_truncated(
    tmp_path: Path, compression: str
) -> None:
    # libtiff writes its directory and the values it points to after the pixels: a cut on the
    # very byte where one of those starts ends the file where the one before it ends, as a
    # damaged offset does; but what lies past the end then starts just there.
    one_strip = encoded(
        Image.fromarray(smooth_rgb(160, 120, seed=2)), "TIFF", compression=compression
    )
    path = tmp_path / "cut.tif"
    for tiff in (one_strip, tiff_of(compression)[0]):
        for cut in range(1, 100):
            path.write_bytes(tiff[:-cut])
            error = failure_of(path)
            assert error.status == "truncated", (len(tiff), cut, error.reason)


@pytest.mark.parametrize("kind", ["P16", "P256"])
def test_8_bit_pcx_cut_inside_its_palette_is_never_decoded_with_a_wrong_one(
    tmp_path: Path, kind: str
) -> None:
    # Pillow reads a palette from 769 bytes before the end where a byte 12 is there: in a file
    # cut inside its palette, that is a pixel's index 12 now and then (often, of 16 colours),
    # and the colours decoded from what follows it are wrong.
    pcx, pixels = pcx_of(kind)
    path = tmp_path / "cut.pcx"
    statuses = set()
    for cut in range(1, 769):
        path.write_bytes(pcx[:-cut])
        try:
            decoded = np.asarray(decode_image(path))
        except DecodeError as error:
            statuses.add(error.status)
            continue
        assert np.array_equal(decoded, pixels), cut
    assert statuses == {"truncated"}


@pytest.mark.parametrize(
    ("width", "height", "twelve_at"),
    [(11, 13, 10), (13, 11, 8), (11, 11, 12)],
    ids=["ymax", "xmax", "dpi"],
)
def test_8_bit_pcx_cut_inside_its_palette_where_a_header_byte_12_takes_its_marker_is_truncated(
    tmp_path: Path, width: int, height: int, twelve_at: int
) -> None:
    # Cut inside its palette to 769 bytes after a byte 12 of the header (a height or width of
    # 13, a DPI of 12), the file reads to Pillow as a palette of header and pixel bytes.
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.choice([0, 12, 200, 255], (height, width)).astype(np.uint8), "P")
    image.putpalette([int(value) for value in rng.integers(0, 256, 768)])
    pcx = encoded(image, "PCX")
    if twelve_at == 12:  # Pillow writes a DPI of 100: another writer's of 12
        pcx = pcx[:12] + bytes([12, 0, 12, 0]) + pcx[16:]
    assert pcx[twelve_at] == 12
    path = tmp_path / "cut.pcx"
    path.write_bytes(pcx[: 769 + twelve_at])
    error = failure_of(path)
    assert error.status == "truncated", error.reason


def test_8_bit_pcx_cut_inside_its_palette_with_no_12_in_the_header_is_truncated(
    tmp_path: Path,
) -> None:
    # Cut to fewer than 769 bytes after the header's end, the file has no byte 12 where Pillow
    # seeks its palette (the header's): the image decodes grey, and it ends with a colour's 12.
    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 0xC0, (24, 24)).astype(np.uint8), "P")
    image.putpalette([12] * 768)
    pcx = encoded(image, "PCX")
    path = tmp_path / "cut.pcx"
    for size in (800, 895, 896):  # 895: the header's last byte, 769 bytes before the end
        assert pcx[size - 769] != 12
        path.write_bytes(pcx[:size])
        error = failure_of(path)
        assert error.status == "truncated", (size, error.reason)


def test_8_bit_pcx_cut_inside_its_palette_after_a_12_that_ends_a_row_like_its_last_is_truncated(
    tmp_path: Path,
) -> None:
    # Its first row is its last (0, 200), and a pixel's 12 follows it: where Pillow takes that
    # 12 for the palette's marker, the codes before it end with the last row, yet make one row
    # of the four the header asks.
    pixels = np.array([[0, 200], [12, 5], [7, 9], [0, 200]], np.uint8)
    image = Image.fromarray(pixels, "P")
    image.putpalette([int(value) for value in np.random.default_rng(0).integers(0, 256, 768)])
    pcx = encoded(image, "PCX")
    assert pcx[128:132] == bytes([0, 0xC1, 200, 12])
    path = tmp_path / "cut.pcx"
    path.write_bytes(pcx[: 131 + 769])
    error = failure_of(path)
    assert error.status == "truncated", error.reason
