"""A model load pauses the cyclic garbage collector (it would run its full passes many times over
torch's and transformers' objects and free nothing). The collector is process-wide: what the host
program does to it in another thread while a model loads (gc.disable, gc.enable,
gc.set_threshold) must still hold once the load has ended, and a load that the host leaves alone
must leave the collector as it found it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator

import pytest

from zsl_cli.encoders import load_encoder, loading


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    (gc.enable if enabled else gc.disable)()


def _host_does_during_the_load(monkeypatch: pytest.MonkeyPatch, change: Callable[[], object]):
    """The host program's thread runs `change` while the model's parts load."""
    load_parts = loading._load_parts

    def parts_loaded_while_the_host_changes_the_collector(*args, **kwargs):
        parts = load_parts(*args, **kwargs)
        host = threading.Thread(target=change)
        host.start()
        host.join()
        return parts

    monkeypatch.setattr(loading, "_load_parts", parts_loaded_while_the_host_changes_the_collector)


def test_a_host_that_disables_the_collector_during_a_load_keeps_it_disabled(monkeypatch, tiny_clip):
    gc.enable()
    _host_does_during_the_load(monkeypatch, gc.disable)
    load_encoder(str(tiny_clip), device="cpu")
    assert not gc.isenabled()  # the load enabled it again


def test_a_host_that_enables_the_collector_during_a_load_keeps_it_enabled(monkeypatch, tiny_clip):
    gc.disable()
    _host_does_during_the_load(monkeypatch, gc.enable)
    load_encoder(str(tiny_clip), device="cpu")
    assert gc.isenabled()


def test_thresholds_the_host_sets_during_a_load_stay(monkeypatch, tiny_clip):
    gc.enable()
    gc.set_threshold(700, 10, 10)
    _host_does_during_the_load(monkeypatch, lambda: gc.set_threshold(5000, 20, 30))
    load_encoder(str(tiny_clip), device="cpu")
    assert gc.get_threshold() == (5000, 20, 30) and gc.isenabled()


@pytest.mark.parametrize("enabled", [True, False])
def test_loads_in_several_threads_leave_the_collector_as_the_host_had_it(tiny_clip, enabled):
    gc.set_threshold(1234, 11, 12)
    (gc.enable if enabled else gc.disable)()
    failures: list[BaseException] = []

    def load() -> None:
        try:
            load_encoder(str(tiny_clip), device="cpu")
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert gc.isenabled() is enabled and gc.get_threshold() == (1234, 11, 12)


def test_no_collection_runs_while_the_model_loads(monkeypatch, tiny_clip):
    # What the pause is for: torch and transformers make millions of objects as they load.
    gc.enable()
    collections: list[int] = []
    load_parts = loading._load_parts

    def parts_loaded_among_many_cycles(*args, **kwargs):
        def count(phase: str, info: dict) -> None:
            if phase == "start":
                collections.append(info["generation"])

        gc.callbacks.append(count)
        try:
            cycles = []
            for _ in range(50_000):  # 70 collections' worth at the default threshold
                cycle: list = []
                cycle.append(cycle)
                cycles.append(cycle)
        finally:
            gc.callbacks.remove(count)
        return load_parts(*args, **kwargs)

    monkeypatch.setattr(loading, "_load_parts", parts_loaded_among_many_cycles)
    load_encoder(str(tiny_clip), device="cpu")
    assert collections == []
    assert gc.isenabled()
