"""A checkpoint whose every weight carries a prefix its model does not take off, as transformers
5.10-5.20 (the newest on Python 3.10) left CLIPSeg's `clip.` on: zsl loads the weights without
it, and scores as the model saved plainly does; a weight missing under the prefix is still
refused, as any missing weight is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


def prefixed_copy(model: Path, folder: Path, prefix: str, leave_out: str = "") -> Path:
    """`model` with `prefix` before every weight's name (and weights named `leave_out` gone)."""
    from safetensors.torch import load_file, save_file

    copy = shutil.copytree(model, folder)
    weights = load_file(copy / "model.safetensors")
    kept = {k: v for k, v in weights.items() if not leave_out or leave_out not in k}
    save_file(
        {f"{prefix}.{k}": v for k, v in kept.items()},
        copy / "model.safetensors",
        metadata={"format": "pt"},
    )
    return copy


def scores(model: Path, tmp_path: Path) -> list[dict[str, object]]:
    images = tmp_path / "images"
    images.mkdir(exist_ok=True)
    for name, colour in [("red.png", (220, 30, 30)), ("blue.png", (30, 30, 220))]:
        Image.new("RGB", (40, 30), colour).save(images / name)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nbird\n")
    args = ["label", images, "-c", classes, "-m", model, "-f", "jsonl", "-k", "0", "-q"]
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_weights_all_under_one_prefix_score_as_the_plain_checkpoint(tiny_clip, tmp_path: Path):
    prefixed = prefixed_copy(tiny_clip, tmp_path / "prefixed", "model")
    assert scores(prefixed, tmp_path) == scores(tiny_clip, tmp_path)


def test_a_weight_missing_under_the_prefix_is_still_refused(tiny_clip, tmp_path: Path):
    partial = prefixed_copy(tiny_clip, tmp_path / "partial", "model", leave_out="text_projection")
    with pytest.raises(ZslError, match="1 weights are missing from its checkpoint"):
        load_encoder(str(partial))
