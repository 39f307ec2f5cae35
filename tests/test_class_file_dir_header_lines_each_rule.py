"""Each rule that tells a Windows `dir` listing's header lines from a class list's indented
names, pinned one by one: PowerShell's folder line naming a Unix path or a provider's, a serial
number line ending in Japanese `です` or trailing spaces, the volume line in Polish and Italian
spellings, a drive's root told by its folder line ending at the drive, the volume line first of
the header, the laid-out pair of a serial number and a folder line, where the refusal starts,
and a long line of a listing in a console's code page, cut as a quoted line is. Lists whose
lines only look like such lines are read as names."""

from __future__ import annotations

from pathlib import Path

import pytest

from zsl_cli.classes import load_class_spec, parse_classes
from zsl_cli.errors import ZslError
from zsl_cli.formatting import QUOTED_LINE_CHARS

LISTING = "is a line of a Windows `dir` listing"


def refusal(*lines: str) -> str:
    with pytest.raises(ZslError) as error:
        parse_classes("\n".join(lines) + "\n", "c.txt")
    return str(error.value)


def names(*lines: str) -> list[str]:
    return parse_classes("\n".join(lines) + "\n", "c.txt").names


@pytest.mark.parametrize(
    "folder",
    [
        "    Directory: /home/me/photos",
        "    Directory: Microsoft.PowerShell.Core\\FileSystem::\\\\nas\\photos",
    ],
    ids=["unix-path", "provider-path"],
)
def test_powershell_folder_line_of_a_unix_or_provider_path_is_refused(folder):
    # PowerShell on Linux and macOS names a Unix path; a share reached through a provider is
    # named with the provider's prefix: neither is a class `Directory` and its prompt.
    message = refusal("cat", folder, "dog")
    assert message.startswith("c.txt:2: 'Directory: ")
    assert LISTING in message


def test_japanese_serial_number_line_ending_in_desu_starts_a_header():
    # cmd's Japanese serial number line ends with `です`; its volume line cut off, the serial
    # number and the folder line under a blank one are the header of a listing that matched
    # nothing.
    message = refusal(
        " ボリューム シリアル番号は 1234-ABCD です",
        "",
        " C:\\写真 のディレクトリ",
        "",
        "ファイルが見つかりません",
    )
    assert message.startswith(f"c.txt:1: 'ボリューム シリアル番号は 1234-ABCD です' {LISTING}")


def test_serial_number_line_with_trailing_spaces_starts_a_header():
    message = refusal(" Volumeseriennummer: 1234-ABCD  ", "", " Verzeichnis von C:\\Fotos")
    assert message.startswith(f"c.txt:1: 'Volumeseriennummer: 1234-ABCD' {LISTING}")


def test_a_serial_shaped_number_inside_a_name_is_no_serial_number_line():
    # A serial number is last on its line; here words follow it.
    lines = (" lot 1234-ABCD box", "", " Bilder von \\\\server\\Fotos")
    assert names(*lines) == ["lot 1234-ABCD box", "Bilder von \\\\server\\Fotos"]


@pytest.mark.parametrize(
    "volume",
    [
        " Wolumin w stacji dysków C nie ma etykiety.",
        " Il volume nell’unità C non ha etichetta.",
    ],
    ids=["polish-dyskow", "italian-typographic-apostrophe"],
)
def test_volume_line_spellings_start_a_header(volume):
    message = refusal(volume, " Numer: 1234-ABCD")
    assert message.startswith(f"c.txt:1: '{volume.strip()}' {LISTING}")


def test_a_lower_case_letter_is_no_volume_line_s_drive():
    # cmd names a drive by its capital letter.
    lines = (" Volume in drive a car", " serial number 1234-ABCD")
    assert names(*lines) == ["Volume in drive a car", "serial number 1234-ABCD"]


def test_a_sub_folder_s_line_over_bracketed_names_is_no_drive_root():
    # Only a folder line ending at the drive's root stands for `[.]   [..]`.
    assert names(" Verzeichnis von C:\\Fotos", "", "[Katze]  [Hund]")[-1] == "[Katze]  [Hund]"


