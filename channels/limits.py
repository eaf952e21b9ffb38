"""A cap on message length for every channel, and an answer to an empty message.

An oversized message gets a reply saying so instead of going through NLU and into the
tracker and logs at any size. The cap is `max_message_length` in a channel's credentials.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

DEFAULT_MAX_MESSAGE_LENGTH = 500


EMPTY_REPLY = (
    "I didn't get a question there. Ask me about the job, the skills you need, "
    "training, or what the jobs pay."
)


def too_long_reply(length: int, limit: int) -> str:
    return (
        f"Sorry, that message is too long for me ({length} characters). "
        f"Please ask again in {limit} characters or fewer."
    )


class MessageLengthLimit:
    """Mix in before a Rasa `InputChannel` class to refuse messages over the cap."""

    max_message_length = DEFAULT_MAX_MESSAGE_LENGTH

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        limit = (credentials or {}).get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)
        channel.max_message_length = int(limit)
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def within_limit(message: UserMessage) -> None:
            length = len(message.text or "")
            if not (message.text or "").strip():
                # NLU has nothing to classify (and Rasa would answer nothing at all)
                await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
                return
            if length > self.max_message_length:
                await message.output_channel.send_text_message(
                    message.sender_id, too_long_reply(length, self.max_message_length)
                )
                return
            await on_new_message(message)

        return super().blueprint(within_limit)
