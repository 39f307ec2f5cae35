"""`--ls-data-key '$zsl_path'` or `'$__proto__'`: dropping the '$' gives a key that is refused
too (zsl's own record, a name Label Studio's labelling screen skips). Told to give the key
without its '$', the user was then refused again: the refusal that key gets comes at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.errors import ZslError
from zsl_cli.label_studio import LabelStudioOptions, check_label_studio_options


def _refusal(key: str) -> str:
    with pytest.raises(ZslError) as refused:
        check_label_studio_options(LabelStudioOptions(document_root=Path("root"), data_key=key))
    return refused.value.message


@pytest.mark.parametrize("key", ["$zsl_path", "$zsl_label", "$__proto__"])
def test_a_dollar_before_a_reserved_key_gets_that_keys_refusal(key: str) -> None:
    message = _refusal(key)
    assert message.startswith(f"--ls-data-key '{key}': ")
    assert f"give --ls-data-key {key[1:]}" not in message
    # The reason is the one the key without its '$' is refused for.
    reason = _refusal(key[1:]).split(": ", 1)[1]
    assert message.endswith(reason)
