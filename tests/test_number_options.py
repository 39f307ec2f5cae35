"""The numeric options of every command take a number as typed in ASCII: Python's int() and
float(), which the command line parsed them with, also read '1_5' as 15 and other scripts'
digits ('١٥', full-width '１５') as numbers, so a mistyped value ran with a number never meant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run, write_images, write_truth_and_predictions
from zsl_cli import api
from zsl_cli.errors import ZslError


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An image folder and a class list in the current folder."""
    write_images(tmp_path / "photos", 1)
    (tmp_path / "classes.txt").write_text("cat\ndog\nbird\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture()
def requests(monkeypatch: pytest.MonkeyPatch) -> list:
    """The requests label, embed and hubness give the library, which does none of their work:
    each ends its command with an error line, as what is tested here is the command line."""
    given: list = []

    def stop(request: object, **kwargs: object) -> None:
        given.append(request)
        raise ZslError("the library was reached")

    for name in ("label", "embed", "hubness"):
        monkeypatch.setattr(api, name, stop)
    return given


COMMANDS = {
    "label": ["label", "photos", "-c", "classes.txt", "-q"],
    "embed": ["embed", "photos", "--store", "photos.zsl", "-q"],
    "hubness": ["hubness", "photos", "-c", "classes.txt", "-q"],
}
# Each whole-number option, by command, as click names it in its refusal.
WHOLE_NUMBER_OPTIONS = [
    ("label", "--top-k", "'--top-k' / '-k'"),
    ("label", "-b", "'--batch-size' / '-b'"),
    ("label", "-j", "'--workers' / '-j'"),
    ("label", "--max-pixels", "'--max-pixels'"),
    ("embed", "--batch-size", "'--batch-size' / '-b'"),
    ("embed", "--workers", "'--workers' / '-j'"),
    ("embed", "--max-pixels", "'--max-pixels'"),
    ("hubness", "-k", "'--neighbours' / '-k'"),
    ("hubness", "-b", "'--batch-size' / '-b'"),
    ("hubness", "-j", "'--workers' / '-j'"),
    ("hubness", "--max-pixels", "'--max-pixels'"),
]
# What int() reads as 15 but no user types for it.
NOT_WHOLE_NUMBERS = ["1_5", "١٥", "１５", "۱۵"]


@pytest.mark.parametrize(("command", "option", "named"), WHOLE_NUMBER_OPTIONS)
@pytest.mark.parametrize("value", NOT_WHOLE_NUMBERS)
def test_a_whole_number_option_refuses_what_is_not_typed_in_ascii_digits(
    world, requests, command, option, named, value
):
    result = run(*COMMANDS[command], option, value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for {named}: {value!r} is not a whole number written in the "
        f"digits 0-9 (see 'zsl {command} --help')\n"
    )
    assert requests == []


@pytest.mark.parametrize("value", ["0.2_5", "٠.٢٥", "０.２５", "2_5e-2", "25e-0_2", "٢٥e-2"])
def test_the_threshold_refuses_what_is_not_typed_in_ascii(world, requests, value):
    result = run(*COMMANDS["label"], "--threshold", value)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for '--threshold': {value!r} is not a number written in the "
        "digits 0-9 (see 'zsl label --help')\n"
    )
    assert requests == []


@pytest.mark.parametrize(
    ("given", "read"),
    # `wc -l`'s count on macOS: "  3"; a number copied with a no-break or an em space.
    [("3", 3), ("+3", 3), ("03", 3), ("  3", 3), ("3\u00a0", 3), ("\u20033", 3)],
)
def test_a_whole_number_as_typed_reaches_the_library(world, requests, given, read):
    result = run(*COMMANDS["label"], "-k", given, "-b", given)
    assert result.stderr == "zsl: error: the library was reached\n"
    (request,) = requests
    assert request.decision.top_k == read
    assert request.model.batch_size == read


@pytest.mark.parametrize(
    ("given", "read"),
    [("0.25", 0.25), (".25", 0.25), ("1.", 1.0), ("0", 0.0), ("+0.5", 0.5), ("25e-2", 0.25),
     ("2.5E-1", 0.25), ("1e0", 1.0), (" 0.5 ", 0.5), ("0.5\u2009", 0.5)],
)  # fmt: skip
def test_a_threshold_as_typed_reaches_the_library(world, requests, given, read):
    result = run(*COMMANDS["label"], "--threshold", given)
    assert result.stderr == "zsl: error: the library was reached\n"
    (request,) = requests
    assert request.decision.threshold == read


@pytest.mark.parametrize("given", ["nan", "NaN", "-nan"])
def test_a_nan_threshold_is_refused_by_the_library_as_before(world, requests, given):
    # Typed in ASCII, NaN reads as a number; it lies in no range, and the decision refuses it.
    result = run(*COMMANDS["label"], "--threshold", given)
    assert result.exit_code == 2
    assert result.stderr == "zsl: error: --threshold nan: give a score from 0 to 1\n"
    assert requests == []


@pytest.mark.parametrize("given", ["inf", "-Infinity"])
def test_an_infinite_threshold_is_out_of_the_range_as_before(world, requests, given):
    result = run(*COMMANDS["label"], "--threshold", given)
    assert result.exit_code == 2
    read = float(given)
    assert result.stderr == (
        f"zsl: error: Invalid value for '--threshold': {read} is not in the range 0.0<=x<=1.0 "
        "(see 'zsl label --help')\n"
    )


def test_a_value_out_of_its_range_is_refused_as_before(world, requests):
    result = run(*COMMANDS["hubness"], "--neighbours", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: Invalid value for '--neighbours' / '-k': 0 is not in the range x>=1 "
        "(see 'zsl hubness --help')\n"
    )


@pytest.mark.parametrize(
    ("given", "named"),
    [("1_5", "1_5"), ("١٥", "١٥"), ("1,١", "١"), ("１,5", "１"), ("1_0,5", "1_0")],
)
def test_evaluate_top_k_refuses_what_is_not_typed_in_ascii_digits(tmp_path, given, named):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    result = run("evaluate", predictions, "--truth", truth, "--top-k", given, "-q")
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: --top-k '{given}': {named!r} is not a whole number "
        "written in the digits 0-9\n"
    )
    assert result.stdout == ""


def test_evaluate_top_k_as_typed_is_read(tmp_path):
    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    given = ["--top-k", "+1, 02", "-k", "3 "]
    result = run("evaluate", predictions, "--truth", truth, *given, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)["top_k"]) == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("label", ["-k, --top-k N", "--threshold SCORE", "[0.0<=x<=1.0]", "-b, --batch-size N"]),
        ("embed", ["-j, --workers N", "--max-pixels N", "[x>=1]"]),
        ("hubness", ["-k, --neighbours N", "[x>=1]"]),
    ],
)
def test_the_help_shows_the_options_as_numbers_in_their_ranges(command, shown):
    result = run(command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert all(part in text for part in shown), text


def test_a_whole_number_past_int_s_digits_is_told_too_long_in_short(world, requests):
    # int() refuses over 4,300 digits: it was "not a whole number", with every digit shown.
    result = run(*COMMANDS["label"], "-k", "9" * 5000)
    assert result.exit_code == 2
    assert result.stderr == (
        f"zsl: error: Invalid value for '--top-k' / '-k': {'9' * 20!r}... (5,000 characters) "
        "has too many digits (see 'zsl label --help')\n"
    )
    assert requests == []
