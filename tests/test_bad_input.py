"""Bad input on the REST channel that credentials.yml configures.

Every request gets either a 4xx with a message saying what is wrong, or a reply a user can
read; never a 5xx, never silence, and the bot keeps answering afterwards.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Optional

import pytest
import requests

from tests.conftest import money_in
from tests.servers import running_servers

pytestmark = pytest.mark.integration


@dataclass
class Case:
    body: bytes
    content_type: Optional[str] = "application/json"
    method: str = "POST"
    status: Optional[int] = None  # when one answer is right, not any 4xx or readable reply


def message(text, sender: object = "bad-input-user") -> bytes:
    return json.dumps({"sender": sender, "message": text}).encode()


CASES = {
    "empty message": Case(message("")),
    "whitespace message": Case(message(" \t\n  ")),
    "100 KB message": Case(message("how much does a QA manager earn? " * 3000)),
    "body over Sanic's size limit": Case(message("x" * 2_000_000)),
    "invalid JSON": Case(b'{"sender": "bad-input-user", "message": "hi'),
    "empty body": Case(b""),
    "JSON that is not an object": Case(b'["hi"]'),
    "message is a number": Case(message(42)),
    "message is null": Case(message(None)),
    "message is a list": Case(message(["hi"])),
    "message missing": Case(b'{"sender": "bad-input-user"}'),
    "sender is a number": Case(message("hi", sender=12345)),
    "sender is an object": Case(message("hi", sender={"id": 1})),
    "sender missing": Case(b'{"message": "hi"}', status=400),
    "sender blank": Case(message("hi", sender="  "), status=400),
    "sender null": Case(message("hi", sender=None), status=400),
    "not UTF-8": Case(b'{"sender": "bad-input-user", "message": "caf\xe9 \xff\xfe"}'),
    "control characters": Case(message("\x00\x07what skills\x1b[31m do I need?\x08\r")),
    "emoji": Case(message("\U0001f4bc how much does a QA manager earn? \U0001f4b7\U0001f914")),
    "HTML and script": Case(message("<script>alert(1)</script><b>what skills do I need?</b>")),
    "form-encoded body": Case(
        b"sender=bad-input-user&message=hi", "application/x-www-form-urlencoded"
    ),
    "no content type": Case(message("hi"), content_type=None),
    "GET instead of POST": Case(b"", method="GET"),
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory.mktemp("servers")) as servers:
        yield servers


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_gets_a_clear_4xx_or_a_readable_reply(servers, case: Case):
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    response = requests.request(
        case.method, servers.rest_webhook, data=case.body, headers=headers, timeout=60
    )

    assert response.status_code < 500, response.text[:500]
    if case.status is not None:
        assert response.status_code == case.status, response.text[:500]
    if response.status_code >= 400:
        assert _error_message(response), response.text[:500]
    else:
        assert response.status_code == 200
        replies = response.json()
        assert any(reply.get("text", "").strip() for reply in replies), replies


def test_after_bad_input_the_bot_still_answers(servers, career):
    # Runs after the table (pytest keeps file order), against the same servers.
    qa_manager = next(job for job in career.jobs if "qa manager" in job.aliases)
    response = requests.post(
        servers.rest_webhook,
        json={"sender": uuid.uuid4().hex, "message": "how much does a QA manager earn?"},
        timeout=30,
    )
    assert response.status_code == 200
    text = "\n".join(reply.get("text", "") for reply in response.json())
    assert money_in(text) == [qa_manager.salary.amount]


def _error_message(response: requests.Response) -> str:
    """The explanation in an error response: Sanic's JSON `message`, else the text."""
    try:
        return str(response.json().get("message", "")).strip()
    except ValueError:
        return response.text.strip()
