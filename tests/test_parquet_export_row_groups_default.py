"""A .parquet export's row groups, as written by default: each holds as many vectors as fit in
64 MiB, so that pyarrow, which encodes a row group whole, holds no second copy of a large
store's vectors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from zsl_cli.exports import ExportRows, write_export

GROUP_BYTES = 64 << 20


@pytest.mark.parametrize("dim", [3, 512, 768])
def test_a_row_group_holds_the_vectors_that_fit_in_64_mib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dim: int
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    asked: list[Any] = []
    write_table = pq.write_table

    def recorded(table: Any, where: Any, **kwargs: Any) -> None:
        asked.append(kwargs.get("row_group_size"))
        write_table(table, where, **kwargs)

    monkeypatch.setattr(pq, "write_table", recorded)
    vectors = np.eye(2, dim, dtype=np.float32)  # float32, as every export's
    files = [(b"/data/a.png", 1, 1), (b"/data/b.png", 2, 2)]
    write_export(tmp_path / "v.parquet", ExportRows(files, vectors, {}))
    assert asked == [GROUP_BYTES // (dim * 4)]
    assert pq.read_table(tmp_path / "v.parquet").num_rows == 2
