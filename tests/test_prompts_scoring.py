import os
import re
import string
from pathlib import Path

import numpy as np
import pytest

from zsl_cli import scoring
from zsl_cli.classes import (
    merge_descriptions,
    parse_attributes,
    parse_classes,
    parse_descriptions,
)
from zsl_cli.encoders.base import ScoreHead
from zsl_cli.errors import ZslError
from zsl_cli.prompts import (
    BUILTIN_TEMPLATES,
    IMAGENET80,
    Templates,
    is_template_file,
    plan_prompts,
    resolve_templates,
)
from zsl_cli.records import ImageItem
from zsl_cli.scoring import (
    Decision,
    predict_ranked,
    rank,
    ranked_rows,
    similarities,
    top_k,
)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _every_score(sims: np.ndarray, head: ScoreHead) -> np.ndarray:
    """Every class's score as labelling makes it (`rank` with every class kept), in class order."""
    indices, values = rank(sims, head, 0)
    scores = np.empty_like(values)
    np.put_along_axis(scores, indices, values, axis=1)
    return scores


def _textbook_scores(sims: np.ndarray, head: ScoreHead) -> np.ndarray:
    """The head's formula in float64, the whole row at once: softmax(scale * s) or
    sigmoid(scale * s + bias)."""
    logits = sims.astype(np.float64) * head.scale
    if head.kind == "sigmoid":
        return 1 / (1 + np.exp(-(logits + head.bias)))
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    return weights / weights.sum(axis=1, keepdims=True)


def test_resolve_templates_builtin_file_and_literal(tmp_path: Path):
    assert resolve_templates("imagenet80").templates == BUILTIN_TEMPLATES["imagenet80"]
    assert len(resolve_templates("imagenet7").templates) == 7
    file = tmp_path / "t.txt"
    file.write_text("# mine\na {}.\n\nart of {}\n")
    assert resolve_templates(str(file)).templates == ("a {}.", "art of {}")
    assert resolve_templates("itap of a {}").templates == ("itap of a {}",)
    # Literal braces written as the error message says: {{ and }}.
    assert resolve_templates("a {} in braces {{}}").templates == ("a {} in braces {{}}",)
    # Errors name the line of the file, as an editor numbers it.
    file.write_text("# mine\na {}.\n\nno placeholder\n")
    with pytest.raises(
        ZslError, match=r"t.txt:4: 'no placeholder' must contain exactly one \{\} placeholder \("
    ):
        resolve_templates(str(file))


def test_a_class_list_given_as_templates_is_named_so(tmp_path: Path):
    # Its first line was "'red circle' must contain exactly one {} placeholder (write literal
    # braces as {{ and }})": no brace in the file.
    file = tmp_path / "classes.txt"
    file.write_text("# shapes\nred circle\nred square\n")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(file))
    assert str(error.value) == (
        f"{file}: no line holds {{}}, which stands for the class name in a template (a class "
        "list? pass it as --classes)"
    )
    # A line without {} among templates is the error of that line.
    file.write_text("a photo of a {}.\nno placeholder\n")
    with pytest.raises(ZslError, match=r"classes.txt:2: 'no placeholder' must contain exactly"):
        resolve_templates(str(file))


def test_the_default_template_is_clips_own():
    # "a photo of a {}." is CLIP's reference prompt, period included: published zero-shot
    # numbers are made with it, and one character more or less moves them.
    assert resolve_templates("default").templates == ("a photo of a {}.",)
    assert len(set(BUILTIN_TEMPLATES["imagenet80"])) == 80


def test_template_files_as_editors_save_them(tmp_path: Path):
    # Notepad's byte-order mark, Windows line ends, indentation and trailing blanks are not
    # part of a prompt: kept, they change every text the model encodes.
    file = tmp_path / "t.txt"
    file.write_bytes("\ufeffa photo of a {}.\r\n  art of {}  \r\n\t# note\r\n".encode())
    assert resolve_templates(str(file)).templates == ("a photo of a {}.", "art of {}")


@pytest.mark.parametrize("text", ["'a photo of a {}.',\n'art of the {}.',\n", '"a {}."\n'])
def test_a_template_file_in_quotes_is_warned_of(tmp_path: Path, text):
    # The templates of CLIP's notebook, copied from its Python list: as with class names in
    # quotes, the quotes (and commas) went into every prompt without a word.
    file = tmp_path / "t.txt"
    file.write_text(text)
    templates = resolve_templates(str(file))
    assert templates.templates == tuple(text.splitlines())  # taken as written
    first = repr(text.splitlines()[0])
    assert templates.warnings == (
        f"{file}: every template is in quotes, such as {first}: the quotes are part of the "
        "templates and of every prompt; write the templates without them",
    )
    file.write_text("a photo of a {}.\n'art of the {}.'\n")
    assert resolve_templates(str(file)).warnings == ()


