"""zsl_cli.api used as a library: interrupts at a bar's end, what reports serialise to, the
options a loaded model was opened with, and the names a caller annotates with."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import write_images
from zsl_cli import api, records
from zsl_cli.encoders import Encoder
from zsl_cli.errors import Interrupted
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
    assert document["config"] is None
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


class _InterruptAsTheImageBarCloses:
    """Progress whose stop() of the image bar raises KeyboardInterrupt, as a real Ctrl-C does
    while a caller's bar (tqdm, rich, a notebook widget) closes."""

    def __init__(self) -> None:
        self.description = ""
        self.advanced = 0

    def start(self, total: int, description: str) -> None:
        self.description = description

    def advance(self, n: int) -> None:
        self.advanced += n if self.description == "encoding images" else 0

    def stop(self) -> None:
        if self.description == "encoding images":
            raise KeyboardInterrupt


def _interrupted(call: Callable[[], object]) -> Interrupted:
    """The Interrupted that `call` raises; a bare KeyboardInterrupt fails the test rather than
    ending the whole test session."""
    try:
        call()
    except KeyboardInterrupt as stopped:
        assert isinstance(stopped, Interrupted), "a bare KeyboardInterrupt, with no report"
        return stopped
    pytest.fail("no Interrupted raised")


def test_a_ctrl_c_as_the_image_bar_closes_publishes_every_finished_row(tiny_clip, photos):
    # progress.stop() ran in a `finally` outside the `except KeyboardInterrupt`: the caller got a
    # bare KeyboardInterrupt with no report, and no output file though every row was made.
    output = photos.parent / "p.csv"
    labelling = _labelling(photos, tiny_clip, output=api.OutputOptions(path=str(output)))
    caught = _interrupted(lambda: api.label(labelling, _InterruptAsTheImageBarCloses()))
    report = caught.report
    assert report.interrupted and report.total == report.inputs == 6
    assert len(output.read_text().splitlines()) - 1 == 6
    run_info = json.loads(Path(f"{output}.run.json").read_text())
    assert run_info["summary"]["total"] == 6 and run_info["summary"]["interrupted"] is True
    # Every image was labelled: evaluate must not call these numbers part of a run's.
    assert run_info["complete"] is True

    kept = _labelling(photos, tiny_clip, output=None)
    caught = _interrupted(lambda: api.label(kept, _InterruptAsTheImageBarCloses()))
    assert len(caught.report.predictions) == 6


def test_a_ctrl_c_as_the_label_bar_closes_after_an_earlier_one_keeps_it_incomplete(
    tiny_clip, photos
):
    # Interrupted at the second batch, then again as the bar closes: still an incomplete run.
    class Twice(_InterruptAsTheImageBarCloses):
        def advance(self, n: int) -> None:
            super().advance(n)
            if self.advanced > 2:
                raise KeyboardInterrupt

    output = photos.parent / "p.csv"
    model = api.ModelOptions(name=str(tiny_clip), batch_size=2)
    labelling = _labelling(photos, tiny_clip, model=model, output=api.OutputOptions(str(output)))
    caught = _interrupted(lambda: api.label(labelling, Twice()))
    assert caught.report.total == 2
    assert json.loads(Path(f"{output}.run.json").read_text())["complete"] is False


def test_a_ctrl_c_as_the_embed_bar_closes_keeps_the_report(tiny_clip, photos):
    store, summary = photos.parent / "s.zsl", photos.parent / "summary.json"
    embedding = api.EmbedRequest(
        store=str(store),
        inputs=api.InputOptions(paths=(str(photos),)),
        model=api.ModelOptions(name=str(tiny_clip)),
        export=str(photos.parent / "e.npy"),
        json_out=str(summary),
    )
    caught = _interrupted(lambda: api.embed(embedding, _InterruptAsTheImageBarCloses()))
    report = caught.report
    assert report.interrupted and report.encoded == 6
    # As for an interrupt at advance(): the --json document is written, the export is not.
    assert json.loads(summary.read_text())["interrupted"] is True and report.exported is None
    again = api.embed(embedding)
    assert again.reused == 6 and np.load(photos.parent / "e.npy").shape[0] == 6


def test_low_confidence_is_counted_only_over_a_short_class_list(tiny_clip, photos):
    # A softmax spreads its belief over every class: over a thousand-class list each top score
    # was far below 0.5 and the summary called every image low confidence, saying nothing.
    few = api.label(_labelling(photos, tiny_clip, output=None, low_confidence=1.0))
    assert few.low_confidence_below == 1.0 and few.low_confidence == 6  # a count is made
    assert api.summary_dict(few)["low_confidence"] == 6

    many = [f"class {i}" for i in range(api.LOW_CONFIDENCE_MAX_CLASSES + 1)]
    classes = api.ClassOptions(classes=many)
    report = api.label(_labelling(photos, tiny_clip, output=None, classes=classes))
    assert all(p.score < 0.5 for p in report.predictions)
    assert report.low_confidence_below is None
    summary = api.summary_dict(report)
    assert summary["low_confidence"] is None and summary["low_confidence_below"] is None
    assert report.run_info["summary"]["low_confidence"] is None
