"""Records that travel down the pipeline, and the vocabulary the stages share: statuses, the
prediction files' columns and extensions, precision names, and the encode_error reason.

A path and everything derived from it (pixels, status, embedding, prediction) travel in one record,
so a failure can never shift one image's result onto another image's path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, overload

import numpy as np

# The run's own statuses; a file's decode statuses (not_found, decode_error, ...): image_status.
STATUS_OK = "ok"
STATUS_NOT_EMBEDDED = "not_embedded"  # labelling from a store: the image is not in it
STATUS_CHANGED = "changed"  # labelling from a store: the file changed since it was stored
# The statuses of images a store is behind on, which `zsl embed` brings in (in name order).
STORE_BEHIND_STATUSES = (STATUS_CHANGED, STATUS_NOT_EMBEDDED)
# The model's embedding of the image is not finite or all zero (an fp16 overflow or underflow):
# that image fails, the others are labelled (see `encode_error_reason`).
STATUS_ENCODE_ERROR = "encode_error"
UNKNOWN_LABEL = "unknown"  # the label written when the top score is below --threshold
FAILED_LABEL = "failed"  # how evaluation names images that could not be labelled
SCORE_FORMAT = ".7g"  # how outputs write scores: float32 carries about 7 significant digits
# What joins a prediction's top-k labels (and scores) in one CSV cell: so no class name holds it.
TOP_K_SEPARATOR = "|"

# The prediction files' layout, which `writers` writes and `readers` reads back.
CSV_COLUMNS = ("path", "label", "score", "top_k_labels", "top_k_scores", "status", "error")
EXTENSION_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
# The sidecar's record of the output's size in bytes (readers drop it from the run info).
OUTPUT_BYTES_KEY = "output_bytes"


# torch's dtype names (`api._precision`, and what a store records) as --precision names them.
PRECISION_OPTIONS = {"float32": "fp32", "float16": "fp16", "bfloat16": "bf16"}


def unusable_embedding_cause(precision: str | None, zero: bool) -> str:
    """Why a model's embedding is not finite (`zero`: all zero), for an encoder running in
    `precision` (torch's dtype name; None where unknown): in half precision an overflow (or an
    underflow) that fp32 avoids; in fp32 the weights themselves."""
    what = "all zero" if zero else "not finite"
    option = PRECISION_OPTIONS.get(precision or "")
    if option in ("fp16", "bf16"):
        fix = "fp32 or bf16" if option == "fp16" else "fp32"
        flow = "underflow" if zero else "overflow"
        return f"{what}: an {flow} in {option}; --precision {fix} avoids it"
    if option == "fp32":
        given = "zero" if zero else "NaN or infinite"
        return f"{what}: the model's weights give {given} embeddings (are they damaged?)"
    return what


def usable_rows(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows of [n, dim] embeddings are usable (finite and not all zero), and which are
    finite: a model's way of saying it made no embedding of that input."""
    finite = np.isfinite(embeddings).all(axis=1)
    return finite & embeddings.any(axis=1), finite


def encode_error_reason(precision: str | None, zero: bool, store: bool = False) -> str:
    """The error of an image whose embedding is not finite (`zero`: all zero): its cause and the
    way out. `store`: the image was to go into an embedding store, which keeps a model's
    vectors in one precision, so another precision takes a new store."""
    reason = f"the model's embedding of this image is {unusable_embedding_cause(precision, zero)}"
    option = PRECISION_OPTIONS.get(precision or "")
    if store and option in ("fp16", "bf16"):
        reason += f", in a new store (this one keeps the model's {option} embeddings)"
    return reason


def written_score(score: float) -> float:
    """The score as outputs write it, so that what is decided from it agrees with what is read."""
    return float(format(float(score), SCORE_FORMAT))


@dataclass
class ImageItem:
    """One input image on its way through decode -> encode -> score."""

    index: int  # position in the run's deterministic input order
    path: Path
    status: str = STATUS_OK  # "ok" or a short reason: "truncated", "not_an_image", ...
    error: str = ""  # human-readable detail for a failed item
    pixels: np.ndarray | None = None  # the model's input: uint8 H x W x 3 (ImagePreprocessor)
    embedding: np.ndarray | None = None  # float32, L2-normalised

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


class LabelScore(NamedTuple):
    """One ranked alternative (a tuple: there are top-k of these per image, so they stay cheap)."""

    label: str
    score: float


