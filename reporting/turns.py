"""The conversation store read as turns, and the one place a turn's outcome is decided.

A turn is a user message and what followed until the assistant listened again. Its outcome:

- `clarified`: the reply is a question back ("Which job do you mean?", "I'm not sure I
  understood ...": `actions.answers.CLARIFYING_QUESTIONS`). Such replies set no slot, so
  only the reply tells them apart.
- `declined`: an answer action left the `topic` slot at "out_of_scope" (the honest "I can
  only help with ..." and "The article doesn't say").
- `passage`: the `topic` slot is "passage": answered by quoting a retrieved passage.
- `answered`: everything else (an answer from the knowledge, a greeting).

A rating ("Helpful", "Not helpful": actions/feedback.py) is not a turn: it belongs to the
turn whose reply it rates, and the latest rating of a turn is the one it keeps (with the
comment of an earlier one the same, if it has none).

The actions send a slot only when its value changes (actions/actions.py), so the `topic`
after a turn is the slot's value as replayed over the whole conversation, not only the
turn's own slot events. The texts are as stored: already masked ([email], [phone]).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional

import sqlalchemy as sa

from actions.answers import CLARIFYING_QUESTIONS
from actions.feedback import feedback_of, rated_bot_message

ANSWERED, PASSAGE, CLARIFIED, DECLINED = "answered", "passage", "clarified", "declined"
OUTCOMES = (ANSWERED, PASSAGE, CLARIFIED, DECLINED)
UNANSWERED = (DECLINED, CLARIFIED)

# The slot values dialogue.py gives a declined answer and an answer from a passage.
DECLINED_TOPIC = "out_of_scope"
PASSAGE_TOPIC = "passage"
ANSWER_ACTION_PREFIX = "action_answer_"

# Rasa's SQLTrackerStore table (stores/tracker_store.py), named here rather than imported
# so the report starts without loading Rasa; tests/test_report.py checks the two agree.
EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)


class StoreError(Exception):
    """The conversation store cannot be read: the message says which and why."""


@dataclass(frozen=True)
class Turn:
    conversation_id: str  # as stored, namespaced per channel: "rest:<id>"
    channel: str
    timestamp: float  # of the user message
    text: str
    intent: Optional[str]  # NLU's top intent
    reply: str  # the first reply text, "" if none
    latency: Optional[float]  # seconds from the user message to the first reply
    answered_by: Optional[str]  # the action that replied: action_answer_salary, utter_greet
    topic: Optional[str]  # the `topic` slot after an answer action's turn
    outcome: str
    rating: Optional[str] = None  # the latest: actions.feedback.HELPFUL or NOT_HELPFUL
    rating_comment: str = ""
    rated_reply: str = ""  # the reply rated (of the turn's replies), as stored

    @property
    def day(self) -> date:
        return datetime.fromtimestamp(self.timestamp, timezone.utc).date()


def read_turns(url: str, since: Optional[date] = None, until: Optional[date] = None) -> List[Turn]:
    """Every turn whose user message falls between `since` and `until` (UTC days, both
    included), in order of conversation and time."""
    engine = _engine(url)
    start = _midnight(since) if since else None
    end = _midnight(until + timedelta(days=1)) if until else None
    in_period = sa.select(EVENTS.c.sender_id).where(EVENTS.c.type_name == "user").distinct()
    if start is not None:
        in_period = in_period.where(EVENTS.c.timestamp >= start)
    if end is not None:
        in_period = in_period.where(EVENTS.c.timestamp < end)
    # Whole conversations up to the period's end: a turn's topic may have been set earlier.
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.data)
        .where(EVENTS.c.sender_id.in_(in_period))
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    if end is not None:
        query = query.where(EVENTS.c.timestamp < end)
    turns: List[Turn] = []
    with engine.connect() as db:
        # One conversation's events in memory at a time, not the whole store's.
        rows = db.execution_options(stream_results=True).execute(query)
        for conversation_id, events in _by_conversation(rows):
            turns += [
                turn
                for turn in turns_of(conversation_id, events)
                if (start is None or turn.timestamp >= start)
                and (end is None or turn.timestamp < end)
            ]
    engine.dispose()
    return turns


def turns_of(conversation_id: str, events: Iterable[Dict[str, Any]]) -> List[Turn]:
    """The turns of one conversation from its serialised events, in stored order."""
    turns: List[Turn] = []
    topic: Optional[str] = None
    open_turn: Optional[Dict[str, Any]] = None
    # Every bot message so far, and the index in `turns` of the turn it replied in.
    bot_texts: List[str] = []
    bot_turns: List[Optional[int]] = []
    ratings: Dict[int, tuple] = {}  # turn index: (feedback, the rated reply's text)
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            topic = None  # slots carried over are set again by the events that follow
        elif kind == "slot" and event.get("name") == "topic":
            topic = event.get("value")
        elif kind == "bot":
            bot_texts.append(event.get("text") or "")
            bot_turns.append(len(turns) if open_turn else None)
        feedback = feedback_of(event) if kind == "user" else None
        if feedback:
            if open_turn:
                turns.append(_closed(conversation_id, open_turn, topic))
                open_turn = None
            rated = rated_bot_message(feedback, bot_texts)
            if rated is not None and bot_turns[rated] is not None:
                earlier = ratings.get(bot_turns[rated], (None,))[0]
                if earlier and earlier.rating == feedback.rating and not feedback.comment:
                    feedback = earlier  # the same rating again (a double press) keeps its comment
                ratings[bot_turns[rated]] = (feedback, bot_texts[rated])
            continue
        if kind == "user":
            if open_turn:
                turns.append(_closed(conversation_id, open_turn, topic))
            open_turn = {"user": event, "reply": None, "answered_by": None}
        elif open_turn is None:
            continue
        elif kind == "bot" and open_turn["reply"] is None:
            open_turn["reply"] = event
        elif kind == "action":
            name = event.get("name") or ""
            if name == "action_listen":
                turns.append(_closed(conversation_id, open_turn, topic))
                open_turn = None
            elif open_turn["answered_by"] is None or name.startswith(ANSWER_ACTION_PREFIX):
                open_turn["answered_by"] = name
    if open_turn:
        turns.append(_closed(conversation_id, open_turn, topic))
    for index, (feedback, reply) in ratings.items():
        turns[index] = replace(
            turns[index],
            rating=feedback.rating,
            rating_comment=feedback.comment,
            rated_reply=reply,
        )
    return turns


def outcome_of(reply: str, answered_by: Optional[str], topic: Optional[str]) -> str:
    """What kind of reply a turn got (see the module's docstring)."""
    if reply.startswith(CLARIFYING_QUESTIONS):
        return CLARIFIED
    if answered_by and answered_by.startswith(ANSWER_ACTION_PREFIX):
        if topic == DECLINED_TOPIC:
            return DECLINED
        if topic == PASSAGE_TOPIC:
            return PASSAGE
    return ANSWERED


def channel_of(conversation_id: str, input_channel: Optional[str] = None) -> str:
    """The channel a stored conversation id names ("rest:user-1"), else the event's."""
    prefix, separator, _ = conversation_id.partition(":")
    return prefix if separator and prefix else input_channel or "unknown"


def _closed(conversation_id: str, open_turn: Dict[str, Any], topic: Optional[str]) -> Turn:
    user, reply = open_turn["user"], open_turn["reply"]
    answered_by = open_turn["answered_by"]
    reply_text = (reply or {}).get("text") or ""
    by_answer_action = bool(answered_by and answered_by.startswith(ANSWER_ACTION_PREFIX))
    outcome = outcome_of(reply_text, answered_by, topic)
    timestamp = float(user.get("timestamp") or 0)
    return Turn(
        conversation_id=conversation_id,
        channel=channel_of(conversation_id, user.get("input_channel")),
        timestamp=timestamp,
        text=user.get("text") or "",
        intent=((user.get("parse_data") or {}).get("intent") or {}).get("name"),
        reply=reply_text,
        latency=float(reply["timestamp"]) - timestamp if reply else None,
        answered_by=answered_by,
        topic=topic if by_answer_action and outcome != CLARIFIED else None,
        outcome=outcome,
    )


def _by_conversation(rows: Iterable[Any]) -> Iterator[tuple]:
    current, events = None, []
    for sender_id, data in rows:
        if sender_id != current:
            if events:
                yield current, events
            current, events = sender_id, []
        events.append(json.loads(data))
    if events:
        yield current, events


def _engine(url: str) -> sa.engine.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as error:
        raise StoreError(f"not a database URL: {url!r} ({error})") from None
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        # Connecting would create an empty database file.
        raise StoreError(f"no database file {parsed.database!r}")
    engine = sa.create_engine(parsed)
    try:
        has_events = sa.inspect(engine).has_table(EVENTS.name)
    except sa.exc.SQLAlchemyError as error:
        raise StoreError(f"cannot read {engine.url!r}: {error}") from None
    if not has_events:
        raise StoreError(f"no conversations stored at {engine.url!r} (no {EVENTS.name} table)")
    return engine


def _midnight(day: date) -> float:
    return datetime.combine(day, time(0), timezone.utc).timestamp()
