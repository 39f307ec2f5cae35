"""Safe decoding of one image file into an RGB Pillow image.

`decode_image` returns a fully loaded RGB image or raises `DecodeError`, whose `status` is one of
these short codes (a stable contract: they appear in the `status` column of every output):

    not_found      the path does not exist
    broken_link    a symbolic link whose target is missing (or a symbolic link loop)
    not_a_file     a directory, named pipe, socket or device
    unreadable     permission denied or an I/O error while reading
    empty          the file has zero bytes
    not_an_image   Pillow cannot identify the format, or rejects the header of the format whose
                   signature the file has (the reason gives its message); also EPS, refused on
                   purpose: Pillow decodes it by running Ghostscript on the file; HEIF (HEIC)
                   where the optional pillow-heif is not installed; and a PNM (PPM, PGM, PBM)
                   whose header runs past 64 KB of whitespace or comments
    truncated      the data ends before the image does
    too_large      width * height exceeds DecodeOptions.max_pixels (checked from the header,
                   before any pixel is decoded; for an ICO or ICNS, from the header of the
                   picture inside) or Pillow's own decompression-bomb limit; also
                   raised by `check_resized_pixels`, for the model's resize of the image
    decode_error   anything else Pillow raises while decoding (corrupt data, unsupported mode);
                   also a plain PNM with over 100 comments among its pixels

`DecodeError.reason` is one human-readable line. Nothing else escapes `decode_image` for a bad
file. `CONTENT_FAILURES` are the statuses the file's bytes decide (`decided_by_content` leaves out
the reasons under them that depend on the installation); the others depend on the file system,
permissions or settings and may pass on a later run.

What the decoder does to a good file: EXIF orientation is applied; transparency (RGBA, LA, PA,
palette or "transparency" info) is composited on white, and a 32-bit BMP's spare byte is read as
alpha as browsers read it. Alpha that is none by the file's own account is dropped: a BMP's or
TGA's that is zero everywhere, a 16-bit TGA's top bit (a grey one's second byte) where its header
gives the pixels no alpha bits, and a Photoshop file's fourth channel where its layer count does
not make it transparency (a saved selection); an ICO's or cursor's 32-bit BMP picture whose
alpha is zero everywhere takes its AND mask instead, as in Windows. CMYK becomes RGB with
Pillow's conversion (Adobe-inverted JPEGs are handled by Pillow); 16-bit and 32-bit integer and
float images are scaled, not clipped, to 8 bits (rules in `_scale_to_8bit`), and inverted where
a TIFF says zero is white, as Pillow inverts 1- and 8-bit ones; animated images give their first
frame (a GIF's canvas that frame leaves uncovered is white, as browsers show it see-through); an
ICO's or ICNS's PNG or JPEG 2000 picture is decoded at its own size, also where that is not the
size its entry stands for; a PNG's ancillary chunks (text, gamma, EXIF, transparency) whose
checksum is wrong are dropped, as libpng does by default, rather than the image (a damaged IHDR
or PLTE is not_an_image); a run-length coded BMP whose end-of-bitmap code comes early decodes
(importing this module registers that decoder with Pillow, under a name of its own).
ICC profiles are ignored, as CLIP-style models were trained on pixels read the same way.

Threads: `decode_image` mutates no global state (but for registering pillow-heif's plugin with
Pillow, once, where it is installed), so decode workers may call it concurrently. The
library's runs hold `pillow_settings` while workers decode, to line Pillow's global pixel limit up
with the user's `--max-pixels` and let PNG metadata chunks over Pillow's 1 MB limit through (and put
both back afterwards); decode worker processes apply the same settings for their life
(`ImagePreparation.set_up_process`).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import io
import logging
import os
import re
import stat
import threading
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, cast

import numpy as np
from PIL import (
    BmpImagePlugin,
    IcnsImagePlugin,
    IcoImagePlugin,
    Image,
    ImageFile,
    Jpeg2KImagePlugin,
    PngImagePlugin,
    UnidentifiedImageError,
)

from zsl_cli.discovery import printable
from zsl_cli.formatting import clipped_text

if TYPE_CHECKING:
    from zsl_cli.encoders.base import ImagePreprocessor

NOT_FOUND = "not_found"
BROKEN_LINK = "broken_link"
NOT_A_FILE = "not_a_file"
UNREADABLE = "unreadable"
EMPTY = "empty"
NOT_AN_IMAGE = "not_an_image"
TRUNCATED = "truncated"
TOO_LARGE = "too_large"
DECODE_ERROR = "decode_error"
DECODE_STATUSES = frozenset(
    {
        NOT_FOUND,
        BROKEN_LINK,
        NOT_A_FILE,
        UNREADABLE,
        EMPTY,
        NOT_AN_IMAGE,
        TRUNCATED,
        TOO_LARGE,
        DECODE_ERROR,
    }
)

# Pillow's default limit, by its own formula: a host program's (or pillow_settings') change to
# Image.MAX_IMAGE_PIXELS does not move ours.
DEFAULT_MAX_PIXELS = int(1024 * 1024 * 1024 // 4 // 3)

# Largest PNG metadata chunk (an ICC profile, compressed text or XMP) Pillow may inflate during a
# run. Pillow's 1 MB default refuses the whole file, pixels and all, for a display profile with a
# 3D LUT or a bloated Photoshop XMP; 64 MB is Pillow's own bound on all of a file's text, far
# below what the pixel limit lets one image take.
PNG_METADATA_LIMIT = 64 * 1024 * 1024

# Pillow reads EPS by running Ghostscript on the file: not something to do to arbitrary folders.
_REFUSED_FORMATS = frozenset({"EPS"})
JPEG_FORMATS = frozenset({"JPEG", "MPO"})
HEIF_INSTALL = "pip install pillow-heif (or zsl-cli[heif])"
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
_AVIF_BRANDS = frozenset({b"avif", b"avis"})
_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})
_LOW_BIT_GREY = {"L;2": 2, "L;4": 4}  # PNG raw modes Pillow widens to 8-bit "L", with bits
_WHITE = (255, 255, 255)
_ORIENTATION_TAG = 0x0112
_TRANSPOSE_FOR_ORIENTATION = {
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
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # not on Windows, where named pipes live elsewhere
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0)


CONTENT_FAILURES = frozenset({EMPTY, NOT_AN_IMAGE, TRUNCATED, DECODE_ERROR})
# Reasons, under those statuses, that this installation decides rather than the file: a codec
# Pillow was built without ("AVIF support not installed", "decoder jpeg2k not available"), one
# libheif was built without ("No decoding plugin installed for this compression format"), memory.
_SETUP_REASONS = ("support not installed", "not available", "plugin installed", "out of memory")


def decided_by_content(status: str, reason: str) -> bool:
    """Whether the file's bytes alone decided this failure, so it stands until the file changes
    (another Pillow, or more memory, may read a file that failed for the other reasons)."""
    return status in CONTENT_FAILURES and not any(text in reason for text in _SETUP_REASONS)


@dataclass(frozen=True)
class DecodeOptions:
    """How to decode.

    max_pixels: largest width * height accepted, judged from the file's header (the declared size,
        also when `draft` would decode fewer pixels).
    draft: (width, height) lower bound for JPEG draft decoding, in the displayed orientation:
        large JPEGs are decoded at a reduced DCT scale (1/2, 1/4 or 1/8) that still covers the
        bound. Pixels differ slightly from an exact decode. None decodes at full size.
    """

    max_pixels: int = DEFAULT_MAX_PIXELS
    draft: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.max_pixels <= 0:
            raise ValueError(f"max_pixels must be positive, not {self.max_pixels}")
        if self.draft is not None and (len(self.draft) != 2 or min(self.draft) <= 0):
            raise ValueError(f"draft must be a positive (width, height), not {self.draft}")


class DecodeError(Exception):
    """A file that cannot be decoded: `status` is a short code (see module doc), `reason` a line."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __reduce__(self) -> tuple[type[DecodeError], tuple[str, str]]:
        # Exceptions pickle as cls(*args); ours takes two arguments (worker processes need this).
        return DecodeError, (self.status, self.reason)


