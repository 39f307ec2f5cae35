"""Recognising a file given where another kind belongs, to name the option or tool that takes
it: a class list that is really a JSON or Python list of names, a JSON object (descriptions, a
model's id2label, CLIP_benchmark's lists by dataset), XML, a label map, an attribute table or a
bare predicate matrix, AwA2's numbered classes.txt, a list of images or a ground-truth table;
JSON given as an attribute table; a descriptions file that is not JSON at all.

Read as what was asked for, such a file parsed: its every line, brace or key became a class,
without a word. These checks only recognise and refuse (one ZslError each); the parsers of
`classes` call them and parse the rest. Nothing here imports `classes`, which imports this.
"""

from __future__ import annotations

import ast
import csv
import json
import math
import os
import re
import shlex
import string
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeGuard

from zsl_cli.defaults import IMAGE_EXTENSIONS
from zsl_cli.errors import JSON_ERRORS, ZslError
from zsl_cli.formatting import excel_delimiter, quoted_line
from zsl_cli.process_settings import warning_filters_held
from zsl_cli.text_files import first_content_lines, split_lines, strip_invisible


def check_not_another_class_file(text: str, source: str) -> None:
    """A descriptions JSON or attribute table given as a class list would label with its lines
    (`red star,1,0,...`) as class names: say which option takes it."""
    content = first_content_lines(text, 3)
    delimiter = ","
    # Excel's `sep=;` above a table: read as it is, where a content line has lost its tab.
    if content and (named := excel_delimiter(_first_content_line_as_written(text))):
        delimiter, content = named, content[1:]
    content = content[:2]
    if content and content[0].startswith("{"):
        refuse_json_object(text, content[0], source, "a class list (one class name per line)")
    if content and content[0].startswith("[") and _is_list_of_named_objects(json_value(text)):
        # CVAT's labels, COCO's categories: over several lines each '{' was a class.
        raise ZslError(
            f"{source} is a JSON list of objects with a name (CVAT's labels, COCO's "
            "categories?), not a class list: write their names one per line, such as with "
            f"`{_jq_line('.[].name', source, 'classes.txt')}`"
        )
    if _is_xml(content):
        # A Label Studio labelling config (`<View>` over `<Image name="image" .../>`), a Pascal
        # VOC annotation: every tag was a class, without a word.
        raise ZslError(
            f"{source} is XML (a Label Studio labelling config? an annotation file?), not a "
            "class list: write the class names, one per line"
        )
    # Over several lines, each name would keep its quotes and comma, and '[', '(' and ')' would
    # be classes; on one line (`["cat", "dog"]`, as json.dump writes a list) it was one class
    # named the whole list, every image labelled it.
    in_code = list_in_code(text)
    if in_code is not None:
        hint = f", such as with `{_jq_line('.[]', source, 'classes.txt')}`"
        raise ZslError(
            f"{source} is {in_code} of names: write one class name per line, without "
            f"quotes{hint if in_code == 'a JSON list' else ''}"
        )
    # `[1, 2]`, `[["cat"]]`, `[]`: no class names either. One line is read without the
    # comments above it.
    if (
        content
        and content[0].startswith("[")
        and isinstance(json_value(content[0] if len(content) == 1 else text), list)
    ):
        raise ZslError(f"{source} is a JSON array, not a class list: write one class name per line")
    if len(content) == 2 and content[0] == "item {" and _LABEL_MAP_FIELD.match(content[1]):
        # TensorFlow's mscoco_label_map.pbtxt: its keys and braces were classes.
        raise ZslError(
            f"{source} is a label map (item {{ ... }}, as TensorFlow's object detection API "
            "writes one), not a class list: write its display names, one per line"
        )
    if len(content) == 2 and _looks_like_attribute_table(content[0], content[1], delimiter):
        raise ZslError(
            f"{source} looks like an attribute table (header `class,...`): pass it as --attributes"
        )
    refuse_yaml_list(text, source)


# A YAML key with nothing after it (`names:`), and an item of the list it holds written without
# indentation (`- person`), as YAML allows.
_YAML_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*")
_YAML_ITEM = re.compile(r"-(\s.*)?")


def refuse_yaml_list(text: str, source: str) -> None:
    """A YAML list under its key (a YOLO dataset's data.yaml, `names:` over `- person`): the key
    was refused as a class with ':' but no prompts, told to write them. Items indented are told
    so where class lines are parsed."""
    lines = split_lines(text)
    for number, (line, below) in enumerate(zip(lines, lines[1:], strict=False), start=1):
        key = _YAML_KEY.fullmatch(line.lstrip("\ufeff"))
        if key and _YAML_ITEM.fullmatch(below):
            raise ZslError(
                f"{source}:{number}: {quoted_line(key.group(1))} has ':' but no prompts after it "
                "(YAML, as a YOLO dataset's data.yaml has its names? a class file has one class "
                "name per line)"
            )


def _first_content_line_as_written(text: str) -> str:
    """The first line that holds more than white space or a comment, as the file holds it."""
    lines = split_lines(text)
    return next((line for line in lines if first_content_lines(line, 1)), "")


