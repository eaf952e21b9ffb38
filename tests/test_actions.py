"""The Rasa action classes: tracker in, messages and slot events out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import ActionExecutor

from actions import actions
from actions.answers import format_money
from tests.conftest import make_tracker

DOMAIN = yaml.safe_load((Path(__file__).resolve().parent.parent / "domain.yml").read_text())


def test_every_custom_action_in_the_domain_is_served():
    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(executor.actions) == set(DOMAIN["actions"])


async def test_salary_action_replies_with_figure_and_sets_slots(career, dispatcher):
    job = career.jobs[3]
    tracker = make_tracker(
        "how much does a QA manager earn",
        "ask_salary",
        entities=[{"entity": "job", "value": job.id, "start": 17, "end": 27}],
    )
    events = await actions.ActionAnswerSalary().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert format_money(job.salary.amount, "GBP") in message["text"]
    assert message["buttons"]
    assert SlotSet("job", job.id) in events
    assert SlotSet("salary_caveat_shown", True) in events


async def test_only_the_slots_that_change_are_set(career, dispatcher):
    job = career.jobs[3]
    question = ("how much does a QA manager earn", "ask_salary")
    entities = [{"entity": "job", "value": job.id, "start": 17, "end": 27}]
    first = await actions.ActionAnswerSalary().run(
        dispatcher, make_tracker(*question, entities=entities), DOMAIN
    )
    slots = {event["name"]: event["value"] for event in first}
    assert slots["job"] == job.id

    again = make_tracker(*question, entities=entities, slots=slots)
    assert await actions.ActionAnswerSalary().run(dispatcher, again, DOMAIN) == []
    assert format_money(job.salary.amount, "GBP") in dispatcher.messages[1]["text"]


async def test_follow_up_reads_the_slot(career, dispatcher):
    job = career.jobs[1]
    tracker = make_tracker("what do they do all day?", "ask_job_duties", slots={"job": job.id})
    await actions.ActionAnswerJobDuties().run(dispatcher, tracker, DOMAIN)
    assert job.duties[0] in dispatcher.messages[0]["text"]


async def test_entity_value_that_is_a_surface_name_is_resolved(career, dispatcher):
    tracker = make_tracker(
        "what is empathy", "ask_skill", entities=[{"entity": "skill", "value": "Empathy"}]
    )
    events = await actions.ActionAnswerSkill().run(dispatcher, tracker, DOMAIN)
    assert SlotSet("skill", "empathy") in events
    assert career.skill("empathy").what_it_is in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "action_class",
    [
        cls
        for cls in vars(actions).values()
        if isinstance(cls, type)
        and cls.__module__ == actions.__name__
        and issubclass(cls, actions.AnswerAction)
        and cls is not actions.AnswerAction
    ],
)
@pytest.mark.parametrize("text", ["", "   ", "x" * 20_000, "<script>alert(1)</script>", "😀😀"])
async def test_every_action_answers_odd_input_without_crashing(action_class, text, dispatcher):
    tracker = make_tracker(text, "ask_salary")
    await action_class().run(dispatcher, tracker, DOMAIN)
    assert len(dispatcher.messages) == 1
    # a text, or a response of the domain (the help)
    assert (
        dispatcher.messages[0]["text"] or dispatcher.messages[0]["response"] in DOMAIN["responses"]
    )


async def test_unclear_action_offers_the_two_likeliest_topics(dispatcher):
    tracker = make_tracker(
        "skills or jobs hmm",
        "nlu_fallback",
        intent_ranking=[
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "ask_skills", "confidence": 0.28},
            {"name": "ask_jobs", "confidence": 0.26},
        ],
    )
    await actions.ActionAnswerUnclear().run(dispatcher, tracker, DOMAIN)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/ask_skills", "/ask_jobs"]


async def test_the_help_action_sends_the_domains_help_response(dispatcher):
    tracker = make_tracker("what can you do", "help")
    events = await actions.ActionAnswerHelp().run(dispatcher, tracker, DOMAIN)
    [message] = dispatcher.messages
    assert message["response"] == "utter_help" and events == []


async def test_a_rating_says_nothing_and_sets_no_slot(career, dispatcher):
    """What the next question sees is what the rated answer left: job, topic, list."""
    slots = {"job": career.jobs[3].id, "topic": "salary", "listed": [j.id for j in career.jobs]}
    rating = make_tracker(
        '/feedback{"rating":"not_helpful","comment":"I wanted the pay after tax"}',
        "feedback",
        entities=[
            {"entity": "rating", "value": "not_helpful"},
            {"entity": "comment", "value": "I wanted the pay after tax"},
        ],
        slots=slots,
    )
    assert await actions.ActionRecordFeedback().run(dispatcher, rating, DOMAIN) == []
    assert dispatcher.messages == []
