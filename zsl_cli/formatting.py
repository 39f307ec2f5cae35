"""Numbers and text as people read them: the shares and scores in terminal tables, report files
and hubness's recommendation, long texts and file names quoted in messages, and file names as
zsl's UTF-8 files hold them. Plain text only, so the library can phrase results without rich."""

from __future__ import annotations

import codecs
import math
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence

from zsl_cli.text_files import (
    BIDI_CONTROLS,
    DEFAULT_IGNORABLE,
    INVISIBLE,
    LOOKALIKE_SPACES,
    SEPARATED_VOWEL,
    plain_emoji,
    shown_form,
)


def option_given(option: str, value: str) -> str:
    """An option as given, for the message that refuses its value: '' shown as such (an unset
    shell variable, `--format "$FMT"`), where `--format : choose ...` read as a stray space."""
    return f"{option} {value}" if value else f"{option} ''"


def percent(value: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: "n/a" when unknown; never "100.0%" short of all,
    nor "0.0%" above none (one mistake in 2,000 is 99.9%, not a perfect score; one image in
    2,000 is <0.1%)."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{fixed(100 * value, digits, top=100)}%"


def fixed(value: float, digits: int = 3, top: float = 1.0) -> str:
    """`value` (in [0, top]) with `digits` decimals, shown as `top` or 0 only when it is exactly
    that: an F1 of 0.9995 is 0.999, not 1.000, and one of 0.0004 is <0.001, not 0.000."""
    text = f"{value:.{digits}f}"
    if 0 < value < top and float(text) >= top:
        return f"{top - 10.0**-digits:.{digits}f}"
    if 0 < value < top and float(text) <= 0:
        return f"<{10.0**-digits:.{digits}f}"
    return text


def and_more(count: int) -> str:
    """What follows the first of `count` things a message shows: " (and 2 more)", or nothing
    where it is the only one."""
    return f" (and {count - 1} more)" if count > 1 else ""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and `noun`, in the plural unless `n` is 1: "1 class", "2 classes", "0 images";
    `plural` where adding -s or -es will not do ("truth class is", "truth classes are")."""
    if n == 1:
        return f"{n} {noun}"
    if plural is not None:
        return f"{n} {plural}"
    return f"{n} {noun}es" if noun.endswith(("s", "x", "sh", "ch")) else f"{n} {noun}s"


def clipped_text(text: str, limit: int = 300) -> str:
    """`text` cut to about `limit` characters at a word's end, marked as cut."""
    if len(text) <= limit:
        return text
    cut = text[: grapheme_boundary(text, limit, forward=False)]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + " ..."


def clipped_middle(text: str, limit: int = 2000) -> str:
    """`text` cut to about `limit` characters in the middle, where a long message quotes a long
    name: its start says what went wrong and its end often what to do."""
    if len(text) <= limit:
        return text
    head = grapheme_boundary(text, limit * 3 // 4, forward=False)
    tail = grapheme_boundary(text, len(text) - limit // 4, forward=True)
    return f"{text[:head]} ... [{tail - head:,} characters left out] ... {text[tail:]}"


# A line of a file longer than this is cut where a message quotes it (see `quoted_line`).
QUOTED_LINE_CHARS = 80


def quoted_line(line: str) -> str:
    """A line of a file, or a name, prompt or template read from one, quoted as a message quotes
    it (see `quoted_text`): cut after its first QUOTED_LINE_CHARS characters, with its length,
    where it is longer. A row of AwA2's predicate matrix is 800 characters, CUB's 2-3 KB: quoted
    whole, the message around it was lost."""
    if len(line) <= QUOTED_LINE_CHARS:
        return quoted_text(line)
    cut = line[: grapheme_boundary(line, QUOTED_LINE_CHARS, forward=False)]
    return f"{quoted_text(cut)}... ({len(line):,} characters)"


def quoted_text(text: str, *, ignorable_escaped: bool = False) -> str:
    """`text` (a name, a prompt, a cell read from a file) in quotes as repr() writes it, but with
    the characters a name holds as they are written: repr() wrote the joiners of a Persian, Indic
    or emoji name (U+200C, U+200D) as \\u200c, a string the user's file does not show; so is a
    Mongolian vowel separator between two Mongolian letters (`SEPARATED_VOWEL`). Controls,
    bidi controls, invisible characters, look-alike spaces and surrogates (a JSON file's \\udc80)
    stay escaped, and a backslash is doubled, as repr() writes them. `ignorable_escaped`: every
    character that prints as nothing escaped, joiners and selectors too, for a message that sets
    two names side by side that print alike but for them."""
    quote = '"' if "'" in text and '"' not in text else "'"
    # Between two Mongolian letters U+180E is part of the word's spelling, as a class name holds
    # it; anywhere else it prints as nothing, and is escaped as the other invisible characters.
    spelled: set[int] = set()
    if "\u180e" in text and not ignorable_escaped:
        spelled = {found.start() for found in re.finditer(SEPARATED_VOWEL, text)}
    shown = "".join(
        character if index in spelled else _quoted_character(character, quote, ignorable_escaped)
        for index, character in enumerate(text)
    )
    return f"{quote}{shown}{quote}"


def unseen_differ(name: str, other: str) -> bool:
    """Whether two names a message sets side by side differ in characters that print as nothing
    (`DEFAULT_IGNORABLE`): it then shows them escaped on both sides (`quoted_text(...,
    ignorable_escaped=True)`), where 're' + U+200D + 'd circle' beside 'red circle' read as the
    same name twice. Not in an emoji's text or picture selector alone (`plain_emoji`): `❤` and
    `❤️` print apart, and are one class name."""
    return DEFAULT_IGNORABLE.findall(plain_emoji(name)) != DEFAULT_IGNORABLE.findall(
        plain_emoji(other)
    )


# What repr() escapes but a name holds as text: the zero-width (non-)joiners, the ideographic
# space of CJK names (as wide as their characters), and the tags of a subdivision flag (a black
# flag and "gbsct" for Scotland's).
_SHOWN_AS_WRITTEN = re.compile("[\u200c\u200d\u3000\U000e0020-\U000e007f]")


# Invisible characters and look-alike spaces that Python calls printable (the Hangul fillers,
# the Khmer inherent vowels, the braille blank), which repr() wrote as they are.
_PRINTABLE_INVISIBLE = frozenset(
    character for character in INVISIBLE + LOOKALIKE_SPACES if character.isprintable()
)


def _quoted_character(character: str, quote: str, ignorable_escaped: bool = False) -> str:
    if character in ("\\", quote):
        return "\\" + character
    if character in _PRINTABLE_INVISIBLE or (
        ignorable_escaped and DEFAULT_IGNORABLE.match(character)
    ):
        return _code_escape(character)
    if character.isprintable() or _SHOWN_AS_WRITTEN.match(character):
        return character
    code = ord(character)
    noncharacter = 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE  # U+FFFE, never text
    if unicodedata.category(character) == "Cn" and not noncharacter:
        # Unassigned in this Python's Unicode data, which may be older than the name's: an
        # emoji of a later Unicode version. No control is among them.
        return character
    return repr(character)[1:-1]  # \n, \x1b, \u200b, \u202e, \udce9


# The escapes `printable` and the consoles write for one character they cannot show.
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[nrt])")
_LONGEST_ESCAPE = len("\\U0001f600")


def grapheme_boundary(text: str, index: int, *, forward: bool) -> int:
    """`index`, or the nearest place before it (after it, `forward`) where a cut splits neither
    an escape (half of "\\xe9" shows another name) nor what a reader sees as one character: a
    letter and its combining marks, an emoji's ZWJ sequence (a family cut after its second
    person shows a couple), a flag's two regional indicators, a decomposed Hangul syllable."""
    while 0 < index < len(text):
        # An escape holds no backslash after its first: the last one before `index` is the
        # only one that may start an escape around it.
        start = text.rfind("\\", max(0, index - _LONGEST_ESCAPE + 1), index)
        escape = _ESCAPE.match(text, start) if start >= 0 else None
        if escape is not None and escape.end() > index:
            index = escape.end() if forward else escape.start()
        elif _joined(text, index):
            index += 1 if forward else -1
        else:
            break
    return index


# An approximation of Unicode's extended grapheme clusters (UAX #29), enough that a cut leaves no
# character drawn otherwise than in the name: no break before a mark, a joiner, an emoji's skin
# tone or a flag's tag, nor after a ZWJ; none inside a pair of regional indicators or a Hangul
# syllable written as jamo (as macOS names files).
_EXTENDING = re.compile("[\u200c\u200d\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
_REGIONAL_INDICATOR = re.compile("[\U0001f1e6-\U0001f1ff]")
_HANGUL_JOINS = {
    ("L", "L"), ("L", "V"), ("L", "LV"), ("L", "LVT"),
    ("LV", "V"), ("LV", "T"), ("V", "V"), ("V", "T"),
    ("LVT", "T"), ("T", "T"),
}  # fmt: skip


def _joined(text: str, index: int) -> bool:
    """Whether text[index - 1] and text[index] belong to one grapheme cluster."""
    before, character = text[index - 1], text[index]
    if unicodedata.category(character).startswith("M") or _EXTENDING.match(character):
        return True
    if before == "\u200d" or (before, character) == ("\r", "\n"):
        return True
    if (_hangul(before), _hangul(character)) in _HANGUL_JOINS:
        return True
    if _REGIONAL_INDICATOR.match(character) and _REGIONAL_INDICATOR.match(before):
        start = index - 1
        while start > 0 and _REGIONAL_INDICATOR.match(text[start - 1]):
            start -= 1
        return (index - start) % 2 == 1  # `before` is the first of a pair
    return False


def _hangul(character: str) -> str:
    """The Hangul syllable part `character` is (UAX #29's L, V, T, LV, LVT), else ""."""
    code = ord(character)
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def encodable(text: str, encoding: str) -> str:
    """`text` with what `encoding` cannot hold (a stream's: PYTHONIOENCODING=ascii, a C or
    Latin-1 locale without UTF-8 mode) escaped by what it is: a character as \\u00e9 (\\U0001f600
    beyond the BMP), a byte that is not UTF-8 (a surrogate escape) as \\xe9, as README says
    messages show such bytes. Python's backslashreplace wrote é as \\xe9 too: a file named café
    in UTF-8 and one named so in Latin-1 printed as one name."""
    return text.encode(encoding, _UNENCODABLE_ESCAPED).decode(encoding)


def _escaped_unencodable(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    unencodable = error.object[error.start : error.end]
    return "".join(map(_code_escape, unencodable)), error.end


def _code_escape(character: str) -> str:
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_UNENCODABLE_ESCAPED = "zsl-escape"
codecs.register_error(_UNENCODABLE_ESCAPED, _escaped_unencodable)


def failure_counts(by_status: Mapping[str, int]) -> str:
    """Each failure status with its count ("truncated 2, unreadable 1"), in name order."""
    return ", ".join(f"{status} {n}" for status, n in sorted(by_status.items()) if status != "ok")


MAX_EXAMPLES = 3  # paths named in a summary line's examples


def some_names(names: Sequence[str], limit: int = 5, total: int | None = None) -> str:
    """The first `limit` names, and how many more there are: of `total`, where `names` are only
    the first of them."""
    total = len(names) if total is None else total
    shown = names[:limit]
    more = total - len(shown)  # also where fewer than `limit` names are given of more
    return ", ".join(shown) + (f", ... ({more} more)" if more > 0 else "")


# A '_' or '+' between two letters: words joined as datasets' folders join them (Food-101's
# `apple_pie`, AwA2's `grizzly+bear`); not `C++`'s, nor one before a digit (`class_1`).
_WORD_JOINER = re.compile(r"(?<=[^\W\d_])[_+](?=[^\W\d_])")


def listed(items: Sequence[str]) -> str:
    """["a", "b", "c"] -> "a, b and c": every one named, unlike `some_names`."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def spaced_words(name: str) -> str:
    """`name` with a space for every '_' or '+' between letters."""
    return _WORD_JOINER.sub(" ", name)


def loose_name(name: str) -> str:
    """A name as a reader may take it to be the same: as it prints (`shown_form`: composed,
    without the characters that print as nothing, such as a zero-width joiner between Latin
    letters), case and runs of white space ignored, and '_' or '+' between words taken for a
    space (see `spaced_words`). The one comparison of every hint that a name is another's
    written otherwise."""
    return " ".join(spaced_words(shown_form(name)).casefold().split())


def compatible_name(name: str) -> str:
    """`loose_name` of the name in compatibility form (NFKC): half-width katakana (ｶﾒﾗ) as
    full-width (カメラ) and full-width Latin (ＣＰＵ) as plain (CPU), as older systems and input
    methods write them. Other characters to a model, so a key for a hint only, never a match."""
    return loose_name(unicodedata.normalize("NFKC", name))


# How a CSV saved for Excel names its delimiter on its first line: `sep=;`, `sep=\t`. Not a letter,
# digit, space or quote, which no CSV is delimited by.
_EXCEL_SEPARATOR = re.compile(r"sep=([^\w\s\"']|\t)")


def excel_delimiter(first_line: str) -> str | None:
    """The delimiter a first line such as `sep=;` names for Excel, else None; also where that
    line is quoted (`"sep=;"`): a CSV writer quotes the one cell of the row ["sep=;"], since it
    holds the delimiter (PHP's fputcsv, Python's csv.writer with delimiter=";"). Either way it
    is one cell, which the readers then skip."""
    line = first_line.removesuffix("\r").strip(" ")
    if len(line) > 2 and line[0] == line[-1] == '"':
        line = line[1:-1]
    named = _EXCEL_SEPARATOR.fullmatch(line)
    return named.group(1) if named else None


def delimiter_hint(header: list[str]) -> str:
    """A note for a CSV header that is one cell holding ';' or tabs: the file was saved with
    another separator (a spreadsheet in a locale whose decimal mark is ','), not comma-free."""
    if len(header) != 1 or any(unicodedata.category(c) == "Cc" for c in header[0] if c != "\t"):
        # Several cells, or control bytes: binary content is no spreadsheet's. Bytes that are not
        # UTF-8 (surrogate escapes) are text: a spreadsheet saves in its locale's code page.
        return ""
    for name, delimiter in (("semicolons", ";"), ("tabs", "\t")):
        if delimiter in header[0]:
            return f" (its columns are separated by {name}: save it with commas)"
    return ""


def printable(path: str | os.PathLike[str]) -> str:
    """A path for messages: bytes that are not UTF-8 shown as \\xNN instead of failing to print,
    and control characters as Python escapes (\\n, \\x1b, ...), so that a file name can neither
    break a message's line nor send escape sequences to the terminal."""
    return printable_text(path_to_text(path))


def quoted(path: str | os.PathLike[str]) -> str:
    """A path in quotes for messages, shown as `printable` shows it: repr() showed a byte that
    is not UTF-8 as Python's '\\udce9' where every other message shows \\xe9."""
    return f"'{printable(path)}'"


def printable_text(text: str) -> str:
    """Text read from a UTF-8 file (a class name, a path as `path_to_text` writes it) for
    messages, shown as `printable` shows a path. Such text is no os.fsdecode path: in a Latin-1
    locale, printable("café") would show the bytes a Latin-1 file name café has (caf\\xe9)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that escapes no byte ("\ud800"): shown as such,
        # while those that escape a byte still show it as \xNN, not \udcNN.
        raw = _LONE_SURROGATES.sub(_escaped, text).encode("utf-8", "surrogateescape")
    shown = _CONTROL_CHARACTERS.sub(_escaped, raw.decode("utf-8", "backslashreplace"))
    # Invisible characters at the ends, as `strip_invisible` strips them from a class name: a
    # folder `cat` + U+200B printed as `cat`, beside the class cat. Only there: inside a name, a
    # direction mark between right-to-left and left-to-right words, or an emoji's joiners and
    # selectors, are part of how it shows.
    return _INVISIBLE_ENDS.sub(_escaped_invisible, shown)


def path_to_text(path: str | os.PathLike[str]) -> str:
    """A path as zsl writes it into its UTF-8 files (predictions, run info, JSON): the name's
    bytes read as UTF-8, bytes that are not UTF-8 as surrogate escapes. Under a UTF-8 locale that
    is the path itself; under another (C without UTF-8 mode, Latin-1) os.fsdecode spells names
    otherwise, and writing that spelling as UTF-8 would name another file (or none)."""
    try:
        raw = os.fsencode(path)
    except UnicodeEncodeError:  # text no file name holds in this locale: keep it as it is
        return os.fspath(path)
    return raw.decode("utf-8", "surrogateescape")


def has_surrogates(text: str) -> bool:
    """Whether `text` holds lone surrogates: bytes that were not UTF-8, escaped as `path_to_text`
    escapes them (or a JSON \\ud800), which no UTF-8 file can hold as they are."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def path_from_text(text: str) -> str:
    """The path (os.fsdecode form) that `path_to_text` wrote as `text`, so that a file named in
    a prediction or ground-truth file is found whatever the locale."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that escapes no byte ("\ud800"): no file's name
        return text
    return os.fsdecode(raw)


# C0 and C1 controls (newline, carriage return, escape, ...), the Unicode line breaks, and the
# bidirectional embeddings, overrides and isolates: a file name's U+202E, left open, turned the
# rest of the line round on a terminal that lays out right-to-left text ("x\u202egnp.exe" shows
# as "xexe.png", and the statuses after it read backwards). The direction marks (U+200E,
# U+200F, U+061C), which only place neutral characters, are shown as they are.
_CONTROL_CHARACTERS = re.compile(rf"[\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}]")


# Surrogates that `surrogateescape` takes for no byte (it escapes bytes 0x80-0xff as U+DC80-U+DCFF).
_LONE_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]  # "\n", "\t", "\x1b", "\u2028"


# The white space and invisible characters `strip_invisible` takes off a text's ends.
_INVISIBLE_ENDS = re.compile(rf"\A[\s{INVISIBLE}]+|[\s{INVISIBLE}]+\Z")


def _escaped_invisible(match: re.Match[str]) -> str:
    return "".join(
        f"\\u{ord(character):04x}" if character in INVISIBLE else character
        for character in match.group()
    )
