"""The hints a usage error adds fit where they are given: a file named like a short option is
only a thought where the command takes files, and an option that took another option as its
file's name is named as it was typed."""

from __future__ import annotations

import pytest

from tests.helpers import run


@pytest.mark.parametrize("command", ["label", "embed", "evaluate", "hubness"])
def test_an_unknown_short_option_of_a_command_gets_the_file_hint(command):
    result = run(command, "-x.jpg")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: No such option: -x (see 'zsl {command} --help'; a file whose name starts "
        "with '-': give it as ./NAME, or after --)\n"
    )


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--output=-q"], "--output"),
        (["--ls-config=--strict"], "--ls-config"),
        (["--classes=-k"], "--classes"),
    ],
)
def test_an_option_joined_to_its_value_is_named_by_its_long_name(args, option):
    result = run("label", "x", *args)
    assert result.exit_code == 2 and result.stdout == ""
    value = args[0].split("=", 1)[1]
    assert result.stderr.startswith(f"zsl: error: {option} got {value!r}, which is an option of")


@pytest.mark.parametrize("command", ["label", "evaluate"])
def test_an_unknown_long_option_gets_no_file_hint(command):
    # A file named '--nope' is no thought to give: the option is mistyped.
    result = run(command, "--nope")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: No such option: --nope")
    assert "a file whose name" not in result.stderr
    assert result.stderr.endswith(f"(see 'zsl {command} --help')\n")
