"""Whether an error says a load ran into a limit of the system (memory, threads, no temporary
folder), and the message that names it; and whether this process's allocations can fail
rather than be killed.

A module of its own so that `loading` and the backend it loads (`hf`) both use it, and `hf`
does not import its loader. Imports neither torch nor transformers.
"""

from __future__ import annotations

import errno
import mmap
import re
import threading

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
        where = memory_limits_in_force(address_space_limit(), overcommit_is_strict())
        return f"{cause} (out of memory: {where})"
    return None


def memory_limits_in_force(limit: int | None, strict: bool) -> str:
    """What to change where the CPU's memory ran out: the address-space limit (`limit`, in
    bytes, None where there is none) and strict overcommit, named as in force, since `ulimit -v`
    at its current value changes nothing; else the container's memory limit. Under those two an
    allocation fails, where otherwise the kernel kills the process."""
    causes = []
    if limit is not None:
        kib = limit // 1024
        causes.append(
            f"the address-space limit is ulimit -v {kib} now: raise it above {kib} or lift it "
            "(ulimit -v unlimited)"
        )
    if strict:
        causes.append(
            "the system's overcommit is strict (vm.overcommit_memory=2): free memory or raise "
            "its commit limit (vm.overcommit_ratio)"
        )
    return "; ".join(causes) or "check the container's memory limit"


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
                "full or read-only?), and torch needs one as it loads; set TMPDIR to a "
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
    except (OSError, MemoryError):  # no memory left even for this: nothing known
        return False


def allocations_can_fail() -> bool:
    """Whether an allocation of this process can be refused (an address-space limit, strict
    overcommit); otherwise memory runs out by the out-of-memory killer, not by an error."""
    return address_space_limit() is not None or overcommit_is_strict()


# Allocations between a check of room for threads and their start (Python's objects, libgomp's
# team), with room to spare: what ran out there ended the process natively.
THREAD_START_MARGIN = 32 * 2**20
DEFAULT_THREAD_STACK = 8 * 2**20  # glibc's where the stack limit is unlimited or unknown


def thread_stack_bytes() -> int:
    """The stack a new thread maps: Python's setting, else the system's default, which is the
    stack limit (ulimit -s), as for libgomp's threads."""
    size = threading.stack_size()
    if size:
        return size
    try:
        import resource
    except ImportError:  # Windows
        return DEFAULT_THREAD_STACK
    limit = resource.getrlimit(resource.RLIMIT_STACK)[0]
    return limit if 0 < limit != resource.RLIM_INFINITY else DEFAULT_THREAD_STACK


def check_room_for_threads(count: int) -> None:
    """Where an allocation can fail (`allocations_can_fail`), map and unmap room for the stacks
    of `count` threads twice over, with a margin: OSError (ENOMEM), which `system_limit` names,
    where there is none. Twice: threads that ended just now may hold their stacks until they
    are gone from the system, when new ones start. Elsewhere nothing is mapped."""
    if count < 1 or not allocations_can_fail():
        return
    size = 2 * count * thread_stack_bytes() + THREAD_START_MARGIN
    # Private and writable, untouched: counted by ulimit -v and by strict overcommit, yet no
    # memory is used.
    room = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    room.close()
