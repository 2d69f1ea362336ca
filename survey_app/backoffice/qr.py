"""QR codes (segno): inline SVG for cards and posters (no image files, no extra request, nothing
more for the CSP), PNG files for download. The content is a URL we built ourselves, never user input."""

from __future__ import annotations

import io

from markupsafe import Markup


def qr_svg(url: str, scale: int = 3, title: str = "") -> Markup:
    """An <svg> element encoding `url` (error correction M survives a crease or a smudge)."""
    import segno  # only where a QR code is drawn (a tenth of a second at start-up otherwise)

    # omitsize: a viewBox without width/height, so the stylesheet sets the printed size.
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, title=title or None, omitsize=True))


def qr_png(url: str, scale: int = 8) -> bytes:
    """A PNG of the QR code, for managers who lay out their own cards or flyers."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