@pytest.mark.parametrize(
    ("text", "spelling"),
    [
        # CLIP's notebook and data/prompts.md, copied with the list around the templates.
        (
            "imagenet_templates = [\n    'a bad photo of a {}.',\n    'art of the {}.',\n]\n",
            "Python",
        ),
        ('[\n  "a photo of a {}.",\n  "art of the {}."\n]\n', "JSON"),
        # data/prompts.md's templates as lambdas, and its classes after them.
        (
            "templates = [\n  lambda c: f'a bad photo of a {c}.',\n  lambda c: f'a {c}.',\n]\n",
            "Python",
        ),
        ("templates = [\n    'a photo of a {}.',\n]\nclasses = [\n    'apple',\n]\n", "Python"),
    ],
)
def test_a_list_of_templates_in_code_is_named_so(tmp_path: Path, text, spelling):
    # Its first line was the error: "'imagenet_templates = [' must contain exactly one {}".
    file = tmp_path / "t.txt"
    file.write_text(text)
    with pytest.raises(ZslError) as error:
        resolve_templates(str(file))
    assert str(error.value) == (
        f"{file} is a {spelling} list of templates: write one template per line, without quotes"
    )


def test_a_file_named_like_a_built_in_set_is_not_read(tmp_path: Path, monkeypatch):
    # `-t imagenet7` means the built-in set wherever it runs, even beside a file of that name.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "imagenet7").write_text("a {} of mine\n")
    assert resolve_templates("imagenet7").templates == BUILTIN_TEMPLATES["imagenet7"]
    assert not is_template_file("imagenet7")  # nor recorded, or guarded, as a file


def test_a_template_file_whose_name_holds_braces_is_read(tmp_path: Path, monkeypatch):
    # `--templates 'tmpl{}.txt'` was taken as a literal template: every prompt was
    # "tmplcircle.txt", and the run info named the file as if it had been read.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tmpl{}.txt").write_text("a photo of a {}.\nart of the {}.\n")
    for value in ("tmpl{}.txt", str(tmp_path / "tmpl{}.txt")):
        assert is_template_file(value)
        templates = resolve_templates(value)
        assert templates == Templates(value, ("a photo of a {}.", "art of the {}."))
    # A name that reads as a template, not a path, is a file too where one is there: read, and
    # said so, with how to give the template itself.
    (tmp_path / "{}").write_text("a sketch of a {}.\n")
    templates = resolve_templates("{}")
    assert templates.templates == ("a sketch of a {}.",)
    assert templates.warnings == (
        "--templates '{}' names a file, read as a file of templates, not as a template (write "
        "{0} for {} to give the template itself)",
    )
    assert resolve_templates("{0}") == Templates("literal", ("{0}",))
    assert resolve_templates("a photo of a {}.") == Templates("literal", ("a photo of a {}.",))
    # Such a path where no file is: the template it is, said so.
    missing = resolve_templates("other{}.txt")
    assert missing.templates == ("other{}.txt",)
    assert missing.warnings == (
        "--templates 'other{}.txt' reads as a file's path, but no such file is there: it is "
        "used as a template, its text in every prompt",
    )


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd")
def test_a_template_file_may_be_a_pipe():
    # What a shell's process substitution, --templates <(printf 'a {}\n'), hands over.
    read_end, write_end = os.pipe()
    os.write(write_end, b"a {}\nart of {}\n")
    os.close(write_end)
    try:
        assert resolve_templates(f"/dev/fd/{read_end}").templates == ("a {}", "art of {}")
    finally:
        os.close(read_end)


def test_template_options_are_checked_whatever_the_class_mode():
    names, attributes = parse_classes("cat\n"), parse_attributes("class,red\ncat,1\n")
    with pytest.raises(ZslError, match="--attribute-template"):
        plan_prompts(names, Templates("x", ("{}",)), attribute_template="no placeholder")
    with pytest.raises(ZslError, match="--description-template"):
        plan_prompts(attributes, Templates("x", ("{}",)), description_template="one {}")


@pytest.mark.parametrize(
    "value",
    [
        "no placeholder",
        "two {} {}",
        "bad {0} {x}",
        "brace { {}",
        "named {x}",
        "{{}}",
        "a long prompt without its placeholder " * 8,  # too long a name for a file
    ],
)
def test_bad_templates(value):
    with pytest.raises(ZslError):
        resolve_templates(value)


@pytest.mark.parametrize("template", ["a {!r}.", "a {:>30}.", "a {!s:^9}."])
def test_a_placeholder_with_a_conversion_or_format_is_refused_everywhere(template, tmp_path):
    """Only a bare {} stands for the name: `{!r}` would quote it and `{:>30}` pad it, in a
    template file as on the command line."""
    template_file = tmp_path / "templates.txt"
    template_file.write_text(f"a photo of a {{}}.\n{template}\n")
    with pytest.raises(ZslError, match=r"templates\.txt:2"):
        resolve_templates(str(template_file))
    with pytest.raises(ZslError, match="--attribute-template"):
        plan_prompts(
            parse_attributes("class,red\ncat,1\n"), Templates("x", ()), attribute_template=template
        )
    with pytest.raises(ZslError, match="--description-template"):
        plan_prompts(
            parse_descriptions('{"cat": ["fur"]}'),
            Templates("x", ()),
            description_template=template + " with {}",
        )


@pytest.mark.parametrize("field", ["{!r}", "{!s}", "{:>30}", "{!s:^9}", "{0!r}", "{c!r}", "{0:d}"])
def test_a_conversion_or_format_is_quoted_as_written(field):
    # `{!r}` was told "write {} for {r}", a field never written.
    with pytest.raises(ZslError) as error:
        resolve_templates(f"a photo of a {field}.")
    assert str(error.value) == (
        f"--templates: 'a photo of a {field}.' must contain exactly one {{}} placeholder (write "
        f"{{}} for {field}: a conversion or format spec is not allowed)"
    )


