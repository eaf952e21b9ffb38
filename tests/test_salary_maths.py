"""Computed salary answers: every expected number is computed here from the knowledge file."""

from __future__ import annotations

import pytest

from actions import salary_maths
from actions.answers import format_money
from actions.dialogue import Turn
from tests.conftest import money_in


def by_pay(career):
    return sorted(career.jobs, key=lambda j: j.salary.amount)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("which jobs pay over £30,000?", 30000.0),
        ("anything above 30k", 30000.0),
        ("jobs under 25 grand", 25000.0),
        ("more than 40000 a year", 40000.0),
        ("level 3 course", None),
        ("anything under thirty thousand", 30000.0),
        ("over twenty-five grand", 25000.0),
        ("", None),
    ],
)
def test_parse_amount(text, expected):
    assert salary_maths.parse_amount(text) == expected


def test_highest_and_lowest(assistant, career):
    highest = assistant.salary_ranking(Turn("which job pays the most?")).reply.text
    assert by_pay(career)[-1].title.lower() in highest
    assert money_in(highest) == [by_pay(career)[-1].salary.amount]
    lowest = assistant.salary_ranking(Turn("which job pays least")).reply.text
    assert by_pay(career)[0].title.lower() in lowest


def test_ranking_lists_every_job_best_paid_first(assistant, career):
    text = assistant.salary_ranking(Turn("rank the jobs by salary")).reply.text
    assert money_in(text) == [j.salary.amount for j in reversed(by_pay(career))]


def test_comparison_gives_both_figures_and_the_difference(assistant, career):
    low, high = by_pay(career)[0], by_pay(career)[-1]
    answer = assistant.salary_comparison(Turn(f"does a {low.title} earn more than a {high.title}?"))
    gap = high.salary.amount - low.salary.amount
    assert money_in(answer.reply.text) == [high.salary.amount, low.salary.amount, gap]
    # a yes/no question gets its verdict first: the lower paid job does not earn more
    assert answer.reply.text.lower().startswith(f"no. a {high.title.lower()} earns")


def test_yes_no_about_one_job_and_an_amount(assistant, career):
    job = by_pay(career)[-1]
    above = assistant.salary_threshold(Turn(f"is the {job.title} salary over 40k?"))
    below = assistant.salary_threshold(Turn(f"does a {job.title} earn less than 40k?"))
    assert above.reply.text.startswith("Yes" if job.salary.amount > 40000 else "No")
    assert below.reply.text.startswith("No" if job.salary.amount > 40000 else "Yes")
    assert money_in(above.reply.text) == [job.salary.amount]


def test_comparison_with_the_job_under_discussion(assistant, career):
    first, second = career.jobs[0], career.jobs[1]
    answer = assistant.salary_comparison(
        Turn(f"is a {second.title} paid more?", slots={"job": first.id})
    )
    assert abs(second.salary.amount - first.salary.amount) in money_in(answer.reply.text)


@pytest.mark.parametrize(
    "word, keep", [("over", lambda a, t: a > t), ("below", lambda a, t: a < t)]
)
def test_above_or_below_an_amount(assistant, career, word, keep):
    threshold = sorted(j.salary.amount for j in career.jobs)[1] + 1
    answer = assistant.salary_threshold(Turn(f"which jobs pay {word} £{threshold:,.0f}?"))
    expected = sorted(j.salary.amount for j in career.jobs if keep(j.salary.amount, threshold))
    assert money_in(answer.reply.text) == [threshold] + expected


def test_no_job_above_an_amount_says_none(assistant, career):
    top = max(j.salary.amount for j in career.jobs)
    text = assistant.salary_threshold(Turn(f"jobs paying over {top + 1000:.0f}")).reply.text
    assert text.startswith("None of the")


def test_average_is_the_mean_of_the_figures(assistant, career):
    mean = round(sum(j.salary.amount for j in career.jobs) / len(career.jobs))
    text = assistant.average_salary(Turn("average salary across the jobs")).reply.text
    assert format_money(mean, "GBP") in text


def test_monthly_is_a_twelfth_and_says_it_is_approximate(assistant, career):
    job = career.jobs[2]
    text = assistant.salary_per_period(Turn("how much is that a month", slots={"job": job.id}))
    assert format_money(round(job.salary.amount / 12), "GBP") in text.reply.text
    assert "approximation" in text.reply.text


def test_highest_to_lowest_is_a_ranking_not_the_lowest(assistant, career):
    text = assistant.salary_ranking(Turn("salaries from highest to lowest")).reply.text
    assert len(money_in(text)) == len(career.jobs)


