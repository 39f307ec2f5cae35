"""'-' among other PATHs still reads a path list from stdin: `zsl label photos - < more.txt`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli import api
from zsl_cli.errors import ZslError


@pytest.fixture()
def requests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    monkeypatch.chdir(tmp_path)
    given: list = []

    def stop(request: object, **kwargs: object) -> None:
        given.append(request)
        raise ZslError("the library was reached")

    for name in ("label", "embed", "hubness"):
        monkeypatch.setattr(api, name, stop)
    return given


@pytest.mark.parametrize(
    "command",
    [
        ["label", "photos", "-", "-c", "classes.txt"],
        ["embed", "-", "photos", "-s", "s.zsl"],
        ["hubness", "photos", "-", "-c", "classes.txt"],
    ],
)
def test_a_dash_beside_folders_reads_stdin_too(requests, command):
    result = run(*command, "-q")
    assert result.stderr == "zsl: error: the library was reached\n"
    (request,) = requests
    assert "-" in request.inputs.paths and "photos" in request.inputs.paths
    assert request.inputs.stdin is not None


def test_without_a_dash_stdin_is_not_read(requests):
    run("label", "photos", "-c", "classes.txt", "-q")
    (request,) = requests
    assert request.inputs.stdin is None
