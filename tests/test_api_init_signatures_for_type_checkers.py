"""The __init__ signatures api declares for type checkers alone (where a request takes wider
types than it keeps) list the dataclass's fields, in order, with the same defaults: a field added
without them would be refused by a type checker, or a default told wrongly."""

from __future__ import annotations

import ast
import dataclasses
import inspect

import pytest

from zsl_cli import api


def declared_init(cls: type) -> ast.FunctionDef:
    source = ast.parse(inspect.getsource(cls))
    (found,) = [
        node
        for node in ast.walk(source)
        if isinstance(node, ast.FunctionDef) and node.name == "__init__"
    ]
    return found


@pytest.mark.parametrize("cls", [api.InputOptions, api.EvaluateRequest])
def test_the_declared_init_lists_the_fields_with_their_defaults(cls: type) -> None:
    init = declared_init(cls)
    names = [argument.arg for argument in init.args.args[1:]]
    fields = dataclasses.fields(cls)
    assert names == [field.name for field in fields]
    defaults = [ast.literal_eval(default) for default in init.args.defaults]
    with_defaults = [field.default for field in fields if field.default is not dataclasses.MISSING]
    assert defaults == with_defaults
