"""QR codes for the kit's calls to action: paper cannot be clicked."""

from __future__ import annotations

import segno


def qr_data_uri(url: str) -> str:
    """An SVG QR code as a ``data:`` URI (the only kind of URL the PDF fetcher serves inline)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=0)
