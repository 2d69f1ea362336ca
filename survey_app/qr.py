"""QR codes (segno) for cards and posters, as inline SVG: no image files, no extra request, and the
CSP needs nothing more. The content is a URL we built ourselves, never user input."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, scale: int = 3, title: str = "") -> Markup:
    """An <svg> element encoding `url` (error correction M survives a crease or a smudge)."""
    # omitsize: a viewBox without width/height, so the stylesheet sets the printed size.
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, title=title or None, omitsize=True))

