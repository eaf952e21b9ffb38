"""Conversation ids and message metadata a client may send, and the channel each id lives in.

A client names its conversation (REST `sender`, socket.io `session_id`; Telegram's chat id).
That name becomes a primary key in the tracker store, a lock name and a log field, so it is
bounded and from a plain alphabet. It is stored as `<channel>:<id>` ("rest:user-1",
"socketio:5f2c...", "telegram:123456"): a REST client that sends the id of a widget or
Telegram conversation gets a conversation of its own, not that one. Replies go back to the
id the channel knows (`raw_id`).
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

MAX_CONVERSATION_ID_LENGTH = 128
CONVERSATION_ID = re.compile(rf"[A-Za-z0-9_.:@-]{{1,{MAX_CONVERSATION_ID_LENGTH}}}")
DEFAULT_MAX_METADATA_BYTES = 2048


def conversation_id_problem(raw: Any) -> Optional[str]:
    """Why `raw` cannot name a conversation, or None if it can. Integers count as their
    digits (Telegram's chat ids; REST clients that number their users)."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        return "The conversation id must be a string."
    raw = str(raw)
    if len(raw) > MAX_CONVERSATION_ID_LENGTH:
        return (
            f"The conversation id is {len(raw)} characters long; "
            f"at most {MAX_CONVERSATION_ID_LENGTH} are allowed."
        )
    if not CONVERSATION_ID.fullmatch(raw):
        return (
            "The conversation id may use only letters, digits and . _ : @ - "
            f"(1 to {MAX_CONVERSATION_ID_LENGTH} of them)."
        )
    return None


def namespaced(channel: str, raw: Any) -> str:
    """The id a conversation is stored under: its channel's name, then the client's id."""
    return f"{channel}:{raw}"


def raw_id(channel: str, conversation_id: str) -> str:
    """The id the channel knows a stored conversation by (a socket.io room, a chat id)."""
    return conversation_id.removeprefix(f"{channel}:")


def metadata_problem(metadata: Any, max_bytes: int = DEFAULT_MAX_METADATA_BYTES) -> Optional[str]:
    """Why a message's `metadata` is refused, or None. Rasa stores it with every user turn,
    so it is bounded like the message text; socket.io may send it as a JSON string."""
    if metadata is None:
        return None
    if isinstance(metadata, str):
        size = len(metadata.encode())
        if size <= max_bytes:
            try:
                metadata = json.loads(metadata)
            except ValueError:
                return "The metadata must be a JSON object."
    else:
        size = len(json.dumps(metadata).encode())
    if size > max_bytes:
        return f"The metadata is {size} bytes; at most {max_bytes} are allowed."
    if not isinstance(metadata, dict):
        return "The metadata must be a JSON object."
    return None
