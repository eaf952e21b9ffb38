"""Database calls retried through a short outage, then the turn refused (stores/retry.py,
stores/fail_safe.py), and the tracker store using them on a locked SQLite file and, with the
integration tests, through a restart of a PostgreSQL server of the test's own."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from stores import fail_safe
from stores.retry import Backoff, StoreUnavailable, is_transient, retrying
from stores.tracker_store import IncrementalSQLTrackerStore
from tests.own_servers import running_postgres

ROOT = Path(__file__).resolve().parent.parent


class FakeTime:
    """A clock that the pauses move on, so that retries take no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: List[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def database_down() -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "SELECT 1", {}, Exception("connection refused: is the server running?")
    )


class FailsFor:
    """A database call that fails `seconds` long (by the fake clock), then answers."""

    def __init__(self, time: FakeTime, seconds: float, error=database_down) -> None:
        self.time, self.seconds, self.error, self.calls = time, seconds, error, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.time.now < self.seconds:
            raise self.error()
        return "rows"


# --- backoff and retrying ----------------------------------------------------------------------


def test_the_default_pauses_grow_and_cover_a_restart_of_a_few_seconds():
    pauses = Backoff().pauses()
    assert pauses[:5] == [0.1, 0.2, 0.4, 0.8, 1.6]
    assert max(pauses) == 2.0
    assert 8 <= sum(pauses) <= 10


async def test_a_database_back_within_the_retries_gives_the_answer():
    time = FakeTime()
    call = FailsFor(time, seconds=3.0)  # a PostgreSQL restart
    assert await retrying(call, "Reading", sleep=time.sleep, clock=time.clock) == "rows"
    assert time.pauses == [0.1, 0.2, 0.4, 0.8, 1.6]  # back after 3.1 s
    assert call.calls == 6


async def test_a_database_still_down_after_the_retries_is_unavailable():
    time = FakeTime()
    call = FailsFor(time, seconds=60)
    with pytest.raises(StoreUnavailable, match="Saving conversation 'a'.*connection refused"):
        await retrying(call, "Saving conversation 'a'", sleep=time.sleep, clock=time.clock)
    assert sum(time.pauses) <= Backoff().total
    assert time.pauses == Backoff().pauses()


async def test_an_awaitable_call_is_awaited_and_retried():
    time = FakeTime()
    failing = FailsFor(time, seconds=0.5)

    async def call() -> str:
        return failing()

    assert await retrying(call, "Reading", sleep=time.sleep, clock=time.clock) == "rows"


async def test_a_database_error_that_waiting_cannot_fix_is_unavailable_at_once():
    time = FakeTime()
    duplicate = FailsFor(
        time, 60, lambda: sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))
    )
    with pytest.raises(StoreUnavailable, match="duplicate key"):
        await retrying(duplicate, "Saving", sleep=time.sleep, clock=time.clock)
    assert time.pauses == []


async def test_a_programming_error_is_not_the_databases():
    def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await retrying(broken, "Reading")


