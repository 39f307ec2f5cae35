"""`zsl label` end to end: real models saved to disk, real image files, the real CLI."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from typer.testing import CliRunner

from tests.corpus import write_bad_files, write_odd_images

# Other test files imported these from here: they are still importable from here.
from tests.helpers import (
    SAYS_WHEN_ENCODING,  # noqa: F401 (no longer used here)
    SHAPE_CLASSES,
    SLOW_ZSL,
    process_running,
    read_jsonl,
    run,
    wait_for_first_predictions,
    write_images,
)
from tests.pipeline_parity import assert_same_as_pipeline
from tests.terminal import pseudo_terminal, read_until_closed, terminal_bytes, terminal_env
from zsl_cli.cli import app
from zsl_cli.encoders import hf
from zsl_cli.files import sidecar_path
from zsl_cli.records import CSV_COLUMNS

TEMPLATE = "a photo of a {}."


@pytest.fixture()
def classes_file(tmp_path: Path) -> Path:
    path = tmp_path / "classes.txt"
    path.write_text("\n".join(SHAPE_CLASSES) + "\n")
    return path


@pytest.mark.parametrize("model", ["tiny_clip", "tiny_siglip"])
def test_same_answers_as_the_transformers_pipeline(model, request, tmp_path, classes_file):
    paths = write_images(tmp_path / "images", 6)
    model_dir = request.getfixturevalue(model)
    assert_same_as_pipeline(model_dir, paths, classes_file, TEMPLATE, tmp_path / "images")


def test_text_is_encoded_once_per_run(monkeypatch, tiny_clip, tmp_path, classes_file):
    from zsl_cli.encoders.hf import TransformersEncoder

    calls = []
    original = TransformersEncoder.encode_text_chunks  # what a run encodes its prompts with

    def counting(self, texts):
        calls.append(len(texts))
        return original(self, texts)

    monkeypatch.setattr(TransformersEncoder, "encode_text_chunks", counting)
    write_images(tmp_path / "images", 7)
    result = run(
        "label",
        tmp_path / "images",
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "-t",
        "imagenet7",
        "--batch-size",
        "2",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 8  # header + 7 images, in 4 batches
    # The load's one-prompt check (one embedding per text), then the run's prompts, once.
    assert calls == [1, len(SHAPE_CLASSES) * 7]


def test_a_wrong_early_preprocessing_guess_is_thrown_away(
    monkeypatch, tiny_clip, tmp_path, classes_file
):
    """Images start decoding before the model loads, with preprocessing read from its settings;
    if the loaded model preprocesses differently, that work is discarded and redone."""
    import zsl_cli.api
    from zsl_cli.encoders.preprocess import FastPreprocessor

    write_images(tmp_path / "images", 5)
    args = ["label", tmp_path / "images", "-c", classes_file, "-m", tiny_clip, "-f", "jsonl", "-q"]
    expected = run(*args)
    wrong = FastPreprocessor(shortest_edge=5, resize_to=None, crop=(5, 5), resample=0)
    guesses = []
    monkeypatch.setattr(zsl_cli.api, "guess_preprocessor", lambda *a: guesses.append(a) or wrong)
    result = run(*args)
    assert guesses and result.exit_code == 0, result.stderr
    assert read_jsonl(result.stdout) == read_jsonl(expected.stdout)


def test_a_model_that_fails_to_load_stops_the_early_decoding(tiny_clip, tmp_path, classes_file):
    import shutil
    import threading

    write_images(tmp_path / "images", 40)
    broken = tmp_path / "broken-model"
    broken.mkdir()
    shutil.copy(tiny_clip / "preprocessor_config.json", broken)
    (broken / "config.json").write_text('{"model_type": "clip"}')  # no weights
    result = run("label", tmp_path / "images", "-c", classes_file, "-m", broken, "-q")
    assert result.exit_code == 2 and "has no weights file" in result.stderr
    deadline = time.monotonic() + 60  # guards a hang: the threads end at once
    while time.monotonic() < deadline and any(
        t.name.startswith("zsl-decode") for t in threading.enumerate()
    ):
        time.sleep(0.05)
    assert not [t.name for t in threading.enumerate() if t.name.startswith("zsl-decode")]


def test_bad_files_get_statuses_and_never_shift_other_results(tiny_clip, tmp_path, classes_file):
    clean = tmp_path / "clean"
    write_images(clean, 5)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for path in sorted(clean.iterdir()):
        (mixed / path.name).write_bytes(path.read_bytes())
    # Between img_001.png and img_002.png in walk order, so with -b 3 a batch that counted the
    # broken files would encode the good images in passes of other sizes than the clean run.
    expected = write_bad_files(mixed / "img_001b")
    for path in [path for path, status in expected.items() if status == "ok"]:
        path.unlink()  # only files that cannot be labelled join the clean images
        del expected[path]

    alone = run("label", clean, "-c", classes_file, "-m", tiny_clip, "-f", "jsonl", "-b", "3", "-q")
    together = run(
        "label", mixed, "-c", classes_file, "-m", tiny_clip, "-f", "jsonl", "-b", "3", "-q"
    )
    assert alone.exit_code == 0 and together.exit_code == 0, together.stderr
    rows = {r["path"]: r for r in read_jsonl(together.stdout)}
    for row in read_jsonl(alone.stdout):
        other = rows[str(mixed / Path(row["path"]).name)]
        assert {**other, "path": row["path"]} == row  # to the last digit
    for path, status in expected.items():
        if str(path) in rows:  # a folder walk does not return every entry (see corpus docs)
            assert rows[str(path)]["status"] == status, path
            if status != "ok":
                assert rows[str(path)]["label"] == "" and rows[str(path)]["error"]
    assert {r["status"] for r in rows.values()} >= {
        "ok",
        "truncated",
        "empty",
        "not_an_image",
        "too_large",
        "broken_link",
    }


@pytest.mark.parametrize("exact", [False, True])
def test_a_strip_that_resizing_would_blow_up_is_too_large(tiny_clip, tmp_path, classes_file, exact):
    images = tmp_path / "images"
    write_images(images, 1)
    # 4,000 pixels pass --max-pixels, but scaled to the model's 32-pixel shorter side it is
    # 32 x 128,000 = 4.1 MP, which the resize would allocate before cropping.
    Image.new("RGB", (4000, 1), (200, 40, 40)).save(images / "strip.png")
    options = ["--max-pixels", "1000000", "-f", "jsonl", "-q"]
    options += ["--exact-preprocessing"] if exact else []
    result = run("label", images, "-c", classes_file, "-m", tiny_clip, *options)
    assert result.exit_code == 0, result.stderr
    rows = {Path(r["path"]).name: r for r in read_jsonl(result.stdout)}
    assert rows["img_000.png"]["status"] == "ok"
    assert rows["strip.png"]["status"] == "too_large"
    assert rows["strip.png"]["error"].startswith("4000x1 is so elongated that resizing it")
    # A limit below the model's own input size does not refuse a small image that fits it.
    Image.new("RGB", (10, 10), (40, 200, 40)).save(tmp_path / "small.png")
    options[1] = "500"
    small = run("label", tmp_path / "small.png", "-c", classes_file, "-m", tiny_clip, *options)
    assert small.exit_code == 0 and read_jsonl(small.stdout)[0]["status"] == "ok", small.stdout


def test_names_with_brackets_are_printed_as_they_are(tiny_clip, tmp_path):
    # Summaries are rich text on stderr/stdout: a class or path like "[/]" or "[bold]" must
    # show as written, not be taken for markup (or crash the run after its output is written).
    classes = tmp_path / "classes.txt"
    classes.write_text("[bold]dog\ncat [i]\nfox [/]\n")
    truth = tmp_path / "set [/]"  # a path holding "[/]"; class folders cannot hold a slash
    for index, name in enumerate(("[bold]dog", "cat [i]")):
        write_images(truth / name, 2, seed=index)
    output = tmp_path / "out [/].jsonl"
    labelled = run("label", truth, "-c", classes, "-m", tiny_clip, "-o", output, "-k", "0")
    assert labelled.exit_code == 0, labelled.stderr
    shown = {row["label"] for row in read_jsonl(output.read_text())}
    assert all(name in labelled.stderr for name in shown)
    assert f"Predictions: {output}" in labelled.stderr
    evaluated = run("evaluate", output, "--truth", truth)
    assert evaluated.exit_code == 0, evaluated.stderr
    assert "cat [i]" in evaluated.stdout and "[bold]dog" in evaluated.stdout
    hubness = run("hubness", truth, "-c", classes, "-m", tiny_clip, "-k", "1")
    assert hubness.exit_code == 0, hubness.stderr
    store = truth / "[bold]store.zsl"
    embedded = run("embed", truth, "--store", store, "-m", tiny_clip)
    assert embedded.exit_code == 0 and f"Embedded into {store}" in embedded.stderr


def test_names_with_emoji_codes_are_printed_as_they_are(tiny_clip, tmp_path):
    # rich turns ":cat:" into a cat by default: a summary would misname the output file, and the
    # table that is evaluate's output would misname the class.
    descriptions = tmp_path / "descriptions.json"
    descriptions.write_text(json.dumps({":cat: x": ["fur"], "dog :smile:": ["a tail"]}))
    truth = tmp_path / "truth"
    for index, name in enumerate((":cat: x", "dog :smile:")):
        write_images(truth / name, 2, seed=index)
    output = tmp_path / ":thumbs_up: out.jsonl"
    labelled = run("label", truth, "--descriptions", descriptions, "-m", tiny_clip, "-o", output)
    assert labelled.exit_code == 0, labelled.stderr
    assert f"Predictions: {output}" in labelled.stderr
    shown = {row["label"] for row in read_jsonl(output.read_text())}
    assert all(name in labelled.stderr for name in shown)
    evaluated = run("evaluate", output, "--truth", truth)
    assert evaluated.exit_code == 0, evaluated.stderr
    assert ":cat: x" in evaluated.stdout and "dog :smile:" in evaluated.stdout


def test_classes_the_model_cannot_tell_apart_are_reported(tiny_clip, tmp_path):
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 2)
    # Prompts alike once tokenized under two names ("CAT" and "cat", to a tokenizer that
    # lowercases): the same text would be the class file's warning, before any model.
    classes.write_text("cat\nkitty: a photo of a CAT.\ndog\n")
    output = tmp_path / "out.csv"
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", output)
    assert result.exit_code == 0, result.stderr
    assert "warning: the model cannot tell 'cat' and 'kitty' apart" in result.stderr
    info = json.loads((tmp_path / "out.csv.run.json").read_text())
    assert info["classes"]["indistinguishable"] == [["cat", "kitty"]]


def test_classes_the_model_cannot_tell_apart_score_alike_to_the_bit(tiny_clip, tmp_path):
    # Upper-case copies of some classes (the tokenizer lowercases) at places in a long list where
    # the ensemble's mix and the similarities' matrix product rounded them differently.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 16)
    names = [f"thing{i}" for i in range(120)]
    pairs = [(1, 0), (17, 3), (64, 5), (110, 100), (119, 7), (90, 89)]
    for copy, original in pairs:
        names[copy] = names[original].upper()
    classes.write_text("\n".join(names) + "\n")
    args = ("-m", tiny_clip, "-t", "imagenet7", "-k", "0", "-f", "jsonl", "-q")
    result = run("label", images, "-c", classes, *args)
    assert result.exit_code == 0, result.stderr
    rows = read_jsonl(result.stdout)
    assert len(rows) == 16  # the checks below are per row
    for row in rows:
        scores = {entry["label"]: entry["score"] for entry in row["top_k"]}
        for copy, original in pairs:
            assert scores[names[copy]] == scores[names[original]], (row["path"], names[copy])
        ranked = [entry["score"] for entry in row["top_k"]]
        assert ranked == sorted(ranked, reverse=True)  # best first
        # Ties in class order. Not asked of every score written alike: two classes that differ
        # in the 8th digit are written alike, and rightly ranked by what they were.
        place = {entry["label"]: index for index, entry in enumerate(row["top_k"])}
        for pair in pairs:
            first, second = sorted(pair)
            assert place[names[first]] < place[names[second]], (row["path"], names[second])


def test_prompts_longer_than_the_text_model_reads_are_reported(tiny_clip, tmp_path):
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 2)
    long_prompt = "a photo of a cat " + "with a very long tail " * 40
    classes.write_text(f"cat: {long_prompt}\ndog\nbird: a bird; {long_prompt}and a bird\n")
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "cut short" in line)
    assert warning.startswith("warning: 2 class prompts are longer than the model reads")
    assert "tokens) and cut short (the run info lists them), the first: 'a photo of a cat with" in (
        warning
    )
    info = json.loads((tmp_path / "out.csv.run.json").read_text())["classes"]
    assert info["prompts_cut_short"] == [long_prompt.strip(), f"{long_prompt}and a bird"]
    classes.write_text(f"cat: {long_prompt[:60]}\ndog\n")
    short = run("label", images, "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.csv")
    assert short.exit_code == 0 and "cut short" not in short.stderr, short.stderr


def test_classes_the_model_cannot_tell_apart_at_all_are_refused(tiny_clip, tmp_path):
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 2)
    classes.write_text("cat\nkitty: a photo of a CAT.\n")
    output = tmp_path / "out.csv"
    for command in (["label", "-o", output], ["hubness"]):
        result = run(*command, images, "-c", classes, "-m", tiny_clip)
        assert result.exit_code == 2, result.stderr
        assert "cannot tell any of the 2 classes apart" in result.stderr
    assert not output.exists()


def test_many_groups_of_classes_alike_are_warned_of_in_a_few_lines(tiny_clip, tmp_path):
    # 300 "thing N"/"THING N" pairs (the tokenizer lowercases) were 300 warning lines.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 1)
    classes.write_text("".join(f"thing {i}\nTHING {i}\n" for i in range(300)))
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "cannot tell" in line]
    assert len(warnings) == 6 and "295 more groups" in warnings[-1], warnings
    info = json.loads((tmp_path / "out.csv.run.json").read_text())
    assert len(info["classes"]["indistinguishable"]) == 300


def test_classes_alike_only_once_cut_short_are_refused_for_that(tiny_clip, tmp_path):
    # Names that differ only past what the text model reads were blamed on the tokenizer.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 1)
    start = "a cat " * 80
    classes.write_text(f"{start}one\n{start}two\n{start}three\n")
    result = run("label", images, "-c", classes, "-m", tiny_clip)
    assert result.exit_code == 2, result.stderr
    assert "cannot tell any of the 3 classes apart" in result.stderr
    assert "cut short" in result.stderr and result.stderr.count("\n") == 1


def test_one_class_under_a_softmax_is_warned_of(tiny_clip, tiny_siglip, tmp_path):
    # A softmax over one class gives every image 1.0: --threshold abstained on none, silently.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 2)
    classes.write_text("cat\n")
    for model, warned in ((tiny_clip, True), (tiny_siglip, False)):
        result = run("label", images, "-c", classes, "-m", model, "-f", "jsonl", "-t", "bare")
        assert result.exit_code == 0, result.stderr
        assert ("every image scores 1" in result.stderr) is warned, result.stderr
        scores = [row["score"] for row in read_jsonl(result.stdout)]
        assert (scores == [1.0, 1.0]) is warned


def test_a_header_line_in_the_class_file_is_warned_of(tiny_clip, tmp_path):
    # "class" over the class names was labelled as one more class, without a word.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 1)
    classes.write_text("class\ncat\ndog\n")
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.stderr
    assert "the first class is 'class'; if that line is a header, remove it" in result.stderr


@pytest.mark.parametrize("command", ["label", "hubness"])
def test_class_file_warnings_show_before_the_images_are_encoded(
    tiny_clip, tmp_path, command, monkeypatch
):
    # They came after the summary: labelling 100,000 images, an hour after a typo could be fixed.
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 3)
    classes.write_text("red_circle\nblue_square\ncat\nkitty: a photo of a CAT.\n")
    args = [command, images, "-c", classes, "-m", tiny_clip, "-b", "1"]
    if command == "label":
        args += ["-o", tmp_path / "out.csv"]
    # In this process: each image batch says so on the stderr the warnings go to.
    encode = hf.TransformersEncoder.encode_images

    def says(self, pixels):
        sys.stderr.write("ENCODING IMAGES\n")
        return encode(self, pixels)

    monkeypatch.setattr(hf.TransformersEncoder, "encode_images", says)
    done = run(*args)
    assert done.exit_code == 0, done.stderr
    encoding = done.stderr.index("ENCODING IMAGES")
    for warning in ("join their words with '_'", "cannot tell 'cat' and 'kitty' apart"):
        assert done.stderr.count(warning) == 1, done.stderr  # shown once, not again at the end
        assert done.stderr.index(warning) < encoding, done.stderr
    if command == "label":
        assert "Labelled 3 of 3 images" in done.stderr


def test_warnings_shown_early_are_not_shown_again_and_quiet_shows_none(
    tiny_clip, tmp_path, monkeypatch
):
    images, classes = tmp_path / "images", tmp_path / "classes.txt"
    write_images(images, 2)
    classes.write_text("red_circle\nblue_square\n")
    monkeypatch.chdir(tmp_path)
    result = run("label", images, "-c", classes, "-m", tiny_clip, "-o", "out.csv")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("warning: ") == 1
    assert result.stderr.index("warning: ") < result.stderr.index("Labelled 2 of 2")
    quiet = run("label", images, "-c", classes, "-m", tiny_clip, "-o", "out.csv", "-q")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_odd_images_label_like_their_clean_originals(tiny_clip, tmp_path, classes_file):
    odd = write_odd_images(tmp_path / "odd")
    originals = tmp_path / "originals"
    originals.mkdir()
    for name, image in odd.items():
        Image.fromarray(image.expected).save(originals / f"{name}.png")
    result_odd = run(
        "label",
        tmp_path / "odd",  # walked: every one of them has an image extension
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "-f",
        "jsonl",
        "-q",
    )
    result_clean = run("label", originals, "-c", classes_file, "-m", tiny_clip, "-f", "jsonl", "-q")
    assert result_odd.exit_code == 0 and result_clean.exit_code == 0
    by_name = {Path(r["path"]).stem: r for r in read_jsonl(result_clean.stdout)}
    assert len(read_jsonl(result_odd.stdout)) == len(odd)
    for row in read_jsonl(result_odd.stdout):
        name = next(n for n, i in odd.items() if str(i.path) == row["path"])
        assert row["status"] == "ok", row
        assert row["label"] == by_name[name]["label"], name


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        (None, ["-c", "{tmp}/missing.txt"], "class file not found"),
        ("", ["-c", "{tmp}/classes.txt"], "no classes found"),
        ("cat\ncat\n", ["-c", "{tmp}/classes.txt"], "duplicate class 'cat'"),
        ("cat\n", ["-c", "{tmp}/classes.txt", "-t", "no placeholder"], "--templates"),
        (
            "cat\n",
            ["-c", "{tmp}/classes.txt", "-m", "no-such-org/no-such-model"],
            "not available offline",
        ),
        (
            "cat\n",
            ["-c", "{tmp}/classes.txt", "-m", "no-such-org/no-such-model", "--revision", "v3"],
            "(`hf download no-such-org/no-such-model --revision v3`)",
        ),
        (
            "cat\n",
            ["-c", "{tmp}/classes.txt", "-m", "shapes-demo", "--revision", "v3"],
            "--revision v3: a revision chooses a version of a model on the Hugging Face hub",
        ),
        ("cat\n", ["-c", "{tmp}/classes.txt", "-f", "xml"], "format"),
        (
            "cat\n",
            ["-c", "{tmp}/classes.txt", "-f", "label-studio", "-o", "{tmp}/tasks.csv"],
            "--format label-studio writes JSON, but the output",
        ),
        (
            "cat\n",
            ["-c", "{tmp}/classes.txt", "-f", "jsonl", "-o", "{tmp}/p.json"],
            "name it .jsonl or leave --format out",
        ),
        ("cat\n", ["-c", "{tmp}/classes.txt", "--hubness-reduction", "magic"], "hubness"),
        # The shell's `> results/` fails too: a file named "results" is not what was asked for.
        ("cat\n", ["-c", "{tmp}/classes.txt", "-f", "csv", "-o", "{tmp}/results/"], "a folder"),
        ("cat\n", ["-c", "{tmp}/classes.txt", "-0"], "add '-' as a path"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(setup, args, message, tmp_path, tiny_clip):
    write_images(tmp_path / "images", 1)
    if setup is not None:
        (tmp_path / "classes.txt").write_text(setup)
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-m" not in args:
        args += ["-m", str(tiny_clip)]
    result = run("label", tmp_path / "images", *args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert message in result.stderr
    assert result.stdout == ""


def test_no_images_found_is_a_user_error(tmp_path, classes_file, tiny_clip):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not an image")
    for target in (tmp_path / "empty", tmp_path / "does-not-exist"):
        result = run("label", target, "-c", classes_file, "-m", tiny_clip)
        assert result.exit_code == 2 and result.stderr.startswith("zsl: error: ")


def test_threshold_writes_unknown_and_strict_exits_1(tiny_clip, tmp_path, classes_file):
    write_images(tmp_path / "images", 3)
    (tmp_path / "images" / "broken.png").write_bytes(b"not a png")
    result = run(
        "label",
        tmp_path / "images",
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "--threshold",
        "0.99",
        "-f",
        "jsonl",
        "-q",
    )
    assert result.exit_code == 0
    rows = read_jsonl(result.stdout)
    assert [r["label"] for r in rows if r["status"] == "ok"] == ["unknown"] * 3
    assert all(r["top_k"] for r in rows if r["status"] == "ok")
    strict = run(
        "label", tmp_path / "images", "-c", classes_file, "-m", tiny_clip, "--strict", "-q"
    )
    assert strict.exit_code == 1


def test_outputs_files_atomically_with_run_info(tiny_clip, tmp_path, classes_file):
    write_images(tmp_path / "images", 3)
    out = tmp_path / "out" / "predictions.csv"
    result = run(
        "label",
        tmp_path / "images",
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "-o",
        out,
        "--threshold",
        "0.3",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # data went to the file, the summary to stderr
    assert "Predictions: " in result.stderr and str(out) in result.stderr
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "path",
        "label",
        "score",
        "top_k_labels",
        "top_k_scores",
        "status",
        "error",
    ]
    assert len(rows) == 3
    info = json.loads(Path(f"{out}.run.json").read_text())
    assert info["complete"] is True and info["threshold"] == 0.3
    assert info["classes"]["n"] == len(SHAPE_CLASSES) and info["classes"]["hash"]
    assert info["classes"]["names"] == SHAPE_CLASSES
    assert info["model"]["name"] == str(tiny_clip) and info["versions"]["torch"]
    assert info["summary"]["ok"] == 3

    doc = tmp_path / "predictions.json"
    assert (
        run(
            "label", tmp_path / "images", "-c", classes_file, "-m", tiny_clip, "-o", doc, "-q"
        ).exit_code
        == 0
    )
    parsed = json.loads(doc.read_text())
    assert len(parsed["predictions"]) == 3 and parsed["run"]["complete"] is True


def test_a_json_document_over_another_formats_output_removes_its_stale_sidecar(
    tiny_clip, tmp_path, classes_file
):
    write_images(tmp_path / "images", 2)
    out = tmp_path / "out.json"
    base = ["label", tmp_path / "images", "-c", classes_file, "-m", tiny_clip, "-o", out, "-q"]
    studio = ["-f", "label-studio", "--ls-document-root", tmp_path]
    assert run(*base, *studio).exit_code == 0
    assert Path(f"{out}.run.json").is_file()
    assert run(*base).exit_code == 0  # json: the run info is inside the document
    assert not Path(f"{out}.run.json").exists()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_output_whose_run_info_file_is_an_input_is_refused(
    tiny_clip, tmp_path, classes_file, fmt
):
    # csv writes its run info over <output>.run.json; json removes it as stale: either would
    # destroy a class file of that name.
    write_images(tmp_path / "images", 1)
    out = tmp_path / f"out.{fmt}"
    classes = Path(f"{out}.run.json")
    classes.write_bytes(Path(classes_file).read_bytes())
    result = run("label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-o", out)
    assert result.exit_code == 2 and "is an input of this run" in result.stderr
    assert classes.read_bytes() == Path(classes_file).read_bytes() and not out.exists()


def test_an_output_named_like_a_built_in_template_set_is_no_input(
    tiny_clip, tmp_path, classes_file, monkeypatch
):
    # `-t default` is the built-in set even where a file `default` exists, so writing the
    # predictions to that file destroys no input of the run.
    write_images(tmp_path / "images", 1)
    monkeypatch.chdir(tmp_path)
    Path("default").write_text("old predictions\n")
    result = run(
        "label", "images", "-c", classes_file, "-m", tiny_clip, "-f", "csv", "-o", "default"
    )
    assert result.exit_code == 0, result.stderr
    assert Path("default").read_text().startswith("path,label,score")


def test_label_studio_model_version_of_a_model_folder_is_one_however_it_is_typed(
    tiny_clip, tmp_path, classes_file, monkeypatch
):
    # Monday's `-m models/clip` and Tuesday's `-m models/clip/` were two model versions: the
    # project pre-annotated Tuesday's tasks with nothing.
    write_images(tmp_path / "root" / "photos", 1)
    shutil.copytree(tiny_clip, tmp_path / "models" / "clip")
    monkeypatch.chdir(tmp_path)
    versions = set()
    for typed in ("models/clip", "models/clip/", "./models/clip", tmp_path / "models" / "clip"):
        args = ["-f", "label-studio", "--ls-document-root", "root", "-o", "t.json", "-q"]
        result = run("label", "root/photos", "-c", classes_file, "-m", typed, *args)
        assert result.exit_code == 0, result.stderr
        tasks = json.loads(Path("t.json").read_text())
        versions |= {p["model_version"] for t in tasks for p in t["predictions"]}
    (version,) = versions
    assert version.split(":", 1)[1].startswith("clip#") and str(tmp_path) not in version


def test_label_studio_config_of_many_classes_filters_its_choices(tiny_clip, tmp_path):
    from zsl_cli.label_studio import LABEL_STUDIO_CHOICES_WITHOUT_FILTER

    write_images(tmp_path / "root" / "photos", 1)
    classes = [f"kind {n}" for n in range(LABEL_STUDIO_CHOICES_WITHOUT_FILTER + 1)]
    (tmp_path / "classes.txt").write_text("".join(f"{name}\n" for name in classes))
    config = tmp_path / "config.xml"
    args = ["-f", "label-studio", "--ls-document-root", tmp_path / "root", "--ls-config", config]
    args += ["-o", tmp_path / "t.json", "-q"]
    result = run("label", tmp_path / "root", "-c", tmp_path / "classes.txt", "-m", tiny_clip, *args)
    assert result.exit_code == 0, result.stderr
    view = ElementTree.parse(config).getroot()
    assert [choice.get("value") for choice in view.iter("Choice")] == classes
    (box,) = view.iter("Filter")
    assert box.get("toName") == view.find("Choices").get("name") == "choice"


def test_label_studio_tasks_and_refusal_outside_the_root(tiny_clip, tmp_path, classes_file):
    root = tmp_path / "root"
    write_images(root / "photos", 2)
    out = tmp_path / "tasks.json"
    result = run(
        "label",
        root / "photos",
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "-o",
        out,
        "-f",
        "label-studio",
        "--ls-document-root",
        root,
        "--ls-from-name",
        "label",
        "--ls-model-version",
        "tiny clip, run 1",
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    tasks = json.loads(out.read_text())
    assert tasks[0]["data"]["image"] == "/data/local-files/?d=photos/img_000.png"
    prediction = tasks[0]["predictions"][0]
    assert prediction["model_version"] == "tiny clip, run 1"
    assert prediction["result"][0]["from_name"] == "label"
    assert prediction["result"][0]["to_name"] == "image"
    assert prediction["result"][0]["value"]["choices"][0] in SHAPE_CLASSES
    # --ls-config writes a labelling config the tasks fit.
    config = tmp_path / "config.xml"
    args = ["-f", "label-studio", "--ls-document-root", root, "--ls-config", config, "-q"]
    result = run("label", root / "photos", "-c", classes_file, "-m", tiny_clip, "-o", out, *args)
    assert result.exit_code == 0, result.stderr
    view = ElementTree.parse(config).getroot()
    assert [choice.get("value") for choice in view.iter("Choice")] == SHAPE_CLASSES
    assert view.find("Image").get("value") == "$image"
    # A config path that cannot be written fails before the run, and publishes nothing.
    published = out.read_bytes()
    args[-2] = tmp_path / "tasks.json" / "config.xml"  # under a file
    result = run("label", root / "photos", "-c", classes_file, "-m", tiny_clip, "-o", out, *args)
    assert result.exit_code == 2 and out.read_bytes() == published
    if os.path.exists("/dev/full"):
        # A config that fails as it is written (a full disk) leaves the tasks and their run info
        # as they were, where the tasks were published first.
        run_info = sidecar_path(out).read_bytes()
        args[-2] = "/dev/full"
        result = run(
            "label", root / "photos", "-c", classes_file, "-m", tiny_clip, "-o", out, *args
        )
        assert result.exit_code == 2 and "cannot write to '/dev/full'" in result.stderr
        assert out.read_bytes() == published and sidecar_path(out).read_bytes() == run_info
    args[-2] = "-"  # next to tasks on stdout
    result = run("label", root / "photos", "-c", classes_file, "-m", tiny_clip, *args)
    assert result.exit_code == 2 and "--ls-config -: the tasks go to stdout" in result.stderr

    outside = run(
        "label",
        root / "photos",
        "-c",
        classes_file,
        "-m",
        tiny_clip,
        "-o",
        out,
        "-f",
        "label-studio",
        "--ls-document-root",
        tmp_path / "elsewhere",
    )
    assert outside.exit_code == 2 and "zsl: error:" in outside.stderr
    # A file Label Studio cannot serve (directly in the root) does not stop the run: warned.
    (root / "top.png").write_bytes((root / "photos" / "img_000.png").read_bytes())
    args = ["-c", classes_file, "-m", tiny_clip, "-o", out, "-f", "label-studio"]
    result = run("label", root, *args, "--ls-document-root", root)
    assert result.exit_code == 0, result.stderr
    assert "1 image is directly in the Label Studio document root" in result.stderr
    tasks = json.loads(out.read_text())
    assert [t["data"]["image"] for t in tasks][-1] == "/data/local-files/?d=top.png"
    # Label Studio options with another format (`-f label-studio` forgotten) are refused.
    forgot = run("label", root, *args[:-2], "--ls-document-root", root, "--ls-to-name", "img")
    assert forgot.exit_code == 2
    assert forgot.stderr == (
        "zsl: error: --ls-to-name, --ls-document-root: only for label-studio output "
        "(add -f label-studio)\n"
    )
    forgot = run("label", root, *args[:-2], "--ls-config", config)
    assert forgot.exit_code == 2 and "--ls-config: only for label-studio" in forgot.stderr
    forgot = run("label", root, *args[:-2], "--ls-model-version", "v2")
    assert forgot.exit_code == 2 and "--ls-model-version: only for label-studio" in forgot.stderr


def test_non_utf8_file_names_survive_csv_and_jsonl(tiny_clip, tmp_path, classes_file):
    folder = tmp_path / "images"
    write_images(folder, 1)
    raw_name = os.fsencode(folder) + b"/caf\xe9.png"
    with open(raw_name, "wb") as handle:
        handle.write((folder / "img_000.png").read_bytes())
    from zsl_cli.readers import read_predictions

    for fmt in ("csv", "jsonl", "json"):
        out = tmp_path / f"out.{fmt}"
        result = run("label", folder, "-c", classes_file, "-m", tiny_clip, "-o", out)
        assert result.exit_code == 0, result.stderr
        paths = {os.fsencode(p.path) for p in read_predictions(out)}
        assert raw_name in paths, fmt
        # Such a file is not UTF-8 (CSV) or holds \udcXX escapes (JSON), which pandas and DuckDB
        # refuse: the run says so, where it said nothing.
        warning = next(line for line in result.stderr.splitlines() if "not valid UTF-8" in line)
        assert warning.startswith("warning: 1 row names a file in bytes that are not valid UTF-8")
        assert "caf\\xe9.png" in warning and f"{out} holds" in warning
        assert ("surrogateescape" in warning) == (fmt == "csv"), warning
    write_images(tmp_path / "plain", 1)
    result = run("label", tmp_path / "plain", "-c", classes_file, "-m", tiny_clip, "-o", out)
    assert result.exit_code == 0 and "UTF-8" not in result.stderr


def test_class_names_pandas_reads_as_missing_are_warned_of(tiny_clip, tmp_path):
    # After pd.read_csv(...).to_csv(...) such labels were empty, and zsl evaluate counted those
    # images as abstained; nothing warned.
    write_images(tmp_path / "images", 1)
    classes = tmp_path / "classes.txt"
    classes.write_text("cat\nNaN\nnone\nnull\n")  # "none": not pandas' (its is "None")
    result = run(
        "label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-o", tmp_path / "o.csv"
    )
    assert result.exit_code == 0, result.stderr  # warned of, not refused
    assert (
        f"warning: {classes}: 2 class names ('NaN', 'null') are read as missing values by "
        "pandas' read_csv"
    ) in result.stderr
    classes.write_text("cat\ndog\n")
    result = run(
        "label", tmp_path / "images", "-c", classes, "-m", tiny_clip, "-o", tmp_path / "o.csv"
    )
    assert result.exit_code == 0 and "missing value" not in result.stderr


def test_stdin_path_list_and_subprocess_streams(tiny_clip, tmp_path, classes_file):
    paths = write_images(tmp_path / "images", 3)
    listing = b"\0".join(os.fsencode(p) for p in reversed(paths)) + b"\0"
    command = [
        sys.executable,
        "-m",
        "zsl_cli",
        "label",
        "-",
        "-0",
        "-c",
        str(classes_file),
        "-m",
        str(tiny_clip),
        "-f",
        "jsonl",
    ]
    done = subprocess.run(
        command,
        input=listing,
        capture_output=True,
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr.decode()
    rows = read_jsonl(done.stdout.decode())
    assert [r["path"] for r in rows] == [str(p) for p in paths]  # sorted, whatever the input order
    stderr = done.stderr.decode()
    assert "Labelled 3 of 3 images" in stderr and "\x1b[" not in stderr  # NO_COLOR honoured
    assert "{" not in stderr  # no data on stderr


def test_a_path_list_typed_at_the_terminal_is_asked_for(tiny_clip, tmp_path, classes_file):
    # `zsl label -` at a terminal waited without a word for a list nobody knew to type.
    command = [sys.executable, "-m", "zsl_cli", "label", "-", "-c", str(classes_file)]
    with (
        pseudo_terminal() as (controller, terminal),
        subprocess.Popen(
            [*command, "-m", str(tiny_clip)], stdin=terminal, stderr=subprocess.PIPE
        ) as typed,
    ):
        os.close(terminal)
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: the end of the list
        stderr = typed.stderr.read().decode()
        assert typed.wait(timeout=300) == 2
    assert stderr.startswith("zsl: reading image paths from the terminal, one per line; Ctrl-D")
    assert "no paths on stdin" in stderr


LS = ["-f", "label-studio", "--ls-document-root", "."]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["label", "-"], "no classes given"),
        (["hubness", "-"], "no classes given"),
        (["label", "-", "-c", "CLASSES", *LS, "--ls-config", "-"], "--ls-config -"),
        (
            ["label", "-", "-c", "CLASSES", *LS, "-o", "t.json", "--ls-config", "t.json"],
            "-o t.json",
        ),
        (["embed", "-", "-s", "s.zsl", "--dtype", "float64"], "--dtype float64"),
        (
            ["embed", "-", "-s", "s.zsl", "--export", "e.npy", "--json", "e.npy"],
            "--export e.npy and --json e.npy",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else None,
)
def test_a_command_line_error_at_a_terminal_comes_before_asking_for_paths(
    tiny_clip, tmp_path, classes_file, args, error
):
    # `zsl label -` at a terminal said it was reading the path list, then that -c was missing:
    # an error of the command line alone comes first, and nothing is read.
    args = [str(classes_file) if arg == "CLASSES" else arg for arg in args]
    command = [sys.executable, "-m", "zsl_cli", *args, "-m", str(tiny_clip)]
    with (
        pseudo_terminal() as (controller, terminal),
        subprocess.Popen(command, stdin=terminal, stderr=subprocess.PIPE, cwd=tmp_path) as typed,
    ):
        os.close(terminal)
        stderr = typed.stderr.read().decode()
        assert typed.wait(timeout=300) == 2
    assert stderr.startswith("zsl: error: ") and error in stderr
    assert stderr.count("\n") == 1, stderr


def run_at_a_terminal(command: list[str]) -> str:
    """What `command` shows on a terminal of 120 columns that its stdout and stderr both go to."""
    return terminal_bytes(command).decode("utf-8", "replace")


def test_no_progress_bar_runs_into_rows_printed_on_its_terminal(tiny_clip, tmp_path, classes_file):
    # `zsl label photos -c classes.txt` at a terminal (the quickstart's command) printed each
    # row after the bar's last redraw, on its line: "| 0/2 [00:00<?, ?img/s]path,label,score,".
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)

    shown = run_at_a_terminal(command)
    lines = [line.split("\r")[-1] for line in shown.split("\r\n")]
    assert "path,label,score,top_k_labels,top_k_scores,status,error" in lines
    assert sum(line.startswith(str(tmp_path / "images")) for line in lines) == 2
    assert "img/s]" not in shown  # the bar's rate

    # Predictions going elsewhere leave the bar on the terminal.
    assert "img/s]" in run_at_a_terminal([*command, "-o", str(tmp_path / "out.csv")])


def label_two_images_command(tiny_clip, tmp_path, classes_file) -> list[str]:
    """`zsl label` as a subprocess, on a folder of two images it writes."""
    images = tmp_path / "images"
    write_images(images, 2)
    command = [sys.executable, "-m", "zsl_cli", "label", str(images), "-c", str(classes_file)]
    return [*command, "-m", str(tiny_clip)]


# The standard streams closed or full, one case a test (each runs zsl label as a subprocess).


# A full stdout: test_a_full_stdout_is_one_line_and_exit_2_buffered_or_not.


def test_closed_or_full_standard_streams_stdout_reader_gone(tiny_clip, tmp_path, classes_file):
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    # The reader of stdout going away (`| head`) ends the run quietly, killed by SIGPIPE.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as gone:
        gone.stdout.close()
        stderr = gone.stderr.read()
        assert gone.wait(timeout=300) == -signal.SIGPIPE and stderr == b""


def test_closed_or_full_standard_streams_stderr_reader_gone(tiny_clip, tmp_path, classes_file):
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    # Of stderr's reader going away only the summary is lost: the output is whole.
    kept = tmp_path / "kept.csv"
    no_reader = subprocess.Popen(
        [*command, "-o", str(kept)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    no_reader.stderr.close()
    assert no_reader.wait(timeout=300) == -signal.SIGPIPE
    assert len(kept.read_text().splitlines()) == 3


def test_closed_or_full_standard_streams_error_with_stderr_reader_gone(tmp_path, classes_file):
    # An error keeps its own status when its line cannot be written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    missing = [sys.executable, "-m", "zsl_cli", "label", str(tmp_path / "missing")]
    failed = subprocess.run([*missing, "-c", str(classes_file)], stderr=write_end, timeout=300)
    os.close(write_end)
    assert failed.returncode == 2


def test_closed_or_full_standard_streams_stderr_closed(tiny_clip, tmp_path, classes_file):
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    # With stderr closed the run still writes its output (the summary has nowhere to go).
    output = tmp_path / "out.csv"
    closed = subprocess.run(
        [*command, "-o", str(output)], timeout=300, preexec_fn=lambda: os.close(2)
    )
    assert closed.returncode == 0
    assert len(output.read_text().splitlines()) == 3


def test_closed_or_full_standard_streams_output_to_dev_stdout(tiny_clip, tmp_path, classes_file):
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    # -o /dev/stdout writes into what the shell opened (here appending to a log), no rename.
    log = tmp_path / "app.log"
    log.write_text("PREVIOUS\n")
    with open(log, "ab") as appended:
        done = subprocess.run([*command, "-q", "-o", "/dev/stdout"], stdout=appended, timeout=300)
    assert done.returncode == 0
    assert log.read_text().splitlines()[:2] == ["PREVIOUS", ",".join(CSV_COLUMNS)]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("app")) == ["app.log"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
def test_a_full_stdout_is_one_line_and_exit_2_buffered_or_not(
    tiny_clip, tmp_path, classes_file, unbuffered
):
    # What stdout could not take stayed in its buffer, and Python's flush at exit failed on it
    # again: "Exception ignored ... OSError" and exit status 120. PYTHONUNBUFFERED=1 (as this
    # project's machines set it) hid that: there is no buffer.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [*command, "-q"], stdout=full, stderr=subprocess.PIPE, env=env, timeout=300
        )
    assert done.stderr.decode() == "zsl: error: cannot write to stdout: No space left on device\n"
    assert done.returncode == 2


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("unbuffered", [False, True], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("args", [["--help"], ["label", "--help"], ["--version"], []])
def test_help_or_version_into_a_full_stdout_is_one_line_and_exit_2(args, unbuffered):
    # A traceback and status 1, or "Exception ignored ... OSError" and status 120.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "zsl_cli", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env=env,
            timeout=300,
        )
    assert done.stderr.decode() == "zsl: error: cannot write to stdout: No space left on device\n"
    assert done.returncode == 2


@pytest.mark.parametrize("args", [["--help"], ["label", "--help"], ["--version"], [], ["evaluate"]])
def test_help_or_version_into_a_closed_stdout_is_one_line_and_exit_2(args):
    # `zsl --help >&-`: the help went nowhere, without a word, and the exit status was 0.
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli", *args],
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=300,
    )
    assert done.stderr.decode() == "zsl: error: cannot write to stdout: it is closed\n"
    assert done.returncode == 2


def shown_with_stderr_on(controlling: int, stderr: int, command: list[str]) -> subprocess.Popen:
    """`command` started with its stderr on the pty `stderr` and the pty `controlling` as its
    controlling terminal (/dev/tty), which may be the same one; both ends given are closed."""
    terminal_name = os.ttyname(controlling)
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
        env=terminal_env(),
        # Opened by a session leader without one, it becomes the controlling terminal.
        preexec_fn=lambda: os.close(os.open(terminal_name, os.O_RDWR)),
    )
    for end in {controlling, stderr}:
        os.close(end)
    return process


# The size of the terminals the predictions go to under -o /dev/tty.
DEV_TTY_SIZE = (30, 100)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty as controlling terminal")
def test_predictions_into_dev_tty_show_no_progress_bar(tiny_clip, tmp_path, classes_file):
    # -o /dev/tty writes the rows on the terminal stderr shows, which stat shows as a device of
    # its own: the bar ran into them ("| 0/2 [00:00<?, ?img/s]path,label,...").
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    with pseudo_terminal(DEV_TTY_SIZE) as (main_end, terminal_end):
        process = shown_with_stderr_on(terminal_end, terminal_end, [*command, "-o", "/dev/tty"])
        text = read_until_closed(main_end, process).decode()
        assert process.wait(timeout=300) == 0
    assert text.count(".png,") == 2 and "Predictions: /dev/tty" in text
    assert "img/s]" not in text and "prompt/s]" not in text


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty as controlling terminal")
def test_predictions_into_dev_tty_leave_the_bar_on_another_terminal(
    tiny_clip, tmp_path, classes_file
):
    # `-o /dev/tty 2>/dev/pts/N`: the rows go to one terminal, the bar to another, where it runs
    # into nothing; it was left out, as though the rows shared its terminal.
    command = [*label_two_images_command(tiny_clip, tmp_path, classes_file), "-o", "/dev/tty"]
    with (
        pseudo_terminal(DEV_TTY_SIZE) as (rows_end, rows_terminal),
        pseudo_terminal(DEV_TTY_SIZE) as (bar_end, bar_terminal),
    ):
        process = shown_with_stderr_on(rows_terminal, bar_terminal, command)
        bar = read_until_closed(bar_end, process).decode()
        assert process.wait(timeout=300) == 0
        rows = read_until_closed(rows_end, process).decode()
    assert rows.count(".png,") == 2 and ".png," not in bar
    assert "img/s]" in bar and "Predictions: /dev/tty" in bar


def test_stderr_reader_gone_with_stdout_closed_ends_by_sigpipe(tiny_clip, tmp_path, classes_file):
    # `zsl label ... -o out.csv >&- 2> >(head -c 1)`: pointing the closed stdout (None) at
    # /dev/null raised AttributeError, and the run exited 1 (failed images under --strict).
    output = tmp_path / "out.csv"
    command = [*label_two_images_command(tiny_clip, tmp_path, classes_file), "-o", str(output)]
    no_reader = subprocess.Popen(command, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
    no_reader.stderr.close()
    assert no_reader.wait(timeout=300) == -signal.SIGPIPE
    assert len(output.read_text().splitlines()) == 3


def test_a_second_output_into_stdout_is_refused(tiny_clip, tmp_path, classes_file):
    # The tasks go to stdout, and --ls-config /dev/stdout (or the file `>` named) went there as
    # well: the XML after the JSON, exit 0.
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    command += ["-f", "label-studio", "--ls-url-prefix", "http://x/", "-q", "--ls-config"]
    out = tmp_path / "tasks.json"
    for config in ("/dev/stdout", str(out)):
        with open(out, "wb") as stdout:
            done = subprocess.run(
                [*command, config], stdout=stdout, stderr=subprocess.PIPE, cwd=tmp_path
            )
        assert done.returncode == 2 and b"stdout and " in done.stderr, config
    into_pipe = subprocess.run([*command, "/dev/stdout"], capture_output=True, cwd=tmp_path)
    assert into_pipe.returncode == 2 and into_pipe.stdout == b""
    config = tmp_path / "config.xml"
    apart = subprocess.run([*command, str(config)], capture_output=True, cwd=tmp_path)
    assert apart.returncode == 0 and json.loads(apart.stdout) and config.exists()


@pytest.mark.parametrize("args", [["--help"], ["--version"], [], ["label", "--help"]])
def test_help_and_version_for_a_reader_that_went_away_end_by_sigpipe(args):
    # `zsl --help | head -0`: the top-level help and --version exited 1, which under --strict
    # means failed images, where a command's help ended as by SIGPIPE as README says. `zsl`
    # alone shows the help as a usage error, 2, whoever reads it.
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli", *args], stdout=write_end, stderr=subprocess.PIPE
    )
    os.close(write_end)
    assert done.returncode == (-signal.SIGPIPE if args else 2) and done.stderr == b""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_unwritable_stderr_keeps_the_run_status(tiny_clip, tmp_path, classes_file):
    # A full disk or a hung-up terminal on stderr loses the summary, not the run's exit status.
    command = label_two_images_command(tiny_clip, tmp_path, classes_file)
    output = tmp_path / "out.csv"
    with open("/dev/full", "wb") as full:
        done = subprocess.run([*command, "-o", str(output)], stderr=full, timeout=300)
        assert done.returncode == 0
        assert len(output.read_text().splitlines()) == 3
        failed = subprocess.run([*command[:4], str(tmp_path / "missing")], stderr=full)
        assert failed.returncode == 2


@pytest.mark.parametrize(
    ("encoding", "shown"), [("ascii", b"cl\\xff\\u00e9"), ("utf-8", b"cl\\xff\xc3\xa9")]
)
def test_error_line_escapes_what_stderr_cannot_encode(tmp_path, encoding, shown):
    # On an ASCII stderr (PYTHONIOENCODING=ascii, a C locale without UTF-8 mode) a name's bytes
    # that are not UTF-8 came out as '?': lost, where Python's own stderr escapes them. They are
    # \xNN, as README says and as a missing image's name shows them, not \udcNN; é, a character,
    # is \u00e9.
    classes = os.fsencode(tmp_path / "cl") + b"\xff\xc3\xa9.txt"
    command = [sys.executable, "-m", "zsl_cli", "label", str(tmp_path), "-c", classes]
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    done = subprocess.run(command, capture_output=True, env=env, timeout=300)
    assert done.returncode == 2
    assert done.stderr.endswith(shown + b".txt\n"), done.stderr


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["-c", "{tmp}/no\nsuch.txt"], "no\\nsuch.txt"),
        (["-c", "{tmp}/classes.txt", "-f", "csv\x1b[1m"], "csv\\x1b[1m"),
        (["-c", "{tmp}/classes.txt", "--device", "cuda\r\u2028cpu"], "cuda\\r\\u2028cpu"),
        (["-c", "{tmp}/classes.txt", "-m", "org/\x1b]0;title\x07model"], "\\x1b]0;title\\x07"),
    ],
)
def test_an_error_quoting_typed_text_is_one_line_without_control_characters(
    tmp_path, classes_file, args, shown
):
    # A newline in a file name or an option's value broke the error line in two, and an escape
    # sequence reached the terminal as it was (a format, a device, a model name).
    images = write_images(tmp_path / "images", 1)[0].parent
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    result = run("label", images, "-m", "shapes-demo", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    assert shown in result.stderr and not any(c in result.stderr for c in "\r\x07\x1b\u2028")


def test_error_line_quoting_a_huge_name_keeps_its_start_and_end(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text(("x" * 10_000 + "\n") * 2)  # the longest a class name may be
    result = run("label", str(tmp_path), "-c", str(classes))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("zsl: error: ") and len(result.stderr) < 2_100
    assert "characters left out" in result.stderr and result.stderr.endswith("classes.txt:1)\n")


def test_warning_quoting_huge_names_keeps_its_start_and_end(tmp_path):
    image = write_images(tmp_path / "images", 1)[0]
    classes = tmp_path / "classes.txt"
    classes.write_text(f"{'x' * 9_999}a\n{'x' * 9_999}b\ncat\n")  # the first two cut alike
    result = run("label", str(image), "-c", str(classes), "-m", "shapes-demo")
    assert result.exit_code == 0, result.stderr
    warning = next(line for line in result.stderr.splitlines() if "cannot tell" in line)
    assert len(warning) < 2_100 and "characters left out" in warning


@pytest.mark.parametrize("command", ["label", "embed", "evaluate", "hubness"])
def test_a_deleted_current_folder_is_one_line(tmp_path, classes_file, command):
    # `cd x; rmdir ../x; zsl ...`: every command ended in a FileNotFoundError traceback (exit 1)
    # or, once torch loaded, in oneMKL's "FATAL ERROR", whatever paths it was given.
    images = write_images(tmp_path / "images", 1)[0].parent
    gone = tmp_path / "gone"
    gone.mkdir()
    arguments = {
        "label": [str(images), "-c", str(classes_file), "-m", "shapes-demo"],
        "embed": [str(images), "--store", str(tmp_path / "s.zsl"), "-m", "shapes-demo"],
        "evaluate": [str(classes_file), "--truth", str(images)],
        "hubness": [str(images), "-c", str(classes_file), "-m", "shapes-demo"],
    }[command]
    done = subprocess.run(
        [sys.executable, "-m", "zsl_cli", command, *arguments],
        capture_output=True,
        timeout=300,
        preexec_fn=lambda: (os.chdir(gone), os.rmdir(gone)),
    )
    assert done.returncode == 2, done.stderr.decode()
    assert done.stderr.decode().startswith("zsl: error: the current folder"), done.stderr


LABEL_STUDIO = ["-f", "label-studio", "--ls-url-prefix", "http://x/"]


@pytest.mark.parametrize(
    ("command", "args", "option"),
    [
        ("label", ["-c", ""], "'--classes'"),
        ("label", ["--attributes", ""], "'--attributes'"),
        ("label", ["--descriptions", ""], "'--descriptions'"),
        ("label", ["-c", "{classes}", "--embeddings", ""], "'--embeddings'"),
        ("label", ["-c", "{classes}", "-o", ""], "'--output'"),
        ("label", ["-c", "{classes}", *LABEL_STUDIO, "--ls-config", ""], "'--ls-config'"),
        ("label", ["-c", "{classes}", *LABEL_STUDIO, "--ls-document-root", ""], "'--ls-docu"),
        ("embed", ["-s", ""], "'--store'"),
        ("embed", ["-s", "{tmp}/s.zsl", "--export", ""], "'--export'"),
        ("embed", ["-s", "{tmp}/s.zsl", "--json", ""], "'--json'"),
        ("hubness", ["-c", "{classes}", "--truth", ""], "'--truth'"),
        ("hubness", ["-c", "{classes}", "--truth", "{images}", "--seen", ""], "'--seen'"),
        ("hubness", ["-c", "{classes}", "--json", ""], "'--json'"),
        ("evaluate", ["--truth", ""], "'--truth'"),
        ("evaluate", ["--truth", "{images}", "--seen", ""], "'--seen'"),
        ("evaluate", ["--truth", "{images}", "--json", ""], "'--json'"),
        ("evaluate", ["--truth", "{images}", "--report", ""], "'--report'"),
        ("evaluate", ["", "--truth", "{images}"], "'PREDICTIONS'"),
    ],
)
def test_an_empty_file_name_names_no_file(tmp_path, classes_file, command, args, option):
    # `--truth "$TRUTH"` with the variable unset: an empty name was read as the current folder
    # (evaluate scored against it, exit 0) or, for --json, as no --json at all.
    image = write_images(tmp_path / "images" / "a cat", 2)[0]
    images = tmp_path / "images"
    predictions = tmp_path / "p.csv"
    predictions.write_text(f"{','.join(CSV_COLUMNS)}\n{image},a cat,0.9,a cat,0.9,ok,\n")
    first = [] if args[0] == "" else [predictions if command == "evaluate" else images]
    model = [] if command == "evaluate" else ["-m", "shapes-demo"]
    places = {"{tmp}": tmp_path, "{classes}": classes_file, "{images}": images}
    for place, path in places.items():
        args = [arg.replace(place, str(path)) for arg in args]
    result = run(command, *first, *args, *model)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"zsl: error: Invalid value for {option}"), result.stderr
    assert result.stderr.count("\n") == 1 and "names no file" in result.stderr
    assert not (tmp_path / "s.zsl").exists()


@pytest.fixture(scope="module")
def many_images(tmp_path_factory) -> Path:
    """A folder of 400 small images, written once for the runs that are stopped part-way (each
    writes its output into its own folder): too many for a slowed run to end before its signal."""
    folder = tmp_path_factory.mktemp("many-images")
    write_images(folder, 400, size=(32, 32))
    return folder


def test_hangup_keeps_finished_work_and_leaves_no_temporary_file(
    tiny_clip, tmp_path, classes_file, many_images
):
    # Restored: under `nohup pytest` the run would ignore the hangup and label every image.
    process, out = slow_label_run(
        tiny_clip, tmp_path, classes_file, many_images, restored=signal.SIGHUP
    )
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr.decode()
    assert 0 < len(read_jsonl(out.read_text())) < 400
    assert not list(tmp_path.glob(".*.zsl-tmp"))


def test_hangup_under_nohup_lets_the_run_finish(tiny_clip, tmp_path, classes_file):
    images = tmp_path / "images"
    write_images(images, 20, size=(32, 32))
    process, out = slow_label_run(tiny_clip, tmp_path, classes_file, images, ignored=signal.SIGHUP)
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()
    assert len(read_jsonl(out.read_text())) == 20


def slow_label_run(
    tiny_clip: Path,
    tmp_path: Path,
    classes_file: Path,
    images: Path,
    ignored: signal.Signals | None = None,
    restored: signal.Signals | None = None,
) -> tuple[subprocess.Popen, Path]:
    """`zsl label` (SLOW_ZSL) on the folder `images`, into out.jsonl in `tmp_path`, once it has
    written some predictions; started ignoring the signal `ignored` (as nohup starts a run), or
    with `restored`'s default action (a shell starts background jobs ignoring SIGINT)."""
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", SLOW_ZSL, "label", str(images)]
    command += ["-c", str(classes_file), "-m", str(tiny_clip), "-b", "1", "-o", str(out)]

    def set_signals() -> None:
        if ignored is not None:
            signal.signal(ignored, signal.SIG_IGN)
        if restored is not None:
            signal.signal(restored, signal.SIG_DFL)

    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=set_signals
    )
    wait_for_first_predictions(process, out)
    return process, out


