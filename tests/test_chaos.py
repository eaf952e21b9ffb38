"""Chaos in cluster mode: 20 senders talking while, in turn, PostgreSQL restarts, a replica is
killed, the action server is killed, Redis stalls and PostgreSQL stays down for longer than
the tracker store retries; then SIGTERM (docs/operations.md, Faults). The cluster runs on a
PostgreSQL and a Redis server of the test's own (tests/own_servers.py), so that they can be
restarted and frozen.

`pytest -s tests/test_chaos.py` prints what each fault cost.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set

import psycopg2
import pytest
import requests

from actions.answers import a_or_an
from channels.conversations import namespaced
from channels.store_unavailable import SEND_AGAIN_REPLY
from tests.cluster_runner import running_cluster
from tests.conftest import money_in
from tests.own_servers import running_postgres, running_redis
from tests.servers import listening, processes_in

pytestmark = pytest.mark.integration

SENDERS = 20
WARM_UP = 8  # seconds of load before the first fault
LOAD_AFTER = 12  # seconds of load after a fault has passed, before the next one
STOP_WITHIN = 10  # seconds for every process to go after SIGTERM
MAX_REFUSED_IN_RESTART = 0.05  # share of the turns refused (503) around a PostgreSQL restart
SLOW = 2.0  # seconds: a turn slower than this was held up by the fault


@dataclass
class Turn:
    sender: str
    message: str
    started: float
    ended: float
    status: Optional[int]  # None: no HTTP answer (connection error, timeout)
    text: str = ""
    body: str = ""
    retry_after: Optional[str] = None
    lost_context: bool = False  # a normal answer to a follow-up, without the earlier job

    def answered(self) -> bool:
        """HTTP 200 with a reply: the turn must be in the database."""
        return self.status == 200 and bool(self.text)


@dataclass
class Fault:
    name: str
    started: float
    ended: float  # the fault itself over (the server back, the signal sent)
    recovered: float = 0.0  # the cluster healthy again, as the test waits for it


class Load:
    """SENDERS conversations, each asking what a job involves, then "how much does it pay?"
    (answered only with the earlier job in context), over and over, until stopped."""

    def __init__(self, webhook: str, jobs, unavailable_reply: str) -> None:
        self.webhook, self.jobs, self.unavailable_reply = webhook, list(jobs), unavailable_reply
        self.turns: List[Turn] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._converse, args=(i, uuid.uuid4().hex), daemon=True)
            for i in range(SENDERS)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _converse(self, index: int, sender: str) -> None:
        session = requests.Session()
        pair = 0
        while not self._stopping.is_set():
            job = self.jobs[(index + pair) % len(self.jobs)]
            pair += 1
            first = self._ask(session, sender, f"what does {a_or_an(job.title.lower())} do?")
            if not (first.answered() and job.duties[0] in first.text):
                continue  # no job in context to follow up on (refused, or no action server)
            follow_up = self._ask(session, sender, "how much does it pay?")
            if follow_up.answered() and follow_up.text != self.unavailable_reply:
                follow_up.lost_context = money_in(follow_up.text) != [job.salary.amount]

    def _ask(self, session: requests.Session, sender: str, message: str) -> Turn:
        turn = Turn(sender, message, time.monotonic(), 0.0, None)
        try:
            response = session.post(
                self.webhook, json={"sender": sender, "message": message}, timeout=90
            )
            turn.status, turn.body = response.status_code, response.text
            turn.retry_after = response.headers.get("Retry-After")
            if response.status_code == 200:
                turn.text = "\n".join(reply.get("text", "") for reply in response.json())
        except requests.RequestException as error:
            turn.body = str(error)
        turn.ended = time.monotonic()
        with self._lock:
            self.turns.append(turn)
        return turn


def test_faults_under_load_lose_no_answered_turn_and_no_context(
    tmp_path, career, unavailable_reply
):
    with running_postgres() as postgres, running_redis() as redis:
        with running_cluster(
            tmp_path,
            replicas=2,
            postgres=postgres.connection,
            REDIS_PORT=str(redis.port),
            REDIS_PASSWORD="",  # the test's own Redis asks none
        ) as cluster:
            load = Load(cluster.rest_webhook, career.jobs, unavailable_reply)
            faults: List[Fault] = []

            def inject(name: str, fault: Callable[[], None], recover: Callable[[], None]):
                started = time.monotonic()
                fault()
                faults.append(Fault(name, started, time.monotonic()))
                recover()
                faults[-1].recovered = time.monotonic()
                time.sleep(LOAD_AFTER)

            load.start()
            time.sleep(WARM_UP)
            inject("PostgreSQL restart (3 s down)", lambda: postgres.restart(3), lambda: None)
            inject("a replica killed", lambda: cluster.kill("rasa-1"), cluster.wait_until_answering)
            inject(
                "the action server killed",
                lambda: cluster.kill("actions"),
                cluster.wait_until_actions_healthy,
            )
            inject("Redis stalled 3 s", lambda: redis.stall(3), lambda: None)
            # Longer than the tracker store's retries (10 s): turns are refused, not lost.
            inject("PostgreSQL down 15 s", lambda: postgres.restart(15), lambda: None)
            load.stop()
            # The replicas' lock store is this server (else its stall would be no fault).
            redis_commands = redis.client().info("stats")["total_commands_processed"]

            stored = {
                sender: _stored_user_texts(cluster, sender)
                for sender in {turn.sender for turn in load.turns}
            }
            stop_took, left, listening_ports = _stop(cluster, tmp_path)

    turns = sorted(load.turns, key=lambda turn: turn.started)
    _report(turns, faults, unavailable_reply, stop_took)

    assert redis_commands > len(turns), redis_commands
    missing = [
        f"{turn.sender} {turn.message!r}"
        for sender, texts in stored.items()
        for turn in _missing(turns, sender, texts)
    ]
    assert not missing, f"{len(missing)} answered but not stored, e.g. {missing[:5]}"
    not_ours = [t for t in turns if t.status is None or (t.status >= 500 and not _refusal(t))]
    assert not not_ours, [(t.status, t.body[:200]) for t in not_ours[:5]]
    restart = _window(turns, faults, 0)
    refused = [t for t in restart if t.status == 503]
    assert len(refused) <= MAX_REFUSED_IN_RESTART * len(restart), (len(refused), len(restart))
    outage = _window(turns, faults, len(faults) - 1)
    assert any(t.status == 503 for t in outage), "no turn refused while the database was down"
    lost = [t for t in turns if t.lost_context]
    assert not lost, f"{len(lost)} follow-ups without their context, e.g. {lost[0].text[:100]}"
    for index, fault in enumerate(faults):  # every conversation still answered after each
        after = [t for t in _window(turns, faults, index) if t.started > fault.recovered]
        assert after and all(t.answered() for t in after[-SENDERS:]), fault.name
    assert not left, f"still running {stop_took:.1f}s after SIGTERM: {left}"
    assert not listening_ports, f"ports still listening after SIGTERM: {listening_ports}"


def _stored_user_texts(cluster, sender: str) -> Counter:
    with psycopg2.connect(dbname=cluster.database, **cluster.postgres) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user'",
                (namespaced("rest", sender),),
            )
            return Counter(json.loads(data)["text"] for (data,) in cursor.fetchall())


def _missing(turns: List[Turn], sender: str, stored: Counter) -> List[Turn]:
    """The sender's answered turns beyond what the database holds of each text."""
    answered = [t for t in turns if t.sender == sender and t.answered()]
    remaining = Counter(stored)
    missing = []
    for turn in answered:
        if remaining[turn.message] > 0:
            remaining[turn.message] -= 1
        else:
            missing.append(turn)
    return missing


