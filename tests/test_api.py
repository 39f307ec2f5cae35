"""The library without the CLI: zsl_cli.api's requests, reports and errors."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import pickle
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import zsl_cli
from tests.helpers import write_images
from zsl_cli import api, label_studio
from zsl_cli.encoders.preprocess import FastPreprocessor
from zsl_cli.errors import Interrupted, ZslError
from zsl_cli.records import LabelScore, Prediction
from zsl_cli.scoring import Decision


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    for index, name in enumerate(("cat", "dog")):
        write_images(tmp_path / "photos" / name, 3, seed=index)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    return tmp_path / "photos"


def request(photos: Path, model_dir: Path, **changes) -> api.LabelRequest:
    base = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=str(photos.parent / "classes.txt")),
        model=api.ModelOptions(name=str(model_dir)),
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


def test_predictions_kept_in_the_report_save_as_json_that_evaluate_reads(
    tiny_clip, photos, tmp_path
):
    # json.dumps(dataclasses.asdict(p)) failed on top_k (a RankedScores), and pandas wrote it as
    # {"labels": [...], "scores": [...]}, which evaluate refuses.
    written = tmp_path / "written.jsonl"
    decision = Decision(0)
    api.label(
        request(photos, tiny_clip, output=api.OutputOptions(path=str(written)), decision=decision)
    )
    kept = api.label(request(photos, tiny_clip, output=None, decision=decision)).predictions
    saved = tmp_path / "saved.jsonl"
    saved.write_text("".join(json.dumps(p.as_dict()) + "\n" for p in kept))
    assert json.loads(saved.read_text().splitlines()[0])["top_k"][0].keys() == {"label", "score"}
    # A Prediction built in code with numpy's floats, as scores computed there are.
    built = Prediction("a.jpg", "cat", np.float32(0.5), (LabelScore("cat", np.float32(0.5)),))
    assert json.loads(json.dumps(built.as_dict()))["top_k"] == [{"label": "cat", "score": 0.5}]
    truth = str(photos)
    from_file = api.evaluate(api.EvaluateRequest(str(written), truth, ks=(1, 2)))
    from_python = api.evaluate(api.EvaluateRequest(str(saved), truth, ks=(1, 2)))
    assert from_python.n == from_file.n == 6
    assert from_python.metrics.top_k == from_file.metrics.top_k


def test_warn_hears_the_warnings_known_before_the_images_first(tiny_clip, photos, tmp_path):
    (photos.parent / "classes.txt").write_text("red_cat\nblue_dog\n")  # joined words: a warning
    heard: list[str] = []
    output = tmp_path / "out.csv"
    labelling = request(photos, tiny_clip, output=api.OutputOptions(path=str(output)))
    report = api.label(labelling, warn=heard.append)
    assert heard and heard == report.warnings[: len(heard)]
    assert any("join their words with '_'" in warning for warning in heard)
    with pytest.raises(ZslError, match="warn: int is not callable"):
        api.label(labelling, warn=3)

    def raising(warning: str) -> None:
        raise RuntimeError(warning)

    # An error in `warn` leaves the output as it was, and no temporary file beside it.
    before = output.read_bytes()
    with pytest.raises(RuntimeError):
        api.label(labelling, warn=raising)
    assert output.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_every_type_a_request_takes_is_exported():
    namespace: dict = {}
    exec("from zsl_cli.api import *", namespace)
    for name in api.__all__:
        assert name in namespace
    request = namespace["LabelRequest"](decision=namespace["Decision"](top_k=0))
    assert request.decision.top_k == 0
    studio = namespace["LabelStudioOptions"]()
    assert namespace["OutputOptions"](format="label-studio", label_studio=studio)


def test_predictions_reach_a_text_stdout(tiny_clip, photos):
    # Jupyter and contextlib.redirect_stdout give a text stream with no bytes underneath.
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        api.label(request(photos, tiny_clip))
    lines = captured.getvalue().splitlines()
    assert lines[0].startswith("path,label,score") and len(lines) == 7


def _studio(**options) -> api.OutputOptions:
    studio = api.LabelStudioOptions(**options)
    return api.OutputOptions("tasks.json", "label-studio", label_studio=studio)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: api.ModelOptions(workers=-1), "^--workers -1: give a whole number, 1 or more$"),
        (lambda: api.ModelOptions(batch_size=0), "^--batch-size 0: give a whole number"),
        (lambda: api.InputOptions(max_pixels=0), "^--max-pixels 0: give a whole number"),
        (lambda: api.InputOptions(paths="photos"), "give a tuple of paths"),
        (lambda: api.InputOptions(paths=(b"photos",)), "bytes is not a file or folder path"),
        (lambda: api.InputOptions(paths=("a",), extensions=".png"), "^--ext '.png': give a tuple"),
        (lambda: api.InputOptions(paths=("a",), stdin=io.BytesIO()), 'paths include "-"'),
        # As the CLI refuses -0 without '-': a NUL-separated list that nothing reads.
        (lambda: api.InputOptions(paths=("a",), nul_separated=True), "add '-' as a path"),
        (lambda: api.InputOptions(paths=("-",), stdin=io.StringIO()), "binary stream"),
        (lambda: api.ModelOptions(batch_size=2.5), "^--batch-size 2.5: give a whole number"),
        (lambda: Decision(top_k="3"), "--top-k '3'"),
        (lambda: api.LabelRequest(low_confidence=-1), "^low_confidence -1"),
        (lambda: api.HubnessRequest(k=2.5), "^--neighbours 2.5: give a whole number"),
        (lambda: api.HubnessRequest(k=0), "^--neighbours 0: give a whole number"),
        (lambda: api.HubnessRequest(methods="csls"), "^--methods 'csls': give a tuple"),
        (lambda: api.EvaluateRequest("p.csv", "truth", ks="15"), "--top-k '15'"),
        # A part given as something else than its options class.
        (lambda: api.LabelRequest(output="p.csv"), "output: give OutputOptions\\(...\\), not str"),
        (lambda: api.HubnessRequest(model="shapes-demo"), "model: give ModelOptions"),
        (lambda: api.EmbedRequest("s.zsl", inputs=("a",)), "inputs: give InputOptions"),
        (lambda: api.OutputOptions(path=123), "^--output: int is not a file path"),
        (lambda: api.OutputOptions("p.csv", format=1), "^--format 1: give one of"),
        (
            lambda: api.OutputOptions("p.csv", label_studio=api.LabelStudioOptions()),
            "label_studio options: only for label-studio output",
        ),
        (
            lambda: api.EvaluateRequest("p.csv", "truth", ks=(1.5,)),
            "--top-k '1.5': every k must be a whole number",
        ),
        (lambda: api.EvaluateRequest("p.csv", "truth", ks=(0,)), "1 or more"),
        # Wrong types are user errors too, not an AttributeError or TypeError deep in the run.
        (lambda: api.ModelOptions(name=None), "^--model None: give a bundled name"),
        (lambda: api.ModelOptions(device=None), "^--device None: give a string"),
        (lambda: api.ModelOptions(revision=1), "^--revision 1: give a string"),
        # "false" is true to Python: this ran a model's own code.
        (lambda: api.ModelOptions(trust_remote_code="false"), "^--trust-remote-code 'false': give"),
        (lambda: api.ModelOptions(exact_preprocessing="no"), "^--exact-preprocessing 'no': give"),
        (lambda: api.ModelOptions(freeze_after_load=None), "^freeze_after_load None: give True"),
        (lambda: api.InputOptions(include_hidden="False"), "^--include-hidden 'False': give True"),
        (lambda: api.InputOptions(nul_separated=1), "^--null 1: give True or False"),
        (lambda: api.InputOptions(paths=None), "paths None: give a tuple"),
        (lambda: api.InputOptions(paths=("a",), extensions=(1,)), "^--ext \\(1,\\): give a tuple"),
        (lambda: api.InputOptions(paths=("-",), stdin=0), "stdin: int is not a binary stream"),
        (lambda: api.ClassOptions(classes=5), "^--classes 5: give a class file's path"),
        (lambda: api.ClassOptions(classes=b"classes.txt"), "^--classes b'classes.txt': give a"),
        (lambda: api.ClassOptions(attributes=["a"]), "^--attributes: list is not a file path"),
        (lambda: api.ClassOptions(descriptions={"a": ["b"]}), "^--descriptions: dict is not a"),
        (lambda: api.ClassOptions(attribute_template=None), "^--attribute-template None: give a"),
        # Not a template made of the list's repr, nor a TypeError once the model has loaded.
        (
            lambda: api.ClassOptions(templates=["a {}.", "b {}."]),
            "^--templates \\['a {}.', 'b {}.'\\]: give",
        ),
        (lambda: api.ClassOptions(templates=("a {}.",)), "^--templates \\('a {}.',\\): give a"),
        (lambda: api.ClassOptions(templates=None), "^--templates None: give a built-in set"),
        (lambda: api.OutputOptions(stdout=1), "stdout: int is not a stream"),
        (lambda: api.LabelRequest(embeddings=5), "^--embeddings: int is not a file path"),
        (lambda: api.EmbedRequest(None), "^--store: give the embedding store's file name"),
        (lambda: api.HubnessRequest(truth=1), "^--truth: int is not a file path"),
        (lambda: api.EvaluateRequest(None, "truth"), "^predictions: give a file path"),
        (lambda: _studio(from_name=3), "^--ls-from-name 3: give a string"),
        (lambda: _studio(url_prefix=3), "^--ls-url-prefix 3: give a string"),
        (lambda: _studio(model_version=None), "^--ls-model-version None: give a string"),
        (lambda: _studio(document_root=3), "^--ls-document-root: int is not a file path"),
        (lambda: _studio(config=3), "^--ls-config: int is not a file path"),
        # A path built from data with a NUL, which no file name holds: a ValueError ("embedded
        # null byte") where the run first looked it up.
        (lambda: api.InputOptions(paths=("a\0b",)), "^path 'a\\\\x00b': no file name holds a NUL"),
        (lambda: api.OutputOptions(path=Path("p\0.csv")), "^--output 'p\\\\x00.csv': no"),
        (lambda: api.ClassOptions(classes="c\0.txt"), "^--classes 'c\\\\x00.txt': no file name"),
        (lambda: api.EmbedRequest("s\0.zsl"), "^--store 's\\\\x00.zsl': no file name holds a NUL"),
        (lambda: api.EvaluateRequest("p.csv", "t\0"), "^--truth 't\\\\x00': no file name holds"),
        (lambda: _studio(config="c\0.xml"), "^--ls-config 'c\\\\x00.xml': no file name holds"),
        # Options that choose or decode image files, where no file is read.
        (
            lambda: api.LabelRequest(
                embeddings="s.zsl", inputs=api.InputOptions(extensions=("jpg",))
            ),
            "--ext: without paths",
        ),
        (
            lambda: api.HubnessRequest(
                embeddings="s.zsl", inputs=api.InputOptions(include_hidden=True)
            ),
            "--include-hidden: without paths",
        ),
        (
            lambda: api.LabelRequest(
                embeddings="s.zsl", inputs=api.InputOptions(("a",), max_pixels=9)
            ),
            "--max-pixels: with --embeddings",
        ),
    ],
)
def test_options_out_of_range_are_user_errors(make, message):
    with pytest.raises(ZslError, match=message):
        make()


class _Bar:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        pass


class _EncoderOfOldProtocol:
    """Every member of the Encoder protocol but those it gained for prompts cut short."""

    name = identity = "old"
    head = preprocessor = None
    dim = 8
    exact_preprocessing = False

    def encode_images(self, pixels):
        raise AssertionError("never called")

    encode_texts = encode_images


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: api.label("photos"), "label: give a LabelRequest\\(...\\), not str"),
        (lambda: api.label(None), "label: give a LabelRequest\\(...\\), not NoneType"),
        (lambda: api.embed(api.LabelRequest()), "embed: give an EmbedRequest\\(...\\), not Label"),
        (lambda: api.hubness(api.LabelRequest()), "hubness: give a HubnessRequest"),
        (lambda: api.evaluate(api.LabelRequest()), "evaluate: give an EvaluateRequest"),
        # A model's name where its options go (the CLI's -m): not an AttributeError.
        (
            lambda: api.open_encoder("shapes-demo"),
            "open_encoder: give a ModelOptions\\(...\\), not str",
        ),
        (lambda: api.open_encoder(None), "open_encoder: give a ModelOptions.*not NoneType"),
        (lambda: api.label(api.LabelRequest(), object()), "progress: object has no start, advance"),
        (lambda: api.embed(api.EmbedRequest("s.zsl"), _Bar()), "progress: _Bar has no stop method"),
        (
            lambda: api.label(api.LabelRequest(), encoder="shapes-demo"),
            "encoder: give open_encoder\\(ModelOptions\\(...\\)\\), not str",
        ),
        (lambda: api.hubness(api.HubnessRequest(), encoder=object()), "encoder: give open_"),
        (lambda: api.label(api.LabelRequest(), encoder=_EncoderOfOldProtocol()), "encoder: give"),
    ],
)
def test_arguments_of_the_wrong_kind_are_user_errors_before_any_work(call, message):
    # Rather than an AttributeError once the run is under way (the output opened, the model
    # loaded): nothing here names an image, a class or a model that exists.
    with pytest.raises(ZslError, match=message):
        call()


def test_an_output_path_may_be_a_path_object(tmp_path):
    output = api.OutputOptions(tmp_path / "p.json", "label-studio", api.LabelStudioOptions())
    assert output.path == str(tmp_path / "p.json")


def test_paths_may_be_path_objects_and_reports_stay_json(tiny_clip, photos, tmp_path):
    # A model folder, a store and other files given as Path: the reports and run info that
    # repeat them must still be JSON documents.
    model = api.ModelOptions(name=tiny_clip)  # a Path
    store = tmp_path / "photos.zsl"
    inputs = api.InputOptions(paths=[photos])  # a list of Paths
    embedded = api.embed(api.EmbedRequest(store, inputs=inputs, model=model))
    assert embedded.store == str(store) and json.dumps(embedded.to_json())
    labelled = api.label(
        api.LabelRequest(
            classes=api.ClassOptions(classes=photos.parent / "classes.txt"),
            model=model,
            output=None,
            embeddings=store,
        )
    )
    assert labelled.total == 6 and json.dumps(labelled.run_info)
    assert labelled.run_info["embeddings"] == str(store)


def test_requests_made_from_lists_are_hashable_and_keep_what_they_were_given():
    # Frozen requests are hashable (cache keys, sets); lists given for their sequences are
    # copied, so changing the list afterwards does not change the request.
    names, paths = ["cat", "dog"], ["photos"]
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=paths, extensions=["png"]),
        classes=api.ClassOptions(classes=names),
    )
    hubness = api.HubnessRequest(methods=["csls"])
    assert hash(request) and hash(hubness) and hash(api.EvaluateRequest("p.csv", "t", ks=[1]))
    names.append("bird")
    paths.append("more")
    assert request.classes.classes == ("cat", "dog") and request.inputs.paths == ("photos",)


def test_numpy_numbers_are_taken_as_python_ones():
    import numpy as np

    decision = Decision(top_k=np.int64(3), threshold=np.float32(0.5))
    assert (type(decision.top_k), type(decision.threshold)) == (int, float)
    assert type(api.ModelOptions(batch_size=np.int64(8)).batch_size) is int
    assert api.InputOptions(include_hidden=np.bool_(True)).include_hidden is True
    with pytest.raises(ZslError, match="low_confidence '0.5'"):
        api.LabelRequest(low_confidence="0.5")


def test_a_hubness_reduction_needs_more_than_one_image(tiny_clip, photos, tmp_path, monkeypatch):
    inputs = api.InputOptions(paths=(str(next(photos.rglob("*.png"))),))
    one = request(
        photos,
        tiny_clip,
        inputs=inputs,
        output=api.OutputOptions(path=str(tmp_path / "out.csv")),
        hubness_reduction="centering",
    )
    # Known from the paths: said before the model loads, not after.
    monkeypatch.setattr(api, "load_encoder", lambda *args, **kwargs: pytest.fail("loaded"))
    with pytest.raises(ZslError, match="needs the similarities of many images"):
        api.label(one)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(ZslError, match="2 or more readable images; this run found 1 image$"):
        api.hubness(api.HubnessRequest(inputs, one.classes, one.model))


def test_a_hubness_reduction_needs_two_classes(tiny_clip, photos, tmp_path, monkeypatch):
    # With one class every image took it whatever the reduction did to its score, where
    # `zsl hubness` refused the same class list.
    one_class = request(
        photos,
        tiny_clip,
        classes=api.ClassOptions(classes=("cat",)),
        output=api.OutputOptions(path=str(tmp_path / "out.csv")),
        hubness_reduction="csls",
    )
    monkeypatch.setattr(api, "load_encoder", lambda *args, **kwargs: pytest.fail("loaded"))
    with pytest.raises(ZslError, match="needs 2 or more classes; there is 1$"):
        api.label(one_class)
    assert not (tmp_path / "out.csv").exists()
    with pytest.raises(ZslError, match="needs 2 or more classes; there is 1$"):
        api.hubness(api.HubnessRequest(one_class.inputs, one_class.classes, one_class.model))


def test_a_hubness_reduction_needs_more_than_copies_of_one_image(tiny_clip, photos, tmp_path):
    # Copies of one image tell the reductions no more than the image alone: centering and the
    # inverted softmax leave every class tied but for float32 rounding, which picked the label.
    copies = tmp_path / "copies"
    copies.mkdir()
    original, other = sorted(photos.rglob("*.png"))[:2]
    for index in range(5):
        (copies / f"copy_{index}.png").write_bytes(original.read_bytes())
    inputs = api.InputOptions(paths=(str(copies),))
    model = api.ModelOptions(name=str(tiny_clip), batch_size=2)  # copies in several batches
    copied = request(photos, tiny_clip, inputs=inputs, model=model, output=None)
    assert len(set(p.label for p in api.label(copied).predictions)) == 1  # fine without one
    alone = dataclasses.replace(copied, inputs=api.InputOptions(paths=(str(original),)))
    with pytest.raises(ZslError, match="this run found 1 image$"):  # before it is read
        api.label(dataclasses.replace(alone, hubness_reduction="csls"))
    for method in ("centering", "isoftmax", "csls", "mp"):
        with pytest.raises(ZslError, match="5 readable images are copies of one image"):
            api.label(dataclasses.replace(copied, hubness_reduction=method))
    with pytest.raises(ZslError, match="5 readable images are copies of one image"):
        api.hubness(api.HubnessRequest(inputs, copied.classes, model))

    # One image that differs is enough: each method then ranks by what sets the images apart.
    (copies / "other.png").write_bytes(other.read_bytes())
    assert api.label(dataclasses.replace(copied, hubness_reduction="centering")).total == 6
    assert api.hubness(api.HubnessRequest(inputs, copied.classes, model)).n_images == 6


def test_hubness_without_the_whole_similarity_matrix_gives_the_same_results(
    tiny_clip, photos, monkeypatch
):
    from zsl_cli import hubness

    def runs():
        labelled = api.label(request(photos, tiny_clip, output=None, hubness_reduction="csls"))
        measured = api.hubness(
            api.HubnessRequest(
                inputs=api.InputOptions(paths=(str(photos),)),
                classes=api.ClassOptions(classes=["cat", "dog", "fox"]),
                model=api.ModelOptions(name=str(tiny_clip)),
            )
        )
        return [(p.label, p.top_k) for p in labelled.predictions], measured

    dense = runs()
    monkeypatch.setattr(hubness, "DENSE_SIMILARITY_CELLS", 0)  # as for 100,000 x 20,000
    made = []
    monkeypatch.setattr(hubness.LazySimilarities, "__init__", _recording(made))
    lazy = runs()
    assert len(made) == 2
    assert [label for label, _ in lazy[0]] == [label for label, _ in dense[0]]
    for (_, lazy_top), (_, dense_top) in zip(lazy[0], dense[0], strict=True):
        assert [s.label for s in lazy_top] == [s.label for s in dense_top]
        assert [s.score for s in lazy_top] == pytest.approx([s.score for s in dense_top])
    assert lazy[1].methods.keys() == dense[1].methods.keys()
    assert lazy[1].recommendation == dense[1].recommendation


def _recording(made: list):
    from zsl_cli.hubness import LazySimilarities

    original = LazySimilarities.__init__

    def init(self, images, class_vectors):
        made.append(images.shape)
        original(self, images, class_vectors)

    return init


def test_without_an_output_the_predictions_come_back_in_the_report(tiny_clip, photos, capsys):
    names = api.ClassOptions(classes=["cat", "dog"], templates=Path("{}"))
    kept = api.label(request(photos, tiny_clip, output=None, classes=names))
    assert kept.output == "none" and capsys.readouterr().out == ""
    assert [p.path for p in kept.predictions] == sorted(str(p) for p in photos.rglob("*.png"))
    # The same as from a class file, written to stdout.
    from_file = api.ClassOptions(classes=str(photos.parent / "classes.txt"), templates="{}")
    api.label(request(photos, tiny_clip, classes=from_file))
    written = capsys.readouterr().out.splitlines()[1:]
    assert [row.split(",")[1] for row in written] == [p.label for p in kept.predictions]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["cat", "cat"], "duplicate class 'cat'"),
        (["cat", " dog"], "white space"),
        (["cat", 3], "class names are strings, not int"),
        ([], "no classes given"),
        (["unknown"], "reserved"),
    ],
)
def test_class_names_given_in_code_are_checked_like_a_file(names, message):
    with pytest.raises(ZslError, match=message):
        api.plan_classes(api.ClassOptions(classes=names))


class _InterruptAfterFirstBatch:
    """Progress that presses Ctrl-C when the second batch of images is encoded (the first is
    saved)."""

    def __init__(self) -> None:
        self.batches = 0
        self.images = False

    def start(self, total: int, description: str) -> None:
        self.images = description == "encoding images"  # not the class prompts before them

    def advance(self, n: int) -> None:
        self.batches += self.images
        if self.batches == 2:
            raise KeyboardInterrupt

    def stop(self) -> None:
        pass


def test_ctrl_c_reaches_the_caller_after_the_finished_work_is_saved(tiny_clip, photos, tmp_path):
    output = tmp_path / "out.jsonl"
    model = api.ModelOptions(name=str(tiny_clip), batch_size=2)
    with pytest.raises(Interrupted) as caught:
        api.label(
            request(photos, tiny_clip, model=model, output=api.OutputOptions(path=str(output))),
            progress=_InterruptAfterFirstBatch(),
        )
    report = caught.value.report
    assert isinstance(caught.value, KeyboardInterrupt) and report.interrupted
    assert len(output.read_text().splitlines()) == report.total == 2

    export = tmp_path / "s.npy"
    embed = api.EmbedRequest(
        str(tmp_path / "s.zsl"), api.InputOptions(paths=(str(photos),)), model, export=str(export)
    )
    with pytest.raises(Interrupted) as caught:
        api.embed(embed, progress=_InterruptAfterFirstBatch())
    assert caught.value.report.interrupted and caught.value.report.encoded == 2
    # Part of the images exported would pass for all of them.
    assert caught.value.report.exported is None and not export.exists()
    assert api.embed(embed).reused == 2 and np.load(export).shape[0] == 6


class _StrictProgress:
    """Progress that fails, as a caller's bar may, on a stop() without a start() before it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def start(self, total: int, description: str) -> None:
        self.calls.append("start")

    def advance(self, n: int) -> None:
        pass

    def stop(self) -> None:
        if self.calls[-1:] != ["start"]:
            raise AttributeError("stop() before start()")
        self.calls.append("stop")


