"""The cores a run counts (`batching.available_cores`) where the environment says little or
something odd: an empty affinity mask, a cpu.max that is not text, a CPU quota whose period is
given in the other order; and while the model loads, at least one decode worker on one core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zsl_cli import batching

needs_affinity = pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity"), reason="no CPU affinity on this OS"
)


def no_quota(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setattr(batching, "CGROUP_ROOT", root)
    monkeypatch.setattr(batching, "OWN_CGROUPS", root / "self-cgroup")


@needs_affinity
def test_an_empty_affinity_mask_still_counts_one_core(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set())
    no_quota(monkeypatch, tmp_path)
    assert batching.available_cores() == 1
    assert batching.default_workers() == 1


@needs_affinity
def test_the_affinity_mask_counts_rather_than_the_machine_s_cores(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    no_quota(monkeypatch, tmp_path)
    assert batching.available_cores() == 1


def test_a_cpu_max_that_is_not_text_is_no_quota(tmp_path):
    (tmp_path / "cpu.max").write_bytes(b"\xff\xfe800000 100000\n")
    (tmp_path / "self-cgroup").write_text("0::/\n")
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") is None


def test_an_own_cgroup_file_that_is_not_text_leaves_the_root_s_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("200000 100000\n")
    (tmp_path / "self-cgroup").write_bytes(b"0::/\xff\xfe\n")
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") == 2


def test_a_cgroup_v1_quota_is_divided_by_its_period(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("10000\n")
    (tmp_path / "self-cgroup").write_text("0::/\n")
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") == 5


def test_a_quota_is_rounded_up_to_whole_cpus(tmp_path):
    (tmp_path / "cpu.max").write_text("250001 100000\n")
    (tmp_path / "self-cgroup").write_text("0::/\n")
    assert batching.cpu_quota(tmp_path, tmp_path / "self-cgroup") == 3


@pytest.mark.parametrize(("cores", "workers", "while_loading"), [(1, 4, 1), (2, 4, 1), (8, 1, 1)])
def test_while_the_model_loads_a_core_is_left_to_it_but_one_worker_always_decodes(
    monkeypatch, cores, workers, while_loading
):
    monkeypatch.setattr(batching, "available_cores", lambda: cores)
    assert batching.loading_workers(workers) == while_loading


def test_at_most_32_decode_workers_start_by_default(monkeypatch):
    monkeypatch.setattr(batching, "available_cores", lambda: 33)
    assert batching.default_workers() == 32
    monkeypatch.setattr(batching, "available_cores", lambda: 31)
    assert batching.default_workers() == 31
