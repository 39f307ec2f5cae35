"""SpanSeen gathers a run's similarities batch by batch: the least and the greatest of all, and
the widest range within one image's row (not between rows of a batch: two images that each fit
one class alike make no head look sharper); an empty batch changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli.scoring import SimilaritySpan, SpanSeen


def rows(*values: list[float]) -> np.ndarray:
    return np.array(values, dtype=np.float32)


def test_nothing_added_or_only_empty_batches_leave_no_span() -> None:
    seen = SpanSeen()
    assert seen.span is None
    seen.add(np.zeros((0, 3), dtype=np.float32))
    seen.add(np.zeros((2, 0), dtype=np.float32))
    assert seen.span is None


def test_the_widest_row_is_one_rows_range_not_the_batch_s() -> None:
    seen = SpanSeen()
    seen.add(rows([0.10, 0.15], [0.50, 0.52]))
    span = seen.span
    assert span is not None
    assert (span.lo, span.hi) == (np.float32(0.10), np.float32(0.52))
    assert span.widest_row == pytest.approx(0.05, abs=1e-6)


def test_each_bound_is_kept_over_later_batches_and_an_empty_batch() -> None:
    seen = SpanSeen()
    seen.add(rows([-0.2, 0.4]))  # widest row 0.6, least -0.2
    seen.add(rows([0.0, 0.1], [0.7, 0.9]))  # greatest 0.9, rows narrower
    seen.add(np.zeros((0, 2), dtype=np.float32))
    span = seen.span
    assert span is not None
    assert span.lo == pytest.approx(-0.2)
    assert span.hi == pytest.approx(0.9)
    assert span.widest_row == pytest.approx(0.6)
    # A later batch with a lower least, a higher greatest and a wider row moves each.
    seen.add(rows([-0.5, 0.95]))
    assert seen.span == SimilaritySpan(
        lo=float(np.float32(-0.5)),
        hi=float(np.float32(0.95)),
        widest_row=float(np.float32(0.95) - np.float32(-0.5)),
    )
    # And one within every bound moves none.
    before = seen.span
    seen.add(rows([0.0, 0.05]))
    assert seen.span == before


def test_the_least_is_the_least_of_every_row_not_of_one() -> None:
    seen = SpanSeen()
    seen.add(rows([0.3, 0.4], [-0.1, 0.0], [0.2, 0.6]))
    assert seen.span is not None
    assert seen.span.lo == pytest.approx(-0.1)
    assert seen.span.hi == pytest.approx(0.6)
    assert seen.span.widest_row == pytest.approx(0.4)


def test_the_default_span_is_any_cosine() -> None:
    assert SimilaritySpan() == SimilaritySpan(lo=-1.0, hi=1.0, widest_row=2.0)
