"""A template, a class's own prompt, a descriptor or an attribute phrase holding a character that
prints as nothing (a zero-width space, a soft hyphen, a direction mark, as text pasted from a web
page brings) is warned of: a class name holding one is refused, but in the prompts the model read
it, and it moved their embeddings without a trace in the file or in `--show-prompts`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zsl_cli.api import ClassOptions, class_prompts
from zsl_cli.cli import app


def warnings_of(options: ClassOptions) -> list[str]:
    return [w for w in class_prompts(options).warnings if "prints as nothing" in w]


def test_a_template_file_holding_a_zero_width_space_is_warned_of(tmp_path):
    classes, templates = tmp_path / "c.txt", tmp_path / "t.txt"
    classes.write_text("cat\ndog\n", encoding="utf-8")
    templates.write_text("a photo\u200b of a {}.\na sketch of a {}.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["label", "-c", str(classes), "-t", str(templates), "--show-prompts"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "warning: 1 prompt text holds a character that prints as nothing: 'a photo\\u200b of a "
        "{}.' holds U+200B ZERO WIDTH SPACE; the model reads it, and it changes the prompts' "
        "embeddings (text pasted from a web page?): delete it\n"
    )


@pytest.mark.parametrize(
    ("files", "options", "shown"),
    [
        (
            {"c.txt": "cat: a photo of a {}; a soft\u00adhyphen {}\ndog: a \u200ephoto {}\n"},
            {"classes": "c.txt"},
            "2 prompt texts hold a character that prints as nothing: 'a soft\\xadhyphen {}' "
            "holds U+00AD SOFT HYPHEN",
        ),
        (
            {"d.json": json.dumps({"cat": ["ears", "soft\u2060fur"], "dog": "a tail"})},
            {"descriptions": "d.json"},
            "1 prompt text holds a character that prints as nothing: 'soft\\u2060fur' holds "
            "U+2060 WORD JOINER",
        ),
        (
            {"a.csv": "class,red,round\n#phrase,red\ufeff colour,round\ncat,1,0\ndog,0,1\n"},
            {"attributes": "a.csv"},
            "1 prompt text holds a character that prints as nothing: 'red\\ufeff colour' holds "
            "U+FEFF ZERO WIDTH NO-BREAK SPACE",
        ),
    ],
)
def test_each_source_of_prompt_text_is_looked_at(tmp_path, monkeypatch, files, options, shown):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (said,) = warnings_of(ClassOptions(**options))
    assert said.startswith(shown + "; the model reads it")


def test_joiners_that_scripts_and_emoji_need_are_no_warning(tmp_path):
    classes = tmp_path / "c.txt"
    # A family emoji's zero-width joiners, a Persian word's non-joiner, an emoji's selector.
    classes.write_text(
        "cat: a \U0001f468\u200d\U0001f469\u200d\U0001f467 with a {}; "
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 {}\n"
        "dog: a \u2764\ufe0f {}\n",
        encoding="utf-8",
    )
    assert warnings_of(ClassOptions(classes=str(classes))) == []
