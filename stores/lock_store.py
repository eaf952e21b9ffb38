"""Rasa's `RedisLockStore`, made safe for several Rasa processes and for one that dies.

Rasa serves the messages of one conversation one at a time by giving each a ticket in a
queue kept in Redis (`lock_store` in endpoints). Two problems with `RedisLockStore` when
several Rasa processes (replicas, or Sanic workers) share it:

- It changes the queue by reading it, changing it in Python and writing it back. Two
  processes doing that for one conversation at the same moment overwrite each other: both
  messages get the same ticket and run at once, and one's events are lost when both save
  the tracker; or a queued ticket disappears and its message is never answered.
  Here each read-change-write is one Redis transaction (WATCH/MULTI/EXEC), retried when
  another process changed the queue in between.
- Every ticket expires a fixed time after it was issued, waiting or not. When a process
  dies holding a ticket, the messages queued right behind it expire at about the same
  moment as the dead ticket, and then wait until Sanic's response timeout drops them.
  Here a waiting message renews its ticket each time it checks the queue, so only a dead
  process's tickets expire: its conversations wait at most `TICKET_LOCK_LIFETIME`.

endpoints:
    lock_store:
      type: stores.lock_store.AtomicRedisLockStore
      url: localhost        # and any other RedisLockStore setting: port, db, key_prefix, ...
"""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Optional, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Result = TypeVar("Result")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a custom lock store from its endpoint config; the settings are the
        # ones RedisLockStore takes.
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        ticket, lock = self._issue_ticket_and_read(conversation_id, lock_lifetime)
        try:
            if lock.is_locked(ticket):  # another message of this conversation is first
                lock = await self._wait_for_turn(
                    conversation_id, ticket, lock_lifetime, wait_time_in_seconds
                )
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue_ticket_and_read(conversation_id, lock_lifetime)[0]

    def _issue_ticket_and_read(
        self, conversation_id: str, lock_lifetime: float
    ) -> Tuple[int, TicketLock]:
        """A new ticket and the queue as it was then: when the ticket is first, the message
        goes ahead without another round of Redis calls (most messages)."""
        try:
            return self._change(
                conversation_id,
                lambda lock: (lock.issue_ticket(lock_lifetime), lock),
                create_missing=True,
            )
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # Rasa removes the ticket, then deletes the lock if nobody waits: two steps between
        # which another process may queue a ticket that the delete would throw away.
        self._change(
            conversation_id,
            lambda lock: lock.remove_ticket_for(ticket_number),
            delete_when_empty=True,
        )

    async def _wait_for_turn(
        self, conversation_id: str, ticket: int, lifetime: float, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self._change(conversation_id, lambda lock: _renew(lock, ticket, lifetime))
            if lock is None:
                # Only if this process stalled for longer than the ticket lifetime.
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}': "
                    f"ticket {ticket} expired while waiting."
                )
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock], Result],
        create_missing: bool = False,
        delete_when_empty: bool = False,
    ) -> Optional[Result]:
        """Apply `change` to the stored lock in one transaction; None if there is no lock."""
        key = self.key_prefix + conversation_id
        result: Optional[Result] = None

        def read_change_write(pipe) -> None:
            nonlocal result
            result = None
            serialised = pipe.get(key)
            if serialised:
                lock = TicketLock.from_dict(json.loads(serialised))
            elif create_missing:
                lock = self.create_lock(conversation_id)
            else:
                return
            result = change(lock)
            pipe.multi()
            if delete_when_empty and not lock.is_someone_waiting():
                pipe.delete(key)
            else:
                pipe.set(key, lock.dumps())

        self.red.transaction(read_change_write, key)
        return result


def _renew(lock: TicketLock, ticket_number: int, lifetime: float) -> Optional[TicketLock]:
    """Drop expired tickets and extend `ticket_number`'s; the lock, or None if it expired."""
    lock.remove_expired_tickets()
    ticket = next((t for t in lock.tickets if t.number == ticket_number), None)
    if ticket is None:
        return None
    ticket.expires = time.time() + lifetime
    return lock
