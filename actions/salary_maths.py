"""Answers computed from the salary figures at answer time: never stored, never typed.

Highest and lowest paid, A against B, a ranking, jobs above or below an amount, the
average and a monthly equivalent, all from the numbers in the knowledge file.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from actions.answers import Reply, a_or_an, button, count_words, format_money, format_salary
from actions.knowledge import Career, Job
from actions.language import near_miss

# "£30,000", "30000", "30k", "£30.5k", "30 grand", "30 thousand"
_AMOUNT = re.compile(
    r"£?\s*(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b|grand\b|thousand\b)?", re.IGNORECASE
)
_BELOW_WORDS = ("below", "under", "less than", "lower than", "beneath", "at most", "fewer than")
_LOWEST_WORDS = ("lowest", "least", "worst", "bottom", "minimum", "smallest", "poorest")
_HIGHEST_WORDS = ("highest", "most", "best", "top", "maximum", "biggest", "richest")
_RANKING_WORDS = ("rank", "order", "sort", "list", "all the jobs", "each", "every")
_NUMBER_WORDS = {
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
_WORDED_THOUSANDS = re.compile(
    r"\b((?:" + "|".join(_NUMBER_WORDS) + r")(?:[\s-](?:" + "|".join(_NUMBER_WORDS) + r"))?)"
    r"\s+(?:thousand|grand|k)\b",
    re.IGNORECASE,
)


# A button that asks in words, so the same routing as a typed question ranks the jobs.
RANKING_BUTTON = {"title": "All jobs ranked by salary", "payload": "rank the jobs by salary"}
_COMPARISON = re.compile(
    r"\b(more than|less than|compared?|comparison|vs|versus|difference|better paid|"
    r"paid (more|less|better)|(earns?|makes?|gets?) (more|less)|than (that|a|an|the)|"
    r"by how much|how much (more|less))\b"
)
# "over 5 years", "in ten years' time": that many years of the yearly figure.
# "2", "two", "a": a small count in words or digits (a length, a number of years).
SMALL_NUMBER = r"\d+|an?|" + "|".join(_NUMBER_WORDS)
_YEARS = re.compile(rf"\b(?:over|in|for|across|after)\s+({SMALL_NUMBER})\s+years?\b")
_TOTAL = re.compile(r"\b(add|added|sum|total|combined|together|plus)\b")
_TOGETHER = re.compile(r"\b(them|those|these|both|the two|together)\b")
_MONTHLY = re.compile(r"\b(month|months|monthly|a month|per month|pcm)\b")
_WEEKLY = re.compile(r"\b(week|weeks|weekly|a week|per week|pw)\b")
# A year holds this many of each period; the per-period figure is the yearly one divided.
PERIODS = {"month": 12, "week": 52}
# "above the average", "which earn less than the mean?": the average is the threshold.
_BEYOND_WORDS = r"(above|over|below|under|more than|less than|higher than|lower than)"
_BEYOND = re.compile(rf"\b{_BEYOND_WORDS}\b")
# "which ones are below that?" after an average: the figure just given.
_BEYOND_THAT = re.compile(rf"\b{_BEYOND_WORDS}\s+(that|it|this)\b")
_AVERAGE = re.compile(r"\b(averag\w*|avg|mean)\b")
_ACROSS = re.compile(
    r"\b(across|all|overall|these|those|them|the lot|between|combined|each|salaries|jobs|roles)\b"
)
_RANKING = re.compile(
    r"\b(highest|lowest|most|least|best|worst|top|bottom|rank|ranked|ranking|order|"
    r"sorted?|max|maximum|min|minimum|biggest|smallest)\b"
)


# The words that choose a computation, so a misspelt one ("montly", "avrage", "hihgest")
# chooses it too; stricter than for names, so "different" stays itself.
_CUE_WORDS = (
    "monthly", "average", "highest", "lowest", "ranking", "compare", "difference", "versus",
    "second", "third",
)  # fmt: skip
_CUE_CUTOFF = 0.85
# "the second best paid", "third highest": a place in the ranking, counted from the top.
_PLACES = {"second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3}


# "are the salaries guaranteed?", "is that pay fixed?": the figures are averages.
_CERTAINTY = re.compile(
    r"\b(guarantee\w*|fixed|certain|definite\w*|promised|exact(ly)?|set in stone)\b"
)
_CERTAINTY_WORDS = ("guaranteed", "guarantee", "definite", "definitely", "promised", "certain")
_PAY = re.compile(r"\b(pay|paid|salary|salaries|earn\w*|wages?|income|money|make)\b")


def mentions_pay(text: str) -> bool:
    return bool(_PAY.search(text.lower()))


def asks_if_certain(text: str) -> bool:
    """ "guaranteed?", "fixed?", misspelt too ("gaurenteed"): whether something is certain.
    Whether it is the pay that is asked about is the caller's to know (NLU or `mentions_pay`)."""
    lowered = text.lower()
    if _CERTAINTY.search(lowered):
        return True
    long_words = [w for w in re.findall(r"[a-z]+", lowered) if len(w) >= 7]
    return any(near_miss(w, _CERTAINTY_WORDS) for w in long_words)


