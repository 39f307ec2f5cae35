import codecs
import json
import re
import unicodedata
import warnings
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.classes import (
    _NOT_IN_NAMES,
    MISSING_VALUE_NAMES,
    class_names_spec,
    load_class_spec,
    missing_value_name_warnings,
    parse_attributes,
    parse_classes,
    parse_descriptions,
)
from zsl_cli.errors import ZslError
from zsl_cli.prompts import Templates, plan_prompts, resolve_templates
from zsl_cli.records import TOP_K_SEPARATOR
from zsl_cli.text_files import INVISIBLE, LOOKALIKE_SPACES, split_lines


def test_classes_txt_comments_blank_lines_and_explicit_prompts(tmp_path: Path):
    file = tmp_path / "c.txt"
    file.write_bytes(
        "\ufeff# animals\r\n\ncat\n  dog  \nbird: a photo of a {}; a bird in flight\n".encode()
    )
    spec = load_class_spec(classes=file)
    assert spec.names == ["cat", "dog", "bird"]
    assert spec.classes[2].prompts == ("a photo of a {}", "a bird in flight")
    assert spec.classes[0].prompts == ()


def test_lines_are_numbered_as_an_editor_numbers_them(tmp_path: Path):
    # Windows line ends are one line end each: an error names the line the editor shows.
    assert split_lines("a\r\nb\x0cc\u2028d\n") == ["a", "b\x0cc\u2028d", ""]
    file = tmp_path / "c.txt"
    file.write_bytes(b"cat\r\ndog\r\ncat\r\n")
    with pytest.raises(ZslError, match="c.txt:3: duplicate class 'cat' .first at .*c.txt:1"):
        load_class_spec(classes=file)


def test_class_and_attribute_files_with_classic_mac_line_endings(tmp_path: Path):
    classes, attributes = tmp_path / "c.txt", tmp_path / "a.csv"
    classes.write_bytes(b"# animals\rcat\rdog: a photo of a {}\r")
    attributes.write_bytes(b"class,red,round\rred circle,1,1\rred square,1,0\r")
    assert load_class_spec(classes=classes).names == ["cat", "dog"]
    assert load_class_spec(attributes=attributes).names == ["red circle", "red square"]


def test_a_class_file_with_old_mac_and_unix_line_ends_mixed(tmp_path: Path):
    # A "Text (Macintosh)" export with a line added by `echo bird >> c.txt`: the old lines were
    # read as one, so that a class's own prompt took in the classes after it without a word.
    classes = tmp_path / "c.txt"
    classes.write_bytes(b"cat: a photo of a {}\rdog\rbird\n")
    spec = load_class_spec(classes=classes)
    assert spec.names == ["cat", "dog", "bird"]
    assert spec.classes[0].prompts == ("a photo of a {}",)
    templates = tmp_path / "t.txt"
    templates.write_bytes(b"a photo of a {}.\rart of the {}.\n")
    assert resolve_templates(str(templates)).templates == ("a photo of a {}.", "art of the {}.")
    # Another encoding is named with the line an editor shows, counting both kinds of line end.
    classes.write_bytes(b"cat\rdog\r\ncaf\xe9\rbird\n")
    with pytest.raises(ZslError, match=r"c.txt:3: not UTF-8 text \(byte 0xe9\)"):
        load_class_spec(classes=classes)


def test_invisible_characters_at_the_ends_of_names_are_stripped():
    # `cat a.txt b.txt` leaves b.txt's byte-order mark at the start of a line.
    spec = parse_classes("cat\n\ufeffdog\n\ufeff# note\nbird\u200b: a {} \u2060\n")
    assert spec.names == ["cat", "dog", "bird"]
    assert parse_attributes("\ufeff# note\nclass,red\n\ufeffx,1\n").names == ["x"]
    # A byte-order mark from `cat header.csv phrases.csv`: still the #phrase row.
    assert parse_attributes("class,red\n\ufeff#phrase,crimson\nx,1\n").attributes.phrases == (
        "crimson",
    )
    assert parse_descriptions('{"\\ufeffcat": ["fur"]}').names == ["cat"]
    # White space and invisible characters mixed at an end: all of it goes, however nested;
    # a name left as "dog " would be a class of its own, labelled with the trailing space.
    assert parse_descriptions('{"dog \\u200b": ["fur"]}').names == ["dog"]
    assert parse_attributes("class,red\n\u200b dog \u200b,1\n").names == ["dog"]


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u2007"])
def test_a_space_that_prints_as_a_plain_one_is_refused_inside_a_name(space: str):
    # "red circle" with a no-break space (a list pasted from a web page) was another class than
    # the truth folder's "red circle": evaluate scored 0% and named classes that look alike.
    name = f"red{space}circle"
    message = re.escape(f"class name {name!r} contains {space!r}, a space other than the plain")
    with pytest.raises(ZslError, match="c.txt:2: " + message):
        parse_classes(f"cat\n{name}\n", "c.txt")
    with pytest.raises(ZslError, match=message):
        parse_descriptions(json.dumps({name: ["a ring"]}))
    with pytest.raises(ZslError, match=message):
        parse_attributes(f"class,red\n{name},1\n")
    with pytest.raises(ZslError, match=message):
        class_names_spec([name])
    # At the ends, such a space goes as white space does; CJK text's ideographic space prints
    # wide, not as a plain space.
    assert parse_classes(f"{space}cat{space}\n赤い\u3000丸\n").names == ["cat", "赤い\u3000丸"]


def test_every_repeated_class_is_named_in_one_refusal(tmp_path: Path) -> None:
    names = ["cat", "dog", "cat", "owl", "dog", "fox", "owl", "fox", "emu", "emu"]
    path = tmp_path / "c.txt"
    path.write_text("\n".join(names) + "\n", encoding="utf-8")
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=path)
    message = str(refused.value)
    assert message.startswith(f"{path}:3: duplicate class 'cat' (first at {path}:1); 4 more")
    assert f"'dog' at {path}:5, 'owl' at {path}:7, 'fox' at {path}:8, ... (1 more)" in message
    assert "\n" not in message


def test_every_repeated_described_class_is_named_in_one_refusal(tmp_path: Path) -> None:
    # A merged 20k-class descriptions file took one rerun per repeated class to clean.
    names = ["cat", "dog", "cat", "owl", "dog ", "fox", "owl", "fox", "emu", "emu"]
    path = tmp_path / "d.json"
    path.write_text("{\n" + ",\n".join(f'"{n}": ["a"]' for n in names) + "\n}\n")
    with pytest.raises(ZslError) as refused:
        load_class_spec(classes=None, descriptions=path)
    message = str(refused.value)
    assert message.startswith(f"{path}:4: duplicate class 'cat' (first at {path}:2); 4 more")
    assert f"'dog' at {path}:6, 'owl' at {path}:8, 'fox' at {path}:9, ... (1 more)" in message
    assert "\n" not in message


def test_every_repeated_attribute_row_is_named_in_one_refusal() -> None:
    rows = "".join(f"{name},1\n" for name in ["cat", "dog", "cat", "dog", "owl", "owl"])
    with pytest.raises(ZslError) as refused:
        parse_attributes("class,red\n" + rows, "a.csv")
    assert str(refused.value) == (
        "a.csv:4: duplicate class 'cat' (first at a.csv:2); 2 more repeated: "
        "'dog' at a.csv:5, 'owl' at a.csv:7"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no classes found"),
        ("# only a comment\n\n", "no classes found"),
        ("cat\ndog\ncat\n", "c.txt:3: duplicate class 'cat' (first at c.txt:1)"),
        ("cat|dog\n", "contains '|'"),
        ("cat:\n", "has ':' but no prompts"),
        (": a photo\n", "empty class name"),
        ("cat\nunknown\n", "c.txt:2: class name 'unknown' is reserved"),
        ("red circle\x0bblue square\n", "c.txt:1: class name 'red circle"),
        ("cat\u2028dog\ncat\n", "c.txt:1: class name 'cat"),
        ("cat\r\ndog\r\ncat\r\n", "c.txt:3: duplicate class 'cat' (first at c.txt:1)"),
        ("failed: a broken photo\n", "c.txt:1: class name 'failed' is reserved"),
        ("cat\ndog\n\ufeffcat\n", "c.txt:3: duplicate class 'cat'"),
        ("blue\u200bsquare\n", "c.txt:1: class name 'blue\\\\u200bsquare' contains"),
        ("cat\ndog\ncat\u200e\n", "c.txt:3: duplicate class 'cat'"),  # a left-to-right mark
        ("blue\u00adsquare\n", "c.txt:1: class name 'blue\\\\xadsquare' contains"),
        ("red \u202esquare\n", "c.txt:1: class name 'red \\\\u202esquare' contains"),
        ("odd \ufffe\n", "c.txt:1: class name 'odd \\\\ufffe' contains"),
        ("odd \U0010ffff\n", "c.txt:1: class name 'odd \\\\U0010ffff' contains"),
        ("odd \ufdd0\n", "c.txt:1: class name 'odd \\\\ufdd0' contains"),
        ("odd \ufdef\n", "c.txt:1: class name 'odd \\\\ufdef' contains"),  # the block's last
        ("caf\u00e9\ncafe\u0301\n", "(first at c.txt:1, in composed form (NFC) there (é, U"),
        ('{"red star": ["five points"]}\n', "c.txt looks like a descriptions JSON file: pass"),
        ('{"red star": ["five points"]}\n', "looks like a descriptions JSON file: pass it as"),
        ('{"red star": "five points"}\n', "c.txt looks like a descriptions JSON file: pass"),
        # zsl's own JSON was sent to --descriptions, which refuses it; JSON Lines was refused
        # for the braces of its first record as a prompt's, quoting the whole record.
        (
            '{"n": 12, "top_k": {"1": {"overall": 0.5}}}\n',
            "c.txt is JSON, but neither a class list (one class name per line) nor a "
            "descriptions file",
        ),
        (
            '{"path": "a.png", "label": "cat", "score": 0.9}\n{"path": "b.png"}\n',
            "c.txt is JSON Lines (zsl predictions",
        ),
        ("\ufeffClass, red, round\nball,1,0.5\n", "looks like an attribute table (header"),
        # A JSON list of names over several lines labelled with '"red star",' and '['.
        ('[\n  "red star",\n  "blue circle"\n]\n', "c.txt is a JSON list of names: write one"),
        # Python's spelling of it (a trailing comma, single quotes) was labelled so: '[' a class.
        ('[\n  "red star",\n  "blue circle",\n]\n', "c.txt is a Python list of names: write"),
        ("['red star',\n 'blue circle']\n", "c.txt is a Python list of names: write one"),
        # Copied from code with its assignment (CLIP's notebook: `imagenet_classes = ["tench",`):
        # labelled with 'imagenet_classes = [' and ']' as classes.
        (
            'imagenet_classes = ["tench", "goldfish",\n "great white shark"]\n',
            "c.txt is a Python list of names: write one",
        ),
        ("classes = [\n  'red star',\n  'blue circle',\n]\n", "c.txt is a Python list of names"),
        # CLIP's data/prompts.md: the classes, then the templates; ']' was a duplicate class.
        (
            "classes = [\n  'apple',\n  'baby',\n]\n\ntemplates = [\n  'a photo of a {}.',\n]\n",
            "c.txt is a Python list of names: write one",
        ),
        # Nested deeper than Python's recursion: not taken for a descriptions file, nor a crash.
        ('{"a":' * 100_000 + "1" + "}" * 100_000 + "\n", "other braces are not allowed"),
    ],
)
def test_bad_classes_txt(text, message):
    with pytest.raises(
        ZslError, match=message.replace("|", r"\|").replace("(", r"\(").replace(")", r"\)")
    ):
        parse_classes(text, "c.txt")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (
            parse_classes,
            "caf\u00e9\ncafe\u0301\n",
            "x:2: duplicate class 'cafe\u0301' (first at x:1, in composed form (NFC) there "
            "(é, U+00E9) and in decomposed form (NFD) here (e + U+0301))",
        ),
        (
            parse_attributes,
            "class,rose\u0301,ros\u00e9\nx,1,0\n",
            "x:1, column 3: duplicate attribute 'ros\u00e9' (first at x:1, column 2, in "
            "decomposed form (NFD) there (e + U+0301) and in composed form (NFC) here (é, U+00E9))",
        ),
        (
            parse_descriptions,
            '{"\u00c5ngstr\u00f6m": ["a"], "A\u030angstro\u0308m": ["b"]}',
            "x:1: duplicate class 'A\u030angstro\u0308m' (first at x:1, in composed form (NFC) "
            "there (Å, U+00C5; ö, U+00F6) and in decomposed form (NFD) here (A + U+030A; "
            "o + U+0308))",
        ),
        (
            parse_descriptions,
            '{"caf\u00e9": ["beans"], "cafe\u0301 ": ["cups"]}',
            "x:1: duplicate class 'cafe\u0301' (first at x:1, spelled 'café' there and "
            "'cafe\u0301 ', in composed form (NFC) there (é, U+00E9) and in decomposed form (NFD) "
            "here (e + U+0301))",
        ),
    ],
)
def test_a_name_composed_once_and_decomposed_once_is_said_so_by_code_point(parse, text, message):
    # ascii() showed a valid é as '\xe9', zsl's notation for a byte that is not UTF-8 text.
    with pytest.raises(ZslError) as refused:
        parse(text, "x")
    assert str(refused.value) == message


