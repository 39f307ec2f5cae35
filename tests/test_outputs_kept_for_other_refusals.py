"""An output whose old file refuses to be replaced for a reason other than another program
holding it (the system's EBUSY, say) is kept beside it as a held one is, without the hint that
blames a program holding it open."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from zsl_cli import files
from zsl_cli.errors import OutputKept


def refusing(monkeypatch: pytest.MonkeyPatch, name: str, error: type[OSError], code: int) -> None:
    """os.replace onto `name`, where it is there, fails with `error`."""
    replace = os.replace

    def refused(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if os.path.basename(target) == name and os.path.exists(target):
            raise error(code, os.strerror(code), os.fspath(source), None, os.fspath(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", refused)


@pytest.mark.parametrize(
    ("error", "code", "hint"),
    [
        (OSError, errno.EBUSY, ""),
        (PermissionError, errno.EACCES, " (is it open in another program, e.g. Excel?)"),
    ],
)
def test_a_document_refused_its_place_is_kept_beside_it_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, error: type[OSError], code: int, hint: str
) -> None:
    output = tmp_path / "out.json"
    output.write_text("old")
    refusing(monkeypatch, "out.json", error, code)
    with pytest.raises(OutputKept) as kept:
        files.write_file(output, b"new")
    new = tmp_path / "out.new.json"
    assert str(kept.value) == (
        f"cannot write '{output}': {os.strerror(code)}{hint}; this run's output is kept as '{new}'"
    )
    assert kept.value.kept == [new]
    assert output.read_text() == "old" and new.read_text() == "new"
    assert sorted(os.listdir(tmp_path)) == ["out.json", "out.new.json"]


@pytest.mark.parametrize(
    ("taken", "name"),
    [
        ([], "out.new.json"),
        (["out.new.json"], "out.new2.json"),
        # Nor beside run info that is not its own: an output kept earlier had some.
        (["out.new.json.run.json"], "out.new2.json"),
        (["out.new.json", "out.new2.json.run.json"], "out.new3.json"),
    ],
)
def test_a_kept_output_takes_the_first_name_free_of_it_and_its_run_info(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, taken: list[str], name: str
) -> None:
    output = tmp_path / "out.json"
    output.write_text("old")
    for other in taken:
        (tmp_path / other).write_text("earlier")
    refusing(monkeypatch, "out.json", PermissionError, errno.EACCES)
    with pytest.raises(OutputKept) as kept:
        files.write_file(output, b"new")
    assert kept.value.kept == [tmp_path / name]
    assert (tmp_path / name).read_text() == "new"
    assert all((tmp_path / other).read_text() == "earlier" for other in taken)
