"""Helpers that several test files share: writing test images and labelled sets, running the CLI
in-process (or a `zsl` patched to say or slow what it does) and reading its output, decoding
images, watching processes and races, refusing writes as a full disk or a file held open does."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import resource
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, features
from typer.testing import CliRunner, Result

from zsl_cli import api, files
from zsl_cli.cli import app
from zsl_cli.encoders.base import ModelSource
from zsl_cli.encoders.hf import RETRY_LARGER_SOON, TransformersEncoder
from zsl_cli.images import DecodeError, DecodeOptions, decode_image
from zsl_cli.records import CSV_COLUMNS


def run(*args: object) -> Result:
    """`zsl` with these arguments, in this process."""
    return CliRunner().invoke(app, [str(a) for a in args])


def bare_encoder() -> TransformersEncoder:
    """A TransformersEncoder with no model: its forward passes are the test's to set."""
    encoder = object.__new__(TransformersEncoder)
    encoder._source = ModelSource("fake", "fake", True)
    encoder.device = torch.device("cpu")
    encoder.dtype = torch.float32
    encoder._max_batch = None
    encoder._split_batches = 0
    encoder._retry_after = RETRY_LARGER_SOON
    encoder._trying_larger = False
    encoder._can_pad = True
    encoder._last_cut_short = ((), [])
    return encoder


def read_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_images(folder: Path, n: int, seed: int = 0, size=(48, 40)) -> list[Path]:
    """`n` PNGs of random pixels in `folder`, of sizes around `size`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        path = folder / f"img_{i:03d}.png"
        pixels = rng.integers(0, 256, (size[1] + i % 7, size[0] + i % 5, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


# Classes the bundled model tells apart (shapes-demo's shapes and two it was not trained on).
SHAPE_CLASSES = ["red circle", "blue square", "green triangle", "a cat", "a dog"]
# The classes of the `image_folder` fixture's class sub-folders.
FOLDER_CLASSES = ["cat", "dog", "bird"]

# Each image's true class and the classes its prediction ranks, best first. Two seen classes (cat,
# dog) and one unseen (bird): each side has a right and a wrong image, so a split that moved a
# class to the other side would change the numbers.
LABELLED_IMAGES = {
    "cat/1.jpg": ("cat", ["cat", "dog", "bird"]),
    "cat/2.jpg": ("cat", ["dog", "cat", "bird"]),
    "dog/1.jpg": ("dog", ["dog", "cat", "bird"]),
    "bird/1.jpg": ("bird", ["bird", "cat", "dog"]),
    "bird/2.jpg": ("bird", ["cat", "bird", "dog"]),
}


def write_labelled(tmp_path: Path, images: dict[str, tuple[str, list[str]]]) -> tuple[Path, Path]:
    """A class-folder truth of (empty) image files and a predictions CSV for them, as zsl label
    writes one; `images`: each image's class and the classes its prediction ranks."""
    truth = tmp_path / "truth"
    rows = [",".join(CSV_COLUMNS)]
    for name, (_, ranked) in images.items():
        image = truth / name
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(b"")
        scores = ["0.6", "0.3", "0.1"]
        cells = [str(image), ranked[0], scores[0], "|".join(ranked), "|".join(scores), "ok", ""]
        rows.append(",".join(cells))
    predictions = tmp_path / "p.csv"
    predictions.write_text("\n".join(rows) + "\n")
    return predictions, truth


def write_truth_and_predictions(folder: Path, names: list[str]) -> tuple[Path, Path]:
    """A truth CSV of one image per class and predictions that get every image right."""
    truth, predictions = folder / "truth.csv", folder / "p.csv"
    truth.write_text(
        "path,label\n" + "".join(f"{i}.png,{name}\n" for i, name in enumerate(names)),
        encoding="utf-8",
    )
    predictions.write_text(
        ",".join(CSV_COLUMNS)
        + "\n"
        + "".join(f"{i}.png,{name},0.9,{name},0.9,ok,\n" for i, name in enumerate(names)),
        encoding="utf-8",
    )
    return truth, predictions