def test_a_run_refused_before_its_first_bar_raises_its_error_not_the_bars(
    tiny_clip, photos, tmp_path
):
    # The caller's stop() was called with no start(): its AttributeError hid the ZslError.
    store = str(tmp_path / "s.zsl")
    model = api.ModelOptions(name=str(tiny_clip))
    inputs = api.InputOptions(paths=(str(photos),))
    first = _StrictProgress()
    api.embed(api.EmbedRequest(store, inputs, model), progress=first)
    assert first.calls and first.calls.count("start") == first.calls.count("stop")
    refused = _StrictProgress()
    with pytest.raises(ZslError, match="float"):
        api.embed(api.EmbedRequest(store, inputs, model, dtype="float16"), progress=refused)


def test_an_interrupted_run_reaches_the_caller_from_a_worker_process(tiny_clip, photos):
    # concurrent.futures pickles a worker's exception for its caller: Interrupted, whose
    # report its __init__ requires, failed to unpickle, and the pool broke ("A process in the
    # process pool was terminated abruptly") where the caller expected Interrupted.
    model = api.ModelOptions(name=str(tiny_clip), batch_size=2)
    labelling = request(photos, tiny_clip, model=model, output=None)
    with pytest.raises(Interrupted) as caught:
        api.label(labelling, progress=_InterruptAfterFirstBatch())
    stopped = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(stopped, Interrupted) and stopped.report == caught.value.report
    assert stopped.report.interrupted and stopped.report.predictions


