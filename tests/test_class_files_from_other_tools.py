"""Class and template files as spreadsheets, shells and other tools write them: every warning a
file earns is given at once, and what a tool's format puts into a name is warned of or refused."""

from __future__ import annotations

import re

import pytest

from zsl_cli.classes import parse_attributes, parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.prompts import resolve_templates

SHAPES = ["red circle", "blue square", "green star"]


def test_a_header_line_hides_no_other_warning():
    # The header's warning alone came back: the user fixed it, reran, and only then learned of
    # the comment, the joined words or the spreadsheet's empty columns.
    commented = parse_classes("class\nred circle # round one\nblue square\n", "c.txt").warnings
    assert len(commented) == 2 and "the first class is 'class'" in commented[0]
    assert "class 'red circle # round one' holds ' #'" in commented[1]
    joined = "class\n" + "\n".join(name.replace(" ", "_") for name in SHAPES) + "\n"
    header, words = parse_classes(joined, "c.txt").warnings
    assert "header" in header and "join their words with '_'" in words
    ends = "class\n" + "\n".join(f"{name},," for name in SHAPES) + "\n"
    header, columns = parse_classes(ends, "c.txt").warnings
    assert "header" in header and "every class name ends with ','" in columns


def test_one_problem_is_warned_of_once():
    # CUB's folders: the id warning says to write spaces for '_', no second warning says so.
    [ids] = parse_classes("001.Black_footed_Albatross\n002.Laysan_Albatross\n", "c").warnings
    assert "class id" in ids


def test_a_spreadsheets_quoted_cells_are_warned_of_naming_the_line():
    # Excel and LibreOffice quote only the cells that need it: the names kept their quotes, and
    # a cell's doubled quotes, without a word.
    text = 'red circle\nblue square\n"yellow star, small"\ngreen hexagon\n"say ""cheese"""\n'
    spec = parse_classes(text, "q.txt")
    assert spec.names[2] == '"yellow star, small"'  # read as written
    [warning] = spec.warnings
    assert warning.startswith("q.txt:3: class '\"yellow star, small\"' (and 1 more) is a CSV cell")
    assert "write 'yellow star, small'" in warning


def test_a_quoted_cell_holding_a_line_break_is_warned_of_naming_both_lines():
    spec = parse_classes('red circle\r\n"blue\nsquare"\r\ngreen star\r\n', "nl.txt")
    assert spec.names == ["red circle", '"blue', 'square"', "green star"]
    [warning] = spec.warnings
    assert warning.startswith("nl.txt:2: class '\"blue' and 'square\"' (line 3) are one CSV cell")


@pytest.mark.parametrize(
    "text",
    [
        'a photo of a {}.\r\n"a photo of a {}, taken at night."\r\n',
        'a photo of a {}.\r\n"a ""retro"" photo of a {}."\r\n',
    ],
)
def test_a_template_files_quoted_cells_are_warned_of(tmp_path, text):
    path = tmp_path / "t.txt"
    path.write_text(text, newline="")
    [warning] = resolve_templates(str(path)).warnings
    assert warning.startswith(f"{path}:2: template ") and "is a CSV cell" in warning


@pytest.mark.parametrize(
    "text",
    [
        'cat\n"Starry Night"\n',  # a name in quotes alone, no CSV quoting
        '"cat"\n"dog, small"\n',  # every name in quotes: that warning alone
        'cat\nsay "hi"\n',
        'cat\n"a\ndog\n',
    ],
)
def test_quotes_that_are_no_csv_quoting_get_no_such_warning(text):
    assert not any("CSV cell" in warning for warning in parse_classes(text, "c.txt").warnings)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("“", "”"),
        ("‘", "’"),
        ("«", "»"),
        ("„", "“"),  # German
        ("„", "”"),  # Polish, Hungarian, Romanian, Dutch
        ("”", "”"),  # Swedish, Finnish
        ("»", "«"),  # German guillemets
        ("‚", "‘"),  # German single quotes
    ],
)
def test_typographic_quotes_around_every_name_are_warned_of(left, right):
    # Copied from Word, Google Docs or macOS text: the quotes were part of every label.
    spec = parse_classes("".join(f"{left}{name}{right}\n" for name in SHAPES), "c.txt")
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is in quotes, such as '{left}red circle")
    # A header in those quotes is a header, as `"class"` is.
    header = parse_classes(f"{left}class{right}\n{left}cat{right}\n", "h.txt").warnings
    assert any(f"the first class is '{left}class{right}'" in warning for warning in header)


@pytest.mark.parametrize("value", ["#N/A", "#REF!", "#NAME?", "#VALUE!", "#DIV/0!"])
def test_a_spreadsheets_error_value_as_a_class_is_refused_naming_the_line(value):
    # A VLOOKUP that failed: the row, with its weights, was read as a comment, and its class
    # vanished without a word (its images labelled as another class).
    table = f"class,red,round\nred circle,1,1\n{value},1,0\nblue circle,0,1\n"
    with pytest.raises(ZslError, match=f"^a.csv:3: {re.escape(repr(value))} is a spreadsheet's"):
        parse_attributes(table, "a.csv")
    with pytest.raises(ZslError, match=f"^c.txt:2: {re.escape(repr(value))} is a spreadsheet's"):
        parse_classes(f"red circle\n{value}\nblue circle\n", "c.txt")


