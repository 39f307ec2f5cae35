"""An export whose write fails part-way (a full disk, a file size limit) names the file it could
not write: for a name that is a symbolic link, the file the link leads to, where the export is
written, and nothing is left there."""

from __future__ import annotations

import errno
import os
import resource
import signal
from pathlib import Path

import numpy as np
import pytest

from zsl_cli.errors import ZslError
from zsl_cli.exports import ExportRows, check_export_path, write_export


@pytest.mark.parametrize("name", ["v.npy", "v.parquet"])
def test_a_write_through_a_link_names_the_links_target(tmp_path: Path, name: str) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    target = tmp_path / "out" / name
    link = tmp_path / name
    link.symlink_to(target)
    check_export_path(link)  # makes the target's folder
    n = 4096
    files = [(f"/data/{i:04d}.png".encode(), 1, 1) for i in range(n)]
    # Random values: a parquet file of them is no smaller than the limit.
    vectors = np.random.default_rng(0).random((n, 16), dtype=np.float32)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    action = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, limits[1]))
        with pytest.raises(ZslError) as caught:
            write_export(link, ExportRows(files, vectors, {}))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, action)
    assert str(caught.value) == f"cannot write {target}: {os.strerror(errno.EFBIG)}"
    assert os.listdir(target.parent) == []
    assert link.is_symlink()
