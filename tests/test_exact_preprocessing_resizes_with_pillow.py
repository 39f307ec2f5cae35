"""--exact-preprocessing resizes every image with Pillow, as the model's own processor does; the
fast path resizes shrinking JPEGs with torch where torch has the filter (x86-64)."""

from __future__ import annotations

import pytest

from zsl_cli.encoders import load_encoder
from zsl_cli.encoders.preprocess import FastPreprocessor, torch_resizes


def test_exact_preprocessing_never_resizes_with_torch(tiny_clip):
    preprocessor = load_encoder(str(tiny_clip), exact_preprocessing=True).preprocessor
    assert isinstance(preprocessor, FastPreprocessor)
    assert preprocessor.torch_resize is False


def test_the_fast_path_resizes_with_torch_where_torch_has_the_filter(tiny_clip):
    preprocessor = load_encoder(str(tiny_clip)).preprocessor
    assert isinstance(preprocessor, FastPreprocessor)
    if not torch_resizes(preprocessor.resample):
        pytest.skip("torch does not resize with this filter on this machine")
    assert preprocessor.torch_resize is True
