"""Records that travel down the pipeline.

A path and everything derived from it (pixels, status, embedding, prediction) travel in one record,
so a failure can never shift one image's result onto another image's path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

STATUS_OK = "ok"
UNKNOWN_LABEL = "unknown"  # the label written when the top score is below --threshold
FAILED_LABEL = "failed"  # how evaluation names images that could not be labelled
SCORE_FORMAT = ".7g"  # how outputs write scores: float32 carries about 7 significant digits


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
    pixels: np.ndarray | None = None  # uint8 H x W x 3 at the model's input size
    embedding: np.ndarray | None = None  # float32, L2-normalised

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK


class LabelScore(NamedTuple):
    """One ranked alternative (a tuple: there are top-k of these per image, so they stay cheap)."""

    label: str
    score: float


@dataclass(frozen=True)
class Prediction:
    """One output row. `label` is "" for failed items and "unknown" when the model abstains."""

    path: str  # os.fsdecode form: undecodable bytes survive as surrogate escapes
    label: str
    score: float | None
    top_k: tuple[LabelScore, ...] = field(default_factory=tuple)
    status: str = STATUS_OK
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK
