"""A descriptor, a class's own prompt, a template or an attribute phrase holding a control
character (a BEL, an escape sequence's ESC, a DEL) is warned of, as one
holding a character that prints as nothing is: a class name holding one is refused, but in the
prompts it reached the model, which read it, without a word. Tabs and line breaks, which
README lets prompts hold, are not warned of."""

from __future__ import annotations

import json

import pytest

from zsl_cli.api import ClassOptions, class_prompts


def warnings_of(options: ClassOptions) -> list[str]:
    return [w for w in class_prompts(options).warnings if "control character" in w]


@pytest.mark.parametrize(
    ("files", "options", "shown"),
    [
        (
            {"c.txt": "cat\ndog\n", "d.json": json.dumps({"cat": ["soft\u0007fur"], "dog": "a"})},
            {"classes": "c.txt", "descriptions": "d.json"},
            "1 prompt text holds a control character: 'soft\\x07fur' holds U+0007",
        ),
        (
            {"c.txt": "cat: a \x1b[31mred {}\ndog: a photo of a {}\n"},
            {"classes": "c.txt"},
            "1 prompt text holds a control character: 'a \\x1b[31mred {}' holds U+001B",
        ),
        (
            {"c.txt": "cat\ndog\n", "t.txt": "a photo\x7f of a {}.\na \x9bsketch of a {}.\n"},
            {"classes": "c.txt", "templates": "t.txt"},
            "2 prompt texts hold a control character: 'a photo\\x7f of a {}.' holds U+007F",
        ),
    ],
)
def test_a_control_character_in_prompt_text_is_warned_of(
    tmp_path, monkeypatch, files, options, shown
):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    [warning] = warnings_of(ClassOptions(**options))
    assert warning.startswith(shown), warning
    assert warning.endswith("the model reads it, and it changes the prompts' embeddings: delete it")


def test_tabs_and_line_breaks_in_descriptors_are_not_warned_of(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.txt").write_text("cat\ndog\n", encoding="utf-8")
    descriptors = {"cat": ["soft\tfur", "two\nears"], "dog": "a tail"}
    (tmp_path / "d.json").write_text(json.dumps(descriptors), encoding="utf-8")
    assert warnings_of(ClassOptions(classes="c.txt", descriptions="d.json")) == []
