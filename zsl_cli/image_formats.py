"""Reading a good file as a browser or libpng shows it, for `zsl_cli.images.decode_image`
(whose docstring lists the statuses): which formats are read (EPS refused, HEIF through
pillow-heif, cameras' raw files refused), the file view Pillow reads through, and each format's
quirks: alpha on white, an ICO's or cursor's AND mask, a GIF's canvas, an APNG's first frame, an
animated WebP's cut after its first frame, TGA, PSD and BMP alpha, TIFF photometric, 16-bit to
8-bit, EXIF orientation, an ICNS's picture. Importing it registers zsl's run-length BMP decoder
and its numpy decoders of deep PPMs and DDS colour with Pillow.

What the decoder does to a good file: EXIF orientation is applied; transparency (RGBA, LA, PA,
palette or "transparency" info) is composited on white, and a 32-bit BMP's spare byte is read as
alpha as browsers read it. Alpha that is none by the file's own account is dropped: a BMP's or
TGA's that is zero everywhere, a 16-bit TGA's top bit (a grey one's second byte) where its header
gives the pixels no alpha bits, and a Photoshop file's fourth channel where its layer count does
not make it transparency (a saved selection); an ICO's or cursor's 32-bit BMP picture whose alpha
is zero everywhere takes its AND mask instead, as in Windows, and a cursor of 24 bits or fewer
takes its mask as an ICO's does (Pillow ignored it). CMYK becomes RGB with Pillow's conversion
(Adobe-inverted JPEGs are handled by Pillow); 16-bit and 32-bit integer images are scaled, not
clipped, to 8 bits, by the depth the file declares (a 12-bit TIFF from 12 bits; a 32-bit integer
one, whose depth gives no range, from 0 to its highest value, which keeps one whose values all fit
8 bits as it is: rules in `image_formats._scale_to_8bit`), float ones by the range their values lie
in ([0, 1], 0..255, else their own: `image_formats._float_to_8bit`), and inverted where a TIFF says
zero is white, as Pillow inverts 1- and 8-bit ones; animated images give their first frame (a GIF's
canvas that frame leaves uncovered is white, as browsers show it see-through; a frame of no width
or height is one of the canvas's size, as browsers take it, and one reaching past the canvas widens
it, as in Chrome and Pillow (Firefox cuts it), so that one placed far off is too_large; an APNG's
is its animation's first, as browsers show it, also where its default image is no part of the
animation, but for an animation that fails before its first frame, which leaves the default image,
as the APNG spec asks; an animated WebP's also where the file is cut short after it, as a GIF, an
APNG or an MPO cut in a later frame shows its first, where libwebp refuses the file), and a
multi-page TIFF its first page and an MPO its first picture, as Pillow reads them; a
Huffman-coded JPEG that lacks only its end marker, its scans all there and its last one's data
whole (`jpeg_with_end_marker`), decodes as the whole file, as in libjpeg's own reader and browsers
(Pillow said it was truncated); an ICO's or ICNS's PNG or JPEG 2000 picture is decoded at its own
size, also where that is not the size its entry stands for; a PNG's ancillary chunks (text, gamma,
EXIF, transparency) whose checksum is wrong are dropped, as libpng does by default, rather than the
image (a damaged IHDR or PLTE is not_an_image, damaged pixel data, its IDAT chunks, decode_error,
also where it inflates, as it often does), and so are all its text chunks and ICC profiles where
its text is over Pillow's limits (64 MB in all, or inflated from one chunk: PNG_METADATA_LIMIT),
uninflated; a run-length coded BMP's pixels that a line's end or a jump passes over are see-through
(white), as browsers leave them, and one whose end-of-bitmap code comes early decodes (importing
this module registers that decoder with Pillow, under a name of its own).
What Pillow reads of a file into memory is bounded by its pixels, not by the file's size: a
WebP's bytes after its RIFF data and a compressed TIFF's after its strips are not read
(webp_data_end, limit_libtiff_read), a PNG's ancillary chunks past PNG_METADATA_LIMIT in all are
skipped unread (FileView), and a file whose bytes to be read whole are far more than its pixels
take is decode_error (check_read_whole).
ICC profiles are ignored, as CLIP-style models were trained on pixels read the same way; a PNG's
after its first (the spec allows one) are not even inflated, as Pillow would each.
"""

from __future__ import annotations

import bisect
import enum
import errno
import functools
import io
import operator
import os
import struct
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np
from PIL import (
    IcnsImagePlugin,
    IcoImagePlugin,
    Image,
    ImageFile,
    ImagePalette,
    Jpeg2KImagePlugin,
    PngImagePlugin,
)

from zsl_cli.image_status import DECODE_ERROR, NOT_AN_IMAGE, DecodeError

# Pixels worked on in float64 at a time (_scale_to_8bit, _DdsRgbDecoder): a whole image's
# float64 temporaries would take tens of bytes a pixel in each decode worker.
_FLOAT_BLOCK = 1 << 16

# Largest PNG metadata chunk (an ICC profile, compressed text or XMP) Pillow may inflate during a
# run. Pillow's 1 MB default refuses the whole file, pixels and all, for a display profile with a
# 3D LUT or a bloated Photoshop XMP; 64 MB is Pillow's own bound on all of a file's text, far
# below what the pixel limit lets one image take. It is also the most of a PNG's ancillary
# chunks Pillow reads (FileView) and the room for metadata in what a file may have read whole
# (bytes_read_whole_allowed).
PNG_METADATA_LIMIT = 64 * 1024 * 1024

# Pillow reads EPS by running Ghostscript on the file: not something to do to arbitrary folders.
REFUSED_FORMATS = frozenset({"EPS"})

# Cameras' raw formats: Pillow decodes none of them. Many (DNG, NEF, CR2, ARW, PEF, ...) open
# as TIFFs, whose first image is at best a small preview, the raw one living in a SubIFD: a walk
# passes over them and says so, and decode_image refuses one it is given (camera_raw_error), so
# that none is labelled from its preview without a word.
CAMERA_RAW_EXTENSIONS = frozenset(
    {
        ".3fr", ".ari", ".arw", ".cr2", ".cr3", ".crw", ".dcr", ".dng", ".eip", ".erf", ".fff",
        ".gpr", ".iiq", ".k25", ".kdc", ".mef", ".mos", ".mrw", ".nef", ".nrw", ".orf", ".pef",
        ".raf", ".raw", ".rw2", ".rwl", ".sr2", ".srf", ".srw", ".x3f",
    }
)  # fmt: skip
_CONVERT_RAW = "convert it to JPEG or TIFF (darktable-cli, RawTherapee, dcraw) to label it"
CAMERA_RAW_REASON = f"camera raw file: zsl decodes no raw image; {_CONVERT_RAW}"


_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
LOW_BIT_GREY = {"L;2": 2, "L;4": 4}  # PNG raw modes Pillow widens to 8-bit "L", with bits
_WHITE = (255, 255, 255)
_ORIENTATION_TAG = 0x0112
TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_QUARTER_TURN_ORIENTATIONS = frozenset({5, 6, 7, 8})
_PHOTOMETRIC = 262  # a TIFF's PhotometricInterpretation tag
_BITS_PER_SAMPLE = 258  # a TIFF's BitsPerSample tag
_SAMPLE_FORMAT = 339  # a TIFF's SampleFormat tag
_NEW_SUBFILE_TYPE = 254  # a TIFF's NewSubfileType tag: bit 0 set for a reduced-resolution image
_SUB_IFDS = 330  # a TIFF's SubIFDs tag: where TIFF/EP and DNG files keep their raw image
_DNG_VERSION = 50706  # every DNG's first IFD has it


