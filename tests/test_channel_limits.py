"""The limits every channel applies (channels/), without servers: conversation ids, their
namespace per channel, socket.io sessions the server issues, metadata size, the rate limit per
conversation, JSON errors."""

from __future__ import annotations

import json
from typing import Any, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint
from sanic.exceptions import InvalidUsage, NotFound, PayloadTooLarge

from channels import json_errors
from channels.conversations import (
    MAX_CONVERSATION_ID_LENGTH,
    conversation_id_problem,
    metadata_problem,
    namespaced,
    raw_id,
)
from channels.limits import EMPTY_REPLY, ChannelLimits
from channels.rate_limit import RATE_LIMITED_REPLY, ConversationRateLimit, retry_after_header
from channels.rest import RestInput, TooManyMessages
from channels.sessions import SECRET_FILE_VARIABLE, SECRET_VARIABLE, secret_from_environment
from channels.socketio import EXPECTED_MESSAGE, NO_SESSION, NOT_THIS_SESSION, SocketIOInput

# --- conversation ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["user-1", "5f2c0d8e9a1b4c3d", "a" * MAX_CONVERSATION_ID_LENGTH, "me@example.org", 123456789],
)
def test_ordinary_conversation_ids_are_taken(raw):
    assert conversation_id_problem(raw) is None


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("x" * 900_000, "900000 characters"),
        ("a" * (MAX_CONVERSATION_ID_LENGTH + 1), "at most 128"),
        ("", "only letters"),
        ("has space", "only letters"),
        ("new\nline", "only letters"),
        ("<script>", "only letters"),
        ("caf\u00e9", "only letters"),
        ({"id": 1}, "must be a string"),
        (None, "must be a string"),
        (True, "must be a string"),
    ],
)
def test_unbounded_or_odd_conversation_ids_are_refused_with_the_reason(raw, problem):
    assert problem in conversation_id_problem(raw)


def test_each_channel_has_its_own_conversations():
    assert namespaced("rest", "socketio:abc") != namespaced("socketio", "abc")
    assert raw_id("socketio", namespaced("socketio", "abc")) == "abc"
    assert raw_id("telegram", namespaced("telegram", 42)) == "42"


# --- metadata ----------------------------------------------------------------------------------


@pytest.mark.parametrize("metadata", [None, {}, {"page": "/jobs"}, '{"page": "/jobs"}'])
def test_small_metadata_objects_are_taken(metadata):
    assert metadata_problem(metadata) is None


@pytest.mark.parametrize(
    "metadata, problem",
    [
        ({"blob": "x" * 3000}, "at most 2048"),
        (json.dumps({"blob": "x" * 3000}), "at most 2048"),
        (["a", "list"], "JSON object"),
        ("not json", "JSON object"),
    ],
)
def test_large_or_odd_metadata_is_refused(metadata, problem):
    assert problem in metadata_problem(metadata)


# --- the rate limit ----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_message_per_refill():
    clock = Clock()
    limit = ConversationRateLimit(burst=3, per_second=0.5, clock=clock)
    assert [limit.wait_before("a") for _ in range(3)] == [None, None, None]
    assert limit.wait_before("a") == pytest.approx(2.0)  # one token takes 2 s to come back
    clock.now += 1
    assert limit.wait_before("a") == pytest.approx(1.0)
    clock.now += 1
    assert limit.wait_before("a") is None
    assert limit.wait_before("a") is not None


def test_conversations_are_limited_separately():
    limit = ConversationRateLimit(burst=1, per_second=1, clock=Clock())
    assert limit.wait_before("a") is None
    assert limit.wait_before("a") is not None
    assert limit.wait_before("b") is None


def test_a_waiting_conversation_gets_its_whole_burst_back_and_no_more():
    clock = Clock()
    limit = ConversationRateLimit(burst=2, per_second=1, clock=clock)
    limit.wait_before("a")
    clock.now += 3600
    assert [limit.wait_before("a") is None for _ in range(3)] == [True, True, False]


def test_memory_holds_only_recent_conversations():
    clock = Clock()
    limit = ConversationRateLimit(burst=2, per_second=1, clock=clock, max_conversations=50)
    for n in range(40):
        limit.wait_before(f"old-{n}")
    clock.now += 2  # their buckets are full again
    limit.wait_before("new")
    assert list(limit._buckets) == ["new"]
    for n in range(200):
        limit.wait_before(f"flood-{n}")
    assert len(limit._buckets) <= 50