def test_a_template_file_not_there_is_said_so(tmp_path):
    # It was "not a built-in set (...), not a file, and has no {} placeholder".
    for missing in ("./nope.txt", str(tmp_path / "nope"), "templates.json"):
        with pytest.raises(ZslError, match=f"^template file not found: {re.escape(missing)}$"):
            resolve_templates(missing)
    with pytest.raises(ZslError, match="^template file is a directory: "):
        resolve_templates(str(tmp_path))
    # Words with a slash are a template without its placeholder, not a path.
    with pytest.raises(ZslError, match="has no {} placeholder"):
        resolve_templates("a photo/drawing of a cat")


def test_a_numbered_placeholder_is_the_name_as_str_format_takes_it(tmp_path):
    # The transformers pipeline's hypothesis_template is formatted so: "This is a photo of {0}."
    # was refused as having no {} placeholder.
    literal = resolve_templates("This is a photo of {0}.")
    assert literal.templates == ("This is a photo of {0}.",)
    template_file = tmp_path / "templates.txt"
    template_file.write_text("a photo of {0}.\n{0}, a kind of animal\n")
    spec = parse_classes("cat\n")
    plan = plan_prompts(spec, resolve_templates(str(template_file)))
    assert plan.texts == ("a photo of cat.", "cat, a kind of animal")
    attributes = parse_attributes("class,red\ncat,1\n")
    plan = plan_prompts(attributes, Templates("x", ()), attribute_template="something {0}")
    assert plan.texts == ("something red",)
    # A name other than the class's, on the command line as in a file, says what to write.
    with pytest.raises(
        ZslError, match=r"^--templates: 'a photo of a \{c\}\.' .*write \{\} for \{c\}"
    ):
        resolve_templates("a photo of a {c}.")


def test_a_percent_s_placeholder_is_named_so(tmp_path):
    # `a photo of a %s.`, as printf and Python's % write a placeholder: a file of them was
    # taken for a class list, and the error said to pass it as --classes.
    template_file = tmp_path / "templates.txt"
    template_file.write_text("a photo of a %s.\n")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(template_file))
    assert str(error.value) == (
        f"{template_file}: no line holds {{}}, which stands for the class name in a template "
        "(write {} for %s)"
    )
    template_file.write_text("a photo of a {}.\nart of the %s.\n")
    with pytest.raises(ZslError, match=r"templates\.txt:2: .* \(write \{\} for %s\)$"):
        resolve_templates(str(template_file))
    with pytest.raises(
        ZslError, match=r"^--templates 'a photo of a %s\.': .* \(write \{\} for %s\)$"
    ):
        resolve_templates("a photo of a %s.")
    with pytest.raises(ZslError, match=r"^--attribute-template: .* \(write \{\} for %s\)$"):
        plan_prompts(
            parse_attributes("class,red\ncat,1\n"), Templates("x", ()), attribute_template="a %s"
        )


def test_prompt_fingerprint_follows_the_prompts_not_the_template_source():
    spec = parse_classes("cat\ndog\n")
    first = plan_prompts(spec, Templates("t.txt", ("a {}.", "art of {}"))).fingerprint()
    assert first == plan_prompts(spec, Templates("other.txt", ("a {}.", "art of {}"))).fingerprint()
    assert (
        first != plan_prompts(spec, Templates("t.txt", ("a {}.", "a sketch of {}"))).fingerprint()
    )
    described = parse_descriptions('{"cat": ["fur"]}')
    one = plan_prompts(described, Templates("x", ()), description_template="{} with {}")
    other = plan_prompts(described, Templates("x", ()), description_template="{}, which has {}")
    assert one.fingerprint() != other.fingerprint()


def test_plan_fingerprint_follows_the_mix_weights_and_renormalising():
    # The run info's prompts_hash says whether two runs scored classes alike: a change of
    # attribute weights, or a mean that is renormalised or not, changes the class vectors.
    table = plan_prompts(parse_attributes("class,red,round\nx,1,1\n"), Templates("x", ()))
    other = plan_prompts(parse_attributes("class,red,round\nx,1,3\n"), Templates("x", ()))
    assert table.texts == other.texts and table.fingerprint() != other.fingerprint()
    ensemble = plan_prompts(parse_classes("cat: cat, which has fur\n"), Templates("x", ()))
    described = plan_prompts(parse_descriptions('{"cat": ["fur"]}'), Templates("x", ()))
    assert ensemble.texts == described.texts
    assert ensemble.fingerprint() != described.fingerprint()


