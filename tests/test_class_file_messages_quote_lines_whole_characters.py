"""Messages about a class or attribute file quote its lines and names as every other message
does (`formatting.quoted_line`): a long one cut after its first characters, with its length,
never inside what a reader sees as one character, and an emoji's joiners as written, not as
`\\u200d`."""

from __future__ import annotations

import pytest

from zsl_cli.classes import parse_attributes, parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.formatting import QUOTED_LINE_CHARS

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji: a family, three people joined
JAPAN = "\U0001f1ef\U0001f1f5"  # one flag: two regional indicators


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


def test_a_long_code_fence_line_is_quoted_cut_with_its_length():
    fence = "~~~ " + "fenced text " * 30
    message = refusal(f"{fence}\ncat\ndog\n")
    assert message.startswith("c.txt:1: '~~~ fenced text fenced text"), message
    assert f"... ({len(fence.strip()):,} characters) is a Markdown code fence" in message, message
    assert len(message) < 300, message


def test_a_code_fence_line_shows_an_emoji_s_joiners_as_written():
    message = refusal(f"```{FAMILY}\ncat\ndog\n")
    assert message.startswith(f"c.txt:1: '```{FAMILY}' is a Markdown code fence"), message


@pytest.mark.parametrize("cut", [FAMILY, JAPAN, "\u1100\u1161\u11a8"], ids=["zwj", "flag", "jamo"])
def test_a_code_fence_line_is_not_cut_inside_a_character(cut):
    # The character straddles the place a line is cut: its first code point is the last kept.
    fence = "~~~" + "x" * (QUOTED_LINE_CHARS - 4) + cut + " more" * 20
    message = refusal(f"{fence}\ncat\ndog\n")
    assert message.startswith("c.txt:1: '~~~xxx"), message
    assert cut[0] not in message, message


def test_long_joined_names_are_quoted_cut_in_the_warning():
    first, second = "grizzly_" * 20 + "bear", "polar_" * 20 + "bear"
    spec = parse_classes(f"{first}\n{second}\n", "c.txt")
    [warning] = [w for w in spec.warnings if "join their words" in w]
    # The examples cut; the line to write for one (`name: a photo of ...`) stays whole.
    such_as = warning.split("such as ", 1)[1]
    assert such_as.startswith("'grizzly_grizzly_"), warning
    assert f"... ({len(first):,} characters), 'polar_polar_" in such_as, warning
    assert f"... ({len(second):,} characters): " in such_as, warning


def test_joined_names_show_an_emoji_s_joiners_as_written():
    first, second = f"red_panda{FAMILY}", f"snow_leopard{FAMILY}"
    spec = parse_classes(f"{first}\n{second}\n", "c.txt")
    [warning] = [w for w in spec.warnings if "join their words" in w]
    assert f"'{first}', '{second}'" in warning, warning


def test_long_joined_attribute_names_are_quoted_cut_in_the_warning():
    first, second = "has_" * 30 + "stripes", "has_" * 30 + "spots"
    spec = parse_attributes(f"class,{first},{second}\nzebra,1,0\nleopard,0,1\n", "a.csv")
    [warning] = [w for w in spec.warnings if "join their words" in w]
    such_as = warning.split("such as ", 1)[1]
    assert such_as.startswith("'has_has_"), warning
    assert f"... ({len(first):,} characters), 'has_has_" in such_as, warning
    assert f"... ({len(second):,} characters): " in such_as, warning
