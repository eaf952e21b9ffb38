"""What to answer for each question, given the turn and the conversation so far.

Plain Python over the knowledge: the Rasa action classes in `actions.actions` only turn a
tracker into a `Turn`, call one method here and dispatch the `Answer`.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from actions import answers, salary_maths
from actions.answers import Reply
from actions.knowledge import Career
from actions.language import OCCUPATION_WORDS, EntityResolver, Mention, near_miss
from actions.retrieval import MIN_COVERAGE, Match, PassageFinder, statements_of, subjects_of

# Words that are part of asking, not of naming a job, skill or course. Whatever else a
# question holds, once known names and stop words are gone, is something we do not cover.
QUESTION_WORDS = frozenset(
    """
    salary salaries pay paid payment earn earning earnings wage wages income money average
    annual annually yearly year month monthly week hour uk national typical typically much
    make get job jobs role roles position career work working do duty duties responsibility
    responsibilities responsible involve task tasks day daily tell know explain describe
    info information detail details want like need skill skills learn learning course
    courses pathway pathways route routes qualification qualifications study studying long
    take last duration entry requirement requirements require gcse gcses level start
    starting become becoming pound pounds per annum compare comparison difference mean use
    used useful important good example help rate figure range expect offer usually
    normally thing things stuff main primary key core hey hi hello please thanks thank ok
    okay want wanna gonna kind sort type actually exactly day-to-day earn? pay? good bad
    best worst high low higher lower salary? right currently now today bring home gross
    net before tax look looks entail entails consist involves involved need needed
    expected expect required require requires mean means meaning exactly about more
    detail detailed training train trained qualify qualified apply applying lot roughly
    approximately approx around estimate rough ballpark going rate soft hard technical
    essential transferable personal quality qualities ability abilities trait traits
    option options number role article mention mentioned list cover covered uk britain
    british england english rank ranking order sorted compare compared versus highest
    lowest best worst top bottom mean median sum total month week gross salary wage earn
    earning stuff probably maybe guess tell give show explain thing anything something
    regulate regulator regulated accredit accredited awarding body run different various
    """.split()
)


@dataclass
class Turn:
    """What the action server knows about the current user turn."""

    text: str
    entities: Dict[str, List[str]] = field(default_factory=dict)
    slots: Dict[str, Any] = field(default_factory=dict)
    # Intents NLU considered, most likely first, with their confidence.
    intent_ranking: List[Tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Reading:
    """What one message says, read once (`CareersAssistant.read`) and shared by every check
    and handler of the turn: what it names, what it asks about, the form of the question."""

    mentions: Tuple[Mention, ...]  # the jobs, skills and routes it names, misspelt too
    unknown_subject: str  # a job, skill, course or place the knowledge lacks, or ''
    unknown_job: str  # "what does a nurse do?": a job the knowledge lacks, asked about
    asked: frozenset  # lemmas asked about: not names, words of asking or the career's name
    mentions_pay: bool
    place: str  # "in London": a place the figures are not for
    unsaid_attribute: str  # "fees": a thing the knowledge has no field for
    graded_title: str  # "senior production technician": a job the article gives no figure for
    yes_no: bool  # "do they ...?", "r the ...?"
    about_me: bool  # "can I ...?"
    points_back: bool  # "it", "they", "and ...?"
    suits: bool  # "would that help?", "I'm good at ..."
    certainty: bool  # "guaranteed?", "fixed?"


@dataclass
class Answer:
    reply: Reply
    slots: Dict[str, Any] = field(default_factory=dict)


# NLU torn between these two is still sure it is about pay: one answer serves both.
SALARY_INTENTS = {"ask_salary", "ask_all_salaries"}
# NLU unsure between one of these and another: the wording may still ask for a computed
# figure ("jobs under 35k?": the jobs list or the salaries).
_MAYBE_PAY_INTENTS = {"ask_salary", "ask_all_salaries", "ask_monthly_salary", "ask_jobs"}
# An intent below this confidence is not worth offering as "did you mean ...?".
CLARIFY_MIN_CONFIDENCE = 0.1

# "do they train staff?", "is reporting faults part of it?": asked to be confirmed.
_YES_NO = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?(?:do|does|did|is|are|was|will|would|should|must|can|could|"
    r"have|has|am)\b(?!.*\b(?:how|what|which|when|where|who|why)\b)"
)
# A statement must match this well to confirm a yes/no question; one of the subject's own
# statements (the career's, or the named job's) this well, once some statement passed.
YES_MIN_SCORE = 0.3
OWN_MIN_SCORE = 0.2
# A yes/no question about the person asking ("can I ...?", "do I have to ...?"): about
# what a route asks for and gives, not about the work itself.
_ABOUT_ME = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?(?:do|can|could|will|would|should|must|am|have)\s+i\b"
)
# Texting forms of the words a yes/no question starts with: "r the salaries fixed?"
_SHORTHAND = {"r": "are", "u": "you", "ur": "your"}
# Readings kept (`CareersAssistant.read`): a turn's text and the few built from it.
_READINGS_KEPT = 64


# Topics whose answer is a list beside the point of a yes/no question about the work ("do
# they train colleagues?" is not asking for the training routes): a matching duty or
# responsibility answers it instead. Topics whose answer already holds the yes (a route's
# content, specialisations) or a figure (pay, length, entry) keep their own answer.
_YES_NO_TOPICS = frozenset(
    "role responsibilities skills education jobs job_duties out_of_scope unclear".split()
)
# Where NLU had no topic, or a question about the work asks about something the knowledge
# never mentions ("do they work weekends?"), nothing confirms it: "the article doesn't
# say", not a guess.
_NOT_SAID_TOPICS = frozenset({"out_of_scope", "unclear"})
_WORK_TOPICS = frozenset({"role", "responsibilities", "job_duties"})
# Overviews of the career, whose handlers answer whatever job is named: for a question about
# another job ("what does a nurse do?", "what training does a chef need?") that answer
# would be the career's, so it is declined instead, whichever of these NLU picked.
_CAREER_WIDE_TOPICS = frozenset("role responsibilities specialisations jobs education".split())
# "I'm a nurse, could I retrain?": the job named is the person's own, not the one asked about.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|my|me)\b")
# "Is this for me?" questions: the passage nearest to what the person says about themselves
# (a skill, a duty, who the role suits) answers them, at a lower bar than other passages
# because they are mostly about the person, not the article's words.
_SUITS = re.compile(
    r"\b(suits?|fits?|for me|right for|good fit|would that help|will that help|useful for|"
    r"good at|i'm good|im good|(?:i|i'm|im)\b[\w\s']{0,20}\b(?:like|love|enjoy|into|care about))\b"
)
# Only where NLU's topic misses the point (the role, the jobs list, or none); a skill or
# route question keeps its own answer.
_SUITS_TOPICS = frozenset({"role", "jobs", "out_of_scope", "unclear"})
SUITS_MIN_SCORE = 0.15
# A skill question naming no skill is matched, on its own words alone, against everything
# said about each skill: one shared word in a long description scores about this.
DESCRIBED_MIN_SCORE = 0.1
SUITS_MIN_COVERAGE = 0.3
# Replies that say the article lacks something.
_DECLINE_WORDS = ("doesn't cover", "doesn't describe", "don't have information", "doesn't give")
_PAY_TOPICS = frozenset({"salary", "all_salaries", "monthly_salary"})
# Answers that give a whole section: right for "what skills do I need?", beside the point
# for "what theories might they research?", which asks about words the overview lacks.
_OVERVIEW_TOPICS = frozenset("role responsibilities skills education jobs".split())
# The intents that ask about one job, skill or route.
_QUESTIONS_ABOUT = {
    "job": {"ask_salary", "ask_job_duties", "ask_monthly_salary"},
    "skill": {"ask_skill"},
    "pathway": {
        "ask_pathway",
        "ask_pathway_duration",
        "ask_pathway_entry_requirements",
        "ask_pathway_content",
    },
}
# Instead of asking "which one?", a passage matching this well answers: NLU already put the
# question in scope, so a lower bar than for a question with no topic.
INSTEAD_MIN_SCORE = 0.2
INSTEAD_MIN_COVERAGE = 0.5
# What asking about the article itself sounds like; without one of these, a question NLU
# took for "where is this from?" that names a job or skill is about that job or skill.
_SOURCE_CUES = re.compile(
    r"\b(source|sources|article|come from|comes from|where|who wrote|written|author|"
    r"indeed|reference|cite|trust|reliable|up to date|published|date)\b"
)

# Choosing among what was just listed, or among every job: "which one is about customers?",
# "which of those involve training people?", "which of the four jobs uses data analysis?",
# "which job would suit someone who ...?".
# A question starting there or after a comma: "my son loves cars, which of these jobs ...?"
_WHICH_OF = re.compile(
    r"(?:^|[,;:.!?-])\s*(?:and\s+|so\s+)?(?:which|what)\s+"
    r"(?:one|ones|of\s+(?:those|these|them|the\s+\w+))\b"
)
_WHICH_JOB_SUITS = re.compile(
    r"(?:^|[,;:.!?-])\s*(?:which|what)\s+(?:job|jobs|role|roles)\b.*\bsuits?\b"
)
# "2 years", "18 months", "a year": a length asked about.
_LENGTH = re.compile(rf"\b({salary_maths.SMALL_NUMBER})\s*(year|month)s?\b")
_ALWAYS = re.compile(r"\b(always|exactly|every time|all)\b")
# "which is better paid?" after two jobs: the two just discussed.
_WHICH_OF_TWO = re.compile(
    r"^\s*(?:and\s+|so\s+)?(?:which|who)\s+(?:is|one|earns|makes|gets|pays)\b"
)
# Asking for an example of what was just described.
_EXAMPLE = re.compile(r"\b(examples?|instance)\b")
# Words of asking for help, not of a subject: "what can I ask?", "how do I use this bot?".
_HELP_WORDS = frozenset(
    "ask help question questions chat bot assistant use start menu option options command "
    "commands talk example examples hi hello hey able".split()
)
# Pointing back at what was just listed: "the average of those two", "between them".
_THOSE = re.compile(r"\b(them|those|these|both|the two)\b")
# A turn pointing back at what was just discussed: "how do you get it?", "and after that?"
_POINTS_BACK = re.compile(r"^\s*(?:and|so|then)\b|\b(?:it|its|they|them|that|this|there)\b")
# "the other one" when there are two of a kind (two routes): the one not under discussion.
_OTHER = re.compile(r"\bother\b")

# "the second one", "the last one", "number 3", "option 2" after a list.
_NUMBERED = re.compile(r"\b(?:number|no|option|#)\s*\.?\s*(\d)\b")
_FOLLOW_UP_START = re.compile(r"^\s*(?:and|what about|how about|same for|what of|ok and|and for)\b")
ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "6th": 5,
    "seventh": 6,
    "7th": 6,
    "last": -1,
    "final": -1,
}

# Which answer a follow-up naming a job / skill / pathway continues, by the previous topic.
_JOB_TOPICS = {"salary": "salary", "monthly_salary": "monthly_salary", "job_duties": "job_duties"}
_PATHWAY_TOPICS = {
    "pathway_duration": "pathway_duration",
    "pathway_entry_requirements": "pathway_entry_requirements",
    "pathway_content": "pathway_content",
}


class CareersAssistant:
    """Answers each kind of question about one career, keeping context in slots.

    Every answer records its `topic` and, for lists, the ids it `listed`, so a follow-up
    ("what about a QA manager?", "the second one") continues from there. An answer about
    one job, skill or route sets that subject and clears the others: a new topic resets
    what no longer applies.
    """

    def __init__(self, career: Career, resolver: EntityResolver, passages: PassageFinder) -> None:
        self.career = career
        self.resolver = resolver
        self.passages = passages
        self.statements = PassageFinder(career, resolver.nlp, statements_of(career))
        self.subjects = PassageFinder(career, resolver.nlp, subjects_of(career))
        self._question_words = QUESTION_WORDS | set(ORDINALS)
        # A skill's everyday names (`described_as`): a phrase of them in a question names
        # that skill ("looking things up"); a one-word one ("numbers", "perfectionist") is
        # what a question asks about, even where it is a word of asking, and never a
        # subject the knowledge lacks (a word of a phrase, "working with data", is neither)
        self._described_phrases = [
            (skill.id, " ".join(t.lemma_ for t in resolver.nlp(words.lower())))
            for skill in career.skills
            for words in skill.described_as
            if " " in words
        ]
        self._descriptors = {
            token.lemma_
            for skill in career.skills
            for words in skill.described_as
            if " " not in words
            for token in resolver.nlp(words.lower())
        }
        self._not_subjects = self._question_words | self._descriptors
        # "production technician" is in every question and every answer: no evidence
        self._career_words = {
            token.lemma_ for name in career.aliases for token in resolver.nlp(name.lower())
        }
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        # Before the route, in this order, the first of these that answers the turn wins:
        # what the words show NLU's topic cannot answer.
        self.checks = [
            self._pay_for_a_place,  # "what's the salary in London?"
            self._attribute_not_kept,  # "how much are the course fees?"
            self._pay_for_a_job_without_figure,  # "what does a senior technician earn?"
            self._pay_while_training,  # "are you paid on the course?"
            self._pay_certainty,  # "are the salaries guaranteed?"
            self._chosen_among,  # "which of those is about customers?"
            self._not_about_pay,  # "what languages should a QA analyst learn?"
            self._subject_not_covered,  # "what does a nurse do?"
            self._ranking_follow_up,  # "and the second lowest?"
            self._yes_no_about_the_work,  # "do they train staff?"
            self._is_this_for_me,  # "I love solving problems, would that help?"
        ]
        # The one table from an action's topic (`action_answer_<topic>`) to its answer.
        self.routes = {
            "role": self.role,
            "specialisations": self.specialisations,
            "responsibilities": self.responsibilities,
            "source": self.source,
            "out_of_scope": self.out_of_scope,
            "skills": self.skills,
            "skill": self.skill,
            "education": self.education,
            "pathway": self.pathway,
            "pathway_duration": self.pathway_duration,
            "pathway_entry_requirements": self.pathway_entry_requirements,
            "pathway_content": self.pathway_content,
            "jobs": self.jobs,
            "job_duties": self.job_duties,
            "salary": self.salary,
            "all_salaries": self.all_salaries,
            "monthly_salary": self.salary_per_period,
            "follow_up": self.follow_up,
            "help": self.help,
            "unclear": self.unclear,
        }

    def answer(self, topic: str, turn: Turn) -> Answer:
        """The answer for an action's topic (`routes`), and the jobs it was about."""
        return _with_jobs_discussed(self._answer_for(topic, turn), turn)

    def read(self, text: str) -> Reading:
        """The reading of a message. Each text is read once: every check and handler of a
        turn, and a question built from it, share the reading."""
        reading = self._readings.get(text)
        if reading is None:
            reading = self._read(text)
            self._readings[text] = reading
            if len(self._readings) > _READINGS_KEPT:
                self._readings.popitem(last=False)
        return reading

    def _read(self, text: str) -> Reading:
        lowered = text.lower()
        spelt_out = " ".join(_SHORTHAND.get(w, w) for w in lowered.split())
        mentions = tuple(self.resolver.mentions(text))
        return Reading(
            mentions=mentions,
            unknown_subject=self.resolver.unknown_subject(text, self._not_subjects),
            unknown_job=self._unknown_job_asked(text, lowered),
            asked=frozenset(
                set(self.resolver.other_words(text)) - self._question_words - self._career_words
            ),
            mentions_pay=salary_maths.mentions_pay(text),
            place=self.resolver.place_named(text),
            unsaid_attribute=self.resolver.unsaid_attribute(text),
            graded_title=self.resolver.graded_title(text) or _skill_named_as_a_job(mentions),
            yes_no=bool(_YES_NO.match(spelt_out)),
            about_me=bool(_ABOUT_ME.match(lowered)),
            points_back=bool(_POINTS_BACK.search(lowered)),
            suits=bool(_SUITS.search(lowered)),
            certainty=salary_maths.asks_if_certain(text),
        )

    def _answer_for(self, topic: str, turn: Turn) -> Answer:
        """The first of `checks` that answers the turn, else the route for its topic; an
        overview gives way to a narrower passage, and a yes/no question gets its verdict."""
        reading = self.read(turn.text)
        for check in self.checks:
            answer = check(topic, turn, reading)
            if answer:
                return answer
        if topic in ("role", "responsibilities") and self._job_ids(turn):
            topic = "job_duties"  # "tell me about the assembly technician role"
        answer = self.routes[topic](turn)
        if topic in _OVERVIEW_TOPICS:
            answer = self._more_specific(turn, answer) or answer
        if reading.yes_no:
            answer = Answer(self._confirmed(turn, answer.reply), answer.slots)
        return answer

    # --- the checks before the route ----------------------------------------------------

    def _pay_for_a_place(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        if reading.place and _about_pay(topic, reading):
            return _declined(answers.unknown_place(self.career, reading.place), turn, "salary")
        return None

    def _attribute_not_kept(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        return _declined(answers.not_said(self.career), turn) if reading.unsaid_attribute else None

    def _pay_for_a_job_without_figure(
        self, topic: str, turn: Turn, reading: Reading
    ) -> Answer | None:
        if reading.graded_title and _about_pay(topic, reading):
            reply = answers.unknown_job(self.career, reading.graded_title, "ask_salary")
            return _declined(reply, turn, "salary")
        return None

    def _pay_while_training(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        """Pay asked about a route, which has none; NLU's pay topic for a question about a
        route with no pay word ("how many awards does it have?") is about the route."""
        if (
            not _about_pay(topic, reading)
            or self._job_ids(turn)
            or not self.resolver.resolve("pathway", turn.entities.get("pathway", []), turn.text)
        ):
            return None
        if reading.mentions_pay:
            return _declined(answers.not_said(self.career), turn)
        if not salary_maths.kind_of_question(turn.text, 0):
            return self._about_pathway(turn, "pathway")
        return None

    def _pay_certainty(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        if reading.yes_no and reading.certainty and _about_pay(topic, reading):
            return _answer(answers.pay_not_fixed(self.career), "salary", job=turn.slots.get("job"))
        return None

    def _not_about_pay(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        if topic in _PAY_TOPICS and self._pay_question_about_something_else(turn):
            return _declined(answers.not_said(self.career), turn)
        return None

    def _unknown_job_asked(self, text: str, lowered: str) -> str:
        if _FIRST_PERSON.search(lowered) or self._career_words & self.resolver.lemmas(text):
            return ""  # "can a welder become a production technician?" asks about the career
        return self.resolver.unknown_job(text, self._not_subjects)

    def _subject_not_covered(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        """Where NLU had no topic, a subject the knowledge lacks is declined: never a
        passage that happens to share a word with it. So is another job, where NLU's topic
        is an overview of the career."""
        if not reading.unknown_subject:
            return None
        if topic not in _NOT_SAID_TOPICS and not (
            topic in _CAREER_WIDE_TOPICS and reading.unknown_job
        ):
            return None
        if _about_pay(topic, reading):  # "what do nurses get paid?": say which job is not covered
            reply = answers.unknown_job(self.career, reading.unknown_subject, "ask_salary")
            return _declined(reply, turn)
        if topic in _CAREER_WIDE_TOPICS:  # "what does a nurse do?"
            reply = answers.unknown_job(self.career, reading.unknown_job, "ask_job_duties")
            return _declined(reply, turn)
        return _declined(answers.out_of_scope(self.career), turn)

    def _ranking_follow_up(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        if topic in ("follow_up", "out_of_scope", "unclear") and turn.slots.get("topic") in (
            "salary",
            "monthly_salary",
        ):
            return self._computed_salary_answer(turn)
        return None

    def _yes_no_about_the_work(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        """A yes/no question about the work gets the duty or responsibility that confirms
        it, or "the article doesn't say" when the knowledge settles nothing."""
        if topic not in _YES_NO_TOPICS or not reading.yes_no:
            return None
        match = None if reading.unknown_subject else self._confirming_statement(turn)
        if match:
            reply = answers.yes_from(
                match.passage.section, match.passage.text, match.passage.denies
            )
            return _from_passage(match, reply)
        unsaid = [
            w for w in self.passages.unknown_words(turn.text) if w not in self._question_words
        ]
        if not reading.unknown_subject and (
            topic in _NOT_SAID_TOPICS or (topic in _WORK_TOPICS and unsaid)
        ):
            # "do they work weekends?": nothing in the knowledge says either way
            return _declined(answers.not_said(self.career), turn)
        return None

    def _is_this_for_me(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        """ "I love solving problems, would that help?": the passage about that, if any."""
        if topic in _SUITS_TOPICS and reading.suits and not self._job_ids(turn):
            match = self.passages.best(turn.text, SUITS_MIN_SCORE, SUITS_MIN_COVERAGE)
            return _from_passage(match) if match else None
        return None

    def _confirmed(self, turn: Turn, reply: Reply) -> Reply:
        """A yes/no question's answer, led by its verdict when the answer settles it: "No"
        when it says the article lacks the thing asked about, "Yes" when it holds every
        word the question asks about ("is empathy one of the skills?")."""
        if reply.text.startswith(("Yes", "No", "The article doesn't say")):
            return reply
        if any(d in reply.text for d in _DECLINE_WORDS):
            unknown = self.read(turn.text).unknown_subject
            return _with_verdict(reply, False) if unknown else reply
        asked = {
            word
            for word in set(self.resolver.other_words(turn.text)) - self._question_words
            if not near_miss(word, self._question_words)  # "is empthy a skil u need"
        }
        if not asked and not self.read(turn.text).mentions:
            return reply
        said = set(self.resolver.other_words(reply.text)) | set(reply.text.lower().split())
        if asked <= said:
            return _with_verdict(reply, True)
        # "do they test products before they go on sale?", answered with the specialisations:
        # a single statement holding every word asked about confirms it instead
        # (every word asked must be in it, so no coverage bar: names are not in statements)
        match = self._confirming_statement(turn, min_coverage=0)
        if match and asked <= set(self.resolver.other_words(match.passage.text)):
            return answers.yes_from(match.passage.section, match.passage.text, match.passage.denies)
        return reply

    # --- the role, responsibilities, source ---------------------------------------------

    def role(self, turn: Turn) -> Answer:
        return _answer(answers.role(self.career), "role")

    def specialisations(self, turn: Turn) -> Answer:
        return _answer(answers.specialisations(self.career), "specialisations")

    def responsibilities(self, turn: Turn) -> Answer:
        return _answer(answers.responsibilities(self.career), "responsibilities")

    def source(self, turn: Turn) -> Answer:
        if not _SOURCE_CUES.search(turn.text.lower()):
            # "who draws up the blueprints (assembly technicians / they) use?" is about the job
            instead = self._instead_of_asking(turn, "")
            if instead:
                return instead
        return _answer(answers.source(self.career), "source")

    def out_of_scope(self, turn: Turn) -> Answer:
        if self.resolver.names_only_the_career(turn.text):
            return self.role(turn)  # "wat is a producton techncian"
        # A question NLU put out of scope that the knowledge clearly answers still gets it
        match = self.passages.best(turn.text)
        if match:
            return _from_passage(match)
        return _declined(answers.out_of_scope(self.career), turn)

    # --- skills -------------------------------------------------------------------------

    def skills(self, turn: Turn) -> Answer:
        unknown = self.read(turn.text).unknown_subject
        if unknown:  # "is teamwork an important skill?"
            return self._skill_answer(None, unknown)
        listed = [s.id for s in self.career.skills]
        return _answer(answers.skills(self.career), "skills", listed=listed)

    def skill(self, turn: Turn) -> Answer:
        if self._is_bare_follow_up(turn):
            return self.follow_up(turn)
        skill_id, unknown = self._subject(turn, "skill")
        return self._skill_answer(skill_id, unknown, turn)

    def _skill_answer(self, skill_id: str | None, unknown: str, turn: Turn | None = None) -> Answer:
        if unknown:
            return _answer(answers.unknown_skill(self.career, unknown), "skill")
        if not skill_id and turn:
            skill_id = self._described_skill(turn.text)  # "I'm good with numbers, ...?"
        if not skill_id:
            instead = self._instead_of_asking(turn, "skill") if turn else None
            return instead or _keep_context(answers.which_skill(self.career))
        reply = answers.skill(self.career, self.career.skill(skill_id))
        return _answer(reply, "skill", skill=skill_id)

    # --- education ----------------------------------------------------------------------

    def education(self, turn: Turn) -> Answer:
        listed = [p.id for p in self.career.pathways]
        return _answer(answers.education(self.career), "education", listed=listed)

    def pathway(self, turn: Turn) -> Answer:
        if self._is_bare_follow_up(turn):
            return self.follow_up(turn)
        return self._about_pathway(turn, "pathway")

    def pathway_duration(self, turn: Turn) -> Answer:
        answer = self._about_pathway(turn, "pathway_duration")
        route = self.career.pathway(answer.slots.get("pathway") or "")
        months = _months_in(turn.text)
        if route and route.duration and months and self.read(turn.text).yes_no:
            # "does it always take 2 years?": no, 12 to 24 months; "can it take 18 months?": yes
            span = route.duration
            fixed = span.min_months == span.max_months
            verdict = span.min_months <= months <= span.max_months and (
                fixed or not _ALWAYS.search(turn.text.lower())
            )
            return Answer(_with_verdict(answer.reply, verdict), answer.slots)
        return answer

    def pathway_entry_requirements(self, turn: Turn) -> Answer:
        return self._about_pathway(turn, "pathway_entry_requirements")

    def pathway_content(self, turn: Turn) -> Answer:
        return self._about_pathway(turn, "pathway_content")

    def _about_pathway(self, turn: Turn, topic: str, pathway_id: str | None = None) -> Answer:
        unknown = ""
        if not pathway_id:
            pathway_id, unknown = self._subject(turn, "pathway")
        if unknown:
            return _answer(answers.unknown_pathway(self.career, unknown), topic)
        pathway = self.career.pathway(pathway_id) if pathway_id else None
        attribute = {
            "pathway_duration": "duration",
            "pathway_entry_requirements": "entry_requirements",
        }.get(topic)
        if not pathway and attribute:
            # "how long does it take?" can only mean the one route whose length is known
            pathway = answers.pathway_with(self.career, attribute)
        if not pathway:
            instead = self._instead_of_asking(turn, "pathway")
            return instead or _keep_context(answers.which_pathway(self.career, f"ask_{topic}"))
        reply_for = getattr(answers, topic)
        return _answer(reply_for(self.career, pathway), topic, pathway=pathway.id)

    # --- jobs and salaries --------------------------------------------------------------

    def jobs(self, turn: Turn) -> Answer:
        if salary_maths.kind_of_question(turn.text, 0) == "salary_threshold":  # "jobs under 35k?"
            return self.salary_threshold(turn)
        listed = [j.id for j in self.career.jobs]
        return _answer(answers.jobs(self.career), "jobs", listed=listed)

    def job_duties(self, turn: Turn) -> Answer:
        if self._is_bare_follow_up(turn):
            return self.follow_up(turn)
        job_id, unknown = self._subject(turn, "job")
        return self._job_answer(turn, "job_duties", job_id, unknown)

    def salary(self, turn: Turn) -> Answer:
        if self._is_bare_follow_up(turn):
            return self.follow_up(turn)
        computed = self._computed_salary_answer(turn)
        if computed:
            return computed
        job_id, unknown = self._subject(turn, "job")
        if not job_id and not unknown:
            # "how much do production technicians earn?": the article gives pay per job
            return self.all_salaries(turn)
        return self._job_answer(turn, "salary", job_id, unknown)

    def salary_per_period(self, turn: Turn) -> Answer:
        """ "how much a month?", "weekly pay": the yearly figure divided."""
        job_id, unknown = self._subject(turn, "job")
        listed = turn.slots.get("listed") or []
        if not self._job_ids(turn) and turn.slots.get("topic") == "salary" and len(listed) == 2:
            job_id = None  # "and a month?" after two jobs compared: both, and the gap
        if not job_id and not unknown:
            period = salary_maths.period_asked(turn.text) or "month"
            jobs = [self.career.job(i) for i in listed] if len(listed) == 2 else []
            jobs = jobs if jobs and all(jobs) else self.career.jobs
            reply = salary_maths.per_period(self.career, jobs, period)
            return _answer(reply, "monthly_salary", listed=[j.id for j in jobs])
        return self._job_answer(turn, "monthly_salary", job_id, unknown)

    def _job_answer(self, turn: Turn, topic: str, job_id: str | None, unknown: str) -> Answer:
        intent = f"ask_{topic}"
        if unknown:
            return _answer(answers.unknown_job(self.career, unknown, intent), topic)
        if not job_id:
            instead = self._instead_of_asking(turn, "job")
            return instead or _keep_context(answers.which_job(self.career, intent))
        job = self.career.job(job_id)
        if topic == "job_duties":
            return _answer(answers.job_duties(self.career, job), topic, job=job_id)
        if topic == "monthly_salary":
            period = salary_maths.period_asked(turn.text) or "month"
            reply = salary_maths.per_period(self.career, [job], period)
            return _answer(reply, topic, job=job_id)
        with_caveat = not turn.slots.get("salary_caveat_shown")
        reply = answers.salary(self.career, job, with_caveat)
        return _answer(reply, topic, job=job_id, salary_caveat_shown=True)

    def all_salaries(self, turn: Turn) -> Answer:
        computed = self._computed_salary_answer(turn)
        if computed:
            return computed
        unknown = self.read(turn.text).unknown_subject
        if unknown:  # "production manager salary", "technician pay in australia"
            return _answer(answers.unknown_job(self.career, unknown, "ask_salary"), "salary")
        with_caveat = not turn.slots.get("salary_caveat_shown")
        return _answer(
            answers.all_salaries(self.career, with_caveat),
            "salary",
            listed=[j.id for j in self.career.jobs],
            salary_caveat_shown=True,
        )

    def _computed_salary_answer(self, turn: Turn) -> Answer | None:
        """Highest, A vs B, over £X, average, monthly: asked as salary questions."""
        kind = salary_maths.kind_of_question(turn.text, len(self._job_ids(turn)))
        return getattr(self, kind)(turn) if kind else None

    def salary_ranking(self, turn: Turn) -> Answer:
        reply, job = salary_maths.highest_or_lowest_or_ranking(self.career, turn.text)
        listed = [j.id for j in sorted(self.career.jobs, key=lambda j: -j.salary.amount)]
        return _answer(reply, "salary", job=job.id if job else None, listed=listed)

    def salary_comparison(self, turn: Turn) -> Answer:
        named = self._job_ids(turn)
        previous = turn.slots.get("job")
        if len(named) == 1 and previous and previous != named[0]:
            named.insert(0, previous)  # "is a QA manager paid more than that?" after a job
        those = self._those_jobs(turn)
        if not named and len(those) == 2:
            named = [j.id for j in those]  # "what's the difference between them?"
        listed = turn.slots.get("listed") or []
        if not named and turn.slots.get("topic") == "salary" and len(listed) == 2:
            named = list(listed)  # "by how much?" after two jobs compared
        if len(named) < 2:
            unknown = self.read(turn.text).unknown_subject
            if unknown:
                return _answer(answers.unknown_job(self.career, unknown, "ask_salary"), "salary")
            return self.salary_ranking(turn)
        first, second = self.career.job(named[0]), self.career.job(named[1])
        reply = salary_maths.compare(self.career, first, second)
        plain_difference = not re.search(r"\bhow much\b", turn.text.lower())
        if (
            len(self._job_ids(turn)) >= 2
            and plain_difference
            and not self.read(turn.text).mentions_pay
            and not self.read(turn.text).yes_no
        ):
            # "what's the difference between a QA analyst and a QA manager?": the work too
            reply = answers.two_jobs(first, second, reply)
        if self.read(turn.text).yes_no:
            # "does a QA manager earn more than an analyst?": say which way it goes first
            before_than = turn.text.lower().split(" than ")[0]
            subject = self.resolver.resolve("job", [], before_than) or previous or named[0]
            other = second if subject == first.id else first
            verdict = salary_maths.is_paid_more(
                turn.text, self.career.job(subject), other.salary.amount
            )
            reply = _with_verdict(reply, verdict)
        return _answer(reply, "salary", listed=named[:2])

    def salary_threshold(self, turn: Turn) -> Answer:
        named = self._job_ids(turn)
        amount = salary_maths.parse_amount(turn.text)
        if len(named) == 1 and amount is not None:
            # "is the QA manager salary over 40k?": that job's figure, yes or no
            job = self.career.job(named[0])
            verdict = salary_maths.is_paid_more(turn.text, job, amount)
            reply = answers.salary(self.career, job, with_caveat=False)
            return _answer(_with_verdict(reply, verdict), "salary", job=job.id)
        earlier = turn.slots.get("figure")
        reply = salary_maths.above_or_below(self.career, turn.text, earlier)
        if reply is None:
            return self.salary_ranking(turn)
        listed = [j.id for j in salary_maths.jobs_beyond(self.career, turn.text, earlier)]
        return _answer(reply, "salary", listed=listed)

    def salary_over_years(self, turn: Turn) -> Answer:
        job = self.career.job(self._job_ids(turn)[0])
        years = salary_maths.years_asked(turn.text) or 1
        return _answer(salary_maths.over_years(self.career, job, years), "salary", job=job.id)

    def salary_total(self, turn: Turn) -> Answer:
        """ "add them together": the yearly figures of the jobs named or just discussed."""
        jobs = [self.career.job(i) for i in self._job_ids(turn)]
        if len(jobs) < 2:
            jobs = self._those_jobs(turn) or [
                self.career.job(i) for i in turn.slots.get("jobs_discussed") or []
            ]
        if len(jobs) < 2:
            return self.all_salaries(turn)
        return _answer(salary_maths.total(jobs), "salary", listed=[j.id for j in jobs])

    def average_salary(self, turn: Turn) -> Answer:
        named = [self.career.job(i) for i in self._job_ids(turn)]
        # "the average of the two QA jobs", "what's the average of those two?"
        jobs = named if len(named) >= 2 else self._those_jobs(turn)
        mean = round(salary_maths.mean_salary(jobs or self.career.jobs))
        return _answer(salary_maths.average(self.career, jobs), "salary", figure=mean)

    def _those_jobs(self, turn: Turn) -> List:
        """The jobs just listed when the turn points back at them ("those", "them")."""
        listed = [self.career.job(i) for i in turn.slots.get("listed") or []]
        listed = [j for j in listed if j]
        if not (_THOSE.search(turn.text.lower()) or _WHICH_OF_TWO.match(turn.text.lower())):
            return []
        discussed = [self.career.job(i) for i in turn.slots.get("jobs_discussed") or []]
        if len(listed) != 2 and len(discussed) == 2 and all(discussed):
            return discussed  # "the lowest?", "and the highest?", "the difference between them?"
        return listed if len(listed) >= 2 else []

    # --- help -------------------------------------------------------------------------

    def help(self, turn: Turn) -> Answer:
        """ "What can you do?": the help. "Can you give me an example?" after a skill: its
        example. "Help me with my homework": declined, it asks about what the knowledge never
        mentions. "When was this written?": the source."""
        if _SOURCE_CUES.search(turn.text.lower()):
            return self.source(turn)
        skill = self.career.skill(turn.slots.get("skill") or "")
        if skill and skill.example and _EXAMPLE.search(turn.text.lower()):
            return self._skill_answer(skill.id, "")
        unknown = [
            word
            for word in self.passages.unknown_words(turn.text)
            if word not in self._question_words | _HELP_WORDS
            and not near_miss(word, self._question_words)
        ]
        if unknown:
            return _declined(answers.out_of_scope(self.career), turn)
        return Answer(Reply("", response="utter_help"))

    # --- when NLU is unsure ------------------------------------------------------------

    def unclear(self, turn: Turn) -> Answer:
        """Low NLU confidence: a misspelt name alone, a passage that clearly answers it,
        else "did you mean" for the two likeliest topics, else an honest "I can't help with
        that". Never a guess at a figure."""
        mentions = self.read(turn.text).mentions
        bare_name = len(self.resolver.other_words(turn.text)) <= 1
        if mentions and bare_name and not self.read(turn.text).unknown_subject:
            # "atention to detial?": only a (misspelt) name, so answer about that thing
            return self.follow_up(Turn(turn.text, slots={**turn.slots, "topic": None}))
        likely = [
            intent
            for intent, confidence in turn.intent_ranking
            if intent in answers.INTENT_TITLES and confidence >= CLARIFY_MIN_CONFIDENCE
        ][:2]
        if set(likely) == SALARY_INTENTS:
            return self.salary(turn)  # either way the salary answer is the same path
        if set(likely) & _MAYBE_PAY_INTENTS:
            computed = self._computed_salary_answer(turn)  # "jobs under 35k?"
            if computed:
                return computed
        if self.resolver.names_only_the_career(turn.text):
            return self.role(turn)
        named = mentions[0].entity_type if mentions else ""
        torn = len(likely) == 2 and set(likely) <= _QUESTIONS_ABOUT.get(named, set())
        if named and not torn and not self.read(turn.text).unknown_subject:
            # "tell me about the quality assurance manager role": about what it names, unless
            # NLU is torn between two questions about it ("qa manager money stuff")
            return self._about(named, mentions[0].id, turn)
        match = self.passages.best(turn.text) or self._passage_in_context(turn)
        if match:
            return _from_passage(match)
        in_context = self._subject_in_context(turn)
        if in_context and not mentions and not set(self.read(turn.text).asked):
            # "and what do you get after?", "how do you get it?" after a route: nothing of
            # its own to go on, so it is about what was just discussed
            return self._about(*in_context, turn)
        if likely:
            entities = {
                entity_type: resolved
                for entity_type, values in turn.entities.items()
                if (resolved := self.resolver.resolve(entity_type, values, ""))
            }
            return _keep_context(answers.did_you_mean(likely, entities))
        return _declined(answers.out_of_scope(self.career), turn)

    # --- follow-ups ---------------------------------------------------------------------

    def follow_up(self, turn: Turn) -> Answer:
        """'what about a QA manager?', 'and empathy?', 'the second one': continue the topic."""
        topic = turn.slots.get("topic") or ""
        chosen = self._ordinal_choice(turn)
        mentions = self.read(turn.text).mentions
        if chosen:
            entity_type, subject_id = chosen
        elif mentions:
            entity_type, subject_id = mentions[0].entity_type, mentions[0].id
        else:
            unknown = self.read(turn.text).unknown_subject
            entity_type, subject_id = self._type_for_topic(topic), None
            if not unknown and topic in _PAY_TOPICS:
                return self.all_salaries(turn)  # "what about in the UK then?"
            if not unknown:
                instead = self._instead_of_asking(turn, "")
                return instead or _keep_context(answers.which_follow_up(self.career))
            if entity_type == "skill":
                return self._skill_answer(None, unknown)
            if entity_type == "pathway":
                return _answer(answers.unknown_pathway(self.career, unknown), topic)
            return self._job_answer(turn, _JOB_TOPICS.get(topic, "salary"), None, unknown)
        if entity_type == "skill":
            return self._skill_answer(subject_id, "")
        if entity_type == "pathway":
            return self._about_pathway(turn, _PATHWAY_TOPICS.get(topic, "pathway"), subject_id)
        return self._job_answer(turn, _JOB_TOPICS.get(topic, "job_duties"), subject_id, "")

    def _ordinal_choice(self, turn: Turn) -> Tuple[str, str] | None:
        current = turn.slots.get("pathway")
        ids = [p.id for p in self.career.pathways]
        if _OTHER.search(turn.text.lower()) and current in ids and len(ids) == 2:
            return "pathway", next(i for i in ids if i != current)  # "and the other one?"
        other_job = self._other_job(turn)
        if other_job:
            return "job", other_job
        listed = turn.slots.get("listed") or []
        text = turn.text.lower()
        words = re.findall(r"[a-z0-9]+", text)
        positions = [ORDINALS[w] for w in words if w in ORDINALS]
        positions += [int(n) - 1 for n in _NUMBERED.findall(text)]
        if not listed or not positions or positions[0] >= len(listed):
            return None
        chosen = listed[positions[0]]
        for entity_type in ("job", "skill", "pathway"):
            if getattr(self.career, entity_type)(chosen):
                return entity_type, chosen
        return None

    def _is_bare_follow_up(self, turn: Turn) -> bool:
        """'and an assembly technician?': a new subject and nothing else, after an answer.

        NLU may label it with any intent naming that subject; the question to answer is
        still the previous one.
        """
        return bool(
            turn.slots.get("topic")
            and _FOLLOW_UP_START.match(turn.text.lower())
            and not self.resolver.other_words(_FOLLOW_UP_START.sub("", turn.text.lower()))
        )

    @staticmethod
    def _type_for_topic(topic: str) -> str:
        if topic.startswith("skill"):
            return "skill"
        if topic.startswith("pathway") or topic == "education":
            return "pathway"
        return "job"

    # --- instead of asking back ---------------------------------------------------------

    def _instead_of_asking(self, turn: Turn, kind: str) -> Answer | None:
        """An answer for a turn about to get "which one do you mean?": the subject it names
        when that is of another kind than the one asked for ("give me an example of what an
        assembly technician makes", taken for a skill question), else the passage its words
        match, read together with the subject under discussion ("does it depend on
        anything?" after the apprenticeship's length). None when neither holds."""
        other = [m for m in self.read(turn.text).mentions if m.entity_type != kind]
        if other:
            return self._about(other[0].entity_type, other[0].id, turn)
        match = self._passage_in_context(turn)
        return _from_passage(match) if match else None

    def _passage_in_context(self, turn: Turn) -> Match | None:
        """The passage matching the turn read with its subject, if it also holds a word of
        the turn itself: the subject's name alone would match "how do you know that?"."""
        match = self.passages.best(self._in_context(turn), INSTEAD_MIN_SCORE, INSTEAD_MIN_COVERAGE)
        own = set(self.resolver.other_words(turn.text)) - self._career_words
        if match and own & set(self.resolver.other_words(match.passage.text)):
            return match
        return None

    def _more_specific(self, turn: Turn, overview: Answer) -> Answer | None:
        """Instead of an overview that holds none of the words the question asks about,
        the passage about the job, skill or route the question names ("what theories might
        they research?" is about the research skill): the question was narrower."""
        asked = set(self.read(turn.text).asked)
        if not asked or asked & set(self.resolver.other_words(overview.reply.text)):
            return None
        match = self.passages.best(turn.text, INSTEAD_MIN_SCORE, INSTEAD_MIN_COVERAGE)
        if not match:
            return None
        named = {(m.entity_type, m.id) for m in self.read(turn.text).mentions}
        return _from_passage(match) if match.passage.subject in named else None

    def _described_skill(self, text: str) -> str | None:
        """The skill the text describes in everyday words (the knowledge's `described_as`):
        a phrase of them in it ("looking things up"), else the skill whose description
        best matches the words asked about; "which skill do you mean?" describes none."""
        doc = self.resolver.nlp(text.lower())
        lemmas = f" {' '.join(t.lemma_ for t in doc if not t.is_punct)} "
        for skill_id, phrase in self._described_phrases:
            if f" {phrase} " in lemmas:
                return skill_id
        asked = set(self.resolver.other_words(text)) - self._career_words
        asked -= self._question_words - self._descriptors  # "numbers" stays
        words = " ".join(t.text for t in doc if t.lemma_ in asked)
        match = self.subjects.best_among(words, lambda p: _is_skill(p.subject))
        return match.passage.subject[1] if match and match.score >= DESCRIBED_MIN_SCORE else None

    def _pay_question_about_something_else(self, turn: Turn) -> bool:
        """NLU heard a pay question naming a job, but the words asked about are neither pay
        nor anything the knowledge mentions."""
        named = self._job_ids(turn)
        if len(named) != 1 or self.read(turn.text).mentions_pay:
            return False
        if salary_maths.kind_of_question(turn.text, 1) or self._is_bare_follow_up(turn):
            return False
        unknown = set(self.passages.unknown_words(turn.text))
        asked = {
            word
            for word in set(self.read(turn.text).asked)
            if not near_miss(word, self._question_words)  # "salery for a qa manger"
        }
        # a word the knowledge never uses: "programming languages", not "going rate"
        return bool(asked & unknown)

    def _confirming_statement(self, turn: Turn, min_coverage: float = MIN_COVERAGE) -> Match | None:
        """The statement that best confirms a yes/no question: one about the job it names
        (or the job under discussion), else the career's own (responsibilities, role)
        before any one job's duties ("do they train other staff?" is about production
        technicians), and for "can I ...?" what a route says first; unless another holds
        more of the words asked about ("do they design the procedures staff follow?")."""
        best = self.statements.best(turn.text, YES_MIN_SCORE, min_coverage)
        if not best:
            return None
        named = {("job", i) for i in self._job_ids(turn)}
        in_context = self._subject_in_context(turn)
        if not named and in_context and in_context[0] == "job":
            named = {in_context}  # "do they do any training?" after a job
        own = None
        if named:
            own = self.statements.best_among(turn.text, lambda p: p.subject in named)
        elif self.read(turn.text).about_me:  # "can I work and study?": a route's
            own = self.passages.best_among(turn.text, lambda p: _is_route(p.subject))
        if not named and (not own or own.score < OWN_MIN_SCORE):
            own = self.statements.best_among(turn.text, lambda p: p.subject is None)
        if not own or own.score < OWN_MIN_SCORE:
            return best
        # the subject's own, unless the best holds more of the turn's words
        asked = set(self.resolver.other_words(turn.text)) - self._career_words

        def held(match: Match) -> int:
            return len(asked & set(self.resolver.other_words(match.passage.text)))

        return own if held(own) >= held(best) else best

    def _chosen_among(self, topic: str, turn: Turn, reading: Reading) -> Answer | None:
        """ "Which of those ...?" after a list: the listed item (or responsibility) its words
        match best, not another answer. Pay questions ("which of them pays most?") are
        computed instead."""
        text = turn.text.lower()
        if salary_maths.mentions_pay(text) or salary_maths.kind_of_question(text, 0):
            return None
        if _WHICH_JOB_SUITS.search(text):
            listed = [("job", j.id) for j in self.career.jobs]
        elif _WHICH_OF.search(text):
            listed = [
                (kind, i)
                for i in turn.slots.get("listed") or []
                for kind in ("job", "skill", "pathway")
                if getattr(self.career, kind)(i)
            ]
            if re.search(r"\bjobs?\b", text) and not any(k == "job" for k, _ in listed):
                listed = [("job", j.id) for j in self.career.jobs]  # "which of the four jobs"
        else:
            return None
        if not listed and turn.slots.get("topic") == "responsibilities":
            match = self.statements.best_among(turn.text, lambda p: p.section == "Responsibilities")
            return _from_passage(match) if match else None
        match = self.subjects.best_among(turn.text, lambda p: p.subject in listed)
        return self._about(*match.passage.subject, turn) if match else None

    def _about(self, entity_type: str, subject_id: str, turn: Turn) -> Answer:
        """The main answer about one job, skill or route."""
        if entity_type == "skill":
            return self._skill_answer(subject_id, "")
        if entity_type == "pathway":
            return self._about_pathway(turn, "pathway", subject_id)
        return self._job_answer(turn, "job_duties", subject_id, "")

    def _subject_in_context(self, turn: Turn) -> Tuple[str, str] | None:
        """The job, skill or route under discussion, when a pronoun or "and ..." points back."""
        if not self.read(turn.text).points_back:
            return None
        for entity_type in ("job", "skill", "pathway"):
            subject_id = turn.slots.get(entity_type)
            if subject_id and getattr(self.career, entity_type)(subject_id):
                return entity_type, subject_id
        return None

    def _in_context(self, turn: Turn) -> str:
        """The turn's text, with the name of the subject under discussion when it names
        none itself: what "it" and "they" stand for."""
        if self.read(turn.text).mentions:
            return turn.text
        if turn.slots.get("topic") in _PAY_TOPICS:
            return f"{turn.text} salary pay"  # "what do they depend on?" after the figures
        names = [
            subject.title if entity_type == "job" else subject.name
            for entity_type in ("job", "skill", "pathway")
            if (subject := getattr(self.career, entity_type)(turn.slots.get(entity_type) or ""))
        ]
        return " ".join([turn.text, *names])

    # --- helpers ------------------------------------------------------------------------

    def _job_ids(self, turn: Turn) -> List[str]:
        ids = [self.resolver.canonical_id("job", v) for v in turn.entities.get("job", [])]
        ids += [m.id for m in self.read(turn.text).mentions if m.entity_type == "job"]
        ids = list(dict.fromkeys(i for i in ids if i))
        other = self._other_job(turn)
        # "the two QA jobs" names both
        return [other] if other else ids or self.resolver.job_group(turn.text)

    def _other_job(self, turn: Turn) -> str | None:
        """ "the other QA job": of the two a phrase names, the one not under discussion."""
        group = self.resolver.job_group(turn.text)
        current = turn.slots.get("job")
        if _OTHER.search(turn.text.lower()) and current in group and len(group) == 2:
            return next(i for i in group if i != current)
        return None

    def _subject(self, turn: Turn, entity_type: str) -> Tuple[str | None, str]:
        """(id, '') for a known subject, (None, words) for one we do not cover.

        Order: what NLU extracted, then names or near-misses in the text, then anything
        unrecognised in the text, and only then the subject already under discussion.
        """
        found = self.resolver.resolve(entity_type, turn.entities.get(entity_type, []), turn.text)
        if found:
            return found, ""
        chosen = self._ordinal_choice(turn)
        if chosen and chosen[0] == entity_type:
            return chosen[1], ""
        unknown = self.read(turn.text).unknown_subject
        if unknown:
            return None, unknown
        return self.resolver.canonical_id(entity_type, turn.slots.get(entity_type) or ""), ""


def _skill_named_as_a_job(mentions: Tuple[Mention, ...]) -> str:
    """ "data analyst": a skill's name (a near miss of "data analysis") ending in an
    occupation, so a job the article gives no pay for; '' otherwise."""
    for mention in mentions:
        last = mention.text.split()[-1]
        if mention.entity_type != "job" and (
            last in OCCUPATION_WORDS or last[:-1] in OCCUPATION_WORDS
        ):
            return mention.text
    return ""


def _about_pay(topic: str, reading: Reading) -> bool:
    return topic in _PAY_TOPICS or reading.mentions_pay


def _is_skill(subject: Tuple[str, str] | None) -> bool:
    return bool(subject) and subject[0] == "skill"


def _is_route(subject: Tuple[str, str] | None) -> bool:
    return bool(subject) and subject[0] == "pathway"


def _answer(
    reply: Reply,
    topic: str,
    job: str | None = None,
    skill: str | None = None,
    pathway: str | None = None,
    listed: List[str] | None = None,
    **other_slots: Any,
) -> Answer:
    """An answer that moves the conversation on: every context slot is set or cleared."""
    context = {
        "topic": topic,
        "job": job,
        "skill": skill,
        "pathway": pathway,
        "listed": listed,
        "figure": None,
    }
    return Answer(reply, {**context, **other_slots})


def _months_in(text: str) -> int | None:
    found = _LENGTH.search(text.lower())
    if not found:
        return None
    number = salary_maths.number_from(found.group(1))
    return number * 12 if found.group(2) == "year" else number


def _with_jobs_discussed(answer: Answer, turn: Turn) -> Answer:
    """Keep `jobs_discussed` the last two jobs answered about (a comparison's two)."""
    listed = answer.slots.get("listed") or []
    job = answer.slots.get("job")
    if answer.slots.get("topic") == "salary" and len(listed) == 2 and not job:
        discussed = list(listed)
    elif job:
        before = [i for i in turn.slots.get("jobs_discussed") or [] if i != job]
        discussed = before[-1:] + [job]
    else:
        return answer
    return Answer(answer.reply, {**answer.slots, "jobs_discussed": discussed})


def _with_verdict(reply: Reply, verdict: bool | None) -> Reply:
    if verdict is None:
        return reply
    return Reply(f"{'Yes' if verdict else 'No'}. {reply.text}", reply.buttons)


def _from_passage(match: Match, reply: Reply | None = None) -> Answer:
    """An answer from a passage; what the passage is about becomes the subject."""
    passage = match.passage
    subject = {passage.subject[0]: passage.subject[1]} if passage.subject else {}
    return _answer(reply or answers.passage(passage.section, passage.text), "passage", **subject)


def _declined(reply: Reply, turn: Turn, topic: str = "out_of_scope") -> Answer:
    """A question the article cannot answer: the job, skill or route under discussion stays,
    so "back to the job: what do they do?" after an off-topic question still knows which."""
    kept = {name: turn.slots.get(name) for name in ("job", "skill", "pathway", "listed")}
    return _answer(reply, topic, **kept)


def _keep_context(reply: Reply) -> Answer:
    """A question back to the user ("which job?"): the conversation has not moved on."""
    return Answer(reply)
