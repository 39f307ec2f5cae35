"""Reading the text files a user gives (class lists, descriptions, attribute tables, templates,
truth and seen-class lists): their encoding (UTF-8, or UTF-16 led by its byte-order mark; UTF-32
and binary refused), byte-order marks, invisible characters, line ends, and Unicode composition.
`read_text` is the reader of classes and prompts; evaluation reads truth and seen-class lists
from the same pieces by its own rules.
"""

from __future__ import annotations

import codecs
import os
import re
import shlex
import unicodedata
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import IO

from zsl_cli.errors import ZslError

# Invisible characters a name picks up from its file (a byte-order mark left mid-file by `cat
# a.txt b.txt`, a zero-width space from a web page): stripped from the ends of lines and names
# like white space, refused inside a name, where the name would print as another one. Also the
# soft hyphen, direction marks and bidi controls (pasted with right-to-left text: `cat` + U+200E
# prints as `cat`, and U+202E prints the rest of a name backwards) and invisible operators.
# Also what prints as nothing and no real name holds: the Hangul fillers U+115F/U+1160 (the
# empty parts of a syllable, a favourite of "invisible" user names: refused at a class name's
# ends too, see `strip_name`), the Khmer inherent vowels U+17B4/U+17B5 (Unicode advises against
# their use), the format characters deprecated since Unicode 3.0 (U+206A-U+206F) and the
# interlinear annotation marks U+FFF9-U+FFFB (ruby text's delimiters, for a program's internal
# use).
# Not the zero-width (non-)joiners U+200C/U+200D: Persian, Indic scripts and emoji need them.
# Nor the variation selectors (an emoji's, a Mongolian letter's, a CJK ideograph's form).
# The bidi embeddings, overrides and isolates: messages show them escaped (`formatting`).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = (
    "\ufeff\u200b\u2060\u00ad\u061c\u180e\u200e\u200f\u2061\u2062\u2063\u2064"
    + BIDI_CONTROLS
    + "\u115f\u1160\u17b4\u17b5\u206a\u206b\u206c\u206d\u206e\u206f\ufff9\ufffa\ufffb"
)

# Spaces that print as a plain space but are other characters: the no-break space a web page or
# a word processor leaves in pasted text, typesetting's thin and narrow spaces. "red circle" with
# one is another class than the "red circle" of a truth folder or a Label Studio config.
# Stripped at the ends as white space; inside a name refused, as invisible characters are. Not
# the ideographic space U+3000 of CJK text, which prints as wide as its characters.
# Also the blanks that are no white space (`BLANK_LOOKALIKES`): the Hangul fillers U+3164 and
# U+FFA0, "invisible" user names' favourites, and the braille blank U+2800, an empty braille
# cell that no name written in letters holds. Letters and a symbol to Python, so not stripped
# at the ends, but refused in a name and read as a space where names are compared.
BLANK_LOOKALIKES = "\u2800\u3164\uffa0"
LOOKALIKE_SPACES = (
    "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
    + BLANK_LOOKALIKES
)

_TEXT_BLOCK = 1 << 20  # bytes read at a time from a text file
# What a file not found adds where its name is '-': only image paths read '-' as stdin.
STDIN_HINT = " (to read it from stdin, give /dev/stdin)"


def utf16_or_binary(data: bytes) -> bool:
    """Whether a text file's bytes cannot be UTF-8 text: Excel's "Unicode Text" and PowerShell's
    `>` write UTF-16, whose NUL bytes, read as UTF-8, would hide in the names."""
    return data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data


