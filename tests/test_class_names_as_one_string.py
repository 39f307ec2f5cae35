"""`ClassOptions(classes="circle")`: in code a str is a class file's path, so a name given alone
is a file not found. The library's message says how names are given (a list); the CLI's
`--classes` takes a file only, and its message says nothing of Python."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli import api
from zsl_cli.errors import ZslError


def test_a_name_given_as_a_str_is_refused_with_the_list_to_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="circle"))
    message = caught.value.message
    assert message.startswith("class file not found: circle")
    assert "classes=['circle']" in message
    assert "\n" not in message
    assert caught.value.exit_code == 2
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="circle, square"))
    assert "classes=['circle', 'square']" in caught.value.message
    # A file's name is no class name to give: the example is the usual one.
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="shapes.txt"))
    assert caught.value.message.startswith("class file not found: shapes.txt; ")
    assert caught.value.message.endswith("classes=['cat', 'dog']")


def test_label_gives_the_same_hint_before_any_model_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.png").write_bytes(b"")
    request = api.LabelRequest(
        inputs=api.InputOptions(paths=("a.png",)),
        classes=api.ClassOptions(classes="circle"),
        model=api.ModelOptions("no-such-model-anywhere"),
        output=None,
    )
    with pytest.raises(ZslError, match=r"class file not found: circle.*classes=\['circle'\]"):
        api.label(request)


def test_a_class_file_that_is_there_or_a_path_object_gets_no_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="folder"))
    assert caught.value.message == "class file is a directory: folder"
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes=Path("circle")))
    assert caught.value.message == "class file not found: circle"
    (tmp_path / "shapes.txt").write_text("circle\nsquare\n", encoding="utf-8")
    listed = api.class_prompts(api.ClassOptions(classes="shapes.txt", templates="{}"))
    assert [prompt.name for prompt in listed.prompts] == ["circle", "square"]


def test_the_cli_names_the_file_not_found_and_nothing_of_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("label", "--show-prompts", "--classes", "circle")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "zsl: error: class file not found: circle\n"


def test_the_hint_reaches_a_caller_from_a_worker_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # concurrent.futures pickles a worker's exception: one that cannot be unpickled broke the pool.
    monkeypatch.chdir(tmp_path)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool, pytest.raises(ZslError) as caught:
        # The library's own function, not one of this file: the worker imports zsl_cli.api only,
        # not the test modules and what they import.
        pool.submit(api.class_prompts, api.ClassOptions(classes="circle")).result(timeout=120)
    assert "classes=['circle']" in caught.value.message
    assert caught.value.cli_message == "class file not found: circle"
    assert caught.value.exit_code == 2


def test_stdin_as_the_class_file_gets_no_list_hint() -> None:
    with pytest.raises(ZslError) as caught:
        api.class_prompts(api.ClassOptions(classes="-"))
    assert "give /dev/stdin" in caught.value.message
    assert "classes=[" not in caught.value.message