def test_an_embed_interrupted_right_after_a_commit_counts_what_it_stored(
    tiny_clip, photos, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # A Ctrl-C landing between the commit of a batch and its count reported one batch fewer
    # encoded than the store held.
    from zsl_cli.store import EmbeddingStore

    add = EmbeddingStore.add

    def add_then_interrupt(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        add(self, *args, **kwargs)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(EmbeddingStore, "add", add_then_interrupt)
    model = api.ModelOptions(name=str(tiny_clip), batch_size=2)
    embed = api.EmbedRequest(str(tmp_path / "s.zsl"), api.InputOptions(paths=(str(photos),)), model)
    with pytest.raises(Interrupted) as caught:
        api.embed(embed)
    monkeypatch.setattr(EmbeddingStore, "add", add)
    assert caught.value.report.encoded == 2 and api.embed(embed).reused == 2


def test_a_run_leaves_pillow_and_logging_settings_as_it_found_them(tiny_clip, photos):
    import logging
    import warnings

    import transformers
    from PIL import Image

    before = (Image.MAX_IMAGE_PIXELS, transformers.logging.get_verbosity(), list(warnings.filters))
    hub_level = logging.getLogger("huggingface_hub").level
    big = dataclasses.replace(
        request(photos, tiny_clip, output=None),
        inputs=api.InputOptions(paths=(str(photos),), max_pixels=10**10),
    )
    api.label(big)
    after = (Image.MAX_IMAGE_PIXELS, transformers.logging.get_verbosity(), list(warnings.filters))
    assert after == before and logging.getLogger("huggingface_hub").level == hub_level


def test_label_studio_output_from_python_uses_the_servers_document_root(
    tiny_clip, photos, tmp_path, monkeypatch
):
    monkeypatch.setenv("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT", str(tmp_path))
    tasks_file = tmp_path / "tasks.json"
    output = api.OutputOptions(path=str(tasks_file), format="label-studio")
    api.label(request(photos, tiny_clip, output=output))
    tasks = json.loads(tasks_file.read_text())
    assert len(tasks) == 6
    assert all(t["data"]["image"].startswith("/data/local-files/?d=photos/") for t in tasks)
    (version,) = {p["model_version"] for t in tasks for p in t["predictions"]}
    prefix = re.escape(f"zsl-{zsl_cli.__version__}:")
    assert re.fullmatch(rf"{prefix}tiny-clip\d*#[0-9a-f]{{8}}", version)  # the folder's name
    # Images served over HTTP: the server's variable says nothing of that server's folder.
    monkeypatch.chdir(photos)
    ls = api.LabelStudioOptions(url_prefix="http://files.example/photos")
    output = api.OutputOptions(path=str(tasks_file), format="label-studio", label_studio=ls)
    api.label(request(photos, tiny_clip, output=output))
    urls = [t["data"]["image"] for t in json.loads(tasks_file.read_text())]
    assert all(url.startswith("http://files.example/photos/") for url in urls)
    assert not any("/photos/photos/" in url for url in urls)


def test_a_tasks_file_larger_than_label_studio_imports_is_warned_of(
    tiny_clip, photos, tmp_path, monkeypatch
):
    tasks_file = tmp_path / "tasks.json"
    studio = api.LabelStudioOptions(document_root=str(tmp_path))
    output = api.OutputOptions(path=str(tasks_file), format="label-studio", label_studio=studio)
    report = api.label(request(photos, tiny_clip, output=output))
    size = tasks_file.stat().st_size
    assert not any("Label Studio refuses" in warning for warning in report.warnings)

    # The limit is Label Studio's (250 MiB): a file a byte over a smaller one stands for it.
    monkeypatch.setattr(label_studio, "LABEL_STUDIO_IMPORT_LIMIT", size)
    assert not any(
        "refuses" in w for w in api.label(request(photos, tiny_clip, output=output)).warnings
    )
    monkeypatch.setattr(label_studio, "LABEL_STUDIO_IMPORT_LIMIT", size - 1)
    report = api.label(request(photos, tiny_clip, output=output))
    (warning,) = [w for w in report.warnings if "Label Studio refuses" in w]
    assert warning.startswith(f"{tasks_file} holds 0 MiB of tasks: Label Studio refuses an import")
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in warning and "--top-k" in warning


def test_label_studio_model_version_names_the_hub_revision(
    tiny_clip, photos, tmp_path, monkeypatch
):
    # Two revisions of one hub model are two model versions to a Label Studio project, which
    # pre-annotates with one; both were "zsl-<version>:acme/tiny-clip".
    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--acme--tiny-clip"
    for commit, ref in (("1" * 40, "main"), ("2" * 40, "v2")):
        shutil.copytree(tiny_clip, repo / "snapshots" / commit)
        (repo / "refs").mkdir(exist_ok=True)
        (repo / "refs" / ref).write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tasks_file = tmp_path / "tasks.json"
    output = api.OutputOptions(
        path=str(tasks_file),
        format="label-studio",
        label_studio=api.LabelStudioOptions(document_root=str(tmp_path)),
    )

    def version(revision: str | None, *, loaded: bool = False) -> set[str]:
        model = api.ModelOptions(name="acme/tiny-clip", revision=revision)
        if loaded:  # the encoder's revision, not request.model's
            api.label(request(photos, tiny_clip, output=output), encoder=api.open_encoder(model))
        else:
            api.label(request(photos, tiny_clip, output=output, model=model))
        return {
            p["model_version"] for t in json.loads(tasks_file.read_text()) for p in t["predictions"]
        }

    prefix = f"zsl-{zsl_cli.__version__}:acme/tiny-clip"
    assert version(None) == {prefix}
    assert version("v2") == {f"{prefix}@v2"}
    assert version("2" * 40, loaded=True) == {f"{prefix}@{'2' * 40}"}
    # The run info, recorded to reproduce the run, says which revision it was too.
    run_info = json.loads(tasks_file.with_name("tasks.json.run.json").read_text())
    assert run_info["model"]["revision"] == "2" * 40


def test_label_studio_model_version_of_a_model_folder_does_not_depend_on_how_it_is_typed(
    tiny_clip, photos, tmp_path, monkeypatch
):
    # `-m models/sig` one day and `-m models/sig/` the next were two model versions to a
    # project, which pre-annotates with the first alone: the second day's tasks showed none.
    # An absolute path also showed the user's folders to everyone in the project.
    from tests.tiny_models import make_tiny_clip

    models = tmp_path / "work" / "models"
    shutil.copytree(tiny_clip, models / "sig")
    (tmp_path / "current").symlink_to(models / "sig")
    tasks_file = tmp_path / "tasks.json"
    output = api.OutputOptions(
        path=str(tasks_file),
        format="label-studio",
        label_studio=api.LabelStudioOptions(document_root=str(tmp_path)),
    )
    # One image is a task enough to name the model version: each spelling labels it alone.
    photo = photos / "cat" / "img_000.png"

    def version(model: str | Path, *, loaded: bool = False) -> str:
        options = api.ModelOptions(name=model)
        one = request(photos, tiny_clip, inputs=api.InputOptions(paths=(str(photo),)))
        if loaded:
            api.label(dataclasses.replace(one, output=output), encoder=api.open_encoder(options))
        else:
            api.label(dataclasses.replace(one, output=output, model=options))
        tasks = json.loads(tasks_file.read_text())
        (named,) = {p["model_version"] for t in tasks for p in t["predictions"]}
        return named

    monkeypatch.chdir(tmp_path / "work")
    first = version("models/sig")
    prefix = f"zsl-{zsl_cli.__version__}:"
    assert re.fullmatch(rf"{re.escape(prefix)}sig#[0-9a-f]{{8}}", first)
    spellings = ["models/sig/", "./models/sig", "models//sig", "../work/models/sig"]
    spellings += [str(models / "sig"), str(tmp_path / "current")]
    assert {version(typed) for typed in spellings} == {first}
    assert version(models / "sig", loaded=True) == first
    monkeypatch.chdir(models / "sig")
    assert version(".") == first
    # The same weights elsewhere (a colleague's copy) are the same version; other weights in a
    # folder of the same name are another.
    shutil.copytree(models / "sig", tmp_path / "elsewhere" / "sig")
    assert version(tmp_path / "elsewhere" / "sig") == first
    make_tiny_clip(tmp_path / "retrained" / "sig", seed=1)
    other = version(tmp_path / "retrained" / "sig")
    assert other != first and other.startswith(f"{prefix}sig#")
    # A hub id is named as before (projects hold that version): see the revision test above.


def test_an_interrupt_before_any_image_is_finished_keeps_the_old_output(
    tiny_clip, photos, tmp_path, monkeypatch
):
    # A hubness reduction writes only once every image is encoded: stopped before that, the run
    # has nothing to publish, and a complete older output must not become an empty one.
    old = tmp_path / "predictions.csv"
    old.write_text("an older, complete output\n")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt
        yield

    monkeypatch.setattr(api, "_predictions", stopped)
    output = api.OutputOptions(path=str(old))
    with pytest.raises(Interrupted) as caught:
        api.label(request(photos, tiny_clip, output=output))
    assert caught.value.report.total == 0
    assert old.read_text() == "an older, complete output\n"
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == ["classes.txt", "photos", "predictions.csv"]  # no sidecar, no temporary file
    # Nor is a Label Studio config, which goes with the tasks it was written for.
    tasks, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    tasks.write_text("[]")
    config.write_text("<View/>")
    studio = api.LabelStudioOptions(url_prefix="http://x/", config=str(config))
    output = api.OutputOptions(path=str(tasks), format="label-studio", label_studio=studio)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Interrupted):
        api.label(request(photos, tiny_clip, output=output))
    assert (tasks.read_text(), config.read_text()) == ("[]", "<View/>")


def test_an_interrupt_while_the_label_studio_config_is_written_leaves_no_temporary_file(
    tiny_clip, photos, tmp_path, monkeypatch
):
    config = tmp_path / "config.xml"
    config.write_text("<View/>")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "label_studio_config", interrupted)
    studio = api.LabelStudioOptions(url_prefix="http://x/", config=str(config))
    output = api.OutputOptions(
        path=str(tmp_path / "tasks.json"), format="label-studio", label_studio=studio
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        api.label(request(photos, tiny_clip, output=output))
    assert config.read_text() == "<View/>"
    assert not list(tmp_path.glob(".*.zsl-tmp"))


def test_a_loaded_model_is_reused_across_calls(tiny_clip, photos, tmp_path, monkeypatch):
    model = api.ModelOptions(name=str(tiny_clip))
    encoder = api.open_encoder(model)
    fresh = api.label(request(photos, tiny_clip, output=None))
    monkeypatch.setattr(api, "load_encoder", lambda *args, **kwargs: pytest.fail("loaded again"))
    reused = api.label(request(photos, tiny_clip, output=None), encoder=encoder)
    assert reused.predictions == fresh.predictions
    store = str(tmp_path / "photos.zsl")
    inputs = api.InputOptions(paths=(str(photos),))
    assert api.embed(api.EmbedRequest(store, inputs, model), encoder=encoder).encoded == 6
    from_store = dataclasses.replace(
        request(photos, tiny_clip, output=None), inputs=api.InputOptions(), embeddings=store
    )
    relabelled = api.label(from_store, encoder=encoder)
    assert [p.label for p in relabelled.predictions] == [p.label for p in fresh.predictions]
    # The run info ties a store run to the embeddings it read (hashing weights costs seconds
    # for a large model, so a run on the images leaves it out).
    assert relabelled.run_info["model"]["identity"] == encoder.identity
    assert fresh.run_info["model"]["identity"] is None
    hubness = api.HubnessRequest(inputs=inputs, classes=request(photos, tiny_clip).classes)
    assert api.hubness(hubness, encoder=encoder).n_images == 6


def test_threads_loading_models_at_once_all_get_them(tiny_clip):
    # transformers imports its classes on first use, and two threads doing that at once could
    # fail ("cannot import name 'AutoModel' from 'transformers'"): a fresh process shows it.
    code = f"""
import threading
from zsl_cli import api
errors = []
def load():
    try:
        api.open_encoder(api.ModelOptions(name={str(tiny_clip)!r}))
    except BaseException as error:
        errors.append(repr(error))
threads = [threading.Thread(target=load) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_decoding_in_worker_processes_gives_the_same_predictions(tiny_clip, photos, monkeypatch):
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 cut short")
    labelled = {}
    for processes in (False, True):
        monkeypatch.setattr(api, "decode_in_processes", lambda device, workers, p=processes: p)
        report = api.label(request(photos, tiny_clip, output=None))
        labelled[processes] = [dataclasses.asdict(p) for p in report.predictions]
    assert labelled[True] == labelled[False]
    assert [p["status"] for p in labelled[True]].count("truncated") == 1


def test_a_loaded_encoder_decides_how_its_images_decode(tiny_clip, photos, monkeypatch):
    # A model given already loaded runs where it was loaded: on the CPU of a GPU machine its
    # images decode in threads, whatever the request's device ("auto") would have chosen.
    asked = []
    monkeypatch.setattr(api, "decode_in_processes", lambda device, workers: asked.append(device))
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))
    api.label(request(photos, tiny_clip, output=None), encoder=encoder)
    assert asked == ["cpu"]


@pytest.mark.parametrize(
    ("device", "workers", "gpu_present", "expected"),
    [
        ("cpu", 8, True, False),
        ("cuda", 8, False, True),
        ("cuda:1", 8, False, True),
        ("mps", 8, False, False),  # macOS: no safe fork, and threads keep up with its GPUs
        ("cuda", 1, True, False),  # one worker gains nothing from a process
        ("auto", 8, True, True),
        ("auto", 8, False, False),
    ],
)
def test_cuda_runs_decode_in_processes(monkeypatch, device, workers, gpu_present, expected):
    monkeypatch.setattr(api, "_has_nvidia_gpu", lambda: gpu_present)
    monkeypatch.setattr(api, "processes_available", lambda: True)
    assert api.decode_in_processes(device, workers) is expected
    monkeypatch.setattr(api, "processes_available", lambda: False)
    assert api.decode_in_processes(device, workers) is False


def test_no_more_decode_workers_start_than_there_are_images(monkeypatch):
    # -j 10**20 spun for ever releasing the held-back workers, one semaphore step each.
    started = []
    monkeypatch.setattr(
        api, "DecodeQueue", lambda paths, prepare, **options: started.append(options)
    )
    monkeypatch.setattr(api, "default_workers", lambda: 16)
    paths = [Path(f"{i}.png") for i in range(3)]
    geometry = FastPreprocessor(None, (8, 8), None, Image.BILINEAR)
    for workers in (10**20, None, 2):
        api.start_decoding(
            paths, geometry, api.InputOptions(paths=()), exact=False, workers=workers, device="cpu"
        )
    assert [options["workers"] for options in started] == [3, 3, 2]


@pytest.mark.skipif(sys.platform != "linux", reason="decode processes are forked on Linux only")
def test_decode_processes_are_forked_from_a_process_that_has_imported_torch(tmp_path):
    # Forked before, each decode process imported torch for its resize on its own: 1.6 CPU-s and
    # 135 MB apiece (2 cores), 16 of them on a 16-core GPU machine.
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (640, 480), "teal").save(photo)
    script = f"""
import sys
from pathlib import Path
from PIL import Image
from zsl_cli import api
from zsl_cli.encoders.preprocess import FastPreprocessor
assert "torch" not in sys.modules
resize = FastPreprocessor(224, None, (224, 224), Image.BICUBIC, torch_resize=True)
paths = [Path({str(photo)!r})] * 8
inputs = api.InputOptions(paths=())
with api.start_decoding(paths, resize, inputs, exact=False, workers=2, device="cuda") as queue:
    assert queue._in_processes
    torch_before_items = "torch" in sys.modules
    assert all(item.ok for item in queue.items())
print(torch_before_items)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


def test_gpus_hidden_from_the_process_are_no_gpu(monkeypatch):
    monkeypatch.setattr(api.os.path, "exists", lambda path: path == "/dev/nvidiactl")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert api._has_nvidia_gpu()
    for hidden in ("", "-1"):
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
        assert not api._has_nvidia_gpu()  # as torch.cuda.is_available() would say
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    assert api._has_nvidia_gpu()


def test_extensions_given_as_a_generator_are_read_once_and_kept():
    # Checking the names one by one must not use up a generator before it is kept.
    inputs = api.InputOptions(paths=("photos",), extensions=(e for e in ("png", "jpg")))
    assert inputs.extensions == ("png", "jpg")


def test_the_report_counts_labels_of_labelled_images_and_low_scores_as_written():
    from zsl_cli.records import LabelScore, Prediction

    report = api.LabelReport(low_confidence_below=0.5)
    for score in (0.49999996, 0.4):  # the first is written as 0.5: not below 0.5
        report.add(Prediction("a.png", "cat", score, (LabelScore("cat", score),)))
    report.add(Prediction("b.png", "", None, (), "truncated", "cut short"))
    assert (report.total, report.failed, report.low_confidence) == (3, 1, 1)
    assert report.labels == {"cat": 2}
    summary = api.summary_dict(report)
    assert (summary["ok"], summary["labels"], summary["low_confidence"]) == (2, {"cat": 2}, 1)


def test_the_report_says_whether_a_run_labelled_none_of_its_images():
    # The CLI's exit status 1 and its summary's "No image labelled" line follow this one rule.
    failed = Prediction("b.png", "", None, (), "truncated", "cut short")
    labelled = Prediction("a.png", "cat", 0.9, (LabelScore("cat", 0.9),))
    assert not api.LabelReport().none_labelled  # no image: nothing failed
    report = api.LabelReport()
    for prediction in (failed, failed):
        report.add(prediction)
    assert report.none_labelled
    # Stopped early, it did not fail: the images not reached may label.
    assert not dataclasses.replace(report, interrupted=True).none_labelled
    report.add(labelled)
    assert not report.none_labelled


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_unless_exact(tmp_path):
    import numpy as np
    from PIL import Image

    from zsl_cli.encoders.preprocess import FastPreprocessor
    from zsl_cli.images import DecodeOptions, ImagePreparation

    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    path = tmp_path / "large.jpg"  # 1024 x 768: at least 3 times the 32-px input
    Image.fromarray(pixels).resize((1024, 768), Image.BICUBIC).save(path, quality=90)
    preprocessor = FastPreprocessor(
        shortest_edge=32, resize_to=None, crop=(32, 32), resample=Image.BICUBIC
    )
    inputs = api.InputOptions(paths=(str(path),))
    decoded = {}
    for exact in (False, True):
        with api.start_decoding(
            [path], preprocessor, inputs, exact=exact, workers=1, device="cpu"
        ) as queue:
            (item,) = queue.items()
        decoded[exact] = item.pixels
    by_hand = {
        exact: ImagePreparation(
            DecodeOptions(draft=None if exact else preprocessor.decode_hint), preprocessor, 10**6
        )(path)
        for exact in (False, True)
    }
    np.testing.assert_array_equal(decoded[False], by_hand[False])
    np.testing.assert_array_equal(decoded[True], by_hand[True])
    assert not np.array_equal(decoded[False], decoded[True])  # the reduced scale is used


def test_the_readme_example_runs_as_written_on_a_folder_with_a_broken_image(
    tmp_path, monkeypatch, capsys
):
    import shutil

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From Python") :]
    start = section.index("```python\n") + len("```python\n")
    example = section[start : section.index("```\n", start)]
    shutil.copytree(
        Path(__file__).resolve().parents[1] / "sample_images", tmp_path / "sample_images"
    )
    (tmp_path / "sample_images" / "a broken.png").write_bytes(b"not a png")  # listed first
    monkeypatch.chdir(tmp_path)  # the example runs from the repository root
    exec(example, {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[0].startswith("sample_images/a broken.png")
    assert "Counter({'ok': 90" in lines[-1]


def test_classes_the_model_cannot_tell_apart_get_one_vector(tiny_clip):
    # Upper-case copies (the tokenizer lowercases) mix the same embeddings as their originals,
    # but in other places of the mix's matrix product, which rounded THING89's copy apart.
    names = [f"thing{i}" for i in range(120)]
    pairs = [(1, 0), (17, 3), (64, 5), (110, 100), (119, 7), (90, 89)]
    for copy, original in pairs:
        names[copy] = names[original].upper()
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))
    for templates in ("default", "imagenet7"):
        options = api.ClassOptions(classes=names, templates=templates)
        classifier = api.build_classifier(*api.plan_classes(options), encoder)
        assert len(classifier.indistinguishable) == len(pairs)
        # Past the groups shown, the rest are counted; one is one group.
        assert len(pairs) == api.ALIKE_GROUPS_SHOWN + 1
        assert classifier.model_warnings()[api.ALIKE_GROUPS_SHOWN :] == [
            "... and 1 more group of classes the model cannot tell apart"
        ]
        for copy, original in pairs:
            assert classifier.vectors[copy].tobytes() == classifier.vectors[original].tobytes()


def test_an_encoder_may_return_its_text_embeddings_in_any_memory_layout(tiny_clip):
    # The classifier reads each prompt's row as bytes: a Fortran-ordered matrix from an Encoder
    # of a caller's own must give the same class vectors, not a BufferError.
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))

    class FortranOrdered:
        def __getattr__(self, name):
            return getattr(encoder, name)

        def encode_texts(self, texts):
            return np.asfortranarray(encoder.encode_texts(texts))

    plan = api.plan_classes(api.ClassOptions(classes=["cat", "Cat", "dog"], templates="imagenet7"))
    expected = api.build_classifier(*plan, encoder)
    classifier = api.build_classifier(*plan, FortranOrdered())
    assert classifier.indistinguishable == expected.indistinguishable == [["cat", "Cat"]]
    # Within float32 rounding: ours streams its embeddings, mixed in the order it encodes them.
    np.testing.assert_allclose(classifier.vectors, expected.vectors, rtol=0, atol=1e-6)


