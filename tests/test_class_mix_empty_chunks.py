"""ClassMix takes its texts' embeddings a chunk at a time, as an encoder's stream gives them:
a chunk of no texts (a stream may yield one) adds nothing, in either way of mixing."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli import prompts
from zsl_cli.classes import parse_classes
from zsl_cli.prompts import DENSE_MIX_CELLS, ClassMix, Templates, plan_prompts


@pytest.mark.parametrize("dense_cells", [DENSE_MIX_CELLS, 0])
def test_an_empty_chunk_adds_nothing(monkeypatch: pytest.MonkeyPatch, dense_cells: int) -> None:
    monkeypatch.setattr(prompts, "DENSE_MIX_CELLS", dense_cells)
    plan = plan_prompts(parse_classes("cat\ndog\n"), Templates("x", ("a {}.", "the {}.")))
    embeddings = np.eye(len(plan.texts), dtype=np.float32)
    mix = ClassMix(plan)
    mix.add(np.array([], dtype=np.int64), np.zeros((0, len(plan.texts)), dtype=np.float32))
    mix.add(np.arange(2), embeddings[:2])
    mix.add(np.array([], dtype=np.int64), np.zeros((0, len(plan.texts)), dtype=np.float32))
    mix.add(np.arange(2, len(plan.texts)), embeddings[2:])
    np.testing.assert_array_equal(mix.vectors(), plan.class_vectors(embeddings))
    half = np.float32(np.sqrt(0.5))
    np.testing.assert_array_equal(mix.vectors(), [[half, half, 0, 0], [0, 0, half, half]])
