"""Ratings of answers (actions/feedback.py): the message a button sends, read back from a
stored event, and the reply it rates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

from actions import feedback
from actions.feedback import HELPFUL, NOT_HELPFUL, Feedback

DOMAIN = Domain.load(Path(__file__).resolve().parent.parent / "domain.yml")


def test_a_rating_message_is_read_by_rasa_as_the_feedback_intent_with_its_comment():
    """As Rasa's RegexMessageHandler reads it, with the domain (which drops unknown
    intents and entities)."""
    payload = feedback.feedback_payload(NOT_HELPFUL, ' Pay "after" tax? {}  ')
    parsed = YAMLStoryReader.unpack_regex_message(Message(data={"text": payload}), DOMAIN)
    assert parsed.get("intent")["name"] == "feedback"
    values = {e["entity"]: e["value"] for e in parsed.get("entities")}
    assert values == {"rating": "not_helpful", "comment": 'Pay "after" tax? {}'}
    # What the widget sends for the same rating (web/test/feedback.test.js).
    assert payload == '/feedback{"rating":"not_helpful","comment":"Pay \\"after\\" tax? {}"}'


def test_a_rating_without_a_comment_carries_none():
    assert feedback.feedback_payload(HELPFUL, "  ") == '/feedback{"rating":"helpful"}'


def test_a_long_comment_is_cut_so_the_message_stays_under_the_channels_limit():
    payload = feedback.feedback_payload(NOT_HELPFUL, "x" * 1000)
    assert len(payload) < 500
    assert json.loads(payload.removeprefix("/feedback"))["comment"] == "x" * 200


def test_an_unknown_rating_is_refused():
    with pytest.raises(ValueError, match="unknown rating 'great'"):
        feedback.feedback_payload("great")


def test_a_stored_rating_is_read_back_with_the_reply_it_names():
    event = UserUttered(
        feedback.feedback_payload(NOT_HELPFUL, "too vague"),
        {"name": "feedback"},
        [{"entity": "rating", "value": NOT_HELPFUL}, {"entity": "comment", "value": "too vague"}],
        metadata=feedback.rated_reply_metadata("  A QA manager earns £40,000 a year. " * 20),
    ).as_dict()
    read = feedback.feedback_of(event)
    assert read.rating == NOT_HELPFUL and read.comment == "too vague"
    assert len(read.rated_reply) == 200
    assert read.rated_reply.startswith("A QA manager earns £40,000")


@pytest.mark.parametrize(
    "intent, entities",
    [
        ("ask_salary", [{"entity": "rating", "value": HELPFUL}]),
        ("feedback", [{"entity": "rating", "value": "great"}]),
        ("feedback", []),
    ],
)
def test_other_messages_and_unknown_ratings_are_not_ratings(intent, entities):
    event = UserUttered("how much?", {"name": intent}, entities).as_dict()
    assert feedback.feedback_of(event) is None


REPLIES = [
    "Hi! I'm a careers assistant.",
    "A QA manager earns £40,000 a year.\n\nThat is before tax.",
    "An assembly technician earns £23,547 a year.",
    "A QA manager earns £40,000 a year.\n\nThat is before tax.",
]


@pytest.mark.parametrize(
    "reference, expected",
    [
        ("A QA manager earns £40,000 a year.", 3),  # the latest of two equal replies
        ("That is before tax.", 3),  # a part, as Telegram sends a long reply
        ("An assembly technician", 2),
        ("", 3),  # no reference: the latest reply
        ("A reply never sent", None),
    ],
)
def test_the_rated_reply_is_the_latest_that_contains_the_reference(reference, expected):
    rating = Feedback(NOT_HELPFUL, "", reference)
    assert feedback.rated_bot_message(rating, REPLIES) == expected