def test_the_defaults_leave_room_for_the_load_test():
    # make bench: 20 senders share about 90 turns/s, one endless conversation each.
    limit = ConversationRateLimit()
    assert limit.per_second >= 2 * 90 / 20
    assert limit.burst < 30  # while 30 messages at once from one sender are too many


@pytest.mark.parametrize("burst, per_second", [(0, 1), (5, 0)])
def test_a_rate_limit_that_refuses_everything_is_a_configuration_error(burst, per_second):
    with pytest.raises(ValueError, match="burst"):
        ConversationRateLimit(burst, per_second)


def test_retry_after_is_whole_seconds_rounded_up():
    assert [retry_after_header(s) for s in (0.01, 1.0, 1.2)] == ["1", "1", "2"]


# --- what every channel applies (channels/limits.py) -------------------------------------------


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


@pytest.fixture
def channel():
    channel = RecordingInput.from_credentials({"rate_limit_burst": 2, "rate_limit_per_second": 1})
    handled: List[UserMessage] = []

    async def rasa(message: UserMessage) -> None:
        handled.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "answer"})

    channel.blueprint(rasa)
    channel.handled = handled
    return channel


async def send(channel, text: str, sender: Any = "user-1") -> List[dict]:
    output = CollectingOutputChannel()
    await channel.handle(UserMessage(text, output, sender))
    return output.messages


async def test_the_conversation_is_stored_in_the_channels_namespace_and_answered_there(channel):
    [reply] = await send(channel, "hi", "user-1")
    assert [m.sender_id for m in channel.handled] == ["recording:user-1"]
    assert reply == {"recipient_id": "user-1", "text": "answer"}


async def test_over_the_rate_limit_the_message_gets_a_polite_reply_and_no_answer(channel):
    await send(channel, "one")
    await send(channel, "two")
    [reply] = await send(channel, "three")
    assert reply == {"recipient_id": "user-1", "text": RATE_LIMITED_REPLY}
    assert len(channel.handled) == 2
    assert await send(channel, "another conversation", "user-2")


async def test_an_empty_message_gets_a_reply_and_does_not_reach_rasa(channel):
    assert (await send(channel, "  "))[0]["text"] == EMPTY_REPLY
    assert channel.handled == []


async def test_a_message_with_an_unbounded_id_reaches_nothing(channel):
    assert await send(channel, "hi", "x" * 900_000) == []
    assert channel.handled == []


def test_limits_are_read_from_the_credentials():
    channel = RestInput.from_credentials(
        {"max_message_length": 100, "max_metadata_bytes": 10, "rate_limit_burst": 5}
    )
    assert (channel.max_message_length, channel.max_metadata_bytes) == (100, 10)
    assert channel.rate_limit.burst == 5


# --- REST: refusals as HTTP answers ------------------------------------------------------------


class FakeRequest:
    def __init__(self, body: Any) -> None:
        self.body = body

    @property
    def json(self) -> Any:
        if isinstance(self.body, bytes):
            raise InvalidUsage("Failed when parsing body as json")
        return self.body


@pytest.fixture
def rest():
    return RestInput.from_credentials({"rate_limit_burst": 1, "rate_limit_per_second": 0.1})


@pytest.mark.parametrize(
    "body, problem",
    [
        (b'{"sender": "a", "message": "hi', "Send JSON like"),
        (["hi"], "Send JSON like"),
        ({"sender": "x" * 900_000, "message": "hi"}, '"sender": The conversation id is 900000'),
        ({"sender": "a b", "message": "hi"}, '"sender": The conversation id may use only'),
    ],
)
async def test_rest_refuses_a_bad_body_or_sender_with_a_400(rest, body, problem):
    with pytest.raises(InvalidUsage, match=problem):
        await rest._extract_sender(FakeRequest(body))


def test_rest_refuses_large_metadata_with_a_400(rest):
    request = FakeRequest({"sender": "a", "message": "hi", "metadata": {"x": "y" * 3000}})
    with pytest.raises(InvalidUsage, match='"metadata": The metadata is'):
        rest.get_metadata(request)


async def test_rest_over_the_rate_limit_is_a_429_with_retry_after(rest):
    request = FakeRequest({"sender": "a", "message": "hi"})
    assert await rest._extract_sender(request) == "a"
    with pytest.raises(TooManyMessages) as refused:
        await rest._extract_sender(request)
    response = json_errors.json_error(None, refused.value)
    assert response.status == 429
    assert response.headers["Retry-After"] == "10"
    assert json.loads(response.body)["message"] == RATE_LIMITED_REPLY


