"""Edges of the refusals of folder listings given as a class list: `ls -l` rows of links, the
file named in the advice quoted as each shell takes it, and Windows `dir` listings told by the
count of their rows (a listing of files alone, Swiss sizes, comments and header lines)."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_classes
from zsl_cli.errors import ZslError


def refusal(text: str, source: str = "c.txt") -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, source)
    return str(error.value)


def test_an_ls_l_listing_of_links_to_the_class_folders_is_refused_as_one():
    # A folder of links to a dataset's class folders: the link's row was class
    # 'lrwxrwxrwx 1 me me 9 Dec  6 20' with the prompt '01 cat -> /data/cat'.
    text = "total 0\nlrwxrwxrwx 1 me me 9 Dec  6 20:01 cat -> /data/cat\n"
    message = refusal(text)
    assert message.startswith("c.txt:2: 'lrwxrwxrwx 1 me me 9 Dec  6 20:01 cat -> /data/cat'")
    assert "`ls -l` listing" in message


def test_a_name_that_starts_as_permissions_and_a_number_is_a_name():
    # The count of links is followed by white space: `2nd` starts a word, no count.
    names = ["drwxr-xr-x 2nd edition", "cat"]
    assert parse_classes("\n".join(names) + "\n", "c.txt").names == names


def test_the_ls_l_advice_quotes_the_file_as_sh_does():
    message = refusal("drwxr-xr-x 2 me me 4096 Dec  6 20:01 cat\n", "my lists/classes.txt")
    assert message.endswith("`ls > 'my lists/classes.txt'` (or `ls -1`) lists them")


def test_the_dir_advice_quotes_a_file_name_with_a_comma_as_cmd_does():
    # cmd splits its arguments at ',' as at a space.
    message = refusal("12/06/2026  10:14 AM    <DIR>          cat\n", "cats,dogs.txt")
    assert '`dir /b /ad > "cats,dogs.txt"` (cmd)' in message


@pytest.mark.parametrize(
    "names",
    [
        # As many names of a date, a time and a number as other names: a class list.
        ["2026-12-07  10:15  3 wise men", "nativity scene"],
        ["07.12.2026  10:15  2 turtle doves", "12/06/2026  10:14 AM  5 gold rings", "cat", "dog"],
    ],
)
def test_rows_of_files_no_more_than_the_other_names_are_names(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.split(":")[0] for name in names]


# `dir *.jpg` in German: rows of files alone, under a header and over totals of more lines
# than the rows (cmd indents them, in every language).
GERMAN_FILES = (
    " Datenträger in Laufwerk C: ist System\n"
    " Volumeseriennummer: 1234-ABCD\n"
    "\n"
    " Verzeichnis von C:\\Fotos\n"
    "\n"
    "07.12.2026  10:15             1.234 Katze.jpg\n"
    "07.12.2026  10:16             2.345 Hund.jpg\n"
    "               2 Datei(en),          3.579 Bytes\n"
    "               0 Verzeichnis(se), 12.345 Bytes frei\n"
)


def test_a_translated_listing_of_files_alone_is_refused_from_its_header():
    message = refusal(GERMAN_FILES)
    assert message.startswith("c.txt:1: 'Datenträger in Laufwerk C: ist System' is a line of a")


def test_rows_of_files_with_swiss_sizes_are_a_listing():
    # Swiss German writes a size's thousands with an apostrophe (`1'234`): the rows were
    # split at their time's ':' into one class repeated.
    text = (
        "07.12.2026  10:15             1'234 Katze.jpg\n"
        "07.12.2026  10:15             2'345 Hund.jpg\n"
    )
    message = refusal(text)
    assert message.startswith('c.txt:1: "07.12.2026  10:15             1\'234 Katze.jpg" is a')
    assert "Windows `dir` listing" in message
    assert "duplicate" not in message


def test_comment_lines_do_not_make_rows_of_files_a_class_list():
    text = (
        "# Dateien\n# aus dir\n# vom 7. Dezember\n"
        "07.12.2026  10:15             1.234 Katze.jpg\n"
        "07.12.2026  10:16             2.345 Hund.jpg\n"
    )
    message = refusal(text)
    assert message.startswith("c.txt:4: '07.12.2026  10:15             1.234 Katze.jpg' is a")


def test_the_header_named_is_three_lines_at_most():
    # A line indented as cmd's header above a header of three lines is not part of it.
    text = (
        " Fotos vom Dezember\n"
        " Datenträger in Laufwerk C: ist System\n"
        " Volumeseriennummer: 1234-ABCD\n"
        "\n"
        " Verzeichnis von C:\\Fotos\n"
        "\n"
        "07.12.2026  10:15    <DIR>          Katze\n"
    )
    message = refusal(text)
    assert message.startswith("c.txt:2: 'Datenträger in Laufwerk C: ist System' is a line of")


def test_a_powershell_folder_line_above_names_is_refused():
    # `Get-ChildItem -Directory | Format-Wide -Column 1`: its folder line was class 'Directory'
    # with the prompt 'C:\photos'.
    message = refusal("\n    Directory: C:\\photos\n\ncat\ndog\n")
    assert message.startswith("c.txt:2: 'Directory: C:\\\\photos' is a line of a Windows `dir`")
