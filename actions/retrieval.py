"""Find the passage of the knowledge that best answers a question no intent covers.

TF-IDF over spaCy lemmas (scikit-learn, already a Rasa dependency): each passage is one
piece of the knowledge file with the name of its section, so the reply can say where it
comes from. Below `MIN_SCORE` nothing is returned and the assistant declines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from sklearn.feature_extraction.text import TfidfVectorizer
from spacy.language import Language

from actions import answers
from actions.knowledge import Career

# Cosine similarity a passage needs to be offered as an answer, and the share of the
# question's content words the knowledge must know: "do I need a degree?" shares only
# "need" with the skills text and must not be answered from it.
MIN_SCORE = 0.25
MIN_COVERAGE = 0.6


@dataclass(frozen=True)
class Passage:
    section: str
    text: str
    # The job, skill or route it is about, as (entity type, id): answering from it makes
    # that the subject of the conversation, so "how much do they earn?" can follow.
    subject: Optional[Tuple[str, str]] = None
    # A statement that something is not so: a yes/no question it answers gets "No".
    denies: bool = False
    # Words it is found by but that are not shown (a skill's everyday names).
    keywords: str = ""


@dataclass(frozen=True)
class Match:
    passage: Passage
    score: float


class PassageFinder:
    """Ranks `passages` (by default the whole knowledge, `passages_of`) against a question."""

    def __init__(
        self, career: Career, nlp: Language, passages: List[Passage] | None = None
    ) -> None:
        self._nlp = nlp
        self.passages = passages if passages is not None else passages_of(career)
        self._vectorizer = TfidfVectorizer(
            analyzer=self._lemmas, sublinear_tf=True, norm="l2", min_df=1
        )
        self._matrix = self._vectorizer.fit_transform(
            [f"{p.section} {p.text} {p.keywords}" for p in self.passages]
        )

    def best(
        self, question: str, min_score: float = MIN_SCORE, min_coverage: float = MIN_COVERAGE
    ) -> Optional[Match]:
        words = set(self._lemmas(question))
        known = words & set(self._vectorizer.vocabulary_)
        if not words or len(known) / len(words) < min_coverage:
            return None
        vector = self._vectorizer.transform([question])
        scores = (self._matrix @ vector.T).toarray().ravel()
        index = int(scores.argmax())
        if scores[index] < min_score:
            return None
        return Match(self.passages[index], float(scores[index]))

    def best_among(self, question: str, keep: Callable[[Passage], bool]) -> Optional[Match]:
        """The passage among those `keep` accepts that best matches, if it shares a word:
        the user has already narrowed the choice ("which of those ...?")."""
        vector = self._vectorizer.transform([question])
        scores = (self._matrix @ vector.T).toarray().ravel()
        kept = [i for i, p in enumerate(self.passages) if keep(p) and scores[i] > 0]
        if not kept:
            return None
        index = max(kept, key=lambda i: scores[i])
        return Match(self.passages[index], float(scores[index]))

    def unknown_words(self, question: str) -> List[str]:
        """The question's content words the knowledge never uses ("weekends")."""
        return [w for w in self._lemmas(question) if w not in self._vectorizer.vocabulary_]

    def _lemmas(self, text: str) -> List[str]:
        doc = self._nlp(text.lower())
        return [t.lemma_ for t in doc if t.is_alpha and not t.is_stop]


def passages_of(career: Career) -> List[Passage]:
    """The knowledge file cut into answerable pieces, each named by its section."""
    passages = [
        Passage("The role", career.role_summary),
        Passage("The role", career.duty_summary),
        Passage(
            "Specialisations",
            f"{career.specialisation_summary} For example: "
            f"{', '.join(career.specialisation_examples)}.",
        ),
        Passage("Responsibilities", " ".join(career.responsibilities)),
        Passage("Source", answers.source(career).text),
    ]
    for skill in career.skills:
        section, subject = f"Skills: {skill.name}", ("skill", skill.id)
        text, keywords = f"{skill.what_it_is} {skill.how_it_is_used}", " ".join(skill.described_as)
        passages.append(Passage(section, text, subject, keywords=keywords))
        if skill.example:
            passages.append(Passage(section, skill.example, subject))
    for pathway in career.pathways:
        section, subject = f"Training: {pathway.name}", ("pathway", pathway.id)
        regulator = f" It is regulated by {pathway.regulator}." if pathway.regulator else ""
        texts = [pathway.summary + regulator]
        if pathway.awards:
            texts.append(f"Awards: {'; '.join(pathway.awards)}. {pathway.leads_to_summary}")
        if pathway.entry_requirements:
            texts.append(pathway.entry_requirements)
        if pathway.duration:
            span = pathway.duration
            texts.append(f"It lasts {span.min_months} to {span.max_months} months. {span.note}")
        if pathway.what_you_learn:
            texts.append("You learn " + "; ".join(pathway.what_you_learn))
        passages += [Passage(section, text, subject) for text in texts]
    for job in career.jobs:
        passages.append(Passage(f"Jobs: {job.title}", " ".join(job.duties), ("job", job.id)))
    return passages


def subjects_of(career: Career) -> List[Passage]:
    """One passage per job, skill and route: everything said about it, with the names people
    use for it, for choosing one of them ("which one is about customers?")."""
    passages = [
        Passage(f"Jobs: {job.title}", " ".join([*job.aliases, *job.duties]), ("job", job.id))
        for job in career.jobs
    ]
    passages += [
        Passage(
            f"Skills: {skill.name}",
            " ".join(
                [
                    *skill.aliases,
                    *skill.described_as,
                    skill.what_it_is,
                    skill.how_it_is_used,
                    skill.example or "",
                ]
            ),
            ("skill", skill.id),
        )
        for skill in career.skills
    ]
    passages += [
        Passage(
            f"Training: {p.name}",
            " ".join([*p.aliases, p.summary, p.entry_requirements or "", *p.what_you_learn]),
            ("pathway", p.id),
        )
        for p in career.pathways
    ]
    return passages


def statements_of(career: Career) -> List[Passage]:
    """Single statements about the work, for yes/no questions ("do they train staff?"):
    each responsibility, each duty of each job, and what the role summary says."""
    statements = [Passage("Responsibilities", r) for r in career.responsibilities]
    statements += [
        Passage(f"Jobs: {job.title}", duty, ("job", job.id))
        for job in career.jobs
        for duty in job.duties
    ]
    if career.source.disclaimer:
        statements.append(Passage("Source", career.source.disclaimer, denies=True))
    statements += [
        Passage("The role", career.role_summary),
        Passage("The role", career.duty_summary),
        Passage("Specialisations", career.specialisation_summary),
    ]
    return statements
