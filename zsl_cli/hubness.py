"""Hubness of class prompts over a folder of images: k-occurrence statistics and reductions.

Setting: the queries are the N images of the folder being labelled, the targets are the C classes,
and the input is their cosine-similarity matrix `sims` [N, C] (float32, higher = more similar).
Because zsl labels a whole folder at once, the folder is its own query bank: every per-class
statistic below is taken over the folder's images.

Score contract of the reductions (`reduced_chunks`, which labelling uses, and `compare`):
- Every method returns an *adjusted similarity* [N, C] float32 on the cosine scale, so the model's
  own head (softmax(scale * s) for CLIP, sigmoid(scale * s + bias) for SigLIP) can be applied to it
  unchanged (mp, below, also lowers each image's best similarities, which a sigmoid's scores show).
- For each image, sorting its row of the output gives exactly the method's ranking of the classes.
- csls, isoftmax and centering are "cosine minus a per-class offset" up to per-image constants
  (which never change an image's ranking). They return  s'(i, c) = cos(i, c) - (o(c) - mean_c o),
  i.e. the offsets are centred over classes, so each image's mean over classes is unchanged and a
  class of average hubness keeps its raw cosines:
    csls:       o(c) = r_cls(c) / 2, r_cls(c) = mean cosine of class c to its K most similar
                images.  s' = (CSLS(i, c) + r_img(i) + mean_c r_cls) / 2 with
                CSLS = 2 cos - r_img - r_cls (Lample et al. 2018).
    isoftmax:   o(c) = logsumexp_i(b * cos(i, c)) / b.  s' = log P(c | i) / b + const(i) for the
                inverted softmax P(c | i) proportional to
                exp(b cos(i, c)) / sum_i' exp(b cos(i', c)) (Smith et al. 2017), in log space.
    centering:  o(c) = mean_i cos(i, c).
- mp (mutual proximity, Gaussian) yields a probability MP(i, c) = P_i(S < s) * P_c(S < s), each
  factor from a normal fitted to that point's similarities (image i over its C classes, class c
  over the N images; population std). It returns
        s'(i, c) = mu_i + sd_i * Phi^-1( sqrt(MP(i, c)) ),
  the cosine at which image i's own normal reaches the geometric mean of the two percentiles. It is
  strictly increasing in MP for each image (so the ranking is MP's), equals the raw cosine when
  image and class agree on the pair's percentile, and is lower (higher) when the class finds the
  image less (more) remarkable than the image finds the class: hubs are pushed down, antihubs up.
  Exception: an image with the same similarity to every class (sd_i = 0) keeps all scores equal.
  Unlike the other three, mp is not centred per image, and it moves an image's whole row: in the
  runs measured it put each image's best classes below their raw cosines (a class finds an image
  of its own less remarkable than the image finds the class, the class's images being many). A
  softmax reads only the differences within a row and hardly shows it (shapes-demo over the
  demo's 600 images: mean top score 0.887 raw, 0.888 with mp); a sigmoid scores each similarity
  as it is, so its scores fall across the board (a sharpened tiny SigLIP over the same images:
  median top score 0.836 raw, 0.589 with mp; the raw run's --threshold for 50% coverage kept 262
  images under mp, not 300). So with a sigmoid, a --threshold or a selective-labelling table
  read off a run without mp does not hold for a run with it.

Choices:
- `isoftmax` is the plain inverted softmax over the folder. QB-Norm's dynamic variant normalises
  only queries whose top-1 class is in the activation set (classes that are some bank image's
  top-1); with the folder as its own bank every image qualifies, so it would be the same thing.
- `mp` is the Gaussian variant: the empirical one needs, for every pair, a count over all N images
  (N^2 C work), while the Gaussian needs one mean and std per image and per class.
- The folder is the query bank, so the class statistics need images: with a single image, or
  copies of one (`copies_of_one`), centering and isoftmax make all its classes tie, and zsl label
  and zsl hubness refuse such a folder. Classes with no close image in the folder have a low
  CSLS/isoftmax offset and are promoted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, NamedTuple, Protocol

import numpy as np

from zsl_cli.defaults import HUBNESS_METHODS as METHODS
from zsl_cli.errors import ZslError
from zsl_cli.formatting import counted, percent
from zsl_cli.metrics import harmonic_mean, mean_per_class
from zsl_cli.scoring import row_blocks, rows_within, similarities

DEFAULT_K = 10
# b = 20 as in QB-Norm. b -> 0 turns the inverted softmax into centering (the class offset becomes
# the mean over images); b -> inf subtracts each class's single best cosine, which one outlier image
# decides. At b = 20 a cosine gap of 0.05 weighs e^1, so the offset is a soft maximum over the
# few per cent of images most similar to the class (cosines of CLIP-like models spread ~0.05-0.1).
DEFAULT_TEMPERATURE = 20.0
DEFAULT_HUB_SIZE = 2.0
# A hub is a class that many images share among their k nearest: where the images are too few
# for twice the mean N_k to reach 2 (N * k < C), a class one image picks would pass for a hub,
# and hub occupancy would be 100% whatever the similarities.
MIN_HUB_N_K = 2.0
# Rule of thumb from the hubness literature: an N_k skewness below ~1 is mild.
LOW_SKEWNESS = 1.0
# Without truth, hubness is judged only from this mean N_k (N * k / C) up. Where each image's k
# classes are drawn at random, N_k is binomial, its std about sqrt(mean): a hub (at the default
# hub size, twice the mean) then stands sqrt(mean) stds above the mean. Under a mean of 4 that is
# under 2 stds, so chance alone makes 5% of the classes hubs or more (26% at a mean of 1), and
# gives N_k a skewness of about 1 / sqrt(mean), 0.5 or more, half the cut-off or more: neither
# the hubs nor the skewness tell hubness from chance there.
MIN_MEAN_N_K = 4.0
# N_k count hubness only where they vary more than chance would make them vary, tested at this
# level: a one-sided chi-square test of their dispersion (see `chance_std`).
CHANCE_LEVEL = 0.001
_CHANCE_Z = NormalDist().inv_cdf(1 - CHANCE_LEVEL)
# A reduction is recommended on accuracy only if it gains at least half a point of the number
# compared (H, or mean per-class accuracy): smaller differences are within the noise of a folder
# of a few hundred images.
_MIN_GAIN = 0.005
# A gain in accuracy must also rest on more truth images than a near tie turns: an image whose two
# best classes score nearly alike changes its top-1 under any reduction, to right or to wrong by
# chance, and a truth of one image per class makes one such image its whole class's accuracy. The
# gain is therefore recommended only where it exceeds what this many truth images, turned from
# wrong to right, could add to the number compared (those that weigh most: of the classes with
# the fewest truth images): 0.67 points over 30 classes of 10 images each, all of it over one
# image. Below that no verdict is given, as without truth where the counts cannot tell.
NOISE_IMAGES = 2
# Accuracies and Robin Hood indices are compared to this many decimals: one image (or one
# occurrence) more or less moves them far more.
_ACCURACY_DIGITS = 9

# Rows per chunk are chosen so that one float64 temporary of a chunk stays near 8 MB.
_CHUNK_ELEMENTS = 1 << 20
# Mutual proximity's float64 temporaries are kept near 512 KB, within a core's L2 cache (1-2 MB
# on current x86 and ARM CPUs).
_CACHED_ELEMENTS = 1 << 16
# The normal's upper tail 1 - Phi(z) underflows a float64 near z = 37.5; clipping z at 35 keeps
# Phi^-1 finite (a pair that far out is the top match either way).
_MAX_Z = 35.0
# Similarities come from float32 embeddings: a spread below 8 float32 epsilons (~1e-6, scaled
# by the mean where it exceeds 1) is rounding, not a difference between images.
_NO_SPREAD = 8 * float(np.finfo(np.float32).eps)


@dataclass(frozen=True)
class HubnessStats:
    """k-occurrence statistics of the classes (targets) over the images (queries)."""

    k: int
    n_queries: int
    n_targets: int
    skewness: float  # biased sample skewness of N_k over all classes (0 when all N_k are equal)
    hub_occupancy: float  # share of all k-occurrences that fall on hubs
    antihub_rate: float  # share of classes with N_k = 0
    robin_hood: float  # share of occurrences that would have to move to make N_k uniform
    n_hubs: int  # classes with N_k >= hub_threshold
    top_hubs: list[tuple[int, int]]  # (class index, N_k) of the largest hubs, largest first
    hub_threshold: float  # hub_size * n_queries * k / n_targets, at least MIN_HUB_N_K


class Hub(NamedTuple):
    """A class that is among the k nearest classes of many images: its name and its N_k."""

    class_name: str  # "class" in the JSON document
    n_k: int


@dataclass(frozen=True)
class MethodHubness:
    """One reduction method's k-occurrence statistics over the images (rates are fractions 0-1)
    and, with a truth, its top-1 accuracy."""

    skewness: float  # of N_k over the classes
    hub_occupancy: float  # the share of all k-occurrences that fall on hubs
    antihub_rate: float  # the share of classes with N_k = 0
    robin_hood: float  # the share of occurrences that would have to move to even the N_k out
    n_hubs: int
    top_hubs: tuple[Hub, ...]  # up to `compare`'s top (5), largest first
    # With a truth: mean_per_class and overall, and with an unseen mask seen_mean_per_class,
    # unseen_mean_per_class and harmonic_mean, each where its classes are present; in that
    # order. None without a truth, or where no image has a known class.
    accuracy: Mapping[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        """The method's entry of the `--json` document's `methods`."""
        entry: dict[str, Any] = {
            "skewness": self.skewness,
            "hub_occupancy": self.hub_occupancy,
            "antihub_rate": self.antihub_rate,
            "robin_hood": self.robin_hood,
            "n_hubs": self.n_hubs,
            "top_hubs": [{"class": hub.class_name, "n_k": hub.n_k} for hub in self.top_hubs],
        }
        if self.accuracy is not None:
            entry["accuracy"] = dict(self.accuracy)
        return entry


@dataclass(frozen=True)
class Comparison:
    """What `compare` measured: the measures that open the `--json` document of `zsl hubness`
    (`api.HubnessReport` holds them under the same names, in the same order)."""

    k: int  # the k-occurrence size used
    k_requested: int | None  # the one given; None: `default_k`
    n_images: int
    n_classes: int
    # The N_k a class needs to be a hub (the same for every method); over n_images where
    # k > C / hub_size (k = 10 over 11 to 19 classes): then no class can be one, whatever the
    # similarities, and the largest k under which one can is worth saying.
    hub_threshold: float
    largest_hub_k: int
    methods: Mapping[str, MethodHubness]  # per method asked for, in their order
    recommendation: str  # the advice, a sentence (`Recommendation.text`)
    recommended_method: str | None  # `Recommendation.method`


class LazySimilarities:
    """The cosine similarities [N, C] of N image and C class embeddings, computed a block of rows
    at a time when sliced (`sims[rows]`), never whole: 100,000 images x 20,000 classes would be
    8 GB of float32. Every function here that takes `sims` takes this too; each pass over it
    repeats the matrix product, which `similarity_matrix` spares when the matrix is small."""

    ndim = 2
    dtype = np.dtype(np.float32)

    def __init__(self, images: np.ndarray, class_vectors: np.ndarray) -> None:
        self.images = np.asarray(images, dtype=np.float32)
        self.class_vectors = np.asarray(class_vectors, dtype=np.float32)
        self.shape = (self.images.shape[0], self.class_vectors.shape[0])

    def __getitem__(self, rows: slice) -> np.ndarray:
        return similarities(self.images[rows], self.class_vectors)


Sims = np.ndarray | LazySimilarities  # [N, C] similarities, kept or computed per block of rows

# Up to this many images x classes (1 GB of float32), the similarities are computed once and kept.
DENSE_SIMILARITY_CELLS = 1 << 28


def similarity_matrix(images: np.ndarray, class_vectors: np.ndarray) -> Sims:
    """Cosine similarities [N, C] as an array when they fit DENSE_SIMILARITY_CELLS, else lazily."""
    if images.shape[0] * class_vectors.shape[0] <= DENSE_SIMILARITY_CELLS:
        return similarities(images, class_vectors)
    return LazySimilarities(images, class_vectors)


def copies_of_one(embeddings: np.ndarray) -> bool:
    """Whether the N image embeddings [N, D] are copies of one image: each within float32
    rounding of the first (copies of a file encoded at other places in a batch differ in their
    last bits). Class vectors are at most of unit length, so no class's similarity then varies
    over the images beyond rounding: the reductions, and the spread of images over classes,
    learn no more from them than from the image alone."""
    if not len(embeddings):
        return False
    # A block at a time: the images of most runs differ within the first block.
    for rows in _row_chunks(embeddings.shape[0], embeddings.shape[1], None):
        distances = np.linalg.norm(embeddings[rows] - embeddings[0], axis=1)
        if (distances > _NO_SPREAD).any():
            return False
    return True


def reduced_chunks(
    sims: Sims,
    method: str,
    *,
    k: int = DEFAULT_K,
    temperature: float = DEFAULT_TEMPERATURE,
    chunk_rows: int | None = None,
) -> Iterator[np.ndarray]:
    """Hubness-reduced similarities (float32 on the cosine scale; higher = better), a block of
    rows at a time, in order: nothing [N, C] is kept.

    See the module docstring for the score contract of each method. `k` is the CSLS neighbourhood
    size (clipped to N); `temperature` is the inverted-softmax multiplier b on cosines (an inverse
    temperature: larger = sharper). Class statistics come from every row of `sims`, so pass the
    whole folder, not one batch at a time.
    """
    sims = _checked_sims(sims)
    fitted = _fit_methods(sims, [method], k=k, temperature=temperature, chunk_rows=chunk_rows)
    for rows in _row_chunks(sims.shape[0], sims.shape[1], chunk_rows):
        yield fitted[method](sims[rows])


def hubness_stats(
    n_k: np.ndarray,
    k: int,
    n_queries: int,
    hub_size: float = DEFAULT_HUB_SIZE,
    top: int = 5,
) -> HubnessStats:
    """Skewness, hub occupancy, antihub rate and Robin Hood index of a k-occurrence vector.

    Hubs are classes with N_k >= hub_size * n_queries * k / C (hub_size times the mean N_k when
    queries and targets differ), and at least MIN_HUB_N_K; `top_hubs` lists at most `top` of
    them, largest N_k first, ties by index.
    """
    counts = np.asarray(n_k)
    if counts.ndim != 1 or counts.size == 0 or not np.issubdtype(counts.dtype, np.integer):
        raise ValueError("n_k must be a non-empty 1-D integer array")
    if (counts < 0).any():
        raise ValueError("n_k must not contain negative counts")
    if n_queries < 1:
        raise ZslError("no images to measure hubness on: give at least one readable image")
    if k < 1:
        raise ZslError(f"--neighbours {k!r}: give a whole number, 1 or more")

    n_targets = counts.size
    values = counts.astype(np.float64)
    total = values.sum()
    mean = values.mean()
    deviations = values - mean
    second_moment = np.mean(deviations**2)
    # Biased (Fisher) sample skewness, as scipy.stats.skew; 0 when all counts are equal, as
    # scikit-hubness does (scipy returns nan there).
    skewness = 0.0 if second_moment <= 0 else float(np.mean(deviations**3) / second_moment**1.5)

    hub_threshold = max(hub_size * n_queries * k / n_targets, MIN_HUB_N_K)
    is_hub = values >= hub_threshold
    hub_indices = np.flatnonzero(is_hub)
    # Largest first, ties by class index: lexsort sorts by the last key first.
    ordered = hub_indices[np.lexsort((hub_indices, -counts[hub_indices]))]
    top_hubs = [(int(c), int(counts[c])) for c in ordered[: max(top, 0)]]

    return HubnessStats(
        k=k,
        n_queries=n_queries,
        n_targets=n_targets,
        skewness=skewness,
        hub_occupancy=float(values[is_hub].sum() / total) if total > 0 else 0.0,
        antihub_rate=float(np.mean(counts == 0)),
        robin_hood=float(0.5 * np.abs(deviations).sum() / total) if total > 0 else 0.0,
        n_hubs=int(is_hub.sum()),
        top_hubs=top_hubs,
        hub_threshold=float(hub_threshold),
    )


def compare(
    sims: Sims,
    class_names: Sequence[str],
    *,
    k: int | None = None,
    methods: Sequence[str] = METHODS,
    truth: np.ndarray | None = None,
    unseen_mask: np.ndarray | None = None,
    unlisted_classes: int = 0,
    failed_truth: np.ndarray | None = None,
    reduction_k: int = DEFAULT_K,
    temperature: float = DEFAULT_TEMPERATURE,
    hub_size: float = DEFAULT_HUB_SIZE,
    top: int = 5,
    chunk_rows: int | None = None,
) -> Comparison:
    """Hubness statistics (and accuracy, with `truth`) of each method.

    `k` is the k-occurrence size, clipped to C - 1 so that it stays informative (`Comparison.k`
    reports the value used; None for `default_k`); `reduction_k` and `temperature` set each
    reduction's fit.
    `truth` holds one class index per image: -1 = unknown, and C to C + `unlisted_classes` - 1 = a
    truth class outside the class list (never predicted, so always wrong); `unseen_mask` is a bool
    over those C + `unlisted_classes` truth classes. `failed_truth` holds the truth indices of
    images that could not be read (no similarities): they count as wrong, as zsl evaluate counts
    them. Accuracy (`MethodHubness.accuracy`) is top-1 over all classes: "mean_per_class" over
    the classes present in truth, "overall" over images with a known class, and with
    `unseen_mask` "seen_mean_per_class" and "unseen_mean_per_class" over the seen and the unseen
    classes present, and "harmonic_mean", their H (Xian et al. 2018). It is None when no image
    has a known class; a group's key is left out when none of its classes is present,
    "harmonic_mean" unless both are. The advice ranks methods by H where it is known
    (generalised zero-shot is judged by it), else by mean per-class accuracy, and names the
    number it used.
    """
    sims = _checked_sims(sims)
    n_images, n_classes = sims.shape
    if n_images == 0:
        raise ZslError("no images to measure hubness on: give at least one readable image")
    if len(class_names) != n_classes:
        raise ValueError(f"{len(class_names)} class names for {n_classes} similarity columns")
    check_class_count(n_classes)
    if k is not None and k < 1:
        raise ZslError(f"--neighbours {k!r}: give a whole number, 1 or more")
    k_used = default_k(n_classes) if k is None else min(k, n_classes - 1)
    requested = check_methods(methods)
    n_truth_classes = n_classes + unlisted_classes
    truth = _checked_truth(truth, n_images, n_truth_classes)
    if failed_truth is not None:
        failed_truth = _checked_truth(failed_truth, len(failed_truth), n_truth_classes)
    unseen_mask = _checked_unseen_mask(unseen_mask, n_truth_classes)

    # The recommendation is relative to raw similarities, so "none" is always measured.
    measured = ("none",) + tuple(m for m in requested if m != "none")
    adjusts = _fit_methods(
        sims, measured, k=reduction_k, temperature=temperature, chunk_rows=chunk_rows
    )
    counts = {method: np.zeros(n_classes, dtype=np.int64) for method in measured}
    top1 = {method: np.empty(n_images, dtype=np.int64) for method in measured}
    # Every method adjusts the same block of similarities, computed once per pass.
    for rows in _row_chunks(n_images, n_classes, chunk_rows):
        block = sims[rows]
        for method in measured:
            adjusted = adjusts[method](block)
            counts[method] += _count_top_k(adjusted, k_used)
            top1[method][rows] = adjusted.argmax(axis=1)

    entries: dict[str, MethodHubness] = {}
    hits: dict[str, tuple[np.ndarray, np.ndarray] | None] = {}
    for method in measured:
        stats = hubness_stats(counts[method], k_used, n_images, hub_size=hub_size, top=top)
        accuracy = None
        if truth is not None:
            hits[method] = _hits(top1[method], truth, failed_truth)
            accuracy = _accuracy(hits[method], unseen_mask, n_truth_classes)
        entries[method] = _method_hubness(stats, class_names, accuracy)

    advice = _recommendation(
        entries,
        k_used,
        n_images=n_images,
        n_classes=n_classes,
        n_k_std=float(counts["none"].std()),
        hub_size=hub_size,
        flips=_flips(hits, entries, unseen_mask, n_truth_classes),
    )
    return Comparison(
        k=k_used,
        k_requested=k,
        n_images=n_images,
        n_classes=n_classes,
        hub_threshold=stats.hub_threshold,
        largest_hub_k=largest_hub_k(n_classes, hub_size),
        methods={m: entries[m] for m in requested},
        recommendation=advice.text,
        recommended_method=advice.method,
    )


# --- fitting: per-class statistics over the query bank, then a per-chunk adjustment -------------


class _Adjust(Protocol):
    def __call__(self, chunk: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class _Identity:
    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        return chunk.astype(np.float32, copy=False)


@dataclass(frozen=True)
class _ClassOffset:
    """s' = s - offset(c), with offsets centred over classes (see the module docstring)."""

    offset: np.ndarray  # float32 [C], mean 0

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        return (chunk - self.offset).astype(np.float32, copy=False)


