"""Whether an error says a load ran into a limit of the system (memory, threads, no temporary
folder), and the message that names it; and whether this process's allocations can fail
rather than be killed.

A module of its own so that `loading` and the backend it loads (`hf`) both use it, and `hf`
does not import its loader. Imports neither torch nor transformers.
"""

from __future__ import annotations

import errno
import re

from zsl_cli.formatting import clipped_text

# Python's words (tempfile.gettempdir) when no folder it tries takes a file.
_NO_TEMPORARY_FOLDER = "No usable temporary directory found"


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


def no_temporary_folder(error: BaseException) -> str | None:
    """The message for a load that found no writable temporary folder, where `error` (or an
    error it was raised from) says so; else None. torch and transformers need one as they
    import (torch._dynamo sets up a cache folder in it): a read-only root file system, a full
    /tmp."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, FileNotFoundError) and _NO_TEMPORARY_FOLDER in str(cause):
            tried = re.search(r"found in \[(.*)\]", str(cause))
            folders = tried.group(1).replace("'", "") if tried else "TMPDIR, /tmp"
            return (
                f"no writable temporary folder was found (tried {clipped_text(folders, 200)}: "
                "full or read-only?), and loading the model needs one; set TMPDIR to a "
                "writable folder"
            )
        cause = cause.__cause__ or cause.__context__
    return None


def address_space_limit() -> int | None:
    """This process's address-space limit (ulimit -v) in bytes; None where there is none."""
    try:
        import resource
    except ImportError:  # Windows: no such limit
        return None
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    return None if limit == resource.RLIM_INFINITY else limit


def overcommit_is_strict() -> bool:
    """Whether Linux refuses allocations past its commit limit (vm.overcommit_memory = 2)."""
    try:
        with open("/proc/sys/vm/overcommit_memory", encoding="ascii") as setting:
            return setting.read().strip() == "2"
    except OSError:
        return False


def allocations_can_fail() -> bool:
    """Whether an allocation of this process can be refused (an address-space limit, strict
    overcommit); otherwise memory runs out by the out-of-memory killer, not by an error."""
    return address_space_limit() is not None or overcommit_is_strict()
