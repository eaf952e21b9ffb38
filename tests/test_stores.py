"""The incremental SQL tracker store gives the same conversations as Rasa's SQLTrackerStore.

Two stores on one database stand for two Rasa replicas taking turns on a conversation.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from stores.tracker_store import IncrementalSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'conversations.db'}"


async def take_turn(store, sender: str, text: str, job: str) -> None:
    """What Rasa does with a message: retrieve, add the turn's events, save."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, {"name": "ask_salary", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_salary"))
    tracker.update(BotUttered(f"about {job}"))
    tracker.update(SlotSet("job", job))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def events_of(tracker: DialogueStateTracker) -> List[dict]:
    return [event.as_dict() for event in tracker.events]


async def test_replicas_taking_turns_see_the_same_conversation_as_rasa(domain, database):
    first = IncrementalSQLTrackerStore(domain, host=database)
    second = IncrementalSQLTrackerStore(domain, host=database)
    rasa = SQLTrackerStore(domain, host=database)

    for turn, job in enumerate(["assembly_technician", "quality_assurance_manager"] * 3):
        await take_turn([first, second][turn % 2], "user-1", f"question {turn}", job)
        expected = await rasa.retrieve("user-1")
        for store in (first, second):
            tracker = await store.retrieve("user-1")
            assert events_of(tracker) == events_of(expected)
            assert tracker.get_slot("job") == job

    # Stored once each: the listen that opens a new conversation, and five events a turn.
    assert len((await rasa.retrieve("user-1")).events) == 1 + 5 * 6


async def test_a_new_session_written_elsewhere_starts_the_conversation_afresh(domain, database):
    replica = IncrementalSQLTrackerStore(domain, host=database)
    other = SQLTrackerStore(domain, host=database)
    rasa = SQLTrackerStore(domain, host=database)
    await take_turn(replica, "user-2", "first session", "assembly_technician")

    tracker = await other.retrieve("user-2")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await other.save(tracker)

    assert events_of(await replica.retrieve("user-2")) == events_of(await rasa.retrieve("user-2"))


async def test_a_new_session_it_starts_itself_starts_the_conversation_afresh(domain, database):
    store = IncrementalSQLTrackerStore(domain, host=database)
    rasa = SQLTrackerStore(domain, host=database)
    await take_turn(store, "user-4", "first session", "assembly_technician")

    tracker = await store.retrieve("user-4")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    assert events_of(await store.retrieve("user-4")) == events_of(await rasa.retrieve("user-4"))


async def test_a_tracker_it_did_not_build_is_saved_without_duplicates(domain, database):
    store = IncrementalSQLTrackerStore(domain, host=database)
    rasa = SQLTrackerStore(domain, host=database)
    await take_turn(store, "user-3", "hello", "assembly_technician")

    rebuilt = DialogueStateTracker.from_events(
        "user-3", list((await rasa.retrieve("user-3")).events), domain.slots
    )
    rebuilt.update(UserUttered("again", {"name": "greet", "confidence": 1.0}))
    await store.save(rebuilt)

    assert events_of(await rasa.retrieve("user-3")) == events_of(rebuilt)


async def test_conversations_beyond_the_cache_limit_are_read_again(domain, database):
    store = IncrementalSQLTrackerStore(domain, host=database, cached_events=10)
    rasa = SQLTrackerStore(domain, host=database)
    senders = [f"user-{n}" for n in range(5)]
    for sender in senders * 2:
        await take_turn(store, sender, "how much?", "assembly_technician")

    for sender in senders:
        assert events_of(await store.retrieve(sender)) == events_of(await rasa.retrieve(sender))
