"""The README's recipes for the standard zero-shot benchmarks, run as the README writes them:
each code block is taken from README.md itself and run with bash on small files in the
datasets' own formats."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.test_evaluate_benchmark_truths import labelled_run
from tests.test_evaluate_hubness_cli import run

README = Path(__file__).resolve().parents[1] / "README.md"

# `zsl` in a recipe is this checkout's, with the bundled model: no recipe names one, and a test
# fetches none.
ZSL = f"""set -e -o pipefail
zsl() {{
  if [ "$1" = label ]; then {sys.executable} -m zsl_cli "$@" -m shapes-demo
  else {sys.executable} -m zsl_cli "$@"; fi
}}
"""


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n### {title}\n")
    end = re.search(r"\n##+ ", text[start + 1 :])
    assert end is not None
    return text[start : start + 1 + end.start()]


def code_block(text: str, marker: str) -> str:
    """The one fenced block of `text` that holds `marker`."""
    blocks = [b for b in re.findall(r"\n```\n(.*?)\n```\n", text, re.S) if marker in b]
    assert len(blocks) == 1, (marker, blocks)
    return blocks[0]


def recipe(marker: str) -> str:
    return code_block(section("Standard zero-shot benchmarks"), marker)


def run_recipe(script: str, folder: Path) -> str:
    """Runs `script` with bash in `folder`; returns its stderr, after checking that it ran to its
    end and that no step warned."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1"}
    done = subprocess.run(
        ["bash", "-c", ZSL + script], cwd=folder, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr
    return done.stderr


def prompts(*options: object) -> dict[str, dict[str, float]]:
    """Each class's prompts and their weights, as `zsl label --show-prompts` prints them."""
    result = run("label", *options, "--show-prompts")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr
    shown: dict[str, dict[str, float]] = {}
    for row in csv.DictReader(io.StringIO(result.stdout)):
        shown.setdefault(row["class"], {})[row["prompt"]] = float(row["weight"])
    return shown


def evaluated(predictions: Path, *options: object) -> dict:
    result = run("evaluate", predictions, *options, "--json", "-", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["unmatched"]["predictions"]["count"] == 0, data["unmatched"]
    assert data["unmatched"]["truth"]["count"] == 0, data["unmatched"]
    return data


def write_image(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (40, 48, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, format="JPEG")


def attribute_weights(row: list[float], phrases: list[str], template: str) -> dict[str, float]:
    """The prompts and weights of an attribute row, as README's formula gives them: each weight
    over the sum of the row's absolute values, an attribute weighed 0 left out."""
    total = sum(abs(w) for w in row)
    return {template.format(p): w / total for p, w in zip(phrases, row, strict=True) if w}


def assert_weights(shown: dict[str, float], expected: dict[str, float]) -> None:
    assert shown.keys() == expected.keys()
    for prompt, weight in expected.items():
        assert shown[prompt] == pytest.approx(weight, rel=1e-6), prompt


SUN397 = {
    "/a/abbey": "abbey",
    "/a/apartment_building/outdoor": "apartment building outdoor",
    "/b/bistro/indoor": "bistro indoor",
}


def sun397_archive(folder: Path) -> dict[str, str]:
    """SUN397 as its archive unpacks into `folder`: ClassName.txt and README.txt beside the letter
    folders, two images in each class's folder. Returns each image's path and class."""
    root = folder / "SUN397"
    root.mkdir()
    (root / "ClassName.txt").write_text("".join(f"{path}\n" for path in SUN397))
    (root / "README.txt").write_text("The SUN397 database.\n")
    truth = {}
    for n, class_folder in enumerate(SUN397):
        for i in range(2):
            image = f"SUN397{class_folder}/sun_a{n}{i}.jpg"
            write_image(folder / image, 2 * n + i)
            truth[image] = SUN397[class_folder]
    return truth


def written_truth(path: Path) -> dict[str, str]:
    with open(path, newline="") as written:
        return {row["path"]: row["label"] for row in csv.DictReader(written)}


def test_sun397_truth_command_leaves_out_the_files_beside_the_letter_folders(tmp_path, monkeypatch):
    # ClassName.txt and README.txt were rows with an empty label: "truth.csv, line 4: the label
    # is empty", exit 2, for the README's command and evaluate's hint alike.
    truth = sun397_archive(tmp_path)
    monkeypatch.chdir(tmp_path)
    command = code_block(section("Evaluating and hubness"), "find SUN397")
    run_recipe(command, tmp_path)
    assert written_truth(tmp_path / "truth.csv") == truth
    predictions = labelled_run(
        tmp_path / "p.jsonl",
        [(Path(p).resolve(), n) for p, n in truth.items()],
        list(SUN397.values()),
    )
    result = run("evaluate", predictions, "--truth", "SUN397")
    assert result.exit_code == 2
    assert f"e.g. `{command}`)" in result.stderr  # the hint gives the README's command
    # Given SUN397/a, the hint's command labels that letter's images.
    result = run("evaluate", predictions, "--truth", "SUN397/a", "--json", "-", "-q")
    (warning,) = json.loads(result.stdout)["warnings"]
    (tmp_path / "truth.csv").unlink()
    run_recipe(warning.split("e.g. `")[1].split("`)")[0], tmp_path)
    assert written_truth(tmp_path / "truth.csv") == {
        p: n for p, n in truth.items() if p.startswith("SUN397/a/")
    }
