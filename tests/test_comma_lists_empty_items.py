"""The comma-separated list options (--ext, --methods) drop empty items, as a trailing or a
doubled comma makes."""

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
    ("values", "read"),
    [
        (["png,"], ("png",)),
        ([",png,,jpg ,"], ("png", "jpg")),
        (["png", ""], ("png",)),
    ],
)
def test_ext_drops_empty_items(requests, values, read):
    args = [word for value in values for word in ("--ext", value)]
    result = run("embed", "photos", "-s", "s.zsl", "-q", *args)
    assert result.stderr == "zsl: error: the library was reached\n"
    (request,) = requests
    assert request.inputs.extensions == read


def test_methods_drop_empty_items(requests):
    result = run("hubness", "photos", "-c", "classes.txt", "-q", "--methods", "none,,csls,")
    assert result.stderr == "zsl: error: the library was reached\n"
    (request,) = requests
    assert request.methods == ("none", "csls")
