"""Start the servers the way `make run` does (scripts/run.sh), on free ports, for a test module.

    @pytest.fixture(scope="module")
    def servers(tmp_path_factory):
        with running_servers(tmp_path_factory.mktemp("servers")) as servers:
            yield servers

Extra keyword arguments are environment variables for run.sh (RASA_AUTH_TOKEN, TELEGRAM_...).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180
# run.sh serves the widget demo page only once web/ is built (`make widget`).
WIDGET_BUILT = (ROOT / "web" / "dist" / "index.html").is_file()


@dataclass
class Servers:
    rasa_url: str
    actions_url: str
    web_url: str
    log: Path

    @property
    def rest_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def conversations_db(self) -> Path:
        """The SQLite tracker store (TRACKER_STORE_URL below)."""
        return self.log.parent / "conversations.db"

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@contextmanager
def running_servers(workdir: Path, **env: str) -> Iterator[Servers]:
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    servers = Servers(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        actions_url=f"http://127.0.0.1:{actions_port}",
        web_url=f"http://127.0.0.1:{web_port}",
        log=workdir / "servers.log",
    )
    run_env = {
        **os.environ,
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "WEB_PORT": str(web_port),
        # The project's endpoints.yml and tracker store, as `make run` has them.
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'conversations.db'}",
        "RASA_PUBLIC_URL": servers.rasa_url,
        **env,
    }
    with open(servers.log, "wb") as output:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "run.sh")],
            cwd=ROOT,
            env=run_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_answering(servers, process)
        yield servers
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_answering(servers: Servers, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"servers exited early:\n{servers.log_tail()}")
        try:
            health = requests.get(f"{servers.actions_url}/health", timeout=2)
            page_ok = not WIDGET_BUILT or requests.get(servers.web_url, timeout=2).ok
            reply = requests.post(
                servers.rest_webhook, json={"sender": "probe", "message": "hi"}, timeout=10
            )
            if health.ok and page_ok and reply.ok and reply.json():
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    pytest.fail(f"servers did not answer within {START_TIMEOUT}s:\n{servers.log_tail()}")