@pytest.mark.parametrize(
    "text, jobs_named, kind",
    [
        ("which jobs pay over £30,000?", 0, "salary_threshold"),
        ("anything less than 25k", 0, "salary_threshold"),
        ("qa analyst vs qa manager pay", 2, "salary_comparison"),
        ("is a qa manager paid more than that", 1, "salary_comparison"),
        ("how much is that a month", 0, "salary_per_period"),
        ("average salary across all the jobs", 0, "average_salary"),
        ("average salary for a qa manager", 1, None),
        ("which job pays the most", 0, "salary_ranking"),
        ("rank the jobs by salary", 0, "salary_ranking"),
        ("what do the jobs pay", 0, None),
        ("how much does a qa manager earn", 1, None),
    ],
)
def test_kind_of_salary_question(text, jobs_named, kind):
    assert salary_maths.kind_of_question(text, jobs_named) == kind


def test_salary_intents_route_to_the_computed_answer(assistant, career):
    mean = round(sum(j.salary.amount for j in career.jobs) / len(career.jobs))
    answer = assistant.all_salaries(Turn("what's the average pay across these jobs"))
    assert format_money(mean, "GBP") in answer.reply.text
    low, high = by_pay(career)[0], by_pay(career)[-1]
    answer = assistant.salary(Turn(f"{low.title} vs {high.title}"))
    gap = high.salary.amount - low.salary.amount
    assert format_money(gap, "GBP") in answer.reply.text


@pytest.mark.parametrize(
    "text, place", [("second best paid job", 1), ("the 3rd highest salary", 2)]
)
def test_a_place_in_the_ranking(career, text, place):
    reply, job = salary_maths.highest_or_lowest_or_ranking(career, text)
    assert job == sorted(career.jobs, key=lambda j: -j.salary.amount)[place]
    assert format_money(job.salary.amount, "GBP") in reply.text


@pytest.mark.parametrize(
    "text, kind",
    [("montly wage qa analist", "salary_per_period"), ("hihgest paying job", "salary_ranking")],
)
def test_misspelt_cue_words_choose_the_computation(text, kind):
    assert salary_maths.kind_of_question(text, 0) == kind


def test_a_comparison_gives_the_gap_in_pounds_per_cent_and_times(career):
    low, high = by_pay(career)[0], by_pay(career)[-1]
    text = salary_maths.compare(career, high, low).text
    gap = high.salary.amount - low.salary.amount
    assert format_money(gap, "GBP") in text
    assert f"{round(100 * gap / low.salary.amount)}% more" in text
    assert f"{high.salary.amount / low.salary.amount:.1f} times" in text


def test_weekly_pay_is_the_yearly_figure_over_52(assistant, career):
    job = career.jobs[3]
    answer = assistant.salary(Turn(f"what's a {job.title}'s weekly pay"))
    assert money_in(answer.reply.text) == [round(job.salary.amount / 52), job.salary.amount]
    assert "divided by 52" in answer.reply.text


def test_jobs_above_the_average(assistant, career):
    mean = sum(j.salary.amount for j in career.jobs) / len(career.jobs)
    answer = assistant.salary(Turn("which jobs pay more than the average"))
    above = [j for j in career.jobs if j.salary.amount > round(mean)]
    assert above and all(j.title in answer.reply.text for j in above)
    assert not any(j.title in answer.reply.text for j in career.jobs if j not in above)


def test_the_two_jobs_a_shared_word_names(assistant, career):
    pair = [j for j in career.jobs if j.title.lower().startswith("quality assurance")]
    answer = assistant.salary(Turn("mean pay of the quality assurance roles"))
    assert money_in(answer.reply.text) == [round(sum(j.salary.amount for j in pair) / 2)]
    other = assistant.answer(
        "follow_up",
        Turn("and the other QA role?", slots={"topic": "job_duties", "job": pair[0].id}),
    )
    assert other.slots["job"] == pair[1].id


def test_the_difference_between_the_two_jobs_just_answered_about(assistant, career):
    lowest = assistant.answer("salary", Turn("which job pays least"))
    highest = assistant.answer("follow_up", Turn("and the best paid?", slots=lowest.slots))
    gap = assistant.answer(
        "salary",
        Turn(
            "how big is the difference between those two?", slots={**lowest.slots, **highest.slots}
        ),
    )
    low, high = by_pay(career)[0], by_pay(career)[-1]
    assert format_money(high.salary.amount - low.salary.amount, "GBP") in gap.reply.text