def test_the_characters_refused_in_a_name_are_the_rule_for_every_code_point():
    # One hand-written regex class spells the rule out, for speed: held against the rule as
    # this Python's unicodedata states it, so that a mistyped range lets no character through.
    every = "".join(map(chr, range(0x110000)))
    refused = {found.start() for found in _NOT_IN_NAMES.finditer(every)}
    rule = {
        code
        for code, ch in enumerate(every)
        if ch in TOP_K_SEPARATOR + INVISIBLE + LOOKALIKE_SPACES
        or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")
        or 0xFDD0 <= code <= 0xFDEF  # noncharacters
        or code & 0xFFFE == 0xFFFE
    }
    assert refused == rule


def test_a_bad_character_deep_in_a_large_class_file_is_named_at_its_line(tmp_path: Path):
    names = [f"species {i}" for i in range(100_000)]
    names[99_990] = "species\u00a0x\u200b"
    (tmp_path / "c.txt").write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
    message = "c.txt:99991: class name 'species\\xa0x' contains '\\xa0', a space other than"
    with pytest.raises(ZslError, match=re.escape(message)):
        load_class_spec(classes=tmp_path / "c.txt")


def test_a_python_list_of_names_is_refused_without_a_python_warning():
    # An invalid escape warns when Python parses it (shown from 3.12): not a zsl message.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ZslError, match="c.txt is a Python list of names"):
            parse_classes('[\n  "C:\\d",\n  "x",\n]\n', "c.txt")


@pytest.mark.parametrize(
    "text",
    [
        "{red}\n",
        "{}: a photo of red\n",
        "class, ship\nclass, car\n",
        # A row wider than the header is no attribute row: two class names with commas.
        "class, ship\n1, 2, 3\n",
        "[bold]dog\n",
        "x = [a]\ny\n",  # no list of strings after the '='
    ],
)
def test_class_lists_that_only_resemble_other_class_files_are_class_lists(text):
    assert len(parse_classes(text, "c.txt").names) == text.count("\n")


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("cat: a {1} photo\n", "a {1} photo"),
        ("dog\ncat: a {}; a {name} photo\n", "a {name} photo"),
        ("cat: a {{}} photo\n", "a {{}} photo"),
    ],
)
def test_class_prompts_take_no_braces_but_the_name_placeholder(text, prompt):
    line = text.count("\n")
    expected = f"c.txt:{line}: prompt {prompt!r}: only {{}} (or {{0}}) stands for the class name"
    with pytest.raises(ZslError, match=re.escape(expected)):
        parse_classes(text, "c.txt")
    assert parse_classes("cat: a {} photo; {} on a mat\n").classes[0].prompts[1] == "{} on a mat"


@pytest.mark.parametrize("prompt", ["{} on a {}", "a {0} and {0}", "{} or {0}"])
def test_a_class_prompt_names_its_class_once(prompt):
    # As a template does: `circle: a {} and {}` put the name in twice, where `--templates 'a {}
    # and {}'` was refused.
    with pytest.raises(ZslError) as error:
        parse_classes(f"dog\ncat: a {{}} photo; {prompt}\n", "c.txt")
    assert str(error.value) == (
        f"c.txt:2: prompt {prompt!r}: {{}} (or {{0}}) stands for the class name, which goes in "
        "once (write the name itself where it appears again)"
    )


def test_a_class_prompt_s_numbered_field_is_the_name_as_in_templates():
    # `{0}`, as str.format and --templates take it, was refused in a class's own prompts.
    spec = parse_classes("cat: a {0} photo; {} on a mat\nse{0}t: a photo of {}\n")
    plan = plan_prompts(spec, Templates("x", ()))
    assert plan.texts == ("a cat photo", "cat on a mat", "a photo of se{0}t")


def test_missing_and_non_utf8_class_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(ZslError, match="class file not found"):
        load_class_spec(classes=tmp_path / "nope.txt")
    with pytest.raises(ZslError, match="attribute file is a directory"):
        load_class_spec(attributes=tmp_path)
    with pytest.raises(ZslError, match="descriptions file not found"):
        load_class_spec(descriptions=tmp_path / "nope.json")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ZslError, match="give /dev/stdin"):
        load_class_spec(classes="-")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ZslError, match="not UTF-8"):
        load_class_spec(classes=bad)
    with pytest.raises(ZslError, match="no classes given"):
        load_class_spec()


def test_attributes_csv_with_phrase_row():
    spec = parse_attributes(
        "class,red,round\n#phrase,red colour,\n# a comment row\nred circle,1,1\nred square,1,0\n",
        "a.csv",
    )
    assert spec.names == ["red circle", "red square"]
    assert spec.attributes.names == ("red", "round")
    assert spec.attributes.phrases == ("red colour", "round")
    np.testing.assert_array_equal(spec.attributes.weights, [[1, 1], [1, 0]])


@pytest.mark.parametrize(
    "text",
    [
        # Named so, but no id: the same weight in two rows, or not a whole number.
        "class,index,red\ncat,1,1\ndog,1,0\n",
        "class,index,red\ncat,0.5,1\ndog,1,0\n",
        # Whole numbers, different in every row, under an attribute's name.
        "class,legs,red\ncat,4,1\nbird,2,0\n",
    ],
)
def test_attribute_columns_that_are_no_class_id_are_attributes(text):
    assert parse_attributes(text, "a.csv").attributes is not None


def test_attribute_header_class_in_any_case():
    # Spreadsheets capitalise a header; `Class` is the class column as `class` is, as the
    # class-list check that suggests --attributes for such a file already assumes.
    assert parse_attributes("Class,red\nx,1\n").names == ["x"]
    assert parse_attributes("CLASS,red\nx,1\n").attributes.names == ("red",)


