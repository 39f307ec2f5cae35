"""CPU quota files a container could show that no kernel writes: a zero quota, a line of
/proc/self/cgroup without its three fields. Neither may stop a run or leave it no worker."""

from __future__ import annotations

from pathlib import Path

from zsl_cli import batching


def test_a_zero_quota_is_no_quota(tmp_path: Path) -> None:
    (tmp_path / "cpu.max").write_text("0 100000\n")
    (tmp_path / "self-cgroup").write_text("0::/\n")
    # As 0 CPUs, default_workers() would be 0 and no image decoded.
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") is None


def test_a_cgroup_line_without_three_fields_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "job").mkdir()
    (tmp_path / "job" / "cpu.max").write_text("300000 100000\n")
    (tmp_path / "self-cgroup").write_text("broken:line\n0::/job\n")
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") == 3
