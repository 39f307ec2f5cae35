"""`zsl embed --store S --export E` without paths exports the stored vectors: the options that
pace or place the image model (-b, -j, --device, --precision) change nothing there, and one
warning line names them all, once; the report's `ignored` is what was printed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import embedded, run, write_images
from zsl_cli import api


def _stored(tmp_path: Path, model: Path) -> tuple[Path, Path]:
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    embedded(images, store, model)
    return store, tmp_path / "v.npy"


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_pace_and_place_options_are_named_in_one_warning_line(tiny_clip, tmp_path):
    store, export = _stored(tmp_path, tiny_clip)
    summary = tmp_path / "summary.json"
    result = run(
        "embed", "--store", store, "-m", tiny_clip, "--export", export, "--json", summary,
        "-b", "8", "-j", "2", "--device", "cpu", "--precision", "fp32",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [warning] = _warnings(result.stderr)
    assert warning.startswith("warning: --batch-size, --workers, --device, --precision: ")
    assert "without paths" in warning and warning.endswith("ignored")
    # The summary's JSON carries no warnings: nothing there to keep in step with them.
    assert "ignored" not in json.loads(summary.read_text())
    # One of each kind given names the two.
    result = run("embed", "--store", store, "-m", tiny_clip, "--export", export, "-b", "8",
                 "--device", "cpu")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    [warning] = _warnings(result.stderr)
    assert warning.startswith("warning: --batch-size, --device: without paths")


def test_the_report_ignored_is_the_one_line_printed(tiny_clip, tmp_path):
    store, export = _stored(tmp_path, tiny_clip)
    model = api.ModelOptions(name=str(tiny_clip), precision="fp32", batch_size=4)
    heard: list[str] = []
    report = api.embed(api.EmbedRequest(store=store, export=export, model=model), warn=heard.append)
    assert report.exported == 2
    [line] = report.ignored
    assert line.startswith("--batch-size, --precision: without paths")
    assert report.warnings == heard == [line]


def test_an_encoder_given_is_not_told_of_the_device_the_export_ignores(tiny_clip, tmp_path):
    # The export loads the model for its identity alone: a device or precision other than the
    # encoder's is ignored as it is without one, not warned of a second time.
    store, export = _stored(tmp_path, tiny_clip)
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    model = api.ModelOptions(name=str(tiny_clip), device="cuda:7", batch_size=4)
    request = api.EmbedRequest(store=store, export=export, model=model)
    report = api.embed(request, encoder=encoder)
    assert report.exported == 2
    [line] = report.warnings
    assert line.startswith("--batch-size, --device: without paths")
    # What the encoder's own choice overrides (another preprocessing) is still told.
    exact = api.ModelOptions(name=str(tiny_clip), device="cuda:7", exact_preprocessing=True)
    request = api.EmbedRequest(store=store, export=export, model=exact)
    report = api.embed(request, encoder=encoder)
    [placed, opened] = report.warnings
    assert placed.startswith("--device: without paths")
    assert "--exact-preprocessing" in opened and "--device" not in opened
