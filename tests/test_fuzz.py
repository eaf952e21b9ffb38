"""Property-based fuzzing (Hypothesis) of what clients send to the REST channel and socket.io,
against the servers as `make run` starts them: random JSON shapes, Unicode, huge and deeply
nested fields. Never a 5xx, never an exception in Rasa's log, and nothing stored beyond the
bounds (conversation id, message text, metadata: docs/channels.md, "Safe to expose").
The example counts are bounded so that the fuzzing itself takes well under a minute."""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.conversations import DEFAULT_MAX_METADATA_BYTES, MAX_CONVERSATION_ID_LENGTH
from channels.limits import DEFAULT_MAX_MESSAGE_LENGTH
from tests.servers import running_servers
from tests.test_security import SocketIOPage

pytestmark = pytest.mark.integration
FUZZ = settings(
    deadline=None,  # a message that passes the limits goes through NLU: tens of milliseconds
    suppress_health_check=[HealthCheck.too_slow],
    database=None,  # the same examples on every machine and run, no .hypothesis folder
    derandomize=True,
)
RASA_METADATA = {"model_id", "assistant_id"}
# The lengths at and around each bound, and far beyond it.
LENGTHS = [0, 1, MAX_CONVERSATION_ID_LENGTH, MAX_CONVERSATION_ID_LENGTH + 1]
LENGTHS += [DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_MESSAGE_LENGTH + 1, 3000, 300_000]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
huge_text = st.builds(lambda c, n: c * n, st.characters(), st.sampled_from(LENGTHS))
good_ids = st.from_regex(r"[A-Za-z0-9_.:@-]{1,40}", fullmatch=True)
ids = good_ids | huge_text | json_values
texts = st.text(max_size=80) | huge_text | json_values
deeply_nested = st.integers(1, 20_000).map(lambda depth: {"a": "[" * depth + "]" * depth})
metadata = json_values | huge_text | deeply_nested | st.dictionaries(st.text(), huge_text)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory.mktemp("fuzz")) as servers:
        yield servers


def rest_bodies():
    fields = st.fixed_dictionaries({}, optional={"sender": ids, "message": texts})
    with_metadata = st.builds(lambda b, m: {**b, "metadata": m}, fields, metadata)
    # Well-formed but for the text and metadata, so that many get past the checks of the id.
    well_formed = st.fixed_dictionaries(
        {"sender": good_ids, "message": st.text(max_size=DEFAULT_MAX_MESSAGE_LENGTH + 20)},
        optional={"metadata": metadata},
    )
    as_json = (well_formed | fields | with_metadata | json_values).map(json.dumps)
    nested = st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth)
    return as_json.map(str.encode) | nested.map(str.encode) | st.binary(max_size=200)


@given(body=rest_bodies())
@settings(FUZZ, max_examples=300)
def test_rest_never_answers_5xx_to_any_body(servers, body):
    response = requests.post(
        servers.rest_webhook,
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code < 500, (body[:200], response.status_code, response.text[:300])
    assert response.headers["Content-Type"] == "application/json"


@given(
    request_data=st.none() | json_values | st.fixed_dictionaries({"session_id": ids}),
    message=st.fixed_dictionaries(
        {"message": texts}, optional={"session_id": ids, "metadata": metadata}
    ),
    use_the_given_session=st.booleans(),
)
@settings(FUZZ, max_examples=100)
def test_socketio_never_fails_on_any_event(servers, request_data, message, use_the_given_session):
    page = SocketIOPage(servers, servers.web_url)
    assert page.join().startswith("40")
    status = emit(page, "session_request", request_data)
    if status == 200 and use_the_given_session:  # the widget's way: the confirmed session
        token, _ = page.request_session()
        message = {**message, "session_id": token}
    if status == 200:
        status = emit(page, "user_uttered", message)
    assert status == 200 or 400 <= status < 500  # 413 over Engine.IO's size limit
    if status == 200:
        page._send("1")  # close


def emit(page: SocketIOPage, event: str, data: object) -> int:
    """Send a socket.io event; the HTTP status of the long-polling POST that carried it."""
    packet = "42" + json.dumps([event, data])
    return page.http.post(page.url, params=page.query, data=packet.encode(), timeout=30).status_code


def test_nothing_is_stored_beyond_the_bounds_and_nothing_failed(servers):
    # Runs after the fuzzing above (pytest keeps the file's order), on the same servers.
    with sqlite3.connect(servers.conversations_db) as db:
        longest_id = db.execute("SELECT max(length(sender_id)) FROM events").fetchone()[0]
        user_events = [
            json.loads(data)
            for (data,) in db.execute("SELECT data FROM events WHERE type_name = 'user'")
        ]
    assert longest_id <= len("socketio:") + MAX_CONVERSATION_ID_LENGTH
    assert len(user_events) > 10  # some fuzzed messages were within bounds, and stored
    for event in user_events:
        assert len(event.get("text") or "") <= DEFAULT_MAX_MESSAGE_LENGTH
        # The client's part (Rasa adds its model's ids), compact: never longer than it was sent.
        sent = {k: v for k, v in (event.get("metadata") or {}).items() if k not in RASA_METADATA}
        compact = json.dumps(sent, ensure_ascii=False, separators=(",", ":"))
        assert len(compact.encode()) <= DEFAULT_MAX_METADATA_BYTES
    log = servers.log.read_text(errors="replace")
    assert "Traceback" not in log and "Exception occurred" not in log, log[-3000:]
