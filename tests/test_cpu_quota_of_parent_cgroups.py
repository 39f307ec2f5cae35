"""A CPU quota set on a parent control group limits its children too (a systemd slice's
CPUQuota over the scope a job runs in, a Kubernetes pod's over its container): the smallest
quota on the way from this process's group up to the root counts, never one above the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli import batching


def cgroup_tree(root: Path, files: dict[str, str], own: str) -> Path:
    """`files` laid out under `root` as under /sys/fs/cgroup; returns the file standing for
    /proc/self/cgroup, saying `own`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "self-cgroup").write_text(own)
    return root / "self-cgroup"


@pytest.mark.parametrize(
    ("slice_quota", "scope_quota", "cpus"),
    [
        ("200000 100000\n", "max 100000\n", 2),  # systemd: CPUQuota=200% on the slice alone
        ("500000 100000\n", "300000 100000\n", 3),  # the scope's own is smaller
        ("200000 100000\n", "300000 100000\n", 2),  # the slice's is smaller
        ("max 100000\n", "max 100000\n", None),
    ],
)
def test_cgroup_v2_takes_the_smallest_quota_of_the_own_group_and_its_parents(
    tmp_path, slice_quota, scope_quota, cpus
):
    own = cgroup_tree(
        tmp_path,
        {
            "system.slice/batch.slice/cpu.max": slice_quota,
            "system.slice/batch.slice/job.scope/cpu.max": scope_quota,
            "system.slice/cpu.max": "max 100000\n",
        },
        own="0::/system.slice/batch.slice/job.scope\n",
    )
    assert batching.cpu_quota(tmp_path, own) == cpus


def test_a_quota_above_the_cgroup_root_is_not_read(tmp_path):
    # A container's root is its own group: what lies above it is the host's, out of reach.
    own = cgroup_tree(
        tmp_path,
        {"cpu.max": "100000 100000\n", "pod/cpu.max": "400000 100000\n"},
        own="0::/\n",
    )
    assert batching.cpu_quota(tmp_path / "pod", own) == 4


def test_cgroup_v1_takes_the_smallest_quota_of_the_own_group_and_its_parents(tmp_path):
    own = cgroup_tree(
        tmp_path,
        {
            "cpu/batch/cpu.cfs_quota_us": "200000\n",
            "cpu/batch/cpu.cfs_period_us": "100000\n",
            "cpu/batch/job/cpu.cfs_quota_us": "-1\n",
            "cpu/batch/job/cpu.cfs_period_us": "100000\n",
        },
        own="3:cpu,cpuacct:/batch/job\n0::/\n",
    )
    assert batching.cpu_quota(tmp_path, own) == 2
