"""A descriptions file's key that is a class written otherwise is named beside the class; where
the two differ in characters that print as nothing (a zero-width joiner), both show them
escaped: "not in the class list: 're\\u200dd circle' (...; the class list has 'red circle')",
which read as the same name twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import load_class_spec
from zsl_cli.errors import EXIT_USAGE, ZslError

ZWJ = "\u200d"


def test_a_key_with_a_joiner_the_class_lacks_shows_it_escaped(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("red circle\nblue square\n", encoding="utf-8")
    described = {f"re{ZWJ}d circle": ["round"], "blue square": ["four corners"]}
    (tmp_path / "d.json").write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert str(refused.value).endswith(
        r"descriptions for a class not in the class list: 're\u200dd circle' "
        "(names must match exactly; the class list has 'red circle')"
    )


def test_a_class_with_a_joiner_the_key_lacks_shows_it_escaped(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text(f"re{ZWJ}d circle\n", encoding="utf-8")
    (tmp_path / "d.json").write_text('{"Red Circle": ["round"], "emu": ["legs"]}')
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert str(refused.value).endswith(
        "not in the class list: 'Red Circle', 'emu' "
        r"(names must match exactly; the class list has 're\u200dd circle')"
    )


def test_joiners_both_names_hold_alike_are_shown_as_written(tmp_path: Path) -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # a ZWNJ that both hold
    (tmp_path / "c.txt").write_text(f"{persian} x\n", encoding="utf-8")
    described = {f"{persian} X": ["a word"]}
    (tmp_path / "d.json").write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert str(refused.value).endswith(
        f"'{persian} X' (names must match exactly; the class list has '{persian} x')"
    )


def test_label_refuses_such_a_key_in_one_line_that_tells_the_names_apart(tmp_path: Path):
    write_images(tmp_path / "images", 1)
    (tmp_path / "c.txt").write_text("red circle\nblue square\n", encoding="utf-8")
    (tmp_path / "d.json").write_text(
        json.dumps({f"re{ZWJ}d circle": ["round"]}, ensure_ascii=False), encoding="utf-8"
    )
    result = run(
        "label",
        tmp_path / "images",
        "-c",
        tmp_path / "c.txt",
        "--descriptions",
        tmp_path / "d.json",
        "-m",
        "shapes-demo",
        "-o",
        tmp_path / "p.csv",
        "-q",
    )
    assert result.exit_code == EXIT_USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert line.endswith(
        r"'re\u200dd circle' (names must match exactly; the class list has 'red circle')"
    )
    assert ZWJ not in line and "Traceback" not in result.stderr