@pytest.mark.parametrize("template", ["a {} and {}", "a {0} and {0}", "{0}{0}", "{}{0}"])
def test_the_class_name_goes_into_a_template_once(template, tmp_path):
    """One rule everywhere, as CLIP's templates (and every built-in set) name the class once:
    `a {} and {}` was refused, while `a {0} and {0}` and `{0}{0}` put the name in twice."""
    assert all(
        [field for _, field, _, _ in string.Formatter().parse(t) if field is not None] == [""]
        for templates in BUILTIN_TEMPLATES.values()
        for t in templates
    )
    expected = (
        f"{template!r} must contain exactly one {{}} placeholder ({{}} and {{0}} stand for the "
        "class name, which goes in once)"
    )
    with pytest.raises(ZslError) as error:
        resolve_templates(template)
    assert str(error.value) == f"--templates: {expected}"
    template_file = tmp_path / "templates.txt"
    template_file.write_text(f"a photo of a {{}}.\n{template}\n")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(template_file))
    assert str(error.value) == f"{template_file}:2: {expected}"
    with pytest.raises(ZslError, match=r"^--attribute-template: .*for the attribute, which goes"):
        plan_prompts(
            parse_attributes("class,red\ncat,1\n"), Templates("x", ()), attribute_template=template
        )
    # A description template's class name and descriptor go in once each too.
    with pytest.raises(ZslError, match=r"^--description-template: .* each once"):
        plan_prompts(
            parse_descriptions('{"cat": ["fur"]}'),
            Templates("x", ()),
            description_template="{1} ({0}), a {0}",
        )


def test_classes_with_the_same_prompts_in_another_order_are_identical():
    # hubness and label warn of classes the model cannot tell apart; the order a class lists
    # its prompts in does not change its mean.
    plan = plan_prompts(parse_classes("a: x; y\nb: y; x\nc: x\n"), Templates("x", ()))
    assert plan.identical_classes(np.arange(len(plan.texts))) == [[0, 1]]


def test_classes_whose_prompts_the_model_reads_alike_twice_over_are_identical():
    # "red" and "Red" are one text to a tokenizer that lowercases: a class weighing both is the
    # class weighing one of them, and was not warned of (nor refused when every class was so).
    table = plan_prompts(parse_attributes("class,red,Red\nx,1,1\ny,0,1\n"), Templates("x", ()))
    assert table.identical_classes(np.array([0, 0])) == [[0, 1]]
    assert table.identical_classes(np.array([0, 1])) == []
    ensemble = plan_prompts(parse_classes("a: x; X\nb: x\nc: x; y\n"), Templates("x", ()))
    assert ensemble.identical_classes(np.array([0, 0, 1])) == [[0, 1]]
    # A plain mean of one text twice is still that text: descriptors as attributes.
    described = plan_prompts(parse_descriptions('{"a": ["x", "X"], "A": ["x"]}'), Templates("", ()))
    assert described.identical_classes(np.array([0, 0, 0])) == [[0, 1]]