@pytest.mark.parametrize(
    "line",
    [
        "#N/A,,",  # a column saved as CSV, with the empty columns beside it
        "#N/A;;",
        '"#N/A"',  # LibreOffice's "quote all text cells"
        "#BLOCKED!",  # Excel 365's newer ones
        "#CONNECT!",
        "#FIELD!",
        "#UNKNOWN!",
        "#BUSY!",
        "#PYTHON!",
        "#SPILL!",
        "#CALC!",
        "Err:502",  # LibreOffice's formula errors
    ],
)
def test_a_spreadsheets_error_value_in_any_export_form_is_refused(line):
    # `#N/A,,` was a comment and its class vanished; `"#N/A"` and `Err:502` were classes.
    with pytest.raises(ZslError, match=f"^c.txt:2: {re.escape(repr(line))} is a spreadsheet's"):
        parse_classes(f"red circle\n{line}\nblue circle\n", "c.txt")


def test_a_comment_row_stays_a_comment():
    table = "class,red,round\n# a note\n#red square,1,0\nred circle,1,1\nblue circle,0,1\n"
    assert parse_attributes(table, "a.csv").names == ["red circle", "blue circle"]
    assert parse_classes("# N/A below\n#NA\ncat\n", "c.txt").names == ["cat"]


@pytest.mark.parametrize(
    "names",
    [
        [f"{name}/" for name in SHAPES],  # ls -d */, ls -p
        [f"./{name}" for name in SHAPES],  # find . -type d
        [f"./{name}/" for name in SHAPES],
    ],
)
def test_a_folder_listing_as_class_list_is_warned_of(names):
    # Labelled 'blue circle/' or './blue circle': no truth folder matched, without a word.
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == names
    [warning] = spec.warnings
    assert warning.startswith(f"c.txt: every class name is a path, such as {names[0]!r}")
    assert "a folder listing" in warning


def test_a_listings_own_files_among_the_classes_are_warned_of():
    # `ls > classes.txt` lists classes.txt itself, and any other file beside the folders: an
    # image was labelled 'seen.txt'.
    listing = ["attributes.csv", "blue circle", "classes.txt", "green star", "seen.txt"]
    [warning] = parse_classes("\n".join(listing) + "\n", "c.txt").warnings
    assert warning.startswith("c.txt: class 'attributes.csv' (and 2 more) is a file's name")
    assert "remove" in warning
    # A name with a dot is not a file's name: `Dr. Pepper`, `node.js`.
    assert parse_classes("Dr. Pepper\nnode.js\ncat\n", "c.txt").warnings == ()


@pytest.mark.parametrize(
    ("names", "example"),
    [
        ([".", *(f"./{name}" for name in SHAPES)], "./red circle"),  # find . -type d
        ([*(f"{name}/" for name in SHAPES), "classes.txt"], "red circle/"),  # ls -F, ls -p
    ],
)
def test_a_folder_listing_with_its_own_lines_is_warned_of_as_a_path(names, example):
    # `.` was a class and no warning came; `ls -F`'s trailing '/' stayed without a word.
    warnings = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert any(
        warning.startswith(f"c.txt: every class name is a path, such as {example!r}")
        for warning in warnings
    ), warnings


def test_finds_own_folder_line_is_named_in_the_folder_listing_warning():
    # `find . -maxdepth 1 -type d` lists `.` first: the path was warned of, but `.` stayed a
    # class and took 58% of the images in a review.
    names = [".", *(f"./{name}" for name in SHAPES)]
    [warning] = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    assert "every class name is a path" in warning
    assert "'.' (find's own folder) is a class as written: remove that line" in warning
    # Without a `.` line the warning names none.
    [warning] = parse_classes("\n".join(names[1:]) + "\n", "c.txt").warnings
    assert "find's own folder" not in warning


@pytest.mark.parametrize(
    "files",
    [["./classes.txt"], ["preview.jpg"], ["README"], ["LICENSE"], ["notes.docx", "labels.ods"]],
)
def test_other_files_of_a_listing_are_named_as_files(files):
    names = ["blue circle", *files, "green star", "red circle"]
    [warning] = parse_classes("\n".join(names) + "\n", "c.txt").warnings
    more = f" (and {len(files) - 1} more)" if len(files) > 1 else ""
    assert warning.startswith(f"c.txt: class {files[0]!r}{more} is a file's name")