def test_attribute_table_exported_by_a_spreadsheet():
    # Excel: a byte-order mark, CRLF, and empty cells to the edge of the used range, in every row.
    rows = [
        "class,red,round,,,",
        "#phrase,red colour,,,,",
        "red circle,1,1,,,",
        "red square,1,0,,,",
    ]
    spec = parse_attributes("\ufeff" + "\r\n".join(rows + [",,,,,", ""]), "a.csv")
    assert spec.names == ["red circle", "red square"]
    assert spec.attributes.names == ("red", "round")
    assert spec.attributes.phrases == ("red colour", "round")
    # A weight under a column with no name is no empty column.
    with pytest.raises(ZslError, match="a.csv:1: column 4 has an empty attribute name"):
        parse_attributes("class,red,round,,\nx,1,1,,\ny,1,0,1,\n", "a.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty attribute file"),
        ("name,red\nx,1\n", "header must be"),
        # A spreadsheet in a locale whose decimal mark is ',' saves with ';'.
        ("class;red\nx;1\n", "header must be .* separated by semicolons: save it with commas"),
        # pandas' to_csv (index=True, its default) and R's write.csv write a row index first.
        (",class,red\n0,x,1\n", "a.csv:1: header must be .*a row index, as pandas' to_csv"),
        ('"","class","red"\n"1","x",1\n', "header must be .*row.names=FALSE"),
        # That index read back by pandas' read_csv, and written as a column of its own.
        (
            "Unnamed: 0,class,red\n0,x,1\n",
            "^a.csv:1: header must .* \\(a first column named 'Unnamed: 0': a row index pandas "
            "read back as a column\\? remove it, or save with index=False\\)$",
        ),
        ("class\tred\nx\t1\n", "separated by tabs"),
        # Not "a class list? pass it as --classes": AwA2's matrices are separated by spaces.
        ("class red round\nx 1 0\n", "a.csv:1: header must be .* separated by spaces: save it wi"),
        # aPY's apascal_train.txt, also separated by spaces: once called a one-column class list.
        (
            "2008_000008.jpg horse 52 86 470 332 0 1\n2008_000015.jpg bottle 10 2 50 60 1 0\n",
            "^a.csv:1: header must .* \\(its columns are separated by spaces: save it with co",
        ),
        # aPY's attribute_names.txt: attribute names, not classes alone.
        (
            "2D Boxy\n3D Boxy\nOccluded\n",
            "a class list\\? pass it as --classes; a list of attribute names\\? they are the",
        ),
        ("class,red,red\nx,1,0\n", "duplicate attribute 'red'"),
        # AwA2's predicate matrices: numbers alone, once called a one-column class list.
        ("0 0 1\n1 0 0\n", "^a.csv:1: header must .*\\(numbers alone, without class names or a"),
        ("   -1.00   39.25\n   39.42    0.00\n", "header must .*\\(numbers alone, without cl"),
        ("0,0,1\n1,0,0\n", "^a.csv:1: header must .* \\(numbers alone, without class names"),
        # AwA2's predicates.txt and classes.txt, numbered lists of names: "save it with commas"
        # (separated by tabs) made them `1,black`, no better.
        (
            "     1\tblack\n     2\twhite\n",
            "^a.csv:1: header must .* \\(a numbered list of names, as AwA2's predicates.txt or "
            "classes.txt\\? attribute names are the header's columns after `class`",
        ),
        ("1\tantelope\n2\tgrizzly+bear\n", "header must .*\\(a numbered list of names, as AwA2"),
        ("1 black\n2 white\n", "header must .*\\(a numbered list of names, as AwA2"),
        # Two tables joined: the second class column (numbers: a class id) was an attribute.
        ("class,red,Class\nx,1,7\n", "a.csv:1: column 3 is named 'class' too: the class names"),
        ("class,red,\nx,1,0\n", "column 3 has an empty attribute name"),
        # An id column beside the names: its ids weighed the prompt "a photo of something id.".
        (
            "class,id,red,round\ncat,1,1,0\ndog,2,0,1\n",
            "^a.csv:1: column 2 \\('id'\\) holds a class id \\(a different whole number in every"
            " row\\): every column after the class names is an attribute, and its numbers would "
            "weigh a prompt \\(remove this one\\)$",
        ),
        ("class,red,Class_ID\ncat,1,0\ndog,0,1\n", "^a.csv:1: column 3 \\('Class_ID'\\) hol"),
        # An id column first: the header's error said nothing of it.
        ("id,name,red\n1,cat,1\n2,dog,1\n", "^a.csv:1: header must .*\\(an id column first\\?"),
        ("class_id,class,red\n0,x,1\n", "^a.csv:1: header must .*\\(an id column first\\? th"),
        ("class,red,blue\nx,1\n", "a.csv:2: row has 2 cells, header has 3"),
        ("class,red,blue\nx,1,yes\n", "a.csv:2: column 3 \\('blue'\\): 'yes' is not a number"),
        # Checkboxes, as a spreadsheet exports them: say what to write instead.
        ("class,red\nx,TRUE\n", "'TRUE' is not a number \\(write 1 for an attribute the class has"),
        ("class,red\nx,1\ny,False\n", "a.csv:3: .*'False' is not a number \\(write 1 for"),
        # A locale's decimal comma, in a cell quoted to keep the comma (LibreOffice's export).
        (
            'class,red,blue\nx,"0,5",1\n',
            "'0,5' is not a number \\(write it with a decimal point: 0.5\\)$",
        ),
        (
            'class,red\nx,"-,25"\n',
            "'-,25' is not a number \\(write it with a decimal point: -.25\\)$",
        ),
        ('class,red\nx,"1,000"\n', "'1,000' is not a number$"),  # or a thousand?
        # An unfilled cell was "'' is not a number"; a ',' too many, a count of cells alone.
        ("class,red,blue\nx,1,\n", "a.csv:2: column 3 \\('blue'\\) is empty: give a weight"),
        ("class,red\nx,1,\n", "a.csv:2: row has 3 cells, header has 2 \\(the extra ones empty"),
        ("class,red,blue\nx,nan,1\n", "not a finite number"),
        ("class,red,blue\nx,0,0\n", "all-zero attribute weights"),
        ("class,red\nx,1\nx,0.5\n", "duplicate class 'x'"),
        ("class,red\nx,1_0\n", "a.csv:2: column 2 \\('red'\\): '1_0' is not a number"),
        ("# no header\n#phrase,red\n", "empty attribute file"),
        ("class,red\n", "no class rows"),
        ("class,red\nunknown,1\n", "a.csv:2: class name 'unknown' is reserved"),
        # Phrases would pair with the wrong attributes (or crash the zip): say so.
        ("class,red,blue\n#phrase,crimson\nx,1,0\n", "a.csv:2: #phrase row has 2 cells, header"),
        ("class,red\nx,1\n#phrase,crimson\n", "a.csv:3: the #phrase row must come right after"),
        ("#phrase,crimson\nclass,red\nx,1\n", "a.csv:1: the #phrase row must come right after"),
        # Read as a comment, its phrases were dropped without a word.
        ("class,red\n# phrase,crimson\nx,1\n", "a.csv:2: '# phrase' is read as a comment"),
        ("class,red\n#Phrases,crimson\nx,1\n", "a.csv:2: '#Phrases' is read as a comment"),
        # A stray quote swallows the rest of the file into one field, beyond csv's field limit.
        ('class,red\nx,"1\n' + "y,1\n" * 40_000, "a.csv: not a readable CSV"),
        # A comment's open quote would take the rows below it along with the comment.
        ('class,red\nx,1\n# note,"open\ny,1\nz,1\n', "a.csv:3: a quoted cell runs on to line 5"),
        # On the last row, the open quote runs on to the end of the file: a weight of 1 unsaid.
        ('class,red\nx,1\ny,"1\n', "a.csv:3: a quoted cell runs on to the end of the file"),
        ('class,red\nx,1\ny,"1', "a.csv:3: a quoted cell runs on to the end of the file"),
    ],
)
def test_bad_attribute_files(text, message):
    with pytest.raises(ZslError, match=message):
        parse_attributes(text, "a.csv")


def test_descriptions_alone_and_merged_with_classes(tmp_path: Path):
    spec = parse_descriptions('{"cat": [" whiskers ", " "], "dog": "a wagging tail"}', "d.json")
    assert spec.classes[0].descriptors == ("whiskers",)  # not "cat, which has  whiskers "
    assert spec.classes[1].descriptors == ("a wagging tail",)

    (tmp_path / "c.txt").write_text("cat\ndog\nbird\n")
    (tmp_path / "d.json").write_text('{"cat": ["whiskers"]}')
    merged = load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert merged.names == ["cat", "dog", "bird"]
    assert merged.classes[0].descriptors == ("whiskers",) and merged.classes[1].descriptors == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "expected a JSON object"),
        # Was 'not JSON (a class list? pass it as --classes)'.
        ("", '^d.json: empty descriptions file \\(expected a JSON object {"class": \\['),
        ("\n \n", "^d.json: empty descriptions file \\(expected a JSON object"),
        ("# todo\n", "^d.json: empty descriptions file \\(expected a JSON object"),
        ('[{"cat": ["fur"]}]', "a list of records\\? every class is a key of one object"),
        (
            '{"class": "cat", "descriptors": ["fur"]}',
            "^d.json: one record of class 'cat', not classes named by their keys",
        ),
        ('{"Name": "cat", "description": "fur"}', "one record of class 'cat'"),
        ("{", "invalid JSON"),
        ('{"cat": [1]}', "list of strings"),
        ('{"cat": []}', "no descriptors"),
        (
            '{"cat": ["fur"], "dog": ["bark"], "cat ": ["whiskers"]}',
            "^d.json:1: duplicate class 'cat' \\(first at d.json:1, spelled 'cat' there and "
            "'cat '\\)$",
        ),
        ('{"cat": ["fur"], "cat": ["whiskers"]}', "^d.json:1: duplicate class 'cat' \\(first "),
        (
            '{"caf\u00e9": ["beans"], "cafe\u0301": ["cups"]}',
            "d.json:1: duplicate class 'caf.*' \\(first at d.json:1, in composed form \\(NFC\\) "
            "there \\(é, U\\+00E9\\) and in decomposed form \\(NFD\\) here "
            "\\(e \\+ U\\+0301\\)\\)$",
        ),
        ("[" * 100_000 + "]" * 100_000, "invalid JSON"),  # deeper than Python's recursion
        ('{"cat": ' + "9" * 5000 + "}", "invalid JSON"),  # beyond int's digit limit
        ('{"cat\\ud800": ["fur"]}', "contains '\\\\ud800'"),  # a lone surrogate
        ('{"cat": ["f\\ud800r"]}', "descriptor 'f\\\\ud800r' contains '\\\\ud800'"),
        ('{"cat": [{"a": 1, "a": 2}]}', "^d.json:1: class 'cat': descriptors must be a list"),
        ('{"cat": {"a": ["x"]}}', "^d.json:1: class 'cat': descriptors must be a list of"),
    ],
)
def test_bad_descriptions(text, message):
    with pytest.raises(ZslError, match=message):
        parse_descriptions(text, "d.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # imagenet1000_clsidx_to_labels.txt, a Python dict of ids and names.
        (
            "{0: 'tench, Tinca tinca',\n 1: 'goldfish, Carassius auratus',\n}\n",
            "d.txt is a Python dict mapping class ids to names, not a descriptions file (JSON): "
            "for a class list, write the names one per line",
        ),
        # Descriptions printed by Python, or written in its spelling.
        (
            "{'cat': ['fur', 'whiskers'],\n 'dog': ['a wagging tail'],}",
            "d.txt:1: column 2: invalid JSON (Expecting property name enclosed in double quotes; "
            "a Python dict? write it as JSON, as json.dump does: strings in double quotes)",
        ),
        (
            "{\"cat\": ['fur']}",
            "d.txt:1: column 10: invalid JSON (Expecting value; a Python dict? write it as JSON",
        ),
    ],
)
def test_a_python_dict_as_descriptions_is_named_so(text, message):
    # It was "invalid JSON (Expecting property name enclosed in double quotes)" alone.
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_descriptions(text, "d.txt")


@pytest.mark.parametrize(
    "text",
    [
        # Food-101's meta/train.json: each class's images, beside its classes.txt.
        '{"apple_pie": ["apple_pie/1005649", "apple_pie/1014775"], "baklava": ["baklava/1006121"]}',
        '{"cat": ["images/cat 1.jpg", "cat2.JPEG"], "dog": ["C:\\\\data\\\\dog.png"]}',
    ],
)
def test_a_json_of_image_paths_by_class_is_refused_as_descriptions(text):
    # Every class was described by its images' names ('apple_pie, which has apple_pie/1005649').
    first = json.loads(text)
    name, paths = next(iter(first.items()))
    message = (
        f"d.json: every descriptor is an image's path or file name, such as {paths[0]!r} (a "
        "list of each class's images, as Food-101's meta/train.json?): descriptors are phrases "
        'that describe the class, {"class": ["descriptor", ...], ...}'
    )
    with pytest.raises(ZslError, match=f"^{re.escape(message)}$"):
        parse_descriptions(text, "d.json")
    # A descriptor with a slash among others is a descriptor.
    assert parse_descriptions('{"cat": ["24/7 fur", "fur"], "dog": ["a/b"]}').names == [
        "cat",
        "dog",
    ]


