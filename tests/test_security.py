"""Safe to expose: the HTTP API needs authentication, only the site's pages may talk to the
assistant from a browser, oversized input is refused with a message, conversation ids are
bounded and kept apart per channel, one conversation cannot flood the bot, errors are JSON,
Rasa is patched and does not say which version it is, and the action server listens on
loopback only and answers only Rasa's calls, which carry a token."""

from __future__ import annotations

import json
import re
import socket
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jwt
import pytest
import rasa
import requests
import yaml
from packaging.version import Version
from rasa.shared.exceptions import RasaException

from actions.answers import format_money
from channels.conversations import MAX_CONVERSATION_ID_LENGTH
from channels.limits import DEFAULT_MAX_MESSAGE_LENGTH
from channels.rate_limit import RATE_LIMITED_REPLY
from channels.socketio import NOT_THIS_SESSION
from channels.telegram import TelegramInput
from tests.servers import command_lines, running_servers

ROOT = Path(__file__).resolve().parent.parent
PATCHED_RASA = Version("3.6.21")  # CVE-2024-49375: remote code execution via a loaded model
EVIL_ORIGIN = "https://evil.example"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
QUESTION = "how much does a QA manager earn?"
TOKEN = uuid.uuid4().hex
JWT_SECRET = uuid.uuid4().hex


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Started as `make run` starts them: no API token, so no HTTP API."""
    with running_servers(tmp_path_factory.mktemp("servers")) as servers:
        yield servers


@pytest.fixture(scope="module")
def api_servers(tmp_path_factory):
    """Started with an API token and a JWT secret: the HTTP API is on."""
    with running_servers(
        tmp_path_factory.mktemp("api-servers"), RASA_AUTH_TOKEN=TOKEN, RASA_JWT_SECRET=JWT_SECRET
    ) as servers:
        yield servers


# --- Rasa version and model loading --------------------------------------------------------


def test_rasa_is_patched_against_cve_2024_49375():
    pinned = re.search(r"^rasa==(\S+)$", (ROOT / "requirements.lock").read_text(), re.M)
    assert Version(pinned.group(1)) >= PATCHED_RASA
    assert Version(rasa.__version__) >= PATCHED_RASA


def test_models_are_loaded_only_from_the_local_models_folder():
    for path in [ROOT / "endpoints.yml", ROOT / "deploy" / "endpoints.yml"]:
        endpoints = yaml.safe_load(path.read_text()) if path.exists() else {}
        assert "models" not in (endpoints or {}), f"{path}: no model server, no network models"
    run_script = (ROOT / "scripts" / "run.sh").read_text()
    assert "MODEL=${MODEL:-models/" in run_script
    assert "--remote-storage" not in run_script


# --- the HTTP API ----------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("method, path", [("GET", "/status"), ("PUT", "/model")])
def test_http_api_is_off_without_a_token(servers, method, path):
    response = requests.request(method, servers.rasa_url + path, json={}, timeout=10)
    assert response.status_code == 404


@pytest.mark.integration
@pytest.mark.parametrize("method, path", [("GET", "/status"), ("PUT", "/model")])
@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no token", "wrong token"])
def test_http_api_refuses_requests_without_the_token(api_servers, method, path, token):
    params = {"token": token} if token else {}
    response = requests.request(
        method, api_servers.rasa_url + path, params=params, json={}, timeout=10
    )
    assert response.status_code == 401


@pytest.mark.integration
def test_api_token_and_jwt_secret_are_on_no_command_line(api_servers):
    # Rasa takes them only as options; scripts/rasa_cli.py adds them inside the process.
    response = requests.get(f"{api_servers.rasa_url}/status", params={"token": TOKEN}, timeout=10)
    assert response.status_code == 200  # the API is on, with this token
    leaked = [line for line in command_lines() if TOKEN in line or JWT_SECRET in line]
    assert leaked == []


@pytest.mark.integration
def test_http_api_answers_with_the_token(api_servers):
    response = requests.get(f"{api_servers.rasa_url}/status", params={"token": TOKEN}, timeout=10)
    assert response.status_code == 200
    assert response.json()["model_file"] == "careers.tar.gz"


@pytest.mark.integration
@pytest.mark.parametrize(
    "secret, status", [(JWT_SECRET, 200), (uuid.uuid4().hex, 401)], ids=["signed", "forged"]
)
def test_http_api_checks_the_jwt_signature(api_servers, secret, status):
    claims = {"user": {"username": "ops", "role": "admin"}, "exp": int(time.time()) + 60}
    bearer = jwt.encode(claims, secret, algorithm="HS256")
    response = requests.get(
        f"{api_servers.rasa_url}/status", headers={"Authorization": f"Bearer {bearer}"}, timeout=10
    )
    assert response.status_code == status


# --- browsers: CORS and the socket.io origin check -----------------------------------------


@pytest.mark.integration
def test_cors_allows_the_configured_origin_only(servers):
    def preflight(origin):
        return requests.options(
            servers.rest_webhook,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
            timeout=10,
        )

    assert preflight(servers.web_url).headers.get("Access-Control-Allow-Origin") == servers.web_url
    assert "Access-Control-Allow-Origin" not in preflight(EVIL_ORIGIN).headers


@pytest.mark.integration
def test_socketio_refuses_pages_from_other_origins(servers):
    # Refused by the server itself, not only by the browser's CORS check (WebSockets skip it).
    assert SocketIOPage(servers, EVIL_ORIGIN).join().startswith("44")  # refused
    assert SocketIOPage(servers, servers.web_url).join().startswith("40")  # joined


@pytest.mark.integration
def test_socketio_answers_the_sites_pages(servers, career):
    qa_manager = next(job for job in career.jobs if "qa manager" in job.aliases)
    [reply] = SocketIOPage(servers, servers.web_url).chat(QUESTION)
    assert format_money(qa_manager.salary.amount, qa_manager.salary.currency) in reply["text"]
    assert reply["quick_replies"]


# --- message size ------------------------------------------------------------------------------


@pytest.mark.integration
def test_oversized_rest_message_gets_a_refusal_and_the_chat_carries_on(servers, career):
    sender = uuid.uuid4().hex
    too_long = "how much does a QA manager earn? " * 50
    assert len(too_long) > DEFAULT_MAX_MESSAGE_LENGTH
    refusal = post(servers, sender, too_long)
    assert refusal.status_code == 200
    [reply] = refusal.json()
    assert "too long" in reply["text"] and str(DEFAULT_MAX_MESSAGE_LENGTH) in reply["text"]

    qa_manager = next(job for job in career.jobs if "qa manager" in job.aliases)
    answer = post(servers, sender, QUESTION).json()
    assert format_money(qa_manager.salary.amount, qa_manager.salary.currency) in answer[0]["text"]


@pytest.mark.integration
def test_oversized_socketio_message_gets_a_refusal(servers):
    [reply] = SocketIOPage(servers, servers.web_url).chat("x" * 5000)
    assert "too long" in reply["text"]


@pytest.mark.integration
def test_huge_request_body_is_refused_before_rasa_reads_it(servers):
    response = post(servers, "big", "x" * 2_000_000)
    assert response.status_code == 413


@pytest.mark.integration
@pytest.mark.parametrize("body", ["not json", '["a list"]', '{"sender": "a", "message": 5}'])
@pytest.mark.parametrize("accept", ["*/*", BROWSER_ACCEPT], ids=["any client", "browser"])
def test_malformed_rest_request_gets_a_json_400(servers, body, accept):
    response = requests.post(
        servers.rest_webhook, data=body, headers={"Accept": accept}, timeout=10
    )
    assert response.status_code == 400
    assert "JSON like" in json_error_message(response)


# --- conversation ids --------------------------------------------------------------------------


@pytest.mark.integration
def test_huge_rest_sender_is_refused_and_not_stored(servers):
    stored_before = servers.conversations_db.stat().st_size
    huge = "x" * 900_000
    for _ in range(5):
        response = post(servers, huge, QUESTION)
        assert response.status_code == 400
        assert str(MAX_CONVERSATION_ID_LENGTH) in json_error_message(response)
    # Before the limit each of these stored the id with every event: megabytes a request.
    assert servers.conversations_db.stat().st_size - stored_before < 100_000
    assert stored_ids(servers, "length(sender_id) > 200") == []


@pytest.mark.integration
def test_huge_socketio_session_id_is_refused_and_not_stored(servers):
    huge = "x" * 10_000
    reply = SocketIOPage(servers, servers.web_url).chat(QUESTION, session_id=huge)[0]
    assert "conversation id" in reply["text"] and str(MAX_CONVERSATION_ID_LENGTH) in reply["text"]
    assert stored_ids(servers, "length(sender_id) > 200") == []


@pytest.mark.integration
def test_rest_cannot_write_into_a_socketio_conversation(servers):
    page = SocketIOPage(servers, servers.web_url)
    page.join()
    token, _ = page.request_session()
    page.say("what does an assembly technician do?", token)
    page.replies()
    session_id = token.partition(".")[0]  # the conversation, without the server's signature
    [web_conversation] = stored_ids(servers, f"sender_id LIKE '%{session_id}'", wait=True)

    for sender in [session_id, web_conversation]:  # the widget's id, and as it is stored
        replies = post(servers, sender, "how much does it pay?").json()
        assert {reply["recipient_id"] for reply in replies} == {sender}
    assert user_texts(servers, web_conversation) == ["what does an assembly technician do?"]


@pytest.mark.integration
def test_a_page_with_a_copied_socketio_session_id_gets_none_of_the_owners_replies(servers):
    owner = SocketIOPage(servers, servers.web_url)
    owner.join()
    owner_token, _ = owner.request_session()
    owner.say("what does an assembly technician do?", owner_token)
    owner.replies()
    # The conversation id, as the tracker store and logs show it (without the signature).
    copied = owner_token.partition(".")[0]
    [owner_conversation] = stored_ids(servers, f"sender_id = 'socketio:{copied}'", wait=True)

    intruder = SocketIOPage(servers, servers.web_url)
    intruder.join()
    intruder_token, _ = intruder.request_session(copied)
    assert intruder_token.partition(".")[0] != copied  # a new conversation of its own
    forged, _ = intruder.request_session(copied + "." + "0" * 32)
    assert forged.partition(".")[0] != copied

    def owner_asks_and_intruder_writes_with_the_owners_ids():
        owner.say("how much does it pay?", owner_token)
        assert owner.replies()
        intruder.say("what does a QA manager do?", copied)

    received = intruder.events_while(owner_asks_and_intruder_writes_with_the_owners_ids)
    assert received == [("bot_uttered", {"text": NOT_THIS_SESSION})]
    assert user_texts(servers, owner_conversation) == [
        "what does an assembly technician do?",
        "how much does it pay?",
    ]


# --- the rate limit per conversation -----------------------------------------------------------


@pytest.mark.integration
def test_a_rest_sender_flooding_gets_429s_then_answers_after_waiting(servers):
    sender = uuid.uuid4().hex
    with ThreadPoolExecutor(30) as pool:
        responses = list(pool.map(lambda _: post(servers, sender, "hi"), range(30)))
    refused = [r for r in responses if r.status_code == 429]
    assert refused, [r.status_code for r in responses]
    assert {r.status_code for r in responses} == {200, 429}
    for response in refused:
        assert int(response.headers["Retry-After"]) >= 1
        assert json_error_message(response) == RATE_LIMITED_REPLY

    time.sleep(max(int(r.headers["Retry-After"]) for r in refused))
    answer = post(servers, sender, QUESTION)
    assert answer.status_code == 200 and answer.json()[0]["text"]


# --- what the server says about itself ---------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("stack", ["servers", "api_servers"], ids=["no API", "with the API"])
def test_root_url_does_not_say_which_rasa_it_is(request, stack):
    rasa_url = request.getfixturevalue(stack).rasa_url
    response = requests.get(rasa_url + "/", headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert rasa.__version__ not in response.text


@pytest.mark.integration
def test_unknown_url_gets_a_json_404_even_for_a_browser(servers):
    response = requests.get(
        servers.rasa_url + "/wp-admin", headers={"Accept": BROWSER_ACCEPT}, timeout=10
    )
    assert response.status_code == 404
    assert json_error_message(response)


# --- the action server ------------------------------------------------------------------------


@pytest.mark.integration
def test_action_server_is_not_reachable_on_other_addresses(servers):
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    port = servers.actions_url.rsplit(":", 1)[1]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{address}:{port}/health", timeout=5)


@pytest.mark.integration
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token"], ids=["none", "wrong"])
def test_action_server_refuses_calls_without_the_token(servers, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.post(
        f"{servers.actions_url}/webhook", json=action_call("hi"), headers=headers, timeout=10
    )
    assert response.status_code == 401
    assert "token" in response.json()["error"]


@pytest.mark.integration
def test_rasa_calls_the_action_server_with_the_token_run_sh_made(servers, career):
    qa_manager = next(job for job in career.jobs if "qa manager" in job.aliases)
    [reply] = post(servers, uuid.uuid4().hex, QUESTION).json()
    assert format_money(qa_manager.salary.amount, qa_manager.salary.currency) in reply["text"]
    # Passed in the environment, so no command line (what `ps` shows) holds it.
    token = action_server_environment(servers)["ACTIONS_TOKEN"]
    assert len(token) >= 32
    assert not [cmdline for cmdline in command_lines() if token in cmdline]


@pytest.mark.integration
def test_action_server_caps_a_huge_message_cheaply(servers):
    token = action_server_environment(servers)["ACTIONS_TOKEN"]
    call = action_call(" ".join(["salary"] * 30_000))
    started = time.monotonic()
    response = requests.post(
        f"{servers.actions_url}/webhook",
        json=call,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200
    [reply] = response.json()["responses"]
    assert "too long" in reply["text"]
    assert time.monotonic() - started < 2  # it took 10.7 s of NLP


# --- Telegram configuration -----------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257])
def test_telegram_channel_refuses_to_start_without_a_valid_secret(secret):
    credentials = {
        "access_token": "123:abc",
        "verify": "careers_bot",
        "webhook_url": "https://careers.example.org/webhooks/telegram/webhook",
        "secret_token": secret,
    }
    with pytest.raises(RasaException, match="secret_token"):
        TelegramInput.from_credentials(credentials)


# --- helpers -------------------------------------------------------------------------------


def action_call(text: str) -> dict:
    """What Rasa posts to the action server for an answer action."""
    return {
        "next_action": "action_answer_salary",
        "sender_id": "direct",
        "version": rasa.__version__,
        "tracker": {
            "sender_id": "direct",
            "slots": {},
            "latest_message": {"text": text, "intent": {"name": "ask_salary"}, "entities": []},
            "events": [],
        },
        "domain": {},
    }


def action_server_environment(servers) -> dict:
    """The environment of the action server process listening on servers.actions_url."""
    port = servers.actions_url.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            if b"actions.server" in cmdline and port.encode() in cmdline:
                environ = (proc / "environ").read_bytes().split(b"\0")
                return dict(v.decode().partition("=")[::2] for v in environ if b"=" in v)
        except OSError:  # gone, or not ours
            continue
    raise AssertionError(f"no `python -m actions.server` process on port {port}")


def non_loopback_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("198.51.100.1", 9))  # TEST-NET-2: any routable address
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def post(servers, sender: str, message: str) -> requests.Response:
    return requests.post(
        servers.rest_webhook, json={"sender": sender, "message": message}, timeout=30
    )


def json_error_message(response: requests.Response) -> str:
    assert response.headers["Content-Type"] == "application/json", response.text[:300]
    return response.json()["message"]


def stored_ids(servers, condition: str, wait: bool = False) -> list[str]:
    """The conversation ids in the tracker store that match an SQL condition; with `wait`,
    once there are some (socket.io replies come before Rasa saves the turn)."""
    deadline = time.monotonic() + (10 if wait else 0)
    while True:
        with sqlite3.connect(servers.conversations_db) as db:
            query = f"SELECT DISTINCT sender_id FROM events WHERE {condition}"
            ids = [row[0] for row in db.execute(query)]
        if ids or time.monotonic() >= deadline:
            return ids
        time.sleep(0.2)


def user_texts(servers, conversation_id: str) -> list[str]:
    with sqlite3.connect(servers.conversations_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (conversation_id,),
        )
        return [json.loads(data)["text"] for (data,) in rows]


class SocketIOPage:
    """A page on `origin` talking to Rasa's socket.io channel as the widget does, over HTTP
    long-polling (Engine.IO 4 / Socket.IO 5 packets: "0" open, "40" join, "44" refused,
    "42" event, "2"/"3" ping/pong). python-socketio's client takes 30 s to hang up here."""

    def __init__(self, servers, origin: str) -> None:
        self.url = f"{servers.rasa_url}/socket.io/"
        self.http = requests.Session()
        self.http.headers["Origin"] = origin
        self.query = {"EIO": "4", "transport": "polling"}
        [opening] = self._receive()
        self.query["sid"] = json.loads(opening[1:])["sid"]

    def join(self) -> str:
        self._send("40")
        return next(p for p in self._packets(30) if p.startswith("4"))

    def chat(self, message: str, session_id: str | None = None) -> list[dict]:
        """Join, ask for a session (`session_id`: the one to resume), send `message` with the
        session the server confirmed: the first replies that come back (or the refusal)."""
        assert self.join().startswith("40")
        token, refusal = self.request_session(session_id)
        if refusal:
            return [refusal]
        self.say(message, token)
        replies = self.replies()
        self._send("1")  # close
        return replies

    def request_session(self, session_id: str | None = None) -> tuple[str | None, dict | None]:
        """`session_request`: the token `session_confirm` gives, or the `bot_uttered` refusal."""
        self._emit("session_request", {"session_id": session_id} if session_id else {})
        for event, data in self._events(30):
            if event == "session_confirm":
                return data, None
            if event == "bot_uttered":
                return None, data

    def say(self, message: str, session_id: str) -> None:
        self._emit("user_uttered", {"message": message, "session_id": session_id})

    def replies(self) -> list[dict]:
        """The `bot_uttered` events of the next long-poll that has any."""
        for batch in self._batches(30):
            events = [json.loads(p[2:]) for p in batch if p.startswith("42")]
            replies = [data for event, data in events if event == "bot_uttered"]
            if replies:
                return replies

    def events_while(self, action) -> list[tuple[str, object]]:
        """Every event this page receives while `action` runs and for two seconds after."""
        events = []

        def poll():
            try:
                for batch in self._batches(120):
                    events.extend(json.loads(p[2:]) for p in batch if p.startswith("42"))
            except requests.RequestException:  # closed below
                pass

        listener = threading.Thread(target=poll, daemon=True)
        listener.start()
        action()
        time.sleep(2)
        self._send("1")  # close: the pending long-poll returns
        listener.join(timeout=30)
        return [tuple(event) for event in events]

    def _events(self, timeout: float):
        for batch in self._batches(timeout):
            for packet in batch:
                if packet.startswith("42"):
                    yield json.loads(packet[2:])

    def _packets(self, timeout: float):
        for batch in self._batches(timeout):
            yield from batch

    def _batches(self, timeout: float):
        """Packets, as each long-poll returns them; pings answered."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = self._receive()
            if "2" in batch:
                self._send("3")
            yield batch
        raise AssertionError(f"no answer from socket.io within {timeout}s")

    def _emit(self, event: str, data: dict) -> None:
        self._send("42" + json.dumps([event, data]))

    def _send(self, packet: str) -> None:
        self.http.post(self.url, params=self.query, data=packet, timeout=10).raise_for_status()

    def _receive(self) -> list[str]:
        response = self.http.get(self.url, params=self.query, timeout=60)
        response.raise_for_status()
        return response.text.split("\x1e")
