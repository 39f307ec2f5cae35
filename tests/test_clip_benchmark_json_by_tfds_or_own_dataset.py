"""CLIP_benchmark's JSON kept by dataset is told as such where its datasets are named with the
`tfds/` prefix its dataset names take (`tfds/cifar10`), and CuPL's prompts by dataset where
the one dataset is one's own (`{"mine": {"tench": [...], "goldfish": [...]}}`): read as
descriptions, each dataset was a class described by its class names; told only that the file is
JSON of no known kind, the prompts were not pointed to the dataset's object they are."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes, parse_descriptions
from zsl_cli.errors import ZslError

TFDS_NAMES = '{"tfds/cifar10": ["airplane", "automobile"], "tfds/mnist": ["0", "1"]}\n'
OWN_PROMPTS = '{"mine": {"tench": ["A tench is a fish."], "goldfish": ["A goldfish is orange."]}}\n'


@pytest.mark.parametrize("parse", [parse_classes, parse_descriptions])
def test_class_names_by_tfds_dataset_are_told_as_lists_by_dataset(parse):
    with pytest.raises(ZslError) as error:
        parse(TFDS_NAMES, "c.json")
    message = str(error.value)
    assert message.startswith("c.json maps dataset names to class lists (CLIP_benchmark's")
    assert "`jq -r '.[\"tfds/cifar10\"][]' c.json > classes.txt`" in message


@pytest.mark.parametrize("parse", [parse_classes, parse_descriptions])
def test_cupl_prompts_of_one_s_own_dataset_are_told_as_descriptions_by_dataset(parse):
    with pytest.raises(ZslError) as error:
        parse(OWN_PROMPTS, "p.json")
    message = str(error.value)
    assert message.startswith("p.json holds descriptions by dataset (CLIP_benchmark's CuPL")
    assert "`jq '.mine' p.json > d.json`" in message


def test_one_class_s_prompts_under_one_s_own_dataset_are_no_descriptions_by_dataset():
    # One class's prompts a level too deep, not a dataset's: not pointed to its object.
    with pytest.raises(ZslError) as error:
        parse_descriptions('{"mine": {"tench": ["A tench is a fish."]}}\n', "p.json")
    assert "by dataset" not in str(error.value)
