"""The one prompt `load_encoder` puts through the text model at load (which refuses a model with
no single embedding per text) is part of the load: running out of memory or into a limit of the
system there is a model that cannot load, said in one line (exit 2) in every command, `zsl embed`
too, which encodes no class prompts; and a Ctrl-C there stops the run as one during the rest of
the load does."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
import torch
from PIL import Image
from transformers import CLIPModel
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import EXIT_INTERRUPTED, EXIT_USAGE, ZslError

MODEL = "shapes-demo"  # a CLIPModel

FAILURES = {
    "cuda-out-of-memory": (
        lambda: torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 MiB"),
        "out of cpu memory loading shapes-demo",
    ),
    "cpu-out-of-memory": (
        lambda: RuntimeError(
            "DefaultCPUAllocator: can't allocate memory: you tried to allocate 4000000 bytes."
        ),
        "out of cpu memory loading shapes-demo",
    ),
    "memory-error": (MemoryError, "cannot load the model shapes-demo: MemoryError (out of memory"),
    "enomem": (
        lambda: OSError(errno.ENOMEM, "Cannot allocate memory"),
        "cannot load the model shapes-demo: [Errno 12] Cannot allocate memory (out of memory",
    ),
    "thread-limit": (
        lambda: RuntimeError("can't start new thread"),
        "cannot load the model shapes-demo: can't start new thread (a limit of the system",
    ),
}


def failing_text_model(monkeypatch: pytest.MonkeyPatch, error) -> None:
    def failing(self, *args, **kwargs):
        raise error()

    monkeypatch.setattr(CLIPModel, "get_text_features", failing)


def assert_one_line(message: str, expected: str) -> None:
    assert expected in message, message
    assert "\n" not in message
    assert "class prompts" not in message  # none were being encoded


@pytest.mark.parametrize(("error", "expected"), FAILURES.values(), ids=FAILURES.keys())
def test_a_failure_of_the_load_text_check_is_a_load_failure(monkeypatch, error, expected):
    failing_text_model(monkeypatch, error)
    with pytest.raises(ZslError) as caught:
        load_encoder(MODEL, device="cpu")
    assert_one_line(caught.value.message, expected)
    assert caught.value.exit_code == EXIT_USAGE


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (50, 40), "red").save(tmp_path / "images" / "red.png")
    (tmp_path / "classes.txt").write_text("circle\nsquare\n")
    return tmp_path


def zsl(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command", ["embed", "label"])
@pytest.mark.parametrize(("error", "expected"), FAILURES.values(), ids=FAILURES.keys())
def test_every_command_says_the_load_failed_in_one_line(
    monkeypatch, world, command, error, expected
):
    failing_text_model(monkeypatch, error)
    made = world / ("s.zsl" if command == "embed" else "out.csv")
    output = ["--store", made] if command == "embed" else ["-c", world / "classes.txt", "-o", made]
    result = zsl(command, world / "images", *output, "-m", MODEL, "--device", "cpu")
    assert result.exit_code == EXIT_USAGE, (result.stderr, result.exception)
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert_one_line(result.stderr.rstrip("\n"), expected)
    assert "Traceback" not in result.output
    assert not made.exists()


def _interrupted_as_a_type_error(self, *args, **kwargs):
    # A Ctrl-C or SIGTERM that lands in transformers' lazy imports came out as a TypeError
    # raised while the KeyboardInterrupt was handled.
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise TypeError("expected a message argument") from None


def _interrupted(self, *args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("forward", [_interrupted, _interrupted_as_a_type_error])
def test_a_stop_signal_in_the_load_text_check_stops_the_run(monkeypatch, world, forward):
    monkeypatch.setattr(CLIPModel, "get_text_features", forward)
    with pytest.raises(KeyboardInterrupt):
        load_encoder(MODEL, device="cpu")
    result = zsl("embed", world / "images", "--store", world / "s.zsl", "-m", MODEL)
    assert result.exit_code == EXIT_INTERRUPTED, (result.stderr, result.exception)
    assert result.stderr == "zsl: interrupted\n"
    assert not (world / "s.zsl").exists()


def _text_features_times(value: float):
    forward = CLIPModel.get_text_features

    def scaled(self, *args, **kwargs):
        output = forward(self, *args, **kwargs)
        features = output if isinstance(output, torch.Tensor) else output.pooler_output
        return features * value

    return scaled


@pytest.mark.parametrize(
    ("value", "cause"),
    [
        (torch.nan, "is not finite: the model's weights give NaN or infinite embeddings"),
        (0.0, "is all zero: the model's weights give zero embeddings"),
    ],
)
@pytest.mark.parametrize("command", ["embed", "label"])
def test_a_text_embedding_that_is_nan_or_zero_at_load_is_said_as_such(
    monkeypatch, world, command, value, cause
):
    # It said "its embeddings of class prompts are ...", in `zsl embed` too, which has none.
    monkeypatch.setattr(CLIPModel, "get_text_features", _text_features_times(value))
    with pytest.raises(ZslError) as caught:
        load_encoder(MODEL, device="cpu", precision="fp32")
    assert_one_line(
        caught.value.message,
        f"cannot use the model {MODEL}: its text model's embedding of a plain prompt {cause}",
    )
    made = world / ("s.zsl" if command == "embed" else "out.csv")
    output = ["--store", made] if command == "embed" else ["-c", world / "classes.txt", "-o", made]
    result = zsl(command, world / "images", *output, "-m", MODEL, "--device", "cpu")
    assert result.exit_code == EXIT_USAGE, (result.stderr, result.exception)
    assert_one_line(result.stderr.rstrip("\n"), "its text model's embedding of a plain prompt")
    assert not made.exists()


BROKEN_FORWARDS = {
    "value-error": (ValueError("input_ids of 3 tokens: expected 77"), "ValueError: input_ids of"),
    "type-error": (TypeError("forward() got an unexpected\nkeyword"), "TypeError: forward() got"),
    "index-error": (IndexError("index out of range in self"), "IndexError: index out of range"),
    "shape-error": (
        RuntimeError("mat1 and mat2 shapes cannot be multiplied (1x64 and 32x16)"),
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied",
    ),
    "no-message": (KeyError(), "failed on a plain prompt: KeyError"),
}


@pytest.mark.parametrize(("error", "expected"), BROKEN_FORWARDS.values(), ids=BROKEN_FORWARDS)
@pytest.mark.parametrize("command", ["embed", "label"])
def test_a_text_model_that_fails_on_a_plain_prompt_cannot_be_used(
    monkeypatch, world, command, error, expected
):
    # A broken custom text model was an internal error: exit 70, with a traceback.
    failing_text_model(monkeypatch, lambda: error)
    with pytest.raises(ZslError) as caught:
        load_encoder(MODEL, device="cpu")
    assert_one_line(
        caught.value.message,
        f"cannot use the model {MODEL}: its text model failed on a plain prompt",
    )
    assert expected in caught.value.message
    made = world / ("s.zsl" if command == "embed" else "out.csv")
    output = ["--store", made] if command == "embed" else ["-c", world / "classes.txt", "-o", made]
    result = zsl(command, world / "images", *output, "-m", MODEL, "--device", "cpu")
    assert result.exit_code == EXIT_USAGE, (result.stderr, result.exception)
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert expected in result.stderr
    assert not made.exists()


def test_an_error_of_zsl_around_the_text_model_stays_an_internal_error(monkeypatch):
    # Only what the model's own forward raises is the model's fault.
    from zsl_cli.encoders import hf

    def broken_pooling(*args, **kwargs):
        raise ValueError("a bug of zsl's")

    monkeypatch.setattr(hf, "_pooled", broken_pooling)
    with pytest.raises(ValueError, match="a bug of zsl's"):
        load_encoder(MODEL, device="cpu")
