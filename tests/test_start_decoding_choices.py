"""What `api.start_decoding` asks of its DecodeQueue: while the model loads, fewer decode workers
at first (one core left to the load); once loaded, all at once; a resize allowed to make a few
times the model's input whatever --max-pixels says; threads or processes by the device."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from zsl_cli import api
from zsl_cli.encoders.preprocess import FastPreprocessor

GEOMETRY = FastPreprocessor(None, (8, 8), None, Image.BILINEAR)
PATHS = [Path(f"{i}.png") for i in range(10)]


@pytest.fixture()
def asked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The arguments each DecodeQueue would have started with, decoding in threads, where a
    model still loading leaves 3 workers to decode at first."""
    started: list[dict[str, Any]] = []

    def queue(paths: object, prepare: object, **options: object) -> None:
        started.append({"prepare": prepare, **options})

    monkeypatch.setattr(api, "DecodeQueue", queue)
    monkeypatch.setattr(api, "loading_workers", lambda workers: max(1, min(workers, 3)))
    monkeypatch.setattr(api, "decode_in_processes", lambda device, workers: False)
    return started


def start(model_loading: bool = False, max_pixels: int | None = None, workers: int = 4) -> None:
    inputs = api.InputOptions(paths=(), max_pixels=max_pixels)
    api.start_decoding(
        PATHS,
        GEOMETRY,
        inputs,
        exact=False,
        workers=workers,
        device="cpu",
        model_loading=model_loading,
    )


def test_while_the_model_loads_fewer_workers_decode_at_first(asked):
    start(model_loading=True)
    assert asked[0]["workers"] == 4 and asked[0]["startup_workers"] == 3


def test_once_the_model_has_loaded_every_worker_decodes_at_once(asked):
    start(model_loading=False)
    assert asked[0]["workers"] == 4 and asked[0]["startup_workers"] is None


def test_a_max_pixels_below_the_model_s_input_still_lets_small_images_be_resized(asked):
    start(max_pixels=10)
    preparation = asked[0]["prepare"]
    assert preparation.options.max_pixels == 10
    assert preparation.resize_limit == 16 * 8 * 8  # a 10 x 10 image becomes the model's input


def test_a_max_pixels_above_that_is_the_resize_limit(asked):
    start(max_pixels=10**6)
    assert asked[0]["prepare"].resize_limit == 10**6
