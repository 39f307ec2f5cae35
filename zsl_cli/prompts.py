"""Prompt templates and how class prompts combine into one vector per class.

Every class mode reduces to the same shape: a list of unique prompt texts, encoded once, and a
[classes x prompts] weight matrix that mixes their embeddings into class vectors:
- names + templates (CLIP ensembling): the mean of the class's normalised prompt embeddings,
  renormalised (Radford et al. 2021);
- descriptions (Menon & Vondrick 2023): score = mean over descriptors of cos(image, "<class>, which
  has <descriptor>") = image . mean(descriptor embeddings), so the mean is NOT renormalised;
- attributes (DAP-style, Lampert et al.): a weighted mean of attribute prompt embeddings, weights
  normalised per class so classes with more attributes are not favoured, not renormalised, so a
  class score is the weighted mean of the image's attribute similarities.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from zsl_cli.accents import not_found_hint
from zsl_cli.classes import (
    AttributeTable,
    ClassSpec,
    csv_quoting_warnings,
    formatted_field_hint,
    in_quotes,
    lookalike_field,
    refuse_too_long,
    trailing_comment_warnings,
    weight_column,
    weight_column_error,
    with_name,
)
from zsl_cli.defaults import DEFAULT_ATTRIBUTE_TEMPLATE, DEFAULT_DESCRIPTION_TEMPLATE
from zsl_cli.errors import ZslError
from zsl_cli.formatting import and_more, printable, quoted_line, quoted_text
from zsl_cli.text_files import INVISIBLE, STDIN_HINT, read_text, split_lines, strip_name
from zsl_cli.wrong_file_kinds import (
    descriptions_by_dataset_problem,
    json_value,
    list_in_code,
    other_field_hint,
    template_fields,
)

# The 80 ImageNet templates from openai/CLIP notebooks/Prompt_Engineering_for_ImageNet.ipynb.
IMAGENET80 = (
    "a bad photo of a {}.", "a photo of many {}.", "a sculpture of a {}.",
    "a photo of the hard to see {}.", "a low resolution photo of the {}.", "a rendering of a {}.",
    "graffiti of a {}.", "a bad photo of the {}.", "a cropped photo of the {}.",
    "a tattoo of a {}.", "the embroidered {}.", "a photo of a hard to see {}.",
    "a bright photo of a {}.", "a photo of a clean {}.", "a photo of a dirty {}.",
    "a dark photo of the {}.", "a drawing of a {}.", "a photo of my {}.", "the plastic {}.",
    "a photo of the cool {}.", "a close-up photo of a {}.", "a black and white photo of the {}.",
    "a painting of the {}.", "a painting of a {}.", "a pixelated photo of the {}.",
    "a sculpture of the {}.", "a bright photo of the {}.", "a cropped photo of a {}.",
    "a plastic {}.", "a photo of the dirty {}.", "a jpeg corrupted photo of a {}.",
    "a blurry photo of the {}.", "a photo of the {}.", "a good photo of the {}.",
    "a rendering of the {}.", "a {} in a video game.", "a photo of one {}.", "a doodle of a {}.",
    "a close-up photo of the {}.", "a photo of a {}.", "the origami {}.",
    "the {} in a video game.", "a sketch of a {}.", "a doodle of the {}.", "a origami {}.",
    "a low resolution photo of a {}.", "the toy {}.", "a rendition of the {}.",
    "a photo of the clean {}.", "a photo of a large {}.", "a rendition of a {}.",
    "a photo of a nice {}.", "a photo of a weird {}.", "a blurry photo of a {}.",
    "a cartoon {}.", "art of a {}.", "a sketch of the {}.", "a embroidered {}.",
    "a pixelated photo of a {}.", "itap of the {}.", "a jpeg corrupted photo of the {}.",
    "a good photo of a {}.", "a plushie {}.", "a photo of the nice {}.",
    "a photo of the small {}.", "a photo of the weird {}.", "the cartoon {}.", "art of the {}.",
    "a drawing of the {}.", "a photo of the large {}.", "a black and white photo of a {}.",
    "the plushie {}.", "a dark photo of a {}.", "itap of a {}.", "graffiti of the {}.",
    "a toy {}.", "itap of my {}.", "a photo of a cool {}.", "a photo of a small {}.",
    "a tattoo of the {}.",
)  # fmt: skip

# The 7-template subset found by forward selection in the same notebook.
IMAGENET7 = (
    "itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
    "a {} in a video game.", "art of the {}.", "a photo of the small {}.",
)  # fmt: skip

BUILTIN_TEMPLATES: dict[str, tuple[str, ...]] = {
    "default": ("a photo of a {}.",),
    "imagenet80": IMAGENET80,
    "imagenet7": IMAGENET7,
    "bare": ("{}",),
}


# printf's and Python's placeholder, `a photo of a %s.`: text to str.format, never the name.
PERCENT_S_HINT = "write {} for %s"


@dataclass(frozen=True)
class Templates:
    name: str  # built-in name, file path or "literal"
    templates: tuple[str, ...]
    warnings: tuple[str, ...] = ()  # what reading a template file noticed


def is_template_file(value: str) -> bool:
    """Whether --templates `value` names a file of templates, not a built-in set or a literal."""
    # exists and not a folder: a pipe such as <(printf 'a {}\n') is a template file too.
    # os.path's, not Path's: a literal too long for a file name is no file, not an OSError.
    # A name holding {} too: `tmpl{}.txt` was a literal template, "tmplcircle.txt" the prompt.
    return value not in BUILTIN_TEMPLATES and os.path.exists(value) and not os.path.isdir(value)


def _reads_as_path(value: str) -> bool:
    """Whether --templates `value` reads as a file's path, as its separator or ending says: a
    template has words."""
    return not any(c.isspace() for c in value) and (
        os.sep in value or value.lower().endswith((".txt", ".json"))
    )


# A comment line that reads as a template: a hashtag of the class name, '#' then {} or {0}.
# Not `#art of a {}`, which reads as a template put aside as much as a template.
_HASHTAG_TEMPLATE = re.compile(r"#(\{0?\})")


def resolve_templates(value: str) -> Templates:
    """A built-in set name, a file with one template per line, or a literal string with `{}`."""
    if value in BUILTIN_TEMPLATES:
        return Templates(value, BUILTIN_TEMPLATES[value])
    if is_template_file(value):
        # Cleaned as a class file's lines are: a byte-order mark or zero-width space at an end
        # of a line is invisible in an editor, but not to the tokenizer.
        text = read_text(value, "template file")
        # Over several lines or on one (`["a photo of a {}.", "a sketch of a {}."]`): a
        # template of the whole list was refused for its many {}, the list not named.
        in_code = list_in_code(text)
        if in_code is not None:  # its first line, '[', was the error: it has no {}
            # open_clip's zero_shot_metadata.py: `OPENAI_IMAGENET_TEMPLATES = (lambda c: ...,`.
            lambdas = (
                " (a lambda's text alone, with {} for the class name: `a photo of a {}.` for "
                "`lambda c: f'a photo of a {c}.'`)"
            )
            raise ZslError(
                f"{value} is {in_code} of templates: write one template per line, without "
                f"quotes{lambdas if in_code.startswith('Python code') and 'lambda' in text else ''}"
            )
        # `{}` alone is the bare template, not an object to name.
        if isinstance(json_object := json_value(text), dict) and json_object:
            # CuPL's prompts by dataset hold no {}: told where they go, not to add it.
            by_dataset = tuple(json_object.items())
            if problem := descriptions_by_dataset_problem(by_dataset, value, "a template file"):
                raise ZslError(problem)
            # CLIP_benchmark's zeroshot_classification.json, templates by dataset: its first
            # line, '{', was refused as a template without a word of what the file is.
            raise ZslError(
                f"{value} is a JSON object, not a template file (templates by dataset, as "
                "CLIP_benchmark's?): write one dataset's templates one per line, with {} for "
                "the class name"
            )
        # A Hangul filler at a line's end stays, as at a class name's, to be warned of.
        lines = enumerate(map(strip_name, split_lines(text)), start=1)
        written = [(number, line) for number, line in lines if line]
        numbered = [(number, line) for number, line in written if line[0] != "#"]
        # `#{} on instagram`: a hashtag that starts a template makes a comment of it. Not
        # `# a photo of a {}.`, a template put aside as an editor's comment key writes it.
        hashtags = [
            (number, line, found[1])
            for number, line in written
            if (found := _HASHTAG_TEMPLATE.match(line))
        ]
        if not numbered:
            if not written:
                raise ZslError(
                    f"template file {value} has no templates (one per line, each with {{}})"
                )
            held = " (a template cannot start with '#')" if hashtags else ""
            raise ZslError(
                f"template file {value} has no templates: every line that is not blank starts "
                f"with '#', which makes it a comment{held}"
            )
        if not any("{" in line for _, line in numbered):
            # Not the first line's error, which says how to write literal braces.
            lookalike = next(
                ((number, said) for number, line in numbered if (said := lookalike_field(line))),
                None,
            )
            if any("%s" in line for _, line in numbered):
                guess = PERCENT_S_HINT
            elif lookalike is not None:  # `｛｝の写真`: not a class list
                guess = f"line {lookalike[0]} holds {lookalike[1]}"
            else:
                guess = "a class list? pass it as --classes"
            raise ZslError(
                f"{value}: no line holds {{}}, which stands for the class name in a template "
                f"({guess})"
            )
        _refuse_weight_column(numbered, value)
        for number, template in numbered:
            _check_template(template, f"{value}:{number}")
        templates = tuple(template for _, template in numbered)
        # The file's name escaped, as errors show it: a warning is printed as the library gives
        # it, and a name's escape sequences must not reach the terminal.
        source = printable(value)
        places = [f"{source}:{number}" for number, _ in numbered]
        warnings = trailing_comment_warnings(templates, source, "template", "template", places)
        if hashtags:
            number, line, braces = hashtags[0]
            more = and_more(len(hashtags))
            warnings += (
                f"{source}:{number}: {quoted_line(line)}{more} holds {braces}, but the line starts "
                "with '#', which makes it a comment, not a template (a template cannot start "
                "with '#')",
            )
        if all(map(in_quotes, templates)):
            # Items of a Python list (CLIP's notebook): the quotes went into every prompt.
            warnings += (
                f"{source}: every template is in quotes, such as {quoted_line(templates[0])}: the "
                "quotes are part of the templates and of every prompt; write the templates "
                "without them",
            )
        warnings += csv_quoting_warnings(list(zip(templates, places, strict=True)), "template")
        if "{}" in value and not _reads_as_path(value):
            # `-t '{}'` beside a file of that name (find's -exec leaves them): read, and said.
            warnings += (
                f"--templates {quoted_text(value)} names a file, read as a file of templates, not "
                "as a template (write {0} for {} to give the template itself)",
            )
        return Templates(value, templates, warnings)
    if "{" in value:  # `{}`, or `{0}` as str.format takes it; else the check says what is wrong
        _check_template(value, "--templates")
        if weight_column([value], tabs_only=True):  # a line of a template file of weights
            raise ZslError(
                f"--templates {quoted_line(value)} has a number set apart by a tab (a template "
                "and its weight?): templates have no weights, each counts the same in its "
                "class's average; give the template without the number"
            )
        warnings = ()
        if _reads_as_path(value):
            warnings = (
                f"--templates {quoted_text(value)} reads as a file's path, but no such file is "
                "there: it is used as a template, its text in every prompt",
            )
        return Templates("literal", (value,), warnings)
    if os.path.isdir(value):
        raise ZslError(f"template file is a directory: {value}")
    if _reads_as_path(value) or value == "-":
        # Said as a missing class file is: `-` is no stdin to a file option.
        hint = STDIN_HINT if value == "-" else not_found_hint(value)
        raise ZslError(f"template file not found: {value}{hint}")
    names = ", ".join(BUILTIN_TEMPLATES)
    hint = f" ({PERCENT_S_HINT})" if "%s" in value else ""
    if said := lookalike_field(value):
        hint = f" (it holds {said})"
    raise ZslError(
        f"--templates {quoted_text(value)}: not a built-in set ({names}), not a file, and has no "
        f"{{}} placeholder for the class name{hint}"
    )


def _refuse_weight_column(numbered: list[tuple[int, str]], value: str) -> None:
    """A template file whose every template has a number in a column of its own, a header line
    without {} aside (`template,weight`): a table of templates and their weights, whose weights
    would be part of every prompt, as no template is weighed apart."""
    rows = numbered[1:] if "{" not in numbered[0][1] else numbered
    if weight_column([template for _, template in rows]):
        number, template = rows[0]
        raise weight_column_error(
            f"{value}:{number}",
            template,
            "template",
            "write one template per line, without a number",
        )


# A Jinja (or Mustache) placeholder, `{{ label }}`: to str.format, literal braces around a word.
_JINJA_FIELD = re.compile(r"\{\{\s*[A-Za-z_][\w.]*\s*\}\}")
# A placeholder escaped as str.format escapes braces, `{{}}`: literal braces, the text `{}`.
_DOUBLED_FIELD = re.compile(r"\{\{\s*0?\s*\}\}")


def _check_template(template: str, where: str, placeholders: int = 1) -> None:
    refuse_too_long(template, "template", where)
    # A field with a conversion or format spec ({!r}, {:>30}) would quote or pad the name:
    # kept as written, so that a message quotes it so. None: a lone brace.
    fields = template_fields(template)
    # Fields may be numbered, as str.format (and the transformers pipeline's template) takes
    # them: `{0}` is the class name. A description template's `{1}` alone uses the descriptor as
    # it stands (CuPL's prompts, which name their class already), `{1} ({0})` puts the name
    # after it. The last field must be used: without the descriptor a class's descriptors
    # would all be one prompt. Each goes in once, as CLIP's templates name the class once (and
    # a class's own prompts, and --templates 'a {} and {}', were refused a second name).
    indices = [str(index) for index in range(placeholders)]
    numbered = (
        fields is not None
        and set(fields) <= set(indices)
        and indices[-1] in fields
        and len(set(fields)) == len(fields)
    )
    valid = fields is not None and (numbered or (len(fields) == placeholders and not any(fields)))
    repeated = (
        fields is not None
        and set(fields) <= {"", *indices}
        and (len(fields) > placeholders or ("" not in fields and len(set(fields)) < len(fields)))
    )
    try:
        template.format(*(["x"] * placeholders))
    except (IndexError, KeyError, ValueError):  # `{} {1}` mixes two ways of numbering
        valid = False
    # `{0:}` and `{:}`, whose fields read as `{0}` and `{}`: refused, as in a class's own prompt,
    # and told what to write where that is all that is wrong.
    formatted = formatted_field_hint(template, placeholders) if valid else None
    valid = valid and formatted is None
    if not valid:
        # Literal braces are no hint for a template that has none (`a photo.`).
        what = "the attribute" if where == "--attribute-template" else "the class name"
        hint = "write literal braces as {{ and }}" if set("{}") & set(template) else ""
        if placeholders == 2:
            each = ", each once" if repeated else ""
            hint = (
                f"the class name and the descriptor, or {{0}} and {{1}} for them{each}: {{1}} "
                "alone uses the descriptor as it stands" + (f"; {hint}" if hint else "")
            )
        elif not hint:
            hint = f"{{}} stands for {what}"
        elif repeated:
            # An attribute template's one field is the attribute's text, not a class name.
            hint = f"{{}} and {{0}} stand for {what}, which goes in once"
        if formatted is not None:
            hint = formatted
        elif template.startswith("lambda "):
            # CLIP's notebooks and data/prompts.md list templates as `lambda c: f'...{c}.'`.
            hint = "a Python lambda? write its text alone, with {} for the class name"
        elif said := lookalike_field(template):
            # `｛｝`, as an input method in full-width mode types braces: text, not a placeholder.
            hint = f"it holds {said}"
        elif fields == [] and "%s" in template:
            hint = PERCENT_S_HINT
        elif other := other_field_hint(
            template, (what,) if placeholders == 1 else ("the class name", "the descriptor")
        ):
            hint = other
        elif fields == [] and (jinja := _JINJA_FIELD.search(template)):
            hint = f"a Jinja template? write {{}} for {jinja.group()}"
        elif (
            fields is not None
            and len(fields) < placeholders
            and (doubled := _DOUBLED_FIELD.search(template))
        ):
            # Escaped already: the advice to write literal braces so was what made it none.
            hint = (
                f"write {{}} for {doubled.group()}: doubled braces are literal braces, not a "
                "placeholder"
                if placeholders == 1
                else f"doubled braces ({doubled.group()}) are literal braces, not placeholders: "
                "write {} for the class name and {} for the descriptor, or {0} and {1}"
            )
        raise ZslError(
            f"{where}: {quoted_line(template)} must contain exactly "
            f"{'one' if placeholders == 1 else placeholders} {{}} "
            f"placeholder{'' if placeholders == 1 else 's'} ({hint})"
        )


DENSE_MIX_CELLS = 16_000_000  # up to this many classes x texts, mix with matrix products
MIX_CHUNK = 16_384  # beyond: weighted prompt embeddings summed at a time (~32 MB at dim 512)


@dataclass(frozen=True, eq=False)
class PromptPlan:
    """Unique prompt texts and how to mix their embeddings into class vectors.

    The mix is a sparse [classes x texts] matrix in coordinate form, ordered by class: class
    `classes[i]` takes `weights[i]` of text `prompts[i]`. Kept dense, it would hold classes x texts
    numbers: 8 GB for 20,000 classes of 80 templates (each with its own prompts), against 6.8 MB
    for 20,000 classes of 85 attributes (all sharing them), which is mixed dense.
    """

    texts: tuple[str, ...]
    classes: np.ndarray  # [n_entries] class index, non-decreasing
    prompts: np.ndarray  # [n_entries] index into texts
    weights: np.ndarray  # [n_entries] float32
    renormalise: np.ndarray  # [n_classes] bool: unit-length class vector (ensembles) or not

    def class_vectors(self, text_embeddings: np.ndarray) -> np.ndarray:
        """[n_texts, dim] normalised prompt embeddings -> [n_classes, dim] class vectors."""
        mix = ClassMix(self)
        mix.add(np.arange(len(self.texts)), text_embeddings)  # every text: one chunk
        return mix.vectors()

    def fingerprint(self) -> str:
        """A short hash of the prompts and their mix: what the classes' own hash leaves out
        (the contents of a template file, the attribute and description templates)."""
        digest = hashlib.sha256(json.dumps(self.texts).encode())  # ASCII: json escapes the rest
        for array, dtype in ((self.classes, "<i8"), (self.prompts, "<i8"), (self.weights, "<f4")):
            digest.update(np.ascontiguousarray(array, dtype=dtype).tobytes())
        digest.update(np.ascontiguousarray(self.renormalise, dtype=np.uint8).tobytes())
        return digest.hexdigest()[:16]

    @cached_property
    def classes_alike_in_text(self) -> list[list[int]]:
        """Groups of classes whose mixes are the same text for text (attribute rows the same in
        proportion, or the same prompts): no model can tell them apart. Found once, for the class
        files' check and again for the model's where it reads every text apart."""
        return self.identical_classes(np.arange(len(self.texts)))

    def identical_classes(self, text_ids: np.ndarray) -> list[list[int]]:
        """Groups of classes whose mixes are the same once texts with equal `text_ids` (texts
        the model encodes alike) count as one text."""
        n_classes = len(self.renormalise)
        ids = np.asarray(text_ids, dtype=np.int64)[self.prompts]
        # Each class's entries by text (stable: a text's weights are added in the plan's order);
        # timsort finds the runs of a plan made class by class, text by text.
        order = np.argsort(self.classes * (int(ids.max(initial=0)) + 1) + ids, kind="stable")
        classes, ids = self.classes[order], ids[order]
        # Texts the model reads alike are one text, their weights added: a class weighing
        # "red" and "Red" (to a tokenizer that lowercases) is the class weighing "red" once.
        firsts = np.flatnonzero(
            (np.diff(classes, prepend=-1) != 0) | (np.diff(ids, prepend=-1) != 0)
        )
        merged = np.add.reduceat(self.weights[order].astype(np.float64), firsts)
        classes, ids = classes[firsts], ids[firsts]
        bounds = np.searchsorted(classes, np.arange(n_classes + 1))
        # A renormalised mean does not change with its weights' scale; float32 as the mix, so
        # that 3 x 1/3 is 1, not one rounding away from it (+ 0 makes -0.0 the 0.0 it equals).
        sums = np.bincount(classes, weights=merged, minlength=n_classes)
        totals = np.where(self.renormalise, sums, 1.0)
        scaled = (merged / totals[classes]).astype(np.float32) + np.float32(0)
        # A class's mix as bytes, its texts and weights, keyed in one dict pass: a loop over
        # every prompt took 0.7 s for 10,000 classes x 80 templates.
        mixes = np.empty(len(merged), dtype=[("id", "<i8"), ("weight", "<f4")])
        mixes["id"], mixes["weight"] = ids, scaled
        data, size = mixes.tobytes(), mixes.itemsize
        groups: dict[tuple[bool, bytes], list[int]] = {}
        for index, (start, stop, renormalise) in enumerate(
            zip(bounds[:-1].tolist(), bounds[1:].tolist(), self.renormalise.tolist(), strict=True)
        ):
            groups.setdefault((renormalise, data[start * size : stop * size]), []).append(index)
        return [group for group in groups.values() if len(group) > 1]


class ClassMix:
    """A plan's class vectors, summed as its prompts' embeddings arrive a chunk of texts at a
    time (`add`), in any order: memory grows with the classes and one chunk, where every
    prompt's embedding took 3.3 GB for 10,000 classes x 80 templates at 768-d."""

    def __init__(self, plan: PromptPlan) -> None:
        self._plan = plan
        # The plan's entries by text, so that a chunk of texts finds its entries without a scan
        # of every entry: those of text t are by_text[starts[t] : starts[t + 1]].
        self._by_text = np.argsort(plan.prompts, kind="stable")
        self._starts = np.searchsorted(plan.prompts[self._by_text], np.arange(len(plan.texts) + 1))
        self._dense = len(plan.renormalise) * len(plan.texts) <= DENSE_MIX_CELLS
        # float64: a class's prompts come in many chunks (an encoder sorts them by length), and
        # its sum rounds to float32 once, at the end, not once a chunk.
        self._sums: np.ndarray | None = None  # [n_classes, dim], once the width is known

    def add(self, rows: np.ndarray, embeddings: np.ndarray) -> None:
        """Mix in the embeddings [len(rows), dim] of the plan's texts `rows`, each text once."""
        rows, embeddings = np.asarray(rows), embeddings.astype(np.float32, copy=False)
        plan, n_classes = self._plan, len(self._plan.renormalise)
        if self._sums is None:
            self._sums = np.zeros((n_classes, embeddings.shape[1]), dtype=np.float64)
        starts, stops = self._starts[rows], self._starts[rows + 1]
        # The chunk's entries, each with its row of `embeddings`.
        entries = self._by_text[_spans(starts, stops)]
        at = np.repeat(np.arange(len(rows)), stops - starts)
        if self._dense:  # a [classes x chunk] matrix: at most DENSE_MIX_CELLS numbers
            mix = np.zeros((n_classes, len(rows)), dtype=np.float32)
            np.add.at(mix, (plan.classes[entries], at), plan.weights[entries])
            self._sums += mix @ embeddings
            return
        order = np.argsort(entries)  # the plan's order, by class: each class's entries in a run
        entries, at = entries[order], at[order]
        for start in range(0, len(entries), MIX_CHUNK):
            part = entries[start : start + MIX_CHUNK]
            classes = plan.classes[part]
            weighted = embeddings[at[start : start + MIX_CHUNK]] * plan.weights[part, None]
            firsts = np.flatnonzero(np.r_[True, classes[1:] != classes[:-1]])
            self._sums[classes[firsts]] += np.add.reduceat(weighted, firsts, axis=0)

    def vectors(self) -> np.ndarray:
        """[n_classes, dim] float32 class vectors of every text added."""
        sums = self._sums if self._sums is not None else np.zeros((len(self._plan.renormalise), 0))
        return _renormalised(sums.astype(np.float32), self._plan.renormalise)


