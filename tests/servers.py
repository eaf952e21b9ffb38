"""Start the servers the way `make run` does (scripts/run.sh), on free ports, for a test module.

    @pytest.fixture(scope="module")
    def servers(tmp_path_factory):
        with running_servers(tmp_path_factory.mktemp("servers")) as servers:
            yield servers

Extra keyword arguments are environment variables for run.sh (RASA_AUTH_TOKEN, TELEGRAM_...).
`command` starts it another way (`make run`); `ports` reuses the ports of an earlier start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Set

import pytest
import requests

from scripts.free_ports import free_port

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 180
# run.sh serves the widget demo page only once web/ is built (`make widget`).
WIDGET_BUILT = (ROOT / "web" / "dist" / "index.html").is_file()
RUN_SH = [str(ROOT / "scripts" / "run.sh")]


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    web: int

    @classmethod
    def free(cls) -> Ports:
        return cls(free_port(), free_port(), free_port())

    def all(self) -> List[int]:
        return [self.rasa, self.actions, self.web]


@dataclass
class Servers:
    rasa_url: str
    actions_url: str
    web_url: str
    log: Path
    process: subprocess.Popen  # the top process, leader of a session of its own

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
def running_servers(
    workdir: Path,
    command: Sequence[str] = RUN_SH,
    ports: Optional[Ports] = None,
    **env: str,
) -> Iterator[Servers]:
    ports = ports or Ports.free()
    rasa_url = f"http://127.0.0.1:{ports.rasa}"
    run_env = {
        **os.environ,
        "RASA_PORT": str(ports.rasa),
        "ACTIONS_PORT": str(ports.actions),
        "WEB_PORT": str(ports.web),
        # The project's endpoints.yml and tracker store, as `make run` has them.
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'conversations.db'}",
        "RASA_PUBLIC_URL": rasa_url,
        **env,
    }
    log = workdir / "servers.log"
    with open(log, "ab") as output:
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=run_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    servers = Servers(
        rasa_url=rasa_url,
        actions_url=f"http://127.0.0.1:{ports.actions}",
        web_url=f"http://127.0.0.1:{ports.web}",
        log=log,
        process=process,
    )
    try:
        _wait_until_answering(servers, process)
        yield servers
    finally:
        with suppress(ProcessLookupError):  # already stopped by the test
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


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


def processes_in(sessions: Set[int]) -> List[str]:
    """Every live process of these sessions, with its command line."""
    return [f"{pid} {_command_line(pid)}" for session in sessions for pid in pids_in(session)]


def pids_in(session: int) -> List[int]:
    """Live processes of a session (zombies are gone for our purposes)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # pid (comm) state ppid pgrp session ...; comm may contain spaces.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def listening(port: int) -> bool:
    """Whether a server holds the port: binding it as a server does (SO_REUSEADDR, so the
    closed connections in TIME_WAIT do not count) fails."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def command_lines() -> List[str]:
    """Every running process's command line, as `ps` shows it: where no secret may appear."""
    lines = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            lines.append(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return lines