# A line that starts with an XML tag and ends with one (`<View>`, `<folder>VOC2007</folder>`).
_XML_LINE = re.compile(r"<[A-Za-z][\w:.-]*(\s[^>]*)?/?>(.*>)?")


def _is_xml(content: Sequence[str]) -> bool:
    """Whether a file's first two content lines are XML: a declaration (`<?xml ...?>`) first,
    or two tags, one with an attribute (`name="image"`) or a closing tag. Not names such as
    `<unk>` and `<pad>`."""
    if content and content[0].startswith("<?xml"):
        return True
    return (
        len(content) == 2
        and all(map(_XML_LINE.fullmatch, content))
        and any('="' in line or "</" in line for line in content)
    )


# A field of a TensorFlow label map's item (`name: "/m/01g317"`, `id: 1`, `display_name: ...`).
_LABEL_MAP_FIELD = re.compile(r"(name|id|display_name)\s*:")


# `imagenet_classes = [` or open_clip's `IMAGENET_CLASSNAMES = (`: a list (or tuple) of names
# in code, assigned to a variable.
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*\s*=\s*(?=[\[(])")


# What `list_in_code` found, as a message says it: "c.txt is a Python list of names".
_IN_CODE = {"list": "a Python list", "tuple": "Python code, a tuple"}


def list_in_code(text: str) -> str | None:
    """What list of strings `text` is, as a message names it: "a
    JSON list", "a Python list" (its spelling, or one copied from code with its assignment, as
    CLIP's `imagenet_classes = ["tench", ...`), "Python code, a tuple" (open_clip's
    `IMAGENET_CLASSNAMES = ("tench", "goldfish", ...)`, several names a line) or "Python code,
    the items of a list" (its lines alone, several quoted names each); None where it is none:
    lines of a file would each keep a string's quotes and comma, and '[', '(' and ')' would be
    lines of their own."""
    content = first_content_lines(text)
    if not content:
        return None
    assignment = _ASSIGNMENT.match(content[0])
    if assignment is not None:
        value = python_value(text[text.index(content[0]) + assignment.end() :])
        kind = _sequence_of_names(value) or _assigned_sequence_of_text(text)
        return None if kind is None else _IN_CODE[kind]  # code, JSON or not
    if content[0].startswith("["):
        spelling = list_of_names_spelling(text)
        return None if spelling is None else f"a {spelling} list"
    if content[0].startswith("(") and _sequence_of_names(python_value(text)) == "tuple":
        return _IN_CODE["tuple"]
    return "Python code, the items of a list" if _is_list_body(content) else None


def _sequence_of_names(value: object) -> str | None:
    """ "list" or "tuple" where `value` is one of strings (one at least), else None."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return type(value).__name__
    return None


def _is_list_body(lines: Sequence[str]) -> bool:
    """Whether `lines` are the inside of a list or tuple of strings in code, several quoted
    names on a line, each line ending with a comma (the last may not): open_clip's
    IMAGENET_CLASSNAMES without its first and last lines. Each such line was one class,
    `"tench", "goldfish", ...,` in every prompt. Not a CSV's quoted cells (`"cat","a cat"`),
    whose lines end without a comma."""
    if not lines or not all(line.endswith(",") for line in lines[: max(1, len(lines) - 1)]):
        return False
    values = [python_value(line) for line in lines]
    return all(_sequence_of_names(value) == "tuple" for value in values) and any(
        len(value) > 1 for value in values if isinstance(value, tuple)
    )


def _assigned_sequence_of_text(text: str) -> str | None:
    """ "list" or "tuple" where `text` is Python code (parsed, never run) whose first statement
    assigns one of strings, or of lambdas making them (`lambda c: f'a photo of a {c}.'`), with
    more code after it: CLIP's data/prompts.md gives each dataset's classes, then its templates,
    open_clip's zero_shot_metadata.py its templates, then its classes; or an empty one with more
    code after it (`templates = []` above the classes, `classes = []` filled by appends), each
    line of which would be a class; else None."""
    try:
        with _parse_warnings_ignored():
            body = ast.parse(text.lstrip("\ufeff")).body
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not body or not isinstance(body[0], ast.Assign):
        return None
    value = body[0].value
    if not isinstance(value, (ast.List, ast.Tuple)):
        return None
    items = [i.body if isinstance(i, ast.Lambda) else i for i in value.elts]
    if (items or len(body) > 1) and all(
        isinstance(i, ast.JoinedStr) or (isinstance(i, ast.Constant) and isinstance(i.value, str))
        for i in items
    ):
        return "list" if isinstance(value, ast.List) else "tuple"
    return None


def refuse_json_object(text: str, first_line: str, source: str, expected: str) -> None:
    """JSON objects where a class list or an attribute table belongs. Only a descriptions file
    is sent to --descriptions: zsl's predictions, metrics or run info were too, and JSON Lines
    was refused for the braces of its first record, quoted whole, as a prompt's."""
    value = json_value(text)
    if isinstance(value, dict) and (
        problem := by_dataset_problem(tuple(value.items()), source, expected)
    ):
        raise ZslError(problem)
    refuse_hugging_face_labels(value, source, expected)
    if value is None:
        # imagenet1000_clsidx_to_labels.txt, `{0: 'tench, Tinca tinca',` ...: a Python dict, its
        # ids numbers or quoted (`{'0': 'tench'}`, as Python prints an id2label).
        literal = python_value(text)
        if isinstance(literal, dict) and literal:
            pairs = tuple((str(key), name) for key, name in literal.items())
            if id_map_example(pairs):
                raise ZslError(
                    f"{source} is a Python dict mapping class ids to names, not {expected}: for "
                    "a class list, write the names one per line"
                )
    if isinstance(value, dict) and value and id_map_example(tuple(value.items())):
        raise ZslError(
            f"{source} maps class ids to names, as Keras' imagenet_class_index.json does, not "
            f"{expected}: for a class list, write the names one per line"
        )
    beside = "pass it as --descriptions beside --classes naming the other classes"
    if isinstance(value, dict) and len(value) == 1:
        [(key, items)] = value.items()
        if _is_list_of_names(items) and len(items) > 1:
            # CLIP_benchmark's --custom_classname_file, keyed by a dataset of one's own, or one
            # class's descriptors: as descriptions, one class, the only label of every image.
            raise ZslError(
                f"{source} maps one name to a list of names, not {expected}: class names by "
                "dataset (as CLIP_benchmark's --custom_classname_file takes)? write them one "
                f"per line, such as with `{_jq_line(_jq_field(key) + '[]', source, 'classes.txt')}`"
                f"; one class's descriptors? {beside}"
            )
    if isinstance(value, dict) and value and all(map(_is_descriptors, value.values())):
        if len(value) == 1:  # one class alone scores 1 on every image
            raise ZslError(f"{source} looks like a descriptions JSON file: {beside}")
        if all(isinstance(descriptor, str) for descriptor in value.values()):
            # Not told apart from an ontology that names no class twice, nor in its prompts.
            rewrite = _ontology_rewrite(tuple(value.items()), source)
            raise ZslError(
                f"{source} maps names to single strings, not {expected}: an autodistill "
                f'ontology ({{"prompt": "class"}})? {rewrite}; descriptions of classes? pass it '
                "as --descriptions"
            )
        raise ZslError(f"{source} looks like a descriptions JSON file: pass it as --descriptions")
    if isinstance(value, dict):
        raise ZslError(f"{source} is JSON, but neither {expected} nor a descriptions file")
    if isinstance(json_value(first_line), dict):
        raise ZslError(f"{source} is JSON Lines (zsl predictions?), not {expected}")


def refuse_hugging_face_labels(value: object, source: str, expected: str) -> None:
    """Hugging Face files that hold a class list, where `expected` belongs: a model's config
    (id2label) or a dataset's info (a ClassLabel feature's names; by configuration in
    dataset_infos.json). The error gives a jq line that lists the names in their order."""
    found = _hugging_face_labels(value)
    if found is not None:
        what, names = found
        raise ZslError(
            f"{source} is {what}, not {expected}: write its class names one per line, such as "
            f"with `{_jq_line(names, source, 'classes.txt')}`"
        )


def _hugging_face_labels(value: object) -> tuple[str, str] | None:
    """What the Hugging Face file holding a class list is, and a jq filter listing its names in
    order (id2label's by their ids, numbers written as strings); None for other JSON."""
    if not isinstance(value, dict):
        return None
    id2label = value.get("id2label")
    if (
        isinstance(id2label, dict)
        and _is_list_of_names(list(id2label.values()))
        and all(key.strip().isdigit() for key in id2label)
    ):
        order = ".id2label | to_entries | sort_by(.key | tonumber) | .[].value"
        return "a model's config (id2label)", order
    infos = [("", value), *((f".[{json.dumps(key)}]", info) for key, info in value.items())]
    for at, info in infos:
        features = info.get("features") if isinstance(info, dict) else None
        if not isinstance(features, dict):
            continue
        for key, feature in features.items():
            if isinstance(feature, dict) and _is_list_of_names(feature.get("names")):
                names = f"{at}.features[{json.dumps(key)}].names[]"
                return f"a dataset's info (ClassLabel feature {quoted_line(key)})", names
    return None


# The datasets CLIP_benchmark keeps class names and templates for (its benchmark/datasets.txt,
# vtab/ and wds/ ones by the name after the prefix): the keys of its en_classnames.json.
_BENCHMARK_DATASETS = frozenset(
    {
        "caltech101",
        "caltech101_vtab",
        "cars",
        "cifar10",
        "cifar100",
        "clevr_closest_object_distance",
        "clevr_count_all",
        "country211",
        "diabetic_retinopathy",
        "dmlab",
        "dsprites_label_orientation",
        "dsprites_label_x_position",
        "dsprites_label_y_position",
        "dtd",
        "eurosat",
        "fer2013",
        "fgvc_aircraft",
        "flowers",
        "food101",
        "gtsrb",
        "imagenet-a",
        "imagenet-o",
        "imagenet-r",
        "imagenet1k",
        "imagenet_sketch",
        "imagenetv2",
        "kitti_closest_vehicle_distance",
        "mnist",
        "objectnet",
        "pcam",
        "pets",
        "renderedsst2",
        "resisc45",
        "smallnorb_label_azimuth",
        "smallnorb_label_elevation",
        "stl10",
        "sun397",
        "svhn",
        "voc2007",
        "voc2007_multilabel",
    }
)


# Those that are words a class may be named by: descriptions of classes named so alone are ones.
_WORD_DATASETS = frozenset({"cars", "flowers", "pets"})


_BENCHMARK_PREFIX = re.compile(r"(wds/)?(vtab/|tfds/)?")


# A template's place for the class name: CLIP_benchmark's {c}, zsl's {}.
_TEMPLATE_FIELD = re.compile(r"\{c?\}")


# jq's program that writes prompt templates by class as a class file's lines, `cat: a {}; ...`.
_PROMPTS_BY_CLASS_JQ = 'to_entries[] | "\\(.key): \\(.value | join("; "))"'


_JQ_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# The keys of templates by language (Babel-ImageNet's nllb_dist13b_prompts.json, which
# CLIP_benchmark reads): ISO 639 codes in capitals, `DE`, `FR`, `ACE`.
_LANGUAGE_CODE = re.compile(r"[A-Z]{2,3}")


def by_dataset_problem(
    pairs: Sequence[tuple[str, object]], source: str, expected: str
) -> str | None:
    """The error for a JSON object of another tool's where `expected` belongs: lists kept by
    dataset or language and CuPL's prompts by dataset, as CLIP_benchmark ships them, or
    autodistill's ontology of prompts and classes. None for other objects. `pairs`: the
    object's keys and values, an object inside as a dict or as a tuple of its pairs (read with
    json's `object_pairs_hook=tuple`)."""
    return (
        _lists_by_dataset_problem(pairs, source, expected)
        or descriptions_by_dataset_problem(pairs, source, expected)
        or _ontology_problem(pairs, source, expected)
    )


def _lists_by_dataset_problem(
    pairs: Sequence[tuple[str, object]], source: str, expected: str
) -> str | None:
    """The error for lists kept by dataset or language, as CLIP_benchmark ships them, where
    `expected` belongs: templates (every item holds {c} or {}), or class names where every key
    names one of its datasets, not only ones that are words too (`cars`, `pets`). Read as
    descriptions, each dataset was a class described by the names of its classes. Templates
    under other keys are a class's own prompts: pointed to a class file's `name: prompts`
    lines, not to --templates, which would lose them. None for other objects. `pairs`: the
    object's keys and values."""
    lists = [items for _, items in pairs if _is_list_of_names(items)]
    if not lists or len(lists) < len(pairs):
        return None
    datasets = {_BENCHMARK_PREFIX.sub("", key.strip().lower(), count=1) for key, _ in pairs}
    by_dataset = datasets <= _BENCHMARK_DATASETS and not datasets <= _WORD_DATASETS
    if all(_TEMPLATE_FIELD.search(item) for items in lists for item in items):
        if by_dataset or all(_LANGUAGE_CODE.fullmatch(key.strip()) for key, _ in pairs):
            return (
                f"{source} holds templates by dataset or language (as CLIP_benchmark's), not "
                f"{expected}: give one list's templates to --templates, one per line, with {{}} "
                "for the class name"
            )
        # A class's own prompts: as --templates, the other classes' would be lost.
        braces = "" if all("{}" in item for items in lists for item in items) else " ({c} as {})"
        return (
            f"{source} holds prompt templates by class, not {expected}: a class file gives a "
            f"class its own prompts in `name: prompt; prompt` lines, {{}} standing for the "
            f"name{braces}, such as `{_jq_line(_PROMPTS_BY_CLASS_JQ, source, 'classes.txt')}`, "
            "given as --classes"
        )
    if not by_dataset:
        return None
    return (
        f"{source} maps dataset names to class lists (CLIP_benchmark's en_classnames.json?), "
        f"not {expected}: write one dataset's class names one per line, such as with "
        f"`{_jq_line(_jq_field(pairs[0][0]) + '[]', source, 'classes.txt')}`"
    )


def _jq_field(key: str) -> str:
    """jq's path to an object's `key`: `.cifar10`, or `.["imagenet-a"]` where it is no
    identifier."""
    return f".{key}" if _JQ_IDENTIFIER.fullmatch(key) else f".[{json.dumps(key)}]"


def _jq_program(program: str) -> str:
    """jq's `program` quoted for a shell, in quotes however plain, as jq's are written."""
    quoted = shlex.quote(program)
    return f"'{program}'" if quoted == program else quoted


def _jq_line(program: str, source: str, written: str, *, raw: bool = True) -> str:
    """The shell line for a message that runs jq's `program` on `source` into a file named
    `written`, or another name where `source` is named so (see `_written_file`); `raw` writes
    strings as text (`jq -r`), not as JSON."""
    options = "-r " if raw else ""
    target = _written_file(source, written)
    return f"jq {options}{_jq_program(program)} {shlex.quote(source)} > {target}"


# The name a message's command writes to instead, where the file it reads is named as its usual
# one (a JSON class list saved as classes.txt, CuPL's prompts as d.json).
_OTHER_NAME = {"classes.txt": "class_names.txt", "d.json": "descriptions.json"}


def _written_file(source: str, written: str) -> str:
    """`written`, or its other name where `source` is a file of that name: the shell empties
    the file a line writes before jq reads it, and the line ran on the file it was to rewrite
    left it empty. Told apart without regard to case, as macOS's and Windows' file systems
    tell names."""
    if os.path.basename(source).casefold() == written.casefold():
        return _OTHER_NAME[written]
    return written


def descriptions_by_dataset_problem(
    pairs: Sequence[tuple[str, object]], source: str, expected: str
) -> str | None:
    """The error for CuPL's prompts by dataset (CLIP_benchmark's --custom_template_file,
    `{"imagenet1k": {"tench": ["A tench is ...", ...], ...}}`), where `expected` belongs: one
    dataset's object is a descriptions file of whole prompts. Every key names one of
    CLIP_benchmark's datasets, or the one key another of two classes or more (one class's
    prompts are descriptions gone a level too deep); else None."""
    inner = [_object_pairs(value) for _, value in pairs]
    if not pairs or not all(
        items and all(_is_list_of_names(descriptors) for _, descriptors in items) for items in inner
    ):
        return None
    datasets = {_BENCHMARK_PREFIX.sub("", key.strip().lower(), count=1) for key, _ in pairs}
    one_dataset = len(pairs) == 1 and len(inner[0] or ()) > 1
    if not (one_dataset or datasets <= _BENCHMARK_DATASETS):
        return None
    written = _written_file(source, "d.json")
    return (
        f"{source} holds descriptions by dataset (CLIP_benchmark's CuPL prompts?), not "
        f"{expected}: take one dataset's, such as with "
        f"`{_jq_line(_jq_field(pairs[0][0]), source, 'd.json', raw=False)}`, and give them as "
        f"`--descriptions {written} --description-template '{{1}}'`, which uses each as it "
        "stands"
    )


def _object_pairs(value: object) -> Sequence[tuple[str, object]] | None:
    """The pairs of a JSON object read as a dict or, with `object_pairs_hook=tuple`, as a tuple
    of them (no JSON array is a tuple); None for another value."""
    if isinstance(value, dict):
        return tuple(value.items())
    return value if isinstance(value, tuple) else None


def _ontology_problem(
    pairs: Sequence[tuple[str, object]], source: str, expected: str
) -> str | None:
    """The error for autodistill's ontology (a CaptionOntology saved as JSON, `{"a photo of a
    red circle": "red circle", "a red disc": "red circle"}`), where `expected` belongs and the
    object is unmistakably one (see `_is_ontology`): read as descriptions, every prompt was a
    class, one class split in two, without a word. As a descriptions file, the lists that keep
    its strings descriptors come first: the rewrite of descriptors taken for an ontology made
    the classes sharing them one. Else None, other objects of strings read as descriptions."""
    if not _is_ontology(pairs):
        return None
    rewrite = _ontology_rewrite(pairs, source)
    if expected != "a descriptions file":
        return (
            f"{source} maps prompts to classes (an autodistill ontology?), not {expected}: "
            + rewrite
        )
    lists = _jq_line("map_values([.])", source, "d.json", raw=False)
    return (
        f"{source} reads as an autodistill ontology, prompts to classes (a class given two "
        "prompts or more, each of more words than it), not as descriptions of one descriptor "
        f"a class: descriptions? write each descriptor in a list, such as with `{lists}`, given "
        f"as --descriptions; an ontology? {rewrite}"
    )


def _is_ontology(pairs: Sequence[tuple[str, object]]) -> bool:
    """Whether an object of strings is unmistakably an ontology of prompts to classes: a class
    given two prompts or more, and every prompt of more words than its class, or the class
    itself (`"person": "person"`, as autodistill's examples write one), as prompts are over
    class names. Descriptors that classes share are as often of as many words as the names
    (`"red circle": "circle shape"`) or more, and one a word of its class alone (`"red circle":
    "red"`) is no class's twice. Those shorter than the classes sharing them (`"red circle":
    "red", "red square": "red"`) read as prompts of a class `red`: refused, the error giving
    the lists that keep them descriptors first. Autodistill's examples of one prompt a class
    (`{"person": "person", "a forklift": "forklift"}`) are not told apart: read as descriptions,
    each class is named by its prompt."""
    if not pairs or id_map_example(pairs):
        return False
    values = [value for _, value in pairs]
    if not all(isinstance(value, str) for value in values) or len(set(values)) == len(values):
        return False
    return all(
        len(key.split()) > len(str(value).split())
        or key.strip().casefold() == str(value).strip().casefold()
        for key, value in pairs
    )


# jq's program that writes an ontology's classes in the order they first come, each with its
# prompts: `red circle: a photo of a red circle; a red disc`. A prompt's ';' would split it in
# two, and is written as ','.
_ONTOLOGY_JQ = (
    "reduce to_entries[] as $p ({}; .[$p.value] += [$p.key]) | to_entries[] | "
    '"\\(.key): \\(.value | map(gsub(";"; ",")) | join("; "))"'
)


def _ontology_rewrite(pairs: Sequence[tuple[str, object]], source: str) -> str:
    """How to write a prompt->class ontology as zsl's class file, for a message. A class
    holding ':' cannot be named in one (its line would be split there, without a word): told
    to be renamed first."""
    colon = next((str(name) for _, name in pairs if ":" in str(name)), None)
    rename = (
        ""
        if colon is None
        else f" (rename class {quoted_line(colon)} in {source} first: a class file's names "
        "cannot hold ':')"
    )
    return (
        "a class file gives each class its prompts in `class: prompt one; prompt two` lines "
        "(their embeddings averaged), such as with "
        f"`{_jq_line(_ONTOLOGY_JQ, source, 'classes.txt')}`{rename}, given as --classes"
    )


def _is_descriptors(value: object) -> bool:
    """What a descriptions file gives a class: a descriptor, or a list of them."""
    return isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    )


def template_fields(template: str) -> list[str] | None:
    """The replacement fields of `template`, as str.format reads them, each as written inside
    its braces with its conversion and format spec (`0`, `c!r`, `name:>10`); None where a brace
    stands alone."""
    try:
        return [
            name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            for _, name, spec, conversion in string.Formatter().parse(template)
            if name is not None
        ]
    except ValueError:
        return None


def other_field_hint(template: str, stands_for: Sequence[str] = ("the class name",)) -> str | None:
    """What to write for the placeholder that is `template`'s only one, in the same words for a
    --templates template and a class file's own prompt: another tool's (CLIP_benchmark's `a
    photo of a {c}.`, a format string's `{classname}`, a shell's or JavaScript's `${label}`,
    whose '$' would stay in every prompt), or one with a conversion or format spec (`{!r}`,
    `{name:>10}`), which would quote or pad the name. `stands_for` says what the option's {}
    placeholders are, in order (a description template's class name, then its descriptor).
    Used more times than that, it is told to drop its other places: told only to write {} for
    it, each became {} and was refused again. None for other braces, and for fewer fields than
    placeholders (the option's own hint says what they are)."""
    fields = template_fields(template)
    others = [field for field in fields or () if field not in ("", "0")]
    if len(stands_for) == 1 and len(others) == 1 < len(fields or ()) and others[0].isidentifier():
        # `a {} and another {c}`, half done as the hint below says: to escape {c} would leave
        # it in every prompt.
        written = ("$" if f"${{{others[0]}}}" in template else "") + f"{{{others[0]}}}"
        return (
            f"drop {written} or put it in plain words: {{}} is {stands_for[0]}, which goes in once"
        )
    if not fields or len(set(fields)) > 1 or len(fields) < len(stands_for):
        return None
    name = re.split("[!:]", fields[0], maxsplit=1)[0]
    formatted = fields[0] != name
    if not (name.isidentifier() or (formatted and name in ("", "0"))):
        return None
    written = f"{{{fields[0]}}}"
    written = ("$" if f"${written}" in template else "") + written
    spec = "a conversion or format spec is not allowed"
    if len(fields) == 1:
        return f"write {{}} for {written}" + (f": {spec}" if formatted else "")
    each = ", then ".join(stands_for)
    if len(fields) == len(stands_for):
        hint = f"write {{}} for both {written}: {each}"
    else:
        some = "one" if len(stands_for) == 1 else str(len(stands_for))
        # The other places take no name: written as a placeholder, each was refused again.
        other = "other or put it" if len(fields) - len(stands_for) == 1 else "others or put them"
        once = f"{each} goes in once" if len(stands_for) == 1 else f"{each}, each once"
        hint = (
            f"write {{}} for {some} of the {len(fields)} {written} and drop the {other} in "
            f"plain words: {once}"
        )
    return hint + (f"; {spec}" if formatted else "")


def refuse_python_id_map(text: str, source: str) -> None:
    """A Python dict of class ids and names (`imagenet1000_clsidx_to_labels.txt`) where a
    descriptions file belongs: json's own message says only where it stopped."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return
    literal = python_value(text)
    if not isinstance(literal, dict) or not all(isinstance(key, int) for key in literal):
        return
    if id_map_example(tuple((str(key), name) for key, name in literal.items())):
        raise ZslError(
            f"{source} is a Python dict mapping class ids to names, not a descriptions file "
            "(JSON): for a class list, write the names one per line"
        )


def id_map_example(pairs: Sequence[tuple[str, object]]) -> tuple[str, str] | None:
    """The first class id and name where every key is a number and its value a name
    (`{"0": "tench"}`, a model's id2label) or a WordNet id and a name (`{"0": ["n01440764",
    "tench"]}`, Keras' imagenet_class_index.json), else None."""
    names: list[str] = []
    for key, value in pairs:
        if not (key.strip().isascii() and key.strip().isdigit()):
            return None
        if isinstance(value, str):
            names.append(value)
        elif (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(text, str) for text in value)
            and _WORDNET_ID.fullmatch(value[0])
        ):
            names.append(value[1])
        else:
            return None
    return (pairs[0][0], names[0]) if names else None


_WORDNET_ID = re.compile(r"n\d{8}")


def not_json_hint(text: str) -> str:
    """For a descriptions file that does not even start as JSON: what its text is, and which
    option takes it or what to change. Descriptors made by an LLM come in a Markdown fence, or
    below a comment or a sentence; made in a spreadsheet, as a table of rows."""
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[", '"')):
        return ""
    raw_lines = split_lines(text)
    lines = [strip_invisible(line) for line in raw_lines]
    if any(line.startswith("```") for line in lines):
        return (
            "not JSON (JSON inside a Markdown code fence? keep the JSON alone, without the ``` "
            "lines)"
        )
    if _yolo_names(raw_lines):
        return (
            "not JSON (a YOLO dataset's data.yaml? its names are a class list: write them one per "
            "line, for --classes)"
        )
    # A line that starts an object, below a comment or an LLM's sentence.
    start = next((number for number, line in enumerate(lines) if line.startswith("{")), None)
    if start is not None:
        above = lines[:start]
        # A `*` line goes on a `/* ... */` comment; without one, it is Markdown (`* tench: ...`).
        marks = ("*",) if any(line.startswith("/*") for line in above) else ()
        if all(not line or line.startswith(_COMMENT_MARKS + marks) for line in above):
            return "not JSON (a comment above it? JSON has none: keep the JSON alone)"
        return f"not JSON (text above the JSON on line {start + 1}? keep the JSON alone)"
    content = first_content_lines(text, 20)
    if len(content) >= 2 and _looks_like_attribute_table(*content[:2]):
        return "not JSON (an attribute table? pass it as --attributes)"
    if _is_table(content):
        return (
            "not JSON (a table of classes and descriptions? zsl reads descriptions as one JSON "
            'object, {"class": ["descriptor", ...], ...})'
        )
    if content and content[0].endswith(":"):  # `red circle:` over `  - red colour`
        return 'not JSON (YAML? write it as JSON: {"class": ["descriptor", ...], ...})'
    # `cat: furry ears; whiskers` as --classes is a class's own prompts, each read whole: not
    # what descriptors become with the description template, so both ways are named.
    if any(_NAME_AND_PROMPTS.match(line) for line in content):
        return (
            "not JSON (a class file of 'class: prompt; prompt' lines? pass it as --classes, "
            'where each prompt is read whole; for descriptors, write it as JSON: {"class": '
            '["descriptor", ...], ...})'
        )
    return "not JSON (a class list? pass it as --classes)"