def corrected_cues(text: str) -> str:
    """`text` lower-cased, with words a letter or two off a cue word replaced by it."""
    words = []
    for word in re.findall(r"[\w£,.'-]+|\S", text.lower()):
        if len(word) >= 5 and word not in _CUE_WORDS and word.isalpha():
            best = process.extractOne(
                word,
                _CUE_WORDS,
                scorer=DamerauLevenshtein.normalized_similarity,
                score_cutoff=_CUE_CUTOFF,
            )
            word = best[0] if best else word
        words.append(word)
    return " ".join(words)


def kind_of_question(text: str, jobs_named: int) -> Optional[str]:
    """Which computed answer a salary question wants, from the words it uses.

    One intent per salary question keeps NLU simple; the specific computation is plain to
    see in the wording ("over £30k", "vs", "a month", "average across", "highest").
    Returns the `CareersAssistant` method name, or None for a plain salary question.
    """
    lowered = corrected_cues(text)
    if parse_amount(text) is not None:
        return "salary_threshold"
    if jobs_named == 0 and _AVERAGE.search(lowered) and _BEYOND.search(lowered):
        return "salary_threshold"  # "which jobs earn above the average?"
    if jobs_named == 0 and _BEYOND_THAT.search(lowered):
        return "salary_threshold"  # "which ones are below that?"
    if jobs_named == 1 and years_asked(text):
        return "salary_over_years"  # "what would an assembly technician earn over 5 years?"
    if _TOTAL.search(lowered) and (jobs_named >= 2 or _TOGETHER.search(lowered)):
        return "salary_total"  # "add them together", "the two combined"
    if jobs_named >= 2 and _AVERAGE.search(lowered):
        return "average_salary"  # "average pay of the assembly and manufacturing roles"
    if jobs_named >= 2 or _COMPARISON.search(lowered):
        return "salary_comparison"
    if _WEEKLY.search(lowered) or _MONTHLY.search(lowered):
        return "salary_per_period"
    if jobs_named == 0:
        if _AVERAGE.search(lowered) and _ACROSS.search(lowered):
            return "average_salary"
        if _RANKING.search(lowered):
            return "salary_ranking"
    return None


def highest_or_lowest_or_ranking(career: Career, text: str) -> Tuple[Reply, Optional[Job]]:
    """'which job pays best?', 'lowest paid job', 'rank the jobs by salary'.

    Returns the job named when the answer is about one (highest or lowest paid).
    """
    lowered = corrected_cues(text)
    wants_lowest = any(w in lowered for w in _LOWEST_WORDS)
    wants_highest = any(w in lowered for w in _HIGHEST_WORDS)
    place = next((_PLACES[w] for w in lowered.split() if w in _PLACES), None)
    if place is not None and place < len(career.jobs):
        return nth_paid(career, place, lowest_first=wants_lowest and not wants_highest)
    if any(w in lowered for w in _RANKING_WORDS) or (wants_lowest and wants_highest):
        return ranking(career), None
    if wants_lowest:
        return best_or_worst_paid(career, "lowest paid", min)
    return best_or_worst_paid(career, "best paid", max)


def best_or_worst_paid(career: Career, which: str, pick=max) -> Tuple[Reply, Job]:
    """The one job at the top (pick=max) or bottom (pick=min) of the pay scale."""
    job = pick(career.jobs, key=_amount)
    reply = Reply(
        f"The {which} of the {count_words(career.jobs)} jobs is {job.title.lower()}, at "
        f"{format_salary(job)} ({job.salary.basis}).",
        [RANKING_BUTTON, _duties_button(job)],
    )
    return reply, job


