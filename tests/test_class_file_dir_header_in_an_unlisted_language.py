"""A `dir` header without rows in one of cmd's languages whose volume line zsl does not know by
its words (Romanian, Bulgarian, any other): its volume line, then its serial number's line, a
blank line and its folder line, as cmd lays them out, are a header, whatever the volume line
says and whether the serial number holds a letter or not. Indented class names shaped alike in
part stay names. And the volume line in each console code page zsl reads it in (CP936, CP949,
CP950, CP852, CP857) over a serial number line is a header too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import run, write_images
from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import EXIT_USAGE, ZslError

LISTING = "is a line of a Windows `dir` listing"


def listing(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def refusal(text: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes(text, "c.txt")
    return str(error.value)


# cmd's header in languages whose volume line is not among the words zsl knows: the volume
# line, the serial number's (with a letter, or digits alone), a blank line, the folder line.
HEADERS = {
    "ro": (
        " Volumul din unitatea C nu are etichetă.",
        " Numărul de serie al volumului este 1234-ABCD",
        " Director: C:\\Poze",
    ),
    "ro-digits": (
        " Volumul din unitatea C nu are etichetă.",
        " Numărul de serie al volumului este 1234-5678",
        " Director: C:\\Poze",
    ),
    "bg": (
        " Томът в устройство C няма етикет.",
        " Серийният номер на тома е 1234-ABCD",
        " Директория на C:\\Снимки",
    ),
    # Made-up words: a language zsl cannot know, told by the layout alone.
    "unknown": (" Qwx vrt C zpl.", " Qwx zpl 9F3A-01BC", " Vrt C:\\Qwx"),
    "unknown-digits": (" Zpl qwx D vrt", " Vrt 0042-1977", " Qwx \\\\nas\\fotos zpl"),
}


@pytest.mark.parametrize("header", HEADERS.values(), ids=HEADERS.keys())
@pytest.mark.parametrize(
    "after",
    [[], [""], ["", "Fișierul nu a fost găsit"], ["", "Не е намерен файл"]],
    ids=["alone", "blank-after", "ro-not-found", "bg-not-found"],
)
def test_a_header_in_an_unlisted_language_is_refused_from_its_volume_line(header, after):
    volume, serial, folder = header
    message = refusal(listing(volume, serial, "", folder, *after))
    assert message.startswith(f"c.txt:1: {volume.strip()!r} {LISTING}"), message


def test_a_romanian_header_through_the_cli_is_refused_before_the_model_loads(tmp_path: Path):
    # It was labelled with, as classes, `Director`, the volume line and cmd's "file not found".
    images = tmp_path / "images"
    write_images(images, 2)
    classes = tmp_path / "ro.txt"
    volume, serial, folder = HEADERS["ro"]
    classes.write_text(
        listing(volume, serial, "", folder, "", "Fișierul nu a fost găsit"), encoding="utf-8"
    )
    result = run("label", str(images), "-c", str(classes), "-m", "no-such-model")
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith(
        f"zsl: error: {classes}:1: 'Volumul din unitatea C nu are etichetă.' {LISTING}"
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_a_romanian_header_in_its_console_code_page_is_refused_as_one(tmp_path: Path):
    path = tmp_path / "c.txt"
    volume, serial, folder = HEADERS["ro"]
    path.write_bytes(listing(volume, serial, "", folder, "").encode("cp852"))
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:1: 'Volumul din unitatea C nu are etichet"), message
    assert LISTING in message and "not UTF-8 text (byte 0x" in message, message


@pytest.mark.parametrize(
    "names",
    [
        # Above the serial-shaped name, but no blank line and folder line under it.
        [" Plan B options for the team", " cars 1990-1999"],
        [" Plan B options for the team", " cars 1990-1999", "", " Grade A"],
        [" Plan B options for the team", " lot 1234-ABCD", " Bilder von \\\\server\\Fotos"],
        # The blank line and folder line, but the name above is not right above the number.
        [" Plan B options", "", " cars 1990-1999", "", " Bilder von \\\\server\\Fotos"],
        # Two names above the number: no header has two lines above its serial number's.
        [" Grade A eggs", " Plan B options", " lot 1234-ABCD", "", " Bilder von \\\\nas\\x"],
        # Names under it: a header has none but cmd's one complaint.
        [" Plan B", " lot 1234-ABCD", "", " Bilder von \\\\nas\\x", "cats", "dogs"],
    ],
    ids=["no-folder", "no-folder-grade", "no-blank", "blank-above", "two-above", "names-after"],
)
def test_indented_names_shaped_in_part_as_a_header_are_read(names):
    spec = parse_classes("\n".join(names) + "\n", "c.txt")
    assert spec.names == [name.strip() for name in names if name]


# The volume line in the consoles' code pages of East Asia and of Central Europe and Turkey, over
# the serial number's line (not UTF-8: CP936's, CP949's and CP950's double bytes, CP852's and
# CP857's letters).
CODE_PAGE_HEADERS = [
    (" 驱动器 C 中的卷没有标签。", " 卷的序列号是 1234-ABCD", "cp936"),
    (" C 드라이브의 볼륨에는 이름이 없습니다.", " 볼륨 일련 번호: 1234-ABCD", "cp949"),
    (" 磁碟區 C 中的磁碟沒有標籤。", " 磁碟區序號:  1234-ABCD", "cp950"),
    (" Svazek v jednotce C nemá žádnou jmenovku.", " Sériové číslo svazku: 1234-ABCD", "cp852"),
    (" C sürücüsündeki birimin etiketi yok.", " Birim Seri Numarası: 1234-ABCD", "cp857"),
]


@pytest.mark.parametrize(
    ("volume", "serial", "code_page"),
    CODE_PAGE_HEADERS,
    ids=["zh-cp936", "ko-cp949", "zh-tw-cp950", "cs-cp852", "tr-cp857"],
)
def test_a_volume_line_in_its_code_page_over_a_serial_number_is_a_header(
    tmp_path: Path, volume: str, serial: str, code_page: str
):
    path = tmp_path / "c.txt"
    data = listing(volume, serial).encode(code_page)
    path.write_bytes(data)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(f"{path}:1: "), message
    assert LISTING in message and "not UTF-8 text (byte 0x" in message, message
