"""zsl_cli.api used as a library: interrupts at a bar's end, what reports serialise to, the
options a loaded model was opened with, and the names a caller annotates with."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.test_label_cli import write_images
from zsl_cli import api, records
from zsl_cli.encoders import Encoder
from zsl_cli.scoring import Decision


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    for index, name in enumerate(("cat", "dog")):
        write_images(tmp_path / "photos" / name, 3, seed=index)
    return tmp_path / "photos"


def _labelling(photos: Path, model_dir: Path, **changes) -> api.LabelRequest:
    given = {
        "inputs": api.InputOptions(paths=(str(photos),)),
        "classes": api.ClassOptions(classes=["cat", "dog"]),
        "model": api.ModelOptions(name=str(model_dir)),
    }
    return api.LabelRequest(**{**given, **changes})


def test_low_confidence_given_as_a_numpy_number_is_a_python_float(tiny_clip, photos):
    request = _labelling(
        photos,
        tiny_clip,
        low_confidence=np.float32(0.3),
        output=api.OutputOptions(path=str(photos.parent / "p.csv")),
    )
    assert type(request.low_confidence) is float
    report = api.label(request)
    json.dumps(report.run_info)  # it refused a numpy float32
    run_info = json.loads((photos.parent / "p.csv.run.json").read_text())
    assert run_info["summary"]["low_confidence_below"] == float(np.float32(0.3))


def test_the_types_a_caller_annotates_with_are_exported():
    namespace: dict = {}
    exec("from zsl_cli.api import *", namespace)
    assert namespace["Prediction"] is records.Prediction
    assert namespace["LabelScore"] is records.LabelScore
    assert namespace["RankedScores"] is records.RankedScores
    assert namespace["Encoder"] is Encoder


def test_a_label_report_serialises_as_the_other_reports_do(tiny_clip, photos):
    # dataclasses.asdict made its Counters Counters of tuples and kept RankedScores, which
    # json.dumps refuses; LabelReport had no to_json as EmbedReport and EvaluationResult have.
    report = api.label(_labelling(photos, tiny_clip, output=None, decision=Decision(top_k=0)))
    document = json.loads(json.dumps(report.to_json()))
    assert document["predictions"] == [p.as_dict() for p in report.predictions]
    assert document["by_status"] == {"ok": 6} and document["failed"] == 0
    assert document["labels"] == dict(report.labels.most_common())
    assert document["inputs"] == document["total"] == 6 and document["interrupted"] is False
    assert document["output"] == "none" and document["warnings"] == report.warnings
    assert document["run_info"]["classes"]["names"] == ["cat", "dog"]
    summary = {key: value for key, value in document.items() if key in api.summary_dict(report)}
    assert summary == json.loads(json.dumps(api.summary_dict(report)))


def _batch_sizes() -> tuple[list[int], api.Progress]:
    sizes: list[int] = []

    class Recording:
        images = False

        def start(self, total: int, description: str) -> None:
            self.images = description == "encoding images"

        def advance(self, n: int) -> None:
            if self.images:
                sizes.append(n)

        def stop(self) -> None:
            pass

    return sizes, Recording()


def test_a_loaded_model_keeps_the_pace_it_was_opened_with(tiny_clip, photos, monkeypatch):
    # open_encoder(ModelOptions(batch_size=3, workers=1)) dropped both: a request without them
    # ran with the defaults.
    workers: list[int] = []
    monkeypatch.setattr(api, "default_workers", lambda: 4)
    monkeypatch.setattr(api, "decode_in_processes", lambda device, n: workers.append(n) or False)
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), batch_size=3, workers=1))
    sizes, progress = _batch_sizes()
    api.label(_labelling(photos, tiny_clip, output=None), progress, encoder=encoder)
    assert (sizes, workers) == ([3, 3], [1])

    # The request's own settings come first.
    paced = api.ModelOptions(name=str(tiny_clip), batch_size=2, workers=2)
    sizes, progress = _batch_sizes()
    workers.clear()
    api.label(_labelling(photos, tiny_clip, output=None, model=paced), progress, encoder=encoder)
    assert (sizes, workers) == ([2, 2, 2], [2])

    sizes, progress = _batch_sizes()
    workers.clear()
    store = str(photos.parent / "s.zsl")
    inputs = api.InputOptions(paths=(str(photos),))
    api.embed(api.EmbedRequest(store, inputs), progress, encoder=encoder)
    assert (sizes, workers) == ([3, 3], [1])

    sizes, progress = _batch_sizes()
    hubness = api.HubnessRequest(inputs=inputs, classes=api.ClassOptions(classes=["cat", "dog"]))
    api.hubness(hubness, progress, encoder=encoder)
    assert sizes == [3, 3]

    # A model opened without them: the defaults for its device, as before.
    plain = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    sizes, progress = _batch_sizes()
    workers.clear()
    api.label(_labelling(photos, tiny_clip, output=None), progress, encoder=plain)
    assert (sizes, workers) == ([6], [4])
