"""Telling why a file did not decode (truncated, not_an_image or decode_error: `classify`) from its
own structure: signatures, whole-file ends, RIFF, ISO media (AVIF and HEIF item locations) and
JPEG 2000 box sizes, TIFF directory damage, PNM headers, JPEG arithmetic coding and cut scans;
and the checks `zsl_cli.images.decode_image` makes before and after Pillow decodes a file, one
module per format family, each of whose public names is imported here:

- `jpeg`: scans, data that ran out, restart markers, the end marker, arithmetic coding;
- `png`: ancillary chunks, ICC profiles and text patched so that Pillow skips them, pixel data
  checksums;
- `tiff`: directories, strips, deflate and PackBits data;
- `pnm`: the text headers of PNM, XPM and XV thumbnail files;
- `pcx`: a 256-colour PCX's palette, runs across rows;
- `containers`: RIFF, ISO media (AVIF, HEIF) and JPEG 2000 boxes;
- `icons`: ICO and ICNS picture sizes;
- `msp`: Windows Paint (MSP) row maps;
- `_common`: what they share: the truncated and size errors, and a file's end.

The statuses of `zsl_cli.images.decode_image` in full:

    not_found      the path does not exist
    broken_link    a symbolic link whose target is missing (or a symbolic link loop)
    not_a_file     a directory, named pipe, socket or device
    unreadable     permission denied or an I/O error while reading
    empty          the file has zero bytes
    not_an_image   Pillow cannot identify the format, or rejects the header of the format whose
                   signature the file has (the reason gives its message); also EPS, refused on
                   purpose: Pillow decodes it by running Ghostscript on the file; HEIF (HEIC)
                   where the optional pillow-heif is not installed; a PNM (PPM, PGM, PBM)
                   whose header runs past 64 KB of whitespace or comments, an XV thumbnail's
                   past 64 KB of comments, and an XPM without its size line in its first 64 KB;
                   a header giving a width or height of 2**31 or more (a negative one read
                   unsigned: a damaged header, which no --max-pixels would let decode);
                   macOS metadata (an AppleDouble `._name`, a `.DS_Store`), Finder
                   aliases and cameras' raw files, said as such
    truncated      the data ends before the image does (where the file ends as a whole one
                   does, with a GIF's trailer, a JPEG's end marker, a PNG's IEND, a QOI's end
                   marker or a TGA footer, or is as long as a BMP's header says, or holds
                   every strip its TIFF directory lists, or ends just where a part that
                   directory lists ends while another, not starting there, runs past it (one
                   starting there is what a cut on that byte left off), or holds a run of bytes
                   that no part it lists covers as long as a part placed past the end, or
                   ends with a 256-colour PCX's palette, or is a PCX one of whose runs lies
                   across the end of a row, which no writer codes (a run damage shortened or
                   lengthened moves those after it), or of a plane's row where the file shows
                   its writer breaks runs there, it was damaged inside instead: decode_error;
                   a PCX whose damage moves no run across those carries nothing that tells);
                   also a 256-colour PCX whose palette, after its pixels, is cut short or
                   off whole (Pillow read it as grey, or took a pixel's byte 12 769 bytes
                   before the end for the palette's marker and decoded wrong colours); also
                   a JPEG 2000 that OpenJPEG decoded, the tiles it lacks black, that lacks
                   its end marker or whose box runs past the file's end (cut just inside a
                   tile-part); also a JPEG without its end marker whose data runs out (libjpeg
                   filled the rest of a sequential one with grey) at a marker whose segment
                   the file ends inside, or, with restart markers, one of whose scans holds
                   fewer than its blocks take, each with coded data after it (found without
                   decoding; its interval set by a DRI anywhere before it). A JPEG whose scans
                   are whole but whose end marker is missing, or hidden by a segment after
                   its last scan that is cut short, decodes whole, progressive or not
    too_large      width * height exceeds DecodeOptions.max_pixels (checked from the header,
                   before any pixel is decoded; for an ICO or ICNS, from the header of the
                   picture inside) or Pillow's own decompression-bomb limit; also
                   raised by `check_resized_pixels`, for the model's resize of the image
                   (ImagePreparation checks that too before any pixel is decoded)
    decode_error   anything else Pillow raises while decoding (corrupt data, unsupported mode);
                   also a Huffman-coded JPEG whose data runs out before its end marker, where
                   libjpeg fills the rest with grey and Pillow says nothing (found where the
                   last block is grey, also where damage made a marker inside its one scan:
                   damage that leaves no grey there, or that libjpeg reads as a scan ending
                   early, goes unseen, but where it makes restart markers out of turn or a
                   marker of a reserved code, with which libjpeg skips blocks mid-image, or
                   leaves a scan fewer restart markers than its blocks take, cut where an
                   interval ends and given an end marker back), or, in a
                   progressive one whose scans leave some coefficient bits uncoded (one cut
                   and given an end marker back), leaves the rest as earlier scans had it,
                   blurred; also a deflate TIFF one of whose strips fails zlib's checks,
                   which libtiff stops reading once it has the strip's rows, a PackBits TIFF
                   one of whose strips codes more bytes than its rows take (garbage in it:
                   libtiff drops the rest), an uncompressed TIFF whose directory lists fewer
                   strips or tiles than its size takes (Pillow leaves the rest black), a PNG
                   whose compressed pixel data ends, whole, short of its rows (blank); also
                   files built to hold a decode worker for long: a plain PNM with over 100
                   comments among its pixels, a file of over 200,000 markers, chunks or
                   padding bytes that hold next to nothing (ReadBudget), a run-length BMP of
                   as many codes that make no pixel, an MSP row longer than coding its pixels
                   takes, an XPM of over 200,000 lines more than its pixel rows and the colours
                   they may use, an uncompressed TIFF of over 200,000 strips or tiles that hold
                   next to nothing, and a progressive or arithmetic-coded JPEG of over 500
                   scans (each a pass over the whole image)
"""

