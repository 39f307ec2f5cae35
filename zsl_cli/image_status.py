"""The statuses a decode ends in, `DecodeError` that carries one, and `DecodeOptions`, with the
wording their reasons share: the vocabulary of `zsl_cli.images` (whose docstring says what each
status means), kept here so that `image_damage` need not import `images`. Callers import these
names from `zsl_cli.images`."""

from __future__ import annotations

from dataclasses import dataclass

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
    """A file that cannot be decoded: `status` is a short code (see zsl_cli.images), `reason`
    a line."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def __reduce__(self) -> tuple[type[DecodeError], tuple[str, str]]:
        # Exceptions pickle as cls(*args); ours takes two arguments (worker processes need this).
        return DecodeError, (self.status, self.reason)


def too_large_reason(size: tuple[int, int], max_pixels: int) -> str:
    pixels, limit = megapixels_texts(size[0] * size[1], max_pixels)
    return (
        f"{size[0]}x{size[1]} = {pixels} MP exceeds the {limit} MP limit "
        "(raise it with --max-pixels)"
    )


def megapixels_text(pixels: int) -> str:
    megapixels = pixels / 1e6
    return f"{megapixels:,.0f}" if megapixels >= 100 else f"{megapixels:.3g}"


def megapixels_texts(pixels: int, limit: int) -> tuple[str, str]:
    """`pixels` and `limit` in MP, with as many digits as it takes to tell them apart: rounded
    alike, "0.015 MP exceeds the 0.015 MP limit" read as a contradiction."""
    texts = megapixels_text(pixels), megapixels_text(limit)
    digits = 4
    while texts[0] == texts[1] and pixels != limit and digits <= 12:
        texts = f"{pixels / 1e6:,.{digits}g}", f"{limit / 1e6:,.{digits}g}"
        digits += 1
    return texts


def os_error_text(error: OSError) -> str:
    return (error.strerror or str(error)).lower()
