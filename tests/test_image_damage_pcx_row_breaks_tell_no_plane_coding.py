"""pcx_run_across_rows takes a run across a plane's row for damage only where the file shows
its writer breaks its codes at planes: a break at a row's end, where every writer breaks them,
followed by the same byte, shows nothing of the kind."""

from __future__ import annotations

import io

from zsl_cli.image_damage.pcx import pcx_run_across_rows


def _header(width: int, height: int, planes: int) -> bytes:
    header = bytearray(128)
    header[0:4] = b"\x0a\x05\x01\x08"  # version 5, run-length coded, 8 bits a plane
    header[8:10] = (width - 1).to_bytes(2, "little")
    header[10:12] = (height - 1).to_bytes(2, "little")
    header[65] = planes
    header[66:68] = width.to_bytes(2, "little")
    return bytes(header)


def test_a_run_across_planes_after_a_row_break_of_one_byte_is_no_damage() -> None:
    # Three rows of three planes, four pixels each. Row 1 ends with 0x30 and row 2 starts with
    # it, each row coded alone; row 3's run of 0x70 goes on from its first plane into its
    # second, as the PCX specification lets a writer code it.
    codes = bytes.fromhex("c410 c420 c430c430 c450 c460c870 c480")
    data = _header(4, 3, 3) + codes
    assert not pcx_run_across_rows(io.BytesIO(data), len(data))


def test_a_run_across_planes_after_a_plane_break_of_one_byte_is_damage() -> None:
    # Row 2 breaks between its first two planes, both 0x30: its writer codes planes alone.
    codes = bytes.fromhex("c410 c420 c430c430 c430 c460c870 c480")
    data = _header(4, 3, 3) + codes
    assert pcx_run_across_rows(io.BytesIO(data), len(data))


def test_only_breaks_before_the_first_run_across_planes_tell_how_planes_are_coded() -> None:
    # Row 1's run of 0x70 goes on into its second plane, with nothing before it to show that
    # its writer codes planes alone; row 2's break between two planes of 0x30 comes after it.
    codes = bytes.fromhex("c870 c480c430 c430 c460c890 c4a0")
    data = _header(4, 3, 3) + codes
    assert not pcx_run_across_rows(io.BytesIO(data), len(data))