@functools.cache
def heif_readable() -> bool:
    """Whether HEIF images (the HEIC photos of phones) can be read: Pillow reads them with the
    optional pillow-heif plugin, registered here once per process."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        return False
    register_heif_opener()
    return True


def readable_formats() -> list[str]:
    return [name for name in Image.ID if name not in REFUSED_FORMATS]


# PhotometricInterpretation of a raw image's own samples: CFA (a Bayer mosaic) and LinearRaw.
_RAW_PHOTOMETRICS = frozenset({32803, 34892})
_SHORT = 3  # a TIFF field type


def camera_raw_header_error(file: BinaryIO) -> DecodeError | None:
    """not_an_image for a camera's raw file under another name that Pillow could not open at
    all: a TIFF whose first IFD is the raw image itself (CFA or LinearRaw samples, as an
    Android phone's DNG has it first), for which Pillow has no mode; said to be a DNG where it
    has a DNGVersion tag. None for any other file, or one whose first IFD cannot be read."""
    try:
        file.seek(0)
        head = file.read(8)
        if head[:4] not in (b"II*\0", b"MM\0*"):
            return None
        order = "<" if head[:1] == b"I" else ">"
        file.seek(struct.unpack(f"{order}I", head[4:])[0])
        (count,) = struct.unpack(f"{order}H", file.read(2))
        entries = file.read(12 * count)
    except (OSError, ValueError, struct.error):
        return None
    dng = raw = False
    for at in range(0, len(entries) - 11, 12):
        tag, kind = struct.unpack_from(f"{order}HH", entries, at)
        dng |= tag == _DNG_VERSION
        if tag == _PHOTOMETRIC and kind == _SHORT:
            raw = struct.unpack_from(f"{order}H", entries, at + 8)[0] in _RAW_PHOTOMETRICS
    if not raw:  # DNGVersion alone: a TIFF exported from a DNG may keep the DNG's tags
        return None
    what = "a DNG" if dng else "its first image holds a sensor's raw data"
    return DecodeError(
        NOT_AN_IMAGE, f"camera raw file ({what}): zsl decodes no raw image; {_CONVERT_RAW}"
    )


def camera_raw_error(image: Image.Image) -> DecodeError | None:
    """not_an_image for a camera's raw file under another name (a DNG renamed .tif), as Pillow
    opened it: a TIFF whose first image is of reduced resolution and its full one in a SubIFD,
    as a DNG's, a NEF's or an ARW's is, or of a DNG (a DNGVersion tag). None for any other
    file: a DNG's whole first image is its raw one, which Pillow does not open (see
    camera_raw_header_error), so one Pillow opens whole is a picture, as a TIFF exported from a
    DNG that kept its tags is. One named as a raw file is refused by its name
    (CAMERA_RAW_EXTENSIONS) before Pillow opens it."""
    tags = getattr(image, "tag_v2", {}) if image.format == "TIFF" else {}
    reduced = bool(_first_number(tags.get(_NEW_SUBFILE_TYPE)) & 1)
    if not reduced or (_SUB_IFDS not in tags and _DNG_VERSION not in tags):
        return None
    # What would have been labelled: the first image is all Pillow reads.
    what = f"its first image, all Pillow reads, is a {image.width}x{image.height} preview"
    return DecodeError(
        NOT_AN_IMAGE, f"camera raw file ({what}): zsl decodes no raw image; {_CONVERT_RAW}"
    )


def _first_number(value: object) -> int:
    """A TIFF tag's value as one number (its first, for a tuple); 0 where it is none."""
    if isinstance(value, tuple):
        value = value[0] if value else 0
    return value if isinstance(value, int) else 0


def icns_picture(icns_image: IcnsImagePlugin.IcnsImageFile) -> ImageFile.ImageFile:
    """The PNG or JPEG 2000 picture of the ICNS entry Pillow decodes, opened at its own size (an
    ICO's picture is decoded so). Pillow's ICNS reader refuses a picture whose size is not the
    one its entry stands for ("not one of the allowed sizes"); check_icon_size held that size
    to the pixel limit. An entry of raw pixels, which has its entry's size, is left to Pillow."""
    icns = icns_image.icns
    for code, _ in icns.SIZES[icns_image.best_size]:
        if code not in icns.dct:
            continue
        start, length = icns.dct[code]
        icns.fobj.seek(start)
        signature = icns.fobj.read(12)
        icns.fobj.seek(start)
        picture: ImageFile.ImageFile
        if signature.startswith(PngImagePlugin._MAGIC):
            picture = PngImagePlugin.PngImageFile(icns.fobj)
        elif Jpeg2KImagePlugin._accept(signature):
            picture = Jpeg2KImagePlugin.Jpeg2KImageFile(io.BytesIO(icns.fobj.read(length)))
        else:
            continue
        icns_image.close()
        return picture
    return icns_image


def apply_draft(image: Image.Image, bound: tuple[int, int], orientation: int) -> None:
    """Ask the JPEG decoder for a reduced DCT scale that still covers `bound` once oriented."""
    # The bound is for the displayed image; the decoder works on the stored, turned one (a
    # quarter turn swaps the sides either way).
    image.draft("RGB", shown_size(bound, orientation))


def shown_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """(width, height) of an image stored at `size`, once turned by this EXIF orientation."""
    width, height = size
    return (height, width) if orientation in _QUARTER_TURN_ORIENTATIONS else (width, height)


def read_spare_byte_as_alpha(image: ImageFile.ImageFile) -> None:
    """Have a 32-bit BMP without bit masks (BI_RGB) read with its fourth byte as alpha, as
    browsers read it: the format calls that byte unused, but writers (Pillow among them) put a
    transparent image's alpha there. Pillow drops it."""
    if image.format not in ("BMP", "DIB") or image.mode != "RGB" or len(image.tile) != 1:
        return
    tile = image.tile[0]
    args = tile.args
    if image.info.get("compression") != 0 or tile.codec_name != "raw":
        return
    if not isinstance(args, tuple) or args[:1] != ("BGRX",):
        return
    image.tile = [tile._replace(args=("BGRA", *args[1:]))]
    image._mode = "RGBA"


def read_rle_skips_as_alpha(image: ImageFile.ImageFile) -> None:
    """Have a run-length coded BMP read by zsl's decoder, with alpha for the pixels it skips:
    its palette (a grey ramp, where Pillow has dropped a grey one) is kept in mode "PA"."""
    if len(image.tile) != 1 or image.tile[0].codec_name != "bmp_rle":
        return
    if image.mode in ("1", "L"):
        levels = (0, 255) if image.mode == "1" else range(256)
        image.palette = ImagePalette.raw("RGB", b"".join(bytes([level]) * 3 for level in levels))
    image._mode = "PA"
    image.tile = [image.tile[0]._replace(codec_name=_BMP_RLE)]


