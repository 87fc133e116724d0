"""QR codes for the kit's calls to action: paper cannot be clicked."""

from __future__ import annotations

from functools import lru_cache

import segno


@lru_cache(maxsize=1024)
def qr_data_uri(url: str) -> str:
    """An SVG QR code as a ``data:`` URI (the only kind of URL the PDF fetcher serves inline).

    Memoised: the same few URLs recur in every kit of a locale, and encoding costs ~10 ms.
    """
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=0)
