"""The PDF engine fetches nothing but kitgen's own assets and data: URLs."""

import http.server
import threading
from pathlib import Path

import pytest

from kitgen.errors import AssetError
from kitgen.pdf import PdfRenderer
from tests.pdfcheck import read_pdf

SECRET = "kitgen-secret-marker-7f3a"


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        CountingHandler.hits.append(self.path)
        body = f"p::after {{ content: '{SECRET}' }}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    root = tmp_path / "assets"
    root.mkdir()
    (root / "ok.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" '
        'height="10"><rect width="10" height="10"/></svg>'
    )
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    return root


def hostile_page(server: str) -> str:
    return f"""<html><head>
      <link rel="stylesheet" href="{server}/style.css">
      <style>@import url("{server}/import.css");
             body {{ background: url("{server}/bg.png") }}</style>
      </head><body><p>Visible text</p>
      <img src="file:///etc/passwd"> <img src="{server}/img.png">
      <img src="../secret.txt"> <img src="../../../../../../etc/passwd">
      <object data="file:///etc/hostname"></object> <embed src="{server}/embed">
      <img src="FILE://localhost/etc/passwd"> <img src="ok.svg">
      <link rel="attachment" href="file:///etc/passwd">
      </body></html>"""


def test_strict_render_refuses_and_reports_every_foreign_url(assets, http_server):
    renderer = PdfRenderer([assets])
    with pytest.raises(AssetError) as info:
        renderer.render(hostile_page(http_server), base_url=assets)
    message = str(info.value)
    assert "file:///etc/passwd" in message and http_server in message
    assert CountingHandler.hits == []


def test_lenient_render_embeds_nothing_foreign(assets, http_server):
    renderer = PdfRenderer([assets])
    result = renderer.render(hostile_page(http_server), base_url=assets, strict=False)
    assert CountingHandler.hits == []
    facts = read_pdf(result.data)
    assert "Visible text" in facts.text
    assert SECRET not in facts.text and "root:" not in facts.text
    assert SECRET.encode() not in result.data and b"root:x:0:0" not in result.data
    refused = " ".join(result.refused)
    for needle in ("file:///etc/passwd", "secret.txt", "/style.css", "/img.png", "/embed"):
        assert needle in refused, needle
    assert not any(url.endswith("ok.svg") for url in result.refused)


def test_own_assets_and_data_urls_are_served(assets):
    renderer = PdfRenderer([assets])
    html = (
        '<img src="ok.svg"><img src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org'
        '/2000/svg%22 width=%2210%22 height=%2210%22/%3E">'
    )
    assert renderer.render(html, base_url=assets).refused == ()


def test_missing_asset_inside_the_root_fails_the_render(assets):
    renderer = PdfRenderer([assets])
    with pytest.raises(AssetError, match="asset missing"):
        renderer.render('<img src="logo-that-is-gone.svg">', base_url=assets)


def test_symlink_out_of_the_root_is_refused(assets, tmp_path):
    (assets / "link.txt").symlink_to(tmp_path / "secret.txt")
    renderer = PdfRenderer([assets])
    with pytest.raises(AssetError, match="refused"):
        renderer.render('<img src="link.txt">', base_url=assets)