def test_a_name_split_at_a_colon_without_a_space_is_warned_of():
    # `16:9 monitor` was the class '16' with the prompt '9 monitor', without a word.
    spec = parse_classes("red circle\n16:9 monitor\nRe:Zero\n10:30 clock\n", "colon.txt")
    assert spec.names == ["red circle", "16", "Re", "10"]  # the documented syntax stays
    [warning] = spec.warnings
    assert warning.startswith(
        "colon.txt:2: '16:9 monitor' (and 2 more) is class '16' with the prompt '9 monitor'"
    )
    assert "write a space after ':'" in warning


def test_a_name_split_at_a_colon_before_a_templated_prompt_is_warned_of():
    # The `{}` of the prompt after the second ': ' hid the split: the class '16' was the prompt
    # '9 monitor: a photo of a 16 screen'.
    text = "16:9 monitor: a photo of a {} screen\n4:3 monitor: a photo of a {} screen\n"
    spec = parse_classes(text, "colon.txt")
    assert spec.names == ["16", "4"]
    [warning] = spec.warnings
    assert warning.startswith("colon.txt:1: '16:9 monitor: a photo of a {} screen' (and 1 more)")


@pytest.mark.parametrize(
    "text",
    [
        "cat: a photo of a cat\ndog:\ta dog\n",  # the README's `name: prompt`
        "cat:a photo of a {}\n",  # the prompt names the class
        "http://example.org:8080/dog: a dog\nc:/data/fox: a fox\n",  # a URL's, a drive's ':'s
    ],
)
def test_the_name_prompt_form_is_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


@pytest.mark.parametrize("mark", [",", ";"])
def test_a_headerless_table_of_names_and_prompts_is_warned_of(mark):
    # A sheet of name | prompt saved without its header: every label was the whole row.
    text = "".join(f"{name}{mark}a photo of a {name}\n" for name in SHAPES)
    spec = parse_classes(text, "twocol.txt")
    assert spec.names == text.splitlines()
    [warning] = spec.warnings
    assert warning.startswith(
        f"twocol.txt: every line is two cells separated by {mark!r}, the second holding the first"
    )
    # With the header, its own warning alone.
    [header] = parse_classes(f"class{mark}prompt\n" + text, "twocol.txt").warnings
    assert "CSV header" in header


def test_names_holding_one_comma_are_no_table():
    assert parse_classes("tabby, long-haired\nsiamese, short-haired\n", "c.txt").warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        # ImageNet-1k's own synonyms, `X, X Y`: a space follows the comma, as no CSV writer puts.
        "Pembroke, Pembroke Welsh corgi\nCardigan, Cardigan Welsh corgi\n",
        "basset, basset hound\nAiredale, Airedale terrier\ncairn, cairn terrier\n"
        "Doberman, Doberman pinscher\nLhasa, Lhasa apso\nchow, chow chow\n",
        "colobus, colobus monkey\ntiti, titi monkey\ngorilla, Gorilla gorilla\n",
        "dugong, Dugong dugon\nibex, Capra ibex\ntabby, tabby cat\nwhiptail, whiptail lizard\n",
        "Samoyed, Samoyede\npug, pug-dog\nNewfoundland, Newfoundland dog\n"
        "clumber, clumber spaniel\n",
        # The first cell is part of a word in the second, not a word of it.
        "ant,elephant\nrat,pirate\n",
    ],
)
def test_names_holding_their_own_synonyms_are_no_table(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_a_template_line_without_braces_gets_no_literal_braces_hint(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a photo of a {}.\na photo.\n")
    with pytest.raises(ZslError) as error:
        resolve_templates(str(path))
    assert str(error.value) == (
        f"{path}:2: 'a photo.' must contain exactly one {{}} placeholder ({{}} stands for the "
        "class name)"
    )


@pytest.mark.parametrize(
    ("template", "hint"),
    [
        ("a photo of a {{ label }}.", "(a Jinja template? write {} for {{ label }})"),
        ("a photo of a ${label}.", "(write {} for ${label})"),
    ],
)
def test_other_tools_placeholders_get_a_hint_that_leaves_none_of_them(template, hint):
    with pytest.raises(ZslError) as error:
        resolve_templates(template)
    assert str(error.value).endswith(hint)


@pytest.mark.parametrize("other", ["description", "Descriptions", "prompt", "text", "caption"])
def test_a_class_and_description_csv_is_pointed_at_descriptions(other):
    # `class,description` over `cat,a small feline` was told only to keep the class column: the
    # descriptions it holds have a form of their own.
    [warning] = parse_classes(f"class,{other}\ncat,a small feline\n", "c.txt").warnings
    assert "keep the class column alone" in warning
    assert "(descriptions per class go in a JSON file given as --descriptions)" in warning


@pytest.mark.parametrize("header", ["path,label", "LabelName,DisplayName", "class"])
def test_a_header_without_descriptions_is_not_pointed_at_descriptions(header):
    warnings = parse_classes(f"{header}\ncat,x\ndog,y\n", "c.txt").warnings
    assert any("header" in warning for warning in warnings), warnings
    assert not any("--descriptions" in warning for warning in warnings), warnings