from __future__ import annotations

import re
from typing import BinaryIO

from PIL import Image, ImageFile, UnidentifiedImageError

from zsl_cli.formatting import clipped_text
from zsl_cli.image_damage._common import damaged_size_error, ends_with, size_error, truncated_error
from zsl_cli.image_damage.containers import (
    HEIF_INSTALL,
    check_jpeg_2000_end,
    container_cut_short,
    is_heif,
    jpeg_2000_with_bytes_after,
)
from zsl_cli.image_damage.icons import check_icon_size
from zsl_cli.image_damage.jpeg import (
    JPEG_END,
    JPEG_MAX_SCANS,
    arithmetic_coded,
    check_jpeg_data_ran_out,
    check_jpeg_restarts,
    check_jpeg_scans,
    jpeg_frame,
    jpeg_header_end,
    jpeg_with_end_marker,
)
from zsl_cli.image_damage.msp import check_msp_rows
from zsl_cli.image_damage.pcx import (
    check_pcx_palette,
    pcx_cut_short,
    pcx_palette_at_end,
    pcx_run_across_rows,
)
from zsl_cli.image_damage.png import (
    PatchedFile,
    check_png_pixel_data,
    check_png_rows,
    damaged_png_chunks,
    dropped_png_text,
    extra_icc_profiles,
    skip_late_icc_profiles,
)
from zsl_cli.image_damage.pnm import (
    PNM_MAGIC,
    PNM_NAMES,
    check_pnm,
    check_xpm,
    check_xv_thumbnail,
)
from zsl_cli.image_damage.tiff import (
    CUT,
    PLACED_PAST_END,
    STRIPS_WITHIN,
    check_tiff_coverage,
    check_tiff_deflate,
    check_tiff_fields,
    check_tiff_packbits,
    check_tiff_strips,
    tiff_damage,
)
from zsl_cli.image_formats import (
    REFUSED_FORMATS,
    FileView,
    camera_raw_header_error,
    heif_readable,
    readable_formats,
)
from zsl_cli.image_status import (
    DECODE_ERROR,
    NOT_AN_IMAGE,
    TOO_LARGE,
    UNREADABLE,
    DecodeError,
    DecodeOptions,
    megapixels_texts,
    os_error_text,
)

