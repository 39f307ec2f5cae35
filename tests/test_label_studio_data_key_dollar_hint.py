"""`--ls-data-key '$img'`, pasted from a labelling config's `value="$img"`: the '$' is the
config's way of naming the data key, not part of it. The refusal says to give the key without
it (`--ls-data-key img`), where the generic "ASCII letters, digits and '_'" left the user to work
out which character was wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import error_line, run, write_images
from zsl_cli.errors import ZslError
from zsl_cli.label_studio import LabelStudioOptions, check_label_studio_options


def _refusal(key: str) -> str:
    with pytest.raises(ZslError) as refused:
        check_label_studio_options(LabelStudioOptions(document_root=Path("root"), data_key=key))
    return refused.value.message


@pytest.mark.parametrize(("key", "meant"), [("$img", "img"), ("$image_2", "image_2")])
def test_a_key_given_with_its_dollar_is_told_to_drop_it(key: str, meant: str) -> None:
    message = _refusal(key)
    assert message.startswith("--ls-data-key ") and key in message
    assert "'$'" in message and message.endswith(f"give --ls-data-key {meant}")
    # What it says to give is taken.
    check_label_studio_options(LabelStudioOptions(document_root=Path("root"), data_key=meant))


@pytest.mark.parametrize("key", ["$", "$img.url", "$$img", "img$"])
def test_a_dollar_before_no_key_gets_the_rule_of_keys(key: str) -> None:
    # Dropping the '$' would not make a key of these: the rule is what helps.
    message = _refusal(key)
    assert "ASCII letters, digits and '_'" in message and "--ls-data-key img" not in message


def test_the_cli_says_it_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("classes.txt").write_text("cat\ndog\n", encoding="utf-8")
    write_images(tmp_path / "root", 1)
    result = run(
        "label",
        "root",
        "-c",
        "classes.txt",
        "-m",
        "shapes-demo",
        "-f",
        "label-studio",
        "--ls-document-root",
        "root",
        "--ls-data-key",
        "$img",
        "-o",
        "t.json",
    )
    assert result.exit_code == 2
    line = error_line(result.stderr)
    assert line.startswith("zsl: error: --ls-data-key ") and line.endswith("give --ls-data-key img")
    assert not Path("t.json").exists()
