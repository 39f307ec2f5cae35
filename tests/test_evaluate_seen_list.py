"""`zsl evaluate`'s inputs: the seen classes given in Python, a seen list that cannot be read,
and truth CSVs that name their delimiter for Excel. Real files, written here; the CLI through
CliRunner."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import LABELLED_IMAGES, write_labelled
from tests.permissions import refuse_reading
from zsl_cli import api
from zsl_cli.cli import app
from zsl_cli.errors import ZslError

IMAGES = LABELLED_IMAGES


def run(*args: object):
    return CliRunner().invoke(app, [str(arg) for arg in args])


@pytest.fixture()
def labelled(tmp_path: Path) -> tuple[Path, Path]:
    return write_labelled(tmp_path, IMAGES)


def gzsl_numbers(result: api.EvaluationResult) -> tuple:
    gzsl = result.gzsl
    assert gzsl is not None
    return gzsl.seen_classes, gzsl.unseen_classes, gzsl.seen, gzsl.unseen, gzsl.harmonic_mean


# --- a. the seen classes as a path or as names ---------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [["cat", "dog"], ("dog", "cat"), {"cat", "dog"}, frozenset({"cat", "dog"})],
    ids=["list", "tuple", "set", "frozenset"],
)
def test_the_seen_classes_may_be_given_as_names_and_count_as_a_list_of_them(labelled, names):
    predictions, truth = labelled
    listed = truth.parent / "seen.txt"
    listed.write_text("cat\ndog\n")
    from_file = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=listed))
    from_names = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=names))
    assert gzsl_numbers(from_names) == gzsl_numbers(from_file)
    assert gzsl_numbers(from_names)[:4] == (("cat", "dog"), ("bird",), 0.75, 0.5)


def test_the_seen_classes_as_a_path_string_or_a_path(labelled):
    # A str is a path, never a collection of one-letter class names.
    predictions, truth = labelled
    listed = truth.parent / "seen.txt"
    listed.write_text("bird\n")
    for seen in (str(listed), listed):
        request = api.EvaluateRequest(str(predictions), str(truth), seen=seen)
        assert request.seen == str(listed)
        assert gzsl_numbers(api.evaluate(request))[:2] == (("bird",), ("cat", "dog"))
    missing = api.EvaluateRequest(str(predictions), str(truth), seen="bird")
    with pytest.raises(ZslError, match="^seen-class list not found: bird; "):
        api.evaluate(missing)


def test_seen_names_are_kept_as_a_tuple_so_the_request_stays_hashable(labelled):
    predictions, truth = labelled
    request = api.EvaluateRequest(str(predictions), str(truth), seen=["cat", "dog"])
    assert request.seen == ("cat", "dog")
    assert hash(request) == hash(api.EvaluateRequest(str(predictions), str(truth), ("cat", "dog")))


def test_seen_names_that_are_no_class_are_warned_of_as_a_list_s_are(labelled):
    predictions, truth = labelled
    result = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=["cat", "cow"]))
    assert any("1 seen class is neither in the truth" in w and "cow" in w for w in result.warnings)


def test_a_seen_list_in_utf16_is_read_by_its_mark_as_a_truth_csv_is(labelled):
    # Windows PowerShell's `>` writes UTF-16 led by its byte-order mark.
    predictions, truth = labelled
    listed = truth.parent / "seen.txt"
    listed.write_bytes("\ufeffcat\r\ndog\r\n".encode("utf-16-le"))
    by_names = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=["cat", "dog"]))
    from_file = api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=listed))
    assert gzsl_numbers(from_file) == gzsl_numbers(by_names)


def test_evaluate_files_takes_the_seen_classes_once(labelled):
    from zsl_cli.evaluation import evaluate_files

    predictions, truth = labelled
    listed = truth.parent / "seen.txt"
    listed.write_text("cat\ndog\n")
    by_names = evaluate_files(predictions, truth, seen=["cat", "dog"])
    assert gzsl_numbers(by_names) == gzsl_numbers(
        evaluate_files(predictions, truth, seen_path=listed)
    )
    with pytest.raises(ZslError, match="give the seen classes once"):
        evaluate_files(predictions, truth, seen_path=listed, seen=["cat"])


# --- b. a seen list that cannot be read: one line, exit 2, worded as the truth's --------------


def refused(*args: object) -> str:
    """The one line on stderr of an evaluate that a user's input stopped, without a traceback."""
    result = run("evaluate", *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.startswith("zsl: error: ") and result.stderr.count("\n") == 1
    return result.stderr.removeprefix("zsl: error: ").rstrip("\n")


def as_for_the_truth(labelled: tuple[Path, Path], content: bytes | None) -> tuple[str, str]:
    """The messages for a seen list and for a truth CSV that hold `content` (None: not there),
    each path shown as P."""
    predictions, truth = labelled
    seen, truth_csv = truth.parent / "seen.txt", truth.parent / "truth.csv"
    if content is not None:
        seen.write_bytes(content)
        truth_csv.write_bytes(content)
    for_seen = refused(predictions, "--truth", truth, "--seen", seen)
    for_truth = refused(predictions, "--truth", truth_csv)
    return for_seen.replace(str(seen), "P"), for_truth.replace(str(truth_csv), "P")


@pytest.mark.parametrize(
    "content",
    [
        b"cat\0\0\0\0\0\0\0\0dog\n",
        b"c\x00a\x00t\x00\n\x00",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    ],
    ids=["binary", "utf-16 without its mark", "an image"],
)
def test_a_seen_list_that_is_no_utf8_text_is_refused_as_a_truth_csv_is(labelled, content):
    for_seen, for_truth = as_for_the_truth(labelled, content)
    assert for_seen == "the seen-class list P: not UTF-8 text (UTF-16 or binary); save it as UTF-8"
    # The same words, each naming its own file and its own fix.
    assert for_truth.startswith("the ground truth P: not UTF-8 text (UTF-16 or binary); ")


def test_a_seen_list_not_there_or_a_folder_is_refused_in_the_words_of_a_class_file(labelled):
    predictions, truth = labelled
    nothere = truth.parent / "nothere.txt"
    missing = refused(predictions, "--truth", truth, "--seen", nothere)
    folder = refused(predictions, "--truth", truth, "--seen", truth)
    assert missing == f"seen-class list not found: {nothere}"
    assert folder == f"seen-class list is a directory: {truth}"


def test_a_seen_list_in_a_path_through_a_file_is_refused(labelled):
    predictions, truth = labelled
    (truth.parent / "seen.txt").write_text("cat\n")
    inside = truth.parent / "seen.txt" / "x"
    refusal = refused(predictions, "--truth", truth, "--seen", inside)
    assert refusal == f"seen-class list not found: {inside}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_a_seen_list_without_read_permission_is_refused_as_a_truth_csv_is(labelled):
    predictions, truth = labelled
    seen, truth_csv = truth.parent / "seen.txt", truth.parent / "truth.csv"
    seen.write_text("cat\n")
    truth_csv.write_text("path,label\n")
    for path in (seen, truth_csv):
        path.chmod(0)
    for_seen, for_truth = as_for_the_truth(labelled, None)
    assert for_seen == "cannot read the seen-class list P: Permission denied"
    assert for_truth == "cannot read the ground truth P: Permission denied"


def test_a_seen_list_the_system_refuses_to_open_is_refused_as_a_truth_csv_is(labelled, monkeypatch):
    # As root (CI containers) chmod 000 does not refuse a read: the test above, simulated.
    predictions, truth = labelled
    seen, truth_csv = truth.parent / "seen.txt", truth.parent / "truth.csv"
    seen.write_text("cat\n")
    truth_csv.write_text("path,label\n")
    refuse_reading(monkeypatch, seen, truth_csv)
    for_seen, for_truth = as_for_the_truth(labelled, None)
    assert for_seen == "cannot read the seen-class list P: Permission denied"
    assert for_truth == "cannot read the ground truth P: Permission denied"


def test_an_empty_seen_list_is_refused(labelled):
    predictions, truth = labelled
    seen = truth.parent / "seen.txt"
    seen.write_text("# seen classes\n\n")
    refusal = refused(predictions, "--truth", truth, "--seen", seen)
    assert refusal == f"{seen}: the seen-class list is empty; put one class name per line"


# --- c. a truth CSV led by Excel's separator line, quoted ----------------------------------------


@pytest.mark.parametrize(
    ("first", "delimiter", "newline", "start"),
    [
        # As a CSV writer writes the one-cell row ["sep=;"] with ';' as its delimiter: quoted,
        # since the cell holds the delimiter (PHP's fputcsv, Python's csv with delimiter=';').
        ('"sep=;"', ";", "\r\n", ""),
        ('"sep=;"', ";", "\n", "\ufeff"),  # "CSV UTF-8": a byte-order mark first
        ('"sep=,"', ",", "\n", ""),
        ('"sep=\t"', "\t", "\n", ""),
        (' "sep=|" ', "|", "\r\n", ""),
        ("sep=;", ";", "\n", ""),  # unquoted, as before
    ],
    ids=["semicolon crlf", "semicolon bom", "comma", "tab", "bar spaced", "unquoted"],
)
def test_a_quoted_excel_separator_line_names_the_truth_csv_s_delimiter(
    labelled, first, delimiter, newline, start
):
    # Quoted, it was read as the header: "needs a header with a path column ... (found: sep=;)".
    predictions, truth = labelled
    rows = [f"{truth}/{name}{delimiter}{label}" for name, (label, _) in IMAGES.items()]
    with_line = truth.parent / "truth.csv"
    text = start + newline.join([first, f"path{delimiter}label", *rows]) + newline
    with_line.write_bytes(text.encode())
    plain = truth.parent / "plain.csv"
    plain.write_text("path,label\n" + "\n".join(row.replace(delimiter, ",") for row in rows))
    expected = api.evaluate(api.EvaluateRequest(str(predictions), str(plain)))
    assert expected.n == len(IMAGES)
    result = run("evaluate", predictions, "--truth", with_line, "--json", "-", "-q")
    assert result.exit_code == 0, result.stderr
    read, wanted = json.loads(result.stdout), expected.to_json()
    assert read.pop("truth") == str(with_line) and wanted.pop("truth") == str(plain)
    assert read == wanted


# --- class names in evaluate's warnings, shown as its errors show them ---------------------------


def test_a_seen_list_s_name_that_is_not_utf8_is_refused_as_errors_show_it(labelled):
    # A Latin-1 seen list was read (its bytes kept as surrogate escapes, as a file name's), and
    # its café only warned of; it holds class names, which are UTF-8 text, and is refused as a
    # class file is, naming the line and the byte.
    predictions, truth = labelled
    seen = truth.parent / "seen.txt"
    seen.write_bytes(b"cat\ncaf\xe9\n")
    result = run("evaluate", predictions, "--truth", truth, "--seen", seen, "-q", "--json", "-")
    assert result.exit_code == 2, result.output
    assert result.stderr == f"zsl: error: {seen}:2: not UTF-8 text (byte 0xe9); save it as UTF-8\n"


def test_seen_names_given_to_the_library_with_bytes_not_utf8_are_told_to_be_saved_as_utf8(
    labelled,
):
    # Names a caller decoded as file names are (os.fsdecode: café in Latin-1 is caf\udce9) are
    # not refused as a seen list's lines are, but the warning, or the refusal where no name is
    # a class, says why they name no class.
    predictions, truth = labelled
    hint = " (some are not UTF-8 text: save the seen-class list as UTF-8)"
    request = api.EvaluateRequest(str(predictions), str(truth), seen=["cat", "caf\udce9"])
    assert api.evaluate(request).warnings == (
        "1 seen class is neither in the truth nor among the predicted classes: caf\\xe9" + hint,
    )
    with pytest.raises(ZslError) as refused:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth), seen=["caf\udce9"]))
    assert str(refused.value) == (
        "no name in the seen list is a class (a truth class or one of the run's): caf\\xe9 "
        "(classes: bird, cat, dog)" + hint
    )


def test_truth_class_names_in_warnings_and_notes_hold_no_terminal_escapes(labelled):
    # A class folder named with an escape sequence (ESC [ 2 J clears the screen) went into the
    # warning as it was, to the terminal; a Latin-1 name as \udce9.
    predictions, truth = labelled
    touch = truth / "clear\x1b[2J" / "1.jpg"
    touch.parent.mkdir()
    touch.write_bytes(b"")
    result = api.evaluate(api.EvaluateRequest(str(predictions), str(truth)))
    shown = [line for line in (*result.warnings, *result.notes) if "clear" in line]
    assert shown, (result.warnings, result.notes)
    for line in shown:
        assert "\x1b" not in line and "clear\\x1b[2J" in line
    # A Latin-1 one names no class and is refused, shown as \xe9 there too.
    (truth / "caf\udce9").mkdir()
    with pytest.raises(ZslError) as refused:
        api.evaluate(api.EvaluateRequest(str(predictions), str(truth)))
    assert "caf\\xe9: a class folder's name is not UTF-8" in refused.value.message
    assert "\udce9" not in refused.value.message