__all__ = [
    "HEIF_INSTALL",
    "JPEG_END",
    "JPEG_MAX_SCANS",
    "PatchedFile",
    "arithmetic_coded",
    "check_icon_size",
    "check_jpeg_2000_end",
    "check_jpeg_data_ran_out",
    "check_jpeg_restarts",
    "check_jpeg_scans",
    "check_msp_rows",
    "check_pcx_palette",
    "check_png_pixel_data",
    "check_png_rows",
    "check_pnm",
    "check_tiff_coverage",
    "check_tiff_deflate",
    "check_tiff_fields",
    "check_tiff_packbits",
    "check_tiff_strips",
    "check_xpm",
    "check_xv_thumbnail",
    "classify",
    "damaged_png_chunks",
    "damaged_size_error",
    "dropped_png_text",
    "ends_with",
    "extra_icc_profiles",
    "jpeg_2000_with_bytes_after",
    "jpeg_frame",
    "jpeg_with_end_marker",
    "pcx_cut_short",
    "size_error",
    "skip_late_icc_profiles",
    "truncated_error",
]


def classify(
    error: Exception, file: BinaryIO, size: int, options: DecodeOptions, opened: bool
) -> DecodeError:
    """The DecodeError for what Pillow raised: `opened` where Image.open had read the header."""
    if isinstance(error, Image.DecompressionBombError):
        image = _image_refused(error)
        damaged = image and damaged_size_error(image.size, image.format)
        return damaged or DecodeError(TOO_LARGE, _bomb_reason(error, options))
    if isinstance(error, OSError) and error.errno is not None:
        # Pillow's own OSErrors carry no errno; one with an errno came from the operating system.
        return DecodeError(UNREADABLE, f"read error: {os_error_text(error)}")
    try:
        file.seek(0)
        head = file.read(512)
    except (OSError, ValueError):
        head = b""
    cut_short = truncated_error(size)
    identified = not isinstance(error, UnidentifiedImageError)
    if not identified and (metadata := _macos_metadata(head)):
        return DecodeError(NOT_AN_IMAGE, metadata)
    text = _reads_as_text(head)
    signatures = _signatures(head[:16])
    tiff = tiff_damage(file, size) if "TIFF" in signatures else None
    if tiff == CUT:
        return cut_short
    if tiff == PLACED_PAST_END:
        return DecodeError(
            DECODE_ERROR,
            "cannot decode: its TIFF directory places data past the end of the file, yet the "
            "file ends where another part it lists ends, or holds as many bytes as that part "
            "where no part lies (damaged inside, not cut short)",
        )
    if tiff is not None and tiff != STRIPS_WITHIN:
        return DecodeError(NOT_AN_IMAGE, f"TIFF signature, but {tiff}")
    if identified and _says_data_ended(error) and (not text or _TEXT_FORMATS & signatures.keys()):
        whole = _whole_file_end(file, size, signatures)
        if tiff == STRIPS_WITHIN:
            whole = "the strips its TIFF directory lists all lie within the file"
        if whole is not None:
            # The decoder ran out of data, yet the file ends as a whole one does: a length or
            # code inside read past the damage (a GIF's sub-block size, a JPEG segment's).
            return DecodeError(
                DECODE_ERROR,
                f"cannot decode: its data runs out before the image ends, yet {whole} "
                "(damaged inside, not cut short)",
            )
        return cut_short
    if REFUSED_FORMATS & signatures.keys():
        return DecodeError(NOT_AN_IMAGE, "EPS files are not read (Pillow runs Ghostscript)")
    if not identified and _cut_after_signature(head):
        return cut_short
    # A text file whose first letters happen to be a short signature ("BM...") is no image,
    # however far Pillow got with it; but one Pillow opened as a text format (a plain PPM) is.
    if text and not (opened and _TEXT_FORMATS & signatures.keys()):
        return DecodeError(NOT_AN_IMAGE, "not an image format Pillow can read")
    if container_cut_short(file, size):
        return cut_short
    # Without signatures in the way: Pillow's AVIF reader claims the generic "mif1" as well.
    if not identified and is_heif(head) and not heif_readable():
        return DecodeError(NOT_AN_IMAGE, f"HEIF support not installed: {HEIF_INSTALL}")
    if not identified:
        if "CUR" in signatures and head[4:6] == b"\0\0":
            # A cursor file with no cursors is none; a Targa file (TGA has no signature) of
            # the commonest kind, true colour without a colour map, starts with the same bytes.
            del signatures["CUR"]
        if "ICO" in signatures and len(head) >= 6 and head[4:6] == b"\0\0":
            # Pillow's reader takes the first entry of the directory as read, and fails on none.
            return DecodeError(
                NOT_AN_IMAGE, "ICO signature, but its directory lists no image (an empty icon)"
            )
        if _tga_like(head):
            signatures["TGA"] = True
        ended = jpeg_header_end(file) if "JPEG" in signatures else None
        if ended is not None and ended[0] == JPEG_END[1:]:
            # Pillow reads on past the end marker, and meets the file's end as in a cut header.
            return DecodeError(
                NOT_AN_IMAGE,
                "JPEG signature, but its end marker comes before any frame header: it holds no "
                "image",
            )
        if "TIFF" in signatures and (raw := camera_raw_header_error(file)):
            return raw  # a raw file under another name, whose raw image Pillow has no mode for
        hit_end, why = _why_not_opened(file, signatures)
        if hit_end:
            return cut_short
        return DecodeError(NOT_AN_IMAGE, why or "not an image format Pillow can read")
    pnm = PNM_MAGIC.match(head)
    if pnm and not opened and isinstance(error, ValueError):
        # Pillow's PNM reader refuses a header (a largest value of 0, a word for a number) with
        # a ValueError, which Image.open passes on rather than trying other formats.
        name = PNM_NAMES.get(pnm.group().rstrip(), "PNM")
        why = _pillow_says(error)
        return DecodeError(NOT_AN_IMAGE, f"{name} signature, but Pillow cannot open it: {why}")
    if "PCX" in signatures and pcx_cut_short(file, size):
        return cut_short
    if isinstance(error, MemoryError):
        return DecodeError(DECODE_ERROR, "out of memory while decoding")
    detail = _pillow_says(error) or "no detail"
    return DecodeError(DECODE_ERROR, f"cannot decode: {type(error).__name__}: {detail}")


