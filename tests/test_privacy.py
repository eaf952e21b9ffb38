"""What the tracker store keeps of people: contact details masked, old conversations deleted,
one conversation deleted on request, the SQLite file private (stores/privacy.py)."""

from __future__ import annotations

import stat
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from stores import privacy
from stores.tracker_store import IncrementalSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent
DAY = 86_400


@pytest.mark.parametrize(
    "text, masked",
    [
        ("email me at jo.bloggs+jobs@example.co.uk please", "email me at [email] please"),
        ("JO@EXAMPLE.COM", "[email]"),
        ("call 07700 900123", "call [phone]"),
        ("ring (020) 7946 0958 today", "ring [phone] today"),
        ("+44 7700 900123 or +44 (0)20 7946 0958", "[phone] or [phone]"),
        ("+1 415-555-0100", "[phone]"),
        ("07700900123.", "[phone]."),
        ("my number is 07700 900 123, thanks", "my number is [phone], thanks"),
        ("0161-496-0000 or a@b.org", "[phone] or [email]"),
    ],
)
def test_contact_details_are_masked(text, masked):
    assert privacy.mask_contact_details(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "it pays £23,547 a year",
        "£23,547 - £35,000",
        "is 23547 more than 35000?",
        "between 2019 and 2023",
        "2024-01-15",
        "£1,000,000 or 1,234,567,890",
        "12345678901",
        "0.5 days a week, 10 000 people",
        "a 2-year apprenticeship, level 3",
    ],
)
def test_salaries_years_and_other_numbers_are_kept(text):
    assert privacy.mask_contact_details(text) == text


def test_user_and_bot_event_texts_are_masked_and_others_left_alone():
    user = UserUttered("I'm on 07700 900123", {"name": "greet"}).as_dict()
    masked = privacy.mask_event_data(user)
    assert masked["text"] == "I'm on [phone]"
    assert masked["parse_data"]["text"] == "I'm on [phone]"
    assert user["text"] == "I'm on 07700 900123"  # the event's own data is not changed
    bot = BotUttered("I can't reach jo@example.com").as_dict()
    assert privacy.mask_event_data(bot)["text"] == "I can't reach [email]"
    action = ActionExecuted("action_listen").as_dict()
    assert privacy.mask_event_data(action) == action


def test_a_ratings_comment_and_rated_reply_are_masked_too():
    text = '/feedback{"rating":"not_helpful","comment":"mail jo@example.com"}'
    entities = [
        {"entity": "rating", "value": "not_helpful"},
        {"entity": "comment", "value": "mail jo@example.com"},
    ]
    user = UserUttered(
        text,
        {"name": "feedback"},
        entities,
        metadata={"rated_reply": "Call 07700 900123 for details", "size": 3},
    ).as_dict()
    masked = privacy.mask_event_data(user)
    assert masked["text"] == '/feedback{"rating":"not_helpful","comment":"mail [email]"}'
    values = {e["entity"]: e["value"] for e in masked["parse_data"]["entities"]}
    assert values == {"rating": "not_helpful", "comment": "mail [email]"}
    assert masked["metadata"] == {"rated_reply": "Call [phone] for details", "size": 3}


def test_retention_cutoff_is_the_period_before_now():
    now = 1_800_000_000.0
    assert privacy.retention_cutoff(90, now) == now - 90 * DAY
    assert privacy.retention_cutoff(0.5, now) == now - DAY / 2
    assert privacy.retention_cutoff(0, now) is None  # keep for ever
    assert privacy.retention_cutoff(-1, now) is None


@pytest.fixture
def events_table(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'events.db'}")
    table = IncrementalSQLTrackerStore.SQLEvent.__table__
    table.metadata.create_all(engine)
    return engine, table


def insert(engine, table, sender_id: str, *timestamps: float) -> None:
    with engine.begin() as db:
        db.execute(
            table.insert(),
            [{"sender_id": sender_id, "type_name": "user", "timestamp": t} for t in timestamps],
        )


def senders(engine, table) -> set:
    with engine.connect() as db:
        return {row.sender_id for row in db.execute(sa.select(table.c.sender_id))}


