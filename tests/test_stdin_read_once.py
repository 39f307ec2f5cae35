"""A "-" path list and an option's file that is the same pipe (`-c /dev/stdin`): one reader took
it all, and the other's error blamed the path list ("no paths on stdin"). Refused up front."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/fd"), reason="needs /dev/fd")


@pytest.fixture()
def piped() -> Iterator[tuple[IO[bytes], int]]:
    """A pipe holding a path list, its read end open as a binary stream (and its descriptor)."""
    read, write = os.pipe()
    os.write(write, b"a.png\nb.png\n")
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        yield stream, read


@pytest.mark.parametrize("spelling", ["/dev/fd/{}", "/proc/self/fd/{}"])
def test_label_refuses_a_class_file_that_is_the_piped_path_list(
    piped: tuple[IO[bytes], int], spelling: str
) -> None:
    stream, descriptor = piped
    if not os.path.exists(spelling.format(descriptor)):
        pytest.skip(f"no {spelling}")
    classes = spelling.format(descriptor)
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=("-",), stdin=stream),
        classes=api.ClassOptions(classes=classes),
        output=None,
    )
    with pytest.raises(ZslError) as raised:
        api.label(request)
    assert str(raised.value) == (
        f"--classes {classes} and '-' both read stdin; give one of them a file"
    )
    assert stream.read() == b"a.png\nb.png\n"  # refused before anything read the list


def test_label_names_the_option_that_reads_the_pipe(
    piped: tuple[IO[bytes], int], tmp_path: Path
) -> None:
    stream, descriptor = piped
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=("-",), stdin=stream),
        classes=api.ClassOptions(
            classes=str(tmp_path / "classes.txt"), templates=f"/dev/fd/{descriptor}"
        ),
        output=None,
    )
    with pytest.raises(ZslError, match=r"^--templates /dev/fd/\d+ and '-' both read stdin"):
        api.label(request)


def test_hubness_refuses_a_truth_that_is_the_piped_path_list(
    piped: tuple[IO[bytes], int], tmp_path: Path
) -> None:
    stream, descriptor = piped
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    request = api.HubnessRequest(
        inputs=api.InputOptions(paths=("-",), stdin=stream),
        classes=api.ClassOptions(classes=str(tmp_path / "classes.txt")),
        truth=f"/dev/fd/{descriptor}",
    )
    with pytest.raises(ZslError, match=r"^--truth /dev/fd/\d+ and '-' both read stdin"):
        api.hubness(request)


def _zsl(tmp_path: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zsl_cli", *args],
        cwd=tmp_path,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="needs /dev/stdin")
def test_cli_label_and_hubness_refuse_dev_stdin_beside_dash(tmp_path: Path) -> None:
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    done = _zsl(tmp_path, "label", "-", "-c", "/dev/stdin", "-m", "shapes-demo", stdin="a.png\n")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "zsl: error: --classes /dev/stdin and '-' both read stdin; give one of them a file\n"
    )
    done = _zsl(
        tmp_path,
        "hubness",
        "-",
        "-c",
        "classes.txt",
        "--truth",
        "/dev/stdin",
        "-m",
        "shapes-demo",
        stdin="a.png\n",
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "zsl: error: --truth /dev/stdin and '-' both read stdin; give one of them a file\n"
    )


def test_evaluate_refuses_a_truth_that_is_the_piped_predictions(
    piped: tuple[IO[bytes], int],
) -> None:
    stream, descriptor = piped
    request = api.EvaluateRequest(predictions="-", truth=f"/dev/fd/{descriptor}", stdin=stream)
    with pytest.raises(ZslError, match=r"^--truth /dev/fd/\d+ and '-' both read stdin"):
        api.evaluate(request)


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="needs /dev/stdin")
def test_cli_evaluate_refuses_dev_stdin_as_truth_beside_dash(tmp_path: Path) -> None:
    done = _zsl(tmp_path, "evaluate", "-", "--truth", "/dev/stdin", stdin="path,label\na.png,cat\n")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "zsl: error: --truth /dev/stdin and '-' both read stdin; give one of them a file\n"
    )
