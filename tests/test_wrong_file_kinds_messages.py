"""Files of another kind given as a class list, a descriptions file or an attribute table: each
refused with the one message that names what it is, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.errors import ZslError
from zsl_cli.wrong_file_kinds import (
    by_dataset_problem,
    check_not_another_class_file,
    id_map_example,
    list_in_code,
    not_json_hint,
    refuse_image_names,
    refuse_python_id_map,
    tab_table_hint,
    table_rows,
)

WRITE_NAMES = "write one class name per line, without quotes"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("['cat', 'dog']\n", f"c.txt is a Python list of names: {WRITE_NAMES}"),
        ('classes = ["cat", "dog"]\n', f"c.txt is a Python list of names: {WRITE_NAMES}"),
        ('("cat", "dog")\n', f"c.txt is Python code, a tuple of names: {WRITE_NAMES}"),
        (
            '"cat", "dog",\n"bird", "fish"\n',
            f"c.txt is Python code, the items of a list of names: {WRITE_NAMES}",
        ),
        (
            '["cat", "dog"]\n',
            f"c.txt is a JSON list of names: {WRITE_NAMES}, such as with "
            "`jq -r '.[]' c.txt > classes.txt`",
        ),
    ],
)
def test_a_list_of_names_in_code_is_named_by_its_language(text: str, message: str) -> None:
    # Only JSON is what jq reads: the hint is not given for Python's lists.
    with pytest.raises(ZslError) as refused:
        check_not_another_class_file(text, "c.txt")
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("1\tantelope\n", 2),
        ("\t1\tantelope\n", 3),
        ("1\tantelope\t\n", 2),
        ("7\t\tzebra \t\r\n", 3),
    ],
)
def test_the_cut_hint_names_the_column_the_names_are_in(
    tmp_path: Path, line: str, column: int
) -> None:
    # A trailing tab (a spreadsheet's empty last column) is no column of names: `cut -f3` of
    # `1<tab>antelope<tab>` gives empty lines.
    classes = tmp_path / "classes.txt"
    classes.write_bytes(line.encode())
    result = run("label", "-c", classes, "--show-prompts")
    assert result.exit_code == 2
    assert f"such as with `cut -f{column} {classes}`)" in result.stderr
    named = line.rstrip("\r\n").split("\t")[column - 1]
    assert named.strip() in ("antelope", "zebra")


def test_templates_by_language_are_named_so_with_three_letter_codes() -> None:
    # Babel-ImageNet's keys: ISO 639 codes, `ACE` as well as `DE`.
    problem = by_dataset_problem((("ACE", ["a {}."]), ("DE", ["ein {}."])), "d.json", "x")
    assert problem == (
        "d.json holds templates by dataset or language (as CLIP_benchmark's), not x: give one "
        "list's templates to --templates, one per line, with {} for the class name"
    )


def test_prompt_templates_by_class_say_how_their_braces_change() -> None:
    problem = by_dataset_problem((("cat", ["a {c}."]), ("dog", ["a {}."])), "d.json", "x")
    assert problem is not None
    assert problem.startswith(
        "d.json holds prompt templates by class, not x: a class file gives a class its own "
        "prompts in `name: prompt; prompt` lines, {} standing for the name ({c} as {}), such as "
    )
    plain = by_dataset_problem((("cat", ["a {}."]), ("dog", ["a {}."])), "d.json", "x")
    assert plain is not None and "the name, such as" in plain


def test_a_dataset_key_that_is_no_jq_identifier_is_quoted_in_the_jq_line() -> None:
    problem = by_dataset_problem((("imagenet-a", ["cat"]), ("cifar10", ["dog"])), "d.json", "x")
    assert problem == (
        "d.json maps dataset names to class lists (CLIP_benchmark's en_classnames.json?), not "
        "x: write one dataset's class names one per line, such as with "
        "`jq -r '.[\"imagenet-a\"][]' d.json > classes.txt`"
    )


@pytest.mark.parametrize(
    "pairs",
    [
        (("cars", ["a"]), ("pets", ["b"])),  # classes named so, described by words
        (("cifar10", ["a"]), ("mnist", 1)),  # not every value a list of names
    ],
)
def test_objects_that_only_resemble_lists_by_dataset_are_not_named_so(pairs) -> None:
    assert by_dataset_problem(pairs, "d.json", "x") is None


@pytest.mark.parametrize(
    ("pairs", "example"),
    [
        ((("0", "tench"), ("1", "goldfish")), ("0", "tench")),
        ((("0", ["n01440764", "tench"]), ("1", ["n01443537", "goldfish"])), ("0", "tench")),
        ((("0", ["x01440764", "tench"]),), None),  # no WordNet id
        ((("\u0663", "tench"),), None),  # an Arabic-Indic 3 is no class id in a JSON file
        ((("0", ["n01440764", "tench", "x"]),), None),
    ],
)
def test_an_id_map_is_told_by_its_first_id_and_name(pairs, example) -> None:
    assert id_map_example(pairs) == example


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('"cat"\n', ""),  # JSON, a string: json's own error says what is wrong
        (
            "red circle:\n  - red\n",
            'not JSON (YAML? write it as JSON: {"class": ["descriptor", ...], ...})',
        ),
        (
            "cat: furry ears; whiskers\n",
            "not JSON (a class file of 'class: prompt; prompt' lines? pass it as --classes, where "
            'each prompt is read whole; for descriptors, write it as JSON: {"class": '
            '["descriptor", ...], ...})',
        ),
        ("https://example.org/cat\n", "not JSON (a class list? pass it as --classes)"),
        ("C:\\photos\\cat\n", "not JSON (a class list? pass it as --classes)"),
        ("class,red\nx,1\n", "not JSON (an attribute table? pass it as --attributes)"),
        ("cat\ndog\n", "not JSON (a class list? pass it as --classes)"),
    ],
)
def test_a_descriptions_file_that_is_not_json_is_named_by_what_it_is(text, hint) -> None:
    assert not_json_hint(text) == hint


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("1\tantelope", "a numbered list of names"),
        ("1\t2", "a tab-separated table? keep its class column only"),
        ("cat\ta cat", "a tab-separated table? keep its class column only"),
    ],
)
def test_only_a_number_then_a_name_reads_as_a_numbered_list(name: str, hint: str) -> None:
    assert tab_table_hint(name, name + "\n", "c.txt").startswith(hint)


LIST_OF_IMAGES = (
    "is an image's file name, as every line is (a list of images to label? give them as paths to "
    "'zsl label', or a list of them on its stdin, '-'): a class file has one class name per line"
)
TRUTH_TABLE = (
    "(a ground-truth table? give it to 'zsl evaluate --truth'): a class file has one class name "
    "per line"
)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["a.jpg", "b.png"], f"c.txt:1: 'a.jpg' {LIST_OF_IMAGES}"),
        (["A.JPG", "photos/B.Png"], f"c.txt:1: 'A.JPG' {LIST_OF_IMAGES}"),
        (
            ["a.jpg,cat", "b.png;dog"],
            "c.txt:1: 'a.jpg,cat' starts with an image's file name, as every line does "
            + TRUTH_TABLE,
        ),
        (
            ["path,label", "a.jpg,cat", "b.png,dog"],
            "c.txt:2: 'a.jpg,cat' starts with an image's file name, as every line below the first "
            f"does {TRUTH_TABLE}",
        ),
    ],
)
def test_lists_and_tables_of_images_are_refused_as_class_lists(names, message) -> None:
    places = [f"c.txt:{number}" for number in range(1, len(names) + 1)]
    with pytest.raises(ZslError) as refused:
        refuse_image_names(names, places)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("names", "start"),
    [
        (["x 1 0 1", "y 0 1 1"], 0),
        (["class red round big", "x 1 0 1", "y 0 1 1"], 1),
        (["class red", "x 1 0 1", "y 0 1 1"], None),  # a header of fewer words than numbers
        (["x 1 0", "y 0 1"], None),  # two numbers: names such as `Windows 10 11`
        (["x 1 0 1", "y 0 1"], None),
        (["x 1 nan 1", "y 0 1 1"], None),  # nan and inf are no table's cells
        (["x 1_0 2 3", "y 1 2 3"], None),  # 1_0 is no number (float() takes it)
        (["x 1 1_0 3", "y 1 2 3"], None),
    ],
)
def test_a_table_is_rows_ending_in_as_many_numbers(names, start) -> None:
    assert table_rows(names) == start


@pytest.mark.parametrize("text", ["names = []\n", "names = ()\n"])
def test_an_empty_list_alone_is_no_list_of_names(text: str) -> None:
    assert list_in_code(text) is None


def test_an_empty_list_with_code_after_it_is_code() -> None:
    # `other = 1` as a class beside `names = ()`: the file is code, whatever its list holds.
    assert list_in_code("names = ()\nother = 1\n") == "Python code, a tuple"


def test_a_json_object_with_a_value_no_descriptor_is_no_descriptions_file() -> None:
    with pytest.raises(ZslError) as refused:
        check_not_another_class_file('{"cat": ["fur"], "count": 1}\n', "c.txt")
    assert str(refused.value) == (
        "c.txt is JSON, but neither a class list (one class name per line) nor a descriptions file"
    )


def test_an_id2label_keyed_by_words_is_no_models_config() -> None:
    # The jq line sorts by `.key | tonumber`, which stops at a key that is no number.
    with pytest.raises(ZslError) as refused:
        check_not_another_class_file('{"id2label": {"x": "cat", "y": "dog"}}\n', "config.json")
    assert str(refused.value) == (
        "config.json is JSON, but neither a class list (one class name per line) nor a "
        "descriptions file"
    )


def test_an_empty_json_list_is_an_array_not_a_list_of_named_objects() -> None:
    with pytest.raises(ZslError) as refused:
        check_not_another_class_file("[]\n", "c.txt")
    assert (
        str(refused.value)
        == "c.txt is a JSON array, not a class list: write one class name per line"
    )


def test_only_a_dict_keyed_by_python_ints_is_a_python_id_map() -> None:
    with pytest.raises(ZslError) as refused:
        refuse_python_id_map("{0: 'tench', 1: 'goldfish'}\n", "d.json")
    assert str(refused.value) == (
        "d.json is a Python dict mapping class ids to names, not a descriptions file (JSON): for "
        "a class list, write the names one per line"
    )
    # JSON's keys are strings: a JSON id map is another message's, from another check.
    refuse_python_id_map('{"0": "tench", "1": "goldfish"}\n', "d.json")
