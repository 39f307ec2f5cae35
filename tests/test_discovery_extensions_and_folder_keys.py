"""Extensions given with spaces around them, and the real-folder keys that tell files apart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli.discovery import normalize_extensions, real_folder_keys, scan


def test_spaces_around_an_extension_are_not_part_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library takes the list as a caller wrote it ("jpg, png" split on the comma).
    assert normalize_extensions([" .PNG ", "jpg\t", " "]) == {".png", ".jpg"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos").mkdir()
    for name in ("a.png", "b.jpg", "c.gif"):
        (tmp_path / "photos" / name).write_bytes(b"x")
    found = scan(["photos"], extensions=[" png", " jpg "]).paths
    assert [str(path) for path in found] == ["photos/a.png", "photos/b.jpg"]


def test_a_folder_reached_through_a_link_has_its_real_folder_as_key(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.png").write_bytes(b"x")
    (tmp_path / "linked").symlink_to(real)
    (real / "alias.png").symlink_to(real / "a.png")
    keys = real_folder_keys(
        [str(tmp_path / "linked" / "a.png"), str(real / "a.png"), str(real / "alias.png")]
    )
    real_folder = os.path.realpath(real)
    assert keys == {
        str(tmp_path / "linked" / "a.png"): (real_folder, "a.png"),
        str(real / "a.png"): (real_folder, "a.png"),
        # A link to a file is a file of its own: its name is kept, not its target's.
        str(real / "alias.png"): (real_folder, "alias.png"),
    }


def test_a_glob_through_dot_folders_sorts_as_its_files_are_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'./*.png' gives z.png, which sorts after photos/b.png as the output spells them."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "photos" / "sub").mkdir(parents=True)
    for name in ("z.png", "photos/b.png", "photos/sub/c.png"):
        (tmp_path / name).write_bytes(b"x")
    for inputs in (["./*.png", "photos"], ["photos", "./*.png"], ["photos/./sub/*.png", "z.png"]):
        found = [str(path) for path in scan(inputs).paths]
        assert found == sorted(found, key=os.fsencode), inputs
    assert [str(path) for path in scan(["./*.png", "photos"]).paths] == [
        "photos/b.png",
        "photos/sub/c.png",
        "z.png",
    ]
    # A path kept though it is gone (embed --forget-missing) sorts as it is spelled too.
    gone = scan(["./zz_gone.png", "photos"], missing_paths_ok=True).paths
    assert [str(path) for path in gone] == ["photos/b.png", "photos/sub/c.png", "zz_gone.png"]


def test_a_broken_link_named_with_wildcard_characters_is_kept_for_the_decoder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its literal name is there (the link), so it is no pattern: the decoder says broken_link."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shot[1].png").symlink_to("gone.png")
    (tmp_path / "shot1.png").write_bytes(b"x")  # what the name would match as a pattern
    assert [str(path) for path in scan(["shot[1].png"]).paths] == ["shot[1].png"]
