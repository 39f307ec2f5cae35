"""An option that another command has for the same thing, given to the command that names it
otherwise, is answered with what this command calls it, for every such option and spelling."""

from __future__ import annotations

import pytest

from tests.helpers import run

READ_STORE = "a store made by 'zsl embed' is read with --embeddings STORE here"
JSON_RESULTS = "the table goes to stdout (> FILE), and --json FILE writes the results as JSON"
EMBED_OUTPUT = "the store is --store STORE (-s); --export FILE writes its embeddings out"
EMBED_CLASSES = (
    "embed stores image embeddings only: give the classes to zsl label --embeddings STORE"
)
REDUCTION = "hubness compares every method; --methods M,M picks which"
NEIGHBOURS = "its k is -k/--neighbours, the k-occurrence size; accuracy is top-1"
EVALUATE_CLASSES = "evaluate takes the classes from the predictions, the true labels from --truth"


@pytest.mark.parametrize(
    ("command", "option", "said"),
    [
        ("label", "--store", READ_STORE),
        ("label", "-s", READ_STORE),
        ("hubness", "--store", READ_STORE),
        ("hubness", "-s", READ_STORE),
        ("embed", "--embeddings", "the store to write is given with --store STORE (-s) here"),
        ("label", "--json", "write JSON with -f json (JSON Lines: -f jsonl), or -o FILE.json"),
        ("evaluate", "-o", JSON_RESULTS),
        ("evaluate", "--output", JSON_RESULTS),
        ("hubness", "-o", JSON_RESULTS),
        ("hubness", "--output", JSON_RESULTS),
        ("embed", "-o", EMBED_OUTPUT),
        ("embed", "--output", EMBED_OUTPUT),
        ("hubness", "--hubness-reduction", REDUCTION),
        ("hubness", "--top-k", NEIGHBOURS),
        ("embed", "-c", EMBED_CLASSES),
        ("embed", "--classes", EMBED_CLASSES),
        ("evaluate", "-c", EVALUATE_CLASSES),
        ("evaluate", "--classes", EVALUATE_CLASSES),
        ("label", "--methods", "label applies one method, given with --hubness-reduction METHOD"),
    ],
)  # fmt: skip
def test_an_option_of_another_command_is_named_as_this_one_names_it(command, option, said):
    result = run(command, "x", option, "value")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"zsl: error: No such option: {option}: {said} (see 'zsl {command} --help')\n"
    )
