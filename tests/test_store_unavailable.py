"""A turn the tracker store could not record is refused by every channel, never answered
(channels/store_unavailable.py), without servers."""

from __future__ import annotations

import json
from typing import List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response

from channels import store_unavailable
from channels.limits import ChannelLimits
from channels.store_unavailable import SEND_AGAIN_REPLY
from stores.retry import StoreUnavailable


class RasaRecordingInput(InputChannel):
    """Stands for Rasa's connector: its blueprint hands the message handler to the test."""

    @classmethod
    def name(cls) -> str:
        return "recording"

    def blueprint(self, on_new_message):
        self.handle = on_new_message
        return Blueprint("recording")


class RecordingInput(ChannelLimits, RasaRecordingInput):
    pass


def channel_whose_store(fails: bool) -> RecordingInput:
    """Rasa answering, then saving the turn: into a store that works or gives up."""
    channel = RecordingInput.from_credentials({})

    async def rasa(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "£23,547"})
        if fails:
            raise StoreUnavailable("Saving conversation: the database did not answer")

    channel.blueprint(rasa)
    return channel


async def send(channel, text: str = "how much does it pay?") -> List[dict]:
    output = CollectingOutputChannel()
    await channel.handle(UserMessage(text, output, "user-1"))
    return output.messages


async def test_a_stored_turn_gets_its_answer():
    assert await send(channel_whose_store(fails=False)) == [
        {"recipient_id": "user-1", "text": "£23,547"}
    ]


async def test_a_turn_the_store_could_not_record_gets_send_again_and_not_the_answer():
    # socket.io and Telegram: the answer was ready but is never shown.
    assert await send(channel_whose_store(fails=True)) == [
        {"recipient_id": "user-1", "text": SEND_AGAIN_REPLY}
    ]


async def test_replies_are_held_until_rasa_has_finished_the_turn():
    sent_during_the_turn: List[dict] = []
    output = CollectingOutputChannel()
    channel = RecordingInput.from_credentials({})

    async def rasa(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "first"})
        await message.output_channel.send_response(message.sender_id, {"text": "second"})
        sent_during_the_turn.extend(output.messages)

    channel.blueprint(rasa)
    await channel.handle(UserMessage("hi", output, "user-1"))
    assert sent_during_the_turn == []
    assert [m["text"] for m in output.messages] == ["first", "second"]


async def test_rest_answers_a_refused_turn_with_a_503_and_retry_after():
    channel = channel_whose_store(fails=True)
    rasas_answer = response.json([])  # what Rasa's REST handler returns after the error

    await store_unavailable.expect_refusal(None)
    await send(channel)
    refused = await store_unavailable.refuse_unstored_turn(None, rasas_answer)

    assert refused.status == 503
    assert refused.headers["Retry-After"] == "5"
    assert json.loads(refused.body) == {
        "status": 503,
        "description": "Service Unavailable",
        "message": SEND_AGAIN_REPLY,
    }


@pytest.mark.parametrize("fails_first", [False, True])
async def test_rest_answers_other_requests_as_rasa_does(fails_first):
    """Including the next request on the same connection (the same task) after a refusal."""
    rasas_answer = response.json([{"text": "£23,547"}])
    if fails_first:
        await store_unavailable.expect_refusal(None)
        await send(channel_whose_store(fails=True))
    await store_unavailable.expect_refusal(None)
    await send(channel_whose_store(fails=False))
    assert await store_unavailable.refuse_unstored_turn(None, rasas_answer) is None
