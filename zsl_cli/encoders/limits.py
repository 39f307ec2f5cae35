"""Whether an error says a load ran into a limit of the system (memory, threads), and the
message that names it.

A module of its own so that `loading` and the backend it loads (`hf`) both use it, and `hf`
does not import its loader. Imports neither torch nor transformers.
"""

from __future__ import annotations

import errno

from zsl_cli.formatting import clipped_text


def system_limit(error: BaseException) -> str | None:
    """Which limit of the system a load ran into, where its error says it ran into one: the
    model is not what to fix then. Else None."""
    text = " ".join(str(error).split())
    if isinstance(error, RuntimeError) and "can't start new thread" in text:
        # A thread's stack is memory too: ulimit -v stops threads as well (seen at 1.1 GB).
        return (
            f"{text} (a limit of the system is reached: on threads, ulimit -u or a container's "
            "pids limit, or on memory, ulimit -v)"
        )
    out_of_memory = (
        isinstance(error, MemoryError)
        or (isinstance(error, OSError) and error.errno == errno.ENOMEM)
        or any(
            words in text
            for words in ("failed to map segment", "Cannot allocate memory", "Out of memory")
        )
    )
    if out_of_memory:
        cause = clipped_text(text) if text else type(error).__name__
        return (
            f"{cause} (out of memory: check the address-space limit, ulimit -v, and the "
            "container's memory limit)"
        )
    return None
