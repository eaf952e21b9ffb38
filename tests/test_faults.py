"""Faults in cluster mode: the action server down or stuck while Rasa keeps serving."""

from __future__ import annotations

import os
import signal
import uuid

import pytest
import requests

from tests.cluster_runner import running_cluster
from tests.conftest import money_in

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with running_cluster(tmp_path_factory.mktemp("cluster"), replicas=1) as cluster:
        yield cluster


def ask(cluster, sender: str, message: str):
    response = requests.post(
        cluster.rest_webhook, json={"sender": sender, "message": message}, timeout=60
    )
    assert response.status_code == 200, response.text
    return "\n".join(reply.get("text", "") for reply in response.json())


def test_action_server_down_gets_a_polite_reply_and_the_conversation_continues(
    cluster, career, unavailable_reply
):
    assembly = next(job for job in career.jobs if "assembly technician" in job.aliases)
    sender = uuid.uuid4().hex
    assert assembly.duties[0] in ask(cluster, sender, "what does an assembly technician do?")

    cluster.kill("actions")  # cluster.sh starts it again after a second
    assert ask(cluster, sender, "what skills do I need?") == unavailable_reply

    cluster.wait_until_actions_healthy()
    # Without the context this lists every job's pay.
    assert money_in(ask(cluster, sender, "how much does it pay?")) == [assembly.salary.amount]


def test_a_stuck_action_server_gets_a_polite_reply_too(cluster, career, unavailable_reply):
    cluster.wait_until_actions_healthy()
    group = int((cluster.run_dir / "actions.pid").read_text())
    os.killpg(group, signal.SIGSTOP)
    try:
        assert ask(cluster, uuid.uuid4().hex, "what skills do I need?") == unavailable_reply
    finally:
        os.killpg(group, signal.SIGCONT)
    skills = ask(cluster, uuid.uuid4().hex, "what skills do I need?")
    assert all(skill.name in skills for skill in career.skills)
