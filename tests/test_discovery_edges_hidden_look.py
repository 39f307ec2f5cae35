"""The no-images error's look inside hidden folders: a folder holding exactly as many entries as
may be looked at in one is looked through in full, and told of as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import discovery
from zsl_cli.discovery import scan
from zsl_cli.errors import ZslError


def hint_of(inputs: list[str]) -> str:
    """The no-images error's message past its opening parenthesis."""
    with pytest.raises(ZslError) as caught:
        scan(inputs)
    message = caught.value.message
    return message[message.index(")") + 1 :]


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(discovery, "_HIDDEN_FOLDER_LOOK_LIMIT", 3)


def hidden_images(tmp_path: Path, n: int) -> None:
    thumbs = tmp_path / "p" / ".thumbs"
    thumbs.mkdir(parents=True)
    for i in range(n):
        (thumbs / f"{i}.png").touch()


def test_a_hidden_folder_of_exactly_the_limit_is_counted_in_full(tmp_path: Path) -> None:
    hidden_images(tmp_path, 3)
    assert hint_of(["p"]) == (
        "; 3 images in the hidden folder p/.thumbs were left out: add --include-hidden to take them"
    )


def test_one_entry_over_the_limit_is_a_look_cut_short(tmp_path: Path) -> None:
    hidden_images(tmp_path, 4)
    assert hint_of(["p"]) == (
        "; at least 3 images in hidden folders such as p/.thumbs were left out: add "
        "--include-hidden to take them"
    )


def test_hidden_folders_left_unlooked_at_make_the_count_a_lower_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The look in all ends exactly as one folder is looked through in full: the next one is
    # not looked at, so what was found is no more than a lower bound.
    monkeypatch.setattr(discovery, "_HIDDEN_LOOK_LIMIT", 2)
    for name in ("p/.a/x.png", "p/.b/x.png", "p/.b/y.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    assert hint_of(["p"]) == (
        "; at least 2 images in hidden folders such as p/.b were left out: add "
        "--include-hidden to take them"
    )
