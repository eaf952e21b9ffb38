"""Conversations survive a restart: `make run`'s default tracker store is a SQLite file."""

from __future__ import annotations

import uuid

import pytest
import requests

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
