"""Out of memory while a model loads names the limits in force as out of memory for an image
batch does, in the same words: the address-space limit as the value to raise above, strict
overcommit, else the container's memory limit."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

import zsl_cli
from zsl_cli.encoders import hf, limits
from zsl_cli.encoders.limits import memory_limits_in_force, system_limit

CHILD_TIMEOUT_S = 120


def in_force(monkeypatch: pytest.MonkeyPatch, kib: int | None, strict: bool) -> None:
    limit = None if kib is None else kib * 1024
    for module in (limits, hf):
        monkeypatch.setattr(module, "address_space_limit", lambda: limit)
        monkeypatch.setattr(module, "overcommit_is_strict", lambda: strict)


@pytest.mark.parametrize(
    "error",
    [MemoryError(), OSError(errno.ENOMEM, "mmap failed"), OSError("failed to map segment")],
)
def test_a_load_out_of_memory_names_the_address_space_limit_as_in_force(monkeypatch, error):
    in_force(monkeypatch, 6000000, strict=False)
    message = system_limit(error)
    assert message is not None
    assert message.endswith(
        "(out of memory: the address-space limit is ulimit -v 6000000 now: raise it above "
        "6000000 or lift it (ulimit -v unlimited))"
    )
    assert "container" not in message


def test_a_load_out_of_memory_names_strict_overcommit(monkeypatch):
    in_force(monkeypatch, None, strict=True)
    message = system_limit(MemoryError())
    assert message is not None
    assert "vm.overcommit_memory=2" in message and "ulimit -v" not in message


@pytest.mark.parametrize(
    ("kib", "strict"), [(6000000, False), (None, True), (2000000, True), (None, False)]
)
def test_the_load_and_an_image_batch_name_the_limits_in_the_same_words(monkeypatch, kib, strict):
    in_force(monkeypatch, kib, strict)
    where = memory_limits_in_force(limits.address_space_limit(), limits.overcommit_is_strict())
    assert system_limit(MemoryError()) == f"MemoryError (out of memory: {where})"
    batch = hf._no_memory(torch.device("cpu"), "for a single image with m").message
    assert batch == f"out of cpu memory for a single image with m; {where}, or use a smaller model"


def test_the_address_space_limit_set_is_the_one_named():
    # A process of its own: the limit stays with the process.
    script = textwrap.dedent(
        """
        import resource
        from zsl_cli.encoders.limits import system_limit
        resource.setrlimit(resource.RLIMIT_AS, (6000000 * 1024, resource.RLIM_INFINITY))
        print(system_limit(MemoryError()))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        # This checkout's zsl.
        env={**os.environ, "PYTHONPATH": str(Path(zsl_cli.__file__).parents[1])},
        timeout=CHILD_TIMEOUT_S,
    )
    assert result.returncode == 0, result.stderr
    assert "ulimit -v 6000000 now: raise it above 6000000" in result.stdout
