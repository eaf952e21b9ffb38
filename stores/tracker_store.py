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

endpoints:
    tracker_store:
      type: stores.tracker_store.IncrementalSQLTrackerStore
      url: sqlite:///conversations.db  # and any other SQLTrackerStore setting
      cached_events: 200000            # at most this many events in memory (about 2 KB each)
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHED_EVENTS = 200_000


@dataclass
class _SessionEvents:
    """The current session's events of one conversation, as read up to row `last_id`."""

    events: List[Event] = field(default_factory=list)
    last_id: int = 0


class IncrementalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cached_events: int = DEFAULT_CACHED_EVENTS, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._cached_events = int(cached_events)
        self._sessions: OrderedDict[str, _SessionEvents] = OrderedDict()

    async def retrieve(self, sender_id: str) -> Optional[DialogueStateTracker]:
        known = self._read_session(sender_id)
        if not known.events:
            return None
        return DialogueStateTracker.from_events(sender_id, known.events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        known = self._sessions.get(tracker.sender_id)
        if known is None or not _built_from(tracker, known.events):
            self._sessions.pop(tracker.sender_id, None)  # read it all again next time
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        new_events = list(tracker.events)[len(known.events) :]
        if not new_events:
            return
        with self.session_scope() as db:
            rows = [_row(tracker.sender_id, event) for event in new_events]
            db.execute(self.SQLEvent.__table__.insert(), rows)
            # Rasa may save this tracker again (a new conversation is saved when created
            # and after its first message): those events are stored now.
            last_id = (
                db.query(sa.func.max(self.SQLEvent.id))
                .filter(self.SQLEvent.sender_id == tracker.sender_id)
                .scalar()
            )
            db.commit()
        if any(isinstance(event, SessionStarted) for event in new_events):
            self._sessions.pop(tracker.sender_id)  # Rasa's query decides where it begins
        else:
            known.events.extend(new_events)
            known.last_id = last_id

    def _read_session(self, sender_id: str) -> _SessionEvents:
        """The session's events: those read before, plus the rows written since."""
        known = self._sessions.pop(sender_id, None)
        columns = (self.SQLEvent.id, self.SQLEvent.type_name, self.SQLEvent.data)
        with self.session_scope() as db:
            rows = []
            if known is not None:
                rows = (
                    db.query(*columns)
                    .filter(
                        self.SQLEvent.sender_id == sender_id,
                        self.SQLEvent.id > known.last_id,
                    )
                    .order_by(self.SQLEvent.id)
                    .all()
                )
                if any(row.type_name == SessionStarted.type_name for row in rows):
                    known = None  # a new session: Rasa's own query decides where it begins
            if known is None:
                known = _SessionEvents()
                rows = self._event_query(db, sender_id, False).with_entities(*columns).all()
        if rows:
            known.events.extend(deserialise_events([json.loads(row.data) for row in rows]))
            known.last_id = rows[-1].id
        self._remember(sender_id, known)
        return known

    def _remember(self, sender_id: str, known: _SessionEvents) -> None:
        self._sessions[sender_id] = known  # most recently used last
        cached = sum(len(s.events) for s in self._sessions.values())
        while cached > self._cached_events and len(self._sessions) > 1:
            _, evicted = self._sessions.popitem(last=False)
            cached -= len(evicted.events)


def _built_from(tracker: DialogueStateTracker, events: List[Event]) -> bool:
    """Whether the tracker starts with exactly these event objects (it was built from them)."""
    if len(tracker.events) < len(events):
        return False
    return all(a is b for a, b in zip(tracker.events, events, strict=False))


def _row(sender_id: str, event: Event) -> dict:
    """The columns SQLTrackerStore.save writes for an event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }
