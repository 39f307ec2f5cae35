"""An input shaped as an image's URL is a path or a pattern first: `'http://example.com/*.png'`
matches the files of a local folder `http:/example.com` (a download's folder named after the
site), as it did before URLs were told. Only where it names or matches nothing does the message
add that zsl reads local files only, and it says which of the two: no such file or directory, or
no file matches the pattern in a folder that is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.discovery import scan
from zsl_cli.errors import EXIT_USAGE, ZslError

LOCAL_ONLY = " (zsl reads local files only: download it first, such as with `curl -O`)"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = Path("http:") / "example.com"
    write_images(folder, 2)
    return folder


@pytest.mark.parametrize(
    "pattern", ["http://example.com/*.png", "http://example.com/img_00?.png", "http://*/*"]
)
def test_a_url_shaped_pattern_matches_a_local_folder_s_files(site: Path, pattern: str) -> None:
    assert [str(path) for path in scan([pattern]).paths] == [
        "http:/example.com/img_000.png",
        "http:/example.com/img_001.png",
    ]


def test_a_url_shaped_pattern_matching_nothing_in_its_folder_says_so(site: Path) -> None:
    with pytest.raises(ZslError) as caught:
        scan(["http://example.com/*.jpg"])
    assert caught.value.message == f"no file or folder matches http://example.com/*.jpg{LOCAL_ONLY}"


@pytest.mark.parametrize(
    "url", ["https://example.com/cat.png?raw=true", "https://example.com/*.png", "http://x/a.png"]
)
def test_a_url_naming_nothing_here_is_told_to_be_downloaded(site: Path, url: str) -> None:
    with pytest.raises(ZslError) as caught:
        scan([url])
    assert caught.value.message == f"no such file or directory: {url}{LOCAL_ONLY}"


def test_label_reads_the_images_a_url_shaped_pattern_matches(site: Path, tiny_clip: Path) -> None:
    Path("classes.txt").write_text("cat\ndog\n")
    result = run("label", "http://example.com/*.png", "-c", "classes.txt", "-m", tiny_clip)
    assert result.exit_code == 0, result.output
    assert "http:/example.com/img_000.png" in result.stdout
    assert "http:/example.com/img_001.png" in result.stdout


def test_label_tells_a_url_matching_nothing_before_the_model_loads(site: Path) -> None:
    Path("classes.txt").write_text("cat\ndog\n")
    result = run("label", "http://example.com/*.jpg", "-c", "classes.txt", "-m", "no-such-model")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr == (
        f"zsl: error: no file or folder matches http://example.com/*.jpg{LOCAL_ONLY}\n"
    )
