"""The parity check shared by the tiny-model and bundled-model tests: `zsl label` gives the same
top-1 as transformers' zero-shot pipeline, with every class probability within 1e-4."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import pil_image_processor, preprocess


def assert_same_as_pipeline(
    model: str | Path, images: list[Path], classes_file: Path, template: str, *inputs: str | Path
) -> None:
    """Label `inputs` (default: the images themselves) through the CLI and check each image."""
    from transformers import pipeline

    args = ["label", *(inputs or images), "-c", classes_file, "-m", model, "-t", template]
    with pytest.MonkeyPatch.context() as patch:
        # The pipeline resizes with Pillow. Torch's resize (zsl's on x86-64) is within a grey
        # level of it (tests/test_encoders.py), enough to blur a comparison to 1e-4.
        patch.setattr(preprocess, "torch_resizes", lambda resample: False)
        result = CliRunner().invoke(app, [str(a) for a in args + ["-k", "0", "-f", "jsonl", "-q"]])
    assert result.exit_code == 0, result.stderr
    ours = {Path(r["path"]).name: r for r in map(json.loads, result.stdout.splitlines())}

    classes = classes_file.read_text().splitlines()
    # zsl follows the PIL processor; with torchvision, the pipeline would pick another one.
    classifier = pipeline(
        "zero-shot-image-classification",
        model=str(model),
        image_processor=pil_image_processor(str(model)),
    )
    for path in images:
        reference = classifier(str(path), candidate_labels=classes, hypothesis_template=template)
        row = ours[path.name]
        assert row["label"] == reference[0]["label"]
        scores = {entry["label"]: entry["score"] for entry in row["top_k"]}
        assert max(abs(scores[e["label"]] - e["score"]) for e in reference) < 1e-4
