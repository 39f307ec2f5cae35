"""Class names and prompts without a space, of any length, and class lists written as JSON on one
line. A 5 MB one-word prompt went whole to the tokenizer (1.5 GB, 28 s for 2 images), and a
JSON list was one class, '["cat", "dog"]', that every image was labelled with."""

from __future__ import annotations

import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import write_images
from tests.tiny_models import CountingTokenizer
from zsl_cli.classes import (
    MAX_NAME_CHARS,
    ClassDef,
    ClassSpec,
    load_class_spec,
    parse_classes,
    parse_descriptions,
)
from zsl_cli.cli import app
from zsl_cli.encoders import load_encoder
from zsl_cli.errors import ZslError


def test_a_huge_prompt_without_a_space_is_cut_before_tokenizing_and_named(tiny_clip):
    # A 5 MB single-word prompt went whole to the tokenizer: 1.5 GB and 28 s for 2 images.
    import zsl_cli.encoders.hf as hf
    from zsl_cli.api import build_classifier
    from zsl_cli.prompts import Templates, plan_prompts

    encoder = load_encoder(str(tiny_clip))
    counting = CountingTokenizer(encoder._tokenizer)
    encoder._tokenizer = counting
    huge = "ab" * 1_000_000
    # Built in code: a class file refuses a prompt this long (test_prompt_length_cap.py).
    spec = ClassSpec((ClassDef("circle", ("round",)), ClassDef("square", (huge,))))
    classifier = build_classifier(spec, plan_prompts(spec, Templates("", ())), encoder)
    assert max(map(len, counting.texts)) <= hf.MAX_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    assert classifier.prompts_cut_short == [huge]
    (warning,) = classifier.model_warnings()
    assert warning.startswith("1 class prompt is longer than the model reads (77 tokens)")
    assert "'ababab" in warning and len(warning) < 300
    # A class name near the longest taken, without a space: its prompt is named, cut short.
    counting.texts.clear()
    name = "square" + "ab" * (MAX_NAME_CHARS // 2 - 3)
    spec = parse_classes(f"circle\n{name}\n", "c.txt")
    templates = Templates("t", ("a photo of a {}.",))
    classifier = build_classifier(spec, plan_prompts(spec, templates), encoder)
    assert max(map(len, counting.texts)) <= hf.MAX_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    assert classifier.prompts_cut_short == [f"a photo of a {name}."]
    (warning,) = classifier.model_warnings()
    assert "'a photo of a squareabab" in warning and len(warning) < 300


@pytest.mark.parametrize("tokenizer", ["demo BPE", "clip BPE", "metaspace", "gemma"])
def test_long_texts_without_spaces_keep_the_tokens_of_the_whole_text(tokenizer, tiny_clip):
    # Cut at MAX_CHARS_PER_TOKEN characters a token: the first tokens are the whole text's.
    import zsl_cli.encoders.hf as hf
    from tests.tiny_models import gemma_tokenizer, metaspace_tokenizer

    encoder = load_encoder("shapes-demo" if tokenizer == "demo BPE" else str(tiny_clip))
    encoder._tokenizer = {"metaspace": metaspace_tokenizer, "gemma": gemma_tokenizer}.get(
        tokenizer, lambda: encoder._tokenizer
    )()
    bound = hf.MAX_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    rng = random.Random(0)
    pieces = ["cat", "a", "dog.", ",", "12", "\u732b", "-", "xyz" * 5]
    texts = ["".join(rng.choice(pieces) for _ in range(bound)) for _ in range(20)]
    texts += ["x" * 3 * bound, "=" * 3 * bound, "abc " * 10 + "q" * 3 * bound]
    assert min(map(len, texts)) > bound
    for cut_at in (None, encoder.prompt_tokens):
        limit = encoder.prompt_tokens + 1 if cut_at is None else cut_at
        whole = encoder._tokenizer(texts, truncation=True, max_length=limit)["input_ids"]
        assert encoder._token_ids(texts, cut_at) == whole


def test_a_text_cut_before_its_tokens_fill_the_model_is_reported_cut_short(tiny_clip):
    # White space that the tokenizer drops, beyond the cut: the model reads "cat" alone, not
    # "cat dog", which is said rather than hidden.
    import zsl_cli.encoders.hf as hf

    encoder = load_encoder(str(tiny_clip))
    bound = hf.MAX_CHARS_PER_TOKEN * (encoder.prompt_tokens + 1)
    text = "cat" + " " * bound + "dog"
    assert encoder.prompts_cut_short(["cat dog", text]) == [text]


def test_ordinary_prompts_are_tokenized_as_before(tiny_clip):
    encoder = load_encoder(str(tiny_clip))
    texts = ["a photo of a cat.", "x" * 300, "a " * 200, "dog"]
    whole = encoder._tokenizer(texts, truncation=True, max_length=encoder.prompt_tokens + 1)
    assert encoder._token_ids(texts, None) == whole["input_ids"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("cat\n" + "a" * (MAX_NAME_CHARS + 1) + "\n", 2),
        ("cat\n\n# x\n" + "\u732b" * 50_000 + ": a photo\n", 4),
        # A tab in it was quoted whole by the table's message.
        ("b" * 20_000 + "\tc\n", 1),
        # Longer than csv's field limit: no attribute header either (nor a crash).
        ("x" * 200_000 + "\nclass, ship\n", 1),
        ("class, ship\n" + "x" * 200_000 + "\n", 2),
    ],
)
def test_a_class_name_too_long_to_be_one_is_refused_with_its_line(tmp_path: Path, text, line):
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(classes=path)
    message = str(error.value)
    assert message.startswith(f"{path}:{line}: class name of ")
    assert f"class names are at most {MAX_NAME_CHARS:,} characters" in message
    assert len(message) < 200 + len(str(path))