# What a folder copied from a Mac holds beside its images, by their first bytes: a `find -iname
# '*.jpg'` list takes `._photo.jpg` too, whose error would else read as a damaged photo.
_MACOS_METADATA = (
    (
        b"\x00\x05\x16\x07",
        "macOS metadata of a file (AppleDouble: a copy from a Mac keeps a file's Finder data in "
        "`._name` beside it), not an image: leave out names starting with `._`",
    ),
    (b"\x00\x00\x00\x01Bud1", "macOS Finder's folder settings (.DS_Store), not an image"),
    (
        b"book\x00\x00\x00\x00mark",
        "a macOS Finder alias, not the image it points to: give the original (an alias renamed "
        "as its image, or copied off its Mac, is a file of its own, not a link)",
    ),
)


def _macos_metadata(head: bytes) -> str | None:
    """What a macOS metadata or alias file is, by its first bytes; None for any other file."""
    return next((why for magic, why in _MACOS_METADATA if head.startswith(magic)), None)


def _image_refused(error: Image.DecompressionBombError) -> Image.Image | None:
    """The image Image.open refused as a bomb, from its traceback (Pillow's `im`, a local of the
    function that checks it): the error gives the pixel count alone. None where none is found."""
    trace = error.__traceback__
    while trace is not None:
        image = trace.tb_frame.f_locals.get("im")
        if isinstance(image, Image.Image):
            return image
        trace = trace.tb_next
    return None