def test_errors_of_a_database_restarting_or_locked_are_transient():
    locked = sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    dead = sa.exc.DBAPIError("SELECT", {}, Exception("closed"), connection_invalidated=True)
    assert is_transient(database_down()) and is_transient(locked) and is_transient(dead)
    assert is_transient(sa.exc.InterfaceError("SELECT", {}, Exception("connection closed")))
    assert not is_transient(sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not is_transient(sa.exc.ProgrammingError("SELECT", {}, Exception("syntax error")))


# --- Rasa's fail-safe wrapper ------------------------------------------------------------------


class UnavailableStore(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise StoreUnavailable("down")

    async def save(self, tracker):
        raise StoreUnavailable("down")


class BrokenStore(InMemoryTrackerStore):
    async def save(self, tracker):
        raise KeyError("bug")


async def test_an_unavailable_store_is_not_replaced_by_memory():
    assert fail_safe.install()
    store = FailSafeTrackerStore(UnavailableStore(Domain.empty()))
    with pytest.raises(StoreUnavailable):
        await store.retrieve("a")  # Rasa: None, a conversation without its context
    with pytest.raises(StoreUnavailable):
        await store.save(store.init_tracker("a"))  # Rasa: kept in this process's memory
    assert await store.fallback_tracker_store.retrieve("a") is None


async def test_other_errors_keep_rasas_fallback():
    assert fail_safe.install()
    store = FailSafeTrackerStore(BrokenStore(Domain.empty()))
    await store.save(store.init_tracker("a"))
    assert await store.fallback_tracker_store.retrieve("a") is not None


# --- the tracker store on a locked SQLite file (make run's default) -----------------------------


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def hold_write_lock(database: Path, seconds: float) -> threading.Event:
    """Another process writing (`make forget`, `make report`): SQLite's lock for `seconds`;
    the event is set once the lock is held."""
    held = threading.Event()

    def writer() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        held.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    threading.Thread(target=writer, daemon=True).start()
    assert held.wait(5)
    return held


async def a_turn(store, sender: str):
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("how much does it pay?", {"name": "ask_salary"}))
    tracker.update(ActionExecuted("action_answer_salary"))
    tracker.update(BotUttered("£23,547"))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


async def test_a_turn_saved_while_sqlite_is_locked_for_a_moment_is_stored(domain, tmp_path):
    database = tmp_path / "conversations.db"
    store = IncrementalSQLTrackerStore(domain, host=f"sqlite:///{database}", retention_days=0)
    tracker = await a_turn(store, "a")
    hold_write_lock(database, seconds=1.5)  # longer than SQLite's own wait in one call

    await store.save(tracker)

    stored = await IncrementalSQLTrackerStore(domain, host=f"sqlite:///{database}").retrieve("a")
    assert [e.text for e in stored.events if isinstance(e, BotUttered)] == ["£23,547"]


async def test_the_whole_conversation_read_while_sqlite_is_locked_for_a_moment(domain, tmp_path):
    database = tmp_path / "conversations.db"
    store = IncrementalSQLTrackerStore(domain, host=f"sqlite:///{database}", retention_days=0)
    await store.save(await a_turn(store, "a"))
    hold_write_lock(database, seconds=1.5)

    tracker = await store.retrieve_full_tracker("a")  # the HTTP API's tracker endpoint

    assert [e.text for e in tracker.events if isinstance(e, BotUttered)] == ["£23,547"]


async def test_a_turn_saved_while_sqlite_stays_locked_is_refused_not_kept(domain, tmp_path):
    database = tmp_path / "conversations.db"
    store = IncrementalSQLTrackerStore(
        domain, host=f"sqlite:///{database}", retention_days=0, retry_seconds=1
    )
    tracker = await a_turn(store, "a")
    hold_write_lock(database, seconds=4)

    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="database is locked"):
        await store.save(tracker)
    assert time.monotonic() - started < 3  # bounded: the retries, each call's own wait

    with pytest.raises(StoreUnavailable, match="database is locked"):
        await FailSafeTrackerStore(store).retrieve("a")


# --- the tracker store through a PostgreSQL restart (cluster mode) -----------------------------


@pytest.mark.integration
async def test_after_a_postgresql_restart_no_call_fails_on_a_dead_pooled_connection(domain, caplog):
    with running_postgres() as postgres:
        store = IncrementalSQLTrackerStore(domain, host=postgres_url(postgres), retention_days=0)
        await store.save(await a_turn(store, "a"))  # its connection stays in the pool
        postgres.restart(down_for=0)

        with caplog.at_level(logging.WARNING, logger="stores.retry"):
            tracker = await store.retrieve("a")

        assert [e.text for e in tracker.events if isinstance(e, BotUttered)] == ["£23,547"]
        assert caplog.records == []  # checked before use and replaced: nothing retried


@pytest.mark.integration
async def test_a_turn_saved_while_postgresql_restarts_is_stored(domain):
    with running_postgres() as postgres:
        store = IncrementalSQLTrackerStore(domain, host=postgres_url(postgres), retention_days=0)
        tracker = await a_turn(store, "a")
        postgres.stop()
        threading.Timer(2, postgres.start).start()

        await store.save(tracker)

        stored = await IncrementalSQLTrackerStore(
            domain, host=postgres_url(postgres), retention_days=0
        ).retrieve("a")
        assert [e.text for e in stored.events if isinstance(e, BotUttered)] == ["£23,547"]


def postgres_url(postgres) -> str:
    return f"postgresql://postgres@127.0.0.1:{postgres.port}/postgres"
