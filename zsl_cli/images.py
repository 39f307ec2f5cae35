"""Safe decoding of one image file into an RGB Pillow image.

`decode_image` returns a fully loaded RGB image or raises `DecodeError`, whose `status` is one of
these short codes (a stable contract: they appear in the `status` column of every output):

    not_found      the path does not exist
    broken_link    a symbolic link whose target is missing (or a symbolic link loop)
    not_a_file     a directory, named pipe, socket or device
    unreadable     permission denied or an I/O error while reading
    empty          the file has zero bytes
    not_an_image   no format Pillow reads, or a header it rejects; also EPS (refused: Pillow
                   decodes it by running Ghostscript), HEIF without pillow-heif, and cameras'
                   raw files, by their extension or, under another, as a DNG or a TIFF whose
                   first image is a preview (refused: Pillow would read that preview at best)
    truncated      the data ends before the image does
    too_large      width * height over DecodeOptions.max_pixels or Pillow's decompression-bomb
                   limit, checked from the header before any pixel is decoded
    decode_error   anything else Pillow raises while decoding, damage it lets through, and
                   files built to hold a decode worker for long

The edge cases of each status, and how they are told apart, are in `image_damage`'s docstring;
what the decoder does to a good file (EXIF orientation, alpha on white, an animation's first
frame, 16-bit to 8-bit, ...) is in `image_formats`'.

`DecodeError.reason` is one human-readable line. Nothing else escapes `decode_image` for a bad
file. `CONTENT_FAILURES` are the statuses the file's bytes decide (`decided_by_content` leaves out
the reasons under them that depend on the installation); the others depend on the file system,
permissions or settings and may pass on a later run.

Threads: `decode_image` mutates no global state (but for registering pillow-heif's plugin with
Pillow, once, where it is installed), so decode workers may call it concurrently. The
library's runs hold `pillow_settings` while workers decode, to line Pillow's global pixel limit up
with the user's `--max-pixels` and let PNG metadata chunks over Pillow's 1 MB limit through (and put
both back afterwards); decode worker processes apply the same settings for their life
(`ImagePreparation.set_up_process`).

Where the code is: this module holds the public entry (what other modules import, all of it from
here), opening the file and the order of the steps; `image_formats` the reading of a good file
(each format's quirks), `image_damage` the telling of why a file failed (truncated or
not_an_image or decode_error) and the checks made before Pillow decodes one, and `image_status` the
statuses, `DecodeError` and `DecodeOptions` that both of those modules and this one share.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import io
import logging
import os
import stat
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, cast

import numpy as np
from PIL import (
    IcnsImagePlugin,
    IcoImagePlugin,
    Image,
    ImageFile,
    PngImagePlugin,
    UnidentifiedImageError,
)

from zsl_cli.accents import spelled_otherwise
from zsl_cli.formatting import printable
from zsl_cli.image_damage import (
    HEIF_INSTALL,
    JPEG_END,
    PatchedFile,
    arithmetic_coded,
    check_icon_size,
    check_jpeg_2000_end,
    check_jpeg_data_ran_out,
    check_jpeg_restarts,
    check_jpeg_scans,
    check_msp_rows,
    check_pcx_palette,
    check_png_pixel_data,
    check_png_rows,
    check_pnm,
    check_tiff_coverage,
    check_tiff_deflate,
    check_tiff_fields,
    check_tiff_packbits,
    check_tiff_strips,
    check_xpm,
    check_xv_thumbnail,
    classify,
    damaged_png_chunks,
    dropped_png_text,
    ends_with,
    extra_icc_profiles,
    jpeg_2000_with_bytes_after,
    jpeg_frame,
    jpeg_with_end_marker,
    size_error,
    skip_late_icc_profiles,
    truncated_error,
)
from zsl_cli.image_formats import (
    CAMERA_RAW_EXTENSIONS,
    CAMERA_RAW_REASON,
    LOW_BIT_GREY,
    PNG_METADATA_LIMIT,
    REFUSED_FORMATS,
    TRANSPOSE_FOR_ORIENTATION,
    FileView,
    apng_first_frame,
    apply_draft,
    camera_raw_error,
    deep_colour_on_white,
    exif_orientation,
    gif_frame_placement,
    header_denies_alpha,
    heif_readable,
    icns_picture,
    ico_by_its_mask,
    limit_libtiff_read,
    on_white_by_and_mask,
    read_python_pixels_with_numpy,
    read_rle_skips_as_alpha,
    read_spare_byte_as_alpha,
    readable_formats,
    shown_size,
    spare_python_decoder,
    take_cursor_mask,
    to_rgb,
    webp_data_end,
    webp_first_frame_file,
    white_outside,
    wholly_transparent,
    widen_transparent_level,
)
from zsl_cli.image_status import (
    BROKEN_LINK,
    DECODE_ERROR,
    DECODE_STATUSES,
    DEFAULT_MAX_PIXELS,
    EMPTY,
    NOT_A_FILE,
    NOT_AN_IMAGE,
    NOT_FOUND,
    TOO_LARGE,
    TRUNCATED,
    UNREADABLE,
    DecodeError,
    DecodeOptions,
    megapixels_texts,
    os_error_text,
)
from zsl_cli.process_settings import SharedOverride, warning_filters_held

# The public names, some defined in the modules above (which never import this one).
__all__ = [
    "BROKEN_LINK",
    "CAMERA_RAW_EXTENSIONS",
    "CONTENT_FAILURES",
    "DECODE_ERROR",
    "DECODE_STATUSES",
    "DEFAULT_MAX_PIXELS",
    "EMPTY",
    "FULL_SIZE_INFO",
    "HEIF_INSTALL",
    "JPEG_FORMATS",
    "NOT_AN_IMAGE",
    "NOT_A_FILE",
    "NOT_FOUND",
    "PNG_METADATA_LIMIT",
    "TOO_LARGE",
    "TRUNCATED",
    "UNREADABLE",
    "DecodeError",
    "DecodeOptions",
    "ImagePreparation",
    "apply_pillow_settings",
    "check_resized_pixels",
    "decided_by_content",
    "decode_image",
    "file_problem",
    "heif_readable",
    "pillow_extensions",
    "pillow_settings",
]

JPEG_FORMATS = frozenset({"JPEG", "MPO"})
# The key, in the `info` of every image decode_image returns, of its (width, height) decoded
# whole: a draft-decoded JPEG's size before the draft, as shown (decode_image).
FULL_SIZE_INFO = "zsl_full_size"


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

    It also raises Pillow's limit on one PNG metadata chunk to PNG_METADATA_LIMIT, and turns
    off ImageFile.LOAD_TRUNCATED_IMAGES where the host program set it: a file cut short is then
    reported as truncated, not labelled from the grey its missing part decodes to.
    """
    with warning_filters_held(), _PILLOW.held(lambda: apply_pillow_settings(max_pixels)):
        yield