def nth_paid(career: Career, place: int, lowest_first: bool) -> Tuple[Reply, Job]:
    """'the second best paid job' (place 1 from the top), 'third lowest paid'."""
    ranked = sorted(career.jobs, key=_amount, reverse=not lowest_first)
    job = ranked[place]
    which = "lowest" if lowest_first else "best"
    ordinal = next(w for w, p in _PLACES.items() if p == place and w.isalpha())
    reply = Reply(
        f"The {ordinal} {which} paid of the {count_words(career.jobs)} jobs is "
        f"{job.title.lower()}, at {format_salary(job)} ({job.salary.basis}).",
        [RANKING_BUTTON, _duties_button(job)],
    )
    return reply, job


def ranking(career: Career) -> Reply:
    ranked = sorted(career.jobs, key=_amount, reverse=True)
    lines = [f"{i}. {job.title}: {format_salary(job)}" for i, job in enumerate(ranked, 1)]
    return Reply(
        f"The jobs from best to least well paid ({ranked[0].salary.basis}):\n" + "\n".join(lines),
        [_duties_button(job) for job in ranked],
    )


def compare(career: Career, first: Job, second: Job) -> Reply:
    if first.id == second.id:
        return Reply(
            f"Those are the same job: {a_or_an(first.title.lower())} earns {format_salary(first)}.",
            [_duties_button(first)],
        )
    higher, lower = sorted((first, second), key=_amount, reverse=True)
    gap = _amount(higher) - _amount(lower)
    # The gap three ways people ask for it: pounds, per cent, "how many times as much"
    return Reply(
        f"{a_or_an(higher.title.lower()).capitalize()} earns {format_salary(higher)} and "
        f"{a_or_an(lower.title.lower())} {format_salary(lower)}, "
        f"so the {higher.title.lower()} earns "
        f"{format_money(gap, higher.salary.currency)} more a year, about "
        f"{round(100 * gap / _amount(lower))}% more ({_amount(higher) / _amount(lower):.1f} "
        f"times as much; {higher.salary.basis} figures).",
        [_duties_button(higher), _duties_button(lower)],
    )


def is_paid_more(text: str, job: Job, than: float) -> bool | None:
    """The truth of "does <job> earn more (less) than <than>?", None if not asked which way."""
    lowered = corrected_cues(text)
    if any(w in lowered for w in _BELOW_WORDS) or re.search(r"\b(less|lower|worse)\b", lowered):
        return _amount(job) < than
    if re.search(r"\b(more|over|above|higher|better|exceed\w*)\b", lowered):
        return _amount(job) > than
    return None


def threshold_in(career: Career, text: str, earlier: float | None = None) -> float | None:
    """The amount a "which jobs pay over ...?" question sets: the sum it names, the
    average of every job when it asks about "the average", or `earlier` (the figure the
    last answer gave) for "below that"."""
    amount = parse_amount(text)
    if amount is None and _AVERAGE.search(corrected_cues(text)):
        amount = float(round(mean_salary(career.jobs)))
    if amount is None and _BEYOND_THAT.search(text.lower()):
        amount = earlier
    return amount


def jobs_beyond(career: Career, text: str, earlier: float | None = None) -> list[Job]:
    """The jobs paid above (or, with "under", "below"...) the amount in `text`."""
    amount = threshold_in(career, text, earlier)
    if amount is None:
        return []
    below = any(w in text.lower() for w in _BELOW_WORDS)
    return [j for j in career.jobs if (_amount(j) < amount if below else _amount(j) > amount)]


def above_or_below(career: Career, text: str, earlier: float | None = None) -> Reply | None:
    """'which jobs pay over £30,000?'; None when the text holds no amount."""
    amount = threshold_in(career, text, earlier)
    if amount is None:
        return None
    below = any(w in text.lower() for w in _BELOW_WORDS)
    matching = jobs_beyond(career, text, earlier)
    direction = "below" if below else "above"
    shown = format_money(amount, career.jobs[0].salary.currency)
    if not matching:
        return Reply(
            f"None of the {count_words(career.jobs)} jobs pays {direction} {shown} "
            f"({career.jobs[0].salary.basis}).",
            [RANKING_BUTTON],
        )
    lines = [f"• {job.title}: {format_salary(job)}" for job in sorted(matching, key=_amount)]
    return Reply(
        f"Jobs paying {direction} {shown} ({matching[0].salary.basis}):\n" + "\n".join(lines),
        [_duties_button(job) for job in matching],
    )