def test_by_how_much_after_a_comparison(assistant, career):
    low, high = by_pay(career)[0], by_pay(career)[-1]
    compared = assistant.answer(
        "salary", Turn(f"is a {high.title} better paid than a {low.title}?")
    )
    answer = assistant.answer("salary", Turn("how much more a year?", slots=compared.slots))
    assert format_money(high.salary.amount - low.salary.amount, "GBP") in answer.reply.text


def test_add_them_together_after_two_jobs(assistant, career):
    first, second = career.jobs[1], career.jobs[0]
    one = assistant.answer("salary", Turn(f"what's the {first.title} salary"))
    two = assistant.answer("follow_up", Turn(f"and the {second.title}?", slots=one.slots))
    # NLU had no topic for it: after a pay answer, the wording still asks for a sum
    total = assistant.answer(
        "out_of_scope", Turn("both combined?", slots={**one.slots, **two.slots})
    )
    assert format_money(first.salary.amount + second.salary.amount, "GBP") in total.reply.text


def test_a_month_after_a_comparison_gives_both_and_the_gap(assistant, career):
    low, high = by_pay(career)[0], by_pay(career)[-1]
    compared = assistant.answer("salary", Turn(f"{high.title} vs {low.title}"))
    answer = assistant.answer("follow_up", Turn("and a month?", slots=compared.slots))
    gap = round((high.salary.amount - low.salary.amount) / 12)
    assert f"difference is about {format_money(gap, 'GBP')} a month" in answer.reply.text
    assert len(money_in(answer.reply.text)) == 5


def test_which_is_better_paid_after_two_job_descriptions(assistant, career):
    first, second = career.jobs[0], career.jobs[1]
    one = assistant.answer("job_duties", Turn(f"tell me about the {first.title} role"))
    two = assistant.answer("follow_up", Turn(f"what about the {second.title}?", slots=one.slots))
    answer = assistant.answer(
        "salary", Turn("which one earns more?", slots={**one.slots, **two.slots})
    )
    better = max(first, second, key=lambda j: j.salary.amount)
    assert answer.reply.text.startswith(
        f"{'An' if better.title[0] in 'AEIOU' else 'A'} {better.title.lower()}"
    )


def test_the_difference_between_two_named_jobs_is_their_work_and_pay(assistant, career):
    first, second = career.jobs[2], career.jobs[3]
    answer = assistant.answer(
        "salary", Turn(f"what's the difference between a {first.title} and a {second.title}")
    )
    assert first.duties[0] in answer.reply.text and second.duties[0] in answer.reply.text
    assert format_money(abs(first.salary.amount - second.salary.amount), "GBP") in answer.reply.text


def test_which_are_below_that_after_an_average(assistant, career):
    average = assistant.answer("all_salaries", Turn("what's the average pay across the jobs?"))
    answer = assistant.answer("unclear", Turn("which pay less than that?", slots=average.slots))
    mean = sum(j.salary.amount for j in career.jobs) / len(career.jobs)
    below = {j.title for j in career.jobs if j.salary.amount < round(mean)}
    assert below and all(title in answer.reply.text for title in below)
    assert not any(j.title in answer.reply.text for j in career.jobs if j.title not in below)


@pytest.mark.parametrize("text", ["senior production technician salary", "junior qa analyst pay"])
def test_pay_for_a_grade_the_article_lacks_is_declined(assistant, text):
    answer = assistant.answer("salary", Turn(text))
    assert "don't have information" in answer.reply.text and money_in(answer.reply.text) == []


def test_names_with_a_grade_word_stay_names(assistant, career):
    manager = next(j for j in career.jobs if "qa lead" in j.aliases)
    answer = assistant.answer("salary", Turn("what does a qa lead earn"))
    assert money_in(answer.reply.text)[0] == manager.salary.amount


def test_a_skill_name_used_as_a_job_title_gets_no_pay(assistant):
    # "data analyst" is a near miss of the data analysis skill, but asked as a job
    answer = assistant.answer("salary", Turn("what do data analysts get paid"))
    assert "don't have information" in answer.reply.text and money_in(answer.reply.text) == []


def test_pay_over_a_number_of_years(assistant, career):
    job = career.jobs[1]
    answer = assistant.answer("salary", Turn(f"what would a {job.title} make in four years"))
    assert money_in(answer.reply.text) == [job.salary.amount, job.salary.amount * 4]
    assert career.source.year in answer.reply.text and "no pay rises" in answer.reply.text
