"""An arithmetic-coded progressive JPEG cut inside a scan before its last and given its end marker
back is a decode_error, as a Huffman-coded one is: libjpeg reads the marker as the end of that
scan's data, goes on with zero bits without a word, and shows the image with its later scans
missing. Whole arithmetic-coded JPEGs, progressive and baseline, decode as before."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from zsl_cli.images import DecodeError, decode_image

# A 48 x 32 picture (a gradient, half its blocks noise) written by libjpeg-turbo's
# `cjpeg -arithmetic -progressive -quality 90` (Pillow writes no arithmetic-coded JPEGs).
PROGRESSIVE = base64.b64decode(
    """
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsL
EBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU
FBQUFBQUFBQUFBQUFBQUFBQUFBT/ygARCAAgADADASIAAhEBAxEB/8wABgAQARD/2gAMAwEAAhADEAAAAf8A2VV/t17w
MsXMv+DgSFg+KGM/S9Bmg07qC+ye6KTm+CpxQNK2EGtl089rf//MAAQQBf/aAAgBAQABBQIa5iwYb+ti7zgHs4n05sl7
On+IJk8FYDwASnVwJ24h5iAoasoFGCTCfbkOIBYFfPh/oB2mkZ7n6tnFWDV14P/MAAQRBf/aAAgBAwEBPwEVa13AwyV+
riv5lNFcDlp2iWRQoBmMbSgwxYV/pJO3LTravwql7sz/zAAEEQX/2gAIAQIBAT8BFZ3sb2+dQlHDU1oJ2GqQ99h55I7U
SakUhsdbTuO4Y96DHvvCIjh7Kk9kNMfLK++i6K9TlEc1ZnjJSZ56yYDSZLCgWxvzI3CWu4ojWEk6bb7tgP/MAAQQBf/a
AAgBAQAGPwLx63y7uRg4WGVhKDu7bUUQBeYMseJkdPz+XMPt6X7VoohyDdQTHZlLogTb0MaZJYonfFWMcsWFZygBvBxK
DEoK/8wABBAF/9oACAEBAAE/ISokxCxuXaEEQvdCRBimUs1bhSN2RVMjRyYIl8vw7o6pjUCqQq3yqxll/C/cPKacOiwu
L0HosHAzIfVfY6w+0q67307CFPSLvJcjHC8UHS0dM0Y8nh8zZfvyPFkoRUvg9G5Qyy3pXTLxeRttFP/aAAwDAQACAAMA
AAAQeH63S9D/zAAEEQX/2gAIAQMBAT8QY+j2l05RIDPWD7o1BOz9I2CC0bBAjunqGj3bvI/gev/MAAQRBf/aAAgBAgEB
PxCo53QWx8x+Q6JuL+Nw7ZWNupk9PCcTPTGqiypprSyY4iDxOsgaSAxSlAnc+zTasbzDINXv5ooLnF5jFGPozSWWqKe6
DOQ/olD/zAAEEAX/2gAIAQEAAT8Q11fwGbFjAHRkpYWrhzrRp/D+Nxqub5T2SMevuZ0HOBtQpCviv2A5IUADlxZF65As
BnMC6aRC6bLb5JIn0MF6gX3DkZAS4uv5nnhEN+GQFiuiIqSR1BSdzPRUl639gyItwheZ/wA2730isfDFxnVJMzVQ8Bi5
JmUl4XczGRzODCHx0qeWLWfk4OHaHO5XTE5xVQMUwirOTtOEzPYF8ZVK16lMTDs6MIJ5vW/+3rrfdJ4iwY3Il/iG4OW9
jCsnDCtEp9XTWzHJEYhbNMD07R03wB3UVAneFUnASdDkeKlA/9k=
"""
)

# The same picture by `cjpeg -arithmetic -quality 90`: baseline, one scan.
BASELINE = base64.b64decode(
    """
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4RDgsL
EBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsNFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU
FBQUFBQUFBQUFBQUFBQUFBQUFBT/yQARCAAgADADASIAAhEBAxEB/8wACgAQEAUBEBEF/9oADAMBAAIRAxEAPwD/AOyq
3fp9Mt5CJjnDhAYvPDuNjTnoupiKpz2MM1YWnKI0h1NsexKgdzXe5xfqVLM1Eskxst0E5xVnoYpuct2T/A0sf9iW1LhY
s/GOe5hXZH90SecV3PEUX00sf4wM9qosMJBBAkc0JIN5B9IWMx7q2Pmbs5i63W8uTIIJIaCeUnkCcQHZjvwsm82JRAcC
kBADF1EBmpyKc/7VnjOInudynpepsr90TIqxu8FBjZUgXvVQpH5ACSlNlqfzO48m7OlUWbzEbOnqsEu+6h57zP52o7Hf
r3TjZfyt8NAbaIGkSomcRhT4/AsaoHIyF1Etpft32gjkGnxTiL57lbXEjk6+RyzFq1F6LGJAOi4zeaBUZ+GdPH80K+Ck
c5Iu+gPHgTDOuH7tAT8MDeQ3QLM0cp9g5OTd+hBtY7LSd8/bgUdJ6upPWVyp1Sp8PAtckvhjW2RsQdKiEAe+q+naHokq
4osD8eiYDqda0HBP/UwY1unEYYu9ZUvmkFrOCB2XVMbFwZI4DeBYvsqyDA5hajRK1vR+TF/7IKKjjoyG1He6PbaCmAh+
LdIkfoHImu8byXTUobC31IluGLTj0UcMPlIHCRLswCJhOWKwXRU1K4TCKvCIFRwYx+s6cy8sOTjBu33bX4bZC5i0YH5G
pvjTDAZ5qtR1k+CxEmb5sDplrkcj5vVGXgOM5ZdVLCHvM7kgboHEjUL34Hu0/wCk6VjbZ9nsDuXePwAApceZ0Nn2cnaA
Mrwl4h5DlmAmzrMGZKsI3q/EHQNQ5fsIydK+P4OAPpDvgz3seNJ+gaGYcpOtOfQmB9mtgYq1b13Apcyvt49tNh/JJLQx
bF7/ANOESJ5dii3Oq0N/Ls77zW1HWUMqY/Y9suhOix+nTE1Mt/yUJ9GZiGzGxgcwK9Y8sHWl8hFALZeKtH/lkPUVRyNw
z3f1JA26GSNXOYjXNqAGYv770voEsw4pc21ulLS2wLPVe4DVtq595/D9wLgnwJxbrQ1G8HULQP/Z
"""
)

# A marker ending a scan's coded data, where 0xFF comes before anything but 0 or a restart.
_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7]")


def _cuts_before_the_last_scan() -> list[int]:
    """Places a quarter, half and three quarters into each scan's coded data but the last's."""
    cuts = []
    scans = [match.start() for match in re.finditer(rb"\xff\xda", PROGRESSIVE)]
    assert len(scans) > 2
    for scan in scans[:-1]:
        start = scan + 2 + int.from_bytes(PROGRESSIVE[scan + 2 : scan + 4], "big")
        end = _MARKER.search(PROGRESSIVE, start)
        assert end is not None
        cuts += [start + (end.start() - start) * share // 4 for share in (1, 2, 3)]
    return cuts


def test_whole_arithmetic_jpegs_decode(tmp_path: Path) -> None:
    for name, data in (("progressive.jpg", PROGRESSIVE), ("baseline.jpg", BASELINE)):
        path = tmp_path / name
        path.write_bytes(data)
        assert decode_image(path).size == (48, 32)


@pytest.mark.parametrize("cut", _cuts_before_the_last_scan())
def test_arithmetic_progressive_jpeg_cut_and_given_its_end_marker_is_a_decode_error(
    tmp_path: Path, cut: int
) -> None:
    path = tmp_path / "cut.jpg"
    path.write_bytes(PROGRESSIVE[:cut] + b"\xff\xd9")
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "decode_error"
    assert "later scans its progression needs are missing" in str(caught.value)
    # Not given its end marker back, it was cut short.
    path.write_bytes(PROGRESSIVE[:cut])
    with pytest.raises(DecodeError) as caught:
        decode_image(path)
    assert caught.value.status == "truncated"
