"""Replies built from the knowledge: plain Python, no Rasa, so tests call it directly.

Every figure and fact in a reply is read from a `Career`; nothing here states a fact of
its own. Replies that list things offer buttons for the next likely question; a button's
payload is an intent with its entity, e.g. `/ask_salary{"job":"qa_manager_id"}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, List, Sequence

from actions.knowledge import Career, Job, Pathway, Skill

_MONEY = re.compile(r"£\s?\d[\d,]*(?:\.\d+)?")
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
PERIOD_WORDS = {"year": "a year", "month": "a month", "week": "a week", "hour": "an hour"}
# The channels' cap (channels/limits.py DEFAULT_MAX_MESSAGE_LENGTH, a test keeps them equal),
# again here because the action server does not import Rasa: a request posted past the
# channels gets no NLP on a 30,000-word text.
MAX_MESSAGE_LENGTH = 500

# Questions back to the user: the reply's first words, so that the content team's report
# (reporting/turns.py) can tell a clarification from an answer without copying the wording.
WHICH_JOB = "Which job do you mean?"
WHICH_SKILL = "Which skill would you like to know about?"
WHICH_PATHWAY = "Which training route do you mean?"
NOT_UNDERSTOOD = "I'm not sure I understood. Did you mean one of these?"
WHICH_FOLLOW_UP = "Which one do you mean? Pick a topic to carry on."
CLARIFYING_QUESTIONS = (WHICH_JOB, WHICH_SKILL, WHICH_PATHWAY, NOT_UNDERSTOOD, WHICH_FOLLOW_UP)


@dataclass
class Reply:
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    # A response of domain.yml to send instead of `text` (the help keeps its one wording).
    response: str | None = None


def button(title: str, intent: str, **entities: str) -> Dict[str, str]:
    payload = f"/{intent}" + (json.dumps(entities, separators=(",", ":")) if entities else "")
    return {"title": title, "payload": payload}


def too_long(length: int) -> Reply:
    return Reply(
        f"Sorry, that message is too long for me ({length} characters). "
        f"Please ask again in {MAX_MESSAGE_LENGTH} characters or fewer."
    )


# --- the role -------------------------------------------------------------------------


def role(career: Career) -> Reply:
    return Reply(
        f"{career.role_summary}\n\n{career.duty_summary}",
        [
            button("Skills needed", "ask_skills"),
            button("Jobs and salaries", "ask_jobs"),
            button("Responsibilities", "ask_responsibilities"),
        ],
    )


def specialisations(career: Career) -> Reply:
    examples = _join_and(career.specialisation_examples)
    return Reply(
        f"{career.specialisation_summary} The article's examples are {examples}.",
        [button("What the role involves", "ask_role"), button("Jobs and salaries", "ask_jobs")],
    )


def responsibilities(career: Career) -> Reply:
    return Reply(
        f"The core responsibilities of {a_or_an(career.title.lower())} "
        f"({count_words(career.responsibilities)}):\n{_bullets(career.responsibilities)}",
        [button("Skills needed", "ask_skills"), button("Jobs and salaries", "ask_jobs")],
    )


def source(career: Career) -> Reply:
    s = career.source
    return Reply(
        f'Everything I say comes from "{s.title}" by the {s.author} ({s.publisher}), '
        f"published {_long_date(s.published)}. {s.salary_note}"
        + (f" {s.disclaimer}" if s.disclaimer else ""),
        [button("Jobs and salaries", "ask_jobs")],
    )


# --- skills -----------------------------------------------------------------------------


def skills(career: Career) -> Reply:
    lines = [f"{s.name}: {s.what_it_is}" for s in career.skills]
    return Reply(
        f"{count_words(career.skills).capitalize()} skills help {a_or_an(career.title.lower())}:\n"
        f"{_bullets(lines)}\nAsk about any of them to hear how it is used on the job.",
        [button(s.name, "ask_skill", skill=s.id) for s in career.skills],
    )


def skill(career: Career, item: Skill) -> Reply:
    text = f"{item.name}: {item.what_it_is}\n\nOn the job: {item.how_it_is_used}"
    if item.example:
        text += f"\n\nFor example: {item.example}"
    others = [s for s in career.skills if s.id != item.id]
    return Reply(text, [button(s.name, "ask_skill", skill=s.id) for s in others])


def unknown_skill(career: Career, asked: str) -> Reply:
    return Reply(
        f"The article doesn't cover {_quoted(asked)} as a skill for "
        f"{a_or_an(career.title.lower())}. "
        f"The skills it does cover are {_join_and([s.name for s in career.skills])}.",
        [button(s.name, "ask_skill", skill=s.id) for s in career.skills],
    )


def which_skill(career: Career) -> Reply:
    return Reply(
        WHICH_SKILL,
        [button(s.name, "ask_skill", skill=s.id) for s in career.skills],
    )


# --- education --------------------------------------------------------------------------


def education(career: Career) -> Reply:
    lines = [f"{p.name}: {p.summary}" for p in career.pathways]
    return Reply(
        f"The article describes {count_words(career.pathways)} ways to train:\n{_bullets(lines)}",
        [button(p.name, "ask_pathway", pathway=p.id) for p in career.pathways],
    )


def pathway(career: Career, item: Pathway) -> Reply:
    parts = [f"{item.name}: {item.summary}"]
    if item.regulator:
        parts.append(f"It is regulated by {item.regulator}.")
    if item.entry_requirements:
        parts.append(f"Entry: {item.entry_requirements}")
    if item.duration:
        parts.append(f"Length: {_duration(item)}")
    parts.append(_content(item))
    return Reply("\n\n".join(parts), _pathway_buttons(career, item))


def pathway_duration(career: Career, item: Pathway) -> Reply:
    if not item.duration:
        return _not_stated(career, item, "how long it takes")
    return Reply(f"The {item.name} lasts {_duration(item)}", _pathway_buttons(career, item))


def pathway_entry_requirements(career: Career, item: Pathway) -> Reply:
    if not item.entry_requirements:
        return _not_stated(career, item, "entry requirements")
    return Reply(
        f"Entry requirements for the {item.name}: {item.entry_requirements}",
        _pathway_buttons(career, item),
    )


def pathway_content(career: Career, item: Pathway) -> Reply:
    return Reply(_content(item), _pathway_buttons(career, item))


def unknown_pathway(career: Career, asked: str) -> Reply:
    return Reply(
        f"The article doesn't describe {_quoted(asked)}. The training routes it covers are "
        f"{_join_and([p.name for p in career.pathways])}.",
        [button(p.name, "ask_pathway", pathway=p.id) for p in career.pathways],
    )


def which_pathway(career: Career, intent: str) -> Reply:
    return Reply(
        WHICH_PATHWAY,
        [button(p.name, intent, pathway=p.id) for p in career.pathways],
    )


def pathway_with(career: Career, attribute: str) -> Pathway | None:
    """The pathway a question must mean when only one has the `attribute` asked about."""
    having = [p for p in career.pathways if getattr(p, attribute)]
    return having[0] if len(having) == 1 else None


def _content(item: Pathway) -> str:
    if item.awards:
        regulator = f" (regulated by {item.regulator})" if item.regulator else ""
        text = (
            f"On the {item.name}{regulator} you study for {count_words(item.awards)} awards:\n"
            f"{_bullets(item.awards)}"
        )
        if item.leads_to_name:
            text += f"\nAfter them you can gain the {item.leads_to_name}. {item.leads_to_summary}"
        return text
    return f"On the {item.name} you learn:\n{_bullets(item.what_you_learn)}"


def _duration(item: Pathway) -> str:
    d = item.duration
    return f"between {d.min_months} and {d.max_months} months. {d.note}"


def _not_stated(career: Career, item: Pathway, what: str) -> Reply:
    return Reply(
        f"The article doesn't give {what} for the {item.name}.",
        _pathway_buttons(career, item),
    )


def _pathway_buttons(career: Career, item: Pathway) -> List[Dict[str, str]]:
    buttons = [button("What you learn", "ask_pathway_content", pathway=item.id)]
    if item.duration:
        buttons.append(button("How long it takes", "ask_pathway_duration", pathway=item.id))
    if item.entry_requirements:
        buttons.append(
            button("Entry requirements", "ask_pathway_entry_requirements", pathway=item.id)
        )
    buttons += [button(p.name, "ask_pathway", pathway=p.id) for p in career.pathways if p != item]
    return buttons


# --- jobs and salaries ------------------------------------------------------------------


def jobs(career: Career) -> Reply:
    lines = [f"{j.title}: {format_salary(j)}" for j in career.jobs]
    return Reply(
        f"The article lists {count_words(career.jobs)} jobs open to "
        f"{a_or_an(career.title.lower())}, with their {_salary_basis(career)} salaries:\n"
        f"{_bullets(lines)}\nAsk what any of them involves.",
        [button(f"{j.title}: duties", "ask_job_duties", job=j.id) for j in career.jobs],
    )


def job_duties(career: Career, job: Job) -> Reply:
    # A job's description says what it pays too: "tell me about the X role" asks both.
    return Reply(
        f"What {a_or_an(job.title.lower())} does:\n{_bullets(job.duties)}\n"
        f"Pay: {format_salary(job)} ({job.salary.basis}).",
        [button(f"{job.title}: salary", "ask_salary", job=job.id)]
        + _other_jobs(career, job, "ask_job_duties"),
    )


def two_jobs(first: Job, second: Job, pay: Reply) -> Reply:
    """Two jobs side by side: what each does, then how their pay compares."""
    described = "\n".join(
        f"What {a_or_an(job.title.lower())} does:\n{_bullets(job.duties)}"
        for job in (first, second)
    )
    return Reply(f"{described}\nPay: {pay.text}", pay.buttons)


def pay_not_fixed(career: Career) -> Reply:
    """ "Are the salaries guaranteed?": no, they are averages; what real pay depends on."""
    return Reply(
        f"No. The figures are {career.jobs[0].salary.basis} figures, not what any one job "
        f"pays. {career.source.salary_note}",
        [button("Jobs and salaries", "ask_jobs")],
    )


def salary(career: Career, job: Job, with_caveat: bool) -> Reply:
    text = (
        f"{a_or_an(job.title.lower()).capitalize()} earns {format_salary(job)} on average "
        f"({job.salary.basis})."
    )
    if with_caveat:
        text += " " + salary_caveat(career)
    return Reply(
        text,
        [button(f"{job.title}: duties", "ask_job_duties", job=job.id)]
        + _other_jobs(career, job, "ask_salary"),
    )


def all_salaries(career: Career, with_caveat: bool) -> Reply:
    lines = [f"{j.title}: {format_salary(j)}" for j in career.jobs]
    basis = _salary_basis(career)
    # Capitalise the first letter only: "UK national average", never "Uk national ...".
    text = f"{basis[:1].upper()}{basis[1:]} salaries:\n{_bullets(lines)}"
    if with_caveat:
        text += "\n" + salary_caveat(career)
    return Reply(
        text, [button(f"{j.title}: duties", "ask_job_duties", job=j.id) for j in career.jobs]
    )


def salary_caveat(career: Career) -> str:
    s = career.source
    return (
        f"(These are {s.publisher}'s figures from {s.year}, when the article was written; "
        "actual pay varies with the employer and your experience, qualifications and location.)"
    )


def unknown_place(career: Career, place: str) -> Reply:
    s = career.source
    return Reply(
        f"The article doesn't cover pay in {_quoted(place)}: it gives only "
        f"{_salary_basis(career)} salaries from {s.year}, no figures for other countries or "
        "for particular towns.",
        [button("Jobs and salaries", "ask_all_salaries")],
    )


def unknown_job(career: Career, asked: str, intent: str) -> Reply:
    return Reply(
        f"I don't have information about {_quoted(asked)}: the article only covers "
        f"{count_words(career.jobs)} jobs for {a_or_an(career.title.lower())}: "
        f"{_join_and([j.title for j in career.jobs])}. I won't guess at other roles.",
        [button(j.title, intent, job=j.id) for j in career.jobs],
    )


def which_job(career: Career, intent: str) -> Reply:
    return Reply(WHICH_JOB, [button(j.title, intent, job=j.id) for j in career.jobs])


def format_salary(job: Job) -> str:
    return (
        f"{format_money(job.salary.amount, job.salary.currency)} {PERIOD_WORDS[job.salary.period]}"
    )


def amounts_in(text: str) -> List[float]:
    """Every £ amount in a reply, as numbers: how tests and the evaluation spot figures."""
    return [float(m.replace("£", "").replace(",", "").strip()) for m in _MONEY.findall(text)]


def format_money(amount: float, currency: str) -> str:
    """UK style: £42,368 (pence only when there are any)."""
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    shown = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{symbol}{shown}"


def _salary_basis(career: Career) -> str:
    bases = {j.salary.basis for j in career.jobs}
    return bases.pop() if len(bases) == 1 else "average"


def _other_jobs(career: Career, job: Job, intent: str) -> List[Dict[str, str]]:
    return [button(j.title, intent, job=j.id) for j in career.jobs if j.id != job.id]


# --- conversation -----------------------------------------------------------------------


def out_of_scope(career: Career) -> Reply:
    return Reply(
        f"I can only help with what one careers article says about becoming "
        f"{a_or_an(career.title.lower())}: the role, {count_words(career.skills)} key skills, "
        f"{count_words(career.pathways)} training routes, {count_words(career.jobs)} jobs with UK "
        f"salaries, and the day-to-day responsibilities. I can't answer other questions "
        f"without making things up. Where would you like to start?",
        start_buttons(),
    )


def start_buttons() -> List[Dict[str, str]]:
    return [
        button("What the role involves", "ask_role"),
        button("Skills needed", "ask_skills"),
        button("Training routes", "ask_education"),
        button("Jobs and salaries", "ask_jobs"),
    ]


# --- helpers ----------------------------------------------------------------------------


def a_or_an(noun: str) -> str:
    """'a quality assurance manager', 'an assembly technician'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def count_words(items: Sequence) -> str:
    return NUMBER_WORDS[len(items)] if len(items) < len(NUMBER_WORDS) else str(len(items))


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def _join_and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _quoted(words: str, limit: int = 40) -> str:
    """Echo what the user asked about, cut short so a pasted essay is not repeated back."""
    words = " ".join(words.split())
    return f'"{words if len(words) <= limit else words[: limit - 1] + "…"}"'