_NAME_AND_PROMPTS = re.compile(r"[^:]{2,}:(?!//)\s*\S")  # not a URL nor a drive letter


# How a line of comment starts in the languages JSON is written from: JavaScript's and JSONC's
# `//` and `/* ... */`, a shell's or Python's `#`.
_COMMENT_MARKS = ("//", "/*", "#")


# A YOLO dataset's data.yaml: its class names under `names:`, as a list or by their ids, or in
# brackets on that line.
_YOLO_NAMES = re.compile(r"names\s*:\s*(\[.*)?")


def _yolo_names(lines: Sequence[str]) -> bool:
    """Whether a line of `lines` (as the file holds them) is a data.yaml's `names:`, with its
    names in brackets after it or as items below it (`- person`, `  0: person`)."""
    for number, line in enumerate(lines):
        found = _YOLO_NAMES.fullmatch(line.strip())
        if found and not line[:1].isspace():
            below = lines[number + 1] if number + 1 < len(lines) else ""
            if found.group(1) or below.startswith("-") or (below[:1].isspace() and below.strip()):
                return True
    return False


def _is_table(content: Sequence[str]) -> bool:
    """Whether `content` lines (two or more) are rows of a table: as many cells in each, two or
    more, split at commas, semicolons or tabs. Not names holding a comma, as prose writes it,
    a space after it (`tabby, long-haired`)."""
    if len(content) < 2:
        return False
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(content, delimiter=delimiter))
        except csv.Error:  # a line longer than csv's field limit: no table
            return False
        if len({len(row) for row in rows}) == 1 and len(rows[0]) >= 2:
            return not all(row[1][:1].isspace() for row in rows)
    return False


