"""Class lists, attribute tables and descriptions: details of their reading, each with the
exact result a user sees (boundaries, counts, line numbers, which characters are invisible)."""

import json
from pathlib import Path

import pytest

from zsl_cli.classes import (
    class_names_spec,
    load_class_spec,
    names_the_class,
    parse_attributes,
    parse_classes,
    parse_descriptions,
    whole_prompt_warnings,
)
from zsl_cli.errors import ZslError
from zsl_cli.text_files import escaped_byte, plain_emoji

# Written out by code point, not taken from text_files: the characters that print as nothing.
_INVISIBLE = [
    "\ufeff",  # byte-order mark
    "\u200b",  # zero-width space
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\u061c",  # Arabic letter mark
    "\u180e",  # Mongolian vowel separator
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u2061",  # function application
    "\u2062",  # invisible times
    "\u2063",  # invisible separator
    "\u2064",  # invisible plus
    "\u202a",  # bidi embeddings, overrides and isolates
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
]


@pytest.mark.parametrize("mark", _INVISIBLE, ids=lambda mark: f"U+{ord(mark):04X}")
def test_every_invisible_character_is_stripped_at_the_ends_and_refused_inside(mark: str):
    spec = parse_classes(f"{mark}cat{mark}\ndog: a photo of a {{}}{mark}\n", "c.txt")
    assert spec.names == ["cat", "dog"]
    assert spec.classes[1].prompts == ("a photo of a {}",)
    with pytest.raises(ZslError) as error:
        parse_classes(f"ca{mark}t\n", "c.txt")
    message = str(error.value)
    assert message.startswith("c.txt:1: class name ")
    assert f" contains {mark!r}, which is not allowed" in message


def test_zero_width_joiners_stay_in_a_name():
    # Persian and emoji need them: not invisible noise.
    names = ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001f469\u200d\U0001f52c"]
    assert parse_classes("\n".join(names) + "\n").names == names


def test_a_class_file_in_a_path_through_a_file_is_not_found(tmp_path: Path):
    (tmp_path / "c.txt").write_text("cat\n")
    inside = tmp_path / "c.txt" / "x"
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=inside)
    assert str(error.value) == f"class file not found: {inside}"


def test_a_byte_that_is_not_utf8_is_told_by_its_value():
    assert escaped_byte(b"caf\xe9 au lait".decode("utf-8", "surrogateescape")) == 0xE9
    assert escaped_byte(b"\x80".decode("utf-8", "surrogateescape")) == 0x80
    assert escaped_byte("café") is None


def test_an_emoji_with_and_without_its_picture_selector_is_one_key():
    assert plain_emoji("\u2764\ufe0f") == "\u2764"
    assert plain_emoji("\u2764\ufe0e cafe\u0301") == "\u2764 caf\u00e9"


def test_two_repeated_classes_are_both_named():
    with pytest.raises(ZslError) as error:
        parse_classes("cat\ndog\ncat\ndog\nowl\n", "c.txt")
    assert str(error.value) == (
        "c.txt:3: duplicate class 'cat' (first at c.txt:1); 1 more repeated: 'dog' at c.txt:4"
    )


def test_one_name_holding_braces_among_others_is_a_class():
    # Only a file whose every name holds {} is a template file given as the class list.
    assert parse_classes("cat\nbraces {}\n").names == ["cat", "braces {}"]


def test_a_two_letter_class_may_have_a_prompt_starting_with_a_slash():
    # Only a one-letter name before ':/' is a Windows drive.
    spec = parse_classes("ox:/ox\nC:/data/cat\n")
    assert [(c.name, c.prompts) for c in spec.classes] == [("ox", ("/ox",)), ("C:/data/cat", ())]


def test_a_prompt_shared_by_both_prompted_classes_is_warned_of():
    spec = parse_classes(
        "circle: a photo of a {}; taken at night\nsquare: a photo of a {}; taken at night\n",
        "c.txt",
    )
    assert len(spec.warnings) == 1
    assert spec.warnings[0].startswith(
        "c.txt:1: prompt 'taken at night' is a prompt of every class that has prompts of its "
        "own (2 classes)"
    )


def test_counts_that_repeat_a_number_are_no_class_ids():
    assert parse_classes("1 cat\n1 dog\n2 bird\n", "c.txt").warnings == ()
    assert "holds a class id" in parse_classes("0 cat\n1 dog\n2 bird\n", "c.txt").warnings[0]


