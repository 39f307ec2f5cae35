"""A top-k given as a bool is refused, as a threshold given as one is: True is 1 to Python, and
taken as a top-k it would keep one class where a caller meant something else, False would keep
every class."""

from __future__ import annotations

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.scoring import Decision, is_whole_number


@pytest.mark.parametrize("top_k", [True, False, np.bool_(True)], ids=repr)
def test_a_top_k_given_as_a_bool_is_refused(top_k: object) -> None:
    with pytest.raises(ZslError, match="give 0 \\(every class\\) or more"):
        Decision(top_k=top_k)  # type: ignore[arg-type]


def test_whole_numbers_are_ints_and_numpy_integers_only() -> None:
    assert is_whole_number(3) and is_whole_number(np.int32(0)) and is_whole_number(np.uint8(2))
    assert not is_whole_number(True)
    assert not is_whole_number(3.0)
    assert not is_whole_number("3")
