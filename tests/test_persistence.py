"""Conversations survive a restart: `make run`'s default tracker store is a SQLite file,
private: readable by its owner only, contact details masked, a conversation deleted on
request (`make forget`)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
import requests

from channels.store_unavailable import SEND_AGAIN_REPLY
from tests.conftest import money_in
from tests.servers import ROOT, running_servers

pytestmark = pytest.mark.integration


def ask(webhook: str, sender: str, message: str) -> str:
    response = requests.post(webhook, json={"sender": sender, "message": message}, timeout=30)
    assert response.status_code == 200, response.text
    return "\n".join(reply.get("text", "") for reply in response.json())


def test_a_follow_up_after_a_restart_still_has_its_context(tmp_path, career):
    assembly = next(job for job in career.jobs if "assembly technician" in job.aliases)
    # The project's endpoints.yml, as `make run` uses it, with the SQLite file in tmp_path.
    default_store = {
        "ENDPOINTS": str(ROOT / "endpoints.yml"),
        "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'conversations.db'}",
    }
    sender = uuid.uuid4().hex
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()

    with running_servers(tmp_path / "before", **default_store) as servers:
        duties = ask(servers.rest_webhook, sender, "what does an assembly technician do?")
        assert assembly.duties[0] in duties

    with running_servers(tmp_path / "after", **default_store) as servers:
        # Without the context this lists every job's pay.
        reply = ask(servers.rest_webhook, sender, "how much does it pay?")
        assert money_in(reply) == [assembly.salary.amount]


def test_stored_conversations_are_private_and_can_be_forgotten(tmp_path, career):
    """Owner-only file, contact details masked, `make forget` and "/forget" delete."""
    database = tmp_path / "conversations.db"
    store = {"ENDPOINTS": str(ROOT / "endpoints.yml"), "TRACKER_STORE_URL": f"sqlite:///{database}"}
    assembly = next(job for job in career.jobs if "assembly technician" in job.aliases)
    sender = uuid.uuid4().hex
    stored_id = f"rest:{sender}"  # a REST conversation's id in the store (docs/channels.md)
    with running_servers(tmp_path, **store) as servers:
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        ask(servers.rest_webhook, sender, "what does an assembly technician do?")
        ask(servers.rest_webhook, sender, "mail me on jo.bloggs@example.com or 07700 900123")
        texts = stored_user_texts(database, stored_id)
        assert "mail me on [email] or [phone]" in texts
        assert not any("jo.bloggs" in text or "900123" in text for text in texts)

        # -o: the installed packages are what they are; no reinstall in the middle of a test.
        forget = subprocess.run(
            ["make", "-s", "-o", ".venv/.installed", "forget", f"SENDER={stored_id}"],
            cwd=ROOT,
            env={**os.environ, **store},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert forget.returncode == 0, forget.stderr
        assert stored_user_texts(database, stored_id) == []
        # The running Rasa does not bring the conversation back from its memory: without
        # the assembly technician's context this lists every job's pay.
        reply = ask(servers.rest_webhook, sender, "how much does it pay?")
        assert money_in(reply) != [assembly.salary.amount]
        assert stored_user_texts(database, stored_id) == ["how much does it pay?"]

        # The visitor's own way, without NLU and with it.
        for request in ["/forget", "please delete my conversation"]:
            ask(servers.rest_webhook, sender, "what does an assembly technician do?")
            assert "deleted our conversation" in ask(servers.rest_webhook, sender, request)
            assert stored_user_texts(database, stored_id) == []


def test_a_turn_while_the_database_is_locked_is_refused_with_a_503_and_nothing_is_lost(
    tmp_path, career
):
    """Another process holding SQLite's write lock (`make forget`, `make report`): briefly,
    the turn waits and is stored; longer than the store's retries, it is refused."""
    database = tmp_path / "conversations.db"
    store = {"ENDPOINTS": str(ROOT / "endpoints.yml"), "TRACKER_STORE_URL": f"sqlite:///{database}"}
    assembly = next(job for job in career.jobs if "assembly technician" in job.aliases)
    sender = uuid.uuid4().hex
    with running_servers(tmp_path, **store) as servers:
        ask(servers.rest_webhook, sender, "what does an assembly technician do?")

        with write_locked(database):  # for longer than the 10 s of retries
            refused = requests.post(
                servers.rest_webhook, json={"sender": sender, "message": "hi"}, timeout=60
            )
        assert refused.status_code == 503, refused.text
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.json()["message"] == SEND_AGAIN_REPLY

        writer = threading.Thread(target=hold_write_lock, args=(database, 2), daemon=True)
        writer.start()
        time.sleep(0.5)  # the lock taken
        reply = ask(servers.rest_webhook, sender, "how much does it pay?")
        writer.join()
        # The context survived the refusal: without it this lists every job's pay.
        assert money_in(reply) == [assembly.salary.amount]
        assert stored_user_texts(database, f"rest:{sender}") == [
            "what does an assembly technician do?",
            "how much does it pay?",
        ]


@contextmanager
def write_locked(database) -> Iterator[None]:
    """SQLite's exclusive lock on the file, as a writing process holds it."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("COMMIT")
        connection.close()


def hold_write_lock(database, seconds: float) -> None:
    with write_locked(database):
        time.sleep(seconds)


def stored_user_texts(database, sender: str) -> list:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT json_extract(data, '$.text') FROM events"
            " WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
            (sender,),
        )
        return [text for (text,) in rows]
