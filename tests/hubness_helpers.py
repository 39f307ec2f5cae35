"""A hubness reduction's whole matrix and its k-occurrence, made of the pieces that labelling and
`zsl hubness` run (`reduced_chunks`, and `compare`'s count of each block), for tests to hold
against textbook formulas."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from zsl_cli import hubness
from zsl_cli.api import Hub, HubnessReport, MethodHubness


def reduce_whole(sims: hubness.Sims, method: str, **options: Any) -> np.ndarray:
    """Every row of `reduced_chunks`, in order, as one [N, C] float32 array."""
    empty = np.empty((0, sims.shape[1]), dtype=np.float32)
    return np.concatenate([empty, *hubness.reduced_chunks(sims, method, **options)])


def k_occurrence(sims: np.ndarray, k: int, *, chunk_rows: int | None = None) -> np.ndarray:
    """N_k(c): how many images have class c among their k best, counted a block of rows at a
    time as `compare` counts them."""
    counts = np.zeros(sims.shape[1], dtype=np.int64)
    for rows in hubness._row_chunks(sims.shape[0], sims.shape[1], chunk_rows):
        counts += hubness._count_top_k(sims[rows], k)
    return counts


# The keys of the hubness document before `run`, in their order (scripts read them there).
REPORT_MEASURES = [
    "k",
    "k_requested",
    "n_images",
    "n_classes",
    "hub_threshold",
    "largest_hub_k",
    "methods",
    "recommendation",
    "recommended_method",
    "failed_images",
    "failed_by_status",
    "unreadable_folders",
    "warnings",
]


def method_hubness(
    accuracy: dict[str, float] | None = None,
    top_hubs: tuple[Hub, ...] = (Hub("cat", 12),),
    skewness: float = 1.0,
) -> MethodHubness:
    """A method's measures for the summary's table, with these hubs."""
    return MethodHubness(
        skewness=skewness,
        hub_occupancy=0.25,
        antihub_rate=0.5,
        robin_hood=0.333,
        n_hubs=len(top_hubs),
        top_hubs=top_hubs,
        accuracy=accuracy,
    )


def hubness_report(**changes: Any) -> HubnessReport:
    """A report of 30 images over 12 classes at k = 5 (a hub's N_k is 25 or more), with
    `changes` made."""
    report = HubnessReport(
        k=5,
        k_requested=5,
        n_images=30,
        n_classes=12,
        hub_threshold=2 * 30 * 5 / 12,
        largest_hub_k=6,
        methods={"none": method_hubness()},
        recommendation="Use csls.",
        recommended_method="csls",
        failed_images=0,
        failed_by_status={},
        unreadable_folders=(),
        warnings=(),
    )
    return dataclasses.replace(report, **changes)