def average(career: Career, jobs: Sequence[Job] = ()) -> Reply:
    """The mean salary of `jobs` (by default every job), rounded to the pound."""
    jobs = list(jobs) or list(career.jobs)
    mean = mean_salary(jobs)
    which = (
        f"the {count_words(jobs)} jobs"
        if len(jobs) == len(career.jobs)
        else " and ".join(j.title.lower() for j in jobs)
    )
    return Reply(
        f"Averaged across {which}, the salary is "
        f"{format_money(round(mean), jobs[0].salary.currency)} a year "
        f"(the mean of their {jobs[0].salary.basis} figures, rounded to the pound).",
        [RANKING_BUTTON],
    )


def total(jobs: Sequence[Job]) -> Reply:
    """ "add them together": the yearly figures summed."""
    parts = " and ".join(f"{j.title.lower()} ({format_salary(j)})" for j in jobs)
    summed = sum(_amount(j) for j in jobs)
    return Reply(
        f"Together, {parts} come to {format_money(summed, jobs[0].salary.currency)} a year "
        f"({jobs[0].salary.basis} figures).",
        [RANKING_BUTTON],
    )


def number_from(word: str) -> int:
    """A count matched by SMALL_NUMBER: "12", "two", "a"."""
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 1)


def years_asked(text: str) -> int | None:
    """ "over 5 years" -> 5; one year is the yearly figure itself, not a sum."""
    found = _YEARS.search(text.lower())
    years = number_from(found.group(1)) if found else 0
    return years if years >= 2 else None


def over_years(career: Career, job: Job, years: int) -> Reply:
    """ "over 5 years": the yearly figure times the years, with what that leaves out."""
    summed = _amount(job) * years
    return Reply(
        f"At {format_salary(job)} ({job.salary.basis}, {career.source.year}), {years} years "
        f"come to "
        f"{format_money(summed, job.salary.currency)} before tax. That counts no pay rises, "
        "promotions or changes in the figures since the article was written.",
        [_duties_button(job)],
    )


def mean_salary(jobs: Sequence[Job]) -> float:
    return sum(_amount(j) for j in jobs) / len(jobs)


def period_asked(text: str) -> str:
    """'week' for "weekly pay", 'month' for "a month", else ''."""
    lowered = corrected_cues(text)
    return "week" if _WEEKLY.search(lowered) else "month" if _MONTHLY.search(lowered) else ""


def per_period(career: Career, jobs: Sequence[Job], period: str = "month") -> Reply:
    """Each job's yearly figure as a monthly (or weekly) one."""
    per_year = PERIODS[period]
    lines = [
        f"{job.title}: about {format_money(round(_amount(job) / per_year), job.salary.currency)} "
        f"a {period} ({format_salary(job)})"
        for job in jobs
    ]
    body = lines[0] if len(lines) == 1 else "\n".join(f"• {line}" for line in lines)
    if len(jobs) == 2:
        gap = round(abs(_amount(jobs[0]) - _amount(jobs[1])) / per_year)
        body += (
            f"\nThe difference is about {format_money(gap, jobs[0].salary.currency)} a {period}."
        )
    return Reply(
        f"{body}\nThat is the yearly figure divided by {per_year}, so only an approximation: "
        "it takes no account of tax, bonuses or how the employer pays.",
        [_duties_button(job) for job in jobs],
    )


def parse_amount(text: str) -> float | None:
    """The first sum of money in `text`: '£30,000', '30k', 'thirty thousand' -> 30000.0."""
    worded = _WORDED_THOUSANDS.search(text)
    if worded:
        parts = re.split(r"[\s-]+", worded.group(1).lower())
        return float(sum(_NUMBER_WORDS[p] for p in parts) * 1000)
    for match in _AMOUNT.finditer(text):
        number = float(match.group(1).replace(",", ""))
        if match.group(2):
            number *= 1000
        if number >= 100:  # "level 3", "5 GCSEs" are not salaries
            return number
    return None


def _amount(job: Job) -> float:
    return float(job.salary.amount)


def _duties_button(job: Job):
    return button(f"{job.title}: duties", "ask_job_duties", job=job.id)