def test_an_encoder_whose_encode_texts_takes_no_advance_encodes_in_a_run_with_progress(tiny_clip):
    # encode_texts(texts, advance=None) is newer than the rest of the protocol: an Encoder of a
    # caller's own written before it got a TypeError from a run with progress (the CLI's).
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))

    class WithoutAdvance:
        def __getattr__(self, name):
            return getattr(encoder, name)

        def encode_texts(self, texts):
            return encoder.encode_texts(texts)

    plan = api.plan_classes(api.ClassOptions(classes=["cat", "dog"], templates="imagenet7"))
    expected = api.build_classifier(*plan, encoder)
    heard = []

    class Progress:
        def start(self, total, description):
            heard.append(description)

        def advance(self, n):
            heard.append(n)

        def stop(self):
            heard.append("stop")

    classifier = api.build_classifier(*plan, WithoutAdvance(), progress=Progress())
    np.testing.assert_allclose(classifier.vectors, expected.vectors, rtol=0, atol=1e-6)
    assert heard == []  # no bar that would stand still at 0
    api.build_classifier(*plan, encoder, progress=Progress())
    assert heard == ["encoding class prompts", len(plan[1].texts), "stop"]


@pytest.mark.parametrize(
    ("method", "broken", "message"),
    [
        # One embedding short: an IndexError in the prompt plan, a ValueError from zip().
        (
            "encode_texts",
            lambda e: e[:-1],
            "encode_texts gave an array of shape \\(1, 16\\) for 2 texts",
        ),
        (
            "encode_images",
            lambda e: e[:-1],
            "encode_images gave an array of shape \\(5, 16\\) for 6 images",
        ),
        ("encode_images", lambda e: e[0], "encode_images gave an array of shape \\(16,\\) for 6"),
        # A ValueError from matmul's gufunc signature.
        (
            "encode_images",
            lambda e: np.pad(e, ((0, 0), (0, 1))),
            "image embeddings have 17 values and its text embeddings 16",
        ),
    ],
)
def test_an_encoder_of_a_callers_own_that_breaks_the_protocol_is_a_user_error(
    tiny_clip, photos, method, broken, message
):
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))
    real = getattr(encoder, method)
    setattr(encoder, method, lambda inputs, *more: broken(real(inputs, *more)))
    with pytest.raises(ZslError, match=message):
        api.label(request(photos, tiny_clip, output=None), encoder=encoder)


