"""Cluster mode for real: two Rasa replicas behind nginx on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import List

import psycopg2
import pytest
import rasa
import requests
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

from actions.answers import a_or_an
from channels.conversations import MAX_CONVERSATION_ID_LENGTH, namespaced
from tests.cluster_runner import running_cluster
from tests.conftest import money_in
from tests.servers import ROOT, command_lines
from tests.test_security import QUESTION, SocketIOPage, action_call, json_error_message

pytestmark = pytest.mark.integration
REPLY_TIMEOUT = 180  # a message queued behind a killed replica's ticket waits for it to expire


API_TOKEN = secrets.token_hex(16)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with running_cluster(
        tmp_path_factory.mktemp("cluster"), replicas=2, RASA_AUTH_TOKEN=API_TOKEN
    ) as cluster:
        yield cluster


def test_no_secret_is_on_a_command_line_of_the_cluster(cluster):
    replica = cluster.replica_urls[0]
    assert requests.get(f"{replica}/status", params={"token": API_TOKEN}, timeout=10).ok
    secrets_of_the_run = [API_TOKEN, *cluster.secrets.values()]
    assert all(len(secret) >= 16 for secret in secrets_of_the_run)
    leaked = [
        line for line in command_lines() if any(secret in line for secret in secrets_of_the_run)
    ]
    assert leaked == []


def ask(webhook: str, sender: str, message: str) -> str:
    response = requests.post(
        webhook, json={"sender": sender, "message": message}, timeout=REPLY_TIMEOUT
    )
    assert response.status_code == 200, response.text
    text = "\n".join(reply.get("text", "") for reply in response.json())
    assert text, f"no reply to {message!r}"
    return text


def test_a_conversation_alternating_between_replicas_keeps_its_context(cluster, career):
    qa_manager = next(job for job in career.jobs if "qa manager" in job.aliases)
    assembly = next(job for job in career.jobs if "assembly technician" in job.aliases)
    first, second = cluster.replica_webhook(0), cluster.replica_webhook(1)
    sender = uuid.uuid4().hex

    ask(first, sender, "how much does a QA manager earn?")
    assert qa_manager.duties[0] in ask(second, sender, "what do they do?")
    assert assembly.duties[0] in ask(first, sender, "and an assembly technician?")
    # Without the context this lists every job's pay.
    assert money_in(ask(second, sender, "how much does it pay?")) == [assembly.salary.amount]


def test_messages_sent_at_once_for_one_sender_are_handled_one_at_a_time(cluster, career):
    sender = uuid.uuid4().hex
    questions = [
        f"what does {a_or_an(job.title.lower())} do?" for job in career.jobs
    ] * 4  # 16 messages, spread by nginx over both replicas

    with ThreadPoolExecutor(len(questions)) as pool:
        replies = list(pool.map(lambda q: ask(cluster.rest_webhook, sender, q), questions))

    assert all(replies)
    turns = _turns(cluster.events(namespaced("rest", sender)))
    assert len(turns) == len(questions)
    for turn in turns:
        # One message fully handled before the next began: its answer, then listening.
        assert [event for event in turn if event == "bot"] == ["bot"], turn
        assert turn[-1] == "action_listen", turn


def test_killing_a_replica_mid_load_loses_no_conversation(cluster, career):
    senders = [uuid.uuid4().hex for _ in range(10)]
    jobs = list(career.jobs)
    pairs_per_sender = 4  # "what does X do?" then "how much does it pay?" (context)
    answered = _Counter()

    def converse(index: int, sender: str) -> int:
        for pair in range(pairs_per_sender):
            job = jobs[(index + pair) % len(jobs)]
            ask(cluster.rest_webhook, sender, f"what does {a_or_an(job.title.lower())} do?")
            answered.add()
            reply = ask(cluster.rest_webhook, sender, "how much does it pay?")
            assert money_in(reply) == [job.salary.amount]
            answered.add()
        return pairs_per_sender

    try:
        with ThreadPoolExecutor(len(senders)) as pool:
            conversations = [pool.submit(converse, i, sender) for i, sender in enumerate(senders)]
            answered.wait_for(len(senders) * 2)
            cluster.kill("rasa-1")
            finished = [conversation.result() for conversation in conversations]
    finally:
        # The module's later tests share this cluster and ask each replica directly: hand it
        # back with rasa-1 restarted (cluster.sh restarts it; Rasa takes a while to answer).
        cluster.wait_until_answering()

    assert finished == [pairs_per_sender] * len(senders)
    for sender in senders:
        events = cluster.events(namespaced("rest", sender))
        user_turns = [event for event in events if event[0] == "user"]
        # A turn the killed replica had stored but not yet answered is sent again by nginx
        # to the other replica (proxy_next_upstream): stored twice, answered once. At most
        # one such turn per sender (each has one in flight); none lost.
        assert pairs_per_sender * 2 <= len(user_turns) <= pairs_per_sender * 2 + 1, sender


def test_the_lock_store_gives_concurrent_processes_their_own_tickets(monkeypatch):
    """Rasa's stock RedisLockStore hands the same ticket to two processes that ask at once
    (then both handle the conversation together and one's events are lost)."""
    config = _lock_store_config(monkeypatch)
    conversation = uuid.uuid4().hex
    processes, tickets_each = 4, 150

    fork = multiprocessing.get_context("fork")
    tickets = fork.Queue()
    workers = [
        fork.Process(target=_issue_tickets, args=(config, conversation, tickets_each, tickets))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    issued = [ticket for _ in workers for ticket in tickets.get(timeout=120)]
    for worker in workers:
        worker.join()
    LockStore.create(config).delete_lock(conversation)

    assert len(issued) == processes * tickets_each
    assert len(set(issued)) == len(issued)


async def test_a_message_queued_behind_a_dead_process_is_served_when_its_ticket_expires(
    monkeypatch,
):
    store = LockStore.create(_lock_store_config(monkeypatch))
    conversation = uuid.uuid4().hex
    lifetime = 2
    store.issue_ticket(conversation, lifetime)  # a process that died holding the lock

    async def handle_next_message() -> None:
        async with store.lock(conversation, lifetime, wait_time_in_seconds=0.2):
            pass

    started = time.monotonic()
    await asyncio.wait_for(handle_next_message(), timeout=10 * lifetime)
    assert time.monotonic() - started < 3 * lifetime


async def test_messages_of_one_conversation_hold_the_lock_one_at_a_time(monkeypatch):
    store = LockStore.create(_lock_store_config(monkeypatch))
    conversation = uuid.uuid4().hex
    holding: List[int] = []
    overlaps: List[List[int]] = []
    served: List[int] = []

    async def handle_message(number: int) -> None:
        async with store.lock(conversation, 10, wait_time_in_seconds=0.02):
            holding.append(number)
            if len(holding) > 1:
                overlaps.append(list(holding))
            await asyncio.sleep(0.1)  # Rasa handling the message
            holding.remove(number)
            served.append(number)

    await asyncio.wait_for(asyncio.gather(*map(handle_message, range(5))), timeout=30)
    assert overlaps == []
    assert sorted(served) == list(range(5))
    assert store.get_lock(conversation) is None  # the last one out removed the queue


def _lock_store_config(monkeypatch):
    """deploy/endpoints.yml's lock store, on the local Redis with a key prefix of its own."""
    endpoints = ROOT / "deploy" / "endpoints.yml"
    for variable in re.findall(r"\$\{(\w+)\}", endpoints.read_text()):
        monkeypatch.setenv(variable, "not used here")
    redis = {"REDIS_HOST": "127.0.0.1", "REDIS_PORT": "6379", "REDIS_DB": "1", "REDIS_PASSWORD": ""}
    for variable, value in {**redis, "LOCK_STORE_KEY_PREFIX": uuid.uuid4().hex}.items():
        monkeypatch.setenv(variable, value)
    return read_endpoint_config(str(endpoints), "lock_store")


def _issue_tickets(config, conversation: str, count: int, tickets) -> None:
    store = LockStore.create(config)
    tickets.put([store.issue_ticket(conversation) for _ in range(count)])


def _turns(events) -> List[List[str]]:
    """Events after the first user message, split at each user message."""
    turns: List[List[str]] = []
    for event_type, action_name in events:
        if event_type == "user":
            turns.append([])
        if turns and event_type in ("bot", "action"):
            turns[-1].append(action_name if event_type == "action" else event_type)
    return turns


class _Counter:
    def __init__(self) -> None:
        self._value = 0
        self._changed = threading.Condition()

    def add(self) -> None:
        with self._changed:
            self._value += 1
            self._changed.notify_all()

    def wait_for(self, value: int, timeout: float = REPLY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._value < value:
                assert self._changed.wait(deadline - time.monotonic()), "load did not start"


# --- the probes of docs/channels.md "Safe to expose", through nginx -----------------------------


def test_through_nginx_a_huge_sender_and_malformed_json_get_json_400s_and_are_not_stored(
    cluster,
):
    for _ in range(3):
        response = requests.post(
            cluster.rest_webhook, json={"sender": "x" * 900_000, "message": QUESTION}, timeout=30
        )
        assert response.status_code == 400
        assert str(MAX_CONVERSATION_ID_LENGTH) in json_error_message(response)
    malformed = requests.post(cluster.rest_webhook, data="not json", timeout=30)
    assert malformed.status_code == 400 and json_error_message(malformed)
    with psycopg2.connect(dbname=cluster.database, **cluster.postgres) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events WHERE length(sender_id) > 200")
            assert cursor.fetchone()[0] == 0


def test_through_nginx_the_root_url_does_not_say_which_rasa_it_is(cluster):
    response = requests.get(cluster.url + "/", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert rasa.__version__ not in response.text


def test_a_sender_flooding_the_cluster_gets_429s(cluster):
    # Each replica keeps its own bucket per conversation, so the burst a conversation gets is
    # the per-conversation burst times the replicas: 60 at once is beyond two buckets.
    sender = uuid.uuid4().hex
    message = {"sender": sender, "message": "hi"}
    with ThreadPoolExecutor(60) as pool:
        responses = list(
            pool.map(
                lambda _: requests.post(cluster.rest_webhook, json=message, timeout=60), range(60)
            )
        )
    refused = [r for r in responses if r.status_code == 429]
    assert refused and {r.status_code for r in responses} == {200, 429}
    assert all(int(r.headers["Retry-After"]) >= 1 for r in refused)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token"], ids=["none", "wrong"])
def test_the_clusters_action_server_refuses_calls_without_the_token(cluster, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.post(
        f"{cluster.actions_url}/webhook", json=action_call("hi"), headers=headers, timeout=10
    )
    assert response.status_code == 401


def test_through_nginx_a_copied_socketio_session_id_gets_a_conversation_of_its_own(cluster):
    origin = "http://localhost:8080"  # run.sh's default page, as each replica starts it
    owner = SocketIOPage(SimpleNamespace(rasa_url=cluster.url), origin)
    owner.join()
    token, _ = owner.request_session()
    copied = token.partition(".")[0]
    intruder = SocketIOPage(SimpleNamespace(rasa_url=cluster.url), origin)
    intruder.join()
    theirs, _ = intruder.request_session(copied)
    assert theirs.partition(".")[0] != copied
    # the owner's token resumes the conversation on each replica: one secret for the cluster
    for replica in cluster.replica_urls:
        page = SocketIOPage(SimpleNamespace(rasa_url=replica), origin)
        page.join()
        resumed, _ = page.request_session(token)
        assert resumed.partition(".")[0] == copied
