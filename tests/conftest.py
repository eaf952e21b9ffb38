"""Shared fixtures: the real knowledge file, the assistant built on it, and trackers.

Expected facts in tests are read from the knowledge file, never typed again here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import amounts_in as money_in  # noqa: F401 - shared with tests
from actions.dialogue import CareersAssistant
from actions.knowledge import DEFAULT_CAREER_ID, Career, load_knowledge
from actions.language import EntityResolver, ParseOnce, build_pipeline
from actions.retrieval import PassageFinder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def career() -> Career:
    return load_knowledge()[DEFAULT_CAREER_ID]


@pytest.fixture(scope="session")
def resolver(career: Career) -> EntityResolver:
    return EntityResolver(career, ParseOnce(build_pipeline([career])))


@pytest.fixture(scope="session")
def assistant(career: Career, resolver: EntityResolver) -> CareersAssistant:
    return CareersAssistant(career, resolver, PassageFinder(career, resolver.nlp))


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(
    text: str,
    intent: str,
    entities: List[Dict[str, Any]] | None = None,
    slots: Dict[str, Any] | None = None,
    sender_id: str = "test-user",
    intent_ranking: List[Dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker whose latest message is `text`, classified as `intent`."""
    return Tracker.from_dict(
        {
            "sender_id": sender_id,
            "slots": {
                "job": None,
                "skill": None,
                "pathway": None,
                "topic": None,
                "listed": None,
                "salary_caveat_shown": False,
            }
            | (slots or {}),
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "entities": entities or [],
                "intent_ranking": intent_ranking or [{"name": intent, "confidence": 0.9}],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def known_amounts(career: Career) -> set:
    return {float(job.salary.amount) for job in career.jobs}


@pytest.fixture(scope="module")
def unavailable_reply() -> str:
    """The reply nginx gives for the action server while it is unavailable."""
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    response = json.loads(
        re.search(r"location @unavailable \{.*?return 200 '(.*?)';", template, re.S)[1]
    )
    return response["responses"][0]["text"]