def test_images_left_out_by_their_extension_are_a_warning(tiny_clip, photos, tmp_path):
    from PIL import Image

    def extension_warnings(warnings: list[str]) -> list[str]:
        return [warning for warning in warnings if "by their extension" in warning]

    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip)))
    label = request(photos, tiny_clip, output=None)
    (photos / "cat" / "notes.json").write_text("{}")  # a sidecar, which Pillow does not read
    assert extension_warnings(api.label(label, encoder=encoder).warnings) == []
    for name in ("cat/a.jp2", "dog/b.tga", "dog/.hidden.tga"):
        Image.new("RGB", (8, 8), "red").save(photos / name)
    expected = [
        "2 files that Pillow reads were left out by their extension (.jp2 1, .tga 1): "
        "add them with --ext (which replaces the default list)"
    ]
    assert extension_warnings(api.label(label, encoder=encoder).warnings) == expected
    inputs = api.InputOptions(paths=(str(photos),))
    embedded = api.embed(api.EmbedRequest(str(tmp_path / "photos.zsl"), inputs), encoder=encoder)
    assert extension_warnings(embedded.warnings) == expected
    hubness = api.HubnessRequest(inputs=inputs, classes=label.classes)
    assert extension_warnings(api.hubness(hubness, encoder=encoder).warnings) == expected
    every = dataclasses.replace(inputs, extensions=("png", "jp2", "tga"))
    taken = api.label(dataclasses.replace(label, inputs=every), encoder=encoder)
    assert taken.inputs == 8 and extension_warnings(taken.warnings) == []


