"""A Hangul filler (U+115F, U+1160) at either end of a class's own prompt, a descriptor, an
attribute phrase or a template file's line is kept there and warned of, as one inside them is:
it was stripped like white space, where a class name with one at its end is refused. Other
invisible characters at the ends (a byte-order mark, a zero-width space) are still stripped."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from zsl_cli.classes import parse_attributes, parse_classes, parse_descriptions
from zsl_cli.cli import app
from zsl_cli.prompts import invisible_character_warnings, resolve_templates

FILLERS = ["\u115f", "\u1160"]


def filler_id(filler: str) -> str:
    return f"U+{ord(filler):04X}"


@pytest.mark.parametrize("filler", FILLERS, ids=filler_id)
def test_a_filler_at_an_own_prompt_s_ends_is_kept_and_warned_of(filler):
    spec = parse_classes(f"star: {filler}a star{filler} ; a {{}}\u200b\ncircle\n", "c.txt")
    assert spec.classes[0].prompts == (f"{filler}a star{filler}", "a {}")
    (warning,) = invisible_character_warnings(spec, resolve_templates("default"))
    assert warning.startswith(
        f"1 prompt text holds a character that prints as nothing: '\\u{ord(filler):04x}a star"
    )
    assert f"U+{ord(filler):04X} HANGUL" in warning


@pytest.mark.parametrize("filler", FILLERS, ids=filler_id)
def test_a_filler_at_a_descriptor_s_phrase_s_or_template_s_ends_is_kept(filler, tmp_path):
    described = parse_descriptions(json.dumps({"star": [f"five points{filler}"]}), "d.json")
    assert described.classes[0].descriptors == (f"five points{filler}",)
    table = parse_attributes(f"class,red\n#phrase,{filler}red\nstar,1\n", "a.csv")
    assert table.attributes is not None and table.attributes.phrases == (f"{filler}red",)
    # An attribute's name is its prompt's text where no #phrase row is.
    named = parse_attributes(f"class,round{filler}\nstar,1\n", "a.csv")
    assert named.attributes is not None and named.attributes.phrases == (f"round{filler}",)
    templates = tmp_path / "t.txt"
    templates.write_text(f"a photo of a {{}}.{filler}\n", encoding="utf-8")
    assert resolve_templates(str(templates)).templates == (f"a photo of a {{}}.{filler}",)


def test_label_shows_the_filler_and_warns_of_it(tmp_path):
    classes = tmp_path / "c.txt"
    classes.write_text("star: \u115fa star\u1160\ncircle\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "-c", str(classes), "--show-prompts"])
    assert result.exit_code == 0, result.stderr
    assert "star,1,\u115fa star\u1160\n" in result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: 1 prompt text holds a character that prints as nothing")
