"""The action server answers Rasa only: the token check, and the length cap before any NLP."""

from __future__ import annotations

import pytest

from actions import actions
from actions.answers import MAX_MESSAGE_LENGTH, too_long
from actions.server import is_authorized
from channels.limits import DEFAULT_MAX_MESSAGE_LENGTH, too_long_reply
from tests.conftest import make_tracker

TOKEN = "3f1c0e9a7b2d4c6e8f0a1b2c3d4e5f60"


@pytest.mark.parametrize(
    "authorization, expected",
    [
        (f"Bearer {TOKEN}", True),
        (f"bearer {TOKEN}", True),
        (None, False),
        ("", False),
        (TOKEN, False),  # no scheme
        (f"Basic {TOKEN}", False),
        (f"Bearer {TOKEN[:-1]}", False),
        (f"Bearer {TOKEN}0", False),
        ("Bearer ", False),
    ],
)
def test_only_the_bearer_token_is_authorized(authorization, expected):
    assert is_authorized(authorization, TOKEN) is expected


def test_no_configured_token_authorizes_nothing():
    assert not is_authorized("Bearer ", "")


def test_the_action_server_caps_messages_as_the_channels_do():
    assert MAX_MESSAGE_LENGTH == DEFAULT_MAX_MESSAGE_LENGTH
    assert too_long(30_000).text == too_long_reply(30_000, DEFAULT_MAX_MESSAGE_LENGTH)


async def test_an_oversized_message_gets_the_too_long_reply_and_no_slots(dispatcher):
    text = "how much does a QA manager earn? " * 1000
    events = await actions.ActionAnswerSalary().run(
        dispatcher, make_tracker(text, "ask_salary"), {}
    )
    [message] = dispatcher.messages
    assert message["text"] == too_long(len(text)).text
    assert events == []
