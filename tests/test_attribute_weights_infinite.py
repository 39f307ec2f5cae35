"""An attribute weight that is infinite (`inf`, `-Infinity`, or a number too large for a
float, `1e999`) is refused naming its cell, as NaN is: read as a weight, it made every weight of
its row NaN (inf / inf) and the class's score meaningless, without a word."""

from __future__ import annotations

import warnings

import pytest

from zsl_cli.classes import parse_attributes
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "-Infinity", "1e999", " INF "])
def test_an_infinite_weight_is_refused_naming_its_cell(cell: str) -> None:
    with pytest.raises(ZslError) as error:
        parse_attributes(f"class,red,round\nx,1,0\ny,0.5,{cell}\n", "a.csv")
    assert error.value.message == (
        f"a.csv:3: column 3 ('round'): {cell.strip()!r} is not a finite number"
    )


def test_large_finite_weights_are_read() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a row's length overflowing is no numpy warning
        spec = parse_attributes("class,red,round\nx,1e300,1e-300\ny,0,-1e308\n", "a.csv")
    assert spec.attributes is not None
    assert spec.attributes.weights.tolist() == [[1e300, 1e-300], [0.0, -1e308]]