def test_an_acronym_that_starts_with_a_vowel_sound_takes_an():
    (warning,) = parse_classes("SUV_car\nUFO_toy\n", "c.txt").warnings
    assert warning.endswith("give each its prompts: `SUV_car: a photo of an SUV car.`")


def test_an_attribute_header_of_one_column_is_refused_as_a_header():
    with pytest.raises(ZslError) as error:
        parse_attributes("class\nx\n", "a.csv")
    assert str(error.value).startswith("a.csv:1: header must be `class,<attr1>,<attr2>,...`")


def test_a_table_with_an_excel_separator_line_names_the_lines_of_the_file():
    with pytest.raises(ZslError) as error:
        parse_attributes("sep=;\nclass;red\nx;abc\n", "a.csv")
    assert str(error.value) == "a.csv:3: column 2 ('red'): 'abc' is not a number"


def test_whether_a_description_template_names_the_class():
    assert names_the_class("{1}") is False
    assert names_the_class("{0}") is True
    assert names_the_class("{0}, which has {1}") is True


def _described(named: int, other: int):
    descriptors = [f"a cat {i}" for i in range(named)] + [f"fur {i}" for i in range(other)]
    return parse_descriptions(json.dumps({"cat": descriptors}), "d.json")


def test_whole_prompt_descriptors_are_warned_of_from_nine_in_ten():
    (warning,) = whole_prompt_warnings(_described(9, 1))
    assert warning.startswith("d.json: 9 of 10 descriptors name their class")
    assert whole_prompt_warnings(_described(8, 2)) == ()


def test_the_fingerprint_tells_descriptors_apart():
    fur = parse_descriptions(json.dumps({"cat": ["fur"]}))
    claws = parse_descriptions(json.dumps({"cat": ["claws"]}))
    assert fur.fingerprint() != claws.fingerprint()
    assert fur.fingerprint() == parse_descriptions(json.dumps({"cat": ["fur"]})).fingerprint()


def test_the_spec_keeps_the_class_file_path_as_given(tmp_path: Path):
    # Messages escape it; the run info records the path itself.
    path = tmp_path / "c\x1bx.txt"
    path.write_text("cat\n")
    assert load_class_spec(classes=path).sources == (str(path),)


def test_an_attribute_table_with_descriptions_is_refused(tmp_path: Path):
    attributes, descriptions = tmp_path / "a.csv", tmp_path / "d.json"
    attributes.write_text("class,red\ncat,1\n")
    descriptions.write_text('{"cat": ["fur"]}')
    with pytest.raises(ZslError) as error:
        load_class_spec(attributes=attributes, descriptions=descriptions)
    assert str(error.value) == (
        "--attributes defines the classes by itself; do not combine it with --classes or "
        "--descriptions"
    )


@pytest.mark.parametrize("name", [" cat", "cat\u200b"])
def test_a_name_given_in_code_is_not_stripped_but_refused(name: str):
    with pytest.raises(ZslError) as error:
        class_names_spec(["dog", name])
    assert str(error.value) == (
        f"<names>[1]: class name {name!r} starts or ends with white space or an invisible character"
    )


def test_only_a_second_object_is_named_as_one_object_per_line():
    with pytest.raises(ZslError) as error:
        parse_descriptions('{"cat": ["fur"]}\n]\n', "d.json")
    assert str(error.value) == "d.json:2: column 1: invalid JSON (Extra data)"
    with pytest.raises(ZslError) as error:
        parse_descriptions('{"cat": ["fur"]}\n{"dog": ["bark"]}\n', "d.json")
    assert str(error.value).endswith(
        "(Extra data: one JSON object for every class, not one per line)"
    )


def test_a_row_with_more_weights_than_the_header_is_not_told_of_empty_cells():
    with pytest.raises(ZslError) as error:
        parse_attributes("class,red\nx,1,2\n", "a.csv")
    assert str(error.value) == "a.csv:2: row has 3 cells, header has 2"
    with pytest.raises(ZslError) as error:
        parse_attributes("class,red\nx,1,\n", "a.csv")
    assert str(error.value).endswith(
        "(the extra ones empty: a ',' too many at the end of the row?)"
    )


def test_an_empty_descriptions_object_is_refused_as_no_classes():
    with pytest.raises(ZslError) as error:
        parse_descriptions("{}\n", "d.json")
    assert str(error.value) == 'd.json: expected a JSON object {"class": ["descriptor", ...], ...}'