def _looks_like_attribute_table(header: str, first_row: str, delimiter: str = ",") -> bool:
    """`class,<attr>,...` over a row of a name and numbers (cells split at `delimiter`): no
    class list starts so."""
    try:
        head = next(csv.reader([header], delimiter=delimiter))
        row = next(csv.reader([first_row], delimiter=delimiter))
    except csv.Error:  # a line longer than csv's field limit: a class name, not a table
        return False
    if len(head) < 2 or head[0].strip().lower() != "class" or len(row) != len(head):
        return False
    try:
        [float(cell) for cell in row[1:]]
    except ValueError:
        return False
    return True


def tab_table_hint(name: str, raw: str, source: str) -> str:
    """How to keep the class column of a tab-separated line: AwA2's classes.txt numbers its
    names (`\t1\tantelope`), and cut gives the names alone from the column they are in."""
    if _NUMBERED_ROW.fullmatch(name):
        # Not counting a trailing tab's empty column: `cut -f3` of `1<tab>antelope<tab>` is empty.
        column = len(raw.rstrip().split("\t"))
        return (
            "a numbered list of names, as AwA2's classes.txt? keep the names alone, such as "
            f"with `cut -f{column} {shlex.quote(source)}`"
        )
    return "a tab-separated table? keep its class column only"


