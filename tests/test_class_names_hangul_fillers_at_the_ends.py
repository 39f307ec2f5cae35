"""A Hangul filler at either end of a class name is refused, as it is inside one and as the
fillers U+3164 and U+FFA0 are: U+115F and U+1160 were stripped there like white space, so a name
of a filler alone vanished from the class list without a word, and U+115F + `cat` was `cat`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.classes import class_names_spec, parse_attributes, parse_classes, parse_descriptions
from zsl_cli.errors import EXIT_USAGE, ZslError

FILLERS = ["\u115f", "\u1160", "\u3164", "\uffa0"]


def escaped(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def filler_id(filler: str) -> str:
    return f"U+{ord(filler):04X}"


@pytest.mark.parametrize("filler", FILLERS, ids=filler_id)
@pytest.mark.parametrize("written", ["{}cat", "cat{}", "  {}cat", "cat{} ", "\ufeff{}cat"])
def test_a_hangul_filler_at_a_class_name_s_end_is_refused_as_inside_it(
    filler: str, written: str
) -> None:
    name = written.format(filler)
    with pytest.raises(ZslError) as refused:
        parse_classes(f"dog\n{name}\nbird\n", "c.txt")
    message = str(refused.value)
    shown = name.strip().removeprefix("\ufeff").replace(filler, escaped(filler))
    assert message.startswith(f"c.txt:2: class name '{shown}' contains '{escaped(filler)}', "), (
        message
    )
    assert filler not in message


@pytest.mark.parametrize("filler", FILLERS, ids=filler_id)
def test_a_line_of_a_hangul_filler_alone_is_refused_not_dropped(filler: str) -> None:
    with pytest.raises(ZslError, match=re.escape(f"c.txt:2: class name '{escaped(filler)}'")):
        parse_classes(f"dog\n{filler}\nbird\n", "c.txt")


@pytest.mark.parametrize("filler", FILLERS, ids=filler_id)
def test_a_hangul_filler_at_the_end_is_refused_in_descriptions_attributes_and_code(
    filler: str,
) -> None:
    contains = f"contains '{escaped(filler)}'"
    with pytest.raises(ZslError, match=re.escape(contains)):
        parse_descriptions(json.dumps({f"cat{filler}": ["whiskers"], "dog": ["paws"]}), "d")
    with pytest.raises(ZslError, match=re.escape(f"a:2: class name '{escaped(filler)}cat'")):
        parse_attributes(f"class,furry\n{filler}cat,1\ndog,1\n", "a")
    # A row of a name alone, its weights not yet written, names the class as a full row does.
    with pytest.raises(ZslError, match=re.escape(f"a:3: class name 'cow{escaped(filler)}'")):
        parse_attributes(f"class,furry,round\ndog,1,0\ncow{filler}\n", "a")
    # Names given in code are refused in the same words as a file's.
    with pytest.raises(ZslError, match=re.escape(f"<names>[1]: class name 'cat{escaped(filler)}'")):
        class_names_spec(["dog", f"cat{filler}"])


def test_other_invisible_characters_at_a_name_s_ends_are_still_stripped() -> None:
    # A byte-order mark left mid-file by `cat a.txt b.txt`, a zero-width space from a web page.
    assert parse_classes("dog\n\ufeffcat\u200b\n", "c.txt").names == ["dog", "cat"]


def test_label_refuses_a_class_file_with_a_hangul_filler_at_a_name_s_end(tmp_path: Path) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text("red square\nblue circle\u1160\n", encoding="utf-8")
    result = run("label", "--show-prompts", "-c", classes)
    assert result.exit_code == EXIT_USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("zsl: error: ") and "contains '\\u1160'" in line
    assert "Traceback" not in result.stderr and result.stdout == ""
