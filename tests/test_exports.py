"""Exports of a store's embeddings (.npy with its path index, .parquet): what they say of what
they wrote, and that a run checks where they go once."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import write_images
from zsl_cli import api, exports
from zsl_cli.store import EmbeddingStore, FileStat, StoredItem

DIM = 8


def unit_vector(seed: int) -> np.ndarray:
    vector = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return vector / np.linalg.norm(vector)


def test_an_npy_export_warns_of_the_names_it_wrote_that_are_not_utf8(tmp_path: Path) -> None:
    # embed read the .paths.csv back once it was written to find such names, which the export
    # had as bytes in hand; the warning is label's for its CSV, but for the columns it names to
    # pandas: an index has no label or top_k_labels column.
    paths = ["/data/a.png", os.fsdecode(b"/data/caf\xe9.png"), os.fsdecode(b"/data/\xff.png")]
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", DIM)
        stats = [FileStat(path, 1, 1) for path in paths]
        store.add(model, [StoredItem(s, "ok", "", unit_vector(i)) for i, s in enumerate(stats)])
        rows = store.export_rows(model)
    assert len(rows) == 3
    out, index = tmp_path / "v.npy", tmp_path / "v.npy.paths.csv"
    exports.check_export_path(out)
    assert exports.write_export(out, rows) == [
        "2 rows name files in bytes that are not valid UTF-8 (e.g. '/data/caf\\xe9.png'), which "
        f"{index} holds as those bytes: pandas and DuckDB refuse such a file as not UTF-8; in "
        "pandas read it with read_csv(..., encoding_errors='surrogateescape', dtype={'path': "
        "object}), or rename the files (e.g. with convmv)"
    ]
    assert index.read_bytes() == (
        b"index,path\n0,/data/a.png\n1,/data/caf\xe9.png\n2,/data/\xff.png\n"
    )
    assert np.load(out).shape == (3, DIM)
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "v.parquet"
    exports.check_export_path(parquet)
    assert exports.write_export(parquet, rows) == []  # it keeps the bytes in path_bytes


def test_an_embed_run_checks_its_export_path_once(
    tiny_clip: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run checked it before the scan and EmbeddingStore.export checked it again once every
    # image was encoded: each check makes the folder and opens a file in it to see that it can.
    checked: list[str] = []
    check = exports.check_export_path

    def counted(out: str | os.PathLike[str]) -> None:
        checked.append(os.fspath(out))
        check(out)

    for module in ("zsl_cli.api", "zsl_cli.store", "zsl_cli.exports"):
        monkeypatch.setattr(f"{module}.check_export_path", counted, raising=False)
    write_images(tmp_path / "photos", 2)
    store, out = tmp_path / "s.zsl", tmp_path / "out" / "v.npy"
    model = api.ModelOptions(name=str(tiny_clip))
    with_paths = api.InputOptions(paths=(str(tmp_path / "photos"),))
    for inputs in (with_paths, api.InputOptions()):  # the store's embeddings only, without
        report = api.embed(api.EmbedRequest(str(store), inputs, model, export=str(out)))
        assert report.exported == 2
        assert checked == [str(out)]
        checked.clear()


def test_readme_names_each_column_and_metadata_key_of_a_parquet_export(tmp_path: Path) -> None:
    # README named path_bytes alone, so a reader of the export had to open it to learn its
    # columns (path, with a name's undecodable bytes as \xNN, vector, size, mtime_ns) and the
    # model it was made with (the schema's zsl.* metadata).
    pq = pytest.importorskip("pyarrow.parquet")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    with EmbeddingStore.open(tmp_path / "s.zsl") as store:
        model = store.register_model("id", "m", DIM)
        item = StoredItem(FileStat("/data/a.png", 1, 1), "ok", "", unit_vector(0))
        store.add(model, [item])
        rows = store.export_rows(model)
    out = tmp_path / "v.parquet"
    exports.check_export_path(out)
    exports.write_export(out, rows)
    schema = pq.read_schema(out)
    start = readme.index("A `.parquet` export")
    described = " ".join(readme[start : readme.index("(pyarrow)", start)].split())
    for name in [*schema.names, *(key.decode() for key in schema.metadata)]:
        assert f"`{name}`" in described, name