@dataclass(frozen=True)
class _MutualProximity:
    """Gaussian mutual proximity, mapped back onto image i's cosine scale."""

    class_mean: np.ndarray  # float64 [C]
    class_std: np.ndarray  # float64 [C]

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        out = np.empty(chunk.shape, dtype=np.float32)
        # Dozens of elementwise passes over float64 temporaries follow: taken a few rows at a
        # time, the temporaries stay in the CPU cache, which saves a third to a half of the time
        # of 8 MB ones.
        cached_rows = rows_within(_CACHED_ELEMENTS, chunk.shape[1])
        for rows in row_blocks(chunk.shape[0], cached_rows):
            out[rows] = self._reduce_rows(chunk[rows])
        return out

    def _reduce_rows(self, chunk: np.ndarray) -> np.ndarray:
        sims = chunk.astype(np.float64)
        image_mean = sims.mean(axis=1, keepdims=True)
        image_std = sims.std(axis=1, keepdims=True)
        log_root = _log_ndtr(_standardise(sims, image_mean, image_std))
        log_root += _log_ndtr(_standardise(sims, self.class_mean, self.class_std))
        # log sqrt(MP): the geometric mean of the two percentiles.
        log_root *= 0.5
        scores = _ndtri_from_log(log_root)
        scores *= image_std
        scores += image_mean
        return scores


