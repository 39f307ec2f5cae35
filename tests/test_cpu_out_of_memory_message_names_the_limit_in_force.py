"""Out of CPU memory, the message names what limits the memory as the limit in force and says to
raise it above that: an address-space limit (ulimit -v) by its current value, strict overcommit
(vm.overcommit_memory=2) as such, and only without either the container's memory limit."""

from __future__ import annotations

import re
import sys

import pytest
import torch

from zsl_cli.encoders import hf

CPU = torch.device("cpu")
DOING = "for a single image with shapes-demo"


def message(monkeypatch: pytest.MonkeyPatch, kib: int | None, strict: bool) -> str:
    """The message under `ulimit -v kib` (None: unlimited), overcommit strict or not."""
    monkeypatch.setattr(hf, "address_space_limit", lambda: None if kib is None else kib * 1024)
    monkeypatch.setattr(hf, "overcommit_is_strict", lambda: strict)
    return hf._no_memory(CPU, DOING).message


def test_an_address_space_limit_is_named_as_the_current_one_to_raise_above(monkeypatch):
    text = message(monkeypatch, 6_000_000, strict=False)
    assert text.startswith(f"out of cpu memory {DOING}; "), text
    assert "now" in text and "raise it above 6000000" in text, text
    assert "ulimit -v unlimited" in text and "use a smaller model" in text, text
    # No command that sets the limit it already has.
    assert not re.search(r"raise[^;]*\(ulimit -v 6000000\)", text), text
    assert "overcommit" not in text and "container" not in text, text


def test_strict_overcommit_without_a_limit_is_named_not_a_container(monkeypatch):
    text = message(monkeypatch, None, strict=True)
    assert "strict" in text and "vm.overcommit_memory=2" in text, text
    assert "container" not in text and "ulimit" not in text, text
    assert text.endswith("or use a smaller model"), text


def test_a_limit_under_strict_overcommit_names_both(monkeypatch):
    text = message(monkeypatch, 6_000_000, strict=True)
    assert "raise it above 6000000" in text and "vm.overcommit_memory=2" in text, text
    assert "\n" not in text


def test_without_either_the_container_s_memory_limit_is_named(monkeypatch):
    text = message(monkeypatch, None, strict=False)
    assert text == (
        f"out of cpu memory {DOING}; check the container's memory limit, or use a smaller model"
    )


def test_on_another_device_the_cpu_is_suggested():
    text = hf._no_memory(torch.device("cuda"), DOING).message
    assert text == f"out of cuda memory {DOING}; use --device cpu or a smaller model"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs RLIMIT_AS")
def test_the_limit_named_is_the_one_this_process_runs_under():
    import resource

    # A limit of this very process, set for the call and put back: well above what it has
    # mapped (VmSize, in KiB), so that nothing it does meanwhile fails for it.
    with open("/proc/self/status", encoding="ascii") as status:
        mapped = int(re.search(r"^VmSize:\s+(\d+) kB", status.read(), re.M).group(1))
    saved = resource.getrlimit(resource.RLIMIT_AS)
    kib = mapped + 8 * 1024 * 1024
    if saved[1] != resource.RLIM_INFINITY:  # a soft limit cannot go above the hard one
        kib = min(kib, saved[1] // 1024)
    resource.setrlimit(resource.RLIMIT_AS, (kib * 1024, saved[1]))
    try:
        text = hf._no_memory(CPU, "x").message
    finally:
        resource.setrlimit(resource.RLIMIT_AS, saved)
    assert f"ulimit -v {kib} now" in text and f"raise it above {kib}" in text, text
