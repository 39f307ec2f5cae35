"""A store holding a vector its readers refuse (not finite, not of unit length, of the wrong
length), damaged with SQL as a bad page or another writer leaves it: the refusal names the
images, and the `zsl embed` it advises encodes them again, where it reused the bad vectors, exit
0, and the store stayed damaged for good."""

from __future__ import annotations

import json
import os
import re
import shlex
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 8


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def damage(store: Path, path: Path | str, how: str) -> None:
    """Change the stored vector of `path` (of every model) as `how` says, with SQL."""
    key = (os.fsencode(os.path.abspath(path)),)
    with sqlite3.connect(store) as raw:
        (blob,) = raw.execute("SELECT vector FROM files WHERE path = ?", key).fetchone()
        vector = np.frombuffer(blob, dtype="<f4").copy()
        if how == "nan":
            vector[0] = np.nan
        elif how == "inf":
            vector[0] = np.inf
        elif how == "zero":
            vector[:] = 0
        elif how == "unnorm":
            vector *= 2
        elif how == "short":
            vector = vector[: len(vector) // 2]
        elif how == "long":
            vector = np.concatenate([vector, vector])
        raw.execute("UPDATE files SET vector = ? WHERE path = ?", (vector.tobytes(), *key))


def error_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("zsl: error:"))


@pytest.mark.parametrize("how", ["nan", "inf", "zero", "unnorm", "short", "long"])
def test_the_refusals_advice_repairs_the_store(tiny_clip: Path, tmp_path: Path, how: str) -> None:
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    paths = write_images(images, 4)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\ndog\n")
    assert run("embed", images, "--store", store, "-m", tiny_clip, "-q").exit_code == 0
    damage(store, paths[2], how)
    label = ("label", "--embeddings", store, "-c", classes, "-m", tiny_clip)
    for paths_given in ((), (images,)):  # every stored vector, or those of the paths
        refused = run(*label, *paths_given, "-o", tmp_path / "refused.csv")
        assert refused.exit_code == 2, refused.output
        line = error_line(refused.stderr)
        assert "holds 1 vector that is not" in line and f"({paths[2]})" in line, line
    # The advice, run as given with the model, encodes that image again and says so.
    command = shlex.split(re.search(r"`(zsl embed [^`]*)`", line).group(1))
    # With the model that made the store: it named none, and pasted as is encoded with the
    # default one.
    model = ["-m", str(tiny_clip), "--precision", "fp32"]
    assert command == ["zsl", "embed", str(images), "--store", str(store), *model], line
    summary = tmp_path / "summary.json"
    repair = run(*command[1:], "--json", summary)
    assert repair.exit_code == 0, repair.output
    report = json.loads(summary.read_text())
    assert (report["encoded"], report["reused"], report["repaired"]) == (1, 3, 1)
    assert "damaged vectors" in repair.stderr and str(paths[2]) in repair.stderr, repair.stderr
    labelled = run(*label, "-o", tmp_path / "out.csv")
    assert labelled.exit_code == 0, labelled.output
    # Repaired, it is reused as any other.
    again = run(*command[1:], "--json", summary)
    assert again.exit_code == 0 and "damaged" not in again.stderr, again.output
    report = json.loads(summary.read_text())
    assert (report["encoded"], report["reused"], report["repaired"]) == (0, 4, 0)


