"""SIGTERM or SIGINT stops everything `make run` or `make cluster` started, and frees the ports,
within 10 seconds and before the top process exits.

Each start after the first reuses the ports the previous one has just freed, so each case
also checks that a start right after a stop works. The signals are those a stop sends:
SIGTERM to the top process (`kill <pid>`, which make passes on to its recipe), SIGTERM to
its process group (a service manager, `kill -- -<pgid>`), SIGINT to the group (Ctrl-C in a
terminal), SIGINT to the script itself.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, List, Set

import pytest

from tests.cluster_runner import ClusterPorts, running_cluster
from tests.servers import RUN_SH, Ports, listening, pids_in, processes_in, running_servers

pytestmark = pytest.mark.integration
STOP_WITHIN = 10  # seconds, for every process and every port
# The widget is not needed to test stopping (run.sh serves its page only if it is built).
MAKE = ["make", "-s", "-o", ".venv/.installed", "-o", "web/dist/careers-chat.js"]


@dataclass(frozen=True)
class Stop:
    command: str  # "make" or "script"
    signal: signal.Signals
    to_group: bool

    def __str__(self) -> str:
        return f"{self.signal.name} to {self.command}" + (
            "'s process group" if self.to_group else ""
        )


def test_make_run_stops_everything_and_can_start_again(tmp_path):
    ports = Ports.free()
    stops = [
        Stop("make", signal.SIGTERM, to_group=False),
        Stop("make", signal.SIGTERM, to_group=True),
        Stop("make", signal.SIGINT, to_group=True),
        Stop("script", signal.SIGINT, to_group=False),
    ]
    for number, stop in enumerate(stops):
        workdir = tmp_path / str(number)
        workdir.mkdir()
        command = [*MAKE, "run"] if stop.command == "make" else RUN_SH
        with running_servers(workdir, command=command, ports=ports) as servers:
            top = servers.process
            # run.sh does not change session: everything it starts is in the top's.
            _assert_stops(stop, top, lambda top=top: {top.pid}, ports.all())


def test_make_cluster_stops_everything_and_can_start_again(tmp_path):
    ports = ClusterPorts.free(replicas=2)
    stops = [
        Stop("make", signal.SIGTERM, to_group=False),
        Stop("make", signal.SIGTERM, to_group=True),
        Stop("script", signal.SIGINT, to_group=True),
    ]
    for number, stop in enumerate(stops):
        run_dir = tmp_path / str(number)
        run_dir.mkdir()
        command = [*MAKE, "cluster"] if stop.command == "make" else None
        extra = {"command": command} if command else {}
        with running_cluster(run_dir, ports=ports, **extra) as cluster:
            top = cluster.process

            def sessions(top=top, run_dir=run_dir) -> Set[int]:
                # Each component runs in a session of its own, named in its pid file.
                return {top.pid} | {int(pidfile.read_text()) for pidfile in run_dir.glob("*.pid")}

            _assert_stops(stop, top, sessions, ports.all())


def _assert_stops(stop: Stop, top, sessions: Callable[[], Set[int]], ports: List[int]) -> None:
    started = sessions()
    assert processes_in(started), "nothing running before the stop"
    if stop.to_group:
        os.killpg(top.pid, stop.signal)
    else:
        top.send_signal(stop.signal)
    begun = time.monotonic()
    try:
        top.wait(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        pass
    print(f"{stop}: the top process exited after {time.monotonic() - begun:.1f}s")  # pytest -s
    # What `make run` returning promises: everything it started is gone, the ports are free.
    started |= sessions()  # a component started again meanwhile
    left = processes_in(started)
    held_ports = [port for port in ports if listening(port)]
    try:
        assert top.poll() is not None, f"{stop}: the top process still runs after {STOP_WITHIN}s"
        assert not left, f"{stop}: still running when the top process exited:\n" + "\n".join(left)
        assert not held_ports, f"{stop}: ports still listening: {held_ports}"
    finally:
        for session in started:  # leave nothing behind for the next start or test
            for pid in pids_in(session):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
