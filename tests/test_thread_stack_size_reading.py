"""The stack a new thread maps, as the room checked for torch's threads counts it: Python's
setting where a host program made one, else the stack limit (ulimit -s), else glibc's 8 MB."""

from __future__ import annotations

import threading

import pytest

from zsl_cli.encoders import limits

resource = pytest.importorskip("resource")  # no stack limit to read on Windows


def _stack_limit(monkeypatch: pytest.MonkeyPatch, soft: int) -> None:
    real = resource.getrlimit

    def getrlimit(which: int) -> tuple[int, int]:
        return (soft, soft) if which == resource.RLIMIT_STACK else real(which)

    monkeypatch.setattr(resource, "getrlimit", getrlimit)


def test_pythons_own_thread_stack_size_comes_first(monkeypatch):
    _stack_limit(monkeypatch, 16 * 2**20)
    monkeypatch.setattr(threading, "stack_size", lambda: 2 * 2**20)
    assert limits.thread_stack_bytes() == 2 * 2**20


def test_without_pythons_setting_the_stack_limit_is_the_size(monkeypatch):
    monkeypatch.setattr(threading, "stack_size", lambda: 0)
    _stack_limit(monkeypatch, 16 * 2**20)
    assert limits.thread_stack_bytes() == 16 * 2**20


def test_an_unlimited_stack_limit_gives_glibcs_default(monkeypatch):
    monkeypatch.setattr(threading, "stack_size", lambda: 0)
    _stack_limit(monkeypatch, resource.RLIM_INFINITY)
    assert limits.thread_stack_bytes() == limits.DEFAULT_THREAD_STACK == 8 * 2**20