def _fit_methods(
    sims: Sims, methods: Sequence[str], *, k: int, temperature: float, chunk_rows: int | None
) -> dict[str, _Adjust]:
    """Each method's adjustment, fitted from one pass over `sims` that gathers the class
    statistics of all of them (over LazySimilarities, every pass repeats the matrix product)."""
    check_methods(methods)
    n_images, n_classes = sims.shape
    if n_images == 0:  # nothing to fit: every method leaves the (empty) scores alone
        return {method: _Identity() for method in methods}
    if "csls" in methods and k < 1:
        raise ZslError(f"the CSLS neighbourhood k must be at least 1, got {k}")
    if "isoftmax" in methods and not 0 < temperature < math.inf:
        raise ZslError(
            f"the inverted-softmax temperature must be a positive finite number, got {temperature}"
        )
    stats = _ClassStatistics(
        n_classes,
        top_k=min(k, n_images) if "csls" in methods else 0,
        beta=temperature if "isoftmax" in methods else None,
        mean="centering" in methods or "mp" in methods,
        std="mp" in methods,
    )
    if stats.needed:
        for rows in _row_chunks(n_images, n_classes, chunk_rows):
            stats.add(sims[rows])
    adjusts: dict[str, _Adjust] = {}
    for method in methods:
        if method == "none":
            adjusts[method] = _Identity()
        elif method == "csls":
            adjusts[method] = _centred_offset(0.5 * stats.top_mean())
        elif method == "isoftmax":
            adjusts[method] = _centred_offset(stats.logsumexp() / temperature)
        elif method == "centering":
            adjusts[method] = _centred_offset(stats.mean())
        else:
            adjusts[method] = _MutualProximity(stats.mean(), stats.std())
    return adjusts