def _spans(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """starts[0] .. stops[0] - 1, then starts[1] .. stops[1] - 1, and so on, in one array."""
    counts = stops - starts
    ends = np.cumsum(counts)
    return np.repeat(starts - ends + counts, counts) + np.arange(ends[-1] if len(ends) else 0)


def _renormalised(vectors: np.ndarray, renormalise: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    scale = np.where(renormalise[:, None], 1.0 / np.maximum(norms, 1e-12), 1.0)
    return (vectors * scale).astype(np.float32)


# What prints as nothing and a class name cannot hold (`text_files.INVISIBLE`): not the joiners
# and variation selectors that scripts and emoji need; and control characters but the tab and
# line breaks, which a prompt may hold.
_CONTROLS = "".join(map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))
_INVISIBLE_INSIDE = re.compile(f"[{re.escape(INVISIBLE + _CONTROLS)}]")


def invisible_character_warnings(
    spec: ClassSpec,
    templates: Templates,
    description_template: str = DEFAULT_DESCRIPTION_TEMPLATE,
    attribute_template: str = DEFAULT_ATTRIBUTE_TEMPLATE,
) -> tuple[str, ...]:
    """A warning for the prompts' own text (not a class name's, which cannot hold one) holding a
    character that prints as nothing, as text pasted from a web page does (a zero-width space, a
    soft hyphen, a direction mark), or a control character (a BEL, an escape sequence's ESC):
    the tokenizer reads it, and it moves the embeddings of the prompts made of it. Only the
    texts the prompts are made of are looked at, not every prompt (a template is in every
    class's); the first text found is named, and said as its first such character is."""
    texts: list[str] = []
    if spec.attributes is not None:
        texts += [attribute_template, *spec.attributes.phrases]
    else:
        if uses_templates(spec):
            texts += templates.templates
        if any(cls.descriptors for cls in spec.classes):
            texts.append(description_template)
        for cls in spec.classes:
            texts += cls.prompts or cls.descriptors
    found = [(text, hit) for text in texts if (hit := _INVISIBLE_INSIDE.search(text))]
    if not found:
        return ()
    text, hit = found[0]
    subject = "1 prompt text holds" if len(found) == 1 else f"{len(found)} prompt texts hold"
    mark = hit.group()
    if mark in _CONTROLS:  # unnamed in Unicode; no web page's doing
        what, where = "a control character", ""
    else:
        what, where = "a character that prints as nothing", " (text pasted from a web page?)"
    named = f"U+{ord(mark):04X} {unicodedata.name(mark, '')}".rstrip()
    return (
        f"{subject} {what}: {quoted_line(text)} holds {named}; the model reads it, and it "
        f"changes the prompts' embeddings{where}: delete it",
    )


def uses_templates(spec: ClassSpec) -> bool:
    """Whether any class gets its prompts from the templates (not its own prompts, descriptors
    or an attribute row)."""
    if spec.attributes is not None:
        return False
    return any(not cls.descriptors and not cls.prompts for cls in spec.classes)


def plan_prompts(
    spec: ClassSpec,
    templates: Templates,
    *,
    description_template: str = DEFAULT_DESCRIPTION_TEMPLATE,
    attribute_template: str = DEFAULT_ATTRIBUTE_TEMPLATE,
) -> PromptPlan:
    """Every class's prompts, deduplicated, with the mixing weights of its class mode."""
    # Both checked whatever the mode, so that a bad option is an error however it goes unused.
    _check_template(attribute_template, "--attribute-template")
    _check_template(description_template, "--description-template", placeholders=2)
    if spec.attributes is not None:
        table = spec.attributes
        weights = _attribute_weights(table)
        classes, attributes = np.nonzero(weights)
        texts = [attribute_template.format(phrase) for phrase in table.phrases]
        renormalise = np.zeros(len(spec.classes), dtype=bool)
        return _plan(texts, attributes, classes, weights[classes, attributes], renormalise)

    per_class: list[list[str]] = []
    renormalise = np.zeros(len(spec.classes), dtype=bool)
    for index, cls in enumerate(spec.classes):
        if cls.descriptors:
            per_class.append([description_template.format(cls.name, d) for d in cls.descriptors])
        elif cls.prompts:
            per_class.append([with_name(prompt, cls.name) for prompt in cls.prompts])
            renormalise[index] = True
        else:
            per_class.append([t.format(cls.name) for t in templates.templates])
            renormalise[index] = True
    counts = [len(prompts) for prompts in per_class]
    classes = np.repeat(np.arange(len(per_class)), counts)
    weights = np.repeat([1.0 / count for count in counts], counts)
    texts = [text for prompts in per_class for text in prompts]
    return _plan(texts, np.arange(len(texts)), classes, weights, renormalise)


def _attribute_weights(table: AttributeTable) -> np.ndarray:
    """[n_classes, n_attributes] float64: each weight over the sum of its row's absolute values."""
    # Scaled by the largest first: the sum of huge weights would overflow to inf.
    scaled = table.weights / np.abs(table.weights).max(axis=1, keepdims=True)
    return scaled / np.abs(scaled).sum(axis=1, keepdims=True)


def entry_weights(spec: ClassSpec, plan: PromptPlan) -> np.ndarray:
    """[n_entries] float64: the weights of `plan_prompts(spec, ...)`'s entries as computed, which
    the plan keeps in float32, the precision it mixes embeddings in: 1/n of a class's n
    templates, prompts or descriptors, or an attribute's share of its row (`class_prompts`)."""
    if spec.attributes is not None:
        weights = _attribute_weights(spec.attributes)
        return weights[np.nonzero(weights)]  # in the plan's order: by class, then attribute
    counts = np.bincount(plan.classes, minlength=len(spec.classes))
    return 1.0 / counts[plan.classes]


def _plan(
    texts: list[str],
    entry_texts: np.ndarray,
    classes: np.ndarray,
    weights: np.ndarray,
    renormalise: np.ndarray,
) -> PromptPlan:
    """Entry i: class `classes[i]` takes `weights[i]` of `texts[entry_texts[i]]`. Each distinct
    text is encoded once (a class that lists one text twice gets both weights)."""
    index: dict[str, int] = {}
    distinct = np.array([index.setdefault(text, len(index)) for text in texts], dtype=np.int64)
    return PromptPlan(
        texts=tuple(index),
        classes=np.asarray(classes, dtype=np.int64),
        prompts=distinct[entry_texts],
        weights=np.asarray(weights, dtype=np.float32),
        renormalise=renormalise,
    )
