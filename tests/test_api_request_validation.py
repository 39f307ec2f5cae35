"""The library's request checks, as a program using zsl_cli.api meets them: class prompts given
as a dict, unordered class lists, duck-typed stdout streams, ks given as an array or a set, and
empty paths."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import numpy as np
import pytest

from zsl_cli import api
from zsl_cli.errors import ZslError

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_images"


class _WriteOnly:
    """A writer with write() alone, as a caller may hand one."""

    def __init__(self) -> None:
        self.parts: list[object] = []

    def write(self, data: object) -> int:
        self.parts.append(data)
        return len(data)  # type: ignore[arg-type]


class _Writer(_WriteOnly):
    def flush(self) -> None:
        pass


def _label_sample(output: api.OutputOptions) -> api.LabelReport:
    return api.label(
        api.LabelRequest(
            inputs=api.InputOptions(paths=(str(SAMPLES / "red circle"),)),
            classes=api.ClassOptions(classes=["red circle", "blue square"]),
            model=api.ModelOptions(name="shapes-demo"),
            output=output,
        )
    )


def test_a_dict_of_class_prompts_is_refused_rather_than_its_prompts_dropped():
    prompts = {"cat": "a photo of a small cat", "dog": ["a dog"]}
    with pytest.raises(ZslError, match=r"^--classes \{'cat': .*name: prompt.*descriptions"):
        api.ClassOptions(classes=prompts)
    # Its items too, which were refused as "<names>[0]: class names are strings, not tuple".
    with pytest.raises(ZslError, match=r"^--classes dict_items\(.*name: prompt.*descriptions"):
        api.ClassOptions(classes=prompts.items())


@pytest.mark.parametrize(
    "classes",
    [{"cat", "dog"}, frozenset({"cat", "dog"}), {"cat", "dog"} | {"bird"}],
    ids=["set", "frozenset", "union"],
)
def test_classes_without_an_order_are_refused(classes):
    # Class order matters: ties go to the earlier class, and the run info lists and hashes them.
    with pytest.raises(ZslError, match=r"^--classes .*give the classes in order: a list or tuple"):
        api.ClassOptions(classes=classes)


def test_classes_in_order_are_kept_in_their_order():
    assert api.ClassOptions(classes=iter(["dog", "cat"])).classes == ("dog", "cat")
    # A dict's values keep the dict's order.
    names = {"first": "dog", "second": "cat"}.values()
    assert api.ClassOptions(classes=names).classes == ("dog", "cat")
    assert api.ClassOptions(classes={"dog": 1, "cat": 2}.keys()).classes == ("dog", "cat")


def test_hubness_methods_without_an_order_are_refused_but_seen_may_be_a_set():
    with pytest.raises(ZslError, match=r"^--methods .*give the methods in order: a list or tuple"):
        api.HubnessRequest(methods={"csls", "none"})
    assert api.HubnessRequest(methods=["csls", "none"]).methods == ("csls", "none")
    assert sorted(api.HubnessRequest(seen={"cat", "dog"}).seen) == ["cat", "dog"]


def test_a_stdout_without_flush_is_refused_naming_the_method():
    with pytest.raises(ZslError, match=r"^stdout: _WriteOnly has no flush\(\) method"):
        api.OutputOptions(stdout=_WriteOnly())


def test_a_duck_typed_stdout_without_encoding_is_written_bytes():
    # As the README says: only a stream with an `encoding` (or an io.TextIOBase) is given text.
    writer = _Writer()
    report = _label_sample(api.OutputOptions(stdout=writer))
    assert report.total > 0
    assert writer.parts and all(isinstance(part, bytes) for part in writer.parts)
    assert b"".join(writer.parts).startswith(b"path,label,score")  # type: ignore[arg-type]


def test_a_text_wrapper_as_stdout_is_written_after_the_text_it_holds():
    # Its buffer took the rows before the caller's own text, still in the wrapper.
    raw = io.BytesIO()
    wrapper = io.TextIOWrapper(raw, encoding="utf-8")
    wrapper.write("# written by the caller\n")
    _label_sample(api.OutputOptions(stdout=wrapper))
    wrapper.flush()
    assert raw.getvalue().startswith(b"# written by the caller\npath,label,score")


@pytest.mark.parametrize("path", [None, "-"])
def test_a_process_stdout_without_flush_is_a_user_error_before_any_row(monkeypatch, path):
    writer = _WriteOnly()
    monkeypatch.setattr(sys, "stdout", writer)
    with pytest.raises(ZslError, match=r"^stdout: _WriteOnly has no flush\(\) method"):
        _label_sample(api.OutputOptions(path))
    assert writer.parts == []


def test_a_stdout_with_an_output_file_is_refused_not_ignored(tmp_path):
    with pytest.raises(ZslError, match="^stdout is written only when path is None or '-'"):
        api.OutputOptions(path=str(tmp_path / "p.csv"), stdout=io.BytesIO())
    assert api.OutputOptions(path="-", stdout=io.BytesIO()).path == "-"


@pytest.mark.parametrize(
    "ks",
    [np.array([1, 5]), {5, 1}, [np.int64(1), np.int32(5)], (k for k in (1, 5))],
    ids=["array", "set", "numpy-ints", "generator"],
)
def test_ks_given_as_any_collection_of_whole_numbers_are_taken(ks):
    request = api.EvaluateRequest("p.csv", "truth", ks=ks)
    assert request.ks == (1, 5)  # a set sorted: its order changes with each process
    assert all(type(k) is int for k in request.ks)


@pytest.mark.parametrize(
    ("ks", "message"),
    [
        (b"\x01\x05", r"^--top-k b'\\x01\\x05': give whole numbers"),
        (5, "^--top-k 5: give whole numbers, 1 or more, e.g. \\(1, 5\\)"),
        (np.array([1.5]), "^--top-k '1.5': every k must be a whole number"),
        (np.array(5), r"^--top-k array\(5\): give whole numbers"),
        ({1: "a"}, r"^--top-k \{1: 'a'\}: give whole numbers"),
    ],
)
def test_ks_that_are_no_whole_numbers_are_still_refused(ks, message):
    with pytest.raises(ZslError, match=message):
        api.EvaluateRequest("p.csv", "truth", ks=ks)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: api.ClassOptions(classes=""), "^--classes: the path is empty; give a class file"),
        (lambda: api.ClassOptions(descriptions=""), "^--descriptions: the path is empty"),
        (lambda: api.ClassOptions(attributes=""), "^--attributes: the path is empty"),
        (lambda: api.EvaluateRequest("p.csv", "t", seen=""), "^--seen: the path is empty"),
        (lambda: api.HubnessRequest(seen=""), "^--seen: the path is empty"),
    ],
)
def test_an_empty_path_is_called_empty_not_a_directory(make, message):
    with pytest.raises(ZslError, match=message):
        make()


def test_the_readme_says_how_pandas_takes_predictions_of_non_utf8_file_names(tmp_path):
    pandas = pytest.importorskip("pandas")
    name = Path(next((SAMPLES / "red circle").iterdir()).name)
    folder = tmp_path / "photos"
    folder.mkdir()
    try:
        odd = folder / ("caf\udce9" + name.suffix)  # the bytes caf\xe9: Latin-1, not UTF-8
        odd.write_bytes((SAMPLES / "red circle" / name).read_bytes())
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system takes no such name")
    report = api.label(
        api.LabelRequest(
            inputs=api.InputOptions(paths=(str(folder),)),
            classes=api.ClassOptions(classes=["red circle", "blue square"]),
            model=api.ModelOptions(name="shapes-demo"),
            output=None,
        )
    )
    rows = [prediction.as_dict() for prediction in report.predictions]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From Python") : readme.index("### Exit codes")]
    assert "pandas.DataFrame(rows, dtype=object)" in section
    frame = pandas.DataFrame(rows, dtype=object)  # what the README says to do
    assert frame["path"].tolist() == [str(odd)]


@pytest.mark.parametrize("name", ["predictions", "truth"])
def test_an_empty_predictions_or_truth_path_is_refused_as_empty(name):
    # The truth was "not found: " with no name.
    given = {"predictions": "p.csv", "truth": "truth", name: ""}
    with pytest.raises(ZslError, match=f"^(--)?{name}: the path is empty; give "):
        api.EvaluateRequest(**given)


def test_a_dicts_items_as_hubness_methods_are_refused_without_calling_them_unordered():
    # "a dict_items has no order" was untrue: a dict's items keep its order.
    with pytest.raises(ZslError, match=r"give the methods as a list or tuple$"):
        api.HubnessRequest(
            inputs=api.InputOptions(paths=("x",)),
            classes=api.ClassOptions(classes=["cat", "dog"]),
            methods={"csls": 1}.items(),
        )
