"""Start cluster mode the way `make cluster` does (scripts/cluster.sh), for a test module.

    @pytest.fixture(scope="module")
    def cluster(tmp_path_factory):
        with running_cluster(tmp_path_factory.mktemp("cluster")) as cluster:
            yield cluster

The real PostgreSQL (127.0.0.1:5432, as in CI; it trusts loopback, so the password is empty):
each cluster gets a database of its own, dropped afterwards. Redis: a server of its own on a
free port that requires a password, as cluster mode is deployed. `postgres` (psycopg2.connect
arguments) and `REDIS_PORT=...` with `REDIS_PASSWORD=...` point it at other servers
(tests/own_servers.py). `command` starts it another way (`make cluster`); `ports` reuses the
ports of an earlier start.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import psycopg2
import pytest
import redis
import requests

from scripts.free_ports import free_port, free_port_run
from tests.servers import ROOT

START_TIMEOUT = 240
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
CLUSTER_SH = [str(ROOT / "scripts" / "cluster.sh")]
UNLIMITED_PER_ADDRESS = {
    "PER_ADDRESS_RATE": "100000",
    "PER_ADDRESS_BURST": "100000",
    "PER_ADDRESS_CONNECTIONS": "10000",
}


@dataclass(frozen=True)
class ClusterPorts:
    cluster: int
    actions: int
    gateway: int
    replicas: Tuple[int, ...]  # consecutive: cluster.sh gives replica i RASA_FIRST_PORT + i - 1

    @classmethod
    def free(cls, replicas: int) -> ClusterPorts:
        first = free_port_run(replicas)
        return cls(free_port(), free_port(), free_port(), tuple(range(first, first + replicas)))

    def all(self) -> List[int]:
        return [self.cluster, self.actions, self.gateway, *self.replicas]


@dataclass
class Cluster:
    url: str
    replica_urls: List[str]
    actions_url: str
    run_dir: Path
    database: str
    process: subprocess.Popen
    secrets: Dict[str, str]  # the passwords and tokens it was started with, by variable
    postgres: Dict = field(default_factory=lambda: dict(POSTGRES))

    @property
    def rest_webhook(self) -> str:
        return f"{self.url}/webhooks/rest/webhook"

    def replica_webhook(self, index: int) -> str:
        return f"{self.replica_urls[index]}/webhooks/rest/webhook"

    def kill(self, component: str) -> None:
        """SIGKILL a component (`rasa-1`, `actions`, ...): a crash, not a clean stop."""
        group = int((self.run_dir / f"{component}.pid").read_text())
        os.killpg(group, signal.SIGKILL)

    def wait_until_answering(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"cluster.sh exited early:\n{self.log_tail()}")
            if self._actions_healthy() and all(
                _answers(self.replica_webhook(i)) for i in range(len(self.replica_urls))
            ):
                return
            time.sleep(1)
        pytest.fail(f"cluster did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def wait_until_actions_healthy(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self._actions_healthy():
            if time.monotonic() > deadline:
                pytest.fail(f"action server did not come back:\n{self.log_tail()}")
            time.sleep(0.5)

    def events(self, sender_id: str) -> List[Tuple[str, str | None]]:
        """(type, action name) of every event Rasa stored for the conversation, in order."""
        with psycopg2.connect(dbname=self.database, **self.postgres) as connection:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT type_name, action_name FROM events WHERE sender_id = %s ORDER BY id",
                    (sender_id,),
                )
                return cursor.fetchall()

    def log_tail(self) -> str:
        logs = sorted(self.run_dir.glob("*.log")) + [self.run_dir / "nginx" / "error.log"]
        return "\n".join(
            f"== {log.name}\n{log.read_text(errors='replace')[-1500:]}"
            for log in logs
            if log.exists()
        )

    def _actions_healthy(self) -> bool:
        try:
            return requests.get(f"{self.actions_url}/health", timeout=2).ok
        except requests.RequestException:
            return False


@contextmanager
def running_cluster(
    run_dir: Path,
    replicas: int = 2,
    command: Sequence[str] = CLUSTER_SH,
    ports: Optional[ClusterPorts] = None,
    postgres: Dict = POSTGRES,
    **env: str,
) -> Iterator[Cluster]:
    ports = ports or ClusterPorts.free(replicas)
    database = f"careers_test_{uuid.uuid4().hex[:12]}"
    if "REDIS_PORT" in env:  # the caller's own Redis
        with _running_cluster(run_dir, command, ports, database, postgres, env) as cluster:
            yield cluster
        return
    with password_protected_redis(run_dir, avoid=ports.all()) as redis_env:
        with _running_cluster(
            run_dir, command, ports, database, postgres, {**redis_env, **env}
        ) as cluster:
            yield cluster


@contextmanager
def password_protected_redis(workdir: Path, avoid: Sequence[int] = ()) -> Iterator[Dict[str, str]]:
    """A Redis server requiring a password: cluster.sh's REDIS_ variables for it. The
    configuration goes in on stdin, so the password is on no command line. Not on a port in
    `avoid`: tests reuse a cluster's ports, free between its starts."""
    port, password = free_port(), secrets.token_hex(16)
    while port in avoid:
        port = free_port()
    config = f'port {port}\nbind 127.0.0.1\nrequirepass "{password}"\nsave ""\ndir {workdir}\n'
    with open(workdir / "redis.log", "ab") as output:
        server = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "-"],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server.stdin.write(config.encode())
    server.stdin.close()
    client = redis.Redis(port=port, password=password)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield {
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": str(port),
            "REDIS_DB": "1",
            "REDIS_PASSWORD": password,
        }
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def _running_cluster(
    run_dir: Path,
    command: Sequence[str],
    ports: ClusterPorts,
    database: str,
    postgres: Dict,
    env: Dict[str, str],
) -> Iterator[Cluster]:
    cluster_env: Dict[str, str] = {
        **os.environ,
        "POSTGRES_PASSWORD": "",  # the local server trusts loopback
        # Made here, not by cluster.sh, so that tests know them.
        "ACTIONS_TOKEN": secrets.token_hex(32),
        "SOCKETIO_SESSION_SECRET": secrets.token_hex(32),
        # Every test client shares 127.0.0.1, as bench.py's do: nginx's limits per address
        # (tested in tests/test_nginx_limits.py) would count them as one abusive client.
        **UNLIMITED_PER_ADDRESS,
        "POSTGRES_HOST": str(postgres["host"]),
        "POSTGRES_PORT": str(postgres["port"]),
        "POSTGRES_USER": str(postgres["user"]),
        "CLUSTER_RUN_DIR": str(run_dir),
        "CLUSTER_PORT": str(ports.cluster),
        "RASA_REPLICAS": str(len(ports.replicas)),
        "RASA_FIRST_PORT": str(ports.replicas[0]),
        "ACTIONS_PORT": str(ports.actions),
        "ACTIONS_GATEWAY_PORT": str(ports.gateway),
        "POSTGRES_DB": database,
        "LOCK_STORE_KEY_PREFIX": uuid.uuid4().hex,
        **env,
    }
    with open(run_dir / "cluster.log", "ab") as output:
        process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=cluster_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    cluster = Cluster(
        url=f"http://127.0.0.1:{ports.cluster}",
        replica_urls=[f"http://127.0.0.1:{port}" for port in ports.replicas],
        actions_url=f"http://127.0.0.1:{ports.actions}",
        run_dir=run_dir,
        database=database,
        process=process,
        secrets={
            variable: cluster_env[variable]
            for variable in ("ACTIONS_TOKEN", "SOCKETIO_SESSION_SECRET", "REDIS_PASSWORD")
            if variable in cluster_env
        },
        postgres=dict(postgres),
    )
    try:
        cluster.wait_until_answering()
        yield cluster
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        finally:
            _kill_leftovers(run_dir)
            _drop_database(database, postgres)


def _answers(webhook: str) -> bool:
    try:
        reply = requests.post(webhook, json={"sender": "probe", "message": "hi"}, timeout=10)
        return reply.ok and bool(reply.json())
    except (requests.RequestException, ValueError):
        return False


def _kill_leftovers(run_dir: Path) -> None:
    for pidfile in run_dir.glob("*.pid"):
        try:
            os.killpg(int(pidfile.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _drop_database(database: str, postgres: Dict) -> None:
    administer_postgres(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', postgres)


def administer_postgres(statement: str, postgres: Dict = POSTGRES) -> None:
    """Run a statement outside any transaction (CREATE/DROP DATABASE) on the local server."""
    connection = psycopg2.connect(dbname="postgres", **postgres)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()
