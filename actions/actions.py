"""Rasa custom actions: read the tracker, ask `CareersAssistant`, dispatch the reply.

The knowledge is loaded and validated when the action server imports this module, so a
broken knowledge file stops the server at start-up with a message saying what is wrong.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import MAX_MESSAGE_LENGTH, too_long
from actions.dialogue import Answer, CareersAssistant, Turn
from actions.knowledge import DEFAULT_CAREER_ID, KnowledgeError, load_knowledge
from actions.language import ENTITY_TYPES, EntityResolver, ParseOnce, build_pipeline
from actions.retrieval import PassageFinder

logger = logging.getLogger(__name__)


def _create_assistant() -> CareersAssistant:
    try:
        careers = load_knowledge()
    except KnowledgeError as error:
        raise SystemExit(
            f"The knowledge files are not valid, fix them and restart:\n{error}"
        ) from None
    career = careers[DEFAULT_CAREER_ID]
    nlp = ParseOnce(build_pipeline(careers.values()))
    return CareersAssistant(career, EntityResolver(career, nlp), PassageFinder(career, nlp))


ASSISTANT = _create_assistant()


def turn_from(tracker: Tracker) -> Turn:
    entities: Dict[str, List[str]] = {}
    for entity in tracker.latest_message.get("entities", []):
        if entity.get("entity") in ENTITY_TYPES:
            entities.setdefault(entity["entity"], []).append(str(entity.get("value", "")))
    ranking = [
        (intent.get("name"), float(intent.get("confidence") or 0))
        for intent in tracker.latest_message.get("intent_ranking", [])
    ]
    return Turn(
        text=tracker.latest_message.get("text") or "",
        entities=entities,
        slots=tracker.slots,
        intent_ranking=ranking,
    )


def dispatch(
    answer: Answer, dispatcher: CollectingDispatcher, current_slots: Dict[str, Any]
) -> List[EventType]:
    if answer.reply.response:
        dispatcher.utter_message(response=answer.reply.response)
    else:
        dispatcher.utter_message(text=answer.reply.text, buttons=answer.reply.buttons)
    # Only the slots that change: every event is validated, stored and sent back to this
    # server with each later call (docs/operations.md).
    return [
        SlotSet(name, value)
        for name, value in answer.slots.items()
        if current_slots.get(name) != value
    ]


class AnswerAction(Action, ABC):
    """`action_answer_<topic>` answers with the route for <topic> in `CareersAssistant`.

    Abstract, so the SDK registers only the concrete actions made below.
    """

    topic: str

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        length = len(tracker.latest_message.get("text") or "")
        if length > MAX_MESSAGE_LENGTH:  # before any NLP, which grows with the text
            dispatcher.utter_message(text=too_long(length).text)
            return []
        answer = ASSISTANT.answer(self.topic, turn_from(tracker))
        return dispatch(answer, dispatcher, tracker.slots)


def _action_class(topic: str) -> type:
    """One concrete action per row of `CareersAssistant.routes`: a new topic is one row
    there, one rule and its NLU data, never another class here."""
    name = "ActionAnswer" + "".join(part.title() for part in topic.split("_"))
    namespace = {
        "topic": topic,
        "name": lambda self: f"action_answer_{self.topic}",
        "__module__": __name__,
    }
    return type(name, (AnswerAction,), namespace)


for _topic in ASSISTANT.routes:
    _cls = _action_class(_topic)
    globals()[_cls.__name__] = _cls


class ActionRecordFeedback(Action):
    """A rating of an answer (actions/feedback.py). It is kept as the user message it came
    in, with the rated reply in its metadata; the action says nothing and sets no slot, so
    the dialogue goes on as before the rating."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        rating = next(
            (
                e.get("value")
                for e in tracker.latest_message.get("entities", [])
                if e.get("entity") == "rating"
            ),
            None,
        )
        logger.info("Rating %r in conversation %s", rating, tracker.sender_id)
        return []