def test_a_class_name_at_the_limit_is_a_class():
    assert parse_classes("cat\n" + "a" * MAX_NAME_CHARS + "\n").names[1] == "a" * MAX_NAME_CHARS


def test_a_too_long_description_key_or_name_in_code_is_refused_short():
    key = "k" * 50_000
    with pytest.raises(ZslError) as error:
        parse_descriptions(json.dumps({"cat": ["furry"], key: ["long"]}), "d.json")
    assert str(error.value).startswith("d.json:1: class name of 50,000 characters")
    assert len(str(error.value)) < 200
    from zsl_cli.classes import class_names_spec

    with pytest.raises(ZslError) as error:
        class_names_spec(["cat", " " + key])
    assert "class name of 50,001 characters" in str(error.value) and len(str(error.value)) < 200


def test_the_summary_shows_a_long_label_clipped():
    from rich.console import Console

    from zsl_cli.api import LabelReport, summary_dict
    from zsl_cli.summary import render_label_summary

    name = "start_" + "n" * (MAX_NAME_CHARS - 10) + "_end"
    console = Console(file=io.StringIO(), width=10_000)
    report = LabelReport(
        inputs=3, total=3, by_status=Counter(ok=3), labels=Counter({name: 2, "cat": 1})
    )
    render_label_summary(console, summary_dict(report), "out.csv")
    out = console.file.getvalue()
    assert len(out) < 1000
    (row,) = [line for line in out.splitlines() if line.startswith("start_")]
    assert row.split()[-2:] == ["2", "67%"]
    assert "_end" in row and "characters left out" in row
    assert any(line.split() == ["cat", "1", "33%"] for line in out.splitlines())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # What json.dump writes: every image was labelled '["cat", "dog"]', score 1.
        ('["cat", "dog"]\n', "c.txt is a JSON list of names: write one class name per line"),
        ('["cat","dog"]', "c.txt is a JSON list of names: write one class name per line"),
        ('\ufeff["red"]\n', "c.txt is a JSON list of names"),
        ("['cat', 'dog']\n", "c.txt is a Python list of names: write one class name per line"),
        ("# classes\n[1, 2]\n", "c.txt is a JSON array, not a class list: write one class"),
        ('[["cat"], ["dog"]]\n', "c.txt is a JSON array, not a class list"),
        ("[[" * 100 + "]]" * 100 + "\n", "c.txt is a JSON array, not a class list"),
        ("[]\n", "c.txt is a JSON array, not a class list"),
    ],
)
def test_a_json_array_on_one_line_is_refused(text, message):
    with pytest.raises(ZslError, match=re.escape(message)):
        parse_classes(text, "c.txt")


@pytest.mark.parametrize("text", ['["cat", "dog"]\n', '[\n  "cat",\n  "dog"\n]\n'])
def test_a_json_list_of_names_is_refused_with_a_jq_line(text):
    with pytest.raises(ZslError) as error:
        parse_classes(text, "my classes.json")
    assert str(error.value) == (
        "my classes.json is a JSON list of names: write one class name per line, without "
        "quotes, such as with `jq -r '.[]' 'my classes.json' > classes.txt`"
    )


@pytest.mark.parametrize("text", ["[cat]\n", "[bold]dog\n", "[1, 2] boxes\n", "cat\n[1, 2]\n"])
def test_a_name_in_brackets_that_is_no_json_array_is_a_class(text):
    assert len(parse_classes(text, "c.txt").names) == text.count("\n")


def test_zsl_label_refuses_a_one_line_json_class_file(tmp_path: Path, tiny_clip):
    write_images(tmp_path / "images", 2)
    classes = tmp_path / "j.json"
    classes.write_text(json.dumps(["cat", "dog"]), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["label", str(tmp_path / "images"), "-c", str(classes), "-m", str(tiny_clip)]
    )
    assert result.exit_code == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert f"{classes} is a JSON list of names: write one class name per line" in line
    assert "jq -r" in line
