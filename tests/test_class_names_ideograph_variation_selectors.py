"""A CJK ideograph with and without a variation selector (an ideographic variation sequence,
U+E0100-U+E01EF, or a standardized one, U+FE00-U+FE0F) is one class name, as an emoji with and
without its picture selector is: refused as a duplicate whose message shows the selector escaped
and says that it selects a glyph variant, which most fonts and terminals do not show (an emoji's
selector, that it selects its text or picture form). A Mongolian free variation selector, part of
a word's spelling, still tells names apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run
from zsl_cli.classes import class_names_spec, parse_classes
from zsl_cli.errors import EXIT_USAGE, ZslError
from zsl_cli.text_files import shown_form

KUZU = "\u845b"  # 葛, which Japanese place names write in two glyphs


def escaped(character: str) -> str:
    code = ord(character)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@pytest.mark.parametrize(
    "selector",
    ["\U000e0100", "\U000e01ef", "\ufe00"],
    ids=["VS17", "VS256", "VS1"],
)
def test_an_ideograph_with_and_without_a_variation_selector_is_one_name(selector: str) -> None:
    variant = KUZU + selector
    assert shown_form(variant) == shown_form(KUZU)
    with pytest.raises(ZslError) as refused:
        parse_classes(f"{KUZU}\n{variant}\n", "c.txt")
    message = str(refused.value)
    code = f"U+{ord(selector):04X}"
    assert message == (
        f"c.txt:2: duplicate class '{KUZU}{escaped(selector)}' (first at c.txt:1, spelled "
        f"'{KUZU}' there and '{KUZU}{escaped(selector)}' here, which print alike in most fonts "
        f"and terminals ({code} selects a glyph variant of {KUZU}))"
    )
    assert selector not in message


def test_two_variants_of_an_ideograph_are_one_name_with_both_selectors_named() -> None:
    with pytest.raises(ZslError) as refused:
        class_names_spec([f"{KUZU}\U000e0100 station", f"{KUZU}\U000e0101 station"])
    assert str(refused.value) == (
        f"<names>[1]: duplicate class '{KUZU}\\U000e0101 station' (first at <names>[0], spelled "
        f"'{KUZU}\\U000e0100 station' there and '{KUZU}\\U000e0101 station' here, which print "
        f"alike in most fonts and terminals (U+E0100, U+E0101 select glyph variants of {KUZU}))"
    )


def test_a_selector_off_an_ideograph_still_prints_as_nothing() -> None:
    # Beside a Latin letter a variation selector selects nothing; beside the ideograph it does.
    with pytest.raises(ZslError) as refused:
        parse_classes(f"a{KUZU}\na\U000e0100{KUZU}\n", "c.txt")
    assert str(refused.value).endswith("here, which print alike (U+E0100 prints as nothing))")


def test_a_mongolian_variation_selector_still_tells_names_apart() -> None:
    # Part of the spelling (one code point stands for several letters, the selector picks one),
    # which every Mongolian font draws: unlike an ideograph's glyph variant, another name.
    plain = "\u1820\u1821"
    names = [plain] + [f"\u1820{selector}\u1821" for selector in "\u180b\u180c\u180d\u180f"]
    assert parse_classes("".join(f"{name}\n" for name in names), "c.txt").names == names


def test_label_refuses_a_class_file_with_an_ideograph_and_its_variant(tmp_path: Path) -> None:
    classes = tmp_path / "classes.txt"
    classes.write_text(f"{KUZU}\n{KUZU}\U000e0100\n", encoding="utf-8")
    result = run("label", "--show-prompts", "-c", classes)
    assert result.exit_code == EXIT_USAGE, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("zsl: error: ") and f"duplicate class '{KUZU}\\U000e0100'" in line
    assert "U+E0100 selects a glyph variant of" in line
    assert "\U000e0100" not in result.stderr and result.stdout == ""


def test_an_emoji_with_and_without_its_picture_selector_is_one_name_said_so() -> None:
    # As an ideograph's glyph variant: the message says what the selector selects, where it
    # said that U+FE0F printed as nothing.
    with pytest.raises(ZslError) as refused:
        parse_classes("\u2764\n\u2764\ufe0f\n", "c.txt")
    assert str(refused.value) == (
        "c.txt:2: duplicate class '\u2764\\ufe0f' (first at c.txt:1, spelled '\u2764' there and "
        "'\u2764\\ufe0f' here, which show one emoji (U+FE0F selects the picture form of \u2764))"
    )
    with pytest.raises(ZslError) as refused:
        class_names_spec(["\u263a\ufe0e smile", "\u263a\ufe0f smile"])
    assert str(refused.value).endswith(
        "here, which show one emoji (U+FE0E selects the text form of \u263a; U+FE0F selects the "
        "picture form of \u263a))"
    )
