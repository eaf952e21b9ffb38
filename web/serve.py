"""Serve the demo careers page (web/dist) with the chat widget pointed at Rasa.

`scripts/run.sh` starts it on WEB_PORT (8080); the page's widget talks to RASA_PUBLIC_URL
(http://localhost:5005). A real site serves careers-chat.js and careers-chat.css itself.
"""

from __future__ import annotations

import html
import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

DIST = Path(__file__).resolve().parent / "dist"
SERVER_URL_PLACEHOLDER = "__RASA_PUBLIC_URL__"


def main() -> None:
    port = int(os.environ.get("WEB_PORT", "8080"))
    rasa_url = os.environ.get("RASA_PUBLIC_URL", "http://localhost:5005").rstrip("/")
    if not (DIST / "index.html").is_file():
        sys.exit(f"{DIST} has no built widget: run `make run` (it builds web/ with npm).")
    page = (DIST / "index.html").read_text(encoding="utf-8")
    page = page.replace(SERVER_URL_PLACEHOLDER, html.escape(rasa_url, quote=True))
    handler = partial(DemoPageHandler, page.encode("utf-8"), rasa_url, directory=str(DIST))
    server = ThreadingHTTPServer(("", port), handler)
    print(f"Demo page with the chat widget: http://localhost:{port}", flush=True)
    server.serve_forever()


class DemoPageHandler(SimpleHTTPRequestHandler):
    """Static files, the index page with Rasa's URL filled in, and a strict CSP: the page
    may load scripts and styles only from itself and talk only to Rasa, so a CDN fetch or
    injected script would fail here as it would on a locked-down careers site."""

    def __init__(self, page: bytes, rasa_url: str, *args, **kwargs) -> None:
        self.page = page
        websocket_url = "ws" + rasa_url.removeprefix("http")  # http->ws, https->wss
        self.csp = (
            "default-src 'self'; "
            f"connect-src 'self' {rasa_url} {websocket_url}; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?")[0] not in ("/", "/index.html"):
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


if __name__ == "__main__":
    main()