def test_ensemble_is_renormalised_mean_and_prompts_are_deduplicated():
    spec = parse_classes("cat\ndog: a photo of a {}; a dog\n")
    plan = plan_prompts(spec, Templates("x", ("a photo of a {}", "{}")))
    # "a photo of a dog" appears in the dog's own prompts only once: texts are unique
    assert plan.texts == ("a photo of a cat", "cat", "a photo of a dog", "a dog")
    rng = np.random.default_rng(0)
    text = _unit(rng.normal(size=(4, 8))).astype(np.float32)
    vectors = plan.class_vectors(text)
    expected_cat = _unit((text[0] + text[1])[None])[0]
    np.testing.assert_allclose(vectors[0], expected_cat, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_an_ensemble_is_the_mean_of_transformers_normalised_prompt_features_renormalised(
    tiny_clip,
):
    # CLIP's ensembling (REFERENCES.md): for each class, the mean of the L2-normalised
    # get_text_features of its 80 templates' prompts, normalised again; transformers alone
    # gives the reference, the prompts of a class padded together.
    import torch
    from transformers import AutoModel, AutoTokenizer

    from zsl_cli import api

    classes = ["red circle", "a dog", "ice cream"]
    encoder = api.open_encoder(api.ModelOptions(name=str(tiny_clip), device="cpu"))
    options = api.ClassOptions(classes=classes, templates="imagenet80")
    vectors = api.build_classifier(*api.plan_classes(options), encoder).vectors
    model = AutoModel.from_pretrained(tiny_clip).eval()
    tokenizer = AutoTokenizer.from_pretrained(tiny_clip)
    for name, vector in zip(classes, vectors, strict=True):
        prompts = [template.format(name) for template in BUILTIN_TEMPLATES["imagenet80"]]
        with torch.no_grad():
            features = model.get_text_features(
                **tokenizer(prompts, padding=True, return_tensors="pt")
            )
        features = getattr(features, "pooler_output", features)  # transformers 5: an output
        mean = torch.nn.functional.normalize(features, dim=-1).mean(dim=0)
        expected = torch.nn.functional.normalize(mean, dim=0).numpy()
        np.testing.assert_allclose(vector, expected, rtol=0, atol=1e-6)


def test_a_prompt_given_twice_weighs_twice(monkeypatch):
    # As the README says: encoded once, but counted twice in its class's mean, whether the
    # class vectors come from one matrix product or are summed in chunks.
    import zsl_cli.prompts as prompts

    plan = plan_prompts(parse_classes("cat: a cat; a cat; a kitten\n"), Templates("x", ()))
    assert plan.texts == ("a cat", "a kitten")
    text = _unit(np.random.default_rng(7).normal(size=(2, 8))).astype(np.float32)
    expected = _unit((2 * text[0] + text[1])[None])[0]
    np.testing.assert_allclose(plan.class_vectors(text)[0], expected, atol=1e-6)
    monkeypatch.setattr(prompts, "DENSE_MIX_CELLS", 0)
    np.testing.assert_allclose(plan.class_vectors(text)[0], expected, atol=1e-6)


def test_descriptions_are_plain_means_and_attributes_weighted_means():
    spec = parse_descriptions('{"cat": ["whiskers", "a tail"]}')
    plan = plan_prompts(spec, Templates("x", ("{}",)))
    assert plan.texts == ("cat, which has whiskers", "cat, which has a tail")
    text = _unit(np.random.default_rng(1).normal(size=(2, 8))).astype(np.float32)
    np.testing.assert_allclose(plan.class_vectors(text)[0], text.mean(axis=0), atol=1e-6)

    spec = parse_attributes("class,red,round,big\nx,1,1,0\ny,0,2,2\n")
    plan = plan_prompts(spec, Templates("x", ("{}",)), attribute_template="a {} thing")
    assert plan.texts == ("a red thing", "a round thing", "a big thing")
    text = _unit(np.random.default_rng(2).normal(size=(3, 8))).astype(np.float32)
    expected = np.array([[0.5, 0.5, 0], [0, 0.5, 0.5]], dtype=np.float32) @ text
    np.testing.assert_allclose(plan.class_vectors(text), expected, atol=1e-6)
    # The #phrase row is what attribute prompts say; the column names only label the table.
    phrased = parse_attributes("class,red,rnd\n#phrase,,round\nx,1,1\n")
    assert plan_prompts(phrased, Templates("x", ()), attribute_template="a {} thing").texts == (
        "a red thing",
        "a round thing",
    )
    # Negative weights count by their size: divided by the sum of absolute values.
    signed = plan_prompts(parse_attributes("class,red,round\nz,3,-1\n"), Templates("x", ()))
    np.testing.assert_allclose(signed.weights, [0.75, -0.25])
    # Weights whose sum overflows a float are still a weighted mean.
    huge = plan_prompts(parse_attributes("class,red,round\nx,1e308,1e308\n"), Templates("x", ()))
    np.testing.assert_allclose(huge.class_vectors(text[:2])[0], text[:2].mean(axis=0), atol=1e-6)


def test_classes_are_told_apart_by_their_weights_and_by_renormalising():
    # x and z weigh the same attributes alike once normalised; y weighs them otherwise.
    spec = parse_attributes("class,red,round\nx,1,2\ny,2,1\nz,2,4\n")
    plan = plan_prompts(spec, Templates("x", ()))
    assert plan.identical_classes(np.arange(len(plan.texts))) == [[0, 2]]
    # The same two prompts, as a renormalised ensemble and as a plain mean of descriptors.
    spec = merge_descriptions(
        parse_classes("kitty: cat, which has fur; cat, which has a tail\ncat\n"),
        parse_descriptions('{"cat": ["fur", "a tail"]}'),
        "d.json",
    )
    plan = plan_prompts(spec, Templates("x", ("{}",)))
    assert len(plan.texts) == 2
    assert plan.identical_classes(np.arange(2)) == []  # unit length vs a shorter mean


def test_softmax_and_sigmoid_heads():
    sims = np.array([[0.1, 0.3, -0.2]], dtype=np.float32)
    soft = _every_score(sims, ScoreHead("softmax", 10.0))
    expected = np.exp(10 * sims) / np.exp(10 * sims).sum()
    np.testing.assert_allclose(soft, expected, rtol=1e-6)
    sig = _every_score(sims, ScoreHead("sigmoid", 10.0, -2.0))
    np.testing.assert_allclose(sig, 1 / (1 + np.exp(-(10 * sims - 2))), rtol=1e-6)
    extreme = np.array([[100.0, -100.0]], dtype=np.float32)
    assert np.isfinite(_every_score(extreme, ScoreHead("sigmoid", 10.0))).all()


def test_small_sigmoid_scores_keep_their_relative_precision():
    # SigLIP-like head: logits of unrelated classes lie near -10 to -25, where a score computed
    # as 0.5 * (1 + tanh(x / 2)) in float32 was a multiple of 3e-8 (0 at -25, 4x too high at -19).
    logits = np.array([[4.0, -4.0, -10.0, -17.0, -19.0, -25.0, -80.0]], dtype=np.float32)
    expected = 1 / (1 + np.exp(-logits.astype(np.float64)))
    scores = _every_score(logits, ScoreHead("sigmoid", 1.0))
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, expected, rtol=1e-6)


def test_top_k_orders_best_first_and_breaks_ties_by_class_order():
    scores = np.array([[0.1, 0.5, 0.5, 0.2, 0.5], [0.9, 0.0, 0.1, 0.1, 0.1]], dtype=np.float32)
    indices, values = top_k(scores, 2)
    assert indices.tolist() == [[1, 2], [0, 2]]
    np.testing.assert_allclose(values, [[0.5, 0.5], [0.9, 0.1]])
    assert top_k(scores, 0)[0].shape == (2, 5)
    assert top_k(scores, 99)[0].tolist()[1] == [0, 2, 3, 4, 1]