def _centred_offset(offset: np.ndarray) -> _ClassOffset:
    return _ClassOffset((offset - offset.mean()).astype(np.float32))


class _ClassStatistics:
    """Per-class statistics over all images, gathered a block of rows at a time; only those
    asked for are kept: the `top_k` largest similarities (csls), logsumexp of `beta` times the
    similarities (isoftmax), the mean (centering, mp) and the population std (mp)."""

    def __init__(
        self, n_classes: int, *, top_k: int, beta: float | None, mean: bool, std: bool
    ) -> None:
        self.top_k, self.beta, self.keep_mean, self.keep_std = top_k, beta, mean or std, std
        self.n_rows = 0
        # The k largest similarities so far, one row per class (see `_add_top`).
        self.best = np.empty((n_classes, 0), dtype=np.float32)
        self.running_max = np.full(n_classes, -np.inf)
        self.running_sum = np.zeros(n_classes)
        self.total = np.zeros(n_classes)
        self.squared_deviations = np.zeros(n_classes)

    @property
    def needed(self) -> bool:
        return bool(self.top_k) or self.beta is not None or self.keep_mean

    def add(self, block: np.ndarray) -> None:
        if self.top_k:
            self._add_top(block)
        if self.beta is not None:
            # Streamed logsumexp: rescale the running sum whenever a class's maximum grows.
            scaled = np.multiply(block, self.beta, dtype=np.float64)
            new_max = np.maximum(self.running_max, scaled.max(axis=0))
            self.running_sum *= np.exp(self.running_max - new_max)
            scaled -= new_max
            np.exp(scaled, out=scaled)
            self.running_sum += scaled.sum(axis=0)
            self.running_max = new_max
        if self.keep_mean:
            block_total = block.sum(axis=0, dtype=np.float64)
            if self.keep_std:
                # Squared deviations from the block's own mean, merged with the running ones by
                # Chan et al.'s update: one pass, without the cancellation of E[x^2] - E[x]^2.
                n_block = block.shape[0]
                block_mean = block_total / n_block
                block_squares = ((block - block_mean) ** 2).sum(axis=0)
                if self.n_rows:
                    delta = block_mean - self.total / self.n_rows
                    block_squares += delta**2 * (self.n_rows * n_block / (self.n_rows + n_block))
                self.squared_deviations += block_squares
            self.total += block_total
        self.n_rows += block.shape[0]

    def _add_top(self, block: np.ndarray) -> None:
        # Classes as rows: partitioning along contiguous rows is about twice as fast as along the
        # image axis. The values are kept as they come (float32 cosines).
        k = self.top_k
        if self.best.shape[1] < k:  # fewer than k images seen so far
            candidates = np.concatenate([self.best, block.T], axis=1)
            if candidates.shape[1] > k:
                candidates = np.partition(candidates, -k, axis=1)[:, -k:]
            self.best = candidates
            return
        # Only a class with an image above its k-th best so far can change its k best; once many
        # images are seen, few classes in a block do, and only those are partitioned.
        changed = np.flatnonzero((block > self.best.min(axis=1)).any(axis=0))
        candidates = np.concatenate([self.best[changed], block[:, changed].T], axis=1)
        self.best[changed] = np.partition(candidates, -k, axis=1)[:, -k:]

    def top_mean(self) -> np.ndarray:
        """Mean of each class's `top_k` largest similarities."""
        return self.best.mean(axis=1, dtype=np.float64)

    def logsumexp(self) -> np.ndarray:
        return self.running_max + np.log(self.running_sum)

    def mean(self) -> np.ndarray:
        return self.total / self.n_rows

    def std(self) -> np.ndarray:
        return np.sqrt(self.squared_deviations / self.n_rows)


