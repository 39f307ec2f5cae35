"""Edges of telling another kind of file given where a class list belongs: names that only
partly look like images, quoted image names, and the first rows of a table."""

from __future__ import annotations

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.wrong_file_kinds import (
    check_not_another_class_file,
    id_map_example,
    list_in_code,
    not_json_hint,
    refuse_hugging_face_labels,
    refuse_image_names,
    refuse_yaml_list,
    table_rows,
)

LIST_OF_IMAGES = (
    "is an image's file name, as every line is (a list of images to label? give them as paths "
    "to 'zsl label', or a list of them on its stdin, '-'): a class file has one class name per "
    "line"
)


def places_of(names: list[str]) -> list[str]:
    return [f"c.txt:{number}" for number in range(1, len(names) + 1)]


@pytest.mark.parametrize(
    "names",
    [
        # A row below the first that starts with no image: names, not a ground-truth table.
        ["a.jpg,cat", "tabby,dog", "c.png,bird"],
        ["path,label", "a.jpg,cat", "tabby,dog", "c.png,bird"],
    ],
)
def test_a_table_with_a_row_of_no_image_is_left_to_be_names(names: list[str]) -> None:
    refuse_image_names(names, places_of(names))


def test_quoted_image_names_are_images() -> None:
    names = ['"a.jpg"', "'b.png'"]
    with pytest.raises(ZslError) as refused:
        refuse_image_names(names, places_of(names))
    assert str(refused.value) == f"c.txt:1: '\"a.jpg\"' {LIST_OF_IMAGES}"


def test_a_header_of_as_many_words_as_numbers_heads_a_table() -> None:
    # The attributes alone, without a word over the names' column.
    assert table_rows(["red round big", "x 1 0 1", "y 0 1 1"]) == 1


def test_names_with_a_comma_and_a_space_are_no_table_of_descriptions() -> None:
    # As prose writes a name holding a comma: a class list, not rows of two cells.
    text = "tabby, long-haired\nsiamese, short-haired\n"
    assert not_json_hint(text) == "not JSON (a class list? pass it as --classes)"


def test_names_indented_under_another_key_are_no_yolo_data_yaml() -> None:
    text = "dataset:\n  names:\n  - cat\n  - dog\n"
    assert not_json_hint(text) == (
        'not JSON (YAML? write it as JSON: {"class": ["descriptor", ...], ...})'
    )


def test_only_an_eight_digit_wordnet_id_pairs_with_a_name() -> None:
    assert id_map_example([("0", ["n01440764", "tench"])]) == ("0", "tench")
    assert id_map_example([("0", ["n0144", "tench"])]) is None
    assert id_map_example([("0", ["n014407640", "tench"])]) is None


def test_a_label_map_whose_items_start_with_their_display_name_is_told_so() -> None:
    text = 'item {\n  display_name: "person"\n  id: 1\n}\n'
    with pytest.raises(ZslError, match=r"^c\.txt is a label map \(item \{ \.\.\. \}"):
        check_not_another_class_file(text, "c.txt")


def test_a_yaml_key_after_a_byte_order_mark_is_told_to_be_yaml() -> None:
    with pytest.raises(ZslError, match=r"^c\.txt:1: 'names' has ':' but no prompts after it"):
        refuse_yaml_list("\ufeffnames:\n- person\n- car\n", "c.txt")


def test_the_jq_line_for_id2label_orders_the_ids_as_numbers() -> None:
    # As strings, "10" would come before "2".
    config = {"id2label": {"0": "cat", "10": "dog", "2": "bird"}}
    with pytest.raises(ZslError) as refused:
        refuse_hugging_face_labels(config, "config.json", "a class list")
    assert (
        "`jq -r '.id2label | to_entries | sort_by(.key | tonumber) | .[].value' config.json > "
        "classes.txt`"
    ) in str(refused.value)


def test_a_json_list_after_a_byte_order_mark_is_json() -> None:
    # As Windows' Notepad saves it: still JSON, told with its jq line.
    assert list_in_code('\ufeff["cat", "dog"]\n') == "a JSON list"


def test_id2label_keys_with_spaces_around_their_number_are_ids() -> None:
    config = {"id2label": {" 0": "cat", "1 ": "dog"}}
    with pytest.raises(ZslError, match=r"^config\.json is a model's config \(id2label\)"):
        refuse_hugging_face_labels(config, "config.json", "a class list")