def test_bad_descriptions_json_names_row_and_column():
    # As the README promises for malformed files: the file, the row and the column.
    with pytest.raises(ZslError, match=r"^d\.json:2: column 14: invalid JSON"):
        parse_descriptions('{"cat": ["fur"],\n "dog": ["x",]}', "d.json")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # As a class list's and an attribute table's errors do: the line of the class's key.
        ('{\n "cat": ["fur"],\n "dog": []\n}\n', "^d.json:3: class 'dog': no descriptors$"),
        ('{\n "cat": ["fur"],\n\n "dog": [1]\n}', "^d.json:4: class 'dog': descriptors must be"),
        ('{"cat": ["fur"],\n"unknown": ["x"]}', "^d.json:2: class 'unknown': class name 'unkn"),
        ('{"a": ["x"],\n"cat": ["f\\ud800r"]}', "^d.json:2: class 'cat': descriptor 'f\\\\ud8"),
        (
            '{"cat": ["fur",\n  "whiskers"],\n "dog": ["bark"],\n "cat ": ["a tail"]}',
            "^d.json:4: duplicate class 'cat' \\(first at d.json:1, spelled 'cat' there and 'cat '",
        ),
        # Values before it, with braces, quotes and escaped line breaks, are stepped over.
        (
            '{"a": ["}", "{\\"x\\": [1]}"],\n"b": "b\\"}\\n",\n"c" : [ "x" ] ,\n"d": 1}',
            "^d.json:4: class 'd': descriptors must be",
        ),
    ],
)
def test_a_descriptions_error_names_the_line_of_its_class(text, message):
    with pytest.raises(ZslError, match=message):
        parse_descriptions(text, "d.json")


def test_many_described_classes_parse_in_linear_time():
    many = parse_descriptions(json.dumps({f"class {i}": ["d"] for i in range(50_000)}))
    assert len(many.names) == 50_000  # a quadratic duplicate check took minutes here


def test_a_surrogate_deep_in_a_large_descriptions_file_is_named_with_its_descriptor():
    described = {f"class {i}": [f"descriptor {j}" for j in range(50)] for i in range(1_000)}
    described["class 998"][40] = "a\udc80b\ud800"  # json.dumps writes them as \\u escapes
    message = "d.json:1: class 'class 998': descriptor 'a\\udc80b\\ud800' contains '\\udc80', not a"
    with pytest.raises(ZslError, match=re.escape(message)):
        parse_descriptions(json.dumps(described), "d.json")


def test_descriptions_for_a_class_in_another_case_name_the_class_it_is(tmp_path: Path):
    # `C++` and `C` are two classes: only a '_' or '+' between letters joins words.
    (tmp_path / "c.txt").write_text("C++\nC\n")
    (tmp_path / "d.json").write_text('{"c++": ["two plus signs"]}')
    with pytest.raises(
        ZslError, match=re.escape("'c++' (names must match exactly; the class list has 'C++')")
    ):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")


def test_descriptions_for_unknown_class_and_attribute_combinations(tmp_path: Path):
    (tmp_path / "c.txt").write_text("cat\n")
    (tmp_path / "d.json").write_text('{"lion": ["mane"]}')
    (tmp_path / "a.csv").write_text("class,red\ncat,1\n")
    with pytest.raises(ZslError, match="not in the class list: 'lion': give a descriptions file"):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    # The first such class is named with its line, as the file's other errors are.
    (tmp_path / "d.json").write_text('{\n "cat": ["fur"],\n "lion": ["mane"],\n "emu": ["legs"]\n}')
    message = (
        f"{tmp_path / 'd.json'}:3: descriptions for classes not in the class list: 'lion', 'emu'"
    )
    with pytest.raises(ZslError, match=re.escape(message)):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    # Names match exactly; one that differs in case or spacing is named beside its likely match.
    (tmp_path / "d.json").write_text('{"Cat": ["whiskers"]}')
    with pytest.raises(
        ZslError, match="'Cat' \\(names must match exactly; the class list has 'cat'\\)"
    ):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    # Food-101's folders (`apple_pie`) and descriptors written for its names (`apple pie`).
    (tmp_path / "f.txt").write_text("apple_pie\nhot_dog\n")
    (tmp_path / "d.json").write_text('{"apple pie": ["a flaky crust"]}')
    with pytest.raises(
        ZslError, match="'apple pie' \\(names must match exactly; the class list has 'apple_pie'\\)"
    ):
        load_class_spec(classes=tmp_path / "f.txt", descriptions=tmp_path / "d.json")
    with pytest.raises(ZslError, match="do not combine"):
        load_class_spec(classes=tmp_path / "c.txt", attributes=tmp_path / "a.csv")
    # A class's own prompts and descriptors are two ways to describe it: one must be chosen.
    (tmp_path / "c.txt").write_text("cat: a {} on a sofa\ndog\n")
    (tmp_path / "d.json").write_text('{"cat": ["whiskers"]}')
    with pytest.raises(ZslError, match="class 'cat' has its own prompts in .*c.txt and descript"):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    # Its descriptors are named at their line, as the file's other errors are.
    (tmp_path / "d.json").write_text('{\n "dog": ["a tail"],\n "cat": ["whiskers"]\n}')
    with pytest.raises(ZslError, match=re.escape(f"descriptors in {tmp_path / 'd.json'}:3: give")):
        load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")


def test_fingerprint_changes_with_content():
    a = parse_classes("cat\ndog\n")
    assert a.fingerprint() == parse_classes("cat\n\ndog\n").fingerprint()
    assert a.fingerprint() != parse_classes("cat\ndog: a dog\n").fingerprint()
    # An attribute table's weights define its classes as much as its names do.
    b = parse_attributes("class,red,round\nx,1,0\ny,0,1\n")
    assert b.fingerprint() != parse_attributes("class,red,round\nx,1,1\ny,0,1\n").fingerprint()


def test_a_decomposed_class_list_takes_composed_descriptions(tmp_path: Path):
    # The other way round: classes.txt saved on macOS (decomposed), descriptions composed. The
    # descriptors must not be dropped without a word, leaving the class to the templates.
    (tmp_path / "c.txt").write_text("cafe\u0301\ntea\n")
    (tmp_path / "d.json").write_text(json.dumps({"caf\u00e9": ["a cup on a saucer"]}))
    spec = load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert spec.names == ["cafe\u0301", "tea"]
    assert spec.classes[0].descriptors == ("a cup on a saucer",)


def test_a_descriptions_file_with_a_byte_order_mark(tmp_path: Path):
    # Notepad saves UTF-8 with a byte-order mark, which json.loads refuses as invalid JSON.
    (tmp_path / "d.json").write_bytes(b"\xef\xbb\xbf" + json.dumps({"cat": ["fur"]}).encode())
    assert load_class_spec(descriptions=tmp_path / "d.json").classes[0].descriptors == ("fur",)


