"""What every channel applies before a message reaches Rasa: its conversation in the channel's
own namespace, a rate limit per conversation, a cap on message length, and an answer to an
empty message; and the replies sent only once the turn is stored
(channels/store_unavailable.py).

A refused message gets a reply saying why instead of going through NLU and into the tracker
and logs. The limits are per channel in credentials.yml: `max_message_length`,
`max_metadata_bytes` (REST and socket.io check it before this), `rate_limit_burst` and
`rate_limit_per_second` (docs/channels.md, "Safe to expose").
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint

from channels import json_errors, store_unavailable
from channels.conversations import (
    DEFAULT_MAX_METADATA_BYTES,
    conversation_id_problem,
    namespaced,
    raw_id,
)
from channels.rate_limit import (
    DEFAULT_BURST,
    DEFAULT_PER_SECOND,
    RATE_LIMITED_REPLY,
    ConversationRateLimit,
)

logger = logging.getLogger(__name__)

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


class ChannelLimits:
    """Mix in before a Rasa `InputChannel` class."""

    max_message_length = DEFAULT_MAX_MESSAGE_LENGTH
    max_metadata_bytes = DEFAULT_MAX_METADATA_BYTES
    rate_limit: Optional[ConversationRateLimit] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        channel = super().from_credentials(credentials)
        credentials = credentials or {}
        channel.max_message_length = int(
            credentials.get("max_message_length", DEFAULT_MAX_MESSAGE_LENGTH)
        )
        channel.max_metadata_bytes = int(
            credentials.get("max_metadata_bytes", DEFAULT_MAX_METADATA_BYTES)
        )
        channel.rate_limit = ConversationRateLimit(
            int(credentials.get("rate_limit_burst", DEFAULT_BURST)),
            float(credentials.get("rate_limit_per_second", DEFAULT_PER_SECOND)),
        )
        return channel

    def conversation_id(self, channel_id: Any) -> str:
        """The tracker store's id for the conversation the channel calls `channel_id`."""
        return namespaced(self.name(), channel_id)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if self.rate_limit is None:
            self.rate_limit = ConversationRateLimit()

        async def within_limits(message: UserMessage) -> None:
            problem = conversation_id_problem(message.sender_id)
            if problem:
                # REST and socket.io refuse these before; nothing to store or to answer to.
                logger.warning(f"Ignored a {self.name()} message: {problem}")
                return
            message.sender_id = self.conversation_id(message.sender_id)
            message.output_channel = RepliesInChannel(message.output_channel, self.name())
            refusal = self._refusal(message)
            if refusal:
                await message.output_channel.send_response(message.sender_id, {"text": refusal})
                return
            await store_unavailable.handle_once_stored(on_new_message, message)

        webhook = super().blueprint(within_limits)
        webhook.listener("before_server_start")(json_errors.install)
        return webhook

    def _refusal(self, message: UserMessage) -> Optional[str]:
        if not self._within_rate_limit(message.sender_id):
            return RATE_LIMITED_REPLY
        text = message.text or ""
        if not text.strip():
            # NLU has nothing to classify (and Rasa would answer nothing at all)
            return EMPTY_REPLY
        if len(text) > self.max_message_length:
            return too_long_reply(len(text), self.max_message_length)
        return None

    def _within_rate_limit(self, conversation_id: str) -> bool:
        return self.rate_limit.wait_before(conversation_id) is None


class RepliesInChannel(OutputChannel):
    """A channel's output channel, addressing replies by the channel's own id for the
    conversation (the socket.io room, the Telegram chat), not the namespaced one Rasa has."""

    def __init__(self, output: OutputChannel, channel: str) -> None:
        self.output = output
        self.channel = channel

    def name(self) -> str:  # Rasa picks channel-specific responses by it
        return self.output.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.output.send_response(raw_id(self.channel, recipient_id), message)