def process_running(pid: int) -> bool:
    """Whether process `pid` exists and has not ended (a zombie has, whether reaped or not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def flock_noting_blocked(thread: threading.Thread, blocked: threading.Event) -> Callable:
    """An flock that sets `blocked` each time it refuses a lock to `thread` (one that another
    holds), so that a test knows that thread waits for the lock rather than guessing a time."""
    flock = files.fcntl.flock

    def noting(descriptor: int, operation: int) -> None:
        try:
            flock(descriptor, operation)
        except BlockingIOError:
            if threading.current_thread() is thread:
                blocked.set()
            raise

    return noting


def embed(store: Path, model: Path, *args: object) -> tuple[int, dict, str]:
    """`zsl embed` into `store`: its exit status, its --json report ({} where none) and stderr."""
    out = store.with_suffix(".run.json")
    result = run("embed", *args, "--store", store, "-m", model, "--json", out)
    report = json.loads(out.read_text()) if out.exists() else {}
    return result.exit_code, report, result.stderr


def replace_before_decode(monkeypatch: pytest.MonkeyPatch, replace: Callable[[], object]) -> None:
    """Run `replace` once embed's scan and plan are done, before any image is read."""
    wait = api.wait_for_mtime_ticks

    def replaced_then_wait(stats):
        replace()
        return wait(stats)

    monkeypatch.setattr(api, "wait_for_mtime_ticks", replaced_then_wait)


def file_not_writable(monkeypatch: pytest.MonkeyPatch, store: Path) -> None:
    """The store's file may not be written, its folder may (root ignores permissions)."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if Path(path) == store and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def only_read(monkeypatch: pytest.MonkeyPatch, store: Path, read_only: str) -> None:
    """zsl may not write the store's file, or (as on a read-only mount) anything."""
    if read_only == "file":
        file_not_writable(monkeypatch, store)
    else:
        real_access = os.access
        monkeypatch.setattr(
            os,
            "access",
            lambda path, mode, *args, **kwargs: (
                not mode & os.W_OK and real_access(path, mode, *args, **kwargs)
            ),
        )


# `zsl` saying on stderr when the image model first encodes a batch.
SAYS_WHEN_ENCODING = """
import sys
from zsl_cli.encoders import hf
encode = hf.TransformersEncoder.encode_images
def says(self, pixels):
    sys.stderr.write("ENCODING IMAGES\\n")
    return encode(self, pixels)
hf.TransformersEncoder.encode_images = says
from zsl_cli.cli import main
main()
"""


def wait_for_first_predictions(process: subprocess.Popen, output: Path) -> None:
    """Until the output's temporary file holds some predictions (or the run has ended): then a
    signal lands mid-run."""
    deadline = time.monotonic() + 120
    while (
        process.poll() is None
        and time.monotonic() < deadline
        and not any(map(_holds_data, output.parent.glob(f".{output.name}.*")))
    ):
        time.sleep(0.05)


def _holds_data(path: Path) -> bool:
    """Whether `path` has some bytes; False where it went between the listing and the look (a
    temporary file moved into place as the run ends)."""
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


# `zsl` with every image batch slowed down, so an interrupt lands mid-run however fast the machine.
SLOW_ZSL = """
import sys, time
from zsl_cli.encoders import hf
encode = hf.TransformersEncoder.encode_images
def slow(self, pixels):
    time.sleep(0.05)
    return encode(self, pixels)
hf.TransformersEncoder.encode_images = slow
from zsl_cli.cli import main
main()
"""


def embedded(images: Path, store: Path, model: Path, *extra: object) -> dict:
    """`zsl embed` of `images` into `store`, which must succeed: its --json report."""
    summary = store.with_suffix(".summary.json")
    result = run("embed", images, "--store", store, "-m", model, "--json", summary, *extra)
    assert result.exit_code == 0, result.stderr
    return json.loads(summary.read_text())


def temp_files(folder: Path) -> list[str]:
    """The names of the temporary files an output left in `folder`."""
    return [name for name in os.listdir(folder) if name.endswith(files.TEMP_SUFFIX)]


