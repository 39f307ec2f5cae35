"""`EvaluateRequest(seen="cat")` and `HubnessRequest(seen="cat")`: in code a str is a seen-class
list's path, so a name given alone is a list not found. As for `ClassOptions(classes="cat")`
(tests/test_class_names_as_one_string.py), the library's message says how names are given (a
list); the CLI's `--seen` takes a file only, and its message says nothing of Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import LABELLED_IMAGES, run, write_labelled
from zsl_cli import api
from zsl_cli.errors import ZslError


@pytest.fixture()
def labelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    return write_labelled(tmp_path, LABELLED_IMAGES)


def test_evaluate_refuses_a_name_given_as_a_str_with_the_list_to_give(labelled) -> None:
    predictions, truth = labelled
    with pytest.raises(ZslError) as caught:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen="cat"))
    message = caught.value.message
    assert message.startswith("seen-class list not found: cat; ")
    assert message.endswith("seen=['cat']")
    assert "\n" not in message
    assert caught.value.exit_code == 2
    with pytest.raises(ZslError) as caught:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen="cat, dog"))
    assert caught.value.message.endswith("seen=['cat', 'dog']")
    # A file's name is no class name to give: the example is the usual one.
    with pytest.raises(ZslError) as caught:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen="seen.txt"))
    assert caught.value.message.startswith("seen-class list not found: seen.txt; ")
    assert caught.value.message.endswith("seen=['cat', 'dog']")


def test_hubness_gives_the_same_hint_before_any_model_loads(labelled) -> None:
    _, truth = labelled
    request = api.HubnessRequest(
        inputs=api.InputOptions(paths=(str(truth.parent),)),
        classes=api.ClassOptions(classes=["cat", "dog", "bird"]),
        model=api.ModelOptions("no-such-model-anywhere"),
        truth=str(truth),
        seen="bird",
    )
    with pytest.raises(ZslError, match=r"^seen-class list not found: bird; .*seen=\['bird'\]$"):
        api.hubness(request)


def test_a_seen_list_that_is_there_gets_no_hint(labelled) -> None:
    predictions, truth = labelled
    (truth.parent / "folder").mkdir()
    with pytest.raises(ZslError) as caught:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen="folder"))
    assert caught.value.message == "seen-class list is a directory: folder"
    (truth.parent / "seen.txt").write_text("cat\n", encoding="utf-8")
    seen = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen="seen.txt")).gzsl
    assert seen is not None and seen.seen_classes == ("cat",)


@pytest.mark.parametrize("command", ["evaluate", "hubness"])
def test_the_cli_names_the_list_not_found_and_nothing_of_python(labelled, command) -> None:
    predictions, truth = labelled
    if command == "evaluate":
        args = ["evaluate", str(predictions)]
    else:
        args = ["hubness", str(truth.parent), "-c", "classes.txt", "-m", "no-such-model-anywhere"]
        Path("classes.txt").write_text("cat\ndog\nbird\n", encoding="utf-8")
    result = run(*args, "--truth", str(truth), "--seen", "cat")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "zsl: error: seen-class list not found: cat\n"