# AwA2's classes.txt and predicates.txt: a number, a tab, a name (`1\tantelope`).
_NUMBERED_ROW = re.compile(r"\d+\t+[^\t]*[^\W\d][^\t]*")


def refuse_image_names(names: Sequence[str], places: Sequence[str]) -> None:
    """A list of images, or a table of them (a path,label truth CSV, Roboflow's _classes.csv),
    given as a class list: every line, or every one below a CSV header, starts with an image's
    file name. Each image was a class ('photos/a.jpg,cat'), without a word."""
    if len(names) < 2 or not _is_image_name(_CELL_SEPARATORS.split(names[-1], maxsplit=1)[0]):
        return  # one name, taken as written; or a last one that is no image: names
    cells = [_CELL_SEPARATORS.split(name, maxsplit=1) for name in names]
    if all(len(row) == 1 and _is_image_name(row[0]) for row in cells):
        raise ZslError(
            f"{places[0]}: {quoted_line(names[0])} is an image's file name, as every line is (a "
            "list of images to label? give them as paths to 'zsl label', or a list of them on its "
            "stdin, '-'): a class file has one class name per line"
        )
    first = 0 if len(cells[0]) > 1 and _is_image_name(cells[0][0]) else 1
    if len(cells[0]) == 1 or any(len(row) == 1 or not _is_image_name(row[0]) for row in cells[1:]):
        return
    below = "below the first " if first else ""
    raise ZslError(
        f"{places[first]}: {quoted_line(names[first])} starts with an image's file name, as every "
        f"line {below}does (a ground-truth table? give it to 'zsl evaluate --truth'): a class file "
        "has one class name per line"
    )


