"""Exports of a store's embeddings for other tools: a .npy matrix with its path index, or a
.parquet table, written from the rows `EmbeddingStore.export_rows` reads.

A run checks where an export goes (`check_export_path`) once, before its work, and writes it
(`write_export`) at the end; `EmbeddingStore.export` does both for a caller of the store alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zsl_cli.errors import ZslError
from zsl_cli.files import (
    PATH_INDEX_NOT_UTF8,
    CsvLines,
    NotUtf8Rows,
    atomic_file,
    atomic_files,
    check_not_read_only,
    check_writable_later,
    create_folder,
    names_a_folder,
    written_path,
)

# A .parquet export's vectors per row group. pyarrow encodes a whole row group before writing it,
# and its default of 1Mi rows made that every vector of most stores a second time in memory.
PARQUET_ROW_GROUP_BYTES = 64 << 20


@dataclass(frozen=True)
class ExportRows:
    """A model's ok vectors as an export writes them, sorted by path bytes: each row's
    (path bytes, size, mtime_ns) in `files` and its vector in `vectors` (float32 [n, dim]);
    `metadata`: the model's identity, name, dim, dtype and, where recorded, precision."""

    files: list[tuple[bytes, int, int]]
    vectors: np.ndarray
    metadata: dict[str, str]

    def __len__(self) -> int:
        return len(self.files)


def export_files(out: str | os.PathLike[str]) -> list[Path]:
    """The files an export to `out` writes: a .npy's path index goes next to the file itself
    (a symbolic link is written through). The format is the one the given name says, as
    `EmbeddingStore.export` writes it, whatever the name of the file a link leads to."""
    npy = Path(out).suffix.lower() == ".npy"
    out = written_path(out)
    if npy:
        return [out, out.with_name(out.name + ".paths.csv")]
    return [out]


def check_export_path(out: str | os.PathLike[str]) -> None:
    """ZslError unless `out` is a .npy or .parquet name we can write (call before any work)."""
    if names_a_folder(out):
        raise ZslError(f"cannot export embeddings to {os.fspath(out)}: it names a folder")
    if os.path.isdir(out):  # said first: whatever its name, no file name fixes that
        raise ZslError(f"cannot export embeddings to {os.fspath(out)}: it is a directory")
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".npy", ".parquet"):
        raise ZslError(f"cannot export embeddings to {out}: use a .npy or .parquet file name")
    if suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:
            raise ZslError(
                "exporting to .parquet needs pyarrow: pip install 'zsl-cli[parquet]'"
            ) from exc
    files = export_files(out)
    for index, target in enumerate(files):
        if target.is_dir():  # found here, not once every image is encoded
            what = "it" if index == 0 else f"its path index {target}"
            raise ZslError(f"cannot export embeddings to {out}: {what} is a directory")
        check_not_read_only(target)
    # Where the files go: for a link, its target's folder (a dangling link's may be missing).
    create_folder(files[0].parent, f"the folder of {files[0]}")
    # A folder that takes no new file (read-only, /proc) failed the export only once every
    # image was encoded, as -o, --json and --report do not.
    check_writable_later(out)


def write_export(out: str | os.PathLike[str], rows: ExportRows) -> list[str]:
    """Write `rows` to `out`, a name `check_export_path` took (before the run's work); return the
    warnings on what was written.

    `.npy`: the float32 [n, dim] matrix, plus `<out>.paths.csv` (index,path) aligned with its
    rows, which holds names that are not UTF-8 as their bytes (warned of as `label` warns of its
    CSV's). `.parquet`: columns path (string; undecodable bytes as \\xNN escapes), path_bytes
    (exact bytes), vector (fixed_size_list<float32>[dim]), size, mtime_ns; the metadata in the
    schema's, as zsl.<key> (needs pyarrow: zsl-cli[parquet]). Where an old export cannot be
    replaced (another program holds it open), this one is kept beside it as <name>.new.<ext>
    (a .npy with its path index), which the ZslError names.
    """
    files = export_files(out)
    try:
        if Path(out).suffix.lower() == ".npy":
            return _write_npy(files[0], files[1], rows)
        _write_parquet(files[0], rows)
        return []
    except OSError as exc:
        raise ZslError(f"cannot write {files[0]}: {exc.strerror or exc}") from exc


def _write_npy(out: Path, index_path: Path, rows: ExportRows) -> list[str]:
    lines = CsvLines()
    not_utf8 = NotUtf8Rows(PATH_INDEX_NOT_UTF8)
    names = (path.decode("utf-8", "surrogateescape") for path, _, _ in rows.files)
    # surrogateescape writes non-UTF-8 names back as their original bytes, whatever the locale
    # (os.fsdecode in Latin-1 would turn a UTF-8 é into two characters), and notes their rows.
    index = lines.line(["index", "path"]).encode() + b"".join(
        not_utf8.encoded(lines.line([n, name]), name, "surrogateescape")
        for n, name in enumerate(names)
    )
    # Published together: another export to `out` at once leaves one export's pair, not a mix.
    # The header describes the bytes written: those of a C-ordered copy (a Fortran-ordered
    # matrix's header said Fortran order over C-ordered data, and read back scrambled).
    vectors = np.ascontiguousarray(rows.vectors)
    with atomic_files(out, index_path) as (matrix_file, index_file):
        # np.save would write the data with C's fwrite, whose failure says only how many bytes
        # were written; Python's own write says why (a full disk).
        np.lib.format.write_array_header_1_0(
            matrix_file, np.lib.format.header_data_from_array_1_0(vectors)
        )
        matrix_file.write(vectors.data)
        index_file.write(index)
    return not_utf8.warnings(os.fspath(index_path))


def _write_parquet(out: Path, rows: ExportRows) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    vectors = rows.vectors
    dim = vectors.shape[1]
    path_bytes = [row[0] for row in rows.files]
    table = pa.table(
        {
            "path": pa.array(
                [p.decode("utf-8", errors="backslashreplace") for p in path_bytes], pa.string()
            ),
            "path_bytes": pa.array(path_bytes, pa.binary()),
            "vector": pa.FixedSizeListArray.from_arrays(
                pa.array(vectors.reshape(-1), pa.float32()), dim
            ),
            "size": pa.array([row[1] for row in rows.files], pa.int64()),
            "mtime_ns": pa.array([row[2] for row in rows.files], pa.int64()),
        }
    ).replace_schema_metadata({f"zsl.{key}": value for key, value in rows.metadata.items()})
    rows_per_group = max(1, PARQUET_ROW_GROUP_BYTES // (dim * vectors.itemsize))
    with atomic_file(out) as handle:
        pq.write_table(table, handle, row_group_size=rows_per_group)
