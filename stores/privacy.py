"""What the tracker store keeps of people: contact details masked, old conversations deleted.

Plain functions on text and on the events table (SQLAlchemy Core), used by
`IncrementalSQLTrackerStore` and by `scripts/forget.py`, and tested directly.

- Visitors type e-mail addresses and phone numbers into a careers chat ("contact me on
  ..."); the assistant never needs them, so they are stored as "[email]" and "[phone]".
  Salary figures (£23,547), years and other numbers stay as they are.
- A conversation whose last event is older than the retention period is deleted whole.
- One conversation can be deleted on request: by the operator (`make forget SENDER=...`)
  or by the visitor ("/forget", "delete my conversation": the bot says FORGET_RESPONSE and
  the tracker store deletes instead of saving).
"""

from __future__ import annotations

import re
import time
from typing import List, Optional

import sqlalchemy as sa

DEFAULT_RETENTION_DAYS = 90
EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
FORGET_RESPONSE = "utter_forgotten"  # domain.yml, data/rules.yml

_EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number is written with a leading + (international) or 0 (national, as in the UK:
# 07700 900123, (020) 7946 0958); a salary, a year or a count never starts with either.
# Not inside a longer number or word, nor after a currency sign.
_PHONE = re.compile(
    r"(?<![\w£$€+])"
    r"(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?|\(0\d{1,4}\)[ .-]?|0)"
    r"\d{2,5}(?:[ .-]?\d{2,5}){1,3}"
    r"(?![\w£$€]|[.,]\d)"
)
_PHONE_DIGITS = {"+": range(8, 16), "0": range(10, 12)}  # E.164 allows 15; UK numbers 10-11


def mask_contact_details(text: str) -> str:
    """`text` with e-mail addresses and phone numbers replaced by "[email]", "[phone]"."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL_MASK, text)
    return _PHONE.sub(_phone_mask, text)


def _phone_mask(match: re.Match) -> str:
    number = match.group()
    digits = sum(character.isdigit() for character in number)
    kind = "+" if number.startswith("+") else "0"
    return PHONE_MASK if digits in _PHONE_DIGITS[kind] else number


def mask_event_data(data: dict) -> dict:
    """A serialised user or bot event with its text masked (the event itself is unchanged).

    Also the entity values and metadata texts of a user event: a rating's comment travels
    as an entity (`/feedback{"comment": ...}`), the rated reply's text as metadata
    (actions/feedback.py), and both are free text."""
    if data.get("event") not in ("user", "bot") or not data.get("text"):
        return data
    masked = dict(data, text=mask_contact_details(data["text"]))
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict) and parse_data.get("text"):
        masked["parse_data"] = dict(
            parse_data,
            text=mask_contact_details(parse_data["text"]),
            entities=[_masked_values(e) for e in parse_data.get("entities") or []],
        )
    if isinstance(data.get("metadata"), dict):
        masked["metadata"] = _masked_values(data["metadata"])
    return masked


def _masked_values(mapping: dict) -> dict:
    """`mapping` with its string values masked (one level: metadata and entities are flat)."""
    if not isinstance(mapping, dict):
        return mapping
    return {k: mask_contact_details(v) if isinstance(v, str) else v for k, v in mapping.items()}


def retention_cutoff(days: float, now: Optional[float] = None) -> Optional[float]:
    """The timestamp before which a conversation's last event makes it expired; None: keep
    conversations for ever (a retention period of 0 or less)."""
    if days <= 0:
        return None
    return (time.time() if now is None else now) - days * 86_400


def purge_expired(engine: sa.engine.Engine, events: sa.Table, cutoff: float) -> List[str]:
    """Delete every event of the conversations whose last event is older than `cutoff`;
    returns their sender ids."""
    expired = (
        sa.select(events.c.sender_id)
        .group_by(events.c.sender_id)
        .having(sa.func.max(events.c.timestamp) < cutoff)
    )
    with engine.begin() as db:
        senders = [row.sender_id for row in db.execute(expired)]
        for start in range(0, len(senders), 500):  # a bounded IN list per statement
            batch = senders[start : start + 500]
            db.execute(sa.delete(events).where(events.c.sender_id.in_(batch)))
    return senders


def forget_conversation(engine: sa.engine.Engine, events: sa.Table, sender_id: str) -> int:
    """Delete every event of one conversation; returns how many there were."""
    with engine.begin() as db:
        return db.execute(sa.delete(events).where(events.c.sender_id == sender_id)).rowcount
