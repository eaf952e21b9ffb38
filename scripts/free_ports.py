"""Free TCP ports for the servers the tests and the benchmark start.

Ports are chosen below the kernel's ephemeral range. A port from `bind(port 0)` is an
ephemeral one, and between choosing it and the server binding it, an outgoing connection
can take it as its local port and keep it: CI failed so, a Rasa replica's PostgreSQL or
Redis connection held the next replica's port and that replica met "address already in
use" on every restart for four minutes. Outgoing connections never use ports below the range.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Set, Tuple

LOWEST = 10000  # above the well-known services: PostgreSQL 5432, Redis 6379, Rasa 5005
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")

# Ports handed out by this process: free until their server binds them, so never given twice.
_handed_out: Set[int] = set()


def ephemeral_range() -> Tuple[int, int]:
    try:
        low, high = (int(part) for part in EPHEMERAL_RANGE.read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def is_free(port: int) -> bool:
    """Whether a server could bind the port on every address (Rasa binds 0.0.0.0)."""
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_port_run(length: int) -> int:
    """The first of `length` consecutive free ports, below the ephemeral range."""
    low, high = ephemeral_range()
    highest = low - length
    if highest <= LOWEST:
        raise RuntimeError(f"no ports below the ephemeral range ({low} to {high}) to use")
    for _ in range(10000):
        first = random.randint(LOWEST, highest)
        run = range(first, first + length)
        if not _handed_out.intersection(run) and all(is_free(port) for port in run):
            _handed_out.update(run)
            return first
    raise RuntimeError(f"no {length} consecutive free ports from {LOWEST} to {highest}")


def free_port() -> int:
    return free_port_run(1)


if __name__ == "__main__":  # `free_ports.py N` prints N distinct free ports, for the shell
    import sys

    print(" ".join(str(free_port()) for _ in range(int(sys.argv[1]) if sys.argv[1:] else 1)))