def test_top_k_beyond_small_k_breaks_ties_by_class_order():
    # Above SMALL_K top_k sorts: ties must still go to the lower class index, as labels do.
    scores = np.random.default_rng(5).integers(0, 3, size=(20, 200)).astype(np.float32)
    indices, _ = top_k(scores, 20)
    for row, got in zip(scores, indices.tolist(), strict=True):
        assert got == sorted(range(200), key=lambda c: -row[c])[:20]  # Python's sort is stable


def test_softmax_scores_stay_finite_at_clip_scale_over_a_wide_spread():
    # CLIP's scale 100 over cosines 1 .. -1: exp(100) overflows float32 unless shifted by the best.
    sims = np.array([[1.0, 0.0, -1.0]], dtype=np.float32)
    head = ScoreHead("softmax", 100.0)
    np.testing.assert_allclose(_every_score(sims, head), [[1.0, 0.0, 0.0]], atol=1e-30)
    indices, values = rank(sims, head, 2)
    assert indices.tolist() == [[0, 1]]
    np.testing.assert_allclose(values, [[1.0, 0.0]], atol=1e-30)


@pytest.mark.parametrize("dim", [16, 64, 512])
def test_equal_class_vectors_get_equal_similarities_wherever_they_are(dim):
    # Classes the model cannot tell apart share one vector and must score alike to the bit, so
    # that they tie and rank in class order. A matrix product does not promise that for equal
    # columns at different places: OpenBLAS rounds the edges of its tiles differently.
    rng = np.random.default_rng(0)
    classes = _unit(rng.normal(size=(300, dim))).astype(np.float32)
    copies, originals = list(range(280, 300)) + list(range(150, 170)), list(range(20)) * 2
    classes[copies] = classes[originals]
    images = _unit(rng.normal(size=(16, dim))).astype(np.float32)
    for rows in (1, 5, 16):
        sims = similarities(images[:rows], classes)
        np.testing.assert_array_equal(sims[:, copies], sims[:, originals])
        assert np.abs(sims - images[:rows] @ classes.T).max() < 1e-6
    # Equal in their first value only: told apart.
    near = classes.copy()
    near[5, 1:] = near[7, 1:]
    near[6, 0] = near[8, 0]
    sims = similarities(images, near)
    assert (sims[:, 5] != sims[:, 7]).any() and (sims[:, 6] != sims[:, 8]).any()


def test_a_class_equal_to_the_first_in_a_short_list_ties_with_it():
    # A short list whose last class is the first again (two names the model reads alike): the
    # last column of a product is a tile's edge, which OpenBLAS rounds otherwise, so in many
    # of these shapes a plain product ranked the copy first or scored it apart.
    rng = np.random.default_rng(6)
    for n_classes in range(2, 40):
        for dim in (64, 512):
            classes = _unit(rng.normal(size=(n_classes, dim))).astype(np.float32)
            classes[-1] = classes[0]
            images = _unit(rng.normal(size=(3, dim))).astype(np.float32)
            indices, values = rank(similarities(images, classes), ScoreHead("softmax", 100.0), 0)
            for row, scores in zip(indices.tolist(), values.tolist(), strict=True):
                first, copy = row.index(0), row.index(n_classes - 1)
                assert copy == first + 1 and scores[copy] == scores[first], (n_classes, dim)


def test_top_k_matches_full_sort_on_random_data():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, size=(200, 30)).astype(np.float32)  # many ties
    indices, _ = top_k(scores, 4)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :4]
    np.testing.assert_array_equal(indices, expected)


@pytest.mark.parametrize("head", [ScoreHead("softmax", 50.0), ScoreHead("sigmoid", 10.0, -3.0)])
def test_rank_equals_full_scoring_then_top_k(head):
    rng = np.random.default_rng(4)
    sims = rng.uniform(-0.3, 0.5, size=(64, 40)).astype(np.float32)
    indices, values = rank(sims, head, 5)
    expected_indices, expected_values = top_k(_textbook_scores(sims, head), 5)
    np.testing.assert_array_equal(indices, expected_indices)
    np.testing.assert_allclose(values, expected_values, rtol=1e-5, atol=1e-7)


def test_ranked_rows_in_blocks_equal_one_ranking(monkeypatch):
    # Each row's ranking and scores come from its own row alone, whatever block it is ranked in.
    rng = np.random.default_rng(2)
    images = _unit(rng.normal(size=(50, 16))).astype(np.float32)
    classes = _unit(rng.normal(size=(7, 16))).astype(np.float32)
    head = ScoreHead("softmax", 30.0)
    sims = similarities(images, classes)
    whole = rank(sims, head, 3)
    monkeypatch.setattr(scoring, "BLOCK_CELLS", 8 * 7)  # blocks of 8 rows
    rows = list(ranked_rows(sims, head, 3))
    assert len(rows) == 50
    np.testing.assert_array_equal(np.stack([r[0] for r in rows]), whole[0])
    np.testing.assert_array_equal(np.stack([r[1] for r in rows]), whole[1])
    expected = top_k(_textbook_scores(images @ classes.T, head), 3)[0]
    np.testing.assert_array_equal(whole[0], expected)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"top_k": -3}, "--top-k -3"),
        ({"threshold": 5.0}, "threshold 5.0"),
        ({"threshold": float("nan")}, "threshold nan"),
        ({"top_k": 2.5}, "--top-k 2.5"),
        ({"top_k": True}, "--top-k True"),
    ],
)
def test_decisions_outside_their_range_are_user_errors(settings, message):
    with pytest.raises(ZslError, match=message):
        Decision(**settings)