def _pillow_says(error: BaseException) -> str:
    """What a Pillow exception says, on one line. A KeyError says only the key that no table of
    Pillow's holds ("258", a TIFF's compression code), and Pillow's openers pass it on as a
    SyntaxError saying the same: that bare key is worded as what it is."""
    cause = error if isinstance(error, KeyError) else error.__cause__
    if isinstance(cause, KeyError) and cause.args and str(error) == str(cause):
        value = clipped_text(repr(cause.args[0]), 40)
        return f"the file holds a value Pillow does not know ({value})"
    text = " ".join(str(error).split())
    # Pillow's libtiff reader gives its decoder's status as a number, where its other readers
    # word it ("broken data stream when reading image file"; "out of memory" is -9).
    if (code := _BARE_DECODER_STATUS.fullmatch(text)) is not None:
        return str(ImageFile._get_oserror(int(code[1]), encoder=False))
    return text


_BARE_DECODER_STATUS = re.compile(r"decoder error (-\d+)")


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


# What a whole file of these formats ends with: a GIF's last block and trailer, a JPEG's end
# marker, a PNG's IEND chunk, a QOI's end marker (seven zero bytes and a one), a TGA 2.0
# footer (TGA has no signature: the footer alone tells).
_WHOLE_FILE_ENDS = {
    "GIF": (b"\x00;", "GIF trailer"),
    "JPEG": (JPEG_END, "JPEG end marker"),
    "PNG": (b"\x00\x00\x00\x00IEND\xaeB`\x82", "PNG IEND chunk"),
    "QOI": (b"\x00" * 7 + b"\x01", "QOI end marker"),
}


_TGA_FOOTER = b"TRUEVISION-XFILE.\x00"


def _whole_file_end(file: BinaryIO, size: int, signatures: dict[str, bool | str]) -> str | None:
    """How `file`, of the formats whose `signatures` it has, shows itself whole ("the file ends
    with the GIF trailer"; None where it does not): no file cut short ends with its format's
    end, but one cut at that very byte, and none is as long as a BMP header says it is."""
    ends = [end for name, end in _WHOLE_FILE_ENDS.items() if name in signatures]
    for marker, what in [*ends, (_TGA_FOOTER, "TGA footer")]:
        if ends_with(file, size, marker):
            return f"the file ends with the {what}"
    if "BMP" in signatures:  # a BMP has no end of its own: its header gives the file's length
        try:
            file.seek(2)
            declared = int.from_bytes(file.read(4), "little")
        except OSError:
            return None
        if declared == size:
            return f"the file is as long as its BMP header says ({size:,} bytes)"
    if "PCX" in signatures and pcx_palette_at_end(file, size):
        return "the file ends with the palette of a 256-colour PCX"
    if "PCX" in signatures and pcx_run_across_rows(file, size):
        return (
            "a run of its PCX pixels lies across the end of a row (or of a plane's row, where "
            "its runs break there), which a cut never makes"
        )
    return None


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
    reader, why = FileView(file), None
    for name in readable_formats():
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


# Whole signatures of formats whose header Pillow needs more bytes of to recognise the file
# than the signature has, and how many: a GIF's screen descriptor follows its signature, and
# Pillow takes a JPEG for one from its first 3 bytes, a marker's start after the 2 of its start
# of image marker. A file that ends before then, having the whole signature, was cut short,
# though "GIF89a" reads as text and two bytes are too few for Pillow.
_SIGNATURE_HEADERS = ((b"GIF87a", 13), (b"GIF89a", 13), (b"\xff\xd8", 4))


def _cut_after_signature(head: bytes) -> bool:
    """Whether `head`, a whole file's first bytes, is a whole signature of _SIGNATURE_HEADERS
    and ends before the header it starts."""
    return any(head.startswith(magic) and len(head) < need for magic, need in _SIGNATURE_HEADERS)


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


def _bomb_reason(error: Exception, options: DecodeOptions) -> str:
    match = re.search(r"\((\d+) pixels\)", str(error))
    pillow_error_limit = 2 * (Image.MAX_IMAGE_PIXELS or 0)
    declared = int(match.group(1)) if match else 0
    ours = declared > options.max_pixels
    pixels, limit = megapixels_texts(declared, options.max_pixels if ours else pillow_error_limit)
    what = f"{pixels} MP" if match else "the image"
    whose = f"the {limit} MP limit" if ours else f"Pillow's {limit} MP decompression-bomb limit"
    return f"{what} exceeds {whose} (raise it with --max-pixels)"
