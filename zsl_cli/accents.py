"""Accents composed (NFC, as keyboards type them) or decomposed (NFD, as macOS writes names): the
two spellings look the same wherever they are shown, yet are different names on most file
systems. How a name holds its accents, in the words of every message that says so
(`accent_form`), and, for a path the user typed that is not there, where it is there spelled
otherwise (`spelled_otherwise`, `not_found_hint`), for every "not found" message of such a path.
The path is never taken under the other spelling: outputs and the store key paths as given.
"""

from __future__ import annotations

import errno
import os
import re
import unicodedata

from zsl_cli.formatting import listed, printable

_SEPARATOR_CHARACTERS = os.sep + (os.altsep or "")
_SEPARATORS = re.compile("[" + re.escape(_SEPARATOR_CHARACTERS) + "]")


def accent_form(text: str) -> str:
    """Whether `text` holds its accents composed or decomposed, for a message."""
    if text == unicodedata.normalize("NFC", text):
        return "composed form (NFC)"
    if text == unicodedata.normalize("NFD", text):
        return "decomposed form (NFD)"
    return "a form neither NFC nor NFD"


def not_found_hint(path: str | os.PathLike[str]) -> str:
    """What a "not found" message of a path the user typed adds: " (`spelled_otherwise`)" where
    the path is there spelled otherwise, else ""."""
    otherwise = spelled_otherwise(os.fspath(path))
    return f" ({otherwise})" if otherwise else ""


def spelled_otherwise(path: str) -> str | None:
    """For a path that is not there, where it is there with names whose accents are composed
    otherwise (café typed composed, stored decomposed as macOS writes it, or the reverse), or
    with `/` for its `\\` (written on Windows) where `\\` separates no folders: what to add to
    the message; else None.

    Walking down the path, each name that is not there is looked for in the folder reached with
    its accents composed and decomposed (_stored_spelling), and the walk goes on through the
    spelling found: a missing path costs at most three lookups for each of its names and lists
    no folder. A name stored partly composed and partly decomposed is not found.
    """
    if "\\" in path and "\\" not in _SEPARATOR_CHARACTERS:
        # A path written on Windows (`dir /s /b`, a colleague's script): here `\` is a
        # character of a name, not a separator.
        slashed = path.replace("\\", "/")
        if lexists(slashed):
            return (
                f"{printable(slashed)} is there: a backslash is part of a name on this system, "
                f"not a folder separator as on Windows"
            )
    drive, rest = os.path.splitdrive(path)
    reached = drive + rest[: len(rest) - len(rest.lstrip(_SEPARATOR_CHARACTERS))]
    found: list[str] = []  # the paths reached through a name spelled otherwise
    for part in _SEPARATORS.split(rest):
        if not part:
            continue
        if lexists(os.path.join(reached, part)):
            reached = os.path.join(reached, part)
            continue
        stored = _stored_spelling(reached, part)
        if stored is None:
            return None  # not there in any spelling: the other one would not find it either
        reached = os.path.join(reached, stored)
        found.append(reached)
    if not found:
        return None
    named = [
        ("folder" if os.path.isdir(spelled) else "file", os.path.basename(spelled))
        for spelled in found
    ]
    forms = {accent_form(name) for _, name in named}
    if len(forms) == 1:
        names = listed([f"the {kind} {printable(name)}" for kind, name in named])
        there = f"{names} {'is' if len(named) == 1 else 'are'} there in {forms.pop()}"
    else:
        there = listed(
            [f"the {kind} {printable(name)} in {accent_form(name)}" for kind, name in named]
        )
        there += " are there"
    return f"{there}: the two spellings are different names on this file system"


def _stored_spelling(folder: str, name: str) -> str | None:
    """`name` with its accents all composed (NFC) or all decomposed (NFD), where `folder` holds
    that spelling. Looked up by name rather than by listing the folder: a list of N paths typed
    composed for a folder of N images copied decomposed would list that folder N times."""
    for form in ("NFC", "NFD"):
        spelled = unicodedata.normalize(form, name)
        if spelled != name and lexists(os.path.join(folder, spelled)):
            return spelled
    return None


def lexists(path: str) -> bool:
    """True when something has this name, even a broken link or an entry we may not stat."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as error:
        # Permission denied on a parent: let the decoder report it. No file has a name too long
        # to be one.
        return error.errno != errno.ENAMETOOLONG
    return True
