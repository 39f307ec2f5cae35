"""What Windows and macOS do differently, simulated on Linux: Python without os.fchmod (Windows
before 3.13), an output another program holds open (Windows refuses to replace it), file systems
that report no inode numbers (some Windows network and virtual drives), and no /proc (macOS)."""

from __future__ import annotations

import builtins
import json
import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features
from typer.testing import CliRunner

from tests.helpers import error_line, held_open, temp_files
from zsl_cli import files, images, store
from zsl_cli.cli import app
from zsl_cli.errors import ZslError
from zsl_cli.files import check_outputs_spare_inputs, named_output, open_sink, write_file
from zsl_cli.images import DEFAULT_MAX_PIXELS, DecodeError, decode_image, pillow_settings

CLASSES = ["red circle", "blue square", "green triangle"]


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def write_images(folder: Path, n: int, seed: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for i in range(n):
        pixels = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"img_{i}.png")


@pytest.fixture()
def labelling(tmp_path: Path, tiny_clip) -> list[object]:
    """`label` arguments but for the output: 3 images, 3 classes, the tiny CLIP model."""
    write_images(tmp_path / "images", 3)
    classes = tmp_path / "classes.txt"
    classes.write_text("\n".join(CLASSES) + "\n")
    return ["label", tmp_path / "images", "-c", classes, "-m", tiny_clip]


