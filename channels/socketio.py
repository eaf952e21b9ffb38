"""Rasa's socket.io channel for the website widget, accepting only the site's pages.

- A connection from a browser page (it sends an Origin header) is refused unless that origin
  is in `cors_allowed_origins` (credentials; separated by spaces or commas, `*` for any).
  `rasa run --cors` covers HTTP requests, but browsers do not apply CORS to WebSockets and
  Rasa's socket.io server accepts any page.
- With `session_persistence`, replies reach the page: Rasa 3.6 calls python-socketio 5's
  `enter_room` coroutine without awaiting it, so the page never joins its session's room
  and sees no replies (RasaHQ/rasa#13027).
- Transport is HTTP long-polling only. Sanic 21.12 (Rasa 3.6's pin) receives WebSocket
  messages with `asyncio.wait` on a coroutine, which Python 3.11 refuses, so WebSocket
  connections die on their first message; offering the upgrade would only add a failed
  attempt to every chat.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from channels.limits import MessageLengthLimit

logger = logging.getLogger(__name__)


class SocketIOInput(MessageLengthLimit, rasa_socketio.SocketIOInput):
    allowed_origins: FrozenSet[str] = frozenset()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins((credentials or {}).get("cors_allowed_origins"))
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        self.sio.eio.transports = ["polling"]
        self.sio.eio.allow_upgrades = False
        rasa_connect = self.sio.handlers[self.namespace or "/"]["connect"]

        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and not ({origin, "*"} & self.allowed_origins):
                logger.warning(f"Refused a socket.io connection from {origin}.")
                return False
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: str, data: Optional[Dict]) -> None:
            session_id = (data if isinstance(data, dict) else {}).get("session_id")
            session_id = str(session_id) if session_id else uuid.uuid4().hex
            if self.session_persistence:
                await self.sio.enter_room(sid, session_id, namespace=self.namespace)
            await self.sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        self.sio.on("connect", connect, namespace=self.namespace)
        self.sio.on("session_request", session_request, namespace=self.namespace)
        return webhook


def parse_origins(value: Any) -> FrozenSet[str]:
    origins = value if isinstance(value, list) else re.split(r"[\s,]+", str(value or ""))
    return frozenset(origin.rstrip("/") for origin in origins if origin)
