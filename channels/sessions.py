"""Socket.io sessions the server issues, so that a page resumes only a conversation it was given.

Rasa's socket.io channel files a conversation under whatever `session_id` a page asks for and
puts the page in that session's room: a page that sent someone else's id got their replies
live. Here a page is given a session token `<conversation>.<signature>`: a new random
conversation id and its HMAC under a secret only the servers hold. A `session_request` resumes
the conversation only with a token the servers signed; the conversation id alone (what the
tracker store, logs and `make report` show as `socketio:<conversation>`) or a made-up or forged
token gets a new conversation.

The secret comes from `SOCKETIO_SESSION_SECRET`, or the file `SOCKETIO_SESSION_SECRET_FILE`
names; without either each process makes one, so pages resume their conversations until the
process restarts. Replicas behind one address need the same secret (scripts/cluster.sh and
docker-compose.yml set it).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from typing import Mapping, Optional, Tuple

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "SOCKETIO_SESSION_SECRET"
SECRET_FILE_VARIABLE = "SOCKETIO_SESSION_SECRET_FILE"
# 128 bits each: the token is 65 characters, within the 128 a conversation id may have.
CONVERSATION_BYTES = 16
SIGNATURE_HEX_DIGITS = 32


class SessionTokens:
    """Issues session tokens and tells which conversation a token resumes."""

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("The socket.io session secret is empty.")
        self._secret = secret

    def new_session(self) -> Tuple[str, str]:
        """A new conversation id and the token that resumes it."""
        conversation = secrets.token_hex(CONVERSATION_BYTES)
        return conversation, self.token(conversation)

    def token(self, conversation: str) -> str:
        return f"{conversation}.{self._signature(conversation)}"

    def conversation(self, token: object) -> Optional[str]:
        """The conversation `token` resumes, or None if these servers did not issue it."""
        if not isinstance(token, str):
            return None
        conversation, dot, signature = token.rpartition(".")
        if not dot or not conversation:
            return None
        if not hmac.compare_digest(signature, self._signature(conversation)):
            return None
        return conversation

    def _signature(self, conversation: str) -> str:
        # A purpose prefix: the same secret can sign nothing else that passes for a session.
        message = f"socketio-session:{conversation}".encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).hexdigest()
        return digest[:SIGNATURE_HEX_DIGITS]


def secret_from_environment(environ: Mapping[str, str] = os.environ) -> bytes:
    """The secret the variables give, or a new one for this process."""
    if environ.get(SECRET_VARIABLE):
        return environ[SECRET_VARIABLE].encode()
    if environ.get(SECRET_FILE_VARIABLE):
        path = Path(environ[SECRET_FILE_VARIABLE])
        try:
            secret = path.read_bytes().strip()
        except OSError as error:
            raise ValueError(f"{SECRET_FILE_VARIABLE}: cannot read {path}: {error}") from error
        if not secret:
            raise ValueError(f"{SECRET_FILE_VARIABLE}: {path} is empty.")
        return secret
    logger.info(
        f"Neither {SECRET_VARIABLE} nor {SECRET_FILE_VARIABLE} is set: socket.io sessions "
        "are signed with a secret made for this process and end when it stops."
    )
    return secrets.token_bytes(32)
