"""scan() on real folder trees: order, dedupe, globs, stdin lists, hidden files, links."""

from __future__ import annotations

import codecs
import errno
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import write_bad_files, write_non_utf8_file
from zsl_cli.discovery import IMAGE_EXTENSIONS, normalize_extensions, scan
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.files import absolute_path
from zsl_cli.formatting import printable


def discover(inputs: list, **options: object) -> list[Path]:
    """The run's input files, as every command finds them: `scan`'s paths."""
    return scan(inputs, **options).paths


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


@pytest.fixture
def photos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small tree, with the working directory set to its parent so relative paths work."""
    touch(
        tmp_path / "photos",
        "b.png",
        "a.JPG",
        "notes.txt",
        "Z.gif",
        "sub/c.jpeg",
        "sub/deeper/d.webp",
        "sub2/e.tif",
        ".hidden.png",
        ".cache/f.png",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path / "photos"


def names(paths: list[Path]) -> list[str]:
    return [str(path) for path in paths]


VISIBLE = [
    "photos/Z.gif",
    "photos/a.JPG",
    "photos/b.png",
    "photos/sub/c.jpeg",
    "photos/sub/deeper/d.webp",
    "photos/sub2/e.tif",
]


def test_walk_is_sorted_by_bytes_and_keeps_relative_spelling(photos: Path) -> None:
    assert names(discover(["photos"])) == VISIBLE  # 'Z' < 'a' in bytes; .txt and hidden left out
    assert names(discover(["photos/"])) == VISIBLE
    assert discover([str(photos)]) == [photos.parent / name for name in VISIBLE]


def test_order_does_not_depend_on_arguments(photos: Path) -> None:
    forward = discover(["photos/sub2", "photos/sub", "photos/b.png"])
    backward = discover(["photos/b.png", "photos/sub", "photos/sub2"])
    assert forward == backward
    assert names(forward) == [
        "photos/b.png",
        "photos/sub/c.jpeg",
        "photos/sub/deeper/d.webp",
        "photos/sub2/e.tif",
    ]


def test_duplicates_appear_once(photos: Path) -> None:
    found = discover(["photos", "photos/b.png", "./photos/sub", "photos/*.png", "photos//b.png"])
    assert names(found) == VISIBLE
    # Two spellings of one path: the relative one is kept, whatever the argument order.
    absolute = str(photos / "b.png")
    assert names(discover(["photos/b.png", absolute])) == ["photos/b.png"]
    assert names(discover([absolute, "photos/b.png"])) == ["photos/b.png"]


def test_explicit_files_are_kept_whatever_their_extension(photos: Path) -> None:
    assert names(discover(["photos/notes.txt", "photos/.hidden.png"])) == [
        "photos/.hidden.png",
        "photos/notes.txt",
    ]


def test_hidden_entries_need_include_hidden(photos: Path) -> None:
    found = names(discover(["photos"], include_hidden=True))
    assert found == sorted(VISIBLE + ["photos/.cache/f.png", "photos/.hidden.png"], key=os.fsencode)


def test_extensions_are_case_insensitive_and_configurable(photos: Path) -> None:
    assert names(discover(["photos"], extensions={"TXT", ".gif"})) == [
        "photos/Z.gif",
        "photos/notes.txt",
    ]
    assert normalize_extensions(["JPG", ".Png", "."]) == {".jpg", ".png"}
    assert {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"} <= IMAGE_EXTENSIONS


def test_globs(photos: Path) -> None:
    assert names(discover(["photos/*.png"])) == ["photos/b.png"]
    assert names(discover(["photos/[ab].*"])) == ["photos/a.JPG", "photos/b.png"]
    assert names(discover(["photos/sub?"])) == ["photos/sub2/e.tif"]  # matched folder is walked
    assert names(discover(["photos/**/*.jp*g"])) == ["photos/sub/c.jpeg"]  # `**` = 0+ folders
    assert names(discover(["photos/**"])) == VISIBLE
    assert names(discover(["**/d.webp"])) == ["photos/sub/deeper/d.webp"]
    assert names(discover(["photos/*"])) == VISIBLE  # notes.txt matched but not an image
    assert names(discover(["photos/.*"])) == ["photos/.cache/f.png", "photos/.hidden.png"]
    assert names(discover(["photos/*.png"], include_hidden=True)) == [
        "photos/.hidden.png",
        "photos/b.png",
    ]
    assert discover([str(photos) + "/s*/*.tif"]) == [photos / "sub2" / "e.tif"]


def test_literal_name_wins_over_glob(photos: Path) -> None:
    touch(photos, "x[1].png", "x1.png")
    assert names(discover(["photos/x[1].png"])) == ["photos/x[1].png"]
    assert names(discover(["photos/x[0-9].png"])) == ["photos/x1.png"]


def test_a_bracket_expression_opened_by_a_caret_is_negated_as_in_bash(photos: Path) -> None:
    # bash and zsh read '[^ab]' as '[!ab]'; fnmatch took '^' as a character to match, so the
    # quoted pattern matched nothing where the same pattern unquoted matched Z.gif.
    assert names(discover(["photos/[^ab].*"])) == ["photos/Z.gif"]
    assert names(discover(["photos/[!ab].*"])) == ["photos/Z.gif"]
    touch(photos, "^.png", "c^.png", "[^.png")
    assert names(discover(["photos/[a^].png"])) == ["photos/^.png"]  # not first: a character
    assert names(discover(["photos/c[]^].png"])) == ["photos/c^.png"]
    assert names(discover(["photos/[^.pn*"])) == ["photos/[^.png"]  # no ']': a literal '['


def test_a_folder_with_brackets_in_its_name_is_literal_inside_a_glob(photos: Path) -> None:
    # '[2023]' would match a folder named 'trip 2', not 'trip [2023]': the folder exists, so
    # the part is its name, as for a whole input (and as _glob_base takes it).
    touch(photos, "trip [2023]/a.png", "trip [2023]/b.jpg", "trip [2023]/sub/c.png", "trip 2/x.png")
    assert names(discover(["photos/trip [2023]/*.png"])) == ["photos/trip [2023]/a.png"]
    assert names(discover(["photos/trip [2023]/**/*.png"])) == [
        "photos/trip [2023]/a.png",
        "photos/trip [2023]/sub/c.png",
    ]
    assert names(discover(["photos/trip [0-9]/*.png"])) == ["photos/trip 2/x.png"]


def test_missing_argument_is_a_usage_error(photos: Path) -> None:
    for missing in ("photos/nope.jpg", "nothing/*.jpg", "photos/*.nope"):
        with pytest.raises(ZslError) as caught:
            discover(["photos", missing])
        if "*" in missing:  # a pattern: the shell's word would say nothing of why
            assert caught.value.message == f"no file or folder matches {missing}"
        else:
            assert caught.value.message == f"no such file or directory: {missing}"
        assert caught.value.exit_code == EXIT_USAGE


def test_no_images_is_a_usage_error(photos: Path) -> None:
    touch(photos, "empty_dir/readme.md")
    for inputs in (["photos/empty_dir"], ["photos/*.txt"]):
        with pytest.raises(ZslError) as caught:
            discover(inputs)
        message = caught.value.message
        assert message.startswith(f"no images found in {inputs[0]}")
        assert ".jpg" in message and ".png" in message and "--ext" in message
        assert "--include-hidden" not in message
        assert caught.value.exit_code == EXIT_USAGE
    with pytest.raises(ZslError):
        discover([])
    # Only hidden images: the message says where they went.
    touch(photos, "hidden_only/.a.png", "hidden_only/.b.png", "hidden_only/.notes.txt")
    with pytest.raises(ZslError, match="; 2 hidden image.* left out: add --include-hidden"):
        discover(["photos/hidden_only"])
    assert len(discover(["photos/hidden_only"], include_hidden=True)) == 2
    touch(photos, "in_hidden_folder/.cache/c.png", "in_hidden_folder/.DS_Store")
    with pytest.raises(ZslError, match="; 1 image in the hidden folder photos/in_hidden_fo"):
        discover(["photos/in_hidden_folder"])


def test_stdin_newline_list(photos: Path) -> None:
    listing = b"photos/b.png\r\n\n  \nphotos/sub\nphotos/missing.jpg\nphotos/notes.txt\n"
    found = names(discover(["-"], stdin=io.BytesIO(listing)))
    assert found == [
        "photos/b.png",
        "photos/missing.jpg",  # kept: the decoder reports it as not_found
        "photos/notes.txt",  # named, so kept whatever the extension
        "photos/sub/c.jpeg",
        "photos/sub/deeper/d.webp",
    ]


def test_stdin_replaced_by_a_text_stream(photos: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Notebooks and test runners replace sys.stdin with a text stream that has no bytes under it.
    monkeypatch.setattr(sys, "stdin", io.StringIO("photos/b.png\nphotos/a.JPG\n"))
    assert names(discover(["-"])) == ["photos/a.JPG", "photos/b.png"]


def test_stdin_nul_list_with_odd_names(photos: Path) -> None:
    (photos / "new\nline.png").write_bytes(b"x")
    raw = os.fsencode(photos) + b"/caf\xe9.png"  # need not exist
    listing = b"photos/new\nline.png\0" + raw + b"\0\0photos/a.JPG\0"
    found = discover(["-"], stdin=io.BytesIO(listing), nul_separated=True)
    assert [os.fsencode(path) for path in found] == [raw, b"photos/a.JPG", b"photos/new\nline.png"]


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        (b"photos/b.png\0photos/a.JPG\0", "NUL-separated: add -0"),
        (b"", "no paths on stdin"),
        (b"\n  \n", "no paths on stdin"),
    ],
)
def test_stdin_lists_that_cannot_be_meant(photos: Path, listing: bytes, message: str) -> None:
    with pytest.raises(ZslError, match=message):
        discover(["-"], stdin=io.BytesIO(listing))


def test_newline_list_given_with_null_is_refused(photos: Path) -> None:
    # `find ... | zsl label - -0` (no -print0) would be one path holding newlines.
    for listing in (b"photos/b.png\nphotos/a.JPG\n", b"photos/b.png\nphotos/a.JPG"):
        with pytest.raises(ZslError, match="no NUL byte: drop -0"):
            discover(["-"], stdin=io.BytesIO(listing), nul_separated=True)
    # One name, with no NUL after it, is that name.
    assert names(discover(["-"], stdin=io.BytesIO(b"photos/b.png"), nul_separated=True)) == [
        "photos/b.png"
    ]


def test_stdin_list_combines_with_arguments(photos: Path) -> None:
    found = names(discover(["photos/sub2", "-"], stdin=io.BytesIO(b"photos/b.png\n")))
    assert found == ["photos/b.png", "photos/sub2/e.tif"]


def test_non_utf8_names_survive(tmp_path: Path) -> None:
    created = write_non_utf8_file(tmp_path, b"x")
    if created is None:
        pytest.skip("file system refuses names that are not UTF-8")
    found = discover([str(tmp_path)])
    assert found == [created]
    assert os.fsencode(found[0]) == os.fsencode(tmp_path) + b"/caf\xe9.png"
    assert os.path.exists(found[0])
    assert discover([str(tmp_path / "caf*.png")]) == [created]
    with pytest.raises(ZslError) as caught:  # the message stays printable
        discover([str(tmp_path / "caf\udce9.jpg")])
    assert caught.value.message.endswith("caf\\xe9.jpg")
    caught.value.message.encode("utf-8")


def test_messages_show_control_characters_in_names_as_escapes(tmp_path: Path) -> None:
    # One line on stderr, and no escape sequence for the terminal, whatever a name holds.
    with pytest.raises(ZslError) as caught:
        discover([str(tmp_path / "gone\nzsl: error: \x1b]0;title\x07.png")])
    assert caught.value.message.endswith("gone\\nzsl: error: \\x1b]0;title\\x07.png")
    touch(tmp_path, ".hidden\x1b[2J\n/a.png")  # a name from the folder, not from the user
    with pytest.raises(ZslError) as caught:
        discover([str(tmp_path)])
    assert "/.hidden\\x1b[2J\\n was left out" in caught.value.message
    assert not any(character in caught.value.message for character in "\n\x1b")


def test_symlink_loops_terminate_and_do_not_repeat(tmp_path: Path) -> None:
    touch(tmp_path, "top/a.png", "top/sub/b.png")
    (tmp_path / "top" / "sub" / "up").symlink_to("..", target_is_directory=True)
    (tmp_path / "top" / "sub" / "up2").symlink_to("..", target_is_directory=True)
    (tmp_path / "top" / "self").symlink_to(".", target_is_directory=True)
    expected = [tmp_path / "top" / "a.png", tmp_path / "top" / "sub" / "b.png"]
    assert discover([str(tmp_path / "top")]) == expected
    assert discover([str(tmp_path / "top" / "**" / "*.png")]) == expected
    # Entering through a link is fine too: the walk still visits each real folder once.
    assert discover([str(tmp_path / "top" / "sub" / "up")]) == [
        tmp_path / "top" / "sub" / "up" / "a.png",
        tmp_path / "top" / "sub" / "up" / "sub" / "b.png",
    ]


def test_linked_folder_listed_once_under_its_real_name(tmp_path: Path) -> None:
    touch(tmp_path, "root/real/x.png")
    # 'a_link' sorts before 'real': still the link-free spelling is the one listed.
    (tmp_path / "root" / "a_link").symlink_to("real", target_is_directory=True)
    assert discover([str(tmp_path / "root")]) == [tmp_path / "root" / "real" / "x.png"]
    # A folder linked from outside the walked tree is followed.
    touch(tmp_path, "elsewhere/y.jpg")
    (tmp_path / "root" / "outside").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert discover([str(tmp_path / "root")])[0] == tmp_path / "root" / "outside" / "y.jpg"


def test_dot_dot_after_a_linked_folder_leads_where_the_file_system_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # here/link/.. is real/, not here/: two different a.png files, both inputs.
    touch(tmp_path, "real/a.png", "real/sub/b.png", "here/a.png")
    (tmp_path / "here" / "link").symlink_to(tmp_path / "real" / "sub", target_is_directory=True)
    monkeypatch.chdir(tmp_path / "here")
    found = discover(["link/../a.png", "a.png"])
    assert found == [Path("a.png"), Path("link/../a.png")]
    assert absolute_path("link/../a.png") == str(tmp_path / "real" / "a.png")
    assert absolute_path("./x/../a.png") == str(tmp_path / "here" / "a.png")  # no link: lexical
    assert scan(["link/.."]).roots == [str(tmp_path / "real")]


def test_file_links_are_separate_inputs_and_broken_links_are_returned(tmp_path: Path) -> None:
    touch(tmp_path, "a.png")
    (tmp_path / "alias.png").symlink_to("a.png")
    (tmp_path / "broken.jpg").symlink_to("gone.jpg")
    (tmp_path / "broken.txt").symlink_to("gone.txt")
    assert names(discover([str(tmp_path)])) == [
        str(tmp_path / name) for name in ("a.png", "alias.png", "broken.jpg")
    ]
    assert discover([str(tmp_path / "broken.txt")]) == [tmp_path / "broken.txt"]


def test_folder_named_like_an_image_is_walked(tmp_path: Path) -> None:
    touch(tmp_path, "album.jpg/inside.png")
    assert discover([str(tmp_path)]) == [tmp_path / "album.jpg" / "inside.png"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 folder")
def test_unreadable_folder_is_skipped_and_reported(tmp_path: Path) -> None:
    touch(tmp_path, "ok/a.png", "locked/b.png")
    (tmp_path / "locked").chmod(0)
    try:
        result = scan([str(tmp_path)])
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.paths == [tmp_path / "ok" / "a.png"]
    assert result.skipped == [(tmp_path / "locked", "permission denied")]


def test_a_folder_the_system_refuses_to_list_is_skipped_and_reported(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root (CI containers) chmod 000 does not refuse a listing: the test above, simulated.
    touch(photos, "locked/b.png")
    refuse_locked(monkeypatch)
    result = scan(["photos"])
    assert Path("photos/locked/b.png") not in result.paths and Path("photos/b.png") in result.paths
    assert result.skipped == [(Path("photos/locked"), "permission denied")]


def test_bad_file_corpus_walk(tmp_path: Path) -> None:
    expected = write_bad_files(tmp_path / "bad")
    not_walked = {"missing.jpg", "folder.jpg", "again", "script.eps"}
    wanted = sorted((p for p in expected if p.name not in not_walked), key=os.fsencode)
    assert discover([str(tmp_path / "bad")]) == wanted


def test_walk_stats_folders_not_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Speed for 100k files: scandir's own type information, one stat per folder, none per file."""
    for folder in range(10):
        (tmp_path / f"d{folder}").mkdir()
        for index in range(50):
            (tmp_path / f"d{folder}" / f"{index}.jpg").write_bytes(b"")
    calls = []
    real_stat = os.stat

    def counting_stat(*args, **kwargs):
        calls.append(args[0])
        return real_stat(*args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    found = discover([str(tmp_path)])
    monkeypatch.undo()
    assert len(found) == 500
    assert len(calls) <= 11 + 2  # 10 folders + the root, + the isdir check of the argument


def test_inputs_may_be_path_objects(tmp_path: Path) -> None:
    touch(tmp_path, "a/x.png", "b/y.jpg", "b/z.png")
    found = scan([tmp_path / "a", tmp_path / "b" / "*.png"])
    assert found.paths == [tmp_path / "a" / "x.png", tmp_path / "b" / "z.png"]
    with pytest.raises(ZslError, match="no such file or directory"):
        scan([tmp_path / "gone"])


def test_printable_text_no_file_name_could_hold_in_this_locale():
    # In a C or Latin-1 locale without UTF-8 mode, os.fsencode cannot encode a class name read
    # from a UTF-8 file ("green 🌲"): `zsl evaluate`'s table ended in a UnicodeEncodeError.
    code = (
        "from zsl_cli.formatting import printable; print(ascii(printable('green \\U0001f332\\n')))"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout.decode().strip() == ascii("green 🌲\\n")


def test_files_left_out_by_their_extension_are_counted_per_extension(photos: Path) -> None:
    touch(photos, "x.jp2", "sub/y.TGA", "sub/z.tga", "sub/.w.tga", "notes.json")
    assert scan(["photos"]).left_out == {".jp2": 1, ".tga": 2, ".txt": 1, ".json": 1}
    # A folder given twice (or inside another given one) counts its files once.
    assert scan(["photos", "photos/sub"]).left_out == scan(["photos"]).left_out
    # Globs count the files they matched, not those the pattern passed by.
    assert scan(["photos/*.*"]).left_out == {".jp2": 1, ".txt": 1, ".json": 1}
    assert scan(["photos/*.png"]).left_out == {}
    # A file named on the command line is taken, whatever its extension.
    assert scan(["photos/x.jp2"]).left_out == {}
    assert scan(["photos"], extensions={"png"}).left_out[".jpg"] == 1  # a.JPG
    assert scan(["photos"], include_hidden=True).left_out[".tga"] == 3


def test_files_left_out_are_counted_once_whatever_the_spelling_of_their_folder(
    photos: Path,
) -> None:
    # Images are one input per absolute path; the files left out beside them count so too.
    touch(photos, "x.jp2", "sub/y.tga", "sub/z.json")
    once = scan(["photos"]).left_out
    assert once == {".jp2": 1, ".json": 1, ".tga": 1, ".txt": 1}
    for overlapping in (
        ["photos", str(photos / "sub")],  # absolute and relative
        ["./photos/sub/", "photos"],
        ["photos", "photos/sub/../sub", "photos/./sub"],
        ["photos/**", str(photos)],
        ["photos/sub/*", "photos"],
        [str(photos), "photos", "photos/"],
    ):
        assert scan(overlapping).left_out == once, overlapping
    # A file a walk passed over but the user named is taken, not left out.
    assert scan(["photos", "photos/x.jp2"]).left_out == {".json": 1, ".tga": 1, ".txt": 1}
    assert scan(["photos/sub", str(photos / "sub" / "y.tga")]).left_out == {".json": 1}


def test_no_images_message_names_readable_files_left_out_by_extension(photos: Path) -> None:
    touch(photos, "others/a.jp2", "others/b.jp2", "others/c.tga", "others/d.json")
    with pytest.raises(ZslError) as caught:
        scan(["photos/others"], readable_extensions=lambda: {".jp2", ".tga"})
    assert caught.value.message.endswith(
        "; 3 images with other extensions were left out (.jp2 2, .tga 1): add them with --ext"
    )
    with pytest.raises(ZslError) as caught:
        scan(["photos/others"])  # the caller named no readable extensions
    assert "left out" not in caught.value.message


# Tests from a mutation audit of discovery.py: each pins a behaviour no other test checked.


def test_no_inputs_at_all_is_its_own_error(photos: Path) -> None:
    with pytest.raises(ZslError, match="^no input paths given$"):
        scan([])


def test_an_empty_input_is_a_missing_path(photos: Path) -> None:
    # '' has no glob character: it is a missing name, not a pattern to expand (nor the current
    # folder), and told as one, not as 'no such file or directory: ' quoting nothing.
    with pytest.raises(ZslError, match="^'' names no file or folder"):
        scan([""])


def test_a_stdin_list_of_folders_without_images_says_no_images(photos: Path) -> None:
    touch(photos, "empty_dir/readme.md")
    with pytest.raises(ZslError, match="^no images found in -"):
        scan(["-"], stdin=io.BytesIO(b"photos/empty_dir\n"))


def test_allow_empty_returns_an_empty_scan(photos: Path) -> None:
    touch(photos, "empty_dir/readme.md")
    found = scan(["photos/empty_dir"], allow_empty=True)
    assert found.paths == [] and found.left_out == {".md": 1}


def test_roots_are_absolute_for_every_kind_of_input(photos: Path) -> None:
    touch(photos, "trip [2023]/a.png")
    here = Path.cwd()
    found = scan(
        ["photos/sub", "photos/sub2/*.tif", "photos/trip [2023]/*.png", "-"],
        stdin=io.BytesIO(b"photos/b.png\nphotos/gone.png\n"),
    )
    assert found.roots == [
        str(here / "photos/sub"),
        str(here / "photos/sub2"),  # a glob's folder before its first wildcard
        str(here / "photos/trip [2023]"),  # a literal name with brackets is no wildcard
        str(here / "photos/b.png"),
        str(here / "photos/gone.png"),  # listed, found or not
    ]


def test_the_root_of_a_glob_wild_from_its_first_folder_is_the_file_system_root(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "a.png")
    first, *rest = tmp_path.parts[1:]
    pattern = os.path.join(os.sep, f"[{first[0]}]{first[1:]}", *rest, "*.png")
    found = scan([pattern])
    assert found.paths == [tmp_path / "a.png"]
    assert found.roots == [os.sep]


def test_missing_ok_keeps_only_names_of_files_with_a_listed_extension(photos: Path) -> None:
    assert scan(["photos/gone.png"], missing_ok=True).paths == [Path("photos/gone.png")]
    for name in ("photos/gone", "photos/gone.txt"):
        with pytest.raises(ZslError, match="no such file or directory"):
            scan([name], missing_ok=True)
    with pytest.raises(ZslError, match=r"^no file or folder matches photos/gone\*\.png$"):
        scan(["photos/gone*.png"], missing_ok=True)


def test_a_missing_file_kept_for_missing_ok_is_spelled_as_a_listed_one(photos: Path) -> None:
    # Of two spellings of one path the one without '..' is kept, in pathlib's spelling, as for
    # any other input, though "a/../x.png" < "x.png" byte-wise (and not "./x.png").
    spellings = ["./x.png", "a/../x.png"]
    listed = scan(["-"], stdin=io.BytesIO("\n".join(spellings).encode()))
    assert scan(spellings, missing_ok=True).paths == listed.paths == [Path("x.png")]


def test_order_is_by_bytes_for_names_that_are_not_utf8(tmp_path: Path) -> None:
    # b"\x80" (escaped as U+DC80) sorts before "é" (b"\xc3\xa9") in bytes, after it as text.
    escaped = write_non_utf8_file(tmp_path, b"x", stem=b"\x80")
    if escaped is None:
        pytest.skip("file system refuses names that are not UTF-8")
    touch(tmp_path, "é.png")
    assert discover([str(tmp_path)]) == [escaped, tmp_path / "é.png"]


def test_a_path_through_a_file_is_missing(photos: Path) -> None:
    with pytest.raises(ZslError, match="no such file or directory: photos/b.png/x.png"):
        scan(["photos/b.png/x.png"])


def test_a_file_named_with_a_trailing_slash_is_not_a_folder(photos: Path) -> None:
    # It was 'no such file or directory', of a file that is there.
    with pytest.raises(ZslError) as caught:
        scan(["photos/b.png/"])
    assert caught.value.message == "not a folder: photos/b.png/ (give the file without the '/')"


def test_a_glob_records_no_skipped_folder_for_paths_that_are_not_folders(photos: Path) -> None:
    # photos/*/ matches files and folders alike; photos/sub2 has no 'deeper': neither is an
    # unreadable folder.
    found = scan(["photos/*/deeper/*.webp", "photos/*/*.tif"])
    assert names(found.paths) == ["photos/sub/deeper/d.webp", "photos/sub2/e.tif"]
    assert found.skipped == []


def test_of_two_links_to_one_folder_the_smaller_name_is_listed(tmp_path: Path) -> None:
    touch(tmp_path, "elsewhere/y.jpg", "root/x.png")
    for name in ("b_link", "a_link"):
        (tmp_path / "root" / name).symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    assert discover([str(tmp_path / "root")]) == [
        tmp_path / "root" / "a_link" / "y.jpg",
        tmp_path / "root" / "x.png",
    ]


def test_a_folder_that_cannot_be_entered_is_skipped_with_a_lower_case_reason(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root reads any folder, so a chmod cannot lock one: refuse the stat of photos/sub instead.
    real_stat = os.stat

    def refuse_sub(path, *args, **kwargs):
        if os.fspath(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refuse_sub)
    found = scan(["photos"])
    monkeypatch.undo()
    assert Path("photos/sub/c.jpeg") not in found.paths
    assert found.skipped == [(Path("photos/sub"), "permission denied")]


def test_messages_escape_c1_control_characters() -> None:
    assert printable("a\x85b\x9bc.png") == "a\\x85b\\x9bc.png"


def test_a_path_whose_parent_cannot_be_searched_is_kept_for_the_decoder(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # lstat fails with EACCES, not ENOENT: something may be there, and the decoder says what.
    real_lstat = os.lstat

    def refuse(path, *args, **kwargs):
        if os.fspath(path).startswith("photos/locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", refuse)
    assert discover(["photos/locked/a.png"]) == [Path("photos/locked/a.png")]


def test_a_walk_of_the_working_folder_spells_its_files_without_dot_slash(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "b.png", relative, is kept over the absolute spelling, and not as "./b.png".
    monkeypatch.chdir(photos)
    absolute = str(photos / "b.png")
    assert names(discover([".", absolute])[:3]) == ["Z.gif", "a.JPG", "b.png"]


def test_no_images_message_names_three_inputs_and_counts_the_rest(photos: Path) -> None:
    touch(photos, "e1/x.md", "e2/x.md", "e3/x.md", "e4/x.md")
    for count, shown in ((3, "photos/e1, photos/e2, photos/e3 ("), (4, "photos/e3 and 1 more (")):
        inputs = [f"photos/e{index}" for index in range(1, count + 1)]
        with pytest.raises(ZslError) as caught:
            scan(inputs)
        assert shown in caught.value.message


def test_readable_extensions_are_asked_only_when_files_were_left_out(photos: Path) -> None:
    (photos / "empty").mkdir()
    asked = []
    with pytest.raises(ZslError):
        scan(["photos/empty"], readable_extensions=lambda: asked.append(1) or {".jp2"})
    assert asked == []


def test_hidden_images_are_named_before_hidden_folders(photos: Path) -> None:
    touch(photos, "both/.a.png", "both/.cache/b.png")
    with pytest.raises(ZslError) as caught:
        scan(["photos/both"])
    assert caught.value.message.endswith(
        "; 1 hidden image (names starting with '.') and 1 image in the hidden folder "
        "photos/both/.cache were left out: add --include-hidden to take them"
    )


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("photos/g/**/*.txt", None),  # .a.png does not match, hidden or not
        ("photos/g/**/notes.txt", None),
        ("photos/g/**/*", "; 1 hidden image (names"),
        ("photos/g/*/*", "; 1 hidden image (names"),
        ("photos/g/*/*.txt", None),
        ("photos/g/*", "; 1 hidden image (names"),  # sub, walked, holds it
    ],
)
def test_the_hidden_images_hint_counts_only_what_include_hidden_would_take(
    photos: Path, pattern: str, hint: str | None
) -> None:
    touch(photos, "g/sub/.a.png", "g/sub/notes.txt")
    with pytest.raises(ZslError) as caught:
        scan([pattern])
    assert (hint in caught.value.message) if hint else "hidden" not in caught.value.message
    if hint:
        assert len(scan([pattern], include_hidden=True).paths) == 1
    else:
        with pytest.raises(ZslError, match="no images found"):
            scan([pattern], include_hidden=True)


def test_no_images_message_names_the_first_unreadable_folder(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(photos, "locked/a/x.png", "locked/b/y.png")
    real_scandir = os.scandir

    def refuse(path="."):
        if os.path.basename(os.fspath(path)) in ("a", "b"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(ZslError) as caught:
        scan(["photos/locked"])
    assert caught.value.message.endswith(
        "; 2 folders unreadable, e.g. photos/locked/a: permission denied"
    )


def test_files_left_out_are_listed_by_extension(photos: Path) -> None:
    touch(photos, "x.tga", "y.jp2", "z.json")
    assert list(scan(["photos"]).left_out) == [".jp2", ".json", ".tga", ".txt"]


def test_hidden_images_are_counted_once_however_often_their_folder_is_walked(
    photos: Path,
) -> None:
    touch(photos, "h/sub/.a.png", "h/sub/deeper/.b.png", "h/sub/x.txt")
    for inputs in (["photos/h"], ["photos/h", "photos/h/sub"], ["photos/h/**/*"], ["photos/h/*"]):
        with pytest.raises(ZslError) as caught:
            scan(inputs)
        message = caught.value.message
        assert "; 2 hidden images (names starting with '.') were left out" in message, inputs


def refuse_locked(monkeypatch: pytest.MonkeyPatch, error: int = 13) -> None:
    """Make photos/locked act as a chmod 000 folder does for a user who is not root (root reads
    any folder): it cannot be listed, nor any name in it looked up."""
    real_lstat, real_stat, real_scandir = os.lstat, os.stat, os.scandir

    def lstat(path, *args, **kwargs):
        if os.fspath(path).startswith("photos/locked/"):
            raise OSError(error, os.strerror(error), path)
        return real_lstat(path, *args, **kwargs)

    def stat(path, *args, **kwargs):
        if os.fspath(path).startswith("photos/locked/"):
            raise OSError(error, os.strerror(error), path)
        return real_stat(path, *args, **kwargs)

    def scandir(path="."):
        if os.fspath(path) == "photos/locked":
            raise OSError(error, os.strerror(error), path)
        return real_scandir(path)

    monkeypatch.setattr(os, "lstat", lstat)
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)


def test_a_wildcard_that_cannot_be_looked_up_is_a_pattern_not_a_file(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Taken as a name that may exist, 'photos/locked/*.png' was an input (a row 'unreadable' for
    # a file named '*.png') and the folder that could not be read was not reported.
    touch(photos, "locked/x.png")
    refuse_locked(monkeypatch)
    found = scan(["photos/*/*.png", "photos/sub"])
    assert names(found.paths) == ["photos/sub/c.jpeg", "photos/sub/deeper/d.webp"]
    assert found.skipped == [(Path("photos/locked"), "permission denied")]
    # Alone, a pattern that cannot be searched is reported so, not as a missing path.
    for pattern, folder in (
        ("photos/locked/*.png", "photos/locked"),
        ("photos/locked/sub/*.png", "photos/locked/sub"),  # no wildcard before the folder
    ):
        with pytest.raises(ZslError) as caught:
            scan([pattern])
        assert caught.value.message.startswith(f"no images found in {pattern}")
        assert caught.value.message.endswith(f"unreadable, e.g. {folder}: permission denied")
    # A name without wildcards there is still kept for the decoder to report.
    assert discover(["photos/locked/x.png"]) == [Path("photos/locked/x.png")]


def test_a_wildcard_too_long_to_look_up_is_expanded(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a folder some 4,090 bytes deep, 'folder/*.jpeg' is longer than a path may be: lstat
    # fails with ENAMETOOLONG, and the pattern was returned as a file named '*.jpeg'.
    real_lstat = os.lstat

    def lstat(path, *args, **kwargs):
        if "*" in os.fspath(path):
            raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), path)
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", lstat)
    assert names(discover(["photos/**/*.jpeg"])) == ["photos/sub/c.jpeg"]


def test_an_unreadable_folder_is_reported_once_however_often_it_is_met(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each walk that met it recorded it: '1 folder' read as '4 folders could not be read'.
    touch(photos, "locked/x.png")
    refuse_locked(monkeypatch)
    found = scan(["photos", "photos/", str(photos), "photos/*", "photos/**/*.png"])
    assert found.skipped == [(Path("photos/locked"), "permission denied")]


def test_a_pattern_ending_in_a_separator_matches_folders_only(photos: Path) -> None:
    # As in a shell, 'photos/*/' is the sub-folders: it also took photos' own images.
    assert names(discover(["photos/*/"])) == [
        "photos/sub/c.jpeg",
        "photos/sub/deeper/d.webp",
        "photos/sub2/e.tif",
    ]
    assert names(discover(["photos/s*/*/"])) == ["photos/sub/deeper/d.webp"]
    with pytest.raises(ZslError, match="no file or folder matches photos/b.pn\\?/"):
        discover(["photos/b.pn?/"])


def test_a_folder_reached_through_two_inputs_lists_its_images_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One walk of photos lists zoo once; 'photos/*' (or the shell's expansion of it) walked zoo
    # and the link to it apart, and labelled each image twice (embed: '4 found, 2 encoded').
    touch(tmp_path, "photos/zoo/x.png", "photos/zoo/y.png", "photos/zoo/z.tga", "photos/top.png")
    (tmp_path / "photos" / "animals").symlink_to("zoo", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    once = ["photos/top.png", "photos/zoo/x.png", "photos/zoo/y.png"]
    assert names(discover(["photos"])) == once
    listed = b"photos/animals/x.png\nphotos/zoo/x.png\nphotos/animals/y.png\nphotos/zoo/y.png\n"
    for inputs in (
        ["photos/*"],
        ["photos/animals", "photos/zoo", "photos/top.png"],
        ["photos/zoo", "photos/top.png", "photos/animals"],
        ["photos", "photos/animals/x.png"],
        ["photos/top.png", "-"],
    ):
        found = scan(inputs, stdin=io.BytesIO(listed))
        # The spelling without a link is kept, as a walk of photos keeps it ('animals' < 'zoo').
        assert names(found.paths) == once, inputs
    assert scan(["photos/animals", "photos/zoo"]).left_out == {".tga": 1}
    # A link to a file stays an input of its own, as in the store (a curated folder of links).
    (tmp_path / "photos" / "alias.png").symlink_to("zoo/x.png")
    assert "photos/alias.png" in names(discover(["photos/*"]))


def test_hidden_images_and_folders_left_out_are_counted(photos: Path) -> None:
    # A run that found images said nothing of the hidden ones it passed over: only a run that
    # found none named them. The counts let it say so.
    touch(photos, "sub/.b.png", "sub/.x.txt", "sub/.git/c.png")
    for inputs in (["photos"], ["photos", "photos/sub", str(photos)], ["photos/**"]):
        found = scan(inputs)
        # .hidden.png and sub/.b.png; .cache and sub/.git, whose files were not looked at.
        assert (found.hidden_images, found.hidden_folders) == (2, 2), inputs
    named = scan(["photos", "photos/.hidden.png"])
    assert (named.hidden_images, named.hidden_folders) == (1, 2)  # .hidden.png is an input
    every = scan(["photos"], include_hidden=True)
    assert (every.hidden_images, every.hidden_folders) == (0, 0)


def test_stdin_lists_saved_by_windows_editors(photos: Path) -> None:
    # Notepad's UTF-8 byte-order mark went into the first name ('photos/b.png: not found' for a
    # file that is there; `cat a.txt b.txt` leaves one mid-list); PowerShell 5's UTF-16 was
    # taken for a NUL-separated list and the user told to add -0.
    listing = codecs.BOM_UTF8 + b"photos/b.png\r\n" + codecs.BOM_UTF8 + b"photos/a.JPG\r\n"
    assert names(discover(["-"], stdin=io.BytesIO(listing))) == ["photos/a.JPG", "photos/b.png"]
    for nul_separated in (False, True):
        for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
            utf16 = io.BytesIO(bom + "photos/b.png\r\n".encode(codec))
            with pytest.raises(
                ZslError, match="^the path list on stdin is UTF-16: save it as UTF-8"
            ):
                discover(["-"], stdin=utf16, nul_separated=nul_separated)


@pytest.mark.parametrize("extension", ["*.png", "jpg png", "tar.gz", "photos/x", "[jp]g"])
def test_an_extension_no_file_name_ends_in_is_refused(photos: Path, extension: str) -> None:
    # '--ext "png,*.jpg"' left every JPEG out, with a warning to add them with --ext.
    with pytest.raises(ZslError, match=f"^--ext {re.escape(extension)}: an extension is"):
        scan(["photos"], extensions=["png", extension])


def test_a_second_glob_in_a_folder_that_cannot_be_read_reports_it_too(
    photos: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The folder is reported once; the second glob, finding nothing new to report, said 'no such
    # file or directory' for a pattern whose folder was the trouble, as for a missing path.
    touch(photos, "locked/x.png")
    refuse_locked(monkeypatch)
    found = scan(["photos/locked/*.png", "photos/locked/*.jpg"], allow_empty=True)
    assert found.paths == [] and found.skipped == [(Path("photos/locked"), "permission denied")]


class _EndlessStream(io.RawIOBase):
    """/dev/zero or `yes`: `byte` forever. A reader that keeps reading fails instead of filling
    the memory (zsl read the whole of stdin before looking at it)."""

    def __init__(self, byte: bytes, head: bytes = b"") -> None:
        self.head = head
        self.byte = byte
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        assert self.given < 8 << 20, "read on past 8 MB of an endless stream"
        count = len(buffer)
        data = (self.head + self.byte * count)[:count]
        self.head = self.head[len(data) :]
        buffer[:count] = data
        self.given += count
        return count


@pytest.mark.parametrize(
    ("byte", "head", "nul_separated", "message"),
    [
        (b"\0", b"", True, "has NUL bytes in a row, as in /dev/zero: it is no path list"),
        (b"\0", b"", False, "has NUL bytes in a row, as in /dev/zero: it is no path list"),
        (b"\0", b"photos/b.png\0", True, "has NUL bytes in a row, as in /dev/zero"),
        (b"a", b"photos/b.png\n", False, "has an entry longer than any path .*: entry 2, aaaa"),
        (b"a", b"photos/b.png\0", True, "has an entry longer than any path .*: entry 2, aaaa"),
        (b"a\n", b"", True, "has no NUL byte: drop -0"),
    ],
)
def test_an_endless_stdin_list_ends_with_one_error(
    photos: Path, byte: bytes, head: bytes, nul_separated: bool, message: str
) -> None:
    # `zsl label - -0 < /dev/zero` took all the memory there was (or a MemoryError traceback).
    stream = _EndlessStream(byte, head)
    with pytest.raises(ZslError, match=f"^the path list on stdin {message}"):
        discover(["-"], stdin=io.BufferedReader(stream), nul_separated=nul_separated)
    assert stream.given < 1 << 20


def test_a_stdin_list_is_taken_as_it_comes(photos: Path) -> None:
    # A NUL byte after the paths still refuses the list, and a few empty entries in a NUL list
    # (`printf '%s\0' "$@"` with an empty argument) are no /dev/zero.
    listing = b"photos/b.png\nphotos/a.JPG\n\0"
    with pytest.raises(ZslError, match="is NUL-separated: add -0"):
        discover(["-"], stdin=io.BytesIO(listing))
    listing = b"\0\0photos/b.png\0\0\0photos/a.JPG"
    found = discover(["-"], stdin=io.BytesIO(listing), nul_separated=True)
    assert names(found) == ["photos/a.JPG", "photos/b.png"]
