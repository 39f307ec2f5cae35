"""Prompt and template mistakes, through the real CLI and a tiny CLIP saved to disk."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import read_jsonl, run, write_images


def test_a_template_file_named_with_braces_is_read_as_the_file(tiny_clip, tmp_path, monkeypatch):
    # Its name was used as a literal template ("tmplcircle.txt" the prompt), and the run info
    # gave that name as if the file had been read.
    monkeypatch.chdir(tmp_path)
    write_images(tmp_path / "images", 3)
    Path("classes.txt").write_text("circle\nsquare\nstar\n")
    Path("tmpl{}.txt").write_text("a photo of a {}.\nart of the {}.\n")
    Path("plain.txt").write_text("a photo of a {}.\nart of the {}.\n")
    base = ("label", "images", "-c", "classes.txt", "-m", tiny_clip, "-k", "0", "-f", "jsonl")
    braced = run(*base, "-t", "tmpl{}.txt", "-o", "braced.jsonl")
    plain = run(*base, "-t", "plain.txt", "-o", "plain.jsonl")
    assert braced.exit_code == 0 and plain.exit_code == 0, braced.stderr + plain.stderr
    assert "warning" not in braced.stderr
    info = json.loads(Path("braced.jsonl.run.json").read_text())["classes"]
    assert info["templates"] == "tmpl{}.txt"
    assert (
        info["prompts_hash"]
        == json.loads(Path("plain.jsonl.run.json").read_text())["classes"]["prompts_hash"]
    )
    scores = [row["top_k"] for row in read_jsonl(Path("braced.jsonl").read_text())]
    assert scores == [row["top_k"] for row in read_jsonl(Path("plain.jsonl").read_text())]


def test_prompt_mistakes_are_warned_of_on_stderr(tiny_clip, tmp_path):
    write_images(tmp_path / "images", 2)
    classes = tmp_path / "semi.txt"
    classes.write_text(
        "circle: a photo of a {}; taken at night\nsquare: a photo of a {}; taken at night\n"
        "star: a photo of a %s\n"
    )
    result = run("label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert f"{classes}:1: prompt 'taken at night' is a prompt of every class" not in result.stderr
    assert f"{classes}:3: prompt 'a photo of a %s' holds '%s'" in result.stderr
    classes.write_text(
        "circle: a photo of a {}; taken at night\nsquare: a photo of a {}; taken at night\n"
    )
    result = run("label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert f"{classes}:1: prompt 'taken at night' is a prompt of every class" in result.stderr
