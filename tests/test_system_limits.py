"""Hostile environments around a model load: python -OO, which strips the docstrings transformers
reads, is refused before the load; a limit of the system hit while the model loads is named as
such (ulimit -u, ulimit -v), not blamed on the model; and a tight address-space limit ends in one
line rather than in scipy's OpenBLAS retrying its buffer for ever."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from zsl_cli.encoders import limits, resolve_model
from zsl_cli.encoders.loading import _load_failure

CHILD_TIMEOUT_S = 120  # a hang fails the test instead of holding the suite


def run_python(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )


def run_zsl(*args: object, cwd: Path, env: dict[str, str] | None = None, python_flags=()):
    return run_python(*python_flags, "-m", "zsl_cli", *map(str, args), cwd=cwd, env=env)


@pytest.fixture()
def world(tmp_path: Path) -> Path:
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    return tmp_path


def assert_one_line_refusal(result, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("zsl: error: "), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("python_flags", "env"), [(("-OO",), {}), ((), {"PYTHONOPTIMIZE": "2"})], ids=["-OO", "env"]
)
def test_label_under_oo_is_refused_with_its_cause(world, tiny_clip, python_flags, env):
    out = world / "out.csv"
    out.write_text("kept\n")
    args = ("label", "images", "-c", "classes.txt", "-m", tiny_clip, "-o", out)
    result = run_zsl(*args, cwd=world, env=env, python_flags=python_flags)
    assert_one_line_refusal(result, "-OO", "PYTHONOPTIMIZE=2", "docstrings")
    assert "cannot load the model" not in result.stderr  # the model is fine
    assert result.stdout == ""  # transformers printed ten "[ERROR]" lines here
    assert out.read_text() == "kept\n"


def test_embed_under_oo_is_refused_and_creates_no_store(world, tiny_clip):
    args = ("embed", "images", "--store", "s.zsl", "-m", tiny_clip)
    result = run_zsl(*args, cwd=world, env={"PYTHONOPTIMIZE": "2"})
    assert_one_line_refusal(result, "PYTHONOPTIMIZE=2")
    assert result.stdout == ""
    assert not (world / "s.zsl").exists()


def test_commands_without_a_model_still_work_under_oo(world):
    assert run_zsl("--version", cwd=world, python_flags=("-OO",)).stdout.startswith("zsl ")
    help_result = run_zsl("label", "--help", cwd=world, python_flags=("-OO",))
    assert help_result.returncode == 0 and "Usage" in help_result.stdout


def _message(error: BaseException) -> str:
    return _load_failure(resolve_model("shapes-demo"), "model", error, False, None).message


@pytest.mark.parametrize(
    ("error", "limit"),
    [
        (RuntimeError("can't start new thread"), "ulimit -u"),
        (MemoryError(), "ulimit -v"),
        (MemoryError("Out of memory interning an attribute name"), "ulimit -v"),
        (OSError(errno.ENOMEM, "Cannot allocate memory"), "ulimit -v"),
        (
            ImportError("libgfortran-8f1e9814.so.5.0.0: failed to map segment from shared object"),
            "ulimit -v",
        ),
    ],
)
def test_a_limit_of_the_system_is_named_not_the_model(monkeypatch, error, limit):
    # The memory errors come from an address-space limit, which the message names as in force.
    monkeypatch.setattr(limits, "address_space_limit", lambda: 6000000 * 1024)
    message = _message(error)
    assert limit in message, message
    assert message.startswith("cannot load the model shapes-demo: "), message
    assert "from " not in message.split(":", 1)[0]  # not "... from <the model's folder>"


def test_other_load_errors_still_blame_the_model():
    message = _message(ValueError("Unrecognized model in folder"))
    assert "ulimit" not in message
    assert "Unrecognized model in folder" in message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and RLIMIT_AS")
def test_too_little_address_space_for_a_load_is_one_line_at_once(tmp_path):
    """With little room left under ulimit -v, the load is refused before torch and scipy load:
    scipy's OpenBLAS retried its buffer for ever there, at 100% CPU, deaf to SIGTERM."""
    script = textwrap.dedent(
        """
        import resource, sys
        from zsl_cli.encoders.loading import _address_space_used, load_encoder
        from zsl_cli.errors import ZslError
        used = _address_space_used()
        resource.setrlimit(resource.RLIMIT_AS, (used + 64 * 2**20, resource.RLIM_INFINITY))
        try:
            load_encoder("shapes-demo")
        except ZslError as error:
            print(error.message)
            print("torch" in sys.modules, "scipy" in sys.modules)
        """
    )
    result = run_python("-c", script, cwd=tmp_path)
    message, imported = result.stdout.splitlines()
    assert "address-space limit (ulimit -v" in message and "unlimited" in message, message
    assert imported == "False False"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc and RLIMIT_AS")
def test_under_an_address_space_limit_scipy_blas_loads_before_torch(tmp_path):
    """Room enough: scipy's OpenBLAS is loaded first, while its buffer still fits."""
    pytest.importorskip("scipy")
    script = textwrap.dedent(
        """
        import resource, sys
        from zsl_cli.encoders.loading import _address_space_used, load_encoder
        used = _address_space_used()
        resource.setrlimit(resource.RLIMIT_AS, (used + 8 * 2**30, resource.RLIM_INFINITY))
        order = []
        class Watch:
            def find_spec(self, name, path=None, target=None):
                if name in ("torch", "scipy.linalg") and name not in order:
                    order.append(name)
        sys.meta_path.insert(0, Watch())
        load_encoder("shapes-demo")
        print(" ".join(order))
        """
    )
    result = run_python("-c", script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["scipy.linalg", "torch"]
