"""A container without its own cgroup namespace sees its group at the cgroup root, while
/proc/self/cgroup names the host's path for it. Where that path is not under the root, the root's
quota is the one that counts: a folder under the root that shares the path's first part (the
system.slice of a systemd run inside the container) is another group, whose quota is not ours."""

from __future__ import annotations

from pathlib import Path

from zsl_cli import batching


def cgroup_tree(root: Path, files: dict[str, str], own: str) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "self-cgroup").write_text(own)
    return root / "self-cgroup"


def test_cgroup_v2_reads_the_root_where_the_own_group_is_not_under_it(tmp_path):
    own = cgroup_tree(
        tmp_path,
        {"cpu.max": "400000 100000\n", "system.slice/cpu.max": "100000 100000\n"},
        own="0::/system.slice/docker-1234.scope\n",
    )
    assert batching.cpu_quota(tmp_path, own) == 4


def test_cgroup_v1_reads_the_root_where_the_own_group_is_not_under_it(tmp_path):
    own = cgroup_tree(
        tmp_path,
        {
            "cpu/cpu.cfs_quota_us": "300000\n",
            "cpu/cpu.cfs_period_us": "100000\n",
            "cpu/system.slice/cpu.cfs_quota_us": "100000\n",
            "cpu/system.slice/cpu.cfs_period_us": "100000\n",
        },
        own="4:cpu,cpuacct:/system.slice/docker-1234.scope\n",
    )
    assert batching.cpu_quota(tmp_path, own) == 3