def test_descriptions_spelled_decomposed_describe_the_composed_class(tmp_path: Path):
    (tmp_path / "c.txt").write_text("caf\u00e9\ntea\n")
    (tmp_path / "d.json").write_text(json.dumps({"cafe\u0301": ["a cup on a saucer"]}))
    spec = load_class_spec(classes=tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert spec.names == ["caf\u00e9", "tea"]  # classes.txt's spelling is the label
    assert spec.classes[0].descriptors == ("a cup on a saucer",)


def test_invisible_characters_around_prompts_descriptors_and_phrases_are_dropped():
    # A zero-width space or BOM pasted with a prompt is invisible in any editor, yet the
    # tokenizer reads it: every part of a class file is cleaned as its names are.
    zw = "\u200b"
    classes = parse_classes(f"cat: a photo of a {{}}{zw}; {zw}a cat {zw}\n")
    assert classes.classes[0].prompts == ("a photo of a {}", "a cat")
    described = parse_descriptions(json.dumps({"cat": [f"{zw}fur{zw}", "\ufeff"]}))
    assert described.classes[0].descriptors == ("fur",)
    table = parse_attributes(f"class,red\n#phrase,{zw}reddish {zw}\nx,1\n")
    assert table.attributes is not None and table.attributes.phrases == ("reddish",)


@pytest.mark.parametrize("option", ["classes", "attributes", "descriptions"])
def test_a_file_in_another_encoding_is_named_with_its_line(tmp_path: Path, option: str):
    # A byte offset cannot be found in an editor; the line can. Latin-1 (Windows' ANSI) here
    # has its é on line 3 whatever the file's line ends.
    lines = {
        "classes": ["tea", "cake", "café"],
        "attributes": ["class,sweet", "tea,0.5", "café,1"],
        "descriptions": ["{", '"tea": ["a cup"],', '"café": ["a saucer"]}'],
    }[option]
    file = tmp_path / "latin1"
    for end, mark in (("\n", b""), ("\r\n", b""), ("\r", b""), ("\n", codecs.BOM_UTF8)):
        file.write_bytes(mark + end.join(lines).encode("latin-1"))
        with pytest.raises(ZslError, match=r"latin1:3: not UTF-8 text \(byte 0xe9\); save it as"):
            load_class_spec(**{option: file})


@pytest.mark.parametrize("option", ["classes", "attributes", "descriptions"])
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_read_by_its_mark_and_refused_without(
    tmp_path: Path, option: str, encoding: str
):
    # Excel's "Unicode Text" and Windows PowerShell's `>` write UTF-16 led by a byte-order mark,
    # which tells it; without one, its NUL bytes read as class names holding '\x00'.
    text = {
        "classes": "tea\r\ncake\r\n",
        "attributes": "class,sweet\ntea,0.5\ncake,1\n",
        "descriptions": '{"tea": ["a cup"], "cake": ["a slice"]}',
    }[option]
    file = tmp_path / "wide.txt"
    file.write_bytes(("\ufeff" + text).encode(encoding))
    assert load_class_spec(**{option: file}).names == ["tea", "cake"]
    file.write_bytes(text.encode(encoding))
    message = r"^\S*wide.txt: not UTF-8 text \(UTF-16 or binary\); save it as UTF-8$"
    with pytest.raises(ZslError, match=message):
        load_class_spec(**{option: file})
    # A mark over bytes that are no UTF-16 (cut inside a character) is refused, not guessed at.
    file.write_bytes(("\ufeff" + text).encode(encoding)[:-1])
    with pytest.raises(ZslError, match=r"wide.txt: not UTF-16 text, though its byte-order mark"):
        load_class_spec(**{option: file})


def test_a_template_file_is_read_as_a_class_file_is(tmp_path: Path):
    # `cat mine.txt theirs.txt` leaves theirs' byte-order mark mid-file, and a template pasted
    # from a web page brings a zero-width space. Tokenizers read both (the demo model's as
    # three tokens more), so each changed the prompts without a word, and the mark made the
    # comment line a template.
    file = tmp_path / "t.txt"
    file.write_bytes("a photo of a {}.\n\ufeff# theirs\n\ufeffart of {}\u200b\n".encode())
    assert resolve_templates(str(file)).templates == ("a photo of a {}.", "art of {}")
    file.write_bytes("a photo of a {}.\r\nun café {}\r\n".encode("latin-1"))
    with pytest.raises(ZslError, match=r"t\.txt:2: not UTF-8 text \(byte 0xe9\); save it as"):
        resolve_templates(str(file))
    file.write_bytes("a photo of a {}.\n".encode("utf-16"))
    assert resolve_templates(str(file)).templates == ("a photo of a {}.",)
    file.write_bytes("a photo of a {}.\n".encode("utf-16-le"))
    with pytest.raises(ZslError, match=r"t\.txt: not UTF-8 text \(UTF-16 or binary\); save it"):
        resolve_templates(str(file))


@pytest.mark.parametrize(
    ("phrases", "message"),
    [
        ("#phrase,red colour,red colour,", "a.csv:2, column 3: duplicate phrase 'red colour'"),
        # An empty cell falls back to its attribute's name, which another column's phrase took.
        ("#phrase,round,,", "a.csv:2, column 3: duplicate phrase 'round' .first at a.csv:2, col"),
        ("#phrase,caf\u00e9,,cafe\u0301", "a.csv:2, column 4: duplicate phrase 'cafe\u0301' .fi"),
    ],
)
def test_two_attributes_with_one_phrase_are_refused(phrases, message):
    # One phrase is one prompt: the two columns would be one attribute, as two columns of one
    # name would be, and a phrase pasted into the wrong column would go unnoticed.
    with pytest.raises(ZslError, match=message):
        parse_attributes(f"class,red,round,caf\u00e9\n{phrases}\nx,1,0,0\ny,0,1,1\n", "a.csv")


@pytest.mark.parametrize("header", ["class", "Class Name", "label", "CATEGORY", "names"])
def test_a_header_line_over_a_class_list_is_warned_of(header):
    # A CSV habit: "class" was taken as the first class without a word.
    [warning] = parse_classes(f"{header}\ncat\ndog\n", "classes.txt").warnings
    assert "classes.txt" in warning and repr(header) in warning and "header" in warning


def test_a_comment_at_the_end_of_a_class_line_is_warned_of():
    # '#' makes a comment only at the start of a line: `cat  # a pet` is the class named so.
    [warning] = parse_classes("cat  # a pet\ndog\n# a comment\nbird # x\n", "c.txt").warnings
    assert "c.txt:1: class 'cat  # a pet' (and 1 more) holds ' #'" in warning
    assert "only at the start of a line" in warning


def test_a_comment_at_the_end_of_a_class_prompt_is_warned_of():
    # `cat: a photo of a {}.  # mine`: the note went into the prompt, as into a name.
    text = "cat: a photo of a {}.  # mine; a {} pet\ndog: a {}, jersey #10\n"
    [warning] = parse_classes(text, "c.txt").warnings
    assert "c.txt:1: prompt 'a photo of a {}.  # mine' holds ' #'" in warning
    assert "so the rest is part of the prompt" in warning


def test_a_tab_separated_table_given_as_a_class_list_is_named_so():
    with pytest.raises(
        ZslError, match=r"^c\.txt:1: class name 'class\\tlabel' contains a tab: a cl"
    ):
        parse_classes("class\tlabel\ncat\t1\n", "c.txt")


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        # Each class file given to another option says which option takes it.
        (parse_attributes, "red circle\nblue square\n", "x:1: header must be `class,<attr1>,"),
        (parse_attributes, "red circle\nblue square\n", "one column: a class list\\? pass it as"),
        (parse_attributes, '{"cat": ["fur"]}\n', "^x looks like a descriptions JSON file: pass"),
        (parse_attributes, '{"run": {"model": "m"}}\n', "^x is JSON, but neither an attribute"),
        (parse_attributes, '{"path": "a.png"}\n{}\n', "^x is JSON Lines \\(zsl predictions"),
        (parse_descriptions, "red circle\nblue\n", "^x:1: column 1: not JSON \\(a class list\\?"),
        (parse_descriptions, "class,red\ncat,1\n", "not JSON \\(an attribute table\\? pass it"),
        # Not a class list: passed as one, its first line was a class with ':' and no prompts.
        (parse_descriptions, "cat:\n  - fur\n", "^x:1: column 1: not JSON \\(YAML\\? write it as"),
        # JSON Lines: "Extra data" alone did not say what was extra.
        (
            parse_descriptions,
            '{"cat": ["fur"]}\n{"dog": ["a tail"]}\n',
            "^x:2: column 1: invalid JSON \\(Extra data: one JSON object for every class, not one",
        ),
    ],
)
def test_a_class_file_given_to_the_wrong_option_names_the_right_one(parse, text, message):
    with pytest.raises(ZslError, match=message):
        parse(text, "x")


@pytest.mark.parametrize(
    # Open Images' oidv7-class-descriptions.csv: LabelName,DisplayName over /m/011k07,Tortoise.
    "header",
    ["class,description", "path,label", "Name; Notes", "LabelName,DisplayName"],
)
def test_a_csv_given_as_a_class_list_is_warned_of(header):
    # Its header was a class and every row, commas and all, another: labelled without a word.
    [warning] = parse_classes(f"{header}\ncat,a small animal\ndog,a pet\n", "c.txt").warnings
    assert f"c.txt: the first class is {header!r}" in warning and "header" in warning


@pytest.mark.parametrize(
    "text", ['"cat"\n"dog"\n', "'cat'\n'dog'\n", '"cat",\n"dog",\n', '"red, circle"\n"dog"\n']
)
def test_a_class_list_in_quotes_is_warned_of(text):
    # A CSV column written with quotes (R's write.csv, pandas' QUOTE_ALL) or names pasted from
    # code: each class was labelled with its quotes ('"cat"'), which no truth folder spells.
    spec = parse_classes(text, "c.txt")
    [warning] = spec.warnings
    assert f"c.txt: every class name is in quotes, such as {spec.names[0]!r}" in warning


@pytest.mark.parametrize(
    ("text", "end"), [("cat,\ndog,\n", ","), ("cat,,,\ndog,,,\n", ","), ("cat;;\ndog;;\n", ";")]
)
def test_a_class_list_with_a_spreadsheets_empty_columns_is_warned_of(text, end):
    # One column of a sheet saved as CSV, the empty columns beside it kept: each class was
    # labelled with its commas ('cat,,,', in its prompts too) without a word.
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()  # labelled as written
    assert spec.warnings == (
        f"c.txt: every class name ends with {end!r}, such as {spec.names[0]!r} (a spreadsheet's "
        f"empty columns, saved as CSV?): the {end!r} is part of the names and of their prompts; "
        "write the names alone",
    )
    # A name ending so among others is a name.
    assert parse_classes("Washington,\ndog\n", "c.txt").warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        "- cat\n- dog\n",
        "* cat\n* dog\n",
        "\u2022 cat\n\u2022 dog\n",
        "1. cat\n2. dog\n",
        "1) cat\n",
    ],
)
def test_a_bulleted_or_numbered_class_list_is_warned_of(text):
    # A list copied from a document or Markdown: each class was labelled with its marker
    # ('- cat', in its prompts too) without a word.
    spec = parse_classes(text, "c.txt")
    [warning] = spec.warnings
    assert (
        f"c.txt: every class name starts with a list marker, such as {spec.names[0]!r}" in warning
    )


@pytest.mark.parametrize("header", ['"class"', "'label'", '"class","description"'])
def test_a_quoted_header_over_a_quoted_class_list_is_warned_of(header):
    warnings = parse_classes(f'{header}\n"cat"\n"dog"\n', "c.txt").warnings
    assert len(warnings) == 2 and "every class name is in quotes" in warnings[0]
    assert f"c.txt: the first class is {header!r}" in warnings[1] and "header" in warnings[1]


def test_a_comma_list_on_one_line_is_warned_of():
    [warning] = parse_classes("cat, dog, bird\n", "classes.txt").warnings
    assert "'cat, dog, bird'" in warning and "one class name per line" in warning


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("cat, dog, bird,\nfish, horse\n", ","),
        ("cat, dog,\nbird\n", ","),
        ("cat, dog,\nbird, fish,\nhorse\n", ","),
        ("cat, dog,\nbird, fish,\n", ","),  # every line ends with ',', not as a spreadsheet's
        ("cat; dog;\nbird\n", ";"),
        ("猫、犬、\n鳥\n", "、"),
    ],
)
def test_a_comma_list_over_several_lines_is_warned_of(text, mark):
    # As one line of them is: each line was one class ('cat, dog,', in its prompts too), and
    # 'cat' and 'dog' no class, without a word.
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()  # labelled as written
    assert spec.warnings == (
        f"c.txt holds {len(spec.names)} classes, such as {spec.names[0]!r} (names separated by "
        f"{mark!r} over several lines?): a class file takes one class name per line",
    )


def test_a_comma_list_over_several_lines_is_warned_of_naming_the_file(tmp_path):
    classes = tmp_path / "classes.txt"
    classes.write_text("cat, dog,\nbird\n")
    [warning] = load_class_spec(classes).warnings
    assert warning.startswith(f"{classes} holds 2 classes, such as 'cat, dog,'")


@pytest.mark.parametrize(
    "text",
    [
        "cat\ndog\n",
        "cat\nclass\n",
        "label maker\nprinter\n",
        "tabby, long-haired\ndog\n",
        "cat\n",
        "C# code\nno.#5 jersey\njersey #10\n",
        "name tag, red\nlabel, blank\n",
        # A name with a comma among others, or names each ending with one alone, are names.
        "cat\npickup truck, red\ndog\n",
        "pickup truck, red\ncat\n",
        "cat\npickup truck, red,\n",
        "Washington,\ndog\n",
        # Names that do not run on with a ',' cannot be told from names holding one.
        "cat, dog, bird\nfish, horse\n",
        # Quotes around some names, or a name in quotes alone, are names of their own.
        '"Starry Night"\ncat\n',
        "'s-Hertogenbosch\nrock 'n' roll\n",
        # A marker that not every name starts with is part of a name.
        "- cat\ndog\n",
        "1. FC K\u00f6ln\nBayern M\u00fcnchen\n",
        "-cat\n-dog\n",
    ],
)
def test_an_ordinary_class_list_has_no_warning(text):
    assert parse_classes(text, "classes.txt").warnings == ()


def test_names_given_in_code_are_not_blamed_on_a_file():
    assert class_names_spec(["label", "cat"]).warnings == ()


