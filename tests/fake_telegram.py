"""A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), on loopback.

It answers the methods the bot calls (getMe, setWebhook, sendMessage) the way Telegram does,
including Telegram's checks that matter here (the bot token, text length, callback_data of
1-64 bytes), and records every call so a test can check what the bot sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qsl

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64


@dataclass
class FakeTelegram:
    token: str
    bot_username: str
    # Every call: {"method": ..., "accepted": whether Telegram would act on it, **params}
    calls: List[Dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeTelegram:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    def calls_to(self, method: str, **params: Any) -> List[Dict[str, Any]]:
        """Accepted calls of `method` with these parameters."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c["method"] == method
                and c["accepted"]
                and all(str(c.get(k)) == str(v) for k, v in params.items())
            ]

    def messages_to(self, chat_id: int, wait: float = 0.0) -> List[Dict[str, Any]]:
        """sendMessage calls for a chat, waiting up to `wait` seconds for the first one."""
        deadline = time.monotonic() + wait
        while not (sent := self.calls_to("sendMessage", chat_id=chat_id)):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        return sent

    def answer(self, method: str, params: Dict[str, Any]) -> tuple[int, Dict[str, Any]]:
        if method == "getMe":
            return _ok(
                {"id": 1, "is_bot": True, "first_name": "Careers", "username": self.bot_username}
            )
        if method == "setWebhook":
            return _ok(True)
        if method == "sendMessage":
            return self._send_message(params)
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def _send_message(self, params: Dict[str, Any]) -> tuple[int, Dict[str, Any]]:
        text = params.get("text", "")
        if not text or len(text) > MAX_TEXT:
            return _bad_request("message text is empty or too long")
        markup = json.loads(params.get("reply_markup") or "{}")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not 1 <= len(button.get("callback_data", "").encode()) <= MAX_CALLBACK_DATA:
                    return _bad_request("BUTTON_DATA_INVALID")
        chat = {"id": int(params["chat_id"]), "type": "private"}
        return _ok({"message_id": 1, "date": int(time.time()), "chat": chat, "text": text})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class BotApiHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                # /bot<token>/<method>, body form-encoded (aiogram) or JSON
                _, _, rest = self.path.partition("/bot")
                token, _, method = rest.partition("/")
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params = json.loads(body or "{}")
                else:
                    params = dict(parse_qsl(body))
                if token != fake.token:
                    status, reply = (
                        401,
                        {"ok": False, "error_code": 401, "description": "Unauthorized"},
                    )
                else:
                    status, reply = fake.answer(method, params)
                with fake._lock:
                    fake.calls.append({"method": method, "accepted": status == 200, **params})
                payload = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        return BotApiHandler


def _ok(result: Any) -> tuple[int, Dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _bad_request(description: str) -> tuple[int, Dict[str, Any]]:
    return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}
