"""A store file under two hard-linked names (`ln photos.zsl shared.zsl`, a `cp -al` snapshot) got
a -wal and -shm file per name, as SQLite names them after the name opened: two `zsl embed` runs
through the two names lost one run's images, both exiting 0, and a run killed through one name
damaged the store at the next open through it. Writing such a store is refused in one line (exit
2); reading it, as a hard-linked backup is read, still works."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import embed, error_line, run, write_images
from zsl_cli.errors import ZslError
from zsl_cli.store import EmbeddingStore, check_store_writable, mount_point

MODEL = "shapes-demo"


def stored_count(store: Path) -> int:
    with EmbeddingStore.open(store, create=False) as opened:
        (model,) = opened.models()
        return len(opened.paths(model.id))


def linked_store(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A store embedded from 3 images, a second hard-linked name of it, and a folder of 4 new
    images."""
    first, second = tmp_path / "first", tmp_path / "second"
    write_images(first, 3, seed=1)
    write_images(second, 4, seed=2)
    store = tmp_path / "photos.zsl"
    code, _, stderr = embed(store, Path(MODEL), first)
    assert code == 0, stderr
    store.with_suffix(".run.json").unlink()  # a later run's own report, or none
    shared = tmp_path / "shared.zsl"
    os.link(store, shared)
    return store, shared, second


def refusal(name: Path) -> str:
    return (
        f"embedding store {name} has 2 names (hard links to one file), and SQLite keeps a -wal "
        "and -shm file per name, so runs writing it under two names lose or damage each other's "
        "work; write it under one name only: remove its other names (`find "
        f"{mount_point(name)} -xdev -samefile {name}` lists them), or write to an independent "
        f"copy (`cp {name} copy.zsl`)"
    )


@pytest.mark.parametrize("through", ["photos.zsl", "shared.zsl"])
@pytest.mark.parametrize("extra", [[], ["--forget-missing"]])
def test_embed_through_either_name_of_a_hard_linked_store_is_refused(
    tmp_path: Path, through: str, extra: list[str]
) -> None:
    _, _, second = linked_store(tmp_path)
    name = tmp_path / through
    code, report, stderr = embed(name, Path(MODEL), second, *extra)
    assert code == 2 and report == {}
    assert "Traceback" not in stderr
    assert error_line(stderr) == f"zsl: error: {refusal(name)}"
    assert len(stderr.strip().splitlines()) == 1
    # Nothing written, and no -wal or -shm file left under either name.
    assert stored_count(tmp_path / "photos.zsl") == 3
    left = sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm")))
    assert left == []


def test_embed_runs_at_once_through_two_names_are_both_refused(tmp_path: Path) -> None:
    # The reproduction: both exited 0, and the run through shared.zsl kept none of its images.
    store, shared, second = linked_store(tmp_path)
    third = tmp_path / "third"
    write_images(third, 4, seed=3)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "zsl_cli", "embed", folder, "--store", name, "-m", MODEL],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for folder, name in [(second, store), (third, shared)]
    ]
    ended = [process.communicate(timeout=300) for process in runs]
    for process, (out, err), name in zip(runs, ended, [store, shared], strict=True):
        assert process.returncode == 2 and out == ""
        assert err.strip().splitlines() == [f"zsl: error: {refusal(name)}"]
    assert stored_count(store) == 3


def test_a_store_whose_other_name_is_removed_is_written_again(tmp_path: Path) -> None:
    store, shared, second = linked_store(tmp_path)
    shared.unlink()
    code, report, stderr = embed(store, Path(MODEL), second)
    assert code == 0, stderr
    assert report["encoded"] == 4
    assert stored_count(store) == 7


def test_the_library_refuses_to_open_a_hard_linked_store_for_writing(tmp_path: Path) -> None:
    store, shared, _ = linked_store(tmp_path)
    for name in (store, shared):
        with pytest.raises(ZslError) as refused:
            EmbeddingStore.open(name)
        assert refused.value.message == refusal(name)
        with pytest.raises(ZslError) as refused:
            check_store_writable(name)
        assert refused.value.message == refusal(name)
        # Read, it opens.
        assert stored_count(name) == 3


@pytest.mark.skipif(shutil.which("find") is None, reason="no find(1)")
def test_the_find_the_refusal_gives_lists_every_name(tmp_path: Path) -> None:
    store, shared, _ = linked_store(tmp_path)
    mount = mount_point(shared)
    assert os.path.ismount(mount) and str(tmp_path).startswith(mount)
    command = refusal(shared).split("`")[1]
    assert command.startswith(f"find {mount} ")
    # Run over the test's folder, not its whole file system.
    command = f"find {tmp_path}" + command.removeprefix(f"find {mount}")
    listed = subprocess.run(command, shell=True, capture_output=True, text=True).stdout
    assert sorted(listed.split()) == [str(store), str(shared)]


def test_reads_and_exports_of_a_hard_linked_store_through_either_name(tmp_path: Path) -> None:
    # A hard-linked backup (rsnapshot, `cp -al`) is read as the store it was.
    store, shared, _ = linked_store(tmp_path)
    classes = tmp_path / "classes.txt"
    classes.write_text("red circle\nblue square\ngreen triangle\n")
    labelled = {}
    for name in (store, shared):
        out = tmp_path / f"{name.stem}.jsonl"
        result = run("label", "--embeddings", name, "-c", classes, "-m", MODEL, "-o", out, "-q")
        assert result.exit_code == 0, result.stderr
        labelled[name.name] = [json.loads(line) for line in out.read_text().splitlines()]
        result = run("hubness", "--embeddings", name, "-c", classes, "-m", MODEL)
        assert result.exit_code == 0, result.stderr
        export = tmp_path / f"{name.stem}.npy"
        result = run("embed", "--store", name, "-m", MODEL, "--export", export)
        assert result.exit_code == 0, result.stderr
        assert np.load(export).shape[0] == 3
    assert len(labelled["photos.zsl"]) == 3
    assert labelled["photos.zsl"] == labelled["shared.zsl"]
    # Still one file of two names, with nothing left beside either.
    assert os.stat(store).st_nlink == 2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(("-wal", "-shm"))]