def test_the_warnings_of_a_class_file_stay_with_its_descriptions(tmp_path):
    classes, descriptions = tmp_path / "classes.txt", tmp_path / "descriptions.json"
    classes.write_text("name\ncat\n")
    descriptions.write_text(json.dumps({"cat": ["whiskers"]}))
    # The header read as a class has no descriptors: the second warning says so.
    warning, templated = load_class_spec(classes, descriptions=descriptions).warnings
    assert "'name'" in warning
    assert templated.startswith(f"{descriptions}: 1 of 2 classes has no descriptors")


@pytest.mark.parametrize(
    "text",
    [
        "cat,0\ndog,1\n",
        "0,cat\n1,dog\n",
        "1; cat\n2; dog\n",
        "n02085620,0\nn02085782,1\n",
        # ImageNet's LOC_synset_mapping.txt: a WordNet id, a space, the names.
        "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n",
        # CUB-200's classes.txt: an index, a space, a numbered id.
        "1 001.Black_footed_Albatross\n2 002.Laysan_Albatross\n",
        # Its image folders' names, and Caltech-256's: the numbered id alone.
        "001.Black_footed_Albatross\n002.Laysan_Albatross\n",
        "001.ak47\n002.american-flag\n",
        # Open Images' class-descriptions.csv: a Freebase id, a comma, the name.
        "/m/011k07,Tortoise\n/m/011q46kg,Container\n",
        # COCO's labels with their ids (0-based, or its 91 ids with gaps): a space between.
        "0 person\n1 bicycle\n2 car\n3 motorcycle\n",
        "0  person\n1  bicycle\n2  car\n12  stop sign\n13  parking meter\n",
    ],
)
def test_a_csv_of_class_ids_and_names_is_warned_of(text):
    # A headerless id,name table, as dataset tools write one: each class was labelled with its
    # id ('cat,0', in its prompts too) without a word.
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()  # labelled as written
    [warning] = spec.warnings
    assert f"c.txt: every class name holds a class id, such as {spec.names[0]!r}" in warning
    assert "write the names alone" in warning
    assert ("with spaces for '_'" in warning) == ("_" in text)  # CUB's Black_footed_Albatross


@pytest.mark.parametrize(
    "text",
    [
        # aPY's attribute data and a class-attribute matrix separated by spaces.
        "aeroplane 0 0 1 0 1\nbicycle 1 0 0 0 1\n",
        "2008_000008.jpg horse 52 86 470 332 0 1\n2008_000015.jpg bottle 10 2 50 60 1 0\n",
        "grizzly bear 0.5 1 0\npolar bear 1 0 0.25\n",
        # AwA2's predicate-matrix files: numbers alone.
        "0 0 1 0\n1 0 0 1\n",
        "   -1.00   39.25  0.00\n   39.42    0.00  1.50\n",
        # An attribute table without its header, with commas or a locale's semicolons.
        "red circle,1,0,1\nred square,1,1,0\n",
        "red circle; 1; 0; 1\nred square; 1; 1; 0\n",
    ],
)
def test_rows_of_a_table_separated_by_spaces_are_refused_as_a_class_list(text):
    # Every row was a class, named with its numbers ('a photo of a aeroplane 0 0 1 0 1.'),
    # without a word.
    first = text.splitlines()[0].strip()
    message = (
        f"c.txt:1: {first!r} is a row of numbers, as every line is (a table, as aPY's and AwA2's "
        "attribute files are?): a class file has one class name per line; attributes go to "
        "--attributes, a CSV with the header `class,<attr1>,...`"
    )
    with pytest.raises(ZslError, match=f"^{re.escape(message)}$"):
        parse_classes(text, "c.txt")
    # Below a header of words, as a table saved with spaces has it: its first line was a class.
    with pytest.raises(ZslError, match=f"^c.txt:2: {re.escape(repr(first))} is a row of numbers, "):
        parse_classes("class a b c d e f g h\n" + text, "c.txt")


@pytest.mark.parametrize(
    "text",
    [
        # Names with numbers, not rows of a table: too few, or a count that differs.
        "size 10 12\nsize 14 16\n",
        "route 66 1 2\nroute 66\n",
        "boeing 737 800 1\nairbus a320 neo\n",
        "cat 1 2 3\n",
        "top three\ncat 1 2 3\ndog 1 2 3\n",  # fewer words than numbers: no header
    ],
)
def test_names_with_a_few_numbers_are_no_table(text):
    assert parse_classes(text, "c.txt").names == text.splitlines()


@pytest.mark.parametrize(
    "text",
    [
        # Counts and numbered names, not ids: the numbers repeat, or are part of the name.
        "1 person\n2 people\n3 people\n",
        "1 coin\n2 coins\n3 coins\n",
        "1 person\n2 people\n",
        "2 people\n1 person\n3 crowd\n",
        "1 euro\n2 euro\n5 euro\n",
        "level 1\nlevel 2\n",
        "1 1.5 litre bottle\n2 0.5 litre bottle\n",
        "1.FC K\u00f6ln\n2.Bundesliga\n",
        "cat,1\ndog,1\n",
        "cat,0\ndog\n",
    ],
)
def test_numbers_in_names_that_are_no_id_column_are_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        # Keras' imagenet_class_index.json, and a model config's id2label: ids, not classes.
        '{"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"]}',
        '{"0": "tench", "1": "goldfish"}',
    ],
)
def test_a_json_map_of_class_ids_to_names_is_named_so(tmp_path: Path, text):
    # As descriptions, classes '0' and '1' were described by their names ("0, which has
    # tench"), without a word; as a class list, it was sent to --descriptions.
    spec = parse_descriptions(text, "d.json")
    [warning] = spec.warnings
    assert warning.startswith("d.json: every class is a number, such as '0', with a name ('tench'")
    assert "a map of class ids to names" in warning
    with pytest.raises(ZslError, match="^c.json maps class ids to names, as Keras' imagenet_cla"):
        parse_classes(text, "c.json")
    # With a class list, the warning stays with the spec.
    (tmp_path / "c.txt").write_text("0\n1\n")
    (tmp_path / "d.json").write_text(text)
    merged = load_class_spec(tmp_path / "c.txt", descriptions=tmp_path / "d.json")
    assert [w.startswith(f"{tmp_path / 'd.json'}: every class") for w in merged.warnings] == [True]


@pytest.mark.parametrize(
    ("text", "joiner", "examples", "count"),
    [
        # Food-101's classes.txt (and its folders): words joined by '_'.
        (
            "apple_pie\nbaklava\nhot_dog\nbaby_back_ribs\nramen\n",
            "'_'",
            "'apple_pie', 'hot_dog'",
            3,
        ),
        # AwA2's classes, '+' for a space.
        (
            "antelope\ngrizzly+bear\nkiller+whale\nbeaver\n",
            "'+'",
            "'grizzly+bear', 'killer+whale'",
            2,
        ),
        (
            "great_white_shark\ngrizzly+bear\n",
            "'_' or '+'",
            "'great_white_shark', 'grizzly+bear'",
            2,
        ),
    ],
)
def test_names_with_words_joined_by_underscores_are_warned_of(text, joiner, examples, count):
    # 'a photo of a apple_pie.' was the prompt, without a word; the names stay as written (they
    # match the folders `zsl evaluate` reads).
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()
    [warning] = spec.warnings
    first = examples.split(",")[0].strip("'")
    # A prompt to paste as it is: 'a photo of a apple pie.' was offered.
    prompt = {
        "apple_pie": "a photo of an apple pie.",
        "grizzly+bear": "a photo of a grizzly bear.",
        "great_white_shark": "a photo of a great white shark.",
    }[first]
    assert warning == (
        f"c.txt: {count} class names join their words with {joiner}, such as {examples}: the "
        "prompts hold them so; write the names with spaces, or, to keep them as labels (the "
        f"folder names `zsl evaluate` matches), give each its prompts: `{first}: {prompt}`"
    )
    # A class with its own prompts is what the warning asks for.
    fixed = "".join(
        f"{name}: a photo of {name.replace('_', ' ')}\n"
        if "_" in name or "+" in name
        else name + "\n"
        for name in text.splitlines()
    )
    assert parse_classes(fixed, "c.txt").warnings == ()


def test_attribute_names_with_words_joined_by_underscores_are_warned_of():
    # 'a photo of something has_fur.' was the prompt, without a word; a #phrase row is the fix.
    text = "class,has_fur,has_long_tail,red\ncat,1,1,0\nfox,1,1,1\n"
    spec = parse_attributes(text, "a.csv")
    assert spec.attributes.phrases == ("has_fur", "has_long_tail", "red")
    [warning] = spec.warnings
    assert warning == (
        "a.csv: 2 attribute names join their words with '_', such as 'has_fur', 'has_long_tail': "
        "the prompts hold them so; give them phrases in a #phrase row under the header "
        "(`#phrase,has fur,...`)"
    )
    phrased = text.replace("\n", "\n#phrase,has fur,has a long tail,\n", 1)
    assert parse_attributes(phrased, "a.csv").warnings == ()
    # A phrase left empty is the name: still joined.
    half = text.replace("\n", "\n#phrase,has fur,,\n", 1)
    assert parse_attributes(half, "a.csv").warnings == ()  # phrases with spaces: as meant
    assert parse_attributes("class,is_red,is_big\ncat,1,0\n", "a.csv").warnings != ()
    assert parse_attributes("class,is_red,big dog\ncat,1,0\n", "a.csv").warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        # One such name among others: written so on purpose, or a slip not worth a warning.
        "shirt\nt_shirt\ndress\n",
        "\n".join([f"class{i}" for i in range(99)] + ["snake_case"]),
        # Names with spaces: the file writes words apart, so '_' is part of a name.
        "red circle\nt_shirt\npolo_shirt\n",
        # Not words joined: ids and numbers.
        "class_1\nclass_2\nclass_3\n",
        "c++\nc#\n",
    ],
)
def test_a_few_names_with_underscores_are_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_numbered_classes_with_descriptions_are_descriptions():
    # MNIST's digits, described: classes that are numbers, each with its descriptors.
    text = '{"0": ["a round loop", "an oval"], "1": ["a single stroke", "a vertical line"]}'
    assert parse_descriptions(text, "d.json").warnings == ()


