"""Defaults that the library and the command line share, written once.

Plain values and the standard library alone: `zsl --help` shows them without importing numpy,
torch or transformers.
"""

from __future__ import annotations

DEFAULT_MODEL = "openai/clip-vit-base-patch32"

# The prompt for each attribute of --attributes (its column name or phrase).
DEFAULT_ATTRIBUTE_TEMPLATE = "a photo of something {}."
# A descriptor's prompt, "<class>, which has <descriptor>" (Menon & Vondrick).
DEFAULT_DESCRIPTION_TEMPLATE = "{}, which has {}"

# The files folders and globs are searched for: lower case, with the dot.
IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".mpo",  # a stereo camera's JPEG: its first frame
        ".png",
        ".apng",
        ".gif",
        ".bmp",
        ".dib",
        ".tif",
        ".tiff",
        ".webp",
        ".avif",
        ".heic",  # with the optional pillow-heif (else they fail, saying how to install it)
        ".heif",
        ".hif",  # HEIF as Canon and Fujifilm cameras name it
        ".ppm",
        ".pgm",
        ".pbm",
        ".pnm",
    }
)

# The hubness reductions, in the order `zsl hubness` compares them.
HUBNESS_METHODS = ("none", "csls", "isoftmax", "centering", "mp")
