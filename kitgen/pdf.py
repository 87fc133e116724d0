"""The WeasyPrint boundary: a sandboxed fetcher, one font configuration, PDF variants.

WeasyPrint's default fetcher follows any URL (file://, http://…), so a page could make the
renderer read local files or probe the network. :class:`AssetFetcher` serves only files inside
kitgen's asset folders and ``data:`` URLs; everything else is refused and recorded.
"""

from __future__ import annotations

import io
import logging
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from threading import Lock
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from kitgen import pdftags
from kitgen.content.files import digest
from kitgen.errors import AssetError, RenderError

log = logging.getLogger(__name__)
pdftags.install()


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Serves ``data:`` URLs and files below ``roots``; refuses and records anything else."""

    def __init__(self, roots: Sequence[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []
        self.missing: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                if not path.is_file():
                    self.missing.append(url)
                    raise FatalURLFetchingError(f"asset missing: {path}")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})
        self.refused.append(url)
        raise ValueError(f"kitgen refuses to fetch {url}")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    refused: tuple[str, ...] = field(default=())


class PdfRenderer:
    """One per process: shares the font configuration, parsed stylesheets and image cache.

    A new FontConfiguration per render grew RSS steadily and was slower (ARCHITECTURE.md).
    """

    def __init__(self, asset_roots: Sequence[Path]):
        self.asset_roots = tuple(asset_roots)
        self.font_config = FontConfiguration()
        self.image_cache: dict[str, object] = {}
        self._stylesheets: dict[tuple[Path, str], CSS] = {}
        self._lock = Lock()

    def stylesheet(self, path: Path) -> CSS:
        """A parsed stylesheet, parsed again only when the file changes."""
        key = (path, digest(path))
        with self._lock:
            css = self._stylesheets.get(key)
            if css is None:
                css = CSS(
                    filename=str(path),
                    font_config=self.font_config,
                    url_fetcher=AssetFetcher(self.asset_roots),
                )
                self._stylesheets[key] = css
        return css

    def render(
        self,
        html: str,
        *,
        base_url: Path,
        stylesheets: Sequence[Path] = (),
        variant: str | None = None,
        strict: bool = True,
        lang: str | None = None,
    ) -> RenderedPdf:
        """HTML → PDF bytes. ``strict``: any refused fetch fails the render (our own content).
        ``lang``: the document's language (``/Lang``) when it is not the root element's, as
        for a kit whose body fell back to English around a localized frame."""
        fetcher = AssetFetcher(self.asset_roots)
        options = {
            "stylesheets": [self.stylesheet(p) for p in stylesheets],
            "pdf_variant": variant,
            "pdf_tags": True,  # every kit is tagged (structure, reading order, /Alt, /Lang)
            "pdf_forms": True,  # an unpersonalised kit's blanks are fillable form fields
            "cache": self.image_cache,
        }
        try:
            document = HTML(
                string=html, base_url=base_url.as_uri() + "/", url_fetcher=fetcher
            ).render(font_config=self.font_config, **options)
            if lang:
                document.metadata.lang = lang
            pdftags.set_catalog_lang(document.metadata.lang)
            output = io.BytesIO()
            document.write_pdf(output, **options)
        except FatalURLFetchingError as exc:
            raise AssetError(f"{exc}; the render was stopped") from None
        except Exception as exc:  # WeasyPrint raises many kinds; none may reach a user raw
            log.exception("WeasyPrint failed")
            raise RenderError(f"the PDF engine failed: {type(exc).__name__}: {exc}") from exc
        if fetcher.missing:
            raise AssetError(f"asset missing: {', '.join(fetcher.missing)}")
        if fetcher.refused and strict:
            raise AssetError(
                "refused to fetch (only kitgen's own assets and data: URLs are "
                f"allowed): {', '.join(fetcher.refused)}"
            )
        return RenderedPdf(output.getvalue(), len(document.pages), tuple(fetcher.refused))