def test_cubs_attribute_list_is_refused_as_a_class_list_and_named_as_attributes():
    # CUB's attributes.txt: as a class list, class '1 has_bill_shape' got the prompt
    # ':curved_(up_or_down)' (no name in it), without a word.
    text = "1 has_bill_shape::curved_(up_or_down)\n2 has_bill_shape::dagger\n"
    message = "c.txt:1: '1 has_bill_shape::curved_(up_or_down)' holds '::': a class name ends at"
    with pytest.raises(ZslError, match=re.escape(message)):
        parse_classes(text, "c.txt")
    # A prompt may hold '::' after its start.
    assert parse_classes("vector: a photo of a std::vector\n").classes[0].prompts == (
        "a photo of a std::vector",
    )
    # As attributes, it was 'a class list? pass it as --classes', which refused it.
    with pytest.raises(ZslError, match="^a.txt:1: header must be") as error:
        parse_attributes(text, "a.txt")
    assert "class list" not in str(error.value)
    assert "attribute names alone, as CUB's attributes.txt" in str(error.value)


@pytest.mark.parametrize("text", ["n01440764\nn01443537\n", "/m/011k07\n/m/011q46kg\n"])
def test_a_class_list_of_ids_alone_is_warned_of(text):
    # ImageNet's synsets (its folders' names) or Open Images' ids: the model read 'n01440764'
    # as text, labelling at chance, without a word.
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()  # labelled as written
    assert any(
        w.startswith(f"c.txt: every class name is a class id, such as {spec.names[0]!r}")
        for w in spec.warnings
    )


@pytest.mark.parametrize("text", ["n01440764\ncat\n", "m1\nm2\n", "n0144\nn0145\n"])
def test_a_class_list_of_some_ids_or_other_codes_is_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_a_class_list_of_paths_is_warned_of():
    # SUN397's ClassName.txt: each class was labelled with its folder path ('a photo of a
    # /a/abbey.'), without a word.
    spec = parse_classes("/a/abbey\n/a/airplane_cabin\n/b/bakery/shop\n", "c.txt")
    assert spec.names[0] == "/a/abbey"
    [warning] = spec.warnings
    assert warning.startswith("c.txt: every class name is a path, such as '/a/abbey'")
    # One name with a slash in it is a name.
    assert parse_classes("/r/ subreddit\nAC/DC\n", "c.txt").warnings == ()


def test_a_python_dict_of_class_ids_to_names_is_named_so():
    # imagenet1000_clsidx_to_labels.txt, as widely copied: its first classes were '{0' and '1',
    # and the last line's '}' was refused as a prompt's brace.
    text = "{0: 'tench, Tinca tinca',\n 1: 'goldfish, Carassius auratus',\n 2: 'tiger shark'}\n"
    message = "c.txt is a Python dict mapping class ids to names, not a class list"
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(text, "c.txt")
    with pytest.raises(ZslError, match="^a.txt is a Python dict mapping class ids to names, not a"):
        parse_attributes(text, "a.txt")


@pytest.mark.parametrize(
    "line",
    [
        "names: ['person', 'bicycle', 'car']",
        'names: ["person", "bicycle"]',
        # YAML's own list, without quotes (a data.yaml written by hand): class 'names' had the
        # prompt '[person, bicycle, car]', without a word.
        "names: [person, bicycle, car]",
        "names: [ person ]",
    ],
)
def test_a_yolo_dataset_yaml_with_a_list_of_names_is_refused(line):
    # A YOLO dataset's data.yaml: classes 'nc' (prompt '3') and 'names' (its prompt the list)
    # were labelled without a word.
    message = f"c.yaml:2: {line!r} gives a list of names as prompts"
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(f"nc: 3\n{line}\n", "c.yaml")
    # A prompt in brackets that is no list of strings is a prompt.
    assert parse_classes("cat: [a photo of a {}]\n").classes[0].prompts == ("[a photo of a {}]",)


@pytest.mark.parametrize("block", ["  0: person\n  1: bicycle\n", "  - person\n  - bicycle\n"])
def test_a_yolo_dataset_yaml_with_a_block_of_names_is_named_so(block):
    # 'names' has ':' but no prompts: said so, without a word of what the file is.
    text = f"path: ../datasets/coco  # root\nnames:\n{block}"
    message = "c.yaml:2: 'names' has ':' but no prompts after it (YAML, as a YOLO dataset's data."
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(text, "c.yaml")


@pytest.mark.parametrize("items", [1, 2])
def test_a_tensorflow_label_map_is_named_so(items):
    # mscoco_label_map.pbtxt: one item was labelled as classes 'item {', 'name', 'id',
    # 'display_name' and '}'; two were 'duplicate class 'item {''.
    item = 'item {\n  name: "/m/01g317"\n  id: 1\n  display_name: "person"\n}\n'
    message = "c.pbtxt is a label map (item { ... }, as TensorFlow's object detection API writes"
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(item * items, "c.pbtxt")
    assert parse_classes("item {\nitem }\n").names == ["item {", "item }"]  # names with braces


@pytest.mark.parametrize(
    ("text", "count", "examples"),
    [
        # EuroSAT's folders: 4 of its 10 classes join their words in CamelCase.
        (
            "AnnualCrop\nForest\nHerbaceousVegetation\nHighway\nIndustrial\nPasture\n"
            "PermanentCrop\nResidential\nRiver\nSeaLake\n",
            4,
            "'AnnualCrop', 'HerbaceousVegetation'",
        ),
        # UCF101's actions (classInd.txt, its ids removed).
        ("ApplyEyeMakeup\nApplyLipstick\nArchery\nBabyCrawling\n", 3, "'ApplyEyeMakeup', 'Apply"),
    ],
)
def test_names_with_words_joined_in_camel_case_are_warned_of(text, count, examples):
    # 'a photo of a AnnualCrop.' was the prompt, without a word: CLIP's tokenizer reads
    # 'annualcrop', as it reads 'apple_pie' with its '_' (which is warned of).
    spec = parse_classes(text, "c.txt")
    assert spec.names == text.splitlines()
    [warning] = spec.warnings
    assert warning.startswith(
        f"c.txt: {count} class names join their words with capitals (CamelCase), such as {examples}"
    )
    first = spec.names[0]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", first)
    assert warning.endswith(
        "the prompts hold them so; if they are words, write the names with spaces, or, to keep "
        "them as labels (the folder names `zsl evaluate` matches), give each its prompts: "
        f"`{first}: a photo of an {spaced}.`"  # both first names begin with a vowel
    )
    # Either fix, taken, is no warning.
    assert parse_classes(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text), "c.txt").warnings == ()
    prompted = "".join(f"{n}: a photo of a {n.lower()}\n" for n in text.splitlines())
    assert parse_classes(prompted, "c.txt").warnings == ()


@pytest.mark.parametrize(
    "text",
    [
        # Brand and product names are written so: not words to space out.
        "iPhone\neBay\niPad\nUSB\n",
        "McDonald's\nPlayStation\nCoca Cola\nYouTube\n",  # a name with spaces: as meant
        "Apple\nSamsung\nNokia\nPlayStation\nYouTube\nSony\nNintendo\n",  # 2 of 7
        "PlayStation\ncat\n\n",  # one
        "NaCl\nH2O\nCO2\n",
        "CIFAR\nImageNet\nMNIST\nTinyImageNet\nSVHN\nCelebA\n",  # acronyms and one capital
    ],
)
def test_names_in_capitals_of_their_own_are_not_warned_of(text):
    assert parse_classes(text, "c.txt").warnings == ()


def test_a_url_or_a_drive_starts_a_name_and_the_name_prompt_form_stays():
    spec = parse_classes(
        "https://www.wikidata.org/wiki/Q146\n"
        "http://example.org:8080/dog: a photo of a dog; a dog\n"
        "c:/data/fox:\ta fox\n"
        "n01440764: tench\n"  # a WordNet id and its prompt: the documented form
        "cat:a photo of a {}\n"
        "urn:isbn:123\n"  # no '//' or drive: a name and its prompt, as before
        "bird:/a bird in flight\n"  # a slash after a word: not a URL (it was one name)
        "D:\\photos\\owl: an owl\n"
    )
    assert [(c.name, c.prompts) for c in spec.classes] == [
        ("https://www.wikidata.org/wiki/Q146", ()),
        ("http://example.org:8080/dog", ("a photo of a dog", "a dog")),
        ("c:/data/fox", ("a fox",)),
        ("n01440764", ("tench",)),
        ("cat", ("a photo of a {}",)),
        ("urn", ("isbn:123",)),
        ("bird", ("/a bird in flight",)),
        ("D:\\photos\\owl", ("an owl",)),
    ]
    with pytest.raises(ZslError, match="'http://x.org/cat' has ':' but no prompts after it"):
        parse_classes("http://x.org/cat:\n", "c.txt")
    # Two URLs were two classes named 'https': a duplicate.
    assert parse_classes("https://a.org/cat\nhttps://a.org/dog\n").names == [
        "https://a.org/cat",
        "https://a.org/dog",
    ]


def test_an_excel_separator_line_is_read_only_first():
    assert parse_attributes("sep=;\nclass;red\ncat;1\n").attributes.names == ("red",)
    # Not a separator: a quote, or a line below the first.
    with pytest.raises(ZslError, match="^a.csv:1: header must be"):
        parse_attributes('sep="\nclass,red\ncat,1\n', "a.csv")
    with pytest.raises(ZslError, match="^a.csv:2: header must be"):
        parse_attributes("\nsep=,\nclass,red\ncat,1\n", "a.csv")
    assert parse_classes("sep=,\ncat\ndog\n").names == ["cat", "dog"]
    assert parse_classes("cat\nsep=,\n").names == ["cat", "sep=,"]


def test_prompts_given_as_a_list_in_brackets_are_refused():
    # One prompt, '[a photo of a cat, a cat]', brackets and commas kept, without a word.
    message = "c.txt:2: 'cat: [a photo of a cat, a kitten]' gives its prompts as a list in brackets"
    with pytest.raises(ZslError, match=f"^{re.escape(message)}: write them without brackets, sep"):
        parse_classes("dog\ncat: [a photo of a cat, a kitten]\n", "c.txt")
    # Brackets that hold no list are a prompt's, and so are those of a part of one.
    for line, prompt in (
        ("cat: [a photo of a {}]", "[a photo of a {}]"),
        ("cat: [sic], a cat", "[sic], a cat"),
        ("cat: a cat; [a, b]", "[a, b]"),
    ):
        assert parse_classes(line).classes[0].prompts[-1] == prompt


@pytest.mark.parametrize(
    "text",
    [
        # Label Studio's labelling config: every tag was a class.
        '<View>\n  <Image name="image" value="$image"/>\n  <Choices name="choice" toName="image">\n'
        '    <Choice value="cat"/>\n    <Choice value="dog"/>\n  </Choices>\n</View>\n',
        # A Pascal VOC annotation.
        "<annotation>\n\t<folder>VOC2007</folder>\n\t<object>\n\t\t<name>dog</name>\n",
        '<?xml version="1.0" encoding="utf-8"?>\n<View>\n</View>\n',
    ],
)
def test_xml_is_refused_as_a_class_list(text):
    message = "c.txt is XML (a Label Studio labelling config? an annotation file?), not a class"
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(text, "c.txt")


