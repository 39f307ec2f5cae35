"""The run info tells which weights labelled a run, and how its images were batched: a hub
model's commit (the cache snapshot the run loaded, whatever `--revision` asked for), a model
folder's weight files (each one's name, size and modification time, as rsync tells files apart,
not a hash of their bytes), and the batch size and decode workers the images were encoded with.
Without them, a run after `main` moved to other weights, after a folder was retrained in place, or
with another `-b` (whose scores differ in their last digits) had a run info identical to the
first's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.helpers import FOLDER_CLASSES, run, write_images
from tests.tiny_models import make_tiny_clip
from zsl_cli import api
from zsl_cli.batching import default_workers
from zsl_cli.files import sidecar_path

HUB_ID = "acme/tiny-clip"
FIRST = "0123456789abcdef0123456789abcdef01234567"
SECOND = "fedcba9876543210fedcba9876543210fedcba98"


def _snapshot(hub: Path, commit: str, model: Path, *refs: str) -> None:
    """`model`'s files as HUB_ID's snapshot `commit` in the hub cache `hub`, which each of
    `refs` (a branch or tag) now points to."""
    repo = hub / f"models--{HUB_ID.replace('/', '--')}"
    shutil.copytree(model, repo / "snapshots" / commit)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    for ref in refs:
        (repo / "refs" / ref).write_text(commit)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    write_images(folder, 5)
    return folder


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(FOLDER_CLASSES) + "\n")
    return path


def _label_in_a_process(
    hf_home: Path, photos: Path, classes: Path, output: Path, *args: str
) -> tuple[list[dict], dict]:
    """`zsl label` run as a user runs it, its hub cache that of HF_HOME: the rows it wrote and
    its run info."""
    # A cache named outright would win over HF_HOME's.
    named = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
    env = {k: v for k, v in os.environ.items() if k not in named}
    env |= {"HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "zsl_cli", "label", str(photos), "-c", str(classes)]
    command += ["-m", HUB_ID, *args, "-f", "jsonl", "-o", str(output), "-q"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    return rows, json.loads(sidecar_path(output).read_text())


def test_a_hub_model_s_run_info_names_the_commit_its_default_branch_was_at(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    hf_home = tmp_path / "hf"
    _snapshot(hf_home / "hub", FIRST, tiny_clip, "main")
    rows, info = _label_in_a_process(hf_home, photos, classes, tmp_path / "first.jsonl")
    # main moves on to other weights: the same command labels otherwise.
    _snapshot(hf_home / "hub", SECOND, make_tiny_clip(tmp_path / "retrained", seed=1), "main")
    moved_rows, moved_info = _label_in_a_process(hf_home, photos, classes, tmp_path / "moved.jsonl")
    assert [r["score"] for r in rows] != [r["score"] for r in moved_rows]
    assert (info["model"]["revision"], info["model"]["commit"]) == (None, FIRST)
    assert (moved_info["model"]["revision"], moved_info["model"]["commit"]) == (None, SECOND)
    # A hub model is named by its commit: it has no folder of its own whose files to list.
    assert info["model"]["weight_files"] is None


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hub cache under tmp_path for this process's loads, offline."""
    import huggingface_hub.constants

    hub = tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(hub))
    return hub


@pytest.mark.parametrize(
    ("revision", "commit"), [("main", SECOND), ("v1", FIRST), (FIRST, FIRST), (None, SECOND)]
)
def test_the_commit_is_the_one_loaded_whatever_revision_named_it(
    tiny_clip: Path,
    hub_cache: Path,
    photos: Path,
    tmp_path: Path,
    revision: str | None,
    commit: str,
) -> None:
    _snapshot(hub_cache, FIRST, tiny_clip, "v1")
    _snapshot(hub_cache, SECOND, make_tiny_clip(tmp_path / "retrained", seed=1), "main")
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=(str(photos),)),
        classes=api.ClassOptions(classes=list(FOLDER_CLASSES)),
        model=api.ModelOptions(name=HUB_ID, revision=revision),
        output=None,
    )
    model = api.label(request).run_info["model"]
    assert (model["revision"], model["commit"]) == (revision, commit)


def _modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime_ns // 1000 / 1e6, timezone.utc)


def _label_info(
    photos: Path, classes: Path, model: str | Path, output: Path, *args: object
) -> dict:
    result = run("label", photos, "-c", classes, "-m", model, "-o", output, "-q", *args)
    assert result.exit_code == 0, result.stderr
    document = json.loads(output.read_text()) if output.suffix == ".json" else None
    if isinstance(document, dict):  # -f json's, which holds its run info (Label Studio's: a list)
        return document["run"]
    return json.loads(sidecar_path(output).read_text())


def _recorded_files(info: dict) -> list[tuple[str, int, datetime]]:
    """The weight files a run info lists: name, size and modification time, which is in UTC."""
    files = info["model"]["weight_files"]
    assert all(f["modified"].endswith("+00:00") for f in files)
    return [(f["name"], f["bytes"], datetime.fromisoformat(f["modified"])) for f in files]


