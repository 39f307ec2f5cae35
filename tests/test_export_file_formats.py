"""Embedding exports: the exact bytes of a .npy, a .parquet's schema and columns, and names
whose extension is in capitals."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from zsl_cli import exports
from zsl_cli.exports import ExportRows

FILES = [(b"/data/a.png", 10, 100), (b"/data/caf\xe9.png", 20, 200), (b"/data/d.png", 30, 300)]


def matrix() -> np.ndarray:
    return np.arange(12, dtype=np.float32).reshape(3, 4) / 7


def test_an_npy_export_is_the_bytes_np_save_writes(tmp_path: Path) -> None:
    expected = io.BytesIO()
    np.save(expected, matrix())
    out = tmp_path / "v.npy"
    exports.check_export_path(out)
    exports.write_export(out, ExportRows(FILES, matrix(), {}))
    assert out.read_bytes() == expected.getvalue()


@pytest.mark.parametrize("order", ["F", "strided"])
def test_an_npy_export_of_vectors_not_in_c_order_holds_the_same_matrix(
    tmp_path: Path, order: str
) -> None:
    # A Fortran-ordered matrix (a transposed one) was written in C order under a header saying
    # Fortran order: every vector read back scrambled.
    vectors = (
        np.asfortranarray(matrix()) if order == "F" else np.repeat(matrix(), 2, axis=1)[:, ::2]
    )
    expected = io.BytesIO()
    np.save(expected, np.ascontiguousarray(vectors))
    out = tmp_path / "v.npy"
    exports.write_export(out, ExportRows(FILES, vectors, {}))
    assert out.read_bytes() == expected.getvalue()
    np.testing.assert_array_equal(np.load(out), matrix())


def test_capital_extensions_name_the_same_formats(tmp_path: Path) -> None:
    rows = ExportRows(FILES, matrix(), {})
    out = tmp_path / "V.NPY"
    exports.check_export_path(out)
    assert exports.export_files(out) == [out, tmp_path / "V.NPY.paths.csv"]
    exports.write_export(out, rows)
    np.testing.assert_array_equal(np.load(out), matrix())
    assert (tmp_path / "V.NPY.paths.csv").read_bytes().startswith(b"index,path\n0,/data/a.png\n")
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "V.PARQUET"
    exports.check_export_path(out)
    assert exports.export_files(out) == [out]
    exports.write_export(out, rows)
    assert pq.read_table(out).num_rows == 3


def test_a_parquet_exports_schema_and_paths(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "v.parquet"
    exports.write_export(out, ExportRows(FILES, matrix(), {"name": "m"}))
    table = pq.read_table(out)
    assert table.schema.field("path").type == pa.string()
    assert table.schema.field("path_bytes").type == pa.binary()
    assert table.schema.field("vector").type == pa.list_(pa.float32(), 4)
    assert table.schema.field("size").type == pa.int64()
    assert table.schema.metadata == {b"zsl.name": b"m"}
    # Undecodable bytes as \xNN escapes in path, exactly in path_bytes.
    assert table.column("path").to_pylist() == ["/data/a.png", "/data/caf\\xe9.png", "/data/d.png"]
    assert table.column("path_bytes").to_pylist() == [row[0] for row in FILES]
    assert table.column("mtime_ns").to_pylist() == [100, 200, 300]
