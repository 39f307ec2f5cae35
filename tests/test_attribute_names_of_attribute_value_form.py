"""Attribute names written as CUB's `attribute::value` (`color::blue`) reach the prompts so
("a photo of something color::blue."): they are warned of as names joined with `_` are, with
the #phrase row that fixes them. A #phrase row's own phrases so joined are warned of too, and
the fix offered is to write them apart, not a #phrase row they are already in."""

from __future__ import annotations

from typer.testing import CliRunner

from zsl_cli.classes import parse_attributes
from zsl_cli.cli import app


def test_attribute_value_names_without_underscores_are_warned_of() -> None:
    spec = parse_attributes("class,color::blue,color::red,shape::round\ncat,1,0,1\n", "a.csv")
    assert spec.attributes is not None
    assert spec.attributes.phrases == ("color::blue", "color::red", "shape::round")
    [warning] = spec.warnings
    assert warning == (
        "a.csv: 3 attribute names join their words with '::' (CUB's attribute::value names?), "
        "such as 'color::blue', 'color::red': the prompts hold them so; give them phrases in a "
        "#phrase row under the header (`#phrase,color: blue,...`)"
    )


def test_cubs_names_name_both_joiners() -> None:
    text = (
        "class,has_bill_shape::curved_(up_or_down),has_bill_shape::dagger,"
        "has_wing_color::blue\n001.Black_footed_Albatross,0.0,0.0,2.6\n"
    )
    [warning] = parse_attributes(text, "cub.csv").warnings
    assert warning.startswith(
        "cub.csv: 3 attribute names join their words with '_' or '::' (CUB's attribute::value "
        "names?), such as 'has_bill_shape::curved_(up_or_down)', 'has_bill_shape::dagger': "
    )
    assert warning.endswith("(`#phrase,has bill shape: curved (up or down),...`)")


def test_one_attribute_value_name_among_spaced_names_is_warned_of() -> None:
    # No phrase says `::`: unlike one `t_shirt`, it is never the words meant.
    [warning] = parse_attributes("class,big dog,color::blue\ncat,1,1\n", "a.csv").warnings
    assert warning.startswith("a.csv: 1 attribute name joins its words with '::' ")
    assert "such as 'color::blue':" in warning


def test_phrases_that_say_the_attributes_in_words_are_not_warned_of() -> None:
    text = "class,color::blue,color::red\n#phrase,blue colour,red colour\ncat,1,0\n"
    assert parse_attributes(text, "a.csv").warnings == ()


def test_joined_phrases_of_a_phrase_row_are_told_to_be_written_apart() -> None:
    text = "class,a,b\n#phrase,has_fur,has_tail\ncat,1,0\ndog,0,1\n"
    [warning] = parse_attributes(text, "p.csv").warnings
    assert warning == (
        "p.csv: 2 phrases of the #phrase row join their words with '_', such as 'has_fur', "
        "'has_tail': the prompts hold them so; write them with spaces (`has fur`)"
    )


def test_show_prompts_warns_of_them_on_stderr(tmp_path) -> None:
    table = tmp_path / "a.csv"
    table.write_text("class,color::blue,color::red\ncat,1,0\ndog,0,1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", "--attributes", str(table), "--show-prompts"])
    assert result.exit_code == 0, result.output
    assert "cat,1,a photo of something color::blue." in result.stdout
    assert "join their words with '::'" in result.stderr