def test_names_in_angle_brackets_are_names():
    assert parse_classes("<unk>\n<pad>\ncat\n").names == ["<unk>", "<pad>", "cat"]
    assert parse_classes("<b>cat</b>\n").names == ["<b>cat</b>"]  # one line: a name


@pytest.mark.parametrize(
    ("words", "prompt"),
    [
        ("apple pie", "an apple pie"),
        ("hot dog", "a hot dog"),
        ("unicorn horn", "a unicorn horn"),
        ("umbrella stand", "an umbrella stand"),
        ("European robin", "a European robin"),
        ("one piece", "a one piece"),
        ("hour glass", "an hour glass"),
        ("USB cable", "a USB cable"),
        ("MRI scan", "an MRI scan"),
    ],
)
def test_the_joined_name_hint_s_article_goes_by_the_first_word_s_sound(words, prompt):
    # 'a photo of a apple pie.', then 'an unicorn' and 'an USB cable', by the first letter.
    name = words.replace(" ", "_")
    [warning] = parse_classes(f"{name}\nsome_other_thing\n", "c.txt").warnings
    assert f"`{name}: a photo of {prompt}.`" in warning


def test_minus_one_among_non_negative_strengths_is_warned_of_as_a_missing_value():
    # AwA2's predicate-matrix-continuous marks a missing value -1: it weighed against its
    # attribute without a word.
    spec = parse_attributes("class,black,furry\nbear,-1,87.5\nox,12.25,40\n", "a.csv")
    [warning] = spec.warnings
    assert warning.startswith("a.csv: 1 weight is -1 among weights otherwise 0 or more")
    # Tables where -1 is a value: signed strengths, and -1/0/1 or -1/1 for absent and present.
    for table in (
        "class,black,furry\nbear,-1,0.5\nox,-0.5,1\n",
        "class,black,furry\nbear,-1,1\nox,0,1\n",
        "class,black,furry\nbear,-1,1\nox,1,-1\n",
    ):
        assert parse_attributes(table, "a.csv").warnings == (), table


@pytest.mark.parametrize(
    "table",
    [
        "class,stripes,mane,flies\nzebra,1,0.5,-1\nlion,0,1,-1\neagle,0,0,1\n",
        "class,stripes,mane,flies\nzebra,2,1,-1\nlion,0,3,-1\neagle,0,0,2\n",
    ],
)
def test_minus_one_of_the_other_weights_size_is_a_weight_not_a_missing_value(table):
    # -1 for "not" beside strengths of 0 to 1 (or a few): it was warned of as AwA2's missing
    # value, whose strengths are percentages, told to be written 0. A -1 under a tenth of the
    # table's largest weight still is.
    assert parse_attributes(table, "a.csv").warnings == ()
    spec = parse_attributes("class,black,furry\nbear,-1,10.5\nox,2,1\n", "a.csv")
    [warning] = spec.warnings
    assert warning.startswith("a.csv: 1 weight is -1 among weights otherwise 0 or more")


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_an_attribute_table_below_excel_s_sep_line_is_refused_as_a_class_list(delimiter):
    # Without its `sep=;` line it was sent to --attributes; with it, its rows were classes
    # ('red circle;1;1'), with a warning of a header at most.
    rows = "class,red,round\nred circle,1,1\nblue square,0,1\n".replace(",", delimiter)
    text = f"sep={delimiter}\n{rows}"
    with pytest.raises(ZslError, match=r"^a\.csv looks like an attribute table .* --attributes$"):
        parse_classes(text, "a.csv")
    assert parse_attributes(text, "a.csv").names == ["red circle", "blue square"]
    # A class column saved so is a class list all the same.
    assert parse_classes(f"sep={delimiter}\nred circle\nblue square\n").names == [
        "red circle",
        "blue square",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # A path,label truth CSV (with its header, or without), and Roboflow's _classes.csv of
        # two classes: their rows were classes ('photos/a.jpg,cat'), without a word.
        (
            "path,label\nphotos/a.jpg,cat\nphotos/b.JPG,dog\n",
            "c.txt:2: 'photos/a.jpg,cat' starts with an image's file name, as every line below "
            "the first does (a ground-truth table? give it to 'zsl evaluate --truth')",
        ),
        (
            "photos/a.jpg;cat\nC:\\photos\\b.png;dog\n",
            "c.txt:1: 'photos/a.jpg;cat' starts with an image's file name, as every line does",
        ),
        (
            "filename, cat, dog\na.jpg,1,0\nb.jpg,0,1\n",
            "c.txt:2: 'a.jpg,1,0' starts with an image's file name, as every line below the first",
        ),
        # A list of images (as `find` writes one): every image was a class.
        (
            "photos/a.jpg\nphotos/b.webp\n",
            "c.txt:1: 'photos/a.jpg' is an image's file name, as every line is (a list of images "
            "to label? give them as paths to 'zsl label', or a list of them on its stdin, '-')",
        ),
    ],
)
def test_a_table_or_list_of_images_given_as_a_class_list_is_refused(text, message):
    with pytest.raises(ZslError, match=f"^{re.escape(message)}"):
        parse_classes(text, "c.txt")


@pytest.mark.parametrize(
    "text",
    [
        "cat\ndog.jpg\n",  # one name that ends so, below another: names
        "class,note\ncat,likes a.jpg\n",
        "photo.jpg\n",  # a class list of one: taken as written
    ],
)
def test_class_names_that_only_end_as_image_names_are_class_names(text):
    assert parse_classes(text, "c.txt").names


@pytest.mark.parametrize(
    "value",
    [
        # CVAT's labels, as its raw label editor and its project export write them.
        [
            {"name": "cat", "color": "#fa3253", "attributes": []},
            {"name": "dog", "color": "#3d3df5", "attributes": []},
        ],
        # COCO's categories, copied out of an annotation file.
        [
            {"supercategory": "animal", "id": 17, "name": "cat"},
            {"supercategory": "animal", "id": 18, "name": "dog"},
        ],
    ],
)
@pytest.mark.parametrize("indent", [None, 2])
def test_a_json_list_of_label_objects_is_refused_with_how_to_list_their_names(value, indent):
    # Over several lines each '{' was a class (a duplicate class '{'); on one, braces in a prompt.
    with pytest.raises(ZslError) as refused:
        parse_classes(json.dumps(value, indent=indent), "labels.json")
    assert refused.value.message == (
        "labels.json is a JSON list of objects with a name (CVAT's labels, COCO's categories?), "
        "not a class list: write their names one per line, such as with "
        "`jq -r '.[].name' labels.json > classes.txt`"
    )


def test_roboflow_s_classes_csv_given_as_a_class_list_is_said_to_be_a_truth_table():
    # Of three classes or more its rows were sent to --attributes, as rows of numbers.
    text = "filename,cat,dog,bird\na.jpg,1,0,0\nb.jpg,0,1,0\n"
    with pytest.raises(ZslError, match=r"^c\.txt:2: 'a\.jpg,1,0,0' starts with an image's file"):
        parse_classes(text, "c.txt")


def test_class_names_that_pandas_reads_as_missing_are_warned_of() -> None:
    # A CSV of predictions read and saved again in pandas (as the README invites) lost these
    # labels, which zsl evaluate then counted as abstained; nothing warned.
    spec = parse_classes("cat\nNA\nnull\nNone\nnone\nN/A cat\n", "classes.txt")
    warnings = missing_value_name_warnings(spec)
    assert warnings == (
        "classes.txt: 3 class names ('NA', 'null', 'None') are read as missing values by pandas' "
        "read_csv (R's read.csv reads 'NA' so too): predictions in a CSV read and saved again in "
        "pandas lose them, and zsl evaluate counts those images as abstained; rename them, or "
        "read the CSV with read_csv(..., keep_default_na=False, na_values=[''])",
    )
    one = missing_value_name_warnings(parse_classes("cat\nNaN\n", "c.txt"))
    assert one[0].startswith("c.txt: class name 'NaN' is read as a missing value by pandas'")
    assert "lose that label" in one[0] and "rename the class," in one[0]
    assert missing_value_name_warnings(parse_classes("cat\nnone\nnan cat\n", "c.txt")) == ()


def test_missing_value_names_are_pandas_defaults() -> None:
    # The list is pandas' own where pandas is installed (it is not a dependency).
    parsers = pytest.importorskip("pandas._libs.parsers")
    assert set(parsers.STR_NA_VALUES) - {""} == MISSING_VALUE_NAMES


def test_a_prompt_every_class_shares_is_warned_of():
    # `circle: a photo of a {}; taken at night` on every line: the ';' split off "taken at
    # night", a second prompt of every class that tells none apart and drew their scores
    # together (top scores 0.65-0.76 fell to 0.41-0.45 on a tiny CLIP), without a word.
    text = (
        "# shapes\ncircle: a photo of a {}; taken at night\nsquare: a photo of a {}; taken at "
        "night\nstar: a photo of a {}; taken at night\n"
    )
    [warning] = parse_classes(text, "c.txt").warnings
    assert warning == (
        "c.txt:2: prompt 'taken at night' is a prompt of every class that has prompts of its "
        "own (3 classes): it cannot tell them apart, and brings their scores closer together "
        "(a ';' meant as part of a prompt? ';' separates a class's prompts and cannot be part "
        "of one: write ',' there)"
    )
    # The class's name in a prompt makes it the class's own, however alike its text.
    assert parse_classes(text.replace("taken at night", "{} at night"), "c.txt").warnings == ()
    # Shared by some classes only, or a class of prompts among classes of templates: not
    # every class's, or one class's alone.
    some = "circle: a {}; at night\nsquare: a {}; at night\nstar: a {}; by day\n"
    assert parse_classes(some, "c.txt").warnings == ()
    assert parse_classes("circle: a {}; at night\nsquare\nstar\n", "c.txt").warnings == ()
    # Classes whose prompts are all alike are the same class to the model: warned of where it
    # scores them (the run's indistinguishable classes), not here as a prompt split at a ';'.
    assert parse_classes("circle: a shape\nsquare: a shape\n", "c.txt").warnings == ()


def test_a_percent_s_in_a_class_prompt_is_warned_of():
    # `circle: a photo of a %s`, as printf and Python's % write a placeholder: the model read
    # "a photo of a %s", the class's name never in it, without a word.
    [warning] = parse_classes(
        "circle: a photo of a %s\nsquare\nstar: %s; a star\n", "c.txt"
    ).warnings
    assert warning == (
        "c.txt:1: prompt 'a photo of a %s' (and 1 more) holds '%s', which stands for nothing "
        "here: the model reads it as written, without the class's name (write {} for %s)"
    )
    # Beside the placeholder the name is in the prompt: taken as written.
    assert parse_classes("circle: a {} at 5%s\nsquare\n", "c.txt").warnings == ()