@dataclass(frozen=True)
class _PillowSaved:
    """The host program's Pillow settings, for the last pillow_settings block to put back."""

    max_image_pixels: int | None
    max_text_chunk: int
    load_truncated: bool
    logger_was_quiet: bool
    libtiff_handlers: tuple[int | None, int | None]


def _pillow_saved() -> _PillowSaved:
    return _PillowSaved(
        max_image_pixels=Image.MAX_IMAGE_PIXELS,
        max_text_chunk=PngImagePlugin.MAX_TEXT_CHUNK,
        load_truncated=ImageFile.LOAD_TRUNCATED_IMAGES,
        logger_was_quiet=_QUIET_HANDLER in _PILLOW_LOGGER.handlers,
        # libtiff's handlers are read by setting others: silenced, as the settings have them.
        libtiff_handlers=_set_libtiff_handlers((None, None)),
    )


def _put_back_pillow_settings(saved: _PillowSaved) -> None:
    Image.MAX_IMAGE_PIXELS = saved.max_image_pixels
    PngImagePlugin.MAX_TEXT_CHUNK = saved.max_text_chunk
    ImageFile.LOAD_TRUNCATED_IMAGES = saved.load_truncated
    _set_libtiff_handlers(saved.libtiff_handlers)
    if not saved.logger_was_quiet:
        _PILLOW_LOGGER.removeHandler(_QUIET_HANDLER)


