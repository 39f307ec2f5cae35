"""The sdist and the package metadata, built with setuptools from a copy of the git checkout's
tracked files (as a fresh clone holds them). Skipped outside a git checkout (an unpacked sdist)
and where setuptools is older than pyproject's build-system asks."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
from email.parser import HeaderParser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tracked_files() -> list[str]:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [name for name in done.stdout.split("\0") if name]


def _checkout_copy(tmp_path: Path) -> tuple[Path, list[str]]:
    try:
        setuptools_major = int(version("setuptools").split(".")[0])
    except PackageNotFoundError:
        setuptools_major = 0
    if setuptools_major < 77:
        pytest.skip("setuptools 77 or later is not installed")
    tracked = _tracked_files()
    copy = tmp_path / "checkout"
    for name in tracked:
        if (ROOT / name).is_file():  # not one deleted from the work tree
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy, tracked


def _build(copy: Path, hook: str, out: Path) -> Path:
    out.mkdir()
    code = f"from setuptools import build_meta; print(build_meta.{hook}({str(out)!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=copy, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out / done.stdout.splitlines()[-1]


def test_the_sdist_holds_every_file_the_readme_names(tmp_path: Path) -> None:
    # README sends readers to CHANGELOG.md, which the sdist left out.
    copy, tracked = _checkout_copy(tmp_path)
    sdist = _build(copy, "build_sdist", tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        shipped = {name.partition("/")[2] for name in archive.getnames()}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = {name for name in re.findall(r"`([^`\s]+)`", readme) if name in tracked}
    assert "CHANGELOG.md" in named
    assert sorted(named - shipped) == []


def test_the_metadata_classifies_the_pythons_it_requires(tmp_path: Path) -> None:
    copy, _ = _checkout_copy(tmp_path)
    info = _build(copy, "prepare_metadata_for_build_wheel", tmp_path / "meta")
    metadata = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8"))
    assert metadata["Author"]
    classifiers = metadata.get_all("Classifier") or []
    python = re.compile(r"Programming Language :: Python :: 3\.(\d+)$")
    minors = [int(found.group(1)) for found in map(python.match, classifiers) if found]
    floor = re.fullmatch(r">=3\.(\d+)", metadata["Requires-Python"])
    assert floor, metadata["Requires-Python"]
    # From the oldest Python allowed, with none skipped.
    assert minors == list(range(int(floor.group(1)), int(floor.group(1)) + len(minors)))
    assert len(minors) > 1
    assert any(c.startswith("Operating System ::") for c in classifiers)
