"""Shared fixtures. Tests never touch the network: the hub is forced offline before any import."""

import gc
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _collector_unfrozen():
    """The CLI freezes the collector's view of the heap after loading a model (a one-shot
    process); in this long-lived test process, give each test's objects back to it."""
    yield
    gc.unfreeze()


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory):
    from tests.tiny_models import make_tiny_clip

    return make_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture(scope="session")
def tiny_siglip(tmp_path_factory):
    from tests.tiny_models import make_tiny_siglip

    return make_tiny_siglip(tmp_path_factory.mktemp("tiny-siglip"))


@pytest.fixture
def two_revisions(tiny_clip, tiny_siglip, tmp_path, monkeypatch):
    """acme/tiny at main is a CLIP, at v2 a SigLIP, in a hub cache under tmp_path."""
    import huggingface_hub.constants

    repo = tmp_path / "hub" / "models--acme--tiny"
    (repo / "refs").mkdir(parents=True)
    for ref, model, commit in (("main", tiny_clip, "1" * 40), ("v2", tiny_siglip, "2" * 40)):
        shutil.copytree(model, repo / "snapshots" / commit)
        (repo / "refs" / ref).write_text(commit)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))


def _press_ctrl_c() -> None:
    signal.raise_signal(signal.SIGINT)


class CtrlC:
    """Ctrl-Cs a test presses later, from timers that end with the test: a timer left running
    raised its SIGINT in whatever the worker ran next (a later test, a weakref callback)."""

    def __init__(self) -> None:
        self._timers: list[threading.Timer] = []

    def after(self, seconds: float, press: Callable[[], object] = _press_ctrl_c) -> None:
        """`press` (SIGINT to this process) in `seconds`, from another thread."""
        timer = threading.Timer(seconds, press)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
            timer.join()


@pytest.fixture
def ctrl_c_interrupts() -> Iterator[CtrlC]:
    """Python raises KeyboardInterrupt on SIGINT only if it was not ignored at start, and a shell
    that starts jobs in the background ignores it for them; tests that raise SIGINT undo that.
    Ctrl-Cs pressed later go through the CtrlC given, so that none outlives the test."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    ctrl_c = CtrlC()
    try:
        yield ctrl_c
    finally:
        # A SIGINT that lands once the test stopped waiting for it (a timer that fired late, one
        # pending in the interpreter) is dropped here, never raised in the next test.
        signal.signal(signal.SIGINT, lambda *_: None)
        ctrl_c.stop()
        signal.signal(signal.SIGINT, previous)


LATIN1 = "en_US.ISO-8859-1"


def _file_name_encoding(settings: dict[str, str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    code = "import sys; print(sys.getfilesystemencoding())"
    env.update(settings, PYTHONUTF8="0")
    found = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return found.stdout.strip()


@pytest.fixture(scope="session")
def latin1_locale(tmp_path_factory):
    """Settings for a Latin-1 locale. Where the system has none compiled (most CI images, and
    this project's machines: every Latin-1 test skipped), one is built with localedef from the
    system's locale sources into a folder of its own, named by LOCPATH."""
    settings = {"LC_ALL": LATIN1}
    if _file_name_encoding(settings) == "iso8859-1" or shutil.which("localedef") is None:
        return settings
    folder = tmp_path_factory.mktemp("locales")
    command = ["localedef", "-i", "en_US", "-f", "ISO-8859-1", str(folder / LATIN1)]
    subprocess.run(command, capture_output=True, timeout=120)  # exit 1: built, with warnings
    return {**settings, "LOCPATH": str(folder)} if (folder / LATIN1).is_dir() else settings


@pytest.fixture()
def image_folder(tmp_path: Path) -> Path:
    """An ImageFolder: class sub-folders of real images, plus classes.txt and seen.txt."""
    from tests.helpers import FOLDER_CLASSES, write_images

    root = tmp_path / "set"
    for index, name in enumerate(FOLDER_CLASSES):
        write_images(root / name, 4, seed=index)
    (tmp_path / "classes.txt").write_text("\n".join(FOLDER_CLASSES) + "\n")
    (tmp_path / "seen.txt").write_text("cat\ndog\n")
    return root