class _BmpRleDecoder(ImageFile.PyDecoder):
    """A run-length coded BMP read as Pillow's decoder reads it but for three things. The pixels a
    line's end or a jump (delta) passes over are see-through, as Chrome and Firefox leave them;
    Pillow gave them colour 0. A bitmap whose end-of-bitmap code comes before its last pixel,
    as the format allows, decodes, where Pillow said the data ran out: the pixels left out take
    colour 0, opaque, as before, browsers being of two minds (Firefox paints them black, Chrome
    leaves them see-through). A run of pixels given one by one is padded to 16 bits from the
    pixel data's start, as browsers count it, where Pillow counts from the file's."""

    _pulls_fd = True

    def decode(self, buffer: Any) -> tuple[int, int]:
        assert self.fd is not None
        fd, rle4, width = self.fd, bool(self.args[1]), self.state.xsize
        size = width * self.state.ysize
        indices = bytearray(size)
        # Zero where a line's end or a jump passes pixels over, one slice a code: a list of
        # (first, count) runs took some 70 bytes a code, also one passing over none.
        alpha = bytearray(b"\xff") * size
        made = x = 0  # pixels made (or passed over); where in its line the next one falls
        # Codes that make no pixel (a line's end at its start, a run past it, a jump of none)
        # are read in blocks, outside the file's read budget: 8 million, 16 MB, took 8-14 s. A
        # pixel pays for two codes: its run and its line's end, in an image one pixel wide.
        codes = 0
        # Codes decoded one by one in Python (escapes and runs in short stretches; a stretch
        # decoded in numpy counts one), a microsecond or more each: 88 MP of one-pixel runs
        # took 3.5 min. Past _RLE_FREE_PYTHON_CODES, they must make _RLE_PIXELS_PER_PYTHON_CODE
        # pixels each.
        python_codes = 0
        # The codes are read in blocks, each from a code's start. Every code starts an even
        # number of bytes from the pixel data's start (runs of given pixels are padded to 16
        # bits), so the codes whose count is 0 (escapes) are found in a block at once, and
        # the runs (codes of a count) up to the next one decoded together.
        data, at, ended, escapes = b"", 0, False, []
        while made < size:
            if len(data) - at < _RLE_LONGEST_CODE and not ended:
                more = fd.read(_RLE_BLOCK)
                data, at, ended = data[at:] + more, 0, len(more) < _RLE_BLOCK
                counts = np.frombuffer(data, np.uint8, count=len(data) // 2 * 2)[0::2]
                escapes = (2 * np.flatnonzero(counts == 0)).tolist()
            if len(data) - at < 2:
                break
            if data[at]:  # runs, up to the next escape
                escape = bisect.bisect_left(escapes, at)
                stop = escapes[escape] if escape < len(escapes) else len(data) // 2 * 2
                codes += (stop - at) // 2
                if stop - at >= 2 * _RLE_NUMPY_RUNS:
                    python_codes += 1
                    made, x = _rle_runs(data[at:stop], rle4, indices, made, x, width)
                else:
                    for count, code in zip(data[at:stop:2], data[at + 1 : stop : 2], strict=True):
                        python_codes += 1
                        count = min(count, width - x, size - made)  # Pillow drops what
                        if count > 0:  # passes the line's end
                            pair = bytes((code >> 4, code & 15)) if rle4 else bytes((code, code))
                            indices[made : made + count] = (pair * count)[:count]
                            made += count
                            x += count
                at = stop
            else:
                code = data[at + 1]
                at += 2
                codes += 1
                python_codes += 1
                if code == 0:  # end of line
                    gap = min(-made % width, size - made)
                    alpha[made : made + gap] = bytes(gap)
                    made += gap
                    x = 0
                elif code == 1:  # end of bitmap: the pixels left take colour 0, opaque
                    made = size
                elif code == 2:  # delta: so many pixels right and rows up
                    if len(data) - at < 2:
                        break
                    gap = min(data[at] + data[at + 1] * width, size - made)
                    at += 2
                    alpha[made : made + gap] = bytes(gap)
                    made += gap
                    x = made % width
                else:  # `code` pixels, each given
                    wanted = min(size - made, code)
                    given = data[at : at + ((wanted + 1) // 2 if rle4 else wanted)]
                    at += len(given)
                    if rle4:
                        nibbles = bytearray(2 * len(given))
                        nibbles[0::2], nibbles[1::2] = given.translate(_HIGH), given.translate(_LOW)
                        given = bytes(nibbles[:wanted])
                    indices[made : made + len(given)] = given
                    made += len(given)
                    if len(given) < wanted or made == size:
                        break
                    x += code
                    # Runs are padded to 16 bits, counted from the pixel data's start as
                    # browsers count it; from the file's start (as Pillow counts), pixel data
                    # that starts at an odd offset was read out of step, into wrong pixels.
                    at += at % 2
            if codes > ReadBudget.FREE_READS + 2 * made:
                raise ReadBudget.refusal("run-length codes that make no pixel")
            if python_codes > _RLE_FREE_PYTHON_CODES + made // _RLE_PIXELS_PER_PYTHON_CODE:
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: over {_RLE_FREE_PYTHON_CODES:,} run-length codes that make "
                    f"under {_RLE_PIXELS_PER_PYTHON_CODE} pixels each, each decoded on its own: "
                    "not decoded",
                )
        pixels = np.empty((made, 2), np.uint8)
        pixels[:, 0] = np.frombuffer(indices, np.uint8, count=made)
        pixels[:, 1] = np.frombuffer(alpha, np.uint8, count=made)
        # Data that ran out leaves fewer pixels than the image has: Pillow's "not enough image
        # data", which says the file was cut short.
        self.set_as_raw(pixels.tobytes(), "PA", (0, self.args[-1]))
        return -1, 0


def _rle_runs(
    runs: bytes, rle4: bool, indices: bytearray, made: int, x: int, width: int
) -> tuple[int, int]:
    """A run-length BMP's `runs` (two bytes each: a count and a colour, two alternating ones in
    RLE4) decoded into `indices` from pixel `made`, at `x` in its line, at once; returns the
    new (made, x). Each run is cut where the line ends (where given pixels ran past it, at
    once), as Pillow cuts it, and where the image ends."""
    pairs = np.frombuffer(runs, np.uint8).reshape(-1, 2)
    ends = np.minimum(x + np.cumsum(pairs[:, 0], dtype=np.int64), max(x, width))
    lengths = np.diff(ends, prepend=x)
    total = min(int(ends[-1]) - x, len(indices) - made)
    if total <= 0:
        return made, x
    colours = pairs[:, 1]
    if rle4:
        # A run's pixels alternate its code's high and low nibble, from its first pixel.
        first = np.repeat(ends - lengths - x, lengths)[:total]
        odd = (np.arange(total) - first) % 2 == 1
        pixels = np.repeat(colours >> 4, lengths)[:total]
        pixels[odd] = np.repeat(colours & 15, lengths)[:total][odd]
    else:
        pixels = np.repeat(colours, lengths)[:total]
    indices[made : made + total] = pixels.tobytes()
    return made + total, x + total


# Runs in a stretch from which numpy decodes them (its calls cost as much as some 16 in Python).
_RLE_NUMPY_RUNS = 16
# The codes of a run-length BMP read at a time.
_RLE_BLOCK = 1 << 16
# The most bytes one code takes: an escape of 255 pixels given, and its padding.
_RLE_LONGEST_CODE = 2 + 256
# Codes decoded one by one that a run-length BMP may take freely, and the pixels each further
# one must make (see _BmpRleDecoder.decode). GIMP and Windows give 3 or more differing pixels
# one by one (an escape) and repeats as runs, so that a dithered 16-colour image makes some 3.4
# pixels a code in Python. At 2, a file built of such codes holds a decode worker for less than
# twice what a dithered image of as many pixels takes.
_RLE_FREE_PYTHON_CODES = 500_000
_RLE_PIXELS_PER_PYTHON_CODE = 2


# A byte of an RLE4 file's pixels given one by one: two, its high and low nibble.
_HIGH = bytes(b >> 4 for b in range(256))
_LOW = bytes(b & 15 for b in range(256))
_BMP_RLE = "zsl_bmp_rle"
Image.register_decoder(_BMP_RLE, _BmpRleDecoder)


def read_python_pixels_with_numpy(image: ImageFile.ImageFile) -> None:
    """Have a PPM of a depth Pillow reads in Python (P5 and P6 whose largest value is other than
    255, and 65535 for grey) and a DDS's uncompressed colour read by zsl's decoders, which give
    the same pixels: Pillow's read and scale a pixel at a time, 5 us a pixel (2 minutes for a
    24 MP 16-bit PPM, 15 s for a 2000x2000 DDS)."""
    if len(image.tile) == 1 and image.tile[0].codec_name in _NUMPY_DECODERS:
        tile = image.tile[0]
        image.tile = [tile._replace(codec_name=_NUMPY_DECODERS[tile.codec_name])]


class _PpmDecoder(ImageFile.PyDecoder):
    """A binary PPM's samples of 1 byte (largest value under 256) or 2 (big-endian) scaled to
    0..255, or to 0..65535 in mode "I" (deep grey), as Pillow's decoder scales them: its
    `min(out_max, round(value / maxval * out_max))`, looked up in a table of every value the
    sample's bytes can hold (those above the largest value too, clipped as Pillow clips them)."""

    _pulls_fd = True

    def decode(self, buffer: Any) -> tuple[int, int]:
        assert self.fd is not None
        maxval = self.args[-1]
        sample = np.dtype(np.uint8 if maxval < 256 else ">u2")
        bands = Image.getmodebands(self.mode)
        pixel = bands * sample.itemsize
        # One read of the pixels' bytes alone (the pixel limit bounds them), not the file's rest.
        data = self.fd.read(self.state.xsize * self.state.ysize * pixel)
        # Whole pixels: Pillow's decoder drops the part of one the data ends in.
        samples = np.frombuffer(data, sample, count=len(data) // pixel * bands)
        deep = self.mode == "I"
        levels = _ppm_levels(maxval, sample.itemsize, 65535 if deep else 255)
        # Fewer pixels than the image has: Pillow's "not enough image data" (truncated).
        self.set_as_raw(levels[samples].tobytes(), "I;32" if deep else self.mode)
        return -1, 0


@functools.lru_cache(maxsize=16)
def _ppm_levels(maxval: int, sample_bytes: int, out_max: int) -> np.ndarray:
    """What Pillow's PPM decoder makes of each value a sample of `sample_bytes` holds: float64
    in its order of operations, and np.round rounds half to even as Python's round does."""
    values = np.arange(256**sample_bytes, dtype=np.float64)
    levels = np.minimum(out_max, np.round(values / maxval * out_max))
    return levels.astype(np.uint8 if out_max == 255 else "<u4")  # "I;32": 32-bit little-endian


class _DdsRgbDecoder(ImageFile.PyDecoder):
    """A DDS's uncompressed colour, each channel given by a bit mask of (the first 4 bytes of)
    a little-endian pixel of `bitcount` bits, scaled to 0..255 as Pillow's decoder scales it:
    `int(channel / channel_max * 255)` in float64, a block of pixels at a time (a channel's
    float64 values for a whole image would take 8 bytes a pixel)."""

    _pulls_fd = True

    def decode(self, buffer: Any) -> tuple[int, int]:
        assert self.fd is not None
        bitcount, masks = self.args
        pixel = bitcount // 8
        if not pixel:  # Pillow decodes no pixel: "not enough image data"
            self.set_as_raw(b"")
            return -1, 0
        if bitcount > _DDS_LARGEST_PIXEL_BITS:
            # A damaged header: the one read below would ask for the image at that size, up to
            # terabytes, and fail as out of memory, which blames the machine, not the file.
            raise DecodeError(
                DECODE_ERROR,
                f"cannot decode: its DDS header gives pixels of {bitcount:,} bits, where none "
                f"is over {_DDS_LARGEST_PIXEL_BITS} (a damaged header)",
            )
        # One read of the pixels' bytes alone (the pixel limit and the bit count above bound
        # them), not the file's rest.
        data = self.fd.read(self.state.xsize * self.state.ysize * pixel)
        stored = np.frombuffer(data, np.uint8, count=len(data) // pixel * pixel)
        stored = stored.reshape(-1, pixel)[:, :4]  # the masks, 32 bits, see no further
        channels = np.zeros((len(stored), len(masks)), np.uint8)
        for start in range(0, len(stored), _FLOAT_BLOCK):
            block = stored[start : start + _FLOAT_BLOCK]
            value = np.zeros(len(block), np.uint32)
            for index in range(block.shape[1]):
                value |= block[:, index].astype(np.uint32) << (8 * index)
            for channel, mask in enumerate(masks):
                if mask:
                    shift = (mask & -mask).bit_length() - 1  # the mask's zeros below its bits
                    levels = (value & mask) >> shift
                    # Truncated, as Python's int() truncates: never over 255.
                    channels[start : start + _FLOAT_BLOCK, channel] = levels / (mask >> shift) * 255
        # Fewer pixels than the image has: Pillow's "not enough image data" (truncated).
        self.set_as_raw(channels.tobytes())
        return -1, 0


# The widest pixel of any DDS format: four 32-bit floats (DXGI's R32G32B32A32).
_DDS_LARGEST_PIXEL_BITS = 128
_PPM = "zsl_ppm"
Image.register_decoder(_PPM, _PpmDecoder)
_DDS_RGB = "zsl_dds_rgb"
Image.register_decoder(_DDS_RGB, _DdsRgbDecoder)
_NUMPY_DECODERS = {"ppm": _PPM, "dds_rgb": _DDS_RGB}


_Box = tuple[int, int, int, int]


def gif_frame_placement(image: ImageFile.ImageFile) -> tuple[_Box, tuple[int, int]] | None:
    """Where a GIF's first frame lies on its canvas as decoded, and where it is shown, where it
    does not cover all of the canvas: browsers show the rest see-through, and Pillow fills it
    with palette colour 0 (where the frame has no transparent colour). A frame of no width or
    height is one of the canvas's size at its offset, as Chrome and Firefox take it (Pillow
    failed: "tile cannot extend outside image"): Pillow decodes it over the canvas, to be moved
    to its offset."""
    tile = image.tile[0] if len(image.tile) == 1 else None
    if tile is None or tile.extents is None:
        return None
    left, top, right, bottom = tile.extents
    if left == right or top == bottom:
        image.tile = [tile._replace(extents=(0, 0, *image.size))]
        return None if (left, top) == (0, 0) else ((0, 0, *image.size), (left, top))
    box = (left, top, right, bottom)
    return None if box == (0, 0, *image.size) else (box, (left, top))


def apng_first_frame(image: ImageFile.ImageFile) -> tuple[_Box, tuple[int, int]] | None:
    """For an APNG whose default image (its IDAT) is no part of its animation, move to the
    animation's first frame, which browsers show (they all read APNG; the default image is for
    readers that do not), on a see-through canvas: Pillow would blend it over the default
    image. Its placement, as `gif_frame_placement` gives a GIF frame's."""
    if not isinstance(image, PngImagePlugin.PngImageFile) or not image.info.get("default_image"):
        return None
    # Pillow sets default_image only with an acTL chunk (of 1 frame or more) before the IDAT,
    # and counts the default image as a frame besides: frame 1 is always there.
    image.seek(1)
    image.blend_op = PngImagePlugin.Blend.OP_SOURCE  # its own pixels where it lies, not blended
    box = image.info.get("bbox")
    if not isinstance(box, tuple) or box == (0, 0, *image.size):
        return None
    return box, box[:2]


_WEBP_ANIMATION_FLAG = 0x02  # in a VP8X chunk's flags
# Chunks looked at before the first frame: VP8X, ICCP and ANIM, and room for unknown ones (each
# is a read in Python, as a file of millions of empty chunks would make).
_WEBP_CHUNKS_BEFORE_FRAME = 64


def webp_first_frame_file(file: BinaryIO, size: int) -> bytes | None:
    """For an animated WebP cut short after its first frame (its RIFF size says more), an
    animated WebP of the chunks before that frame (VP8X, ICCP, ANIM) and the frame: decoded,
    it gives the first frame as the whole file would, its offset on the canvas and its alpha
    by libwebp's own rules (its EXIF and XMP, which follow the frames, are lost with them).
    libwebp's animation decoder, which Pillow reads every WebP with, refuses a file cut
    anywhere, where a GIF, an APNG or an MPO cut in a later frame shows its first. None for
    any other file, also one cut inside its first frame."""
    file.seek(0)
    head = file.read(30)
    if len(head) < 30 or head[:4] != b"RIFF" or head[8:16] != b"WEBPVP8X":
        return None
    if size >= int.from_bytes(head[4:8], "little") + 8 or not head[20] & _WEBP_ANIMATION_FLAG:
        return None
    chunks: list[bytes] = []
    offset = 12
    while offset + 8 <= size and len(chunks) < _WEBP_CHUNKS_BEFORE_FRAME:
        file.seek(offset)
        header = file.read(8)
        end = offset + 8 + int.from_bytes(header[4:8], "little")
        end += end % 2  # chunks are padded to an even length
        if end > size:
            return None
        chunks.append(header + file.read(end - offset - 8))
        if header[:4] == b"ANMF":
            body = b"WEBP" + b"".join(chunks)
            return b"RIFF" + len(body).to_bytes(4, "little") + body
        offset = end
    return None


def webp_data_end(file: BinaryIO, size: int, max_pixels: int) -> int | None:
    """Where a WebP's RIFF data ends (its header's size; the file's end where that comes
    first), for FileView.rest_end: Pillow hands libwebp the whole file, read into memory (twice
    over), and libwebp reads no further than the RIFF data. DecodeError where those bytes are
    far more than its pixels take (bytes_read_whole_allowed). None for a file that is no WebP.
    Leaves the file at its start."""
    file.seek(0)
    head = file.read(30)
    file.seek(0)
    if head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    end = min(size, int.from_bytes(head[4:8], "little") + 8)
    check_read_whole(end, _webp_canvas(head), 4, max_pixels)  # RGBA, as libwebp decodes it
    return end


def _webp_canvas(head: bytes) -> tuple[int, int] | None:
    """A WebP's canvas size from its first 30 bytes, as its first chunk gives it (RFC 9649): a
    lossy VP8 frame's 14-bit sides after its start code, VP8X's 24-bit sides less one, a
    lossless VP8L's 14-bit sides less one after its signature byte. None where it gives none.
    Read here, as Pillow 12 (Python 3.10's) has no reader of it of its own."""
    chunk = head[12:16]
    if chunk == b"VP8 " and len(head) >= 30 and head[23:26] == b"\x9d\x01\x2a":
        return (
            int.from_bytes(head[26:28], "little") & 0x3FFF,
            int.from_bytes(head[28:30], "little") & 0x3FFF,
        )
    if chunk == b"VP8X" and len(head) >= 30:
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if chunk == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def limit_libtiff_read(image: ImageFile.ImageFile, size: int, max_pixels: int) -> None:
    """Have Pillow read a TIFF it decodes with libtiff (a compressed one) no further than its
    first directory, that directory's data and its strips or tiles (FileView.rest_end): it
    reads the file into memory for libtiff, to the end (see FileView.fileno), and a TIFF of a
    few pixels padded with gigabytes took gigabytes. DecodeError where those bytes are far more
    than its pixels take (bytes_read_whole_allowed)."""
    view = image.fp
    if not isinstance(view, FileView) or len(image.tile) != 1:
        return
    if image.tile[0].codec_name != "libtiff":
        return
    tags = getattr(image, "tag_v2", {})
    end = view.reach  # Image.open has read the directory and the data of its fields
    for offsets_tag, counts_tag in _TIFF_PIXEL_DATA_TAGS:
        offsets, counts = _tiff_numbers(tags.get(offsets_tag)), _tiff_numbers(tags.get(counts_tag))
        if not offsets:
            continue
        if len(counts) < len(offsets) or not all(counts):
            end = size  # libtiff works out what a count leaves out from the file's size
            break
        end = max(end, *map(operator.add, offsets, counts))
    end = min(end, size)
    bits = tags.get(_BITS_PER_SAMPLE, (1,))
    bits = bits if isinstance(bits, tuple) else (bits,)
    pixel_bytes = -(-sum(b for b in bits if isinstance(b, int)) // 8)
    check_read_whole(end, image.size, pixel_bytes, max_pixels)
    view.rest_end = end


def _tiff_numbers(value: object) -> tuple[int, ...]:
    """A TIFF field's whole numbers, as Pillow gives them (one, or a tuple); () for others."""
    values = value if isinstance(value, tuple) else (value,)
    return values if all(type(v) is int for v in values) else ()


# (offsets, byte counts) of a TIFF's pixel data: strips, tiles, an old-style JPEG's stream.
_TIFF_PIXEL_DATA_TAGS = ((273, 279), (324, 325), (513, 514))

# How many times its decoded pixels' bytes a file may have read whole (beside
# PNG_METADATA_LIMIT for its metadata): coded pixels take at most about their raw size (LZW's
# worst is 1.5 times it), and a Photoshop TIFF keeps its layers in a field beside them.
_CODED_TIMES_RAW = 4


def bytes_read_whole_allowed(pixels: int, pixel_bytes: int, max_pixels: int) -> int:
    """The most bytes of a file Pillow may read into memory whole for an image of `pixels`
    pixels (at most the pixel limit's) of `pixel_bytes` bytes each, decoded."""
    return PNG_METADATA_LIMIT + _CODED_TIMES_RAW * min(pixels, max_pixels) * max(1, pixel_bytes)


def check_read_whole(
    nbytes: int, size: tuple[int, int] | None, pixel_bytes: int, max_pixels: int
) -> None:
    """DecodeError where `nbytes` of a file, to be read into memory whole, are more than
    bytes_read_whole_allowed for an image of `size` (None: one its header does not give)."""
    pixels = size[0] * size[1] if size else 0
    allowed = bytes_read_whole_allowed(pixels, pixel_bytes, max_pixels)
    if nbytes <= allowed:
        return
    shown = f"its {size[0]}x{size[1]} pixels" if size else "its pixels (of no size it gives)"
    raise DecodeError(
        DECODE_ERROR,
        f"cannot decode: {nbytes:,} bytes of it would be read whole, far more than {shown} "
        f"and metadata take (at most {allowed:,}): not decoded",
    )


def white_outside(image: Image.Image, box: _Box, shown_at: tuple[int, int]) -> Image.Image:
    """A white page of `image`'s size showing the part `box` of it at `shown_at`, cut where
    the page ends."""
    page = Image.new("RGB", image.size, _WHITE)
    page.paste(image.crop(box), shown_at)
    return page


def ico_by_its_mask(image: IcoImagePlugin.IcoImageFile) -> Image.Image:
    """An ICO picture whose alpha is zero everywhere on white: a 32-bit BMP one by its AND mask
    instead, as Windows and browsers show it (writers that predate alpha leave those bytes
    zero; Pillow reads the alpha bytes alone), a PNG one as it is."""
    ico = image.ico
    entry = ico.entry[ico.getentryindex(image.size)]
    ico.buf.seek(entry.offset)
    if ico.buf.read(8) == PngImagePlugin._MAGIC:
        return to_rgb(image)
    stride = (image.width + 31) // 32 * 4
    return on_white_by_and_mask(image, ico.buf, entry.offset + entry.size - stride * image.height)


def take_cursor_mask(image: ImageFile.ImageFile) -> int | None:
    """Where the AND mask of a cursor's bitmap starts (after its pixels), having Pillow read the
    pixels alone: it applies the mask of a black-and-white or grey cursor itself, reading it as
    pixels of the cursor's depth (a grey 8-bit cursor ran out of data), and ignores the rest's."""
    if getattr(image, "_masked", False):
        image._masked = False  # type: ignore[attr-defined]
        image._mode = image._rawmode  # type: ignore[attr-defined]
        image.tile = [image.tile[0]._replace(extents=(0, 0, *image.size))]
    if len(image.tile) != 1:
        return None
    tile = image.tile[0]
    if tile.codec_name != "raw" or not isinstance(tile.args, tuple) or len(tile.args) < 2:
        return None
    stride = tile.args[1]  # a BMP's rows are padded to 32 bits
    return tile.offset + stride * image.height if isinstance(stride, int) else None


def on_white_by_and_mask(image: Image.Image, file: Any, offset: int) -> Image.Image:
    """`image` on white where the AND mask at `offset` of `file` (1 bit a pixel, rows bottom-up
    and padded to 32 bits, 1 for see-through) lets it show; opaque where the mask is cut."""
    width, height = image.size
    stride = (width + 31) // 32 * 4
    file.seek(offset)
    rows = file.read(stride * height)
    opaque = image.convert("RGB")
    if len(rows) < stride * height:
        return opaque  # as a BMP whose alpha is zero everywhere is
    mask = Image.frombuffer("1", image.size, rows, "raw", "1;I", stride, -1)
    page = Image.new("RGB", image.size, _WHITE)
    page.paste(opaque, mask=mask)
    return page


def header_denies_alpha(image: Image.Image, file_format: str | None, file: BinaryIO) -> bool:
    """Whether the file's header says that what Pillow read as alpha is none."""
    if file_format == "TGA":
        return _tga_alpha_bit_unused(file)
    if file_format == "PSD" and image.mode == "RGBA":
        return not _psd_merged_alpha(image, file)
    return False


def _tga_alpha_bit_unused(file: BinaryIO) -> bool:
    """Whether a Targa file's pixels (or colour map entries) are 16 bits (5-bit colours and a
    top bit, or an 8-bit grey and a byte) whose header gives them no alpha bits. Pillow reads
    that bit or byte as alpha whatever the header says; ImageMagick and GIMP read it only where
    the header gives some, and writers that mean none leave it as they please: some pixels
    would turn white."""
    file.seek(0)
    head = file.read(18)
    if len(head) < 18 or head[17] & 0x0F:
        return False
    kind = head[2] & 7  # 1: colour-mapped, 2: true colour, 3: grey (8 adds run-length coding)
    return kind in (1, 2, 3) and (head[7] if kind == 1 else head[16]) == 16


def _psd_merged_alpha(image: Image.Image, file: BinaryIO) -> bool:
    """Whether the fourth channel of a Photoshop file's merged image is its transparency, which
    Pillow takes it for: it is where the layer count is negative (Adobe's specification);
    otherwise it is a saved selection, and a photo would turn white outside it."""
    layers = getattr(image, "_layers_position", None)
    if not isinstance(layers, int):
        return False  # no layers: a flat image, opaque
    file.seek(layers)
    return int.from_bytes(file.read(2), "big", signed=True) < 0


def wholly_transparent(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (0, 0)


def widen_transparent_level(image: Image.Image, bits: int) -> None:
    """Pillow widens 2- and 4-bit grey pixels to 0..255 but leaves tRNS's grey level as stored,
    so the see-through pixels would stay opaque: widen the level as well."""
    top = 2**bits - 1
    level = image.info.get("transparency")
    if isinstance(level, int) and 0 < level <= top:  # above top: a Pillow that widens it too
        image.info["transparency"] = level * (255 // top)


def deep_colour_on_white(
    image: Image.Image, file: BinaryIO, colour: tuple[int, ...]
) -> Image.Image:
    """A 16-bit RGB PNG with its tRNS colour on white. Pillow keeps each sample's high byte and
    compares the colour's 16-bit values with those bytes, which marks the wrong pixels: the low
    bytes come from decoding the file again, taking the other byte of each sample."""
    file.seek(0)
    with Image.open(FileView(file), formats=["PNG"]) as low:
        if isinstance(image, PngImagePlugin.PngImageFile) and image.tell():
            apng_first_frame(low)  # the frame `image` holds
        low.tile = [tile._replace(args="RGB;16L") for tile in low.tile]
        low.load()
        high = np.asarray(image)
        values = high.astype(np.uint16) << 8 | np.asarray(low)
    pixels = high.copy()
    pixels[(values == colour).all(axis=-1)] = _WHITE
    return Image.fromarray(pixels)


def exif_orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a corrupt EXIF block should not cost the pixels
        return 1
    return value if value in TRANSPOSE_FOR_ORIENTATION else 1


def to_rgb(image: Image.Image) -> Image.Image:
    """An RGB image free of the file: alpha composited on white, deep modes scaled to 8 bits."""
    if image.mode in ("I", "F") or image.mode.startswith("I;"):
        grey = _scale_to_8bit(image)
        if image.format == "TIFF" and getattr(image, "tag_v2", {}).get(_PHOTOMETRIC) == 0:
            # WhiteIsZero: Pillow inverts 1- and 8-bit grey as it reads it, not deeper grey.
            np.subtract(255, grey, out=grey)
        transparent = image.info.get("transparency")
        if isinstance(transparent, int):  # a grey level that marks see-through pixels
            grey[np.asarray(image) == transparent] = 255  # on white, as for 8-bit images
        return Image.fromarray(grey).convert("RGB")
    if image.mode == "La":  # premultiplied grey (a TIFF's associated alpha): Pillow converts
        image = image.convert("LA")  # it to LA alone ("conversion from La to L not supported")
    if _has_transparency(image):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode == "RGB" and getattr(image, "fp", None) is None and not image.readonly:
        # load() has read everything into memory of its own and let go of the file; a copy of
        # a 1024x768 photo would cost as much CPU as decoding it.
        return image
    return image.convert("RGB")  # a copy, so the result never shares the file


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        return True
    return image.mode == "P" and image.palette is not None and image.palette.mode.endswith("A")


# 16-bit level -> 8-bit level (v * 255 / 65535, rounded). Looking levels up makes no wide copy of
# the image: scaling in float64 took about 27 bytes a pixel, 2.4 GB for an 89 MP 16-bit scan in
# each decode worker.
_SIXTEEN_TO_EIGHT = np.rint(np.arange(65536) * 255.0 / 65535).astype(np.uint8)


def _scale_to_8bit(image: Image.Image) -> np.ndarray:
    """uint8 grey levels from a 16/32-bit integer or float image, scaled rather than clipped,
    by the depth its file declares before anything its values suggest.

    - 16-bit modes (I;16, I;16B, ...): the full 16-bit range maps to 0..255 (v * 255 / 65535),
      but for a TIFF whose BitsPerSample is lower (12: Pillow unpacks it to 0..4095 without
      widening it), whose range maps to 0..255.
    - I (32-bit signed), from a file whose samples are 16 bits (a signed 16-bit TIFF, a PGM or
      PPM whose largest value is over 255, which Pillow scales to 0..65535, and a 16-bit PNG in
      the Pillows that give it this mode): scaled as 16-bit data, also where its values are low
      (a dark picture). From a file of 32-bit samples (TIFF, FITS, ...), whose depth gives no
      range to scale from: values none of which is negative scale from 0 to the highest of them
      and 255 (v * 255 / max(255, highest)), so an 8-bit picture in a wider container (an int32
      numpy array saved as a TIFF) is kept as it is, as Pillow's convert("L") and the model's
      image processor see it, and 16-bit data in one as its 16-bit file would be where it
      reaches white; no pixel's value makes the picture another (values within 0..65535 were
      once all taken for 16-bit data: one pixel of 256 in an 8-bit picture made a black page).
      Values with negative ones are stretched from their minimum to their maximum. An unsigned
      32-bit TIFF's samples are read unsigned (Pillow's pixels are signed: 2**31 and up came
      back negative).
    - F (float): see _float_to_8bit.
    A constant image stretched (neither a 32-bit one of no negative value nor a float one of
    either float range) becomes black.
    """
    values = np.asarray(image)
    bits = _tiff_bits(image)
    if image.mode.startswith("I;"):
        return _levels_of_bits(bits if bits is not None and bits < 16 else 16)[values]
    if image.mode == "I" and bits == 32 and _tiff_unsigned(image):
        values = values.view(np.uint32)
    if image.mode == "F":
        return _float_to_8bit(values)
    low, high = float(values.min()), float(values.max())
    if low >= 0:
        if _sixteen_bit_samples(image, bits):
            return _SIXTEEN_TO_EIGHT[values]
        if high <= 255:
            return values.astype(np.uint8)
        if high <= 65535:  # looked up, as 16-bit levels are: no wide copy of the image
            return _levels_up_to(int(high))[values]
        low = 0.0
    return _in_blocks(values, lambda block: _stretch(block, low, high))


# A float image's ranges (see _float_to_8bit), by their tops: each reaches from 0 to its top.
_FLOAT_TOPS = (1.0, 255.0)
# How far past either end of a float range its values may stray, as a share of the range: the
# overshoot of bicubic and Lanczos resampling at sharp edges, which lay past [0, 1] on a quarter
# of a text page's pixels, by up to 0.13 (bicubic, halved or doubled in size; Lanczos halved)
# and 0.28 (Lanczos doubled: 1-pixel strokes).
_FLOAT_SLACK = 0.5
# One pixel in so many (and at least one) may lie anywhere: a hot or a dead pixel.
_FLOAT_STRAYS = 1000
# A range is a picture's only where its values reach above this share of its top and fewer than
# this share of them lie below 0: read as 0..255, a picture of [-1, 1] (a GAN's tanh), [0, 2] (an
# exposure map) or an ImageNet-normalised tensor came out black; as [0, 1], one of [-1, 1] half.
_FLOAT_REACH = 1 / 16
_FLOAT_BELOW_ZERO = 1 / 4


def _float_to_8bit(values: np.ndarray) -> np.ndarray:
    """uint8 grey levels of a float image, read by the range its values lie in, so that no
    pixel's value makes the picture another (as for 32-bit integer ones, _scale_to_8bit):

    - [0, 1] (the float pictures of image libraries): scaled by 255, rounded;
    - else 0..255 (an 8-bit picture in a float container: a numpy float32 copy of one): kept,
      read as Pillow's convert("L"), and so the model's image processor, reads it: clipped to
      0..255, fractions dropped;
    - else stretched from the lowest finite value to the highest (one constant: black).

    Values lie in a range where all but one pixel in 1000 (and at least one: a hot pixel) lie
    within it or stray past its ends by at most half of it (-0.5..1.5, -127.5..382.5: the
    overshoot of resampling at sharp edges), fewer than a quarter lie below 0, and the highest
    reaches above a sixteenth of its top (so [-1, 1], [0, 2] and [-100, 0] are stretched, not
    read as a black 0..255 picture); those past its ends are clipped. Once it was
    [0, 1] where every value lay within it, and min..max otherwise: one pixel at 1.02 in a
    picture of 0.2..0.8 moved it 36 levels, and a float copy of an 8-bit picture 47.

    +inf is the top of the range (white) and -inf its bottom, as Pillow reads them, not counted
    as values past it; NaN is black, as Pillow reads it (once it was the lowest finite value,
    and so was +inf: a blown-out pixel took the picture's darkest level).
    """
    low, high = _float_range(values.reshape(-1))
    # (A picture whose lowest and highest values are 0 and 255 lies within 0..255 anyway.)
    if (low, high) == (0.0, 255.0):
        return _in_blocks(values, _as_pillow_reads_float)
    return _in_blocks(values, lambda block: _stretch(block, low, high))


def _float_range(pixels: np.ndarray) -> tuple[float, float]:
    """(low, high) that a float image's values are read from (_float_to_8bit): a range of
    _FLOAT_TOPS (also where no value is finite), else its lowest and highest finite value."""
    allowed = max(1, pixels.size // _FLOAT_STRAYS)
    strays = dict.fromkeys(_FLOAT_TOPS, 0)
    low, high = np.inf, -np.inf
    n_finite = below_zero = 0
    # A block of pixels at a time: a whole image's temporaries would take bytes a pixel each.
    with np.errstate(invalid="ignore"):  # a signalling NaN would warn on stderr, naming no file
        for start in range(0, pixels.size, _FLOAT_BLOCK):
            block = pixels[start : start + _FLOAT_BLOCK]
            finite = block[np.isfinite(block)]
            if not finite.size:
                continue
            low, high = min(low, float(finite.min())), max(high, float(finite.max()))
            n_finite += finite.size
            below_zero += int(np.count_nonzero(finite < 0))
            for top in _FLOAT_TOPS:
                within = (finite >= -_FLOAT_SLACK * top) & (finite <= (1 + _FLOAT_SLACK) * top)
                strays[top] += finite.size - int(np.count_nonzero(within))
    if not n_finite:
        return 0.0, _FLOAT_TOPS[0]
    for top in _FLOAT_TOPS:
        if (
            strays[top] <= allowed
            and below_zero < _FLOAT_BELOW_ZERO * n_finite
            and high > _FLOAT_REACH * top
        ):
            return 0.0, top
    return low, high


def _as_pillow_reads_float(block: np.ndarray) -> np.ndarray:
    """8-bit levels of float values as Pillow's convert("L") gives them: clipped to 0..255, the
    fraction dropped, NaN black."""
    return np.clip(np.nan_to_num(block, nan=0.0), 0, 255).astype(np.uint8)


def _in_blocks(values: np.ndarray, levels: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """uint8 `levels` of `values`, worked out in float64 a block of pixels at a time (not of
    rows: an image may be one row): the whole image in float64, with its temporaries, took
    about 30 bytes a pixel (2.4 GB for an 81 MP float TIFF, in each decode worker)."""
    pixels = values.reshape(-1)
    grey = np.empty(pixels.shape, np.uint8)
    for start in range(0, pixels.size, _FLOAT_BLOCK):
        end = start + _FLOAT_BLOCK
        with np.errstate(invalid="ignore"):  # a signalling NaN would warn on stderr, naming no file
            grey[start:end] = levels(pixels[start:end].astype(np.float64))
    return grey.reshape(values.shape)


def _levels_up_to(top: int) -> np.ndarray:
    """Value -> 8-bit level for values 0..top, scaled from 0 (v * 255 / top, rounded)."""
    return np.rint(np.arange(top + 1) * 255.0 / top).astype(np.uint8)


@functools.lru_cache(maxsize=4)
def _levels_of_bits(bits: int) -> np.ndarray:
    """16-bit pixel -> 8-bit level for samples of `bits` bits (v * 255 / (2**bits - 1), rounded;
    a value past the top, which such samples cannot hold, is white)."""
    if bits == 16:
        return _SIXTEEN_TO_EIGHT
    levels = np.rint(np.arange(65536) * 255.0 / (2**bits - 1))
    return np.minimum(levels, 255).astype(np.uint8)


def _tiff_bits(image: Image.Image) -> int | None:
    """A grey TIFF's BitsPerSample (None for other files, or where it is not one number)."""
    bits = getattr(image, "tag_v2", {}).get(_BITS_PER_SAMPLE) if image.format == "TIFF" else None
    if isinstance(bits, tuple) and len(bits) == 1:
        bits = bits[0]
    return bits if isinstance(bits, int) and bits > 0 else None


def _tiff_unsigned(image: Image.Image) -> bool:
    """Whether a TIFF's SampleFormat says unsigned integers (1, also where it is absent)."""
    sample_format = getattr(image, "tag_v2", {}).get(_SAMPLE_FORMAT, 1)
    if isinstance(sample_format, tuple):
        sample_format = sample_format[0] if sample_format else 1
    return bool(sample_format == 1)


def _sixteen_bit_samples(image: Image.Image, tiff_bits: int | None) -> bool:
    """Whether the file of a mode "I" image gives it 16-bit samples (see _scale_to_8bit)."""
    if image.format in ("PPM", "PNG"):  # Pillow gives them mode "I" for 16-bit samples alone
        return True
    return tiff_bits == 16


def _stretch(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """8-bit levels of `values` scaled from `low` to `high`, rounded; past them, and infinite,
    clipped; NaN black (a float image's: _float_to_8bit)."""
    if high <= low:
        return np.zeros(values.shape, np.uint8)
    values = np.nan_to_num(values, nan=low, posinf=high, neginf=low)
    scaled = np.rint((values - low) * 255.0 / (high - low))
    return np.clip(scaled, 0, 255).astype(np.uint8)


class ReadBudget:
    """Refuses a file read in too many pieces for the data they bring: Pillow reads markers,
    chunks and blocks in Python, a few reads each, and a JPEG's padding a byte a read, so a file
    of millions of pieces holding nothing (a 4 MB JPEG of a million empty comments, a 12 MB PNG
    of a million empty chunks) kept a decode worker busy for 4-8 s, and longer as it grew. Past
    FREE_READS pieces, each read must bring BYTES_PER_READ on average: a 1 GB PNG in libpng's
    8 KB chunks is 130,000 pieces of 400,000 reads. A piece is what FileView counts: a PNG's
    chunk (its header, data and checksum, three reads), a JPEG's marker (its 0xFF, code, length
    and data) or byte of padding, and in other files a read (a GIF's 255-byte block is two)."""

    # Under 2 s of Pillow's PNG chunk loop, the slowest per piece (190,000 empty chunks took
    # 1.6 s, by hand). Counted in reads, 200,000 refused a 400x80000 PNG flushed a row at a
    # time (80,002 chunks of 22 bytes), which Pillow reads in 0.8 s.
    FREE_READS = 200_000
    BYTES_PER_READ = 64
    # The reads Pillow makes of a PNG chunk or a JPEG marker, each of which a piece's bytes pay
    # for as they did when reads were counted: the bytes Pillow's loop takes time for are alike.
    READS_PER_PIECE = 3

    def __init__(self) -> None:
        self._reads = 0
        self._bytes = 0

    def spend(self, reads: int, size: int) -> None:
        self._reads += reads
        self._bytes += size
        if self._reads > self.FREE_READS + self._bytes // self.BYTES_PER_READ:
            raise self.refusal(
                "markers, chunks or padding bytes that hold next to nothing, each read on its own"
            )

    def spend_piece(self, size: int) -> None:
        """One PNG chunk or JPEG marker of `size` bytes, as FileView counts it while Pillow
        reads it, for a walk over the same file outside Pillow."""
        self.spend(1, size // self.READS_PER_PIECE)

    @classmethod
    def refusal(cls, pieces: str) -> DecodeError:
        return DecodeError(
            DECODE_ERROR,
            f"cannot decode: over {cls.FREE_READS:,} {pieces} (real files have far fewer): not "
            "decoded",
        )


def spare_python_decoder(image: ImageFile.ImageFile) -> None:
    """Lets a Python pixel decoder that reads the file itself read it outside the ReadBudget:
    Pillow's for a DDS's uncompressed colour, a QOI and a PPM of a depth other than 8 bits or
    16-bit grey read a pixel a read, a few bytes, so the budget refused any of over 200,000
    pixels (a 512x512 DDS as Pillow writes it), yet each read holds a pixel. Their reads end
    with the pixels, which the pixel limit bounds (zsl's run-length BMP decoder bounds its codes
    that make none, and those it decodes one by one; its PPM and DDS decoders read their pixels
    in one read)."""
    view = image.fp
    if isinstance(view, FileView) and any(_pulls_file(tile.codec_name) for tile in image.tile):
        view.budget = None


def _pulls_file(codec_name: str) -> bool:
    decoder = Image.DECODERS.get(codec_name)
    python = isinstance(decoder, type) and issubclass(decoder, ImageFile.PyDecoder)
    return python and bool(getattr(decoder, "_pulls_fd", False))


class FileView:
    """A file as Pillow reads it: notes whether a read came back short (the data ended), makes
    a seek the file system refuses (before the start, or too far) the file's damage rather
    than a read error, closing it leaves the file open (Pillow 13 closes an image's file
    with the image, and a failure is classified by reading the file again), and it has no
    descriptor to give a decoder (see fileno). Its reads are spent from a ReadBudget, where it
    has one (see spare_python_decoder)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.hit_end = False
        self.budget: ReadBudget | None = ReadBudget()
        self._pieces: _Pieces | None = None  # from the first read, where Pillow reads the start
        self._after_ff = False  # the last read was a JPEG's 0xFF alone
        # Where a read of the file's rest stops, as if the file ended there (webp_data_end,
        # limit_libtiff_read); and the furthest offset read yet.
        self.rest_end: int | None = None
        self.reach = 0
        self._metadata = 0  # bytes of a PNG's ancillary chunks Pillow has been let read
        # Offsets of a PNG's chunk headers found yet (the first after its signature; each next
        # after a header's chunk), and whether that chunk is skipped (None: its header not read).
        self._png_headers: dict[int, bool | None] = {len(PngImagePlugin._MAGIC): None}
        self._skipped_checksum = b""  # that of a PNG chunk skipped, for Pillow's next read

    def read(self, size: int | None = -1) -> bytes:
        whole = size is None or size < 0
        if whole:
            size = -1 if self.rest_end is None else max(0, self.rest_end - self._file.tell())
        assert size is not None
        at = self._file.tell() if self._pieces is _Pieces.PNG else -1
        if self._pieces is None:
            start = self._file.tell() == 0
            data = self._file.read(size)
            self._pieces = _pieces_of(data) if start else _Pieces.READS
        elif self._skipped_checksum and size == 4:
            data, self._skipped_checksum = self._skipped_checksum, b""
            self.seek(4, os.SEEK_CUR)
        else:
            data = self._file.read(size)
        self.reach = max(self.reach, self._file.tell())
        if self.budget is not None:
            reads = 1 if self._pieces is _Pieces.READS else ReadBudget.READS_PER_PIECE
            self.budget.spend(self._pieces_in(data), len(data) // reads)
        if not whole and size > 0 and len(data) < size:
            self.hit_end = True
        if len(data) == 8 and at in self._png_headers:
            return self._png_chunk_header(at, data)
        return data

    def _png_chunk_header(self, at: int, header: bytes) -> bytes:
        """The header of a PNG chunk as Pillow is to read it: an ancillary chunk (metadata:
        EXIF, text, ICC, one of no known type) that would take those Pillow reads past
        PNG_METADATA_LIMIT is skipped unread, as an empty chunk of a type Pillow skips
        without keeping. Pillow reads each whole into memory (twice over: a 1.5 GB eXIf took
        4 GB), where only the text and ICC profiles it inflates were bounded; an APNG frame's
        pixel data (fdAT), streamed as IDAT is, is no metadata. Only a read at `at`, where a
        chunk starts, is a header: a chunk's data, which Pillow reads whole, may be 8 bytes of
        which the last 4 are letters too (8 palette alphas, the text "URL\0abcd")."""
        length, kind = int.from_bytes(header[:4], "big"), header[4:8]
        skipped = self._png_headers[at]
        if skipped is None:  # read for the first time (Pillow reads some again after a seek)
            metadata = bool(kind[0] & 0x20) and kind != b"fdAT"  # not IHDR, PLTE, IDAT, pixels
            skipped = metadata and self._metadata + length > PNG_METADATA_LIMIT
            self._metadata += length if metadata and not skipped else 0
            self._png_headers[at] = skipped
            self._png_headers.setdefault(at + len(header) + length + 4, None)  # after its checksum
        if not skipped:
            return header
        self.seek(length, os.SEEK_CUR)  # to its checksum, which Pillow reads on
        self._skipped_checksum = zlib.crc32(_SKIPPED_PNG_CHUNK).to_bytes(4, "big")
        return bytes(4) + _SKIPPED_PNG_CHUNK

    def _pieces_in(self, data: bytes) -> int:
        """The pieces (ReadBudget) a read that brought `data` starts: Pillow reads a PNG chunk
        in three reads, its 8-byte header (length and a type of 4 letters) first, and a JPEG's
        markers, padding and stray bytes before its first scan a byte a read (a marker's code
        after its 0xFF, then its length and data); anything else a piece a read."""
        if self._pieces is _Pieces.PNG:
            return int(len(data) == 8 and data[4:8].isalpha())
        if self._pieces is _Pieces.JPEG:
            code = len(data) == 1 and self._after_ff and data != b"\xff"
            self._after_ff = data == b"\xff"
            return int(len(data) == 1 and not code)
        return 1

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self._skipped_checksum = b""  # a skipped chunk's is for the read that follows it
        try:
            return self._file.seek(offset, whence)
        except OSError as error:
            if error.errno != errno.EINVAL:
                raise
            # The file's own fields put its data before its start, or further past its end than
            # this file system lets a file reach (ext4: 16 TiB): damage, which the errno would
            # have classified as a read error.
            where = "before its start" if offset < 0 else "past its end"
            raise OSError(f"the file places data {where} ({offset})") from None

    def close(self) -> None:
        pass

    def fileno(self) -> int:
        # Pillow hands libtiff the descriptor of a file that has one, and libtiff maps the file
        # into memory: a file cut short while it decodes (cp over it truncates it first) then
        # ends the process with SIGBUS. Without one, Pillow reads the file into memory for it.
        raise io.UnsupportedOperation("fileno")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


# Ancillary and public by its letters (of no meaning): Pillow skips it, keeping nothing of it.
_SKIPPED_PNG_CHUNK = b"zSKp"


class _Pieces(enum.Enum):
    """How FileView counts a file's pieces (see FileView._pieces_in)."""

    PNG = "png"
    JPEG = "jpeg"
    READS = "reads"


def _pieces_of(start: bytes) -> _Pieces:
    if start.startswith(PngImagePlugin._MAGIC):
        return _Pieces.PNG
    return _Pieces.JPEG if start.startswith(b"\xff\xd8\xff") else _Pieces.READS
