"""Ratings of the assistant's answers: the message that carries one, and the answer it rates.

A rating travels through Rasa like any user message, in intent syntax so NLU never reads it:

    /feedback{"rating": "not_helpful", "comment": "I wanted the pay after tax"}

with the rated reply named in the message's metadata, `{"rated_reply": "<its text>"}` (the
first REPLY_REFERENCE_LENGTH characters). The widget sends both; the Telegram channel turns a
press on a message's "Not helpful" button into the same. The rule `feedback ->
action_record_feedback` sets no slot and says nothing, so the conversation carries on as if
the rating had not been given. The report (reporting/turns.py) finds the rated reply in the
stored conversation, and the question it answered, with `rated_bot_message`.

No Rasa import: the report and the channels use this module too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

FEEDBACK_INTENT = "feedback"
HELPFUL, NOT_HELPFUL = "helpful", "not_helpful"
RATINGS = {HELPFUL: "Helpful", NOT_HELPFUL: "Not helpful"}  # the buttons' names
RATED_REPLY_KEY = "rated_reply"
# Enough of a reply to tell it from the others; the metadata stays far below its cap.
REPLY_REFERENCE_LENGTH = 200
# Keeps the whole message under the channels' 500 characters.
MAX_COMMENT_LENGTH = 200


@dataclass(frozen=True)
class Feedback:
    rating: str  # HELPFUL or NOT_HELPFUL
    comment: str
    rated_reply: str  # the start of the rated reply's text, as the client sent it


def feedback_payload(rating: str, comment: str = "") -> str:
    """The message a client sends for a rating (what a button's payload holds)."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}, expected one of {sorted(RATINGS)}")
    entities: Dict[str, str] = {"rating": rating}
    if comment.strip():
        entities["comment"] = comment.strip()[:MAX_COMMENT_LENGTH]
    return f"/{FEEDBACK_INTENT}{json.dumps(entities, ensure_ascii=False, separators=(',', ':'))}"


def rating_buttons() -> List[Dict[str, str]]:
    """The two buttons as Rasa buttons (title, payload), for channels that show them so."""
    return [
        {"title": title, "payload": feedback_payload(rating)} for rating, title in RATINGS.items()
    ]


def is_feedback(text: str) -> bool:
    return text.startswith(f"/{FEEDBACK_INTENT}")


def rated_reply_metadata(reply_text: str) -> Dict[str, str]:
    return {RATED_REPLY_KEY: reply_text.strip()[:REPLY_REFERENCE_LENGTH]}


def feedback_of(user_event: Dict[str, Any]) -> Optional[Feedback]:
    """The rating a serialised user event carries, None if it is not one (or not valid)."""
    parse_data = user_event.get("parse_data") or {}
    if (parse_data.get("intent") or {}).get("name") != FEEDBACK_INTENT:
        return None
    values = {e.get("entity"): e.get("value") for e in parse_data.get("entities") or []}
    rating = values.get("rating")
    if rating not in RATINGS:
        return None
    metadata = user_event.get("metadata") or {}
    rated = metadata.get(RATED_REPLY_KEY) if isinstance(metadata, dict) else None
    return Feedback(
        rating=rating,
        comment=str(values.get("comment") or "")[:MAX_COMMENT_LENGTH],
        rated_reply=rated.strip() if isinstance(rated, str) else "",
    )


def rated_bot_message(feedback: Feedback, bot_texts: Sequence[str]) -> Optional[int]:
    """Index in `bot_texts` (the conversation's bot messages so far, in order) of the reply
    `feedback` rates: the latest that contains the reference. Containment, not equality:
    the reference is the start of a reply, or one of the parts Telegram sends a long reply
    in. Without a reference, the latest reply."""
    if not bot_texts:
        return None
    if not feedback.rated_reply:
        return len(bot_texts) - 1
    for index in range(len(bot_texts) - 1, -1, -1):
        if feedback.rated_reply in bot_texts[index]:
            return index
    return None