def not_utf8_encoding(data: bytes) -> str:
    """What a text file's bytes that `utf16_or_binary` refuses are, for its refusal to say:
    UTF-32 led by its byte-order mark (the little-endian mark, FF FE 00 00, starts with
    UTF-16's, so it is looked for first), else UTF-16 or binary."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    return "UTF-16 or binary"


def read_utf16(handle: IO[bytes], head: bytes) -> str | None:
    """The text of a file in UTF-16 led by its byte-order mark (PowerShell's `>`, Excel's
    "Unicode Text"), whose first bytes `read_text_bytes` read as `head`, the rest read here; None
    for a file without that mark. UnicodeDecodeError where the rest is no UTF-16. A NUL character,
    which no text holds, stops the reading as it does in `read_text_bytes` (binary content)."""
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    decoder = codecs.getincrementaldecoder("utf-16")()  # reads the mark, and drops it
    ended = len(head) % _TEXT_BLOCK != 0
    parts = [decoder.decode(head, final=ended)]
    while not ended and "\0" not in parts[-1]:
        block = handle.read(_TEXT_BLOCK)
        ended = len(block) < _TEXT_BLOCK
        parts.append(decoder.decode(block, final=ended))
    return "".join(parts)


def read_text_bytes(handle: IO[bytes]) -> bytes:
    """A text file's bytes, or those up to the first block holding a NUL byte, which makes them
    binary for `utf16_or_binary`: /dev/zero or /dev/urandom given for a text file never ends (it
    took all the memory there was), and a large binary file was read whole only to be refused."""
    blocks: list[bytes] = []
    while block := handle.read(_TEXT_BLOCK):
        blocks.append(block)
        # A short read is the end: on a terminal (/dev/stdin), Ctrl-D ends one read, and a next
        # one would wait for another.
        if b"\0" in block or len(block) < _TEXT_BLOCK:
            break
    return b"".join(blocks)


def read_text(
    path: str | os.PathLike[str],
    what: str = "class file",
    not_found_hint: Callable[[str], str] | None = None,
) -> str:
    """A UTF-8 text file's content, a byte-order mark dropped and every line end made "\n";
    UTF-16 led by its byte-order mark is read too (Windows PowerShell's `>` writes it: the
    `Get-ChildItem -Name > classes.txt` that lists class folders); any other encoding is a
    ZslError naming the file (and line). `not_found_hint`: what the
    message of a file not there adds (`accents.not_found_hint`, which this module cannot import:
    it needs the formatting that imports this module); a class file not there whose name reads
    as names typed for it (`red circle,blue square`) is told how to give names."""
    path = Path(path)
    utf16 = None
    try:
        with path.open("rb") as handle:
            data = read_text_bytes(handle)
            utf16 = read_utf16(handle, data)
    except UnicodeDecodeError:
        raise ZslError(
            f"{path}: not UTF-16 text, though its byte-order mark says so (cut short?); "
            "save it as UTF-8"
        ) from None
    except OSError as error:
        if str(path) == "-":
            hint = STDIN_HINT
        else:
            hint = not_found_hint(str(path)) if not_found_hint else ""
            if what == "class file" and not hint:
                hint = _names_hint(str(path))
        there = not_there_error(what, str(path), error, hint)
        raise there or ZslError(f"cannot read {what} {path}: {error.strerror}") from None
    if utf16 is not None and "\0" not in utf16:
        text = utf16
    elif utf16_or_binary(data):
        raise ZslError(f"{path}: not UTF-8 text ({not_utf8_encoding(data)}); save it as UTF-8")
    else:
        text = _utf8(data.removeprefix(codecs.BOM_UTF8), path)
    # Classic Mac line endings, as Excel for Mac's "CSV (Macintosh)" still writes them, also
    # where a line was added since with "\n" (`echo bird >> classes.txt`): read as one line, the
    # old lines went into the first one's prompt.
    return text.replace("\r\n", "\n").replace("\r", "\n")


# What names typed hold, and a path (a folder, a file's extension) does not.
_NAMES_TYPED = re.compile(r"[,\s]")
_PATH_LIKE = re.compile(r"[/\\]|\.[A-Za-z0-9]{1,5}$")


def _names_hint(given: str) -> str:
    """For a class file not found: how to give names, where `given` reads as names typed for
    it (`-c 'red circle,blue square'`, as the transformers pipeline takes `candidate_labels`):
    a comma, or a space and neither a folder nor a file's extension; else ""."""
    if not _NAMES_TYPED.search(given.strip()) or _PATH_LIKE.search(given):
        return ""
    names = [name.strip() for name in given.split(",") if name.strip()]
    if not names:
        return ""
    typed = " ".join(map(shlex.quote, names))
    return f" (--classes takes a file: for names, -c <(printf '%s\\n' {typed}))"