def test_a_document_that_cannot_be_written_fails_before_the_work(
    tiny_clip, photos, tmp_path, monkeypatch
):
    # A file where the folder of a --json should be was found once the work was done: the
    # hubness measured, the images embedded, or the report written next to no metrics.
    predictions = tmp_path / "predictions.jsonl"
    api.label(request(photos, tiny_clip, output=api.OutputOptions(path=str(predictions))))

    def work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work began")

    monkeypatch.setattr(api, "load_encoder", work)
    monkeypatch.setattr(api, "evaluate_files", work)
    blocked = str(tmp_path / "classes.txt" / "out.json")
    inputs, model = api.InputOptions(paths=(str(photos),)), api.ModelOptions(name=str(tiny_clip))
    store, report, metrics = tmp_path / "photos.zsl", tmp_path / "r.html", tmp_path / "m.json"
    calls = (
        lambda: api.hubness(
            api.HubnessRequest(inputs, api.ClassOptions(["cat", "dog"]), model, json_out=blocked)
        ),
        lambda: api.embed(api.EmbedRequest(str(store), inputs, model, json_out=blocked)),
        lambda: api.evaluate(
            api.EvaluateRequest(str(predictions), str(photos), json_out=blocked, report_out=report)
        ),
        lambda: api.evaluate(
            api.EvaluateRequest(
                str(predictions), str(photos), json_out=metrics, report_out=f"{blocked}.html"
            )
        ),
    )
    for call in calls:
        with pytest.raises(ZslError, match="cannot create the output folder .*classes.txt'"):
            call()
    assert not store.exists() and not report.exists() and not metrics.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file