_CELL_SEPARATORS = re.compile(r"\s*[,;]\s*")


def _is_image_name(cell: str) -> bool:
    """Whether a cell is an image's path or file name (`photos/a.jpg`, `"b.png"`)."""
    return os.path.splitext(cell.strip("\"' "))[1].lower() in IMAGE_EXTENSIONS


def table_rows(names: Sequence[str]) -> int | None:
    """Where the rows of a table start in `names`: 0, or 1 below a header of words (`class red
    round ...`), where every other name ends in the same count of numbers, three or more,
    separated by white space, commas or semicolons (`aeroplane 0 0 1 0 1`, an attribute table
    without its header, or numbers alone); else None."""
    if len(names) < 2:
        return None
    count = _numbers_at_end(names[1])
    if count < 3 or any(_numbers_at_end(name) != count for name in names[2:]):
        return None
    first = _numbers_at_end(names[0])
    if first == count:
        return 0
    return 1 if first == 0 and len(_TABLE_SEPARATORS.split(names[0])) >= count else None


_TABLE_SEPARATORS = re.compile(r"[\s,;]+")


def _numbers_at_end(name: str) -> int:
    """How many of the words (separated by white space, commas or semicolons) that end `name`
    are numbers."""
    count = 0
    for word in reversed(_TABLE_SEPARATORS.split(name)):
        try:
            if not math.isfinite(float(word)) or "_" in word:  # float() takes 1_0
                break
        except ValueError:
            break
        count += 1
    return count


