"""The tracker store's database calls retried through a short outage, then the turn refused.

A PostgreSQL restart takes a few seconds (about 3 s here); a SQLite file is locked while
another process writes to it (`make forget`, `make report`, the retention purge). Either way
a call fails that would succeed moments later. `retrying` calls it again with growing pauses,
for at most `Backoff.total` seconds, and then raises `StoreUnavailable`: the channels refuse
the turn ("please send that again", REST a 503) instead of answering a turn that is not
stored (stores/fail_safe.py lets it through Rasa's fail-safe wrapper).

The pauses are awaited, so the replica's other conversations go on meanwhile; the calls
themselves block, as every database call of the store does, but fail at once while the
database is down (connection refused).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, List, TypeVar, Union

import sqlalchemy as sa

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

# What a client is told to wait (HTTP Retry-After) once the retries are spent.
RETRY_AFTER_SECONDS = 5


class StoreUnavailable(Exception):
    """The conversation could not be read or written, even after retrying: its turn must be
    refused, never answered from memory."""

    def __init__(self, message: str, retry_after: float = RETRY_AFTER_SECONDS) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Backoff:
    """Pauses between attempts: `first`, growing by `factor` up to `longest`, while the
    time since the first attempt stays within `total` seconds. The defaults pause 9.1 s in
    all, which covers a database restart of a few seconds."""

    first: float = 0.1
    factor: float = 2.0
    longest: float = 2.0
    total: float = 10.0

    def pauses(self) -> List[float]:
        """The pauses if every attempt failed at once."""
        pauses: List[float] = []
        pause = self.first
        while sum(pauses) + pause <= self.total:
            pauses.append(pause)
            pause = min(pause * self.factor, self.longest)
        return pauses


def is_transient(error: BaseException) -> bool:
    """Whether a database error may be gone in a moment: the server unreachable, restarting
    or closing connections (OperationalError, InterfaceError, a connection SQLAlchemy found
    dead), SQLite's "database is locked" (an OperationalError), no pooled connection free."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(
        error,
        (
            sa.exc.OperationalError,
            sa.exc.InterfaceError,
            sa.exc.DisconnectionError,
            sa.exc.TimeoutError,
        ),
    )


async def retrying(
    call: Callable[[], Union[Result, Awaitable[Result]]],
    what: str,
    backoff: Backoff = Backoff(),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Result:
    """`call()` (awaited if it gives an awaitable), attempted again after a transient
    database error while `backoff` allows; `StoreUnavailable` (from the last error) once it
    does not, or at once for any other database error. `what` names the operation in the
    log and the error."""
    started = clock()
    pause = backoff.first
    attempt = 1
    while True:
        try:
            result = call()
            return await result if inspect.isawaitable(result) else result
        except sa.exc.SQLAlchemyError as error:
            elapsed = clock() - started
            if not is_transient(error) or elapsed + pause > backoff.total:
                raise StoreUnavailable(
                    f"{what}: the database did not answer after {attempt} attempt(s) in "
                    f"{elapsed:.1f}s: {_first_line(error)}"
                ) from error
            logger.warning(
                "%s failed (attempt %d), trying again in %.1fs: %s",
                what,
                attempt,
                pause,
                _first_line(error),
            )
        await sleep(pause)
        pause = min(pause * backoff.factor, backoff.longest)
        attempt += 1


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
