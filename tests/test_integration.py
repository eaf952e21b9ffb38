"""Both servers for real: start them as `make run` does and talk over the REST channel."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from actions.answers import format_money
from tests.conftest import known_amounts, money_in

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webhook(tmp_path_factory):
    rasa_port, actions_port = _free_port(), _free_port()
    endpoints = tmp_path_factory.mktemp("config") / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n')
    log = tmp_path_factory.mktemp("logs") / "servers.log"
    env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "ENDPOINTS": str(endpoints),
    }
    with open(log, "wb") as output:
        servers = subprocess.Popen(
            [str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
    try:
        _wait_until_answering(url, actions_port, servers, log)
        yield url
    finally:
        os.killpg(servers.pid, signal.SIGTERM)
        servers.wait(timeout=60)


def _wait_until_answering(url, actions_port, servers, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if servers.poll() is not None:
            pytest.fail(f"servers exited early:\n{log.read_text()[-3000:]}")
        try:
            health = requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2)
            reply = requests.post(url, json={"sender": "probe", "message": "hi"}, timeout=10)
            if health.ok and reply.ok and reply.json():
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    pytest.fail(f"servers did not answer within {START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


def ask(url, message, sender=None):
    response = requests.post(
        url, json={"sender": sender or uuid.uuid4().hex, "message": message}, timeout=30
    )
    assert response.status_code == 200
    return response.json()


def text_of(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_salary_question_gets_the_figure(webhook, career):
    job = next(j for j in career.jobs if "qa manager" in j.aliases)
    replies = ask(webhook, "how much does a QA manager earn?")
    assert format_money(job.salary.amount, "GBP") in text_of(replies)
    assert any(r.get("buttons") for r in replies)


def test_follow_up_in_the_same_conversation(webhook, career):
    job = next(j for j in career.jobs if "assembly technician" in j.aliases)
    sender = uuid.uuid4().hex
    ask(webhook, "what does an assembly technician do?", sender)
    replies = ask(webhook, "how much does it pay?", sender)
    assert format_money(job.salary.amount, "GBP") in text_of(replies)


def test_skills_and_apprenticeship(webhook, career):
    skills = text_of(ask(webhook, "what skills do I need"))
    assert all(skill.name in skills for skill in career.skills)
    apprenticeship = next(p for p in career.pathways if p.duration)
    duration = text_of(ask(webhook, "how long does the apprenticeship last?"))
    assert str(apprenticeship.duration.max_months) in duration


def test_unknown_job_gets_no_invented_figure(webhook, career):
    replies = text_of(ask(webhook, "how much does a software engineer earn?"))
    assert set(money_in(replies)) <= known_amounts(career)
    assert "software engineer" in replies


def test_conversational_turns(webhook):
    assert text_of(ask(webhook, "hello"))
    assert text_of(ask(webhook, "are you a bot?"))
