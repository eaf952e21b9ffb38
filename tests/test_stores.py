"""The incremental SQL tracker store gives the same conversations as Rasa's SQLTrackerStore.

Two stores on one database stand for two Rasa replicas taking turns on a conversation. Each
test runs on SQLite and, with the integration tests, on the local PostgreSQL server.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
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

from stores.tracker_store import _EVENTS_BY_CONVERSATION, IncrementalSQLTrackerStore
from tests.cluster_runner import POSTGRES, administer_postgres

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database(request, tmp_path) -> Iterator[str]:
    """A new, empty database: SQLite (`make run`) and PostgreSQL (cluster mode)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'conversations.db'}"
        return
    name = f"careers_store_test_{uuid.uuid4().hex[:12]}"
    administer_postgres(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    finally:
        administer_postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
    # The whole session, not only the recent turns: those are the next tests' subject.
    first = IncrementalSQLTrackerStore(domain, host=database, recent_turns=0)
    second = IncrementalSQLTrackerStore(domain, host=database, recent_turns=0)
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


@pytest.mark.parametrize("started_by", ["another process", "this store"])
async def test_a_new_session_starts_the_conversation_afresh(domain, database, started_by):
    store = IncrementalSQLTrackerStore(domain, host=database)
    rasa = SQLTrackerStore(domain, host=database)
    starter = rasa if started_by == "another process" else store
    await take_turn(store, "user-2", "first session", "assembly_technician")

    tracker = await starter.retrieve("user-2")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await starter.save(tracker)

    assert events_of(await store.retrieve("user-2")) == events_of(await rasa.retrieve("user-2"))


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
    store = IncrementalSQLTrackerStore(domain, host=database, cached_events=10, recent_turns=0)
    rasa = SQLTrackerStore(domain, host=database)
    senders = [f"user-{n}" for n in range(5)]
    for sender in senders * 2:
        await take_turn(store, sender, "how much?", "assembly_technician")

    for sender in senders:
        assert events_of(await store.retrieve(sender)) == events_of(await rasa.retrieve(sender))


def user_texts(tracker: DialogueStateTracker) -> List[str]:
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


async def test_rasa_works_on_the_recent_turns_with_the_slots_of_the_whole_session(domain, database):
    first = IncrementalSQLTrackerStore(domain, host=database, recent_turns=4)
    second = IncrementalSQLTrackerStore(domain, host=database, recent_turns=4)
    rasa = SQLTrackerStore(domain, host=database)
    tracker = await first.get_or_create_tracker("long")
    tracker.update(SlotSet("skill", "empathy"))  # set once, in the first turn only
    await first.save(tracker)

    for turn in range(12):
        await take_turn([first, second][turn % 2], "long", f"question {turn}", f"job {turn}")
        whole = await rasa.retrieve("long")
        for store in (first, second):
            recent = await store.retrieve("long")
            assert user_texts(recent) == user_texts(whole)[-4:]
            assert recent.current_slot_values() == whole.current_slot_values()
            assert recent.get_slot("skill") == "empathy"
            assert recent.latest_action_name == "action_listen"

    # Opened as Rasa opens a session that carries its slots over, then the 4 turns as stored.
    names = [event.type_name for event in recent.events]
    assert names[:2] == ["action", "session_started"]
    assert recent.events[0].action_name == "action_session_start"
    assert events_of(recent)[-4 * 5 :] == events_of(whole)[-4 * 5 :]
    # Every event is stored once: the first save (listen and slot), five a turn.
    assert len(whole.events) == 2 + 5 * 12
    assert events_of(await first.retrieve_full_tracker("long")) == events_of(whole)


async def test_a_shortened_tracker_is_saved_even_if_the_cache_dropped_its_conversation(
    domain, database
):
    store = IncrementalSQLTrackerStore(domain, host=database, recent_turns=2, cached_events=12)
    rasa = SQLTrackerStore(domain, host=database)
    for turn in range(4):
        await take_turn(store, "kept", f"question {turn}", "assembly_technician")

    tracker = await store.retrieve("kept")
    for turn in range(4):  # other conversations push "kept" out of the cache meanwhile
        await take_turn(store, f"other-{turn}", "hello", "assembly_technician")
    tracker.update(UserUttered("one more", {"name": "ask_salary", "confidence": 0.9}))
    await store.save(tracker)
    tracker.update(ActionExecuted("action_listen"))  # Rasa saves a tracker again at times
    await store.save(tracker)

    whole = await rasa.retrieve("kept")
    assert user_texts(whole) == [f"question {turn}" for turn in range(4)] + ["one more"]
    assert len(whole.events) == 1 + 5 * 4 + 2
    assert user_texts(await store.retrieve("kept")) == ["question 3", "one more"]


async def test_a_shortened_tracker_changed_before_its_new_events_is_refused(domain, database):
    store = IncrementalSQLTrackerStore(domain, host=database, recent_turns=1)
    for turn in range(3):
        await take_turn(store, "edited", f"question {turn}", "assembly_technician")
    tracker = await store.retrieve("edited")
    tracker.events[-1] = ActionExecuted("action_listen")  # not the stored object any more

    with pytest.raises(ValueError, match="cannot tell which events are new"):
        await store.save(tracker)


async def test_recent_turns_zero_gives_rasa_the_whole_session(domain, database):
    store = IncrementalSQLTrackerStore(domain, host=database, recent_turns=0)
    rasa = SQLTrackerStore(domain, host=database)
    for turn in range(12):
        await take_turn(store, "all", f"question {turn}", "assembly_technician")

    assert events_of(await store.retrieve("all")) == events_of(await rasa.retrieve("all"))


async def test_the_index_by_conversation_is_added_to_an_existing_table(domain, database):
    older = SQLTrackerStore(domain, host=database)
    _EVENTS_BY_CONVERSATION.drop(older.engine)  # a table from before this store existed

    IncrementalSQLTrackerStore(domain, host=database)

    indexes = sa.inspect(older.engine).get_indexes(older.SQLEvent.__tablename__)
    assert ["sender_id", "id"] in [index["column_names"] for index in indexes]
