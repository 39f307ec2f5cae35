"""Under an address-space limit, what a load is checked against is the room the limit leaves
beside what the process already maps, not the limit alone."""

from __future__ import annotations

import pytest

from zsl_cli.encoders import loading
from zsl_cli.errors import ZslError

GB = 2**30


def test_a_large_limit_mostly_used_already_is_refused_with_the_room_left(monkeypatch):
    monkeypatch.setattr(loading, "address_space_limit", lambda: 4 * GB)
    monkeypatch.setattr(loading, "_address_space_used", lambda: 4 * GB - 100 * 2**20)
    with pytest.raises(ZslError) as info:
        loading._make_room_for_scipy_blas()
    assert info.value.message.startswith(
        f"the address-space limit (ulimit -v {4 * GB // 1024}) leaves 100 MB for the model, "
        "which needs over 256 MB to load"
    )
