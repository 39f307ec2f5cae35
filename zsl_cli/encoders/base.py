"""The encoder protocol every model backend implements, the small value types around it, and
the checks of a device and a precision given by name.

This module does not import torch: it is safe to import from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from PIL import Image

from zsl_cli.errors import ZslError
from zsl_cli.formatting import option_given
from zsl_cli.records import PRECISION_OPTIONS

DEVICE_KINDS = ("cpu", "cuda", "mps")
PRECISIONS = ("auto", "fp32", "fp16", "bf16")


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from: what the user typed and what from_pretrained gets."""

    name: str
    location: str  # local directory or hub id
    is_local: bool


@dataclass(frozen=True)
class ScoreHead:
    """How a model turns cosine similarities into scores.

    softmax: p = softmax(scale * cos) over the candidate classes (CLIP).
    sigmoid: p = sigmoid(scale * cos + bias), each class on its own (SigLIP).
    """

    kind: Literal["softmax", "sigmoid"]
    scale: float
    bias: float = 0.0


class ImagePreprocessor(Protocol):
    """Turns a decoded RGB image into the model's uint8 input (H x W x 3): of one size for
    most models; for SigLIP2's NaFlex, of the image's aspect ratio, each side a whole number of
    patches.

    Runs in decode workers, threads or forked processes, so it must be thread-safe; it may use
    torch's CPU kernels, imported when first needed (the workers start before the model loads).
    """

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) of the arrays it returns (a square image's, where it varies)."""
        ...

    @property
    def decode_hint(self) -> tuple[int, int] | None:
        """(width, height) the decoder may shrink to before preprocessing (PIL draft), or None."""
        ...

    def resized_pixels(self, width: int, height: int) -> int:
        """Pixels of the image a width x height input is resized to before any crop (a thin
        strip scaled up to the model's shorter side can take gigabytes)."""
        ...

    def __call__(self, image: Image.Image) -> np.ndarray: ...

    def set_up_process(self) -> None:
        """Run once in each decode worker process, before its first image."""
        ...


class Encoder(Protocol):
    """A dual image/text encoder. Embeddings are float32 and L2-normalised.

    Four attributes are optional, outside the protocol (an Encoder of a caller's own, or one
    with `__slots__`, may lack them, and runs as before): `weight_files_fingerprint`, the hash
    of the weight files it was loaded from (ours make it; api sets it where it hashed them
    first); `commit`, the hub commit it was loaded from, which the run info records (None for
    a model folder's); `former_identities`, the identities the same model had under an older zsl's
    preprocessing, whose stored vectors a store read takes where the current identity has none,
    and `zsl embed` replaces; and `_zsl_opened_with`, the ModelOptions `api.open_encoder` loaded
    it with, whose batch_size and workers a run takes where its request leaves them None.

    An Encoder may also stream its text embeddings (`TextChunks`, as ours do): the class vectors
    are then mixed as they come, without every prompt's embedding at once."""

    @property
    def name(self) -> str:
        """What the user asked for (bundled name, directory or hub id)."""
        ...

    @property
    def identity(self) -> str:
        """Stable hash of the weights and preprocessing: embeddings are comparable iff equal."""
        ...

    @property
    def head(self) -> ScoreHead: ...

    @property
    def dim(self) -> int: ...

    @property
    def preprocessor(self) -> ImagePreprocessor: ...

    @property
    def exact_preprocessing(self) -> bool:
        """Pixels exactly as the model's own processor gives them (no reduced-scale decoding)."""
        ...

    def encode_images(self, pixels: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """uint8 [B, H, W, 3] from `preprocessor` -> float32 [B, dim]; or a sequence of its
        arrays, which images of varying shape (NaFlex) come as. An image the model makes no
        usable embedding of (an fp16 overflow) gets a row of NaN, or of zeros: that image
        fails as an encode_error, and the batch's others are used."""
        ...

    def encode_texts(
        self, texts: Sequence[str], advance: Callable[[int], object] | None = None
    ) -> np.ndarray:
        """Prompts -> float32 [len(texts), dim]. `advance`, where given, is called with the
        number of texts done as their embeddings are made (the calls add up to len(texts)):
        80 templates for 3,000 classes take minutes on a CPU."""
        ...

    @property
    def prompt_tokens(self) -> int:
        """The tokens of a prompt the text model reads, special tokens included."""
        ...

    def prompts_cut_short(self, texts: Sequence[str]) -> list[str]:
        """The texts longer than `prompt_tokens`: they are encoded cut short."""
        ...


class TextChunks(Protocol):
    """The optional streaming form of `Encoder.encode_texts`, which `api.build_classifier` uses
    where an Encoder's class defines it beside its encode_texts.

    A second method, not a variant of encode_texts: an Encoder of a caller's own that has
    encode_texts alone works as before, and one whose encode_texts is its own (a wrapper that
    passes every other name on to one of ours, a subclass) is not bypassed by a stream it
    did not write. Its chunks carry their rows, as an encoder may encode texts in any order
    (ours sort them by length, so that a forward pass pads little)."""

    def encode_text_chunks(self, texts: Sequence[str]) -> Iterable[tuple[np.ndarray, np.ndarray]]:
        """Prompts -> (rows, embeddings) chunks: `rows` int [k], indices into `texts`, and
        their float32 [k, dim] embeddings, as encode_texts gives them; every text in exactly
        one chunk. A run's progress counts the rows as each chunk arrives."""
        ...


def check_device(device: str) -> None:
    """Refuse a device of no kind zsl runs on. Told without torch, so that a typo is not
    found only after the inputs were scanned and torch imported (seconds); whether the machine
    has that device, torch tells when the model loads."""
    kind, colon, index = device.partition(":")
    numbered = not colon or (index.isascii() and index.isdigit())  # torch takes cpu:0 too
    if device != "auto" and (kind not in DEVICE_KINDS or not numbered):
        raise ZslError(f"{option_given('--device', device)}: choose auto, cpu, cuda, cuda:N or mps")


def check_precision(precision: str) -> str:
    """The precision as zsl names it (fp16), given so or as run info records it (float16);
    refused, as `check_device` refuses a device, where zsl does not run in it. The one place
    these names are mapped: --precision, `api.ModelOptions` and `load_encoder` take them all."""
    option = PRECISION_OPTIONS.get(precision, precision)
    if option not in PRECISIONS:
        recorded = ", ".join(PRECISION_OPTIONS)
        raise ZslError(
            f"{option_given('--precision', precision)}: choose auto, fp32, fp16 or bf16 (or as "
            f"run info records them: {recorded})"
        )
    return option


def dtype_name(dtype: object) -> str:
    """torch's name of a dtype without its module ("float32", "bfloat16"), as stores and
    messages name a precision; `dtype` is a torch.dtype, which this module need not import."""
    return str(dtype).removeprefix("torch.")