_PILLOW = SharedOverride(_pillow_saved, _put_back_pillow_settings)


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
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # see pillow_settings
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

    paths = _mapped_libtiffs()
    if paths is None:  # no /proc (macOS): the copy Pillow's wheel bundles is the one it loaded
        paths = _bundled_libtiffs()
    if not paths:
        return None
    try:
        library = ctypes.CDLL(paths[0])  # dlopen gives the copy already loaded
    except OSError:
        return None
    for name in ("TIFFSetErrorHandler", "TIFFSetWarningHandler"):
        setter = getattr(library, name, None)
        if setter is None:
            return None
        setter.restype, setter.argtypes = ctypes.c_void_p, [ctypes.c_void_p]  # handler pointers
    return library


def _mapped_libtiffs() -> list[str] | None:
    """The libtiff files this process has loaded, as /proc/self/maps lists them (whichever
    Pillow links: its wheel's, or the system's); None where there is no /proc to read."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return sorted({line.split()[-1] for line in maps if "libtiff" in line})
    except OSError:
        return None


def _bundled_libtiffs() -> list[str]:
    """The libtiff that Pillow's wheel bundles beside PIL: PIL/.dylibs on macOS, pillow.libs on
    Linux. Windows wheels link it into Pillow itself, where its handlers cannot be reached."""
    import PIL

    package = Path(PIL.__file__).parent
    found = [*package.glob(".dylibs/libtiff*.dylib"), *package.parent.glob("pillow.libs/libtiff*")]
    return sorted(map(str, found))


def decode_image(
    path: Path,
    options: DecodeOptions = DecodeOptions(),
    check_size: Callable[[tuple[int, int]], None] | None = None,
) -> Image.Image:
    """Decode `path` into a new, fully loaded RGB image, or raise DecodeError. Its `format` is
    the file's (Pillow's: "JPEG", "PNG", ...), also where it is a converted copy, and its
    `info[FULL_SIZE_INFO]` the (width, height) it has decoded whole: its own size, but for a
    draft-decoded JPEG (options.draft), whose reduced scale rounds each side up to whole pixels.
    A resize that picks its geometry from the size (a shortest-edge resize's longer side,
    NaFlex's patch grid) picks it from that one, as it would from the exact decode.

    `check_size` is called, before the pixels are decoded, with the size the image has decoded
    whole (a draft-decoded JPEG's size before its draft, as FULL_SIZE_INFO, but before any EXIF
    turn), and the DecodeError it raises stands: a refusal the size alone decides then costs no
    decoding."""
    # Registering all plugins up front is idempotent and keeps concurrent Image.open calls from
    # racing to register them lazily (which can make one of them miss a format).
    Image.init()
    heif_readable()
    file, size = _open_regular_file(path)
    with file:
        opening = _Opening()
        try:
            if size == 0:  # inside the try: that read can fail too (/proc/self/mem: EIO)
                if not file.read(1):
                    raise DecodeError(EMPTY, "file is empty (0 bytes)")
                file.seek(0)  # a /proc or /sys file says 0 bytes, yet has some
            if path.suffix.lower() in CAMERA_RAW_EXTENSIONS:
                # Whatever Pillow would make of it: a TIFF-based one's preview at best.
                raise DecodeError(NOT_AN_IMAGE, CAMERA_RAW_REASON)
            check_pnm(file)
            check_xpm(file)
            check_xv_thumbnail(file)
            check_tiff_strips(file, size)
            check_tiff_fields(file, size, options.max_pixels)
            patches = extra_icc_profiles(file, size)
            source = cast(BinaryIO, PatchedFile(file, patches)) if patches else file
            check_icon_size(source, options.max_pixels)  # it opens an icon's PNG picture
            try:
                return _open_and_decode(file, patches, size, options, check_size, opening)
            except ValueError as error:
                # A PNG whose text is over Pillow's limits: its pixels are fine, and zsl needs
                # no text. Pillow would refuse the image.
                dropped = dropped_png_text(error, file, size)
                if not dropped:
                    raise
            return _open_and_decode(file, patches | dropped, size, options, check_size, opening)
        except DecodeError:
            raise
        except Exception as error:  # Pillow raises many types for bad data; all mean a bad file
            raise classify(error, file, size, options, opening.opened) from error


@dataclass
class _Opening:
    """Whether Image.open has read the file's header, in any try (classify's `opened`)."""

    opened: bool = False


def _open_and_decode(
    file: BinaryIO,
    patches: dict[int, bytes],
    size: int,
    options: DecodeOptions,
    check_size: Callable[[tuple[int, int]], None] | None,
    opening: _Opening,
) -> Image.Image:
    """`file`, read with `patches` (PatchedFile), opened and decoded (`_decode_opened`)."""
    source = cast(BinaryIO, PatchedFile(file, patches)) if patches else file
    view = FileView(source)
    view.rest_end = webp_data_end(source, size, options.max_pixels)
    source.seek(0)
    try:
        image = Image.open(view, formats=readable_formats())
    except UnidentifiedImageError:
        damaged = damaged_png_chunks(source, size)
        if not damaged:
            raise
        # libpng's default: a damaged ancillary chunk (text, gamma, EXIF, transparency) is
        # dropped, not the image. Pillow would refuse the image.
        source = cast(BinaryIO, PatchedFile(file, patches | damaged))
        image = Image.open(FileView(source), formats=["PNG"])
    except OSError:
        first_frame = webp_first_frame_file(source, size)
        if first_frame is None:
            raise
        # An animated WebP cut in a later frame shows its first, as a GIF or an APNG does.
        source, size = io.BytesIO(first_frame), len(first_frame)
        image = Image.open(FileView(source), formats=["WEBP"])
    opening.opened = True
    if refused := camera_raw_error(image):  # a raw file under another name
        image.close()
        raise refused
    try:
        return _decode_opened(image, source, size, options, check_size)
    except Exception as error:
        ended = _jpeg_with_end_marker_back(error, image, source, size)
        if ended is not None:
            # Shown whole by libjpeg's own reader and browsers, as a JPEG that has its marker.
            source = io.BytesIO(ended)
            image = Image.open(FileView(source), formats=["JPEG"])
            return _decode_opened(image, source, len(ended), options, check_size)
        whole = jpeg_2000_with_bytes_after(source, size) if image.format == "JPEG2000" else None
        if whole is not None:
            # OpenJPEG reads a last tile-part of length 0 on past the end marker, to the file's
            # end, and fails on the bytes after it: the codestream alone is the image.
            source = io.BytesIO(source.read(whole))
            image = Image.open(FileView(source), formats=["JPEG2000"])
            return _decode_opened(image, source, whole, options, check_size)
        # The APNG spec: "A decoder which detects an error before the animation has started
        # should display the default image" (what readers without APNG show).
        if not image.info.get("default_image"):
            raise
    source.seek(0)
    image = Image.open(FileView(source), formats=["PNG"])
    return _decode_opened(image, source, size, options, check_size, animation=False)


def _jpeg_with_end_marker_back(
    error: Exception, image: Image.Image, file: BinaryIO, size: int
) -> bytes | None:
    """The JPEG `file` with its end marker put back (`jpeg_with_end_marker`), where Pillow ran
    out of data decoding it (`error`) and the marker is all its pixels lack: it is missing, or
    a segment after the last scan, cut short, hides it. None otherwise."""
    if image.format not in JPEG_FORMATS or not isinstance(error, OSError) or error.errno:
        return None
    return jpeg_with_end_marker(file, size)


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
    return not stub and name != "MPEG" and name not in REFUSED_FORMATS


def file_problem(path: Path) -> DecodeError | None:
    """Why `path` is not a file the decoder could read (its status and reason), or None."""
    try:
        file, _ = _open_regular_file(path)
    except DecodeError as error:
        return error
    file.close()
    return None


def _blank_ends(path: str) -> str:
    """What to add to "file not found" for a path with white space at its start or end."""
    starts, ends = path[:1].isspace(), path[-1:].isspace()
    if starts and ends:
        return " (its name starts and ends with white space)"
    if starts:
        return " (its name starts with white space)"
    return " (its name ends in white space)" if ends else ""


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
        # A path list's blanks at either end (a pasted or indented list) are invisible wherever
        # the path is shown, and so is how its accents are composed (a folder copied from a Mac).
        otherwise = spelled_otherwise(os.fspath(path))
        if otherwise:
            raise DecodeError(NOT_FOUND, f"file not found ({otherwise})") from None
        raise DecodeError(NOT_FOUND, f"file not found{_blank_ends(os.fspath(path))}") from None
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
        raise DecodeError(UNREADABLE, f"cannot open: {os_error_text(error)}") from None
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


def _decode_opened(
    image: ImageFile.ImageFile,
    file: BinaryIO,
    size: int,
    options: DecodeOptions,
    check_size: Callable[[tuple[int, int]], None] | None,
    animation: bool = True,
) -> Image.Image:
    """`image` decoded; an APNG's animation's first frame where `animation` (else its default
    image, as readers without APNG show it)."""
    file_format, rgb = image.format, None
    skip_late_icc_profiles(image)
    frame = jpeg_frame(file) if file_format in JPEG_FORMATS else None
    arithmetic = arithmetic_coded(frame)
    try:
        if refused := size_error(image.size, options.max_pixels, file_format):
            raise refused
        uncoded = check_jpeg_scans(file, frame)
        check_msp_rows(image, file)
        stored_size = image.size  # before a draft
        if options.draft is not None and file_format in JPEG_FORMATS:
            apply_draft(image, options.draft, exif_orientation(image))
        drafted = image.size != stored_size
        if file_format in JPEG_FORMATS and not image.tile:
            # Pillow opens a JPEG whose data ends after its frame header (the size) and before
            # its first scan, then has nothing to decode ("cannot load this image").
            if not ends_with(file, size, JPEG_END):
                raise truncated_error(size)
            raise DecodeError(
                DECODE_ERROR,
                "cannot decode: its end marker comes before any scan: it holds no pixels",
            )
        if isinstance(image, IcnsImagePlugin.IcnsImageFile):
            image = icns_picture(image)
        if file_format == "GIF":
            frame_placement = gif_frame_placement(image)
        else:
            frame_placement = apng_first_frame(image) if animation else None
        rawmode = image.tile[0].args if file_format == "PNG" and image.tile else None
        grey_bits = LOW_BIT_GREY.get(rawmode) if isinstance(rawmode, str) else None
        deep_colour = image.info.get("transparency") if rawmode == "RGB;16B" else None
        read_spare_byte_as_alpha(image)
        # Before the run-length decoder is chosen: a grey cursor's mode is back to its pixels'.
        cursor_mask = take_cursor_mask(image) if file_format == "CUR" else None
        read_rle_skips_as_alpha(image)
        read_python_pixels_with_numpy(image)
        spare_python_decoder(image)  # after zsl's decoders are chosen: they are such
        limit_libtiff_read(image, size, options.max_pixels)
        check_tiff_coverage(image)
        if check_size is not None:
            # The full size, which a resize is sized from (a draft's sides, each rounded up to
            # whole pixels at its scale, are of another aspect ratio).
            check_size(stored_size if drafted else image.size)
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
            if arithmetic and error.errno is None and not ends_with(file, size, JPEG_END):
                raise truncated_error(size) from error
            raise
        _check_after_load(image, file, file_format, size, frame, options.draft, uncoded)
        if grey_bits is not None:
            widen_transparent_level(image, grey_bits)
        # Read after load: some formats keep EXIF after the pixel data, and Pillow's TIFF loader
        # applies the orientation itself (and then drops the tag).
        orientation = exif_orientation(image)
        rgb = _shown_rgb(image, file, file_format, cursor_mask, deep_colour)
        if frame_placement is not None:
            rgb = white_outside(rgb, *frame_placement)
    finally:
        if rgb is not image:  # closing drops the pixels too: only the one we do not return
            image.close()
    method = TRANSPOSE_FOR_ORIENTATION.get(orientation)
    result = rgb if method is None else rgb.transpose(method)
    # Pillow's meaning of `format`, "the file format of the source image", kept on the copies:
    # preprocessing may take a faster path for JPEGs, whose pixels are approximate anyway.
    result.format = file_format
    # Set on every image, so that no key of this name from the file (a PNG's text) stands.
    result.info[FULL_SIZE_INFO] = shown_size(stored_size, orientation) if drafted else result.size
    return result


def _check_after_load(
    image: ImageFile.ImageFile,
    file: BinaryIO,
    file_format: str | None,
    size: int,
    frame: tuple[bytes, int] | None,
    draft: tuple[int, int] | None,
    uncoded: bool,
) -> None:
    """DecodeError for damage the decoder let through in loading `image`: pixels wrong or
    missing, and nothing said."""
    if file_format in JPEG_FORMATS:
        check_jpeg_data_ran_out(image, file, frame, draft, uncoded)
        check_jpeg_restarts(file, frame)
    if file_format == "PNG" and image.tell() == 0:  # an APNG's later frame is fdAT's
        check_png_pixel_data(file, size)
        check_png_rows(image, file, size)
    check_tiff_deflate(image, file)
    check_tiff_packbits(image, file)
    check_pcx_palette(image, file, size)
    check_jpeg_2000_end(image, file, size)


def _shown_rgb(
    image: Image.Image,
    file: BinaryIO,
    file_format: str | None,
    cursor_mask: int | None,
    deep_colour: object,
) -> Image.Image:
    """The loaded `image` in RGB as its format's readers show it on white: some files' alpha,
    as Pillow reads it, means none or stands for a mask (`to_rgb` composites it as it is)."""
    if file_format in ("BMP", "DIB", "TGA") and wholly_transparent(image):
        # Writers that mean no alpha leave zeros in the alpha bits of these formats (or a
        # BMP's spare byte): shown on white, every such image would be a blank page.
        return image.convert("RGB")
    if isinstance(image, IcoImagePlugin.IcoImageFile) and wholly_transparent(image):
        return ico_by_its_mask(image)
    if cursor_mask is not None and (image.mode != "RGBA" or wholly_transparent(image)):
        # A cursor's alpha, where it has some, stands in for its mask, as in an ICO.
        return on_white_by_and_mask(image, file, cursor_mask)
    if header_denies_alpha(image, file_format, file):
        return image.convert("RGB")
    if isinstance(deep_colour, tuple) and image.mode == "RGB":
        return deep_colour_on_white(image, file, deep_colour)
    return to_rgb(image)


def check_resized_pixels(size: tuple[int, int], resized_pixels: int, max_pixels: int) -> None:
    """DecodeError too_large when resizing the image for the model would exceed the pixel limit
    (a 1 x 20,000 strip scaled to a 224-pixel shorter side is a 1,000 MP image)."""
    if resized_pixels > max_pixels:
        pixels, limit = megapixels_texts(resized_pixels, max_pixels)
        raise DecodeError(
            TOO_LARGE,
            f"{size[0]}x{size[1]} is so elongated that resizing it for the model takes "
            f"{pixels} MP, over the {limit} MP limit (raise it with --max-pixels)",
        )


class _Preprocessor(Protocol):
    """What `ImagePreparation` uses of a model's preprocessor (encoders.base.ImagePreprocessor
    has it): images are decoded before any encoder is known, so this module imports none."""

    def resized_pixels(self, width: int, height: int) -> int: ...

    def __call__(self, image: Image.Image) -> np.ndarray: ...

    def set_up_process(self) -> None: ...


@dataclass(frozen=True)
class ImagePreparation:
    """One path to the model's input array: decode, check the resize, preprocess. A plain
    picklable object, so that decode worker processes can be handed it once."""

    options: DecodeOptions
    preprocessor: _Preprocessor
    resize_limit: int  # most pixels the preprocessor's resize may make (check_resized_pixels)

    def __call__(self, path: Path) -> np.ndarray:
        # Checked before decoding: a 155 KB PNG of 1 x 80,000,000 held a decode worker for 57 s
        # and 1.6 GB, to be refused for its size. And after: the decoded size can differ from
        # the header's (an ICO's picture, a quarter turn).
        image = decode_image(path, self.options, self._check_resize)
        # The size the preprocessor resizes from: a draft-decoded JPEG's full size.
        self._check_resize(image.info.get(FULL_SIZE_INFO, image.size))
        return self.preprocessor(image)

    def _check_resize(self, size: tuple[int, int]) -> None:
        resized = self.preprocessor.resized_pixels(*size)
        check_resized_pixels(size, resized, self.resize_limit)

    def set_up_process(self) -> None:
        """Run once in each decode worker process, before its first image."""
        apply_pillow_settings(self.options.max_pixels)
        self.preprocessor.set_up_process()


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
