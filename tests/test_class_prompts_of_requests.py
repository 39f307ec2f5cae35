"""`class_prompts` given a label or hubness request refuses what that run refuses before its model
loads, with the run's own checks (what `--show-prompts` relies on), and otherwise gives the
prompts of the request's class options."""

import io
from pathlib import Path

import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("cat\ndog\n", encoding="utf-8")
    return path


def test_a_request_gives_the_prompts_of_its_class_options(tmp_path: Path, classes: Path) -> None:
    options = api.ClassOptions(classes=str(classes), templates="imagenet7")
    inputs = api.InputOptions([str(tmp_path)])
    expected = api.class_prompts(options)
    assert len(expected.prompts) == 14
    assert api.class_prompts(api.LabelRequest(inputs=inputs, classes=options)) == expected
    assert api.class_prompts(api.HubnessRequest(inputs=inputs, classes=options)) == expected


def test_a_label_request_is_refused_as_its_run_refuses_it(
    tmp_path: Path, classes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT", raising=False)
    inputs = api.InputOptions([str(tmp_path)])
    one_class = api.ClassOptions(classes=["cat"])
    reduced = api.LabelRequest(inputs=inputs, classes=one_class, hubness_reduction="csls")
    with pytest.raises(ZslError, match="csls"):
        api.class_prompts(reduced)
    api.class_prompts(api.LabelRequest(inputs=inputs, classes=one_class))  # no reduction: fine

    over_classes = api.LabelRequest(
        inputs=inputs,
        classes=api.ClassOptions(classes=str(classes)),
        output=api.OutputOptions(str(classes), "csv"),
    )
    with pytest.raises(ZslError, match="is an input of this run"):
        api.class_prompts(over_classes)
    assert classes.read_text(encoding="utf-8") == "cat\ndog\n"

    no_root = api.LabelRequest(
        inputs=inputs,
        classes=api.ClassOptions(classes=str(classes)),
        output=api.OutputOptions(str(tmp_path / "tasks.json"), "label-studio"),
    )
    with pytest.raises(ZslError, match="how Label Studio reaches the images"):
        api.class_prompts(no_root)


def test_a_hubness_request_is_refused_as_its_run_refuses_it(tmp_path: Path) -> None:
    request = api.HubnessRequest(
        inputs=api.InputOptions([str(tmp_path)]),
        classes=api.ClassOptions(classes=["cat", "dog"]),
        seen=["cat"],
    )
    with pytest.raises(ZslError, match="--seen needs --truth"):
        api.class_prompts(request)


def test_anything_else_is_refused_naming_what_to_give() -> None:
    with pytest.raises(
        ZslError, match=r"give a ClassOptions\(\.\.\.\), or a LabelRequest"
    ) as error:
        api.class_prompts("cat, dog")  # type: ignore[arg-type]
    assert "not str" in error.value.message


class _UnreadStdin(io.BytesIO):
    def read(self, *args: object) -> bytes:
        raise AssertionError("the path list was read")

    readline = read  # type: ignore[assignment]


def test_a_label_run_refuses_label_studio_options_before_it_reads_the_path_list(
    tmp_path: Path, classes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT", raising=False)
    request = api.LabelRequest(
        inputs=api.InputOptions(["-"], stdin=_UnreadStdin()),
        classes=api.ClassOptions(classes=str(classes)),
        model=api.ModelOptions("shapes-demo"),
        output=api.OutputOptions(str(tmp_path / "tasks.json"), "label-studio"),
    )
    with pytest.raises(ZslError, match="how Label Studio reaches the images"):
        api.label(request)
    assert not (tmp_path / "tasks.json").exists()
