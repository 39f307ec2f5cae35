"""The share a threshold keeps is of every scored image, abstentions included, as the coverage
it was asked for is."""

from __future__ import annotations

import pytest

from zsl_cli.metrics import UNKNOWN, selective_labelling
from zsl_cli.records import STATUS_OK


def test_the_share_kept_counts_the_abstentions_among_the_images():
    # 24 scored images: 20 labelled (top scores 0.99 down to 0.80, all right), 4 "unknown".
    # Half of 24 is 12: the 12th best score, 0.88, keeps 12 images, a share of 12 / 24.
    truth = ["cat"] * 24
    labels = ["cat"] * 20 + [UNKNOWN] * 4
    scores = [round(0.99 - 0.01 * i, 2) for i in range(20)] + [0.5] * 4
    result = selective_labelling(truth, labels, scores, [STATUS_OK] * 24, coverages=(0.5,))
    assert result.n == 24
    assert result.abstained == 4
    (point,) = result.points
    assert point.threshold == pytest.approx(0.88)
    assert point.kept == 12
    assert point.share == 0.5
    assert point.accuracy == 1.0
