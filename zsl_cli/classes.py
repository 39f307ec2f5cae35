"""Class definitions from plain files, parsed into one ClassSpec.

- classes.txt: one class per line; full-line `#` comments and blank lines ignored;
  `name: prompt one; prompt two` gives a class its own prompts (`{}` in a prompt is the name).
  A name that starts as a URL or a drive's path (`https://...`, `C:\\...`) ends at a ':'
  followed by white space or the line's end, not at its scheme's ':'. The marks are ASCII: the
  look-alikes CJK and Arabic input methods type (`：`, `؛`, `＃`, `｛｝`) are text, warned of.
- attributes CSV: header `class,<attr1>,<attr2>,...`, one row of numeric weights per class
  (AwA2's predicate matrix style). An optional second row starting with `#phrase` gives the text to
  use for each attribute in prompts (defaults to the column name). Other rows whose first cell
  starts with `#` are comments. Columns empty at the end of every row, header included, are
  dropped (a spreadsheet's export). A first line `sep=;` (for Excel) names the delimiter.
- descriptions JSON: `{"class name": ["descriptor", ...], ...}`.

Every problem is reported as a ZslError naming the file, line/row/column and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shlex
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import NoReturn

import numpy as np

from zsl_cli.accents import accent_form, not_found_hint
from zsl_cli.defaults import DEFAULT_DESCRIPTION_TEMPLATE
from zsl_cli.errors import JSON_ERRORS, ZslError
from zsl_cli.formatting import (
    MAX_EXAMPLES,
    QUOTED_LINE_CHARS,
    and_more,
    counted,
    delimiter_hint,
    excel_delimiter,
    grapheme_boundary,
    listed,
    loose_name,
    printable,
    quoted_line,
    quoted_text,
    some_names,
    spaced_words,
    unseen_differ,
)
from zsl_cli.records import FAILED_LABEL, TOP_K_SEPARATOR, UNKNOWN_LABEL
from zsl_cli.text_files import (
    BLANK_LOOKALIKES,
    DEFAULT_IGNORABLE,
    INVISIBLE,
    LOOKALIKE_SPACES,
    SEPARATED_VOWEL,
    NotUtf8Error,
    composed,
    emoji_forms,
    first_content_lines,
    glyph_variants,
    quote_left_open,
    read_text,
    shown_form,
    split_lines,
    strip_invisible,
    strip_name,
)
from zsl_cli.truth_exports import filter_command
from zsl_cli.wrong_file_kinds import (
    by_dataset_problem,
    check_not_another_class_file,
    id_map_example,
    list_of_names_spelling,
    not_json_hint,
    other_field_hint,
    python_value,
    refuse_hugging_face_labels,
    refuse_image_names,
    refuse_json_object,
    refuse_python_id_map,
    tab_table_hint,
    table_rows,
    template_fields,
)

# What a class name may not hold, as one character class: a regex finds the first in a name at
# once, where a test of each character in Python took 0.6 s for a class list of 100,000 names.
# TOP_K_SEPARATOR joins top-k lists in CSV; control characters and line separators (newlines,
# tabs, NUL, U+2028) break lines in files and terminals or hide in them; a lone surrogate (a JSON
# \ud800) is no character: Unicode's categories Cc, Zl, Zp and Cs (a test holds the class against
# unicodedata's, code point by code point).
# Then the invisible characters and lookalike spaces (text_files), and the noncharacters
# U+FDD0-U+FDEF and the last two code points of every plane: reserved by Unicode for a program's
# internal use, never text; U+FFFE and U+FFFF cannot even be written in XML (a Label Studio
# labelling config).
_NOT_IN_NAMES = re.compile(
    "["
    + re.escape(TOP_K_SEPARATOR + INVISIBLE + LOOKALIKE_SPACES)
    + r"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff"  # Cc, Zl, Zp, Cs
    + r"\ufdd0-\ufdef"
    + "".join(
        rf"\U{plane + 0xFFFE:08x}\U{plane + 0xFFFF:08x}" for plane in range(0, 0x110000, 0x10000)
    )
    + "]"
)
# The Mongolian vowel separator, one of the invisible characters, where a name holds it: between
# two Mongolian letters, as part of a word's spelling. Looked for only where `_NOT_IN_NAMES` finds
# one, which a search of both at once made twice as slow.
_SEPARATED_VOWEL = re.compile(SEPARATED_VOWEL)
# A lone surrogate (a JSON \ud800) in a descriptor: one regex search of each, where a test of
# each character in Python took 1.2 s for 10 MB of descriptions.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Where a class's own prompt names the class: `{}`, or `{0}` as str.format takes it.
NAME_FIELD = re.compile(r"\{0?\}")


def with_name(prompt: str, name: str) -> str:
    """A class's own prompt as the model reads it: its placeholder is the class's name."""
    # One pass, so a name holding braces stays as it is.
    return NAME_FIELD.sub(lambda _: name, prompt)


# A number in a cell of its own beside a prompt's text (`a photo of a {}.<TAB>2`, `2,a photo of a
# {}.`): a weighted ensemble's table, saved as CSV or tab-separated text.
_NUMBER_CELL = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_WEIGHT_CELL = re.compile(rf"[\t,;]\s*{_NUMBER_CELL}$|^{_NUMBER_CELL}\s*[\t,;]")
_TAB_WEIGHT_CELL = re.compile(rf"\t\s*{_NUMBER_CELL}$|^{_NUMBER_CELL}\s*\t")


def weight_column(texts: Sequence[str], tabs_only: bool = False) -> bool:
    """Whether every one of `texts` (templates, a class file's own prompts, descriptors) has a
    number in a column of its own: a table of texts and their weights, whose weights would be
    part of every prompt, as no text is weighed apart. Not where some have none: a number may
    be one of a text's words (`a photo of {}, 2`). `tabs_only`: a column set apart by a tab
    alone, where a text is not a line of a file that may be CSV (a descriptor `a bird, 3.`)."""
    cell = _TAB_WEIGHT_CELL if tabs_only else _WEIGHT_CELL
    return bool(texts) and all(cell.search(text) for text in texts)


def weight_column_error(where: str, text: str, what: str, fix: str) -> ZslError:
    """The refusal of a `weight_column` of `what`s (template, prompt, descriptor), naming the
    first, `text`, at `where`; `fix` says how to write them."""
    return ZslError(
        f"{where}: every {what} has a number beside it, such as {quoted_line(text)} (a table of "
        f"{what}s and their weights?): {what}s have no weights, each counts the same in its "
        f"class's average (a {what} given twice counts twice); {fix}"
    )


# A replacement field as written, or a literal brace doubled: `{0:}` is a field, `{{` is not.
_WRITTEN_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def formatted_field_hint(text: str, placeholders: int = 1) -> str | None:
    """What to write for the first replacement field of `text` written with a conversion or
    format spec, even an empty one (`{0:}`, `{:}`, `{!r}`): `{0:}` formats as `{0}` does, but a
    template or prompt takes `{}` and `{0}` (and a description template `{1}`) alone. None where
    no field is written so. `placeholders`: how many the text takes, where `{0}` and `{1}` are
    written for two."""
    for found in _WRITTEN_FIELD.finditer(text):
        written = found.group()
        if written not in ("{{", "}}") and re.search("[!:]", written):
            name = re.split("[!:]", written[1:], maxsplit=1)[0]
            placeholder = "{}" if placeholders == 1 else f"{{{name}}}"
            return f"write {placeholder} for {written}: a conversion or format spec is not allowed"
    return None


# Names that already mean something in the output; a class with one could not be told apart.
_RESERVED_NAMES = {
    UNKNOWN_LABEL: "the label of images whose top score is below --threshold",
    FAILED_LABEL: "how 'zsl evaluate' counts images that could not be labelled",
}


@dataclass(frozen=True)
class ClassDef:
    name: str
    prompts: tuple[str, ...] = ()  # explicit prompts: used instead of the templates
    descriptors: tuple[str, ...] = ()  # descriptions mode: "<name>, which has <descriptor>"


@dataclass(frozen=True, eq=False)
class AttributeTable:
    names: tuple[str, ...]  # column names
    phrases: tuple[str, ...]  # text used in prompts for each attribute
    weights: np.ndarray  # [n_classes, n_attributes] float64


@dataclass(frozen=True)
class ClassSpec:
    """The classes to label with, as read from a class list, attribute table or descriptions
    file: each class's name and own prompts or descriptors, an attribute table's weights, the
    files read (`sources`) and what reading them warned of."""

    classes: tuple[ClassDef, ...]
    attributes: AttributeTable | None = None
    sources: tuple[str, ...] = field(default=())
    # What reading the class file (`class_list_warnings`) and a template file noticed.
    warnings: tuple[str, ...] = ()
    # Where each class is named (`classes.txt:3`), in `classes` order, for a warning made again
    # with descriptions to name a class's line; () for classes read from no file's lines.
    places: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.classes]

    def fingerprint(self) -> str:
        """A short hash of everything that defines the classes (recorded with outputs)."""
        digest = hashlib.sha256()
        for c in self.classes:
            digest.update(
                json.dumps([c.name, c.prompts, c.descriptors]).encode("utf-8", "surrogatepass")
            )
        if self.attributes is not None:
            digest.update(json.dumps([self.attributes.names, self.attributes.phrases]).encode())
            digest.update(np.ascontiguousarray(self.attributes.weights, dtype="<f8").tobytes())
        return digest.hexdigest()[:16]


_PATH = (str, os.PathLike)


def load_class_spec(
    classes: str | os.PathLike[str] | Sequence[str] | None = None,
    attributes: str | os.PathLike[str] | None = None,
    descriptions: str | os.PathLike[str] | None = None,
    description_template: str = DEFAULT_DESCRIPTION_TEMPLATE,
) -> ClassSpec:
    """Build the class spec from the files the user gave (at least one of them); `classes` may
    also be the class names themselves. `description_template`: the one descriptors will take,
    which decides whether the described classes' names reach their prompts."""
    if attributes is not None and (classes is not None or descriptions is not None):
        raise ZslError(
            "--attributes defines the classes by itself; do not combine it with "
            "--classes or --descriptions"
        )
    # Messages name each file escaped (`printable`), as errors show it: a warning is printed as
    # the library gives it, and a name's escape sequences or line breaks must not reach the
    # terminal. The spec's `sources` (the run info's) are the paths themselves.
    files = [path for path in (classes, attributes, descriptions) if isinstance(path, _PATH)]
    paths = {printable(path): os.fspath(path) for path in files}
    spec = _class_spec(classes, attributes, descriptions, description_template)
    return replace(spec, sources=tuple(paths.get(source, source) for source in spec.sources))


def _class_spec(
    classes: str | os.PathLike[str] | Sequence[str] | None,
    attributes: str | os.PathLike[str] | None,
    descriptions: str | os.PathLike[str] | None,
    description_template: str,
) -> ClassSpec:
    if attributes is not None:
        return parse_attributes(
            read_text(attributes, "attribute file", not_found_hint), printable(attributes)
        )
    if classes is None and descriptions is None:
        raise ZslError(
            "no classes given: pass --classes FILE, --attributes FILE or --descriptions FILE"
        )
    described, described_text, described_source = None, "", ""
    named = names_the_class(description_template)
    if descriptions is not None:
        described_text = read_text(descriptions, "descriptions file", not_found_hint)
        described_source = printable(descriptions)
        described = parse_descriptions(described_text, described_source, named)
    if classes is None:
        assert described is not None
        return described
    if isinstance(classes, _PATH):
        # A described class whose prompts leave its name out (`{1}`): its id or folder name
        # is its label alone, not warned of as a name that the prompts hold.
        unnamed = () if described is None or named else described.names
        try:
            text = read_text(classes, "class file", not_found_hint)
        except NotUtf8Error as error:
            _refuse_code_page_listing(error, printable(classes))
            raise
        spec = parse_classes(text, printable(classes), unnamed)
    else:
        spec = class_names_spec(classes)
    if described is None:
        return spec
    return merge_descriptions(spec, described, described_source, described_text, named)


def class_names_spec(names: Sequence[str], source: str = "<names>") -> ClassSpec:
    """A spec from class names given in code; each is checked as a class file's would be."""
    places = []
    for number, name in enumerate(names):
        where = f"{source}[{number}]"
        if not isinstance(name, str):
            raise ZslError(f"{where}: class names are strings, not {type(name).__name__}")
        if len(name) > MAX_NAME_CHARS:  # before any message that quotes it
            _check_name(name, where)
        if name != strip_name(name):
            raise ZslError(
                f"{where}: class name {quoted_line(name)} starts or ends with white space or an "
                "invisible character"
            )
        _check_name(name, where)
        places.append((name, where))
    if not places:
        raise ZslError(f"{source}: no classes given")
    _check_unique(places)
    return ClassSpec(tuple(ClassDef(name) for name, _ in places), sources=(source,))


# The error values a spreadsheet's formula leaves in its cell (Excel's, Excel 365's newer ones,
# LibreOffice's and Google Sheets'): a class cell of a failed VLOOKUP (`#N/A`) starts with '#', as
# a comment does; LibreOffice exports most formula errors as `Err:502`.
_SPREADSHEET_ERROR = re.compile(
    r"#(N/A|REF!|NAME\?|VALUE!|DIV/0!|NULL!|NUM!|SPILL!|CALC!|ERROR!|GETTING_DATA|BLOCKED!"
    r"|CONNECT!|FIELD!|UNKNOWN!|BUSY!|PYTHON!)|Err:\d{3}"
)


def _refuse_spreadsheet_error(cell: str, where: str) -> None:
    """Refuse a class cell or line that is a spreadsheet's error value: read as a comment, its
    class (and an attribute row's weights) would vanish without a word. A column saved as CSV
    may follow it with empty cells (`#N/A,,`) or quote it (`"#N/A"`)."""
    value = cell.rstrip(",;")
    if len(value) > 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if _SPREADSHEET_ERROR.fullmatch(value):
        raise ZslError(
            f"{where}: {cell!r} is a spreadsheet's error value (a formula that failed), not a "
            "comment: write the class name there"
        )


def _check_name(name: str, where: str) -> None:
    problem = _name_problem(name)
    if problem is not None:
        raise ZslError(f"{where}: {problem}")


# No model reads more than a few hundred characters of a prompt (CLIP: 77 tokens), and a class
# name is written into every row and the summary: a longer one is a file read wrongly (a
# document or minified data on one line). A 50 MB one took gigabytes and minutes to label with,
# a 30 MB prompt, descriptor or template 14 s and a gigabyte: the cap of every text of a prompt.
MAX_NAME_CHARS = 10_000


def too_long(text: str, what: str, why: str = "a model reads a few hundred at most") -> str | None:
    """Why `text`, a class name, prompt, descriptor, template or phrase (`what`), is too long to
    be one, not quoting it whole; None if it is not."""
    if len(text) <= MAX_NAME_CHARS:
        return None
    start = text[: grapheme_boundary(text, 40, forward=False)]  # not inside an emoji or accent
    return (
        f"{what} of {len(text):,} characters, starting {quoted_text(start)}: {what}s are at most "
        f"{MAX_NAME_CHARS:,} characters ({why})"
    )


def refuse_too_long(text: str, what: str, where: str) -> None:
    """Refuse `text` at `where` if `too_long` says it is."""
    if (problem := too_long(text, what)) is not None:
        raise ZslError(f"{where}: {problem}")


def _name_problem(name: str) -> str | None:
    """What is wrong with a class name, or None. One too long is not quoted whole."""
    if not name:
        return "empty class name"
    if (problem := too_long(name, "class name", "one class name per line")) is not None:
        return problem
    found = _NOT_IN_NAMES.search(name)
    while found is not None and _SEPARATED_VOWEL.match(name, found.start()):
        found = _NOT_IN_NAMES.search(name, found.end())
    if found is not None:
        bad = found.group()
        if bad in BLANK_LOOKALIKES:
            why = (
                "a blank that is no space (a Hangul filler, the braille blank): write a plain space"
            )
        elif bad in LOOKALIKE_SPACES:
            why = "a space other than the plain one (pasted from a web page?): write a plain space"
        else:
            why = "which is not allowed"
        return f"class name {quoted_line(name)} contains {quoted_text(bad)}, {why}"
    if name in _RESERVED_NAMES:
        return (
            f"class name {quoted_line(name)} is reserved ({_RESERVED_NAMES[name]}); "
            f"rename the class, e.g. '{name} object'"
        )
    return None


def _check_unique(names: list[tuple[str, str]], what: str = "class") -> None:
    """Refuse repeated names, given with where each is, telling every one at once."""
    _refuse_repeats([name for name, _ in names], lambda index: names[index][1], what)


def _refuse_repeats(
    names: Sequence[str],
    where: Callable[[int], str],
    what: str = "class",
    spellings: Sequence[str] | None = None,
) -> None:
    """Refuse repeated names, telling every one at once: a long list with ten repeats would
    otherwise take ten runs to clean. `where(index)` places a name (called for repeats only);
    `spellings` are the names as the file writes them, where they differ from `names` (white
    space around them), for the first repeat's message. Names that print alike are one
    (`shown_form`): composed and decomposed accents, and names that differ in characters that
    print as nothing (a zero-width joiner between Latin letters), which are shown escaped."""
    spelled_as = names if spellings is None else spellings
    seen: dict[str, int] = {}
    repeats: list[str] = []
    for index, name in enumerate(names):
        first = seen.setdefault(shown_form(name), index)
        if first == index:
            continue
        # Escaped where the two differ: a Persian name's joiners read as written otherwise.
        shown = quoted_text(name, ignorable_escaped=composed(name) != composed(names[first]))
        if not repeats:
            repeats.append(
                f"{where(index)}: duplicate {what} {shown} (first at {where(first)}"
                f"{_spelled(spelled_as[first], spelled_as[index])})"
            )
        else:
            repeats.append(f"{shown} at {where(index)}")
    if len(repeats) > 1:
        more = some_names(repeats[1:], limit=MAX_EXAMPLES)
        raise ZslError(f"{repeats[0]}; {len(repeats) - 1} more repeated: {more}")
    if repeats:
        raise ZslError(repeats[0])


def _spelled(first: str, second: str) -> str:
    """How two spellings of one name differ, for a duplicate's message: as written where white
    space or invisible characters at their ends differ, and by code point where accents are
    composed in one and decomposed in the other, which print alike (ascii() wrote a valid é as
    '\\xe9', the notation of zsl's messages for a byte that is not UTF-8); escaped, with those
    characters named, where they differ in characters that print as nothing (`shown_form`)."""
    said = ""
    if composed(first) != composed(second):
        said += (
            f", spelled {quoted_text(first, ignorable_escaped=True)} there and "
            f"{quoted_text(second, ignorable_escaped=True)}"
        )
    first, second = strip_invisible(first), strip_invisible(second)
    if composed(first) != composed(second):  # the same `shown_form`: by what prints as nothing
        differing = (Counter(first) - Counter(second)) + (Counter(second) - Counter(first))
        unseen = [
            c for c in sorted(differing) if DEFAULT_IGNORABLE.match(c) or c in BLANK_LOOKALIKES
        ]
        alike, why = _why_alike(unseen, first, second)
        return f"{said} here, which {alike} ({why})"
    if first != second:
        there, here = _clusters(first), _clusters(second)
        if len(there) == len(here):  # else one form joins letters (Hangul's): the whole names
            pairs = [(one, other) for one, other in zip(there, here, strict=True) if one != other]
            there, here = [one for one, _ in pairs], [other for _, other in pairs]
        said += (
            f", in {accent_form(''.join(there))} there ({_by_code_point(there)}) and in "
            f"{accent_form(''.join(here))} here ({_by_code_point(here)})"
        )
    return said


def _why_alike(unseen: Sequence[str], first: str, second: str) -> tuple[str, str]:
    """How two spellings of one name that differ in the characters `unseen` are alike, and why:
    ("print alike", "U+200D prints as nothing"). A variation selector that selects a glyph
    variant of an ideograph (`glyph_variants`) or an emoji's text or picture form (`emoji_forms`)
    is said to, not to print as nothing: a user who meant two names sees why they are one."""
    variants = {**glyph_variants(second), **glyph_variants(first)}
    forms = {**emoji_forms(second), **emoji_forms(first)}
    selecting = [c for c in unseen if c in variants]
    formed = [c for c in unseen if c in forms and c not in variants]
    reasons = []
    if nothing := [c for c in unseen if c not in variants and c not in forms]:
        verb = "prints" if len(nothing) == 1 else "print"
        reasons.append(f"{_code_points(nothing)} {verb} as nothing")
    if selecting:
        bases = listed(list(dict.fromkeys(variants[c] for c in selecting)))
        verb = "selects a glyph variant" if len(selecting) == 1 else "select glyph variants"
        reasons.append(f"{_code_points(selecting)} {verb} of {bases}")
    reasons += [f"{_code_points([c])} selects {forms[c]}" for c in formed]
    if selecting:
        return "print alike in most fonts and terminals", "; ".join(reasons)
    return "show one emoji" if formed else "print alike", "; ".join(reasons)


def _code_points(characters: Sequence[str]) -> str:
    return ", ".join(f"U+{ord(character):04X}" for character in characters)


def _clusters(text: str) -> list[str]:
    """`text` as its letters, each with the marks that follow it (`e` + U+0301 is one)."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.category(char).startswith("M"):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _by_code_point(clusters: Sequence[str]) -> str:
    """Letters as they print, marks and invisible characters by code point: `e + U+0301`; a
    letter that holds its accent with its own: `é, U+00E9`."""
    said = []
    for cluster in clusters:
        if all(unicodedata.category(char)[0] in "LNPS" for char in cluster):
            said.append(f"{cluster}, " + " + ".join(f"U+{ord(char):04X}" for char in cluster))
        else:
            said.append(
                " + ".join(
                    char if unicodedata.category(char)[0] in "LNPS" else f"U+{ord(char):04X}"
                    for char in cluster
                )
            )
    return "; ".join(said)


def _emptied_warning(where: str, name: str, empty: int, total: int, what: str, more: int) -> str:
    """Empty prompts or descriptors among a class's others (`a;;b`, `["round", ""]`) are left
    out, as a blank line of a class file is, but said: one was a class of a prompt fewer without
    a word (a class of none is refused). `more`: how many other classes have some."""
    others = f" (and {counted(more, 'more class', 'more classes')} with empty ones)" if more else ""
    return (
        f"{where}: class {quoted_text(name)}: {empty} of its {total} {what}s "
        f"{'is' if empty == 1 else 'are'} empty, and left out{others}"
    )


def parse_classes(text: str, source: str = "<classes>", unnamed: Sequence[str] = ()) -> ClassSpec:
    """The classes of a class file. `unnamed`: classes whose prompts will not hold their names
    (described ones, with a description template of the descriptor alone)."""
    check_not_another_class_file(text, source)
    entries: list[ClassDef] = []
    places: list[tuple[str, str]] = []
    run_on: list[tuple[str, str, str, str]] = []  # names split at a ':' that no space follows
    # Classes with empty prompts among others (`a;;b`): (where, name, empty ones, all).
    emptied: list[tuple[str, str, int, int]] = []
    lines = split_lines(text)
    # Before any line is read as a class: a translated header line could fail as one first.
    _refuse_dir_listing(lines, source)
    for number, raw in enumerate(lines, start=1):
        line = strip_name(raw)
        where = f"{source}:{number}"
        _refuse_spreadsheet_error(line, where)
        if not line or line.startswith("#"):
            continue
        _refuse_long_listing(line, where, source)
        if not entries and excel_delimiter(raw):
            continue  # Excel's `sep=,` above a column saved as CSV: no class
        name, colon, prompt_text = _name_and_prompts(line)
        name = strip_name(name)
        if len(name) > MAX_NAME_CHARS:  # before any message that quotes it
            _check_name(name, where)
        if "\t" in name:  # a spreadsheet's columns, saved as text or pasted
            raise ZslError(
                f"{where}: class name {quoted_line(name)} contains a tab: a class file has one "
                f"class name per line ({tab_table_hint(name, raw, source)})"
            )
        if "|" in name:
            _refuse_markdown_table(line, where, lines)
        _check_name(name, where)
        prompts: tuple[str, ...] = ()
        if prompt_text.startswith(":"):
            # CUB's attributes.txt (`1 has_bill_shape::curved_(up_or_down)`): every prompt of
            # the class would be ':curved_(up_or_down)', without its name.
            raise ZslError(
                f"{where}: {quoted_line(line)} holds '::': a class name ends at its first ':' and "
                "its prompts follow it (write `name: prompt one; prompt two`; a list of "
                "attribute::value names, as CUB's attributes.txt? attributes are the columns "
                "of an --attributes table)"
            )
        bracketed = prompt_text.strip()
        if bracketed.startswith("[") and (
            list_of_names_spelling(prompt_text) or (name == "names" and bracketed.endswith("]"))
        ):
            # A YOLO dataset's data.yaml (`nc: 80` over `names: ['person', ...]`, or YAML's
            # `names: [person, bicycle]` without quotes): its keys were classes, and the list
            # one prompt.
            raise ZslError(
                f"{where}: {quoted_line(line)} gives a list of names as prompts (a YOLO dataset's "
                "data.yaml?): a class file has one class name per line"
            )
        if bracketed.startswith("[") and bracketed.endswith("]") and "," in bracketed:
            # `cat: [a photo of a cat, a cat]`: one prompt, its brackets and commas kept.
            raise ZslError(
                f"{where}: {quoted_line(line)} gives its prompts as a list in brackets: write them "
                "without brackets, separated by ';' (`name: prompt one; prompt two`)"
            )
        if colon:
            # Stripped as the name is: a Hangul filler at an end stays, and is warned of as one
            # inside a prompt is (`prompts.invisible_character_warnings`).
            pieces = [strip_name(piece) for piece in prompt_text.split(";")]
            if len(pieces) > 1 and not pieces[-1]:
                pieces.pop()  # `name: a; b;`, a list's last separator, as a trailing comma
            prompts = tuple(filter(None, pieces))
            if prompts and len(prompts) < len(pieces):
                emptied.append((where, name, len(pieces) - len(prompts), len(pieces)))
            if not prompts:
                # `names:` over `  0: person`: a YOLO dataset's data.yaml.
                below = lines[number] if number < len(lines) else ""
                if below[:1].isspace() and below.strip():
                    fix = (
                        "YAML, as a YOLO dataset's data.yaml has its names? a class file has one "
                        "class name per line"
                    )
                elif not entries and (name.casefold() in _HEADER_WORDS or len(name.split()) > 3):
                    # `Here are 5 classes for your dataset:`, as a chat's answer opens.
                    fix = (
                        "a title above the list, or the opening sentence of a chat answer? "
                        "remove that line; a class's prompts follow its ':', `name: prompt one; "
                        "prompt two`"
                    )
                else:
                    fix = "write `name: prompt one; prompt two`"
                raise ZslError(
                    f"{where}: {quoted_line(name)} has ':' but no prompts after it ({fix})"
                )
            for prompt in prompts:
                # `{name}` or `{c}`, as in another tool, would stay in the text.
                if set("{}") & set(NAME_FIELD.sub("", prompt)):
                    # `{｝`, an input method's brace half typed; `{c}`, as --templates is told.
                    said = lookalike_field(prompt)
                    hint = f"it holds {said}" if said else other_field_hint(prompt)
                    if not hint and template_fields(prompt) in ([""], ["0"]):
                        # `{0:}`, its one field, which reads as `{0}`.
                        hint = formatted_field_hint(prompt)
                    raise ZslError(
                        f"{where}: prompt {quoted_line(prompt)}: only {{}} (or {{0}}) stands for "
                        "the class name; other braces are not allowed"
                        + (f" ({hint})" if hint else "")
                    )
                if len(fields := list(NAME_FIELD.finditer(prompt))) > 1:
                    # `{}の写真；{}の絵`: two prompts joined by an input method's semicolon, each
                    # with its {}; writing the name itself would be the wrong fix.
                    if joined := _LOOKALIKE_OF[";"].search(
                        prompt, fields[0].end(), fields[-1].start()
                    ):
                        times = "twice" if len(fields) == 2 else f"{len(fields)} times"
                        raise ZslError(
                            f"{where}: prompt {quoted_line(prompt)} holds {_said(joined.group())}, "
                            f"not ';': it is one prompt, with {{}} (the class name) {times}; "
                            "prompts are separated by an ASCII ';' (`name: prompt one; prompt two`)"
                        )
                    # `'a photo of a {}.', 'a sketch of a {}.'`, copied from a list in code:
                    # the name's second place was not the slip.
                    if joined := re.search(r"[,|]", prompt[fields[0].end() : fields[-1].start()]):
                        times = "twice" if len(fields) == 2 else f"{len(fields)} times"
                        raise ZslError(
                            f"{where}: prompt {quoted_line(prompt)} holds {{}} (the class name) "
                            f"{times}: prompts joined by '{joined.group()}'? prompts are "
                            "separated by ';' (`name: prompt one; prompt two`)"
                        )
                    # As in a template (CLIP's name the class once): `a {} and {}` was refused
                    # there and took the name twice here.
                    raise ZslError(
                        f"{where}: prompt {quoted_line(prompt)}: {{}} (or {{0}}) stands for the "
                        "class name, which goes in once (write the name itself where it appears "
                        "again)"
                    )
                refuse_too_long(prompt, "prompt", where)
        if (
            prompts
            and not prompt_text[0].isspace()
            # `cat:a photo of a {}` is the name and its prompt; `16:9 monitor: a {} screen`
            # holds the split it meant further on.
            and (not NAME_FIELD.search(prompt_text) or ": " in prompt_text)
        ):
            run_on.append((where, line, name, prompts[0]))  # `16:9 monitor`, `Re:Zero`
        entries.append(ClassDef(name, prompts))
        places.append((name, where))
    if not entries:
        raise ZslError(f"{source}: no classes found (one class name per line)")
    if all("{}" in entry.name and not entry.prompts for entry in entries):
        # A template file given as the class list: 'a photo of a a photo of a {}..' was the
        # prompt of class 'a photo of a {}.', without a word.
        raise ZslError(
            f"{places[0][1]}: every class name holds {{}}, such as {quoted_line(entries[0].name)} "
            "(a template file? pass it as --templates): a class file has one class name per line"
        )
    refuse_image_names([entry.name for entry in entries], [where for _, where in places])
    _refuse_code_fences(places)
    if (first_row := table_rows([entry.name for entry in entries])) is not None:
        name, where = places[first_row]
        lines_below = "line below the first" if first_row else "line"
        raise ZslError(
            f"{where}: {quoted_line(name)} is a row of numbers, as every {lines_below} is (a "
            "table, as aPY's and AwA2's attribute files are?): a class file has one class name "
            "per line; attributes go to --attributes, a CSV with the header `class,<attr1>,...`"
        )
    _check_unique(places)
    names = [entry.name for entry in entries]
    wheres = [where for _, where in places]
    own_prompts = [prompt for entry in entries for prompt in entry.prompts]
    prompt_places = [
        where for entry, where in zip(entries, wheres, strict=True) for _ in entry.prompts
    ]
    # `circle: a round thing<TAB>2`, as a template file's `a {}<TAB>2`; a prompt's ',' is its own.
    if weight_column(own_prompts, tabs_only=True):
        raise weight_column_error(
            prompt_places[0], own_prompts[0], "prompt", "write each prompt without a number"
        )
    left_out = {composed(name) for name in unnamed}
    templated = [e.name for e in entries if not e.prompts and composed(e.name) not in left_out]
    warnings = _lookalike_warnings(entries, wheres)
    warnings += _shared_prompt_warnings(entries, wheres)
    warnings += _percent_s_warnings(entries, wheres)
    warnings += _lookalike_field_warnings(entries, wheres)
    warnings += class_list_warnings(names, source, templated, places=dict(places))
    warnings += csv_quoting_warnings(list(zip(names, wheres, strict=True)), "class")
    if run_on:
        where, line, name, prompt = run_on[0]
        more = and_more(len(run_on))
        warnings += (
            f"{where}: {quoted_line(line)}{more} is class {quoted_line(name)} with the prompt "
            f"{quoted_line(prompt)}: a class name ends at its first ':' and cannot hold one; "
            "write a space after ':' where a prompt follows, or the name without ':'",
        )
    warnings += trailing_comment_warnings(own_prompts, source, "prompt", "prompt", prompt_places)
    warnings += _commented_prompt_warnings(own_prompts, prompt_places)
    if emptied:
        where, name, empty, total = emptied[0]
        warnings += (_emptied_warning(where, name, empty, total, "prompt", len(emptied) - 1),)
    if own_prompts and all(map(in_quotes, own_prompts)):
        # Items of a list in code, as a template file's are warned of: the quotes went into
        # every prompt.
        warnings += (
            f"{prompt_places[0]}: every prompt is in quotes, such as "
            f"{quoted_line(own_prompts[0])}: the quotes are part of the prompts; write the "
            "prompts without them",
        )
    return ClassSpec(tuple(entries), sources=(source,), warnings=warnings, places=tuple(wheres))


# A line of `ls -l`'s listing: the file's type and permissions (`drwxr-xr-x`, with SELinux's '.',
# an ACL's '+' or macOS's '@' after them), then its count of links.
_LONG_LISTING = re.compile(r"[-bcdlpsD][r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-][.+@]?\s+\d+\s")
# A Windows `dir` listing's rows, as cmd and PowerShell write them in any language: a date in
# the locale's order and separators (`12/06/2026`, `06.12.2026`, `2026-12-06`, Hungarian
# `2026. 12. 06.`), then a time (`22:14`, `22:14:05`, Finnish `22.14`, Canadian French
# `22 h 14`) with the half of the day of a 12-hour clock in the locale's words after it (`PM`,
# `p. m.`) or before it (Korean `오후`, Chinese `下午`).
_DAY_HALF = r"[^\W\d_]{1,6}\.?(?: ?[^\W\d_]{1,2}\.)?"
_DATE_TIME = (
    r"\d{1,4}([./-]) ?\d{1,2}\1 ?\d{1,4}\.?\s+"
    rf"(?:{_DAY_HALF}\s+)?\d{{1,2}}(?:[:.]| ?h ?)\d{{2}}(?:[:.]\d{{2}})?(?:\s?{_DAY_HALF})?"
)
# cmd's row of a folder: `<DIR>` (French `<REP>`, a link's `<JUNCTION>`) before its name; and
# PowerShell's row, its mode first (`d-----`, `-a----`, `la---`). No class name holds either.
_DIR_FOLDER_ROW = re.compile(rf"{_DATE_TIME}\s+<[^\W\d_][\w-]*>\s+\S")
_POWERSHELL_ROW = re.compile(rf"[dl-][a-][r-][h-][s-][l-]?\s+{_DATE_TIME}\s+\S")
# cmd's row of a file: its size before its name (`1,024`, `1.024`, `1 024`). A name may hold a
# date, a time and a number (`2026-12-07 10:15 3 wise men`): such rows are a listing only where
# they are most of the file's lines.
_SIZE = r"\d[\d,.'\u00a0\u202f]*"
_DIR_FILE_ROW = re.compile(rf"{_DATE_TIME}\s+{_SIZE}\s+\S")
# `dir /w`'s rows: names in columns, a folder's in brackets (`[.]   [..]   [Katze]   a.txt`).
# A line holding a `[name]` cell is a listing's only with `.` and `..` or a header or totals.
_WIDE_CELL = re.compile(r"\[(?<!\S\[)[^\[\]\s](?:[^\[\]]*[^\[\]\s])?\](?!\S)")
_WIDE_DOTS = re.compile(r"\[\.\]\s+\[\.\.\](?:\s|$)")
# cmd's header and totals, in English; the other languages' are told by the rows they go with.
_DIR_LISTING = re.compile(
    r"Volume in drive [A-Za-z] (is |has no label)|Volume Serial Number is [0-9A-F]{4}-[0-9A-F]{4}"
    r"|Directory of ([A-Za-z]:|\\\\)|\d[\d,.]* (File|Dir)\(s\) .*bytes"
)
# PowerShell's column header (not translated), or its folder line above it in English, naming
# a drive's path, a share's, a provider's (`Microsoft.PowerShell.Core\FileSystem::\\nas\x`)
# or a Unix path: `Directory: a photo of ...` is a class and its prompt.
_POWERSHELL_LISTING = re.compile(r"Mode\s+LastWriteTime\b|Directory: (?:[A-Za-z]:\\|\\\\|/|\S+::)")
# A line of the header above a listing's rows, in any language: cmd indents its lines by one
# space (` Volume in drive C is Windows`); PowerShell its folder line by four (`    Verzeichnis:
# C:\Fotos`), above its column header (not translated) and the rule under it, which Windows
# PowerShell's `>` pads with spaces to the console's width.
_DIR_HEADER = re.compile(r" \S|    \S[^:]*:|(Mode\s+LastWriteTime\b.*|-+(\s+-+)+\s*)$")
# The lines of cmd's header that tell it in any language: the volume's serial number
# (` Volumeseriennummer: 1234-ABCD`, ` ボリューム シリアル番号は 1234-ABCD です`), last on its
# line, which a name such as ` ISO 9001-2015 audit` is not, and the folder
# listed (` Verzeichnis von C:\Fotos`, ` C:\photos 디렉터리`, PowerShell's `    Verzeichnis:
# C:\Fotos`): words before or after its path, as no indented path of a class list has.
_DRIVE_PATH = r"(?:[A-Za-z]:\\|\\\\[^\\\s]+\\)"
_DIR_SERIAL = re.compile(r" \S.*?(?<![0-9A-Za-z-])([0-9A-F]{4}-[0-9A-F]{4})(?: です)?\s*$")
_DIR_FOLDER_LINE = re.compile(rf"(?: |    )(?:\S.*\s{_DRIVE_PATH}|{_DRIVE_PATH}\S*\s+[^\\]*\S$)")
# cmd's folder line of a drive's root (` Directory of C:\`, ` C:\ 디렉터리`): its `dir /w` rows
# have no `[.]   [..]` to tell them.
_DIR_ROOT_LINE = re.compile(r" (?:\S.*\s[A-Za-z]:\\|[A-Za-z]:\\\s+\S.*)$")
# cmd's totals below its rows, in any language: a count, words, a count of bytes and its unit
# (`               2 Datei(en),          3.579 Bytes`, `               2개 디렉터리  1,234 바이트
# 남음`), the first count right-aligned in a column of 16 characters, to which no class list
# indents its names by chance (`    12 apples in 3 boxes`).
_DIR_TOTALS = re.compile(rf"( {{4,}}{_SIZE})\s?[^\W\d].*?\s{_SIZE}\s*[^\W\d].*")
_DIR_COUNT_COLUMN = 16
# cmd's header's first line, the volume's, in the words of each of cmd's languages up to the
# drive it names (and the word after it, where the drive comes first): ` Volume in drive C is
# Windows`, ` Datenträger in Laufwerk C: ist System`, ` 驱动器 C 中的卷没有标签。`, a network
# share's ` Volume in drive \\nas\fotos is Daten`; or ended at the drive, cut off. Its words,
# not its shape: a lone capital letter among words in a class name (` Plan B options for the
# team`, ` Photos from the C drive`) stands where a language puts the drive.
_VOLUME_DRIVE = r"(?:[A-Z]:?|\\\\[^\\\s]+\\\S*)(?:\s+|$)"
_VOLUME_SENTENCES = (
    "Volume in drive {}",  # English
    "(?:Datenträger|Volume) in Laufwerk {}",  # German
    "Le volume dans le lecteur {}",  # French
    "El volumen de la unidad {}",  # Spanish
    "Il volume nell['’]unità {}",  # Italian
    "O volume na unidade {}",  # Portuguese
    "(?:Het )?[Vv]olume in station {}",  # Dutch
    "Том в устройстве {}",  # Russian
    "Том у пристрої {}",  # Ukrainian
    "Wolumin w stacji(?: dysków)? {}",  # Polish
    "Svazek v jednotce {}",  # Czech
    "Zväzok v jednotke {}",  # Slovak
    "Volymen i enhet {}",  # Swedish
    "Volum(?:en|et) i (?:drev|stasjon) {}",  # Danish, Norwegian
    "Aseman {}asema",  # Finnish
    "{}sürücüsündeki",  # Turkish
    "A {}meghajtóban",  # Hungarian
    "Ο τόμος στη μονάδα(?: δίσκου)? {}",  # Greek
    "ドライブ {}の",  # Japanese
    "{}드라이브의",  # Korean
    "驱动器 {}中的",  # Chinese (simplified)
    "磁碟區 {}中的",  # Chinese (traditional)
)
_VOLUME_LINE = re.compile(
    " (?:" + "|".join(words.format(_VOLUME_DRIVE) for words in _VOLUME_SENTENCES) + ")"
)
# The consoles' code pages cmd's `>` writes a header in (`_refuse_code_page_listing` reads it
# as Latin-1): Western and Central Europe, the US, Turkey, Cyrillic, Greek, Japanese, Chinese
# and Korean.
_OEM_CODE_PAGES = (
    *("cp850", "cp437", "cp852", "cp857", "cp866", "cp737"),
    *("cp932", "cp936", "cp949", "cp950"),
)
# The most lines of a header above a listing's first row: cmd's volume, serial number and
# folder lines; PowerShell's folder line, column header and rule.
_DIR_HEADER_LINES = 3


def _command_target(source: str, shell: str = "sh") -> str:
    """The file a command that writes a class file should write: the one read (a seen list's own,
    where that is what was read), quoted as `shell` ("sh", or "cmd" for Windows) takes its name;
    classes.txt for text given as such."""
    if source.startswith("<"):
        return "classes.txt"
    if shell == "sh":
        return shlex.quote(source)
    return f'"{source}"' if re.search(r"[\s&|<>^()%!,;=]", source) else source


def _refuse_long_listing(line: str, where: str, source: str) -> None:
    """Refuse a line of `ls -l` (`drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat`): split at its time's
    ':', folders made in one minute were refused as one class repeated, and a year-old listing
    (no time, no ':') made classes of whole lines without a word. So for Windows' `dir`, whose
    header lines were classes and whose lines were split at their time's ':' too."""
    if _LONG_LISTING.match(line):
        raise ZslError(
            f"{where}: {quoted_line(line)} is a line of an `ls -l` listing (its permissions, "
            "owner, size and date are part of the class's line): write the names alone, as "
            f"`ls > {_command_target(source)}` (or `ls -1`) lists them"
        )
    if _english_listing_line(line):
        _refuse_dir_line(line, where, source)


def _english_listing_line(line: str) -> bool:
    """Whether `line` is one of cmd's or PowerShell's header or totals lines, in English."""
    return bool(_DIR_LISTING.match(line) or _POWERSHELL_LISTING.match(line))


def _refuse_dir_line(
    line: str, where: str, source: str, not_utf8: NotUtf8Error | None = None
) -> NoReturn:
    """Refuse `line`, at `where`, as a line of a Windows `dir` listing; `not_utf8`: the
    refusal of the file as not UTF-8 text, told too."""
    target = _command_target(source, "cmd")
    shown, encoding, in_utf8, cmd = quoted_line(line), "", "", f"`dir /b /ad > {target}`"
    if not_utf8 is not None:
        # Its bytes outside ASCII as \xNN (`line` is read as Latin-1): as letters, a Russian
        # header (CP866) showed as other, Latin ones. Cut where `quoted_line` cuts a line, then
        # escaped, so that no escape is cut in two.
        kept = line[: grapheme_boundary(line, QUOTED_LINE_CHARS, forward=False)]
        shown = ascii(kept) + ("..." if len(kept) < len(line) else "")
        # Saved again as UTF-8, it was still a listing; and `dir /b` writes the console's code
        # page too, which `chcp 65001` makes UTF-8.
        encoding = (
            f", and not UTF-8 text (byte 0x{not_utf8.byte:02x} on line {not_utf8.line}: cmd's "
            "`>` writes the console's code page)"
        )
        in_utf8, cmd = " in UTF-8", f"`chcp 65001` then {cmd}"
    raise ZslError(
        f"{where}: {shown} is a line of a Windows `dir` listing (its date, time "
        f"and size, or its header and totals, are part of the class's lines){encoding}: write "
        f"the names alone{in_utf8}, as {cmd} (cmd) or `Get-ChildItem -Directory -Name > "
        f"{target}` (PowerShell) lists the folders"
    )


def _refuse_dir_listing(lines: Sequence[str], source: str) -> None:
    """Refuse class file `lines` that are a Windows `dir` listing (not `dir /b`), in any
    language, naming its first line: its rows were split at their time's ':' into one class
    repeated, and its header and totals, translated, were classes."""
    start = _dir_listing_start(lines)
    if start is not None:
        _refuse_dir_line(strip_invisible(lines[start]), f"{source}:{start + 1}", source)


def _refuse_code_page_listing(error: NotUtf8Error, source: str) -> None:
    """Refuse a class file that is not UTF-8 text (`error`) as the Windows `dir` listing it is,
    where it is one, telling both: cmd's `dir > classes.txt` writes the console's code page
    (CP850, CP437, CP866, ...), so a listing holding a letter outside ASCII was refused as not
    UTF-8 alone, and saved again as UTF-8 it was still a listing. Read as Latin-1, which takes
    any bytes, its lines keep the shape that tells a listing in any language."""
    read = split_lines(error.data.decode("latin-1"))
    # 0xFF is those code pages' no-break space: French and Russian sizes' thousands separator.
    lines = [line.replace("\xff", "\u00a0") for line in read]
    start = _dir_listing_start(lines, code_page=True)
    if start is None:  # an English header or totals line among names, as parse_classes tells
        listed = (i for i, line in enumerate(lines) if _english_listing_line(strip_invisible(line)))
        start = next(listed, None)
    if start is not None:
        _refuse_dir_line(strip_invisible(read[start]), f"{source}:{start + 1}", source, error)


def _dir_listing_start(lines: Sequence[str], code_page: bool = False) -> int | None:
    """The index of the first line of a Windows `dir` listing that class file `lines` are, or
    None where they are none.

    A listing is told by the shape of its lines, which no language changes: one row of a folder
    (`<DIR>`) or of PowerShell's suffices; rows of files (a size, not `<DIR>`) must outnumber the
    file's other lines, header and totals aside (cmd indents them in every language), so that a
    class list holding a name or two of a date, a time and a number stays one. `dir /w`'s rows of
    `[name]` columns are one with `.` and `..`, with a header or totals, or under the folder line
    naming a drive's root (which has no `.` and `..`; its first rows may hold files alone). A
    header or totals without rows (a `dir *.jpg` that matched nothing; cmd's complaint of it
    below, where `2>&1` sent it along) are one where a totals line is among them, or one serial
    number or folder line under cmd's volume line (`_volume_line`), or the two as cmd writes
    them, a blank line between, either alone with a letter in the serial number (the volume's
    line cut off) or under one indented line right above the serial number's (a volume line in
    a language not listed), or a folder line with PowerShell's column header. Its first line
    is the header right above its first row, where one is. `code_page`: `lines` are bytes read
    as Latin-1 (`_refuse_code_page_listing`).
    """
    rows, file_rows, others = [], 0, 0
    first_wide, dots = -1, False  # a `dir /w` row's; whether one starts with `.` and `..`
    furniture: list[int] = []  # the lines of a header and totals
    kinds: Counter[str] = Counter()
    first_of: dict[str, int] = {}  # the index of each kind's first line
    root = -1  # the index of a folder line naming a drive's root
    strays, first_stray = 0, -1  # the other lines
    lettered = False  # whether a serial number holds a letter, as most do
    columns = False  # whether PowerShell's column header is among them
    for index, raw in enumerate(lines):
        raw = raw.lstrip("\ufeff")
        line = strip_invisible(raw)
        if not line or line.startswith("#"):
            continue
        kind = None
        if _DIR_FOLDER_ROW.match(line) or _POWERSHELL_ROW.match(line):
            rows.append(index)
        elif _DIR_FILE_ROW.match(line):
            rows.append(index)
            file_rows += 1
        elif raw[:1].isspace() or (raw.startswith(("Mode", "-")) and _DIR_HEADER.match(raw)):
            totals = _DIR_TOTALS.fullmatch(raw)
            if totals and len(totals[1]) == _DIR_COUNT_COLUMN:
                kind = "totals"
            elif _volume_line(raw, code_page):
                kind = "volume"
            elif _DIR_HEADER.match(raw):
                kind = "header"
                columns = columns or raw.startswith("Mode")
                if number := _DIR_SERIAL.match(raw):
                    kind = "serial"
                    lettered = not number[1].replace("-", "").isdigit()
                elif _DIR_FOLDER_LINE.match(raw):
                    kind = "folder"
                    if root < 0 and _DIR_ROOT_LINE.match(raw):
                        root = index
        else:
            others += 1
            if "[" in line and not dots and _WIDE_CELL.search(line):
                first_wide = index if first_wide < 0 else first_wide
                dots = bool(_WIDE_DOTS.match(line))
        if kind is None:
            strays += 1
            first_stray = index if strays == 1 else first_stray
        else:
            furniture.append(index)
            kinds[kind] += 1
            first_of.setdefault(kind, index)
    if rows and not (file_rows == len(rows) and file_rows <= others):
        return _header_above(lines, rows[0])
    # A header has one serial number line and one folder line, below cmd's volume line where
    # that is not cut off (PowerShell's: its folder line above its column header); a part number
    # (` SKU 1234-5678`), a span of years (` cars 1990-1999`) or a path among indented names is
    # no header without those lines.
    # Without the volume's line, the two alone, as cmd lays them out, a serial number holding a
    # letter: a double-spaced list of indented names holds others, and its numbers are digits
    # (` cars 1990-1999`). Or the two under a volume line in words not listed (a language of
    # cmd's not among them): one indented line right above the serial number's, whose number
    # may then be digits alone, as the four lines together are cmd's header.
    serial, folder = first_of.get("serial", -1), first_of.get("folder", -1)
    laid_out = (
        kinds["serial"] == kinds["folder"] == 1
        and folder == serial + 2
        and not lines[serial + 1].strip()
        and (
            (lettered and not kinds["header"])
            or (kinds["header"] == 1 and first_of["header"] == serial - 1)
        )
    )
    headed = (
        (kinds["serial"] == 1 or kinds["folder"] == 1)
        and kinds["header"] <= 2
        and kinds["volume"] <= 1
        and (
            first_of.get("volume") == furniture[0] or (columns and kinds["folder"] == 1) or laid_out
        )
    )
    if first_wide >= 0 and (dots or kinds["totals"] or headed or 0 <= root < first_wide):
        start = _header_above(lines, first_wide)
        # A root's first rows may hold files alone, no `[name]` cell: from the header above them.
        if headed and furniture[0] < start:
            return furniture[0]
        return _header_above(lines, root) if 0 <= root < start else start
    told = kinds["totals"] or headed
    if told and (strays == 0 or (strays == 1 and first_stray > furniture[0])):
        return furniture[0]
    return None


def _volume_line(line: str, code_page: bool = False) -> bool:
    """Whether `line` is cmd's volume line (`_VOLUME_LINE`); `code_page`: `line` is bytes read
    as Latin-1, written in one of the consoles' code pages."""
    line = line.lstrip("\ufeff")
    if _VOLUME_LINE.match(line):
        return True
    if not code_page or line.isascii():
        return False
    data = line.encode("latin-1", "replace")
    return any(_VOLUME_LINE.match(data.decode(page, "replace")) for page in _OEM_CODE_PAGES)


def _header_above(lines: Sequence[str], first_row: int) -> int:
    """The first line of the header right above a listing's first row, or that row."""
    start = first_row
    header = 0
    for index in range(first_row - 1, -1, -1):
        raw = lines[index].lstrip("\ufeff")
        line = strip_invisible(raw)
        if not line or line.startswith("#"):
            continue
        if header == _DIR_HEADER_LINES or not _DIR_HEADER.match(raw):
            break
        start, header = index, header + 1
    return start


# A Markdown table's delimiter row, below its header: `|---|---|`, `| :-: |`, `--- | ---`.
_TABLE_DELIMITER_ROW = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")


def _refuse_markdown_table(line: str, where: str, lines: Sequence[str]) -> None:
    """Refuse a row of a Markdown table (a chat's answer's `| class | description |`), naming
    it: it was refused for its '|' alone. A row held between '|'s, or any row of a file that holds
    a table's delimiter row; not `a|b`, nor `tree --charset=ascii`'s `|-- cat`."""
    row = line.strip()
    table = (len(row) > 1 and row[0] == row[-1] == "|") or any(
        "|" in other and _TABLE_DELIMITER_ROW.fullmatch(other.strip()) for other in lines
    )
    if not table:
        return
    cells = {cell.strip().casefold() for cell in row.strip("|").split("|")}
    raise ZslError(
        f"{where}: {quoted_line(line)} is a row of a Markdown table (a chat's answer?): a class "
        "file has one class name per line; keep the names' column alone"
        + (_DESCRIPTIONS_HINT if cells & _DESCRIPTION_WORDS else "")
    )


# A Markdown code fence's line: ``` or ~~~, with a language or more after it (```text,
# ```text title="classes.txt", ```{r}).
_CODE_FENCE = re.compile(r"```+[^`]*|~~~+.*")


def _refuse_code_fences(places: Sequence[tuple[str, str]]) -> None:
    """Refuse a Markdown code fence's line: a list copied from a chat's answer with the fences
    around it made '```plaintext' and '```' classes that took images (two bare '```' were
    refused as one class repeated)."""
    fence = next(((name, where) for name, where in places if _CODE_FENCE.fullmatch(name)), None)
    if fence is not None:
        name, where = fence
        raise ZslError(
            f"{where}: {quoted_line(name)} is a Markdown code fence (a list copied with the fences "
            "around it?): remove the fence lines, keeping the names between them"
        )


def _lookalike_warnings(entries: Sequence[ClassDef], places: Sequence[str]) -> tuple[str, ...]:
    """Lines whose `＃`, `：` or `؛` (see `_LOOKALIKES`) stands where a class file's syntax has
    its ASCII twin: a comment line that is a class, prompts that are part of a name, two prompts
    that are one. The first line of each is named, with how many more there are."""
    number_sign, colon, semicolon = (_LOOKALIKE_OF[twin] for twin in "#:;")
    comments, in_names, in_prompts = [], [], []
    for entry, where in zip(entries, places, strict=True):
        if found := number_sign.match(entry.name):
            comments.append(
                (where, f"class {quoted_line(entry.name)}", "starts with", found.group())
            )
        elif found := colon.search(entry.name):
            in_names.append((where, f"class {quoted_line(entry.name)}", "holds", found.group()))
        in_prompts += [
            (where, f"prompt {quoted_line(prompt)}", "holds", found.group())
            for prompt in entry.prompts
            if (found := semicolon.search(prompt))
        ]
    warnings = []
    for lines, twin, meaning in (
        (
            comments,
            "#",
            "the line is a class, not a comment; a comment line starts with an ASCII '#'",
        ),
        (
            in_names,
            ":",
            "it is part of the class name, where no prompt starts; a class's prompts follow an "
            "ASCII ':' (`name: prompt one; prompt two`)",
        ),
        (
            in_prompts,
            ";",
            "it is one prompt; prompts are separated by an ASCII ';' (`name: prompt one; prompt "
            "two`)",
        ),
    ):
        if lines:
            where, what, verb, mark = lines[0]
            more = and_more(len(lines))
            warnings.append(f"{where}: {what}{more} {verb} {_said(mark)}, not {twin!r}: {meaning}")
    return tuple(warnings)


def _shared_prompt_warnings(entries: Sequence[ClassDef], places: Sequence[str]) -> tuple[str, ...]:
    """A prompt that every class with prompts of its own has, the same text once its name is in
    it: `circle: a photo of a {}; taken at night` on every line, where the ';' split off a
    second prompt. It cannot tell the classes apart, and weighs as much as the prompts that do."""
    prompted = [
        (entry, where) for entry, where in zip(entries, places, strict=True) if entry.prompts
    ]
    if len(prompted) < 2:
        return ()
    texts = [[with_name(prompt, entry.name) for prompt in entry.prompts] for entry, _ in prompted]
    shared = set(texts[0]).intersection(*texts[1:])
    if not shared or all(set(own) <= shared for own in texts):
        # Every prompt shared: the classes are one to the model, warned of where it scores them.
        return ()
    common = [text for text in texts[0] if text in shared]
    more = and_more(len(set(common)))
    return (
        f"{prompted[0][1]}: prompt {quoted_line(common[0])}{more} is a prompt of every class that "
        f"has prompts of its own ({len(prompted)} classes): it cannot tell them apart, and brings "
        "their scores closer together (a ';' meant as part of a prompt? ';' separates a "
        "class's prompts and cannot be part of one: write ',' there)",
    )


def _percent_s_warnings(entries: Sequence[ClassDef], places: Sequence[str]) -> tuple[str, ...]:
    """`circle: a photo of a %s`, as printf and Python's % write a placeholder: the model reads
    the '%s', and the class's name is in no prompt. Warned of, not refused: a prompt may hold
    any text, and one that has {} has the name."""
    found = [
        (prompt, where)
        for entry, where in zip(entries, places, strict=True)
        for prompt in entry.prompts
        if "%s" in prompt and not NAME_FIELD.search(prompt)
    ]
    if not found:
        return ()
    prompt, where = found[0]
    more = and_more(len(found))
    return (
        f"{where}: prompt {quoted_line(prompt)}{more} holds '%s', which stands for nothing here: "
        "the model reads it as written, without the class's name (write {} for %s)",
    )


def _lookalike_field_warnings(
    entries: Sequence[ClassDef], places: Sequence[str]
) -> tuple[str, ...]:
    """`犬: ｛｝の写真`, the braces an input method types in full-width mode: text to the model, as
    '%s' is (see `_percent_s_warnings`), and warned of so."""
    found = [
        (prompt, where, said)
        for entry, where in zip(entries, places, strict=True)
        for prompt in entry.prompts
        if not NAME_FIELD.search(prompt) and (said := lookalike_field(prompt))
    ]
    if not found:
        return ()
    prompt, where, said = found[0]
    more = and_more(len(found))
    return (
        f"{where}: prompt {quoted_line(prompt)}{more} holds {said}: it stands for nothing here, "
        "and the model reads it as written, without the class's name",
    )


def _name_and_prompts(line: str) -> tuple[str, str, str]:
    """A class file's line split as str.partition(":") splits it: name, ':' (or nothing) and
    prompts; where the name starts as a URL or a path with a drive (`https://x.org/cat`,
    `C:\\data\\cat`), at the first ':' after that start followed by white space or the line's
    end, so that the URL's own ':'s (`http:`, a port) stay in the name."""
    name, colon, prompts = line.partition(":")
    # Split at a URL's scheme (`https:/`) or a Windows drive (`C:\`, `c:/`): a name was
    # 'https' with the prompt '//www.wikidata.org/wiki/Q146', without a word.
    # Not `cat:/dog` or `cat:\dog`: a class `cat` whose prompt starts with a slash.
    url = prompts.startswith("//") and _URL_SCHEME.fullmatch(name)
    drive = len(name) == 1 and name.isascii() and name.isalpha() and prompts[:1] in ("/", "\\")
    if not (url or drive):
        return name, colon, prompts
    end = _NAME_END.search(line, len(name) + 2)
    if end is None:
        return line, "", ""
    return line[: end.start()], ":", line[end.end() :]


_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_NAME_END = re.compile(r":(?=\s|$)")

# Punctuation that a Japanese, Chinese or Arabic input method types where an English keyboard
# types the ASCII marks of a class file's syntax, with those twins: `猫：猫の写真；猫のイラスト` is
# one class of that name, `＃ 動物のリスト` a class, `・猫` a name after its bullet. Never read as
# the syntax, which would change what a valid file means (a name may hold them: `Ｒｅ：ゼロ`,
# `コカ・コーラ`); warned of where the twin would be, as the twin is (see `_lookalike_warnings`).
_BULLET = "\u2022"
_LOOKALIKES = {
    "\uff1a": ":",  # ：
    "\uff1b": ";",  # ；
    "\u061b": ";",  # ؛ Arabic
    "\uff0c": ",",  # ，
    "\u3001": ",",  # 、
    "\u060c": ",",  # ، Arabic
    "\uff03": "#",  # ＃
    "\uff0e": ".",  # ． in `１．猫`
    "\uff09": ")",  # ） in `１）猫`
    "\u30fb": _BULLET,  # ・ Japanese's
    "\uff0d": "-",  # －
    "\uff0a": "*",  # ＊
    "\uff0b": "+",  # ＋
    "\u300c": '"',  # 「
    "\u300d": '"',  # 」
    "\u300e": '"',  # 『
    "\u300f": '"',  # 』
    # `｛｝` for `{}`, as Japanese, Chinese and Korean input methods in full-width mode type the
    # braces (Big5 has them too); the small and vertical forms (`﹛`, `︷`) are picked from a
    # table of symbols, not typed for a brace.
    "\uff5b": "{",  # ｛
    "\uff5d": "}",  # ｝
}


def _lookalikes(twins: str) -> str:
    """The look-alikes of the ASCII marks `twins`."""
    return "".join(mark for mark, twin in _LOOKALIKES.items() if twin in twins)


# `{}` or `{0}` with a look-alike brace (and `０`, the full-width zero) in it: `｛｝`, `｛０｝`,
# `{｝`; those of ASCII alone are the placeholder.
_BRACED_FIELD = re.compile(f"[{{{_lookalikes('{')}][0\uff10]?[}}{_lookalikes('}')}]")


def lookalike_field(text: str) -> str | None:
    """A placeholder `text` holds typed with a look-alike brace, as a message names it with its
    ASCII twin (`'｛｝' (U+FF5B FULLWIDTH LEFT CURLY BRACKET, U+FF5D FULLWIDTH RIGHT CURLY
    BRACKET), not '{}'`); None where it holds none."""
    for found in _BRACED_FIELD.finditer(text):
        field = found.group()
        if not field.isascii():
            marks = ", ".join(_code_point(mark) for mark in field if not mark.isascii())
            return f"{field!r} ({marks}), not {unicodedata.normalize('NFKC', field)!r}"
    return None


def _said(mark: str) -> str:
    """A character as a message names it: `'：' (U+FF1A FULLWIDTH COLON)`."""
    return f"{mark!r} ({_code_point(mark)})"


def _code_point(mark: str) -> str:
    return f"U+{ord(mark):04X} {unicodedata.name(mark, '')}".rstrip()


# `cat  # a pet`, not `jersey #10`: a '#' between white space and white space or the line's end.
_TRAILING_COMMENT = re.compile(rf"\s([#{_lookalikes('#')}])(\s|$)")

# `- cat`, `* cat`, `1. cat`: a list copied from a document or Markdown. A look-alike (`・猫`,
# `１．猫`) carries its own space, so none follows it; not `１．５リットル`, a number's decimals.
_LIST_MARKER = re.compile(
    r"([-*+\u2022]|\d+[.)])\s"
    + f"|[{_lookalikes('-*+' + _BULLET)}]"
    + rf"|\d+[{_lookalikes('.)')}](?!\d)"
)
# Quotes around a name, and the marks that may close each: `"cat"`, `「猫」`, and the typographic
# quotes of text from a word processor (English `“cat”`, German `„Katze“`, `‚Katze‘` and
# `»Katze«`, Polish `„kot”`, Swedish `”katt”` and `»katt»`, French `«chat»`).
_QUOTES = {
    '"': '"',
    "'": "'",
    "\u300c": "\u300d",
    "\u300e": "\u300f",
    "\u201c": "\u201d",
    "\u2018": "\u2019",
    "\u201e": "\u201c\u201d",
    "\u201a": "\u2018\u2019",
    "\u201d": "\u201d",
    "\u2019": "\u2019",
    "\u00ab": "\u00bb",
    "\u00bb": "\u00ab\u00bb",
}
_QUOTE_MARKS = "".join(_QUOTES) + "".join(_QUOTES.values())
# One CSV cell in quotes, as a spreadsheet writes a cell holding a comma or a quote.
_CSV_CELL = re.compile(r'"((?:[^"]|"")*)"')
# What separates names on one line (`cat, dog, bird`) or ends every one (`cat,,`).
_SEPARATORS = ",;" + _lookalikes(",;")
# The look-alikes of the marks that make a comment line, start prompts and separate them.
_LOOKALIKE_OF = {twin: re.compile(f"[{_lookalikes(twin)}]") for twin in "#:;"}

# `0,cat` or `cat,0`: a class id beside the name, as a dataset tool writes an id,name table.
# Not a number after a space alone (`1 person`, `level 2`): counts and numbered names are names
# (but see _SPACED_ID_FIRST).
_ID_FIRST = re.compile(r"(?P<id>\d+)\s*[,;]\s*\S.*")
_ID_LAST = re.compile(r".*\S\s*[,;]\s*(?P<id>\d+)")
# COCO's labels with their ids, `0 person` (`0  person`, with its 91 ids' gaps): a number, a
# space, a name. Counts are names too (`1 person`, `2 people`): ids only where they increase line
# by line and the names after them all differ (see _spaced_ids).
_SPACED_ID_FIRST = re.compile(r"(?P<id>\d+)\s+(?P<name>[^\W\d_].*)")
# ImageNet's `n01440764 tench, Tinca tinca` (LOC_synset_mapping.txt): a WordNet id first.
_WORDNET_ID_FIRST = re.compile(r"(?P<id>n\d{8})(\s*[,;]\s*|\s+)\S.*")
# Open Images' class-descriptions.csv: `/m/011k07,Tortoise`, a Freebase id first.
_FREEBASE_ID_FIRST = re.compile(r"(?P<id>/[mg]/[0-9a-z_]+)\s*[,;]\s*\S.*")
# A WordNet or Freebase id alone (ImageNet's folders are named `n01440764`): no model reads it
# as the class it stands for.
_DATASET_ID = re.compile(r"n\d{8}|/[mg]/[0-9a-z_]+")
# CUB-200's classes.txt: `1 001.Black_footed_Albatross`, an index before a numbered id (not
# `1 1.5 litre bottle`: a number's decimals are no name).
_INDEX_BEFORE_NUMBERED_ID = re.compile(r"(?P<id>\d+)\s+\d+\.[^\W\d]\S*")
# The numbered id alone: CUB's image folders (`001.Black_footed_Albatross`), Caltech-256's.
_NUMBERED_ID = re.compile(r"(?P<id>\d+)\.[^\W\d]\S*")

# First lines that name the column rather than a class: a CSV habit.
_HEADER_WORDS = {
    "class",
    "classes",
    "class name",
    "class_name",
    "classname",
    "name",
    "names",
    "label",
    "labels",
    "category",
    "categories",
    # Open Images' class descriptions: LabelName,DisplayName.
    "labelname",
    "label_name",
    "displayname",
    "display_name",
}

# A CSV header's column of text about each class: what --descriptions takes, in its own form.
_DESCRIPTION_WORDS = {"description", "descriptions", "prompt", "prompts", "text", "caption"}
_DESCRIPTIONS_HINT = " (descriptions per class go in a JSON file given as --descriptions)"


def _listing(prompted: bool) -> str:
    """What the names are listed in: a class file's make prompts; a seen list's name classes."""
    return "a class file" if prompted else "a seen list"


def _part_of(prompted: bool) -> str:
    """What a quote, marker or path around a name ends up in."""
    return "the names and of their prompts" if prompted else "the names"


def class_list_warnings(
    names: Sequence[str],
    source: str,
    templated: Sequence[str] | None = None,
    *,
    seen_list: bool = False,
    places: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Mistakes a class file may hold that are still valid class names: every name in quotes or
    after a list marker, a header line, or every class on one line, or on lines that run on,
    separated by commas. `templated`: the names whose prompts are made of them (not their own;
    all where None), the only ones these are looked for in: a class with prompts of its own
    keeps its id or folder name as the label on purpose (`n01440764: a photo of a tench.`, as
    `zsl evaluate` advises for ImageNet's folders), its prompts without it. A comment after a
    name is warned of in every name. `seen_list`: the names are a seen list's, matched to
    classes, not read by a model: no warning speaks of prompts, the model or a class file.
    `places`: where each name is (`c.txt:3`), for a warning of one name's line to name it."""
    prompted = not seen_list
    part_of = _part_of(prompted)
    places = places or {}
    commented = trailing_comment_warnings(
        names, source, "class", "name", [places.get(name, source) for name in names]
    )
    # Bold is no label's on purpose, prompts of its own or not (`1. **Cat**: A small feline.`).
    bold = _bold_warning(names, source, part_of if templated is None or templated else "the names")
    names = list(names if templated is None else templated)
    if not names:
        return bold + commented
    # Every warning that applies, so that one run finds them all: a header line hid the others.
    quoted: tuple[str, ...] = ()
    if all(map(in_quotes, names)):
        quoted = (
            f"{source}: every class name is in quotes, such as {quoted_line(names[0])}: the quotes "
            f"are part of {part_of}; write the names without them",
        )
    header = _header_warning(names, source, quoted, prompted)
    # The lines below a header are what the rest is looked for in (`class` over `cat,,`).
    body = names[1:] if header and len(names) > 1 else names
    # Bold's warning says to write the bold names alone: their list markers go too.
    shape = (
        ()
        if bold or (header and not body)
        else _shape_warning(body, source, quoted, header, prompted)
    )
    # A shape's warning says what to write instead, '_' included (CUB's ids).
    named = (
        () if shape or bold else _name_text_warnings(body, source, prompted=prompted, places=places)
    )
    return (
        quoted
        + bold
        + header
        + shape
        + named
        + _listed_file_warnings(body, source, prompted)
        + commented
    )


# A name in Markdown bold or italics, as a chat's answer writes its list: `**Cat**`, `__Cat__`,
# `*Cat*`, `_Cat_`, `***Cat***`, after a list marker or before a description (`1. **Cat** – a
# small feline`).
_BOLD = re.compile(
    rf"(?:{_LIST_MARKER.pattern})?\s*(?P<mark>\*{{1,3}}|_{{1,3}})"
    # A mark closes no emphasis before a letter or digit (`_n01_tench` is a name).
    r"(?P<name>[^\s*_](?:.*?[^\s*_])?)(?P=mark)(?!\w)"
)
# What each count of marks makes of a name: its style, and the adjective for the names.
_EMPHASIS = {
    1: ("italics", "italic names"),
    2: ("bold", "bold names"),
    3: ("bold italics", "bold italic names"),
}


def _bold_warning(names: Sequence[str], source: str, part_of: str) -> tuple[str, ...]:
    """Every name in Markdown bold or italics: its marks, and the marker or text around it, are
    part of `part_of` (the names, and their prompts where they hold them)."""
    bold = [found for found in map(_BOLD.match, names) if found]
    if not names or len(bold) < len(names):
        return ()
    first = bold[0]
    marks = list(dict.fromkeys(found["mark"] for found in bold))
    style, emphasised = (
        _EMPHASIS[len(marks[0])]
        if len({len(mark) for mark in marks}) == 1
        else ("bold or italics", "names")
    )
    around = (
        f", and what is around the {emphasised},"  # a list marker, a description
        if any(
            found.start("mark") or found.end() < len(name)
            for found, name in zip(bold, names, strict=True)
        )
        else ""
    )
    return (
        f"{source}: every class name is in Markdown {style}, such as {quoted_line(names[0])} (a "
        f"chat's answer?): the {' and '.join(map(repr, marks))}{around} are part of {part_of}; "
        f"write the {emphasised} alone, such as {quoted_line(first['name'])}",
    )


# A file's name as a folder listing holds it (`find`'s with its `./`): a class file, a table, a
# store, an archive, a document, an image, a repository's README or LICENSE.
_LISTED_FILE = re.compile(
    r"(\./)?((?-i:README|LICENSE|COPYING)(\.\w+)?|[^/\\\s]+\.(txt|csv|tsv|json|jsonl|yaml|yml|xml|md"
    r"|zsl|log|py|sh|html|pdf|docx?|odt|ods|xlsx?|zip|gz|jpe?g|png|gif|bmp|webp|tiff?))",
    re.IGNORECASE,
)


def _listed_file_warnings(
    names: Sequence[str], source: str, prompted: bool = True
) -> tuple[str, ...]:
    """Files' names among other names: a listing of the class folders (`ls > classes.txt`)
    that holds the files beside them, classes.txt itself among them (the shell makes it first).
    `prompted`: whether the names are a class file's (else a seen list's, given as --seen)."""
    files = [name for name in names if _LISTED_FILE.fullmatch(name)]
    if not files or len(files) == len(names):
        return ()
    more = and_more(len(files))
    listing = (
        f"`ls > {_command_target(source)}`?" if prompted else "as `ls` writes it, given as --seen?"
    )
    return (
        f"{source}: class {quoted_line(files[0])}{more} is a file's name (a folder listing, "
        f"{listing}): it is a class as written; remove the files' lines",
    )


def _header_warning(
    names: Sequence[str], source: str, quoted: tuple[str, ...], prompted: bool = True
) -> tuple[str, ...]:
    """A first class that reads as a header line: a word (`class`) or a CSV header holding one.
    `prompted`: whether the names are a class file's (else a seen list's, which names classes
    and takes no descriptions)."""
    listing = _listing(prompted)
    first = names[0].removesuffix(",").strip(_QUOTE_MARKS) if quoted else names[0]
    if first.casefold() in _HEADER_WORDS:
        return (
            f"{source}: the first class is {quoted_line(names[0])}; if that line is a header, "
            f"remove it ({listing} has one class name per line and no header)",
        )
    cells = [
        cell.strip(" " + _QUOTE_MARKS).casefold() for cell in names[0].replace(";", ",").split(",")
    ]
    if len(cells) > 1 and any(cell in _HEADER_WORDS for cell in cells):  # `class,description`
        described = (
            _DESCRIPTIONS_HINT
            if prompted and any(cell in _DESCRIPTION_WORDS for cell in cells)
            else ""
        )
        return (
            f"{source}: the first class is {quoted_line(names[0])}; if that line is a CSV header, "
            f"keep the class column alone ({listing} has one class name per line and no header)"
            + described,
        )
    return ()


def _shape_warning(
    names: Sequence[str],
    source: str,
    quoted: tuple[str, ...],
    header: tuple[str, ...],
    prompted: bool = True,
) -> tuple[str, ...]:
    """What every name holds that makes the file another shape than one name per line (list
    markers, ids, paths, names separated by commas, a spreadsheet's columns): the first found,
    as one file is one shape. `prompted`: whether the names make prompts (a class file's; a
    seen list's are matched to the classes)."""
    listing, part_of = _listing(prompted), _part_of(prompted)
    if all(map(_LIST_MARKER.match, names)):
        return (
            f"{source}: every class name starts with a list marker, such as "
            f"{quoted_line(names[0])}: the marker is part of {part_of}; write "
            "the names alone",
        )
    if len(names) == 1 and not header and any(mark in names[0] for mark in _SEPARATORS):
        return (
            f"{source} holds one class, {quoted_line(names[0])}: {listing} takes one class name "
            "per line",
        )
    if (
        len(names) > 1
        and any(
            _holds_class_ids(ids, names)
            for ids in (
                _ID_FIRST,
                _ID_LAST,
                _WORDNET_ID_FIRST,
                _FREEBASE_ID_FIRST,
                _INDEX_BEFORE_NUMBERED_ID,
                _NUMBERED_ID,
            )
        )
        or _spaced_ids(names)
    ):
        # CUB's names join their words with '_', which stays in the prompts too.
        spaces = " (with spaces for '_')" if all("_" in name for name in names) else ""
        return (
            f"{source}: every class name holds a class id, such as {quoted_line(names[0])} (a "
            f"table of ids and names?): the ids are part of {part_of}; write "
            f"the names alone{spaces}",
        )
    if all(map(_DATASET_ID.fullmatch, names)):
        read = (
            "the model reads the id as text, not as the class it stands for"
            if prompted
            else "an id names no class, where the classes are named with words"
        )
        return (
            f"{source}: every class name is a class id, such as {quoted_line(names[0])} (a WordNet "
            f"or Freebase id): {read}; write the class names (a dataset's mapping of ids to names "
            "has them)",
        )
    # The listing's own lines aside: `find`'s `.` (or the folder it was given, `find photos`),
    # and the files beside the folders (`ls -F`).
    root = _listed_folder(names)
    if root is None and all(name.startswith("/") for name in names):  # SUN397's `/a/abbey`
        return (
            f"{source}: every class name is a path, such as {quoted_line(names[0])} (a dataset's "
            f"folders, as SUN397's ClassName.txt lists them?): the path is part of {part_of}; "
            "write the names alone",
        )
    if all(map(_WINDOWS_PATH.match, names)):
        return (
            f"{source}: every class name is a path, such as {quoted_line(names[0])} (a folder "
            f"listing, as Windows' `dir /s /b /ad` writes it?): the path is part of {part_of}; "
            "write the names alone",
        )
    folders = [
        name for name in names if name not in (".", root) and not _LISTED_FILE.fullmatch(name)
    ]
    # A listing of files alone (`find .` in a folder of no sub-folder) is told of below.
    parent = root.rstrip("/") if root is not None else _parent_folder(folders)
    if folders and (
        parent is not None or all(name.startswith("./") or name.endswith("/") for name in folders)
    ):
        # The listed folder's own line is no path to trim: written alone, it stays a class that
        # takes images.
        own = root or ("." if "." in names else None)
        # A parent class over its subclasses (`vehicle` over `vehicle/car`) looks the same as
        # `find photos` writes: only `.` is surely find's own.
        dot = (
            "; and '.' (find's own folder) is a class as written: remove that line"
            if own == "."
            else f"; and if {quoted_text(own or '')} is the folder `find` was given, that line is "
            "a class as written: remove it"
        )
        # `find photos -mindepth 1` and `ls -d photos/*/` name the folder on every line.
        # Folders alone, without '/': `ls photos` lists the files beside them too.
        written = ""
        if parent not in (None, "."):
            to = f" > {_command_target(source)}" if prompted else ""
            written = f", as `(cd {shlex.quote(parent)} && ls -d */ | tr -d /){to}` lists them"
        return (
            f"{source}: every class name is a path, such as {quoted_line(folders[0])} (a folder "
            f"listing, as `ls -d */` or `find` writes it?): the path is part of {part_of}; "
            "write the names alone" + written + (dot if own else ""),
        )
    if (drawn := _tree_drawing(names)) is not None:
        branches, tree_lines = drawn
        lines, verb = (
            ("lines", "are classes as written: remove them")
            if len(tree_lines) > 1
            else ("line", "is a class as written: remove it")
        )
        said = f"; and {' and '.join(map(quoted_text, tree_lines))} (tree's own {lines}) {verb}"
        return (
            f"{source}: every class name is a line of a `tree` drawing, such as "
            f"{quoted_line(branches[0])} (a folder listing, as `tree` writes it?): the branch is "
            f"part of {part_of}; write the names alone" + (said if tree_lines else ""),
        )
    if quoted:
        return ()
    if not header and (mark := _two_columns(names)) is not None:
        table, fix = (
            ("names and prompts", "write `name: prompt` lines, or the names alone")
            if prompted
            else ("two columns", "write the names alone")
        )
        return (
            f"{source}: every line is two cells separated by {mark!r}, the second holding the "
            f"first, such as {quoted_line(names[0])} (a table of {table} without its header?): "
            f"each line is one class of that whole name; {fix}",
        )
    if (mark := _separated_over_lines(names)) is not None:
        return (
            f"{source} holds {counted(len(names), 'class', 'classes')}, such as "
            f"{quoted_line(names[0])} (names separated by {mark!r} over several lines?): "
            f"{listing} takes one class name per line",
        )
    # `cat,,`: a spreadsheet's column saved as CSV with the empty columns beside it.
    end = next((mark for mark in _SEPARATORS if all(name.endswith(mark) for name in names)), None)
    if end is not None:
        return (
            f"{source}: every class name ends with {end!r}, such as {quoted_line(names[0])} (a "
            f"spreadsheet's empty columns, saved as CSV?): the {end!r} is part of {part_of}; "
            "write the names alone",
        )
    return ()


# A Windows path from its drive or a network share (`C:\data\cat`, `D:/cat`, `\\server\share`).
_WINDOWS_PATH = re.compile(r"[A-Za-z]:[\\/]|\\\\\w")


# A line of `tree`'s drawing: its branch (`├── `, `└── `) after the lines of the levels above
# (`│   `); and its last line, the count of what it drew. (Its --charset=ascii drawing's `|` is
# refused in a name.)
_TREE_BRANCH = re.compile(r"(?:│?\s+)*[├└]──\s")
_TREE_COUNT = re.compile(r"\d+ director(?:y|ies)(?:, \d+ files?)?")


def _tree_drawing(names: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """The branches of a `tree` drawing, two or more, and its own lines (the folder drawn, first,
    and the count, last), where every other name is a branch; else None."""
    branches = [name for name in names if _TREE_BRANCH.match(name)]
    if len(branches) < 2:
        return None
    own = [name for name in names if not _TREE_BRANCH.match(name)]
    first = [names[0]] if names[0] in own else []
    last = [names[-1]] if _TREE_COUNT.fullmatch(names[-1]) else []
    return (branches, own) if own == first + last else None


def _listed_folder(names: Sequence[str]) -> str | None:
    """The line of the folder a listing lists, where every other name, two or more, is a path
    under it (`find photos -type d`: `photos` over `photos/cat`, `photos/dog`); else None. Not
    names that hold a '/' of their own (`AC/DC`, `salt/pepper shaker`), nor two names, one under
    the other (`salt` over `salt/pepper shaker`)."""
    if len(names) < 3:
        return None
    root = min(names, key=len)
    under = root.rstrip("/") + "/"
    others = [name for name in names if name != root]
    listed = len(others) == len(names) - 1 and under != "/"
    return root if listed and all(n.startswith(under) and n != under for n in others) else None


def _parent_folder(names: Sequence[str]) -> str | None:
    """The folder every name, two or more, is a path under, with no line of its own (`photos` of
    `photos/cat` and `photos/dog/`, as `find photos -mindepth 1 -type d` and `ls -d photos/*/`
    list them); else None. Not names that each hold a '/' of their own (`AC/DC`, `on/off
    switch`): under one folder, names go on alike after it only where one term holds the '/'."""
    if len(names) < 2:
        return None
    top = names[0].partition("/")[0] + "/"
    if top == "/" or not all(name.startswith(top) for name in names):  # most lists: at once
        return None
    parts = [name.rstrip("/").split("/") for name in names]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    # Every name goes on below the folder: `photos/cat` over `photos/cat/kitten` is under `photos`.
    common = common[: min(map(len, parts)) - 1]
    # `I/O shield`, `I/O port`: names that go on alike after the '/' are one term, not a folder's
    # sub-folders.
    firsts = {(part[len(common)].split() or [""])[0] for part in parts}
    if len(firsts) < 2:
        return None
    return "/".join(common) or None


def _two_columns(names: Sequence[str]) -> str | None:
    """The mark that splits every name, two or more, into two cells, the second holding the
    first as a word (`cat,a photo of a cat`): a headerless CSV of names and prompts; else None.
    A CSV writer puts no space after the mark, and ImageNet's synonyms (`basset, basset hound`)
    always have one; `ant,elephant` holds no word `ant`."""
    if len(names) < 2:
        return None
    for mark in ",;":
        if all(name.count(mark) == 1 for name in names) and all(
            first.strip()
            and rest[:1].strip()
            and re.search(rf"(?<!\w){re.escape(first.strip())}(?!\w)", rest, re.IGNORECASE)
            for first, _, rest in (name.partition(mark) for name in names)
        ):
            return mark
    return None


def _separated_over_lines(names: Sequence[str]) -> str | None:
    """The mark that separates names, several on a line, where a list of them runs on over
    several lines (`cat, dog,` over `bird`): every line but the last ends with it, and one holds
    it between names too; else None. Not a name that holds a comma among others (`pickup truck,
    red`), nor names that each end with one alone (`Washington,` over `dog`; `cat,,`, a
    spreadsheet's column). Lines that do not end with the mark cannot be told from names that
    hold it (`cat, dog` over `bird, fish`)."""
    if len(names) < 2 or names[0][-1:] not in tuple(_SEPARATORS):
        return None
    mark = names[0][-1]
    if not all(name.endswith(mark) for name in names[:-1]):
        return None
    return mark if any(mark in name.rstrip(mark) for name in names) else None


# Words joined by '_' (Food-101's `apple_pie`, folder names) or '+' (AwA2's `grizzly+bear`).
_JOINED_WORDS = re.compile(r"[^\W\d_]([_+])[^\W\d_]")


def _name_text_warnings(
    names: Sequence[str],
    source: str,
    described: Sequence[str] = (),
    descriptions: str | None = None,
    *,
    prompted: bool = True,
    places: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """Class names that join their words with '_' or '+' (see `_joined_words`) or in CamelCase
    (see `_camel_case_words`), and those that are URLs. `described`: the names among `names`
    that have descriptors (from `descriptions`, the file that gives them), which cannot also
    have prompts of their own: the fix offered them is another name. `prompted`: whether the
    names make prompts (a seen list's are matched to the classes, and are told to name them as
    the classes do). `places`: where each name is, for the URL's warning to name its line."""
    warnings: tuple[str, ...] = ()
    with_descriptors = set(described)  # looked up for every joined name: not a list's search
    for joined, spaced, maybe in (
        (_joined_words(names), spaced_words, ""),
        (_camel_case_words(names), _camel_spaced, "if they are words, "),
    ):
        if joined is None:
            continue
        examples, joiners = joined
        said = (
            f"the prompts hold them so; {maybe}"
            + _rename_fix(examples, spaced, with_descriptors, descriptions)
            if prompted
            else f"a name is a class only as the classes spell it; {maybe}write the names as "
            f"they do, such as {quoted_text(spaced(examples[0]))} where their words are apart"
        )
        warnings += (
            f"{source}: {len(examples)} class names join their words with {joiners}, such as "
            f"{', '.join(map(quoted_line, examples[:2]))}: {said}",
        )
    urls = [n for n in names if "://" in n and _URL.fullmatch(n) and n not in with_descriptors]
    if urls:
        more = and_more(len(urls))
        said = (
            "its prompts hold it as text, not what it stands for; to keep it as the label, give "
            f"it prompts of its own: `{urls[0]}: a photo of a cat.`"
            if prompted
            else "a name is a class only as the classes spell it; write the class's name"
        )
        where = (places or {}).get(urls[0], source)
        warnings += (f"{where}: class name {quoted_line(urls[0])}{more} is a URL: {said}",)
    return warnings


def _rename_fix(
    examples: Sequence[str],
    spaced: Callable[[str], str],
    described: set[str],
    descriptions: str | None,
) -> str:
    """How to fix class names whose words are joined, by the form their classes can take: a
    class with descriptors cannot also have prompts of its own (`merge_descriptions`)."""
    templated = [name for name in examples if name not in described]
    with_descriptors = [name for name in examples if name in described]
    if not templated:
        where = "" if descriptions is None else f" (in the class list and in {descriptions})"
        return (
            f"write the names with spaces{where}, such as {quoted_text(spaced(examples[0]))}: a "
            "class with descriptors has no prompts of its own"
        )
    first = templated[0]
    prompt = f"a photo of {_with_article(spaced(first))}."
    fix = (
        "write the names with spaces, or, to keep them as labels (the folder names `zsl "
        f"evaluate` matches), give each its prompts: `{first}: {prompt}`"
    )
    if with_descriptors:
        fix += (
            f" (not those with descriptors, such as {quoted_text(with_descriptors[0])}: a class "
            "has prompts or descriptors, not both; write their names with spaces in both files)"
        )
    return fix


def _with_article(words: str) -> str:
    """`words` after "a" or "an", by how the first word mostly sounds: 'an apple pie', 'a
    unicorn', 'an hour' (a rule of thumb for a hint, not a dictionary)."""
    word = words.lower()
    vowel_sound = word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(_SOUNDS_YOU)
    if word.startswith(("hour", "honest", "honour", "honor", "heir")):
        vowel_sound = True
    first = words.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():  # spelt out: an MRI scan, a USB cable
        vowel_sound = first[0] in "AEFHILMNORSX"
    return ("an " if vowel_sound else "a ") + words


# Vowels that sound as 'you' or 'won': a unicorn, a European robin, a one-piece, a ewe.
_SOUNDS_YOU = ("uni", "use", "usu", "uten", "eu", "ewe", "one", "once")


# A name that is a URL: `https://www.wikidata.org/wiki/Q146`.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")

# Words joined in CamelCase, as EuroSAT's folders (`AnnualCrop`, `SeaLake`) and UCF101's classes
# (`ApplyEyeMakeup`) are named: capitalised words, two or more. Not `iPhone`, `eBay` or `USB`.
_CAMEL_CASE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")
# A name in capitalised words alone, one or more (`Forest`, `SeaLake`).
_CAPITALISED_WORDS = re.compile(r"(?:[A-Z][a-z]+)+")


def _camel_case_words(names: Sequence[str]) -> tuple[list[str], str] | None:
    """The names that join their words in CamelCase ('a photo of a AnnualCrop.'; CLIP's
    tokenizer reads 'annualcrop'), where two or more do, a third of the names at least (EuroSAT
    has 4 of 10), in a file whose every name is capitalised words alone (as a dataset's folders
    or a program's enum are named); else None. Brand, product and dataset names are written
    so on purpose (`PlayStation`, `YouTube`, `ImageNet`), among names that are not
    (`Coca Cola`, `iPhone`, `USB`, `McDonald's`): those are not warned of."""
    if not all(map(_CAPITALISED_WORDS.fullmatch, names)):
        return None
    joined = [name for name in names if _CAMEL_CASE.fullmatch(name)]
    if len(joined) < 2 or 3 * len(joined) < len(names):
        return None
    return joined, "capitals (CamelCase)"


def _camel_spaced(name: str) -> str:
    """`name` with a space before every capital that follows a lowercase letter."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def _joined_words(names: Sequence[str]) -> tuple[list[str], str] | None:
    """The names that join their words with '_' or '+', which the prompts keep ('a photo of a
    apple_pie.'), and the joiners they use, where two or more do in a file that writes no name
    with a space (one `t_shirt` may be meant; where other names have spaces, so are the joined
    ones); else None."""
    if any(" " in name for name in names):
        return None
    joined = [(name, found) for name in names if (found := _JOINED_WORDS.search(name))]
    if len(joined) < 2:
        return None
    used = {found.group(1) for _, found in joined}
    joiners = " or ".join(repr(joiner) for joiner in "_+" if joiner in used)
    return [name for name, _ in joined], joiners


def _phrase(name: str) -> str:
    """An attribute name as a phrase to offer for it: words apart, and CUB's `::` between an
    attribute and its value a colon (`has_bill_shape::curved_(up_or_down)` is `has bill shape:
    curved (up or down)`, where `spaced_words` left `has bill shape::curved_(up or down)`)."""
    return " ".join(re.sub(r"[_+]", " ", name.replace("::", ": ")).split())


def _spaced_ids(names: Sequence[str]) -> bool:
    """Whether every name is an id, a space and a name (`0 person`), three or more of them, the
    ids increasing and the names all different: not counts (`1 coin`, `2 coins`, `3 coins`)."""
    last, rests = -1, set()
    for name in names:
        found = _SPACED_ID_FIRST.fullmatch(name)
        if found is None or len(found["id"]) > 18:  # an int of 4,300+ digits is refused
            return False
        number, rest = int(found["id"]), composed(found["name"]).casefold()
        if number <= last or rest in rests:
            return False
        last = number
        rests.add(rest)
    return len(names) > 2


def _holds_class_ids(pattern: re.Pattern[str], names: Sequence[str]) -> bool:
    """Whether every name holds a number where `pattern` finds one, each a different one."""
    ids = set()
    for name in names:
        found = pattern.fullmatch(name)
        if found is None:
            return False
        ids.add(found["id"].lstrip("0"))  # not int(): Python refuses one of 4,300+ digits
    return len(ids) == len(names)  # `cat,1` over `dog,1` is no id column


def in_quotes(name: str) -> bool:
    """`"cat"` or `'cat'` (`"cat",` too): a CSV column written with quotes (R's write.csv,
    pandas' QUOTE_ALL), or names (or templates) pasted from code; `「猫」`, in Japanese's."""
    name = name.removesuffix(",")
    return len(name) >= 2 and name[-1] in _QUOTES.get(name[0], "")


def csv_quoting_warnings(lines: Sequence[tuple[str, str]], what: str) -> tuple[str, ...]:
    """A class or template file (its `what`s, each with where it is) saved from a spreadsheet's
    column as CSV, which quotes only the cells that need it: a cell holding a ',' or a quote
    (`"yellow star, small"`, or one whose quote is doubled), or a line break (two lines, `"blue` and
    `square"`). The quotes are part of the text, and a cell over two lines is two. Not where
    every line is in quotes: that is warned of as such."""
    texts = [text for text, _ in lines]
    if all(map(in_quotes, texts)):
        return ()
    warnings: tuple[str, ...] = ()
    cells = [
        (text, where, found[1])
        for text, where in lines
        if (found := _CSV_CELL.fullmatch(text)) and re.search(r'[,;]|""', found[1])
    ]
    if cells:
        text, where, inner = cells[0]
        more = and_more(len(cells))
        warnings += (
            f"{where}: {what} {quoted_line(text)}{more} is a CSV cell in quotes (a spreadsheet's "
            f"column saved as CSV?): its quotes are part of the {what}; write "
            f"{quoted_line(inner.replace(chr(34) * 2, chr(34)))}",
        )
    for index, (text, where) in enumerate(lines):
        if not (text.startswith('"') and text.count('"') % 2):
            continue
        # The cell ends on the next line with a quote of its own, at that line's end.
        after = next(((t, w) for t, w in lines[index + 1 :] if '"' in t), None)
        if after is not None and after[0].endswith('"') and after[0].count('"') % 2:
            line = after[1].rpartition(":")[2]
            warnings += (
                f"{where}: {what} {quoted_line(text)} and {quoted_line(after[0])} (line {line}) "
                "are one CSV cell holding a line break, read as two: write it on one line, "
                "without quotes",
            )
            break
    return warnings


# `cat: a photo of a {}; # a sketch of a {}`: a prompt put aside as an editor's comment key writes
# it. Not a hashtag, `#{} on instagram`.
_COMMENTED_PROMPT = re.compile(r"#(\s|$)")


def _commented_prompt_warnings(prompts: Sequence[str], places: Sequence[str]) -> tuple[str, ...]:
    """A class's own prompt that starts with '#' and a space: meant as a comment, but only a
    line's start makes one, so it is scored as written."""
    commented = [
        (prompt, where)
        for prompt, where in zip(prompts, places, strict=True)
        if _COMMENTED_PROMPT.match(prompt)
    ]
    if not commented:
        return ()
    prompt, where = commented[0]
    more = and_more(len(commented))
    return (
        f"{where}: prompt {quoted_line(prompt)}{more} starts with '#', which makes a comment "
        "only at the start of a line: it is one of the class's prompts",
    )


def trailing_comment_warnings(
    lines: Sequence[str], source: str, what: str, part: str, places: Sequence[str] = ()
) -> tuple[str, ...]:
    """`cat  # the animal` in a class file (a name or a prompt) or a template file: the note
    became part of the line's `what` (its `part`), and of every prompt made of it. `places`:
    where each line is (`c.txt:3`), for the warning to name the first such line's; `source`
    where not given."""
    where_of = places or [source] * len(lines)
    commented = [
        (line, found, where)
        for line, where in zip(lines, where_of, strict=True)
        if (found := _TRAILING_COMMENT.search(line))
    ]
    if not commented:
        return ()
    line, found, where = commented[0]
    more = and_more(len(commented))
    mark = found.group(1)
    lookalike = "" if mark == "#" else f" ({_code_point(mark)}, not '#')"
    return (
        f"{where}: {what} {quoted_line(line)}{more} holds ' {mark}'{lookalike}: '#' makes a "
        f"comment only at the start of a line, so the rest is part of the {part}",
    )


def parse_descriptions(text: str, source: str = "<descriptions>", named: bool = True) -> ClassSpec:
    """Read a descriptions file: one JSON object `{"class": ["descriptor", ...], ...}`, a
    string for a single descriptor.

    `named` is False where the prompts leave the class name out (`{1}`): a name's '+' or '_'
    is then not warned of, as the prompts do not hold it. Every problem is a ZslError naming
    the line.
    """
    shape = '{"class": ["descriptor", ...], ...}'
    if not first_content_lines(text, 1):  # not json's 'Expecting value', nor a class list's
        raise ZslError(f"{source}: empty descriptions file (expected a JSON object {shape})")
    try:
        # Objects as tuples of (key, value) pairs, duplicates kept: json's last-one-wins would
        # drop a class's first descriptors without a word. (A tuple is never a JSON array.)
        data = json.loads(text, object_pairs_hook=tuple)
    except json.JSONDecodeError as error:
        refuse_python_id_map(text, source)
        # An object per line (JSON Lines, as a script writing a class at a time makes it).
        more = (
            ": one JSON object for every class, not one per line"
            if error.msg == "Extra data" and text[error.pos] == "{"
            else ""
        )
        if text[error.pos : error.pos + 1] == "'" and isinstance(python_value(text), dict):
            more = "; a Python dict? write it as JSON, as json.dump does: strings in double quotes"
        raise ZslError(
            f"{source}:{error.lineno}: column {error.colno}: "
            + (not_json_hint(text) or f"invalid JSON ({error.msg}{more})")
        ) from None
    except JSON_ERRORS as error:  # nested too deep; an int of 4,300+ digits
        raise ZslError(f"{source}: invalid JSON ({error})") from None
    if not isinstance(data, tuple) or not data:
        records = isinstance(data, list) and data and all(isinstance(d, tuple) for d in data)
        hint = " (a list of records? every class is a key of one object)" if records else ""
        raise ZslError(f"{source}: expected a JSON object {shape}{hint}")
    if problem := by_dataset_problem(data, source, "a descriptions file"):
        raise ZslError(problem)
    if any(isinstance(value, tuple) or key == "id2label" for key, value in data):
        # An object inside is no class's descriptors: parsed again, as plain JSON, for the hint.
        refuse_hugging_face_labels(json.loads(text), source, "a descriptions file")
    if record := _one_record(data):
        # Read as classes, its keys would be classes named "class" and "descriptors".
        raise ZslError(
            f"{source}: one record of class {quoted_text(record)}, not classes named by their "
            f"keys: write every class as a key of one object, {shape}"
        )
    entries: list[ClassDef] = []
    lines: list[int] = []  # the line of every key, found for a message only
    # Classes with empty (or blank) descriptors among others: (index, key, empty ones, all).
    emptied: list[tuple[int, str, int, int]] = []

    def at(index: int) -> str:
        # Not found for every key up front: walking the file for them took 3 times as long as
        # parsing it.
        if not lines:
            lines.extend(_key_lines(text))
        return f"{source}:{lines[index]}"

    for index, (key, descriptors) in enumerate(data):
        name = strip_name(key)
        if (problem := _name_problem(name)) is not None:
            quoted = "" if len(key) > MAX_NAME_CHARS else f"class {quoted_text(key)}: "
            raise ZslError(f"{at(index)}: {quoted}{problem}")
        if isinstance(descriptors, str):
            descriptors = [descriptors]
        if not isinstance(descriptors, list) or not all(isinstance(d, str) for d in descriptors):
            raise ZslError(
                f"{at(index)}: class {quoted_text(key)}: descriptors must be a list of strings"
            )
        # Stripped as the name is: a Hangul filler at an end stays, to be warned of.
        cleaned = tuple(filter(None, map(strip_name, descriptors)))
        if not cleaned:
            raise ZslError(f"{at(index)}: class {quoted_text(key)}: no descriptors")
        if len(cleaned) < len(descriptors):
            emptied.append((index, key, len(descriptors) - len(cleaned), len(descriptors)))
        for descriptor in cleaned:
            if (problem := too_long(descriptor, "descriptor")) is not None:
                raise ZslError(f"{at(index)}: class {quoted_text(key)}: {problem}")
            if surrogate := _SURROGATE.search(descriptor):
                raise ZslError(
                    f"{at(index)}: class {quoted_text(key)}: descriptor {quoted_text(descriptor)} "
                    f"contains {surrogate.group()!r}, not a character"
                )
        entries.append(ClassDef(name, descriptors=cleaned))
    described = [d for entry in entries for d in entry.descriptors]
    if weight_column(described, tabs_only=True):  # `"round<TAB>2"`, as a template's
        raise weight_column_error(
            at(0), described[0], "descriptor", "write each descriptor without a number"
        )
    # Keys that differ ("cat " and "cat", "café" composed and decomposed) as the file spells
    # them: a search for one in an editor may not find the other.
    _refuse_repeats([entry.name for entry in entries], at, spellings=[key for key, _ in data])
    if all(_IMAGE_PATH.fullmatch(d) for entry in entries for d in entry.descriptors):
        raise ZslError(
            f"{source}: every descriptor is an image's path or file name, such as "
            f"{quoted_text(entries[0].descriptors[0])} (a list of each class's images, as "
            "Food-101's meta/train.json?): descriptors are phrases that describe the class, "
            f"{shape}"
        )
    names = [entry.name for entry in entries]
    # Not where the prompts leave the class name out (`--description-template '{1}'`, CuPL's
    # whole prompts): a name's '+' or '_' is then the label alone, as the folders spell it.
    warnings = _name_text_warnings(names, source, names) if named else ()
    if emptied:
        index, key, empty, total = emptied[0]
        warnings += (
            _emptied_warning(at(index), key, empty, total, "descriptor", len(emptied) - 1),
        )
    if example := id_map_example(data):
        warnings += (
            f"{source}: every class is a number, such as {quoted_text(example[0])}, with a name "
            f"({quoted_text(example[1])}): a map of class ids to names (as Keras' "
            "imagenet_class_index.json or a model's id2label)? its names are used as descriptors; "
            "a class list takes the names, one per line",
        )
    return ClassSpec(tuple(entries), sources=(source,), warnings=warnings)


# The cells pandas' read_csv reads as a missing value by default (pandas 3.1.1's STR_NA_VALUES,
# less "", which no class is named), R's read.csv's "NA" among them: a label read so is lost.
MISSING_VALUE_NAMES = frozenset(
    {
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)


def names_the_class(description_template: str) -> bool:
    """Whether prompts made with `description_template` hold the class name: `{1}` alone (CuPL's
    whole prompts, which name their class in words already) does not."""
    try:
        return "\0" in description_template.format("\0", "")
    except (IndexError, KeyError, ValueError):
        return True  # refused with its own message where the prompts are made


def missing_value_name_warnings(spec: ClassSpec) -> tuple[str, ...]:
    """A warning naming the classes that pandas (and R, "NA") reads from a CSV as a missing
    value: predictions read and saved again in pandas, as the README invites, lose those labels,
    which `zsl evaluate` then counts as abstentions. Warned of, not refused: zsl's own readers
    and JSON keep them."""
    names = [name for name in spec.names if name in MISSING_VALUE_NAMES]
    if not names:
        return ()
    # The spec's sources are the paths as given (`load_class_spec`): escaped as its warnings
    # name them, so that a file name's escape sequences reach no caller's terminal or log.
    source = printable(spec.sources[0]) if spec.sources else "<classes>"
    if len(names) == 1:
        subject, them = (
            f"class name {quoted_line(names[0])} is read as a missing value",
            "that label",
        )
    else:
        shown = some_names(list(map(repr, names)))
        subject, them = f"{len(names)} class names ({shown}) are read as missing values", "them"
    return (
        f"{source}: {subject} by pandas' read_csv (R's read.csv reads 'NA' so too): predictions "
        f"in a CSV read and saved again in pandas lose {them}, and zsl evaluate counts those "
        f"images as abstained; rename {'the class' if len(names) == 1 else 'them'}, or read "
        "the CSV with read_csv(..., keep_default_na=False, na_values=[''])",
    )


# The first characters that make Excel, LibreOffice and Google Sheets take a CSV cell for a
# formula (OWASP's "CSV Injection" lists the tab and carriage return too): opened, not imported
# as text, such a cell is run, not shown, and a sheet saved again keeps what it gave.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_name_warnings(spec: ClassSpec) -> tuple[str, ...]:
    """A warning naming the classes that a spreadsheet opening a CSV output reads as formulas
    (`-blue hexagon` shows as #NAME?, and saving the sheet loses the label). Warned of, not
    refused: zsl's own readers, pandas and JSON keep them. A class name cannot start with a tab
    or a carriage return (white space is stripped), so the warning names the four others."""
    names = [name for name in spec.names if name.startswith(FORMULA_STARTS)]
    if not names:
        return ()
    # Escaped as in `missing_value_name_warnings`.
    source = printable(spec.sources[0]) if spec.sources else "<classes>"
    if len(names) == 1:
        subject, fix = f"class name {quoted_line(names[0])} starts", "rename it"
    else:
        shown = some_names([quoted_line(name) for name in names[:3]], 3, len(names))
        subject, fix = f"{len(names)} class names ({shown}) start", "rename them"
    return (
        f"{source}: {subject} with =, +, - or @, which Excel, LibreOffice and Google Sheets run "
        "as a formula where a CSV of predictions is opened in them (a label shows as #NAME?, "
        f"and saving the sheet loses it): {fix}, or import the CSV with its columns as text",
    )


def whole_prompt_warnings(spec: ClassSpec) -> tuple[str, ...]:
    """A warning for descriptors that are whole prompts already, nine in ten or more of them
    naming their class (CuPL's: "A photo of a tench, a type of fish."): the default description
    template names the class again ("tench, which has A photo of a tench, ..."), and
    --description-template '{1}' would use them as they are. Descriptors that do not name their
    class (Menon & Vondrick's, or "a painting with short brushstrokes") need the name the
    template gives them. For a spec that the default template makes prompts of: another
    template was chosen knowing the descriptors."""
    total = sum(len(entry.descriptors) for entry in spec.classes)
    allowed_misses = total // 10
    naming: list[tuple[str, str]] = []  # (class, descriptor)
    for entry in spec.classes:
        name = loose_name(entry.name)
        for descriptor in entry.descriptors:
            if name in loose_name(descriptor):
                naming.append((entry.name, descriptor))
            elif (allowed_misses := allowed_misses - 1) < 0:
                return ()  # most description files: said after a few of their descriptors
    if not naming:
        return ()
    name, example = naming[0]
    which = (
        "every descriptor names its class"
        if len(naming) == total
        else f"{len(naming)} of {total} descriptors name their class"
    )
    # The file read last, escaped as in `missing_value_name_warnings`.
    source = printable(spec.sources[-1]) if spec.sources else "<descriptions>"
    return (
        f"{source}: {which}, such as {quoted_text(example)} (whole prompts, as CuPL's are?): the "
        f"default description template names the class again, as "
        f"{quoted_text(DEFAULT_DESCRIPTION_TEMPLATE.format(name, example))}; "
        "--description-template '{1}' uses them as they are",
    )


# An image's path (`apple_pie/1005649`, no space in it) or file name (`cat 1.jpg`).
_IMAGE_PATH = re.compile(
    r"[^\s/\\]*[/\\]\S*|.*\.(jpe?g|png|gif|bmp|tiff?|webp|heic|avif)", re.IGNORECASE
)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")  # what JSON takes for white space, and no more


def _key_lines(text: str) -> list[int]:
    """The line of every key of the JSON object `text` is (json has parsed it already), in
    order: json's parser keeps no positions."""

    def past_space(at: int) -> int:
        return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # `*` always matches

    decoder = json.JSONDecoder()
    lines: list[int] = []
    line, counted = 1, 0
    at = past_space(0) + 1  # past the "{"
    while (at := past_space(at)) < len(text) and text[at] == '"':
        line += text.count("\n", counted, at)
        lines.append(line)
        counted = at
        _, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
        at = past_space(at) + 1  # past the ":"
        _, at = decoder.raw_decode(text, past_space(at))
        at = past_space(at) + 1  # past the "," (or the closing "}")
    return lines


def _one_record(data: tuple) -> str | None:
    """The class a descriptions object names as one record does ({"class": "cat",
    "descriptors": [...]}), else None."""
    keys = {key.strip().lower(): value for key, value in data}
    name = next((keys[k] for k in ("class", "name", "label") if isinstance(keys.get(k), str)), None)
    described = any(k in keys for k in ("descriptors", "descriptions", "description"))
    return name if described else None


def merge_descriptions(
    spec: ClassSpec, described: ClassSpec, source: str, text: str = "", named: bool = True
) -> ClassSpec:
    """classes.txt decides which classes exist; descriptions add descriptors to them. `text`,
    the descriptions file's, lets a message name the line of a class's key. `named`: whether
    the description template puts a class's name in its prompts (`names_the_class`)."""

    def where(name: str) -> str:
        # The line of the class's key: every key of the file is a class, in order.
        if not text:
            return source
        key = composed(name)
        index = next(i for i, c in enumerate(described.classes) if composed(c.name) == key)
        return f"{source}:{_key_lines(text)[index]}"

    known = {composed(c.name) for c in spec.classes}
    unknown = [c.name for c in described.classes if composed(c.name) not in known]
    if unknown:
        # Names are matched exactly: "Red Circle" for "red circle" is the likeliest slip.
        loose = {loose_name(c.name): c.name for c in spec.classes}
        near = next(((n, loose[loose_name(n)]) for n in unknown if loose_name(n) in loose), None)
        written, escaped = None, False
        if near is not None:
            # Where the two differ in what prints as nothing, both show it escaped: 're\u200dd
            # circle' beside 'red circle' read as the same name twice.
            written, there = near
            escaped = unseen_differ(written, there)
            shown = quoted_text(there, ignorable_escaped=escaped)
            hint = f" (names must match exactly; the class list has {shown})"
        else:
            # A team's shared descriptions file used with a class list of a few of its classes.
            # Names given in code have no file to add a class to.
            first = spec.sources[0] if spec.sources else "<names>"
            list_source = "the class names given" if first == "<names>" else first
            them = "this class" if len(unknown) == 1 else "these classes"
            hint = (
                ": give a descriptions file with only the class list's classes, or add "
                f"{them} to {list_source}"
            )
        which = "a class" if len(unknown) == 1 else "classes"
        raise ZslError(
            f"{where(unknown[0])}: descriptions for {which} not in the class list: "
            + some_names(
                [quoted_text(n, ignorable_escaped=escaped and n == written) for n in unknown]
            )
            + hint
        )
    descriptors = {composed(c.name): c.descriptors for c in described.classes}
    both = next(
        (c.name for c in spec.classes if c.prompts and composed(c.name) in descriptors), None
    )
    if both is not None:
        raise ZslError(
            f"class {quoted_text(both)} has its own prompts in {spec.sources[0]} and descriptors "
            f"in {where(both)}: give it one or the other"
        )
    merged = tuple(
        ClassDef(c.name, c.prompts, descriptors.get(composed(c.name), ())) for c in spec.classes
    )
    list_source = spec.sources[0] if spec.sources else "<classes>"
    # Each class's line, for the URL's warning; none for names given in code.
    places = dict(zip(spec.names, spec.places, strict=True)) if spec.places else {}
    # Written for a class list alone, which offered `name: prompt` to every class without
    # prompts; merged, those with descriptors cannot take it (an error above).
    alone = _name_text_warnings(
        [c.name for c in spec.classes if not c.prompts], list_source, places=places
    )
    warnings = tuple(w for w in spec.warnings if w not in alone)
    rewritten = len(warnings) < len(spec.warnings)
    if rewritten:
        warnings += _name_text_warnings(
            [c.name for c in merged if not c.prompts and (named or not c.descriptors)],
            list_source,
            [c.name for c in merged if c.descriptors],
            source,
            places=places,
        )
    # The descriptions file's own, for the same names: said once, above.
    keys = described.names
    said = _name_text_warnings(keys, source, keys) if rewritten else ()
    warnings += tuple(w for w in described.warnings if w not in said)
    # A class dropped from a large descriptions file, or given prompts of its own: its template
    # ensemble (or its own prompts') is renormalised, a mean of descriptors is not, so the two
    # kinds of class score on different scales.
    templated = [quoted_text(c.name) for c in merged if not c.descriptors and not c.prompts]
    own = [quoted_text(c.name) for c in merged if not c.descriptors and c.prompts]
    if templated or own:
        count = len(templated) + len(own)
        head = (
            f"{source}: {count} of {counted(len(merged), 'class', 'classes')} "
            f"{'has' if count == 1 else 'have'} no descriptors"
        )
        templates = "uses --templates" if len(templated) == 1 else "use --templates"
        prompts = "uses its own prompts" if len(own) == 1 else "use their own prompts"
        if not own:
            which = f" and {templates}: {some_names(templated)}"
        elif not templated:
            which = f" and {prompts}: {some_names(own)}"
        else:
            which = f": {some_names(templated)} {templates}; {some_names(own)} {prompts}"
        warnings += (
            f"{head}{which} (their scores are not comparable with the described classes'; "
            "describe every class, or none)",
        )
    return ClassSpec(
        merged, sources=spec.sources + (source,), warnings=warnings, places=spec.places
    )


def _without_empty_end_columns(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows without the columns a spreadsheet exports empty at the end of every row, header
    included (Excel's `,,,` to the edge of the range once used)."""
    header = rows[0][1]
    width = len(header)
    while width > 1 and not strip_invisible(header[width - 1]):
        width -= 1
    if width == len(header) or any(cell.strip() for _, row in rows for cell in row[width:]):
        return rows  # a weight under a column without a name: the header's error says so
    return [(line, row[:width]) for line, row in rows]


# Headers of a class id column (`id`, `class_id`, `Label ID`, `index`): a table made from a
# dataset's files keeps one beside the names.
_ID_HEADER = re.compile(r"((class|label|category)[ _-]?)?(id|idx|index)", re.IGNORECASE)

# Cells that say whether a class has an attribute, in words: weights are numbers.
_YES_NO = {"true", "false", "yes", "no"}
# A weight with a decimal comma, as a spreadsheet in such a locale writes it ("0,5"); not one
# that may as well be thousands ("1,000").
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def _row_weights(cells: Sequence[str]) -> list[float] | None:
    """A row's weights, or None where a cell is none (`_refuse_weights` says which): the row at
    once, where a test of each cell took 2 s of a table of 20,000 classes x 85 attributes."""
    joined = "".join(cells)
    if "_" in joined:  # float() takes 1_0 for 10: a typo, not a weight
        return None
    if not joined.isascii() and not all(_ascii_number_cell(cell) for cell in cells):
        return None
    try:
        values = list(map(float, cells))  # an empty cell too is no float
    except ValueError:
        return None
    return values if all(map(math.isfinite, values)) else None


def _refuse_weights(cells: Sequence[str], attributes: Sequence[str], where: str) -> NoReturn:
    """The error of the first cell of a row that is not a weight."""
    for column, cell in enumerate(cells, start=2):
        if not cell.strip():  # an unfilled cell: 0 is not for zsl to assume
            raise ZslError(
                f"{where}: column {column} ({quoted_text(attributes[column - 2])}) is empty: give "
                "a weight (0 for an attribute the class lacks)"
            )
        try:
            if "_" in cell or not _ascii_number_cell(cell):  # float() takes 1_0 for 10, ٣ for 3
                raise ValueError(cell)
            value = float(cell)
        except ValueError:
            raise ZslError(
                f"{where}: column {column} ({quoted_text(attributes[column - 2])}): "
                f"{quoted_text(cell.strip())} is not a number{_number_hint(cell.strip())}"
            ) from None
        if not math.isfinite(value):
            raise ZslError(
                f"{where}: column {column} ({quoted_text(attributes[column - 2])}): "
                f"{quoted_text(cell.strip())} is not a finite number"
            )
    raise AssertionError(f"{where}: every cell is a weight")  # _row_weights took the row


def _ascii_number_cell(cell: str) -> bool:
    """Whether a cell is written in ASCII, but for the white space around it: float() takes
    other scripts' digits (Arabic-Indic ٣, full-width ３) as numbers, which zsl reads in the
    digits 0-9 alone, as it reads its options."""
    return cell.strip().isascii()


def _number_hint(cell: str) -> str:
    """What to write instead of a weight that is not a number, where it reads as one."""
    if any(character.isdecimal() and not character.isascii() for character in cell):
        return " (write it in the digits 0-9)"
    if cell.casefold() in _YES_NO:  # a spreadsheet's checkboxes export as TRUE and FALSE
        return " (write 1 for an attribute the class has, 0 for one it lacks)"
    if _DECIMAL_COMMA.fullmatch(cell) and not _THOUSANDS.fullmatch(cell):
        return f" (write it with a decimal point: {cell.replace(',', '.')})"
    return ""


def _attribute_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """The table's non-blank rows, each with the line it starts on (`sep=` line read)."""
    delimiter = ","
    first, newline, rest = text.partition("\n")
    if for_excel := excel_delimiter(first):
        # Excel's `sep=;` names the delimiter; read as a header, it was refused without a word
        # of why. Left as an empty line, so that the lines below keep their numbers.
        delimiter, text = for_excel, newline + rest
    # Ended by a line break, so that a quote left open on the last row keeps one in its cell.
    reader = csv.reader(
        io.StringIO(text if text.endswith("\n") else text + "\n"), delimiter=delimiter
    )
    numbered: list[tuple[int, list[str]]] = []  # (line the row starts on, row), blank rows left out
    line = 1
    try:
        for row in reader:
            # In a comment row (`# x,"y`), the rows an open quote swallows would vanish with
            # the comment, without a word.
            if open_quote := quote_left_open(line, reader.line_num, row):
                raise ZslError(f"{source}:{line}: {open_quote}")
            if "".join(row).strip():
                numbered.append((line, row))
            line = reader.line_num + 1
    except csv.Error as error:  # e.g. a stray quote that runs a field past csv's size limit
        raise ZslError(f"{source}: not a readable CSV ({error})") from None
    return numbered


def _attribute_header_hint(header: list[str], numbered: list[tuple[int, list[str]]]) -> str:
    """What a header that is not `class,<attr>,...` most likely is, and its fix ("" if unknown).

    `numbered` is the whole table, header first; the first hint that fits wins.
    """
    hint = delimiter_hint(header)
    words = header[0].split() if len(header) == 1 else []
    if not header[0] and len(header) > 2 and header[1].lower() == "class":
        # pandas' to_csv and R's write.csv write the row index first, its header cell empty.
        hint = (
            " (a first column with no name: a row index, as pandas' to_csv and R's "
            "write.csv write one? remove it, or save with index=False / row.names=FALSE)"
        )
    elif (
        not header[0]
        and len(header) > 2
        and not _numbers_alone([(line, row[:1]) for line, row in numbered[1:]])
    ):
        # pandas' to_csv of a table indexed by the class names leaves that column's header
        # cell empty (`,red,green,...`), as R's write.csv does with row names.
        hint = (
            " (a first column with no name: the class names, written as a row index by "
            "pandas' to_csv or R's write.csv? head it 'class': `class,"
            f"{header[1]},...`"
        )
        if _column_numbers(header[1:]):
            # A bare matrix's columns (`,0,1,2`), which the next read would refuse in turn.
            hint += (
                ", and name the columns with words (they are numbered: the prompts would say "
                "nothing of the attributes) or give each a phrase in a #phrase row"
            )
        hint += ")"
    elif header[0].lower() in _HEADER_WORDS and len(header) > 2:
        hint = f" (the class names' column is headed {quoted_text(header[0])}: head it 'class')"
    elif re.fullmatch(r"Unnamed: \d+", header[0]) and len(header) > 2:
        # That index read back by pandas' read_csv, which names it so.
        hint = (
            f" (a first column named {quoted_text(header[0])}: a row index pandas read back as a "
            "column? remove it, or save with index=False)"
        )
    elif _ID_HEADER.fullmatch(header[0]) and len(header) > 2:
        hint = (
            " (an id column first? the class names must be column 1, headed 'class': "
            "remove the id column)"
        )
    elif not hint and len(words) > 1 and words[0].lower() == "class":
        # AwA2's predicate matrices are separated by spaces: so may a table made from them.
        hint = " (its columns are separated by spaces: save it with commas)"
    elif _numbers_alone(numbered):
        hint = (
            " (numbers alone, without class names or a header: a bare weight matrix, as "
            "AwA2's predicate-matrix files are? give it the header and each row its class "
            'name first, separated by commas; README\'s "Standard zero-shot benchmarks" has '
            "the lines that write AwA2's and CUB's)"
        )
    elif not hint and all(len(row) == 1 and _spaced_numbers(row[0]) for _, row in numbered):
        # aPY's apascal_train.txt: `2008_000008.jpg horse 52 86 ... 0 1`.
        hint = " (its columns are separated by spaces: save it with commas)"
    elif not hint and all(len(row) == 1 and "::" in row[0] for _, row in numbered):
        hint = (
            " (attribute names alone, as CUB's attributes.txt lists them? they are the "
            "header's columns after `class`, over a row of weights for each class)"
        )
    elif all(len(row) == 1 and _NUMBERED_NAME.fullmatch(row[0]) for _, row in numbered):
        # Saved with commas, as a tab's hint said, `1\tblack` would be `1,black`: no table.
        hint = (
            " (a numbered list of names, as AwA2's predicates.txt or classes.txt? attribute "
            "names are the header's columns after `class`, over a row of weights for each "
            "class; class names go to --classes, one per line without numbers)"
        )
    elif not hint and all(len(row) == 1 for _, row in numbered):
        # aPY's attribute_names.txt is one column too: the names of a table's columns.
        hint = (
            " (the file has one column: a class list? pass it as --classes; a list of "
            "attribute names? they are the header's columns after `class`, over a row of "
            "weights for each class)"
        )
    elif not hint:
        hint = _header_part_missing_hint(header, [row for _, row in numbered[1:]])
    return hint


# The lines that write a table with commas in place of each separator a hint names.
_COMMA_COMMANDS = {
    "spaces": "awk '{$1 = $1; print}' OFS=,",
    "tabs": "tr '\\t' ,",
    "semicolons": "tr ';' ,",
}


def _with_comma_command(hint: str, text: str, source: str) -> str:
    """`hint`, where it says to save the table with commas, with the line that writes it so,
    where one is exact: no cell holds a comma or a quote, but for a semicolon table's decimal
    commas, between digits, where no point is (a spreadsheet's of a locale whose decimal mark
    is ',')."""
    found = re.search(r"separated by (\w+): save it with commas\)$", hint)
    if found is None or found[1] not in _COMMA_COMMANDS or '"' in text:
        return hint
    command = _COMMA_COMMANDS[found[1]]
    if found[1] == "spaces" and len(_space_cell_counts(text)) > 1:
        return hint  # a name or phrase of two words: awk makes two cells of it
    if "," in text:
        # Decimal commas alone (between digits, no point anywhere) turn to points.
        if found[1] != "semicolons" or "." in text or re.search(r"\D,|,\D|^,|,$", text, re.M):
            return hint
        command = "tr ';,' ',.'"
    return f"{hint[:-1]}, as `{filter_command(command, source, 'attributes.csv')}` does)"


def _space_cell_counts(text: str) -> set[int]:
    """How many cells awk splits each line of `text` into at spaces, comments (a first cell
    starting with '#', but for #phrase) and blank lines left out."""
    counts = set()
    for line in text.splitlines():
        cells = strip_invisible(line).split()
        if cells and (not cells[0].startswith("#") or cells[0].lower() == "#phrase"):
            counts.add(len(cells))
    return counts


def _weights(cells: Sequence[str]) -> bool:
    return bool(cells) and _row_weights(cells) is not None


def _header_part_missing_hint(header: list[str], rows: list[list[str]]) -> str:
    """What a table made by hand from a bare weight matrix lacks (AwA2's predicate matrices have
    neither class names nor a header), where its first line is no `class,...` header: a header
    (line 1 a class's row), the header's cell over the class names (R's write.table writes row
    names so), or the class names (numbers alone under the header). "" if none of these."""
    n = len(header) - 1
    # Not `species,0,1,2`: a header of numbered columns.
    if (
        header[0]
        and not _weights(header[:1])
        and _weights(header[1:])
        and not _column_numbers(header[1:])
    ):
        columns = ",".join(f"<attr{i}>" for i in range(1, min(n, 3) + 1))
        columns += f",...,<attr{n}>" if n > 3 else ""
        attributes = counted(n, "attribute's name", "attributes' names")
        return (
            f" (line 1 is a class's row of weights, {quoted_text(header[0])} and "
            f"{counted(n, 'number')}: the table has no header? add one above the rows, "
            f"`class` and the {attributes}: `class,{columns}`)"
        )
    if not rows or _weights(header):
        return ""
    example = "class," + ",".join(header[:3]) + (",..." if len(header) > 3 else "")
    if all(len(row) == len(header) + 1 and not _weights(row[:1]) for row in rows) and _weights(
        rows[0][1:]
    ):
        return (
            f" (the header has {len(header)} cells, the rows below it {len(header) + 1}: the "
            "class names' column has no header cell, as R's write.table writes row names? "
            f"start the header with `class,`: `{example}`)"
        )
    if all(len(row) == len(header) and _weights(row) for row in rows):
        return (
            " (rows of numbers alone under it: no class names? give each row its class name "
            f"first, and start the header with `class,`: `{example}`)"
        )
    return ""


def _phrase_row(
    body: list[tuple[int, list[str]]], header: list[str], attributes: list[str], source: str
) -> tuple[list[str], int | None]:
    """Each attribute's prompt text, and the line of the `#phrase` row that gave it (None if
    `body`, the rows under the header, does not start with one: the column names are used)."""
    if not body or strip_invisible(body[0][1][0]).lower() != "#phrase":
        return list(attributes), None
    phrase_line, phrase_row = body[0]
    if len(phrase_row) != len(header):
        hint = ""
        if len(phrase_row) < len(header):
            # `#phrase,red colour` over `class,red,round`: the round column's phrase left out,
            # as its name would do; the row needs its empty cell all the same.
            padded = [cell.strip() for cell in phrase_row] + [""] * (len(header) - len(phrase_row))
            written = io.StringIO()
            csv.writer(written, lineterminator="").writerow(padded)
            row = written.getvalue()
            hint = (
                " (a cell for each column, empty where the column's name is its phrase: "
                f"{quoted_line(row)})"
            )
        raise ZslError(
            f"{source}:{phrase_line}: #phrase row has {len(phrase_row)} cells, "
            f"header has {len(header)}{hint}"
        )
    phrases = [strip_name(p) or a for p, a in zip(phrase_row[1:], attributes, strict=True)]
    # One phrase is one prompt: two columns with it would be one attribute, as two of a name.
    where = f"{source}:{phrase_line}, column"
    for column, phrase in enumerate(phrases, start=2):
        refuse_too_long(phrase, "phrase", f"{where} {column}")
    _check_unique([(p, f"{where} {c}") for c, p in enumerate(phrases, start=2)], "phrase")
    return phrases, phrase_line


def parse_attributes(text: str, source: str = "<attributes>") -> ClassSpec:
    """Read an attribute table: a header `class,<attr1>,<attr2>,...`, then one row per class,
    its name and a numeric weight for each attribute.

    An optional `#phrase,<phrase1>,...` row right under the header gives the text each
    attribute takes in prompts (its column name if empty or absent). Other rows whose first cell
    starts with `#` are comments, and a first line `sep=;` names the delimiter. Every problem is
    a ZslError naming the line.
    """
    first_line = text.lstrip("\ufeff \t\r\n").partition("\n")[0]
    if first_line.startswith("{"):
        # Before the CSV reader, which may stop at a JSON string's quote first.
        refuse_json_object(text, first_line, source, "an attribute table")
    numbered = _attribute_rows(text, source)
    phrase_line = None
    while numbered and strip_invisible(numbered[0][1][0]).startswith("#"):
        line, row = numbered.pop(0)  # comment rows above the header
        if strip_invisible(row[0]).lower() == "#phrase":
            phrase_line = line
    if not numbered:
        raise ZslError(f"{source}: empty attribute file (expected header `class,<attr1>,...`)")
    if phrase_line is not None:  # taken for a comment, its phrases would be dropped unsaid
        raise ZslError(f"{source}:{phrase_line}: the #phrase row must come right after the header")
    numbered = _without_empty_end_columns(numbered)
    header_line, header = numbered[0]
    # Stripped as a name is: an attribute name is a prompt's text where no #phrase row is,
    # and a Hangul filler at its end stays, to be warned of.
    header = [strip_name(cell) for cell in header]
    if len(header) < 2 or header[0].lower() != "class":
        hint = _with_comma_command(_attribute_header_hint(header, numbered), text, source)
        raise ZslError(f"{source}:{header_line}: header must be `class,<attr1>,<attr2>,...`" + hint)
    attributes = header[1:]
    for column, name in enumerate(attributes, start=2):
        if not name:
            raise ZslError(f"{source}:{header_line}: column {column} has an empty attribute name")
        refuse_too_long(name, "attribute name", f"{source}:{header_line}, column {column}")
        # Two tables joined: the second class column's numbers (a class id) would weigh the
        # prompt "a photo of something class.".
        if name.lower() == "class":
            raise ZslError(
                f"{source}:{header_line}: column {column} is named 'class' too: the class names "
                "are column 1, and every other column is an attribute (remove this one)"
            )
    named = [(a, f"{source}:{header_line}, column {c}") for c, a in enumerate(attributes, start=2)]
    _check_unique(named, what="attribute")
    body = numbered[1:]
    phrases, phrase_line = _phrase_row(body, header, attributes, source)
    if phrase_line is not None:
        body = body[1:]
    classes, weights, places = [], [], []
    row_lines: list[int] = []  # for a warning's first place
    for line, row in body:
        where = f"{source}:{line}"
        first = strip_invisible(row[0])
        if first.lower() == "#phrase":
            raise ZslError(f"{where}: the #phrase row must come right after the header")
        if "".join(first.lower().split()) in ("#phrase", "#phrases"):  # `# phrase`, `#Phrases`
            raise ZslError(
                f"{where}: {quoted_text(first)} is read as a comment, its phrases unused: write "
                "`#phrase`"
            )
        _refuse_spreadsheet_error(first, where)
        if first.startswith("#"):
            continue  # a comment row
        if first.lower() == header[0].lower() and _row_weights(row[1:]) is None:
            # Tables joined with `cat` (seen and unseen classes): the second one's header read
            # as a class named 'class', whose first attribute name was no number.
            cells = [strip_name(cell) for cell in row]
            same = cells == header
            # `Class,Red` over `class,red`: the same columns, in another letter case.
            cased = not same and [c.lower() for c in cells] == [c.lower() for c in header]
            raise ZslError(
                f"{where}: the header is repeated here (first at line {header_line}"
                + ("" if same else ", in another letter case" if cased else ", with other columns")
                + "): tables joined with `cat`? keep the first header only"
                + ("" if same or cased else ", over rows of the same columns")
            )
        if len(row) == 1 and len(header) > 1:
            # A class added to the table, its weights not yet written: "row has 1 cells".
            name = strip_name(row[0])
            _check_name(name, where)
            n = len(header) - 1
            each = "the header's attribute" if n == 1 else f"each of the header's {n} attributes"
            raise ZslError(
                f"{where}: class {quoted_text(name)} has no weights: give one for {each} (0 for "
                "an attribute the class lacks)"
            )
        if len(row) != len(header):
            extra = row[len(header) :]
            hint = ""
            if extra and not any(cell.strip() for cell in extra):
                hint = " (the extra ones empty: a ',' too many at the end of the row?)"
            elif len(row) == len(header) - 1 and _weights(row):
                hint = (
                    " (numbers alone: the class name missing from the row's start? give each "
                    "row its class name first)"
                )
            raise ZslError(f"{where}: row has {len(row)} cells, header has {len(header)}{hint}")
        name = strip_name(row[0])
        _check_name(name, where)
        values = _row_weights(row[1:])
        if values is None:  # a cell that is no weight: find it, for the message
            _refuse_weights(row[1:], attributes, where)
        if not any(values):
            raise ZslError(f"{where}: class {quoted_line(name)} has all-zero attribute weights")
        classes.append(ClassDef(name))
        weights.append(values)
        places.append((name, where))
        row_lines.append(line)
    if not classes:
        raise ZslError(f"{source}: no class rows after the header")
    _check_unique(places)
    matrix = np.asarray(weights, dtype=np.float64)
    _refuse_id_columns(attributes, matrix, source, header_line)
    named_by = f"{source}:{header_line if phrase_line is None else phrase_line}"
    warnings = _numbered_attribute_warnings(phrases, named_by, phrase_line is not None)
    table = AttributeTable(tuple(attributes), tuple(phrases), matrix)
    warnings += _joined_phrase_warnings(phrases, source, phrase_line is not None)
    warnings += _missing_value_warnings(matrix, source, row_lines, classes, attributes)
    return ClassSpec(tuple(classes), attributes=table, sources=(source,), warnings=warnings)


# CUB's `attribute::value` names (`has_wing_color::blue`): no phrase says `::`, so even one is
# a name left as the dataset writes it, unlike one `t_shirt`.
_ATTRIBUTE_VALUE = re.compile(r"\S::\S")


def _joined_phrase_warnings(
    phrases: Sequence[str], source: str, from_phrase_row: bool
) -> tuple[str, ...]:
    """A warning of attribute phrases that join their words with `_` or `+` (see
    `_joined_words`) or `::`, which the prompts keep ('a photo of something color::blue.')."""
    joined = _joined_words(phrases)
    underscored = set(joined[0]) if joined is not None else set()
    valued = {phrase for phrase in phrases if _ATTRIBUTE_VALUE.search(phrase)}
    examples = [phrase for phrase in phrases if phrase in underscored or phrase in valued]
    if not examples:
        return ()
    joiners = [joined[1]] if joined is not None else []
    if valued:
        joiners.append("'::' (CUB's attribute::value names?)")
    one = len(examples) == 1
    it = "it" if one else "them"
    if from_phrase_row:  # the row's own phrases: a #phrase row is no fix for them
        what = "phrase of the #phrase row" if one else "phrases of the #phrase row"
        fix = f"write {it} with spaces (`{_phrase(examples[0])}`)"
    else:
        what = "attribute name" if one else "attribute names"
        fix = (
            f"give {'it a phrase' if one else 'them phrases'} in a #phrase row under the header "
            f"(`#phrase,{_phrase(examples[0])},...`)"
        )
    join = "joins its" if one else "join their"
    return (
        f"{source}: {len(examples)} {what} {join} words with {' or '.join(joiners)}, such as "
        f"{', '.join(map(quoted_line, examples[:2]))}: the prompts hold {it} so; {fix}",
    )


def _missing_value_warnings(
    matrix: np.ndarray,
    source: str,
    lines: Sequence[int],
    classes: Sequence[ClassDef],
    attributes: Sequence[str],
) -> tuple[str, ...]:
    """A warning for a table of strengths (0 or more, the largest 10 or more) that holds exact
    -1s: AwA2's continuous table marks a missing value so, and read as a weight it counts
    against its attribute. A -1 of the other weights' size (a -1/0/1 table, some tables' way of
    saying absent, or -1 beside strengths up to 1) is a weight, and is left alone.
    `lines` are the rows' lines, for the first place: a count alone was hard to act on in a
    table of 50 classes x 85 attributes."""
    missing = matrix == -1
    others = matrix[~missing]
    scaled = False
    # AwA2's strengths are percentages: its -1 is small beside them, where a -1 of the other
    # weights' size (a -1/0/1 table, -1 for "not" beside strengths up to 1) is a weight.
    if not missing.any() or (others < 0).any() or others.max(initial=0) < 10:
        missing = _missing_values_scaled(matrix)
        if missing is None:
            return ()
        scaled = True
    rows, columns = np.nonzero(missing)
    row, column = int(rows[0]), int(columns[0])
    count = int(missing.sum())
    spread = (
        f"; in {counted(len(set(rows.tolist())), 'class', 'classes')} and "
        f"{counted(len(set(columns.tolist())), 'column')}"
    )
    place = (
        f"({'the first ' if count > 1 else ''}at line {lines[row]}: class "
        f"{quoted_text(classes[row].name)}, column {column + 2} ({quoted_text(attributes[column])})"
        f"{spread if count > 1 else ''})"
    )
    if scaled:
        return (
            f"{source}: {counted(count, 'weight is', 'weights are')} negative among weights "
            f"otherwise 0 or more, one value in each row, in rows of unit length {place}, such as "
            "xlsa17's att holds AwA2's missing values (-1 in its original_att): each counts "
            "against its attribute; write 0 for them, or give the original_att with its -1s "
            "written as 0",
        )
    return (
        f"{source}: {counted(count, 'weight is', 'weights are')} -1 among weights otherwise 0 "
        f"or more {place}, such as AwA2 marks a missing value with: each counts "
        "against its attribute; write the value, or 0 to leave the attribute out of that class",
    )


def _missing_values_scaled(matrix: np.ndarray) -> np.ndarray | None:
    """Where a table of rows of unit length holds AwA2's missing values (-1) scaled with their
    row, as xlsa17's att does: in each row one negative value, under a tenth of the row's
    largest, and weights otherwise 0 or more, not only that value negated (a -1/0/1 table
    scaled); else None."""
    negative = matrix < 0
    with np.errstate(over="ignore"):  # a row of weights near 1e308: its length is inf, not 1
        lengths = np.linalg.norm(matrix, axis=1)
    if not negative.any() or not np.allclose(lengths, 1, atol=1e-3):
        return None
    lowest = np.where(negative, matrix, np.inf).min(axis=1, keepdims=True)
    highest = np.where(negative, matrix, -np.inf).max(axis=1, keepdims=True)
    rows = np.any(negative, axis=1, keepdims=True)
    if not np.array_equal(lowest[rows], highest[rows]):  # weights signed on purpose
        return None
    positive = (matrix > 0) & rows
    if np.allclose(matrix[positive], -np.broadcast_to(lowest, matrix.shape)[positive]):
        return None
    # AwA2's strengths are percentages, up to 100: a missing value's -1 is small beside its
    # row's largest, where a weight signed on purpose is of the others' size.
    if np.any(-lowest[rows] * 10 > matrix.max(axis=1, keepdims=True)[rows]):
        return None
    return negative


# Column names that number the columns: pandas' default (0, 1, ...) or AwA2's predicate ids
# (1, 2, ...), R's (V1, V2, ... or X1, X2, ... for numbers read back) and MATLAB's (Var1, ...).
_NUMBERED_COLUMN = re.compile(r"(V|Var|X)?([0-9]+)")
_BARE_NUMBER = re.compile(r"[0-9]+")


def _column_numbers(phrases: Sequence[str]) -> bool:
    """Whether `phrases` number the columns: one prefix, numbers rising from 0 or 1 (columns
    left out may leave gaps), as a table's default names do; not years (1990, 2000)."""
    matches = [_NUMBERED_COLUMN.fullmatch(phrase) for phrase in phrases]
    if not all(matches):
        return False
    prefixes = {match.group(1) for match in matches if match}
    numbers = [int(match.group(2)) for match in matches if match]
    rising = all(a < b for a, b in pairwise(numbers))
    return len(prefixes) == 1 and numbers[0] in (0, 1) and rising


def _numbered_attribute_warnings(
    phrases: Sequence[str], where: str, from_phrase_row: bool
) -> tuple[str, ...]:
    """Refuse attribute phrases that are all column numbers: every prompt would be "a photo of
    something 0.", which says nothing of the attribute (top-1 fell below chance). Other bare
    numbers (a few among words, or years) are warned of."""
    if _column_numbers(phrases):
        if from_phrase_row:
            raise ZslError(
                f"{where}: every phrase of the #phrase row is a number, such as "
                f"{quoted_text(phrases[0])}: the prompts would say nothing of the attributes; "
                "write the phrases in words"
            )
        raise ZslError(
            f"{where}: every attribute name is a column number, such as {quoted_text(phrases[0])} "
            "(a table's default column names, as pandas or R give a matrix read without its "
            "header?): the prompts would say nothing of the attributes; name the columns with "
            "words, as AwA2's predicates.txt or CUB's attributes.txt list them, or give each a "
            "phrase in a #phrase row under the header (`#phrase,black,...`)"
        )
    numbers = [phrase for phrase in phrases if _BARE_NUMBER.fullmatch(phrase)]
    if not numbers:
        return ()
    one = len(numbers) == 1
    noun = "phrase" if from_phrase_row else "attribute name"
    which = f"1 {noun} is a bare number" if one else f"{len(numbers)} {noun}s are bare numbers"
    them, give = ("it", "it a phrase") if one else ("them", "them phrases")
    fix = (
        "write words instead"
        if from_phrase_row
        else f"name {them} with words, or give {give} in a #phrase row under the header"
    )
    return (
        f"{where}: {which} ({some_names(list(map(repr, numbers)))}): a prompt of one says "
        f"nothing of its attribute; {fix}",
    )


# A line of a numbered list of names: AwA2's predicates.txt (`     1\tblack`), its classes.txt.
# Not `1\tcat\t0\t1`: more tabs make a table, whose hint is to save it with commas.
_NUMBERED_NAME = re.compile(r"\s*\d+\s+[^\W\d_][^\t]*")


def _spaced_numbers(cell: str) -> bool:
    """Whether a cell is a row of words separated by white space, several of them and the last a
    number: a table's row with other separators than commas, not a name such as `1 person`."""
    words = cell.split()
    try:
        return len(words) > 2 and math.isfinite(float(words[-1]))
    except ValueError:
        return False


def _numbers_alone(rows: list[tuple[int, list[str]]]) -> bool:
    """Whether every row holds numbers alone (separated by commas or white space)."""
    try:
        return all([float(n) for cell in row for n in cell.split()] for _, row in rows)
    except ValueError:
        return False


def _refuse_id_columns(
    attributes: Sequence[str], weights: np.ndarray, source: str, header_line: int
) -> None:
    """A column headed as a class id (`id`, `class_id`) that holds one (a different whole number
    in every row): as an attribute, each class's id would weigh its prompt."""
    for column, name in enumerate(attributes):
        if not _ID_HEADER.fullmatch(name):
            continue
        ids = weights[:, column]
        if np.array_equal(ids, np.round(ids)) and len(np.unique(ids)) == len(ids):
            raise ZslError(
                f"{source}:{header_line}: column {column + 2} ({quoted_line(name)}) holds a class "
                "id (a different whole number in every row): every column after the class names "
                "is an "
                "attribute, and its numbers would weigh a prompt (remove this one)"
            )
