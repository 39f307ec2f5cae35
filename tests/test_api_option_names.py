"""The library's value checks name the CLI option of the field they refuse, as the README says
("Error messages name CLI options"): every field of every options class is given bad values, and
each message must start with that field's option."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import typer.main

from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.scoring import Decision

README = Path(__file__).resolve().parents[1] / "README.md"


def _studio(**fields: object) -> api.OutputOptions:
    studio = api.LabelStudioOptions(**fields)  # type: ignore[arg-type]
    return api.OutputOptions("tasks.json", "label-studio", label_studio=studio)


# How each options class is made with one field changed, and the commands whose options it holds.
MAKERS: dict[type, tuple[Callable[..., object], tuple[str, ...]]] = {
    api.ModelOptions: (api.ModelOptions, ("label", "embed", "hubness")),
    api.InputOptions: (api.InputOptions, ("label", "embed", "hubness")),
    api.ClassOptions: (api.ClassOptions, ("label", "hubness")),
    api.OutputOptions: (api.OutputOptions, ("label",)),
    api.LabelStudioOptions: (_studio, ("label",)),
    Decision: (Decision, ("label",)),
    api.LabelRequest: (api.LabelRequest, ("label",)),
    api.HubnessRequest: (api.HubnessRequest, ("hubness",)),
    api.EvaluateRequest: (
        lambda **field: api.EvaluateRequest(**{"predictions": "p.csv", "truth": "t", **field}),
        ("evaluate",),
    ),
    api.EmbedRequest: (
        lambda **field: api.EmbedRequest(**{"store": "s.zsl", **field}),
        ("embed",),
    ),
}

# The README's exceptions: fields whose option is spelled otherwise than `--` and the field's
# name with `_` read as `-`, with each spelling that may start a message.
SPELLED_OTHERWISE: dict[tuple[type, str], tuple[str, ...]] = {
    (api.ModelOptions, "name"): ("-m", "--model"),
    (api.InputOptions, "extensions"): ("--ext",),
    (api.InputOptions, "nul_separated"): ("-0", "--null"),
    (api.OutputOptions, "path"): ("-o", "--output"),
    (api.HubnessRequest, "k"): ("-k", "--neighbours"),
    (api.HubnessRequest, "json_out"): ("--json",),
    (api.EvaluateRequest, "ks"): ("--top-k",),
    (api.EvaluateRequest, "json_out"): ("--json",),
    (api.EvaluateRequest, "report_out"): ("--report",),
    (api.EmbedRequest, "json_out"): ("--json",),
}

# Fields that are no option (the README names them): their messages name the field itself.
NO_OPTION = {
    (api.ModelOptions, "freeze_after_load"),
    (api.InputOptions, "paths"),
    (api.InputOptions, "stdin"),
    (api.OutputOptions, "stdout"),
    (api.OutputOptions, "label_studio"),
    (api.LabelRequest, "low_confidence"),
    (api.EvaluateRequest, "predictions"),
    (api.EvaluateRequest, "stdin"),
}

# A request's parts (its `inputs`, `model`, ...) are options classes, no option either.
PARTS = tuple(MAKERS)

# Fields that no value refuses as the request is made: checked once the run starts, naming the
# option (`--hubness-reduction x: choose ...`, `--dtype x: choose ...`).
CHECKED_AT_RUN = {(api.LabelRequest, "hubness_reduction"), (api.EmbedRequest, "dtype")}

BAD_VALUES = (
    None,
    0,
    -1,
    2.5,
    np.int64(0),
    float("nan"),
    True,
    "false",
    "",
    "-",
    "folder/",
    "a\0b",
    b"bytes",
    ("a", 1),
    [],
    object(),
)


def _fields() -> list[tuple[type, str]]:
    return [(kind, field.name) for kind in MAKERS for field in dataclasses.fields(kind)]


def _is_part(kind: type, name: str) -> bool:
    default = next(field for field in dataclasses.fields(kind) if field.name == name)
    factory = default.default_factory
    return factory is not dataclasses.MISSING and isinstance(factory(), PARTS)


def _names(kind: type, name: str) -> tuple[str, ...]:
    """What may start a message about this field: its option's spellings, or its own name."""
    if (kind, name) in NO_OPTION or _is_part(kind, name):
        return (name,)
    if kind is api.LabelStudioOptions:
        return ("--ls-" + name.replace("_", "-"),)
    return SPELLED_OTHERWISE.get((kind, name), ("--" + name.replace("_", "-"),))


def _command_options() -> dict[str, set[str]]:
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    return {
        name: {opt for param in command.params for opt in param.opts}
        for name, command in commands.items()
    }


def _readme_paragraph() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("Error messages name CLI options.")
    return text[start : text.index("\n\n", start)]


@pytest.mark.parametrize(("kind", "name"), _fields(), ids=lambda x: getattr(x, "__name__", x))
def test_every_check_names_the_fields_cli_option(kind: type, name: str) -> None:
    make, _ = MAKERS[kind]
    names = _names(kind, name)
    refused = []
    for value in BAD_VALUES:
        try:
            make(**{name: value})
        except ZslError as error:
            refused.append(value)
            starts = re.match("|".join(re.escape(n) + r"[ :\[]" for n in names), error.message)
            assert starts, f"{kind.__name__}({name}={value!r}): {error.message!r} names {names}"
    # Not a walk that refuses nothing: a field that no value refuses is checked elsewhere.
    assert bool(refused) != ((kind, name) in CHECKED_AT_RUN), (kind.__name__, name, refused)


@pytest.mark.parametrize(("kind", "name"), _fields(), ids=lambda x: getattr(x, "__name__", x))
def test_the_named_option_is_the_commands_and_the_readmes(kind: type, name: str) -> None:
    names = _names(kind, name)
    paragraph = _readme_paragraph()
    if _is_part(kind, name):
        assert "a request's parts" in paragraph
        return
    if names == (name,):  # no option: the README says so, naming the field
        assert f"`{name}`" in paragraph, name
        return
    options = _command_options()
    for command in MAKERS[kind][1]:
        assert set(names) <= options[command], (command, names)
    if kind is api.LabelStudioOptions:  # the README names them together
        names = ("--ls-NAME",)
    for option in names:
        assert re.search(rf"`{re.escape(option)}[`/ ]", paragraph), option
