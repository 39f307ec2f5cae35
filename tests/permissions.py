"""Permission refusals simulated for root, whom no file mode stops (this project's machines and
most CI containers run the tests as root): the tests that chmod a file or folder skip there, and
these make the same paths refuse as they do for any other user."""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path
from typing import Any

import pytest


def _refused(path: Any) -> OSError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))


def _named(path: Any) -> str | None:
    """The absolute name of a path argument; None for a file descriptor."""
    if isinstance(path, int):
        return None
    return os.path.abspath(os.fsdecode(path))


def refuse_reading(monkeypatch: pytest.MonkeyPatch, *files: Path) -> None:
    """Opening any of `files` fails with EACCES, as chmod 000 makes it for a user not root."""
    refused = {os.path.abspath(file) for file in files}
    real_open, real_os_open = builtins.open, os.open

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        if _named(file) in refused:
            raise _refused(file)
        return real_open(file, *args, **kwargs)

    def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
        if _named(path) in refused:
            raise _refused(path)
        return real_os_open(path, *args, **kwargs)

    _patch_open(monkeypatch, open_)
    monkeypatch.setattr(os, "open", os_open)


def refuse_entering(monkeypatch: pytest.MonkeyPatch, folder: Path, *, listed: bool) -> None:
    """No name in `folder` can be looked up or opened (mode 600: it has no search permission),
    nor, unless `listed`, the folder listed (mode 000), as for a user not root."""
    inside = os.path.abspath(folder) + os.sep
    listing = os.path.abspath(folder)
    real = {name: getattr(os, name) for name in ("stat", "lstat", "open", "scandir", "listdir")}
    real_open = builtins.open

    def guarded(name: str) -> Any:
        def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
            named = _named(path)
            if named is not None and (
                named.startswith(inside)
                or (name in ("scandir", "listdir") and not listed and named == listing)
            ):
                raise _refused(path)
            return real[name](path, *args, **kwargs)

        return call

    def open_(file: Any, *args: Any, **kwargs: Any) -> Any:
        named = _named(file)
        if named is not None and named.startswith(inside):
            raise _refused(file)
        return real_open(file, *args, **kwargs)

    for name in real:
        monkeypatch.setattr(os, name, guarded(name))
    _patch_open(monkeypatch, open_)


def _patch_open(monkeypatch: pytest.MonkeyPatch, open_: Any) -> None:
    # pathlib opens through io.open, a name of its own for the built-in open.
    monkeypatch.setattr(builtins, "open", open_)
    monkeypatch.setattr(io, "open", open_)