class RankedScores(Sequence[LabelScore]):
    """Ranked alternatives held compactly: a tuple of class names (shared strings, as readers
    intern them) and a float64 array of their scores, which keeps each Python float exactly.

    A LabelScore per alternative takes some 140 bytes; with every class's score (top-k 0) that
    is 7 GB for 50,000 images and 1,000 classes, where this takes 16 bytes an alternative. It
    behaves as the tuple of LabelScore it stands for: indexing, slicing, iteration, `+`
    (which gives a tuple), equality, order and hash.
    """

    __slots__ = ("labels", "scores")

    def __init__(self, labels: tuple[str, ...], scores: np.ndarray | Sequence[float]) -> None:
        if len(labels) != len(scores):
            raise ValueError("labels and scores differ in length")
        # A read-only float64 copy: immutable, as the tuple it stands for, whatever the caller
        # later does with an array it passed (which stays as it was, writable).
        scores = np.array(scores, dtype=np.float64)
        scores.flags.writeable = False
        self.labels = labels
        self.scores = scores

    @classmethod
    def of(cls, ranked: Sequence[LabelScore]) -> RankedScores:
        """`ranked` as a RankedScores (itself when it is one)."""
        if isinstance(ranked, RankedScores):
            return ranked
        return cls(tuple(choice.label for choice in ranked), [choice.score for choice in ranked])

    def __len__(self) -> int:
        return len(self.labels)

    @overload
    def __getitem__(self, index: int) -> LabelScore: ...

    @overload
    def __getitem__(self, index: slice) -> RankedScores: ...

    def __getitem__(self, index: int | slice) -> LabelScore | RankedScores:
        if isinstance(index, slice):
            return RankedScores(self.labels[index], self.scores[index])
        return LabelScore(self.labels[index], float(self.scores[index]))

    def __iter__(self) -> Iterator[LabelScore]:
        return map(LabelScore, self.labels, self.scores.tolist())

    def __add__(self, other: object) -> tuple[LabelScore, ...]:
        # Joined as the tuples they stand for: `ranking + (LabelScore(...),)` works on both.
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        return tuple(self) + tuple(other)

    def __radd__(self, other: object) -> tuple[LabelScore, ...]:
        if not isinstance(other, tuple):
            return NotImplemented
        return other + tuple(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        # Itself, NaN scores and all, as a tuple is equal to itself.
        return self is other or tuple(self) == tuple(other)

    # Ordered as the tuples they stand for, against a tuple too (a failed image's top_k is ());
    # itself, NaN scores and all, as a tuple is equal to itself.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        return self is not other and tuple(self) < tuple(other)

    def __le__(self, other: object) -> bool:
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        return self is other or tuple(self) <= tuple(other)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        return self is not other and tuple(self) > tuple(other)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, (RankedScores, tuple)):
            return NotImplemented
        return self is other or tuple(self) >= tuple(other)

    def __hash__(self) -> int:
        if np.isnan(self.scores).any():
            # NaN hashes by identity, and iterating makes new floats each time: such a ranking
            # equals only itself, so its labels are hash enough.
            return hash(self.labels)
        return hash(tuple(self))

    def __reduce__(self) -> tuple[type[RankedScores], tuple[tuple[str, ...], np.ndarray]]:
        # Through __init__: an unpickled array is writable again, and __slots__ alone cannot be
        # pickled with protocols 0 and 1.
        return RankedScores, (self.labels, self.scores)

    def __repr__(self) -> str:
        return f"RankedScores({tuple(self)!r})"


@dataclass(frozen=True)
class Prediction:
    """One output row. `label` is "" for failed items and "unknown" when the model abstains."""

    path: str  # os.fsdecode form: undecodable bytes survive as surrogate escapes
    label: str
    score: float | None
    # zsl's are RankedScores, a failed image's (); `+` joins either as tuples are joined
    top_k: tuple[LabelScore, ...] | RankedScores = field(default_factory=tuple)
    status: str = STATUS_OK
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def as_dict(self) -> dict[str, Any]:
        """The prediction in plain values, keyed as a JSONL output's record (`top_k` a list of
        {"label", "score"}): ready for json.dumps or a pandas DataFrame, whose JSON or JSONL
        `zsl evaluate` reads (dataclasses.asdict keeps `top_k` a RankedScores, which neither
        takes)."""
        return {
            "path": self.path,
            "label": self.label,
            # Python floats: a caller's Prediction may hold numpy's, which json.dumps refuses.
            "score": None if self.score is None else float(self.score),
            "top_k": [{"label": label, "score": float(score)} for label, score in self.top_k],
            "status": self.status,
            "error": self.error,
        }
