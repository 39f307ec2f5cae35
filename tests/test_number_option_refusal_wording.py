"""How a numeric option's refusal quotes the value typed, and what the help says of a range
with no bounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import run, write_images
from zsl_cli import api
from zsl_cli.demo.__main__ import app as demo_app
from zsl_cli.errors import ZslError


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    monkeypatch.chdir(tmp_path)

    def stop(request: object, **kwargs: object) -> None:
        raise ZslError("the library was reached")

    monkeypatch.setattr(api, "label", stop)
    return tmp_path


def test_a_value_of_forty_characters_is_quoted_whole(world):
    value = "x" * 40
    result = run("label", "photos", "-c", "classes.txt", "-q", "-k", value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for '--top-k' / '-k': {value!r} is not a whole number "
        "(see 'zsl label --help')\n"
    )


def test_a_value_past_forty_characters_is_quoted_by_its_start_and_length(world):
    value = "x" * 41
    result = run("label", "photos", "-c", "classes.txt", "-q", "--threshold", value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for '--threshold': {'x' * 20!r}... (41 characters) is not "
        "a number (see 'zsl label --help')\n"
    )


def test_an_option_with_no_bounds_shows_no_range_in_the_help():
    # click's own description of a range with neither bound is `x<=None`.
    result = CliRunner().invoke(demo_app, ["make-images", "--help"])
    assert result.exit_code == 0, result.output
    assert "None" not in result.output
    assert "x<=" not in result.output and "x>=" not in result.output
