"""Ports for the servers the tests start: below the ephemeral range, so no outgoing
connection takes one between choosing it and the server binding it."""

import socket
import subprocess
import sys

import pytest

from scripts import free_ports
from scripts.free_ports import ephemeral_range, free_port, free_port_run, is_free
from tests.servers import ROOT


def test_a_free_port_is_below_the_ephemeral_range_and_bindable():
    low, _ = ephemeral_range()
    for _ in range(50):
        port = free_port()
        assert free_ports.LOWEST <= port < low
        assert is_free(port)


def test_a_run_of_ports_is_consecutive_free_and_never_handed_out_twice():
    given = set()
    for _ in range(30):
        first = free_port_run(3)
        run = set(range(first, first + 3))
        assert not run & given
        assert all(is_free(port) for port in run)
        given |= run
    assert max(given) < ephemeral_range()[0]


def test_a_port_a_server_holds_is_not_free():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert not is_free(server.getsockname()[1])


def test_the_kernels_range_is_read_and_a_missing_file_falls_back(tmp_path, monkeypatch):
    (tmp_path / "range").write_text("40000\t50000\n")
    monkeypatch.setattr(free_ports, "EPHEMERAL_RANGE", tmp_path / "range")
    assert ephemeral_range() == (40000, 50000)
    assert free_port() < 40000
    monkeypatch.setattr(free_ports, "EPHEMERAL_RANGE", tmp_path / "missing")
    assert ephemeral_range() == (32768, 60999)


def test_no_room_below_the_range_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "range").write_text("9000 60999\n")
    monkeypatch.setattr(free_ports, "EPHEMERAL_RANGE", tmp_path / "range")
    with pytest.raises(RuntimeError, match="below the ephemeral range"):
        free_port()


def test_the_command_line_prints_distinct_free_ports_for_the_shell():
    printed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "free_ports.py"), "3"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    ports = [int(port) for port in printed]
    assert len(set(ports)) == 3
    assert all(free_ports.LOWEST <= port < ephemeral_range()[0] for port in ports)
