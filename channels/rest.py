"""Rasa's REST channel, same URL (`/webhooks/rest/webhook`), with the limits of
channels/limits.py, and HTTP answers for a request it will not take: a 400 for a body that is
not `{"sender": ..., "message": "..."}` (the sender a bounded id, the metadata small), a 429
with `Retry-After` for a conversation over its rate limit, a 503 with `Retry-After` for a
turn the tracker store could not record (channels/store_unavailable.py).

These checks run in the extract methods, which Rasa calls before handling the message: an
error raised later is caught by Rasa and answered as a 200 with no replies.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels import rest as rasa_rest
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint
from sanic.exceptions import InvalidUsage, SanicException
from sanic.request import Request

from channels import store_unavailable
from channels.conversations import conversation_id_problem, metadata_problem
from channels.limits import ChannelLimits
from channels.rate_limit import RATE_LIMITED_REPLY, retry_after_header

EXPECTED_BODY = 'Send JSON like {"sender": "user-1", "message": "how much does a QA manager earn?"}'
MISSING_SENDER = (
    'Give each conversation its own "sender" id: {"sender": "user-1", "message": "..."}'
)


class TooManyMessages(SanicException):
    status_code = 429
    quiet = True

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(RATE_LIMITED_REPLY)
        self.headers = {"Retry-After": retry_after_header(wait_seconds)}


class RestInput(ChannelLimits, rasa_rest.RestInput):
    async def _extract_sender(self, req: Request) -> Optional[str]:
        # Rasa would fail with a 500 on a body that is not a JSON object.
        try:
            body = req.json
        except InvalidUsage:
            raise InvalidUsage(EXPECTED_BODY) from None
        if not isinstance(body, dict):
            raise InvalidUsage(EXPECTED_BODY)
        sender = await super()._extract_sender(req)
        # Rasa files a message without one under the conversation "default", shared by
        # every such client: one visitor would get answers in another's context.
        if sender is None or not str(sender).strip():
            raise InvalidUsage(MISSING_SENDER)
        problem = conversation_id_problem(sender)
        if problem:
            raise InvalidUsage(f'"sender": {problem}')
        wait = self.rate_limit.wait_before(self.conversation_id(sender))
        if wait is not None:
            raise TooManyMessages(wait)
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        message = super()._extract_message(req)
        if not isinstance(message, str):
            raise InvalidUsage(EXPECTED_BODY)
        return message

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        metadata = super().get_metadata(request)
        problem = metadata_problem(metadata, self.max_metadata_bytes)
        if problem:
            raise InvalidUsage(f'"metadata": {problem}')
        return metadata

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        # A turn the tracker store could not record: 503, not Rasa's 200.
        webhook.middleware("request")(store_unavailable.expect_refusal)
        webhook.middleware("response")(store_unavailable.refuse_unstored_turn)
        return webhook

    def _within_rate_limit(self, conversation_id: str) -> bool:
        return True  # taken in _extract_sender, where the client can still get a 429