def _utf8(data: bytes, path: Path) -> str:
    """`data` decoded as UTF-8; a NotUtf8Error naming the line of the first byte that is not."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        # The line an editor shows, not a byte offset nobody can find.
        before = data[: error.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        raise not_utf8_error(str(path), line, data[error.start], data) from None


def not_there_error(what: str, shown: str, error: OSError, hint: str = "") -> ZslError | None:
    """The refusal of a text file a user names (`what`, at the path `shown`) that is not there,
    or is a folder, in the same words whichever file it is; None for another error. A path
    through a file (`seen.txt/x`) is not there either. `hint`: what a file not there adds."""
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return ZslError(f"{what} not found: {shown}{hint}")
    if isinstance(error, IsADirectoryError):
        return ZslError(f"{what} is a directory: {shown}")
    return None


class NotUtf8Error(ZslError):
    """The refusal of text that is not UTF-8, holding the `line` and `byte` it names and the
    file's bytes (`data`, where the refusal had them): a reader tells from them what else the
    file is (a class file written by cmd's `dir` in the console's code page)."""

    def __init__(self, message: str, line: int, byte: int, data: bytes = b"") -> None:
        super().__init__(message)
        self.line, self.byte, self.data = line, byte, data

    def __reduce__(self) -> tuple[type[NotUtf8Error], tuple[str, int, int, bytes]]:
        # Exceptions pickle as cls(*args), and ours takes more than its message.
        return type(self), (self.message, self.line, self.byte, self.data)


def not_utf8_error(where: str, line: int, byte: int, data: bytes = b"") -> NotUtf8Error:
    """The refusal of a line of class names that is not UTF-8 text (a file saved in Shift-JIS
    or Windows-1252), in the same words whichever file holds it: `where` names the file, `data`
    holds its bytes for a reader that tells what else it is (`NotUtf8Error`)."""
    message = f"{where}:{line}: not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8"
    return NotUtf8Error(message, line, byte, data)


def quote_left_open(
    start: int, end: int, row: list[str], rule: str = "cells cannot hold line breaks"
) -> str | None:
    """Why a CSV row that `csv.reader` read from line `start` to line `end` (its `line_num`
    after the row) is a '"' left open, or None. No class name, label or weight holds a line
    break: a row over several lines is an open quote that swallowed the rows below it into one
    cell (read with the text ended by a line break, one left open on the last row keeps it).
    `rule`: which cells may hold one, said after the open quote (a truth CSV's path may)."""
    if end > start:
        return f"a quoted cell runs on to line {end} (a '\"' without its closing quote?); {rule}"
    # Tested on the row joined: a test of each cell took a third of a large table's time.
    if "\n" in "".join(row):  # csv ends an open quote at the end of file
        return "a quoted cell runs on to the end of the file (a '\"' without its closing quote?)"
    return None


# What a byte that is not UTF-8 becomes when text is decoded with errors="surrogateescape".
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def escaped_byte(text: str) -> int | None:
    """The first byte that was not UTF-8 in text decoded with errors="surrogateescape" (where
    file names are read too), or None."""
    found = _ESCAPED_BYTE.search(text)
    return None if found is None else ord(found.group()) - 0xDC00


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: split at "\n" (a "\r" before it dropped) and nowhere
    else; str.splitlines also splits at form feeds, U+2028 and other separators."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def strip_invisible(text: str) -> str:
    """`text` without white space or invisible characters at either end."""
    return _stripped(text, INVISIBLE)


def _stripped(text: str, invisible: str) -> str:
    """`text` without white space or the characters of `invisible` at either end, however they
    alternate there."""
    while text != (stripped := text.strip().strip(invisible)):
        text = stripped
    return text


# The Hangul fillers that `strip_invisible` takes off a text's ends: a class name keeps them there,
# to be refused (`classes`), as it is where they stand inside it and as the fillers U+3164 and
# U+FFA0 are wherever they stand. No file leaves them at a line's end by accident, as `cat` leaves
# a byte-order mark: they are "invisible" names' favourites, and stripped, a name of a filler alone
# vanished from the class list without a word, and `\u115f` + `cat` became `cat`. A prompt's text
# (a class's own prompt, a descriptor, an attribute phrase, a template) keeps them too, to be
# warned of as one inside it is (`prompts.invisible_character_warnings`): stripped, `\u115f` + `a
# star` was `a star` where the name beside it was refused.
_NAME_FILLERS = "\u115f\u1160"
_STRIPPED_FROM_NAMES = "".join(c for c in INVISIBLE if c not in _NAME_FILLERS)


def strip_name(text: str) -> str:
    """A class name or a prompt's text (or its line) without white space or invisible characters
    at either end, as `strip_invisible` strips them, but for the Hangul fillers, which stay there
    to be refused in a name and warned of in a prompt."""
    return _stripped(text, _STRIPPED_FROM_NAMES)


def first_content_lines(text: str, count: int = 2) -> list[str]:
    """The first `count` lines, stripped, that are neither blank nor a `#` comment, as a class
    file is parsed; the rest of a large file is not looked at."""
    lines = (strip_invisible(line) for line in split_lines(text))
    return list(islice((line for line in lines if line and not line.startswith("#")), count))


def composed(name: str) -> str:
    """The name compared as it is seen: composed and decomposed accents ("café") look the same
    everywhere they are shown, so they are one name."""
    return unicodedata.normalize("NFC", name)


# Variation selectors 15 and 16 ask for an emoji's text or picture form of one character: ❤ and
# ❤️ (U+2764 U+FE0F) are one heart, and emoji pickers add the U+FE0F a typed list lacks.
_PRESENTATION_SELECTORS = dict.fromkeys(map(ord, "\ufe0e\ufe0f"))


def plain_emoji(name: str) -> str:
    """The name `composed`, and its emoji without the selectors of their text or picture form:
    a key under which a name written with an emoji picker meets the one typed without it."""
    return composed(name).translate(_PRESENTATION_SELECTORS)


# Unicode's Default_Ignorable_Code_Point characters, which print as nothing: the zero-width
# (non-)joiners between Latin letters, a variation selector on a letter, U+034F, the Khmer
# inherent vowels, a tag outside a flag. A class list keeps those that names need (Persian's,
# Indic scripts' and emoji's joiners, selectors), so two names may print alike: they are
# compared without them (`shown_form`). Python's unicodedata has no such property; Unicode
# derives it as the format characters (category Cf) but for those that print (the Arabic number
# signs U+0600-U+0605, U+06DD, U+070F, U+0890-U+0891, U+08E2, U+110BD, U+110CD; U+FFF9-U+FFFB;
# the Egyptian hieroglyph controls), with the variation selectors and its list of other
# ignorables (U+034F, the Hangul fillers, U+17B4-U+17B5, unassigned U+2065, U+FFF0-U+FFF8 and
# U+E0000-U+E0FFF). Written out: a scan of every code point with unicodedata took most of a
# second at each start, so a test derives the set that way and holds this class against it.
DEFAULT_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# The Mongolian vowel separator U+180E between two Mongolian letters (a free variation selector
# may follow the first) sets a final vowel apart, both letters in other forms: `ᠬᠠᠷ` + U+180E +
# `ᠠ`, "black". There it is part of the word's spelling, as a free variation selector is, so a
# class name may hold it, and it tells names apart; anywhere else it prints as nothing, one of the
# INVISIBLE characters, refused inside a name (`classes`) and stripped at its ends.
_MONGOLIAN_LETTERS = "\u1820-\u18aa"
SEPARATED_VOWEL = f"(?<=[{_MONGOLIAN_LETTERS}\u180b-\u180d\u180f])\u180e(?=[{_MONGOLIAN_LETTERS}])"
# A subdivision flag (a black flag, the tags of "gbsct" and a cancel tag: Scotland's) prints as
# its tags say: they are kept, where tags outside a flag print as nothing. So are the Mongolian
# free variation selectors, which choose a letter's form, a vowel separator between Mongolian
# letters, and the zero-width (non-)joiners, which are looked at apart (`_unseen_joiners`).
_IGNORED_OUTSIDE_FLAGS = re.compile(
    "(\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f|[\u180b-\u180d\u180f\u200c\u200d]|"
    + SEPARATED_VOWEL
    + ")|"
    + DEFAULT_IGNORABLE.pattern
)
_JOINERS = ("\u200c", "\u200d")
_IGNORABLE_RUN = re.compile(DEFAULT_IGNORABLE.pattern + "+")
_BLANKS_AS_SPACES = str.maketrans(dict.fromkeys(BLANK_LOOKALIKES, " "))
# Scripts whose letters a zero-width (non-)joiner does not join or part, nor make conjuncts of:
# Latin, Greek, Cyrillic, and the CJK ideographs (and 々, 〆, 〇 written among them), kana, Hangul
# syllables, the compatibility jamo (ㄱ, ㄴ: letters that stand alone) and bopomofo, which
# are neither cursive nor shaped by their neighbours, so `葛` + U+200D prints as `葛`. Not the
# conjoining jamo (U+1100-U+11FF and their extensions): a joiner between two of them splits the
# syllable block they build, and `ᄀ` + U+200C + `ᅡ` prints as two letters, not as `가`.
_UNJOINED_SCRIPTS = (
    "LATIN ",
    "GREEK ",
    "CYRILLIC ",
    "CJK UNIFIED IDEOGRAPH-",
    "CJK COMPATIBILITY IDEOGRAPH-",
    "IDEOGRAPHIC ITERATION MARK",
    "IDEOGRAPHIC CLOSING MARK",
    "IDEOGRAPHIC NUMBER ZERO",
    "HIRAGANA ",
    "KATAKANA",  # and KATAKANA-HIRAGANA PROLONGED SOUND MARK, ー
    "HALFWIDTH KATAKANA ",
    "HANGUL SYLLABLE ",
    "HANGUL LETTER ",
    "HALFWIDTH HANGUL LETTER ",
    "BOPOMOFO ",
)


def _unjoined(character: str | None) -> bool:
    """Whether a joiner beside this character (None: the name's end) prints as nothing: ASCII,
    a Latin, Greek or Cyrillic letter, an accent of theirs, a CJK ideograph, a kana, a Hangul
    syllable or compatibility jamo, a bopomofo letter, a digit, a space or punctuation. Beside an
    Arabic or Indic letter it joins or parts them (Persian's ZWNJ, a Devanagari half form),
    beside an emoji it makes another one (a family of three people, a rainbow flag), and beside
    a conjoining Hangul jamo it splits a syllable block."""
    if character is None or character < "\x80" or "\u0300" <= character <= "\u036f":
        return True
    category = unicodedata.category(character)
    if category == "Nd" or category[0] in "PZ":
        return True
    return unicodedata.name(character, "").startswith(_UNJOINED_SCRIPTS)


def _unseen_joiners(name: str) -> set[int]:
    """Where `name` holds a zero-width (non-)joiner that prints as nothing: the characters
    beside it, other characters that print as nothing passed over, are both `_unjoined` (`blu`
    + U+200D + `e circle`)."""
    unseen: set[int] = set()
    for run in _IGNORABLE_RUN.finditer(name):
        start, end = run.span()
        before = name[start - 1] if start else None
        after = name[end] if end < len(name) else None
        if _unjoined(before) and _unjoined(after):
            unseen.update(start + i for i, c in enumerate(run.group()) if c in _JOINERS)
    return unseen


# A variation selector after a CJK ideograph (an ideographic variation sequence, U+E0100-U+E01EF,
# or a standardized one, U+FE00-U+FE02 for a compatibility ideograph's form) selects one of its
# glyphs: 葛 + U+E0100 is 葛 as the Tokyo ward Katsushika writes it. `shown_form` still drops it,
# so the two are one class name, as `❤` and `❤️` are: the variant is the same character, read and
# meant alike; most fonts carry no variants and most terminals draw none, so the two would show as
# one name in every summary, CSV and `evaluate` table, and a reader could not tell which images
# went to which. A duplicate's message shows the selector escaped and says what it selects. A
# Mongolian free variation selector is kept (another name): it is part of a word's spelling, one
# code point standing for several letters and the selector picking one, which every Mongolian
# font draws.
_GLYPH_VARIANT = re.compile(
    "([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff])"
    "([\ufe00-\ufe0f\U000e0100-\U000e01ef])"
)


def glyph_variants(name: str) -> dict[str, str]:
    """The variation selectors in `name` that follow a CJK ideograph, each with the first
    ideograph it follows, whose glyph it selects (see `_GLYPH_VARIANT`)."""
    found: dict[str, str] = {}
    for variant in _GLYPH_VARIANT.finditer(name):
        found.setdefault(variant.group(2), variant.group(1))
    return found


# Variation selectors 15 and 16 after a symbol (❤, ☺, ©, ↔, ‼) select its text or picture form:
# two forms of one emoji (`plain_emoji`).
_EMOJI_FORM = re.compile("(.)([\ufe0e\ufe0f])", re.DOTALL)
_FORM_OF = {"\ufe0e": "text", "\ufe0f": "picture"}


def emoji_forms(name: str) -> dict[str, str]:
    """The selectors of an emoji's text or picture form in `name` (U+FE0E, U+FE0F after a
    symbol), each with what it selects: `the picture form of ❤`."""
    found: dict[str, str] = {}
    for form in _EMOJI_FORM.finditer(name):
        symbol, selector = form.groups()
        category = unicodedata.category(symbol)
        if category in ("So", "Sm") or (category == "Po" and symbol >= "\u2000"):
            found.setdefault(selector, f"the {_FORM_OF[selector]} form of {symbol}")
    return found


def shown_form(name: str) -> str:
    """The name `composed`, without the default-ignorable characters that print as nothing
    (`DEFAULT_IGNORABLE`, but a flag's tags, the Mongolian free variation selectors and the
    zero-width (non-)joiners where they join or part letters or emoji), and with the blanks that
    are no space (`BLANK_LOOKALIKES`) read as one: a key under which names that print alike are
    one (`blue circle` and `blu` + U+200D + `e circle`, `❤` and `❤️`; not `👨👩👧` and the family
    `👨` + U+200D + `👩` + U+200D + `👧`)."""
    name = composed(name.translate(_BLANKS_AS_SPACES))
    unseen = _unseen_joiners(name) if "\u200c" in name or "\u200d" in name else set()

    def kept(found: re.Match[str]) -> str:
        return "" if found.start() in unseen else found.group(1) or ""

    return composed(_IGNORED_OUTSIDE_FLAGS.sub(kept, name))
