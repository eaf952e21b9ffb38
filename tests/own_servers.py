"""A PostgreSQL and a Redis server of the test's own, on free ports, that it may restart,
stop and freeze without touching the machine's shared servers.

    with running_postgres() as postgres, running_redis() as redis:
        ...  postgres.restart(down_for=3); redis.stall(3)

PostgreSQL is Debian's (`/usr/lib/postgresql/15/bin`, `POSTGRES_BIN` for another); as root,
its commands run as the `postgres` user, since `initdb` refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import redis as redis_client

from scripts.free_ports import free_port

POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class OwnPostgres:
    data_dir: Path
    port: int

    @property
    def connection(self) -> Dict[str, object]:
        """psycopg2.connect arguments, as `tests.cluster_runner.POSTGRES`."""
        return {"host": "127.0.0.1", "port": self.port, "user": "postgres"}

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir}"
        log = self.data_dir / "server.log"
        _as_postgres(
            ["pg_ctl", "-D", str(self.data_dir), "-l", str(log), "-o", options, "-w", "start"]
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast`: what a service manager's restart does (sessions ended, clean shut-down)."""
        _as_postgres(["pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop"])

    def restart(self, down_for: float) -> float:
        """Stop, stay down `down_for` seconds, start; the seconds it did not accept
        connections (from the stop's beginning to the start's end)."""
        began = time.monotonic()
        self.stop()
        time.sleep(down_for)
        self.start()
        return time.monotonic() - began


@contextmanager
def running_postgres() -> Iterator[OwnPostgres]:
    # Not under pytest's tmp_path: that is private to root, and the server runs as postgres.
    data_dir = Path(tempfile.mkdtemp(prefix="careers-postgres-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
    postgres = OwnPostgres(data_dir, free_port())
    _as_postgres(["initdb", "-D", str(data_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    postgres.start()
    try:
        yield postgres
    finally:
        try:
            postgres.stop("immediate")
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def _as_postgres(command: List[str]) -> None:
    command = [str(POSTGRES_BIN / command[0]), *command[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


@dataclass
class OwnRedis:
    process: subprocess.Popen
    port: int

    def client(self) -> redis_client.Redis:
        return redis_client.Redis(port=self.port)

    def stall(self, seconds: float) -> None:
        """Freeze the server (SIGSTOP) for `seconds`: it holds its connections and
        answers nothing, as a server stuck in a long command or a swapping machine."""
        self.process.send_signal(signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            self.process.send_signal(signal.SIGCONT)


@contextmanager
def running_redis() -> Iterator[OwnRedis]:
    port = free_port()
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis_client.Redis(port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis_client.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield OwnRedis(process, port)
    finally:
        process.send_signal(signal.SIGCONT)  # a stalled server cannot stop
        process.terminate()
        process.wait(timeout=10)
