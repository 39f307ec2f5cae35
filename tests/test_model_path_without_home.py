"""`--model ~/...` where ~ names no folder (no HOME, and a user id the passwd database does not
know, as in many containers) says why, instead of naming a user called ""."""

from __future__ import annotations

import pwd

import pytest
from PIL import Image

from tests.helpers import run
from zsl_cli.encoders import resolve_model
from zsl_cli.errors import ZslError


@pytest.fixture()
def no_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOME", raising=False)

    def unknown(uid: int):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", unknown)


@pytest.mark.parametrize("name", ["~/models/clip", "~"])
def test_a_tilde_without_a_home_folder_says_to_set_home(no_home, name):
    with pytest.raises(ZslError) as caught:
        resolve_model(name)
    message = caught.value.message
    assert "HOME is not set" in message and "full path" in message
    assert "no user  for" not in message and "yours is ~/" not in message


def test_a_user_that_does_not_exist_is_still_named():
    with pytest.raises(ZslError, match="there is no user nosuchuser9 for ~nosuchuser9"):
        resolve_model("~nosuchuser9/models/clip")


def test_label_says_so_in_one_line(no_home, tmp_path):
    Image.new("RGB", (50, 40), "red").save(tmp_path / "red.png")
    (tmp_path / "classes.txt").write_text("a\nb\n")
    result = run("label", tmp_path, "-c", tmp_path / "classes.txt", "-m", "~/models/clip")
    assert result.exit_code == 2
    assert "HOME is not set" in result.stderr
