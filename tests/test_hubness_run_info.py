"""`zsl hubness --json` records the run as `zsl label` does: its `run` key holds label's run info
(built by the same code), less the settings of label's decision."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.helpers import write_images
from tests.hubness_helpers import REPORT_MEASURES
from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set

# label's run info: what hubness has no use for (it ranks top-1 under each method it compares),
# and what label adds once its predictions are written.
LABEL_ONLY = {"top_k", "threshold", "unknown_label", "hubness_reduction"}
WRITTEN_BY_LABEL = {"summary", "complete", "output_bytes"}


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def three_classes(tmp_path: Path) -> Path:
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\nbird\n")
    return classes


def hubness_json(out: Path, *args: object) -> dict:
    result = run("hubness", *args, "--json", out)
    assert result.exit_code == 0, result.stderr
    return json.loads(out.read_text())


def label_run_info(out: Path, *args: object) -> dict:
    result = run("label", *args, "-o", out)
    assert result.exit_code == 0, result.stderr
    return json.loads(Path(f"{out}.run.json").read_text())


def assert_same_run(hubness: dict, label: dict) -> None:
    """hubness's run is label's run info, key for key and in its order, less label's own keys."""
    assert set(label) - set(hubness) == LABEL_ONLY | (WRITTEN_BY_LABEL & set(label))
    assert list(hubness) == [key for key in label if key in hubness]
    for key in hubness:
        if key != "started_at":
            assert hubness[key] == label[key], key


def test_hubness_json_records_the_model_classes_and_templates(tiny_clip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    images = tmp_path / "images"
    write_images(images, 4)
    classes = three_classes(tmp_path)
    common = [images, "-c", classes, "-m", tiny_clip]
    photo = hubness_json(tmp_path / "h1.json", *common, "-t", "a photo of a {}.")
    drawing = hubness_json(tmp_path / "h2.json", *common, "-t", "a drawing of a {}.")
    for document in (photo, drawing):
        assert list(document) == [*REPORT_MEASURES, "run"]
        assert document["run"]["model"]["name"] == str(tiny_clip)
        assert document["run"]["classes"]["names"] == ["cat", "dog", "bird"]
        assert document["run"]["versions"]["transformers"]
    # Two template ensembles' results can be told apart afterwards.
    assert photo["run"]["classes"]["templates"] == "a photo of a {}."
    assert drawing["run"]["classes"]["templates"] == "a drawing of a {}."
    assert photo["run"]["classes"]["prompts_hash"] != drawing["run"]["classes"]["prompts_hash"]
    assert photo["run"]["classes"]["hash"] == drawing["run"]["classes"]["hash"]
    labelled = label_run_info(tmp_path / "p.jsonl", *common, "-t", "a drawing of a {}.")
    assert_same_run(drawing["run"], labelled)


def test_hubness_json_on_a_store_records_the_embeddings_it_read(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 4)
    made = run("embed", images, "--store", store, "-m", tiny_clip, "--precision", "bf16")
    assert made.exit_code == 0, made.stderr
    common = ["--embeddings", store, "-c", three_classes(tmp_path), "-m", tiny_clip]
    document = hubness_json(tmp_path / "h.json", *common, "--precision", "fp32")
    model = document["run"]["model"]
    assert model["identity"] and document["run"]["embeddings"] == str(store)
    assert (model["precision"], model["embeddings_precision"]) == ("float32", "bfloat16")
    labelled = label_run_info(tmp_path / "p.csv", *common, "--precision", "fp32")
    assert_same_run(document["run"], labelled)


def test_hubness_json_on_stdout_carries_the_run_too(tiny_clip, tmp_path):
    images = tmp_path / "images"
    write_images(images, 4)
    classes = three_classes(tmp_path)
    result = run(
        "hubness", images, "-c", classes, "-m", tiny_clip, "-t", "imagenet7", "--json", "-"
    )
    assert result.exit_code == 0, result.stderr
    run_info = json.loads(result.stdout)["run"]
    assert run_info["classes"]["templates"] == "imagenet7"
    assert run_info["classes"]["n_prompts"] == 3 * 7


def test_hubness_json_with_truth_keeps_its_keys_and_ends_with_the_run(tmp_path):
    shapes = make_image_set(tmp_path / "set", seed=88, per_class=3).root
    classes = shapes / "classes.txt"
    common = [shapes, "-c", classes, "-m", "shapes-demo", "-k", "1", "--truth", shapes]
    document = hubness_json(tmp_path / "h.json", *common)
    truth_keys = [
        "images_with_truth",
        "failed_images_with_truth",
        "unmatched",
        "truth_classes_not_listed",
    ]
    assert list(document) == [*REPORT_MEASURES, *truth_keys, "run"]
    assert document["run"]["model"]["name"] == "shapes-demo"
    assert document["run"]["classes"]["sources"] == [str(classes)]
