"""--ls-url-prefix spelt otherwise than Label Studio's own URLs, which it still reads: a cloud
storage's scheme in capitals (S3://), and its local files without the slash before "?"
(/data/local-files?d=). The first wrote tasks that showed no image, the second skipped the
warnings of the images Label Studio cannot serve, without a word either way."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.label_studio import (
    LabelStudioOptions,
    check_label_studio_paths,
    label_studio_image_url,
)

NON_UTF8_NAME = b"caf\xe9 \xff.jpg"  # Latin-1 bytes: not valid UTF-8


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root" / "photos").mkdir(parents=True)
    return tmp_path / "root"


@pytest.mark.parametrize(
    ("given", "written"),
    [("S3", "s3"), ("Gs", "gs"), ("AZURE-BLOB", "azure-blob"), ("s3", "s3")],
)
def test_a_cloud_storage_scheme_is_written_as_label_studio_matches_it(
    root: Path, given: str, written: str
) -> None:
    # Label Studio 1.23.2 finds the storage of a task URL by its scheme, compared as it spells
    # it: S3://bucket/key is no storage's, and the task shows no image. A scheme is the same in
    # any case (RFC 3986); the bucket and the key are not, and stay as given.
    options = LabelStudioOptions(document_root=root, url_prefix=f"{given}://Bucket/Images")
    url = label_studio_image_url(str(root / "photos" / "A b.jpg"), options)
    assert url == f"{written}://Bucket/Images/photos/A b.jpg"
    # Still a cloud storage's key: a "?" in a name is warned of.
    (warning,) = check_label_studio_paths([root / "photos" / "q?.jpg"], options)
    assert "cloud storages cannot read such an object key" in warning


def test_an_http_prefix_is_written_as_given(root: Path) -> None:
    # Browsers read HTTP:// as http://: nothing to change, nor to warn of.
    options = LabelStudioOptions(document_root=root, url_prefix="HTTP://Host/Images")
    url = label_studio_image_url(str(root / "photos" / "a b.jpg"), options)
    assert url == "HTTP://Host/Images/photos/a%20b.jpg"


@pytest.mark.parametrize(
    "prefix", ["/data/local-files?d=photos/", "http://ls:8080/data/local-files?d=photos"]
)
def test_local_files_without_the_slash_warn_of_names_label_studio_cannot_serve(
    root: Path, prefix: str
) -> None:
    # Label Studio (1.23.2) serves /data/local-files?d=... as /data/local-files/?d=...: its
    # middleware adds the slash to a path that resolves only with it, without a redirect. So
    # d= reaches the same UTF-8 decoding, which answers 404 for such a name.
    photos = root / "photos"
    weird = os.fsdecode(os.fsencode(photos) + b"/" + NON_UTF8_NAME)
    options = LabelStudioOptions(document_root=photos, url_prefix=prefix)
    (warning,) = check_label_studio_paths([weird, photos / "x.jpg"], options)
    assert warning.startswith("1 image is named in bytes that are not valid UTF-8 (e.g. '")
    assert "Label Studio cannot serve such local files" in warning


def test_local_files_without_the_slash_warn_of_files_directly_in_the_root(root: Path) -> None:
    options = LabelStudioOptions(document_root=root, url_prefix="/data/local-files?d=")
    (warning,) = check_label_studio_paths([root / "top.jpg", root / "photos" / "x.jpg"], options)
    assert warning.startswith("1 image is directly in the Label Studio document root")
    assert label_studio_image_url(str(root / "top.jpg"), options) == "/data/local-files?d=top.jpg"
    # Under a folder of the prefix, it is in a sub-folder.
    options = LabelStudioOptions(document_root=root, url_prefix="/data/local-files?d=photos")
    assert check_label_studio_paths([root / "top.jpg"], options) == []


def test_label_writes_the_scheme_and_warns_of_the_root_as_for_the_usual_spellings(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_images(Path("root/photos"), 1)
    write_images(Path("root"), 1)  # directly in the root
    Path("classes.txt").write_text("cat\ndog\n")
    label = ("label", "root", "-c", "classes.txt", "-m", tiny_clip, "-f", "label-studio")
    cloud = run(*label, "--ls-url-prefix", "S3://bucket/x", "-o", "s3.json")
    assert cloud.exit_code == 0, cloud.output
    images = sorted(task["data"]["image"] for task in json.loads(Path("s3.json").read_text()))
    assert all(image.startswith("s3://bucket/x/root/") for image in images), images
    local = run(
        *label, "--ls-document-root", "root", "--ls-url-prefix", "/data/local-files?d=", "-o", "-"
    )
    assert local.exit_code == 0, local.output
    assert "warning: 1 image is directly in the Label Studio document root" in local.stderr
