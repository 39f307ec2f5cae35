"""A store filled by an older zsl, whose fast preprocessing gave the model another identity
(`former_identities`), is still read by runs that only read it (label, hubness, embed --export),
with a warning; `zsl embed` replaces its vectors file by file and drops the old model once empty,
never touching another model's rows. A write that migrates a version 1 store says so, once."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from tests.store_helpers import as_version_1, copy_model, identities, rows_by_model
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.encoders.hf import FORMER_FAST_TAGS
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

OLDER = "as an older zsl made them"
REPLACED = "that an older zsl made with"
MIGRATED = "can no longer read it"
CLASSES = ["cat", "dog", "bird"]


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(arg) for arg in args])


def said(result) -> str:
    return " ".join(result.stderr.split())


def predictions(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture()
def world(tmp_path: Path, tiny_clip: Path) -> tuple[Path, Path, Path]:
    """Images, a class file and a store embedded by this zsl (the reference)."""
    images, classes, current = tmp_path / "images", tmp_path / "classes.txt", tmp_path / "now.zsl"
    write_images(images, 4)
    classes.write_text("\n".join(CLASSES) + "\n")
    assert run("embed", images, "--store", current, "-m", tiny_clip).exit_code == 0
    return images, classes, current


def test_the_bundled_model_knows_the_identities_older_zsl_stored_it_under() -> None:
    # As the stores of zsl from 30 Nov to 4 Dec 2026 ("fast") and of 5 Dec ("JPEG drafts at
    # 4x") name it: read from such stores, not computed here.
    identity, former = identities(Path("shapes-demo"))
    assert former == ("30b423acfad15a37bf0712032c201309", "99f2449b55b0992601744094988f3fac")
    assert identity not in former and len(FORMER_FAST_TAGS) == 2
    # Exact preprocessing never changed.
    assert identities(Path("shapes-demo"), exact=True)[1] == ()


@pytest.mark.parametrize("which", [0, 1])
def test_read_only_runs_read_an_older_zsls_vectors_with_a_warning(
    world, tiny_clip: Path, tmp_path: Path, which: int
) -> None:
    images, classes, current = world
    _, former = identities(tiny_clip)
    old = tmp_path / "old.zsl"
    copy_model(current, old, former[which])

    expected, got = tmp_path / "expected.csv", tmp_path / "got.csv"
    label = ["label", "-c", classes, "-m", tiny_clip, "-k", "0", "--embeddings"]
    assert run(*label, current, "-o", expected).exit_code == 0
    labelled = run(*label, old, "-o", got)
    assert labelled.exit_code == 0, labelled.stderr
    assert predictions(got) == predictions(expected)  # the same vectors, read as they are
    assert said(labelled).count(OLDER) == 1
    assert f"run `zsl embed PATH... --store {old} -m {tiny_clip}` to refresh them" in said(labelled)
    assert "drafted large JPEGs otherwise (other images' pixels are the same)" in said(labelled)
    # The run info names the vectors it read.
    info = json.loads(Path(f"{got}.run.json").read_text())
    assert info["model"]["identity"] == former[which]

    export = tmp_path / "old.npy"
    exported = run("embed", "--store", old, "-m", tiny_clip, "--export", export)
    assert exported.exit_code == 0, exported.stderr
    assert said(exported).count(OLDER) == 1
    assert run("embed", "--store", current, "-m", tiny_clip, "--export", tmp_path / "n.npy")
    assert np.array_equal(np.load(export), np.load(tmp_path / "n.npy"))

    hubness = run("hubness", "--embeddings", old, "-c", classes, "-m", tiny_clip)
    assert hubness.exit_code == 0, hubness.stderr
    assert said(hubness).count(OLDER) == 1
    # Nothing was written: an older zsl still reads the store as it was.
    assert rows_by_model(old) == {former[which]: 4}


def test_a_run_on_an_older_zsls_store_finds_the_identity_it_reads_once(
    world, tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run info looked the identity up again, opening the store a second time, where the
    # run had found it already.
    images, classes, current = world
    _, former = identities(tiny_clip)
    old = tmp_path / "old.zsl"
    copy_model(current, old, former[0])
    looked_up: list[str] = []
    real = api.identity_to_read

    def counted(store, identity, former_ones):
        looked_up.append(str(store))
        return real(store, identity, former_ones)

    monkeypatch.setattr(api, "identity_to_read", counted)
    spec = api.ClassOptions(classes=CLASSES)
    model = api.ModelOptions(name=str(tiny_clip))
    request = api.LabelRequest(classes=spec, model=model, embeddings=str(old), output=None)
    report = api.label(request)
    assert looked_up == [str(old)]
    assert report.run_info["model"]["identity"] == former[0]
    assert sum(OLDER in warning for warning in report.warnings) == 1

    looked_up.clear()
    hubness = api.hubness(api.HubnessRequest(classes=spec, model=model, embeddings=str(old)))
    assert looked_up == [str(old)]
    assert hubness.run["model"]["identity"] == former[0]
    assert sum(OLDER in warning for warning in hubness.warnings) == 1


def test_the_current_identitys_vectors_win(world, tiny_clip: Path, tmp_path: Path) -> None:
    images, classes, current = world
    _, former = identities(tiny_clip)
    both = tmp_path / "both.zsl"
    copy_model(current, both, former[0])
    with EmbeddingStore.open(both) as store:  # the older vectors differ: the first image's
        model_id = store.find_model(former[0])
        assert model_id is not None
        first = str(images / "img_000.png")
        stat = Path(first).stat()
        other = store.fetch(model_id, [str(images / "img_001.png")])
        store.add(
            model_id,
            [
                StoredItem(
                    FileStat(first, stat.st_size, stat.st_mtime_ns),
                    "ok",
                    "",
                    next(iter(other.values())).vector,
                )
            ],
        )
    copy_model(current, both, identities(tiny_clip)[0])
    expected, got = tmp_path / "expected.csv", tmp_path / "got.csv"
    label = ["label", "-c", classes, "-m", tiny_clip, "-k", "0", "--embeddings"]
    assert run(*label, current, "-o", expected).exit_code == 0
    labelled = run(*label, both, "-o", got)
    assert labelled.exit_code == 0 and OLDER not in said(labelled)
    assert predictions(got) == predictions(expected)


def test_embed_replaces_an_older_zsls_vectors_and_drops_them_once_none_is_left(
    world, tiny_clip: Path, tmp_path: Path
) -> None:
    images, _, current = world
    identity, former = identities(tiny_clip)
    more = tmp_path / "more"
    write_images(more, 2, seed=1)
    gone = more / "img_001.png"
    assert run("embed", more, "--store", current, "-m", tiny_clip).exit_code == 0
    store = tmp_path / "old.zsl"
    copy_model(current, store, former[1])
    gone.unlink()  # the older zsl stored an image deleted since

    # The first folder: its images are encoded again, their old rows deleted; the other's stay.
    first = run("embed", images, "--store", store, "-m", tiny_clip, "--json", tmp_path / "1.json")
    assert first.exit_code == 0, first.stderr
    report = json.loads((tmp_path / "1.json").read_text())
    assert (report["encoded"], report["reused"], report["replaced"]) == (4, 0, 4)
    assert said(first).count(REPLACED) == 1
    assert "replaced the vectors of 4 images" in said(first)
    assert "2 other images not under the paths embedded keep theirs" in said(first)
    assert rows_by_model(store) == {former[1]: 2, identity: 4}

    # The second: the gone image is forgotten, the other replaced, the old model dropped.
    second = run("embed", more, "--store", store, "-m", tiny_clip, "--json", tmp_path / "2.json")
    assert second.exit_code == 0, second.stderr
    report = json.loads((tmp_path / "2.json").read_text())
    assert (report["encoded"], report["replaced"], report["removed"]) == (1, 1, 1)
    assert "other image" not in said(second)
    assert rows_by_model(store) == {identity: 5}
    again = run("embed", images, more, "--store", store, "-m", tiny_clip)
    assert again.exit_code == 0 and REPLACED not in said(again)


def test_embed_deletes_the_older_rows_of_images_already_encoded_anew(
    world, tiny_clip: Path, tmp_path: Path
) -> None:
    # A store an earlier zsl upgraded holds both sets: the next embed keeps one.
    images, _, current = world
    identity, former = identities(tiny_clip)
    store = tmp_path / "both.zsl"
    copy_model(current, store, former[1])
    copy_model(current, store, identity)
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--json", tmp_path / "e.json")
    assert result.exit_code == 0, result.stderr
    report = json.loads((tmp_path / "e.json").read_text())
    assert (report["encoded"], report["reused"], report["replaced"]) == (0, 4, 4)
    assert rows_by_model(store) == {identity: 4}


def test_embed_never_deletes_another_models_rows(world, tiny_clip: Path, tmp_path: Path) -> None:
    images, _, current = world
    identity, former = identities(tiny_clip)
    exact, _ = identities(tiny_clip, exact=True)
    store = tmp_path / "others.zsl"
    copy_model(current, store, "another-model")
    copy_model(current, store, exact)
    copy_model(current, store, former[0])
    # Exact preprocessing knows no former identity: the older fast vectors stay.
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--exact-preprocessing")
    assert result.exit_code == 0 and REPLACED not in said(result)
    assert rows_by_model(store) == {"another-model": 4, exact: 4, former[0]: 4}
    result = run("embed", images, "--store", store, "-m", tiny_clip)
    assert result.exit_code == 0 and said(result).count(REPLACED) == 1
    assert rows_by_model(store) == {"another-model": 4, exact: 4, identity: 4}


def test_a_write_that_migrates_a_version_1_store_says_so_once(
    world, tiny_clip: Path, tmp_path: Path
) -> None:
    images, classes, store = world
    as_version_1(store)
    # Reading does not migrate, nor say anything of it.
    read = run("label", "-c", classes, "-m", tiny_clip, "--embeddings", store, "-o", "-")
    assert read.exit_code == 0 and MIGRATED not in said(read)
    migrated = run("embed", images, "--store", store, "-m", tiny_clip, "--json", "-", "-q")
    assert migrated.exit_code == 0 and json.loads(migrated.stdout)["reused"] == 4
    told = run("embed", images, "--store", store, "-m", tiny_clip)  # migrated already: nothing
    assert told.exit_code == 0 and MIGRATED not in said(told)
    as_version_1(store)
    told = run("embed", images, "--store", store, "-m", tiny_clip)
    assert told.exit_code == 0, told.stderr
    assert said(told).count(MIGRATED) == 1
    assert f"{store} was written by a zsl before 30 Nov 2026 (store schema version 1)" in said(told)
    with sqlite3.connect(store) as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (2,)
