"""Rasa's `SQLTrackerStore`, reading from the database only the events it has not read yet.

For every message Rasa retrieves the conversation's tracker, and `SQLTrackerStore` reads
every event of the conversation session, parses its JSON and rebuilds each event object:
at 100 turns (about 1,000 events) that is about 50 ms of CPU per message, growing with
every turn (docs/operations.md). Saving counts the stored events with another query to
find which events are new.

This store keeps the event objects of recently active conversations in memory, with the id
of the last row it read, and on the next retrieval reads only the rows after it, whichever
Rasa process wrote them: the database stays the one record, shared by replicas. Rasa
retrieves and saves a conversation under its lock, so no other process writes to it in
between. A tracker this store built knows how many of its events are stored, so saving
inserts the rest without counting. Anything else (a new session, a tracker it did not
build) takes Rasa's own path.

Rasa's per-message work also grows with the conversation even when the events are at hand:
the policies featurize every past turn on each prediction and the whole conversation goes
to the action server in JSON on every call. So the tracker `retrieve` gives Rasa holds only
the last `recent_turns` user turns, opened the way Rasa opens a new session that carries its
slots over: `action_session_start`, `session_started`, the slots as they were before the
first of those turns (and the active form, if any), `action_listen`. Nothing the assistant
decides on is older than that: the rules look at the latest turn (config.yml) and the
actions read the slots and the latest message. Every event is still stored, and
`retrieve_full_tracker` (the HTTP API's tracker endpoint) reads them all.

What is stored is kept private (stores/privacy.py): e-mail addresses and phone numbers in
user and bot texts are masked in every row written; a SQLite file is created readable by
its owner only; conversations whose last event is older than `retention_days` are deleted
at start-up and then every `purge_interval` seconds, in a background thread. A
conversation whose latest turn said `utter_forgotten` ("/forget", "delete my
conversation") is deleted instead of saved. One deleted meanwhile by another process
(`make forget`, another replica's purge) is noticed on its next message, so this store's
memory does not bring it back.

A database call that fails for a moment (PostgreSQL restarting, SQLite locked by another
process) is tried again for up to 10 s (stores/retry.py), on connections checked
before use; after that the store raises `StoreUnavailable` and the channel refuses the turn
rather than answer one that is not stored (stores/fail_safe.py, docs/operations.md).

endpoints:
    tracker_store:
      type: stores.tracker_store.IncrementalSQLTrackerStore
      url: sqlite:///conversations.db  # and any other SQLTrackerStore setting
      cached_events: 200000            # at most this many events in memory (about 2 KB each)
      recent_turns: 1                  # user turns in the tracker Rasa works on; 0: all
      retention_days: 90               # default: $CONVERSATION_RETENTION_DAYS or 90; 0: keep
      purge_interval: 3600             # seconds between purges of expired conversations
      retry_seconds: 10                # how long a failing database call is tried again
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Optional

import psycopg2.extras
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from stores import privacy
from stores.retry import Backoff, retrying

logger = logging.getLogger(__name__)

DEFAULT_CACHED_EVENTS = 200_000
DEFAULT_RECENT_TURNS = 1
DEFAULT_PURGE_INTERVAL = 3600
RETENTION_VARIABLE = "CONVERSATION_RETENTION_DAYS"
SQLITE_LOCK_WAIT = 0.5  # seconds

# Each message reads the rows of its conversation after the last one this store has seen.
# Rasa indexes sender_id alone, so that read visits every row of the conversation. Part of
# the table's metadata, so created with the table; added to existing tables at start-up.
_EVENTS_BY_CONVERSATION = sa.Index(
    "ix_events_sender_id_id",
    SQLTrackerStore.SQLEvent.__table__.c.sender_id,
    SQLTrackerStore.SQLEvent.__table__.c.id,
)

# Set on the trackers `retrieve` builds: which events they were built from (`_HandedOut`).
_HANDED_OUT = "_incremental_sql_tracker_store"


@dataclass
class _SessionEvents:
    """The current session's events of one conversation, as read up to row `last_id`."""

    events: List[Event] = field(default_factory=list)
    last_id: int = 0
    # The session's first row: gone if the conversation was deleted by another process.
    first_id: Optional[int] = None
    # The conversation as it stood before `events[window_start]`, moved on as the window
    # of recent turns moves, so that opening the window does not replay the whole session.
    before_window: Optional[DialogueStateTracker] = None
    window_start: int = 0


