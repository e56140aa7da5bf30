"""QR codes for the join address, as SVG markup.

Pure core: uses the qrcode package's path factory, so no imaging library is needed.
"""

from __future__ import annotations

import io
import re

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(data: str, *, quick: bool = False) -> str:
    """Return an SVG document (as text) encoding `data`, sized by its viewBox.

    `quick` uses one fixed mask pattern instead of trying all eight for the most
    readable one: about twice as fast, for pages that draw hundreds of small codes
    (printed tickets) where a marginally less tidy pattern does not matter.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage,
                         mask_pattern=2 if quick else None)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    svg = out.getvalue().decode("utf-8")
    # Drop the XML prolog so the markup can be inlined in a page.
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    # Let the page size it: the projector wants it as large as the screen allows.
    return re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
