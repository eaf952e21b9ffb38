"""When NLU is unsure: a passage that answers it, else "did you mean", else a decline."""

from __future__ import annotations

from actions.dialogue import Turn
from tests.conftest import money_in


def test_in_scope_question_no_intent_covers_gets_a_passage_and_its_section(assistant, career):
    answer = assistant.unclear(Turn("can i work testing anti-virus software"))
    assert "Specialisations" in answer.reply.text
    assert career.specialisation_summary in answer.reply.text


def test_unsure_between_two_meanings_offers_both_as_buttons(assistant):
    turn = Turn(
        "qa manager money stuff",
        entities={"job": ["qa manager"]},
        intent_ranking=[("nlu_fallback", 0.3), ("ask_salary", 0.28), ("ask_job_duties", 0.25)],
    )
    answer = assistant.unclear(turn)
    assert [b["payload"] for b in answer.reply.buttons] == [
        '/ask_salary{"job":"quality_assurance_manager"}',
        '/ask_job_duties{"job":"quality_assurance_manager"}',
    ]
    assert money_in(answer.reply.text) == []


def test_nothing_relevant_is_declined_honestly(assistant):
    answer = assistant.unclear(Turn("blorp zzz", intent_ranking=[("nlu_fallback", 0.3)]))
    assert "can't answer" in answer.reply.text
    assert answer.reply.buttons


def test_unsure_between_the_jobs_list_and_pay_an_amount_still_computes(assistant, career):
    turn = Turn(
        "jobs under 35k?",
        intent_ranking=[("nlu_fallback", 0.3), ("ask_jobs", 0.46), ("ask_all_salaries", 0.41)],
    )
    answer = assistant.unclear(turn)
    below = sorted(j.salary.amount for j in career.jobs if j.salary.amount < 35000)
    assert sorted(money_in(answer.reply.text))[: len(below)] == below
    assert all(j.title in answer.reply.text for j in career.jobs if j.salary.amount < 35000)