def without_fchmod(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python on Windows before 3.13: no os.fchmod, so os.chmod takes no descriptor."""
    monkeypatch.delattr(os, "fchmod")
    monkeypatch.setattr(os, "supports_fd", os.supports_fd - {os.chmod})


def test_outputs_are_written_where_python_has_no_fchmod(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, labelling: list[object]
) -> None:
    output = tmp_path / "out.csv"
    output.write_text("old\n")
    output.chmod(0o640)
    without_fchmod(monkeypatch)
    result = run(*labelling, "-o", output)
    assert result.exit_code == 0, result.output
    assert output.read_text().startswith("path,") and len(output.read_text().splitlines()) == 4
    assert stat.S_IMODE(output.stat().st_mode) == 0o640  # a replaced file keeps its permissions
    write_file(tmp_path / "doc.json", b"{}")
    assert (tmp_path / "doc.json").read_bytes() == b"{}"
    assert temp_files(tmp_path) == []


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_temporary_file_that_fails_once_opened_is_closed_and_removed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fails(*args: object, **kwargs: object):
        raise RuntimeError("unforeseen")

    before = open_descriptors()
    monkeypatch.setattr(os, "fdopen", fails)
    with pytest.raises(RuntimeError):
        write_file(tmp_path / "doc.json", b"{}")
    monkeypatch.undo()
    assert temp_files(tmp_path) == [] and not (tmp_path / "doc.json").exists()
    assert open_descriptors() == before


def test_an_output_held_open_keeps_its_run_info_and_the_new_output_is_kept_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, labelling: list[object]
) -> None:
    output = tmp_path / "out.csv"
    output.write_text("old rows\n")
    files.sidecar_path(output).write_text('{"old": "run info"}')
    held_open(monkeypatch, "out.csv")
    result = run(*labelling, "-o", output, "-k", "0")
    assert result.exit_code == 2
    kept = tmp_path / "out.new.csv"
    error = result.output.strip().splitlines()[-1]
    assert error == (
        f"zsl: error: cannot write '{output}': Access is denied (is it open in another program, "
        f"e.g. Excel?); this run's output is kept as '{kept}'"
    )
    assert output.read_text() == "old rows\n"
    assert files.sidecar_path(output).read_text() == '{"old": "run info"}'
    assert len(kept.read_text().splitlines()) == 4
    assert files.sidecar_path(kept).exists() and temp_files(tmp_path) == []
    # Its run info is its own, as readers of run info check.
    assert json.loads(files.sidecar_path(kept).read_text())["output_bytes"] == kept.stat().st_size
    # A second such run takes the next free name.
    again = run(*labelling, "-o", output)
    assert again.exit_code == 2 and str(tmp_path / "out.new2.csv") in again.output
    assert (tmp_path / "out.new2.csv").exists() and temp_files(tmp_path) == []


def test_run_info_held_open_leaves_the_old_output_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    output = tmp_path / "out.csv"
    output.write_text("old rows\n")
    files.sidecar_path(output).write_text("old run info")
    held_open(monkeypatch, "out.csv.run.json")
    sink = open_sink(output, sidecar=True)
    sink.write(b"new rows\n")
    with pytest.raises(ZslError, match="kept as '.*out.new.csv'") as refused:
        sink.publish(b"new run info")
    # The file held open is named, not the output, which was free: the output was named.
    assert f"cannot write '{files.sidecar_path(output)}': Access is denied" in str(refused.value)
    assert output.read_text() == "old rows\n"
    assert files.sidecar_path(output).read_text() == "old run info"
    assert (tmp_path / "out.new.csv").read_text() == "new rows\n"
    assert (tmp_path / "out.new.csv.run.json").read_text() == "new run info"


def test_a_document_held_open_keeps_the_run_info_it_would_remove_as_stale(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    output = tmp_path / "out.json"
    output.write_text("old rows\n")
    files.sidecar_path(output).write_text("old run info")
    held_open(monkeypatch, "out.json")
    with pytest.raises(ZslError, match="kept as '.*out.new.json'"):
        write_file(output, b"{}")
    assert output.read_text() == "old rows\n"
    assert files.sidecar_path(output).read_text() == "old run info"
    assert (tmp_path / "out.new.json").read_bytes() == b"{}"
    assert temp_files(tmp_path) == []


@pytest.fixture()
def embedding(tmp_path: Path, tiny_clip) -> list[object]:
    """`embed` arguments but for the export: 3 images, a new store, the tiny CLIP model."""
    write_images(tmp_path / "images", 3)
    return ["embed", tmp_path / "images", "--store", tmp_path / "s.zsl", "-m", tiny_clip]


def old_export(folder: Path) -> dict[str, bytes]:
    """A .npy export of an earlier run, and its path index: what each file holds."""
    np.save(folder / "out.npy", np.zeros((1, 16), np.float32))
    (folder / "out.npy.paths.csv").write_text("index,path\n0,old.png\n")
    return {name: (folder / name).read_bytes() for name in ("out.npy", "out.npy.paths.csv")}


@pytest.mark.parametrize("held", ["out.npy", "out.npy.paths.csv"])
def test_an_export_held_open_is_kept_beside_it_with_its_path_index(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object], held: str
) -> None:
    # numpy's memory-mapped np.load holds a .npy open on Windows, Excel a .paths.csv.
    old = old_export(tmp_path)
    held_open(monkeypatch, held)
    result = run(*embedding, "--export", tmp_path / "out.npy")
    assert result.exit_code == 2
    kept = tmp_path / "out.new.npy"
    assert result.output.strip().splitlines()[-1] == (
        f"zsl: error: cannot write '{tmp_path / held}': Access is denied (is it open in another "
        f"program, e.g. Excel?); this run's output is kept as '{kept}'; saved before it: 3 of "
        "the 3 images this run had to encode"
    )
    assert {name: (tmp_path / name).read_bytes() for name in old} == old
    assert np.load(kept).shape == (3, 16)
    index = (tmp_path / "out.new.npy.paths.csv").read_text().splitlines()
    assert index[0] == "index,path" and len(index) == 4
    assert temp_files(tmp_path) == []


def test_a_parquet_export_of_a_store_held_open_is_kept_beside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object]
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    assert run(*embedding).exit_code == 0
    export = tmp_path / "out.parquet"
    export.write_bytes(b"old export")
    # A name taken by an earlier kept export is passed over.
    (tmp_path / "out.new.parquet").write_bytes(b"kept before")
    held_open(monkeypatch, "out.parquet")
    store_only = [*embedding[:1], *embedding[2:]]  # no paths: what the store holds
    result = run(*store_only, "--export", export)
    assert result.exit_code == 2
    kept = tmp_path / "out.new2.parquet"
    assert (
        result.output.strip()
        .splitlines()[-1]
        .endswith(
            f"Access is denied (is it open in another program, e.g. Excel?); this run's output is "
            f"kept as '{kept}'"
        )
    )
    assert export.read_bytes() == b"old export"
    assert (tmp_path / "out.new.parquet").read_bytes() == b"kept before"
    assert pq.read_table(kept).num_rows == 3
    assert temp_files(tmp_path) == []


def test_files_published_together_are_kept_under_names_all_free(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from zsl_cli.files import atomic_files

    main, index = tmp_path / "v.npy", tmp_path / "v.npy.paths.csv"
    main.write_bytes(b"old matrix")
    # The main file's next name is free, but not its index's.
    (tmp_path / "v.new.npy.paths.csv").write_bytes(b"someone's index")
    held_open(monkeypatch, "v.npy")
    refused = pytest.raises(ZslError, match="kept as '.*v.new2.npy'$")
    with refused, atomic_files(main, index) as (main_file, index_file):
        main_file.write(b"matrix")
        index_file.write(b"index")
    assert main.read_bytes() == b"old matrix" and not index.exists()
    assert (tmp_path / "v.new.npy.paths.csv").read_bytes() == b"someone's index"
    assert (tmp_path / "v.new2.npy").read_bytes() == b"matrix"
    assert (tmp_path / "v.new2.npy.paths.csv").read_bytes() == b"index"
    assert temp_files(tmp_path) == []


def no_inode_numbers_under(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """os.stat reports st_ino 0 for everything under `root`, as some Windows drives do."""
    real_stat = os.stat
    extra = ("st_atime", "st_mtime", "st_ctime", "st_atime_ns", "st_mtime_ns", "st_ctime_ns")

    def stat_without_inode(path, *args, **kwargs):
        status = real_stat(path, *args, **kwargs)
        if isinstance(path, int) or not os.fsdecode(os.path.abspath(path)).startswith(str(root)):
            return status
        fields = list(status)
        fields[stat.ST_INO] = 0
        return os.stat_result(fields, {name: getattr(status, name) for name in extra})

    monkeypatch.setattr(os, "stat", stat_without_inode)


def test_folders_without_inode_numbers_are_all_walked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, labelling: list[object]
) -> None:
    images_folder = Path(str(labelling[1]))
    for name in ("a", "b"):
        write_images(images_folder / name, 2, seed=len(name))
    (images_folder / "b" / "link_to_a").symlink_to(images_folder / "a")  # still listed once
    no_inode_numbers_under(monkeypatch, tmp_path)
    result = run(*labelling, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "out.csv").read_text().splitlines()[1:]
    assert len(rows) == 7  # 3 at the top, 2 in each class folder


def test_files_without_inode_numbers_are_told_apart_by_their_real_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.json"
    first.write_text("x")
    second.write_text("y")
    (tmp_path / "link.csv").symlink_to(first)
    no_inode_numbers_under(monkeypatch, tmp_path)
    check_outputs_spare_inputs([named_output("-o", first), named_output("--json", second)], [])
    with pytest.raises(ZslError, match="is an input of this run"):
        check_outputs_spare_inputs([named_output("-o", first)], [tmp_path / "link.csv"])


def test_a_folder_without_inode_numbers_is_seen_to_hold_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "root" / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "root" / "sub" / "deeper" / "image.png").write_bytes(b"x")
    no_inode_numbers_under(monkeypatch, tmp_path)
    assert not store._holds_no_file(os.fsencode(tmp_path / "root"))
    (tmp_path / "root" / "sub" / "deeper" / "image.png").unlink()
    assert store._holds_no_file(os.fsencode(tmp_path / "root"))


def damaged_lzw_tiff(folder: Path) -> Path:
    pixels = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(folder / "good.tif", compression="tiff_lzw")
    damaged = bytearray((folder / "good.tif").read_bytes())
    for index in range(200, 2000, 37):
        damaged[index] ^= 0x5A
    (folder / "bad.tif").write_bytes(bytes(damaged))
    return folder / "bad.tif"


@pytest.mark.skipif(not features.check("libtiff"), reason="this Pillow has no libtiff")
@pytest.mark.skipif(not images._bundled_libtiffs(), reason="this Pillow bundles no libtiff")
def test_without_proc_libtiff_is_found_where_pillows_wheel_bundles_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    real_open = builtins.open

    def no_proc(file, *args, **kwargs):  # macOS, Windows
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory", str(file))
        return real_open(file, *args, **kwargs)

    found_through_proc = images._mapped_libtiffs()
    bad = damaged_lzw_tiff(tmp_path)
    images._pillow_libtiff.cache_clear()
    monkeypatch.setattr(builtins, "open", no_proc)
    try:
        assert images._mapped_libtiffs() is None
        library = images._pillow_libtiff()
        assert library is not None
        assert [os.path.realpath(library._name)] == list(map(os.path.realpath, found_through_proc))
        with pillow_settings(DEFAULT_MAX_PIXELS), pytest.raises(DecodeError):
            decode_image(bad)
        assert capfd.readouterr().err == ""
        # Outside the settings libtiff speaks again (and so the check above can fail).
        with pytest.raises(DecodeError):
            decode_image(bad)
        assert "tif" in capfd.readouterr().err
    finally:
        monkeypatch.undo()
        images._pillow_libtiff.cache_clear()


def without_inode(status: os.stat_result, dev: int = 0, mode: int | None = None) -> os.stat_result:
    """`status` as a file system without inode numbers reports it (Windows gives a console or a
    pipe st_dev 0 too)."""
    fields = list(status)
    fields[stat.ST_INO], fields[stat.ST_DEV] = 0, dev
    if mode is not None:
        fields[stat.ST_MODE] = mode
    return os.stat_result(fields)


def test_files_without_inode_numbers_are_not_called_the_same(tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("x")
    second.write_text("y")
    (tmp_path / "link.csv").symlink_to(first)
    assert files.same_file(os.stat(first), os.stat(tmp_path / "link.csv"))
    assert not files.same_file(os.stat(first), os.stat(second))
    # Stat alone cannot tell such files apart, so it calls none the same (not every one).
    assert not files.same_file(without_inode(os.stat(first)), without_inode(os.stat(second)))
    assert not files.same_file(without_inode(os.stat(first)), without_inode(os.stat(first)))


class Console:
    """A standard stream as Windows shows it: a console (a terminal) or not, on descriptor `fd`."""

    def __init__(self, fd: int, terminal: bool) -> None:
        self.fd, self.terminal = fd, terminal

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return self.terminal


def windows_streams(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, stdout_terminal: bool, stdout_mode: int
) -> None:
    """stderr a console and stdout a console or a pipe, each fstat'ed as Windows does: no inode
    number, no device, a character device or a FIFO (the real descriptors 1 and 2 are files)."""
    real_fstat = os.fstat
    anything = os.stat(tmp_path)
    modes = {101: stdout_mode, 102: stat.S_IFCHR | 0o666}

    def fstat(fd: int) -> os.stat_result:
        if fd in modes:
            return without_inode(anything, mode=modes[fd])
        return real_fstat(fd)

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(sys, "stdout", Console(101, stdout_terminal))
    monkeypatch.setattr(sys, "stderr", Console(102, True))


@pytest.mark.parametrize(
    ("stdout_terminal", "stdout_mode", "shown"),
    [(True, stat.S_IFCHR | 0o666, True), (False, stat.S_IFIFO | 0o600, False)],
)
def test_rows_are_seen_on_stderrs_console_only_where_stdout_is_that_console(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    stdout_terminal: bool,
    stdout_mode: int,
    shown: bool,
) -> None:
    from zsl_cli.summary import shown_with_stderr

    windows_streams(monkeypatch, tmp_path, stdout_terminal, stdout_mode)
    # A pipe (`zsl label ... | findstr`) was taken for the console: both have no inode number.
    assert shown_with_stderr(None) is shown and shown_with_stderr("-") is shown


def test_an_output_file_without_an_inode_number_is_not_taken_for_stderrs_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from zsl_cli.summary import shown_with_stderr

    output = tmp_path / "out.csv"
    output.write_text("")
    windows_streams(monkeypatch, tmp_path, True, stat.S_IFCHR | 0o666)
    real_stat = os.stat
    # A drive with no inode numbers and a volume serial number 0, as the console's st_dev is.
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: without_inode(real_stat(path, *a, **k)))
    assert not shown_with_stderr(str(output))


@pytest.mark.parametrize("quiet", [False, True])
def test_a_run_whose_output_is_kept_beside_one_held_open_says_what_it_did_then_the_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, labelling: list[object], quiet: bool
) -> None:
    output = tmp_path / "out.csv"
    output.write_text("old rows\n")
    held_open(monkeypatch, "out.csv")
    result = run(*labelling, "-o", output, *(["-q"] if quiet else []))
    assert result.exit_code == 2
    kept = tmp_path / "out.new.csv"
    assert error_line(result.stderr).endswith(f"this run's output is kept as '{kept}'")
    if quiet:  # the error alone
        assert result.stderr.strip().splitlines() == [error_line(result.stderr)]
        return
    # What became of the images, as a run that replaced its output says it, then the error.
    summary = result.stderr[: result.stderr.index("zsl: error:")]
    assert "Labelled 3 of 3 images" in summary
    assert f"Predictions: {kept}" in summary and "label" in summary and "share" in summary


def test_an_export_kept_beside_one_held_open_is_in_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object]
) -> None:
    old_export(tmp_path)
    held_open(monkeypatch, "out.npy")
    result = run(*embedding, "--export", tmp_path / "out.npy")
    assert result.exit_code == 2
    kept = tmp_path / "out.new.npy"
    assert "kept as" in error_line(result.stderr)
    summary = result.stderr[: result.stderr.index("zsl: error:")]
    assert "Embedded into" in summary and "3 encoded" in summary
    assert f"Exported 3 embeddings to {kept} (their paths in {kept}.paths.csv)" in summary
    # The same from the store alone, without paths.
    store_only = [*embedding[:1], *embedding[2:]]
    again = run(*store_only, "--export", tmp_path / "out.npy")
    assert again.exit_code == 2
    kept = tmp_path / "out.new2.npy"
    assert error_line(again.stderr).endswith(f"kept as '{kept}'")
    assert f"Exported 3 embeddings from {tmp_path / 's.zsl'} to {kept}" in again.stderr


def test_embeds_json_kept_beside_one_held_open_leaves_the_summary_shown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, embedding: list[object]
) -> None:
    (tmp_path / "run.json").write_text("{}")
    held_open(monkeypatch, "run.json")
    result = run(*embedding, "--json", tmp_path / "run.json")
    assert result.exit_code == 2
    kept = tmp_path / "run.new.json"
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert "3 encoded" in result.stderr[: result.stderr.index("zsl: error:")]
    assert json.loads(kept.read_text())["encoded"] == 3


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_evaluates_table_shows_where_its_document_is_kept_beside_one_held_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, option: str
) -> None:
    from tests.helpers import write_truth_and_predictions

    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    name = "metrics.json" if option == "--json" else "metrics.html"
    (tmp_path / name).write_text("old")
    held_open(monkeypatch, name)
    result = run("evaluate", predictions, "--truth", truth, option, tmp_path / name)
    assert result.exit_code == 2
    kept = tmp_path / name.replace(".", ".new.")
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert "mean per-class" in result.stdout  # the table, the command's output
    assert (tmp_path / name).read_text() == "old" and kept.exists()


def test_hubness_tables_show_where_its_json_is_kept_beside_one_held_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, labelling: list[object]
) -> None:
    (tmp_path / "h.json").write_text("old")
    held_open(monkeypatch, "h.json")
    result = run("hubness", *labelling[1:], "-k", "1", "--json", tmp_path / "h.json")
    assert result.exit_code == 2
    kept = tmp_path / "h.new.json"
    assert error_line(result.stderr).endswith(f"kept as '{kept}'")
    assert "skewness" in result.stdout.lower()
    assert json.loads(kept.read_text())["n_images"] == 3


def test_a_json_file_without_an_inode_number_is_not_taken_for_stdout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.helpers import write_truth_and_predictions

    truth, predictions = write_truth_and_predictions(tmp_path, ["cat", "dog"])
    metrics, table = tmp_path / "metrics.json", tmp_path / "table.txt"
    metrics.write_text("{}")
    table.write_text("")
    real_stat = os.stat
    # `> table.txt --json metrics.json` on a drive without inode numbers: samestat called the
    # two files one, and the table went to stderr as though the JSON went to stdout.
    monkeypatch.setattr(os, "stat", lambda path, *a, **k: without_inode(real_stat(path, *a, **k)))
    monkeypatch.setattr(files, "stdout_status", lambda: without_inode(real_stat(table)))
    result = run("evaluate", predictions, "--truth", truth, "--json", metrics)
    assert result.exit_code == 0, result.output
    assert "mean per-class" in result.stdout and "mean per-class" not in result.stderr
    assert json.loads(metrics.read_text())["n"] == 2
    # Nor were the truth and the predictions taken for one file; but one file is still that.
    same = run("evaluate", predictions, "--truth", predictions)
    assert same.exit_code == 2 and "is the predictions file itself" in same.stderr
    # Where stat tells files apart, the JSON into what stdout writes still moves the table.
    monkeypatch.setattr(os, "stat", real_stat)
    monkeypatch.setattr(files, "stdout_status", lambda: real_stat(metrics))
    moved = run("evaluate", predictions, "--truth", truth, "--json", metrics)
    assert moved.exit_code == 0 and "mean per-class" in moved.stderr