def _standardise(values: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """(values - mean) / std, 0 where std is within float32 rounding of 0 (no spread: every
    value is typical; copies of one image differ by rounding alone)."""
    spread = std > _NO_SPREAD * np.maximum(1.0, np.abs(mean))
    z = (values - mean) / np.where(spread, std, np.inf)
    return np.minimum(z, _MAX_Z, out=z)


# --- the standard normal in log space, pure numpy ----------------------------------------------
# Not scipy, which is no runtime dependency, nor torch.special: its float64 log_ndtr and ndtri
# took twice this code's time on the CPU (one thread; under load its threads took 10 to 30 times
# as long), and it has no Phi^-1 from log p: exp(log p) underflows below -745.

# Numerical Recipes' erfc approximation: relative error < 1.2e-7 for every x >= 0, written as
# t * exp(...) so that log erfc stays exact far into the tail.
_ERFC_POLY = (
    0.17087277,
    -0.82215223,
    1.48851587,
    -1.13520398,
    0.27886807,
    -0.18628806,
    0.09678418,
    0.37409196,
    1.00002368,
    -1.26551223,
)

# Acklam's rational approximation of the inverse normal CDF (relative error < 1.15e-9).
_ACKLAM_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_ACKLAM_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
    1.0,
)
_ACKLAM_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_ACKLAM_D = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
    1.0,
)
_ACKLAM_P_LOW = 0.02425