def test_purge_deletes_conversations_whose_last_event_is_older_than_the_cutoff(events_table):
    engine, table = events_table
    now = time.time()
    insert(engine, table, "old", now - 100 * DAY, now - 95 * DAY)
    insert(engine, table, "started-long-ago-but-active", now - 200 * DAY, now - DAY)
    insert(engine, table, "new", now - 60)
    purged = privacy.purge_expired(engine, table, privacy.retention_cutoff(90, now))
    assert purged == ["old"]
    assert senders(engine, table) == {"started-long-ago-but-active", "new"}


def test_forget_deletes_one_conversation(events_table):
    engine, table = events_table
    insert(engine, table, "me", 1.0, 2.0, 3.0)
    insert(engine, table, "someone-else", 1.0)
    assert privacy.forget_conversation(engine, table, "me") == 3
    assert privacy.forget_conversation(engine, table, "me") == 0
    assert senders(engine, table) == {"someone-else"}


# --- in the tracker store -------------------------------------------------------------------


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


async def say(store, sender: str, text: str) -> None:
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 0.9}))
    tracker.update(BotUttered(f"you said: {text}"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)


def stored_texts(store, sender: str) -> list:
    table = store.SQLEvent.__table__
    with store.engine.connect() as db:
        rows = db.execute(sa.select(table.c.data).where(table.c.sender_id == sender))
        return [row.data for row in rows]


def test_the_sqlite_file_is_created_owner_only(tmp_path, domain):
    path = tmp_path / "conversations.db"
    IncrementalSQLTrackerStore(domain, host=f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_sqlite_file_is_made_owner_only(tmp_path, domain):
    path = tmp_path / "conversations.db"
    path.touch(mode=0o644)
    IncrementalSQLTrackerStore(domain, host=f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_contact_details_are_masked_in_every_row_stored(tmp_path, domain):
    store = IncrementalSQLTrackerStore(domain, host=f"sqlite:///{tmp_path / 'c.db'}")
    sender = uuid.uuid4().hex
    await say(store, sender, "hi, I'm jo@example.com")  # a new conversation: Rasa's path
    await say(store, sender, "or 07700 900123")  # the incremental path
    rows = "\n".join(stored_texts(store, sender))
    assert "jo@example.com" not in rows and "07700 900123" not in rows
    assert rows.count("[email]") == 3 and rows.count("[phone]") == 3  # text, parse_data, bot


async def test_a_conversation_deleted_by_another_process_is_not_brought_back(tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = IncrementalSQLTrackerStore(domain, host=url, recent_turns=0)
    sender = uuid.uuid4().hex
    await say(store, sender, "what does an assembly technician do?")
    await say(store, sender, "and the pay?")
    operator = sa.create_engine(url)
    privacy.forget_conversation(operator, store.SQLEvent.__table__, sender)
    assert await store.retrieve(sender) is None
    await say(store, sender, "hello again")
    tracker = await store.retrieve(sender)
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["hello again"]


async def test_the_store_purges_expired_conversations_at_start(tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = IncrementalSQLTrackerStore(domain, host=url, retention_days=0)
    await say(store, "old", "hello")
    await say(store, "recent", "hello")
    table = store.SQLEvent.__table__
    with store.engine.begin() as db:
        db.execute(
            table.update()
            .where(table.c.sender_id == "old")
            .values(timestamp=time.time() - 91 * DAY)
        )
    IncrementalSQLTrackerStore(domain, host=url, retention_days=90)
    assert stored_texts(store, "old") == []
    assert stored_texts(store, "recent")


def test_the_retention_period_comes_from_the_environment(tmp_path, domain, monkeypatch):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "7")
    assert IncrementalSQLTrackerStore(domain, host=url)._retention_days == 7
    monkeypatch.delenv("CONVERSATION_RETENTION_DAYS")
    assert IncrementalSQLTrackerStore(domain, host=url)._retention_days == 90


async def test_a_turn_that_says_utter_forgotten_deletes_the_conversation(tmp_path, domain):
    store = IncrementalSQLTrackerStore(domain, host=f"sqlite:///{tmp_path / 'c.db'}")
    sender = uuid.uuid4().hex
    await say(store, sender, "what does an assembly technician do?")
    await say(store, sender, "and the pay?")
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(UserUttered("/forget", {"name": "forget", "confidence": 1.0}))
    tracker.update(ActionExecuted(privacy.FORGET_RESPONSE))
    tracker.update(BotUttered("Done: I've deleted our conversation"))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    assert stored_texts(store, sender) == []
    assert await store.retrieve(sender) is None
    assert "utter_forgotten" in (ROOT / "domain.yml").read_text()
