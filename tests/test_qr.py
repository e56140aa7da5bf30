"""The projector's QR code decodes to the join address (checked with zxing-cpp)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import zxingcpp

from workshop.core.qr import qr_svg

MOVE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H(\d+)z")


def rasterise(svg: str, scale: int = 8) -> np.ndarray:
    """Draw the path factory's unit squares into a greyscale image (white background)."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    image = np.full((size * scale, size * scale), 255, dtype=np.uint8)
    squares = MOVE.findall(svg)
    assert squares, "no modules found in the SVG path"
    for x, y, x2, y2, _x3 in squares:
        x, y, x2, y2 = int(x), int(y), int(x2), int(y2)
        image[y * scale:y2 * scale, x * scale:x2 * scale] = 0
    return image


@pytest.mark.parametrize("address", [
    "http://192.168.1.20:5000/j/ABC234",
    "https://atelier.example.org/j/ZZZ999",
])
def test_qr_svg_decodes_to_the_join_address(address):
    results = zxingcpp.read_barcodes(rasterise(qr_svg(address)))
    assert [r.text for r in results] == [address]


def test_qr_svg_is_inline_markup_sized_by_css():
    svg = qr_svg("http://10.0.0.2:5000/j/ABC234")
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert 'width="' not in svg.split(">", 1)[0]