def _long_date(iso: str) -> str:
    published = date.fromisoformat(iso)
    return f"{published.day} {published:%B %Y}"


# How a clarifying button names each intent ("Did you mean ...?").
INTENT_TITLES = {
    "ask_role": "What the role involves",
    "ask_specialisations": "Products you can specialise in",
    "ask_responsibilities": "Responsibilities",
    "ask_skills": "Skills needed",
    "ask_skill": "About one skill",
    "ask_education": "Training routes",
    "ask_pathway": "About a training route",
    "ask_pathway_duration": "How long training takes",
    "ask_pathway_entry_requirements": "Entry requirements",
    "ask_pathway_content": "What you learn in training",
    "ask_jobs": "Jobs you can do",
    "ask_job_duties": "What a job involves",
    "ask_salary": "Salary of a job",
    "ask_all_salaries": "All salaries",
    "ask_monthly_salary": "Monthly pay",
    "ask_source": "Where the information comes from",
}


def passage(section: str, text: str) -> Reply:
    return Reply(f'From the article\'s section "{section}": {text}', start_buttons())


def yes_from(section: str, statement: str, denies: bool = False) -> Reply:
    """A yes/no question the knowledge answers: the statement that says so, led by "Yes"
    or, for a statement that denies something (the publisher's disclaimer), "No"."""
    verdict = "No" if denies else "Yes"
    return Reply(
        f'{verdict}. From the article\'s section "{section}": {statement}', start_buttons()
    )


def not_said(career: Career) -> Reply:
    return Reply(
        f"The article doesn't say. It covers the role of {a_or_an(career.title.lower())}, "
        "its skills, training routes, jobs with salaries and responsibilities.",
        start_buttons(),
    )


def did_you_mean(intents: Sequence[str], entities: Dict[str, str]) -> Reply:
    return Reply(
        NOT_UNDERSTOOD,
        [button(INTENT_TITLES[intent], intent, **entities) for intent in intents],
    )


def which_follow_up(career: Career) -> Reply:
    return Reply(WHICH_FOLLOW_UP, start_buttons())