def held_open(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Windows: a file another program holds open (Excel) can be neither replaced nor renamed."""
    replace = os.replace

    def refused(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if os.path.basename(source) in names or (
            os.path.basename(target) in names and os.path.exists(target)
        ):
            raise PermissionError(
                13, "Access is denied", os.fspath(source), None, os.fspath(target)
            )
        replace(source, target)

    monkeypatch.setattr(os, "replace", refused)


def error_line(output: str) -> str:
    """The last line of `output`: where an error is told."""
    return output.strip().splitlines()[-1]


def failure_of(path: Path, options: DecodeOptions = DecodeOptions()) -> DecodeError:
    """The DecodeError that decoding `path` raises (the test fails if it raises none)."""
    with pytest.raises(DecodeError) as caught:
        decode_image(path, options)
    return caught.value


def pillow_decodes_at(data: bytes, options: DecodeOptions) -> np.ndarray:
    """The RGB pixels Pillow decodes of `data`, at the draft size `options` asks for."""
    with Image.open(io.BytesIO(data)) as image:
        if options.draft is not None:
            image.draft("RGB", options.draft)
        return np.asarray(image.convert("RGB"))


def with_file_size_limit(limit: int, action: Callable[[], object]) -> object:
    """`action()` with writes past `limit` bytes of a file refused, as a full disk refuses them."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limits[1]))
        return action()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


def spy_on_api(monkeypatch: pytest.MonkeyPatch, name: str) -> list:
    """The requests a command gives the library's `api.<name>` (label, embed, ...), which
    still runs them."""
    requests: list = []
    real = getattr(api, name)

    def recorded(request: object, **kwargs: object) -> object:
        requests.append(request)
        return real(request, **kwargs)

    monkeypatch.setattr(api, name, recorded)
    return requests


class FailingAfter(io.BytesIO):
    """A file whose reads fail (an I/O error on a flaky disk) after its first `reads`."""

    def __init__(self, data: bytes, reads: int) -> None:
        super().__init__(data)
        self.reads = reads

    def read(self, size: int | None = -1) -> bytes:
        self.reads -= 1
        if self.reads < 0:
            raise OSError("Input/output error")
        return super().read(size)


def label_summary(**changes: object) -> dict[str, object]:
    """A label run's summary as its run info records it (4 images, all labelled, 2 img/s), with
    `changes`."""
    summary: dict[str, object] = {
        "inputs": 4,
        "total": 4,
        "ok": 4,
        "failed": 0,
        "by_status": {"ok": 4},
        "labels": {"cat": 3, "dog": 1},
        "low_confidence": 0,
        "low_confidence_below": 0.5,
        "elapsed_s": 2.0,
        "processing_s": 2.0,
        "images_per_second": 2.0,
        "interrupted": False,
    }
    return {**summary, **changes}


def embed_report(**changes: object) -> dict[str, object]:
    """An embed run's report as `zsl embed --json` gives it (5 images found: 3 encoded, 2
    reused), with `changes`."""
    report: dict[str, object] = {
        "interrupted": False,
        "store": "s.zsl",
        "elapsed_s": 1.5,
        "found": 5,
        "encoded": 3,
        "reused": 2,
        "removed": 0,
        "failed": 0,
        "failed_by_status": {},
        "reused_failed": 0,
        "unreachable": 0,
        "unreachable_files": [],
        "exported": None,
        "exported_to": [],
        "scanned": True,
    }
    return {**report, **changes}


class Unwritable(io.StringIO):
    """A stream whose writes fail as a full disk's do; counts the tries."""

    tries = 0

    def write(self, text: str) -> int:
        self.tries += 1
        raise OSError(errno.ENOSPC, "No space left on device")


class GoneReader(io.StringIO):
    """A pipe whose reader went away; counts the tries."""

    tries = 0

    def write(self, text: str) -> int:
        self.tries += 1
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


needs_jpeg_2000 = pytest.mark.skipif(
    not features.check("jpg_2000"), reason="this Pillow has no JPEG 2000 support"
)


class Pipe(io.RawIOBase):
    """A pipe's end: `data` read once, at most `piece` bytes a read (Linux gives 64 KiB), with
    no seeking back."""

    def __init__(self, data: bytes, piece: int = 1 << 16) -> None:
        self._data = io.BytesIO(data)
        self._piece = piece

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._data.read(min(len(buffer), self._piece))
        buffer[: len(data)] = data
        return len(data)


class EndlessPipe(io.RawIOBase):
    """`(printf START; yes LINE) |`: a pipe that never ends. A reader that keeps reading fails
    the test past 16 MB instead of filling the disk (a pipe copied whole to a temporary file
    before any of it was read)."""

    def __init__(self, line: bytes, start: bytes = b"") -> None:
        self.line, self.pending = line, start
        self.given = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        assert self.given < 16 << 20, "read on past 16 MB of an endless pipe"
        count = len(buffer)
        data = self.pending + self.line * (count // len(self.line) + 1)
        buffer[:count], self.pending = data[:count], data[count:]
        self.given += count
        return count


def scan_markers(jpeg: bytes) -> list[int]:
    """Where a JPEG's scans start: each SOS marker's offset."""
    return [match.start() for match in re.finditer(rb"\xff\xda", jpeg)]