def test_a_document_for_a_fifo_is_opened_once_when_it_is_written(tiny_clip, photos, tmp_path):
    # Opened and closed before the work as well, the FIFO's reader would take that for the whole
    # document (nothing), and the run would then wait for a reader that never comes.
    import os
    import threading

    fifo = tmp_path / "hubness.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read)
    reader.start()
    measure = api.HubnessRequest(
        api.InputOptions(paths=(str(photos),)),
        api.ClassOptions(["cat", "dog"]),
        api.ModelOptions(name=str(tiny_clip)),
        methods=("none",),
        json_out=str(fifo),
    )
    run = threading.Thread(target=api.hubness, args=(measure,), daemon=True)
    run.start()
    run.join(120)
    if run.is_alive():  # let it write its document somewhere
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
    reader.join()
    assert received and json.loads(received[0])["n_images"] == 6


def test_a_run_on_a_whole_store_writes_over_none_of_its_images(tiny_clip, photos, tmp_path):
    # Without paths the store's images are known only once it is read: they were not checked,
    # and -o or --json named one of them replaced the image.
    store = str(tmp_path / "photos.zsl")
    model = api.ModelOptions(name=str(tiny_clip))
    api.embed(api.EmbedRequest(store, api.InputOptions(paths=(str(photos),)), model))
    image = next(photos.rglob("*.png"))
    before, folder = image.read_bytes(), sorted(image.parent.iterdir())
    relabel = request(
        photos,
        tiny_clip,
        inputs=api.InputOptions(),
        embeddings=store,
        output=api.OutputOptions(path=str(image), format="csv"),
    )
    measure = api.HubnessRequest(
        classes=api.ClassOptions(["cat", "dog"]), model=model, embeddings=store, json_out=str(image)
    )
    for call, option in (
        (lambda: api.label(relabel), "-o"),
        (lambda: api.hubness(measure), "--json"),
    ):
        with pytest.raises(
            ZslError, match=f"^{option} {re.escape(str(image))} is an input of this run"
        ):
            call()
    assert image.read_bytes() == before and sorted(image.parent.iterdir()) == folder