def test_decision_thresholds_at_the_ends_of_the_score_range_are_accepted():
    assert Decision(threshold=0.0).threshold == 0.0
    assert Decision(threshold=1).threshold == 1.0


def test_predictions_keep_failed_items_in_place_and_abstain_below_threshold():
    items = [
        ImageItem(0, Path("a.png")),
        ImageItem(1, Path("b.png"), status="truncated", error="ends early"),
        ImageItem(2, Path("c.png")),
    ]
    scores = np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]], dtype=np.float32)
    indices, values = top_k(scores, 2)
    decision = Decision(top_k=2, threshold=0.5)
    out = list(predict_ranked(items, zip(indices, values, strict=True), ["x", "y", "z"], decision))
    assert [p.path for p in out] == ["a.png", "b.png", "c.png"]
    assert (out[0].label, out[1].label, out[2].label) == ("x", "", "unknown")
    assert out[1].status == "truncated" and out[1].score is None and out[1].top_k == ()
    assert [s.label for s in out[2].top_k] == ["x", "y"]
    assert out[2].score == pytest.approx(0.4)
    # The threshold is compared with the score as it is written (7 significant digits): a row
    # never shows "unknown" next to a score equal to the threshold.
    score = np.float32(0.44967478)
    shown = float(format(float(score), ".7g"))
    assert float(score) < shown
    row = (np.array([0]), np.array([score]))
    at_threshold = predict_ranked(items[:1], [row], ["x"], Decision(threshold=shown))
    assert next(at_threshold).label == "x"


def test_predictions_are_made_as_they_are_taken():
    # With every class kept (top-k 0), a chunk of 4,096 rows' predictions made at once would
    # hold 12 GB of Python objects at 20,000 classes: a row is read only for its prediction.
    items = [ImageItem(0, Path("a.png")), ImageItem(1, Path("b.png"), status="empty", error="")]
    items.append(ImageItem(2, Path("c.png")))

    def rows():
        yield np.array([1, 0]), np.array([0.6, 0.4], dtype=np.float32)
        raise AssertionError("a row was read before its prediction was asked for")

    predictions = predict_ranked(items, rows(), ["x", "y"], Decision(top_k=2))
    first, second = next(predictions), next(predictions)
    assert (first.label, [s.label for s in first.top_k]) == ("y", ["y", "x"])
    assert first.score == pytest.approx(0.6) and second.status == "empty"


def test_a_long_class_list_is_planned_in_memory_proportional_to_its_prompts():
    spec = parse_classes("".join(f"class {i}\n" for i in range(20_000)))
    plan = plan_prompts(spec, resolve_templates("imagenet7"))
    assert len(plan.texts) == plan.weights.size == 140_000  # not 20,000 x 140,000 weights
    text = _unit(np.random.default_rng(3).normal(size=(140_000, 4))).astype(np.float32)
    vectors = plan.class_vectors(text)
    for index in (0, 12_345, 19_999):
        expected = _unit(text[7 * index : 7 * index + 7].mean(axis=0)[None])[0]
        np.testing.assert_allclose(vectors[index], expected, atol=1e-5)


def test_mixing_in_chunks_equals_one_matrix_product(monkeypatch):
    # Beyond DENSE_MIX_CELLS, class vectors are summed MIX_CHUNK entries at a time; a class whose
    # prompts straddle two chunks must get the sum of both parts, not the last one.
    import zsl_cli.prompts as prompts

    # 1 to 5 prompts a class, a class of the templates and one of descriptors.
    lines = [f"c{i}: " + "; ".join(f"p{i} {j}" for j in range(i % 5 + 1)) for i in range(40)]
    spec = merge_descriptions(
        parse_classes("\n".join([*lines, "plain", "kind"]) + "\n"),
        parse_descriptions('{"kind": ["fur", "a tail", "paws"]}'),
        "d.json",
    )
    plan = plan_prompts(spec, Templates("x", ("a {}", "art of {}")))
    text = _unit(np.random.default_rng(4).normal(size=(len(plan.texts), 8))).astype(np.float32)
    dense = plan.class_vectors(text)
    monkeypatch.setattr(prompts, "DENSE_MIX_CELLS", 0)
    for chunk in (1, 3, 7, 1000):
        monkeypatch.setattr(prompts, "MIX_CHUNK", chunk)
        np.testing.assert_allclose(plan.class_vectors(text), dense, atol=1e-6)


