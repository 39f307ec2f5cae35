"""An export's files read back with numpy, the csv module and pyarrow: every row's index, path,
size and modification time in its place, as the rows given."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest

from zsl_cli import exports
from zsl_cli.errors import ZslError
from zsl_cli.exports import ExportRows

FILES = [(b"/p/a.png", 11, 1_700_000_000_000_000_001), (b"/p/b c.png", 22, 5), (b"/p/z.png", 0, 7)]
VECTORS = np.array([[0.6, 0.8], [1.0, 0.0], [0.0, -1.0]], dtype=np.float32)


def test_an_npy_exports_path_index_numbers_rows_from_0(tmp_path: Path) -> None:
    out = tmp_path / "e.npy"
    exports.check_export_path(out)
    assert exports.write_export(out, ExportRows(FILES, VECTORS, {})) == []
    np.testing.assert_array_equal(np.load(out), VECTORS)
    index = (tmp_path / "e.npy.paths.csv").read_bytes().decode("utf-8")
    assert list(csv.reader(io.StringIO(index, newline=""))) == [
        ["index", "path"],
        ["0", "/p/a.png"],
        ["1", "/p/b c.png"],
        ["2", "/p/z.png"],
    ]


def test_a_parquet_exports_sizes_and_times_are_each_files_own(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "e.parquet"
    exports.check_export_path(out)
    exports.write_export(out, ExportRows(FILES, VECTORS, {"model": "m", "dim": "2"}))
    table = pq.read_table(out)
    assert table.column_names == ["path", "path_bytes", "vector", "size", "mtime_ns"]
    assert table.column("path").to_pylist() == ["/p/a.png", "/p/b c.png", "/p/z.png"]
    assert table.column("size").to_pylist() == [11, 22, 0]
    assert table.column("mtime_ns").to_pylist() == [1_700_000_000_000_000_001, 5, 7]
    assert table.column("vector").to_pylist() == VECTORS.tolist()
    assert table.schema.metadata == {b"zsl.model": b"m", b"zsl.dim": b"2"}


@pytest.mark.parametrize("name", ["e.csv", "e.npz", "e"])
def test_an_export_named_neither_npy_nor_parquet_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ZslError, match="use a .npy or .parquet file name"):
        exports.check_export_path(tmp_path / name)