def _refusal(turn: Turn) -> bool:
    """The documented refusal: 503, Retry-After, the JSON body asking to send again."""
    if turn.status != 503 or not turn.retry_after:
        return False
    try:
        return json.loads(turn.body).get("message") == SEND_AGAIN_REPLY
    except ValueError:
        return False


def _stop(cluster, run_dir) -> tuple:
    """SIGTERM to cluster.sh; how long it took, what still ran and listened after it."""
    sessions: Set[int] = {cluster.process.pid}
    sessions |= {int(pidfile.read_text()) for pidfile in run_dir.glob("*.pid")}
    urls = [cluster.url, cluster.actions_url, *cluster.replica_urls]
    ports = [int(url.rsplit(":", 1)[1]) for url in urls]
    began = time.monotonic()
    cluster.process.terminate()
    try:
        cluster.process.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:  # reported by what still runs
        pass
    took = time.monotonic() - began
    sessions |= {int(pidfile.read_text()) for pidfile in run_dir.glob("*.pid")}
    return took, processes_in(sessions), [port for port in ports if listening(port)]


def _window(turns: List[Turn], faults: List[Fault], index: int) -> List[Turn]:
    """Turns that ended from fault `index` until the next one: those in flight when it
    struck are its own."""
    end = faults[index + 1].started if index + 1 < len(faults) else float("inf")
    return [t for t in turns if faults[index].started <= t.ended < end]


def _report(turns: List[Turn], faults: List[Fault], unavailable: str, stop_took: float) -> None:
    """What each fault cost (pytest -s)."""
    begun = turns[0].started
    print(f"\n{len(turns)} turns from {SENDERS} senders in {turns[-1].ended - begun:.0f}s")
    print(f"before the first fault: {_costs(_before(turns, faults[0]), None, unavailable)}")
    for index, fault in enumerate(faults):
        window = _window(turns, faults, index)
        print(
            f"{fault.name} at +{fault.started - begun:.0f}s "
            f"(lasted {fault.ended - fault.started:.1f}s, healthy again after "
            f"{fault.recovered - fault.started:.1f}s): {_costs(window, fault, unavailable)}"
        )
    print(f"SIGTERM: cluster.sh exited after {stop_took:.1f}s")


def _before(turns: List[Turn], fault: Fault) -> List[Turn]:
    return [t for t in turns if t.ended < fault.started]


def _costs(window: List[Turn], fault: Optional[Fault], unavailable: str) -> str:
    statuses = Counter(t.status for t in window)
    degraded = [
        t for t in window if not t.answered() or t.text == unavailable or t.ended - t.started > SLOW
    ]
    costs: Dict[str, object] = {
        "turns": len(window),
        "200": statuses[200],
        "503": statuses[503],
        "other": len(window) - statuses[200] - statuses[503],
        "action server unavailable reply": sum(t.text == unavailable for t in window),
        "lost context": sum(t.lost_context for t in window),
        "slowest": f"{max((t.ended - t.started for t in window), default=0):.1f}s",
        f"slower than {SLOW:.0f}s": sum(t.ended - t.started > SLOW for t in window),
    }
    if fault is not None:
        last = max((t.ended for t in degraded), default=fault.started)
        costs["last degraded turn ended"] = f"+{last - fault.started:.1f}s"
    return ", ".join(f"{key} {value}" for key, value in costs.items())