def unit_rows(n: int) -> np.ndarray:
    vectors = np.random.default_rng(0).standard_normal((n, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def stored(path: Path, names: list[str], dtype: str = "float32") -> tuple[int, list[FileStat]]:
    stats = [FileStat(name, 1, 1) for name in names]
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", "m", DIM, dtype=dtype)
        items = [
            StoredItem(s, "ok", "", v) for s, v in zip(stats, unit_rows(len(names)), strict=True)
        ]
        store.add(model, items)
    return model, stats


def test_the_refusal_names_the_first_three_images_and_how_many(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    names = [f"/data/a/{i}.png" for i in range(4)] + [f"/data/b/{i}.png" for i in range(4)]
    model, _ = stored(path, names)
    for name in names[1:6]:
        damage(path, name, "nan")
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.load(model, unit=True)
    message = str(refused.value)
    assert (
        "holds 5 vectors that are not finite (/data/a/1.png, /data/a/2.png, /data/a/3.png, ... "
        "(2 more)); it is damaged there: `zsl embed /data --store "
    ) in message, message
    # Vectors of other reads name their own images: one of wrong length, one folder.
    damage(path, names[7], "short")
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.fetch(model, [names[7]])
    assert f"holds 1 vector that is not {DIM} values long (/data/b/3.png)" in str(refused.value)
    assert "`zsl embed /data/b --store " in str(refused.value)


@pytest.mark.parametrize(
    ("name", "precision", "options"),
    [
        ("m", None, "-m m"),  # a store of an older zsl records no precision
        ("my model", "float16", "-m 'my model' --precision fp16"),
        (
            "/models/m (exact preprocessing)",
            "bfloat16",
            "-m /models/m --exact-preprocessing --precision bf16",
        ),
    ],
)
def test_the_advice_gives_the_options_of_the_stored_model(
    tmp_path: Path, name: str, precision: str | None, options: str
) -> None:
    path = tmp_path / "s.zsl"
    with EmbeddingStore.open(path) as store:
        model = store.register_model("id", name, DIM, precision=precision)
        store.add(model, [StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", unit_rows(1)[0])])
    damage(path, "/data/a.png", "nan")
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.load(model, unit=True)
    assert f"--store {shlex.quote(str(path))} {options}` encodes" in str(refused.value)


def test_images_in_no_common_folder_but_the_root_are_left_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "s.zsl"
    model, _ = stored(path, ["/a/x.png", "/b/y.png"])
    for name in ("/a/x.png", "/b/y.png"):
        damage(path, name, "unnorm")
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.export(model, tmp_path / "e.npy")
    assert "2 vectors that are not of unit length (/a/x.png, /b/y.png)" in str(refused.value)
    assert "`zsl embed FOLDER --store " in str(refused.value)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_the_plan_encodes_again_exactly_the_vectors_a_read_refuses(
    tmp_path: Path, dtype: str
) -> None:
    # More rows than one chunk of the check, so that damage in a later chunk is found too.
    path = tmp_path / "s.zsl"
    names = [f"/data/{i:05d}.png" for i in range(5000)]
    model, stats = stored(path, names, dtype)
    with sqlite3.connect(path) as raw:
        rows = dict(raw.execute("SELECT path, vector FROM files"))
        for index, value in ((10, 2.0), (4500, np.nan)):
            key = os.fsencode(names[index])
            vector = np.frombuffer(rows[key], dtype=dtype).copy()
            vector[1] = value if np.isnan(value) else vector[1] * value + 1
            raw.execute("UPDATE files SET vector = ? WHERE path = ?", (vector.tobytes(), key))
        raw.execute("UPDATE files SET vector = zeroblob(3) WHERE path = ?", (names[20].encode(),))
    with EmbeddingStore.open(path) as store:
        plan = store.plan(model, stats, ["/data"])
    assert plan.repaired == [names[10], names[20], names[4500]]
    assert [stat.path for stat in plan.to_encode] == plan.repaired
    assert len(plan.reused) == len(names) - 3


def test_every_kind_of_damage_is_named_in_one_refusal(tmp_path: Path) -> None:
    # One kind a run took one round of label and embed a kind: the folder its advice named
    # held only that kind's images.
    path = tmp_path / "s.zsl"
    names = ["/data/a/0.png", "/data/b/0.png", "/data/c/0.png", "/data/c/1.png"]
    model, _ = stored(path, names)
    for name, how in zip(names[:3], ["short", "nan", "unnorm"], strict=True):
        damage(path, name, how)
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.load(model, unit=True)
    assert (
        f"holds 3 damaged vectors: 1 not {DIM} values long (/data/a/0.png), 1 not finite "
        "(/data/b/0.png), 1 not of unit length (/data/c/0.png); it is damaged there: "
        "`zsl embed /data --store "
    ) in str(refused.value)


def test_images_on_no_common_path_are_left_to_the_user(tmp_path: Path, monkeypatch) -> None:
    # On Windows, images on two drives have no common path: ntpath.commonpath raises ValueError.
    path = tmp_path / "s.zsl"
    model, _ = stored(path, ["/a/x.png", "/b/y.png"])
    for name in ("/a/x.png", "/b/y.png"):
        damage(path, name, "nan")

    def other_drives(paths: list[str]) -> str:
        raise ValueError("Paths don't have the same drive")

    monkeypatch.setattr(os.path, "commonpath", other_drives)
    with EmbeddingStore.open(path) as store, pytest.raises(ZslError) as refused:
        store.load(model, unit=True)
    assert "`zsl embed FOLDER --store " in str(refused.value)
