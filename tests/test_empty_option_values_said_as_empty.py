"""An option given '' (an unset shell variable: `--format "$FMT"`) is named `--format ''` in
its refusal, not `--format :`, which read as a stray space before the colon."""

from __future__ import annotations

import pytest

from tests.helpers import error_line, run


@pytest.mark.parametrize(
    ("command", "option"),
    [("label", "--format"), ("label", "--device"), ("label", "--precision"), ("embed", "--dtype")],
)
def test_an_empty_value_is_quoted_in_its_refusal(tmp_path, command, option):
    (tmp_path / "classes.txt").write_text("red circle\nblue square\n", encoding="utf-8")
    where = ["-c", tmp_path / "classes.txt"] if command == "label" else ["-s", tmp_path / "s.zsl"]
    result = run(command, tmp_path, *where, "-m", "shapes-demo", "-q", option, "")
    assert result.exit_code == 2, result.stderr
    assert error_line(result.stderr).startswith(f"zsl: error: {option} '': choose ")
