"""`zsl embed`'s options as the library gets them, and its exit status: each option's value
reaches the request unchanged, and every way an image can fail fails the run under --strict."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import run, spy_on_api, write_images
from zsl_cli import api
from zsl_cli.cli import app


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Three images under photos, in the current folder."""
    write_images(tmp_path / "photos", 3)
    monkeypatch.chdir(tmp_path)
    return tmp_path


EMBED = ["embed", "photos", "-s", "s.zsl", "-m", "shapes-demo"]


def test_every_option_reaches_the_request_as_given(world, monkeypatch):
    requests = spy_on_api(monkeypatch, "embed")
    result = run(
        *EMBED, "--dtype", "float16", "--export", "e.npy", "--json", "j.json", "--forget-missing",
        "-b", "3", "-j", "2", "--exact-preprocessing", "--device", "cpu", "--precision", "float32",
        "--max-pixels", "5000", "--include-hidden", "--ext", "png,jpg", "--ext", "bmp", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == result.stderr == ""
    (request,) = requests
    assert (request.store, request.dtype, request.export, request.json_out) == (
        "s.zsl",
        "float16",
        "e.npy",
        "j.json",
    )
    assert request.forget_missing is True
    assert request.inputs == api.InputOptions(
        paths=("photos",),
        stdin=None,
        nul_separated=False,
        extensions=("png", "jpg", "bmp"),
        include_hidden=True,
        max_pixels=5000,
    )
    model = request.model
    assert (model.name, model.device, model.precision) == ("shapes-demo", "cpu", "fp32")
    assert (model.batch_size, model.workers) == (3, 2)
    assert (model.exact_preprocessing, model.trust_remote_code, model.revision) == (
        True,
        False,
        None,
    )
    summary = json.loads(Path("j.json").read_text())
    assert (summary["found"], summary["encoded"], summary["exported"]) == (3, 3, 3)
    assert Path("e.npy").is_file() and Path("e.npy.paths.csv").is_file()


def test_a_run_without_options_uses_the_defaults(world, monkeypatch):
    requests = spy_on_api(monkeypatch, "embed")
    result = run(*EMBED, "-q")
    assert result.exit_code == 0, result.stderr
    (request,) = requests
    assert (request.dtype, request.export, request.json_out) == (None, None, None)
    assert request.forget_missing is False
    model = request.model
    assert (model.device, model.precision, model.batch_size, model.workers) == (
        "auto",
        "auto",
        None,
        None,
    )
    assert not model.exact_preprocessing and not model.trust_remote_code
    assert request.inputs.extensions is None and request.inputs.max_pixels is None
    assert not request.inputs.include_hidden and not request.inputs.nul_separated


def test_the_null_list_and_remote_code_reach_the_request(world, monkeypatch):
    requests = spy_on_api(monkeypatch, "embed")
    listed = b"photos/img_000.png\0photos/img_002.png\0"
    args = ["embed", "-", "-0", "-s", "s.zsl", "-m", "shapes-demo", "--trust-remote-code"]
    result = CliRunner().invoke(app, [*args, "--json", "-", "-q"], input=listed)
    assert result.exit_code == 0, result.stderr
    (request,) = requests
    assert request.inputs.paths == ("-",) and request.inputs.nul_separated is True
    assert request.model.trust_remote_code is True
    assert json.loads(result.stdout)["encoded"] == 2


def test_a_revision_of_the_bundled_model_is_refused(world):
    result = run(*EMBED, "--revision", "main")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert "--revision" in result.stderr


def test_strict_without_paths_is_refused_before_the_store_is_read(world):
    result = run("embed", "-s", "s.zsl", "--export", "e.npy", "--strict")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        "zsl: error: --strict: without paths no image is scanned, only the store's embeddings "
        "exported\n"
    )
    assert not Path("s.zsl").exists() and not Path("e.npy").exists()
    # With paths it is what it says: a clean run exits 0.
    assert run(*EMBED, "--strict", "-q").exit_code == 0


def test_no_paths_and_no_export_is_refused(world):
    result = run("embed", "-s", "s.zsl", "-m", "shapes-demo")
    assert result.exit_code == 2
    assert result.stderr == (
        "zsl: error: no images given: pass folders/files, or '-' for a path list on stdin, or "
        "--export FILE (to export what the store holds)\n"
    )
    assert not Path("s.zsl").exists()


def test_every_kind_of_unusable_image_fails_the_run_only_under_strict(world):
    broken = Path("photos/broken.png")
    broken.write_bytes(b"not a png at all")
    # Failed in this run.
    assert run(*EMBED, "--strict", "-q").exit_code == 1
    # Stored as failed, and reused as such.
    again = run(*EMBED, "--json", "-", "--strict", "-q")
    report = json.loads(again.stdout)
    assert (report["failed"], report["reused_failed"], report["unreachable"]) == (0, 1, 0)
    assert again.exit_code == 1
    assert run(*EMBED, "-q").exit_code == 0
    # A path found that is no file to read: a broken link.
    broken.unlink()
    os.symlink("nowhere.png", "photos/gone.png")
    linked = run(*EMBED, "--json", "-", "--strict", "-q")
    report = json.loads(linked.stdout)
    assert (report["failed"], report["reused_failed"], report["unreachable"]) == (0, 0, 1)
    assert linked.exit_code == 1
    assert run(*EMBED, "-q").exit_code == 0
    os.unlink("photos/gone.png")
    assert run(*EMBED, "--strict", "-q").exit_code == 0


def test_a_run_where_no_image_can_be_used_exits_1_and_says_so(world):
    for image in Path("photos").iterdir():
        image.write_bytes(b"not a png at all")
    result = run(*EMBED)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "No image embedded: none of the 3 images found can be used"
    )
    # Run again, the stored failures are reused: still none usable.
    result = run(*EMBED, "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "No image embedded: none of the 3 images found can be used (3 stored failures reused)"
    ]


def test_the_summary_goes_to_stderr_and_quiet_keeps_it_off(world):
    said = run(*EMBED)
    assert said.exit_code == 0 and said.stdout == ""
    assert said.stderr.startswith("Embedded into s.zsl in ")
    assert "3 images found, 3 encoded, 0 reused, 0 removed" in said.stderr
    quiet = run(*EMBED, "-q")
    assert quiet.exit_code == 0 and quiet.stdout == quiet.stderr == ""
