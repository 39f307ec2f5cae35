"""Shared fixtures. Tests never touch the network: the hub is forced offline before any import."""

import gc
import os
import signal

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
def ctrl_c_interrupts():
    """Python raises KeyboardInterrupt on SIGINT only if it was not ignored at start, and a shell
    that starts jobs in the background ignores it for them; tests that raise SIGINT undo that."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
