"""The no-images error's hints: one file worded as one, and hidden folders a `**` pattern
passed over (told only where --include-hidden would take images there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.discovery import scan
from zsl_cli.errors import ZslError


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def no_images_message(inputs: list[str], **options: object) -> str:
    with pytest.raises(ZslError) as caught:
        scan(inputs, **options)
    return caught.value.message


def test_one_image_left_out_by_its_extension_is_worded_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "scans/page.tga", "scans/notes.txt")
    message = no_images_message(["scans"], readable_extensions=lambda: {".tga"})
    assert message.endswith(
        "; 1 image with other extensions was left out (.tga 1): add it with --ext"
    )


def test_one_hidden_image_is_worded_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "scans/.page.png")
    assert no_images_message(["scans"]).endswith(
        "; 1 hidden image (names starting with '.') was left out: add --include-hidden to take it"
    )


def test_a_double_star_pattern_counts_the_hidden_folders_it_did_not_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`**` passes over hidden folders as a walk does, and says so as a walk does, of those
    that hold images."""
    monkeypatch.chdir(tmp_path)
    touch(tmp_path, "photos/trip/notes.txt", "photos/trip/.thumbnails/notes.txt")
    assert "hidden" not in no_images_message(["photos/**/*.txt"])
    touch(tmp_path, "photos/trip/.thumbnails/a.png")
    message = no_images_message(["photos/**/*"])
    assert message.endswith(
        "; 1 image in the hidden folder photos/trip/.thumbnails was left out: add "
        "--include-hidden to take it"
    )
    assert scan(["photos/**/*.txt"], allow_empty=True).hidden_folders == 1
    assert scan(["photos/**/*.txt"], allow_empty=True, include_hidden=True).hidden_folders == 0
