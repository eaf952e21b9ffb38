"""Serve the demo careers page (web/dist) with the chat widget pointed at Rasa, and the
content team's report (`make report`) at /admin/report behind the API token.

`scripts/run.sh` starts it on WEB_PORT (8080); the page's widget talks to RASA_PUBLIC_URL
(http://localhost:5005). A real site serves careers-chat.js and careers-chat.css itself.
The report is built from the tracker store (TRACKER_STORE_URL) on each request, only for a
request with RASA_AUTH_TOKEN (`?token=...` or `Authorization: Bearer ...`); without that
variable the page does not exist.
"""

from __future__ import annotations

import hmac
import html
import os
import re
import sys
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Optional, Tuple
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
SERVER_URL_PLACEHOLDER = "__RASA_PUBLIC_URL__"
REPORT_PATH = "/admin/report"
DEFAULT_STORE_URL = "sqlite:///conversations.db"  # scripts/run.sh's default
# The report is one self-contained page: its own inline style, charts as data: images.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
TEXT = "text/plain; charset=utf-8"


def main() -> None:
    port = int(os.environ.get("WEB_PORT", "8080"))
    rasa_url = os.environ.get("RASA_PUBLIC_URL", "http://localhost:5005").rstrip("/")
    if not (DIST / "index.html").is_file():
        sys.exit(f"{DIST} has no built widget: run `make run` (it builds web/ with npm).")
    page = (DIST / "index.html").read_text(encoding="utf-8")
    page = page.replace(SERVER_URL_PLACEHOLDER, html.escape(rasa_url, quote=True))
    report = AdminReport(
        token=os.environ.get("RASA_AUTH_TOKEN", ""),
        store_url=os.environ.get("TRACKER_STORE_URL") or DEFAULT_STORE_URL,
    )
    handler = partial(DemoPageHandler, page.encode("utf-8"), rasa_url, report, directory=str(DIST))
    server = ThreadingHTTPServer(("", port), handler)
    print(f"Demo page with the chat widget: http://localhost:{port}", flush=True)
    server.serve_forever()


@dataclass(frozen=True)
class AdminReport:
    """The report at /admin/report: (status, content type, body) for a request."""

    token: str  # RASA_AUTH_TOKEN; empty: no report page at all
    store_url: str

    def response(self, target: str, authorization: str = "") -> Tuple[int, str, bytes]:
        if not self.token:
            return 404, TEXT, b"Not found."
        query = parse_qs(urlsplit(target).query)
        given = authorization.removeprefix("Bearer ").strip() if authorization else ""
        given = given or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return 401, TEXT, b"The report needs the API token: ?token=... or a Bearer header."
        try:
            since, until = (_day(query, name) for name in ("since", "until"))
        except ValueError as error:
            return 400, TEXT, str(error).encode()
        # Imported here: the demo page itself needs none of the report's libraries.
        sys.path.insert(0, str(ROOT))
        from reporting.report import build_report, render_html
        from reporting.turns import StoreError, read_turns

        try:
            turns = read_turns(self.store_url, since, until)
        except StoreError as error:
            return 503, TEXT, f"No report: {error}".encode()
        return (
            200,
            "text/html; charset=utf-8",
            render_html(build_report(turns, since, until)).encode(),
        )


def _day(query: dict, name: str) -> Optional[date]:
    text = (query.get(name) or [""])[0]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValueError(f"{name} is not a date (YYYY-MM-DD): {text!r}") from None


class DemoPageHandler(SimpleHTTPRequestHandler):
    """Static files, the index page with Rasa's URL filled in, and a strict CSP: the page
    may load scripts and styles only from itself and talk only to Rasa, so a CDN fetch or
    injected script would fail here as it would on a locked-down careers site."""

    def __init__(self, page: bytes, rasa_url: str, report: AdminReport, *args, **kwargs) -> None:
        self.page = page
        self.report = report
        self.cache_control = "no-cache"
        websocket_url = "ws" + rasa_url.removeprefix("http")  # http->ws, https->wss
        self.csp = (
            "default-src 'self'; "
            f"connect-src 'self' {rasa_url} {websocket_url}; "
            "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == REPORT_PATH:
            self._send_report()
            return
        if path not in ("/", "/index.html"):
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def _send_report(self) -> None:
        status, content_type, body = self.report.response(
            self.path, self.headers.get("Authorization", "")
        )
        self.csp, self.cache_control = REPORT_CSP, "no-store"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Bearer realm="report"')
        self.send_header("X-Robots-Tag", "noindex")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        # The access log must not keep the API token given in a URL.
        super().log_message("%s", re.sub(r"token=[^&\s]*", "token=***", format % args))

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", self.cache_control)
        super().end_headers()


if __name__ == "__main__":
    main()