def test_a_model_folder_rewritten_in_place_is_told_apart_by_its_weight_files(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mdl"
    shutil.copytree(tiny_clip, folder)
    weights = folder / "model.safetensors"
    before = _label_info(photos, classes, folder, tmp_path / "before.jsonl")
    assert _recorded_files(before) == [
        ("model.safetensors", weights.stat().st_size, _modified(weights))
    ]
    make_tiny_clip(folder, seed=1)  # retrained, saved over the same files
    after = _label_info(photos, classes, folder, tmp_path / "after.jsonl")
    assert _recorded_files(after) == [
        ("model.safetensors", weights.stat().st_size, _modified(weights))
    ]
    assert before["model"]["weight_files"] != after["model"]["weight_files"]
    assert before["model"]["name"] == after["model"]["name"]
    # A folder has no commit; nor was it hashed, which costs seconds a gigabyte.
    assert (after["model"]["commit"], after["model"]["weight_files_hash"]) == (None, None)


def test_a_sharded_model_folder_lists_every_shard(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    from transformers import CLIPModel

    folder = tmp_path / "sharded"
    shutil.copytree(tiny_clip, folder, ignore=shutil.ignore_patterns("model.safetensors"))
    CLIPModel.from_pretrained(tiny_clip).save_pretrained(folder, max_shard_size="100KB")
    shards = sorted(folder.glob("model-*.safetensors"))
    assert len(shards) > 1
    info = _label_info(photos, classes, folder, tmp_path / "p.jsonl")
    assert _recorded_files(info) == [(s.name, s.stat().st_size, _modified(s)) for s in shards]


def test_the_bundled_model_has_neither_commit_nor_weight_files(
    photos: Path, classes: Path, tmp_path: Path
) -> None:
    model = _label_info(photos, classes, "shapes-demo", tmp_path / "p.jsonl")["model"]
    # zsl's version names the bundled model's weights.
    assert (model["commit"], model["weight_files"]) == (None, None)


def test_a_label_studio_run_records_the_hash_its_model_version_names(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "mdl"
    shutil.copytree(tiny_clip, folder)
    args = ("-f", "label-studio", "--ls-document-root", tmp_path)
    studio = _label_info(photos, classes, folder, tmp_path / "tasks.json", *args)
    made = studio["model"]["weight_files_hash"]
    assert len(made) == 64
    assert studio["label_studio"]["model_version"].endswith(f"mdl#{made[:8]}")
    # A store's run hashes the weights for the store's identity of the model: the same hash.
    store = tmp_path / "photos.zsl"
    embedded = run("embed", photos, "--store", store, "-m", folder, "-q")
    assert embedded.exit_code == 0, embedded.stderr
    stored = _label_info(photos, classes, folder, tmp_path / "p.jsonl", "--embeddings", store)
    assert stored["model"]["weight_files_hash"] == made


def test_the_batch_size_and_workers_given_are_recorded(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    info = _label_info(photos, classes, tiny_clip, tmp_path / "p.csv", "-b", 3, "-j", 2)
    assert (info["batch_size"], info["workers"]) == (3, 2)
    # More workers than images: one an image, as many as decoded.
    info = _label_info(photos, classes, tiny_clip, tmp_path / "p.jsonl", "-j", 64)
    assert info["workers"] == 5


def test_the_default_batch_size_and_workers_are_recorded_as_resolved(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    info = _label_info(photos, classes, tiny_clip, tmp_path / "p.json", "--device", "cpu")
    assert info["batch_size"] == api.CPU_BATCH_SIZE
    assert info["workers"] == min(default_workers(), 5)


def test_a_run_on_a_store_records_no_batch_size_nor_workers(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    store = tmp_path / "photos.zsl"
    embedded = run("embed", photos, "--store", store, "-m", tiny_clip, "-b", 2, "-q")
    assert embedded.exit_code == 0, embedded.stderr
    # No image is encoded: the -b and -j given (warned of) pace nothing.
    args = ("--embeddings", store, "-b", 3, "-j", 2)
    info = _label_info(photos, classes, tiny_clip, tmp_path / "p.jsonl", *args)
    assert (info["batch_size"], info["workers"]) == (None, None)


def test_hubness_json_records_the_batch_size_and_workers(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path
) -> None:
    out = tmp_path / "h.json"
    result = run("hubness", photos, "-c", classes, "-m", tiny_clip, "-b", 4, "-j", 3, "--json", out)
    assert result.exit_code == 0, result.stderr
    document = json.loads(out.read_text())["run"]
    assert (document["batch_size"], document["workers"]) == (4, 3)
    assert document["model"]["weight_files"][0]["name"] == "model.safetensors"


def _truth(photos: Path) -> Path:
    truth = photos.parent / "truth.csv"
    rows = [f"{p.name},{FOLDER_CLASSES[i % 3]}" for i, p in enumerate(sorted(photos.iterdir()))]
    truth.write_text("path,label\n" + "".join(f"photos/{row}\n" for row in rows))
    return truth


def _evaluated_run_info(predictions: Path, truth: Path) -> dict:
    result = run("evaluate", predictions, "--truth", truth, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["run_info"]


def test_evaluate_reads_run_infos_with_and_without_the_new_keys(
    tiny_clip: Path, photos: Path, classes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    truth = _truth(photos)
    predictions = tmp_path / "p.csv"
    recorded = _label_info(photos, classes, tiny_clip, predictions, "-b", 2)
    read = _evaluated_run_info(predictions, truth)
    assert read["batch_size"] == 2
    assert read["model"]["weight_files"] == recorded["model"]["weight_files"]
    # As an older zsl wrote it: none of the keys.
    for key in ("batch_size", "workers"):
        del recorded[key]
    for key in ("commit", "weight_files", "weight_files_hash"):
        del recorded["model"][key]
    sidecar_path(predictions).write_text(json.dumps(recorded))
    read = _evaluated_run_info(predictions, truth)
    assert "batch_size" not in read and "commit" not in read["model"]
    assert read["model"]["name"] == str(tiny_clip)
