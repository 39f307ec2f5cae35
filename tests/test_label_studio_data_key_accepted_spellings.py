"""`--ls-data-key KEY`: the keys the rule lets through. Only ASCII letters, digits and '_' make a
key Label Studio reads whole as `$KEY`, `__proto__` alone is a name its labelling screen skips,
and only keys starting with `zsl_` exactly (as the readers look a task's record up) are zsl's
own: a key that merely looks like one of those is a key like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.label_studio import LabelStudioOptions, check_label_studio_options


def check(key: str) -> None:
    check_label_studio_options(LabelStudioOptions(document_root=Path("root"), data_key=key))


@pytest.mark.parametrize(
    "key",
    [
        "img",
        "_",
        "Image_2",
        "9",
        # Not zsl's own: its keys start with "zsl_" exactly.
        "zsl",
        "zslimage",
        "ZSL_path",
        "Zsl_label",
        "my_zsl_path",
        # Not the one name the labelling screen skips.
        "__proto",
        "proto__",
        "__proto__x",
    ],
)
def test_a_key_of_ascii_letters_digits_and_underscores_is_taken(key: str) -> None:
    check(key)


REFUSED = ["img\n", "img ", " img", "img.url", "img]", "img{0}", "ímg", "img\u0661"]


@pytest.mark.parametrize("key", REFUSED)
def test_a_key_with_any_other_character_anywhere_is_refused(key: str) -> None:
    with pytest.raises(ZslError, match=r"^--ls-data-key .*: Label Studio reads an Image tag's"):
        check(key)


@pytest.mark.parametrize("key", ["zsl_", "zsl_path", "zsl_anything"])
def test_a_key_starting_with_zsl_and_an_underscore_is_zsls_own(key: str) -> None:
    with pytest.raises(ZslError, match=r"the tasks' zsl_\* keys hold zsl's own record"):
        check(key)