@dataclass
class _HandedOut:
    """A retrieved tracker's origin: its first events are `events`, the rest are new."""

    session: _SessionEvents
    events: List[Event]
    shortened: bool  # begins with an opening of recent turns, not with the session


class IncrementalSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        *args: Any,
        cached_events: int = DEFAULT_CACHED_EVENTS,
        recent_turns: int = DEFAULT_RECENT_TURNS,
        retention_days: Optional[float] = None,
        purge_interval: float = DEFAULT_PURGE_INTERVAL,
        retry_seconds: float = Backoff.total,
        **kwargs: Any,
    ):
        sqlite_file = _sqlite_file(
            kwargs.get("dialect", "sqlite"), kwargs.get("host"), kwargs.get("db", "rasa.db")
        )
        if sqlite_file:
            _create_private_file(sqlite_file)
        super().__init__(*args, **kwargs)
        # Connections checked before use (one round trip): after a database restart every
        # pooled connection is dead, and each would fail the call it was given.
        url = self.engine.url
        engine_kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "sqlite":
            # SQLite waits for a lock held by another process inside the call, blocking the
            # event loop (5 s by default); longer waits are `retrying`'s awaited pauses.
            engine_kwargs["connect_args"] = {"timeout": SQLITE_LOCK_WAIT}
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._backoff = Backoff(total=float(retry_seconds))
        try:
            _EVENTS_BY_CONVERSATION.create(self.engine, checkfirst=True)
        except sa.exc.SQLAlchemyError as error:  # e.g. another replica creating it too
            logger.warning("Index %s not created: %s", _EVENTS_BY_CONVERSATION.name, error)
        self._cached_events = int(cached_events)
        self._recent_turns = int(recent_turns)
        self._sessions: OrderedDict[str, _SessionEvents] = OrderedDict()
        if retention_days is None:
            retention_days = os.environ.get(RETENTION_VARIABLE, privacy.DEFAULT_RETENTION_DAYS)
        self._retention_days = float(retention_days)
        self._purge_interval = float(purge_interval)
        self.purge_expired()
        if self._retention_days > 0:
            threading.Thread(target=self._purge_periodically, name="purge", daemon=True).start()

    def purge_expired(self) -> List[str]:
        """Delete the conversations older than the retention period; their sender ids."""
        cutoff = privacy.retention_cutoff(self._retention_days)
        if cutoff is None:
            return []
        try:
            senders = privacy.purge_expired(self.engine, self.SQLEvent.__table__, cutoff)
        except sa.exc.SQLAlchemyError as error:  # the database away: try again next time
            logger.warning("Expired conversations not purged: %s", error)
            return []
        # Their cached events, if any, are dropped on their next message (`_read_session`
        # sees the first row gone): the cache is not touched from the purge thread.
        if senders:
            logger.info(
                "Deleted %d conversations older than %g days", len(senders), self._retention_days
            )
        return senders

    def _purge_periodically(self) -> None:
        while True:
            time.sleep(self._purge_interval)
            self.purge_expired()

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        known = await retrying(
            lambda: self._read_session(sender_id),
            f"Reading conversation '{sender_id}'",
            self._backoff,
        )
        if not known.events:
            return None
        events = self._recent_events(sender_id, known)
        tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        # On the tracker itself, not in the cache: the cache may drop this conversation
        # before Rasa saves the tracker, and only this store can save a shortened one.
        setattr(tracker, _HANDED_OUT, _HandedOut(known, events, known.window_start > 0))
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> Optional[DialogueStateTracker]:
        return await retrying(
            lambda: super(IncrementalSQLTrackerStore, self).retrieve_full_tracker(conversation_id),
            f"Reading all of conversation '{conversation_id}'",
            self._backoff,
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        if _said_in_latest_turn(tracker.events, privacy.FORGET_RESPONSE):
            # The visitor asked to be forgotten and has been told it is done: nothing of
            # the conversation is kept, this turn included.
            self._sessions.pop(tracker.sender_id, None)
            await retrying(
                lambda: privacy.forget_conversation(
                    self.engine, self.SQLEvent.__table__, tracker.sender_id
                ),
                f"Deleting conversation '{tracker.sender_id}'",
                self._backoff,
            )
            return
        handed_out: Optional[_HandedOut] = getattr(tracker, _HANDED_OUT, None)
        if handed_out is None or not _built_from(tracker, handed_out.events):
            if handed_out is not None and handed_out.shortened:
                # Rasa's path would count the stored events against this shortened tracker
                # and store nothing: refuse loudly rather than lose the turn.
                raise ValueError(
                    f"Conversation '{tracker.sender_id}': the tracker's earlier events were "
                    "changed after it was retrieved; cannot tell which events are new."
                )
            self._sessions.pop(tracker.sender_id, None)  # read it all again next time
            await self._save_counted(tracker)
            return
        new_events = list(tracker.events)[len(handed_out.events) :]
        if not new_events:
            return
        known = handed_out.session
        rows = [_row(tracker.sender_id, event) for event in new_events]
        # A retried insert whose first attempt was committed but not acknowledged (the
        # connection lost at that moment) stores the turn twice: at least once, never lost.
        last_id = await retrying(
            lambda: self._insert(tracker.sender_id, rows),
            f"Saving conversation '{tracker.sender_id}'",
            self._backoff,
        )
        if self.event_broker is not None:
            # Rasa's stream_events would retrieve the tracker again to find the new events.
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        known.events.extend(new_events)
        known.last_id = last_id
        # Rasa may save this tracker again with more events.
        handed_out.events = handed_out.events + new_events
        if self._sessions.get(tracker.sender_id) is not known or any(
            isinstance(event, SessionStarted) for event in new_events
        ):
            # Dropped from the cache meanwhile, or a new session (Rasa's query decides
            # where it begins): read it again next time.
            self._sessions.pop(tracker.sender_id, None)

    def _insert(self, sender_id: str, rows: List[dict]) -> int:
        """Insert the rows in one transaction; the id of the conversation's last row."""
        # SQLAlchemy Core: the ORM session costs more CPU than the statements on this
        # path, which runs for every message.
        table = self.SQLEvent.__table__
        with self.engine.begin() as db:
            if self.engine.dialect.driver == "psycopg2":  # PostgreSQL: the ids come back
                # psycopg2's own multi-row insert: SQLAlchemy would compile the statement
                # anew for every message (a number of rows is part of it).
                ids = psycopg2.extras.execute_values(
                    db.connection.cursor(),
                    f"INSERT INTO {table.name} ({', '.join(_COLUMNS)}) VALUES %s RETURNING id",
                    [tuple(row[column] for column in _COLUMNS) for row in rows],
                    fetch=True,
                )
                return max(row[0] for row in ids)
            db.execute(table.insert(), rows)
            return db.execute(
                sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == sender_id)
            ).scalar()

    async def _save_counted(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `SQLTrackerStore.save` (count the stored events, insert the others), with
        the rows of `_row`, masked like every row this store writes."""
        await self.stream_events(tracker)
        await retrying(
            lambda: self._insert_uncounted(tracker),
            f"Saving conversation '{tracker.sender_id}'",
            self._backoff,
        )

    def _insert_uncounted(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as db:
            new_events = list(self._additional_events(db, tracker))
            if new_events:
                rows = [_row(tracker.sender_id, event) for event in new_events]
                db.execute(self.SQLEvent.__table__.insert(), rows)
            db.commit()

    def _recent_events(self, sender_id: str, known: _SessionEvents) -> List[Event]:
        """The session's last `recent_turns` user turns, opened as a new session would be."""
        start = _start_of_recent_turns(known.events, self._recent_turns)
        if start == 0:
            known.before_window, known.window_start = None, 0
            return list(known.events)
        if known.before_window is None or start < known.window_start:
            known.before_window = DialogueStateTracker.from_events(
                sender_id, known.events[:start], self.domain.slots
            )
        else:
            for event in known.events[known.window_start : start]:
                known.before_window.update(event)
        known.window_start = start
        return _opening(known.before_window, known.events[start].timestamp) + known.events[start:]

    def _read_session(self, sender_id: str) -> _SessionEvents:
        """The session's events: those read before, plus the rows written since."""
        known = self._sessions.pop(sender_id, None)
        table = self.SQLEvent.__table__
        rows = []
        if known is not None:
            newer = table.c.id > known.last_id
            if known.first_id is not None:  # and the first row, to see it is still there
                newer = sa.or_(newer, table.c.id == known.first_id)
            with self.engine.connect() as db:  # Core, as in save
                rows = db.execute(
                    sa.select(table.c.id, table.c.type_name, table.c.data)
                    .where(table.c.sender_id == sender_id, newer)
                    .order_by(table.c.id)
                ).all()
            if known.first_id is not None:
                if not rows or rows[0].id != known.first_id:
                    known = None  # deleted (forgotten, purged) since: read what is left
                else:
                    rows = rows[1:]
            if known is not None and any(row.type_name == SessionStarted.type_name for row in rows):
                known = None  # a new session: Rasa's own query decides where it begins
        if known is None:
            known = _SessionEvents()
            columns = (self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
            with self.session_scope() as db:
                rows = self._event_query(db, sender_id, False).with_entities(*columns).all()
        if rows:
            known.events.extend(deserialise_events([json.loads(row.data) for row in rows]))
            known.last_id = rows[-1].id
            if known.first_id is None:
                known.first_id = rows[0].id
        self._remember(sender_id, known)
        return known

    def _remember(self, sender_id: str, known: _SessionEvents) -> None:
        self._sessions[sender_id] = known  # most recently used last
        cached = sum(len(s.events) for s in self._sessions.values())
        while cached > self._cached_events and len(self._sessions) > 1:
            _, evicted = self._sessions.popitem(last=False)
            cached -= len(evicted.events)


def _start_of_recent_turns(events: List[Event], turns: int) -> int:
    """Index of the user message that begins the last `turns` turns (0: all of them)."""
    if turns <= 0:
        return 0
    seen = 0
    for index in range(len(events) - 1, 0, -1):
        if isinstance(events[index], UserUttered):
            seen += 1
            if seen == turns:
                return index
    return 0


def _opening(before: DialogueStateTracker, timestamp: float) -> List[Event]:
    """What Rasa's action_session_start does, carrying over the state of `before`."""
    events: List[Event] = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=timestamp),
        SessionStarted(timestamp=timestamp),
    ]
    events += [
        SlotSet(slot.name, slot.value, timestamp=timestamp)
        for slot in before.slots.values()
        if slot.value != slot.initial_value
    ]
    if before.active_loop_name:
        events.append(ActiveLoop(before.active_loop_name, timestamp=timestamp))
    events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=timestamp))
    return events


def _said_in_latest_turn(events: Iterable[Event], action_name: str) -> bool:
    """Whether `action_name` ran after the latest user message."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name == action_name:
            return True
    return False


def _built_from(tracker: DialogueStateTracker, events: List[Event]) -> bool:
    """Whether the tracker starts with exactly these event objects (it was built from them)."""
    if len(tracker.events) < len(events):
        return False
    return all(a is b for a, b in zip(tracker.events, events, strict=False))


_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


def _row(sender_id: str, event: Event) -> dict:
    """The columns SQLTrackerStore.save writes for an event, contact details masked."""
    data = privacy.mask_event_data(event.as_dict())
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _sqlite_file(dialect: str, host: Optional[str], db: str) -> Optional[str]:
    """The file of a SQLite database, as SQLTrackerStore will open it; None for others."""
    url = sa.engine.make_url(SQLTrackerStore.get_db_url(dialect, host, db=db))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def _create_private_file(path: str) -> None:
    """Create the database file readable and writable by its owner only (0600), or make an
    existing one so, before SQLite opens it (SQLite gives its journal the same mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    try:
        os.chmod(path, 0o600)
    except PermissionError as error:  # someone else's file: say so, work as before
        logger.warning("Could not make %s private (0600): %s", path, error)
