"""Class lists of the standard benchmarks, as they are written: what they are warned of stays
what it was (the folder-listing, Windows path and code fence checks find nothing in them), and
lists of plain names are warned of nothing at all."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes

# CIFAR-100's fine labels, as its meta file names them.
CIFAR100 = [
    "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle",
    "bottle", "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar",
    "cattle", "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile",
    "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster",
    "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster",
    "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange",
    "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy",
    "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal",
    "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider", "squirrel", "streetcar",
    "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
    "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman",
    "worm"
]  # fmt: skip

# ImageNet-1k's names as its synset mapping gives them: synonyms after commas, capitals,
# hyphens and apostrophes.
IMAGENET = [
    "tench, Tinca tinca",
    "goldfish, Carassius auratus",
    "great white shark, white shark, man-eater, man-eating shark, Carcharodon carcharias",
    "cock",
    "hen",
    "ostrich, Struthio camelus",
    "basset, basset hound",
    "jack-o'-lantern",
    "hand-held computer, hand-held microcomputer",
    "CD player",
    "jersey, T-shirt, tee shirt",
    "potter's wheel",
    "Granny Smith",
    "pop bottle, soda bottle",
    "ant, emmet, pismire",
    "car wheel",
    "wok",
]

PLACES365 = [
    "/a/abbey",
    "/a/airplane_cabin",
    "/a/apartment_building/outdoor",
    "/b/bakery/shop",
    "/c/church/indoor",
    "/c/church/outdoor",
    "/y/youth_hostel",
]

CUB = [
    "001.Black_footed_Albatross",
    "002.Laysan_Albatross",
    "003.Sooty_Albatross",
    "004.Groove_billed_Ani",
    "200.Common_Yellowthroat",
]


def warnings_of(names: list[str]) -> tuple[str, ...]:
    return parse_classes("\n".join(names) + "\n", "c.txt").warnings


@pytest.mark.parametrize(
    "names",
    [[name.replace("_", " ") for name in CIFAR100], IMAGENET],
    ids=["cifar100-spaced", "imagenet"],
)
def test_plain_benchmark_class_lists_are_warned_of_nothing(names):
    assert warnings_of(names) == ()


@pytest.mark.parametrize(
    ("names", "warned"),
    [
        (CIFAR100, "class names join their words with '_', such as 'aquarium_fish'"),
        (PLACES365, "every class name is a path, such as '/a/abbey' (a dataset's folders"),
        (CUB, "every class name holds a class id, such as '001.Black_footed_Albatross'"),
    ],
    ids=["cifar100", "places365", "cub"],
)
def test_benchmark_folder_names_keep_their_one_warning(names, warned):
    [warning] = warnings_of(names)
    assert warned in warning
    assert "find's own folder" not in warning and "dir /s" not in warning
