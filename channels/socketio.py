"""Rasa's socket.io channel for the website widget, accepting only the site's pages.

- A connection from a browser page (it sends an Origin header) is refused unless that origin
  is in `cors_allowed_origins` (credentials; separated by spaces or commas, `*` for any).
  `rasa run --cors` covers HTTP requests, but browsers do not apply CORS to WebSockets and
  Rasa's socket.io server accepts any page.
- With `session_persistence`, replies reach the page: Rasa 3.6 calls python-socketio 5's
  `enter_room` coroutine without awaiting it, so the page never joins its session's room
  and sees no replies (RasaHQ/rasa#13027).
- A page resumes only a session the server gave it (channels/sessions.py): `session_request`
  with a token the server signed joins that conversation's room; with any other id (someone
  else's conversation id, a forged token) the page gets a new session. `session_confirm`
  carries the token. A `user_uttered` event goes to the session this connection was given,
  and is refused without one or with another session's id.
- A `session_request` or `user_uttered` event with a session id that is not a bounded
  conversation id, metadata over the cap, or a message that is not text is refused with a
  `bot_uttered` saying why, before Rasa stores anything (channels/conversations.py).
- Transport is HTTP long-polling only. Sanic 21.12 (Rasa 3.6's pin) receives WebSocket
  messages with `asyncio.wait` on a coroutine, which Python 3.11 refuses, so WebSocket
  connections die on their first message; offering the upgrade would only add a failed
  attempt to every chat.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional, Tuple

from rasa.core.channels import socketio as rasa_socketio
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from channels.conversations import conversation_id_problem, metadata_problem
from channels.limits import ChannelLimits
from channels.sessions import SessionTokens, secret_from_environment

logger = logging.getLogger(__name__)


EXPECTED_MESSAGE = 'Send the event with data like {"message": "...", "session_id": "..."}.'
NO_SESSION = "Ask for a session first: send session_request and use the id session_confirm gives."
NOT_THIS_SESSION = (
    "That session_id is not this connection's session: use the one session_confirm gave."
)


class SocketIOInput(ChannelLimits, rasa_socketio.SocketIOInput):
    allowed_origins: FrozenSet[str] = frozenset()
    session_tokens: Optional[SessionTokens] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins((credentials or {}).get("cors_allowed_origins"))
        channel.session_tokens = SessionTokens(secret_from_environment())
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if self.session_tokens is None:
            self.session_tokens = SessionTokens(secret_from_environment())
        webhook = super().blueprint(on_new_message)
        self.sio.eio.transports = ["polling"]
        self.sio.eio.allow_upgrades = False
        rasa_handlers = self.sio.handlers[self.namespace or "/"]
        rasa_connect = rasa_handlers["connect"]
        rasa_handle_message = rasa_handlers[self.user_message_evt]

        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if origin and not ({origin, "*"} & self.allowed_origins):
                logger.warning(f"Refused a socket.io connection from {origin}.")
                return False
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: str, data: Optional[Dict]) -> None:
            requested = (data if isinstance(data, dict) else {}).get("session_id")
            problem = requested and conversation_id_problem(requested)
            if problem:
                await self._refuse(sid, problem)
                return
            conversation, token = self.session_for(requested)
            previous = (await self.sio.get_session(sid, self.namespace)).get("conversation")
            # Kept by python-socketio for this connection only, and dropped when it closes.
            await self.sio.save_session(sid, {"conversation": conversation}, self.namespace)
            if self.session_persistence:
                if previous and previous != conversation:
                    await self.sio.leave_room(sid, previous, namespace=self.namespace)
                await self.sio.enter_room(sid, conversation, namespace=self.namespace)
            await self.sio.emit("session_confirm", token, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any) -> None:
            problem = self._message_problem(data)
            if not problem and self.session_persistence:
                granted = (await self.sio.get_session(sid, self.namespace)).get("conversation")
                problem = self.session_problem(data["session_id"], granted)
                data = {**data, "session_id": granted}
            if problem:
                await self._refuse(sid, problem)
                return
            await rasa_handle_message(sid, data)

        self.sio.on("connect", connect, namespace=self.namespace)
        self.sio.on("session_request", session_request, namespace=self.namespace)
        self.sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return webhook

    def session_for(self, requested: Any) -> Tuple[str, str]:
        """The conversation a `session_request` joins and the token that resumes it: the
        requested one if these servers issued its token, otherwise a new one."""
        conversation = self.session_tokens.conversation(requested)
        if conversation is None:
            if requested:
                logger.info("A session_request with an id the server did not issue: new session.")
            return self.session_tokens.new_session()
        return conversation, str(requested)

    def session_problem(self, session_id: str, granted: Optional[str]) -> Optional[str]:
        """Why a `user_uttered` event with `session_id` may not go to the conversation this
        connection was given (`granted`), or None."""
        if granted is None:
            return NO_SESSION
        if self.session_tokens.conversation(session_id) != granted:
            return NOT_THIS_SESSION
        return None

    def _message_problem(self, data: Any) -> Optional[str]:
        """Why Rasa should not see this `user_uttered` event, or None."""
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return EXPECTED_MESSAGE
        if self.session_persistence:
            problem = conversation_id_problem(data.get("session_id"))
            if problem:
                return f"session_id: {problem}"
        return metadata_problem(data.get(self.metadata_key), self.max_metadata_bytes)

    async def _refuse(self, sid: str, problem: str) -> None:
        # To the socket itself: the session's room is what the refused id would have named.
        await self.sio.emit(
            self.bot_message_evt, {"text": problem}, room=sid, namespace=self.namespace
        )


def parse_origins(value: Any) -> FrozenSet[str]:
    origins = value if isinstance(value, list) else re.split(r"[\s,]+", str(value or ""))
    return frozenset(origin.rstrip("/") for origin in origins if origin)