@contextmanager
def pillow_settings(max_pixels: int) -> Iterator[None]:
    """Pillow's process-wide settings for decoding with this pixel limit, restored on exit.

    Enter it before decode threads start and leave it after they stop (the library's runs do).
    It registers every Pillow plugin (lazy registration inside concurrent Image.open calls can
    miss a format), raises Pillow's own MAX_IMAGE_PIXELS to `max_pixels` when that is higher
    (Pillow refuses images over twice its limit, whatever our option says; it is never lowered)
    and silences DecompressionBombWarning, which then only fires for images decode_image reports
    as too_large, and the UserWarnings Pillow's plugins give while still reading a file ("Corrupt
    EXIF data"): from decode threads they would be lines on stderr naming no file. Pillow's
    logged messages and libtiff's are kept off stderr for the same reason.

    Blocks that overlap (runs in several threads, ending in any order) share the settings: the
    first saves what the host program had and the last puts it back.

    It also raises Pillow's limit on one PNG metadata chunk to PNG_METADATA_LIMIT.
    """
    _PILLOW_HOLD.enter(max_pixels)
    try:
        yield
    finally:
        _PILLOW_HOLD.exit()


class _PillowHold:
    """The host program's Pillow settings while `pillow_settings` blocks are open. Each block
    saving and restoring what it found would, for blocks that end in another order than they
    began, restore the settings of a block that has ended: for good."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks = 0
        self._max_image_pixels: int | None = None
        self._max_text_chunk = PngImagePlugin.MAX_TEXT_CHUNK
        self._libtiff_handlers: tuple[int | None, int | None] = (None, None)
        self._logger_was_quiet = False

    def enter(self, max_pixels: int) -> None:
        with self._lock:
            if self._blocks == 0:
                self._max_image_pixels = Image.MAX_IMAGE_PIXELS
                self._max_text_chunk = PngImagePlugin.MAX_TEXT_CHUNK
                self._logger_was_quiet = _QUIET_HANDLER in _PILLOW_LOGGER.handlers
                _WARNING_FILTERS.enter()
                self._libtiff_handlers = apply_pillow_settings(max_pixels)
            else:
                apply_pillow_settings(max_pixels)  # a higher limit, if this block asks one
            self._blocks += 1

    def exit(self) -> None:
        with self._lock:
            self._blocks -= 1
            if self._blocks:
                return
            Image.MAX_IMAGE_PIXELS = self._max_image_pixels
            PngImagePlugin.MAX_TEXT_CHUNK = self._max_text_chunk
            _set_libtiff_handlers(self._libtiff_handlers)
            if not self._logger_was_quiet:
                _PILLOW_LOGGER.removeHandler(_QUIET_HANDLER)
            _WARNING_FILTERS.exit()


class _WarningFiltersHold:
    """The host program's warning filters while blocks of ours that change them are open, in
    any threads: the first to open saves them and the last to close puts them back (as
    _PillowHold does Pillow's settings, and for the same reason)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._blocks = 0
        self._saved: warnings.catch_warnings | None = None

    def enter(self) -> None:
        with self._lock:
            if self._blocks == 0:
                self._saved = warnings.catch_warnings()
                self._saved.__enter__()
            self._blocks += 1

    def exit(self) -> None:
        with self._lock:
            self._blocks -= 1
            if not self._blocks and self._saved is not None:
                self._saved.__exit__(None, None, None)
                self._saved = None


_PILLOW_HOLD = _PillowHold()
_WARNING_FILTERS = _WarningFiltersHold()


@contextmanager
def warning_filters_held() -> Iterator[None]:
    """A block whose changes to the warning filters are undone when it and every other such
    block (pillow_settings too) have ended: warnings.catch_warnings in a thread would put back
    for good the changes of a block in another thread that began before it and ended first."""
    _WARNING_FILTERS.enter()
    try:
        yield
    finally:
        _WARNING_FILTERS.exit()


def apply_pillow_settings(max_pixels: int) -> tuple[int | None, int | None]:
    """`pillow_settings` for the rest of the process: for decode worker processes. Returns
    libtiff's message handlers as they were."""
    Image.init()
    heif_readable()
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
    if Image.MAX_IMAGE_PIXELS is not None and max_pixels > Image.MAX_IMAGE_PIXELS:
        Image.MAX_IMAGE_PIXELS = max_pixels
    PngImagePlugin.MAX_TEXT_CHUNK = max(PngImagePlugin.MAX_TEXT_CHUNK, PNG_METADATA_LIMIT)
    # Pillow logs some complaints about a file ("More samples per pixel than can be decoded"):
    # with no logging set up, Python would print them on stderr, naming no file. A host program's
    # own logging setup still receives them.
    _PILLOW_LOGGER.addHandler(_QUIET_HANDLER)
    # libtiff prints its complaints about a damaged TIFF ("tempfile.tif: Using code not yet in
    # table.") on stderr itself; the file's row says what failed.
    return _set_libtiff_handlers((None, None))


_PILLOW_LOGGER = logging.getLogger("PIL")
_QUIET_HANDLER = logging.NullHandler()


def _set_libtiff_handlers(handlers: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    """Set libtiff's (error, warning) message handlers (None: no message) in the copy Pillow
    loaded; return the previous ones. Without that copy (another platform, Pillow without
    libtiff) nothing changes."""
    library = _pillow_libtiff()
    if library is None:
        return handlers
    error, warning = handlers
    return library.TIFFSetErrorHandler(error), library.TIFFSetWarningHandler(warning)


@functools.cache
def _pillow_libtiff() -> ctypes.CDLL | None:
    from PIL import _imaging  # noqa: F401 - loads libtiff, when Pillow links it

    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = sorted({line.split()[-1] for line in maps if "libtiff" in line})
        if not paths:
            return None
        library = ctypes.CDLL(paths[0])  # dlopen gives the copy already loaded
    except OSError:
        return None
    for name in ("TIFFSetErrorHandler", "TIFFSetWarningHandler"):
        setter = getattr(library, name, None)
        if setter is None:
            return None
        setter.restype, setter.argtypes = ctypes.c_void_p, [ctypes.c_void_p]  # handler pointers
    return library


def decode_image(path: Path, options: DecodeOptions = DecodeOptions()) -> Image.Image:
    """Decode `path` into a new, fully loaded RGB image, or raise DecodeError. Its `format` is
    the file's (Pillow's: "JPEG", "PNG", ...), also where it is a converted copy."""
    # Registering all plugins up front is idempotent and keeps concurrent Image.open calls from
    # racing to register them lazily (which can make one of them miss a format).
    Image.init()
    heif_readable()
    file, size = _open_regular_file(path)
    with file:
        opened = False
        try:
            if size == 0:  # inside the try: that read can fail too (/proc/self/mem: EIO)
                if not file.read(1):
                    raise DecodeError(EMPTY, "file is empty (0 bytes)")
                file.seek(0)  # a /proc or /sys file says 0 bytes, yet has some
            _check_pnm(file)
            _check_icon_size(file, options.max_pixels)
            source: BinaryIO = file
            try:
                image = Image.open(_FileView(file), formats=_readable_formats())
            except UnidentifiedImageError:
                patches = _damaged_png_chunks(file, size)
                if not patches:
                    raise
                # libpng's default: a damaged ancillary chunk (text, gamma, EXIF,
                # transparency) is dropped, not the image. Pillow would refuse the image.
                source = cast(BinaryIO, _PatchedFile(file, patches))
                image = Image.open(_FileView(source), formats=["PNG"])
            opened = True
            return _decode_opened(image, source, size, options)
        except DecodeError:
            raise
        except Exception as error:  # Pillow raises many types for bad data; all mean a bad file
            raise _classify(error, file, size, options, opened) from error


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


@functools.cache
def pillow_extensions() -> frozenset[str]:
    """The file extensions (lower case, with the dot) of the formats `decode_image` reads: those
    Pillow registers for a format it opens and decodes, pillow-heif's where it is installed."""
    heif_readable()
    Image.init()
    return frozenset(
        extension
        for extension, name in Image.registered_extensions().items()
        # MPO has no opener of its own: JPEG's opens it.
        if name in JPEG_FORMATS or (name in Image.OPEN and _decoded(name))
    )


def _decoded(name: str) -> bool:
    # A stub format (HDF5, GRIB, BUFR, WMF) decodes only with a handler the application installs;
    # MPEG (.mpg) is a video whose size Pillow reads, not its pixels; EPS is refused.
    opener = Image.OPEN[name][0]
    stub = isinstance(opener, type) and issubclass(opener, ImageFile.StubImageFile)
    return not stub and name != "MPEG" and name not in _REFUSED_FORMATS


def _is_heif(head: bytes) -> bool:
    """An ISO media file ("ftyp" box) whose major brand is one of HEIF's (HEVC-coded or generic)
    and that is no AVIF, which Pillow reads itself: an AVIF names "avif" among its brands, also
    where its major brand is the generic "mif1"."""
    if head[4:8] != b"ftyp" or head[8:12] not in _HEIF_BRANDS:
        return False
    # The compatible brands follow the major brand and the minor version, to the box's end.
    brands = head[16 : int.from_bytes(head[:4], "big")]
    return not any(brands[i : i + 4] in _AVIF_BRANDS for i in range(0, len(brands), 4))


def file_problem(path: Path) -> DecodeError | None:
    """Why `path` is not a file the decoder could read (its status and reason), or None."""
    try:
        file, _ = _open_regular_file(path)
    except DecodeError as error:
        return error
    file.close()
    return None


def _open_regular_file(path: Path) -> tuple[BinaryIO, int]:
    """Open for reading and return (binary file, size); DecodeError for anything not readable.

    What is not a regular file by its stat is never opened: opening some devices acts (a watchdog
    starts counting down, a tape rewinds). O_NONBLOCK keeps a named pipe from blocking the open
    should one take the file's place meanwhile; fstat on the open descriptor then tells what the
    path really is, with no window for it to change in between.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        mode = None  # the open says why
    if mode is not None and not stat.S_ISREG(mode):
        raise DecodeError(NOT_A_FILE, _not_a_file_reason(mode))
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        if os.path.islink(path):
            raise DecodeError(BROKEN_LINK, _broken_link_reason(path)) from None
        # A path list's trailing space is invisible wherever the path is shown.
        blank_end = " (its name ends in white space)" if os.fspath(path)[-1:].isspace() else ""
        raise DecodeError(NOT_FOUND, f"file not found{blank_end}") from None
    except NotADirectoryError:
        raise DecodeError(NOT_FOUND, "file not found (a parent in the path is a file)") from None
    except IsADirectoryError:
        raise DecodeError(NOT_A_FILE, "is a directory") from None
    except PermissionError:
        raise DecodeError(UNREADABLE, "permission denied") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise DecodeError(BROKEN_LINK, "symbolic link loop") from None
        if error.errno == errno.ENXIO:
            raise DecodeError(NOT_A_FILE, "is a socket or a device with no driver") from None
        raise DecodeError(UNREADABLE, f"cannot open: {_os_error_text(error)}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DecodeError(NOT_A_FILE, _not_a_file_reason(info.st_mode))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _readable_formats() -> list[str]:
    return [name for name in Image.ID if name not in _REFUSED_FORMATS]


def _decode_opened(
    image: ImageFile.ImageFile, file: BinaryIO, size: int, options: DecodeOptions
) -> Image.Image:
    file_format, rgb = image.format, None
    arithmetic = file_format in JPEG_FORMATS and _arithmetic_coded(file)
    try:
        if image.width * image.height > options.max_pixels:
            raise DecodeError(TOO_LARGE, _too_large_reason(image.size, options.max_pixels))
        if options.draft is not None and file_format in JPEG_FORMATS:
            _apply_draft(image, options.draft, _orientation(image))
        if file_format in JPEG_FORMATS and not image.tile and not _ends_with(file, size, _JPEG_END):
            # Pillow opens a JPEG whose data ends after its frame header (the size) and before
            # its first scan, then has nothing to decode ("cannot load this image").
            raise _cut_short(size)
        if isinstance(image, IcnsImagePlugin.IcnsImageFile):
            image = _icns_picture(image)
        rawmode = image.tile[0].args if file_format == "PNG" and image.tile else None
        grey_bits = _LOW_BIT_GREY.get(rawmode) if isinstance(rawmode, str) else None
        deep_colour = image.info.get("transparency") if rawmode == "RGB;16B" else None
        _read_spare_byte_as_alpha(image)
        if len(image.tile) == 1 and image.tile[0].codec_name == "bmp_rle":
            image.tile = [image.tile[0]._replace(codec_name=_BMP_RLE)]
        frame_box = _gif_frame_box(image) if file_format == "GIF" else None
        cursor_mask = _cursor_mask_offset(image) if file_format == "CUR" else None
        if arithmetic:
            # libjpeg cannot wait for more data in the middle of an arithmetic-coded scan, as it
            # does in a Huffman-coded one: Pillow's 64 KB blocks failed every such JPEG over
            # 64 KB ("broken data stream"). In one block it is read whole.
            image.decodermaxblock = max(image.decodermaxblock, size)
        try:
            image.load()
        except OSError as error:
            # Running out of data fails an arithmetic-coded scan read in one block as damage
            # does ("broken data stream"): a file that lacks its end marker was cut short.
            if arithmetic and error.errno is None and not _ends_with(file, size, _JPEG_END):
                raise _cut_short(size) from error
            raise
        if grey_bits is not None:
            _widen_transparent_level(image, grey_bits)
        # Read after load: some formats keep EXIF after the pixel data, and Pillow's TIFF loader
        # applies the orientation itself (and then drops the tag).
        orientation = _orientation(image)
        if file_format in ("BMP", "DIB", "TGA") and _wholly_transparent(image):
            # Writers that mean no alpha leave zeros in the alpha bits of these formats (or a
            # BMP's spare byte): shown on white, every such image would be a blank page.
            rgb = image.convert("RGB")
        elif isinstance(image, IcoImagePlugin.IcoImageFile) and _wholly_transparent(image):
            rgb = _ico_by_its_mask(image)
        elif cursor_mask is not None and _wholly_transparent(image):
            rgb = _on_white_by_and_mask(image, file, cursor_mask)
        elif _header_denies_alpha(image, file_format, file):
            rgb = image.convert("RGB")
        elif isinstance(deep_colour, tuple) and image.mode == "RGB":
            rgb = _deep_colour_on_white(image, file, deep_colour)
        else:
            rgb = _to_rgb(image)
        if frame_box is not None:
            rgb = _white_outside(rgb, frame_box)
    finally:
        if rgb is not image:  # closing drops the pixels too: only the one we do not return
            image.close()
    method = _TRANSPOSE_FOR_ORIENTATION.get(orientation)
    result = rgb if method is None else rgb.transpose(method)
    # Pillow's meaning of `format`, "the file format of the source image", kept on the copies:
    # preprocessing may take a faster path for JPEGs, whose pixels are approximate anyway.
    result.format = file_format
    return result


def _icns_picture(icns_image: IcnsImagePlugin.IcnsImageFile) -> ImageFile.ImageFile:
    """The PNG or JPEG 2000 picture of the ICNS entry Pillow decodes, opened at its own size (an
    ICO's picture is decoded so). Pillow's ICNS reader refuses a picture whose size is not the
    one its entry stands for ("not one of the allowed sizes"); _check_icon_size held that size
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


def _apply_draft(image: Image.Image, bound: tuple[int, int], orientation: int) -> None:
    """Ask the JPEG decoder for a reduced DCT scale that still covers `bound` once oriented."""
    width, height = bound
    if orientation in _QUARTER_TURN_ORIENTATIONS:
        # The bound is for the displayed image; the decoder works on the stored, turned one.
        width, height = height, width
    image.draft("RGB", (width, height))


def _read_spare_byte_as_alpha(image: ImageFile.ImageFile) -> None:
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


class _BmpRleDecoder(BmpImagePlugin.BmpRleDecoder):
    """Pillow's run-length decoder for BMPs, but for a bitmap whose end-of-bitmap code comes
    before its last pixel, as the format allows: the pixels left out take colour 0, as Pillow
    gives those that a line's end or a jump skips. Pillow said the data ran out."""

    _start = 0

    def decode(self, buffer: Any) -> tuple[int, int]:
        self._start = self.fd.tell() if self.fd is not None else 0
        return super().decode(buffer)

    def set_as_raw(
        self, data: bytes | bytearray, rawmode: str | None = None, extra: tuple[Any, ...] = ()
    ) -> None:
        pixels = self.state.xsize * self.state.ysize
        if len(data) < pixels and self.fd is not None and self.fd.tell() >= self._start + 2:
            # Where the data did run out, the last two bytes read are no end-of-bitmap code.
            self.fd.seek(-2, os.SEEK_CUR)
            if self.fd.read(2) == _BMP_RLE_END:
                data = bytes(data).ljust(pixels, b"\0")
        super().set_as_raw(data, rawmode, extra)


_BMP_RLE_END = b"\0\1"
_BMP_RLE = "zsl_bmp_rle"
Image.register_decoder(_BMP_RLE, _BmpRleDecoder)


def _gif_frame_box(image: ImageFile.ImageFile) -> tuple[int, int, int, int] | None:
    """The part of a GIF's canvas its first frame covers, where that is not all of it: browsers
    show the rest see-through, and Pillow fills it with palette colour 0 (where the frame has
    no transparent colour)."""
    if len(image.tile) != 1:
        return None
    box = image.tile[0].extents
    return None if box == (0, 0, *image.size) else box


def _white_outside(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    page = Image.new("RGB", image.size, _WHITE)
    page.paste(image.crop(box), box[:2])
    return page


def _ico_by_its_mask(image: IcoImagePlugin.IcoImageFile) -> Image.Image:
    """An ICO picture whose alpha is zero everywhere on white: a 32-bit BMP one by its AND mask
    instead, as Windows and browsers show it (writers that predate alpha leave those bytes
    zero; Pillow reads the alpha bytes alone), a PNG one as it is."""
    ico = image.ico
    entry = ico.entry[ico.getentryindex(image.size)]
    ico.buf.seek(entry.offset)
    if ico.buf.read(8) == PngImagePlugin._MAGIC:
        return _to_rgb(image)
    stride = (image.width + 31) // 32 * 4
    return _on_white_by_and_mask(image, ico.buf, entry.offset + entry.size - stride * image.height)


def _cursor_mask_offset(image: ImageFile.ImageFile) -> int | None:
    """Where the AND mask of a cursor of 32-bit pixels starts: after them."""
    if len(image.tile) != 1:
        return None
    tile, row = image.tile[0], 4 * image.width
    if (
        tile.codec_name != "raw"
        or not isinstance(tile.args, tuple)
        or tile.args[:2] != ("BGRA", row)
    ):
        return None
    return tile.offset + row * image.height


def _on_white_by_and_mask(image: Image.Image, file: Any, offset: int) -> Image.Image:
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


def _header_denies_alpha(image: Image.Image, file_format: str | None, file: BinaryIO) -> bool:
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


def _wholly_transparent(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (0, 0)


def _widen_transparent_level(image: Image.Image, bits: int) -> None:
    """Pillow widens 2- and 4-bit grey pixels to 0..255 but leaves tRNS's grey level as stored,
    so the see-through pixels would stay opaque: widen the level as well."""
    top = 2**bits - 1
    level = image.info.get("transparency")
    if isinstance(level, int) and 0 < level <= top:  # above top: a Pillow that widens it too
        image.info["transparency"] = level * (255 // top)


def _deep_colour_on_white(
    image: Image.Image, file: BinaryIO, colour: tuple[int, ...]
) -> Image.Image:
    """A 16-bit RGB PNG with its tRNS colour on white. Pillow keeps each sample's high byte and
    compares the colour's 16-bit values with those bytes, which marks the wrong pixels: the low
    bytes come from decoding the file again, taking the other byte of each sample."""
    file.seek(0)
    with Image.open(_FileView(file), formats=["PNG"]) as low:
        low.tile = [tile._replace(args="RGB;16L") for tile in low.tile]
        low.load()
        high = np.asarray(image)
        values = high.astype(np.uint16) << 8 | np.asarray(low)
    pixels = high.copy()
    pixels[(values == colour).all(axis=-1)] = _WHITE
    return Image.fromarray(pixels)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION_TAG, 1)
    except Exception:  # a corrupt EXIF block should not cost the pixels
        return 1
    return value if value in _TRANSPOSE_FOR_ORIENTATION else 1


def _to_rgb(image: Image.Image) -> Image.Image:
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
    """uint8 grey levels from a 16/32-bit integer or float image, scaled rather than clipped.

    - 16-bit modes (I;16, I;16B, ...): the full 16-bit range maps to 0..255 (v * 255 / 65535).
    - I (32-bit signed): values within 0..65535 are 16-bit data in a wider container (Pillow gives
      16-bit PNGs and TIFFs this mode in some versions) and scale as above; anything else is
      stretched from its minimum to its maximum.
    - F (float): values within [0, 1] scale by 255; anything else is stretched from min to max.
    Non-finite values count as the minimum; a constant image outside those ranges becomes black.
    """
    values = np.asarray(image)
    if image.mode.startswith("I;") or (
        image.mode == "I" and values.min() >= 0 and values.max() <= 65535
    ):
        return _SIXTEEN_TO_EIGHT[values]
    with np.errstate(invalid="ignore"):  # a signalling NaN would warn on stderr, naming no file
        values = values.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    low, high = float(values[finite].min()), float(values[finite].max())
    values = np.where(finite, values, low)
    if image.mode == "F" and low >= 0 and high <= 1:
        return _stretch(values, 0.0, 1.0)
    return _stretch(values, low, high)


def _stretch(values: np.ndarray, low: float, high: float) -> np.ndarray:
    if high <= low:
        return np.zeros(values.shape, np.uint8)
    scaled = np.rint((values - low) * 255.0 / (high - low))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def _classify(
    error: Exception, file: BinaryIO, size: int, options: DecodeOptions, opened: bool
) -> DecodeError:
    """The DecodeError for what Pillow raised: `opened` where Image.open had read the header."""
    if isinstance(error, Image.DecompressionBombError):
        return DecodeError(TOO_LARGE, _bomb_reason(error, options))
    if isinstance(error, OSError) and error.errno is not None:
        # Pillow's own OSErrors carry no errno; one with an errno came from the operating system.
        return DecodeError(UNREADABLE, f"read error: {_os_error_text(error)}")
    try:
        file.seek(0)
        head = file.read(512)
    except (OSError, ValueError):
        head = b""
    cut_short = _cut_short(size)
    identified = not isinstance(error, UnidentifiedImageError)
    text = _reads_as_text(head)
    signatures = _signatures(head[:16])
    tiff = _tiff_damage(file, size) if "TIFF" in signatures else None
    if tiff == _CUT:
        return cut_short
    if tiff is not None:
        return DecodeError(NOT_AN_IMAGE, f"TIFF signature, but {tiff}")
    if identified and _says_data_ended(error) and (not text or _TEXT_FORMATS & signatures.keys()):
        return cut_short
    if _REFUSED_FORMATS & signatures.keys():
        return DecodeError(NOT_AN_IMAGE, "EPS files are not read (Pillow runs Ghostscript)")
    # A text file whose first letters happen to be a short signature ("BM...") is no image,
    # however far Pillow got with it; but one Pillow opened as a text format (a plain PPM) is.
    if text and not (opened and _TEXT_FORMATS & signatures.keys()):
        return DecodeError(NOT_AN_IMAGE, "not an image format Pillow can read")
    if _container_cut_short(file, size):
        return cut_short
    # Without signatures in the way: Pillow's AVIF reader claims the generic "mif1" as well.
    if not identified and _is_heif(head) and not heif_readable():
        return DecodeError(NOT_AN_IMAGE, f"HEIF support not installed: {HEIF_INSTALL}")
    if not identified:
        if "CUR" in signatures and head[4:6] == b"\0\0":
            # A cursor file with no cursors is none; a Targa file (TGA has no signature) of
            # the commonest kind, true colour without a colour map, starts with the same bytes.
            del signatures["CUR"]
        if _tga_like(head):
            signatures["TGA"] = True
        hit_end, why = _why_not_opened(file, signatures)
        if hit_end:
            return cut_short
        return DecodeError(NOT_AN_IMAGE, why or "not an image format Pillow can read")
    pnm = _PNM_MAGIC.match(head)
    if pnm and not opened and isinstance(error, ValueError):
        # Pillow's PNM reader refuses a header (a largest value of 0, a word for a number) with
        # a ValueError, which Image.open passes on rather than trying other formats.
        name = _PNM_NAMES.get(pnm.group().rstrip(), "PNM")
        why = _pillow_says(error)
        return DecodeError(NOT_AN_IMAGE, f"{name} signature, but Pillow cannot open it: {why}")
    if isinstance(error, MemoryError):
        return DecodeError(DECODE_ERROR, "out of memory while decoding")
    detail = _pillow_says(error) or "no detail"
    return DecodeError(DECODE_ERROR, f"cannot decode: {type(error).__name__}: {detail}")


def _cut_short(size: int) -> DecodeError:
    return DecodeError(TRUNCATED, f"image file is truncated (data ends after {size} bytes)")


def _ends_with(file: BinaryIO, size: int, end: bytes) -> bool:
    try:
        file.seek(max(size - len(end), 0))
        return file.read() == end
    except OSError:
        return False


def _arithmetic_coded(file: BinaryIO) -> bool:
    """Whether a JPEG's frame header (the SOF marker before its first scan) says arithmetic
    coding, which Pillow never writes but libjpeg reads."""
    try:
        file.seek(2)  # past the SOI marker
        while (marker := file.read(2))[:1] == b"\xff":
            code = marker[1:2]
            if code == b"\xff":  # a fill byte before a marker
                file.seek(-1, os.SEEK_CUR)
            elif code in _ARITHMETIC_FRAMES or code in _HUFFMAN_FRAMES or code == b"\xda":
                return code in _ARITHMETIC_FRAMES
            else:
                length = int.from_bytes(file.read(2), "big")
                if length < 2:
                    return False
                file.seek(length - 2, os.SEEK_CUR)
        return False
    except OSError:
        return False


_HUFFMAN_FRAMES = frozenset(bytes([code]) for code in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7))
_ARITHMETIC_FRAMES = frozenset(bytes([code]) for code in (0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF))
_JPEG_END = b"\xff\xd9"


def _pillow_says(error: BaseException) -> str:
    """What a Pillow exception says, on one line. A KeyError says only the key that no table of
    Pillow's holds ("258", a TIFF's compression code), and Pillow's openers pass it on as a
    SyntaxError saying the same: that bare key is worded as what it is."""
    cause = error if isinstance(error, KeyError) else error.__cause__
    if isinstance(cause, KeyError) and cause.args and str(error) == str(cause):
        value = clipped_text(repr(cause.args[0]), 40)
        return f"the file holds a value Pillow does not know ({value})"
    return " ".join(str(error).split())


# What Pillow's decoders say when the data ran out: its C decoders' "image file is truncated",
# its Python decoders' "not enough image data" (QOI, DDS, plain PPM), its PPM reader's "Reached
# EOF while reading header", its JPEG 2000 reader's "Expected to read 8 bytes but only got 0",
# its DDS reader's "Incomplete header: 4 bytes", its other readers' EOFError.
_DATA_ENDED_MESSAGES = (
    "truncated",
    "not enough image data",
    "reached eof",
    "but only got",
    "incomplete header",
)

# Formats whose files start with text (a plain PPM is text throughout).
_TEXT_FORMATS = frozenset({"PPM", "XBM", "XPM", "FITS"})


def _says_data_ended(error: Exception) -> bool:
    message = str(error).lower()
    return isinstance(error, EOFError) or any(text in message for text in _DATA_ENDED_MESSAGES)


def _signatures(prefix: bytes) -> dict[str, bool | str]:
    """The formats whose signature check takes this prefix, with what it said: True, or a
    message where Pillow was built without the format's codec ("AVIF support not installed")."""
    found: dict[str, bool | str] = {}
    for name, (_, accept) in Image.OPEN.items():
        try:
            said = accept(prefix) if accept else False
        except Exception:  # a check that reads past a short prefix (Pillow guards these too)
            continue
        if said:
            found[name] = said
    return found


def _why_not_opened(file: BinaryIO, signatures: dict[str, bool | str]) -> tuple[bool, str | None]:
    """For a file Pillow could not identify: whether opening it as a format whose signature it
    starts with ran out of data (its header is cut short), and what that format's reader said
    (a corrupt header, or a codec this Pillow lacks), if one did."""
    reader, why = _FileView(file), None
    for name in _readable_formats():
        said = signatures.get(name)
        if isinstance(said, str):
            why = why or said
        elif said:
            try:
                file.seek(0)
                Image.OPEN[name][0](reader, "").close()  # type: ignore[arg-type]
            except Exception as error:  # the failure Image.open swallowed
                detail = _pillow_says(error) or type(error).__name__
                if detail == "not identified by this driver":  # Pillow's words for it
                    detail = "its header gives no size or no known mode"
                start = "header" if name == "TGA" else "signature"  # TGA has no signature
                why = why or f"{name} {start}, but Pillow cannot open it: {detail}"
    return reader.hit_end, why


def _tga_like(head: bytes) -> bool:
    """Whether the start of a file reads as a Targa header (18 bytes; TGA has no signature,
    so Pillow tries every file as one): a colour map type, an image type and, where the file
    goes that far, a size and a depth that Pillow reads."""
    if len(head) < 3 or head[1] not in (0, 1) or head[2] not in (1, 2, 3, 9, 10, 11):
        return False
    if len(head) >= 16 and not (head[12:14] != b"\0\0" and head[14:16] != b"\0\0"):
        return False
    return len(head) < 17 or head[16] in (1, 8, 16, 24, 32)


def _reads_as_text(head: bytes) -> bool:
    """`head` (a file's first 512 bytes) is UTF-8 without control characters other than tab and
    line breaks: image headers hold binary fields (sizes, zero bytes) that never read so."""
    if not head:
        return False
    for cut in range(4):  # the sample may end inside a character
        try:
            text = head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return all(ch.isprintable() or ch in "\t\r\n" for ch in text)
    return False


class _FileView:
    """A file as Pillow reads it: notes whether a read came back short (the data ended), makes
    a seek the file system refuses (before the start, or too far) the file's damage rather
    than a read error, closing it leaves the file open (Pillow 13 closes an image's file
    with the image, and a failure is classified by reading the file again), and it has no
    descriptor to give a decoder (see fileno)."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self.hit_end = False

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        if size is not None and size > 0 and len(data) < size:
            self.hit_end = True
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
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


def _container_cut_short(file: BinaryIO, size: int) -> bool:
    """True for a RIFF file (WebP), an ISO base media file (AVIF, HEIF) or a JPEG 2000 file
    shorter than its own size fields say, an AVIF or HEIF whose boxes end at the file's end
    but whose pictures lie past it (or that ends before its "meta" box, which says where they
    are), or a bare JPEG 2000 codestream (.j2k) that does not end with the marker that must end
    it: their decoders only report that they could not decode."""
    try:
        file.seek(0)
        head = file.read(12)
        if len(head) == 12 and head[:4] == b"RIFF":
            return size < int.from_bytes(head[4:8], "little") + 8
        if head.startswith(_J2K_START):
            file.seek(size - len(_J2K_END))
            return file.read() != _J2K_END
        # The JPEG 2000 file format (.jp2) is made of boxes too, the first its signature.
        if len(head) < 8 or head[4:8] not in (b"ftyp", b"jP  "):
            return False
        offset, boxes, meta = 0, 0, None
        # Top-level boxes: a 32-bit size (1: a 64-bit one follows; 0: up to the end), then a type.
        while offset < size and boxes < _MAX_BOXES:
            boxes += 1
            file.seek(offset)
            box = file.read(16)
            if len(box) < 8:
                return True
            box_size, header = int.from_bytes(box[:4], "big"), 8
            if box_size == 1:
                if len(box) < 16:
                    return True
                box_size, header = int.from_bytes(box[8:16], "big"), 16
            if box_size == 0:  # the last box, which a "meta" box must come before
                if meta is None:
                    return False
                box_size = size - offset
            if box_size < header:
                return False  # not a box layout after all: some other failure
            if box[4:8] == b"meta" and meta is None:
                meta = (offset + header, min(offset + box_size, size))
            offset += box_size
        if offset > size:
            return True
        if offset < size or not _image_brands(file):
            return False
        return meta is None or _items_past_end(file, *meta, size)
    except (OSError, ValueError):
        return False


def _image_brands(file: BinaryIO) -> bool:
    """Whether an ISO base media file's "ftyp" box names an AVIF or HEIF brand (an MP4 video
    has neither, nor a top-level "meta" box)."""
    file.seek(0)
    ftyp = file.read(256)
    brands = {ftyp[8:12]}
    brands.update(ftyp[i : i + 4] for i in range(16, min(len(ftyp), _box_size(ftyp)), 4))
    return bool(brands & (_HEIF_BRANDS | _AVIF_BRANDS))


def _box_size(box: bytes) -> int:
    return int.from_bytes(box[:4], "big")


def _items_past_end(file: BinaryIO, start: int, end: int, size: int) -> bool:
    """Whether the "iloc" box in the "meta" box holding bytes start..end places an item's data
    (a picture's coded bytes) past the end of the file (`size`). No "iloc": False."""
    file.seek(start + 4)  # "meta" is a full box: version and flags come first
    offset = start + 4
    while offset + 8 <= end:
        file.seek(offset)
        child = file.read(8)
        child_size = _box_size(child)
        if child_size < 8:
            return False
        if child[4:8] == b"iloc":
            return _iloc_reaches(file.read(min(child_size, end - offset) - 8)) > size
        offset += child_size
    return False


def _iloc_reaches(iloc: bytes) -> int:
    """The furthest file offset an "iloc" box's extents reach (ISO/IEC 14496-12, 8.11.3): those
    of items stored in the file itself, rather than in "idat" or other items. 0 where none is;
    an extent whose fields run past the box ends the reading (the box was cut)."""
    fields = io.BytesIO(iloc)

    def number(width: int) -> int:
        data = fields.read(width)
        if len(data) < width:
            raise ValueError("iloc box ends inside a field")
        return int.from_bytes(data, "big")

    furthest = 0
    try:
        version = number(4) >> 24
        sizes = number(2)
        offset_size, length_size = sizes >> 12, sizes >> 8 & 15
        base_offset_size, index_size = sizes >> 4 & 15, sizes & 15 if version in (1, 2) else 0
        for _ in range(number(2 if version < 2 else 4)):
            number(2 if version < 2 else 4)  # item ID
            method = number(2) & 15 if version in (1, 2) else 0
            number(2)  # data reference index
            base = number(base_offset_size)
            for _ in range(number(2)):
                number(index_size)
                extent_offset, length = number(offset_size), number(length_size)
                if method == 0:  # 0: at a file offset; 1: in "idat"; 2: in another item
                    furthest = max(furthest, base + extent_offset + length)
    except ValueError:
        pass
    return furthest


def _tiff_damage(file: BinaryIO, size: int) -> str | None:
    """For a TIFF Pillow failed on: _CUT where its first directory (the image Pillow decodes),
    a value it points to, or the strips or tiles it lists run past the end of the file;
    what is wrong where that directory holds no tags (its offset is damaged: Pillow read
    on through pixels until the file ended, as if it were cut); None for neither.

    libtiff writes the directory after the pixels, so a cut file may keep all its pixel data
    and lose tags Pillow needs ("decoder error -2").
    """
    try:
        file.seek(0)
        head = file.read(16)
        order = {b"II": "little", b"MM": "big"}.get(head[:2])
        if order is None or len(head) < 8:
            return None
        endian: Literal["little", "big"] = "little" if order == "little" else "big"

        def number(data: bytes) -> int:
            return int.from_bytes(data, endian)

        big = number(head[2:4]) == 43  # BigTIFF: 64-bit offsets and counts
        if big and len(head) < 16:
            return _CUT
        ifd = number(head[8:16]) if big else number(head[4:8])
        count_size, entry_size, word = (8, 20, 8) if big else (2, 12, 4)
        if ifd < (16 if big else 8):
            return None  # a directory inside the header: Pillow says what it found
        file.seek(ifd)
        entries = number(file.read(count_size))
        table = file.read(entries * entry_size)
        # Field types run from 1 to 18: two random bytes are one of them 1 time in 4,000.
        kinds = [number(table[at + 2 : at + 4]) for at in range(0, len(table) - 3, entry_size)]
        if kinds and not all(kind in _TIFF_TYPE_SIZES for kind in kinds):
            return f"its first directory (at byte {ifd}) holds no tags: a damaged offset"
        if ifd + count_size + entries * entry_size + word > size:
            return _CUT
        arrays: dict[int, list[int]] = {}
        for at in range(0, len(table), entry_size):
            entry = table[at : at + entry_size]
            tag, kind = number(entry[:2]), number(entry[2:4])
            count, value, width = (
                number(entry[4 : 4 + word]),
                entry[4 + word :],
                _TIFF_TYPE_SIZES[kind],
            )
            inline = count * width <= word
            if not inline and number(value) + count * width > size:
                return _CUT
            # Offsets of a signed type (SLONG) may be negative: damage, which Pillow reports.
            if tag in _TIFF_DATA_TAGS and kind in (3, 4, 16) and count <= _TIFF_MAX_STRIPS:
                if not inline:
                    file.seek(number(value))
                    value = file.read(count * width)
                arrays[tag] = [number(value[i : i + width]) for i in range(0, count * width, width)]
        for offsets, lengths in ((273, 279), (324, 325)):  # strips, tiles
            pairs = zip(arrays.get(offsets, []), arrays.get(lengths, []), strict=False)
            if any(offset + length > size for offset, length in pairs):
                return _CUT
        return None
    except (OSError, ValueError):
        return None


_CUT = "cut"
# Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ... IFD8).
_TIFF_TYPE_SIZES = {
    **dict.fromkeys((1, 2, 6, 7), 1),
    **dict.fromkeys((3, 8), 2),
    **dict.fromkeys((4, 9, 11, 13), 4),
    **dict.fromkeys((5, 10, 12, 16, 17, 18), 8),
}
_TIFF_DATA_TAGS = frozenset({273, 279, 324, 325})  # strip and tile offsets and byte counts
_TIFF_MAX_STRIPS = 1_000_000
_MAX_BOXES = 1000  # real files have a handful; a damaged one need not be walked for long
_J2K_START = b"\xff\x4f\xff\x51"  # a JPEG 2000 codestream's first markers (SOC, SIZ)
_J2K_END = b"\xff\xd9"  # and its last (EOC)

# Pillow reads a PNM (PPM, PGM, PBM) header one byte per call, some 1.5 s per MB of whitespace
# and comments (twice, when it then fails), and drops each comment among a plain PNM's pixels
# by copying its 1 MB block (a 1 MB file of comments took 12 s). No program writes files that
# come near these bounds: the format allows comments in the header only.
_PNM_HEADER_LIMIT = 64 * 1024
_PNM_PIXEL_COMMENTS = 100
_PNM_FIRST_READ = 64  # holds a usual header whole
# The magic numbers Pillow reads; it takes the whitespace after a short one.
_PNM_MAGIC = re.compile(rb"(?:P[1-6f]|PyP)[ \t\n\v\f\r]|P0CMYK|PyRGBA|PyCMYK")
_PNM_SPACE = re.compile(rb"[ \t\n\v\f\r]+")
_PNM_COMMENT = re.compile(rb"#[^\r\n]*[\r\n]?")  # to its line's end, which it takes
_PNM_NUMBER_LIMIT = 10  # Pillow's: a longer number is refused
_PNM_REFUSED = -1  # _pnm_header_end: a header Pillow refuses, having read no more of it
# Pillow calls them all PPM; a user knows a PGM or a PBM by its own name.
_PNM_NAMES = {
    **dict.fromkeys((b"P1", b"P4"), "PBM"),
    **dict.fromkeys((b"P2", b"P5"), "PGM"),
    **dict.fromkeys((b"P3", b"P6"), "PPM"),
    b"Pf": "PFM",
}


def _damaged_png_chunks(file: BinaryIO, size: int) -> dict[int, bytes]:
    """For a PNG with ancillary chunks whose checksum is wrong before its pixel data (where
    Pillow checks them), the bytes that turn each into a chunk Pillow skips: its type and
    checksum, by their offsets. Empty where a critical chunk is damaged, or none is."""
    patches: dict[int, bytes] = {}
    try:
        file.seek(0)
        if file.read(8) != PngImagePlugin._MAGIC:
            return {}
        offset = 8
        while offset + 12 <= size and len(patches) < _MAX_BOXES:
            file.seek(offset)
            header = file.read(8)
            length, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if kind in (b"IDAT", b"fdAT") or offset + 12 + length > size:
                break
            checksum = zlib.crc32(kind)
            for start in range(0, length, _CRC_BLOCK):
                checksum = zlib.crc32(file.read(min(_CRC_BLOCK, length - start)), checksum)
            if checksum != int.from_bytes(file.read(4), "big"):
                if not kind[0] & 0x20:  # a critical chunk (IHDR, PLTE) decides the pixels
                    return {}
                file.seek(offset + 8)
                new = zlib.crc32(_SKIPPED_CHUNK)
                for start in range(0, length, _CRC_BLOCK):
                    new = zlib.crc32(file.read(min(_CRC_BLOCK, length - start)), new)
                patches[offset + 4] = _SKIPPED_CHUNK
                patches[offset + 8 + length] = new.to_bytes(4, "big")
            offset += 12 + length
    except OSError:
        return {}
    finally:
        file.seek(0)
    return patches


# A chunk type of no meaning (ancillary, private, safe to copy), which Pillow skips.
_SKIPPED_CHUNK = b"zsLx"
_CRC_BLOCK = 1024 * 1024


class _PatchedFile:
    """A file read with some of its bytes replaced: {offset: the bytes found there}."""

    def __init__(self, file: BinaryIO, patches: dict[int, bytes]) -> None:
        self._file = file
        self._patches = patches

    def read(self, size: int = -1) -> bytes:
        start = self._file.tell()
        data = self._file.read(size)
        end = start + len(data)
        for at, replacement in self._patches.items():
            if at < end and at + len(replacement) > start:
                piece = bytearray(data)
                first = max(at, start)
                last = min(at + len(replacement), end)
                piece[first - start : last - start] = replacement[first - at : last - at]
                data = bytes(piece)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def _check_pnm(file: BinaryIO) -> None:
    """DecodeError for a PNM that would take Pillow seconds to read (see _PNM_HEADER_LIMIT).
    Leaves the file at its start."""
    try:
        head = file.read(_PNM_FIRST_READ)
        magic = _PNM_MAGIC.match(head)
        if magic is None:
            return
        kind = magic.group().rstrip()
        name = _PNM_NAMES.get(kind, "PNM")
        end = _pnm_header_end(head, magic.end(), kind)
        if end is None and len(head) == _PNM_FIRST_READ:  # a long header: read what is allowed
            head += file.read(_PNM_HEADER_LIMIT - len(head))
            end = _pnm_header_end(head, magic.end(), kind)
        if end == _PNM_REFUSED:
            return  # Pillow refuses it as soon as it reads that far, and says why
        if end is None and len(head) == _PNM_HEADER_LIMIT:
            raise DecodeError(
                NOT_AN_IMAGE,
                f"{name} signature, but its header runs past {_PNM_HEADER_LIMIT // 1024} KB of "
                "whitespace or comments: not read",
            )
        if end is not None and kind in (b"P1", b"P2", b"P3"):
            file.seek(end)
            if _comments_beyond(file, _PNM_PIXEL_COMMENTS):
                raise DecodeError(
                    DECODE_ERROR,
                    f"cannot decode: over {_PNM_PIXEL_COMMENTS} comments among the pixels of a "
                    f"plain {name} (the format allows none there)",
                )
    finally:
        file.seek(0)


def _check_icon_size(file: BinaryIO, max_pixels: int) -> None:
    """DecodeError too_large for an ICO or ICNS whose picture (the one Pillow would decode)
    exceeds `max_pixels`. Their headers declare at most 256x256 (ICO) or 1024x1024 (ICNS), yet
    the PNG (or BMP, JPEG 2000) inside gives its own size, which Pillow decodes whatever the
    header said: Pillow's ICO reader does so within Image.open, before any check of ours. A
    file Pillow cannot read this far is left to Image.open. Leaves the file at its start."""
    try:
        head = file.read(8)
        file.seek(0)
        if IcoImagePlugin._accept(head):
            sizes = [_ico_frame_size(file)]
        elif IcnsImagePlugin._accept(head):
            sizes = _icns_frame_sizes(file)
        else:
            return
    except Exception:  # Image.open fails on it too, and says why
        sizes = []
    finally:
        file.seek(0)
    for size in sizes:
        if size[0] * size[1] > max_pixels:
            raise DecodeError(TOO_LARGE, _too_large_reason(size, max_pixels))


def _ico_frame_size(file: BinaryIO) -> tuple[int, int]:
    """The size of the picture in the ICO entry Pillow decodes (its first, by its sorting)."""
    view = _FileView(file)
    entry = IcoImagePlugin.IcoFile(view).entry[0]  # type: ignore[arg-type]
    file.seek(entry.offset)
    if file.read(8) == PngImagePlugin._MAGIC:
        file.seek(entry.offset)
        return PngImagePlugin.PngImageFile(view).size
    file.seek(entry.offset)
    width, height = BmpImagePlugin.DibImageFile(view).size
    return width, height // 2  # a BMP entry's height counts its mask's rows too


def _icns_frame_sizes(file: BinaryIO) -> list[tuple[int, int]]:
    """The sizes of the PNG and JPEG 2000 pictures in the ICNS entries Pillow decodes (those of
    the largest size it declares); its other entries hold raw pixels of their declared size."""
    view = _FileView(file)
    icns = IcnsImagePlugin.IcnsFile(view)  # type: ignore[arg-type]
    sizes = []
    for code, _ in icns.SIZES[icns.bestsize()]:
        if code not in icns.dct:
            continue
        start, _length = icns.dct[code]
        file.seek(start)
        signature = file.read(12)
        file.seek(start)
        if signature.startswith(PngImagePlugin._MAGIC):
            sizes.append(PngImagePlugin.PngImageFile(view).size)
        elif Jpeg2KImagePlugin._accept(signature):
            sizes.append(Jpeg2KImagePlugin.Jpeg2KImageFile(view).size)
    return sizes


def _pnm_header_end(head: bytes, start: int, kind: bytes) -> int | None:
    """Where Pillow stops reading the header of the PNM `kind` in `head` after its magic number
    (at `start`): past its numbers (width, height and, but for bitmaps, the largest value or a
    PFM's scale) at the pixels; _PNM_REFUSED for a header it refuses, which it reads no further
    than the number it refuses (a size of 0: all of it). None where it reads past `head`."""
    at = start
    size = []
    for index in range(2 if kind in (b"P1", b"P4") else 3):
        number = b""
        while at < len(head):
            byte = head[at : at + 1]
            if byte == b"#":  # also inside a number, which goes on after the comment
                at = _end_of(_PNM_COMMENT, head, at)
            elif byte not in b" \t\n\v\f\r":
                at, number = at + 1, number + byte
                if len(number) > _PNM_NUMBER_LIMIT:
                    return _PNM_REFUSED
            elif number:
                at += 1  # the one whitespace that ends a number
                break
            else:
                at = _end_of(_PNM_SPACE, head, at)
        else:
            return None
        try:
            value = int(number)
        except ValueError:  # not a number: a text that merely starts like a PNM
            # (or a PFM's scale, a float: taken as refused, which only plain PNMs' pixels see)
            return _PNM_REFUSED
        if index < 2:
            size.append(value)
        elif not 0 < value < 65536:  # the largest value
            return _PNM_REFUSED
    return at if min(size) > 0 else _PNM_REFUSED


def _end_of(pattern: re.Pattern[bytes], data: bytes, at: int) -> int:
    match = pattern.match(data, at)
    return match.end() if match else at


def _comments_beyond(file: BinaryIO, limit: int) -> bool:
    """Whether the rest of `file` holds more than `limit` comments."""
    found = 0
    while block := file.read(1024 * 1024):
        found += sum(1 for _ in _PNM_COMMENT.finditer(block))
        if found > limit:
            return True
    return False


def check_resized_pixels(size: tuple[int, int], resized_pixels: int, max_pixels: int) -> None:
    """DecodeError too_large when resizing the image for the model would exceed the pixel limit
    (a 1 x 20,000 strip scaled to a 224-pixel shorter side is a 1,000 MP image)."""
    if resized_pixels > max_pixels:
        raise DecodeError(
            TOO_LARGE,
            f"{size[0]}x{size[1]} is so elongated that resizing it for the model takes "
            f"{_megapixels(resized_pixels)} MP, over the {_megapixels(max_pixels)} MP limit "
            "(raise it with --max-pixels)",
        )


@dataclass(frozen=True)
class ImagePreparation:
    """One path to the model's input array: decode, check the resize, preprocess. A plain
    picklable object, so that decode worker processes can be handed it once."""

    options: DecodeOptions
    preprocessor: ImagePreprocessor
    resize_limit: int  # most pixels the preprocessor's resize may make (check_resized_pixels)

    def __call__(self, path: Path) -> np.ndarray:
        image = decode_image(path, self.options)
        resized = self.preprocessor.resized_pixels(image.width, image.height)
        check_resized_pixels(image.size, resized, self.resize_limit)
        return self.preprocessor(image)

    def set_up_process(self) -> None:
        """Run once in each decode worker process, before its first image."""
        apply_pillow_settings(self.options.max_pixels)
        self.preprocessor.set_up_process()


def _too_large_reason(size: tuple[int, int], max_pixels: int) -> str:
    return (
        f"{size[0]}x{size[1]} = {_megapixels(size[0] * size[1])} MP exceeds the "
        f"{_megapixels(max_pixels)} MP limit (raise it with --max-pixels)"
    )


def _bomb_reason(error: Exception, options: DecodeOptions) -> str:
    match = re.search(r"\((\d+) pixels\)", str(error))
    declared = f"{_megapixels(int(match.group(1)))} MP" if match else "the image"
    pillow_error_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    if match and int(match.group(1)) > options.max_pixels:
        limit = f"the {_megapixels(options.max_pixels)} MP limit"
    else:
        limit = f"Pillow's {_megapixels(pillow_error_limit)} MP decompression-bomb limit"
    return f"{declared} exceeds {limit} (raise it with --max-pixels)"


def _megapixels(pixels: int) -> str:
    megapixels = pixels / 1e6
    return f"{megapixels:,.0f}" if megapixels >= 100 else f"{megapixels:.3g}"


def _broken_link_reason(path: Path) -> str:
    try:
        target = os.readlink(path)
    except OSError:
        return "broken symbolic link"
    return f"broken symbolic link (its target {printable(target)} does not exist)"


def _not_a_file_reason(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISFIFO(mode):
        return "is a named pipe"
    if stat.S_ISSOCK(mode):
        return "is a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device"
    return "not a regular file"


def _os_error_text(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
