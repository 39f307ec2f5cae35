"""`zsl hubness --json` writes a pinned document: every key, in its order, with its values.

The document is compared as text with tests/golden/hubness_document.json, written by the CLI on
a generated shape set with the bundled shapes-demo model, a truth CSV that leaves an image out
and names one that is not there, classes the class list lacks (which makes a hub of a class
near them), a file that cannot be read, a seen list and `-k`: every key the document can hold.
Only what differs from one machine or day to another is masked: the run's start time, working
folder, versions and device.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zsl_cli.cli import app
from zsl_cli.demo.imageset import make_image_set
from zsl_cli.writers import write_json_file

GOLDEN = Path(__file__).parent / "golden" / "hubness_document.json"
MASKED = "<varies>"
# The colours whose classes the class list leaves out: their images count as wrong, as zsl
# evaluate counts them, and most of them go to one listed class, a hub.
UNLISTED = ("orange", "purple")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to measure: the shape set, its class list less the UNLISTED colours, a truth CSV
    and a broken image. Paths are relative to the folder, which the tests run in."""
    root = tmp_path_factory.mktemp("hubness_report")
    shapes = make_image_set(root / "set", seed=88, per_class=2).root
    classes = (shapes / "classes.txt").read_text().splitlines()
    (root / "classes.txt").write_text(
        "".join(f"{c}\n" for c in classes if not c.startswith(UNLISTED))
    )
    (shapes / "broken.png").write_bytes(b"not a png")
    images = sorted(shapes.glob("*/*.png"))
    rows = [f"{p.relative_to(root).as_posix()},{p.parent.name}" for p in images[1:]]
    rows += ["set/broken.png,red circle", "set/gone.png,blue square"]
    (root / "truth.csv").write_text("path,label\n" + "".join(f"{row}\n" for row in rows))
    return root


def _masked(document: dict) -> dict:
    run_info = document["run"]
    for key in ("started_at", "version", "cwd", "versions"):
        run_info[key] = MASKED
    run_info["model"]["device"] = MASKED
    return document


def write_masked_document(out: Path) -> str:
    """Run `zsl hubness --json OUT` in the measured folder (the working folder), then rewrite OUT
    masked, with the same writer: its text compares the key order, the values and the layout."""
    args = ["set", "-c", "classes.txt", "-m", "shapes-demo", "--truth", "truth.csv", "-k", 2]
    result = run("hubness", *args, "--seen", "set/seen.txt", "--json", out, "-q")
    assert result.exit_code == 0, result.stderr
    write_json_file(out, _masked(json.loads(out.read_text())))
    return out.read_text()


def test_hubness_json_document_is_the_pinned_one(measured, tmp_path, monkeypatch):
    monkeypatch.chdir(measured)
    assert write_masked_document(tmp_path / "hubness.json") == GOLDEN.read_text()
