"""Draw the projector's SVG QR code as pixels, for a real decoder (zxing-cpp) to read.

Test support: imports numpy.
"""

from __future__ import annotations

import re

import numpy as np

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
