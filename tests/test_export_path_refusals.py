"""Where an export cannot go, the refusal says why: a folder is named as one whatever its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import exports
from zsl_cli.errors import ZslError


@pytest.mark.parametrize("name", ["exports", "vectors.npy", "table.parquet"])
def test_a_folder_given_as_the_export_is_refused_as_a_directory(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    with pytest.raises(ZslError) as refused:
        exports.check_export_path(folder)
    assert refused.value.message == f"cannot export embeddings to {folder}: it is a directory"