def test_a_root_s_folder_line_below_the_bracketed_names_tells_nothing():
    assert names("[Katze]  [Hund]", " C:\\ 디렉터리") == ["[Katze]  [Hund]", "C:\\ 디렉터리"]


def test_two_drives_roots_are_told_by_the_first():
    # `dir /w C:\ D:\` without its volume line and totals: the first root's folder line above
    # the first rows tells the listing.
    message = refusal(
        " C:\\ 디렉터리", "", "[PerfLogs]  [Users]", "", " D:\\ 디렉터리", "", "[Photos]  [Music]"
    )
    assert message.startswith(f"c.txt:1: 'C:\\\\ 디렉터리' {LISTING}")


@pytest.mark.parametrize(
    "lines",
    [
        # The serial number and the folder line have a name between them, not a blank line.
        (" lot 1234-ABCD", "cats", " Bilder von \\\\server\\Fotos"),
        # Two folder-shaped names under the serial-shaped one.
        (" lot 1234-ABCD", "", " Bilder von \\\\server\\Fotos", "", " Fotos von \\\\nas\\x"),
        # Two volume-shaped names.
        (" Volume in station A", " Volume in station B", " serial number 1234-ABCD"),
        # A volume-shaped name below the serial-shaped one, not above it as cmd writes it.
        (" serial number 1234-ABCD", " Volume in station B"),
    ],
    ids=["name-between", "two-folder-lines", "two-volume-lines", "volume-line-second"],
)
def test_names_shaped_like_header_lines_out_of_cmd_s_order_are_read(lines):
    assert names(*lines) == [line.strip() for line in lines if line]


def test_powershell_column_header_without_its_folder_line_is_refused_at_the_header():
    # The column header is refused as a line of its own; the serial-shaped name above it is no
    # header line of PowerShell's, which writes none.
    message = refusal(
        " lot 1234-ABCD",
        "Mode                 LastWriteTime         Length Name",
        "----                 -------------         ------ ----",
    )
    assert message.startswith("c.txt:2: 'Mode ")


def test_wide_listing_whose_first_row_holds_files_is_refused_from_its_volume_line():
    message = refusal(
        " Datenträger in Laufwerk D: ist Daten",
        " Volumeseriennummer: 1234-ABCD",
        "",
        " Verzeichnis von D:\\Fotos",
        "",
        "bild1.jpg   bild2.jpg",
        "[Urlaub]   [.]   [..]",
    )
    assert message.startswith(f"c.txt:1: 'Datenträger in Laufwerk D: ist Daten' {LISTING}")


def test_root_listing_is_refused_from_the_header_above_its_folder_line():
    # The volume line cut off and a serial number of digits alone: the root's folder line tells
    # the listing, whose first row holds files alone; the refusal starts at the header above it.
    message = refusal(
        " 볼륨 일련 번호: 1234-5678",
        "",
        " C:\\ 디렉터리",
        "",
        "pagefile.sys   swapfile.sys",
        "[Users]   [Windows]",
    )
    assert message.startswith(f"c.txt:1: '볼륨 일련 번호: 1234-5678' {LISTING}")


def test_code_page_listing_s_long_line_is_cut_where_a_quoted_line_is(tmp_path: Path):
    # A German listing saved in the console's code page, its volume line naming a share whose
    # path's `\neu` straddles the cut: the line is cut before the backslash, as a quoted line is
    # cut, not between it and the `n` after it.
    lead = " Datenträger in Laufwerk \\\\"
    share = "s" * (QUOTED_LINE_CHARS - 1 - len(lead.strip()))
    lines = [
        f"{lead}{share}\\neu ist Daten",
        " Volumeseriennummer: 1234-ABCD",
        "",
        " Verzeichnis von \\\\x\\neu",
        "",
        "20.05.2024  10:00    <DIR>          Katze",
    ]
    path = tmp_path / "c.txt"
    path.write_bytes("\r\n".join(lines).encode("cp850") + b"\r\n")
    with pytest.raises(ZslError) as error:
        load_class_spec(path)
    message = str(error.value)
    assert message.startswith(
        f"{path}:1: 'Datentr\\x84ger in Laufwerk \\\\\\\\{share}'... {LISTING}"
    )
