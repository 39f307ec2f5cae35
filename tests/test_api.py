"""The library without the CLI: zsl_cli.api's requests, reports and errors."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from pathlib import Path

import pytest

from tests.test_label_cli import write_images
from zsl_cli import api
from zsl_cli.errors import ZslError
from zsl_cli.scoring import Decision


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    for index, name in enumerate(("cat", "dog")):
        write_images(tmp_path / "photos" / name, 3, seed=index)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    return tmp_path / "photos"


def request(photos: Path, model: Path, **changes) -> api.LabelRequest:
    base = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=str(photos.parent / "classes.txt")),
        model=api.ModelOptions(name=str(model)),
    )
    return dataclasses.replace(base, **changes)


def test_label_embed_and_evaluate_from_python(tiny_clip, photos, tmp_path, capsys):
    output = tmp_path / "predictions.jsonl"
    report = api.label(
        request(photos, tiny_clip, output=api.OutputOptions(path=str(output)), decision=Decision(0))
    )
    assert (report.inputs, report.total, report.failed) == (6, 6, 0)
    assert sum(report.labels.values()) == 6 and not report.interrupted
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(rows) == 6 and all(len(row["top_k"]) == 2 for row in rows)

    embedded = api.embed(
        api.EmbedRequest(
            store=str(tmp_path / "photos.zsl"),
            inputs=api.InputOptions(paths=(str(photos),)),
            model=api.ModelOptions(name=str(tiny_clip)),
        )
    )
    assert (embedded.found, embedded.encoded) == (6, 6)

    result = api.evaluate(api.EvaluateRequest(str(output), str(photos), ks=(1, 2)))
    assert result.n == 6 and result.metrics.top_k[1].overall == 1.0
    assert capsys.readouterr().out == ""  # the library prints nothing


def test_predictions_reach_a_text_stdout(tiny_clip, photos):
    # Jupyter and contextlib.redirect_stdout give a text stream with no bytes underneath.
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        api.label(request(photos, tiny_clip))
    lines = captured.getvalue().splitlines()
    assert lines[0].startswith("path,label,score") and len(lines) == 7


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: api.ModelOptions(workers=-1), "workers -1"),
        (lambda: api.ModelOptions(batch_size=0), "batch_size 0"),
        (lambda: api.InputOptions(max_pixels=0), "max_pixels 0"),
        (lambda: api.InputOptions(paths="photos"), "give a tuple of paths"),
    ],
)
def test_options_out_of_range_are_user_errors(make, message):
    with pytest.raises(ZslError, match=message):
        make()


def test_a_hubness_reduction_needs_more_than_one_image(tiny_clip, photos, tmp_path):
    one = request(
        photos,
        tiny_clip,
        inputs=api.InputOptions(paths=(str(next(photos.rglob("*.png"))),)),
        output=api.OutputOptions(path=str(tmp_path / "out.csv")),
        hubness_reduction="centering",
    )
    with pytest.raises(ZslError, match="needs the similarities of many images"):
        api.label(one)
    assert not (tmp_path / "out.csv").exists()