# --- socket.io: events refused before Rasa sees them --------------------------------------------


@pytest.mark.parametrize(
    "data, problem",
    [
        ("just text", EXPECTED_MESSAGE),
        ({"message": {"text": "hi"}, "session_id": "abc"}, EXPECTED_MESSAGE),
        ({"message": "hi", "session_id": "x" * 900_000}, "session_id: The conversation id is"),
        ({"message": "hi"}, "session_id: The conversation id must be a string"),
        ({"message": "hi", "session_id": "abc", "metadata": {"x": "y" * 3000}}, "at most 2048"),
    ],
)
def test_socketio_refuses_events_rasa_should_not_store(data, problem):
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    assert problem in channel._message_problem(data)


def test_socketio_takes_the_widgets_messages():
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    data = {"message": "hi", "session_id": "5f2c0d8e9a1b4c3d", "metadata": {"page": "/"}}
    assert channel._message_problem(data) is None


# --- socket.io: sessions the server issues ------------------------------------------------------


def test_a_socketio_session_token_resumes_its_own_conversation():
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    conversation, token = channel.session_for(None)
    assert conversation_id_problem(token) is None  # within the bounds of any conversation id
    assert channel.session_for(token) == (conversation, token)
    assert channel.session_problem(token, granted=conversation) is None


@pytest.mark.parametrize(
    "copied",
    [
        pytest.param(lambda conversation, token: conversation, id="the conversation id alone"),
        pytest.param(lambda c, token: token[:-1] + ("0" if token[-1] != "0" else "1"), id="forged"),
        pytest.param(lambda c, token: token.partition(".")[2], id="the signature alone"),
        pytest.param(lambda c, token: "someone-elses-id", id="made up"),
    ],
)
def test_a_session_request_with_an_id_the_server_did_not_issue_gets_a_new_conversation(copied):
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    conversation, token = channel.session_for(None)
    other_conversation, other_token = channel.session_for(copied(conversation, token))
    assert other_conversation != conversation and other_token != token
    assert channel.session_problem(copied(conversation, token), other_conversation)


def test_a_token_from_servers_with_another_secret_gets_a_new_conversation(monkeypatch):
    monkeypatch.setenv(SECRET_VARIABLE, "ours")
    ours = SocketIOInput.from_credentials({"session_persistence": True})
    replica = SocketIOInput.from_credentials({"session_persistence": True})
    monkeypatch.setenv(SECRET_VARIABLE, "theirs")
    theirs = SocketIOInput.from_credentials({"session_persistence": True})
    conversation, token = ours.session_for(None)
    assert replica.session_for(token) == (conversation, token)  # same secret: any replica
    assert theirs.session_for(token)[0] != conversation


def test_a_message_goes_only_to_the_session_this_connection_was_given():
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    mine, my_token = channel.session_for(None)
    _, their_token = channel.session_for(None)
    assert channel.session_problem(my_token, granted=None) == NO_SESSION
    assert channel.session_problem(their_token, granted=mine) == NOT_THIS_SESSION
    assert channel.session_problem(mine, granted=mine) == NOT_THIS_SESSION  # unsigned


def test_the_session_secret_comes_from_the_variable_or_the_file(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n")
    assert secret_from_environment({SECRET_VARIABLE: "from-the-variable"}) == b"from-the-variable"
    assert secret_from_environment({SECRET_FILE_VARIABLE: str(secret_file)}) == b"from-the-file"
    assert secret_from_environment({}) != secret_from_environment({})  # one per process
    with pytest.raises(ValueError, match="cannot read"):
        secret_from_environment({SECRET_FILE_VARIABLE: str(tmp_path / "missing")})
    secret_file.write_text("\n")
    with pytest.raises(ValueError, match="is empty"):
        secret_from_environment({SECRET_FILE_VARIABLE: str(secret_file)})


# --- JSON errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exception, status, message",
    [
        (InvalidUsage("Send JSON like ..."), 400, "Send JSON like ..."),
        (NotFound("Requested URL /x not found"), 404, "Requested URL /x not found"),
        (PayloadTooLarge("Request body exceeds the size limit"), 413, "exceeds"),
        (KeyError("internal detail"), 500, json_errors.SERVER_ERROR),
    ],
)
def test_errors_are_json_and_a_500_keeps_its_details_in_the_log(exception, status, message):
    response = json_errors.json_error(None, exception)
    assert response.status == status
    assert response.content_type == "application/json"
    body = json.loads(response.body)
    assert body["status"] == status and message in body["message"]
    assert "internal detail" not in response.body.decode()