def _horner(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    result = np.full_like(x, coefficients[0])
    for coefficient in coefficients[1:]:
        result *= x
        result += coefficient
    return result


def _log_ndtr(z: np.ndarray) -> np.ndarray:
    """log Phi(z), accurate in both tails (relative error ~1e-7)."""
    x = np.abs(z) / math.sqrt(2.0)
    t = 1.0 / (1.0 + 0.5 * x)
    # log of the smaller tail, Phi(-|z|) = erfc(|z| / sqrt 2) / 2.
    result = _horner(_ERFC_POLY, t)
    result -= x * x
    result += np.log(0.5 * t)
    # Upper half: log Phi(z) = log(1 - Phi(-z)). Taking exp and log1p of every value and keeping
    # the upper half's is faster than copying that half out and back (numpy's masked loops and
    # boolean indexing are slower than the two functions); below the median the values, unused,
    # are harmless (Phi(-|z|) <= 1/2).
    upper_half = np.exp(result)
    np.negative(upper_half, out=upper_half)
    np.log1p(upper_half, out=upper_half)
    return np.where(z >= 0, upper_half, result)


def _ndtri_from_log(log_p: np.ndarray) -> np.ndarray:
    """Phi^-1(p) from log p (log p <= 0), without underflow in either tail."""
    # The central region holds most values: its formula is taken for all of them (no copying
    # out and back), then the tails, a few per cent, are overwritten. Outside the central region
    # r <= 1/4 still keeps the denominator above 1e-4 (its smallest root is r = 0.2535).
    q = np.exp(log_p)
    q -= 0.5
    r = q * q
    result = _horner(_ACKLAM_A, r)
    result *= q
    result /= _horner(_ACKLAM_B, r)

    low = log_p < math.log(_ACKLAM_P_LOW)
    high = log_p > math.log1p(-_ACKLAM_P_LOW)

    q = np.sqrt(-2.0 * log_p[low])
    result[low] = _horner(_ACKLAM_C, q) / _horner(_ACKLAM_D, q)

    # Upper tail by symmetry: 1 - p = -expm1(log p) keeps its precision when p is close to 1.
    q = np.sqrt(-2.0 * np.log(-np.expm1(log_p[high])))
    result[high] = -_horner(_ACKLAM_C, q) / _horner(_ACKLAM_D, q)
    return result


# --- helpers ------------------------------------------------------------------------------------


def _checked_sims(sims: Sims) -> Sims:
    if isinstance(sims, LazySimilarities):
        # Finite unit-length embeddings give finite cosines: check them, not N x C products.
        if sims.shape[1] == 0:
            raise ZslError("no classes to score: the class file defines none")
        for rows in _row_chunks(sims.shape[0], sims.images.shape[1], None):
            bad = ~np.isfinite(sims.images[rows]).all(axis=1)
            if bad.any():
                row = rows.start + int(np.flatnonzero(bad)[0])
                raise ZslError(
                    f"similarity of image {row} is NaN or infinite: the model produced invalid "
                    "embeddings (try another precision or model)"
                )
        if not np.isfinite(sims.class_vectors).all():
            raise ZslError(
                "a class prompt's embedding is NaN or infinite: the model produced invalid "
                "embeddings (try another precision or model)"
            )
        return sims
    sims = np.asarray(sims)
    if sims.ndim != 2 or not np.issubdtype(sims.dtype, np.floating):
        raise ValueError(f"sims must be a 2-D float array [images, classes], got {sims.shape}")
    if sims.shape[1] == 0:
        raise ZslError("no classes to score: the class file defines none")
    for rows in _row_chunks(sims.shape[0], sims.shape[1], None):
        bad = ~np.isfinite(sims[rows])
        if bad.any():
            row = rows.start + int(np.argwhere(bad)[0][0])
            raise ZslError(
                f"similarity of image {row} is NaN or infinite: the model produced invalid "
                "embeddings (try another precision or model)"
            )
    return sims


def largest_hub_k(n_classes: int, hub_size: float = DEFAULT_HUB_SIZE) -> int:
    """The largest k (below the number of classes) at which a class can be a hub: above it, a
    hub's N_k (hub_size * N * k / C) exceeds the N images, and k-occurrence counts mostly the
    classes each image ranks last."""
    return min(n_classes - 1, math.floor(n_classes / hub_size))


def default_k(n_classes: int) -> int:
    """DEFAULT_K, or a quarter of the classes where that is less (under 40 classes): at half
    of them (`largest_hub_k`) a hub needs to be among every image's k nearest, and above it a
    class that is the top-1 of most images shows no hubness; at a quarter a hub has room."""
    return max(1, min(DEFAULT_K, n_classes // 4))


def too_few_images(n_images: int, k: int, n_classes: int) -> bool:
    """Whether `n_images` x `k` occurrences over `n_classes` make a mean N_k under MIN_MEAN_N_K:
    too few for a hub to stand out from chance, and so for hubness to be judged or a reduction
    fitted on these images (with under one a class, classes no image shows are under it too)."""
    return n_images * k / n_classes < MIN_MEAN_N_K


def too_few_classes(n_classes: int) -> bool:
    """Whether `n_classes` are too few for hubness to be judged, whatever the images: their N_k
    cannot be skewed as far as LOW_SKEWNESS (`_largest_skewness`; 2 and 3 classes)."""
    return _largest_skewness(n_classes) < LOW_SKEWNESS


def fewest_images(k: int, n_classes: int) -> int:
    """The fewest images that `too_few_images` allows at `k` over `n_classes`."""
    return math.ceil(MIN_MEAN_N_K * n_classes / k)


def chance_std(n_images: int, k: int, n_classes: int) -> tuple[float, float]:
    """The std of N_k where each image's k classes are drawn at random, and the std that chance
    exceeds only at CHANCE_LEVEL.

    Each image then adds a random k-of-C indicator vector: N_k(c) ~ Binomial(N, p = k / C), with
    covariance -N p (1 - p) / (C - 1) between classes, and (C - 1) var(N_k) / (N p (1 - p)) (var
    over the C classes, about their mean N p) follows a chi-square law of C - 1 degrees of freedom
    for large N, mean C - 1 (so the expected var is N p (1 - p) exactly). Its upper quantile is
    Wilson and Hilferty's (1931) cube-root normal approximation, a little high: by 1.7% at 3
    degrees of freedom (4 classes, the fewest judged), 0.2% at 29.
    """
    p = k / n_classes
    variance = n_images * p * (1 - p)
    dof = n_classes - 1
    spread = 2 / (9 * dof)
    quantile = dof * (1 - spread + _CHANCE_Z * math.sqrt(spread)) ** 3
    return math.sqrt(variance), math.sqrt(variance * quantile / dof)


def check_class_count(n_classes: int, method: str | None = None) -> None:
    """ZslError for fewer than 2 classes, with the reduction `method` asked for, if any: with
    one class every image takes it, whatever a reduction does to the scores."""
    if n_classes < 2:
        asked = f"--hubness-reduction {method}: " if method else ""
        raise ZslError(
            f"{asked}hubness is how images spread over classes: it needs 2 or more classes; "
            f"there is {n_classes}"
        )


def check_methods(methods: Sequence[str], option: str = "--methods") -> tuple[str, ...]:
    """The methods, each once, in order; ZslError for an unknown one or none at all, naming the
    `option` that gave them: hubness's --methods (where 'all' is methods=None) or label's
    --hubness-reduction (one method)."""
    if isinstance(methods, str):  # its letters would be taken for methods: 'c', 's', 'l'
        raise ZslError(f"{option} {methods!r}: give a list of method names, such as [{methods!r}]")
    *others, last = METHODS
    if option == "--methods":
        choices = f"choose from {', '.join(others)} and {last}, or all"
    else:
        choices = f"choose {', '.join(others)} or {last}"
    unique = tuple(dict.fromkeys(methods))
    if not unique:  # `--methods "$METHODS"` with the variable unset
        raise ZslError(f"{option} '': no hubness methods given: {choices}")
    unknown = next((method for method in unique if method not in METHODS), None)
    if unknown is not None:
        raise ZslError(f"{option} {unknown!r}: {choices}")
    return unique


def _checked_truth(truth: np.ndarray | None, n_images: int, n_classes: int) -> np.ndarray | None:
    if truth is None:
        return None
    truth = np.asarray(truth)
    if truth.shape != (n_images,) or not np.issubdtype(truth.dtype, np.integer):
        raise ValueError(f"truth must be an integer array of shape ({n_images},)")
    if ((truth < -1) | (truth >= n_classes)).any():
        raise ValueError(f"truth values must be class indices in [0, {n_classes}) or -1")
    return truth.astype(np.int64, copy=False)


def _checked_unseen_mask(mask: np.ndarray | None, n_classes: int) -> np.ndarray | None:
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != (n_classes,) or mask.dtype != np.bool_:
        raise ValueError(f"unseen_mask must be a bool array of shape ({n_classes},)")
    return mask


def _row_chunks(n_rows: int, n_columns: int, chunk_rows: int | None) -> Iterator[slice]:
    rows = chunk_rows if chunk_rows is not None else rows_within(_CHUNK_ELEMENTS, n_columns)
    if rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {rows}")
    yield from row_blocks(n_rows, rows)


def _count_top_k(chunk: np.ndarray, k: int) -> np.ndarray:
    """How often each class is among a row's k largest values; of classes tied with the k-th
    value, the lowest-indexed are taken, as labelling ranks them."""
    n_classes = chunk.shape[1]
    kth = np.partition(chunk, n_classes - k, axis=1)[:, n_classes - k, None]
    taken = chunk >= kth
    crowded = np.flatnonzero(np.count_nonzero(taken, axis=1) > k)  # ties at the k-th place
    if crowded.size:
        rows, kth_rows = chunk[crowded], kth[crowded]
        above, tied = rows > kth_rows, rows == kth_rows
        room = k - np.count_nonzero(above, axis=1)[:, None]
        taken[crowded] = above | (tied & (np.cumsum(tied, axis=1) <= room))
    return np.count_nonzero(taken, axis=0)


def _method_hubness(
    stats: HubnessStats, class_names: Sequence[str], accuracy: Mapping[str, float] | None = None
) -> MethodHubness:
    return MethodHubness(
        skewness=stats.skewness,
        hub_occupancy=stats.hub_occupancy,
        antihub_rate=stats.antihub_rate,
        robin_hood=stats.robin_hood,
        n_hubs=stats.n_hubs,
        top_hubs=tuple(Hub(class_names[c], n) for c, n in stats.top_hubs),
        accuracy=accuracy,
    )


def _hits(
    top1: np.ndarray, truth: np.ndarray, failed_truth: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The truth class of each image with a known one, the unreadable ones last, and whether
    `top1` is right on it (never on an unreadable one); None where no image has a known class."""
    known = truth >= 0
    failed = failed_truth[failed_truth >= 0] if failed_truth is not None else truth[:0]
    if not known.any() and not len(failed):
        return None
    labels = np.concatenate([truth[known], failed])
    correct = np.concatenate([top1[known] == truth[known], np.zeros(len(failed), dtype=bool)])
    return labels, correct


def _accuracy(
    hits: tuple[np.ndarray, np.ndarray] | None,
    unseen_mask: np.ndarray | None,
    n_truth_classes: int,
) -> dict[str, float] | None:
    if hits is None:
        return None
    labels, correct = hits
    accuracy = {
        "mean_per_class": mean_per_class(correct, labels, n_truth_classes),
        "overall": float(np.mean(correct)),
    }
    if unseen_mask is not None:
        seen = mean_per_class(correct, labels, n_truth_classes, among=~unseen_mask)
        unseen = mean_per_class(correct, labels, n_truth_classes, among=unseen_mask)
        if not math.isnan(seen):
            accuracy["seen_mean_per_class"] = seen
        if not math.isnan(unseen):
            accuracy["unseen_mean_per_class"] = unseen
        if not (math.isnan(seen) or math.isnan(unseen)):
            accuracy["harmonic_mean"] = harmonic_mean(seen, unseen)
    return accuracy


# The numbers the advice can rank methods by, as it names them.
_ACCURACY_NAMES = {
    "harmonic_mean": "harmonic mean of seen and unseen accuracy (H)",
    "mean_per_class": "mean per-class accuracy",
}


class Flips(NamedTuple):
    """What a gain in accuracy rests on: per reduction, the truth images it labels right that the
    raw similarities get wrong (`gained`) and those it gets wrong that they get right (`lost`);
    and `noise`, the most that NOISE_IMAGES truth images turned right could add to the number
    the advice compares."""

    gained: Mapping[str, int]
    lost: Mapping[str, int]
    noise: float


def _accuracy_key(accuracies: Mapping[str, float]) -> str:
    """The number the advice ranks methods by (see `_recommendation`)."""
    return "harmonic_mean" if "harmonic_mean" in accuracies else "mean_per_class"


def _flips(
    hits: Mapping[str, tuple[np.ndarray, np.ndarray] | None],
    entries: Mapping[str, MethodHubness],
    unseen_mask: np.ndarray | None,
    n_truth_classes: int,
) -> Flips | None:
    """The `Flips` of each reduction measured; None without a truth."""
    raw, accuracies = hits.get("none"), entries["none"].accuracy
    if raw is None or accuracies is None:
        return None
    labels, right = raw
    others = {m: h[1] for m, h in hits.items() if m != "none" and h is not None}
    key = _accuracy_key(accuracies)
    if key == "mean_per_class":
        noise = float(_largest_shares(labels, n_truth_classes).sum())
    else:
        assert unseen_mask is not None, "H is measured with a seen list"
        seen, unseen = accuracies["seen_mean_per_class"], accuracies["unseen_mean_per_class"]
        shares_seen = _largest_shares(labels, n_truth_classes, among=~unseen_mask)
        shares_unseen = _largest_shares(labels, n_truth_classes, among=unseen_mask)
        # H is not a sum of shares: the images may fall to either group.
        noise = max(
            harmonic_mean(
                min(1.0, seen + shares_seen[:n].sum()),
                min(1.0, unseen + shares_unseen[: NOISE_IMAGES - n].sum()),
            )
            for n in range(NOISE_IMAGES + 1)
        ) - harmonic_mean(seen, unseen)
    return Flips(
        gained={m: int((hit & ~right).sum()) for m, hit in others.items()},
        lost={m: int((~hit & right).sum()) for m, hit in others.items()},
        noise=noise,
    )


def _largest_shares(
    labels: np.ndarray, n_classes: int, among: np.ndarray | None = None
) -> np.ndarray:
    """The NOISE_IMAGES largest shares that one truth image (of a class `among` those counted,
    a bool mask; None: all) has in the mean per-class accuracy of those classes, largest first:
    1 / (classes x that class's truth images)."""
    support = np.bincount(labels, minlength=n_classes)
    counted_class = support > 0 if among is None else (support > 0) & among
    counted_labels = labels[counted_class[labels]]
    shares = 1.0 / (counted_class.sum() * support[counted_labels])
    return np.sort(shares)[::-1][:NOISE_IMAGES]


class Recommendation(NamedTuple):
    """Which reduction to use, as far as the measures tell: a method ("none" to keep raw
    similarities), or None where they cannot tell (nothing compared; without truth, too few
    images or classes, k above `largest_hub_k`, or N_k within chance's spread); `text` says why,
    as the table's last line."""

    method: str | None
    text: str


def _recommendation(
    entries: Mapping[str, MethodHubness],
    k: int,
    *,
    n_images: int,
    n_classes: int,
    n_k_std: float | None = None,
    hub_size: float = DEFAULT_HUB_SIZE,
    flips: Flips | None = None,
) -> Recommendation:
    """The advice that ends the table, and the method it names ("none" to keep none; None where
    it can tell none): by accuracy where there is a truth, else by hubness. `n_k_std`: the
    (population) std of the raw similarities' N_k, which tells a skewness of counts spread by
    hubs, or by chance, from one of counts nearly all equal; None leaves that check out.
    `flips`: what an accuracy gain rests on, said with it, and no verdict where it is within
    `Flips.noise`; None leaves that check out."""
    accuracies = entries["none"].accuracy
    if accuracies is None:
        return _advice_by_hubness(
            entries, k, n_images=n_images, n_classes=n_classes, n_k_std=n_k_std, hub_size=hub_size
        )
    # With seen and unseen classes both in the truth, H: mean per-class accuracy rewards a method
    # that gains on the many seen classes what it loses on the few unseen ones, a bias toward
    # seen classes that H, low unless both are high, exposes (every method has the same truth, so
    # H is known for all of them or for none).
    return _advice_by_accuracy(entries, _accuracy_key(accuracies), flips)


# `--methods none`: nothing to compare with, which advice to keep none would claim.
_UNMEASURED = "no reduction was measured (--methods all measures every one)"
# Low hubness tells only that no few classes take the others' share of the N_k, not that the
# N_k are even (a folder that shows some of the classes alone makes those many images' top
# classes, as it should) nor that no reduction would label better: on folders of even N_k,
# --truth has shown a reduction gain 20 points of H.
_EVEN = "the N_k call for no reduction; whether one improves the labels only --truth can tell."
# How advice that can tell no method ends.
_OR_TRUTH = "--truth to compare the methods' accuracy"


def _advice_by_accuracy(
    entries: Mapping[str, MethodHubness], key: str, flips: Flips | None = None
) -> Recommendation:
    """The reduction whose accuracy `key` gains at least _MIN_GAIN on the raw similarities',
    the most of them (the first listed of equals), if the gain is more than `flips.noise`
    (else no verdict); else none."""

    def unrounded(method: str) -> float:
        accuracies = entries[method].accuracy
        # Every method has the same truth: accuracy for all of them or for none.
        assert accuracies is not None, f"{method} measured without the truth"
        return accuracies[key]

    def accuracy(method: str) -> float:
        # Equal shares summed over classes in another order differ in their last bits: such
        # noise must neither pick between equally accurate methods (the first listed wins) nor
        # turn a gain of exactly half a point into less.
        return round(unrounded(method), _ACCURACY_DIGITS)

    name, base = _ACCURACY_NAMES[key], unrounded("none")
    reductions = [m for m in entries if m != "none"]
    if not reductions:
        return Recommendation(
            None, f"{name[0].upper()}{name[1:]} {percent(base)} without reduction; {_UNMEASURED}."
        )
    best = max(reductions, key=accuracy)
    if accuracy(best) >= round(base + _MIN_GAIN, _ACCURACY_DIGITS):
        gain = f"{name} {percent(unrounded(best))} vs {percent(base)} without reduction"
        if flips is None:
            return Recommendation(best, f"Try --hubness-reduction {best}: {gain}.")
        rests = (
            f"{counted(flips.gained[best], 'truth image')} it labels right that the raw "
            f"similarities get wrong, {flips.lost[best]} the other way round"
        )
        if accuracy(best) <= round(base + flips.noise, _ACCURACY_DIGITS):
            return Recommendation(
                None,
                f"No verdict from the truth: {best}'s {gain} rests on {rests}: within the "
                f"{100 * flips.noise:.2f} points that {NOISE_IMAGES} truth images turned right "
                "could add; give more truth images per class, or leave out --truth to judge by "
                "hubness.",
            )
        return Recommendation(best, f"Try --hubness-reduction {best}: {gain} ({rests}).")
    quoted = f"({percent(base)})"
    if key == "harmonic_mean":  # "(H) (64.3%)" reads badly
        name, quoted = name.removesuffix(" (H)"), f"(H, {percent(base)})"
    return Recommendation(
        "none",
        f"Keep no reduction: no method improves on its {name} {quoted} by half a point or "
        "more on these images.",
    )


def _advice_by_hubness(
    entries: Mapping[str, MethodHubness],
    k: int,
    *,
    n_images: int,
    n_classes: int,
    n_k_std: float | None,
    hub_size: float,
) -> Recommendation:
    """Without a truth: whether the raw similarities' N_k tell hubness at all, then whether it
    is high, then the reduction that evens the N_k out most."""
    skewness = entries["none"].skewness
    # Named as the raw similarities': `--methods csls` leaves them out of the table.
    raw = f"N_k skewness {skewness:.2f} at k={k}"
    largest_k = largest_hub_k(n_classes, hub_size)
    if n_images * k < n_classes:
        # Under one occurrence per class on average, classes no image shows, and chance alone
        # (a Poisson count's skewness is 1 / sqrt(its mean)), make the skewness high whatever
        # the similarities: the method that lowers it most may well ruin the labels.
        return _too_few_occurrences(raw, k, n_images=n_images, n_classes=n_classes)
    if too_few_classes(n_classes):
        return _too_few_classes(raw, n_classes)
    if k > largest_k:
        # k-occurrence then counts mostly the classes each image ranks last: one class that is
        # the top-1 of most images leaves the skewness near 0 (at k = 10 over 11 classes).
        return _k_above_hubs(raw, k, n_classes, largest_k)
    if too_few_images(n_images, k, n_classes):
        return _too_few_images(raw, k, n_images=n_images, n_classes=n_classes)
    if skewness < LOW_SKEWNESS:
        return Recommendation("none", f"Hubness is low without reduction ({raw}): {_EVEN}")
    # Skewness is blind to scale: where N_k are nearly all equal (a good labelling of a balanced
    # folder at k=1: 12, 10, ..., 10, 9, 9), one count a little above the rest makes it high.
    # Counts that vary less than if each image's k classes were drawn at random are no sign of
    # hubs, whatever their skewness; counts that vary about as much are what chance gives (its
    # skewness is about 1 / sqrt(mean N_k)): only a spread beyond chance's is hubness.
    expected_std, chance_bound = chance_std(n_images, k, n_classes)
    if n_k_std is not None and n_k_std <= expected_std:
        return _evener_than_chance(raw, n_k_std, expected_std)
    if n_k_std is not None and n_k_std <= chance_bound:
        return _within_chance(raw, n_k_std, expected_std, chance_bound)
    if len(entries) == 1:
        return Recommendation(None, f"Hubness is high without reduction ({raw}): {_UNMEASURED}.")
    return _least_uneven(entries, raw)


def _largest_skewness(n_classes: int) -> float:
    """The largest biased sample skewness of `n_classes` values, (C - 2) / sqrt(C - 1): always 0
    for two classes, at most 0.71 for three, whatever share of the images one class takes."""
    return (n_classes - 2) / math.sqrt(n_classes - 1)


def _too_few_occurrences(raw: str, k: int, *, n_images: int, n_classes: int) -> Recommendation:
    occurrences = n_images * k
    return Recommendation(
        None,
        f"Too few images to judge hubness by ({raw}): {n_images} images x k={k} are "
        f"{occurrences} occurrences for {n_classes} classes, so at least "
        f"{n_classes - occurrences} get none whatever the method; give more images, or "
        f"{_OR_TRUTH}.",
    )


def _too_few_classes(raw: str, n_classes: int) -> Recommendation:
    return Recommendation(
        None,
        f"Too few classes to judge hubness by ({raw}): over {n_classes} classes it is at "
        f"most {_largest_skewness(n_classes):.2f}, under the {LOW_SKEWNESS:g} that marks "
        f"hubness; give {_OR_TRUTH}.",
    )


def _k_above_hubs(raw: str, k: int, n_classes: int, largest_k: int) -> Recommendation:
    return Recommendation(
        None,
        f"No verdict on hubness at k={k} ({raw}): over {n_classes} classes no class can be a "
        f"hub at k above {largest_k}, and N_k count mostly the classes images rank last; "
        f"give -k {largest_k} or less, or {_OR_TRUTH}.",
    )


def _too_few_images(raw: str, k: int, *, n_images: int, n_classes: int) -> Recommendation:
    mean_n_k = n_images * k / n_classes
    needed = fewest_images(k, n_classes)
    return Recommendation(
        None,
        f"Too few images to judge hubness by ({raw}): {n_images} images x k={k} over "
        f"{n_classes} classes make a mean N_k of {mean_n_k:.3g}, under the {MIN_MEAN_N_K:g} "
        f"at which a hub stands out from chance; give {needed} images or more, or {_OR_TRUTH}.",
    )


def _evener_than_chance(raw: str, n_k_std: float, expected_std: float) -> Recommendation:
    return Recommendation(
        "none",
        f"Hubness is low without reduction ({raw}, but N_k varies less than if each image's "
        f"k classes were drawn at random: std {n_k_std:.2f} vs {expected_std:.2f}): {_EVEN}",
    )


def _within_chance(
    raw: str, n_k_std: float, expected_std: float, chance_bound: float
) -> Recommendation:
    return Recommendation(
        None,
        f"Hubness cannot be told from chance ({raw}, but N_k std {n_k_std:.2f} is within "
        f"chance's: {expected_std:.2f} if each image's k classes were drawn at random, over "
        f"{chance_bound:.2f} in {CHANCE_LEVEL:.1%} of such draws): give more images, or "
        f"{_OR_TRUTH}.",
    )


def _least_uneven(entries: Mapping[str, MethodHubness], raw: str) -> Recommendation:
    """Of the reductions that lower both the skewness and the Robin Hood index of the raw
    similarities' N_k, the one with the lowest index (the first listed of equals); else none.

    Skewness tells whether there is hubness, but compared between methods it misleads: it is
    blind to where the occurrences go, so a method lowers it as well by spreading one hub's
    occurrences over several hubs, or onto classes no image shows (csls and isoftmax promote
    those), or by leaving many classes empty (a negative skewness): N_k less even, not less
    hubness. The Robin Hood index counts the occurrences that would have to move to even the
    N_k out, hubs and antihubs alike, so a method lowers hubness only if it lowers both.
    """
    baseline = entries["none"]

    def unevenness(method: str) -> float:
        # Equal indices of other counts can differ in their last bits: such noise must neither
        # lower an index nor pick between equally even methods.
        return round(entries[method].robin_hood, _ACCURACY_DIGITS)

    lower = [
        m
        for m in entries
        if m != "none"
        and abs(entries[m].skewness) < baseline.skewness
        and unevenness(m) < unevenness("none")
    ]
    if not lower:
        return Recommendation(
            "none",
            f"Hubness is high without reduction ({raw}) but no measured reduction lowers both "
            "its skewness and its Robin Hood index: keep none.",
        )
    name = min(lower, key=unevenness)
    best = entries[name]
    return Recommendation(
        name,
        f"Try --hubness-reduction {name}: N_k skewness "
        f"{baseline.skewness:.2f} -> {best.skewness:.2f}, Robin Hood index "
        f"{baseline.robin_hood:.2f} -> {best.robin_hood:.2f}, hubs {baseline.n_hubs} -> "
        f"{best.n_hubs} (check a few labels: less hubness is not always better labels).",
    )