def test_a_store_run_blames_the_model_only_when_the_store_lacks_it(tiny_clip, photos, tmp_path):
    # A model the store holds, with exact preprocessing, that fails to load for another reason
    # was said to be the wrong one ("holds embeddings of: ... (give one with -m)").
    store = str(tmp_path / "photos.zsl")
    exact = api.ModelOptions(name=str(tiny_clip), exact_preprocessing=True)
    api.embed(api.EmbedRequest(store, api.InputOptions(paths=(str(photos),)), exact))
    for model, blamed in ((exact, False), (dataclasses.replace(exact, name="elsewhere"), True)):
        relabel = request(
            photos,
            tiny_clip,
            inputs=api.InputOptions(),
            embeddings=store,
            model=dataclasses.replace(model, device="cuda:99"),  # fails as it loads
            output=None,
        )
        with pytest.raises(ZslError) as caught:
            api.label(relabel)
        assert ("holds embeddings of" in caught.value.message) is blamed
    # As a user gives it: "(exact preprocessing)" is no part of a name -m takes.
    assert f"of: {tiny_clip} with --exact-preprocessing (give one with -m)" in caught.value.message


def test_a_store_of_an_older_zsl_naming_a_model_relative_is_not_blamed_for_it(
    tiny_clip, photos, tmp_path, monkeypatch
):
    # An older zsl stored a local model's folder as -m gave it ('model'); the name is now made
    # absolute, and that model failing to load for another reason was said to be the wrong one.
    store = str(tmp_path / "photos.zsl")
    model = api.ModelOptions(name=str(tiny_clip))
    api.embed(api.EmbedRequest(store, api.InputOptions(paths=(str(photos),)), model))
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE models SET name = ?", (os.path.basename(tiny_clip),))
    monkeypatch.chdir(os.path.dirname(tiny_clip))
    relabel = request(
        photos,
        tiny_clip,
        inputs=api.InputOptions(),
        embeddings=store,
        model=api.ModelOptions(name=os.path.basename(tiny_clip), device="cuda:99"),
        output=None,
    )
    with pytest.raises(ZslError) as caught:
        api.label(relabel)
    assert "holds embeddings of" not in caught.value.message


def test_an_export_of_a_store_names_its_models_when_the_model_does_not_load(
    tiny_clip, photos, tmp_path
):
    # embed without paths reads only the store, as label --embeddings does, but a model that
    # did not load (the default hub one, offline) was named without the ones the store holds.
    store = str(tmp_path / "photos.zsl")
    model = api.ModelOptions(name=str(tiny_clip))
    api.embed(api.EmbedRequest(store, api.InputOptions(paths=(str(photos),)), model))
    export = api.EmbedRequest(
        store,
        api.InputOptions(),
        api.ModelOptions(name="elsewhere"),
        export=str(tmp_path / "v.npy"),
    )
    with pytest.raises(ZslError) as caught:
        api.embed(export)
    assert f"holds embeddings of: {tiny_clip} (give one with -m)" in caught.value.message
    assert not (tmp_path / "v.npy").exists()


def test_a_run_in_which_every_image_failed_encodes_nothing(tiny_clip, photos):
    broken = photos.parent / "broken"  # next to the class file
    broken.mkdir()
    (broken / "empty.png").write_bytes(b"")
    (broken / "text.png").write_bytes(b"not an image")
    report = api.label(request(broken, tiny_clip, output=None))
    assert report.by_status == {"empty": 1, "not_an_image": 1} and report.failed == 2
    assert [p.status for p in report.predictions] == ["empty", "not_an_image"]


@pytest.mark.parametrize("call", ["evaluate", "embed", "label", "hubness"])
def test_a_path_longer_than_a_file_name_is_a_zsl_error_from_python(tmp_path, call):
    # pathlib raises ENAMETOOLONG where os.path says no: the CLI turned it into one line, but a
    # library caller got a bare OSError where a ZslError is promised for a user's mistake.
    long_name = str(tmp_path / ("n" * 300))
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    classes = api.ClassOptions(classes=str(tmp_path / "classes.txt"))
    model = api.ModelOptions(name="shapes-demo")
    requests = {
        "evaluate": lambda: api.evaluate(api.EvaluateRequest(long_name, str(tmp_path))),
        "embed": lambda: api.embed(
            api.EmbedRequest(long_name, api.InputOptions(paths=(str(tmp_path),)), model=model)
        ),
        "label": lambda: api.label(
            api.LabelRequest(classes=classes, model=model, embeddings=long_name)
        ),
        "hubness": lambda: api.hubness(
            api.HubnessRequest(classes=classes, model=model, embeddings=long_name)
        ),
    }
    with pytest.raises(ZslError, match="too long"):
        requests[call]()


def test_an_output_whose_run_info_name_is_too_long_says_so(tmp_path, photos):
    # 252 bytes fit a file name, its .run.json sidecar's 261 do not: the check that no output is
    # an input met the sidecar's name first (pathlib's is_symlink raised ENAMETOOLONG) and said
    # only "<name>.run.json: File name too long", of a file the user never named.
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=str(tmp_path / "classes.txt")),
        model=api.ModelOptions(name="shapes-demo"),
        output=api.OutputOptions(path=str(tmp_path / ("n" * 248 + ".csv"))),
    )
    with pytest.raises(ZslError, match=r"6 bytes too long for a file name \(and its run info"):
        api.label(request)


def test_a_ctrl_c_just_after_a_row_is_written_counts_that_row(
    tiny_clip, photos, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # A signal between writing a row and counting it (a few bytecodes an image) left a row in
    # the file that the summary did not count, and run info whose output_bytes fell short, so
    # that evaluate took it for an earlier run's.
    from zsl_cli import files

    output = tmp_path / "out.csv"
    written = files.AtomicFileSink.write
    rows = []

    def write_then_interrupt(sink, data):
        written(sink, data)
        rows.append(data)
        if len(rows) == 3:  # the header and two rows
            signal.raise_signal(signal.SIGINT)  # handled at the next bytecode, as a real one

    monkeypatch.setattr(files.AtomicFileSink, "write", write_then_interrupt)
    with pytest.raises(Interrupted) as caught:
        api.label(request(photos, tiny_clip, output=api.OutputOptions(path=str(output))))
    report = caught.value.report
    run_info = json.loads(Path(f"{output}.run.json").read_text())
    assert len(output.read_text().splitlines()) - 1 == report.total == 2
    assert run_info["summary"]["total"] == 2 and run_info["complete"] is False
    assert run_info["output_bytes"] == output.stat().st_size


def test_a_ctrl_c_as_the_output_is_closed_keeps_the_finished_work(
    tiny_clip, photos, tmp_path, monkeypatch, ctrl_c_interrupts
):
    # A signal between the last image and the publishing of the output (the summary, the end of
    # a JSON document, the run info) threw every finished row away.
    output = tmp_path / "out.csv"
    summary = api.summary_dict

    def interrupted_summary(report):
        signal.raise_signal(signal.SIGINT)  # handled at the next bytecode, as a real one
        return summary(report)

    monkeypatch.setattr(api, "summary_dict", interrupted_summary)
    with pytest.raises(KeyboardInterrupt):
        api.label(request(photos, tiny_clip, output=api.OutputOptions(path=str(output))))
    run_info = json.loads(Path(f"{output}.run.json").read_text())
    assert len(output.read_text().splitlines()) - 1 == run_info["summary"]["total"] == 6
    # Label Studio tasks keep the config they were labelled for: both are published.
    tasks, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    studio = api.LabelStudioOptions(document_root=tmp_path, config=str(config))
    with pytest.raises(KeyboardInterrupt):
        api.label(
            request(photos, tiny_clip, output=api.OutputOptions(str(tasks), "label-studio", studio))
        )
    assert len(json.loads(tasks.read_text())) == 6 and "<Choice " in config.read_text()