# Ctrl-C ends the process by SIGINT once its work is published (so that a shell stops the script
# that ran it; test_signal_endings), SIGTERM with exit status 130.
@pytest.mark.parametrize(
    ("signal_number", "status"), [(signal.SIGINT, -signal.SIGINT), (signal.SIGTERM, 130)]
)
def test_interrupt_keeps_finished_work_and_ends(
    tiny_clip, tmp_path, classes_file, many_images, signal_number, status
):
    process, out = slow_label_run(
        tiny_clip, tmp_path, classes_file, many_images, restored=signal.SIGINT
    )
    process.send_signal(signal_number)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == status, stderr.decode()
    rows = read_jsonl(out.read_text())
    assert 0 < len(rows) < 400
    info = json.loads(Path(f"{out}.run.json").read_text())
    assert info["complete"] is False and info["summary"]["total"] == len(rows)
    assert info["summary"]["inputs"] == 400
    assert f"Interrupted after {len(rows)} of 400 images" in stderr.decode()
    # The output line says the file now holds part of the run, and where that is marked.
    assert (
        f"Predictions: {out} (incomplete: {len(rows)} of 400 images; its run info says "
        '"complete": false)'
    ) in stderr.decode()
    assert not list(tmp_path.glob("*.zsl-tmp"))


