"""The parity check shared by the tiny-model and bundled-model tests: `zsl label` gives the same
top-1 as transformers' zero-shot pipeline, with every class probability within 1e-4."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import pil_image_processor


def assert_same_as_pipeline(
    model: str | Path, images: list[Path], classes_file: Path, template: str, *inputs: str | Path
) -> None:
    """Label `inputs` (default: the images themselves) through the CLI and check each image."""
    from transformers import pipeline

    # zsl's defaults: only JPEGs take the faster, approximate path (draft decoding, torch's
    # resize), and the images here are not JPEGs.
    for path in images:
        with Image.open(path) as image:
            assert image.format not in ("JPEG", "MPO")
    args = ["label", *(inputs or images), "-c", classes_file, "-m", model, "-t", template]
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
