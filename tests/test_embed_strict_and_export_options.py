"""`zsl embed --strict` exits 1 where a path could not be read at all, and its help, README and
last summary line say so; an export without paths warns of the model options it does not use."""

from __future__ import annotations

from pathlib import Path

import typer

from tests.helpers import embedded, run, write_images
from zsl_cli import api
from zsl_cli.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def option_help(command: str, name: str) -> str:
    """The help of `command`'s parameter `name`, its lines joined."""
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    text = next(p.help for p in commands[command].params if p.name == name)
    return " ".join(text.split())


def test_embed_strict_help_and_readme_count_a_path_not_read_at_all():
    assert "broken link" in option_help("embed", "strict")
    readme = " ".join(README.read_text(encoding="utf-8").split())
    exit_codes = readme.split("### Exit codes", 1)[1].split("- 2:", 1)[0]
    assert "broken link" in exit_codes and "unreachable" in exit_codes
    store_section = readme.split("`embed --strict` exits 1", 1)[1][:200]
    assert "broken link" in store_section or "unreachable" in store_section


def test_embed_strict_says_why_it_exits_1_where_no_image_failed(tiny_clip, tmp_path):
    # failed: 0, and exit 1: the summary told the link apart from the failures, and nothing
    # said the link was what failed the run.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    (images / "dead.png").symlink_to("nowhere.png")
    embedded(images, store, tiny_clip)  # without --strict: exit 0
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--strict")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "--strict" in last and "1 path could not be read at all" in last, result.stderr
    plain = run("embed", images, "--store", store, "-m", tiny_clip)
    assert plain.exit_code == 0 and "--strict" not in plain.stderr
    quiet = run("embed", images, "--store", store, "-m", tiny_clip, "--strict", "-q")
    assert quiet.exit_code == 1 and quiet.stderr.splitlines() == [last]  # why, alone


def test_embed_strict_names_stored_failures_it_exits_1_for(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    (images / "broken.png").write_bytes(b"not an image")
    embedded(images, store, tiny_clip)
    result = run("embed", images, "--store", store, "-m", tiny_clip, "--strict")
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "--strict" in last and "1 stored failure" in last, result.stderr


def test_export_only_embed_warns_of_the_model_options_that_change_nothing(tiny_clip, tmp_path):
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    embedded(images, store, tiny_clip)
    export = tmp_path / "v.npy"
    args = ("embed", "--store", store, "-m", tiny_clip, "--export", export)
    result = run(*args, "--precision", "fp32", "--device", "cpu")
    assert result.exit_code == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "--precision" in line]
    assert len(warned) == 1 and "--device" in warned[0], result.stderr
    assert "without paths" in warned[0]
    assert "warning" not in run(*args).stderr
    readme = " ".join(README.read_text(encoding="utf-8").split())
    listed = readme.split("and scans nothing", 1)[1][:400]
    assert "--forget-missing" in listed and "--precision" in listed and "--device" in listed


def test_export_only_embed_reports_the_model_options_that_change_nothing(tiny_clip, tmp_path):
    # The library's report tells them, as it tells -b and -j: not the command line alone.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    embedded(images, store, tiny_clip)
    model = api.ModelOptions(name=str(tiny_clip), precision="fp32", batch_size=4)
    report = api.embed(api.EmbedRequest(store=store, export=tmp_path / "v.npy", model=model))
    assert report.exported == 2
    [ignored] = report.warnings
    assert ignored.startswith("--batch-size, --precision: without paths")


def test_export_only_embed_loads_the_model_on_the_cpu_whatever_device_was_given(
    tiny_clip, tmp_path
):
    # It only reads the store's vectors: --device cuda on a machine without one is told it
    # changes nothing, not refused after that warning.
    images, store = tmp_path / "images", tmp_path / "photos.zsl"
    write_images(images, 2)
    embedded(images, store, tiny_clip)
    model = api.ModelOptions(name=str(tiny_clip), device="cuda:7")
    report = api.embed(api.EmbedRequest(store=store, export=tmp_path / "v.npy", model=model))
    assert report.exported == 2
    assert report.warnings[0].startswith("--device: without paths no image is decoded")
