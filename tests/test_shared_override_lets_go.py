"""SharedOverride keeps what it saved only while a block holds the setting: once the last block
has put it back, the host program's object (warnings' filter list, say) is not held on to."""

from __future__ import annotations

import gc
import weakref

from zsl_cli.process_settings import SharedOverride


class Saved:
    """What `save` returns: an object of the host program's, as a setting's value."""


def test_what_was_saved_is_let_go_once_the_last_block_ends():
    restored: list[int] = []
    saved = Saved()
    seen = weakref.ref(saved)
    values = [saved]
    override = SharedOverride(values.pop, lambda value: restored.append(id(value)))
    with override.held(), override.held():
        pass
    del saved
    gc.collect()
    assert len(restored) == 1
    assert seen() is None