def list_of_names_spelling(text: str) -> str | None:
    """The language `text` is a list of strings in: "JSON", or "Python" (a trailing comma or
    single quotes, as code spells it); None where it is neither."""
    if _is_list_of_names(json_value(text)):
        return "JSON"
    if _is_list_of_names(python_value(text)):
        return "Python"
    return None


def _is_list_of_named_objects(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)
    )


def _is_list_of_names(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def json_value(text: str) -> object:
    """The JSON value `text` holds, or None where it is not JSON."""
    try:
        return json.loads(text.lstrip("\ufeff"))
    except JSON_ERRORS:
        return None


@contextmanager
def _parse_warnings_ignored() -> Iterator[None]:
    """Quiet about the text parsed: an invalid escape such as "C:\\d" is a DeprecationWarning
    (from 3.12 a SyntaxWarning) of the code compiled, whose module is "<unknown>". Only those:
    the filters are the whole process's, and other threads keep their warnings meanwhile."""
    with warning_filters_held():
        warnings.filterwarnings("ignore", module="<unknown>")
        yield


def python_value(text: str) -> object:
    """The Python literal `text` holds (evaluated as data, never run), or None."""
    try:
        with _parse_warnings_ignored():
            return ast.literal_eval(text.lstrip("\ufeff"))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
