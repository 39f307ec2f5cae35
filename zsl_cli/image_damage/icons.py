"""Icon checks, before Image.open: of ICO and ICNS picture sizes (`check_icon_size`).
`icon_pictures` also finds the PNG pictures whose extra ICC profiles `png` patches."""

from __future__ import annotations

from typing import BinaryIO

from PIL import BmpImagePlugin, IcnsImagePlugin, IcoImagePlugin, Jpeg2KImagePlugin, PngImagePlugin

from zsl_cli.image_damage._common import size_error
from zsl_cli.image_formats import FileView


def check_icon_size(file: BinaryIO, max_pixels: int) -> None:
    """DecodeError too_large for an ICO or ICNS whose picture (the one Pillow would decode)
    exceeds `max_pixels`. Their headers declare at most 256x256 (ICO) or 1024x1024 (ICNS), yet
    the PNG (or BMP, JPEG 2000) inside gives its own size, which Pillow decodes whatever the
    header said: Pillow's ICO reader does so within Image.open, before any check of ours. A
    file Pillow cannot read this far is left to Image.open. Leaves the file at its start."""
    view = FileView(file)  # one read budget for the icon's directory and its pictures
    try:
        head = file.read(8)
        ico = IcoImagePlugin._accept(head)
        starts = icon_pictures(view, head)
        sizes = [_icon_picture_size(file, view, start, ico) for start in starts]
    except Exception:  # Image.open fails on it too, and says why
        sizes = []
    finally:
        file.seek(0)
    for size in sizes:
        error = size_error(size, max_pixels, "ICO" if ico else "ICNS") if size else None
        if error is not None:
            raise error


def icon_pictures(view: FileView, head: bytes) -> list[int]:
    """Where the pictures Pillow decodes in an ICO (its first entry, by its sorting) or an ICNS
    (its entries of the largest size it declares), whose file starts with `head`, start; none
    in another file, or where Pillow cannot read the icon's directory (Image.open fails on it
    too, and says why)."""
    try:
        view.seek(0)
        if IcoImagePlugin._accept(head):
            return [IcoImagePlugin.IcoFile(view).entry[0].offset]  # type: ignore[arg-type]
        if IcnsImagePlugin._accept(head):
            icns = IcnsImagePlugin.IcnsFile(view)  # type: ignore[arg-type]
            codes = [code for code, _ in icns.SIZES[icns.bestsize()] if code in icns.dct]
            return [icns.dct[code][0] for code in codes]
    except Exception:
        pass
    return []


def _icon_picture_size(
    file: BinaryIO, view: FileView, start: int, ico: bool
) -> tuple[int, int] | None:
    """The size of the icon picture at `start`, as Pillow reads it through `view`: a PNG's, an
    ICO's BMP's or an ICNS's JPEG 2000's; None for an ICNS entry of raw pixels, which have the
    size the entry declares."""
    file.seek(start)
    signature = file.read(12)
    file.seek(start)
    if signature.startswith(PngImagePlugin._MAGIC):
        return PngImagePlugin.PngImageFile(view).size
    if ico:
        width, height = BmpImagePlugin.DibImageFile(view).size
        return width, height // 2  # a BMP entry's height counts its mask's rows too
    if Jpeg2KImagePlugin._accept(signature):
        return Jpeg2KImagePlugin.Jpeg2KImageFile(view).size
    return None
