"""A Ctrl-C (or SIGTERM) during one long SQLite call ends it: Python runs a signal's handler only
between its own instructions, and a delete of every image --forget-missing forgets, a big insert
or a read of a large store ran to its end first. A write it stops is rolled back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CtrlC
from tests.helpers import run, write_images
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 8
ROWS = 100_000  # some seconds of deletes: the signal lands long before their end
HANG_GUARD_S = 60


def stored(paths: list[str], dim: int = DIM) -> list[StoredItem]:
    vector = np.full(dim, dim**-0.5, np.float32)
    return [StoredItem(FileStat(path, 1, 1), "ok", "", vector) for path in paths]


def press_once_running(statements: list[str], start: str) -> None:
    """SIGINT to this process once SQLite has begun running a statement that starts with
    `start` (as `statements`, its trace, says)."""
    deadline = time.monotonic() + HANG_GUARD_S
    while not any(sql.startswith(start) for sql in statements[:8]):
        if time.monotonic() > deadline:
            return
        time.sleep(0.001)
    signal.raise_signal(signal.SIGINT)


@pytest.mark.parametrize("write", ["forget", "add"])
def test_ctrl_c_stops_a_long_write_within_the_call_and_rolls_it_back(
    tmp_path: Path, ctrl_c_interrupts: CtrlC, write: str
) -> None:
    paths = [f"/gone/{i:06d}.png" for i in range(ROWS)]
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", DIM)
        if write == "forget":
            store.add(model, stored(paths))
        # Each run of a statement, as SQLite begins it; list.append is C, so no signal handler
        # runs in it (sqlite3 drops an exception raised in a trace callback).
        statements: list[str] = []
        store._conn.set_trace_callback(statements.append)
        start = "DELETE" if write == "forget" else "INSERT"
        ctrl_c_interrupts.after(0, lambda: press_once_running(statements, start))
        committing: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            if write == "forget":
                store.forget(model, paths, locked=lambda: committing.append("forget"))
            else:
                store.add(model, stored(paths), locked=lambda: committing.append("add"))
        store._conn.set_trace_callback(None)
        runs = sum(sql.startswith(start) for sql in statements)
        # Stopped in the call: not once every row was written, nor held for the commit.
        assert 0 < runs < ROWS and committing == []
        assert store.paths(model) == (paths if write == "forget" else [])
        store.check_pages()


class Budget(Exception):
    """A caller's own exception, raised by its own signal handler."""


def test_a_signal_handlers_own_exception_stops_a_long_call_as_it_is(
    tmp_path: Path, ctrl_c_interrupts: CtrlC
) -> None:
    # A caller's SIGALRM handler raising its own exception (a SIGTERM handler's sys.exit) came
    # out of the stopped call as KeyboardInterrupt, which pytest takes for the user's Ctrl-C.
    paths = [f"/gone/{i:06d}.png" for i in range(ROWS)]

    def alarm_once_deleting(statements: list[str]) -> None:
        deadline = time.monotonic() + HANG_GUARD_S
        while not any(sql.startswith("DELETE") for sql in statements[:8]):
            if time.monotonic() > deadline:
                return
            time.sleep(0.001)
        signal.setitimer(signal.ITIMER_REAL, 0.001)

    def spent(signum: int, frame: object) -> None:
        raise Budget("time budget spent")

    previous = signal.signal(signal.SIGALRM, spent)
    try:
        with EmbeddingStore.open(tmp_path / "s.zsl") as store:
            model = store.register_model("id", "m", DIM)
            store.add(model, stored(paths))
            statements: list[str] = []
            store._conn.set_trace_callback(statements.append)
            ctrl_c_interrupts.after(0, lambda: alarm_once_deleting(statements))
            with pytest.raises(Budget, match="time budget spent"):
                store.forget(model, paths)
            store._conn.set_trace_callback(None)
            assert store.paths(model) == paths  # rolled back
            # Nothing of it left for the next call: a later one runs to its end.
            store.forget(model, paths[:10])
            assert store.paths(model) == paths[10:]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# `zsl embed` with its store's delete slowed by nothing but its size: the wrapper presses Ctrl-C
# once SQLite runs the first DELETE of the images that --forget-missing forgets.
INTERRUPTED_FORGET = """
import os, signal, sys, threading, time
from zsl_cli import store
forget = store.EmbeddingStore.forget
def forget_pressed(self, *args, **kwargs):
    statements = []
    self._conn.set_trace_callback(statements.append)
    def press():
        while not any(sql.startswith("DELETE") for sql in statements[:8]):
            time.sleep(0.001)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=press, daemon=True).start()
    return forget(self, *args, **kwargs)
store.EmbeddingStore.forget = forget_pressed
from zsl_cli.cli import main
main()
"""


def test_ctrl_c_during_a_long_forget_missing_ends_the_embed_as_interrupted(
    tiny_clip: Path, tmp_path: Path
) -> None:
    images, store_path = tmp_path / "images", tmp_path / "s.zsl"
    write_images(images, 2)
    # In this process: a second one imports torch and loads the model again, seconds.
    first = run("embed", images, "--store", store_path, "-m", tiny_clip)
    assert first.exit_code == 0, first.output
    # Many images stored under the folder, gone since.
    with EmbeddingStore.open(store_path) as store:
        (model,) = store.models()
        gone = [str(images / f"gone{i:06d}.png") for i in range(ROWS)]
        store.add(model.id, stored(gone, model.dim))
        before = store.paths(model.id)
    embed = [sys.executable, "-c", INTERRUPTED_FORGET, "embed", str(images), "--store"]
    interrupted = subprocess.Popen(
        [*embed, str(store_path), "-m", str(tiny_clip), "--forget-missing"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # not ignored
    )
    _, stderr = interrupted.communicate(timeout=HANG_GUARD_S * 2)
    said = stderr.decode()
    assert interrupted.returncode in (-signal.SIGINT, 130), said
    assert "Traceback" not in said and "nterrupted" in said
    with EmbeddingStore.open(store_path, create=False) as store:
        assert store.paths(model.id) == before  # the delete was stopped and rolled back
        store.check_pages()
    assert os.path.exists(store_path)


LONG_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) "
    "SELECT count(*) FROM c"
)


def test_a_signal_that_ended_the_progress_handler_leaves_later_calls_working(
    tmp_path: Path,
) -> None:
    # A handler's exception raised where the progress handler's generator resumes outside its
    # `try` ends the generator, and sqlite3 drops it: the call stops as interrupted, and so did
    # every later long call on the connection.
    def ended() -> Iterator[bool]:
        yield from ()

    with EmbeddingStore.open(tmp_path / "s.zsl", create=True) as store:
        store._conn.set_progress_handler(ended().__next__, 1000)
        with pytest.raises(KeyboardInterrupt), store._errors():
            store._conn.execute(LONG_QUERY).fetchone()
        with store._errors():
            assert store._conn.execute(LONG_QUERY).fetchone() == (100000,)
