"""The projector's QR code decodes to the join address (checked with zxing-cpp)."""

from __future__ import annotations

import pytest
import zxingcpp

from tests.support.qrimage import rasterise
from workshop.core.qr import qr_svg


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
