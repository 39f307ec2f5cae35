"""The demo CLI's whole-number options read numbers as zsl's own options do: in the digits 0-9
alone, not as Python's int() reads them (`1_0` as 10, other scripts' digits as numbers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.demo.__main__ import app


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["make-images", "OUT"], "--per-class"),
        (["make-images", "OUT"], "--seed"),
        (["evaluate", "shapes-demo"], "--per-class"),
        (["evaluate", "shapes-demo"], "--seed"),
        (["train", "OUT"], "--steps"),
        (["train", "OUT"], "--threads"),
        (["train", "OUT"], "--seed"),
    ],
)
@pytest.mark.parametrize("value", ["1_0", "١٠", "１０"])
def test_a_number_not_in_the_digits_0_to_9_is_refused(
    tmp_path: Path, command: list[str], option: str, value: str
) -> None:
    args = [str(tmp_path / "out") if word == "OUT" else word for word in command]
    result = CliRunner().invoke(app, [*args, option, value])
    assert result.exit_code == 2, result.output
    assert f"'{value}' is not a whole number written in the digits 0-9" in result.output
    assert not (tmp_path / "out").exists()


def test_plain_digits_still_make_images(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["make-images", str(tmp_path), "--per-class", "1", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.rglob("*.png"))) == 30
