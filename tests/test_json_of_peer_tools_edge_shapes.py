"""The edges of telling other tools' JSON files apart where a class list or descriptions file
belongs: a one-key class list of two names, descriptors mixing strings and lists, CuPL prompts
of several datasets (and of a dataset of one's own beside them), the rewrite's file name where
the source is a `d.json` named with its folder, and which single-string objects are an
autodistill ontology (a class in its prompt as whole words, whatever its case and spaces, or a
class named twice) and which are not (an id map, a descriptor inside a word, an empty one)."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes, parse_descriptions
from zsl_cli.errors import ZslError
from zsl_cli.wrong_file_kinds import by_dataset_problem

CLASS_LIST = "a class list (one class name per line)"
DESCRIPTIONS = "a descriptions file"
CUPL_ENTRY = '{"tench": ["A tench is a fish."], "goldfish": ["A goldfish is orange."]}'


def class_list_refusal(text: str, source: str = "c.json") -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, source)
    return str(error.value)


def descriptions_refusal(text: str, source: str = "d.json") -> str:
    with pytest.raises(ZslError) as error:
        parse_descriptions(text, source)
    return str(error.value)


def test_a_one_key_list_of_two_names_is_a_class_list_by_dataset():
    message = class_list_refusal('{"mine": ["cat", "dog"]}\n', "cc.json")
    assert message.startswith("cc.json maps one name to a list of names")
    assert "`jq -r '.mine[]' cc.json > classes.txt`" in message


def test_descriptors_mixing_strings_and_lists_are_no_ontology():
    message = class_list_refusal('{"cat": "whiskers", "dog": ["a wagging tail"]}\n')
    assert message == "c.json looks like a descriptions JSON file: pass it as --descriptions"


def test_cupl_prompts_of_several_benchmark_datasets_are_told():
    text = f'{{"imagenet1k": {CUPL_ENTRY}, "cifar10": {CUPL_ENTRY}}}\n'
    message = descriptions_refusal(text, "cupl.json")
    assert message.startswith("cupl.json holds descriptions by dataset (CLIP_benchmark's CuPL")
    assert "`jq '.imagenet1k' cupl.json > d.json`" in message


def test_cupl_prompts_keyed_by_webdataset_names_in_capitals_are_told():
    # CLIP_benchmark's dataset names as its --dataset takes them: `wds/` prefixed, any case.
    text = f'{{"wds/ImageNet1k": {CUPL_ENTRY}, "wds/vtab/CIFAR10": {CUPL_ENTRY}}}\n'
    message = descriptions_refusal(text, "cupl.json")
    assert message.startswith("cupl.json holds descriptions by dataset (CLIP_benchmark's CuPL")
    assert """`jq '.["wds/ImageNet1k"]' cupl.json > d.json`""" in message


def test_prompts_by_a_benchmark_dataset_and_ones_own_are_not_called_cupl():
    text = f'{{"imagenet1k": {CUPL_ENTRY}, "my_fish": {CUPL_ENTRY}}}\n'
    assert "CuPL" not in descriptions_refusal(text)


@pytest.mark.parametrize("source", ["./d.json", "/data/d.json"])
def test_cupl_rewrite_of_a_d_json_named_with_its_folder_is_not_written_over_it(source):
    message = descriptions_refusal(f'{{"imagenet1k": {CUPL_ENTRY}}}\n', source)
    assert f"`jq '.imagenet1k' {source} > descriptions.json`" in message


@pytest.mark.parametrize(
    "text",
    [
        # capitals in the class
        '{"a photo of a Person": "Person", "a Person walking": "Person", "a car": "car"}\n',
        # a space after it
        '{"a photo of a person": "person ", "a person walking": "person ", "a car": "car"}\n',
    ],
    ids=["case", "space"],
)
def test_an_ontology_whose_prompts_hold_their_classes_is_told(text):
    message = class_list_refusal(text, "o.json")
    assert message.startswith("o.json maps prompts to classes (an autodistill ontology?)")


def test_an_ontology_given_as_a_class_list_is_not_told_to_list_descriptors():
    message = class_list_refusal('{"a round thing": "ball", "a sphere": "ball"}\n', "o.json")
    assert message.startswith("o.json maps prompts to classes")
    assert "descriptors go in lists" not in message


def test_single_string_descriptors_are_no_ontology_where_one_prompt_lacks_its_class():
    # One prompt holding its class is not enough: the descriptions are read.
    text = '{"a photo of a cat": "cat", "a dog": "puppy"}\n'
    spec = parse_descriptions(text, "d.json")
    assert spec.names == ["a photo of a cat", "a dog"]


def test_single_string_descriptors_inside_a_class_s_word_are_no_ontology():
    spec = parse_descriptions('{"sunflower": "sun", "firetruck": "fire"}\n', "d.json")
    assert spec.names == ["sunflower", "firetruck"]


@pytest.mark.parametrize(
    "pairs",
    [
        (("0", "cat"), ("1", "cat")),  # a model's id2label naming a class twice
        (("a dog.", ""), ("a cat", "cat")),  # an empty descriptor
    ],
    ids=["id-map", "empty"],
)
def test_objects_of_other_kinds_are_no_ontology(pairs):
    assert by_dataset_problem(pairs, "o.json", CLASS_LIST) is None
    assert by_dataset_problem(pairs, "o.json", DESCRIPTIONS) is None
