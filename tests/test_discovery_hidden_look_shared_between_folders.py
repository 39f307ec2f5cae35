"""The no-images error looks inside each hidden folder a scan passed over only so far, so that
one large folder (a repository's .git, a virtual environment) cannot use up the look at all of
them: the others are still looked at, and their images named."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from zsl_cli import discovery
from zsl_cli.discovery import scan
from zsl_cli.errors import ZslError


def test_hidden_folders_as_large_as_the_whole_look_leave_the_others_looked_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # Small limits of the same proportions, so the test writes a hundred files, not 10,000.
    monkeypatch.setattr(discovery, "_HIDDEN_FOLDER_LOOK_LIMIT", 10)
    monkeypatch.setattr(discovery, "_HIDDEN_LOOK_LIMIT", 50)
    # One on either side of the folder of images, whichever order they are looked at in.
    for name in (".a_large", ".z_large"):
        large = tmp_path / "p" / name
        large.mkdir(parents=True)
        for i in range(discovery._HIDDEN_LOOK_LIMIT):
            (large / f"{i:05d}.txt").touch()
    thumbs = tmp_path / "p" / ".thumbs"
    thumbs.mkdir()
    for name in ("a.png", "b.png"):
        Image.new("RGB", (8, 8), (200, 30, 30)).save(thumbs / name, format="PNG")
    with pytest.raises(ZslError) as caught:
        scan(["p"])
    assert caught.value.message.endswith(
        "; at least 2 images in hidden folders such as p/.thumbs were left out: add "
        "--include-hidden to take them"
    )
