"""Follow-ups resolve against what was just discussed; a new topic resets the rest."""

from __future__ import annotations

from actions.answers import format_money
from actions.dialogue import Turn


def converse(assistant, *steps):
    """Run (method, text) steps, carrying slots from one answer to the next."""
    slots = {}
    answer = None
    for method, text in steps:
        answer = getattr(assistant, method)(Turn(text, slots=dict(slots)))
        slots.update(answer.slots)
    return answer, slots


def test_what_about_another_job_after_a_salary(assistant, career):
    job = next(j for j in career.jobs if "qa manager" in j.aliases)
    answer, _ = converse(
        assistant,
        ("salary", "how much does an assembly technician earn"),
        ("follow_up", "what about a QA manager?"),
    )
    assert format_money(job.salary.amount, "GBP") in answer.reply.text


def test_and_another_job_after_duties(assistant, career):
    job = next(j for j in career.jobs if "assembly technician" in j.aliases)
    answer, _ = converse(
        assistant,
        ("job_duties", "what does a qa analyst do"),
        ("follow_up", "and an assembly technician?"),
    )
    assert job.duties[0] in answer.reply.text


def test_salary_follow_up_after_duties(assistant, career):
    job = career.jobs[1]
    answer, _ = converse(
        assistant,
        ("job_duties", f"what does a {job.title} do"),
        ("salary", "how much does it pay?"),
    )
    assert format_money(job.salary.amount, "GBP") in answer.reply.text


def test_ordinals_after_lists(assistant, career):
    answer, _ = converse(
        assistant, ("jobs", "what jobs are there"), ("follow_up", "the second one")
    )
    assert career.jobs[1].duties[0] in answer.reply.text
    answer, _ = converse(assistant, ("skills", "skills?"), ("follow_up", "the last one"))
    assert career.skills[-1].how_it_is_used in answer.reply.text


def test_tell_me_more_about_a_skill_after_the_list(assistant, career):
    answer, _ = converse(
        assistant, ("skills", "what skills do i need"), ("skill", "tell me more about empathy")
    )
    assert career.skill("empathy").how_it_is_used in answer.reply.text


def test_how_long_after_the_apprenticeship(assistant, career):
    apprenticeship = next(p for p in career.pathways if p.duration)
    answer, _ = converse(
        assistant,
        ("pathway", "tell me about the apprenticeship"),
        ("pathway_duration", "how long does it last?"),
    )
    assert f"{apprenticeship.duration.max_months} months" in answer.reply.text


def test_a_new_topic_resets_the_job(assistant):
    _, slots = converse(
        assistant, ("salary", "qa manager salary"), ("skills", "what skills do i need")
    )
    assert slots["job"] is None and slots["topic"] == "skills"


def test_follow_up_about_an_unknown_job_is_honest(assistant, career):
    answer, _ = converse(
        assistant, ("salary", "qa manager salary"), ("follow_up", "what about a pilot?")
    )
    assert "pilot" in answer.reply.text
    assert all(job.title in answer.reply.text for job in career.jobs)


def test_bare_follow_up_keeps_the_previous_question_whatever_nlu_says(assistant, career):
    job = next(j for j in career.jobs if "qa analyst" in j.aliases)
    # NLU labelled "and a QA analyst?" as a salary question, but duties were being discussed
    answer, _ = converse(
        assistant,
        ("job_duties", "what does an assembly technician do"),
        ("salary", "and a qa analyst?"),
    )
    assert job.duties[0] in answer.reply.text


def test_numbered_choice_after_a_list(assistant, career):
    answer, _ = converse(assistant, ("skills", "key skills?"), ("follow_up", "number 4"))
    assert career.skills[3].how_it_is_used in answer.reply.text


def test_ordinal_inside_a_salary_question(assistant, career):
    answer, _ = converse(
        assistant, ("jobs", "what jobs are there"), ("salary", "how much does the third one earn")
    )
    assert format_money(career.jobs[2].salary.amount, "GBP") in answer.reply.text


def test_comparison_with_that_after_a_salary(assistant, career):
    first, second = career.jobs[0], career.jobs[1]
    answer, _ = converse(
        assistant,
        ("salary", f"{first.title} salary"),
        ("salary_comparison", f"is a {second.title} paid more than that"),
    )
    gap = abs(first.salary.amount - second.salary.amount)
    assert format_money(gap, "GBP") in answer.reply.text


def test_highest_paid_becomes_the_job_under_discussion(assistant, career):
    best = max(career.jobs, key=lambda j: j.salary.amount)
    answer, _ = converse(
        assistant,
        ("salary_ranking", "which job pays best"),
        ("job_duties", "what does that role involve"),
    )
    assert best.duties[0] in answer.reply.text