def stop_signals_restored() -> None:
    """Their default actions, as in a terminal: a shell starts background jobs ignoring SIGINT,
    and `nohup pytest` ignores SIGHUP."""
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_to_the_process_group_with_decode_processes_stops_quietly(
    tiny_clip, tmp_path, classes_file, many_images, signal_number
):
    # A terminal's Ctrl-C, a closed terminal or systemd signal every process of the run: the
    # decode worker processes (used on GPUs, forced here) must not answer with tracebacks.
    out = tmp_path / "out.jsonl"
    in_processes = "from zsl_cli import api\napi.decode_in_processes = lambda *_: True\n"
    command = [sys.executable, "-c", in_processes + SLOW_ZSL, "label", str(many_images)]
    command += ["-c", str(classes_file), "-m", str(tiny_clip), "-b", "1", "--workers", "2"]
    process = subprocess.Popen(
        [*command, "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=stop_signals_restored,
    )
    wait_for_first_predictions(process, tmp_path / "out.jsonl")
    os.killpg(process.pid, signal_number)
    _, stderr = process.communicate(timeout=120)
    status = -signal.SIGINT if signal_number == signal.SIGINT else 130
    assert process.returncode == status, stderr.decode()
    assert "Traceback" not in stderr.decode() and "KeyboardInterrupt" not in stderr.decode()
    assert 0 < len(read_jsonl(out.read_text())) < 400


# `python -m zsl_cli` with a SIGTERM that lands in code run by exec(), as dataclasses and typer
# run while modules load: CPython then ended the process by SIGINT once zsl had handled it
# (unless a later exec() happened to clear CPython's record of it).
SIGTERM_IN_EXEC = """
import signal
from zsl_cli import api
def label(*_, **__):
    exec("signal.raise_signal(signal.SIGTERM)")
api.label = label
from zsl_cli.cli import main
main()
"""

# A SIGTERM while typer builds the commands, before any of them runs.
SIGTERM_BEFORE_THE_COMMAND = """
import signal
from zsl_cli import cli
cli.app = lambda **_: signal.raise_signal(signal.SIGTERM)
cli.main()
"""


@pytest.mark.parametrize("script", [SIGTERM_IN_EXEC, SIGTERM_BEFORE_THE_COMMAND])
def test_an_interrupt_during_start_up_exits_130(tmp_path, classes_file, script):
    write_images(tmp_path / "images", 2)
    out = tmp_path / "out.csv"
    out.write_text("old\n")
    # Run as a module (python -m): a script ends through another path of CPython's.
    (tmp_path / "zsl_with_a_signal.py").write_text(script)
    command = [sys.executable, "-m", "zsl_with_a_signal", "label", str(tmp_path / "images")]
    command += ["-c", str(classes_file), "-m", "shapes-demo", "-o", str(out)]
    done = subprocess.run(command, capture_output=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 130, done.stderr.decode()
    assert done.stderr.decode() == "zsl: interrupted\n"
    assert out.read_text() == "old\n"


# A SIGTERM just after the decode processes started, before their queue is handed to the code
# that closes it: os._exit skips the exit handler that stopped such a pool's processes.
SIGTERM_AS_DECODE_PROCESSES_START = """
import multiprocessing, os, signal
from zsl_cli import api, batching
api.decode_in_processes = lambda *_: True
submit = batching.DecodeQueue._submit
def submit_then_stop(self):
    submit(self)
    with open(os.environ["ZSL_TEST_PIDS"], "w") as pids:
        pids.write(" ".join(str(child.pid) for child in multiprocessing.active_children()))
    signal.raise_signal(signal.SIGTERM)
batching.DecodeQueue._submit = submit_then_stop
from zsl_cli.cli import main
main()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="decode processes: Linux only")
def test_an_interrupt_as_decode_processes_start_leaves_none_running(tmp_path, classes_file):
    write_images(tmp_path / "images", 40)
    command = [sys.executable, "-c", SIGTERM_AS_DECODE_PROCESSES_START, "label"]
    command += [str(tmp_path / "images"), "-c", str(classes_file), "-m", "shapes-demo"]
    command += ["--workers", "2", "-o", str(tmp_path / "out.csv")]
    env = {**os.environ, "ZSL_TEST_PIDS": str(tmp_path / "pids")}
    # Not pipes: a process left running would hold them open, and the wait for their end too.
    with open(tmp_path / "stderr", "wb") as stderr:
        done = subprocess.run(command, stdout=stderr, stderr=stderr, timeout=120, env=env)
    assert done.returncode == 130, (tmp_path / "stderr").read_text()
    pids = [int(pid) for pid in (tmp_path / "pids").read_text().split()]
    assert len(pids) == 2
    # A hang guard, not a time limit: stopped processes end at once, but on a loaded machine
    # their end may take seconds to come.
    deadline = time.monotonic() + 60
    while any(map(process_running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if process_running(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "decode processes left running"
    assert not list(tmp_path.glob("*.zsl-tmp"))


# A stop signal while the CLI's modules load (the finder runs as the import of `module` starts).
SIGNAL_WHILE_MODULES_LOAD = """
import runpy, signal, sys
class Finder:
    def find_spec(self, name, *_):
        if name == "{module}":
            signal.raise_signal(signal.SIG{name})
sys.meta_path.insert(0, Finder())
sys.argv[1:] = ["--help"]
runpy.run_module("zsl_cli", run_name="__main__")
"""


# typer: 0.2 s into a run (SIGHUP killed the process there); zsl_cli.errors: zsl's first module.
@pytest.mark.parametrize("module", ["typer", "zsl_cli.errors"])
@pytest.mark.parametrize("name", ["TERM", "HUP"])
def test_an_interrupt_while_the_modules_load_exits_130(module, name):
    script = SIGNAL_WHILE_MODULES_LOAD.format(module=module, name=name)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        timeout=120,
        preexec_fn=stop_signals_restored,
    )
    assert done.returncode == 130, done.stderr.decode()
    assert done.stderr.decode() == "zsl: interrupted\n" and done.stdout == b""


# A stop signal once the command is over, as the interpreter shuts down (0.2 s after a run's
# summary: its threads joined, its modules freed).
SIGNAL_AT_EXIT = """
import atexit, os, signal, sys
from zsl_cli.cli import main
atexit.register(lambda: os.kill(os.getpid(), signal.SIG{name}))
sys.argv = ["zsl", "--version"]
main()
"""


@pytest.mark.parametrize("name", ["INT", "TERM", "HUP"])
def test_a_stop_signal_as_a_finished_run_exits_keeps_its_status(name):
    # It printed a KeyboardInterrupt traceback ("Exception ignored in atexit callback"), or,
    # later in the shutdown, killed the process by that signal: a finished run's status lost.
    script = SIGNAL_AT_EXIT.format(name=name)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()


def test_interrupt_while_the_model_loads_says_so(tmp_path, classes_file, monkeypatch):
    from zsl_cli import api

    def interrupted(options):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "open_encoder", interrupted)
    write_images(tmp_path / "images", 2)
    out = tmp_path / "out.csv"
    result = run("label", str(tmp_path / "images"), "-c", str(classes_file), "-o", str(out))
    assert result.exit_code == 130 and result.stderr == "zsl: interrupted\n"
    assert not out.exists()


def test_an_output_that_cannot_be_written_fails_before_the_model_loads(
    tmp_path, classes_file, monkeypatch
):
    # As --ls-config does: a typo in -o must not cost a model load (seconds to minutes) first.
    from zsl_cli import api

    monkeypatch.setattr(api, "open_encoder", lambda options: pytest.fail("the model was loaded"))
    write_images(tmp_path / "images", 2)
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder\n")
    result = run("label", tmp_path / "images", "-c", classes_file, "-o", blocker / "out.csv")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("zsl: error: cannot create the output folder")


def test_help_shows_examples():
    for command in ("label", "embed", "evaluate", "hubness"):
        result = run(command, "--help")
        assert result.exit_code == 0
        assert "Examples" in result.stdout and f"zsl {command}" in result.stdout


def test_top_level_help_shows_examples_and_where_output_goes():
    result = run("--help")
    assert "Examples" in result.stdout and "zsl label ./photos" in result.stdout
    assert "progress, summaries and warnings go to stderr" in result.stdout


def test_help_names_every_value_with_a_metavar():
    # typer's own metavars (<str>, <path>, <int range>) do not say what to give.
    for command in ("label", "embed", "evaluate", "hubness"):
        text = run(command, "--help").stdout
        assert "<str>" not in text and "<path>" not in text and "range>" not in text, command


def test_usage_lines_show_arguments_as_their_help_does():
    # typer 0.27+ puts a required argument's metavar in braces ('{PREDICTIONS}'), which read as
    # a literal to type.
    usages = {
        command: run(command, "--help").stdout.splitlines()[0]
        for command in ("label", "embed", "evaluate", "hubness")
    }
    assert usages["evaluate"] == "Usage: zsl evaluate [OPTIONS] PREDICTIONS"
    assert not any("{" in usage for usage in usages.values()), usages


def test_label_help_lists_the_default_extensions_and_the_hubness_methods():
    from zsl_cli.defaults import HUBNESS_METHODS, IMAGE_EXTENSIONS

    wide = CliRunner().invoke(app, ["label", "--help"], env={"COLUMNS": "400"})
    text = " ".join(wide.stdout.split())
    extensions = ", ".join(sorted(extension[1:] for extension in IMAGE_EXTENSIONS))
    assert f"[default: {extensions}]" in text
    assert f"{', '.join(HUBNESS_METHODS[:-1])} or {HUBNESS_METHODS[-1]}" in text


def test_help_shows_defaults_written_in_the_text():
    # Defaults that depend on the device or the store are written in the help text itself.
    wide = CliRunner().invoke(app, ["label", "--help"], env={"COLUMNS": "400"})
    text = " ".join(wide.stdout.split())
    assert "[default: 256 on a CUDA GPU, else 16]" in text
    assert "[default: one per core, at most 32]" in text
    # Pillow's limit is 89,478,485 pixels: the help and the too_large reason both say 89.5 MP.
    assert "[default: Pillow's limit, about 89.5 MP]" in text
    # The server's variable names its local files: URLs under --ls-url-prefix are not made
    # relative to it (README), where the help gave it as the root's default whatever else.
    root = "[default: $LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT; none with --ls-url-prefix]"
    assert root in text
    # The default model version names the hub revision and a folder's weights (README), where the
    # help left them out.
    assert (
        "[default: zsl-<zsl version>:<model>, and @<revision> with --revision; a model folder "
        "as <folder name>#<weights hash>]" in text
    )
    # The summary counts scores below 0.5 as low confidence: the help left a reader to guess
    # whether that was the threshold without --threshold.
    assert "[default: none: every image keeps its top class]" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["label", "x", "--top-k", "many"], "Invalid value for '--top-k'"),
        (["label", "x", "--batch-size", "0"], "Invalid value for '--batch-size'"),
        (["evaluate", "p.csv"], "Missing option '--truth' (see 'zsl evaluate --help')"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["--bogus"], "No such option: --bogus (see 'zsl --help')"),
        (["-V"], "No such option: -V (see 'zsl --help')"),  # takes no file: no hint of one
        # Another command's name for the same thing: difflib offered --ls-to-name, --strict and
        # --workers for label's --store, and nothing for embed's --embeddings.
        (
            ["label", "x", "--store", "s.zsl"],
            "No such option: --store: a store made by 'zsl embed' is read with --embeddings "
            "STORE here (see 'zsl label --help')",
        ),
        (
            ["embed", "x", "--embeddings", "s.zsl"],
            "No such option: --embeddings: the store to write is given with --store STORE (-s) "
            "here (see 'zsl embed --help')",
        ),
        (["label", "x", "--json", "p.json"], "No such option: --json: write JSON with -f json"),
        (["hubness", "x", "--output", "h.json"], "--json FILE writes the results as JSON"),
        (["hubness", "x", "--top-k", "5"], "No such option: --top-k: its k is -k/--neighbours"),
        (["embed", "x", "-c", "c.txt"], "No such option: -c: embed stores image embeddings only"),
        (["evaluate", "p.csv", "--classes", "c.txt"], "evaluate takes the classes from the"),
        # Label's option and hubness's for the reduction methods, each given to the other.
        (
            ["hubness", "x", "--hubness-reduction", "csls"],
            "No such option: --hubness-reduction: hubness compares every method; --methods M,M "
            "picks which (see 'zsl hubness --help')",
        ),
        (
            ["label", "x", "--methods=csls"],
            "No such option: --methods: label applies one method, given with "
            "--hubness-reduction METHOD (see 'zsl label --help')",
        ),
        # Another command's short option is that option, not a file named -o...: no hint of one.
        (
            ["embed", "x", "-o", "s.zsl"],
            "No such option: -o: the store is --store STORE (-s); --export FILE writes its "
            "embeddings out (see 'zsl embed --help')\n",
        ),
        (
            ["label", "x", "-s", "s.zsl"],
            "No such option: -s: a store made by 'zsl embed' is read with --embeddings STORE "
            "here (see 'zsl label --help')\n",
        ),
        (
            ["hubness", "x", "-o", "h.json"],
            "writes the results as JSON (see 'zsl hubness --help')\n",
        ),
        # A file named -x.jpg: the shell gives no way to tell it from options but these.
        (
            ["label", "-x.jpg"],
            "No such option: -x (see 'zsl label --help'; a file whose name starts with '-': "
            "give it as ./NAME, or after --)",
        ),
    ],
)
def test_command_lines_that_do_not_parse_are_one_line_and_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("zsl: error: ")
    assert message in result.stderr


def test_no_arguments_shows_the_help():
    result = run()
    assert "Usage: zsl" in result.stdout and "zsl: error" not in result.stderr


@pytest.mark.parametrize("command", ["label", "embed", "evaluate", "hubness"])
def test_a_command_without_arguments_shows_its_help(command):
    # As `zsl` alone does: bare `zsl label` said only "no images given", and a new user learnt
    # of -c on the next try; none of them can run without arguments.
    result = run(command)
    assert result.exit_code == 2 and result.stderr == ""
    assert result.stdout == run(command, "--help").stdout


def test_version():
    assert run("--version").stdout.startswith("zsl ")


@pytest.mark.parametrize(
    ("images", "seconds", "said"),
    [(37, 3.0, "12.3 img/s"), (3, 75.0, "25 s per image"), (1, 300.0, "300 s per image")],
)
def test_the_summary_gives_a_slow_rate_as_seconds_per_image(images, seconds, said):
    from rich.console import Console

    from zsl_cli.api import LabelReport, summary_dict
    from zsl_cli.summary import render_label_summary

    console = Console(file=io.StringIO(), width=200)
    report = LabelReport(inputs=images, total=images, processing_s=seconds, elapsed_s=seconds)
    render_label_summary(console, summary_dict(report), "out.csv")
    assert f"({said} once the model was loaded)" in console.file.getvalue()


def test_the_summary_shares_and_counts_are_not_rounded_to_all_or_none():
    from collections import Counter

    from rich.console import Console

    from zsl_cli.api import LabelReport, summary_dict
    from zsl_cli.summary import render_label_summary

    console = Console(file=io.StringIO(), width=200)
    report = LabelReport(
        inputs=200, total=200, by_status=Counter(ok=200), labels=Counter(cat=199, dog=1)
    )
    render_label_summary(console, summary_dict(report), "out.csv")
    lines = console.file.getvalue().splitlines()
    assert lines[0].startswith("Labelled 200 of 200 images in ")
    assert lines[2].split() == ["cat", "199", "99%"] and lines[3].split() == ["dog", "1", "<1%"]
    console = Console(file=io.StringIO(), width=200)
    report = LabelReport(inputs=1, total=1, by_status=Counter(ok=1), labels=Counter(cat=1))
    render_label_summary(console, summary_dict(report), "out.csv")
    assert console.file.getvalue().startswith("Labelled 1 of 1 image in ")


def test_a_summary_of_a_run_stopped_before_any_image_says_nothing_was_written():
    import io

    from rich.console import Console

    from zsl_cli.summary import render_label_summary

    summary = {
        "total": 0,
        "ok": 0,
        "failed": 0,
        "inputs": 400,
        "interrupted": True,
        "images_per_second": 0.0,
        "elapsed_s": 3.2,
        "labels": {},
        "by_status": {},
        "low_confidence": 0,
    }
    stream = io.StringIO()
    render_label_summary(Console(file=stream, width=200), summary, "out.csv")
    assert "Interrupted after 0 of 400 images" in stream.getvalue()
    assert "Nothing written: out.csv is as it was" in stream.getvalue()
    assert "Predictions:" not in stream.getvalue()
    # Stdout kept nothing to say "as it was" of: `> out.csv` had emptied that file before.
    stream = io.StringIO()
    render_label_summary(Console(file=stream, width=200), summary, "stdout")
    assert stream.getvalue().endswith("\nNothing written to stdout\n")


def test_repeated_ext_options_add_up(tiny_clip, tmp_path, classes_file):
    # `--ext jpg --ext png` must not keep only the last list and leave every JPEG out.
    (png,) = write_images(tmp_path / "photos", 1)
    Image.open(png).save(tmp_path / "photos" / "b.jpg")
    Image.open(png).save(tmp_path / "photos" / "c.gif")
    base = ["label", tmp_path / "photos", "-c", classes_file, "-m", tiny_clip, "-f", "jsonl", "-q"]

    repeated = run(*base, "--ext", "jpg", "--ext", "png")
    joined = run(*base, "--ext", "jpg,png")

    assert repeated.exit_code == 0, repeated.stderr
    names = sorted(Path(row["path"]).name for row in read_jsonl(repeated.stdout))
    assert names == ["b.jpg", "img_000.png"] and repeated.stdout == joined.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["label", "-", "-c", "CLASSES", "-o", "LIST"],
        ["embed", "-", "-s", "STORE", "--json", "LIST"],
        ["embed", "-", "-s", "STORE", "--export", "LIST"],
        ["hubness", "-", "-c", "CLASSES", "--json", "LIST"],
    ],
)
def test_a_run_keeps_the_file_its_path_list_comes_from(tiny_clip, tmp_path, classes_file, command):
    # `zsl label - -o list.csv < list.csv` read the whole list, then published the predictions
    # over it: the list was lost, where `>> classes.txt` or an image as -o is refused.
    write_images(tmp_path / "images", 2)
    listed = tmp_path / ("list.npy" if "--export" in command else "list.csv")
    images = sorted((tmp_path / "images").rglob("*.png"))
    listed.write_bytes(b"".join(os.fsencode(image) + b"\n" for image in images))
    before = listed.read_bytes()
    given = {"CLASSES": str(classes_file), "LIST": str(listed), "STORE": str(tmp_path / "s.zsl")}
    arguments = [given.get(argument, argument) for argument in command]
    with open(listed, "rb") as stdin:
        process = subprocess.run(
            [sys.executable, "-m", "zsl_cli", *arguments, "-m", str(tiny_clip)],
            stdin=stdin,
            capture_output=True,
        )
    assert process.returncode == 2 and b"is an input of this run" in process.stderr
    assert listed.read_bytes() == before


@pytest.mark.parametrize(("given", "kept"), [(None, "20"), ("28", "28")])
def test_the_command_shortens_openblas_spinning_unless_told_otherwise(given, kept):
    # Set before numpy loads OpenBLAS, which reads it once: spinning BLAS threads took the cores
    # of the decode processes on a GPU machine (zsl_cli.__main__).
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    if given is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = given
    script = (
        "import os, sys\n"
        "sys.argv = ['zsl', '--version']\n"
        "from zsl_cli.__main__ import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == kept
