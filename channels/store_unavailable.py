"""A turn the tracker store could not record is refused, never answered as if it were.

Rasa sends the bot's replies while it handles a message and saves the turn at the end, so
a user could read an answer whose turn was never stored. Every channel (channels/limits.py)
hands Rasa `HeldReplies` instead, which sends the replies only once Rasa has saved the turn.
When the store gives up (`StoreUnavailable`, stores/retry.py, after up to 10 s of retries),
the replies are dropped and the user gets `SEND_AGAIN_REPLY`; over REST (channels/rest.py)
the request is answered 503 with `Retry-After` and a JSON body instead of Rasa's 200.

REST's handler is Rasa's, and it catches every error from the message's handling, so the
refusal reaches the response through the request's context (`expect_refusal`,
`refuse_unstored_turn`): the handler, its middleware and the message's handling run in one
task.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import response as sanic_response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.rate_limit import retry_after_header
from stores.retry import StoreUnavailable

logger = logging.getLogger(__name__)

SEND_AGAIN_REPLY = (
    "Sorry, I couldn't save our conversation just then. Please send that again in a moment."
)

# The refusal of the request being handled, for REST's response middleware: a list the
# request middleware puts there, so that what is appended later is seen through it.
_REFUSALS: ContextVar[Optional[List[StoreUnavailable]]] = ContextVar("refusals", default=None)


async def handle_once_stored(
    on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage
) -> None:
    """Rasa's handling of `message`, its replies sent only once the turn is stored."""
    output = message.output_channel
    held = HeldReplies(output)
    message.output_channel = held
    try:
        await on_new_message(message)
    except StoreUnavailable as error:
        logger.warning("Refused a message of '%s': %s", message.sender_id, error)
        refusals = _REFUSALS.get()
        if refusals is not None:
            refusals.append(error)
        await output.send_response(message.sender_id, {"text": SEND_AGAIN_REPLY})
        return
    await held.release()


class HeldReplies(OutputChannel):
    """An output channel keeping the bot's replies until `release` sends them on."""

    def __init__(self, output: OutputChannel) -> None:
        self.output = output
        self.replies: List[Tuple[str, Dict[str, Any]]] = []

    def name(self) -> str:  # Rasa picks channel-specific responses by it
        return self.output.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        self.replies.append((recipient_id, message))

    async def release(self) -> None:
        replies, self.replies = self.replies, []
        for recipient_id, message in replies:
            await self.output.send_response(recipient_id, message)


async def expect_refusal(request: Request) -> None:
    """Request middleware: a fresh place for this request's refusal (the connection's task
    serves its requests one after another, so the previous one's must not carry over)."""
    _REFUSALS.set([])


async def refuse_unstored_turn(request: Request, response: HTTPResponse) -> Optional[HTTPResponse]:
    """Response middleware: a 503 with `Retry-After` for a refused turn, in the JSON of
    channels/json_errors.py."""
    refusals = _REFUSALS.get()
    if not refusals:
        return None
    return sanic_response.json(
        {"status": 503, "description": "Service Unavailable", "message": SEND_AGAIN_REPLY},
        status=503,
        headers={"Retry-After": retry_after_header(refusals[-1].retry_after)},
    )
