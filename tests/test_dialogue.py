"""What the assistant answers, checked against the knowledge file (no fact typed here)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from actions.answers import format_money
from actions.dialogue import Turn
from tests.conftest import known_amounts, money_in


def payloads(answer):
    return [b["payload"] for b in answer.reply.buttons]


def test_money_is_formatted_the_uk_way():
    assert format_money(42368, "GBP") == "£42,368"
    assert format_money(1234.5, "GBP") == "£1,234.50"


@pytest.mark.parametrize("index", range(4))
def test_salary_of_each_job(assistant, career, index):
    job = career.jobs[index]
    answer = assistant.salary(Turn(f"how much does a {job.aliases[-1]} earn?"))
    assert format_money(job.salary.amount, job.salary.currency) in answer.reply.text
    assert "per year" in answer.reply.text or "a year" in answer.reply.text
    assert job.salary.basis in answer.reply.text
    assert money_in(answer.reply.text) == [job.salary.amount]
    assert answer.slots["job"] == job.id


def test_salary_caveat_is_given_once_per_conversation(assistant, career):
    first = assistant.salary(Turn("qa manager salary"))
    assert career.source.year in first.reply.text and "varies" in first.reply.text
    later = assistant.salary(Turn("qa analyst salary", slots=first.slots))
    assert career.source.year not in later.reply.text


def test_follow_up_salary_uses_the_job_under_discussion(assistant, career):
    job = career.jobs[0]
    answer = assistant.salary(Turn("how much does it pay?", slots={"job": job.id}))
    assert format_money(job.salary.amount, job.salary.currency) in answer.reply.text


@pytest.mark.parametrize(
    "text",
    [
        "how much does a software engineer earn?",
        "what's the salary of a data scientist",
        "how much do nurses get paid",
    ],
)
def test_unknown_job_gets_an_honest_reply_and_no_figure(assistant, career, text):
    # even with another job under discussion, the new (unknown) subject wins
    answer = assistant.salary(Turn(text, slots={"job": career.jobs[0].id}))
    assert money_in(answer.reply.text) == []
    assert "don't have information" in answer.reply.text
    for job in career.jobs:
        assert job.title in answer.reply.text
    assert len(answer.reply.buttons) == len(career.jobs)
    assert answer.slots["job"] is None


def test_unknown_job_duties(assistant, career):
    answer = assistant.job_duties(Turn("what does a plumber do"))
    assert "plumber" in answer.reply.text
    assert all(job.title in answer.reply.text for job in career.jobs)


def test_salary_without_any_job_lists_all_figures(assistant, career):
    answer = assistant.salary(Turn("how much do production technicians earn?"))
    assert sorted(money_in(answer.reply.text)) == sorted(known_amounts(career))


def test_all_salaries(assistant, career):
    answer = assistant.all_salaries(Turn("salaries"))
    for job in career.jobs:
        assert f"{job.title}: {format_money(job.salary.amount, 'GBP')}" in answer.reply.text
    # The basis is the knowledge file's own words, first letter capitalised ("UK ...").
    basis = career.jobs[0].salary.basis
    assert answer.reply.text.startswith(basis[:1].upper() + basis[1:])


@pytest.mark.parametrize("index", range(4))
def test_job_duties(assistant, career, index):
    job = career.jobs[index]
    answer = assistant.job_duties(Turn(f"what does a {job.title} do"))
    for duty in job.duties:
        assert duty in answer.reply.text
    assert f'/ask_salary{{"job":"{job.id}"}}' in payloads(answer)


def test_duties_without_a_job_asks_which_with_buttons(assistant, career):
    answer = assistant.job_duties(Turn("what are the duties"))
    assert len(answer.reply.buttons) == len(career.jobs)


def test_jobs_list_offers_each_job(assistant, career):
    answer = assistant.jobs(Turn("what jobs can I do"))
    for job in career.jobs:
        assert job.title in answer.reply.text
        assert f'/ask_job_duties{{"job":"{job.id}"}}' in payloads(answer)


def test_skills_list_and_one_skill(assistant, career):
    listing = assistant.skills(Turn("what skills do i need"))
    for skill in career.skills:
        assert skill.name in listing.reply.text
    payload = payloads(listing)[3]
    skill_id = json.loads(payload[payload.index("{") :])["skill"]
    detail = assistant.skill(Turn(payload, entities={"skill": [skill_id]}))
    skill = career.skill(skill_id)
    assert skill.how_it_is_used in detail.reply.text
    assert detail.slots["skill"] == skill_id


def test_skill_example_is_given_where_the_article_has_one(assistant, career):
    with_example = next(s for s in career.skills if s.example)
    answer = assistant.skill(Turn(f"tell me about {with_example.name}"))
    assert with_example.example in answer.reply.text


def test_unknown_skill(assistant, career):
    answer = assistant.skill(Turn("tell me about juggling skills"))
    assert "juggling" in answer.reply.text
    assert all(s.name in answer.reply.text for s in career.skills)


def test_education_lists_both_pathways(assistant, career):
    answer = assistant.education(Turn("how do i train"))
    for pathway in career.pathways:
        assert pathway.name in answer.reply.text


def test_course_details(assistant, career):
    course = next(p for p in career.pathways if p.awards)
    answer = assistant.pathway(Turn("tell me about the city and guilds course"))
    assert course.regulator in answer.reply.text
    for award in course.awards:
        assert award in answer.reply.text
    assert course.leads_to_name in answer.reply.text


def test_apprenticeship_duration_entry_and_content(assistant, career):
    apprenticeship = next(p for p in career.pathways if p.duration)
    duration = assistant.pathway_duration(Turn("how long does it last?"))
    assert (
        f"{apprenticeship.duration.min_months} and {apprenticeship.duration.max_months} months"
        in (duration.reply.text)
    )
    entry = assistant.pathway_entry_requirements(Turn("entry requirements?"))
    assert apprenticeship.entry_requirements in entry.reply.text
    content = assistant.pathway_content(Turn("what do you learn", slots=duration.slots))
    for topic in apprenticeship.what_you_learn:
        assert topic in content.reply.text


def test_pathway_question_for_a_route_without_that_fact_says_so(assistant, career):
    course = next(p for p in career.pathways if not p.duration)
    answer = assistant.pathway_duration(Turn("how long", slots={"pathway": course.id}))
    assert "doesn't give" in answer.reply.text


def test_role_responsibilities_specialisations_and_source(assistant, career):
    assert career.role_summary in assistant.role(Turn("what do they do")).reply.text
    responsibilities = assistant.responsibilities(Turn("responsibilities")).reply.text
    assert all(r in responsibilities for r in career.responsibilities)
    specialisations = assistant.specialisations(Turn("specialise")).reply.text
    assert all(e in specialisations for e in career.specialisation_examples)
    source = assistant.source(Turn("source")).reply.text
    published = date.fromisoformat(career.source.published)
    assert career.source.author in source and f"{published.day} {published:%B %Y}" in source


def test_out_of_scope_names_what_is_covered_and_offers_buttons(assistant):
    answer = assistant.out_of_scope(Turn("what's the weather"))
    assert money_in(answer.reply.text) == []
    assert len(answer.reply.buttons) >= 3


@pytest.mark.parametrize(
    "method, text, subject",
    [
        ("salary", "how much does a production manager earn", "production manager"),
        ("all_salaries", "production technician pay in australia", "australia"),
        ("skills", "is teamwork an important skill for this", "teamwork"),
    ],
)
def test_a_subject_the_article_does_not_cover_is_named_not_answered(
    assistant, method, text, subject
):
    answer = getattr(assistant, method)(Turn(text))
    assert f'"{subject}"' in answer.reply.text
    assert money_in(answer.reply.text) == []


@pytest.mark.parametrize(
    "topic", ["role", "responsibilities", "specialisations", "jobs", "education"]
)
def test_another_job_is_declined_whichever_overview_nlu_picked(assistant, career, topic):
    # the overview's handler would answer with the career's own role, duties or routes
    answer = assistant.answer(topic, Turn("what does a welder need to know"))
    assert '"welder"' in answer.reply.text
    assert "don't have information" in answer.reply.text
    assert [b["payload"] for b in answer.reply.buttons] == [
        f'/ask_job_duties{{"job":"{job.id}"}}' for job in career.jobs
    ]


@pytest.mark.parametrize(
    "text",
    [
        "can a welder become a production technician?",  # the career is what is asked about
        "i'm a welder, what training would i need?",  # the job is the person's own
    ],
)
def test_a_job_named_as_a_background_is_not_declined(assistant, career, text):
    answer = assistant.answer("education", Turn(text))
    assert "don't have information" not in answer.reply.text
    assert all(p.name in answer.reply.text for p in career.pathways)


def test_career_name_is_not_an_unknown_subject(assistant, career):
    answer = assistant.all_salaries(Turn("what do production technicians earn in the uk"))
    assert sorted(money_in(answer.reply.text)) == sorted(known_amounts(career))


def test_misspelt_name_alone_is_answered_when_nlu_is_unsure(assistant, career):
    answer = assistant.unclear(Turn("atention to detial?", intent_ranking=[("nlu_fallback", 0.3)]))
    assert career.skill("attention_to_detail").how_it_is_used in answer.reply.text


def test_yes_no_about_the_work_quotes_the_responsibility(assistant, career):
    # NLU may hear "train" and pick the training routes; the responsibilities answer it
    answer = assistant.answer("education", Turn("do i have to report faults?"))
    assert answer.reply.text.startswith("Yes")
    assert any(r in answer.reply.text for r in career.responsibilities)


def test_yes_no_the_knowledge_does_not_settle_is_not_guessed(assistant):
    answer = assistant.answer("role", Turn("do production technicians work weekends?"))
    assert "doesn't say" in answer.reply.text


def test_a_route_question_keeps_its_own_answer(assistant, career):
    apprenticeship = next(p for p in career.pathways if p.what_you_learn)
    answer = assistant.answer(
        "pathway_content", Turn("will the apprenticeship teach me about workplace safety")
    )
    assert all(item in answer.reply.text for item in apprenticeship.what_you_learn)


def test_yes_no_answer_that_holds_the_thing_asked_leads_with_yes(assistant, career):
    skill = career.skills[3]
    answer = assistant.answer("skills", Turn(f"is {skill.name.lower()} one of the skills?"))
    assert answer.reply.text.startswith("Yes")
    assert skill.name in answer.reply.text


def test_yes_no_about_a_skill_the_article_lacks_leads_with_no(assistant):
    answer = assistant.answer("skills", Turn("is teamwork one of the skills?"))
    assert answer.reply.text.startswith("No")
    assert "teamwork" in answer.reply.text


def test_the_role_of_a_named_job_is_that_jobs_description(assistant, career):
    job = career.jobs[0]
    answer = assistant.answer("role", Turn(f"tell me about the {job.title} role"))
    assert job.duties[0] in answer.reply.text
    assert money_in(answer.reply.text) == [job.salary.amount]


def test_is_this_for_me_gets_the_passage_about_it(assistant, career):
    skill = next(s for s in career.skills if s.id == "critical_thinking")
    answer = assistant.answer("role", Turn("i love solving problems, would that help me?"))
    assert skill.name in answer.reply.text


def test_the_other_route(assistant, career):
    first, second = career.pathways
    answer = assistant.follow_up(Turn("and the other route?", slots={"pathway": first.id}))
    assert answer.slots["pathway"] == second.id


def test_average_and_difference_of_the_jobs_just_listed(assistant, career):
    listed = [career.jobs[2].id, career.jobs[3].id]
    slots = {"listed": listed, "topic": "salary"}
    average = assistant.average_salary(Turn("the mean of those two?", slots=slots))
    amounts = [career.job(i).salary.amount for i in listed]
    assert money_in(average.reply.text) == [round(sum(amounts) / 2)]
    gap = assistant.salary_comparison(
        Turn("how far apart are they, the difference between them", slots=slots)
    )
    assert abs(amounts[0] - amounts[1]) in money_in(gap.reply.text)


@pytest.mark.parametrize(
    "topic, text",
    [
        ("pathway_details", "how much does the course cost?"),
        ("role", "what are the working hours like?"),
        ("salary", "do apprentices get paid while they train?"),
    ],
)
def test_what_the_knowledge_has_no_field_for_is_not_said(assistant, topic, text):
    answer = assistant.answer(topic, Turn(text))
    assert "doesn't say" in answer.reply.text
    assert money_in(answer.reply.text) == []


def test_average_of_two_named_jobs(assistant, career):
    first, second = career.jobs[0], career.jobs[1]
    text = f"what is the average pay of the {first.title} and {second.title} roles?"
    answer = assistant.answer("salary", Turn(text))
    assert money_in(answer.reply.text) == [round((first.salary.amount + second.salary.amount) / 2)]


def test_a_question_naming_another_kind_of_subject_is_about_it_not_which_skill(assistant, career):
    # NLU took it for a skill question; it names a job and no skill
    job = career.jobs[0]
    answer = assistant.answer("skill", Turn(f"give me an example of what an {job.title} makes"))
    assert job.duties[0] in answer.reply.text
    assert answer.slots["job"] == job.id


def test_instead_of_which_route_the_passage_read_with_the_route_under_discussion(assistant, career):
    route = next(p for p in career.pathways if p.duration)
    before = assistant.answer("pathway_duration", Turn(f"how long is the {route.name}?"))
    # NLU took it for a skill question: "which skill?" would be no answer
    answer = assistant.answer(
        "skill", Turn("can that change, does it depend on something?", slots=before.slots)
    )
    assert route.duration.note in answer.reply.text
    assert answer.slots["pathway"] == route.id


def test_a_declined_question_keeps_the_subject_under_discussion(assistant, career):
    job = career.jobs[1]
    before = assistant.answer("salary", Turn(f"what does a {job.title} earn?"))
    declined = assistant.answer(
        "out_of_scope", Turn("can you recommend a pizza place", slots=before.slots)
    )
    assert declined.slots["topic"] == "out_of_scope" and declined.slots["job"] == job.id
    answer = assistant.answer("job_duties", Turn("what do they do?", slots=declined.slots))
    assert job.duties[0] in answer.reply.text


def test_a_source_question_naming_a_job_without_asking_about_the_article(assistant, career):
    job = career.jobs[0]
    answer = assistant.answer("source", Turn(f"who draws up the plans an {job.title} uses?"))
    assert job.duties[0] in answer.reply.text
    sourced = assistant.answer("source", Turn(f"where do the {job.title} figures come from?"))
    assert career.source.author in sourced.reply.text


def test_a_route_question_taken_for_pay_without_a_pay_word_gets_the_route(assistant, career):
    route = next(p for p in career.pathways if p.awards)
    answer = assistant.answer(
        "salary", Turn("how many awards are on it?", slots={"pathway": route.id})
    )
    assert all(award in answer.reply.text for award in route.awards)
    assert money_in(answer.reply.text) == []


def test_a_pay_follow_up_naming_no_job_gets_every_figure(assistant, career):
    answer = assistant.answer("follow_up", Turn("and across the UK?", slots={"topic": "salary"}))
    assert set(money_in(answer.reply.text)) == {j.salary.amount for j in career.jobs}


def test_an_overview_beside_the_point_gives_way_to_the_named_subjects_passage(assistant, career):
    skill = next(s for s in career.skills if s.id == "research")
    answer = assistant.answer("role", Turn(f"what theories might they {skill.name.split()[0]}"))
    assert skill.how_it_is_used in answer.reply.text
    overview = assistant.answer("role", Turn("what does a production technician do"))
    assert career.role_summary in overview.reply.text


def test_which_of_those_chooses_among_what_was_just_listed(assistant, career):
    listed = assistant.answer("skills", Turn("what skills do I need"))
    empathy = next(s for s in career.skills if s.id == "empathy")
    # NLU took it for the source question: the choice among the skills still decides
    answer = assistant.answer("source", Turn("which one is about customers?", slots=listed.slots))
    assert answer.slots["skill"] == empathy.id and empathy.what_it_is in answer.reply.text


def test_which_of_those_after_the_responsibilities_quotes_the_one_meant(assistant, career):
    before = assistant.answer("responsibilities", Turn("what are the responsibilities"))
    answer = assistant.answer(
        "education", Turn("which of those involve training colleagues?", slots=before.slots)
    )
    training = next(r for r in career.responsibilities if "colleagues" in r)
    assert training in answer.reply.text


def test_which_of_them_pays_most_is_still_computed(assistant, career):
    listed = assistant.answer("jobs", Turn("what jobs can I do"))
    answer = assistant.answer("salary", Turn("which of them pays most?", slots=listed.slots))
    best = max(career.jobs, key=lambda j: j.salary.amount)
    assert answer.slots["job"] == best.id


@pytest.mark.parametrize(
    "text", ["are these salary figures certain?", "is the qa manager pay fixed?"]
)
def test_asked_whether_pay_is_fixed_the_answer_is_no_and_what_it_depends_on(
    assistant, career, text
):
    answer = assistant.answer("all_salaries", Turn(text))
    assert answer.reply.text.startswith("No.")
    assert career.source.salary_note in answer.reply.text
    assert money_in(answer.reply.text) == []


def test_which_of_these_jobs_after_a_clause_about_the_person(assistant, career):
    job = next(j for j in career.jobs if any("car" in d.split() or "car." in d for d in j.duties))
    answer = assistant.answer(
        "jobs", Turn("my son loves his car, which of these jobs might suit him")
    )
    assert answer.slots["job"] == job.id


def test_someone_who_likes_a_subject_gets_the_passage_naming_it(assistant, career):
    route = next(
        p for p in career.pathways if p.entry_requirements and "science" in p.entry_requirements
    )
    answer = assistant.answer(
        "out_of_scope", Turn("i am 17 and i enjoy science at school, any ideas")
    )
    assert route.entry_requirements in answer.reply.text


@pytest.mark.parametrize(
    "text, verdict", [("does it always take 2 years", "No."), ("can it take 18 months?", "Yes.")]
)
def test_a_length_asked_about_gets_its_verdict(assistant, career, text, verdict):
    route = next(p for p in career.pathways if p.duration)
    answer = assistant.answer("pathway_duration", Turn(text, slots={"pathway": route.id}))
    assert answer.reply.text.startswith(verdict)
    assert str(route.duration.max_months) in answer.reply.text


def test_a_misspelt_question_word_does_not_stop_the_yes(assistant, career):
    answer = assistant.answer("skill", Turn("is empathy a skil they need"))
    assert answer.reply.text.startswith("Yes.") and answer.slots["skill"] == "empathy"


def test_a_source_question_without_a_word_about_the_article_is_read_in_context(assistant, career):
    job = career.jobs[0]
    before = assistant.answer("job_duties", Turn(f"what does an {job.title} do"))
    answer = assistant.answer(
        "source", Turn("and who draws up the blueprints they use?", slots=before.slots)
    )
    assert answer.slots["job"] == job.id and job.duties[0] in answer.reply.text
    sourced = assistant.answer("source", Turn("how do you know that?", slots=before.slots))
    assert career.source.author in sourced.reply.text


def test_what_pay_depends_on_after_the_figures(assistant, career):
    before = assistant.answer("salary", Turn("is that pay guaranteed?"))
    answer = assistant.answer("job_duties", Turn("what does that depend on?", slots=before.slots))
    assert career.source.salary_note in answer.reply.text


def test_a_yes_no_answer_missing_the_words_asked_gives_way_to_the_statement_holding_them(
    assistant, career
):
    # NLU took it for the specialisations, which say nothing about "before they go on sale"
    answer = assistant.answer(
        "specialisations",
        Turn("does a production technician check products before they go on sale?"),
    )
    assert answer.reply.text.startswith("Yes.") and career.role_summary in answer.reply.text


def test_a_question_about_a_job_heard_as_pay_but_asking_what_the_article_lacks(assistant):
    answer = assistant.answer("salary", Turn("which programming languages does a QA analyst use"))
    assert (
        answer.reply.text.startswith("The article doesn't say")
        and money_in(answer.reply.text) == []
    )
    paid = assistant.answer("salary", Turn("what does a QA analyst take home"))
    assert money_in(paid.reply.text)


def test_the_publishers_disclaimer_answers_an_affiliation_question_with_no(assistant, career):
    route = next(p for p in career.pathways if p.regulator)
    answer = assistant.answer(
        "pathway", Turn(f"is the publisher affiliated with {route.regulator}?")
    )
    assert answer.reply.text.startswith("No.") and career.source.disclaimer in answer.reply.text
    assert (
        career.source.disclaimer
        in assistant.answer("source", Turn("where is this from?")).reply.text
    )


@pytest.mark.parametrize(
    "topic, text",
    [
        ("salary", "is a QA manager paid more than an assembly technician?"),
        ("unclear", "which jobs earn above the average?"),
        ("skill", "do they train junior colleagues?"),
    ],
)
def test_a_turn_is_parsed_once(assistant, topic, text, monkeypatch):
    parse_once = assistant.resolver.nlp
    parsed = []
    pipeline = parse_once.nlp
    monkeypatch.setattr(parse_once, "nlp", lambda t: parsed.append(t) or pipeline(t))
    resolver = assistant.resolver
    analysed = []
    analyse = resolver._analyse_text
    monkeypatch.setattr(resolver, "_analyse_text", lambda t: analysed.append(t) or analyse(t))
    assistant.answer(topic, Turn(text))
    # parsed once, and its names matched against the aliases once, however many checks ask
    assert parsed.count(text.lower()) == 1
    assert analysed.count(text.lower()) == 1


def test_help_is_the_help_response(assistant):
    answer = assistant.answer("help", Turn("what can I ask you?"))
    assert answer.reply.response == "utter_help" and answer.slots == {}


def test_help_asking_for_an_example_after_a_skill_gets_its_example(assistant, career):
    skill = next(s for s in career.skills if s.example)
    before = assistant.answer("skill", Turn(f"tell me about {skill.name}"))
    answer = assistant.answer(
        "help", Turn("could you show me an example of that", slots=before.slots)
    )
    assert skill.example in answer.reply.text


def test_help_with_something_the_article_never_mentions_is_declined(assistant):
    answer = assistant.answer("help", Turn("can you help me with my geography essay"))
    assert "can't answer" in answer.reply.text


def test_the_career_named_alone_is_the_role(assistant, career):
    answer = assistant.answer("out_of_scope", Turn("what is a productoin technican"))
    assert career.role_summary in answer.reply.text


def test_a_yes_no_about_the_career_prefers_its_own_statement(assistant, career):
    training = next(r for r in career.responsibilities if r.startswith("Training"))
    answer = assistant.answer(
        "responsibilities", Turn("do production technicians train other staff?")
    )
    assert answer.reply.text.startswith("Yes.") and training in answer.reply.text
    # a job's duty holding more of the words asked still answers
    manager = next(j for j in career.jobs if j.id == "quality_assurance_manager")
    designed = assistant.answer("role", Turn("do they design the procedures staff follow?"))
    assert manager.duties[0] in designed.reply.text


def test_help_asking_about_the_article_is_the_source(assistant, career):
    answer = assistant.answer("help", Turn("what date did it come out, and who published it?"))
    assert career.source.author in answer.reply.text


def test_unsure_about_pay_for_a_job_the_article_lacks_names_that_job(assistant):
    answer = assistant.answer("unclear", Turn("what are plumbers paid"))
    assert '"plumbers"' in answer.reply.text and money_in(answer.reply.text) == []


def test_texting_shorthand_and_a_misspelt_certainty_word_still_ask_if_pay_is_fixed(
    assistant, career
):
    answer = assistant.answer("salary", Turn("r salaries garanteed?"))
    assert answer.reply.text.startswith("No.")
    assert career.source.salary_note in answer.reply.text
    assert money_in(answer.reply.text) == []
    # a certainty word with nothing about pay is not this question
    assert "national average" not in assistant.answer("out_of_scope", Turn("r u sure")).reply.text


@pytest.mark.parametrize("index", range(5))
def test_a_skill_described_in_everyday_words_is_that_skill(assistant, career, index):
    skill = career.skills[index]
    for words in skill.described_as:
        answer = assistant.answer("skill", Turn(f"I'm into {words}, would that help me?"))
        assert answer.reply.text.startswith(skill.name), words
        assert answer.slots["skill"] == skill.id


def test_a_skill_question_describing_no_skill_asks_which(assistant):
    answer = assistant.answer("skill", Turn("which skill do you mean"))
    assert "Which skill" in answer.reply.text and "skill" not in answer.slots


def test_an_unplaced_follow_up_pointing_back_is_about_the_subject_under_discussion(
    assistant, career
):
    route = next(p for p in career.pathways if p.leads_to_name)
    unsure = [("nlu_fallback", 0.3), ("ask_salary", 0.2), ("help", 0.15)]
    answer = assistant.answer(
        "unclear",
        Turn("and how do you get it?", slots={"pathway": route.id}, intent_ranking=unsure),
    )
    assert route.leads_to_name in answer.reply.text and answer.slots["pathway"] == route.id
    # with nothing under discussion, the same words get a clarification, not a guess
    alone = assistant.answer("unclear", Turn("and how do you get it?", intent_ranking=unsure))
    assert "Did you mean" in alone.reply.text


def test_a_yes_no_about_the_person_asking_is_answered_from_a_route(assistant, career):
    apprenticeship = next(p for p in career.pathways if p.kind == "apprenticeship")
    answer = assistant.answer("out_of_scope", Turn("can I have a job while I study?"))
    assert answer.reply.text.startswith("Yes.") and apprenticeship.summary in answer.reply.text


def test_a_yes_no_pointing_back_at_a_job_is_about_that_job(assistant, career):
    job = career.jobs[0]
    tested = next(d for d in job.duties if d.startswith("Test"))
    answer = assistant.answer(
        "out_of_scope", Turn("do they do any testing?", slots={"job": job.id})
    )
    assert answer.reply.text.startswith("Yes.") and tested in answer.reply.text


def test_a_message_is_read_once_and_the_reading_says_its_form(assistant):
    reading = assistant.read("r the salaries garanteed?")
    assert reading.yes_no and reading.certainty and reading.mentions_pay
    assert assistant.read("r the salaries garanteed?") is reading
    asking = assistant.read("can I study while I work?")
    assert asking.about_me and asking.yes_no and not asking.certainty
    assert assistant.read("and how long does it take?").points_back
    assert not assistant.read("how long is the apprenticeship?").points_back


def test_the_checks_before_the_routes_answer_before_nlus_topic(assistant, career):
    # NLU's topic (the jobs list) cannot answer pay for a place: the first check does
    answer = assistant.answer("jobs", Turn("what would a QA analyst be paid in Australia?"))
    assert money_in(answer.reply.text) == [] and "Australia" in answer.reply.text
