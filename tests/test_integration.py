"""Both servers for real: start them as `make run` does and talk over the REST channel."""

from __future__ import annotations

import uuid

import pytest
import requests

from actions.answers import format_money
from tests.conftest import known_amounts, money_in
from tests.servers import running_servers

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def webhook(tmp_path_factory):
    with running_servers(tmp_path_factory.mktemp("servers")) as servers:
        yield servers.rest_webhook


def ask(url, message, sender=None):
    response = requests.post(
        url, json={"sender": sender or uuid.uuid4().hex, "message": message}, timeout=30
    )
    assert response.status_code == 200
    return response.json()


def text_of(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_salary_question_gets_the_figure(webhook, career):
    job = next(j for j in career.jobs if "qa manager" in j.aliases)
    replies = ask(webhook, "how much does a QA manager earn?")
    assert format_money(job.salary.amount, "GBP") in text_of(replies)
    assert any(r.get("buttons") for r in replies)


def test_follow_up_in_the_same_conversation(webhook, career):
    job = next(j for j in career.jobs if "assembly technician" in j.aliases)
    sender = uuid.uuid4().hex
    ask(webhook, "what does an assembly technician do?", sender)
    replies = ask(webhook, "how much does it pay?", sender)
    assert format_money(job.salary.amount, "GBP") in text_of(replies)


def test_skills_and_apprenticeship(webhook, career):
    skills = text_of(ask(webhook, "what skills do I need"))
    assert all(skill.name in skills for skill in career.skills)
    apprenticeship = next(p for p in career.pathways if p.duration)
    duration = text_of(ask(webhook, "how long does the apprenticeship last?"))
    assert str(apprenticeship.duration.max_months) in duration


def test_unknown_job_gets_no_invented_figure(webhook, career):
    replies = text_of(ask(webhook, "how much does a software engineer earn?"))
    assert set(money_in(replies)) <= known_amounts(career)
    assert "software engineer" in replies


def test_conversational_turns(webhook):
    assert text_of(ask(webhook, "hello"))
    assert text_of(ask(webhook, "are you a bot?"))


def test_context_does_not_leak_between_senders(webhook, career):
    first, second = career.jobs[0], career.jobs[3]
    alice, bob = uuid.uuid4().hex, uuid.uuid4().hex
    ask(webhook, f"what does a {first.title} do?", alice)
    ask(webhook, f"what does a {second.title} do?", bob)
    alice_pay = text_of(ask(webhook, "how much does it pay?", alice))
    bob_pay = text_of(ask(webhook, "how much does it pay?", bob))
    assert money_in(alice_pay) == [first.salary.amount]
    assert money_in(bob_pay) == [second.salary.amount]


def test_computed_answer_and_follow_up_over_rest(webhook, career):
    ranked = sorted(career.jobs, key=lambda j: j.salary.amount, reverse=True)
    sender = uuid.uuid4().hex
    best = text_of(ask(webhook, "which job pays the most?", sender))
    assert format_money(ranked[0].salary.amount, "GBP") in best
    duties = text_of(ask(webhook, "what does that role involve?", sender))
    assert ranked[0].duties[0] in duties