@pytest.mark.parametrize("head", [ScoreHead("softmax", 100.0), ScoreHead("sigmoid", 10.0, -3.0)])
@pytest.mark.parametrize("k", [1, 5, 20, 0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rank_is_the_same_whatever_its_row_blocks(monkeypatch, head, k, dtype):
    # rank works a block of rows at a time to bound its scratch memory; every bit of every row's
    # result must be what ranking the whole matrix at once gives.
    import zsl_cli.scoring as scoring

    rng = np.random.default_rng(11)
    sims = rng.uniform(-0.3, 0.5, size=(37, 301)).astype(dtype)
    sims[3, 10:20] = sims[3, 5]  # ties
    monkeypatch.setattr(scoring, "BLOCK_CELLS", 10**9)
    whole = rank(sims, head, k)
    for cells in (1, 301, 5 * 301 + 7):
        monkeypatch.setattr(scoring, "BLOCK_CELLS", cells)
        blocked = rank(sims, head, k)
        for got, expected in zip(blocked, whole, strict=True):
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
    empty = rank(sims[:0], head, k)
    assert empty[0].shape == (0, k or 301) and empty[1].shape == (0, k or 301)


def test_rank_needs_no_copy_of_the_similarities():
    # A chunk of 4,096 images x 20,000 classes is 330 MB of similarities: ranking it used to take
    # two more of that (a copy to mark the best classes, the softmax's exponentials).
    import tracemalloc

    rng = np.random.default_rng(12)
    sims = rng.uniform(-0.3, 0.5, size=(1024, 20_000)).astype(np.float32)  # 82 MB
    tracemalloc.start()
    try:
        rank(sims, ScoreHead("softmax", 100.0), 5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < sims.nbytes / 4


def test_labelling_from_stored_embeddings_holds_one_chunk_of_similarities(monkeypatch):
    # The previous chunk's similarities must be gone when the next chunk's are computed.
    import tracemalloc
    from types import SimpleNamespace

    import zsl_cli.scoring as scoring
    from zsl_cli import api

    monkeypatch.setattr(api, "CHUNK_ROWS", 256)
    monkeypatch.setattr(scoring, "BLOCK_CELLS", 16_384)  # rank's scratch: 64 KB
    rng = np.random.default_rng(13)
    vectors = _unit(rng.normal(size=(1024, 16))).astype(np.float32)
    classes = _unit(rng.normal(size=(10_000, 16))).astype(np.float32)
    items = [ImageItem(i, Path(f"{i}.png"), embedding=v) for i, v in enumerate(vectors)]
    classifier = SimpleNamespace(names=[f"c{i}" for i in range(10_000)], vectors=classes)
    request = SimpleNamespace(hubness_reduction="none", decision=Decision(top_k=5))
    encoder = SimpleNamespace(head=ScoreHead("softmax", 100.0))
    chunk_bytes = 256 * 10_000 * 4  # 10 MB
    tracemalloc.start()
    try:
        batches = api._store_batches(items, api._NoProgress())
        n = sum(1 for _ in api._predictions(batches, encoder, classifier, request, []))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 1024
    assert peak < 1.5 * chunk_bytes


@pytest.mark.parametrize("reduction", ["none", "centering"])
def test_labelling_with_every_class_ranks_a_block_of_rows_at_a_time(monkeypatch, reduction):
    # With top-k 0 a ranking takes 12 bytes a cell (an int64 index and a float32 score), three
    # times the similarities: a whole chunk's (4,096 x 20,000 classes: 1 GB), or with a hubness
    # reduction every image's, must not be held while its predictions are written one by one.
    import tracemalloc
    from types import SimpleNamespace

    import zsl_cli.hubness as hubness
    import zsl_cli.scoring as scoring
    from zsl_cli import api

    monkeypatch.setattr(api, "CHUNK_ROWS", 256)
    monkeypatch.setattr(scoring, "BLOCK_CELLS", 16_384)  # rank's scratch: 64 KB
    monkeypatch.setattr(hubness, "_CHUNK_ELEMENTS", 16_384)  # the reduction's, as much
    rng = np.random.default_rng(14)
    # 300 images, in two chunks: a Python object per class score, traced, makes the images the
    # test's cost, not the memory it measures (a chunk's, or every image's with a reduction).
    vectors = _unit(rng.normal(size=(300, 16))).astype(np.float32)
    classes = _unit(rng.normal(size=(2_000, 16))).astype(np.float32)
    items = [ImageItem(i, Path(f"{i}.png"), embedding=v) for i, v in enumerate(vectors)]
    classifier = SimpleNamespace(names=[f"c{i}" for i in range(2_000)], vectors=classes)
    request = SimpleNamespace(hubness_reduction=reduction, decision=Decision(top_k=0))
    encoder = SimpleNamespace(head=ScoreHead("softmax", 100.0))
    # The similarities held at once: a chunk's, or with a reduction every image's (2 or 2.4 MB).
    held = (256 if reduction == "none" else 300) * 2_000 * 4
    tracemalloc.start()
    try:
        batches = api._store_batches(items, api._NoProgress())
        n = sum(len(p.top_k) for p in api._predictions(batches, encoder, classifier, request, []))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n == 300 * 2_000
    assert peak < 2 * held


def test_classes_alike_among_many_prompts_are_found():
    # 10,000 classes x 80 templates, grouped in numpy rather than by a Python loop over the
    # 800,000 prompts (0.7 s at every plan): the prompts read apart, and lowercased.
    names = [f"c{index}" for index in range(9998)] + ["C0", "C1"]
    plan = plan_prompts(parse_classes("\n".join(names) + "\n"), Templates("x", IMAGENET80))
    lowered: dict[str, int] = {}
    read_alike = np.array([lowered.setdefault(text.lower(), len(lowered)) for text in plan.texts])
    assert plan.identical_classes(np.arange(len(plan.texts))) == []
    assert plan.identical_classes(read_alike) == [[0, 9998], [1, 9999]]
