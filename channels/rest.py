"""Rasa's REST channel, same URL (`/webhooks/rest/webhook`), with the message-length cap and
a 400 for a request that is not `{"sender": ..., "message": "..."}`, the sender included."""

from __future__ import annotations

from typing import Optional

from rasa.core.channels import rest as rasa_rest
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from channels.limits import MessageLengthLimit

EXPECTED_BODY = 'Send JSON like {"sender": "user-1", "message": "how much does a QA manager earn?"}'
MISSING_SENDER = (
    'Give each conversation its own "sender" id: {"sender": "user-1", "message": "..."}'
)


class RestInput(MessageLengthLimit, rasa_rest.RestInput):
    async def _extract_sender(self, req: Request) -> Optional[str]:
        # Rasa would fail with a 500 on a body that is not a JSON object.
        if not isinstance(req.json, dict):
            raise InvalidUsage(EXPECTED_BODY)
        sender = await super()._extract_sender(req)
        # Rasa files a message without one under the conversation "default", shared by
        # every such client: one visitor would get answers in another's context.
        if sender is None or not str(sender).strip():
            raise InvalidUsage(MISSING_SENDER)
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        message = super()._extract_message(req)
        if not isinstance(message, str):
            raise InvalidUsage(EXPECTED_BODY)
        return message
